"""tradesim: the Streamlit app (``streamlit run app.py``, or ``tradesim app`` from an install).

The app itself is :func:`sim.app.main.render_app` (it ships inside the package); this file
runs it from the repository.
"""

from sim.app.main import render_app

render_app()
