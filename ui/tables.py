"""Tables as a person reads them: translated labels, money columns formatted."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.i18n import segment_label, t, tier_label

MONEY_COLUMNS = ("aum", "profit_contribution", "deposits", "loans")


def show_tier_table(summary: pd.DataFrame, lang: str) -> None:
    """Show a tier summary with tier and segment names and headers in ``lang``."""
    money = {c: summary[c].round(0) for c in MONEY_COLUMNS if c in summary}  # whole yuan on screen
    shown = summary.assign(
        segment=summary["segment"].map(lambda s: segment_label(s, lang)),
        tier=summary["tier"].map(lambda x: tier_label(x, lang)),
        **money,
    ).rename(columns={c: t(c, lang) for c in summary.columns})
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            t(c, lang): st.column_config.NumberColumn(format="localized")
            for c in MONEY_COLUMNS
            if c in summary
        },
    )
