"""Segmentation: the classification tree of corporate and institutional customers, the
existing-customer and target-customer value matrices, and the tier heatmaps."""

from __future__ import annotations

import streamlit as st

from analytics import charts, segmentation, tiers
from analytics.i18n import level_name, t
from ui import context, data, empty_state, urlstate
from ui import overview as ov
from ui import segmentation as seg

ctx = context.current()
lang = ctx.lang
st.title(t("page_segmentation", lang))
st.caption(t("seg_intro", lang))

if ctx.snapshot is None:
    empty_state.render(lang, ctx.db)
    st.stop()

if data.result(tiers.tier_summary, ctx, snapshot_date=ctx.snapshot)["customers"].sum() == 0:
    st.info(t("empty_selection", lang))
    st.stop()

sub = ov.subtitle(ctx)

# 1. Classification tree of corporate and institutional customers; a node narrows the page
st.subheader(t("seg_tree_section", lang))
node = seg.node_choice(ctx)
if node is None:
    st.caption(t("seg_tree_retail", lang))
else:
    tree = data.result(segmentation.classification_tree, ctx, snapshot_date=ctx.snapshot)
    if tree["customers"].iloc[0] == 0:
        st.info(t("seg_tree_empty", lang))
        node = None
    else:
        seg.tree(ctx, tree, node, sub)
        seg.scope_caption(node, lang)
node_tiers = seg.node_tiers(node)
node_sub = seg.node_subtitle(sub, node, lang)

# 2. Existing customers: profit contribution x bank-to-customer value
st.subheader(t("seg_existing_section", lang))
# The population is scored once (the composite's ranks are the costly part) and kept in the
# engine; each change of a cut point then only classifies and counts it again.
scored = data.materialized(
    segmentation.scored_customers, ctx, tables=("surveys",), snapshot_date=ctx.snapshot, tiers=node_tiers
)
empty = t("seg_node_empty", lang, node=charts.node_label(node or seg.ROOT, lang))
existing = seg.matrix_section(ctx, "existing", source=scored, subtitle=node_sub, empty=empty)

# 3. Target customers (prospects): potential value x fit
st.subheader(t("seg_target_section", lang))
empty = t("seg_no_prospects", lang, date=ctx.snapshot.isoformat())
target = seg.matrix_section(ctx, "target", source="prospects", subtitle=sub, empty=empty)

# 4. Heatmaps: tier x organisation unit (branch by default), tier x quadrant
heading = st.empty()  # names the level chosen just below it
left, right = st.columns(2)
with left:
    level = seg.unit_choice(ctx, lang)
with right:
    measure = seg.measure_choice(lang)
heading.subheader(t("seg_heatmaps_section", lang, level=level_name(level, lang)))
units = data.result(segmentation.tier_by_unit, ctx, snapshot_date=ctx.snapshot, level=level, tiers=node_tiers)
ov.show_chart(
    data.figure(charts.tier_unit_heatmap, units, measure=measure, level=level, lang=lang, subtitle=node_sub)
)
if existing.cuts:
    by_quadrant = data.result(
        segmentation.tier_by_quadrant, ctx, source=scored, snapshot_date=ctx.snapshot, **existing.cuts
    )
    ov.show_chart(
        data.figure(charts.tier_quadrant_heatmap, by_quadrant, measure=measure, lang=lang, subtitle=node_sub)
    )

urlstate.publish(
    seg.page_url(node, existing.url_cuts | target.url_cuts, existing.url_classes | target.url_classes)
    | {"unit": None if level == seg.unit_levels(ctx)[1] else level}
)
