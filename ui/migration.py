"""Display helpers of the migration page: the snapshot pair, rates, matrix table, unit league,
high-tier losses (with a CSV safe to open in a spreadsheet) and the window controls.

The page's own state is kept in the URL through :mod:`ui.urlstate`, so a copied link opens the
same comparison: ``from`` and ``to`` (the two snapshots), ``show`` (what the matrix cells show),
``window`` (months of the average matrix) and ``horizon`` (months of the backtest). Defaults
are left out: ``to`` is the sidebar's snapshot, ``from`` the snapshot before ``to``.

A snapshot box follows its default (the sidebar's snapshot; the one before "to") until the user
chooses another, as the cut points of the segmentation page do.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from analytics import frames
from analytics.charts import MIGRATION_SHOW
from analytics.export import FORMULA_STARTS, neutralise, safe_csv  # noqa: F401 - re-exported
from analytics.frames import losses_frame
from analytics.i18n import format_count, format_money, level_name, t
from analytics.migration import (  # noqa: F401 - backtest_origin, window_dates: re-exported
    MOVE_KINDS,
    backtest_origin,
    default_pair,
    previous_snapshot,
    window_dates,
)
from analytics.overview import comparison_dates
from ui import access, data, export, urlstate
from ui.overview import on_league_select, show_chart
from ui.sidebar import ViewContext
from ui.tables import MONEY_FORMAT

#: Default and limits of the window of the average matrix (months) and of the backtest horizon.
WINDOW_DEFAULT, WINDOW_MAX = 12, 60
HORIZON_DEFAULT, HORIZON_MAX = 3, 12
#: Months the Markov projection runs ahead.
PROJECTION_MONTHS = 12
#: Rows of the high-tier losses listed (and downloaded) at most, the largest first.
LOSSES_LIMIT = 5000


# -- subtitle and URL ---------------------------------------------------------------------------
def subtitle(ctx: ViewContext, from_date: dt.date, to_date: dt.date, *, pairs: int | None = None) -> str:
    """The line under every chart: both snapshots (or the window's months), the filters and the rules.

    ``Snapshots 2026-08-31 → 2026-09-30 · Head office · Rules: default v1``; with ``pairs``,
    ``12 monthly steps 2025-09-30 → 2026-09-30 · ...``.
    """
    return frames.migration_subtitle(
        from_date, to_date, filters=ctx.filters, rules=ctx.rules, lang=ctx.lang, pairs=pairs
    )


def page_url(
    ctx: ViewContext,
    pair: tuple[dt.date, dt.date] | None,
    *,
    show: str | None = None,
    window: int | None = None,
    horizon: int | None = None,
) -> dict[str, str | None]:
    """The page's URL parameters; defaults (see :func:`default_pair`) left out."""
    url: dict[str, str | None] = {"from": None, "to": None}
    if pair is not None:
        default_to = default_to_date(ctx)
        from_date, to_date = pair
        url["to"] = None if to_date == default_to else to_date.isoformat()
        url["from"] = (
            None if from_date == previous_snapshot(ctx.snapshots, to_date) else from_date.isoformat()
        )
    url["show"] = None if show in (None, MIGRATION_SHOW[0]) else show
    url["window"] = None if window in (None, WINDOW_DEFAULT) else str(window)
    url["horizon"] = None if horizon in (None, HORIZON_DEFAULT) else str(horizon)
    return url


# -- small derived results, cached ---------------------------------------------------------------
def view_key(ctx: ViewContext, *parts) -> str:
    """What a result derived from :func:`ui.data.result` answers depends on: the database, its data
    version, the filters, the rules, and ``parts`` (the snapshots, the options)."""
    f = ctx.filters
    view = (f.segment, f.region, f.branch, f.rm_id)
    return repr((ctx.db, ctx.data_version, view, ctx.access.key, ctx.rules.fingerprint, parts))


@st.cache_data(show_spinner=False, max_entries=256)
def _derived(name: str, key: str, _fn: Callable, _args: tuple):
    return _fn(*_args)


def derived(fn: Callable, key: str, *args):
    """``fn(*args)`` once per ``key`` (:func:`view_key` of everything the arguments came from).

    For the reshaping of a cached analytics result (matrices as tables, the average matrix cell
    by cell, the projection): tens of milliseconds each that a rerun then does not repeat.
    """
    name = f"{fn.__module__}.{fn.__qualname__}"
    value = _derived(name, key, fn, args)
    data.remember(value, name + key)  # a chart of it is then cached on the key, not on its contents
    return value


# -- the two snapshots --------------------------------------------------------------------------
def default_to_date(ctx: ViewContext) -> dt.date:
    """The sidebar's snapshot, or the second one when the sidebar shows the earliest."""
    return default_pair(ctx.snapshots, ctx.snapshot)[1]


def _follow(key: str, default: str, options: list[str]) -> None:
    """Before drawing the snapshot box ``key``: its value from the URL, the session or the default.

    A box the user never moved follows its default (the sidebar's snapshot changes "to", and a
    new "to" changes "from"); a chosen snapshot stays while it is offered.
    """
    memo = f"_mig_default|{key}"
    if key in st.session_state and st.session_state[key] == st.session_state.get(memo):
        st.session_state[key] = default
    urlstate.adopt(key, default)
    if st.session_state.get(key) not in options:  # a mistyped link, or no longer offered
        st.session_state[key] = default
    st.session_state[memo] = default


def _year_on_year(date: str) -> None:
    st.session_state["from"] = date


def snapshot_pair(ctx: ViewContext) -> tuple[dt.date, dt.date]:
    """The "from" and "to" boxes and the year-on-year button; returns the two snapshots.

    "to" offers every snapshot but the earliest, "from" the snapshots before "to" (latest
    first), so the pair is always in order.
    """
    lang = ctx.lang
    snaps = sorted(ctx.snapshots)
    to_options = [d.isoformat() for d in reversed(snaps[1:])]
    col_from, col_to, col_button = st.columns([2, 2, 1], vertical_alignment="bottom")
    _follow("to", default_to_date(ctx).isoformat(), to_options)
    to_date = dt.date.fromisoformat(col_to.selectbox(t("mig_to", lang), to_options, key="to"))
    from_options = [d.isoformat() for d in reversed(snaps) if d < to_date]
    _follow("from", previous_snapshot(snaps, to_date).isoformat(), from_options)
    from_date = dt.date.fromisoformat(col_from.selectbox(t("mig_from", lang), from_options, key="from"))
    _, year_ago = comparison_dates(snaps, to_date)
    if year_ago is None:
        month = to_date.replace(year=to_date.year - 1, day=1).strftime("%Y-%m")
        help_text = t("mig_yoy_na", lang, month=month)
    else:
        help_text = t("mig_yoy_help", lang, date=year_ago.isoformat())
    col_button.button(
        t("mig_yoy", lang),
        key="mig_yoy",
        icon=":material/calendar_month:",
        help=help_text,
        on_click=_year_on_year,
        args=(year_ago.isoformat() if year_ago else "",),
        disabled=year_ago is None or year_ago == from_date,
        width="stretch",
    )
    return from_date, to_date


# -- two snapshots ------------------------------------------------------------------------------
def show_choice(lang: str) -> str:
    """Counts, row shares or AUM: what the matrix cells show (URL ``show``)."""
    options = list(MIGRATION_SHOW)
    urlstate.adopt("show", options[0])
    if st.session_state.get("show") not in options:
        st.session_state["show"] = options[0]
    chosen = st.segmented_control(
        t("mig_show", lang),
        options,
        format_func=lambda s: t(f"mig_show_{s}", lang),
        key="show",
        selection_mode="single",
        required=True,
    )
    return chosen or options[0]


def rate_metrics(rates: dict, lang: str) -> None:
    """Upgrade, stable, downgrade, reclassification and closure rates, then net upgrades and new."""
    for col, kind in zip(st.columns(len(MOVE_KINDS)), MOVE_KINDS, strict=True):
        col.metric(
            t(f"mig_rate_{kind}", lang),
            frames.pct_text(rates[kind]),
            help=t("mig_rate_help", lang, n=format_count(rates["customers_from"], lang)),
            border=True,
        )
        col.caption(
            t(
                "mig_rate_caption",
                lang,
                n=format_count(rates[f"{kind}_customers"], lang),
                aum=format_money(rates[f"{kind}_aum"], lang),
            )
        )
    st.caption(frames.rates_summary_text(rates, lang))


def matrix_table(shown: pd.DataFrame, show: str, lang: str, *, subtitle: str) -> None:
    """Show a :func:`analytics.frames.matrix_frame` with number formats and its exports."""
    fmt = {"counts": "%,d", "share": "%.1f%%", "aum": MONEY_FORMAT}[show]
    config = {c: st.column_config.NumberColumn(format=fmt) for c in list(shown.columns)[1:]}
    if show == "share":
        config[t("customers", lang)] = st.column_config.NumberColumn(format="%,d")
    export.show_table(
        shown,
        title=t("mig_matrix_table", lang),
        key=f"mig_matrix_{show}",
        subtitle=subtitle,
        column_config=config,
        height=36 * (len(shown) + 1) + 3,
    )


# -- where it happens ---------------------------------------------------------------------------
def unit_league(
    ctx: ViewContext, df: pd.DataFrame, figures: Sequence, *, pair: tuple[dt.date, dt.date], subtitle: str
) -> None:
    """The net-upgrade and high-tier-loss bars and the unit table, each drilling into a unit."""
    f = ctx.filters
    lang = ctx.lang
    view = "|".join(str(v) for v in (f.segment, f.region, f.branch, f.rm_id, *pair, lang))
    names = [str(n) for n in df["name"]]
    if f.level != "rm":
        st.caption(t("mig_unit_hint", lang))
    for col, fig, what in zip(st.columns(2), figures, ("net", "loss"), strict=True):
        key = f"mig_unit_{what}|{view}"
        with col:
            show_chart(fig, key=key, on_select=functools.partial(on_league_select, key, names, f))
    shown = frames.unit_frame(df, f.child_level, lang)
    pct = st.column_config.NumberColumn(format="%.1f%%")
    config = {c: pct for c in shown.columns[8:11]}
    config[shown.columns[-1]] = st.column_config.NumberColumn(format=MONEY_FORMAT)
    config[shown.columns[4]] = st.column_config.NumberColumn(format="%+d")
    key = f"mig_unit_table|{view}"
    export.show_table(
        shown,
        title=t("mig_where_section", lang, level=level_name(f.child_level, lang)),
        key=key,
        subtitle=subtitle,
        column_config=config,
        on_select=functools.partial(on_league_select, key, names, f),
        selection_mode="single-row",
        height=min(36 * (len(shown) + 1) + 3, 36 * 16),
        placeholder="–",
    )


# -- high-tier losses ---------------------------------------------------------------------------
def _losses_csv(df: pd.DataFrame, lang: str, pair: tuple[dt.date, dt.date]) -> bytes:
    return safe_csv(losses_frame(df, lang, pair))


def losses_table(ctx: ViewContext, df: pd.DataFrame, lang: str, pair: tuple[dt.date, dt.date]) -> None:
    """The customers lost from the high tiers, largest previous AUM first, and their CSV."""
    from_date, to_date = pair
    if df.empty:
        st.caption(t("mig_losses_none", lang))
        return
    shown = losses_frame(df, lang, pair, money="scaled", change=True)
    st.caption(frames.losses_note(df, lang, limit=LOSSES_LIMIT))
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        # The money columns: both snapshots' AUM and the change, after the two tiers
        column_config={c: st.column_config.NumberColumn(format=MONEY_FORMAT) for c in shown.columns[4:7]},
        height=min(36 * (len(shown) + 1) + 3, 36 * 16),
        placeholder="–",
    )
    st.download_button(
        t("mig_download", lang),
        data=access.audited(
            functools.partial(_losses_csv, df, lang, pair),
            "export",
            f"csv · high-tier losses {from_date.isoformat()}–{to_date.isoformat()} · {len(df)} customers",
        ),
        file_name=f"high_tier_losses_{from_date.isoformat()}_{to_date.isoformat()}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="mig_losses_csv",
        on_click="ignore",
    )
    export.xlsx_button(
        derived(losses_frame, view_key(ctx, "losses_frame", pair, lang), df, lang, pair),
        title=t("mig_losses_section", lang),
        subtitle=subtitle(ctx, from_date, to_date),
        file_stem=f"high_tier_losses_{from_date.isoformat()}_{to_date.isoformat()}",
        key="mig_losses",
    )


# -- over many months ---------------------------------------------------------------------------
def _whole(low: int, high: int) -> Callable[[str], int]:
    def convert(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError(text)
        return value

    return convert


def _number(key: str, label: str, default: int, high: int, help_text: str) -> int:
    urlstate.adopt(key, default, _whole(1, high))
    value = st.session_state.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= high:
        st.session_state[key] = default  # another page's widget of the same name
    chosen = st.number_input(label, min_value=1, max_value=high, step=1, key=key, help=help_text)
    return default if chosen is None else int(chosen)


def window_controls(lang: str) -> tuple[int, int]:
    """The window of the average matrix (months, URL ``window``) and the backtest horizon
    (months, URL ``horizon``)."""
    left, right, _ = st.columns([1, 1, 2])
    with left:
        window = _number(
            "window", t("mig_window", lang), WINDOW_DEFAULT, WINDOW_MAX, t("mig_window_help", lang)
        )
    with right:
        horizon = _number(
            "horizon", t("mig_horizon", lang), HORIZON_DEFAULT, HORIZON_MAX, t("mig_horizon_help", lang)
        )
    return window, horizon


def average_table(long: pd.DataFrame, lang: str, *, subtitle: str) -> None:
    """The cells of the average matrix with customers: p and its interval, counts behind them."""
    shown = frames.average_frame(long, lang)
    pct = st.column_config.NumberColumn(format="%.2f%%")
    config = {c: pct for c in shown.columns[4:]}
    config |= {c: st.column_config.NumberColumn(format="%,d") for c in shown.columns[2:4]}
    export.show_table(
        shown,
        title=t("mig_avg_table", lang),
        key="mig_average",
        subtitle=subtitle,
        column_config=config,
        height=min(36 * (len(shown) + 1) + 3, 36 * 16),
    )


def backtest_table(df: pd.DataFrame, lang: str, *, title: str, subtitle: str) -> None:
    """Projected and actual customers and shares per tier, with the error in percentage points."""
    shown = frames.backtest_frame(df, lang)
    config = {c: st.column_config.NumberColumn(format="%.2f%%") for c in shown.columns[3:5]}
    config[shown.columns[5]] = st.column_config.NumberColumn(format="%+.2f pp")
    config[shown.columns[1]] = st.column_config.NumberColumn(format="%,.1f")
    config[shown.columns[2]] = st.column_config.NumberColumn(format="%,.0f")
    export.show_table(
        shown, title=title, key="mig_backtest", subtitle=subtitle, column_config=config, placeholder="–"
    )
