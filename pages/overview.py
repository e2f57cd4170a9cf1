"""Overview: headline cards, tier pyramid, tiers over time, league table with drill-down,
concentration of profit and the top customers."""

from __future__ import annotations

import streamlit as st

from analytics import charts, concentration, overview
from analytics.i18n import level_name, t
from ui import context, data, empty_state, tables
from ui import overview as ov

ctx = context.current()
lang = ctx.lang
st.title(t("app_title", lang))

if ctx.snapshot is None:
    empty_state.render(lang, ctx.db)
    st.stop()

previous, year_ago = overview.comparison_dates(ctx.snapshots, ctx.snapshot)
head = data.result(
    overview.headline, ctx, snapshot_date=ctx.snapshot, previous_date=previous, year_ago_date=year_ago
)
if head.customers == 0:
    st.info(t("empty_selection", lang))
    st.stop()

ov.cards(head, lang)
sub = ov.subtitle(ctx)
segments = overview.segments_for(ctx.filters.segment)

# Tier pyramid, with the numbers behind it
st.subheader(t("ov_tiers_section", lang))
pyramid = data.result(overview.tier_pyramid, ctx, snapshot_date=ctx.snapshot, segments=segments)
summary = pyramid[["segment", "tier", "customers", "aum", "profit_contribution"]]
ov.show_chart(
    data.figure(charts.tier_pyramid, pyramid, lang=lang, subtitle=sub),
    table=tables.tier_table_frame(summary, lang),
)
with st.expander(t("tier_table", lang)):
    tables.show_tier_table(summary, lang)

# AUM and profit per tier over every snapshot (one query)
st.subheader(t("ov_history_section", lang))
history = data.result(overview.tier_history, ctx, segments=segments)
history_sub = ov.subtitle(ctx, snapshot=False)
left, right = st.columns(2)
with left:
    ov.show_chart(
        data.figure(
            charts.tier_history,
            history,
            measure="aum",
            lang=lang,
            subtitle=history_sub,
            highlight=ctx.snapshot,
        )
    )
with right:
    ov.show_chart(
        data.figure(
            charts.tier_history,
            history,
            measure="profit_contribution",
            lang=lang,
            subtitle=history_sub,
            highlight=ctx.snapshot,
        )
    )

# League table one level down; a bar or a row drills into that unit
level = ctx.filters.child_level
st.subheader(t("ov_league_section", lang, level=level_name(level, lang)))
ranking = data.result(overview.league, ctx, snapshot_date=ctx.snapshot, level=level, previous_date=previous)
ov.league(
    data.figure(charts.league_bars, ranking, level=level, lang=lang, subtitle=sub),
    ranking,
    ctx,
    previous_date=previous,
)

# Concentration of profit contribution
st.subheader(t("ov_concentration_section", lang))
conc = data.result(concentration.concentration, ctx, snapshot_date=ctx.snapshot)
left, right = st.columns([2, 1])
with left:
    fig = data.figure(
        charts.lorenz_curve,
        conc.lorenz,
        top_fraction=conc.top_fraction,
        top_share=conc.top_share,
        gini=conc.gini,
        lang=lang,
        subtitle=sub,
    )
    ov.show_chart(fig)
with right:
    ov.concentration_figures(conc, lang)

# Top customers by profit contribution (ordered and limited in the engine)
st.subheader(t("ov_top_customers", lang, n=20))
st.caption(sub)
tables.show_top_customers(data.result(overview.top_customers, ctx, snapshot_date=ctx.snapshot, n=20), lang)
