"""The view context a page reads, with a guard for deep links into a fresh server."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from ui.sidebar import ViewContext


def current() -> ViewContext:
    """The context dashboard.py built for this run (language, snapshot, filters, rules).

    On the very first request to a fresh server for a page URL such as ``/overview``,
    Streamlit still treats ``pages/`` as a legacy pages folder (it only learns otherwise
    when dashboard.py calls ``st.navigation``) and runs the page file alone. The page
    then has no context: switch Streamlit to ``st.navigation`` mode, as ``st.navigation``
    itself does, and rerun, so that dashboard.py draws the shell and routes back here.
    """
    ctx = st.session_state.get("context")
    if ctx is None:
        PagesManager.uses_pages_directory = False
        st.rerun()
    return ctx
