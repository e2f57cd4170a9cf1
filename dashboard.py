"""Tierscope dashboard: ``streamlit run dashboard.py``.

Routes only: page config, the shared sidebar, ``st.navigation`` and ``pg.run()``.
"""

from __future__ import annotations

import streamlit as st

from analytics.errors import TierscopeError
from ui import sidebar

st.set_page_config(page_title="Tierscope", page_icon="📊", layout="wide")

try:
    context = sidebar.render()
except TierscopeError as exc:  # e.g. the database is locked by another process
    st.error(str(exc))
    st.stop()

pg = st.navigation([st.Page("pages/overview.py", title="Overview", icon="🏦", default=True)])
st.session_state["context"] = context
pg.run()
