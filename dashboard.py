"""Tierscope dashboard: ``streamlit run dashboard.py``.

Routes only: page config, who is signed in, the shared sidebar, ``st.navigation`` and
``pg.run()``.
"""

from __future__ import annotations

import logging
import os
import time

import streamlit as st

from analytics.errors import TierscopeError
from analytics.i18n import t
from ui import access, export, sidebar
from ui.navigation import DEFAULT_PAGE, available_pages

started = time.perf_counter()
log = logging.getLogger("tierscope")
st.set_page_config(page_title="Tierscope", page_icon="📊", layout="wide")

menu = st.sidebar.container()  # the page menu goes first; it is filled once the pages are known
try:
    user = access.current_user()
    if user is None:  # users are configured and nobody has signed in in this session yet
        access.sign_in_page(access.directory(), sidebar.language())
        st.stop()
    users = access.directory()
    context = sidebar.render(user, users.salt if users else "")
except TierscopeError as exc:  # e.g. the database is locked by another process
    st.error(str(exc))
    st.stop()
except Exception:
    if os.environ.get("TIERSCOPE_DEV"):
        raise
    log.exception("sidebar failed")
    st.error(t("page_error", "en") + "\n\n" + t("page_error", "zh"))
    st.stop()
st.session_state["context"] = context
lang = context.lang
access.sidebar_user(user, lang)
export.deck_sidebar(context)
export.warm_up()  # the export browser starts in the background, not on the first click

nav: dict[str, list] = {}
for section, path, title, icon, url in available_pages(admin=user.is_admin):
    page = st.Page(path, title=t(title, lang), icon=icon, url_path=url, default=url == DEFAULT_PAGE)
    nav.setdefault(t(section, lang), []).append(page)
# Our own menu: its links carry the view (snapshot, filters, language) to the next page
pg = st.navigation(nav, position="hidden")
sidebar.menu(menu, nav, context)
sidebar.breadcrumb(context)
try:
    pg.run()
except TierscopeError as exc:  # a problem the user can act on: say it as it is
    st.error(str(exc))
except Exception:  # a bug: log it for us, give the user a message, never a traceback
    if os.environ.get("TIERSCOPE_DEV"):
        raise
    log.exception("page %s failed", pg.url_path)
    st.error(t("page_error", lang))

if os.environ.get("TIERSCOPE_TIMING"):  # read by bench/pages.py
    print(
        f"TIERSCOPE_TIMING page={pg.url_path or 'overview'} ms={(time.perf_counter() - started) * 1000:.1f}",
        flush=True,
    )
