"""Service standards: whether retail customers get the service their tier promises, per tier,
per unit one level down (a league that drills), and the customers not served to standard."""

from __future__ import annotations

import streamlit as st

from analytics import charts, frames, standards
from analytics.i18n import level_name, t
from ui import context, data, empty_state, urlstate
from ui import overview as ov
from ui import standards as std

ctx = context.current()
lang = ctx.lang
st.title(t("page_standards", lang))
st.caption(t("std_intro", lang))

if ctx.snapshot is None:
    empty_state.render(lang, ctx.db)
    st.stop()

# The view's rules (a tuner scenario's rules come through the same parameter)
comp = data.result(standards.compliance, ctx, snapshot_date=ctx.snapshot)
if comp.retail_customers == 0:
    note = "" if ctx.filters.segment in ("all", "retail") else " " + t("std_choose_retail", lang)
    st.info(t("std_no_retail", lang) + note)
    st.stop()
if comp.measures_applicable == 0:
    st.info(t("std_none_apply", lang))
    st.stop()
sub = ov.subtitle(ctx)
std.headline(comp, lang)

# 1. Per tier: every standard against its target
st.subheader(t("std_tier_section", lang))
ov.show_chart(
    data.figure(charts.standards_tier_bars, comp.by_tier, lang=lang, subtitle=sub),
    table=frames.standards_tier_frame(comp.by_tier, lang),
)
st.caption(
    t("std_tier_note", lang, products=frames.key_products_text(ctx.rules.standards.key_products, lang))
)
with st.expander(t("std_tier_table", lang)):
    std.tier_table(comp.by_tier, lang)

# 2. Per unit one level down: the league, drilling like the overview's
level = ctx.filters.child_level
st.subheader(t("std_league_section", lang, level=level_name(level, lang)))
rank = std.rank_choice(comp, lang)
units = data.result(standards.compliance_by_unit, ctx, snapshot_date=ctx.snapshot, level=level)
fig = data.figure(
    charts.standards_league_bars,
    units.league,
    measure=rank,
    target=std.target_of(comp, rank),
    level=level,
    lang=lang,
    subtitle=sub,
)
std.league(ctx, units, fig)

# 3. The customers not served to standard (ordered and limited in the engine)
st.subheader(t("std_list_section", lang))
missing, tier = std.list_filters(comp, lang)
found = data.result(
    standards.not_served,
    ctx,
    snapshot_date=ctx.snapshot,
    standard=missing or None,
    tier=tier or None,
    limit=std.LIST_LIMIT,
)
std.not_served_table(ctx, found, lang, missing, tier)

urlstate.publish(std.page_url(rank, missing, tier))
