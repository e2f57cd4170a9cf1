"""Tier migration: who moved between tiers from one snapshot to another, where it happened, the
high-tier customers lost, and where the tier mix is heading over many months."""

from __future__ import annotations

import streamlit as st

from analytics import charts, frames, migration
from analytics.i18n import level_name, t
from ui import context, data, empty_state, urlstate
from ui import migration as mig
from ui import overview as ov

ctx = context.current()
lang = ctx.lang
st.title(t("page_migration", lang))
st.caption(t("mig_intro", lang))

if ctx.snapshot is None:
    empty_state.render(lang, ctx.db)
    st.stop()
if len(ctx.snapshots) < 2:
    st.info(t("mig_one_snapshot", lang, date=ctx.snapshots[0].isoformat()))
    st.stop()

# 1. Two snapshots: the transition matrix, the rates, the Sankey
from_date, to_date = pair = mig.snapshot_pair(ctx)
# The view's rules (a tuner scenario's rules will come through the same parameter)
tr = data.result(migration.transition, ctx, from_date=from_date, to_date=to_date)
if tr.counts.empty:
    st.info(t("empty_selection", lang))
    urlstate.publish(mig.page_url(ctx, pair))
    st.stop()
sub = mig.subtitle(ctx, from_date, to_date)

pair_key = mig.view_key(ctx, from_date, to_date)

st.subheader(t("mig_matrix_section", lang))
mig.rate_metrics(mig.derived(tr.rates, pair_key), lang)
show = mig.show_choice(lang)
matrix = mig.derived(frames.matrix_frame, mig.view_key(ctx, from_date, to_date, show, lang), tr, show, lang)
ov.show_chart(
    data.figure(charts.transition_heatmap, tr.counts, show=show, lang=lang, subtitle=sub), table=matrix
)
if show == "aum":
    st.caption(t("mig_aum_note", lang))
with st.expander(t("mig_matrix_table", lang)):
    mig.matrix_table(matrix, show, lang, subtitle=sub)
ov.show_chart(
    data.figure(
        charts.transition_sankey,
        mig.derived(tr.with_kinds, pair_key),
        lang=lang,
        subtitle=sub,
        from_label=t("mig_from_label", lang, date=from_date.isoformat()),
        to_label=t("mig_to_label", lang, date=to_date.isoformat()),
    )
)

# 2. Where it happens: one level down, drilling like the overview's league
level = ctx.filters.child_level
st.subheader(t("mig_where_section", lang, level=level_name(level, lang)))
units = data.result(migration.transition_by_unit, ctx, from_date=from_date, to_date=to_date, level=level)
bars = [
    data.figure(charts.unit_migration_bars, units, measure=measure, level=level, lang=lang, subtitle=sub)
    for measure in ("net_upgrades", "high_tier_losses")
]
mig.unit_league(ctx, units, bars, pair=pair, subtitle=sub)

# 3. High-tier losses: who was high-net-worth or private and is now lower or gone
st.subheader(t("mig_losses_section", lang))
losses = data.result(
    migration.high_tier_losses, ctx, from_date=from_date, to_date=to_date, limit=mig.LOSSES_LIMIT
)
mig.losses_table(ctx, losses, lang, pair)

# 4. Over many months: average monthly matrix, projection, stationary mix, backtest
st.subheader(t("mig_many_section", lang))
window, horizon = mig.window_controls(lang)
dates = migration.window_dates(ctx.snapshots, to_date, window)
if len(dates) < 2:
    st.info(t("mig_window_short", lang, date=to_date.isoformat()))
else:
    avg = data.result(migration.average_transition, ctx, snapshot_dates=dates)
    window_sub = mig.subtitle(ctx, dates[0], to_date, pairs=avg.pairs)
    st.caption(t("mig_avg_caption", lang, pairs=avg.pairs, span=frames.pair_text(dates[0], to_date)))
    # Its cells, the Markov projection from the "to" snapshot's mix and the mix it tends to
    start = mig.derived(migration.start_mix, pair_key, tr)
    views = mig.derived(migration.window_views, mig.view_key(ctx, dates), avg, start, mig.PROJECTION_MONTHS)
    ov.show_chart(
        data.figure(
            charts.average_matrix_heatmap,
            views.cells,
            ci_method=avg.ci_method,
            confidence=avg.confidence,
            pairs=avg.pairs,
            lang=lang,
            subtitle=window_sub,
        )
    )
    with st.expander(t("mig_avg_table", lang)):
        mig.average_table(views.cells, lang, subtitle=window_sub)
    ov.show_chart(
        data.figure(
            charts.projection_chart,
            views.projection,
            start_label=to_date.isoformat(),
            lang=lang,
            subtitle=window_sub,
        )
    )
    ov.show_chart(
        data.figure(
            charts.stationary_mix_bars,
            views.stationary,
            method=views.method,
            current_label=to_date.isoformat(),
            lang=lang,
            subtitle=window_sub,
        )
    )
    st.caption(t("mig_projection_caption", lang))

st.subheader(t("mig_backtest_section", lang, h=horizon))
origin = migration.backtest_origin(ctx.snapshots, to_date, horizon)
if origin is None:
    st.info(t("mig_backtest_short", lang, h=horizon, date=to_date.isoformat()))
else:
    known = tuple(d for d in ctx.snapshots if d <= to_date)
    test = data.result(
        migration.backtest, ctx, snapshot_dates=known, origin=origin, horizon=horizon, window=window
    )
    test_sub = mig.subtitle(ctx, origin, to_date)
    ov.show_chart(data.figure(charts.backtest_chart, test, lang=lang, subtitle=test_sub))
    mig.backtest_table(test, lang, title=t("mig_backtest_section", lang, h=horizon), subtitle=test_sub)

urlstate.publish(mig.page_url(ctx, pair, show=show, window=window, horizon=horizon))
