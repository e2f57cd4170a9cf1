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
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analytics.charts import MIGRATION_SHOW, money_scale, state_label
from analytics.export import FORMULA_STARTS, neutralise, safe_csv  # noqa: F401 - re-exported
from analytics.i18n import format_count, format_money, t, tier_label
from analytics.migration import (
    MOVE_KINDS,
    TO_STATES,
    AverageTransition,
    Transition,
    project,
    stationary_mix,
)
from analytics.overview import comparison_dates
from ui import access, data, export, urlstate
from ui.overview import on_league_select, scope_text, show_chart
from ui.sidebar import ViewContext
from ui.tables import MONEY_FORMAT, TABLE_UNIT_CAP

#: Default and limits of the window of the average matrix (months) and of the backtest horizon.
WINDOW_DEFAULT, WINDOW_MAX = 12, 60
HORIZON_DEFAULT, HORIZON_MAX = 3, 12
#: Months the Markov projection runs ahead.
PROJECTION_MONTHS = 12
#: Rows of the high-tier losses listed (and downloaded) at most, the largest first.
LOSSES_LIMIT = 5000


# -- subtitle and URL ---------------------------------------------------------------------------
def pair_text(from_date: dt.date, to_date: dt.date) -> str:
    """``2026-08-31 → 2026-09-30``."""
    return f"{from_date.isoformat()} → {to_date.isoformat()}"


def subtitle(ctx: ViewContext, from_date: dt.date, to_date: dt.date, *, pairs: int | None = None) -> str:
    """The line under every chart: both snapshots (or the window's months), the filters and the rules.

    ``Snapshots 2026-08-31 → 2026-09-30 · Head office · Rules: default v1``; with ``pairs``,
    ``12 monthly steps 2025-09-30 → 2026-09-30 · ...``.
    """
    lang = ctx.lang
    span = pair_text(from_date, to_date)
    when = (
        t("mig_sub_pair", lang, span=span) if pairs is None else t("mig_sub_window", lang, n=pairs, span=span)
    )
    return " · ".join(
        [when, scope_text(ctx.filters, lang), f"{t('rules', lang)}: {ctx.rules.name} v{ctx.rules.version}"]
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
        url["from"] = None if from_date == previous_of(ctx.snapshots, to_date) else from_date.isoformat()
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
def previous_of(snapshots: Sequence[dt.date], date: dt.date) -> dt.date | None:
    """The latest loaded snapshot before ``date``."""
    return max((d for d in snapshots if d < date), default=None)


def default_to_date(ctx: ViewContext) -> dt.date:
    """The sidebar's snapshot, or the second one when the sidebar shows the earliest."""
    snaps = sorted(ctx.snapshots)
    return ctx.snapshot if ctx.snapshot != snaps[0] else snaps[1]


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
    _follow("from", previous_of(snaps, to_date).isoformat(), from_options)
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


def _pct(value: float) -> str:
    return "–" if value != value else f"{value * 100:.1f}%"


def rate_metrics(rates: dict, lang: str) -> None:
    """Upgrade, stable, downgrade, reclassification and closure rates, then net upgrades and new."""
    for col, kind in zip(st.columns(len(MOVE_KINDS)), MOVE_KINDS, strict=True):
        col.metric(
            t(f"mig_rate_{kind}", lang),
            _pct(rates[kind]),
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
    st.caption(
        t(
            "mig_rates_summary",
            lang,
            net=f"{rates['net_upgrades']:+,}",
            new=format_count(rates["new_customers"], lang),
            before=format_count(rates["customers_from"], lang),
            after=format_count(rates["customers_to"], lang),
        )
    )


def matrix_frame(tr: Transition, show: str, lang: str) -> pd.DataFrame:
    """The transition matrix as a table: one row per origin, one column per destination.

    Rows ``new`` then the tiers, columns the tiers then ``closed`` (the tiers that occur, in
    tier order on both sides), plus a total (customers or AUM) or, for row shares, the row's
    customers. AUM is scaled to one unit, named in the first header; a ``new`` row carries its
    AUM at the later snapshot (nothing was held before).
    """
    counts = tr.matrix()
    present = set(counts.index) | {c for c in counts.columns if counts[c].sum() > 0}
    tiers = [s for s in TO_STATES if s in present and s != "closed"]
    rows, cols = ["new", *tiers], [*tiers, "closed"]
    counts = counts.reindex(index=rows, columns=cols, fill_value=0)
    corner = t("mig_from_to", lang)
    if show == "share":
        values = (tr.row_shares().reindex(index=rows, columns=cols).fillna(0.0) * 100).round(1)
        extra = (t("customers", lang), counts.sum(axis=1))
    elif show == "aum":
        aum = tr.aum_matrix(at="from").reindex(index=rows, columns=cols, fill_value=0.0)
        aum.loc["new"] = tr.aum_matrix(at="to").reindex(index=rows, columns=cols, fill_value=0.0).loc["new"]
        divisor, unit = money_scale(aum.to_numpy().ravel(), lang, largest=TABLE_UNIT_CAP.get(lang))
        values = (aum / divisor).round(1)
        extra = (t("mig_total", lang), values.sum(axis=1).round(1))
        corner = f"{corner} ({unit})"
    else:
        values = counts
        extra = (t("mig_total", lang), counts.sum(axis=1))
    shown = values.copy()
    shown.columns = [state_label(c, lang) for c in cols]
    shown[extra[0]] = extra[1].to_numpy()
    shown.insert(0, corner, [state_label(r, lang) for r in rows])
    return shown.reset_index(drop=True)


def matrix_table(shown: pd.DataFrame, show: str, lang: str, *, subtitle: str) -> None:
    """Show a :func:`matrix_frame` with number formats and its exports."""
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


def start_mix(tr: Transition) -> pd.Series:
    """Customers per tier at the later snapshot (the column totals of the matrix, closed left out)."""
    mix = tr.matrix().sum(axis=0).drop("closed")
    mix.index.name = "tier"
    return mix[mix > 0].rename("customers")


@dataclass(frozen=True)
class WindowViews:
    """What the page shows of an average monthly matrix: its cells, the projection from the
    "to" snapshot's mix, and the stationary mix next to that mix."""

    cells: pd.DataFrame
    projection: pd.DataFrame
    stationary: pd.DataFrame
    method: str


def window_views(avg: AverageTransition, start: pd.Series, months: int = PROJECTION_MONTHS) -> WindowViews:
    """The cells (:meth:`AverageTransition.long`), the projection ``months`` ahead from ``start``
    and the stationary mix (:func:`analytics.migration.stationary_mix`) of ``avg``."""
    steady = stationary_mix(avg)
    return WindowViews(
        cells=avg.long(),
        projection=project(avg, start, months=months),
        stationary=stationary_frame(start, steady),
        method=steady.attrs["method"],
    )


def stationary_frame(start: pd.Series, stationary: pd.Series) -> pd.DataFrame:
    """``tier, current_share, stationary_share`` over the tiers of either, in tier order."""
    tiers = [s for s in TO_STATES if s in set(start.index) | set(stationary.index)]
    total = float(start.sum())
    current = start.reindex(tiers, fill_value=0).astype("float64") / (total or 1.0)
    return pd.DataFrame(
        {
            "tier": tiers,
            "current_share": current.to_numpy(),
            "stationary_share": stationary.reindex(tiers, fill_value=0.0).astype("float64").to_numpy(),
        }
    )


# -- where it happens ---------------------------------------------------------------------------
def unit_table(df: pd.DataFrame, level: str, lang: str) -> pd.DataFrame:
    """:func:`analytics.migration.transition_by_unit` as a person reads it (rates in %)."""
    loss_aum, unit = _money(df["high_tier_loss_aum"], lang)
    return pd.DataFrame(
        {
            t(level, lang): df["name"].astype(str),
            t("mig_customers_from", lang): df["customers_from"].astype("int64"),
            t("mig_kind_upgrade", lang): df["upgrades"].astype("int64"),
            t("mig_kind_downgrade", lang): df["downgrades"].astype("int64"),
            t("mig_net_upgrades", lang): df["net_upgrades"].astype("int64"),
            t("mig_kind_reclassified", lang): df["reclassified"].astype("int64"),
            t("mig_kind_closed", lang): df["closed"].astype("int64"),
            t("mig_kind_new", lang): df["new"].astype("int64"),
            t("mig_rate_upgrade", lang): df["upgrade_rate"].astype("float64") * 100,
            t("mig_rate_downgrade", lang): df["downgrade_rate"].astype("float64") * 100,
            t("mig_rate_closed", lang): df["closure_rate"].astype("float64") * 100,
            t("mig_high_tier_losses", lang): df["high_tier_losses"].astype("int64"),
            t("ov_col_money", lang, label=t("mig_loss_aum", lang), unit=unit): loss_aum,
        }
    )


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
    shown = unit_table(df, f.child_level, lang)
    pct = st.column_config.NumberColumn(format="%.1f%%")
    config = {c: pct for c in shown.columns[8:11]}
    config[shown.columns[-1]] = st.column_config.NumberColumn(format=MONEY_FORMAT)
    config[shown.columns[4]] = st.column_config.NumberColumn(format="%+d")
    key = f"mig_unit_table|{view}"
    level = t(f.child_level, lang)
    export.show_table(
        shown,
        title=t("mig_where_section", lang, level=level.lower() if lang == "en" else level),
        key=key,
        subtitle=subtitle,
        column_config=config,
        on_select=functools.partial(on_league_select, key, names, f),
        selection_mode="single-row",
        height=min(36 * (len(shown) + 1) + 3, 36 * 16),
        placeholder="–",
    )


# -- high-tier losses ---------------------------------------------------------------------------
def _money(values: pd.Series, lang: str) -> tuple[pd.Series, str]:
    # One unit per column keeps the column sortable as numbers (as ui/tables.py does).
    divisor, unit = money_scale(values, lang, largest=TABLE_UNIT_CAP.get(lang))
    return (values.astype("float64") / divisor).round(1), unit


def losses_export(df: pd.DataFrame, lang: str, pair: tuple[dt.date, dt.date]) -> pd.DataFrame:
    """The high-tier losses as downloaded: labels in ``lang``, AUM in CNY (plain numbers)."""
    from_date, to_date = pair
    return pd.DataFrame(
        {
            t("ov_col_customer_id", lang): df["customer_id"].astype(str),
            t("ov_col_customer_name", lang): df["customer_name"],
            t("mig_col_from_tier", lang, date=from_date.isoformat()): df["from_tier"].map(
                lambda s: tier_label(s, lang)
            ),
            t("mig_col_to_state", lang, date=to_date.isoformat()): df["to_state"].map(
                lambda s: state_label(s, lang)
            ),
            t("mig_col_aum_cny", lang, date=from_date.isoformat()): df["aum_from"].astype("float64"),
            t("mig_col_aum_cny", lang, date=to_date.isoformat()): df["aum_to"].astype("float64"),
            t("region", lang): df["region"],
            t("branch", lang): df["branch"],
            t("rm_id", lang): df["rm_id"],
        }
    )


def _losses_csv(df: pd.DataFrame, lang: str, pair: tuple[dt.date, dt.date]) -> bytes:
    return safe_csv(losses_export(df, lang, pair))


def losses_table(ctx: ViewContext, df: pd.DataFrame, lang: str, pair: tuple[dt.date, dt.date]) -> None:
    """The customers lost from the high tiers, largest previous AUM first, and their CSV."""
    from_date, to_date = pair
    if df.empty:
        st.caption(t("mig_losses_none", lang))
        return
    divisor, unit = money_scale([*df["aum_from"], *df["aum_to"]], lang, largest=TABLE_UNIT_CAP.get(lang))
    money = {
        t("mig_col_aum", lang, date=from_date.isoformat(), unit=unit): (df["aum_from"] / divisor).round(1),
        t("mig_col_aum", lang, date=to_date.isoformat(), unit=unit): (df["aum_to"] / divisor).round(1),
        t("mig_col_change", lang, unit=unit): ((df["aum_to"] - df["aum_from"]) / divisor).round(1),
    }
    shown = pd.DataFrame(
        {
            t("ov_col_customer_id", lang): df["customer_id"].astype(str),
            t("ov_col_customer_name", lang): df["customer_name"],
            t("mig_col_from_tier", lang, date=from_date.isoformat()): df["from_tier"].map(
                lambda s: tier_label(s, lang)
            ),
            t("mig_col_to_state", lang, date=to_date.isoformat()): df["to_state"].map(
                lambda s: state_label(s, lang)
            ),
            **money,
            t("region", lang): df["region"],
            t("branch", lang): df["branch"],
            t("rm_id", lang): df["rm_id"],
        }
    )
    total = float(df["aum_from"].sum())
    key = "mig_losses_truncated" if len(df) >= LOSSES_LIMIT else "mig_losses_count"
    st.caption(t(key, lang, n=format_count(len(df), lang), aum=format_money(total, lang)))
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.NumberColumn(format=MONEY_FORMAT) for c in money},
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
        derived(losses_export, view_key(ctx, "losses_frame", pair, lang), df, lang, pair),
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


def _month_index(date: dt.date) -> int:
    return date.year * 12 + date.month - 1


def window_dates(snapshots: Sequence[dt.date], to_date: dt.date, window: int) -> tuple[dt.date, ...]:
    """The loaded snapshots of the ``window`` months up to ``to_date`` (and the one it starts from).

    A 12-month window ending 2026-09-30 takes the snapshots from 2025-09 to 2026-09: twelve
    monthly steps when every month is loaded.
    """
    end = _month_index(to_date)
    return tuple(sorted(d for d in snapshots if end - window <= _month_index(d) <= end and d <= to_date))


def backtest_origin(snapshots: Sequence[dt.date], to_date: dt.date, horizon: int) -> dt.date | None:
    """The snapshot ``horizon`` months before ``to_date`` (the latest of that month), if loaded
    with an earlier snapshot to estimate from."""
    month = _month_index(to_date) - horizon
    origin = max((d for d in snapshots if _month_index(d) == month), default=None)
    if origin is None or not any(d < origin for d in snapshots):
        return None
    return origin


def average_table(long: pd.DataFrame, lang: str, *, subtitle: str) -> None:
    """The cells of the average matrix with customers: p and its interval, counts behind them."""
    cells = long[long["customers"] > 0]
    shown = pd.DataFrame(
        {
            t("mig_col_from", lang): cells["from_state"].map(lambda s: state_label(s, lang)),
            t("mig_col_to", lang): cells["to_state"].map(lambda s: state_label(s, lang)),
            t("mig_col_moves", lang): cells["customers"].astype("int64"),
            t("mig_customer_months", lang): cells["exposure"].astype("int64"),
            t("mig_monthly_p", lang): cells["p"] * 100,
            t("mig_col_lower", lang): cells["lower"] * 100,
            t("mig_col_upper", lang): cells["upper"] * 100,
        }
    )
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
    shown = pd.DataFrame(
        {
            t("tier", lang): df["tier"].map(lambda s: tier_label(s, lang)),
            t("mig_projected", lang): df["projected"].astype("float64").round(1),
            t("mig_actual", lang): df["actual"].astype("float64"),
            t("mig_col_projected_share", lang): df["projected_share"] * 100,
            t("mig_col_actual_share", lang): df["actual_share"] * 100,
            t("mig_col_error", lang): df["share_error"] * 100,
        }
    )
    config = {c: st.column_config.NumberColumn(format="%.2f%%") for c in shown.columns[3:5]}
    config[shown.columns[5]] = st.column_config.NumberColumn(format="%+.2f pp")
    config[shown.columns[1]] = st.column_config.NumberColumn(format="%,.1f")
    config[shown.columns[2]] = st.column_config.NumberColumn(format="%,.0f")
    export.show_table(
        shown, title=title, key="mig_backtest", subtitle=subtitle, column_config=config, placeholder="–"
    )
