"""Showing tables as a person reads them: number formats and export controls on the frames of
:mod:`analytics.frames` (translated labels, money in one unit per column)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from analytics.frames import TIER_MONEY_COLUMNS, league_frame, tier_table_frame, top_customers_frame
from analytics.i18n import t
from ui import export


def show_tier_table(summary: pd.DataFrame, lang: str) -> None:
    """Show a tier summary with tier and segment names and headers in ``lang``, with its exports."""
    export.show_table(
        tier_table_frame(summary, lang),
        title=t("tier_table", lang),
        key="tier_table",
        column_config={
            t(c, lang): st.column_config.NumberColumn(format="localized")
            for c in TIER_MONEY_COLUMNS
            if c in summary
        },
    )


#: How a money column in one unit (:func:`analytics.frames.scaled_money`) is shown.
MONEY_FORMAT = "%,.1f"


def show_league_table(
    df: pd.DataFrame,
    *,
    level: str,
    lang: str,
    previous_date=None,
    retail_mix: bool = True,
    key: str | None = None,
    on_select: Any = "ignore",
) -> None:
    """Show a league table (:func:`analytics.overview.league`), sortable, one row selectable.

    Parameters
    ----------
    df : pandas.DataFrame
        The league, largest AUM first; selections report positions in this order.
    level : {"region", "branch", "rm_id"}
        What the rows are (header of the name column).
    lang : str
        ``"en"`` or ``"zh"``.
    previous_date : datetime.date, optional
        The snapshot AUM growth is measured against (named in its header).
    retail_mix : bool
        Show the retail tier-mix columns (off when the view has no retail customers).
    key, on_select
        Passed to ``st.dataframe`` (a callback drills into the selected row).
    """
    shown = league_frame(df, level, lang, retail_mix=retail_mix)
    growth, affluent, hnw = (
        t(k, lang) for k in ("ov_aum_growth", "ov_affluent_plus_share", "ov_hnw_plus_aum_share")
    )
    growth_help = (
        t("ov_aum_growth_help", lang, date=previous_date.isoformat())
        if previous_date
        else t("ov_aum_growth_na", lang)
    )
    config = {
        t("customers", lang): st.column_config.NumberColumn(format="%,d"),
        growth: st.column_config.NumberColumn(format="%+.1f%%", help=growth_help),
        affluent: st.column_config.NumberColumn(format="%.1f%%", help=t("ov_affluent_plus_help", lang)),
        hnw: st.column_config.NumberColumn(format="%.1f%%", help=t("ov_hnw_plus_aum_help", lang)),
    }
    config.update({c: st.column_config.NumberColumn(format=MONEY_FORMAT) for c in list(shown.columns)[2:4]})
    config = {c: v for c, v in config.items() if c in shown}
    # Every unit visible without scrolling up to about 25 rows.
    height = min(36 * (len(shown) + 1) + 3, 36 * 26)
    kwargs = {} if on_select == "ignore" else {"on_select": on_select, "selection_mode": "single-row"}
    # A unit without retail customers has no retail mix: a dash, not "None".
    export.show_table(
        shown,
        title=t("ov_league_section", lang, level=t(level, lang)),
        key=key or "ov_league_table",
        column_config=config,
        height=height,
        placeholder="–",
        **kwargs,
    )


def show_top_customers(df: pd.DataFrame, lang: str) -> None:
    """Show the top customers (:func:`analytics.overview.top_customers`) with names in ``lang``."""
    shown = top_customers_frame(df, lang)
    config = {c: st.column_config.NumberColumn(format=MONEY_FORMAT) for c in list(shown.columns)[-2:]}
    # Tall enough for every row: a top-20 list should not scroll.
    export.show_table(
        shown,
        title=t("ov_top_customers", lang, n=len(shown)),
        key="ov_top_customers",
        column_config=config,
        height=36 * (len(shown) + 1) + 3,
        placeholder="–",
    )
