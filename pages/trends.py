"""Satisfaction & complaints: monthly series with confidence bands, trend verdicts, control charts,
STL and forecasts; the complaint Pareto, resolution and backlog; the links between complaints,
satisfaction and closures. Only the open tab runs."""

from __future__ import annotations

import streamlit as st

from analytics import tiers
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
tabs = tr.tabs(lang)
opened = tr.open_tab(tabs)
by = cby = within = None

if opened == "satisfaction":
    with tabs["satisfaction"]:
        by = tr.satisfaction_tab(ctx, loaded, has_customers, sub)
if opened == "complaints":
    with tabs["complaints"]:
        cby, within = tr.complaints_tab(ctx, loaded, has_customers, sub)
if opened == "links":
    with tabs["links"]:
        tr.links_tab(ctx, loaded, has_customers, sub)

urlstate.publish(tr.url(opened, by=by, cby=cby, within=within))
