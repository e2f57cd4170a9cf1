"""Display helpers of the overview page: subtitle, headline cards, league drill-down, concentration.

The drill-down works through callbacks: a selection in the league chart or table calls
:func:`on_league_select`, which runs before the next script run draws the sidebar, and so
may set the organisation filters through :func:`ui.sidebar.drill`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import frames
from analytics.concentration import Concentration
from analytics.i18n import format_change, format_count, format_money, t
from analytics.overview import MEASURES, Headline
from analytics.scope import Filters
from ui import export, sidebar, tables
from ui.sidebar import ViewContext

#: Slide-sized PNG from the chart's camera button (16:9).
CHART_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "width": 1920, "height": 1080, "scale": 1},
}


def subtitle(ctx: ViewContext, *, snapshot: bool = True) -> str:
    """The line under every chart title: snapshot (unless the chart spans them all), filters, rules."""
    return frames.subtitle(
        snapshot_date=ctx.snapshot if snapshot else None, filters=ctx.filters, rules=ctx.rules, lang=ctx.lang
    )


def show_chart(
    fig: go.Figure, *, key: str | None = None, on_select: Any = "ignore", table: pd.DataFrame | None = None
) -> None:
    """Show a figure in the app's own template (``theme=None``) with the export controls under it.

    Every chart of every page comes through here, so every chart has the same export menu
    (:func:`ui.export.chart_controls`: PNG, SVG, add to deck). ``table`` is the table behind
    the chart as the page shows it; the deck can add it after the chart.
    """
    kwargs = {"key": key, "on_select": on_select}
    if on_select != "ignore":
        kwargs["selection_mode"] = "points"
    st.plotly_chart(fig, width="stretch", theme=None, config=CHART_CONFIG, **kwargs)
    export.chart_controls(fig, key=key, table=table)


def card_texts(head: Headline, measure: str, lang: str) -> dict[str, Any]:
    """The value, delta (vs previous) and the year-ago line of one headline card.

    Returns
    -------
    dict
        ``value``, ``delta`` (``None`` when there is no previous snapshot or it was 0),
        ``delta_description`` (the previous snapshot's date), ``year_ago`` (a line that
        says n/a when the snapshot twelve months earlier is not loaded) and ``flat``
        (the change rounds to 0.0%).
    """
    now = getattr(head, measure)
    value = format_count(now, lang) if measure == "customers" else format_money(now, lang)
    change = head.change(measure) if head.previous_date else None
    if head.previous_date is None:
        delta, described = None, t("ov_previous_na", lang)
    else:
        delta = format_change(change)
        described = t("vs_previous", lang, date=head.previous_date.isoformat())
        if delta is None:
            described = f"{described}: {t('ov_na', lang)}"
    if head.year_ago_date is None:
        month = head.snapshot_date.replace(year=head.snapshot_date.year - 1, day=1).strftime("%Y-%m")
        year_ago = t("ov_year_ago_na", lang, month=month)
    else:
        yoy = format_change(head.change(measure, "year_ago")) or t("ov_na", lang)
        year_ago = t("ov_year_ago", lang, date=head.year_ago_date.isoformat(), change=yoy)
    # A change that rounds to 0.0% is drawn grey without an arrow, not as a green rise.
    flat = change is not None and round(change * 100, 1) == 0
    return {
        "value": value,
        "delta": delta,
        "delta_description": described,
        "year_ago": year_ago,
        "flat": flat,
    }


def cards(head: Headline, lang: str) -> None:
    """The five headline cards, each with its change vs the previous snapshot and a year ago."""
    na = t("ov_na", lang)
    help_text = t(
        "ov_card_help",
        lang,
        previous=head.previous_date.isoformat() if head.previous_date else na,
        year_ago=head.year_ago_date.isoformat() if head.year_ago_date else na,
    )
    for col, measure in zip(st.columns(len(MEASURES)), MEASURES, strict=True):
        texts = card_texts(head, measure, lang)
        money = "" if measure == "customers" else " " + t("ov_money_help", lang)
        col.metric(
            t(measure, lang),
            texts["value"],
            delta=texts["delta"],
            delta_description=texts["delta_description"],
            help=help_text + money,
            border=True,
            delta_color="off" if texts["flat"] else "normal",
            delta_arrow="off" if texts["flat"] else "auto",
        )
        col.caption(texts["year_ago"])


def drill_target(filters: Filters, name: str | None) -> dict[str, str | None] | None:
    """The :func:`ui.sidebar.drill` arguments that open unit ``name`` one level down.

    ``None`` when there is nothing to open (no name, or the relationship manager already
    shown).
    """
    if not name:
        return None
    level = filters.child_level
    if level == "region":
        return {"region": name, "branch": None, "rm": None}
    if level == "branch":
        return {"region": filters.region, "branch": name, "rm": None}
    if filters.rm_id == name:
        return None
    return {"region": filters.region, "branch": filters.branch, "rm": name}


def selected_name(state: Mapping | None, names: Sequence[str]) -> str | None:
    """The unit a league chart or table selection points at.

    Parameters
    ----------
    state : mapping or None
        The widget's session state: ``{"selection": {"rows": [i]}}`` from the table
        (positions in ``names``, whatever the user's sort) or ``{"selection": {"points":
        [{"customdata": [name, ...], "y": name}]}}`` from the chart.
    names : sequence of str
        The table's unit names in their original order.
    """
    selection = (state or {}).get("selection") or {}
    rows = selection.get("rows") or []
    if rows:
        i = rows[0]
        return names[i] if 0 <= i < len(names) else None
    points = selection.get("points") or []
    if points:
        point = points[0]
        data = point.get("customdata")
        return str(data[0]) if data else point.get("y")
    return None


def on_league_select(key: str, names: Sequence[str], filters: Filters) -> None:
    """Selection callback of the league chart and table: drill into the selected unit."""
    target = drill_target(filters, selected_name(st.session_state.get(key), names))
    if target is not None:
        sidebar.drill(**target)


def league(fig: go.Figure, df: pd.DataFrame, ctx: ViewContext, *, previous_date: dt.date | None) -> None:
    """The league chart and the sortable league table, both drilling down on selection."""
    f = ctx.filters
    # One key per view: a stale selection of another level can never fire a drill.
    view = "|".join(str(v) for v in (f.segment, f.region, f.branch, f.rm_id, ctx.snapshot, ctx.lang))
    names = list(df["name"])
    if f.level != "rm":
        st.caption(t("ov_league_hint", ctx.lang))
    chart_key, table_key = f"ov_league_chart|{view}", f"ov_league_table|{view}"
    show_chart(fig, key=chart_key, on_select=functools.partial(on_league_select, chart_key, names, f))
    tables.show_league_table(
        df,
        level=f.child_level,
        lang=ctx.lang,
        previous_date=previous_date,
        retail_mix=f.segment in ("all", "retail"),
        key=table_key,
        on_select=functools.partial(on_league_select, table_key, names, f),
    )


def concentration_figures(conc: Concentration, lang: str) -> None:
    """Gini coefficient, top share and loss-making customers, with how losses are treated."""
    (gini, gini_value, _), (top, top_value, _), (loss, loss_value, loss_delta) = frames.concentration_figures(
        conc, lang
    )
    st.metric(gini, gini_value)
    st.metric(top, top_value)
    st.metric(loss, loss_value, delta=loss_delta, delta_color="off", delta_arrow="off")
    if conc.gini is None and conc.customers:
        st.warning(t("ov_concentration_na", lang))
    st.caption(t("ov_concentration_note", lang))
