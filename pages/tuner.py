"""Threshold tuner: change the tier rules and see at once who would move, what each tier would
hold, and how much relationship-manager work the service standards would then demand."""

from __future__ import annotations

import streamlit as st

from analytics import charts, frames, scenarios, tuner
from analytics.errors import RulesError
from analytics.i18n import industry_label, t, tier_label
from ui import context, empty_state, urlstate
from ui import overview as ov
from ui import tuner as tu

ctx = context.current()
lang = ctx.lang
st.title(t("page_tuner", lang))
st.caption(t("tu_intro", lang))
if ctx.snapshot is None:
    empty_state.render(lang, ctx.db)
    st.stop()

baseline = ctx.current_rules or ctx.rules  # the tuner always starts from the rules file
tu.adopt_url(baseline)
with_matrices = st.toggle(
    t("tu_with_matrices", lang), key="tu_matrices", help=t("tu_with_matrices_help", lang)
)
with st.spinner(t("tu_preparing", lang)):
    index = tu.index(ctx, baseline, matrices=with_matrices)
if index.customers == 0:
    st.info(t("empty_selection", lang))
    st.stop()
sub = tu.subtitle(ctx, baseline)


@st.fragment
def live() -> None:
    """The thresholds and every figure they drive: a slider move reruns only this part."""
    values = tuner.tunable_values(baseline)
    st.button(t("tu_reset", lang), on_click=tu.reset, args=(baseline,), icon=":material/restart_alt:")
    retail, corporate, other = st.tabs(
        [t("tu_tab_retail", lang), t("tu_tab_corporate", lang), t("tu_tab_more", lang)]
    )
    with retail:
        for tier in ("emerging", "affluent", "hnw", "private"):
            key = f"retail.{tier}"
            tu.threshold(key, t("tu_lower_bound", lang, tier=tier_label(tier, lang)), values[key], lang)
    with corporate:
        tu.threshold(
            "corporate.large_annual_sales",
            t("tu_large_sales", lang),
            values["corporate.large_annual_sales"],
            lang,
        )
        for key in [k for k in values if k.startswith(tu.INDUSTRY_PREFIX)]:
            industry = industry_label(key.removeprefix(tu.INDUSTRY_PREFIX), lang)
            tu.threshold(key, t("tu_large_sales_industry", lang, industry=industry), values[key], lang)
        tu.threshold(
            "no_loan.above_scale_deposit_avg_daily",
            t("tu_no_loan_deposit", lang),
            values["no_loan.above_scale_deposit_avg_daily"],
            lang,
        )
    with other:
        params = tu.workload_params(lang)
        if with_matrices:
            cols = st.columns(2)
            em, tm = index.existing_matrix, index.target_matrix
            with cols[0]:
                tu.cut_input(
                    "matrices.existing.profit_cut", t("tu_profit_cut", lang), lang, em and em.x_median
                )
                tu.cut_input("matrices.existing.value_cut", t("tu_value_cut", lang), lang, em and em.y_median)
            with cols[1]:
                tu.cut_input(
                    "matrices.target.potential_cut", t("tu_potential_cut", lang), lang, tm and tm.x_median
                )
                tu.cut_input("matrices.target.fit_cut", t("tu_fit_cut", lang), lang, tm and tm.y_median)

    changes = tu.working(baseline)
    urlstate.publish({"tune": scenarios.encode(changes) if changes else None})
    try:
        scenario = tuner.scenario_rules(baseline, changes, name=t("tu_working", lang))
    except RulesError as exc:
        st.error(t("tu_invalid", lang, reason=str(exc)))
        return
    sim = tuner.simulate(index, baseline=baseline, scenario=scenario, workload=params)

    tu.metrics(sim, lang)
    measure = st.segmented_control(
        t("tu_measure", lang),
        list(charts.TUNER_MEASURES),
        format_func=lambda m: t(f"tu_measure_{m}", lang),
        default="customers",
        key="tu_measure",
    )
    ov.show_chart(charts.tuner_tier_bars(sim.tiers, measure=measure or "customers", lang=lang, subtitle=sub))
    tu.show_table(
        frames.tuner_tier_frame(sim, lang),
        title=t("tu_bars_title_customers", lang),
        key="tu_tiers",
        subtitle=sub,
    )
    ov.show_chart(charts.tuner_movement_heatmap(sim.movement, lang=lang, subtitle=sub))
    st.subheader(t("tu_workload_section", lang))
    st.caption(t("tu_workload_note", lang))
    ov.show_chart(charts.tuner_workload_bars(sim.workload, lang=lang, subtitle=sub))
    tu.show_table(
        frames.workload_frame(sim, lang), title=t("tu_workload_title", lang), key="tu_workload", subtitle=sub
    )
    st.subheader(t("tu_compliance_section", lang))
    tu.show_table(
        frames.tuner_compliance_frame(sim, lang),
        title=t("tu_compliance_section", lang),
        key="tu_compliance",
        subtitle=sub,
    )
    if sim.matrices:
        st.subheader(t("tu_matrices_section", lang))
        tu.show_table(
            frames.tuner_matrix_frame(sim, lang),
            title=t("tu_matrices_section", lang),
            key="tu_matrices",
            subtitle=sub,
        )

    # What acts on the working scenario lives in the fragment too, so that it never lags behind
    tu.movers_section(ctx, baseline, scenario, changes, lang)
    tu.scenarios_section(index, baseline, changes, params, lang)
    tu.suggest_section(index, baseline, changes, params, lang)
    tu.adopt_section(baseline, scenario, changes, lang)


live()
