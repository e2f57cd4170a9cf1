"""Display helpers of the satisfaction & complaints page: tabs and controls kept in the URL,
the statistical statements (verdicts, methods, sample sizes, too-short messages) in both
languages, and the tables behind the charts.

The page's analytics run through :func:`ui.data.result` (tables in the engine). The methods
on a monthly series (:func:`analytics.trends.trend`, ``decompose``, ``forecast``,
``anomalies``, ``mean_anomalies``) take the small monthly frame instead of a table; they run
through :func:`on_series`, cached on that frame.

Every statement prints its method and its sample size n. English shows the analytics' own
method texts; Chinese renders the same facts from the results' fields (the rule or model id,
the centre line, the months), since those texts are English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from analytics import charts, frames, trends
from analytics.charts import TREND_MAX_GROUPS, p_phrase, p_text, trend_group_label
from analytics.i18n import LANGUAGES, format_count, t
from analytics.scope import Access, Filters
from ui import context, data, export, snapshots, urlstate
from ui.overview import show_chart
from ui.overview import subtitle as view_subtitle
from ui.sidebar import ViewContext

#: The tabs, in order; ``?tab=complaints`` opens the second (the first is the default).
TABS: tuple[str, ...] = ("satisfaction", "complaints", "links")
#: The breakdowns offered (``none`` first: the default, left out of the URL).
SATISFACTION_BY: tuple[str, ...] = ("none", "tier", "branch", "region", "channel")
COMPLAINTS_BY: tuple[str, ...] = ("none", "category", "channel", "tier", "branch", "region")
#: Default service limit of the resolution figures, in days.
WITHIN_DEFAULT = 15
#: Customer-snapshots in the database above which the closure comparison waits for a button: it
#: joins every customer to the snapshot three months later (about 1 s for the default demo's 2.5
#: million on two cores, 7 to 14 s for a million customers over 24 snapshots).
CHURN_AUTO_LIMIT = 3_000_000


# -- what is loaded, tabs and controls ----------------------------------------------------------
def loaded() -> set[str]:
    """The canonical tables that hold rows (the data page's catalogue, cached per data version)."""
    return set(snapshots.catalogue()["table"])


def _tab_ids() -> dict[str, str]:
    # A tab's label in any language (a language switch keeps the tab) or its id -> its id.
    ids = {tab: tab for tab in TABS}
    ids |= {t(f"tr_tab_{tab}", lang): tab for tab in TABS for lang in LANGUAGES}
    return ids


def tabs(lang: str) -> dict[str, Any]:
    """The three tabs; only the open one runs (``.open``), and it is mirrored in the URL as ``tab``.

    Returns
    -------
    dict
        Tab id -> its container.
    """
    labels = {tab: t(f"tr_tab_{tab}", lang) for tab in TABS}
    urlstate.adopt("tab", TABS[0])
    chosen = _tab_ids().get(str(st.session_state.get("tab")), TABS[0])
    st.session_state["tab"] = labels[chosen]
    containers = st.tabs(list(labels.values()), key="tab", on_change="rerun")
    return dict(zip(TABS, containers, strict=True))


def open_tab(containers: Mapping[str, Any]) -> str:
    """The id of the open tab."""
    return next((tab for tab, c in containers.items() if c.open), TABS[0])


def by_options(options: Sequence[str], has_customers: bool) -> tuple[str, ...]:
    """The breakdowns on offer: ``tier`` needs customer snapshots."""
    return tuple(o for o in options if has_customers or o != "tier")


def _by_label(by: str, lang: str) -> str:
    if by == "none":
        return t("tr_by_none", lang)
    return t(f"tr_by_{by}", lang) if by in ("channel", "category") else t(by, lang)


def by_choice(key: str, options: Sequence[str], lang: str) -> str | None:
    """A breakdown control mirrored in the URL as ``key``; None for no breakdown."""
    urlstate.adopt(key, options[0])
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    chosen = st.segmented_control(
        t("tr_by", lang),
        list(options),
        format_func=lambda b: _by_label(b, lang),
        key=key,
        selection_mode="single",
        required=True,
    )
    return None if chosen in (None, "none") else chosen


def _days(text: str) -> int:
    value = int(float(text))
    if not 0 <= value <= 365:
        raise ValueError(text)
    return value


def within_choice(lang: str) -> int:
    """The service limit in days, mirrored in the URL as ``within`` (default 15)."""
    urlstate.adopt("within", WITHIN_DEFAULT, _days)
    value = st.number_input(t("tr_within", lang), min_value=0, max_value=365, step=1, key="within")
    return WITHIN_DEFAULT if value is None else int(value)


def url(tab: str, by: str | None = None, cby: str | None = None, within: int | None = None) -> dict:
    """The page's URL parameters; a control that is not drawn in this run keeps its URL value."""
    out: dict[str, str | None] = {"tab": None if tab == TABS[0] else tab}
    if tab == "satisfaction":
        out["by"] = by
    if tab == "complaints":
        out["cby"] = cby
        out["within"] = None if within in (None, WITHIN_DEFAULT) else str(within)
    return out


# -- methods on a monthly series ----------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=256)
def _on_series(name: str, frame: pd.DataFrame, params: tuple, _fn: Callable) -> Any:
    return _fn(frame, **dict(params))


def on_series(fn: Callable, frame: pd.DataFrame, **params: Any) -> Any:
    """``fn(frame, **params)`` for a method on a small monthly frame, cached on the frame."""
    return _on_series(f"{fn.__module__}.{fn.__qualname__}", frame, tuple(sorted(params.items())), fn)


# -- statements ---------------------------------------------------------------------------------
def _filled(result: Any, lang: str) -> str:
    return t("tr_filled", lang, k=result.filled) if result.filled else ""


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:+.3g}"


def trend_block(result: trends.TrendResult, lang: str) -> None:
    """The trend verdict: verdict, slope and p-value as figures, with the method and n under them."""
    st.subheader(t("tr_trend_section", lang))
    if result.status != "ok":
        st.info(frames.too_short_text("trend", result, lang))
        return
    method = result.method if lang == "en" else t("tr_method_trend", lang, lags=trends.hac_maxlags(result.n))
    cols = st.columns(3)
    cols[0].metric(t("tr_verdict", lang), frames.verdict_text(result, lang), border=True)
    cols[1].metric(t("tr_slope", lang), _num(result.slope), border=True)
    cols[2].metric(t("tr_p_value", lang), p_text(result.p_value), border=True)
    if result.p_value is None:
        st.caption(t("tr_trend_constant", lang, months=result.n, method=method))
        return
    st.caption(
        t(
            "tr_trend_caption",
            lang,
            slope=_num(result.slope),
            low=_num(result.ci_low),
            high=_num(result.ci_high),
            p=p_phrase(result.p_value),
            months=result.n,
            alpha=f"{result.alpha:g}",
            method=method,
        )
    )


def group_trends(monthly: pd.DataFrame, by: str, column: str, higher_is_better: bool, lang: str) -> None:
    """A table of the trend verdict of each group drawn (the largest, as the chart shows them)."""
    weight = "n" if "n" in monthly else "complaints"
    totals = monthly.groupby("group", sort=False)[weight].sum().sort_values(ascending=False, kind="stable")
    rows = []
    for group in totals.index[:TREND_MAX_GROUPS]:
        part = trends.monthly_values(monthly[monthly["group"] == group], column)
        res = on_series(trends.trend, part, higher_is_better=higher_is_better)
        verdict = {"improving": "improving", "declining": "declining", "too short": "short"}
        rows.append(
            {
                t("tr_col_group", lang): trend_group_label(by, group, lang),
                t("tr_col_months", lang): res.n,
                t("tr_col_slope", lang): res.slope,
                t("tr_col_p", lang): p_text(res.p_value) if res.status == "ok" else "–",
                t("tr_col_verdict", lang): t(f"tr_verdict_{verdict.get(res.verdict, 'none')}", lang),
            }
        )
    st.caption(t("tr_group_trends", lang))
    export.show_table(
        pd.DataFrame(rows),
        title=t("tr_group_trends", lang),
        key=f"tr_groups_{column}",
        subtitle=view_subtitle(context.current(), snapshot=False),
        column_config={t("tr_col_slope", lang): st.column_config.NumberColumn(format="%+.4f")},
    )


def stl_section(result: trends.DecomposeResult, measure: str, subtitle: str, lang: str) -> None:
    """The STL panels with their method and n, or why the series is too short."""
    st.subheader(t("tr_stl_section", lang))
    if result.status != "ok":
        st.info(frames.too_short_text("stl", result, lang))
        return
    fig = data.figure(charts.decomposition_chart, result.frame, measure=measure, lang=lang, subtitle=subtitle)
    show_chart(fig)
    stl_caption(result, lang)


def forecast_section(
    result: trends.ForecastResult, history: pd.DataFrame, measure: str, subtitle: str, lang: str
) -> None:
    """The forecast with its prediction interval, model and n, or why there is none."""
    st.subheader(t("tr_fc_section", lang, months=result.months))
    if result.status != "ok":
        st.info(frames.forecast_message(result, lang))
        return
    fig = data.figure(
        charts.forecast_chart, result.frame, history=history, measure=measure, lang=lang, subtitle=subtitle
    )
    show_chart(fig)
    forecast_caption(result, lang)


def anomaly_section(result: trends.AnomalyResult, measure: str, subtitle: str, lang: str) -> None:
    """The control chart with its rule, n and flagged months, or why the series is too short."""
    st.subheader(t("tr_anom_section", lang))
    if result.status != "ok":
        st.info(frames.too_short_text("chart", result, lang))
        return
    fig = data.figure(
        charts.control_chart,
        result.frame,
        rule=result.rule,
        centre=result.centre,
        measure=trends.anomaly_measure(result, measure),
        lang=lang,
        subtitle=subtitle,
    )
    show_chart(fig)
    anomaly_caption(result, lang)


def stl_caption(result: trends.DecomposeResult, lang: str) -> None:
    """Method and n of a decomposition."""
    if lang == "en":
        st.caption(t("tr_stl_caption", lang, method=result.method, n=result.n, filled=_filled(result, lang)))
    else:
        st.caption(t("tr_stl_caption", lang, period=result.period, n=result.n, filled=_filled(result, lang)))


def forecast_caption(result: trends.ForecastResult, lang: str) -> None:
    """Model, why it was chosen, and n of a forecast."""
    method = result.method
    if lang != "en":
        method = f"{result.model}：{t(f'tr_model_{result.model}', lang)}"
    st.caption(t("tr_fc_caption", lang, method=method, n=result.n, filled=_filled(result, lang)))


def anomaly_caption(result: trends.AnomalyResult, lang: str) -> None:
    """The rule in full, n and the flagged months (and the reason for a fallback)."""
    months = ", ".join(frames.month_text(m) for m in result.months) or t("tr_anom_none", lang)
    if lang == "en":
        method = result.method
    else:
        centre = "–" if result.centre is None else f"{result.centre:.4g}"
        method = t(f"tr_amethod_{result.rule}", lang, centre=centre)
    st.caption(t("tr_anom_caption", lang, method=method, n=result.n, months=months))
    if result.message:
        counts = result.rule in ("stl-residual", "c-chart")
        if lang == "en":
            st.caption(t("tr_anom_fallback", lang, message=result.message))
        elif counts:
            st.caption(t("tr_anom_fallback", lang, message=t("tr_anom_counts", lang)))


# -- satisfaction -------------------------------------------------------------------------------
def satisfaction_caption(monthly: pd.DataFrame, lang: str) -> None:
    """How the monthly mean and its band are computed, and n."""
    st.caption(
        t(
            "tr_sat_caption",
            lang,
            n=format_count(int(monthly["n"].sum()), lang),
            months=monthly["month"].nunique(),
        )
    )


def satisfaction_table(monthly: pd.DataFrame, by: str | None, lang: str) -> None:
    """The monthly means and intervals as a table (the numbers behind the chart)."""
    shown = frames.satisfaction_frame(monthly, lang, by)
    export.show_table(
        shown,
        title=t("tr_sat_section", lang),
        key="tr_sat_table",
        subtitle=view_subtitle(context.current(), snapshot=False),
        height=min(36 * (len(shown) + 1) + 3, 36 * 14),
    )


def distribution_caption(dist: pd.DataFrame, monthly: pd.DataFrame, lang: str) -> None:
    """n and the period of the score distribution."""
    first, last = frames.month_text(min(monthly["month"])), frames.month_text(max(monthly["month"]))
    st.caption(t("tr_dist_caption", lang, n=format_count(int(dist["n"].sum()), lang), first=first, last=last))


def nps_block(result: trends.NpsResult, monthly: pd.DataFrame, lang: str) -> None:
    """NPS with its promoters, passives and detractors, or why it does not apply."""
    if not result.applicable:
        reason = result.reason
        st.info(t("tr_nps_na", lang, reason=reason, n=format_count(result.n, lang)))
        return
    cols = st.columns(4)
    cols[0].metric(t("tr_nps", lang), f"{result.nps:+.1f}", border=True)
    n = result.n
    for col, key, k in zip(
        cols[1:],
        ("tr_nps_promoters", "tr_nps_passives", "tr_nps_detractors"),
        (result.promoters, result.passives, result.detractors),
        strict=True,
    ):
        col.metric(t(key, lang), f"{k / n * 100:.1f}%", border=True)
    method = result.method if lang == "en" else t("tr_method_nps", lang)
    st.caption(
        t(
            "tr_nps_caption",
            lang,
            method=method,
            promoters=format_count(result.promoters, lang),
            passives=format_count(result.passives, lang),
            detractors=format_count(result.detractors, lang),
            n=format_count(n, lang),
            first=frames.month_text(min(monthly["month"])),
            last=frames.month_text(max(monthly["month"])),
        )
    )


# -- complaints ---------------------------------------------------------------------------------
def complaints_caption(monthly: pd.DataFrame, by: str | None, lang: str) -> None:
    """n, the months and how the rate is computed."""
    text = t(
        "tr_comp_caption",
        lang,
        n=format_count(int(monthly["complaints"].sum()), lang),
        months=monthly["month"].nunique(),
    )
    if has_rate(monthly):
        per = t("tr_comp_per_all", lang) if by in ("category", "channel") else ""
        text += " " + t("tr_comp_rate_caption", lang, per=per)
    st.caption(text)


def complaints_table(monthly: pd.DataFrame, by: str | None, lang: str) -> None:
    """Monthly counts, customers and rates as a table (the numbers behind the charts)."""
    shown = frames.complaints_frame(monthly, lang, by)
    export.show_table(
        shown,
        title=t("tr_comp_section", lang),
        key="tr_comp_table",
        subtitle=view_subtitle(context.current(), snapshot=False),
        height=min(36 * (len(shown) + 1) + 3, 36 * 14),
        placeholder="–",
    )


def has_rate(monthly: pd.DataFrame) -> bool:
    """Whether any month of a complaint series has a rate (a customer snapshot)."""
    return bool(monthly["rate_per_10k"].notna().any())


def pareto_caption(pareto: pd.DataFrame, lang: str) -> None:
    """n of the Pareto."""
    st.caption(t("tr_pareto_caption", lang, n=format_count(int(pareto["complaints"].sum()), lang)))


def measure_caption(measure: str, monthly: pd.DataFrame, lang: str) -> None:
    """Say whether the complaint verdicts are on the rate or on the counts."""
    if measure == "rate":
        st.caption(t("tr_comp_on_rate", lang, months=int(monthly["rate_per_10k"].notna().sum())))
    else:
        st.caption(t("tr_comp_on_count", lang))


def resolution_block(res: trends.ResolutionResult, lang: str) -> None:
    """Median days, the share within the limit and the open backlog, with the method and n."""
    cols = st.columns(3)
    cols[0].metric(t("tr_median_days", lang), frames.median_days_text(res, lang), border=True)
    cols[1].metric(
        t("tr_share_within", lang, days=res.within_days), frames.pct_text(res.share_within), border=True
    )
    cols[2].metric(t("tr_open_backlog", lang), format_count(res.open_backlog, lang), border=True)
    st.caption(
        t(
            "tr_res_caption",
            lang,
            as_of=res.as_of.isoformat() if res.as_of else "–",
            n=format_count(res.n, lang),
            resolved=format_count(res.resolved, lang),
            within=format_count(res.resolved_within, lang),
            days=res.within_days,
            method=res.method if lang == "en" else t("tr_res_method", lang),
        )
    )
    if res.resolved_without_date:
        st.caption(t("tr_res_without_date", lang, k=format_count(res.resolved_without_date, lang)))
    if res.invalid_dates:
        st.caption(t("tr_res_invalid", lang, k=format_count(res.invalid_dates, lang)))


# -- links --------------------------------------------------------------------------------------
def satisfaction_link(res: trends.GroupComparison, lang: str) -> None:
    """Mean score of complainants against the others, the difference, p and n."""
    if res.status != "ok":
        st.info(t("tr_link_sat_short", lang, n1=res.n_complainants, n0=res.n_others))
        return
    cols = st.columns(3)
    cols[0].metric(t("tr_link_complainants", lang), f"{res.mean_complainants:.2f}", border=True)
    cols[1].metric(t("tr_link_others", lang), f"{res.mean_others:.2f}", border=True)
    cols[2].metric(t("tr_link_difference", lang), f"{res.difference:+.2f}", border=True)
    st.caption(
        t(
            "tr_link_sat_caption",
            lang,
            n1=format_count(res.n_complainants, lang),
            n0=format_count(res.n_others, lang),
            p=p_phrase(res.p_value),
            method=res.method,
        )
    )


def _customer_snapshots(customers) -> int:
    return int(customers.count().execute())


def churn_is_slow(ctx: ViewContext) -> tuple[bool, int]:
    """Whether the closure comparison should wait for a button, and the customer-snapshots it reads
    (those of the view, within the user's scope: never the bank's total for a branch user)."""
    total = data.result(_customer_snapshots, ctx)
    return total > CHURN_AUTO_LIMIT, total


def churn_asked(ctx: ViewContext, total: int, lang: str) -> bool:
    """On a large portfolio, a button that asks for the closure comparison (remembered per view)."""
    f = ctx.filters
    key = f"_tr_churn|{ctx.data_version}|{f.segment}|{f.region}|{f.branch}|{f.rm_id}"
    if st.session_state.get(key):
        return True
    st.caption(t("tr_link_churn_slow", lang, n=format_count(total, lang)))
    st.button(t("tr_link_churn_button", lang), key="tr_churn_button", on_click=_ask, args=(key,))
    return False


def _ask(key: str) -> None:
    st.session_state[key] = True


def churn_link(res: trends.ChurnComparison, lang: str) -> None:
    """Closure shares of complainants and the others, p and n."""
    if res.status != "ok":
        st.info(t("tr_link_churn_short", lang))
        return
    cols = st.columns(3)
    cols[0].metric(t("tr_link_churn_complainants", lang), f"{res.share_complainants * 100:.2f}%", border=True)
    cols[1].metric(t("tr_link_churn_others", lang), f"{res.share_others * 100:.2f}%", border=True)
    cols[2].metric(t("tr_link_difference", lang), f"{res.difference * 100:+.2f} pp", border=True)
    if res.p_value is None:
        st.caption(t("tr_link_churn_none", lang))
    st.caption(
        t(
            "tr_link_churn_caption",
            lang,
            n1=format_count(res.complainants, lang),
            n0=format_count(res.others, lang),
            starts=res.starting_snapshots,
            p=p_phrase(res.p_value),
            method=res.method if lang == "en" else t("tr_method_churn", lang),
        )
    )


def _branch_link(complaints, *, customers, filters: tuple, access: Access) -> trends.BranchLink:
    # The surveys of the view, scoped and filtered as the complaints are: data.result passes an
    # extra event table only scoped (meant for a join by customer), and this comparison groups
    # surveys by branch.
    surveys = data.scoped("surveys", Filters(*filters), access)
    return trends.branch_complaints_vs_satisfaction(complaints, surveys, customers)


def branch_link(ctx: ViewContext) -> trends.BranchLink:
    """Complaint rate against satisfaction across the view's branches (cached like any result)."""
    f = ctx.filters
    return data.result(
        _branch_link,
        ctx,
        source="complaints",
        tables=("customers",),
        filters=(f.segment, f.region, f.branch, f.rm_id),
        access=ctx.access,
    )


def branch_caption(res: trends.BranchLink, lang: str) -> None:
    """Method and n of the branch comparison, or why there is no line."""
    if res.status != "ok":
        st.info(t("tr_link_branch_short", lang, n=res.n))
        return
    if lang == "en":
        st.caption(f"{res.message}. Method: {res.method}.")
    else:
        shown = int(res.frame["complaints_per_10k"].notna().sum())
        st.caption(t("tr_link_branch_caption", lang, n=res.n, shown=shown))


# -- the page's tabs (pages/trends.py wires them) --------------------------------------------------
def satisfaction_tab(ctx: ViewContext, loaded: set[str], has_customers: bool, sub: str) -> str | None:
    """The satisfaction tab: series, verdicts, STL, forecast, distribution, NPS, control chart.

    Returns the ``by`` breakdown chosen (for the URL).
    """
    lang = ctx.lang
    customers = ("customers",) if has_customers else ()
    by = by_choice("by", by_options(SATISFACTION_BY, has_customers), lang)
    monthly = data.result(trends.satisfaction_monthly, ctx, source="surveys")
    if "surveys" not in loaded:
        st.info(t("tr_no_surveys_loaded", lang))
    elif monthly.empty:
        st.info(t("tr_no_surveys_view", lang))
    else:
        scale = trends.scale_max(monthly)
        shown = monthly
        if by:
            tables = customers if by == "tier" else ()
            shown = data.result(trends.satisfaction_monthly, ctx, source="surveys", tables=tables, by=by)
        st.subheader(t("tr_sat_section", lang))
        fig = data.figure(charts.satisfaction_trend, shown, by=by, scale_max=scale, lang=lang, subtitle=sub)
        show_chart(fig)
        satisfaction_caption(shown, lang)
        with st.expander(t("tr_sat_table", lang)):
            satisfaction_table(shown, by, lang)

        values = trends.monthly_values(monthly, "mean")
        trend_block(on_series(trends.trend, values, higher_is_better=True), lang)
        if by:
            group_trends(shown, by, "mean", True, lang)
        stl_section(on_series(trends.decompose, values), "score", sub, lang)
        forecast = on_series(trends.forecast, values, bounds=(0.0, scale))
        forecast_section(forecast, values, "score", sub, lang)

        st.subheader(t("tr_dist_section", lang))
        dist = data.result(trends.score_distribution, ctx, source="surveys")
        score = data.result(trends.nps, ctx, source="surveys")
        fig = data.figure(
            charts.score_distribution_bars, dist, nps_scale=score.applicable, lang=lang, subtitle=sub
        )
        show_chart(fig)
        distribution_caption(dist, monthly, lang)
        st.subheader(t("tr_nps_section", lang))
        nps_block(score, monthly, lang)

        anomaly_section(on_series(trends.mean_anomalies, monthly, laney=True), "score", sub, lang)
    return by


def complaints_tab(
    ctx: ViewContext, loaded: set[str], has_customers: bool, sub: str
) -> tuple[str | None, int | None]:
    """The complaints tab: counts and rates, Pareto, resolution and backlog, control chart, trend.

    Returns the ``cby`` breakdown and the ``within`` days chosen (for the URL).
    """
    lang = ctx.lang
    customers = ("customers",) if has_customers else ()
    within = None
    cby = by_choice("cby", by_options(COMPLAINTS_BY, has_customers), lang)
    monthly = data.result(trends.complaints_monthly, ctx, source="complaints", tables=customers)
    if "complaints" not in loaded:
        st.info(t("tr_no_complaints_loaded", lang))
    elif monthly.empty:
        st.info(t("tr_no_complaints_view", lang))
    else:
        shown = monthly
        if cby:
            shown = data.result(trends.complaints_monthly, ctx, source="complaints", tables=customers, by=cby)
        st.subheader(t("tr_comp_section", lang))
        show_chart(data.figure(charts.complaints_trend, shown, by=cby, lang=lang, subtitle=sub))
        if has_rate(shown):
            fig = data.figure(charts.complaints_trend, shown, by=cby, measure="rate", lang=lang, subtitle=sub)
            show_chart(fig)
        else:
            st.info(t("tr_comp_no_rate", lang))
        complaints_caption(shown, cby, lang)
        with st.expander(t("tr_comp_table", lang)):
            complaints_table(shown, cby, lang)

        st.subheader(t("tr_pareto_section", lang))
        pareto = data.result(trends.pareto, ctx, source="complaints")
        show_chart(data.figure(charts.pareto_chart, pareto, lang=lang, subtitle=sub))
        pareto_caption(pareto, lang)

        st.subheader(t("tr_res_section", lang))
        within = within_choice(lang)
        resolution_block(data.result(trends.resolution, ctx, source="complaints", within_days=within), lang)
        backlog = data.result(trends.backlog_monthly, ctx, source="complaints")
        show_chart(data.figure(charts.backlog_chart, backlog, lang=lang, subtitle=sub))

        measure, column = trends.complaint_measure(monthly)
        values = trends.monthly_values(monthly, column)
        anomaly_section(on_series(trends.anomalies, monthly, laney=True), measure, sub, lang)
        trend_block(on_series(trends.trend, values, higher_is_better=False), lang)
        measure_caption(measure, monthly, lang)
        if cby:
            group_trends(shown, cby, column, False, lang)
        stl_section(on_series(trends.decompose, values), measure, sub, lang)
        forecast = on_series(trends.forecast, values, bounds=(0.0, None))
        forecast_section(forecast, values, measure, sub, lang)
    return cby, within


def links_tab(ctx: ViewContext, loaded: set[str], has_customers: bool, sub: str) -> None:
    """The links tab: complainants' satisfaction and closures, complaints against satisfaction by branch."""
    lang = ctx.lang
    st.subheader(t("tr_link_sat_section", lang))
    if {"surveys", "complaints"} <= loaded:
        link = data.result(trends.complainant_satisfaction, ctx, source="surveys", tables=("complaints",))
        satisfaction_link(link, lang)
    else:
        st.info(t("tr_links_need", lang, what=t("tr_need_surveys_complaints", lang)))

    st.subheader(t("tr_link_churn_section", lang))
    if has_customers and "complaints" in loaded:
        slow, total = churn_is_slow(ctx)
        if not slow or churn_asked(ctx, total, lang):
            churn_link(data.result(trends.complainant_churn, ctx, tables=("complaints",), months=3), lang)
    else:
        st.info(t("tr_links_need", lang, what=t("tr_need_customers_complaints", lang)))

    st.subheader(t("tr_link_branch_section", lang))
    if has_customers and {"surveys", "complaints"} <= loaded:
        branches = branch_link(ctx)
        fig = data.figure(
            charts.branch_link_scatter,
            branches.frame,
            slope=branches.slope,
            intercept=branches.intercept,
            r=branches.r,
            p_value=branches.p_value,
            n=branches.n,
            lang=lang,
            subtitle=sub,
        )
        show_chart(fig)
        branch_caption(branches, lang)
    else:
        st.info(t("tr_links_need", lang, what=t("tr_need_all", lang)))
