"""Cached access to the store and to small analytics results for the pages.

Pages get results through :func:`result`, which runs an analytics function on the
view's filtered customers table and caches the (small) answer keyed on the database,
its data version, the filters, the rules and the function's own parameters. Nothing
customer-level is ever cached here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.rules import DEFAULT_RULES_PATH, TierRules, load_rules
from analytics.scope import Filters, apply_filters, organisation
from analytics.store import Store, open_store, resolve_db_path

if TYPE_CHECKING:
    from ui.sidebar import ViewContext


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
    p = Path(path) if path else DEFAULT_RULES_PATH
    return _rules(str(p), p.stat().st_mtime if p.exists() else 0.0)


@st.cache_data(show_spinner=False, max_entries=64)
def snapshots(db: str, data_version: str) -> pd.DataFrame:
    """Loaded snapshots (small: one row per month)."""
    return store().snapshots()


@st.cache_data(show_spinner=False, max_entries=64)
def organisation_choices(db: str, data_version: str, snapshot, segment: str) -> pd.DataFrame:
    """(region, branch, rm_id) choices of a snapshot, for the cascading filters."""
    t = apply_filters(store().table("customers"), Filters(segment=segment))
    return organisation(t, snapshot_date=snapshot)


def customers(filters: Filters):
    """The customers table narrowed to the filters (an Ibis expression; nothing runs)."""
    return apply_filters(store().table("customers"), filters)


@st.cache_data(show_spinner=False, max_entries=512)
def _result(
    name: str,
    db: str,
    data_version: str,
    filters: tuple,
    rules_key: str | None,
    params: tuple,
    _fn: Callable,
    _rules: TierRules | None,
) -> Any:
    kwargs = dict(params)
    if _rules is not None:
        kwargs["rules"] = _rules
    return _fn(customers(Filters(*filters)), **kwargs)


def result(fn: Callable, ctx: ViewContext, **params: Any) -> Any:
    """Run ``fn(filtered customers, **params)`` and cache its small result.

    ``rules`` is passed when ``fn`` takes it (the view's rules). Parameters must be
    hashable (dates, strings, numbers, tuples).
    """
    takes_rules = "rules" in inspect.signature(fn).parameters and "rules" not in params
    f = ctx.filters
    return _result(
        f"{fn.__module__}.{fn.__qualname__}",
        ctx.db,
        ctx.data_version,
        (f.segment, f.region, f.branch, f.rm_id),
        ctx.rules.fingerprint if takes_rules else None,
        tuple(sorted(params.items())),
        fn,
        ctx.rules if takes_rules else None,
    )


@st.cache_data(show_spinner=False, max_entries=512)
def _figure(name: str, frame: pd.DataFrame, options: tuple, _builder: Callable) -> dict:
    return _builder(frame, **dict(options)).to_plotly_json()


def figure(builder: Callable, frame: pd.DataFrame, **options: Any) -> go.Figure:
    """``builder(frame, **options)``, cached on the (small) frame and the options.

    Building a Plotly figure validates every property and costs tens of milliseconds per
    chart; the cache keeps the figure's plain dict (fast to unpickle) and rebuilds the
    Figure without validating again, which keeps page reruns fast.
    """
    spec = _figure(
        f"{builder.__module__}.{builder.__qualname__}", frame, tuple(sorted(options.items())), builder
    )
    return go.Figure(spec, _validate=False)
