"""Cached access to the store and to small analytics results for the pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics import tiers
from analytics.rules import TierRules, load_rules
from analytics.store import Store, open_store, resolve_db_path


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return open_store(path)


def store() -> Store:
    """This process's store for the configured database (``TIERSCOPE_DB``)."""
    return _store(str(resolve_db_path()))


@st.cache_resource(show_spinner=False)
def _rules(path: str, mtime: float) -> TierRules:
    return load_rules(path)


def rules(path: str | None = None) -> TierRules:
    """The current tier rules, re-read when the file changes."""
    from analytics.rules import DEFAULT_RULES_PATH

    p = Path(path) if path else DEFAULT_RULES_PATH
    return _rules(str(p), p.stat().st_mtime if p.exists() else 0.0)


@st.cache_data(show_spinner=False, max_entries=64)
def snapshots(db: str, data_version: str) -> pd.DataFrame:
    """Loaded snapshots (small: one row per month)."""
    return store().snapshots()


@st.cache_data(show_spinner=False, max_entries=256)
def tier_summary(
    db: str, data_version: str, rules_key: str, snapshot: dt.date, _rules: TierRules
) -> pd.DataFrame:
    """Tier summary of one snapshot, cached on database, data version, rules and snapshot."""
    return tiers.tier_summary(store().table("customers"), rules=_rules, snapshot_date=snapshot)


@st.cache_data(show_spinner=False, max_entries=256)
def headline(db: str, data_version: str, snapshot: dt.date) -> tiers.Headline:
    """Headline figures of one snapshot and the one before it."""
    return tiers.headline(store().table("customers"), snapshot_date=snapshot)
