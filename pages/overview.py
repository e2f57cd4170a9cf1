"""Overview: the portfolio's headline numbers and its tier mix."""

from __future__ import annotations

import streamlit as st

from analytics import tiers
from analytics.charts import tier_mix_bars
from analytics.i18n import format_change, format_count, format_money, t
from ui import data, empty_state, tables

ctx = st.session_state["context"]
lang = ctx.lang
st.title(t("app_title", lang))

if ctx.snapshot is None:
    empty_state.render(lang, ctx.db)
    st.stop()

head = data.result(tiers.headline, ctx, snapshot_date=ctx.snapshot)
vs = t("vs_previous", lang, date=head.previous_date.isoformat()) if head.previous_date else None
cards = [
    ("customers", format_count(head.customers, lang)),
    ("aum", format_money(head.aum, lang)),
    ("deposits", format_money(head.deposits, lang)),
    ("loans", format_money(head.loans, lang)),
    ("profit_contribution", format_money(head.profit_contribution, lang)),
]
for col, (measure, shown) in zip(st.columns(len(cards)), cards, strict=True):
    change = format_change(head.change(measure))
    col.metric(
        t(measure, lang),
        shown,
        delta=change,
        help=f"{vs} · {t('cny', lang)}" if vs and measure != "customers" else vs,
    )

summary = data.result(tiers.tier_summary, ctx, snapshot_date=ctx.snapshot)
subtitle = f"{t('snapshot', lang)} {ctx.snapshot.isoformat()} · {t('rules', lang)}: {ctx.rules.name} v{ctx.rules.version}"
st.plotly_chart(tier_mix_bars(summary, lang=lang, subtitle=subtitle), width="stretch", theme=None)

st.subheader(t("tier_table", lang))
tables.show_tier_table(summary, lang)
