"""Tables as a person reads them: translated labels, money columns formatted."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from analytics.charts import money_scale
from analytics.i18n import segment_label, t, tier_label
from ui import export

MONEY_COLUMNS = ("aum", "profit_contribution", "deposits", "loans")


def tier_table_frame(summary: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A tier summary as read and exported: tier and segment names, headers in ``lang``, whole yuan."""
    money = {c: summary[c].round(0) for c in MONEY_COLUMNS if c in summary}
    return summary.assign(
        segment=summary["segment"].map(lambda s: segment_label(s, lang)),
        tier=summary["tier"].map(lambda x: tier_label(x, lang)),
        **money,
    ).rename(columns={c: t(c, lang) for c in summary.columns})


def show_tier_table(summary: pd.DataFrame, lang: str) -> None:
    """Show a tier summary with tier and segment names and headers in ``lang``, with its exports."""
    export.show_table(
        tier_table_frame(summary, lang),
        title=t("tier_table", lang),
        key="tier_table",
        column_config={
            t(c, lang): st.column_config.NumberColumn(format="localized")
            for c in MONEY_COLUMNS
            if c in summary
        },
    )


#: The largest money unit a table uses: 万元 in Chinese, CNY M in English, as bank reports do.
TABLE_UNIT_CAP = {"zh": 1e4, "en": 1e6}
MONEY_FORMAT = "%,.1f"


def _money(values: pd.Series, lang: str) -> tuple[pd.Series, str]:
    # One unit per column keeps the column sortable as numbers.
    divisor, unit = money_scale(values, lang, largest=TABLE_UNIT_CAP.get(lang))
    return (values / divisor).round(1), unit


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
    aum, aum_unit = _money(df["aum"], lang)
    profit, profit_unit = _money(df["profit_contribution"], lang)
    growth, affluent, hnw = (
        t(k, lang) for k in ("ov_aum_growth", "ov_affluent_plus_share", "ov_hnw_plus_aum_share")
    )
    columns = {
        t(level, lang): df["name"],
        t("customers", lang): df["customers"],
        t("ov_col_money", lang, label=t("aum", lang), unit=aum_unit): aum,
        t("ov_col_money", lang, label=t("profit_contribution", lang), unit=profit_unit): profit,
        growth: df["aum_growth"] * 100,
    }
    if retail_mix:
        columns[affluent] = df["affluent_plus_share"] * 100
        columns[hnw] = df["hnw_plus_aum_share"] * 100
    shown = pd.DataFrame(columns)
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
    divisor, unit = money_scale(
        [*df["aum"], *df["profit_contribution"]], lang, largest=TABLE_UNIT_CAP.get(lang)
    )
    shown = pd.DataFrame(
        {
            t("ov_col_customer_id", lang): df["customer_id"],
            t("ov_col_customer_name", lang): df["customer_name"],
            t("segment", lang): df["segment"].map(lambda s: segment_label(s, lang)),
            t("tier", lang): df["tier"].map(lambda x: tier_label(x, lang)),
            t("branch", lang): df["branch"],
            t("rm_id", lang): df["rm_id"],
            t("ov_col_money", lang, label=t("aum", lang), unit=unit): (df["aum"] / divisor).round(1),
            t("ov_col_money", lang, label=t("profit_contribution", lang), unit=unit): (
                df["profit_contribution"] / divisor
            ).round(1),
        }
    )
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
