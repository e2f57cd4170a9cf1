"""How concentrated profit contribution is: Lorenz curve, top-20% share and Gini coefficient.

Everything is computed in the engine: customers are ranked by contribution with a window
function and folded into at most ``buckets`` percentile buckets, so what comes back is
about a hundred rows however many customers there are.

Loss-making customers
---------------------
Contributions are used **as they are, losses included**, and every share is a share of
the *net* total (profits minus losses), because that is the profit the bank actually
makes. This keeps the figures honest but changes how they read:

- the Lorenz curve first dips below zero (the loss-makers come first in the ranking)
  and then climbs to 100%;
- the top-20% share can exceed 100% ("the best fifth earns 130% of the net profit; the
  rest lose 30% of it");
- the Gini coefficient can exceed 1 (the standard formula on net contributions); the
  further it is above 1, the larger the losses are against the net profit.

When the net total is zero or negative no share or Gini is defined and both are
``None`` (shown as n/a). :class:`Concentration` also reports the number of loss-making
customers and their total loss, so that the page can say how much of the picture is
losses rather than leaving a reader to infer it from a Gini above 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pandas as pd

from analytics.tiers import profit_contribution


@dataclass(frozen=True)
class Concentration:
    """Concentration of profit contribution in one snapshot (money in CNY).

    Attributes
    ----------
    snapshot_date : datetime.date
    customers : int
        Customers ranked.
    total : float
        Net profit contribution (profits minus losses).
    losses : float
        Sum of the negative contributions (0 or less).
    loss_making : int
        Customers with a negative contribution.
    top_fraction : float
        The top share's fraction of customers (0.2 for the 80/20).
    top_share : float or None
        Share of ``total`` contributed by the ``top_fraction`` of customers with the
        largest contributions (1.0 = 100%; above 1 when the others lose money). A
        customer straddling the cut counts with the fraction that falls inside it.
    gini : float or None
        Gini coefficient of the contributions as they are (above 1 possible with losses).
    lorenz : pandas.DataFrame
        ``customers_share, profit_share`` (fractions, from 0,0 to 1,1): cumulative share
        of customers ranked from the smallest contribution up against the cumulative
        share of ``total``; at most ``buckets + 1`` points. Empty when ``total <= 0``.
    """

    snapshot_date: dt.date
    customers: int
    total: float
    losses: float
    loss_making: int
    top_fraction: float
    top_share: float | None
    gini: float | None
    lorenz: pd.DataFrame = field(compare=False, hash=False)


def concentration(
    customers: ir.Table,
    *,
    snapshot_date: dt.date,
    top_fraction: float = 0.2,
    buckets: int = 100,
) -> Concentration:
    """Lorenz curve, top share and Gini coefficient of profit contribution.

    Parameters
    ----------
    customers : ibis.Table
        Scoped and filtered customers table.
    snapshot_date : datetime.date
        The snapshot to measure.
    top_fraction : float
        Fraction of customers whose share is reported (0.2: the top 20%).
    buckets : int
        Percentile buckets of the Lorenz curve (100: one point per percentile).

    Returns
    -------
    Concentration
        With the standard Gini formula on customers ranked ascending by contribution
        ``x_1 <= ... <= x_n``: ``G = 2 * sum(i * x_i) / (n * sum(x)) - (n + 1) / n``
        (contributions 1, 2, 3, 4 give exactly 0.25).
    """
    if not 0 < top_fraction <= 1:
        raise ValueError(f"top_fraction must be in (0, 1], not {top_fraction}")
    t = customers.filter(customers.snapshot_date == snapshot_date)
    t = t.select(x=profit_contribution(t))
    n = t.x.count().over(ibis.window())
    # 1-based ascending rank; ties in any order give the same sums below.
    ranked = t.mutate(i=ibis.row_number().over(order_by=[t.x]) + 1, n=n)
    # Weight of each customer in the top fraction: 1 inside, 0 outside and the straddling
    # customer's part in between (the top 20% of 4 customers is 0.8 of the best one).
    weight = (ranked.i - ranked.n + top_fraction * ranked.n).clip(lower=0, upper=1)
    ranked = ranked.mutate(
        bucket=((ranked.i - 1) * buckets / ranked.n).floor().cast("int64"),
        ix=ranked.i.cast("float64") * ranked.x,
        top=weight * ranked.x,
    )
    per_bucket = (
        ranked.group_by("bucket")
        .aggregate(
            customers=ranked.count(),
            total=ranked.x.sum(),
            losses=ranked.x.sum(where=ranked.x < 0),
            loss_making=ranked.count(where=ranked.x < 0),
            ix=ranked.ix.sum(),
            top=ranked.top.sum(),
        )
        .order_by("bucket")
        .to_pandas()
    )
    count = int(per_bucket["customers"].sum())
    total = float(per_bucket["total"].sum())
    losses = float(per_bucket["losses"].fillna(0.0).sum())
    loss_making = int(per_bucket["loss_making"].sum())
    defined = count > 0 and total > 0
    if defined:
        gini = 2 * float(per_bucket["ix"].sum()) / (count * total) - (count + 1) / count
        top_share = float(per_bucket["top"].sum()) / total
        lorenz = pd.DataFrame(
            {
                "customers_share": [0.0, *(per_bucket["customers"].cumsum() / count)],
                "profit_share": [0.0, *(per_bucket["total"].cumsum() / total)],
            }
        )
    else:
        gini = top_share = None
        lorenz = pd.DataFrame({"customers_share": [], "profit_share": []}, dtype="float64")
    return Concentration(
        snapshot_date=snapshot_date,
        customers=count,
        total=total,
        losses=losses,
        loss_making=loss_making,
        top_fraction=top_fraction,
        top_share=top_share,
        gini=gini,
        lorenz=lorenz,
    )
