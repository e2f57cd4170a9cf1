"""The shared sidebar: language, snapshot, segment and the organisation filters.

The state that defines a view lives in the URL, so a copied link opens the same view
and the back button steps back through views. Widgets whose options are their own
labels (language names, snapshot dates, region/branch/RM names) are bound to query
parameters by Streamlit (``bind="query-params"``); a value equal to the default (English,
the latest snapshot, no filter) is left out of the URL. The segment, whose label
changes with the language, is mirrored by hand as its id (``?segment=retail``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis.expr.types as ir
import pandas as pd
import streamlit as st

from analytics.i18n import LANGUAGES, segment_label, t
from analytics.rules import TierRules
from analytics.scope import SEGMENT_CHOICES, Filters
from ui import data

ORG_KEYS = ("region", "branch", "rm")
# The "all" choice of an organisation filter. A real option value, not None: Streamlit
# shows a select box whose state is None as "Choose an option".
ALL = ""


@dataclass(frozen=True)
class ViewContext:
    """What every page needs to know about the current view."""

    lang: str
    db: str
    data_version: str
    snapshot: dt.date | None
    snapshots: tuple[dt.date, ...]
    rules: TierRules
    filters: Filters

    def customers(self) -> ir.Table:
        """The customers table narrowed to this view's filters (nothing runs yet)."""
        return data.customers(self.filters)


def drill(region: str | None = None, branch: str | None = None, rm: str | None = None) -> None:
    """Move the view to an organisation level (a callback: call it from on_click/on_select).

    ``drill()`` goes back to head office; ``drill(region=R)`` to a region, and so on.
    """
    st.session_state["region"] = region or ALL
    st.session_state["branch"] = branch or ALL
    st.session_state["rm"] = rm or ALL


def _segment_changed(widget_key: str) -> None:
    value = st.session_state.get(widget_key) or "all"
    st.session_state["segment_value"] = value
    if value == "all":
        st.query_params.pop("segment", None)
    else:
        st.query_params["segment"] = value
    drill()  # the organisation choices differ per segment: start again from head office


def _segment(lang: str) -> str:
    """The segment control; its value survives a language switch and lives in the URL."""
    if "segment_value" not in st.session_state:
        wanted = st.query_params.get("segment", "all")
        st.session_state["segment_value"] = wanted if wanted in SEGMENT_CHOICES else "all"
    # One widget per language (its labels differ), seeded with the remembered value.
    widget_key = f"segment_{lang}"
    chosen = st.sidebar.segmented_control(
        t("segment", lang),
        list(SEGMENT_CHOICES),
        format_func=lambda s: segment_label(s, lang),
        default=st.session_state["segment_value"],
        key=widget_key,
        on_change=_segment_changed,
        args=(widget_key,),
        selection_mode="single",
        required=True,
    )
    return chosen or st.session_state["segment_value"]


def _keep_known(key: str, options: list) -> None:
    # A remembered choice that is not offered any more (other snapshot or segment) is dropped
    # before the widget is drawn, which is the one moment Streamlit allows it.
    # A key not in the session yet is left alone: the widget then takes its value from the URL.
    if key in st.session_state and st.session_state[key] not in options:
        st.session_state[key] = ALL


def _on_region() -> None:
    st.session_state["branch"] = ALL
    st.session_state["rm"] = ALL


def _on_branch(org: pd.DataFrame) -> None:
    branch = st.session_state.get("branch")
    st.session_state["rm"] = ALL
    if branch:  # choosing a branch also places the view in its region
        st.session_state["region"] = org.loc[org["branch"] == branch, "region"].iloc[0]


def _org_filters(lang: str, org: pd.DataFrame) -> tuple[str | None, str | None, str | None]:
    sb = st.sidebar
    regions = [ALL, *sorted(org["region"].unique())]
    _keep_known("region", regions)
    region = sb.selectbox(
        t("region", lang),
        regions,
        format_func=lambda v: v or t("all_regions", lang),
        key="region",
        bind="query-params",
        on_change=_on_region,
    )
    in_region = org[org["region"] == region] if region else org
    branches = [ALL, *sorted(in_region["branch"].unique())]
    _keep_known("branch", branches)
    branch = sb.selectbox(
        t("branch", lang),
        branches,
        format_func=lambda v: v or t("all_branches", lang),
        key="branch",
        bind="query-params",
        on_change=_on_branch,
        args=(org,),
    )
    in_branch = in_region[in_region["branch"] == branch] if branch else in_region
    rms = [ALL, *sorted(in_branch["rm_id"].unique())]
    _keep_known("rm", rms)
    rm = sb.selectbox(
        t("rm", lang),
        rms,
        format_func=lambda v: v or t("all_rms", lang),
        key="rm",
        bind="query-params",
        disabled=not branch and len(rms) > 200,
    )
    return region or None, branch or None, rm or None


def render() -> ViewContext:
    """Draw the sidebar and return the view it defines."""
    store = data.store()
    db = str(store.path)
    version = store.data_version()
    sb = st.sidebar

    # The URL holds the language's own name (?lang=简体中文): Streamlit binds the displayed
    # option, so the options are the names and the code is looked up.
    by_name = {name: code for code, name in LANGUAGES.items()}
    lang = by_name[
        sb.radio("Language / 语言", list(by_name), horizontal=True, key="lang", bind="query-params")
    ]

    snaps = data.snapshots(db, version)
    dates = tuple(snaps["snapshot_date"])
    snapshot = None
    filters = Filters()
    if dates:
        options = [d.isoformat() for d in reversed(dates)]
        chosen = sb.selectbox(t("snapshot", lang), options, key="snapshot", bind="query-params")
        snapshot = dt.date.fromisoformat(chosen)

        segment = _segment(lang)
        org = data.organisation_choices(db, version, snapshot, segment)
        region, branch, rm = _org_filters(lang, org)
        filters = Filters(segment=segment, region=region, branch=branch, rm_id=rm)

    rules = data.rules()
    sb.caption(f"{t('rules', lang)}: {rules.name} (v{rules.version})")
    return ViewContext(
        lang=lang,
        db=db,
        data_version=version,
        snapshot=snapshot,
        snapshots=dates,
        rules=rules,
        filters=filters,
    )


def breadcrumb(ctx: ViewContext) -> None:
    """Head office › region › branch › RM, each a button back to that level."""
    f = ctx.filters
    steps = [(t("head_office", ctx.lang), {})]
    if f.region:
        steps.append((f.region, {"region": f.region}))
    if f.branch:
        steps.append((f.branch, {"region": f.region, "branch": f.branch}))
    if f.rm_id:
        steps.append((f.rm_id, {"region": f.region, "branch": f.branch, "rm": f.rm_id}))
    if len(steps) == 1:
        return
    cols = st.columns([1] * len(steps) + [max(1, 8 - len(steps))], gap="small", vertical_alignment="center")
    for i, (label, target) in enumerate(steps):
        last = i == len(steps) - 1
        cols[i].button(
            label if i == 0 else f"› {label}",
            icon=":material/account_balance:" if i == 0 else None,
            key=f"crumb_{i}",
            on_click=drill,
            kwargs=target,
            disabled=last,
            type="tertiary",
        )
