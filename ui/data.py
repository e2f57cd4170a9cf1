"""Cached access to the store and to small analytics results for the pages.

Pages get results through :func:`result`, which runs an analytics function on the
view's customers table (within the user's scope, then filtered) and caches the (small)
answer keyed on the database, its data version, the user's access, the filters, the rules
and the function's own parameters. Nothing customer-level is ever cached here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import os
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.rules import DEFAULT_RULES_PATH, TierRules, load_rules
from analytics.scope import (
    Access,
    Filters,
    Scope,
    apply_event_filters,
    apply_event_scope,
    apply_filters,
    apply_scope,
    mask_identity,
    organisation,
)
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
def _rules(path: str, mtime: int) -> TierRules:
    return load_rules(path)


def rules_path() -> Path:
    """The rules file in force: ``TIERSCOPE_RULES`` when set, else ``data/tier_rules.toml``."""
    env = os.environ.get("TIERSCOPE_RULES")
    return Path(env).expanduser().resolve() if env else DEFAULT_RULES_PATH


def rules(path: str | None = None) -> TierRules:
    """The current tier rules, re-read when the file changes (an adoption writes a new version)."""
    p = Path(path) if path else rules_path()
    return _rules(str(p), p.stat().st_mtime_ns if p.exists() else 0)


@st.cache_data(show_spinner=False, max_entries=64)
def snapshots(db: str, data_version: str) -> pd.DataFrame:
    """Loaded snapshots (small: one row per month)."""
    return store().snapshots()


@st.cache_data(show_spinner=False, max_entries=64)
def organisation_choices(db: str, data_version: str, snapshot, segment: str, scope: str) -> pd.DataFrame:
    """(region, branch, rm_id) choices of a snapshot within a scope, for the cascading filters."""
    t = apply_scope(store().table("customers"), Scope.parse(scope))
    return organisation(apply_filters(t, Filters(segment=segment)), snapshot_date=snapshot)


def customers(filters: Filters, access: Access):
    """The customers table within the user's scope, narrowed to the filters (an Ibis expression)."""
    return scoped("customers", filters, access)


def scoped(table: str, filters: Filters, access: Access):
    """A table within the user's scope, then narrowed to the filters (an Ibis expression).

    The scope comes first and the filters can only narrow it; a user without a scope gets
    no rows (:func:`analytics.scope.apply_scope`). A name from :func:`materialized` is
    returned as it is: it was scoped and filtered when it was made (its name carries both).
    """
    if table.startswith(_MATERIALIZED):
        return store().materialize(table, None)
    base = store().table(table)
    if table in EVENT_TABLES:
        everyone = store().table("customers")
        within = apply_event_scope(base, access.scope, customers=everyone)
        return apply_event_filters(within, filters, customers=apply_scope(everyone, access.scope))
    return apply_filters(apply_scope(base, access.scope), filters)


#: Tables of events (no segment or relationship manager of their own): scoped through
#: :func:`analytics.scope.apply_event_filters` when they are the source; passed whole when
#: they are an extra table, since the function joins them to its scoped source by customer.
EVENT_TABLES = ("surveys", "complaints")


def _extra(table: str, filters: Filters, access: Access):
    # An event table is passed within the scope but not filtered: the function joins it to
    # its (filtered) source by customer.
    if table in EVENT_TABLES:
        return apply_event_scope(store().table(table), access.scope, customers=store().table("customers"))
    return scoped(table, filters, access)


def _masked(value: Any, access: Access) -> Any:
    # Names and ids hidden in a small result (and in every dataframe field of a result object)
    # before it is cached or shown, for a user who may not see them.
    if not access.mask:
        return value
    if isinstance(value, pd.DataFrame):
        return mask_identity(value, salt=access.salt)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: mask_identity(getattr(value, field.name), salt=access.salt)
            for field in dataclasses.fields(value)
            if isinstance(getattr(value, field.name), pd.DataFrame)
        }
        return dataclasses.replace(value, **changes) if changes else value
    return value


def private(value: Any, ctx: ViewContext) -> Any:
    """A result fetched outside :func:`result` (e.g. a list on request), masked as :func:`result` masks."""
    return _masked(value, ctx.access)


_MATERIALIZED = "m_"


def materialized(
    fn: Callable, ctx: ViewContext, *, source: str = "customers", tables: tuple[str, ...] = (), **params: Any
) -> str:
    """Run ``fn`` (which returns customer-level rows as an Ibis expression) and keep the rows in
    the engine, for several small queries to reuse; returns a name to pass as ``source=`` to
    :func:`result`.

    The rows are never cached on the Python side: they live in the store's in-memory scratch
    database, named after the same key :func:`result` uses (database, data version, filters,
    rules, parameters), so a changed input makes a new table and never reuses a stale one.
    """
    takes_rules = "rules" in inspect.signature(fn).parameters and "rules" not in params
    f, access = ctx.filters, ctx.access
    key = (
        f"{fn.__module__}.{fn.__qualname__}",
        ctx.db,
        ctx.data_version,
        (f.segment, f.region, f.branch, f.rm_id),
        access.key,
        source,
        tuple(tables),
        ctx.rules.fingerprint if takes_rules else None,
        tuple(sorted(params.items())),
    )
    name = _MATERIALIZED + hashlib.sha256(repr(key).encode()).hexdigest()[:24]
    kwargs = dict(params) | ({"rules": ctx.rules} if takes_rules else {})
    kwargs |= {table: _extra(table, f, access) for table in tables}
    store().materialize(name, lambda: fn(scoped(source, f, access), **kwargs))
    return name


@st.cache_data(show_spinner=False, max_entries=512)
def _result(
    name: str,
    db: str,
    data_version: str,
    filters: tuple,
    access_key: tuple,
    source: str,
    tables: tuple[str, ...],
    rules_key: str | None,
    params: tuple,
    _fn: Callable,
    _rules: TierRules | None,
    _access: Access,
) -> Any:
    kwargs = dict(params)
    if _rules is not None:
        kwargs["rules"] = _rules
    f = Filters(*filters)
    for table in tables:
        kwargs[table] = _extra(table, f, _access)
    return _masked(_fn(scoped(source, f, _access), **kwargs), _access)


def result(
    fn: Callable, ctx: ViewContext, *, source: str = "customers", tables: tuple[str, ...] = (), **params: Any
) -> Any:
    """Run ``fn(filtered source table, **params)`` and cache its small result.

    Parameters
    ----------
    fn : callable
        An analytics function: a scoped table first, keyword-only parameters after.
    ctx : ViewContext
        The view: database, data version, the user's access (user, scope, masking), filters
        and rules are part of the cache key, so no cached result crosses users.
    source : str
        The table ``fn`` receives, within the user's scope and narrowed to the view's filters
        (``customers`` or ``prospects``). Customer names and ids in the result are masked when
        the user may not see them.
    tables : tuple of str
        Further tables passed as keywords of the same name: ``customers`` and ``prospects``
        narrowed to the view's filters (e.g. the customer counts behind a complaint rate),
        event tables whole (e.g. ``surveys``, which ``fn`` joins to its scoped source by
        customer, so the scope still holds).
    **params
        ``fn``'s own parameters; they must be hashable (dates, strings, numbers, tuples).
        ``rules`` is passed when ``fn`` takes it and it is not given (the view's rules).
    """
    takes_rules = "rules" in inspect.signature(fn).parameters and "rules" not in params
    f = ctx.filters
    key = (
        f"{fn.__module__}.{fn.__qualname__}",
        ctx.db,
        ctx.data_version,
        (f.segment, f.region, f.branch, f.rm_id),
        ctx.access.key,
        source,
        tuple(tables),
        ctx.rules.fingerprint if takes_rules else None,
        tuple(sorted(params.items())),
    )
    value = _result(*key, fn, ctx.rules if takes_rules else None, ctx.access)
    _remember(value, repr(key))
    return value


# The cache key of each frame handed out by result() in this process, so that figure()
# can key a chart on it instead of hashing the frame's contents again (tens of ms a page).
# Weak: an entry lives as long as the frame does. Results are read-only for pages.
_TOKENS: dict[int, str] = {}


def remember(value: Any, key: str) -> None:
    """Mark a small result derived from :func:`result` (reshaped on the UI side and cached
    there under ``key``) so that :func:`figure` keys its chart on ``key`` too."""
    _remember(value, key)


def _remember(value: Any, key: str) -> None:
    frames = [("", value)] if isinstance(value, pd.DataFrame) else []
    if dataclasses.is_dataclass(value):
        frames += [
            (f".{field.name}", getattr(value, field.name))
            for field in dataclasses.fields(value)
            if isinstance(getattr(value, field.name), pd.DataFrame)
        ]
    for suffix, frame in frames:
        _TOKENS[id(frame)] = hashlib.sha256((key + suffix).encode()).hexdigest()
        weakref.finalize(frame, _TOKENS.pop, id(frame), None)


@st.cache_data(show_spinner=False, max_entries=512)
def _figure(name: str, frame: pd.DataFrame, options: tuple, _builder: Callable) -> dict:
    return _builder(frame, **dict(options)).to_plotly_json()


@st.cache_data(show_spinner=False, max_entries=512)
def _figure_of_result(
    name: str, token: str, options: tuple, _builder: Callable, _frame: pd.DataFrame
) -> dict:
    return _builder(_frame, **dict(options)).to_plotly_json()


def figure(builder: Callable, frame: pd.DataFrame, **options: Any) -> go.Figure:
    """``builder(frame, **options)``, cached on the (small) frame and the options.

    Building a Plotly figure validates every property and costs tens of milliseconds per
    chart; the cache keeps the figure's plain dict (fast to unpickle) and rebuilds the
    Figure without validating again, which keeps page reruns fast.
    """
    name = f"{builder.__module__}.{builder.__qualname__}"
    opts = tuple(sorted(options.items()))
    token = _TOKENS.get(id(frame))
    if token is not None:  # a frame straight from result(): its cache key stands for its contents
        spec = _figure_of_result(name, token, opts, builder, frame)
    else:
        spec = _figure(name, frame, opts, builder)
    return go.Figure(spec, _validate=False)
