"""The overview page's figures: headline cards, tier pyramid, tier history and the league table.

Every function takes a customers table that is already scoped and filtered
(:func:`analytics.scope.apply_filters`) and aggregates in the engine; what comes back is
one row per snapshot, tier or organisation unit, never one row per customer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from analytics.rules import TIER_ORDER, TierRules
from analytics.tiers import TIER_SEGMENT, profit_contribution, tier_expr, tier_summary, with_tiers

#: The measures of the headline cards, in the order they are shown.
MEASURES = ("customers", "aum", "deposits", "loans", "profit_contribution")

#: The organisation columns a league table can rank by.
LEAGUE_LEVELS = ("region", "branch", "rm_id")

#: Retail tiers counted as "affluent and above" and as "high net worth and above" in the tier mix.
AFFLUENT_PLUS = ("affluent", "hnw", "private")
HNW_PLUS = ("hnw", "private")


def segments_for(segment: str) -> tuple[str, ...]:
    """The segments whose tiers a view shows, for a sidebar segment choice.

    ``corporate`` in the sidebar means every non-retail customer, institutions included
    (see :class:`analytics.scope.Filters`).
    """
    return {
        "all": ("retail", "corporate", "institution"),
        "retail": ("retail",),
        "corporate": ("corporate", "institution"),
        "institution": ("institution",),
    }[segment]


def comparison_dates(
    snapshots: Iterable[dt.date], snapshot_date: dt.date
) -> tuple[dt.date | None, dt.date | None]:
    """The previous snapshot and the snapshot a year earlier, among the loaded ones.

    Parameters
    ----------
    snapshots : iterable of datetime.date
        The loaded snapshot dates (any order).
    snapshot_date : datetime.date
        The snapshot being shown.

    Returns
    -------
    (previous, year_ago) : tuple of datetime.date or None
        ``previous`` is the latest snapshot before ``snapshot_date``; ``year_ago`` the
        latest snapshot in the same calendar month one year earlier (so 2026-02-28 finds
        2025-02-28 and a mid-month load still matches). ``None`` when not loaded.
    """
    earlier = [d for d in snapshots if d < snapshot_date]
    previous = max(earlier, default=None)
    month = (snapshot_date.year - 1, snapshot_date.month)
    year_ago = max((d for d in earlier if (d.year, d.month) == month), default=None)
    return previous, year_ago


@dataclass(frozen=True)
class Headline:
    """Headline figures of one snapshot, the snapshot before it and the one a year earlier.

    Money is in CNY. ``previous_*`` are ``None`` when there is no earlier snapshot and
    ``year_ago_*`` when the snapshot twelve months earlier is not loaded.
    """

    snapshot_date: dt.date
    previous_date: dt.date | None
    customers: int
    aum: float
    deposits: float
    loans: float
    profit_contribution: float
    previous_customers: int | None = None
    previous_aum: float | None = None
    previous_deposits: float | None = None
    previous_loans: float | None = None
    previous_profit_contribution: float | None = None
    year_ago_date: dt.date | None = None
    year_ago_customers: int | None = None
    year_ago_aum: float | None = None
    year_ago_deposits: float | None = None
    year_ago_loans: float | None = None
    year_ago_profit_contribution: float | None = None

    def change(self, measure: str, against: str = "previous") -> float | None:
        """Relative change of a measure (0.05 = +5%).

        Parameters
        ----------
        measure : str
            One of :data:`MEASURES`.
        against : {"previous", "year_ago"}
            The snapshot compared with.

        Returns
        -------
        float or None
            ``None`` when the comparison snapshot is missing or its value is 0 (a change
            from nothing has no percentage). The base is taken as an absolute value so
            that a loss turning into a smaller loss shows as an improvement.
        """
        if against not in ("previous", "year_ago"):
            raise ValueError(f"against must be 'previous' or 'year_ago', not {against!r}")
        now, before = getattr(self, measure), getattr(self, f"{against}_{measure}")
        if before in (None, 0):
            return None
        return (now - before) / abs(before)


def headline(
    customers: ir.Table,
    *,
    snapshot_date: dt.date,
    previous_date: dt.date | None = None,
    year_ago_date: dt.date | None = None,
) -> Headline:
    """Headline figures (customers, AUM, deposits, loans, profit contribution) with comparisons.

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    snapshot_date : datetime.date
        The snapshot to report.
    previous_date, year_ago_date : datetime.date, optional
        The comparison snapshots, usually from :func:`comparison_dates` over every loaded
        snapshot (so that a branch with no customers last month compares with 0 rather
        than with an older month). When both are omitted they are found among the
        snapshots of ``customers`` itself.

    Returns
    -------
    Headline
        All zeros (and no comparisons) when ``snapshot_date`` has no rows in ``customers``
        and the dates were not given.
    """
    explicit = previous_date is not None or year_ago_date is not None
    t = customers
    if explicit:
        wanted = [d for d in (snapshot_date, previous_date, year_ago_date) if d is not None]
        t = t.filter(t.snapshot_date.isin(wanted))
    else:
        t = t.filter(t.snapshot_date <= snapshot_date)
    per_snapshot = (
        t.group_by("snapshot_date")
        .aggregate(
            customers=t.count(),
            aum=t.aum.sum(),
            deposits=t.deposit_balance.fill_null(0).sum(),
            loans=t.loan_balance.fill_null(0).sum(),
            profit_contribution=profit_contribution(t).sum(),
        )
        .to_pandas()
    )
    per_snapshot["snapshot_date"] = pd.to_datetime(per_snapshot["snapshot_date"]).dt.date
    rows = {r["snapshot_date"]: r for r in per_snapshot.to_dict("records")}
    if not explicit:
        if snapshot_date not in rows:
            return Headline(snapshot_date, None, 0, 0.0, 0.0, 0.0, 0.0)
        previous_date, year_ago_date = comparison_dates(rows, snapshot_date)

    def values(date: dt.date | None, prefix: str) -> dict:
        if date is None:
            return {}
        # A comparison snapshot that is loaded but has none of these customers counts as 0.
        row = rows.get(date, {})
        out = {f"{prefix}customers": int(row.get("customers") or 0)}
        out.update({f"{prefix}{m}": float(row.get(m) or 0.0) for m in MEASURES[1:]})
        return out

    return Headline(
        snapshot_date=snapshot_date,
        previous_date=previous_date,
        year_ago_date=year_ago_date,
        **values(snapshot_date, ""),
        **values(previous_date, "previous_"),
        **values(year_ago_date, "year_ago_"),
    )


def tier_pyramid(
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    segments: tuple[str, ...] = ("retail", "corporate", "institution"),
) -> pd.DataFrame:
    """Customers and AUM per tier with each tier's share of its panel.

    The retail tiers form one panel (the wealth pyramid) and the corporate and
    institution tiers another; shares are of the panel's total, because a share of
    retail customers and corporate customers together would mean nothing.

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    rules : TierRules
        The rule set that assigns tiers.
    snapshot_date : datetime.date
        The snapshot to show.
    segments : tuple of str
        Segments whose tiers are listed (:func:`segments_for` of the segment filter).

    Returns
    -------
    pandas.DataFrame
        ``panel, segment, tier, customers, aum, profit_contribution, customers_share,
        aum_share`` in tier order, one row per tier of ``segments`` (zeros included);
        ``panel`` is ``retail`` or ``corporate``; shares are fractions (0.25 = 25%) and
        0 when the panel is empty.
    """
    df = tier_summary(customers, rules=rules, snapshot_date=snapshot_date, segments=segments)
    df.insert(0, "panel", df["segment"].where(df["segment"] == "retail", "corporate"))
    for measure in ("customers", "aum"):
        total = df.groupby("panel")[measure].transform("sum")
        df[f"{measure}_share"] = (df[measure] / total.where(total != 0)).fillna(0.0)
    return df


def tier_history(
    customers: ir.Table,
    *,
    rules: TierRules,
    segments: tuple[str, ...] = ("retail", "corporate", "institution"),
) -> pd.DataFrame:
    """Customers, AUM and profit contribution per tier in every snapshot (one query).

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table (all snapshots).
    rules : TierRules
        The rule set that assigns tiers (applied to every snapshot alike).
    segments : tuple of str
        Segments whose tiers are listed.

    Returns
    -------
    pandas.DataFrame
        ``snapshot_date, segment, tier, customers, aum, profit_contribution``: every
        snapshot that has rows times every tier of ``segments`` (zeros filled, so that
        stacked charts do not skip a month), sorted by date and tier order.
    """
    t = with_tiers(customers, rules)
    agg = (
        t.group_by(["snapshot_date", "tier"])
        .aggregate(customers=t.count(), aum=t.aum.sum(), profit_contribution=t.profit_contribution.sum())
        .to_pandas()
    )
    tiers = [tier for tier in TIER_ORDER if TIER_SEGMENT[tier] in segments]
    dates = sorted(pd.to_datetime(agg["snapshot_date"]).dt.date.unique())
    grid = pd.MultiIndex.from_product([dates, tiers], names=["snapshot_date", "tier"]).to_frame(index=False)
    agg["snapshot_date"] = pd.to_datetime(agg["snapshot_date"]).dt.date
    df = grid.merge(agg, on=["snapshot_date", "tier"], how="left")
    df["customers"] = df["customers"].fillna(0).astype("int64")
    for measure in ("aum", "profit_contribution"):
        df[measure] = df[measure].fillna(0.0).astype("float64")
    df.insert(1, "segment", df["tier"].map(TIER_SEGMENT))
    return df[["snapshot_date", "segment", "tier", "customers", "aum", "profit_contribution"]]


def league(
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    level: str,
    previous_date: dt.date | None = None,
) -> pd.DataFrame:
    """One row per organisation unit one level down: size, profit, growth and tier mix.

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    rules : TierRules
        The rule set that assigns tiers (for the tier mix).
    snapshot_date : datetime.date
        The snapshot to rank.
    level : {"region", "branch", "rm_id"}
        The column to rank by (:attr:`analytics.scope.Filters.child_level`).
    previous_date : datetime.date, optional
        The snapshot AUM growth is measured against; without it growth is NaN.

    Returns
    -------
    pandas.DataFrame
        ``name, customers, aum, profit_contribution, aum_previous, aum_growth,
        retail_customers, affluent_plus_share, hnw_plus_aum_share`` sorted by AUM
        (largest first). ``aum_growth`` is a fraction of the unit's AUM at
        ``previous_date`` (NaN when it had none). The tier mix is of the unit's *retail*
        customers: ``affluent_plus_share`` the share of them that are affluent, HNW or
        private, ``hnw_plus_aum_share`` the share of their AUM held by HNW and private
        customers (NaN without retail customers). Units with no customers at
        ``snapshot_date`` are left out; a missing name is shown as ``unassigned``.
    """
    if level not in LEAGUE_LEVELS:
        raise ValueError(f"level must be one of {LEAGUE_LEVELS}, not {level!r}")
    dates = [snapshot_date] if previous_date is None else [snapshot_date, previous_date]
    t = with_tiers(customers.filter(customers.snapshot_date.isin(dates)), rules)
    t = t.mutate(name=t[level].fill_null("unassigned"))
    # Conditional sums: both snapshots and the tier mix in one pass over the rows.
    now = t.snapshot_date == snapshot_date
    retail = now & (t.segment == "retail")
    agg = t.group_by("name").aggregate(
        customers=t.count(where=now),
        aum=t.aum.sum(where=now),
        profit_contribution=t.profit_contribution.sum(where=now),
        aum_previous=t.aum.sum(where=t.snapshot_date == previous_date)
        if previous_date
        else ibis.null("float64"),
        retail_customers=t.count(where=retail),
        affluent_plus=t.count(where=retail & t.tier.isin(AFFLUENT_PLUS)),
        retail_aum=t.aum.sum(where=retail),
        hnw_plus_aum=t.aum.sum(where=retail & t.tier.isin(HNW_PLUS)),
    )
    df = agg.filter(agg.customers > 0).to_pandas()
    for col in ("aum", "profit_contribution", "retail_aum", "hnw_plus_aum"):
        df[col] = df[col].fillna(0.0).astype("float64")
    df["aum_previous"] = df["aum_previous"].astype("float64")
    before = df["aum_previous"].where(df["aum_previous"] > 0)
    df["aum_growth"] = (df["aum"] - before) / before
    df["affluent_plus_share"] = df["affluent_plus"] / df["retail_customers"].where(df["retail_customers"] > 0)
    df["hnw_plus_aum_share"] = df["hnw_plus_aum"] / df["retail_aum"].where(df["retail_aum"] > 0)
    df = df.sort_values(["aum", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return df[
        [
            "name",
            "customers",
            "aum",
            "profit_contribution",
            "aum_previous",
            "aum_growth",
            "retail_customers",
            "affluent_plus_share",
            "hnw_plus_aum_share",
        ]
    ]


def top_customers(
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    n: int = 20,
) -> pd.DataFrame:
    """The ``n`` customers with the largest profit contribution (ordered and limited in the engine).

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    rules : TierRules
        The rule set that assigns the tier shown.
    snapshot_date : datetime.date
        The snapshot to rank.
    n : int
        How many customers.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, customer_name, segment, tier, branch, rm_id, aum,
        profit_contribution``, largest contribution first (ties by customer_id).
    """
    t = customers.filter(customers.snapshot_date == snapshot_date)
    t = t.mutate(profit_contribution=profit_contribution(t))
    # Rank and cut first, then tier the n rows left: the tier expression is the costly part.
    order = [ibis.desc("profit_contribution"), "customer_id"]
    top = t.order_by(order).limit(n)
    top = top.mutate(tier=tier_expr(top, rules))
    cols = [
        "customer_id",
        "customer_name",
        "segment",
        "tier",
        "branch",
        "rm_id",
        "aum",
        "profit_contribution",
    ]
    return top.select(cols).order_by(order).to_pandas()
