"""tradesim: the Streamlit app (``streamlit run app.py``).

Thin: page configuration and navigation. Each page is a ``render()`` function in
``sim/app/pages/``; chart builders live in ``sim/app/charts.py``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import streamlit as st


def _page(module: str, title: str) -> Callable[[], None]:
    """The ``render`` function of a page module, or a placeholder if it is not installed."""
    try:
        return importlib.import_module(f"sim.app.pages.{module}").render
    except ImportError as exc:
        reason = str(exc)

        def missing() -> None:
            st.title(title)
            st.info(f"This page is not available in this installation ({reason}).")
        return missing


# a local file: a ":material/...:" page icon makes the browser fetch the favicon from a font
# server, and the app runs offline (no request leaves 127.0.0.1)
FAVICON = Path(__file__).resolve().parent / "sim" / "app" / "assets" / "favicon.png"
st.set_page_config(page_title="tradesim: US–Japan trade policy", page_icon=str(FAVICON),
                   layout="wide")
pages = [
    st.Page(_page("compare", "Compare"), title="Compare", icon=":material/compare_arrows:",
            url_path="compare", default=True),
    st.Page(_page("build", "Build"), title="Build", icon=":material/tune:", url_path="build"),
    st.Page(_page("batch", "Batch results"), title="Batch results",
            icon=":material/stacked_line_chart:", url_path="batch"),
    st.Page(_page("method", "Method & sources"), title="Method & sources",
            icon=":material/menu_book:", url_path="method"),
    st.Page(_page("validation", "Validation"), title="Validation", icon=":material/verified:",
            url_path="validation"),
]
# Build keeps its controls when the user visits another page and comes back
from sim.app.build_state import BUILD_PREFIX, NOT_KEPT  # noqa: E402
from sim.app.state import keep_page_state  # noqa: E402

keep_page_state((BUILD_PREFIX,), NOT_KEPT)
nav = st.navigation(pages)
from sim.app.glossary import glossary_markdown  # noqa: E402

with st.sidebar.expander("Glossary: the words on these pages"):
    st.markdown(glossary_markdown())
nav.run()
