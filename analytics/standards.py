"""Service standards: who is served to the standard of their tier, per tier, unit and customer.

The standards are numbers of the tier rules (``[standards]`` of ``data/tier_rules.toml``,
:class:`analytics.rules.ServiceStandards`), passed in with the rules; nothing here holds a
number of its own. They apply to **retail** customers, tiered by the rules' AUM thresholds:

- customer-level standards, judged customer by customer (a customer meets it or not):
  ``contacts`` (contacts a month), ``events`` (events a year; private banking has its own
  number), ``senior_visits`` (senior visits a year, private banking only) and
  ``min_products`` (product types held);
- portfolio-level standards, judged as a share of a group of tiers against a target:
  ``profile_coverage`` (share of the customers of a tier *and every tier above it* with a
  profile, one target per tier named in the rules) and ``key_products`` (share of the
  customers of the key-product tiers holding *every* key product).

Functions:

- :func:`measures_of`: the judged measures of a rule set (a customer-level standard is one
  measure; each profile-coverage target is one).
- :func:`compliance`: per tier (and per group of tiers for the portfolio-level standards)
  the customers in scope, those meeting the standard, the share and the target.
- :func:`compliance_by_unit`: the same per region, branch or relationship manager, as a
  league table ranked by a combined score (:data:`SCORE_DOC`).
- :func:`not_served`: the customers not served to standard, largest AUM first, with what
  they miss, their actual numbers and the numbers required.

Every function takes a customers table that is already scoped and filtered
(:func:`analytics.scope.apply_filters`). The engine does the work: one grouped aggregate
per call (tiers x units at most), and the not-served list is ordered and limited in the
engine. The definitions are written up for analysts in ``docs/standards.md``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics.rules import RETAIL_TIERS, ServiceStandards, TierRules
from analytics.tiers import retail_tier

#: The standards, in the order they are reported.
STANDARDS: tuple[str, ...] = (
    "contacts",
    "events",
    "senior_visits",
    "min_products",
    "profile_coverage",
    "key_products",
)
#: Standards judged customer by customer (a requirement per customer).
CUSTOMER_STANDARDS: tuple[str, ...] = ("contacts", "events", "senior_visits", "min_products")
#: Standards judged as a share of a group of tiers against a target.
PORTFOLIO_STANDARDS: tuple[str, ...] = ("profile_coverage", "key_products")

#: The column each customer-level standard reads (missing values count as 0).
ACTUAL_COLUMNS: dict[str, str] = {
    "contacts": "contacts_month",
    "events": "events_year",
    "senior_visits": "senior_visits_year",
    "min_products": "products_held",
}

#: The organisation columns a league can rank.
UNIT_LEVELS: tuple[str, ...] = ("region", "branch", "rm_id")

#: Rows of the not-served list returned at most by default.
NOT_SERVED_LIMIT = 1000

#: How :func:`compliance_by_unit` combines the standards into one score (also in docs/standards.md).
SCORE_DOC = (
    "score = the mean, over the standards that apply to the unit (customers in scope), of the "
    "standard's attainment; a measure's attainment is min(share meeting / target, 1), so a "
    "customer-level standard (target: every customer) attains its share of customers served and "
    "a portfolio target attains the fraction of the target reached; profile coverage counts once, "
    "as the mean attainment of its targets. 1.0 = every standard met."
)

_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Measure:
    """One judged measure of the service standards.

    Attributes
    ----------
    id : str
        ``contacts``, ``events``, ``senior_visits``, ``min_products``, ``key_products`` or
        ``profile_coverage.<tier>`` (one per coverage target, e.g.
        ``profile_coverage.affluent`` for "affluent and above").
    standard : str
        One of :data:`STANDARDS`.
    kind : {"customer", "portfolio"}
        Judged per customer (target: every customer) or as a share against ``target``.
    tiers : tuple of str
        The retail tiers the measure covers, lowest first.
    target : float
        The share of ``tiers``' customers that must meet it (1.0 for customer-level ones).
    """

    id: str
    standard: str
    kind: str
    tiers: tuple[str, ...]
    target: float


def requirement(standards: ServiceStandards, standard: str, tier: str) -> int | None:
    """What a customer-level standard asks of one customer of ``tier``.

    Parameters
    ----------
    standards : ServiceStandards
        The rules' service standards.
    standard : str
        One of :data:`CUSTOMER_STANDARDS`.
    tier : str
        A retail tier id.

    Returns
    -------
    int or None
        Contacts a month, events a year (``private_events_per_year`` for private banking),
        senior visits a year (private banking only) or product types; ``None`` when the
        standard does not apply to the tier. A requirement of 0 switches it off (``None``).

    Raises
    ------
    ValueError
        For a standard that is not customer-level.
    """
    s = standards
    if standard == "contacts":
        n = s.contacts_per_month if tier in s.contact_tiers else None
    elif standard == "events":
        if tier in s.event_tiers:
            n = s.private_events_per_year if tier == "private" else s.events_per_year
        else:
            n = None
    elif standard == "senior_visits":
        n = s.private_senior_visits_per_year if tier == "private" else None
    elif standard == "min_products":
        n = s.min_product_types if tier in s.product_tiers else None
    else:
        raise ValueError(f"standard must be one of {CUSTOMER_STANDARDS}, not {standard!r}")
    return n or None


def _in_order(tiers) -> tuple[str, ...]:
    return tuple(tier for tier in RETAIL_TIERS if tier in set(tiers))


def measures_of(rules: TierRules) -> tuple[Measure, ...]:
    """The measures the rules' service standards are judged by, in report order.

    A customer-level standard is one measure over the tiers it applies to (none when it
    applies to no tier). Each profile-coverage target is one measure over its tier and every
    tier above it. Key products are one measure over the key-product tiers (none without key
    products). A target of 0 asks nothing and gives no measure.
    """
    s = rules.standards
    out = []
    for standard in CUSTOMER_STANDARDS:
        tiers = tuple(tier for tier in RETAIL_TIERS if requirement(s, standard, tier))
        if tiers:
            out.append(Measure(standard, standard, "customer", tiers, 1.0))
    for tier in _in_order(s.profile_coverage):
        target = float(s.profile_coverage[tier])
        if target > 0:
            tiers = RETAIL_TIERS[RETAIL_TIERS.index(tier) :]
            out.append(Measure(f"profile_coverage.{tier}", "profile_coverage", "portfolio", tiers, target))
    key_tiers = _in_order(s.key_product_tiers)
    if key_tiers and s.key_products and s.key_product_share > 0:
        out.append(
            Measure("key_products", "key_products", "portfolio", key_tiers, float(s.key_product_share))
        )
    return tuple(out)


# -- engine expressions ---------------------------------------------------------------------------


def _retail(customers: ir.Table, rules: TierRules, snapshot_date: dt.date) -> ir.Table:
    """The snapshot's retail customers with their ``tier`` under ``rules``."""
    t = customers.filter((customers.snapshot_date == snapshot_date) & (customers.segment == "retail"))
    return t.mutate(tier=retail_tier(t.aum, rules))


def _required(t: ir.Table, s: ServiceStandards, standard: str) -> ir.IntegerValue:
    """The requirement of ``standard`` for each row's tier (NULL where it does not apply)."""
    per_tier = {tier: requirement(s, standard, tier) for tier in RETAIL_TIERS}
    branches = [(t.tier == tier, ibis.literal(n, type="int64")) for tier, n in per_tier.items() if n]
    if not branches:
        return ibis.null("int64")
    return ibis.cases(*branches, else_=ibis.null("int64"))


def _actual(t: ir.Table, standard: str) -> ir.IntegerValue:
    return t[ACTUAL_COLUMNS[standard]].fill_null(0).cast("int64")


def _key_held(t: ir.Table, s: ServiceStandards) -> ir.IntegerValue:
    """How many of the key products each row holds."""
    total = ibis.literal(0, type="int64")
    for product in s.key_products:
        total = total + t[product].fill_null(False).cast("int64")
    return total


def _portfolio_tiers(rules: TierRules, standard: str) -> list[str]:
    """The tiers some measure of a portfolio-level standard counts (none when it asks nothing)."""
    covered = {tier for m in measures_of(rules) if m.standard == standard for tier in m.tiers}
    return [tier for tier in RETAIL_TIERS if tier in covered]


def _flags(t: ir.Table, rules: TierRules) -> dict[str, ir.BooleanValue]:
    """Per row of a tiered table, ``met_<standard>`` and ``miss_<standard>`` for every standard.

    Customer-level: met when the number reaches the tier's requirement, missed when it falls
    short (both false where the standard does not cover the tier). Portfolio-level: met when
    the customer has a profile / every key product; missed when not and a target of the
    standard counts the customer's tier.
    """
    s = rules.standards
    flags: dict[str, ir.BooleanValue] = {}
    for standard in CUSTOMER_STANDARDS:
        required = _required(t, s, standard)
        actual = _actual(t, standard)
        flags[f"met_{standard}"] = (actual >= required).fill_null(False)
        flags[f"miss_{standard}"] = (actual < required).fill_null(False)
    met = {
        "profile_coverage": t.has_profile.fill_null(False),
        "key_products": _key_held(t, s) >= len(s.key_products),
    }
    for standard, ok in met.items():
        tiers = _portfolio_tiers(rules, standard)
        flags[f"met_{standard}"] = ok
        flags[f"miss_{standard}"] = t.tier.isin(tiers) & ~ok if tiers else ibis.literal(False)
    return flags


def _not_served_flag(flags: dict[str, ir.BooleanValue]) -> ir.BooleanValue:
    """Misses at least one customer-level standard of their tier."""
    out = ibis.literal(False)
    for standard in CUSTOMER_STANDARDS:
        out = out | flags[f"miss_{standard}"]
    return out


def _tier_counts(
    customers: ir.Table, rules: TierRules, snapshot_date: dt.date, by: str | None = None
) -> pd.DataFrame:
    """One engine query: per tier (and unit ``by``), customers, AUM, those meeting each standard
    and those not served. Small: at most 5 x units rows."""
    t = _retail(customers, rules, snapshot_date)
    keys = ["tier"]
    if by is not None:
        t = t.mutate(name=t[by].fill_null("unassigned"))
        keys = ["name", "tier"]
    flags = _flags(t, rules)
    not_served = _not_served_flag(flags)
    agg = t.group_by(keys).aggregate(
        customers=t.count(),
        aum=t.aum.sum(),
        **{standard: t.count(where=flags[f"met_{standard}"]) for standard in STANDARDS},
        not_served=t.count(where=not_served),
        not_served_aum=t.aum.sum(where=not_served),
    )
    df = agg.to_pandas()
    for col in ("customers", *STANDARDS, "not_served"):
        df[col] = df[col].fillna(0).astype("int64")
    for col in ("aum", "not_served_aum"):
        df[col] = df[col].fillna(0.0).astype("float64")
    return df


def _share(met: int, customers: int) -> float:
    return met / customers if customers else math.nan


def _shortfall(target: float, met: int, customers: int) -> int:
    """Customers more that must meet the measure for the share to reach the target."""
    return max(0, math.ceil(target * customers - _TOLERANCE) - met)


def _meets(share: float, target: float):
    return pd.NA if share != share else bool(share >= target - _TOLERANCE)


def _measure_rows(counts: pd.DataFrame, measures: tuple[Measure, ...]) -> pd.DataFrame:
    """One row per unit and measure from per-tier counts (vectorised over the units).

    ``counts`` has ``name`` (the unit; one constant name for the whole view), ``tier``,
    ``customers`` and one met-count column per standard. Every unit gets a row for every
    measure (0 customers where none of its tiers has any).
    """
    names = pd.Index(sorted(counts["name"].unique()), name="name")
    parts = []
    for m in measures:
        part = counts[counts["tier"].isin(m.tiers)].groupby("name")[["customers", m.standard]].sum()
        part = part.reindex(names, fill_value=0)
        n = part["customers"].to_numpy("int64")
        met = part[m.standard].to_numpy("int64")
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(n > 0, met / np.maximum(n, 1), np.nan)
        parts.append(
            pd.DataFrame(
                {
                    "name": names,
                    "measure": m.id,
                    "standard": m.standard,
                    "kind": m.kind,
                    "tiers": ",".join(m.tiers),
                    "target": m.target,
                    "customers": n,
                    "met": met,
                    "share": share,
                    "attainment": np.minimum(share / m.target, 1.0),
                    "meets_target": pd.Series(share >= m.target - _TOLERANCE, dtype="boolean")
                    .where(n > 0, pd.NA)
                    .to_numpy(),
                    "shortfall": np.maximum(0, np.ceil(m.target * n - _TOLERANCE).astype("int64") - met),
                }
            )
        )
    if not parts:
        return _typed(pd.DataFrame(columns=["name", *_MEASURE_COLUMNS]))
    out = pd.concat(parts, ignore_index=True)
    order = {m.id: i for i, m in enumerate(measures)}
    out = out.sort_values(["name", "measure"], key=lambda c: c.map(order) if c.name == "measure" else c)
    return _typed(out.reset_index(drop=True))


_MEASURE_COLUMNS = [
    "measure",
    "standard",
    "kind",
    "tiers",
    "target",
    "customers",
    "met",
    "share",
    "attainment",
    "meets_target",
    "shortfall",
]


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in ("customers", "met", "shortfall"):
        if col in out:
            out[col] = out[col].astype("int64")
    for col in ("target", "share", "attainment"):
        if col in out:
            out[col] = out[col].astype("float64")
    if "meets_target" in out:
        out["meets_target"] = out["meets_target"].astype("boolean")
    if "required" in out:
        out["required"] = out["required"].astype("Int64")
    return out


def _scores(rows: pd.DataFrame) -> pd.Series:
    """The combined score of :data:`SCORE_DOC` per unit (``name``) from :func:`_measure_rows`;
    NaN for a unit with no customer under any measure."""
    names = pd.Index(sorted(rows["name"].unique()), name="name")
    applicable = rows[rows["customers"] > 0]
    per_standard = applicable.groupby(["name", "standard"])["attainment"].mean()
    return per_standard.groupby("name").mean().reindex(names)


# -- per tier ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Compliance:
    """Service standards of one snapshot and view.

    ``eq=False``: the DataFrame fields have no truth value; instances compare by identity.

    Attributes
    ----------
    snapshot_date : datetime.date
        The snapshot judged.
    by_tier : pandas.DataFrame
        One row per customer-level standard and tier it applies to, then one row per
        portfolio measure (its group of tiers): ``measure, standard, kind, tier`` (the tier;
        for a group, its lowest tier), ``tiers`` (comma-separated), ``required`` (what one
        customer needs: contacts a month, events or senior visits a year, product types; NA
        for a portfolio measure), ``target`` (share of the customers in scope that must meet
        it: 1.0 for customer-level standards), ``customers`` (in scope), ``met``, ``share``
        (NaN without customers), ``meets_target`` (NA without customers), ``shortfall``
        (customers more needed to reach the target).
    by_measure : pandas.DataFrame
        One row per measure (:func:`measures_of`), customer-level standards over all their
        tiers: ``measure, standard, kind, tiers, target, customers, met, share, attainment,
        meets_target, shortfall``; ``attainment`` = min(share / target, 1).
    retail_customers : int
        Retail customers of the snapshot and view.
    in_scope : int
        Retail customers under at least one customer-level standard.
    not_served : int
        Of those, the customers missing at least one customer-level standard of their tier.
    not_served_aum : float
        Their AUM (CNY).
    score : float
        The combined score of the view (:data:`SCORE_DOC`); NaN when nothing applies.
    """

    snapshot_date: dt.date
    by_tier: pd.DataFrame
    by_measure: pd.DataFrame
    retail_customers: int
    in_scope: int
    not_served: int
    not_served_aum: float
    score: float

    @property
    def measures_met(self) -> int:
        """Measures with customers in scope whose share reaches the target."""
        return int(self.by_measure["meets_target"].fillna(False).sum())

    @property
    def measures_applicable(self) -> int:
        """Measures with customers in scope."""
        return int((self.by_measure["customers"] > 0).sum())


def _by_tier(counts: pd.DataFrame, measures: tuple[Measure, ...], s: ServiceStandards) -> pd.DataFrame:
    rows = []
    per_tier = counts.set_index("tier")
    for m in measures:
        if m.kind == "customer":
            groups = [((tier,), tier, requirement(s, m.standard, tier)) for tier in m.tiers]
        else:
            groups = [(m.tiers, m.tiers[0], None)]
        for tiers, tier, required in groups:
            present = [x for x in tiers if x in per_tier.index]
            n = int(per_tier.loc[present, "customers"].sum()) if present else 0
            met = int(per_tier.loc[present, m.standard].sum()) if present else 0
            share = _share(met, n)
            rows.append(
                {
                    "measure": m.id,
                    "standard": m.standard,
                    "kind": m.kind,
                    "tier": tier,
                    "tiers": ",".join(tiers),
                    "required": pd.NA if required is None else required,
                    "target": m.target,
                    "customers": n,
                    "met": met,
                    "share": share,
                    "meets_target": _meets(share, m.target),
                    "shortfall": _shortfall(m.target, met, n),
                }
            )
    columns = [
        "measure",
        "standard",
        "kind",
        "tier",
        "tiers",
        "required",
        "target",
        "customers",
        "met",
        "share",
        "meets_target",
        "shortfall",
    ]
    return _typed(pd.DataFrame(rows, columns=columns))


def _customer_tiers(measures: tuple[Measure, ...]) -> set[str]:
    return {tier for m in measures if m.kind == "customer" for tier in m.tiers}


def compliance(customers: ir.Table, *, rules: TierRules, snapshot_date: dt.date) -> Compliance:
    """Service-standard compliance per tier of one snapshot (one engine query).

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    rules : TierRules
        The rule set: its retail thresholds assign the tiers, its ``standards`` give every
        requirement and target (a tuner scenario's rules work the same way).
    snapshot_date : datetime.date
        The snapshot to judge.

    Returns
    -------
    Compliance
        Per tier and per measure; empty frames' counts are 0 when the view has no retail
        customers (the rows are still there, with NaN shares).

    Notes
    -----
    A customer-level standard is met by a customer whose number reaches the requirement
    (2 contacts when 2 are required meets it; 1 does not); missing numbers count as 0. A
    portfolio measure is met when its share reaches the target (80% of 10 customers: 8 with
    a profile meet it, 7 do not).
    """
    measures = measures_of(rules)
    counts = _tier_counts(customers, rules, snapshot_date)
    served_tiers = _customer_tiers(measures)
    in_scope = counts[counts["tier"].isin(served_tiers)]
    rows = _measure_rows(counts.assign(name=""), measures)
    score = _scores(rows).get("", math.nan)
    return Compliance(
        snapshot_date=snapshot_date,
        by_tier=_by_tier(counts, measures, rules.standards),
        by_measure=rows.drop(columns="name").reset_index(drop=True),
        retail_customers=int(counts["customers"].sum()),
        in_scope=int(in_scope["customers"].sum()),
        not_served=int(counts["not_served"].sum()),
        not_served_aum=float(counts["not_served_aum"].sum()),
        score=float(score),
    )


# -- per unit ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class UnitCompliance:
    """Service standards per organisation unit one level down: the league.

    Attributes
    ----------
    level : str
        What the units are: ``region``, ``branch`` or ``rm_id``.
    measures : tuple of str
        The measure ids, in report order (:func:`measures_of`); each is a column of
        ``league``.
    league : pandas.DataFrame
        One row per unit with retail customers under a standard, best score first (ties:
        more customers in scope, then name): ``name, retail_customers, in_scope,
        not_served, not_served_aum, score, measures_met, measures_applicable`` and one
        column per measure id holding the unit's share meeting it (NaN when the unit has no
        customers in its scope).
    detail : pandas.DataFrame
        Long form, one row per unit and measure: ``name`` and the columns of
        :attr:`Compliance.by_measure`.
    """

    level: str
    measures: tuple[str, ...]
    league: pd.DataFrame
    detail: pd.DataFrame


def compliance_by_unit(
    customers: ir.Table, *, rules: TierRules, snapshot_date: dt.date, level: str
) -> UnitCompliance:
    """Service-standard compliance per region, branch or relationship manager (one engine query).

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    rules : TierRules
        The rule set (tiers, requirements and targets).
    snapshot_date : datetime.date
        The snapshot to judge.
    level : {"region", "branch", "rm_id"}
        The column to rank by (:attr:`analytics.scope.Filters.child_level`); a missing
        name is ``unassigned``.

    Returns
    -------
    UnitCompliance
        The league, ranked by the combined score (:data:`SCORE_DOC`).
    """
    if level not in UNIT_LEVELS:
        raise ValueError(f"level must be one of {UNIT_LEVELS}, not {level!r}")
    measures = measures_of(rules)
    ids = tuple(m.id for m in measures)
    counts = _tier_counts(customers, rules, snapshot_date, by=level)
    counts["name"] = counts["name"].astype(str)
    detail = _measure_rows(counts, measures)
    applies = detail[detail["customers"] > 0]
    per_unit = (
        counts.assign(in_scope=counts["customers"].where(counts["tier"].isin(_customer_tiers(measures)), 0))
        .groupby("name")[["customers", "in_scope", "not_served", "not_served_aum"]]
        .sum()
    )
    league = per_unit.rename(columns={"customers": "retail_customers"})
    league["score"] = _scores(detail)
    league["measures_met"] = applies.groupby("name")["meets_target"].sum()
    league["measures_applicable"] = applies.groupby("name").size()
    shares = detail.pivot(index="name", columns="measure", values="share")
    league = league.join(shares.reindex(columns=list(ids)))
    # a unit with no customer under any standard (e.g. only mass customers) is left out
    league = league[league["measures_applicable"].fillna(0) > 0].reset_index()
    league = league.sort_values(
        ["score", "in_scope", "name"], ascending=[False, False, True], na_position="last", kind="stable"
    ).reset_index(drop=True)
    columns = [
        "name",
        "retail_customers",
        "in_scope",
        "not_served",
        "not_served_aum",
        "score",
        "measures_met",
        "measures_applicable",
        *ids,
    ]
    league = league.reindex(columns=columns)
    for col in ("retail_customers", "in_scope", "not_served", "measures_met", "measures_applicable"):
        league[col] = league[col].fillna(0).astype("int64")
    for col in ("not_served_aum", "score", *ids):
        league[col] = league[col].astype("float64")
    detail = detail[detail["name"].isin(set(league["name"]))].reset_index(drop=True)
    return UnitCompliance(level=level, measures=ids, league=league, detail=detail)


# -- customers not served -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class NotServed:
    """The customers not served to standard (or missing one chosen standard).

    Attributes
    ----------
    customers : pandas.DataFrame
        At most ``limit`` rows, largest AUM first (ties by customer_id):
        ``customer_id, customer_name, tier, region, branch, rm_id, aum``, for each
        customer-level standard its actual number and the number required
        (``contacts_month, contacts_required, events_year, events_required,
        senior_visits_year, senior_visits_required, products_held, products_required``;
        required is NA where the standard does not cover the tier), ``has_profile``,
        ``key_products_held`` and ``key_products_required`` (how many key products there
        are, NA outside the key-product tiers), ``missed`` (the standards missed,
        comma-separated, in :data:`STANDARDS` order; ``profile_coverage`` and
        ``key_products`` appear where the customer counts against those targets) and
        ``missed_count``.
    total : int
        How many customers the list has in all (beyond ``limit`` too).
    aum : float
        Their AUM (CNY).
    limit : int
        The most rows returned.
    """

    customers: pd.DataFrame
    total: int
    aum: float
    limit: int

    @property
    def truncated(self) -> bool:
        """Whether more customers are missing than listed."""
        return self.total > len(self.customers)


def not_served(
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    standard: str | None = None,
    tier: str | None = None,
    limit: int = NOT_SERVED_LIMIT,
) -> NotServed:
    """The customers not served to standard, largest AUM first (two engine queries).

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    rules : TierRules
        The rule set (tiers and requirements).
    snapshot_date : datetime.date
        The snapshot to judge.
    standard : str, optional
        Only the customers missing this standard (one of :data:`STANDARDS`). For
        ``profile_coverage``: the customers without a profile in a tier some coverage target
        counts; for ``key_products``: those of the key-product tiers without every key
        product. Default: the customers missing at least one customer-level standard of
        their tier (the customers *not served to standard*).
    tier : str, optional
        Only customers of this retail tier.
    limit : int
        At most this many rows (ordered and cut in the engine).

    Returns
    -------
    NotServed
        The list, with the total count and AUM of every customer it covers.
    """
    if standard is not None and standard not in STANDARDS:
        raise ValueError(f"standard must be one of {STANDARDS}, not {standard!r}")
    if tier is not None and tier not in RETAIL_TIERS:
        raise ValueError(f"tier must be a retail tier {RETAIL_TIERS}, not {tier!r}")
    if limit < 0:
        raise ValueError(f"limit must be 0 or more, not {limit}")
    s = rules.standards
    t = _retail(customers, rules, snapshot_date)
    flags = _flags(t, rules)
    t = t.mutate(**{k: v for k, v in flags.items() if k.startswith("miss_")})
    condition = _not_served_flag({k: t[k] for k in flags if k.startswith("miss_")})
    if standard is not None:
        condition = t[f"miss_{standard}"]
    if tier is not None:
        condition = condition & (t.tier == tier)
    f = t.filter(condition)
    totals = f.aggregate(total=f.count(), aum=f.aum.sum()).to_pandas()
    total = int(totals["total"].iloc[0] or 0)
    aum = float(totals["aum"].fillna(0.0).iloc[0])

    key_tiers = _portfolio_tiers(rules, "key_products")
    key_count = ibis.literal(len(s.key_products), type="int64")
    top = f.order_by([ibis.desc("aum"), "customer_id"]).limit(limit)
    cols = {
        "customer_id": top.customer_id,
        "customer_name": top.customer_name,
        "tier": top.tier,
        "region": top.region,
        "branch": top.branch,
        "rm_id": top.rm_id,
        "aum": top.aum.cast("float64"),
    }
    required_names = {
        "contacts": "contacts_required",
        "events": "events_required",
        "senior_visits": "senior_visits_required",
        "min_products": "products_required",
    }
    for std in CUSTOMER_STANDARDS:
        cols[ACTUAL_COLUMNS[std]] = _actual(top, std)
        cols[required_names[std]] = _required(top, s, std)
    cols["has_profile"] = top.has_profile.fill_null(False)
    cols["key_products_held"] = _key_held(top, s)
    cols["key_products_required"] = (
        ibis.cases((top.tier.isin(key_tiers), key_count), else_=ibis.null("int64"))
        if key_tiers
        else ibis.null("int64")
    )
    cols |= {f"miss_{std}": top[f"miss_{std}"] for std in STANDARDS}
    df = top.select(**cols).order_by([ibis.desc("aum"), "customer_id"]).to_pandas()

    misses = df[[f"miss_{std}" for std in STANDARDS]].to_numpy(dtype=bool)
    df["missed"] = [",".join(std for std, m in zip(STANDARDS, row, strict=True) if m) for row in misses]
    df["missed_count"] = misses.sum(axis=1).astype("int64") if len(df) else np.zeros(0, dtype="int64")
    df = df.drop(columns=[f"miss_{std}" for std in STANDARDS])
    df["customer_id"] = df["customer_id"].astype(str)
    for col in ("contacts_month", "events_year", "senior_visits_year", "products_held", "key_products_held"):
        df[col] = df[col].astype("int64")
    for col in (*required_names.values(), "key_products_required"):
        df[col] = df[col].astype("Int64")
    df["has_profile"] = df["has_profile"].astype(bool)
    return NotServed(customers=df.reset_index(drop=True), total=total, aum=aum, limit=limit)
