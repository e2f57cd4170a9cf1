"""The message shown when the database holds no customer snapshot yet."""

from __future__ import annotations

import streamlit as st

from analytics.errors import TierscopeError
from analytics.i18n import t
from ui import data


def render(lang: str, db: str, *, body: str = "empty_body") -> None:
    """Explain the empty database and offer to build the demo portfolio.

    Parameters
    ----------
    lang : str
        Language of the labels.
    db : str
        The database file, named in the message.
    body : str, default "empty_body"
        Label of the explanation: the data page says the files can be loaded below
        (``data_empty_body``) instead of pointing to the command line.
    """
    st.info(f"**{t('empty_title', lang)}**\n\n{t(body, lang, db=db)}")
    ctx = st.session_state.get("context")
    if ctx is not None and not ctx.user.is_admin:
        return  # only an administrator may fill the database
    if st.button(t("build_demo", lang), type="primary", key="build_demo"):
        with st.spinner(t("building_demo", lang)):
            try:
                from analytics.demo import build_demo  # only when asked: it is a large module

                build_demo(data.store())
            except TierscopeError as exc:  # LoadBusyError included: a load is running
                st.error(str(exc))
                return
        from ui import access

        access.record_here("demo", "built the demo portfolio from the empty-database page")
        st.cache_data.clear()
        st.rerun()
