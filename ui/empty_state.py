"""The message shown when the database holds no customer snapshot yet."""

from __future__ import annotations

import streamlit as st

from analytics.errors import TierscopeError
from analytics.i18n import t
from ui import data


def render(lang: str, db: str) -> None:
    """Explain the empty database and offer to build the demo portfolio."""
    st.info(f"**{t('empty_title', lang)}**\n\n{t('empty_body', lang, db=db)}")
    if st.button(t("build_demo", lang), type="primary"):
        with st.spinner(t("building_demo", lang)):
            try:
                from analytics.demo import build_demo  # only when asked: it is a large module

                build_demo(data.store())
            except TierscopeError as exc:
                st.error(str(exc))
                return
        st.cache_data.clear()
        st.rerun()
