"""Satisfaction & complaints: monthly series with confidence bands, trend verdicts, control charts,
STL and forecasts; the complaint Pareto, resolution and backlog; the links between complaints,
satisfaction and closures. Only the open tab runs."""

from __future__ import annotations

import streamlit as st

from analytics import charts, tiers, trends
from analytics.i18n import t
from ui import context, data, empty_state, urlstate
from ui import overview as ov
from ui import trends as tr

ctx = context.current()
lang = ctx.lang
st.title(t("page_trends", lang))
st.caption(t("tr_intro", lang))

loaded = tr.loaded()
has_customers = ctx.snapshot is not None
if not has_customers and not loaded & {"surveys", "complaints"}:
    empty_state.render(lang, ctx.db)
    st.stop()
if not has_customers:
    st.info(t("tr_no_customers", lang))
elif data.result(tiers.tier_summary, ctx, snapshot_date=ctx.snapshot)["customers"].sum() == 0:
    st.info(t("empty_selection", lang))
    st.stop()

sub = ov.subtitle(ctx, snapshot=False)
customers = ("customers",) if has_customers else ()
tabs = tr.tabs(lang)
opened = tr.open_tab(tabs)
by = cby = within = None

if opened == "satisfaction":
    with tabs["satisfaction"]:
        by = tr.by_choice("by", tr.by_options(tr.SATISFACTION_BY, has_customers), lang)
        monthly = data.result(trends.satisfaction_monthly, ctx, source="surveys")
        if "surveys" not in loaded:
            st.info(t("tr_no_surveys_loaded", lang))
        elif monthly.empty:
            st.info(t("tr_no_surveys_view", lang))
        else:
            scale = tr.scale_max(monthly)
            shown = monthly
            if by:
                tables = customers if by == "tier" else ()
                shown = data.result(trends.satisfaction_monthly, ctx, source="surveys", tables=tables, by=by)
            st.subheader(t("tr_sat_section", lang))
            fig = data.figure(
                charts.satisfaction_trend, shown, by=by, scale_max=scale, lang=lang, subtitle=sub
            )
            ov.show_chart(fig)
            tr.satisfaction_caption(shown, lang)
            with st.expander(t("tr_sat_table", lang)):
                tr.satisfaction_table(shown, by, lang)

            series = tr.series(monthly, "mean")
            tr.trend_block(tr.on_series(trends.trend, series, higher_is_better=True), lang)
            if by:
                tr.group_trends(shown, by, "mean", True, lang)
            tr.stl_section(tr.on_series(trends.decompose, series), "score", sub, lang)
            forecast = tr.on_series(trends.forecast, series, bounds=(0.0, scale))
            tr.forecast_section(forecast, series, "score", sub, lang)

            st.subheader(t("tr_dist_section", lang))
            dist = data.result(trends.score_distribution, ctx, source="surveys")
            score = data.result(trends.nps, ctx, source="surveys")
            fig = data.figure(
                charts.score_distribution_bars, dist, nps_scale=score.applicable, lang=lang, subtitle=sub
            )
            ov.show_chart(fig)
            tr.distribution_caption(dist, monthly, lang)
            st.subheader(t("tr_nps_section", lang))
            tr.nps_block(score, monthly, lang)

            tr.anomaly_section(tr.on_series(trends.mean_anomalies, monthly, laney=True), "score", sub, lang)

if opened == "complaints":
    with tabs["complaints"]:
        cby = tr.by_choice("cby", tr.by_options(tr.COMPLAINTS_BY, has_customers), lang)
        monthly = data.result(trends.complaints_monthly, ctx, source="complaints", tables=customers)
        if "complaints" not in loaded:
            st.info(t("tr_no_complaints_loaded", lang))
        elif monthly.empty:
            st.info(t("tr_no_complaints_view", lang))
        else:
            shown = monthly
            if cby:
                shown = data.result(
                    trends.complaints_monthly, ctx, source="complaints", tables=customers, by=cby
                )
            st.subheader(t("tr_comp_section", lang))
            ov.show_chart(data.figure(charts.complaints_trend, shown, by=cby, lang=lang, subtitle=sub))
            if tr.has_rate(shown):
                fig = data.figure(
                    charts.complaints_trend, shown, by=cby, measure="rate", lang=lang, subtitle=sub
                )
                ov.show_chart(fig)
            else:
                st.info(t("tr_comp_no_rate", lang))
            tr.complaints_caption(shown, cby, lang)
            with st.expander(t("tr_comp_table", lang)):
                tr.complaints_table(shown, cby, lang)

            st.subheader(t("tr_pareto_section", lang))
            pareto = data.result(trends.pareto, ctx, source="complaints")
            ov.show_chart(data.figure(charts.pareto_chart, pareto, lang=lang, subtitle=sub))
            tr.pareto_caption(pareto, lang)

            st.subheader(t("tr_res_section", lang))
            within = tr.within_choice(lang)
            tr.resolution_block(
                data.result(trends.resolution, ctx, source="complaints", within_days=within), lang
            )
            backlog = data.result(trends.backlog_monthly, ctx, source="complaints")
            ov.show_chart(data.figure(charts.backlog_chart, backlog, lang=lang, subtitle=sub))

            measure, column = tr.complaint_measure(monthly)
            series = tr.series(monthly, column)
            tr.anomaly_section(tr.on_series(trends.anomalies, monthly, laney=True), measure, sub, lang)
            tr.trend_block(tr.on_series(trends.trend, series, higher_is_better=False), lang)
            tr.measure_caption(measure, monthly, lang)
            if cby:
                tr.group_trends(shown, cby, column, False, lang)
            tr.stl_section(tr.on_series(trends.decompose, series), measure, sub, lang)
            forecast = tr.on_series(trends.forecast, series, bounds=(0.0, None))
            tr.forecast_section(forecast, series, measure, sub, lang)

if opened == "links":
    with tabs["links"]:
        st.subheader(t("tr_link_sat_section", lang))
        if {"surveys", "complaints"} <= loaded:
            link = data.result(trends.complainant_satisfaction, ctx, source="surveys", tables=("complaints",))
            tr.satisfaction_link(link, lang)
        else:
            st.info(t("tr_links_need", lang, what=t("tr_need_surveys_complaints", lang)))

        st.subheader(t("tr_link_churn_section", lang))
        if has_customers and "complaints" in loaded:
            slow, total = tr.churn_is_slow(ctx)
            if not slow or tr.churn_asked(ctx, total, lang):
                tr.churn_link(
                    data.result(trends.complainant_churn, ctx, tables=("complaints",), months=3), lang
                )
        else:
            st.info(t("tr_links_need", lang, what=t("tr_need_customers_complaints", lang)))

        st.subheader(t("tr_link_branch_section", lang))
        if has_customers and {"surveys", "complaints"} <= loaded:
            branches = tr.branch_link(ctx)
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
            ov.show_chart(fig)
            tr.branch_caption(branches, lang)
        else:
            st.info(t("tr_links_need", lang, what=t("tr_need_all", lang)))

urlstate.publish(tr.url(opened, by=by, cby=cby, within=within))
