"""The shared sidebar: language and snapshot, bound to the URL.

Widgets are bound to query parameters (``bind="query-params"``), so a copied link
opens the same view and the back button steps through views. A value equal to the
default (English, the latest snapshot) is left out of the URL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from analytics.i18n import LANGUAGES, t
from analytics.rules import TierRules
from ui import data


@dataclass(frozen=True)
class ViewContext:
    """What every page needs to know about the current view."""

    lang: str
    db: str
    data_version: str
    snapshot: dt.date | None
    rules: TierRules


def render() -> ViewContext:
    """Draw the sidebar and return the view it defines."""
    store = data.store()
    db = str(store.path)
    version = store.data_version()

    # The URL holds the language's own name (?lang=简体中文): Streamlit binds the
    # displayed option, so the options are the names and the code is looked up.
    by_name = {name: code for code, name in LANGUAGES.items()}
    lang = by_name[
        st.sidebar.radio("Language / 语言", list(by_name), horizontal=True, key="lang", bind="query-params")
    ]

    snaps = data.snapshots(db, version)
    snapshot = None
    if not snaps.empty:
        options = [d.isoformat() for d in reversed(list(snaps["snapshot_date"]))]
        chosen = st.sidebar.selectbox(t("snapshot", lang), options, key="snapshot", bind="query-params")
        snapshot = dt.date.fromisoformat(chosen)

    rules = data.rules()
    st.sidebar.caption(f"{t('rules', lang)}: {rules.name} (v{rules.version})")
    return ViewContext(lang=lang, db=db, data_version=version, snapshot=snapshot, rules=rules)
