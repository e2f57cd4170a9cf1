"""Tierscope dashboard: ``streamlit run dashboard.py``.

Routes only: page config, the shared sidebar, ``st.navigation`` and ``pg.run()``.
Pages that do not exist yet are simply not listed.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analytics.errors import TierscopeError
from analytics.i18n import t
from ui import sidebar

st.set_page_config(page_title="Tierscope", page_icon="📊", layout="wide")

try:
    context = sidebar.render()
except TierscopeError as exc:  # e.g. the database is locked by another process
    st.error(str(exc))
    st.stop()
st.session_state["context"] = context
lang = context.lang

HERE = Path(__file__).parent
SECTIONS = {
    "section_portfolio": [
        ("pages/overview.py", "overview", "🏦", "overview"),
    ],
    "section_data": [
        ("pages/data.py", "page_data", "🗂️", "data"),
    ],
}
nav = {
    t(section, lang): [
        st.Page(path, title=t(title, lang), icon=icon, url_path=url, default=url == "overview")
        for path, title, icon, url in pages
        if (HERE / path).exists()
    ]
    for section, pages in SECTIONS.items()
}
pg = st.navigation({name: pages for name, pages in nav.items() if pages})
sidebar.breadcrumb(context)
pg.run()
