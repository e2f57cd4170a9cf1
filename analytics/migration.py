"""Tier migration: who moved between tiers, where it happened, and where the mix is heading.

- :func:`transition`: the transition matrix between any two snapshots, in customers and
  AUM, with the states ``new`` (only as origin) and ``closed`` (only as destination).
- :func:`transition_by_unit`: upgrade, downgrade and closure rates per region, branch or
  relationship manager, with the high-tier losses of each.
- :func:`high_tier_losses`: the customers who were high-net-worth or private and are now
  lower or gone.
- :func:`average_transition`, :func:`project`, :func:`stationary_mix`, :func:`backtest`:
  the average monthly matrix over many snapshots (cohort estimator, confidence intervals
  per cell), a Markov projection of the tier mix with inflow of new customers, the mix it
  tends to, and a check of the projection against what actually happened.
- :func:`migration_json`: the command line's JSON (DESIGN.md).
- :func:`default_pair`, :func:`window_dates`, :func:`backtest_origin`, :func:`window_views`:
  which snapshots a view compares and what it shows of an average matrix (the migration
  page's and the report's).

Every function takes a customers table that is already scoped and filtered
(:func:`analytics.scope.apply_filters`) and the rules as a parameter. Customer rows stay
in the engine: the two snapshots are joined customer by customer and grouped by state
pair in one query, and only the state-pair counts (at most 16 x 16 per pair of snapshots)
come back. Because the table is scoped first, a customer who moves from one branch to
another is ``closed`` in the first branch's view and ``new`` in the second's.

The join is on ``customer_key``, the integer the loader gives every customer id (the
same in every snapshot; :data:`analytics.schema.CUSTOMER_KEY`), when the table has that
column and every row of the snapshots compared has a key; otherwise on ``customer_id``
itself (tables made by hand, other engines, rows written by something else than the
loader). Both give the same pairs, so the same numbers; the integer join is about twice
as fast (``bench/migration.py``).

The methods are written up for analysts in ``docs/migration.md``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from statsmodels.stats.proportion import multinomial_proportions_confint, proportion_confint

from analytics.rules import TIER_ORDER, TierRules
from analytics.tiers import tier_expr

#: Where a customer can come from: not a customer at the earlier snapshot, or a tier.
FROM_STATES: tuple[str, ...] = ("new", *TIER_ORDER)
#: Where a customer can go: a tier, or no longer a customer at the later snapshot.
TO_STATES: tuple[str, ...] = (*TIER_ORDER, "closed")
#: Every state once, in display order (``new`` first, ``closed`` last).
STATES: tuple[str, ...] = ("new", *TIER_ORDER, "closed")

#: The kinds of move of a customer present at the earlier snapshot.
MOVE_KINDS: tuple[str, ...] = ("upgrade", "stable", "downgrade", "reclassified", "closed")

#: Ordered tier ladders, lowest first. A move up or down one of these is an upgrade or a
#: downgrade; a move between tiers that share no ladder (a corporate customer changing
#: market, a company taking its first loan, retail <-> corporate) is a reclassification,
#: because no tier there is "higher" than the other.
LADDERS: tuple[tuple[str, ...], ...] = (
    ("mass", "emerging", "affluent", "hnw", "private"),
    ("small", "medium", "large", "strategic"),
    ("below_scale", "above_scale"),
)

#: The tiers whose losses management follows (seed 002: customers with 1M CNY or more).
HIGH_TIERS: tuple[str, ...] = ("hnw", "private")

#: The organisation columns results can be broken down by.
UNIT_LEVELS: tuple[str, ...] = ("region", "branch", "rm_id")

#: Confidence-interval methods of :func:`average_transition`.
CI_METHODS: tuple[str, ...] = ("wilson", "goodman")

_RANK: dict[str, tuple[int, int]] = {
    tier: (ladder_no, rank) for ladder_no, ladder in enumerate(LADDERS) for rank, tier in enumerate(ladder)
}


def move_kind(from_state: str, to_state: str) -> str:
    """The kind of move from one state to another.

    Parameters
    ----------
    from_state : str
        One of :data:`FROM_STATES`.
    to_state : str
        One of :data:`TO_STATES`.

    Returns
    -------
    str
        One of :data:`MOVE_KINDS`, or ``"new"`` when ``from_state`` is ``"new"`` (a new
        customer has not moved; it is reported apart from the rates).

    Raises
    ------
    ValueError
        For a state that is not a tier id, ``new`` (as origin) or ``closed`` (as destination).
    """
    if from_state not in FROM_STATES:
        raise ValueError(f"unknown origin state {from_state!r} (known: {', '.join(FROM_STATES)})")
    if to_state not in TO_STATES:
        raise ValueError(f"unknown destination state {to_state!r} (known: {', '.join(TO_STATES)})")
    if from_state == "new":
        return "new"
    if to_state == "closed":
        return "closed"
    if from_state == to_state:
        return "stable"
    a, b = _RANK.get(from_state), _RANK.get(to_state)
    if a is None or b is None or a[0] != b[0]:
        return "reclassified"
    return "upgrade" if b[1] > a[1] else "downgrade"


def _is_loss(from_state: str, to_state: str, tiers: tuple[str, ...]) -> bool:
    """Whether a move takes a customer of ``tiers`` below all of them or out of the bank.

    A private customer who becomes high-net-worth is not a loss of the high tiers (they
    still hold 1M or more); one who is re-segmented as a company is not "lower" either.
    """
    if from_state not in tiers or to_state in tiers:
        return False
    return move_kind(from_state, to_state) in ("downgrade", "closed")


#: Engine code of each state: its position in :data:`STATES` (new 0, tiers 1-15, closed 16).
_CODE: dict[str, int] = {state: i for i, state in enumerate(STATES)}
_NEW, _CLOSED = _CODE["new"], _CODE["closed"]


def _recode(node: ops.Value) -> ops.Value:
    """The case tree of a tier expression with every tier id replaced by its int8 code.

    Only the results of the (nested) cases are rewritten, never their conditions (where a
    tier id such as ``emerging`` can also be a market value). Raises LookupError for a
    shape it does not know, so that the caller falls back to mapping the strings.
    """
    if isinstance(node, ops.SearchedCase):
        return ops.SearchedCase(node.cases, tuple(_recode(r) for r in node.results), _recode(node.default))
    if isinstance(node, ops.Literal) and node.value in _CODE:
        return ibis.literal(_CODE[node.value], type="int8").op()
    raise LookupError(node)


def tier_code(t: ir.Table, rules: TierRules) -> ir.IntegerColumn:
    """:func:`analytics.tiers.tier_expr` as small integers (position in :data:`STATES`).

    The tiers still come from ``tier_expr``: its case tree is reused with integer
    results. Integers are what the migration queries join, carry and group by, because
    DuckDB groups and moves an int8 several times faster than a string (at 10M customers
    this is most of the difference between the string and the integer query; see
    ``bench/migration.py``). The names are put back on the small result.
    """
    expr = tier_expr(t, rules)
    try:
        return _recode(expr.op()).to_expr()
    except LookupError:  # a tier expression of another shape: map the names in the engine
        return expr.cases(*[(tier, _CODE[tier]) for tier in TIER_ORDER]).cast("int8")


def _names(codes: pd.Series) -> pd.Series:
    return codes.astype("int64").map(dict(enumerate(STATES)))


#: The integer surrogate of customer_id the store keeps on customers rows.
KEY_COLUMN = "customer_key"


def _join_column(customers: ir.Table, dates) -> str:
    """The column that pairs a customer's rows across ``dates``: ``customer_key`` when it can.

    ``customer_key`` maps one to one onto ``customer_id`` (the loader keeps the map), so
    joining on it pairs exactly the rows that joining on ``customer_id`` pairs, and an
    integer join is about twice as fast as a text one at 10M customers. It is used only
    when the table has the column (as an integer) and no row of ``dates`` lacks a key (a
    row written by anything else than the loader or the demo builder): otherwise
    ``customer_id``. The check is one query that DuckDB answers from the column
    statistics when every row is keyed (a few milliseconds).
    """
    schema = customers.schema()
    if KEY_COLUMN not in schema or not schema[KEY_COLUMN].is_integer():
        return "customer_id"
    unkeyed = customers.filter(customers.snapshot_date.isin(list(dates)), customers[KEY_COLUMN].isnull())
    return "customer_id" if unkeyed.limit(1).count().execute() else KEY_COLUMN


def _side(
    customers: ir.Table,
    rules: TierRules,
    date: dt.date,
    role: str,
    extra: tuple[str, ...] = (),
    on: str = "customer_id",
):
    """One snapshot's join column ``on``, tier code and AUM (plus ``extra`` columns), named for ``role``.

    Tiers are computed here, per snapshot and before the join, so that the join carries
    one small integer per row instead of every column the tier expression reads.
    """
    t = customers.filter(customers.snapshot_date == date)
    cols = {
        f"{role}_id": t[on],
        f"{role}_code": tier_code(t, rules),
        f"aum_{role}": t.aum,
    }
    cols.update({f"{c}_{role}": t[c] for c in extra})
    return t.select(**cols)


def _joined(
    customers: ir.Table,
    *,
    rules: TierRules,
    to_rules: TierRules | None,
    from_date: dt.date,
    to_date: dt.date,
    extra: tuple[str, ...] = (),
) -> ir.Table:
    """The full outer join of two snapshots by customer: one row per customer of either.

    Joined on ``customer_key`` or ``customer_id`` (:func:`_join_column`). Columns
    ``from_code`` (new when absent at ``from_date``), ``to_code`` (closed when absent at
    ``to_date``), ``aum_from``, ``aum_to`` (NULL when absent: sums skip them, and the
    small results fill them with 0) and ``<extra>_from``, ``<extra>_to`` (NULL when
    absent; put ``customer_id`` in ``extra`` to have the ids).
    """
    on = _join_column(customers, (from_date, to_date))
    a = _side(customers, rules, from_date, "from", extra, on)
    b = _side(customers, to_rules or rules, to_date, "to", extra, on)
    j = a.outer_join(b, a.from_id == b.to_id)
    return j.select(
        from_code=j.from_code.fill_null(_NEW),
        to_code=j.to_code.fill_null(_CLOSED),
        aum_from=j.aum_from,
        aum_to=j.aum_to,
        **{f"{c}_{r}": j[f"{c}_{r}"] for c in extra for r in ("from", "to")},
    )


def _counts_frame(df: pd.DataFrame) -> pd.DataFrame:
    df = df[df["customers"] > 0].sort_values(["from_code", "to_code"]).reset_index(drop=True)
    out = pd.DataFrame(
        {
            "from_state": _names(df["from_code"]),
            "to_state": _names(df["to_code"]),
            "customers": df["customers"].astype("int64"),
        }
    )
    for col in ("aum_from", "aum_to"):
        out[col] = df[col].astype("float64").fillna(0.0)
    return out


# -- two snapshots -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Transition:
    """The moves of customers between two snapshots.

    ``eq=False``: the DataFrame field has no truth value, so instances compare by
    identity; they pickle (the dashboard caches them).

    Attributes
    ----------
    from_date, to_date : datetime.date
        The earlier and the later snapshot.
    counts : pandas.DataFrame
        Long form, one row per state pair with customers (zero cells omitted), in state
        order: ``from_state, to_state, customers, aum_from, aum_to``. ``aum_from`` is
        the AUM the cell's customers held at ``from_date`` (0 for ``new``), ``aum_to``
        at ``to_date`` (0 for ``closed``).
    """

    from_date: dt.date
    to_date: dt.date
    counts: pd.DataFrame

    def _wide(self, value: str, compact: bool) -> pd.DataFrame:
        rows = [s for s in FROM_STATES if s in set(self.counts["from_state"])]
        cols = list(TO_STATES)
        if compact:
            present = set(self.counts["to_state"]) | set(rows)
            cols = [s for s in TO_STATES if s in present]
        wide = self.counts.pivot_table(
            index="from_state", columns="to_state", values=value, aggfunc="sum", fill_value=0
        )
        wide = wide.reindex(index=rows, columns=cols, fill_value=0)
        wide.index.name, wide.columns.name = "from_state", "to_state"
        return wide

    def matrix(self, *, compact: bool = False) -> pd.DataFrame:
        """Customers per cell, wide.

        Parameters
        ----------
        compact : bool
            Keep only the destination columns that are reached or that are also an
            origin row (e.g. the retail tiers alone in a retail view). By default every
            state of :data:`TO_STATES` is a column.

        Returns
        -------
        pandas.DataFrame
            Rows: the states of :data:`FROM_STATES` that have customers, in that order;
            columns: :data:`TO_STATES` in that order; zeros filled; int64.
        """
        return self._wide("customers", compact).astype("int64")

    def row_shares(self, *, compact: bool = False) -> pd.DataFrame:
        """Each row of :meth:`matrix` as fractions of its total (0.25 = 25%).

        A tier's row is the share of that tier's customers at ``from_date`` in each
        destination; the ``new`` row is the share of the new customers arriving in each
        tier. Every row sums to 1.
        """
        m = self.matrix(compact=compact).astype("float64")
        return m.div(m.sum(axis=1), axis=0)

    def aum_matrix(self, *, at: str = "from", compact: bool = False) -> pd.DataFrame:
        """AUM (CNY) carried by each cell, wide like :meth:`matrix`.

        Parameters
        ----------
        at : {"from", "to"}
            Whether a cell shows its customers' AUM at ``from_date`` (the ``new`` row is
            then 0) or at ``to_date`` (the ``closed`` column is then 0).
        """
        if at not in ("from", "to"):
            raise ValueError(f"at must be 'from' or 'to', not {at!r}")
        return self._wide(f"aum_{at}", compact).astype("float64")

    def with_kinds(self) -> pd.DataFrame:
        """:attr:`counts` with a ``kind`` column (:func:`move_kind`; ``new`` for new customers)."""
        df = self.counts.copy()
        df["kind"] = [move_kind(f, t) for f, t in zip(df["from_state"], df["to_state"], strict=True)]
        return df

    def rates(self) -> dict[str, float | int]:
        """Upgrade, stable, downgrade, reclassification and closure rates.

        Returns
        -------
        dict
            For each kind ``k`` of :data:`MOVE_KINDS`: ``k`` -> its share of the customers
            present at ``from_date`` (a fraction; NaN when there were none) and
            ``k + "_customers"`` -> its count; ``k + "_aum"`` -> those customers' AUM at
            ``from_date``. Also ``customers_from``, ``customers_to``, ``new_customers``
            and ``net_upgrades`` (upgrades minus downgrades). New customers are not in
            the denominators: they had no tier to move from.
        """
        df = self.with_kinds()
        existing = df[df["kind"] != "new"]
        n_from = int(existing["customers"].sum())
        out: dict[str, float | int] = {}
        for kind in MOVE_KINDS:
            part = existing[existing["kind"] == kind]
            n = int(part["customers"].sum())
            out[kind] = n / n_from if n_from else math.nan
            out[f"{kind}_customers"] = n
            out[f"{kind}_aum"] = float(part["aum_from"].sum())
        out["customers_from"] = n_from
        out["customers_to"] = int(df.loc[df["to_state"] != "closed", "customers"].sum())
        out["new_customers"] = int(df.loc[df["kind"] == "new", "customers"].sum())
        out["net_upgrades"] = out["upgrade_customers"] - out["downgrade_customers"]
        return out


def transition(
    customers: ir.Table,
    *,
    rules: TierRules,
    from_date: dt.date,
    to_date: dt.date,
    to_rules: TierRules | None = None,
) -> Transition:
    """The transition matrix between two snapshots (one engine query).

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    rules : TierRules
        The rule set that assigns tiers at both snapshots (unless ``to_rules`` is given).
    from_date, to_date : datetime.date
        The earlier and the later snapshot (any two; usually the previous and the latest
        month end, or the same month a year earlier).
    to_rules : TierRules, optional
        Rules for ``to_date`` only, e.g. a tuner scenario's, to see how customers would
        move if the scenario applied from the later snapshot on. Default: ``rules``.

    Returns
    -------
    Transition
        A customer at ``from_date`` but not at ``to_date`` is ``closed``; one at
        ``to_date`` only is ``new``.
    """
    j = _joined(customers, rules=rules, to_rules=to_rules, from_date=from_date, to_date=to_date)
    agg = j.group_by(["from_code", "to_code"]).aggregate(
        customers=j.count(), aum_from=j.aum_from.sum(), aum_to=j.aum_to.sum()
    )
    return Transition(from_date, to_date, _counts_frame(agg.to_pandas()))


def transition_by_unit(
    customers: ir.Table,
    *,
    rules: TierRules,
    from_date: dt.date,
    to_date: dt.date,
    level: str = "branch",
    to_rules: TierRules | None = None,
    tiers: tuple[str, ...] = HIGH_TIERS,
) -> pd.DataFrame:
    """Migration rates per region, branch or relationship manager: the league of net upgrades.

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    rules : TierRules
        The rule set that assigns tiers.
    from_date, to_date : datetime.date
        The two snapshots compared.
    level : {"region", "branch", "rm_id"}
        The organisation column. A customer belongs to its unit at ``from_date`` (so a
        customer who changes branch counts where they were); a new customer to its unit
        at ``to_date``. A missing unit is ``unassigned``.
    to_rules : TierRules, optional
        Rules for ``to_date`` (see :func:`transition`).
    tiers : tuple of str
        The tiers whose losses are counted (default high-net-worth and private).

    Returns
    -------
    pandas.DataFrame
        ``name, customers_from, upgrades, downgrades, stable, reclassified, closed, new,
        net_upgrades, upgrade_rate, downgrade_rate, closure_rate, high_tier_losses,
        high_tier_loss_aum``, most net upgrades first (ties by name). Rates are fractions
        of ``customers_from`` (NaN for a unit with only new customers);
        ``high_tier_losses`` counts customers of ``tiers`` at ``from_date`` who are below
        all of them or closed at ``to_date`` (see :func:`high_tier_losses`), and
        ``high_tier_loss_aum`` is their AUM at ``from_date``.
    """
    if level not in UNIT_LEVELS:
        raise ValueError(f"level must be one of {UNIT_LEVELS}, not {level!r}")
    j = _joined(
        customers, rules=rules, to_rules=to_rules, from_date=from_date, to_date=to_date, extra=(level,)
    )
    unit = ibis.cases((j.from_code == _NEW, j[f"{level}_to"]), else_=j[f"{level}_from"])
    j = j.mutate(name=unit.fill_null("unassigned"))
    # Group by unit and state pair in the engine (units x at most 16 x 16 rows) and name
    # the kinds of move here, from the small result.
    df = (
        j.group_by(["name", "from_code", "to_code"])
        .aggregate(customers=j.count(), aum_from=j.aum_from.sum())
        .to_pandas()
    )
    df["from_state"], df["to_state"] = _names(df["from_code"]), _names(df["to_code"])
    df["aum_from"] = df["aum_from"].astype("float64").fillna(0.0)
    columns = [
        "name",
        "customers_from",
        "upgrades",
        "downgrades",
        "stable",
        "reclassified",
        "closed",
        "new",
        "net_upgrades",
        "upgrade_rate",
        "downgrade_rate",
        "closure_rate",
        "high_tier_losses",
        "high_tier_loss_aum",
    ]
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype="object" if c == "name" else "float64") for c in columns})
    kinds = {"upgrade": "upgrades", "downgrade": "downgrades", "stable": "stable"}
    kinds.update({"reclassified": "reclassified", "closed": "closed", "new": "new"})
    df["kind"] = [kinds[move_kind(f, t)] for f, t in zip(df["from_state"], df["to_state"], strict=True)]
    loss = np.array([_is_loss(f, t, tiers) for f, t in zip(df["from_state"], df["to_state"], strict=True)])
    df["customers"] = df["customers"].astype("int64")
    out = df.pivot_table(index="name", columns="kind", values="customers", aggfunc="sum", fill_value=0)
    out = out.reindex(columns=list(kinds.values()), fill_value=0).astype("int64")
    out["customers_from"] = out[["upgrades", "downgrades", "stable", "reclassified", "closed"]].sum(axis=1)
    out["net_upgrades"] = out["upgrades"] - out["downgrades"]
    base = out["customers_from"].where(out["customers_from"] > 0).astype("float64")
    out["upgrade_rate"] = out["upgrades"] / base
    out["downgrade_rate"] = out["downgrades"] / base
    out["closure_rate"] = out["closed"] / base
    losses = df[loss].groupby("name").agg(high_tier_losses=("customers", "sum"), aum=("aum_from", "sum"))
    out["high_tier_losses"] = losses["high_tier_losses"].reindex(out.index, fill_value=0).astype("int64")
    out["high_tier_loss_aum"] = losses["aum"].reindex(out.index, fill_value=0.0).astype("float64")
    out = out.reset_index()
    out.columns.name = None
    out = out.sort_values(["net_upgrades", "name"], ascending=[False, True], kind="stable")
    return out[columns].reset_index(drop=True)


def high_tier_losses(
    customers: ir.Table,
    *,
    rules: TierRules,
    from_date: dt.date,
    to_date: dt.date,
    tiers: tuple[str, ...] = HIGH_TIERS,
    limit: int = 5000,
    to_rules: TierRules | None = None,
) -> pd.DataFrame:
    """Customers of the high tiers at ``from_date`` who are lower or closed at ``to_date``.

    A loss is a move from one of ``tiers`` to a tier below all of them on the same ladder
    (hnw -> affluent, private -> mass) or to ``closed``. A private customer who becomes
    high-net-worth still holds 1M CNY or more and is not a loss of the default tiers; a
    customer re-segmented (retail -> corporate) is not "lower" and is not listed either.

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    rules : TierRules
        The rule set that assigns tiers.
    from_date, to_date : datetime.date
        The two snapshots compared.
    tiers : tuple of str
        The tiers followed (default high-net-worth and private).
    limit : int
        At most this many rows (the largest losses), cut in the engine.
    to_rules : TierRules, optional
        Rules for ``to_date`` (see :func:`transition`).

    Returns
    -------
    pandas.DataFrame
        ``customer_id, customer_name, from_tier, to_state, aum_from, aum_to, region,
        branch, rm_id`` (name and organisation at ``from_date``), largest ``aum_from``
        first, ties by customer_id.
    """
    unknown = [t for t in tiers if t not in TIER_ORDER]
    if unknown:
        raise ValueError(f"unknown tier id {unknown[0]!r}")
    extra = ("customer_id", "customer_name", "region", "branch", "rm_id")
    j = _joined(customers, rules=rules, to_rules=to_rules, from_date=from_date, to_date=to_date, extra=extra)
    # Which destinations are a loss depends on the origin: spell the pairs out as one
    # condition so that the filter runs in the engine.
    conditions = []
    for origin in tiers:
        lower = [s for s in TO_STATES if _is_loss(origin, s, tiers)]
        if lower:
            conditions.append((j.from_code == _CODE[origin]) & j.to_code.isin([_CODE[s] for s in lower]))
    columns = ["customer_id", "customer_name", "from_tier", "to_state", "aum_from", "aum_to"]
    columns += ["region", "branch", "rm_id"]
    if not conditions:
        return pd.DataFrame({c: pd.Series(dtype="float64" if "aum" in c else "object") for c in columns})
    hit = conditions[0]
    for cond in conditions[1:]:
        hit = hit | cond
    order = [ibis.desc("aum_from"), "customer_id"]
    sel = j.filter(hit).select(
        customer_id=j.customer_id_from,
        customer_name=j.customer_name_from,
        from_code=j.from_code,
        to_code=j.to_code,
        aum_from=j.aum_from,
        aum_to=j.aum_to,
        region=j.region_from,
        branch=j.branch_from,
        rm_id=j.rm_id_from,
    )
    df = sel.order_by(order).limit(limit).to_pandas()
    df["from_tier"], df["to_state"] = _names(df["from_code"]), _names(df["to_code"])
    df["aum_to"] = df["aum_to"].astype("float64").fillna(0.0)
    return df[columns].reset_index(drop=True)


def migration_json(
    customers: ir.Table,
    *,
    rules: TierRules,
    from_date: dt.date,
    to_date: dt.date,
    to_rules: TierRules | None = None,
) -> dict:
    """The command line's ``migration --json`` object (DESIGN.md).

    Returns
    -------
    dict
        ``{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD", "states": [...], "counts":
        {FROM_STATE: {TO_STATE: N}}}``: ``states`` lists the states that occur (as origin
        or destination) in display order (``new``, tiers, ``closed``); cells with no
        customers are omitted; counts are ints.
    """
    tr = transition(customers, rules=rules, from_date=from_date, to_date=to_date, to_rules=to_rules)
    counts: dict[str, dict[str, int]] = {}
    for row in tr.counts.itertuples(index=False):
        counts.setdefault(row.from_state, {})[row.to_state] = int(row.customers)
    used = set(tr.counts["from_state"]) | set(tr.counts["to_state"])
    return {
        "from": from_date.isoformat(),
        "to": to_date.isoformat(),
        "states": [s for s in STATES if s in used],
        "counts": counts,
    }


# -- many snapshots -------------------------------------------------------------------------


def _pair_counts(
    customers: ir.Table, *, rules: TierRules, snapshot_dates: tuple[dt.date, ...]
) -> pd.DataFrame:
    """State-pair counts of every consecutive pair of snapshots, in one engine query.

    Each row of a snapshot at position ``p`` is the origin of pair ``p`` and the
    destination of pair ``p - 1``; joining the two roles on (customer_id, pair) pairs
    every customer with their next snapshot (by ``customer_key`` when every row of the
    window has one, see :func:`_join_column`). Returns ``pair, from_state, to_state,
    customers`` (pair = index of the earlier snapshot).
    """
    dates = list(snapshot_dates)
    on = _join_column(customers, dates)

    def role(name: str, chosen: list[dt.date]) -> ir.Table:
        # pair number = position among the chosen dates: origin p meets destination p + 1
        t = customers.filter(customers.snapshot_date.isin(chosen))
        pair = ibis.cases(*[(t.snapshot_date == d, i) for i, d in enumerate(chosen)])
        return t.select(**{f"{name}_id": t[on], f"{name}_pair": pair, f"{name}_code": tier_code(t, rules)})

    a = role("from", dates[:-1])
    b = role("to", dates[1:])
    j = a.outer_join(b, [a.from_id == b.to_id, a.from_pair == b.to_pair])
    j = j.select(
        pair=j.from_pair.fill_null(j.to_pair),
        from_code=j.from_code.fill_null(_NEW),
        to_code=j.to_code.fill_null(_CLOSED),
    )
    df = j.group_by(["pair", "from_code", "to_code"]).aggregate(customers=j.count()).to_pandas()
    df["from_state"], df["to_state"] = _names(df["from_code"]), _names(df["to_code"])
    df["pair"] = df["pair"].astype("int64")
    df["customers"] = df["customers"].astype("int64")
    return df


@dataclass(frozen=True, eq=False)
class AverageTransition:
    """The average monthly transition matrix over a window of snapshots (cohort estimator).

    Attributes
    ----------
    snapshot_dates : tuple of datetime.date
        The snapshots used, oldest first; each consecutive pair is one month's step.
    tiers : tuple of str
        The tiers seen in the window (as origin or destination), in tier order: the rows
        of :attr:`matrix` and, with ``closed``, its columns.
    counts : pandas.DataFrame
        sum over pairs of n_ij, customers of tier i at a snapshot found in state j at the
        next; rows :attr:`tiers`, columns :attr:`tiers` + ``closed``.
    exposure : pandas.Series
        sum over pairs of n_i, customer-months at risk per tier (the row sums of counts).
    matrix : pandas.DataFrame
        p_ij = counts / exposure, the probability of moving from i to j in one month;
        rows sum to 1; NaN for a tier never seen as an origin (it only appears in the
        last snapshot of the window).
    lower, upper : pandas.DataFrame
        Confidence limits of each p_ij (NaN where the row has no exposure).
    inflow : pandas.Series
        Mean new customers per month arriving in each tier.
    pairs : int
        Number of consecutive pairs (months) averaged.
    confidence : float
        Confidence level of the limits (0.95 = 95%).
    ci_method : str
        ``"wilson"``: Wilson score interval of each cell on its own (a cell's interval
        covers the truth with probability ``confidence``); ``"goodman"``: Goodman's
        simultaneous intervals per row (all cells of a row at once).
    """

    snapshot_dates: tuple[dt.date, ...]
    tiers: tuple[str, ...]
    counts: pd.DataFrame
    exposure: pd.Series
    matrix: pd.DataFrame
    lower: pd.DataFrame
    upper: pd.DataFrame
    inflow: pd.Series
    pairs: int
    confidence: float
    ci_method: str

    @property
    def q(self) -> pd.DataFrame:
        """The tier-to-tier block of :attr:`matrix` (rows sum to 1 minus the closure rate).

        A tier without exposure is taken to keep its customers (p_ii = 1): nothing in the
        window says where they go.
        """
        q = self.matrix[list(self.tiers)].copy()
        for tier in self.tiers:
            if self.exposure[tier] == 0:
                q.loc[tier] = 0.0
                q.loc[tier, tier] = 1.0
        return q

    def long(self) -> pd.DataFrame:
        """One row per cell: ``from_state, to_state, customers, exposure, p, lower, upper``."""
        df = self.counts.stack(future_stack=True).rename("customers").reset_index()
        df.columns = ["from_state", "to_state", "customers"]
        df["exposure"] = df["from_state"].map(self.exposure).astype("int64")
        for name, frame in (("p", self.matrix), ("lower", self.lower), ("upper", self.upper)):
            df[name] = frame.stack(future_stack=True).to_numpy()
        return df


def average_transition(
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_dates: tuple[dt.date, ...],
    confidence: float = 0.95,
    ci_method: str = "wilson",
) -> AverageTransition:
    """The average monthly transition matrix over consecutive snapshots (cohort method).

    p_ij = sum_t n_ij(t) / sum_t n_i(t), with n_i(t) the customers of tier i at snapshot t
    and n_ij(t) those of them in state j (a tier or ``closed``) at snapshot t + 1. This is
    the maximum-likelihood estimate of a time-homogeneous Markov chain (Anderson and
    Goodman 1957); pooling the counts, rather than averaging monthly matrices, weights
    each month by its customers and is not thrown off by a month with few customers.

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    rules : TierRules
        The rule set that assigns tiers at every snapshot.
    snapshot_dates : tuple of datetime.date
        The window's snapshots, in order, one month apart (each consecutive pair is taken
        as one month's step); at least two.
    confidence : float
        Confidence level of the intervals.
    ci_method : {"wilson", "goodman"}
        Per-cell Wilson score intervals
        (:func:`statsmodels.stats.proportion.proportion_confint`) or Goodman simultaneous
        intervals per row (:func:`statsmodels.stats.proportion.multinomial_proportions_confint`).
        Both treat the n_i(t) customer-months of a row as independent trials, which is
        what the Markov assumption implies.

    Returns
    -------
    AverageTransition
    """
    dates = tuple(snapshot_dates)
    if len(dates) < 2:
        raise ValueError("average_transition needs at least two snapshots")
    if list(dates) != sorted(set(dates)):
        raise ValueError("snapshot_dates must be distinct and in ascending order")
    if ci_method not in CI_METHODS:
        raise ValueError(f"ci_method must be one of {CI_METHODS}, not {ci_method!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")
    pairs = len(dates) - 1
    df = _pair_counts(customers, rules=rules, snapshot_dates=dates)
    seen = set(df["from_state"]) | set(df["to_state"])
    tiers = tuple(t for t in TIER_ORDER if t in seen)
    cols = [*tiers, "closed"]
    moves = df[df["from_state"] != "new"]
    counts = (
        moves.pivot_table(
            index="from_state", columns="to_state", values="customers", aggfunc="sum", fill_value=0
        )
        .reindex(index=list(tiers), columns=cols, fill_value=0)
        .astype("int64")
    )
    counts.index.name, counts.columns.name = "from_state", "to_state"
    exposure = counts.sum(axis=1).rename("exposure")
    n = exposure.to_numpy()[:, None].astype("float64")
    k = counts.to_numpy().astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, k / np.where(n > 0, n, 1.0), np.nan)
    alpha = 1.0 - confidence
    lo = np.full_like(p, np.nan)
    hi = np.full_like(p, np.nan)
    rows = exposure.to_numpy() > 0
    if ci_method == "wilson" and rows.any():
        nn = np.broadcast_to(n, k.shape)
        lo[rows], hi[rows] = proportion_confint(k[rows], nn[rows], alpha=alpha, method="wilson")
    elif ci_method == "goodman":
        for i in np.flatnonzero(rows):
            ci = multinomial_proportions_confint(k[i], alpha=alpha, method="goodman")
            lo[i], hi[i] = ci[:, 0], ci[:, 1]
    new = df[df["from_state"] == "new"].groupby("to_state")["customers"].sum()
    inflow = (new.reindex(list(tiers), fill_value=0) / pairs).astype("float64").rename("inflow")
    inflow.index.name = "tier"

    def frame(values: np.ndarray) -> pd.DataFrame:
        out = pd.DataFrame(values, index=counts.index.copy(), columns=counts.columns.copy())
        return out

    return AverageTransition(
        snapshot_dates=dates,
        tiers=tiers,
        counts=counts,
        exposure=exposure,
        matrix=frame(p),
        lower=frame(lo),
        upper=frame(hi),
        inflow=inflow,
        pairs=pairs,
        confidence=confidence,
        ci_method=ci_method,
    )


def _states_for(avg: AverageTransition, start_mix: pd.Series) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The tiers of a projection, its Q block and inflow vector, over avg's and start_mix's tiers."""
    extra = [t for t in start_mix.index if t not in avg.tiers and start_mix[t] != 0]
    unknown = [t for t in extra if t not in TIER_ORDER]
    if unknown:
        raise ValueError(f"unknown tier id {unknown[0]!r} in the start mix")
    tiers = [t for t in TIER_ORDER if t in avg.tiers or t in extra]
    # A tier the window never saw keeps its customers (identity row): no evidence of moves.
    q = pd.DataFrame(np.eye(len(tiers)), index=tiers, columns=tiers)
    q.loc[list(avg.tiers), list(avg.tiers)] = avg.q.to_numpy()
    inflow = avg.inflow.reindex(tiers, fill_value=0.0).to_numpy(dtype="float64")
    return tiers, q.to_numpy(dtype="float64"), inflow


def project(avg: AverageTransition, start_mix: pd.Series, months: int = 12) -> pd.DataFrame:
    """Markov projection of the tier mix, with new customers flowing in.

    N_{t+1} = N_t Q + inflow, where N_t is the row vector of customers per tier after t
    months, Q the tier-to-tier block of the average matrix (customers who close leave)
    and inflow the mean monthly new customers per tier. Without inflow this is
    N_t = N_0 Q^t.

    Parameters
    ----------
    avg : AverageTransition
        The average monthly matrix (:func:`average_transition`).
    start_mix : pandas.Series
        Customers per tier at month 0 (index tier ids; missing tiers are 0).
    months : int
        Months ahead (1-12 on the page).

    Returns
    -------
    pandas.DataFrame
        ``month, tier, customers, share`` for months 0..``months`` and every tier of the
        window (plus any of ``start_mix``), tier order within a month; customers are
        expected values (not rounded); share is of the month's total (0 when empty).
    """
    if months < 0:
        raise ValueError("months must be 0 or more")
    tiers, q, inflow = _states_for(avg, start_mix)
    n = start_mix.reindex(tiers, fill_value=0).to_numpy(dtype="float64")
    rows = []
    for month in range(months + 1):
        if month:
            n = n @ q + inflow
        total = n.sum()
        for tier, value in zip(tiers, n, strict=True):
            rows.append((month, tier, float(value), float(value / total) if total else 0.0))
    return pd.DataFrame(rows, columns=["month", "tier", "customers", "share"])


def stationary_mix(avg: AverageTransition) -> pd.Series:
    """The tier mix the projection tends to.

    With inflow, the steady state N* solves N* = N* Q + inflow, so N* = inflow (I - Q)^-1
    (Q is substochastic: customers close, so I - Q is invertible when every tier has some
    way out). When I - Q is singular (a tier nobody leaves) or there is no inflow, the
    fallback is the stationary distribution of the chain with the closures taken out
    (each row of Q renormalised to 1): pi = pi P, sum(pi) = 1.

    Returns
    -------
    pandas.Series
        Shares per tier (sum 1), index :attr:`AverageTransition.tiers`, named ``share``.
        ``attrs["method"]`` is ``"inflow"`` or ``"renormalised"`` (the fallback);
        ``attrs["customers"]`` the steady-state number of customers (NaN for the fallback).
    """
    tiers, q, inflow = _states_for(avg, pd.Series(dtype="float64"))
    k = len(tiers)
    if k == 0:
        out = pd.Series(dtype="float64", name="share")
        out.attrs.update(method="renormalised", customers=math.nan)
        return out
    eye = np.eye(k)
    if inflow.sum() > 0 and np.linalg.cond(eye - q) < 1e10:
        steady = np.linalg.solve((eye - q).T, inflow)  # row vector: inflow (I - Q)^-1
        if np.all(steady >= -1e-9):
            steady = np.clip(steady, 0.0, None)
            out = pd.Series(steady / steady.sum(), index=tiers, name="share")
            out.index.name = "tier"
            out.attrs.update(method="inflow", customers=float(steady.sum()))
            return out
    rows = q.sum(axis=1)
    p = np.where(rows[:, None] > 0, q / np.where(rows > 0, rows, 1.0)[:, None], eye)
    # pi (P - I) = 0 with sum(pi) = 1, least squares (exact when the chain has one
    # closed class; otherwise one of the stationary distributions).
    a = np.vstack([(p - eye).T, np.ones(k)])
    b = np.concatenate([np.zeros(k), [1.0]])
    pi = np.clip(np.linalg.lstsq(a, b, rcond=None)[0], 0.0, None)
    out = pd.Series(pi / pi.sum(), index=tiers, name="share")
    out.index.name = "tier"
    out.attrs.update(method="renormalised", customers=math.nan)
    return out


def _add_months(date: dt.date, months: int) -> tuple[int, int]:
    index = date.year * 12 + date.month - 1 + months
    return index // 12, index % 12 + 1


def _mixes(customers: ir.Table, *, rules: TierRules, dates: list[dt.date]) -> pd.DataFrame:
    t = customers.filter(customers.snapshot_date.isin(dates))
    t = t.mutate(tier=tier_expr(t, rules))
    df = t.group_by(["snapshot_date", "tier"]).aggregate(customers=t.count()).to_pandas()
    df["snapshot_date"] = pd.to_datetime(df["snapshot_date"]).dt.date
    return df


def backtest(
    customers: ir.Table,
    *,
    rules: TierRules,
    snapshot_dates: tuple[dt.date, ...],
    origin: dt.date,
    horizon: int,
    window: int = 12,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Project from a past snapshot and compare with what actually happened.

    The average matrix is estimated from up to ``window`` monthly pairs ending at
    ``origin`` (nothing after it: the projection only knows what was known then), the
    mix at ``origin`` is projected ``horizon`` months ahead with :func:`project`, and the
    result is set against the snapshot in the calendar month ``horizon`` months after
    ``origin``.

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    rules : TierRules
        The rule set that assigns tiers.
    snapshot_dates : tuple of datetime.date
        The loaded snapshots, in order (monthly).
    origin : datetime.date
        The snapshot projected from; one of ``snapshot_dates`` with at least one earlier.
    horizon : int
        Months ahead, 1 or more.
    window : int
        Most pairs used for the estimate.
    confidence : float
        Passed to :func:`average_transition` (the intervals are not used here).

    Returns
    -------
    pandas.DataFrame
        ``tier, projected, actual, projected_share, actual_share, share_error,
        abs_share_error`` per tier (share_error = projected - actual share; the actual
        columns are NaN when the target snapshot is not loaded). ``attrs``: ``origin``,
        ``target_date`` (None when not loaded), ``horizon``, ``pairs`` and
        ``mean_abs_share_error`` (the mean over the tiers of abs_share_error, NaN when
        no actual).
    """
    dates = tuple(snapshot_dates)
    if origin not in dates:
        raise ValueError(f"origin {origin.isoformat()} is not one of the snapshots")
    if horizon < 1:
        raise ValueError("horizon must be 1 or more")
    if window < 1:
        raise ValueError("window must be 1 or more")
    pos = dates.index(origin)
    if pos == 0:
        raise ValueError("the origin needs at least one earlier snapshot to estimate the matrix from")
    est = dates[max(0, pos - window) : pos + 1]
    target_month = _add_months(origin, horizon)
    target = next((d for d in dates if (d.year, d.month) == target_month), None)
    avg = average_transition(customers, rules=rules, snapshot_dates=est, confidence=confidence)
    mixes = _mixes(customers, rules=rules, dates=[origin] + ([target] if target else []))
    start = mixes[mixes["snapshot_date"] == origin].set_index("tier")["customers"]
    proj = project(avg, start, months=horizon)
    proj = proj[proj["month"] == horizon].set_index("tier")
    actual = (
        mixes[mixes["snapshot_date"] == target].set_index("tier")["customers"]
        if target
        else pd.Series(dtype=float)
    )
    tiers = [t for t in TIER_ORDER if t in proj.index or t in actual.index]
    df = pd.DataFrame({"tier": tiers})
    df["projected"] = proj["customers"].reindex(tiers, fill_value=0.0).to_numpy()
    if target is not None:
        df["actual"] = actual.reindex(tiers, fill_value=0).astype("float64").to_numpy()
        total = df["actual"].sum()
        df["actual_share"] = df["actual"] / total if total else 0.0
    else:
        df["actual"] = math.nan
        df["actual_share"] = math.nan
    total = df["projected"].sum()
    df["projected_share"] = df["projected"] / total if total else 0.0
    df["share_error"] = df["projected_share"] - df["actual_share"]
    df["abs_share_error"] = df["share_error"].abs()
    df = df[
        ["tier", "projected", "actual", "projected_share", "actual_share", "share_error", "abs_share_error"]
    ]
    df.attrs.update(
        origin=origin,
        target_date=target,
        horizon=horizon,
        pairs=avg.pairs,
        mean_abs_share_error=float(df["abs_share_error"].mean()) if target is not None else math.nan,
    )
    return df


# -- which snapshots a view compares, and what it shows of a window -------------------------------
# The migration page and the report (analytics/report.py) choose the same snapshots and show the
# same views of an average matrix; they are worked out here once.


def previous_snapshot(snapshots: Sequence[dt.date], date: dt.date) -> dt.date | None:
    """The latest of ``snapshots`` before ``date`` (``None`` when there is none)."""
    return max((d for d in snapshots if d < date), default=None)


def default_pair(snapshots: Sequence[dt.date], snapshot_date: dt.date) -> tuple[dt.date | None, dt.date]:
    """The snapshots a migration view compares by default: "to" the snapshot shown (the second
    one when that is the earliest), "from" the snapshot before "to".

    Parameters
    ----------
    snapshots : sequence of datetime.date
        The loaded snapshots (at least two).
    snapshot_date : datetime.date
        The snapshot the view shows.
    """
    snaps = sorted(snapshots)
    to_date = snapshot_date if snapshot_date != snaps[0] else snaps[1]
    return previous_snapshot(snaps, to_date), to_date


def _month_index(date: dt.date) -> int:
    return date.year * 12 + date.month - 1


def window_dates(snapshots: Sequence[dt.date], to_date: dt.date, window: int) -> tuple[dt.date, ...]:
    """The loaded snapshots of the ``window`` months up to ``to_date`` (and the one it starts from).

    A 12-month window ending 2026-09-30 takes the snapshots from 2025-09 to 2026-09: twelve
    monthly steps when every month is loaded.
    """
    end = _month_index(to_date)
    return tuple(sorted(d for d in snapshots if end - window <= _month_index(d) <= end and d <= to_date))


def backtest_origin(snapshots: Sequence[dt.date], to_date: dt.date, horizon: int) -> dt.date | None:
    """The snapshot ``horizon`` months before ``to_date`` (the latest of that month), if loaded
    with an earlier snapshot to estimate from."""
    month = _month_index(to_date) - horizon
    origin = max((d for d in snapshots if _month_index(d) == month), default=None)
    if origin is None or not any(d < origin for d in snapshots):
        return None
    return origin


def start_mix(tr: Transition) -> pd.Series:
    """Customers per tier at the later snapshot (the column totals of the matrix, closed left out)."""
    mix = tr.matrix().sum(axis=0).drop("closed")
    mix.index.name = "tier"
    return mix[mix > 0].rename("customers")


def stationary_frame(start: pd.Series, stationary: pd.Series) -> pd.DataFrame:
    """``tier, current_share, stationary_share`` over the tiers of either, in tier order."""
    tiers = [s for s in TO_STATES if s in set(start.index) | set(stationary.index)]
    total = float(start.sum())
    current = start.reindex(tiers, fill_value=0).astype("float64") / (total or 1.0)
    return pd.DataFrame(
        {
            "tier": tiers,
            "current_share": current.to_numpy(),
            "stationary_share": stationary.reindex(tiers, fill_value=0.0).astype("float64").to_numpy(),
        }
    )


@dataclass(frozen=True)
class WindowViews:
    """What a view shows of an average monthly matrix: its cells, the projection from the
    "to" snapshot's mix, and the stationary mix next to that mix."""

    cells: pd.DataFrame
    projection: pd.DataFrame
    stationary: pd.DataFrame
    method: str


def window_views(avg: AverageTransition, start: pd.Series, months: int = 12) -> WindowViews:
    """The cells (:meth:`AverageTransition.long`), the projection ``months`` ahead from ``start``
    and the stationary mix (:func:`stationary_mix`) of ``avg``."""
    steady = stationary_mix(avg)
    return WindowViews(
        cells=avg.long(),
        projection=project(avg, start, months=months),
        stationary=stationary_frame(start, steady),
        method=steady.attrs["method"],
    )
