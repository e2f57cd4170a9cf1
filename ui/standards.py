"""Display helpers of the service-standards page: headline, tier table, unit league and the list
of customers not served to standard (with a CSV safe to open in a spreadsheet).

The page's own state is kept in the URL through :mod:`ui.urlstate`, so a copied link opens the
same view: ``rank`` (what the unit league ranks by: the combined score or one measure id),
``missing`` (the standard the customer list is narrowed to; none = any customer-level
standard) and ``list_tier`` (the tier the list is narrowed to). Defaults are left out.
"""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import frames
from analytics.charts import STANDARD_SCORE, standard_measure_label
from analytics.frames import not_served_frame
from analytics.i18n import format_count, format_money, level_name, t, tier_label
from analytics.rules import RETAIL_TIERS
from analytics.standards import STANDARDS, Compliance, NotServed, UnitCompliance
from ui import access, export, urlstate
from ui.migration import derived, safe_csv, view_key
from ui.overview import on_league_select, show_chart
from ui.overview import subtitle as view_subtitle
from ui.sidebar import ViewContext
from ui.tables import MONEY_FORMAT

#: Rows of the not-served list listed (and downloaded) at most, the largest AUM first.
LIST_LIMIT = 5000
#: The "any customer-level standard" choice of the list's filter (left out of the URL).
ANY = ""
#: The "every tier" choice of the list's tier filter (left out of the URL).
ALL_TIERS = ""


def page_url(rank: str, missing: str, tier: str) -> dict[str, str | None]:
    """The page's URL parameters; defaults (score, any standard, every tier) left out."""
    return {
        "rank": None if rank == STANDARD_SCORE else rank,
        "missing": missing or None,
        "list_tier": tier or None,
    }


def _choice(key: str, options: list[str], default: str) -> None:
    """Before drawing the widget ``key``: its value from the URL or the session, else ``default``
    (a mistyped link, an option this view does not offer, another page's widget of that name)."""
    urlstate.adopt(key, default)
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


# -- headline ---------------------------------------------------------------------------------
def headline(comp: Compliance, lang: str) -> None:
    """Customers under a standard, served and not served, targets met, combined score."""
    served = comp.in_scope - comp.not_served
    cols = st.columns(5)
    cols[0].metric(
        t("std_metric_in_scope", lang),
        format_count(comp.in_scope, lang),
        help=t("std_metric_in_scope_help", lang, retail=format_count(comp.retail_customers, lang)),
        border=True,
    )
    cols[1].metric(
        t("std_metric_served", lang),
        frames.pct_text(served / comp.in_scope if comp.in_scope else float("nan")),
        help=t("std_metric_served_help", lang),
        border=True,
    )
    cols[1].caption(t("std_metric_served_caption", lang, n=format_count(served, lang)))
    cols[2].metric(
        t("std_metric_not_served", lang),
        frames.pct_text(comp.not_served / comp.in_scope if comp.in_scope else float("nan")),
        border=True,
    )
    cols[2].caption(
        t(
            "std_metric_not_served_caption",
            lang,
            n=format_count(comp.not_served, lang),
            aum=format_money(comp.not_served_aum, lang),
        )
    )
    cols[3].metric(
        t("std_metric_targets", lang),
        t("std_metric_targets_value", lang, met=comp.measures_met, n=comp.measures_applicable),
        help=t("std_metric_targets_help", lang),
        border=True,
    )
    cols[4].metric(
        t("std_metric_score", lang), frames.pct_text(comp.score), help=t("std_score_help", lang), border=True
    )


# -- per tier ---------------------------------------------------------------------------------
def tier_table(df: pd.DataFrame, lang: str) -> None:
    """The rows of the compliance chart with their counts."""
    shown = frames.standards_tier_frame(df, lang)
    pct = st.column_config.NumberColumn(format="%.1f%%")
    config = {
        t("std_col_target", lang): st.column_config.NumberColumn(format="%.0f%%"),
        t("std_col_share", lang): pct,
        t("std_col_in_scope", lang): st.column_config.NumberColumn(format="%,d"),
        t("std_col_met", lang): st.column_config.NumberColumn(format="%,d"),
        t("std_col_shortfall", lang): st.column_config.NumberColumn(format="%,d"),
    }
    export.show_table(
        shown, title=t("std_tier_section", lang), key="std_tier_table", column_config=config, placeholder="–"
    )


# -- per unit ---------------------------------------------------------------------------------
def measure_label(measure: str, lang: str) -> str:
    """A league choice by name: the combined score, or a measure (a coverage target with its group)."""
    return standard_measure_label(measure, lang=lang)


def rank_choice(comp: Compliance, lang: str) -> str:
    """What the league ranks by (URL ``rank``): the combined score or a measure that applies here."""
    applicable = comp.by_measure[comp.by_measure["customers"] > 0]["measure"].tolist()
    options = [STANDARD_SCORE, *applicable]
    _choice("rank", options, STANDARD_SCORE)
    left, _ = st.columns([1, 2])
    chosen = left.selectbox(
        t("std_league_measure", lang),
        options,
        format_func=lambda m: measure_label(m, lang),
        key="rank",
    )
    return chosen or STANDARD_SCORE


def target_of(comp: Compliance, measure: str) -> float:
    """The share a league measure must reach (1.0 for the score and customer-level standards)."""
    row = comp.by_measure[comp.by_measure["measure"] == measure]
    return float(row["target"].iloc[0]) if len(row) else 1.0


def league(ctx: ViewContext, units: UnitCompliance, fig: go.Figure) -> None:
    """The league chart and the sortable league table, both drilling down on selection."""
    f = ctx.filters
    lang = ctx.lang
    view = "|".join(str(v) for v in (f.segment, f.region, f.branch, f.rm_id, ctx.snapshot, lang))
    names = [str(n) for n in units.league["name"]]
    if f.level != "rm" and names:
        st.caption(t("std_league_hint", lang))
    chart_key, table_key = f"std_league_chart|{view}", f"std_league_table|{view}"
    show_chart(fig, key=chart_key, on_select=functools.partial(on_league_select, chart_key, names, f))
    if units.league.empty:
        return
    shown = frames.standards_league_frame(units, lang)
    pct = st.column_config.NumberColumn(format="%.1f%%")
    config = {c: pct for c in shown.columns[6:]}
    config[t("std_score", lang)] = st.column_config.NumberColumn(
        format="%.1f%%", help=t("std_score_help", lang)
    )
    for c in shown.columns[1:4]:
        config[c] = st.column_config.NumberColumn(format="%,d")
    export.show_table(
        shown,
        title=t("std_league_section", lang, level=level_name(f.child_level, lang)),
        key=table_key,
        column_config=config,
        on_select=functools.partial(on_league_select, table_key, names, f),
        selection_mode="single-row",
        height=min(36 * (len(shown) + 1) + 3, 36 * 16),
        placeholder="–",
    )


# -- customers not served -----------------------------------------------------------------------
def list_filters(comp: Compliance, lang: str) -> tuple[str, str]:
    """The standard (URL ``missing``) and the tier (URL ``list_tier``) the list is narrowed to.

    Only standards and tiers that apply in this view are offered.
    """
    applicable = comp.by_measure[comp.by_measure["customers"] > 0]
    standards = [s for s in STANDARDS if s in set(applicable["standard"])]
    missing_options = [ANY, *standards]
    covered = {x for tiers in applicable["tiers"] for x in tiers.split(",")}
    tier_options = [ALL_TIERS, *(x for x in RETAIL_TIERS if x in covered)]
    _choice("missing", missing_options, ANY)
    _choice("list_tier", tier_options, ALL_TIERS)
    left, right, _ = st.columns([1, 1, 1])
    missing = left.selectbox(
        t("std_list_missing", lang),
        missing_options,
        format_func=lambda s: t("std_list_any", lang) if s == ANY else t(f"std_name_{s}", lang),
        key="missing",
        help=t("std_list_any_help", lang),
    )
    tier = right.selectbox(
        t("std_list_tier", lang),
        tier_options,
        format_func=lambda x: t("std_list_all_tiers", lang) if x == ALL_TIERS else tier_label(x, lang),
        key="list_tier",
    )
    return missing or ANY, tier or ALL_TIERS


def _not_served_csv(df: pd.DataFrame, lang: str) -> bytes:
    return safe_csv(not_served_frame(df, lang))


def not_served_table(ctx: ViewContext, found: NotServed, lang: str, missing: str, tier: str) -> None:
    """The customers not served to standard, largest AUM first, and their CSV."""
    df = found.customers
    if df.empty:
        st.caption(t("std_list_none", lang))
        return
    st.caption(frames.not_served_note(found, lang))
    shown = not_served_frame(df, lang, money="scaled", region=False)
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        # The money column: AUM, after who the customer is and their manager
        column_config={shown.columns[5]: st.column_config.NumberColumn(format=MONEY_FORMAT)},
        height=min(36 * (len(shown) + 1) + 3, 36 * 16),
        placeholder="–",
    )
    snapshot: dt.date = ctx.snapshot
    name = "_".join(["not_served", *(p for p in (missing, tier) if p), snapshot.isoformat()])
    st.download_button(
        t("std_download", lang),
        data=access.audited(
            functools.partial(_not_served_csv, df, lang), "export", f"csv · {name} · {len(df)} customers"
        ),
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="std_not_served_csv",
        on_click="ignore",
    )
    export.xlsx_button(
        derived(not_served_frame, view_key(ctx, "not_served_frame", snapshot, missing, tier, lang), df, lang),
        title=t("std_list_section", lang),
        subtitle=view_subtitle(ctx),
        file_stem=name,
        key="std_not_served",
    )
