"""Segmentation: the classification tree of corporate and institutional customers, the
existing-customer and target-customer value matrices, and the tier heatmaps."""

from __future__ import annotations

import streamlit as st

from analytics import charts, segmentation, tiers
from analytics.i18n import t
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
cuts: dict[str, tuple[float, float]] = {}
classes: dict[str, str] = {}

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
existing = dict(ctx=ctx, source=scored, snapshot_date=ctx.snapshot)
defaults = data.result(segmentation.existing_matrix, **existing)
shown = defaults.population > 0 and None not in defaults.cut_points.values()
if not shown:
    st.info(t("seg_node_empty", lang, node=charts.node_label(node or seg.ROOT, lang)))
else:
    p_default, v_default = defaults.cut_points.values()
    p_cut, v_cut = seg.cut_inputs(defaults, lang)
    matrix = data.result(
        segmentation.existing_matrix,
        **existing,
        profit_cut=seg.chosen_or_none(p_cut, p_default),
        value_cut=seg.chosen_or_none(v_cut, v_default),
    )
    seg.cuts_caption(matrix, ctx.rules, lang)
    points = data.result(
        segmentation.existing_points, **existing, profit_cut=p_cut, value_cut=v_cut, max_points=seg.MAX_POINTS
    )
    ov.show_chart(
        data.figure(
            charts.existing_matrix_scatter,
            points,
            profit_cut=p_cut,
            value_cut=v_cut,
            population=matrix.population,
            lang=lang,
            subtitle=node_sub,
        )
    )
    seg.sample_caption(len(points), matrix, lang)
    seg.class_table(matrix, lang)
    quadrant = seg.class_choice("existing", lang)
    listed = data.result(
        segmentation.existing_customers,
        **existing,
        quadrant=quadrant,
        profit_cut=p_cut,
        value_cut=v_cut,
        limit=seg.LIST_LIMIT,
    )
    seg.class_list(listed, "existing", matrix.counts()[quadrant], lang)
    cuts |= {"pcut": (p_cut, p_default), "vcut": (v_cut, v_default)}
    classes["quadrant"] = quadrant

# 3. Target customers (prospects): potential value x fit
st.subheader(t("seg_target_section", lang))
target = dict(ctx=ctx, source="prospects", snapshot_date=ctx.snapshot)
t_defaults = data.result(segmentation.target_matrix, **target)
if t_defaults.population == 0 or None in t_defaults.cut_points.values():
    st.info(t("seg_no_prospects", lang, date=ctx.snapshot.isoformat()))
else:
    pot_default, fit_default = t_defaults.cut_points.values()
    pot_cut, fit_cut = seg.cut_inputs(t_defaults, lang)
    t_matrix = data.result(
        segmentation.target_matrix,
        **target,
        potential_cut=seg.chosen_or_none(pot_cut, pot_default),
        fit_cut=seg.chosen_or_none(fit_cut, fit_default),
    )
    seg.cuts_caption(t_matrix, ctx.rules, lang)
    t_points = data.result(
        segmentation.target_points,
        **target,
        potential_cut=pot_cut,
        fit_cut=fit_cut,
        max_points=seg.MAX_POINTS,
    )
    ov.show_chart(
        data.figure(
            charts.target_matrix_scatter,
            t_points,
            potential_cut=pot_cut,
            fit_cut=fit_cut,
            population=t_matrix.population,
            lang=lang,
            subtitle=sub,
        )
    )
    seg.sample_caption(len(t_points), t_matrix, lang)
    seg.class_table(t_matrix, lang)
    target_class = seg.class_choice("target", lang)
    t_listed = data.result(
        segmentation.target_prospects,
        **target,
        target_class=target_class,
        potential_cut=pot_cut,
        fit_cut=fit_cut,
        limit=seg.LIST_LIMIT,
    )
    seg.class_list(t_listed, "target", t_matrix.counts()[target_class], lang)
    cuts |= {"tpcut": (pot_cut, pot_default), "tfcut": (fit_cut, fit_default)}
    classes["tclass"] = target_class

# 4. Heatmaps: tier x organisation unit (branch by default), tier x quadrant
heading = st.empty()  # names the level chosen just below it
left, right = st.columns(2)
with left:
    level = seg.unit_choice(ctx, lang)
with right:
    measure = seg.measure_choice(lang)
heading.subheader(
    t("seg_heatmaps_section", lang, level=t(level, lang).lower() if lang == "en" else t(level, lang))
)
units = data.result(segmentation.tier_by_unit, ctx, snapshot_date=ctx.snapshot, level=level, tiers=node_tiers)
ov.show_chart(
    data.figure(charts.tier_unit_heatmap, units, measure=measure, level=level, lang=lang, subtitle=node_sub)
)
if shown:
    by_quadrant = data.result(segmentation.tier_by_quadrant, **existing, profit_cut=p_cut, value_cut=v_cut)
    ov.show_chart(
        data.figure(charts.tier_quadrant_heatmap, by_quadrant, measure=measure, lang=lang, subtitle=node_sub)
    )

urlstate.publish(
    seg.page_url(node, cuts, classes) | {"unit": None if level == seg.unit_levels(ctx)[1] else level}
)
