"""tradesim: the Streamlit app's entry script (``streamlit run`` runs this file).

Thin: page configuration and navigation. Each page is a ``render()`` function in
``sim/app/pages/``; chart builders live in ``sim/app/charts.py``. The file ships inside the
package so an installed copy can start the app (``tradesim app``); ``app.py`` at the top of
the repository runs the same :func:`render_app`.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["SCRIPT", "launch", "render_app"]

SCRIPT = Path(__file__).resolve()
# a local file: a ":material/...:" page icon makes the browser fetch the favicon from a font
# server, and the app runs offline (no request leaves 127.0.0.1)
FAVICON = SCRIPT.parent / "assets" / "favicon.png"


def _page(module: str, title: str) -> Callable[[], None]:
    """The ``render`` function of a page module, or a placeholder if it is not installed."""
    import streamlit as st

    try:
        return importlib.import_module(f"sim.app.pages.{module}").render
    except ImportError as exc:
        reason = str(exc)

        def missing() -> None:
            st.title(title)
            st.info(f"This page is not available in this installation ({reason}).")
        return missing


def render_app() -> None:
    """Configure the page, build the navigation and run the selected page (one script run)."""
    import streamlit as st

    from sim.app.build_state import BUILD_PREFIX, NOT_KEPT
    from sim.app.glossary import glossary_markdown
    from sim.app.state import keep_page_state

    st.set_page_config(page_title="tradesim: US–Japan trade policy", page_icon=str(FAVICON),
                       layout="wide")
    pages = [
        st.Page(_page("compare", "Compare"), title="Compare", icon=":material/compare_arrows:",
                url_path="compare", default=True),
        st.Page(_page("build", "Build"), title="Build", icon=":material/tune:",
                url_path="build"),
        st.Page(_page("batch", "Batch results"), title="Batch results",
                icon=":material/stacked_line_chart:", url_path="batch"),
        st.Page(_page("method", "Method & sources"), title="Method & sources",
                icon=":material/menu_book:", url_path="method"),
        st.Page(_page("validation", "Validation"), title="Validation",
                icon=":material/verified:", url_path="validation"),
    ]
    # Build keeps its controls when the user visits another page and comes back
    keep_page_state((BUILD_PREFIX,), NOT_KEPT)
    nav = st.navigation(pages)
    with st.sidebar.expander("Glossary: the words on these pages"):
        st.markdown(glossary_markdown())
    nav.run()


def launch(args: Sequence[str] = ()) -> int:
    """``streamlit run`` this script with ``args`` (server options); the exit code."""
    return subprocess.call([sys.executable, "-m", "streamlit", "run", str(SCRIPT), *args])


if __name__ == "__main__":      # streamlit runs the script as __main__
    render_app()
