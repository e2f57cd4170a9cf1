"""Tier assignment and tier summaries as Ibis expressions.

Tiers are computed in the engine from the rules passed in: nothing here reads a file
or a global. The same expressions run on DuckDB and on PySpark (tested).
A value exactly at a threshold belongs to the higher tier.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pandas as pd

from analytics.rules import TIER_ORDER, TierRules

#: The segment each tier id belongs to (the leaves every count is reported by).
TIER_SEGMENT: dict[str, str] = {
    "mass": "retail",
    "emerging": "retail",
    "affluent": "retail",
    "hnw": "retail",
    "private": "retail",
    "strategic": "corporate",
    "large": "corporate",
    "medium": "corporate",
    "small": "corporate",
    "emerging_market": "corporate",
    "real_estate": "corporate",
    "above_scale": "corporate",
    "below_scale": "corporate",
    "institution": "institution",
    "institution_no_loan": "institution",
}


def profit_contribution(t: ir.Table) -> ir.FloatingColumn:
    """Profit contribution of each customer (CNY).

    ftp_loan_income + ftp_deposit_income + fee_income - capital_cost - operating_cost
    - credit_cost, with a missing component counted as 0.
    """

    def z(col: str) -> ir.FloatingColumn:
        return t[col].cast("float64").fill_null(0.0)

    return (
        z("ftp_loan_income")
        + z("ftp_deposit_income")
        + z("fee_income")
        - z("capital_cost")
        - z("operating_cost")
        - z("credit_cost")
    )


def retail_tier(aum: ir.NumericValue, rules: TierRules) -> ir.StringValue:
    """The retail tier of a financial-assets value under ``rules``."""
    branches = [(aum >= bound, tier) for tier, bound in reversed(rules.retail.bounds())]
    return ibis.cases(*branches, else_="mass")


def tier_expr(t: ir.Table, rules: TierRules) -> ir.StringColumn:
    """The tier id of every row of a customers table.

    Parameters
    ----------
    t : ibis.Table
        A customers table (any scope) with the canonical columns.
    rules : TierRules
        The rule set to apply.

    Returns
    -------
    ibis string column
        One of :data:`analytics.rules.TIER_ORDER`.
    """
    c = rules.corporate
    loan = t.loan_balance.fill_null(0) > 0
    sales = t.annual_sales.fill_null(0)
    assets = t.total_assets
    if c.large_annual_sales_by_industry:
        large_bar = ibis.cases(
            *[
                (t.industry == industry, ibis.literal(v))
                for industry, v in c.large_annual_sales_by_industry.items()
            ],
            else_=ibis.literal(c.large_annual_sales),
        )
    else:
        large_bar = ibis.literal(c.large_annual_sales)
    is_small = (sales < c.small_annual_sales_below) & (
        assets.isnull() | (assets < c.small_total_assets_below)
    )
    market = t.market.fill_null("traditional")
    corporate_loan = ibis.cases(
        (market == "emerging", "emerging_market"),
        (market == "real_estate", "real_estate"),
        (t.strategic.fill_null(False), "strategic"),
        (sales >= large_bar, "large"),
        (is_small, "small"),
        else_="medium",
    )
    corporate_no_loan = ibis.cases(
        (t.deposit_avg_daily.fill_null(0) >= rules.no_loan.above_scale_deposit_avg_daily, "above_scale"),
        else_="below_scale",
    )
    return ibis.cases(
        (t.segment == "retail", retail_tier(t.aum, rules)),
        ((t.segment == "institution") & loan, "institution"),
        (t.segment == "institution", "institution_no_loan"),
        (loan, corporate_loan),
        else_=corporate_no_loan,
    )


def with_tiers(t: ir.Table, rules: TierRules) -> ir.Table:
    """The table with two columns added: ``tier`` and ``profit_contribution``."""
    return t.mutate(tier=tier_expr(t, rules), profit_contribution=profit_contribution(t))


def _order_tiers(df: pd.DataFrame) -> pd.DataFrame:
    order = {tier: i for i, tier in enumerate(TIER_ORDER)}
    return df.sort_values("tier", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def tier_summary(
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    segments: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Customers, AUM and profit contribution per tier in one snapshot.

    Parameters
    ----------
    customers : ibis.Table
        Scoped customers table.
    rules : TierRules
        The rule set that assigns tiers.
    snapshot_date : datetime.date
        The snapshot to summarise.
    segments : tuple of str, optional
        Segments to report; every tier of these segments gets a row, with zeros when
        empty. Default: all three.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment, tier, customers, aum, profit_contribution`` in tier order.
    """
    segments = segments or ("retail", "corporate", "institution")
    t = with_tiers(customers.filter(customers.snapshot_date == snapshot_date), rules)
    agg = (
        t.group_by("tier")
        .aggregate(
            customers=t.count(),
            aum=t.aum.sum(),
            profit_contribution=t.profit_contribution.sum(),
        )
        .to_pandas()
    )
    frame = pd.DataFrame(
        {"tier": [tier for tier in TIER_ORDER if TIER_SEGMENT[tier] in segments]},
    )
    frame["segment"] = frame["tier"].map(TIER_SEGMENT)
    frame = frame.merge(agg, on="tier", how="left")
    frame["customers"] = frame["customers"].fillna(0).astype("int64")
    frame["aum"] = frame["aum"].fillna(0.0).astype("float64")
    frame["profit_contribution"] = frame["profit_contribution"].fillna(0.0).astype("float64")
    return _order_tiers(frame)[["segment", "tier", "customers", "aum", "profit_contribution"]]
