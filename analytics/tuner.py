"""Threshold tuner: what a change of the tier rules would do, recomputed in milliseconds.

A change of a threshold must not rescan customer rows. :func:`prepare` therefore reads a
snapshot's (scoped) customers once and keeps, per population whose tier a tunable number
decides, the deciding value sorted once with running totals of everything the tuner
shows (customers, AUM and profit contribution in whole cents, and the service-standard
flags). A threshold then becomes a position found by binary search, and every figure a
difference of two running totals: exact to the cent, and independent of the number of
customers. :func:`simulate` does that for a baseline and a scenario rule set.

What a tunable number decides (every other tier is fixed by the data and carried as is):

- ``retail.*``: retail tiers by ``aum`` (one sorted array; a value at a threshold belongs
  to the higher tier, as in :func:`analytics.tiers.tier_expr`).
- ``corporate.large_annual_sales`` and ``corporate.large_annual_sales_by_industry.*``:
  traditional, non-strategic companies with loans are ``large`` from the threshold of
  their industry on; below it, ``small`` when they meet the small-enterprise criteria
  (which lie below every large threshold, so a large threshold never changes who is
  small) and ``medium`` otherwise. One sorted array of annual sales per industry.
- ``no_loan.above_scale_deposit_avg_daily``: companies without loans by average daily
  deposit.
- ``matrices.existing.*_cut`` / ``matrices.target.*_cut``: the value matrices'
  quadrants, answered by :class:`QuadrantCounter` (a rank grid with exact borders).

The tuner's service workload turns the standards of the rules (contacts a month, events
and senior visits a year) into relationship-manager hours with :class:`WorkloadParams`,
per branch. Methods: ``docs/tuner.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics.errors import RulesError
from analytics.rules import RETAIL_BOUNDED, RETAIL_TIERS, TIER_ORDER, ServiceStandards, TierRules
from analytics.tiers import TIER_SEGMENT, profit_contribution, tier_expr

#: Rule keys the tuner changes (dotted paths of the rules file); a key ending in ``.*``
#: stands for any industry.
TUNABLE_KEYS = (
    "retail.emerging",
    "retail.affluent",
    "retail.hnw",
    "retail.private",
    "corporate.large_annual_sales",
    "corporate.large_annual_sales_by_industry.*",
    "no_loan.above_scale_deposit_avg_daily",
    "matrices.existing.profit_cut",
    "matrices.existing.value_cut",
    "matrices.target.potential_cut",
    "matrices.target.fit_cut",
)

#: Service activities a standard asks for, in the order they are reported.
ACTIVITIES = ("contacts", "events", "senior_visits")

#: Compliance flags kept per retail customer (running totals), see :func:`_flags`.
_FLAGS = ("profile", "products", "key_products", "contacts", "events", "private_events", "senior_visits")


def check_key(key: str) -> None:
    """Raise :class:`RulesError` unless ``key`` is a rule the tuner may change."""
    if key in TUNABLE_KEYS:
        return
    prefix = "corporate.large_annual_sales_by_industry."
    if key.startswith(prefix) and len(key) > len(prefix):
        return
    raise RulesError(
        f"'{key}' cannot be tuned; tunable: {', '.join(TUNABLE_KEYS)} "
        "(edit other rules, e.g. the service standards, in the rules file)"
    )


def scenario_rules(
    baseline: TierRules, assignments: dict[str, float], *, name: str | None = None
) -> TierRules:
    """The baseline with some tunable numbers changed, validated like a rules file.

    Parameters
    ----------
    baseline : TierRules
        The current rules.
    assignments : dict
        ``{"retail.private": 3_000_000, ...}``; keys from :data:`TUNABLE_KEYS`. A matrix
        cut point may also be the string ``"median"``.
    name : str, optional
        The scenario's name (kept in ``TierRules.name``).

    Raises
    ------
    RulesError
        An unknown or untunable key, or numbers that break the rules (e.g. thresholds
        that no longer ascend); the message names the key.
    """
    for key in assignments:
        check_key(key)
    rules = baseline.with_values(dict(assignments))
    if name:
        rules = dataclasses.replace(rules, name=name)
    return rules


def parse_assignment(text: str) -> tuple[str, float | str]:
    """``"retail.private=3000000"`` -> ``("retail.private", 3000000.0)``.

    Underscores and commas as thousands separators are accepted; ``median`` for a matrix
    cut point. Raises :class:`RulesError` with the text when it cannot be read.
    """
    key, sep, value = text.partition("=")
    key, value = key.strip(), value.strip().replace("_", "").replace(",", "")
    if not sep or not key or not value:
        raise RulesError(f"--set {text!r}: write KEY=NUMBER, e.g. retail.private=3000000")
    check_key(key)
    if value == "median" and key.startswith("matrices."):
        return key, "median"
    try:
        number = float(value)
    except ValueError:
        raise RulesError(f"--set {text!r}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise RulesError(f"--set {text!r}: {value!r} is not a finite number")
    return key, number


def changed_keys(baseline: TierRules, scenario: TierRules) -> dict[str, Any]:
    """The tunable numbers in which ``scenario`` differs from ``baseline`` (key -> scenario value)."""
    out: dict[str, Any] = {}
    for key, value in tunable_values(scenario).items():
        if tunable_values(baseline).get(key) != value:
            out[key] = value
    return out


def tunable_values(rules: TierRules) -> dict[str, Any]:
    """Every tunable number of ``rules`` by key (industry exceptions one key each)."""
    values: dict[str, Any] = {f"retail.{tier}": getattr(rules.retail, tier) for tier in RETAIL_BOUNDED}
    values["corporate.large_annual_sales"] = rules.corporate.large_annual_sales
    for industry, v in rules.corporate.large_annual_sales_by_industry.items():
        values[f"corporate.large_annual_sales_by_industry.{industry}"] = v
    values["no_loan.above_scale_deposit_avg_daily"] = rules.no_loan.above_scale_deposit_avg_daily

    def cut(v: float | None) -> Any:
        return "median" if v is None else v

    values["matrices.existing.profit_cut"] = cut(rules.existing.profit_cut)
    values["matrices.existing.value_cut"] = cut(rules.existing.value_cut)
    values["matrices.target.potential_cut"] = cut(rules.target.potential_cut)
    values["matrices.target.fit_cut"] = cut(rules.target.fit_cut)
    return values


# -- the precomputed index -------------------------------------------------------------------


def _prefix(values: np.ndarray) -> np.ndarray:
    """Running totals with a leading 0: ``out[i]`` = sum of the first ``i`` values (int64)."""
    out = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(values, out=out[1:])
    return out


@dataclass(frozen=True, eq=False)
class SortedPopulation:
    """One population sorted by the value a threshold is compared with.

    Attributes
    ----------
    value : numpy.ndarray
        The deciding value, ascending (float64).
    totals : mapping of str to numpy.ndarray
        Running totals (int64, length n + 1): ``aum`` and ``profit`` in cents, the
        compliance flags as counts (retail only) and ``small`` (corporate only).
    """

    value: np.ndarray
    totals: MappingProxyType

    @property
    def size(self) -> int:
        return len(self.value)

    def position(self, threshold: float) -> int:
        """How many customers lie below ``threshold`` (the rest are at or above it)."""
        return int(np.searchsorted(self.value, threshold, side="left"))

    def total(self, name: str, start: int, stop: int) -> int:
        """Sum of ``name`` over the sorted positions ``start`` to ``stop - 1``."""
        if name == "customers":
            return stop - start
        t = self.totals[name]
        return int(t[stop] - t[start])


@dataclass(frozen=True, eq=False)
class TunerIndex:
    """What :func:`simulate` needs of one snapshot and scope, prepared once by :func:`prepare`.

    Attributes
    ----------
    snapshot_date : datetime.date
        The snapshot.
    retail : SortedPopulation
        Retail customers by ``aum``.
    retail_branch_keys : numpy.ndarray
        ``branch code * (n + 1) + position in retail``, sorted (int64): the retail
        customers of a branch between two positions are one binary search away.
    branches : tuple of str
        Branch names by code.
    branch_managers : numpy.ndarray
        Relationship managers (distinct ``rm_id``) with retail customers, per branch.
    corporate : mapping of str to SortedPopulation
        Traditional, non-strategic companies with loans, by ``annual_sales``, per
        industry (``""`` for a missing industry).
    no_loan : SortedPopulation
        Companies (segment corporate) without loans, by ``deposit_avg_daily``.
    fixed : pandas.DataFrame
        ``tier, customers, aum_cents, profit_cents`` of the tiers no tunable number
        changes (strategic, emerging market, real estate, institutions).
    standards : ServiceStandards
        The service standards the compliance flags were computed with.
    small_criteria : tuple of float
        The small-enterprise criteria (sales, total assets) the ``small`` flags used.
    existing_matrix, target_matrix : QuadrantCounter or None
        The value matrices' points, when prepared with them.
    """

    snapshot_date: dt.date
    retail: SortedPopulation
    retail_branch_keys: np.ndarray
    branches: tuple[str, ...]
    branch_managers: np.ndarray
    corporate: MappingProxyType
    no_loan: SortedPopulation
    fixed: pd.DataFrame
    standards: ServiceStandards
    small_criteria: tuple[float, float] = (math.nan, math.nan)
    existing_matrix: QuadrantCounter | None = None
    target_matrix: QuadrantCounter | None = None

    @property
    def fixed_rows(self) -> tuple[tuple[str, int, int, int], ...]:
        """:attr:`fixed` as plain tuples (cheaper to walk than a frame on every recompute)."""
        return self._fixed_rows

    def __post_init__(self) -> None:
        rows = tuple(
            (str(r.tier), int(r.customers), int(r.aum_cents), int(r.profit_cents))
            for r in self.fixed.itertuples(index=False)
        )
        object.__setattr__(self, "_fixed_rows", rows)

    @property
    def customers(self) -> int:
        """Every customer of the snapshot and scope."""
        return (
            self.retail.size
            + sum(p.size for p in self.corporate.values())
            + self.no_loan.size
            + int(self.fixed["customers"].sum())
        )


def _cents(column: ir.NumericValue) -> ir.IntegerValue:
    return (column.cast("float64").fill_null(0.0) * 100).round().cast("int64")


def _flags(t: ir.Table, rules: TierRules) -> dict[str, ir.Value]:
    """Per retail customer, whether each service standard is met (as int8 0/1)."""
    s = rules.standards
    key = ibis.literal(True)
    for product in s.key_products:
        key = key & t[product].fill_null(False)
    checks = {
        "profile": t.has_profile.fill_null(False),
        "products": t.products_held.fill_null(0) >= s.min_product_types,
        "key_products": key,
        "contacts": t.contacts_month.fill_null(0) >= s.contacts_per_month,
        "events": t.events_year.fill_null(0) >= s.events_per_year,
        "private_events": t.events_year.fill_null(0) >= s.private_events_per_year,
        "senior_visits": t.senior_visits_year.fill_null(0) >= s.private_senior_visits_per_year,
    }
    return {name: check.cast("int8") for name, check in checks.items()}


def _sorted_population(df: pd.DataFrame, by: str, totals: tuple[str, ...]) -> SortedPopulation:
    order = np.argsort(df[by].to_numpy(dtype="float64"), kind="stable")
    value = df[by].to_numpy(dtype="float64")[order]
    sums = {name: _prefix(df[name].to_numpy()[order].astype(np.int64, copy=False)) for name in totals}
    return SortedPopulation(value, MappingProxyType(sums))


def prepare(
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    matrices: bool = False,
    prospects: ir.Table | None = None,
) -> TunerIndex:
    """Read one snapshot of the (scoped) customers once and index it for :func:`simulate`.

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    rules : TierRules
        The baseline rules: their service standards decide the compliance flags (the
        thresholds play no part here, so one index serves every scenario).
    snapshot_date : datetime.date
        The snapshot to index.
    matrices : bool
        Also index the value matrices' points (the bank-value composite costs seconds
        at a million customers), for the matrix cut points.
    prospects : ibis.Table, optional
        Scoped prospects table, for the target matrix (with ``matrices``).

    Returns
    -------
    TunerIndex
        Sorted values and running totals; about 60 bytes per customer.
    """
    t = customers.filter(customers.snapshot_date == snapshot_date)
    loan = t.loan_balance.fill_null(0) > 0
    market = t.market.fill_null("traditional")
    tier = tier_expr(t, rules)
    base = t.mutate(
        aum_cents=_cents(t.aum),
        profit=_cents(profit_contribution(t)),
        tier=tier,
        tunable=ibis.cases(
            (t.segment == "retail", "retail"),
            (t.segment == "institution", "fixed"),
            (
                loan & (market == "traditional") & ~t.strategic.fill_null(False),
                "corporate",
            ),
            (~loan, "no_loan"),
            else_="fixed",
        ),
    )

    # Retail: aum, money, flags and the branch of each customer
    r = base.filter(base.tunable == "retail")
    retail = r.select(
        aum=r.aum.cast("float64"),
        aum_cents=r.aum_cents,
        profit=r.profit,
        branch=r.branch.fill_null("unassigned"),
        **_flags(r, rules),
    ).to_pandas()
    retail_pop = _sorted_population(retail, "aum", ("aum_cents", "profit", *_FLAGS))
    order = np.argsort(retail["aum"].to_numpy(dtype="float64"), kind="stable")
    codes, names = pd.factorize(retail["branch"].to_numpy()[order], sort=True)
    n = len(order)
    branch_keys = np.sort(codes.astype(np.int64) * (n + 1) + np.arange(n, dtype=np.int64))
    managers = (
        r.group_by(branch=r.branch.fill_null("unassigned"))
        .aggregate(managers=r.rm_id.nunique())
        .to_pandas()
        .set_index("branch")["managers"]
    )
    branch_managers = np.array([int(managers.get(b, 0)) for b in names], dtype=np.int64)

    # Corporate with loans, traditional and not strategic: by annual sales per industry
    c = base.filter(base.tunable == "corporate")
    s = rules.corporate
    corp = c.select(
        sales=c.annual_sales.cast("float64").fill_null(0.0),
        industry=c.industry.fill_null(""),
        aum_cents=c.aum_cents,
        profit=c.profit,
        small=(
            (c.annual_sales.fill_null(0) < s.small_annual_sales_below)
            & (c.total_assets.isnull() | (c.total_assets < s.small_total_assets_below))
        ).cast("int64"),
    ).to_pandas()
    corp["small_aum"] = corp["small"] * corp["aum_cents"]
    corp["small_profit"] = corp["small"] * corp["profit"]
    corporate = {
        industry: _sorted_population(
            group, "sales", ("aum_cents", "profit", "small", "small_aum", "small_profit")
        )
        for industry, group in corp.groupby("industry", sort=True)
    }

    # Companies without loans: by average daily deposit
    nl = base.filter(base.tunable == "no_loan")
    no_loan = nl.select(
        deposit=nl.deposit_avg_daily.cast("float64").fill_null(0.0), aum_cents=nl.aum_cents, profit=nl.profit
    ).to_pandas()
    no_loan_pop = _sorted_population(no_loan, "deposit", ("aum_cents", "profit"))

    f = base.filter(base.tunable == "fixed")
    fixed = (
        f.group_by("tier")
        .aggregate(customers=f.count(), aum_cents=f.aum_cents.sum(), profit_cents=f.profit.sum())
        .to_pandas()
    )
    fixed = fixed.astype({"customers": "int64", "aum_cents": "int64", "profit_cents": "int64"})

    existing = target = None
    if matrices:
        existing, target = _matrix_counters(customers, rules, snapshot_date, prospects)
    return TunerIndex(
        snapshot_date=snapshot_date,
        retail=retail_pop,
        retail_branch_keys=branch_keys,
        branches=tuple(str(b) for b in names),
        branch_managers=branch_managers,
        corporate=MappingProxyType(corporate),
        no_loan=no_loan_pop,
        fixed=fixed,
        standards=rules.standards,
        small_criteria=(s.small_annual_sales_below, s.small_total_assets_below),
        existing_matrix=existing,
        target_matrix=target,
    )


# -- the value matrices: quadrant counts for any cut point -----------------------------------


@dataclass(frozen=True, eq=False)
class QuadrantCounter:
    """Customers (and AUM and profit) with x >= a and y >= b, for any a and b, exactly.

    Points are replaced by their ranks in x and in y (ties in a fixed order), so that
    ``x >= a`` is ``x rank >= (customers below a)``. A grid of ``g x g`` rank blocks
    keeps the 2-D running totals of the whole blocks; a query adds, exactly, the points
    of the at most two partial strips at its borders (each at most one block wide). Cost
    per query: two binary searches and about ``2 n / g`` comparisons.

    Attributes
    ----------
    x, y : numpy.ndarray
        Sorted values (for the binary searches) and their medians.
    """

    x: np.ndarray
    y: np.ndarray
    x_median: float | None
    y_median: float | None
    block: int
    grid: MappingProxyType  # measure -> (g+1, g+1) suffix totals over whole blocks
    yr_by_x: np.ndarray  # y rank of the points in x order
    xr_by_y: np.ndarray  # x rank of the points in y order
    by_x: MappingProxyType  # measure -> values in x order (int64)
    by_y: MappingProxyType  # measure -> values in y order (int64)

    @classmethod
    def build(
        cls, x: np.ndarray, y: np.ndarray, measures: dict[str, np.ndarray], *, blocks: int = 1024
    ) -> QuadrantCounter:
        """Index the points ``(x, y)`` with integer ``measures`` (e.g. AUM in cents)."""
        n = len(x)
        x = np.asarray(x, dtype="float64")
        y = np.asarray(y, dtype="float64")
        ox = np.argsort(x, kind="stable")
        oy = np.argsort(y, kind="stable")
        xr = np.empty(n, dtype=np.int64)
        xr[ox] = np.arange(n)
        yr = np.empty(n, dtype=np.int64)
        yr[oy] = np.arange(n)
        block = max(1, math.ceil(n / blocks)) if n else 1
        g = max(1, math.ceil(n / block)) if n else 1
        grid = {}
        for name, values in {"customers": np.ones(n, dtype=np.int64), **measures}.items():
            hist = np.zeros((g + 1, g + 1), dtype=np.int64)
            np.add.at(hist, (xr // block, yr // block), np.asarray(values, dtype=np.int64))
            # suffix sums: grid[i, j] = total of the blocks >= i in x and >= j in y
            grid[name] = hist[::-1, ::-1].cumsum(0).cumsum(1)[::-1, ::-1].copy()
        return cls(
            x=x[ox],
            y=y[oy],
            x_median=float(np.median(x)) if n else None,
            y_median=float(np.median(y)) if n else None,
            block=block,
            grid=MappingProxyType(grid),
            yr_by_x=yr[ox],
            xr_by_y=xr[oy],
            by_x=MappingProxyType({k: np.asarray(v, dtype=np.int64)[ox] for k, v in measures.items()}),
            by_y=MappingProxyType({k: np.asarray(v, dtype=np.int64)[oy] for k, v in measures.items()}),
        )

    @property
    def size(self) -> int:
        return len(self.x)

    def at_least(self, a: float, b: float) -> dict[str, int]:
        """Totals (customers and each measure) of the points with x >= a and y >= b."""
        n, k = self.size, self.block
        i = int(np.searchsorted(self.x, a, side="left"))  # x rank >= i  <=>  x >= a
        j = int(np.searchsorted(self.y, b, side="left"))
        bi, bj = -(-i // k), -(-j // k)  # first whole block at or after the rank
        out = {
            name: int(grid[min(bi, grid.shape[0] - 1), min(bj, grid.shape[1] - 1)])
            for name, grid in self.grid.items()
        }
        if bi * k >= n or bj * k >= n:  # no whole block on one side: the grid adds nothing
            out = dict.fromkeys(out, 0)
        # x ranks i .. bi*k-1 (any y rank >= j)
        stop = min(bi * k, n)
        strip = self.yr_by_x[i:stop] >= j
        out["customers"] += int(np.count_nonzero(strip))
        for name, values in self.by_x.items():
            out[name] += int(values[i:stop][strip].sum())
        # y ranks j .. bj*k-1 with x rank >= bi*k (the rest of the x side)
        stop = min(bj * k, n)
        strip = self.xr_by_y[j:stop] >= bi * k
        out["customers"] += int(np.count_nonzero(strip))
        for name, values in self.by_y.items():
            out[name] += int(values[j:stop][strip].sum())
        return out

    def quadrants(self, a: float, b: float) -> dict[str, dict[str, int]]:
        """Totals of the four quadrants: ``hh`` (x >= a, y >= b), ``hl``, ``lh``, ``ll``."""
        hh = self.at_least(a, b)
        h_ = self.at_least(a, -math.inf)
        _h = self.at_least(-math.inf, b)
        all_ = self.at_least(-math.inf, -math.inf)
        return {
            "hh": hh,
            "hl": {m: h_[m] - hh[m] for m in hh},
            "lh": {m: _h[m] - hh[m] for m in hh},
            "ll": {m: all_[m] - h_[m] - _h[m] + hh[m] for m in hh},
        }


def _matrix_counters(
    customers: ir.Table, rules: TierRules, snapshot_date: dt.date, prospects: ir.Table | None
) -> tuple[QuadrantCounter | None, QuadrantCounter | None]:
    from analytics import segmentation

    scored = segmentation.scored_customers(customers, rules=rules, snapshot_date=snapshot_date)
    df = scored.select(
        x=scored.profit_contribution.cast("float64"),
        y=scored.bank_value.cast("float64"),
        aum=_cents(scored.aum),
        profit=_cents(scored.profit_contribution),
    ).to_pandas()
    existing = QuadrantCounter.build(
        df["x"].to_numpy(),
        df["y"].to_numpy(),
        {"aum": df["aum"].to_numpy(), "profit": df["profit"].to_numpy()},
    )
    target = None
    if prospects is not None:
        p, _ = segmentation._target_table(prospects, rules=rules, snapshot_date=snapshot_date)
        if p is not None:
            pdf = p.select(
                x=p.potential_value.cast("float64"), y=p.fit.cast("float64"), aum=_cents(p.estimated_aum)
            ).to_pandas()
            target = QuadrantCounter.build(
                pdf["x"].to_numpy(), pdf["y"].to_numpy(), {"aum": pdf["aum"].to_numpy()}
            )
    return existing, target


# -- the recompute --------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkloadParams:
    """How service activities turn into relationship-manager time.

    Attributes
    ----------
    hours_per_contact : float
        RM hours one contact takes (call or meeting, with preparation and notes).
    hours_per_event : float
        RM hours per customer invited to an event (invitation, attendance, follow-up).
    hours_per_senior_visit : float
        RM hours per senior visit (the RM prepares and accompanies it).
    hours_per_manager_year : float
        Hours a year one relationship manager has for customer service (capacity).
    """

    hours_per_contact: float = 0.5
    hours_per_event: float = 1.5
    hours_per_senior_visit: float = 4.0
    hours_per_manager_year: float = 1_200.0

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise RulesError(f"{f.name} = {value!r} must be a number")
            if value < 0 or (f.name == "hours_per_manager_year" and value <= 0):
                raise RulesError(f"{f.name} = {value!r} must be {'positive' if value <= 0 else 'at least 0'}")


def _activity_matrix(rules: TierRules) -> np.ndarray:
    """Retail tiers (rows) x :data:`ACTIVITIES` (columns): what one customer needs a year."""
    s = rules.standards
    rows = []
    for tier in RETAIL_TIERS:
        events = s.private_events_per_year if tier == "private" else s.events_per_year
        rows.append(
            (
                12 * s.contacts_per_month if tier in s.contact_tiers else 0,
                events if tier in s.event_tiers else 0,
                s.private_senior_visits_per_year if tier == "private" else 0,
            )
        )
    return np.array(rows, dtype=np.int64)


def activities_per_customer(rules: TierRules) -> pd.DataFrame:
    """What the service standards ask of one customer of each retail tier, a year.

    Returns
    -------
    pandas.DataFrame
        Index: the retail tiers; columns :data:`ACTIVITIES` (contacts = 12 x the monthly
        contacts; events, 3 for private by default; senior visits, private only).
    """
    return pd.DataFrame(_activity_matrix(rules), index=list(RETAIL_TIERS), columns=list(ACTIVITIES))


@dataclass(frozen=True, eq=False)
class Simulation:
    """Baseline against scenario for one snapshot and scope.

    Attributes
    ----------
    tiers : pandas.DataFrame
        One row per tier id in tier order: ``segment, tier, baseline_customers,
        scenario_customers, baseline_aum, scenario_aum, baseline_profit,
        scenario_profit`` (money in CNY, summed in whole cents) and the ``*_change``
        columns (scenario - baseline).
    movement : pandas.DataFrame
        Long form, one row per (from, to) pair with customers, zero cells omitted, in
        tier order: ``from_tier, to_tier, customers, aum, profit`` (``from`` is the
        baseline tier; rows with from == to are the customers who stay).
    moved_customers : int
        Customers whose tier differs.
    workload : pandas.DataFrame
        Per branch (retail): ``branch, managers, baseline_hours, scenario_hours,
        baseline_managers_needed, scenario_managers_needed`` and the activities a year
        under each (``baseline_contacts`` ...), sorted by branch.
    workload_total : dict
        The same summed over branches, plus the parameters used.
    compliance : pandas.DataFrame
        One row per service standard: ``standard, tiers, target, kind,
        baseline_customers, baseline_met, baseline_share, scenario_customers,
        scenario_met, scenario_share`` and whether each meets its target.
    matrices : dict
        Quadrant totals (customers, AUM, profit) under the baseline and scenario cut
        points, when the index has the matrices.
    """

    snapshot_date: dt.date
    tiers: pd.DataFrame
    movement: pd.DataFrame
    moved_customers: int
    workload: pd.DataFrame
    workload_total: dict
    compliance: pd.DataFrame
    matrices: dict


def _retail_bounds(index: TunerIndex, rules: TierRules) -> np.ndarray:
    """Sorted positions where each retail tier starts: [0, emerging, affluent, hnw, private, n]."""
    pop = index.retail
    starts = [pop.position(v) for _, v in rules.retail.bounds()]
    return np.array([0, *starts, pop.size], dtype=np.int64)


def _tier_totals(index: TunerIndex, rules: TierRules) -> dict[str, list[int]]:
    """tier -> [customers, aum cents, profit cents] under ``rules``."""
    out = {tier: [0, 0, 0] for tier in TIER_ORDER}

    def add(tier: str, pop: SortedPopulation, start: int, stop: int) -> None:
        acc = out[tier]
        acc[0] += stop - start
        acc[1] += pop.total("aum_cents", start, stop)
        acc[2] += pop.total("profit", start, stop)

    bounds = _retail_bounds(index, rules)
    for k, tier in enumerate(RETAIL_TIERS):
        add(tier, index.retail, int(bounds[k]), int(bounds[k + 1]))
    c = rules.corporate
    for industry, pop in index.corporate.items():
        cut = pop.position(c.large_threshold(industry or None))
        add("large", pop, cut, pop.size)
        # below the cut: small when the small-enterprise criteria hold, else medium
        small = [pop.total(name, 0, cut) for name in ("small", "small_aum", "small_profit")]
        below = [cut, pop.total("aum_cents", 0, cut), pop.total("profit", 0, cut)]
        for k in range(3):
            out["small"][k] += small[k]
            out["medium"][k] += below[k] - small[k]
    nl = index.no_loan
    cut = nl.position(rules.no_loan.above_scale_deposit_avg_daily)
    add("above_scale", nl, cut, nl.size)
    add("below_scale", nl, 0, cut)
    for tier, customers, aum_cents, profit_cents in index.fixed_rows:
        acc = out[tier]
        acc[0] += customers
        acc[1] += aum_cents
        acc[2] += profit_cents
    return out


def _movement(
    index: TunerIndex, baseline: TierRules, scenario: TierRules
) -> list[tuple[str, str, int, int, int]]:
    """(from tier, to tier, customers, aum cents, profit cents) of every non-empty cell."""
    cells: dict[tuple[str, str], list[int]] = {}

    def add(a: str, b: str, pop: SortedPopulation, start: int, stop: int) -> None:
        if stop <= start:
            return
        acc = cells.setdefault((a, b), [0, 0, 0])
        acc[0] += stop - start
        acc[1] += pop.total("aum_cents", start, stop)
        acc[2] += pop.total("profit", start, stop)

    # Retail: the overlap of the baseline and the scenario position ranges of each pair
    b0, b1 = _retail_bounds(index, baseline), _retail_bounds(index, scenario)
    for i, a in enumerate(RETAIL_TIERS):
        for j, b in enumerate(RETAIL_TIERS):
            add(a, b, index.retail, int(max(b0[i], b1[j])), int(min(b0[i + 1], b1[j + 1])))
    # Corporate: the customers between the two large thresholds change between large and
    # medium (small customers lie below every large threshold); the rest stay
    for industry, pop in index.corporate.items():
        c0 = pop.position(baseline.corporate.large_threshold(industry or None))
        c1 = pop.position(scenario.corporate.large_threshold(industry or None))
        lo, hi = min(c0, c1), max(c0, c1)
        small_lo = pop.total("small", 0, lo)
        _below(cells, pop, 0, lo, small_lo)
        add("large", "large", pop, hi, pop.size)
        if c1 > c0:
            add("large", "medium", pop, lo, hi)
        else:
            add("medium", "large", pop, lo, hi)
    nl = index.no_loan
    n0 = nl.position(baseline.no_loan.above_scale_deposit_avg_daily)
    n1 = nl.position(scenario.no_loan.above_scale_deposit_avg_daily)
    add("below_scale", "below_scale", nl, 0, min(n0, n1))
    add("above_scale", "above_scale", nl, max(n0, n1), nl.size)
    if n1 > n0:
        add("above_scale", "below_scale", nl, n0, n1)
    else:
        add("below_scale", "above_scale", nl, n1, n0)
    for tier, customers, aum_cents, profit_cents in index.fixed_rows:
        if customers:
            acc = cells.setdefault((tier, tier), [0, 0, 0])
            acc[0] += customers
            acc[1] += aum_cents
            acc[2] += profit_cents
    order = {tier: i for i, tier in enumerate(TIER_ORDER)}
    return [
        (a, b, *cells[(a, b)])
        for a, b in sorted(cells, key=lambda k: (order[k[0]], order[k[1]]))
        if cells[(a, b)][0]
    ]


def _below(cells: dict, pop: SortedPopulation, start: int, stop: int, small: int) -> None:
    """Companies below both large thresholds: small stay small, the rest stay medium."""
    if stop <= start:
        return
    small_aum = pop.total("small_aum", start, stop)
    small_profit = pop.total("small_profit", start, stop)
    if small:
        acc = cells.setdefault(("small", "small"), [0, 0, 0])
        acc[0] += small
        acc[1] += small_aum
        acc[2] += small_profit
    if stop - start - small:
        acc = cells.setdefault(("medium", "medium"), [0, 0, 0])
        acc[0] += stop - start - small
        acc[1] += pop.total("aum_cents", start, stop) - small_aum
        acc[2] += pop.total("profit", start, stop) - small_profit


def _branch_tier_counts(index: TunerIndex, bounds: np.ndarray) -> np.ndarray:
    """Retail customers per branch (rows, in code order) and tier (columns)."""
    n_branches = len(index.branches)
    if not n_branches:
        return np.zeros((0, len(RETAIL_TIERS)), dtype=np.int64)
    keys = np.arange(n_branches, dtype=np.int64)[:, None] * (index.retail.size + 1) + bounds[None, :]
    found = np.searchsorted(index.retail_branch_keys, keys.ravel(), side="left").reshape(keys.shape)
    return np.diff(found, axis=1)


def _workload(
    index: TunerIndex, baseline: TierRules, scenario: TierRules, params: WorkloadParams
) -> tuple[pd.DataFrame, dict]:
    columns: dict[str, Any] = {"branch": list(index.branches), "managers": index.branch_managers}
    totals: dict[str, Any] = {"managers": int(index.branch_managers.sum())}
    rate = np.array([params.hours_per_contact, params.hours_per_event, params.hours_per_senior_visit])
    for label, rules in (("baseline", baseline), ("scenario", scenario)):
        counts = _branch_tier_counts(index, _retail_bounds(index, rules))  # branches x tiers
        acts = counts @ _activity_matrix(rules)  # branches x activities
        hours = acts @ rate
        for k, a in enumerate(ACTIVITIES):
            columns[f"{label}_{a}"] = acts[:, k]
            totals[f"{label}_{a}"] = int(acts[:, k].sum())
        columns[f"{label}_hours"] = hours
        columns[f"{label}_managers_needed"] = hours / params.hours_per_manager_year
        totals[f"{label}_hours"] = float(hours.sum())
        totals[f"{label}_managers_needed"] = float(hours.sum()) / params.hours_per_manager_year
    totals["params"] = dataclasses.asdict(params)
    return pd.DataFrame(columns), totals


def _tier_flag_counts(index: TunerIndex, bounds: np.ndarray) -> dict[str, np.ndarray]:
    """Per retail tier: customers and the customers meeting each flag."""
    pop = index.retail
    out = {"customers": np.diff(bounds)}
    for flag in _FLAGS:
        out[flag] = np.diff(pop.totals[flag][bounds])
    return out


def _compliance_rows(rules: TierRules, counts: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """One row per standard: who it applies to, how many meet it, the target."""
    s = rules.standards
    pos = {tier: i for i, tier in enumerate(RETAIL_TIERS)}

    def total(name: str, tiers: tuple[str, ...]) -> int:
        return int(sum(counts[name][pos[t]] for t in tiers))

    rows = []
    for tier, share in s.profile_coverage.items():  # this tier and above
        tiers = RETAIL_TIERS[pos[tier] :]
        rows.append(
            (
                "profile_coverage",
                tier,
                tiers,
                "share",
                share,
                total("customers", tiers),
                total("profile", tiers),
            )
        )
    rows.append(
        (
            "min_products",
            "",
            s.product_tiers,
            "each",
            1.0,
            total("customers", s.product_tiers),
            total("products", s.product_tiers),
        )
    )
    rows.append(
        (
            "key_products",
            "",
            s.key_product_tiers,
            "share",
            s.key_product_share,
            total("customers", s.key_product_tiers),
            total("key_products", s.key_product_tiers),
        )
    )
    rows.append(
        (
            "contacts",
            "",
            s.contact_tiers,
            "each",
            1.0,
            total("customers", s.contact_tiers),
            total("contacts", s.contact_tiers),
        )
    )
    plain = tuple(t for t in s.event_tiers if t != "private")
    private = tuple(t for t in s.event_tiers if t == "private")
    rows.append(
        (
            "events",
            "",
            s.event_tiers,
            "each",
            1.0,
            total("customers", s.event_tiers),
            total("events", plain) + total("private_events", private),
        )
    )
    rows.append(
        (
            "senior_visits",
            "",
            ("private",),
            "each",
            1.0,
            total("customers", ("private",)),
            total("senior_visits", ("private",)),
        )
    )
    return [
        {
            "standard": standard,
            "from_tier": from_tier,
            "tiers": ",".join(tiers),
            "kind": kind,
            "target": float(target),
            "customers": customers,
            "met": met,
        }
        for standard, from_tier, tiers, kind, target, customers, met in rows
    ]


def _compliance(index: TunerIndex, baseline: TierRules, scenario: TierRules) -> pd.DataFrame:
    base = _compliance_rows(baseline, _tier_flag_counts(index, _retail_bounds(index, baseline)))
    scen = _compliance_rows(scenario, _tier_flag_counts(index, _retail_bounds(index, scenario)))
    columns: dict[str, list] = {
        k: [r[k] for r in base] for k in ("standard", "from_tier", "tiers", "kind", "target")
    }
    for label, rows in (("baseline", base), ("scenario", scen)):
        customers = [r["customers"] for r in rows]
        met = [r["met"] for r in rows]
        share = [m / n if n else math.nan for m, n in zip(met, customers, strict=True)]
        columns[f"{label}_customers"] = customers
        columns[f"{label}_met"] = met
        columns[f"{label}_share"] = share
        # "each": every customer is to meet it (target 1); "share": the share must reach the target
        columns[f"{label}_ok"] = [
            (not math.isnan(v)) and v >= t - 1e-12 for v, t in zip(share, columns["target"], strict=True)
        ]
    return pd.DataFrame(columns)


def _matrix_quadrants(index: TunerIndex, baseline: TierRules, scenario: TierRules) -> dict:
    out: dict[str, Any] = {}
    specs = (
        (
            "existing",
            index.existing_matrix,
            ("important", "quality", "ordinary", "exit"),
            "profit_cut",
            "value_cut",
        ),
        (
            "target",
            index.target_matrix,
            ("gold", "potential", "watch", "general"),
            "potential_cut",
            "fit_cut",
        ),
    )
    for kind, counter, names, x_key, y_key in specs:
        if counter is None:
            continue
        entry: dict[str, Any] = {}
        for label, rules in (("baseline", baseline), ("scenario", scenario)):
            section = getattr(rules, kind)
            x_cut = getattr(section, x_key)
            y_cut = getattr(section, y_key)
            x_cut = counter.x_median if x_cut is None else x_cut
            y_cut = counter.y_median if y_cut is None else y_cut
            if x_cut is None or y_cut is None:  # nobody to place
                entry[label] = {"cuts": (None, None), "quadrants": {}}
                continue
            q = counter.quadrants(x_cut, y_cut)
            entry[label] = {
                "cuts": (float(x_cut), float(y_cut)),
                "quadrants": dict(zip(names, (q["hh"], q["hl"], q["lh"], q["ll"]), strict=True)),
            }
        out[kind] = entry
    return out


def simulate(
    index: TunerIndex,
    *,
    baseline: TierRules,
    scenario: TierRules,
    workload: WorkloadParams | None = None,
) -> Simulation:
    """Every tuner figure for ``scenario`` against ``baseline``, from the index alone.

    No customer row is read: each figure is a difference of running totals at the
    positions of the thresholds (binary search), so the cost does not grow with the
    number of customers, and money is summed in whole cents.

    Parameters
    ----------
    index : TunerIndex
        From :func:`prepare` for the snapshot and scope.
    baseline, scenario : TierRules
        The current rules and the changed ones (:func:`scenario_rules`). Their service
        standards must be those the index was prepared with.
    workload : WorkloadParams, optional
        Hours per activity and capacity; defaults documented on the class.

    Returns
    -------
    Simulation
    """
    for rules in (baseline, scenario):
        small = (rules.corporate.small_annual_sales_below, rules.corporate.small_total_assets_below)
        if small != index.small_criteria:
            raise RulesError(
                "the small-enterprise criteria differ from those the tuner was prepared with; "
                "reopen the tuner with these rules"
            )
        if rules.standards != index.standards:
            raise RulesError(
                "the service standards differ from those the tuner was prepared with; "
                "change them in the rules file, then reopen the tuner"
            )
    params = workload or WorkloadParams()
    base = _tier_totals(index, baseline)
    scen = _tier_totals(index, scenario)
    columns: dict[str, list] = {"segment": [TIER_SEGMENT[t] for t in TIER_ORDER], "tier": list(TIER_ORDER)}
    for k, measure in enumerate(("customers", "aum", "profit")):
        b = [base[t][k] for t in TIER_ORDER]
        c = [scen[t][k] for t in TIER_ORDER]
        scale = 1 if measure == "customers" else 100  # money was summed in whole cents
        columns[f"baseline_{measure}"] = [v / scale for v in b] if scale > 1 else b
        columns[f"scenario_{measure}"] = [v / scale for v in c] if scale > 1 else c
        columns[f"{measure}_change"] = [
            (y - x) / scale if scale > 1 else y - x for x, y in zip(b, c, strict=True)
        ]
    order = ["segment", "tier"] + [
        f"{w}_{m}" for m in ("customers", "aum", "profit") for w in ("baseline", "scenario")
    ]
    tiers = pd.DataFrame(
        {k: columns[k] for k in order + [f"{m}_change" for m in ("customers", "aum", "profit")]}
    )
    cells = _movement(index, baseline, scenario)
    movement = pd.DataFrame(
        [(a, b, n, aum / 100, profit / 100) for a, b, n, aum, profit in cells],
        columns=["from_tier", "to_tier", "customers", "aum", "profit"],
    )
    moved = int(sum(c[2] for c in cells if c[0] != c[1]))
    workload_frame, workload_total = _workload(index, baseline, scenario, params)
    return Simulation(
        snapshot_date=index.snapshot_date,
        tiers=tiers,
        movement=movement,
        moved_customers=moved,
        workload=workload_frame,
        workload_total=workload_total,
        compliance=_compliance(index, baseline, scenario),
        matrices=_matrix_quadrants(index, baseline, scenario),
    )


def movement_matrix(sim: Simulation) -> pd.DataFrame:
    """:attr:`Simulation.movement` as a wide customers matrix (baseline rows, scenario columns)."""
    present = set(sim.movement["from_tier"]) | set(sim.movement["to_tier"])
    order = [t for t in TIER_ORDER if t in present]
    wide = sim.movement.pivot_table(
        index="from_tier", columns="to_tier", values="customers", aggfunc="sum", fill_value=0
    )
    wide = wide.reindex(index=order, columns=order, fill_value=0).astype("int64")
    wide.index.name, wide.columns.name = "baseline_tier", "scenario_tier"
    return wide


# -- customers who move (an engine query, for the list only) --------------------------------


def movers(
    customers: ir.Table,
    *,
    baseline: TierRules,
    scenario: TierRules,
    snapshot_date: dt.date,
    limit: int | None = 1_000,
) -> pd.DataFrame:
    """The customers whose tier the scenario changes, largest AUM first.

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    baseline, scenario : TierRules
        The current rules and the changed ones.
    snapshot_date : datetime.date
        The snapshot.
    limit : int or None
        At most this many rows (None: all, for a download).

    Returns
    -------
    pandas.DataFrame
        ``customer_id, customer_name, segment, region, branch, rm_id, aum,
        annual_sales, deposit_avg_daily, baseline_tier, scenario_tier``.
    """
    t = customers.filter(customers.snapshot_date == snapshot_date)
    t = t.mutate(baseline_tier=tier_expr(t, baseline), scenario_tier=tier_expr(t, scenario))
    t = t.filter(t.baseline_tier != t.scenario_tier)
    t = t.select(
        "customer_id",
        "customer_name",
        "segment",
        "region",
        "branch",
        "rm_id",
        "aum",
        "annual_sales",
        "deposit_avg_daily",
        "baseline_tier",
        "scenario_tier",
    ).order_by([ibis.desc("aum"), "customer_id"])
    if limit is not None:
        t = t.limit(limit)
    return t.to_pandas()


# -- suggestions: thresholds that meet a goal ------------------------------------------------

#: Goals :func:`suggest` understands.
GOALS = ("tier_aum_share", "tier_customer_share", "managers")


@dataclass(frozen=True)
class Suggestion:
    """Thresholds that meet a goal, as a scenario.

    Attributes
    ----------
    assignments : dict
        Rule key -> suggested value (a whole number of CNY).
    achieved : float
        The goal's measure under the suggestion (a share, or managers needed).
    met : bool
        Whether the goal is met; when it cannot be (e.g. the top tier cannot hold that
        share without passing the next threshold), the closest possible is suggested
        and ``met`` is False.
    explanation : str
        What was searched and why this value.
    """

    assignments: dict
    achieved: float
    met: bool
    explanation: str


def suggest(
    index: TunerIndex,
    *,
    baseline: TierRules,
    goal: str,
    target: float,
    tier: str = "private",
    workload: WorkloadParams | None = None,
    step: float = 1_000.0,
) -> Suggestion:
    """Find thresholds that meet a goal, from the index (exact, no customer rows read).

    Parameters
    ----------
    index : TunerIndex
        From :func:`prepare`.
    baseline : TierRules
        The rules to start from; only the threshold the goal moves is changed.
    goal : {"tier_aum_share", "tier_customer_share", "managers"}
        ``tier_aum_share``: ``tier`` and the tiers above it hold ``target`` (a share,
        0.4 = 40%) of retail AUM — e.g. "the top tier holds 40% of AUM"; the tier's
        lower threshold is set to the highest value, rounded down to ``step``, at which
        the share is at least the target. ``tier_customer_share``: the same with
        customers. ``managers``: the retail service workload fits ``target``
        relationship managers; the affluent threshold (where contacts and events start)
        is raised to the lowest value, rounded up to ``step``, at which it fits.
    target : float
        The share or the number of managers.
    tier : str
        For the share goals: the retail tier (above ``mass``) whose threshold moves.
    workload : WorkloadParams, optional
        For ``managers``.
    step : float
        Suggested thresholds are multiples of this (CNY).

    Returns
    -------
    Suggestion

    Raises
    ------
    RulesError
        An unknown goal or tier, or a target out of range.
    """
    if goal not in GOALS:
        raise RulesError(f"unknown goal '{goal}' (known: {', '.join(GOALS)})")
    pop = index.retail
    values = tunable_values(baseline)
    if goal in ("tier_aum_share", "tier_customer_share"):
        if tier not in RETAIL_BOUNDED:
            raise RulesError(
                f"tier '{tier}' has no threshold to move (choose one of {', '.join(RETAIL_BOUNDED)})"
            )
        if not 0 < target < 1:
            raise RulesError(f"a share goal must lie between 0 and 1, not {target!r}")
        measure = "aum_cents" if goal == "tier_aum_share" else "customers"
        whole = pop.total(measure, 0, pop.size)
        if pop.size == 0 or whole <= 0:
            raise RulesError("no retail customers (or no retail AUM) in this view to set a threshold on")
        k = RETAIL_BOUNDED.index(tier)
        lower = values[f"retail.{RETAIL_BOUNDED[k - 1]}"] if k > 0 else 0.0
        upper = values[f"retail.{RETAIL_BOUNDED[k + 1]}"] if k + 1 < len(RETAIL_BOUNDED) else math.inf

        def share(threshold: float) -> float:
            return pop.total(measure, pop.position(threshold), pop.size) / whole

        # The share at or above a threshold falls as it rises. Running totals ascend (AUM is
        # never negative), so the last start position whose remainder still holds the target
        # is one binary search; the threshold is that customer's value, rounded down.
        running = np.arange(pop.size + 1) if measure == "customers" else pop.totals[measure]
        need = target * whole
        pos = int(np.searchsorted(running, running[-1] - need, side="right")) - 1
        pos = min(max(pos, 0), pop.size - 1)
        threshold = math.floor(pop.value[pos] / step) * step
        threshold = (
            min(max(threshold, lower + step), upper - step)
            if math.isfinite(upper)
            else max(threshold, lower + step)
        )
        achieved = share(threshold)
        met = achieved >= target - 1e-12
        what = "AUM" if measure == "aum_cents" else "customers"
        return Suggestion(
            {f"retail.{tier}": float(threshold)},
            achieved,
            met,
            f"retail.{tier} = {threshold:,.0f}: the {tier} tier and above hold {achieved:.1%} of retail {what} "
            f"(goal {target:.1%}); searched between retail thresholds {lower:,.0f} and {upper:,.0f}",
        )
    # managers: raise the affluent threshold until the workload fits
    params = workload or WorkloadParams()
    if target <= 0:
        raise RulesError(f"the number of managers must be positive, not {target!r}")

    def needed(threshold: float) -> float:
        rules = baseline.with_values({"retail.affluent": threshold})
        return _workload(index, rules, rules, params)[1]["baseline_managers_needed"]

    lower = values["retail.emerging"] + step
    upper = values["retail.hnw"] - step
    current = values["retail.affluent"]
    if needed(current) <= target:
        return Suggestion(
            {"retail.affluent": float(current)}, needed(current), True, "the current rules already fit"
        )
    if needed(upper) > target:
        return Suggestion(
            {"retail.affluent": float(upper)},
            needed(upper),
            False,
            f"even with retail.affluent just below retail.hnw ({upper:,.0f}) the workload needs "
            f"{needed(upper):,.1f} managers; the high-net-worth and private standards alone exceed {target:g}",
        )
    lo, hi = math.ceil(current / step), math.floor(upper / step)  # in steps; needed() falls as it rises
    while lo < hi:
        mid = (lo + hi) // 2
        if needed(mid * step) <= target:
            hi = mid
        else:
            lo = mid + 1
    threshold = float(lo * step)
    return Suggestion(
        {"retail.affluent": threshold},
        needed(threshold),
        True,
        f"retail.affluent = {threshold:,.0f} is the lowest threshold (in steps of {step:,.0f}) at which "
        f"the retail service workload fits {target:g} managers",
    )


def simulation_json(sim: Simulation) -> dict[str, Any]:
    """The ``tune --json`` object of the command line (money rounded to the cent)."""
    rows = [
        {
            "segment": r.segment,
            "tier": r.tier,
            "baseline_customers": int(r.baseline_customers),
            "scenario_customers": int(r.scenario_customers),
            "baseline_aum": round(float(r.baseline_aum), 2),
            "scenario_aum": round(float(r.scenario_aum), 2),
            "baseline_profit": round(float(r.baseline_profit), 2),
            "scenario_profit": round(float(r.scenario_profit), 2),
        }
        for r in sim.tiers.itertuples()
    ]
    movement: dict[str, dict[str, int]] = {}
    for r in sim.movement.itertuples():
        movement.setdefault(r.from_tier, {})[r.to_tier] = int(r.customers)
    wl = sim.workload_total
    workload = {
        "params": wl["params"],
        "managers": wl["managers"],
        **{
            k: (round(v, 2) if isinstance(v, float) else v)
            for k, v in wl.items()
            if k not in ("params", "managers")
        },
        "by_branch": [
            {
                "branch": r.branch,
                "managers": int(r.managers),
                "baseline_hours": round(float(r.baseline_hours), 2),
                "scenario_hours": round(float(r.scenario_hours), 2),
                "baseline_managers_needed": round(float(r.baseline_managers_needed), 2),
                "scenario_managers_needed": round(float(r.scenario_managers_needed), 2),
            }
            for r in sim.workload.itertuples()
        ],
    }
    compliance = [
        {
            "standard": r.standard,
            "from_tier": r.from_tier,
            "tiers": r.tiers.split(","),
            "target": r.target,
            **{
                f"{label}_{k}": (
                    None
                    if pd.isna(v)
                    else (bool(v) if k == "ok" else (round(float(v), 4) if k == "share" else int(v)))
                )
                for label in ("baseline", "scenario")
                for k in ("customers", "met", "share", "ok")
                for v in [getattr(r, f"{label}_{k}")]
            },
        }
        for r in sim.compliance.itertuples()
    ]
    return {
        "snapshot_date": sim.snapshot_date.isoformat(),
        "rows": rows,
        "moved_customers": sim.moved_customers,
        "movement": movement,
        "workload": workload,
        "compliance": compliance,
    }
