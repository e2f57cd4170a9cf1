"""Segmentation: the corporate classification tree and the two value matrices.

Seed practice (DESIGN.md): classify first, then tier, then place each customer group on
two value dimensions to find the most attractive groups.

- :func:`classification_tree`: corporate and institutional customers by loans, company or
  institution, market and tier, with customers, balances and profit per node.
- :func:`existing_matrix`: every customer of a snapshot placed by profit contribution
  against bank-to-customer value: important, quality, ordinary, exit.
- :func:`target_matrix`: prospects placed by potential value against fit: gold,
  potential, watch, general.
- :func:`tier_by_unit`, :func:`tier_by_quadrant`: the heatmaps.

Every function takes a table that is already scoped and filtered
(:func:`analytics.scope.apply_filters`) and the rules as a parameter. Customer rows stay
in the engine: what comes back is a summary, a capped sample for a scatter, or a capped
list. The method (the composite bank value, the cut points) is written up for analysts
in ``docs/segmentation.md``.

Cut points
----------
For each axis: the number passed in (source ``"chosen"``), else the rules' number
(``"rules"``), else the median of the population (``"median"``: the interpolated median,
as :func:`numpy.median`; DuckDB's ``quantile_cont``). A value equal to the cut point
counts as high.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pandas as pd

from analytics.rules import TIER_ORDER, TierRules
from analytics.tiers import with_tiers

#: Existing-customer matrix classes: (high profit, high value), (high, low), (low, high), (low, low).
QUADRANTS = ("important", "quality", "ordinary", "exit")
#: Target matrix classes: (high potential, high fit), (high, low), (low, high), (low, low).
TARGET_CLASSES = ("gold", "potential", "watch", "general")

#: The classification tree of corporate and institutional customers: node -> children.
#: Leaves are tier ids (DESIGN.md); every node's numbers are the sums of its leaves.
_CHILDREN: dict[str, tuple[str, ...]] = {
    "corporate": ("loan", "no_loan"),
    "loan": ("loan.company", "institution"),
    "loan.company": ("loan.company.traditional", "emerging_market", "real_estate"),
    "loan.company.traditional": ("strategic", "large", "medium", "small"),
    "no_loan": ("no_loan.company", "institution_no_loan"),
    "no_loan.company": ("above_scale", "below_scale"),
}


def _walk(node: str, parent: str, depth: int) -> list[tuple[str, str, int]]:
    out = [(node, parent, depth)]
    for child in _CHILDREN.get(node, ()):
        out.extend(_walk(child, node, depth + 1))
    return out


_TREE = _walk("corporate", "", 0)
#: Node ids of the classification tree in display order (depth first, root first).
TREE_NODES: tuple[str, ...] = tuple(node for node, _, _ in _TREE)

#: The comparison window of the satisfaction component and of balance growth.
_YEAR_MONTHS = 12
#: Scores are rounded to this many decimals so that customers with the same inputs get
#: exactly the same score whatever order the engine adds the terms in (a float sum that
#: differs in the last bit would otherwise put one of two equal customers below a cut).
_SCORE_DECIMALS = 6
#: A component a customer lacks counts as the middle of the population.
NEUTRAL_RANK = 0.5
#: The columns the existing-matrix functions carry (plus ``bank_value``), and the inputs
#: of the composite bank value.
_CORE = ("customer_id", "segment", "tier", "aum", "profit_contribution")
_LIST_COLUMNS = (
    "customer_id",
    "customer_name",
    "segment",
    "tier",
    "region",
    "branch",
    "rm_id",
    "aum",
    "profit_contribution",
    "bank_value",
)
_COMPOSITE_INPUTS = ("products_held", "open_date", "contacts_month", "events_year")


def tiers_of_node(node: str) -> tuple[str, ...]:
    """The leaf tier ids under a node of the classification tree (a leaf: itself).

    Raises
    ------
    ValueError
        For a node that is not in :data:`TREE_NODES`.
    """
    if node not in TREE_NODES:
        raise ValueError(f"unknown tree node {node!r} (known: {', '.join(TREE_NODES)})")
    children = _CHILDREN.get(node)
    if not children:
        return (node,)
    return tuple(tier for child in children for tier in tiers_of_node(child))


@dataclass(frozen=True)
class MatrixSummary:
    """One value matrix of one population: cut points, sources and the per-class summary.

    Attributes
    ----------
    kind : str
        ``"existing"`` or ``"target"``.
    snapshot_date : datetime.date or None
        The snapshot used (for the target matrix the prospects snapshot used); ``None``
        when there is no data.
    x, y : str
        The axes: ``profit_contribution`` and ``bank_value``, or ``potential_value`` and
        ``fit``.
    cut_points : dict
        ``{x: cut, y: cut}``. A median cut is ``None`` when the population is empty; a
        chosen or rules cut keeps its number.
    cut_sources : dict
        ``{x: source, y: source}``, each ``"chosen"``, ``"rules"`` or ``"median"``.
    medians : dict
        ``{x: median, y: median}`` of the population (``None`` when empty), for the
        page's "reset to median".
    value_source : str
        Existing matrix: ``"bank_value_score"`` (the data's own score) or
        ``"composite"``; target matrix: ``"prospect_scores"``.
    population : int
        Customers (prospects) placed.
    summary : pandas.DataFrame
        One row per class in :data:`QUADRANTS` (:data:`TARGET_CLASSES`) order, zeros when
        empty. Existing: ``class, customers, customers_share, aum, aum_share,
        profit_contribution, profit_share``; target: ``class, prospects,
        prospects_share, estimated_aum, estimated_aum_share``. Shares are fractions of
        the population's total (0 when the total is 0); ``profit_share`` is of the *net*
        profit, so with loss-makers a class can hold more than 100% or a negative share.
    """

    kind: str
    snapshot_date: dt.date | None
    x: str
    y: str
    cut_points: dict[str, float | None]
    cut_sources: dict[str, str]
    medians: dict[str, float | None]
    value_source: str
    population: int
    summary: pd.DataFrame = field(compare=False, hash=False)

    def counts(self) -> dict[str, int]:
        """Class -> number of customers (prospects), in class order."""
        column = "customers" if self.kind == "existing" else "prospects"
        return {str(k): int(v) for k, v in zip(self.summary["class"], self.summary[column], strict=True)}


# -- shared helpers ---------------------------------------------------------------------
def _months_before(d: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier; a month end maps to the month end.

    2026-03-15 -> 2025-03-15, 2025-02-28 -> 2024-02-29, 2024-02-29 -> 2023-02-28, so that
    month-end snapshots a year apart find each other.
    """
    year, month0 = divmod(d.year * 12 + d.month - 1 - months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    month_end = d.day == calendar.monthrange(d.year, d.month)[1]
    return dt.date(year, month0 + 1, last if month_end else min(d.day, last))


def _resolve_cut(chosen: float | None, rule: float | None, median: float | None) -> tuple[float | None, str]:
    if chosen is not None:
        return float(chosen), "chosen"
    if rule is not None:
        return float(rule), "rules"
    return median, "median"


def _float_or_none(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _classify(x: ir.NumericValue, y: ir.NumericValue, x_cut, y_cut, names) -> ir.StringValue:
    """The class of a point: ``names`` in (high, high), (high x, low y), (low x, high y), (low, low) order."""
    high_x, high_y = x >= x_cut, y >= y_cut
    return ibis.cases(
        (high_x & high_y, names[0]),
        (high_x, names[1]),
        (high_y, names[2]),
        else_=names[3],
    )


def _check_tiers(tiers: tuple[str, ...] | None) -> None:
    if tiers is None:
        return
    unknown = [t for t in tiers if t not in TIER_ORDER]
    if unknown:
        raise ValueError(f"unknown tier id {unknown[0]!r} (known: {', '.join(TIER_ORDER)})")


def _population(
    customers: ir.Table, *, rules: TierRules, snapshot_date: dt.date, tiers: tuple[str, ...] | None
) -> ir.Table:
    """The snapshot's customers with ``tier`` and ``profit_contribution``, restricted to ``tiers``."""
    _check_tiers(tiers)
    t = with_tiers(customers.filter(customers.snapshot_date == snapshot_date), rules)
    if tiers is not None:
        t = t.filter(t.tier.isin(list(tiers))) if tiers else t.filter(ibis.literal(False))
    return t


def _percent_rank(value: ir.NumericColumn) -> ir.FloatingColumn:
    """(rank - 1) / (n - 1) among the rows that have a value; ties share the lowest rank.

    Rows without a value, and every row of a population of one, get :data:`NEUTRAL_RANK`.
    Partitioning the ranks by "has a value" keeps the missing rows out of them whatever
    the engine's NULL ordering; ``n`` counts the values over the whole population.
    """
    missing = value.isnull()
    rank = ibis.rank().over(ibis.window(group_by=missing, order_by=value))  # 0-based: rank - 1
    n = value.count().over(ibis.window())
    return ibis.cases(
        (missing | (n <= 1), ibis.literal(NEUTRAL_RANK)),
        else_=rank.cast("float64") / (n - 1).cast("float64"),
    )


def _comparison_snapshot(customers: ir.Table, snapshot_date: dt.date) -> dt.date | None:
    """The snapshot balance growth compares with: a year earlier, else the earliest before.

    The latest snapshot of ``customers`` on or before ``snapshot_date`` minus 12 months;
    when there is none, the earliest snapshot before ``snapshot_date``; ``None`` when
    ``snapshot_date`` is the first.
    """
    year_ago = _months_before(snapshot_date, _YEAR_MONTHS)
    s = customers.snapshot_date
    row = (
        customers.filter(s < snapshot_date)
        .aggregate(year_ago=s.max(where=s <= year_ago), earliest=s.min())
        .to_pandas()
        .iloc[0]
    )
    for value in (row["year_ago"], row["earliest"]):
        if value is not None and not pd.isna(value):
            return pd.Timestamp(value).date()
    return None


def _composite_components(
    population: ir.Table,
    customers: ir.Table,
    *,
    snapshot_date: dt.date,
    surveys: ir.Table | None = None,
) -> ir.Table:
    """The raw inputs of the composite bank-to-customer value, one column each.

    Parameters
    ----------
    population : ibis.Table
        The customers of ``snapshot_date`` to score (one row per customer).
    customers : ibis.Table
        The scoped customers table the population was taken from; balance growth reads
        the comparison snapshot from it.
    snapshot_date : datetime.date
        The population's snapshot.
    surveys : ibis.Table, optional
        Survey answers, joined on ``customer_id``.

    Returns
    -------
    ibis.Table
        ``population`` with ``product_coverage, tenure, activity, satisfaction,
        balance_growth`` added (NULL where the customer lacks the input).
    """
    t = population
    both_missing = t.contacts_month.isnull() & t.events_year.isnull()
    activity = t.contacts_month.fill_null(0).cast("float64") + t.events_year.fill_null(0).cast("float64") / 12
    t = t.mutate(
        product_coverage=t.products_held.cast("float64"),
        tenure=ibis.literal(snapshot_date).delta(t.open_date, unit="day").cast("float64"),
        activity=ibis.cases((both_missing, ibis.null("float64")), else_=activity),
    )

    if surveys is not None:
        start = _months_before(snapshot_date, _YEAR_MONTHS)
        s = surveys.filter(
            surveys.customer_id.notnull()
            & (surveys.survey_date > start)
            & (surveys.survey_date <= snapshot_date)
        )
        # A scale of 0 or NULL cannot be read as a share: that answer is left out.
        ratio = s.score.cast("float64") / ibis.cases((s.scale_max > 0, s.scale_max), else_=ibis.null())
        sat = (
            s.mutate(ratio=ratio).group_by(sat_customer_id=s.customer_id).aggregate(satisfaction=ratio.mean())
        )
        t = t.left_join(sat, t.customer_id == sat.sat_customer_id).drop("sat_customer_id")
    else:
        t = t.mutate(satisfaction=ibis.null("float64"))

    then = _comparison_snapshot(customers, snapshot_date)
    if then is not None:
        before = customers.filter(customers.snapshot_date == then)
        before = before.select(then_customer_id=before.customer_id, aum_then=before.aum.cast("float64"))
        t = t.left_join(before, t.customer_id == before.then_customer_id).drop("then_customer_id")
        base = ibis.greatest(t.aum_then, ibis.literal(1.0))
        t = t.mutate(balance_growth=(t.aum.cast("float64") - t.aum_then) / base).drop("aum_then")
    else:
        t = t.mutate(balance_growth=ibis.null("float64"))
    return t


def _with_composite(
    population: ir.Table,
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    surveys: ir.Table | None,
) -> ir.Table:
    # Only the columns the ranks need travel through the window sorts: carrying the whole
    # customer row through five sorts of a million rows costs several times more.
    inputs = population.select(*_CORE, *_COMPOSITE_INPUTS)
    t = _composite_components(inputs, customers, snapshot_date=snapshot_date, surveys=surveys)
    weights = rules.existing.bank_value_weights
    score = None
    for name, weight in weights.items():
        term = ibis.literal(float(weight)) * _percent_rank(t[name])
        score = term if score is None else score + term
    return t.select(*_CORE, bank_value=(score * 100).round(_SCORE_DECIMALS))


def _value_source(population: ir.Table) -> tuple[int, str]:
    row = population.aggregate(n=population.count(), scored=population.bank_value_score.count()).to_pandas()
    n, scored = int(row["n"].iloc[0]), int(row["scored"].iloc[0])
    return n, ("bank_value_score" if n > 0 and scored == n else "composite")


def _existing_table(
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    tiers: tuple[str, ...] | None,
    surveys: ir.Table | None,
) -> tuple[ir.Table, str, int]:
    """The population's :data:`_CORE` columns and ``bank_value``, the value source and its size.

    ``customers`` may be a population already scored by :func:`scored_customers` (it has a
    ``bank_value`` column): then it is only narrowed to ``tiers``.
    """
    if "bank_value" in customers.columns:
        _check_tiers(tiers)
        t = customers.filter(customers.snapshot_date == snapshot_date)
        if tiers is not None:
            t = t.filter(t.tier.isin(list(tiers))) if tiers else t.filter(ibis.literal(False))
        row = t.aggregate(n=t.count(), source=t.value_source.max()).to_pandas().iloc[0]
        source = row["source"] if isinstance(row["source"], str) else "composite"
        return t, source, int(row["n"])
    pop = _population(customers, rules=rules, snapshot_date=snapshot_date, tiers=tiers)
    n, source = _value_source(pop)
    if source == "bank_value_score":
        return pop.select(*_CORE, bank_value=pop.bank_value_score.cast("float64")), source, n
    return (
        _with_composite(pop, customers, rules=rules, snapshot_date=snapshot_date, surveys=surveys),
        source,
        n,
    )


def scored_customers(
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    tiers: tuple[str, ...] | None = None,
    surveys: ir.Table | None = None,
) -> ir.Table:
    """The population of a snapshot with its bank-to-customer value, one row per customer.

    The composite's percent ranks are the costly part of the existing-customer matrix (a
    sort of the population per component). A caller that summarises the same population
    several times (the page, at each change of a cut point) keeps these rows in the engine
    (:meth:`analytics.store.Store.materialize`) and passes them instead of ``customers`` to
    :func:`existing_matrix`, :func:`existing_points`, :func:`existing_customers` and
    :func:`tier_by_quadrant`, which then only classify and count.

    Parameters
    ----------
    customers, rules, snapshot_date, tiers, surveys
        As :func:`existing_matrix`.

    Returns
    -------
    ibis.Table
        ``snapshot_date, customer_id, customer_name, segment, tier, region, branch, rm_id,
        aum, profit_contribution, bank_value, value_source`` (an expression: nothing runs).
    """
    table, source, _ = _existing_table(
        customers, rules=rules, snapshot_date=snapshot_date, tiers=tiers, surveys=surveys
    )
    snap = customers.filter(customers.snapshot_date == snapshot_date)
    names = snap.select(
        name_id=snap.customer_id,
        customer_name=snap.customer_name,
        region=snap.region,
        branch=snap.branch,
        rm_id=snap.rm_id,
    )
    t = table.left_join(names, table.customer_id == names.name_id)
    return t.select(
        snapshot_date=ibis.literal(snapshot_date),
        customer_id=t.customer_id,
        customer_name=t.customer_name,
        segment=t.segment,
        tier=t.tier,
        region=t.region,
        branch=t.branch,
        rm_id=t.rm_id,
        aum=t.aum,
        profit_contribution=t.profit_contribution,
        bank_value=t.bank_value,
        value_source=ibis.literal(source),
        sample_key=t.customer_id.hash(),
    )


def _shares(df: pd.DataFrame, measures: dict[str, str]) -> pd.DataFrame:
    for measure, share in measures.items():
        total = df[measure].sum()
        df[share] = df[measure] / total if total != 0 else 0.0
    return df


def _sample(t: ir.Table, key: str, max_points: int) -> ir.Table:
    # A hash order is a fixed pseudo-random order: the same customers are drawn every
    # time (whatever the cut points), and the sample is spread over the whole population.
    # A scored population carries the hash already (one top-N on a number, no hashing).
    first = t.sample_key if "sample_key" in t.columns else t[key].hash()
    return t.order_by([first, t[key]]).limit(max_points)


# -- existing-customer matrix -------------------------------------------------------------
def existing_matrix(
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    profit_cut: float | None = None,
    value_cut: float | None = None,
    tiers: tuple[str, ...] | None = None,
    surveys: ir.Table | None = None,
) -> MatrixSummary:
    """Profit contribution x bank-to-customer value: important, quality, ordinary, exit.

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table (all snapshots: the composite's balance
        growth reads an earlier one).
    rules : TierRules
        Tier rules, the rules' cut points and the composite's weights.
    snapshot_date : datetime.date
        The snapshot to place.
    profit_cut, value_cut : float, optional
        Cut points chosen on the page; without them the rules' numbers, else the medians.
    tiers : tuple of str, optional
        Restrict the population to these tier ids (a node of the classification tree)
        before the medians and the composite's ranks are taken.
    surveys : ibis.Table, optional
        Survey answers for the composite's satisfaction component (neutral without).

    Returns
    -------
    MatrixSummary
        ``x = "profit_contribution"``, ``y = "bank_value"``. Bank value is the
        ``bank_value_score`` column when every customer of the population has one,
        otherwise the composite for everyone (``value_source``).
    """
    table, source, n = _existing_table(
        customers, rules=rules, snapshot_date=snapshot_date, tiers=tiers, surveys=surveys
    )
    medians: dict[str, float | None] = {"profit_contribution": None, "bank_value": None}
    agg = None
    if n:
        # One pass: the medians as whole-population windows, so that the composite (the
        # costly part) is computed once for the medians and the classes together.
        everyone = ibis.window()
        if "sample_key" in table.columns:
            # A population kept in the engine (scored_customers): medians by one aggregate,
            # then literals, cost less than two windows over every row.
            row = (
                table.aggregate(p=table.profit_contribution.median(), v=table.bank_value.median())
                .to_pandas()
                .iloc[0]
            )
            t = table.mutate(
                p_median=ibis.literal(float(row["p"]), "float64"),
                v_median=ibis.literal(float(row["v"]), "float64"),
            )
        else:
            t = table.mutate(
                p_median=table.profit_contribution.median().over(everyone),
                v_median=table.bank_value.median().over(everyone),
            )
        p_given = profit_cut if profit_cut is not None else rules.existing.profit_cut
        v_given = value_cut if value_cut is not None else rules.existing.value_cut
        t = t.mutate(
            quadrant=_classify(
                t.profit_contribution,
                t.bank_value,
                t.p_median if p_given is None else float(p_given),
                t.v_median if v_given is None else float(v_given),
                QUADRANTS,
            )
        )
        agg = (
            t.group_by("quadrant")
            .aggregate(
                customers=t.count(),
                aum=t.aum.sum(),
                profit_contribution=t.profit_contribution.sum(),
                p_median=t.p_median.max(),
                v_median=t.v_median.max(),
            )
            .rename({"class": "quadrant"})
            .to_pandas()
        )
        medians = {
            "profit_contribution": _float_or_none(agg["p_median"].iloc[0]),
            "bank_value": _float_or_none(agg["v_median"].iloc[0]),
        }
        agg = agg.drop(columns=["p_median", "v_median"])
    p_cut, p_src = _resolve_cut(profit_cut, rules.existing.profit_cut, medians["profit_contribution"])
    v_cut, v_src = _resolve_cut(value_cut, rules.existing.value_cut, medians["bank_value"])

    summary = pd.DataFrame({"class": list(QUADRANTS)})
    if agg is not None:
        summary = summary.merge(agg, on="class", how="left")
    for col in ("customers", "aum", "profit_contribution"):
        summary[col] = summary[col].fillna(0) if col in summary else 0
    summary["customers"] = summary["customers"].astype("int64")
    summary["aum"] = summary["aum"].astype("float64")
    summary["profit_contribution"] = summary["profit_contribution"].astype("float64")
    summary = _shares(
        summary,
        {"customers": "customers_share", "aum": "aum_share", "profit_contribution": "profit_share"},
    )
    summary = summary[
        ["class", "customers", "customers_share", "aum", "aum_share", "profit_contribution", "profit_share"]
    ]
    return MatrixSummary(
        kind="existing",
        snapshot_date=snapshot_date if n else None,
        x="profit_contribution",
        y="bank_value",
        cut_points={"profit_contribution": p_cut, "bank_value": v_cut},
        cut_sources={"profit_contribution": p_src, "bank_value": v_src},
        medians=medians,
        value_source=source,
        population=n,
        summary=summary,
    )


def existing_points(
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    profit_cut: float,
    value_cut: float,
    tiers: tuple[str, ...] | None = None,
    surveys: ir.Table | None = None,
    max_points: int = 20_000,
) -> pd.DataFrame:
    """The scatter's points: a fixed sample of at most ``max_points`` customers.

    Parameters
    ----------
    customers, rules, snapshot_date, tiers, surveys
        As :func:`existing_matrix`.
    profit_cut, value_cut : float
        The cut points in force (:attr:`MatrixSummary.cut_points`).
    max_points : int
        Largest number of rows returned.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, segment, tier, aum, profit_contribution, bank_value, quadrant``;
        every customer when there are at most ``max_points``, otherwise the same
        pseudo-random sample every time (ordered by a hash of ``customer_id``).
    """
    table, _, _ = _existing_table(
        customers, rules=rules, snapshot_date=snapshot_date, tiers=tiers, surveys=surveys
    )
    t = table.mutate(
        quadrant=_classify(table.profit_contribution, table.bank_value, profit_cut, value_cut, QUADRANTS)
    )
    cols = ["customer_id", "segment", "tier", "aum", "profit_contribution", "bank_value", "quadrant"]
    keep = cols + (["sample_key"] if "sample_key" in t.columns else [])
    return _sample(t.select(keep), "customer_id", max_points).to_pandas()[cols]


def existing_customers(
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    quadrant: str,
    profit_cut: float,
    value_cut: float,
    tiers: tuple[str, ...] | None = None,
    surveys: ir.Table | None = None,
    limit: int = 1000,
) -> pd.DataFrame:
    """The customer list of one quadrant, largest profit contribution first.

    Parameters
    ----------
    customers, rules, snapshot_date, tiers, surveys
        As :func:`existing_matrix`.
    quadrant : str
        One of :data:`QUADRANTS`.
    profit_cut, value_cut : float
        The cut points in force.
    limit : int
        Largest number of rows returned.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, customer_name, segment, tier, region, branch, rm_id, aum,
        profit_contribution, bank_value``, ties by ``customer_id``.
    """
    if quadrant not in QUADRANTS:
        raise ValueError(f"quadrant must be one of {QUADRANTS}, not {quadrant!r}")
    table, _, _ = _existing_table(
        customers, rules=rules, snapshot_date=snapshot_date, tiers=tiers, surveys=surveys
    )
    t = table.filter(
        _classify(table.profit_contribution, table.bank_value, profit_cut, value_cut, QUADRANTS) == quadrant
    )
    order = [ibis.desc("profit_contribution"), "customer_id"]
    top = t.order_by(order).limit(limit)
    if "customer_name" in top.columns:  # a scored population carries them already
        return top.select(_LIST_COLUMNS).order_by(order).to_pandas()[list(_LIST_COLUMNS)]
    # Names and organisation are looked up for the listed customers only (see _CORE).
    snap = customers.filter(customers.snapshot_date == snapshot_date)
    names = snap.select(
        name_id=snap.customer_id,
        customer_name=snap.customer_name,
        region=snap.region,
        branch=snap.branch,
        rm_id=snap.rm_id,
    )
    top = top.left_join(names, top.customer_id == names.name_id)
    return top.select(_LIST_COLUMNS).order_by(order).to_pandas()[list(_LIST_COLUMNS)]


# -- target-customer matrix ---------------------------------------------------------------
def prospects_snapshot(prospects: ir.Table, snapshot_date: dt.date) -> dt.date | None:
    """The latest prospects snapshot on or before ``snapshot_date`` (``None`` when there is none)."""
    value = prospects.filter(prospects.snapshot_date <= snapshot_date).snapshot_date.max().to_pandas()
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _target_table(prospects: ir.Table, *, rules: TierRules, snapshot_date: dt.date):
    snap = prospects_snapshot(prospects, snapshot_date)
    if snap is None:
        return None, None
    t = prospects.filter(prospects.snapshot_date == snap)
    w = rules.target.potential_weights
    potential = (
        ibis.literal(float(w["industry"])) * t.industry_score.cast("float64")
        + ibis.literal(float(w["growth"])) * t.growth_score.cast("float64")
        + ibis.literal(float(w["influence"])) * t.influence_score.cast("float64")
    )
    return t.mutate(potential_value=potential.round(_SCORE_DECIMALS), fit=t.fit_score.cast("float64")), snap


def target_matrix(
    prospects: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    potential_cut: float | None = None,
    fit_cut: float | None = None,
) -> MatrixSummary:
    """Potential value x fit of the prospects: gold, potential, watch, general.

    Parameters
    ----------
    prospects : ibis.Table
        Scoped and filtered prospects table.
    rules : TierRules
        The potential-value weights and the rules' cut points.
    snapshot_date : datetime.date
        The customers' snapshot shown; the prospects used are those of the latest
        prospects snapshot on or before it.
    potential_cut, fit_cut : float, optional
        Cut points chosen on the page; without them the rules' numbers, else the medians.

    Returns
    -------
    MatrixSummary
        ``x = "potential_value"`` (``w_industry * industry_score + w_growth *
        growth_score + w_influence * influence_score``), ``y = "fit"`` (``fit_score``).
        Without a prospects snapshot: population 0, zeros, ``snapshot_date`` and the
        cut points ``None``.
    """
    table, snap = _target_table(prospects, rules=rules, snapshot_date=snapshot_date)
    medians: dict[str, float | None] = {"potential_value": None, "fit": None}
    n = 0
    if table is not None:
        row = table.aggregate(
            n=table.count(), p=table.potential_value.median(), f=table.fit.median()
        ).to_pandas()
        n = int(row["n"].iloc[0])
        if n:
            medians = {
                "potential_value": _float_or_none(row["p"].iloc[0]),
                "fit": _float_or_none(row["f"].iloc[0]),
            }
    cuts = {
        "potential_value": _resolve_cut(
            potential_cut, rules.target.potential_cut, medians["potential_value"]
        ),
        "fit": _resolve_cut(fit_cut, rules.target.fit_cut, medians["fit"]),
    }
    p_cut, f_cut = cuts["potential_value"][0], cuts["fit"][0]

    summary = pd.DataFrame({"class": list(TARGET_CLASSES)})
    if n and p_cut is not None and f_cut is not None:
        t = table.mutate(
            target_class=_classify(table.potential_value, table.fit, p_cut, f_cut, TARGET_CLASSES)
        )
        agg = (
            t.group_by("target_class")
            .aggregate(prospects=t.count(), estimated_aum=t.estimated_aum.sum())
            .rename({"class": "target_class"})
            .to_pandas()
        )
        summary = summary.merge(agg, on="class", how="left")
    for col in ("prospects", "estimated_aum"):
        summary[col] = summary[col].fillna(0) if col in summary else 0
    summary["prospects"] = summary["prospects"].astype("int64")
    summary["estimated_aum"] = summary["estimated_aum"].astype("float64")
    summary = _shares(summary, {"prospects": "prospects_share", "estimated_aum": "estimated_aum_share"})
    summary = summary[["class", "prospects", "prospects_share", "estimated_aum", "estimated_aum_share"]]
    return MatrixSummary(
        kind="target",
        snapshot_date=snap,
        x="potential_value",
        y="fit",
        cut_points={"potential_value": p_cut, "fit": f_cut},
        cut_sources={k: v[1] for k, v in cuts.items()},
        medians=medians,
        value_source="prospect_scores",
        population=n,
        summary=summary,
    )


def target_points(
    prospects: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    potential_cut: float,
    fit_cut: float,
    max_points: int = 20_000,
) -> pd.DataFrame:
    """The target scatter's points: a fixed sample of at most ``max_points`` prospects.

    Returns
    -------
    pandas.DataFrame
        ``prospect_id, segment, industry, estimated_aum, potential_value, fit,
        target_class`` (empty without a prospects snapshot); sampled like
        :func:`existing_points`.
    """
    cols = ["prospect_id", "segment", "industry", "estimated_aum", "potential_value", "fit", "target_class"]
    table, _ = _target_table(prospects, rules=rules, snapshot_date=snapshot_date)
    if table is None:
        return _empty(cols)
    t = table.mutate(
        target_class=_classify(table.potential_value, table.fit, potential_cut, fit_cut, TARGET_CLASSES)
    )
    return _sample(t.select(cols), "prospect_id", max_points).to_pandas()[cols]


def target_prospects(
    prospects: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    target_class: str,
    potential_cut: float,
    fit_cut: float,
    limit: int = 1000,
) -> pd.DataFrame:
    """The prospect list of one target class, highest potential value first.

    Returns
    -------
    pandas.DataFrame
        ``prospect_id, prospect_name, segment, industry, region, branch, rm_id,
        estimated_aum, potential_value, fit``, ties by ``prospect_id``.
    """
    if target_class not in TARGET_CLASSES:
        raise ValueError(f"target_class must be one of {TARGET_CLASSES}, not {target_class!r}")
    cols = [
        "prospect_id",
        "prospect_name",
        "segment",
        "industry",
        "region",
        "branch",
        "rm_id",
        "estimated_aum",
        "potential_value",
        "fit",
    ]
    table, _ = _target_table(prospects, rules=rules, snapshot_date=snapshot_date)
    if table is None:
        return _empty(cols)
    t = table.filter(
        _classify(table.potential_value, table.fit, potential_cut, fit_cut, TARGET_CLASSES) == target_class
    )
    order = [ibis.desc("potential_value"), "prospect_id"]
    return t.select(cols).order_by(order).limit(limit).to_pandas()[cols]


def _empty(cols: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})


# -- classification tree and heatmaps -----------------------------------------------------
def classification_tree(customers: ir.Table, *, rules: TierRules, snapshot_date: dt.date) -> pd.DataFrame:
    """Corporate and institutional customers (every non-retail customer) down the tree.

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    rules : TierRules
        The rule set that assigns tiers.
    snapshot_date : datetime.date
        The snapshot to classify.

    Returns
    -------
    pandas.DataFrame
        One row per node of :data:`TREE_NODES`, in that order (zeros when empty):
        ``node, parent`` (``""`` for the root), ``depth`` (0 for the root), ``tiers``
        (tuple of the leaf tier ids under the node), ``customers, aum,
        deposit_balance, loan_balance, profit_contribution``; every node's numbers are
        the sums of its leaves.
    """
    t = with_tiers(customers.filter(customers.snapshot_date == snapshot_date), rules)
    t = t.filter(t.segment != "retail")
    agg = (
        t.group_by("tier")
        .aggregate(
            customers=t.count(),
            aum=t.aum.sum(),
            deposit_balance=t.deposit_balance.fill_null(0).sum(),
            loan_balance=t.loan_balance.fill_null(0).sum(),
            profit_contribution=t.profit_contribution.sum(),
        )
        .to_pandas()
        .set_index("tier")
    )
    measures = ["customers", "aum", "deposit_balance", "loan_balance", "profit_contribution"]
    rows = []
    for node, parent, depth in _TREE:
        leaves = tiers_of_node(node)
        sums = agg.reindex(list(leaves))[measures].fillna(0).sum()
        rows.append(
            {
                "node": node,
                "parent": parent,
                "depth": depth,
                "tiers": leaves,
                "customers": int(sums["customers"]),
                **{m: float(sums[m]) for m in measures[1:]},
            }
        )
    return pd.DataFrame(rows, columns=["node", "parent", "depth", "tiers", *measures])


UNIT_LEVELS = ("region", "branch", "rm_id")


def _tier_grid(agg: pd.DataFrame, by: str, values: list[str]) -> pd.DataFrame:
    """Every (tier present) x ``values`` pair, zeros filled, in tier then ``values`` order."""
    tiers = [tier for tier in TIER_ORDER if tier in set(agg["tier"])]
    grid = pd.MultiIndex.from_product([tiers, values], names=["tier", by]).to_frame(index=False)
    df = grid.merge(agg, on=["tier", by], how="left")
    df["customers"] = df["customers"].fillna(0).astype("int64")
    for col in ("aum", "profit_contribution"):
        df[col] = df[col].fillna(0.0).astype("float64")
    return df


def tier_by_unit(
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    level: str = "branch",
    tiers: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """The tier x organisation-unit heatmap: customers, AUM and profit per cell.

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    rules : TierRules
        The rule set that assigns tiers.
    snapshot_date : datetime.date
        The snapshot to show.
    level : {"region", "branch", "rm_id"}
        The organisation column.
    tiers : tuple of str, optional
        Restrict to these tier ids (a node of the classification tree).

    Returns
    -------
    pandas.DataFrame
        Long: ``unit, tier, customers, aum, profit_contribution``; every unit that has
        customers times every tier present (zeros filled), in unit then tier order. A
        missing unit is ``unassigned``.
    """
    if level not in UNIT_LEVELS:
        raise ValueError(f"level must be one of {UNIT_LEVELS}, not {level!r}")
    t = _population(customers, rules=rules, snapshot_date=snapshot_date, tiers=tiers)
    t = t.mutate(unit=t[level].fill_null("unassigned"))
    agg = (
        t.group_by(["unit", "tier"])
        .aggregate(customers=t.count(), aum=t.aum.sum(), profit_contribution=t.profit_contribution.sum())
        .to_pandas()
    )
    cols = ["unit", "tier", "customers", "aum", "profit_contribution"]
    if agg.empty:
        return _empty(cols)
    df = _tier_grid(agg, "unit", sorted(agg["unit"].unique()))
    order = {tier: i for i, tier in enumerate(TIER_ORDER)}
    df = df.sort_values(["unit", "tier"], key=lambda s: s.map(order) if s.name == "tier" else s)
    return df[cols].reset_index(drop=True)


def tier_by_quadrant(
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_date: dt.date,
    profit_cut: float,
    value_cut: float,
    tiers: tuple[str, ...] | None = None,
    surveys: ir.Table | None = None,
) -> pd.DataFrame:
    """The tier x quadrant heatmap of the existing-customer matrix.

    Parameters
    ----------
    customers, rules, snapshot_date, tiers, surveys
        As :func:`existing_matrix`.
    profit_cut, value_cut : float
        The cut points in force.

    Returns
    -------
    pandas.DataFrame
        Long: ``tier, quadrant, customers, aum, profit_contribution``; every tier present
        in the population times every quadrant of :data:`QUADRANTS` (zeros filled), in
        tier then quadrant order.
    """
    table, _, _ = _existing_table(
        customers, rules=rules, snapshot_date=snapshot_date, tiers=tiers, surveys=surveys
    )
    t = table.mutate(
        quadrant=_classify(table.profit_contribution, table.bank_value, profit_cut, value_cut, QUADRANTS)
    )
    agg = (
        t.group_by(["tier", "quadrant"])
        .aggregate(customers=t.count(), aum=t.aum.sum(), profit_contribution=t.profit_contribution.sum())
        .to_pandas()
    )
    cols = ["tier", "quadrant", "customers", "aum", "profit_contribution"]
    if agg.empty:
        return _empty(cols)
    return _tier_grid(agg, "quadrant", list(QUADRANTS))[cols]
