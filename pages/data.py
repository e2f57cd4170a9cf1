"""Data: load monthly exports (checked before anything is written) and manage what is loaded."""

from __future__ import annotations

import streamlit as st

from analytics.i18n import t
from ui import access, context, empty_state, snapshots, upload

ctx = context.current()
lang = ctx.lang
st.title(t("page_data", lang))
if not access.require_admin(lang):  # the menu does not offer this page to others either
    st.stop()
upload.show_flash()  # the outcome of the load or deletion that reran the app

catalogue = snapshots.catalogue()
if not snapshots.has_customers(catalogue):
    empty_state.render(lang, ctx.db, body="data_empty_body")

# Keyed: the open tab survives the reruns of the upload and delete steps.
tabs = [t("data_tab_load", lang), t("data_tab_loaded", lang), t("data_tab_audit", lang)]
load_tab, loaded_tab, audit_tab = st.tabs(tabs, key="data_tab", on_change="rerun")
with load_tab:
    request = upload.form(lang)
    if request is not None:
        upload.review(request, lang)
with loaded_tab:
    snapshots.show_catalogue(catalogue, lang)
    snapshots.delete_form(catalogue, lang)
    snapshots.show_history(lang)
with audit_tab:
    access.audit_section(lang)
