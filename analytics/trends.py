"""Satisfaction and complaint trends, with statistics a manager can trust.

- Monthly series: :func:`satisfaction_monthly` (mean score with a t confidence interval),
  :func:`complaints_monthly` (counts and the rate per 10,000 customers), each optionally
  by branch, region, channel, category or tier.
- Snapshots of a period: :func:`score_distribution`, :func:`nps`, :func:`pareto`,
  :func:`resolution` and :func:`backlog_monthly`.
- Methods on a monthly series (a frame ``month, value``): :func:`trend` (OLS on time with
  HAC standard errors and a verdict), :func:`decompose` (STL), :func:`forecast`
  (exponential smoothing with prediction intervals), :func:`anomalies` (u-chart on the
  complaint rate, with fallbacks) and :func:`mean_anomalies` (x-bar chart of mean scores).
- Links: :func:`complainant_satisfaction`, :func:`complainant_churn`,
  :func:`branch_complaints_vs_satisfaction`.
- :func:`monthly_values`, :func:`complaint_measure`, :func:`scale_max`, :func:`anomaly_measure`:
  what a view (the page, the report) takes from a monthly frame.
- :func:`trends_json`: the command line's JSON (DESIGN.md).

Every function takes a table that is already scoped and filtered
(:func:`analytics.scope.apply_event_filters` for surveys and complaints,
:func:`analytics.scope.apply_filters` for customers) and aggregates in the engine; what
comes back is one row per month, group or score, never one row per survey or complaint.

Honesty: every statistical result carries the name of its method and its sample size, and
a series too short for a method gets ``status="too_short"`` and a message with the minimum
instead of numbers. The methods are written up for managers in ``docs/trends.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest
from statsmodels.stats.weightstats import ttest_ind
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.seasonal import STL

from analytics.rules import TIER_ORDER, TierRules
from analytics.tiers import tier_expr

#: What :func:`satisfaction_monthly` can break a series down by.
SATISFACTION_GROUPS: tuple[str, ...] = ("branch", "region", "channel", "tier")
#: What :func:`complaints_monthly` can break a series down by.
COMPLAINT_GROUPS: tuple[str, ...] = ("category", "channel", "tier", "branch", "region")
#: The unit of the complaint rate: complaints per this many customers (per month).
PER_CUSTOMERS = 10_000
#: The group of an event whose tier cannot be known (anonymous, or not in the customers table).
UNKNOWN = "unknown"
#: The group of an event or customer with no branch or region.
UNASSIGNED = "unassigned"
_NONE = "\uffff"  # stands for a None group while pandas groups (it drops None keys)
#: The group label of an empty category or channel (the schema defaults).
_EVENT_DEFAULTS = {"category": "other", "channel": "unknown"}

#: Result statuses: ``ok`` (numbers), ``too_short`` (too few months or observations for the
#: method; the message says how many are needed), ``not_applicable`` (the method does not
#: apply to these data, e.g. NPS on a 1-5 scale).
STATUSES: tuple[str, ...] = ("ok", "too_short", "not_applicable")
VERDICTS: tuple[str, ...] = ("improving", "declining", "no significant trend", "too short")

#: Columns the tier expression reads (see :func:`analytics.tiers.tier_expr`).
_TIER_COLUMNS = (
    "segment",
    "aum",
    "loan_balance",
    "annual_sales",
    "total_assets",
    "industry",
    "market",
    "strategic",
    "deposit_avg_daily",
)

# -- months ------------------------------------------------------------------------------


def _month_no(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def _from_month_no(n: int) -> dt.date:
    return dt.date(n // 12, n % 12 + 1, 1)


def _add_months(month: dt.date, k: int) -> dt.date:
    return _from_month_no(_month_no(month) + k)


def _month_end(month: dt.date) -> dt.date:
    return _add_months(month, 1) - dt.timedelta(days=1)


def _first_of_month(d: dt.date | None) -> dt.date | None:
    return None if d is None else dt.date(d.year, d.month, 1)


def _dates(values) -> list[dt.date]:
    """Python dates of a column that came back from the engine (timestamps or dates)."""
    return [None if pd.isna(v) else pd.Timestamp(v).date() for v in values]


def _month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    return [_from_month_no(n) for n in range(_month_no(first), _month_no(last) + 1)]


def _label(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def _in_months(t: ir.Table, column: str, month_from: dt.date | None, month_to: dt.date | None) -> ir.Table:
    """Rows whose date falls in the months ``month_from`` to ``month_to`` (both included)."""
    if month_from is not None:
        t = t.filter(t[column] >= _first_of_month(month_from))
    if month_to is not None:
        t = t.filter(t[column] < _add_months(_first_of_month(month_to), 1))
    return t


def _snapshots(customers: ir.Table) -> list[dt.date]:
    """The snapshot dates of a customers table, oldest first (a small query)."""
    df = customers.select("snapshot_date").distinct().to_pandas()
    return sorted(d for d in _dates(df["snapshot_date"]) if d is not None)


def _snapshot_of_month(snapshots: list[dt.date]) -> dict[dt.date, dt.date]:
    """Month -> the latest snapshot taken in that month (normally its month end)."""
    out: dict[dt.date, dt.date] = {}
    for s in snapshots:
        out[_first_of_month(s)] = s  # sorted, so the last one of a month wins
    return out


def _check_by(by: str | None, allowed: tuple[str, ...]) -> None:
    if by is not None and by not in allowed:
        raise ValueError(f"by must be None or one of {allowed}, not {by!r}")


def _float(x) -> float | None:
    """A finite float, or None (NaN and infinities become None)."""
    if x is None:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


# -- tiers of events ---------------------------------------------------------------------


def _with_event_tier(
    events: ir.Table, *, month: str, customers: ir.Table, rules: TierRules, snapshots: list[dt.date]
) -> ir.Table:
    """Add ``_tier``: the customer's tier at the month end of the event (or the latest
    snapshot on or before it); ``unknown`` for anonymous events and customers not found."""
    months = _dates(events.select(m=events[month]).distinct().to_pandas()["m"])
    rows = []
    for m in sorted(x for x in months if x is not None):
        end = _month_end(m)
        before = [s for s in snapshots if s <= end]
        if before:
            rows.append((m, before[-1]))
    mapping = ibis.memtable(
        pd.DataFrame(rows, columns=["_m", "_snapshot"]), schema={"_m": "date", "_snapshot": "date"}
    )
    e = events.left_join(mapping, events[month] == mapping._m).drop("_m")
    c = customers.select(
        *[customers[k] for k in _TIER_COLUMNS], _snapshot2=customers.snapshot_date, _cid=customers.customer_id
    )
    j = e.left_join(c, [e._snapshot == c._snapshot2, e.customer_id == c._cid])
    tier = ibis.cases((j._cid.isnull(), ibis.literal(UNKNOWN)), else_=tier_expr(j, rules))
    return j.mutate(_tier=tier).drop("_snapshot", "_snapshot2", "_cid", *_TIER_COLUMNS)


def _group_column(t: ir.Table, by: str | None) -> ir.Value:
    if by is None:
        return ibis.null("string")
    if by == "tier":
        return t._tier
    if by in ("branch", "region"):
        return ibis.cases((t[by].isnull(), UNASSIGNED), else_=t[by])
    return t[by].fill_null(_EVENT_DEFAULTS.get(by, UNKNOWN))


def _order_groups(df: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Oldest month first; within a month, tiers in tier order (``unknown`` last), other groups by name."""
    if by == "tier":
        order = {t: i for i, t in enumerate((*TIER_ORDER, UNKNOWN))}
        key = df["group"].map(lambda g: order.get(g, len(order)))
        df = df.assign(_k=key).sort_values(["month", "_k"], kind="stable").drop(columns="_k")
    else:
        df = df.sort_values(["month", "group"], kind="stable", na_position="first")
    return df.reset_index(drop=True)


def _prepare_events(
    events: ir.Table, *, date_col: str, by: str | None, customers: ir.Table | None, rules: TierRules | None
) -> tuple[ir.Table, list[dt.date]]:
    t = events.mutate(month=events[date_col].truncate("M"))
    snapshots: list[dt.date] = []
    if customers is not None:
        snapshots = _snapshots(customers)
    if by == "tier":
        if customers is None or rules is None:
            raise ValueError("by='tier' needs the customers table and the tier rules")
        t = _with_event_tier(t, month="month", customers=customers, rules=rules, snapshots=snapshots)
    return t.mutate(group=_group_column(t, by)), snapshots


# ======================================================================================
# Satisfaction
# ======================================================================================


def satisfaction_monthly(
    surveys: ir.Table,
    *,
    customers: ir.Table | None = None,
    by: str | None = None,
    rules: TierRules | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Monthly mean satisfaction score with a t confidence interval, optionally by group.

    Parameters
    ----------
    surveys : ibis.Table
        Scoped surveys table.
    customers : ibis.Table, optional
        Customers table (all snapshots); needed for ``by="tier"``.
    by : {None, "branch", "region", "channel", "tier"}
        Break the series down. ``tier`` is the surveyed customer's tier in the snapshot
        of the survey's month end, or the latest snapshot on or before it; anonymous
        surveys and customers not found are ``unknown``. An empty branch or region is
        ``unassigned``.
    rules : TierRules, optional
        Needed for ``by="tier"``.
    confidence : float
        Confidence level of the interval (0.95 = 95%).

    Returns
    -------
    pandas.DataFrame
        ``month, group, n, mean, sd, ci_low, ci_high, scale_max``: one row per month
        (first day, ``datetime.date``) and group that has surveys, oldest first. ``group``
        is None without ``by``. ``sd`` is the sample standard deviation; the interval is
        the t interval of the mean (``statsmodels`` ``DescrStatsW.tconfint_mean``), NaN
        for a month with a single survey. ``scale_max`` is the largest ``scale_max`` of
        the month's surveys: do not mix scales in one series.

    Notes
    -----
    The engine returns the number of surveys per month, group and score; the mean and
    interval are computed from those frequencies, which is exact (scores are few
    distinct values).
    """
    _check_by(by, SATISFACTION_GROUPS)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")
    t, _ = _prepare_events(surveys, date_col="survey_date", by=by, customers=customers, rules=rules)
    agg = (
        t.group_by(["month", "group", "score"])
        .aggregate(n=t.count(), scale_max=t.scale_max.max())
        .to_pandas()
    )
    cols = ["month", "group", "n", "mean", "sd", "ci_low", "ci_high", "scale_max"]
    if agg.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("month", "group") else float) for c in cols})
    agg["month"] = _dates(agg["month"])
    agg["group"] = agg["group"].astype(object).where(agg["group"].notna(), None)
    df = _mean_ci(agg, ["month", "group"], alpha=1.0 - confidence)
    return _order_groups(df[cols], by)


def _mean_ci(freq: pd.DataFrame, keys: list[str], *, alpha: float) -> pd.DataFrame:
    """Mean, sample SD and t interval of the mean per group, from a frequency table.

    ``freq`` has the ``keys``, ``score``, ``n`` (how many surveys gave that score) and
    ``scale_max``. The interval is the one of ``statsmodels``
    ``DescrStatsW(score, weights=n).tconfint_mean``: mean ± t(1 - alpha/2, n - 1) · sd/√n,
    computed for all groups at once (the tests check it against DescrStatsW).
    """
    f = freq.assign(_sx=freq["score"] * freq["n"])
    for k in keys:  # a None group is a group too
        f[k] = f[k].astype(object).where(f[k].notna(), _NONE)
    g = f.groupby(keys, sort=False)
    n = g["n"].sum().astype("int64")
    mean = g["_sx"].sum() / n
    # Sum of squared deviations from the group mean (no cancellation, unlike sum x² - n mean²).
    f = f.join(mean.rename("_mean"), on=keys)
    f["_dev"] = (f["score"] - f["_mean"]) ** 2 * f["n"]
    ss = f.groupby(keys, sort=False)["_dev"].sum()
    var = (ss / (n - 1)).where(n >= 2)
    sd = np.sqrt(var)
    half = stats.t.ppf(1 - alpha / 2, (n - 1).where(n >= 2)) * sd / np.sqrt(n)
    out = pd.DataFrame(index=n.index)
    out["n"] = n
    out["mean"] = mean
    out["sd"] = sd
    out["ci_low"] = mean - half
    out["ci_high"] = mean + half
    out["scale_max"] = g["scale_max"].max().astype("float64")
    out = out.reset_index()
    for k in keys:
        out[k] = out[k].astype(object).where(out[k] != _NONE, None)
    return out


def score_distribution(
    surveys: ir.Table, *, month_from: dt.date | None = None, month_to: dt.date | None = None
) -> pd.DataFrame:
    """How many surveys gave each score, in the months ``month_from`` to ``month_to``.

    Parameters
    ----------
    surveys : ibis.Table
        Scoped surveys table.
    month_from, month_to : datetime.date, optional
        First and last month included (any day of the month); default: all.

    Returns
    -------
    pandas.DataFrame
        ``score, n, share`` by score ascending; ``share`` is a fraction of all surveys in
        the period (0.25 = 25%). Only scores that occur are listed.
    """
    t = _in_months(surveys, "survey_date", month_from, month_to)
    df = t.group_by("score").aggregate(n=t.count()).order_by("score").to_pandas()
    df["n"] = df["n"].astype("int64")
    total = df["n"].sum()
    df["share"] = df["n"] / total if total else 0.0
    return df[["score", "n", "share"]].reset_index(drop=True)


@dataclass(frozen=True)
class NpsResult:
    """Net Promoter Score of the surveys of a period.

    Attributes
    ----------
    applicable : bool
        True when every survey is on a 0-10 scale (``scale_max`` 10) and there is at
        least one; otherwise the other numbers are None and ``reason`` says why.
    reason : str
        Why NPS is not applicable; empty when it is.
    n : int
        Surveys in the period.
    promoters, passives, detractors : int or None
        Surveys scoring 9-10, 7-8 (7 <= score < 9) and 0-6 (score < 7).
    nps : float or None
        ``100 * (promoters - detractors) / n``, from -100 to 100.
    method : str
        How NPS is computed.
    """

    applicable: bool
    reason: str
    n: int
    promoters: int | None = None
    passives: int | None = None
    detractors: int | None = None
    nps: float | None = None
    method: str = "NPS = % promoters (9-10) - % detractors (0-6), 0-10 scale"


def nps(
    surveys: ir.Table, *, month_from: dt.date | None = None, month_to: dt.date | None = None
) -> NpsResult:
    """The Net Promoter Score of the surveys in the months ``month_from`` to ``month_to``.

    NPS is defined only on the 0-10 "how likely are you to recommend us" scale: with any
    survey on another scale (``scale_max`` other than 10) it is not applicable, rather
    than computed on numbers that do not mean the same thing.

    Parameters
    ----------
    surveys : ibis.Table
        Scoped surveys table.
    month_from, month_to : datetime.date, optional
        First and last month included; default: all.

    Returns
    -------
    NpsResult
    """
    t = _in_months(surveys, "survey_date", month_from, month_to)
    row = (
        t.aggregate(
            n=t.count(),
            promoters=t.count(where=t.score >= 9),
            passives=t.count(where=(t.score >= 7) & (t.score < 9)),
            detractors=t.count(where=t.score < 7),
            scale_min=t.scale_max.min(),
            scale_max=t.scale_max.max(),
            scale_missing=t.count(where=t.scale_max.isnull()),
        )
        .to_pandas()
        .iloc[0]
    )
    n = int(row["n"])
    if n == 0:
        return NpsResult(False, "no surveys in the period", 0)
    lo, hi = _float(row["scale_min"]), _float(row["scale_max"])
    if int(row["scale_missing"]) or lo != 10.0 or hi != 10.0:
        scales = "unknown" if lo is None else (f"{lo:g}" if lo == hi else f"{lo:g} to {hi:g}")
        return NpsResult(
            False,
            f"NPS needs a 0-10 scale; these surveys have a maximum score of {scales}",
            n,
        )
    p, d = int(row["promoters"]), int(row["detractors"])
    return NpsResult(True, "", n, p, int(row["passives"]), d, 100.0 * (p - d) / n)


# ======================================================================================
# Complaints
# ======================================================================================


def complaints_monthly(
    complaints: ir.Table,
    *,
    customers: ir.Table | None = None,
    by: str | None = None,
    rules: TierRules | None = None,
) -> pd.DataFrame:
    """Monthly complaint counts and the rate per 10,000 customers, optionally by group.

    Parameters
    ----------
    complaints : ibis.Table
        Scoped complaints table.
    customers : ibis.Table, optional
        Scoped customers table (all snapshots): the denominator of the rate, and the
        tiers for ``by="tier"``. Without it the rate is missing.
    by : {None, "category", "channel", "tier", "branch", "region"}
        Break the series down. ``tier`` is the complaining customer's tier in the
        snapshot of the month end (or the latest on or before it), ``unknown`` for
        anonymous complaints; an empty branch or region is ``unassigned``.
    rules : TierRules, optional
        Needed for ``by="tier"``.

    Returns
    -------
    pandas.DataFrame
        ``month, group, complaints, customers, rate_per_10k``: every month from the first
        to the last month with a complaint (months without complaints count 0) times
        every group that occurs, oldest first; ``group`` is None without ``by``.
        ``customers`` is the number of scoped customers in the month's snapshot (the
        latest snapshot taken in that month): all of them for ``by`` None, category or
        channel (a category's rate is per 10,000 of all customers), those of the branch,
        region or tier otherwise. It is missing (``<NA>``) when no snapshot was loaded for
        the month or the group has no customers (``unknown`` tier), and then
        ``rate_per_10k`` is NaN.
    """
    _check_by(by, COMPLAINT_GROUPS)
    t, snapshots = _prepare_events(
        complaints, date_col="received_date", by=by, customers=customers, rules=rules
    )
    agg = t.group_by(["month", "group"]).aggregate(complaints=t.count()).to_pandas()
    cols = ["month", "group", "complaints", "customers", "rate_per_10k"]
    if agg.empty:
        return pd.DataFrame(
            {
                "month": pd.Series(dtype=object),
                "group": pd.Series(dtype=object),
                "complaints": pd.Series(dtype="int64"),
                "customers": pd.Series(dtype="Int64"),
                "rate_per_10k": pd.Series(dtype=float),
            }
        )
    agg["month"] = _dates(agg["month"])
    agg["group"] = agg["group"].astype(object).where(agg["group"].notna(), None)
    months = _month_range(min(agg["month"]), max(agg["month"]))
    groups = list(dict.fromkeys(agg["group"]))
    grid = pd.MultiIndex.from_product([months, groups], names=["month", "group"]).to_frame(index=False)
    grid["group"] = grid["group"].astype(object).where(grid["group"].notna(), None)
    df = _merge_on_group(grid, agg)
    df["complaints"] = df["complaints"].fillna(0).astype("int64")
    exposure = _exposure(customers, by=by, rules=rules, snapshots=snapshots, months=months)
    if exposure is None:
        df["customers"] = pd.array([pd.NA] * len(df), dtype="Int64")
    else:
        if by in (None, "category", "channel"):
            df = df.merge(exposure.drop(columns="group"), on="month", how="left")
        else:
            df = _merge_on_group(df, exposure)
        df["customers"] = df["customers"].astype("Int64")
    cust = df["customers"].astype("float64")
    df["rate_per_10k"] = (df["complaints"] * PER_CUSTOMERS / cust.where(cust > 0)).astype("float64")
    return _order_groups(df[cols], by)


def _merge_on_group(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """Merge on month and group, where a None group matches a None group."""
    key = _NONE
    a = left.assign(group=left["group"].fillna(key))
    b = right.assign(group=right["group"].fillna(key))
    out = a.merge(b, on=["month", "group"], how="left")
    out["group"] = out["group"].where(out["group"] != key, None)
    return out


def _exposure(
    customers: ir.Table | None,
    *,
    by: str | None,
    rules: TierRules | None,
    snapshots: list[dt.date],
    months: list[dt.date],
) -> pd.DataFrame | None:
    """Customers in each month's snapshot (by branch, region or tier when asked): ``month, group, customers``."""
    if customers is None:
        return None
    of_month = _snapshot_of_month(snapshots)
    wanted = {of_month[m]: m for m in months if m in of_month}
    if not wanted:
        return pd.DataFrame({"month": [], "group": [], "customers": []})
    c = customers.filter(customers.snapshot_date.isin(list(wanted)))
    if by in ("branch", "region"):
        group = ibis.cases((c[by].isnull(), UNASSIGNED), else_=c[by])
    elif by == "tier":
        group = tier_expr(c, rules)
    else:
        group = ibis.null("string")
    agg = c.group_by(snapshot_date=c.snapshot_date, group=group).aggregate(customers=c.count()).to_pandas()
    agg["month"] = [wanted[d] for d in _dates(agg["snapshot_date"])]
    agg["group"] = agg["group"].astype(object).where(agg["group"].notna(), None)
    return agg[["month", "group", "customers"]]


def pareto(
    complaints: ir.Table, *, month_from: dt.date | None = None, month_to: dt.date | None = None
) -> pd.DataFrame:
    """Complaints per category, largest first, with cumulative shares (the Pareto chart).

    Parameters
    ----------
    complaints : ibis.Table
        Scoped complaints table.
    month_from, month_to : datetime.date, optional
        First and last month included; default: all.

    Returns
    -------
    pandas.DataFrame
        ``category, complaints, share, cumulative_share`` sorted by complaints (largest
        first, ties by category); shares are fractions of all complaints in the period.
        An empty category counts as ``other``.
    """
    t = _in_months(complaints, "received_date", month_from, month_to)
    t = t.mutate(category=t.category.fill_null(_EVENT_DEFAULTS["category"]))
    df = t.group_by("category").aggregate(complaints=t.count()).to_pandas()
    df["complaints"] = df["complaints"].astype("int64")
    df = df.sort_values(["complaints", "category"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )
    total = df["complaints"].sum()
    df["share"] = df["complaints"] / total if total else 0.0
    df["cumulative_share"] = df["share"].cumsum()
    return df[["category", "complaints", "share", "cumulative_share"]]


@dataclass(frozen=True)
class ResolutionResult:
    """How fast complaints are resolved, and how many are open.

    Attributes
    ----------
    as_of : datetime.date or None
        The day the figures are taken on (None when there are no complaints).
    n : int
        Complaints received on or before ``as_of``.
    resolved : int
        Of them, resolved with a resolution date on or before ``as_of`` (the timings
        are of these).
    resolved_without_date : int
        Marked resolved but with no resolution date: closed, but not timed.
    invalid_dates : int
        Resolution date before the received date (a data error): left out of the timings.
    median_days : float or None
        Median days from received to resolved; None without timed complaints.
    within_days : int
        The service limit asked about.
    resolved_within : int
        Timed complaints resolved within ``within_days`` days (``days <= within_days``).
    share_within : float or None
        ``resolved_within / resolved`` (a fraction); None without timed complaints.
    open_backlog : int
        Complaints open at the end of ``as_of``: status ``open`` with no resolution
        date, or a resolution date after ``as_of``.
    method : str
        How the figures are computed.
    """

    as_of: dt.date | None
    n: int
    resolved: int
    resolved_without_date: int
    invalid_dates: int
    median_days: float | None
    within_days: int
    resolved_within: int
    share_within: float | None
    open_backlog: int
    method: str = (
        "days = resolved_date - received_date; median of resolved complaints with a resolution date; "
        "open = status open without a resolution date, or resolved after the as-of day"
    )


def resolution(
    complaints: ir.Table, *, within_days: int = 15, as_of: dt.date | None = None
) -> ResolutionResult:
    """Median resolution time, share resolved within a limit, and the open backlog.

    Parameters
    ----------
    complaints : ibis.Table
        Scoped complaints table.
    within_days : int
        The service limit: a complaint resolved in this many days or fewer is "within".
    as_of : datetime.date, optional
        The day to take the figures on: complaints received later are ignored and a
        complaint resolved later counts as open. Default: the latest received or
        resolution date in the table.

    Returns
    -------
    ResolutionResult

    Notes
    -----
    A complaint with a resolution date is resolved on that date whatever its status says
    (a file without a status column leaves every status at the default ``open``). A
    complaint marked resolved without a date (the CFPB sample) is resolved but not
    timed; one marked open without a date is open.
    """
    if within_days < 0:
        raise ValueError(f"within_days must be 0 or more, not {within_days!r}")
    if as_of is None:
        span = complaints.aggregate(
            r=complaints.received_date.max(), s=complaints.resolved_date.max()
        ).to_pandas()
        found = [d for d in _dates(span.iloc[0]) if d is not None]
        if not found:
            return ResolutionResult(
                as_of=None,
                n=0,
                resolved=0,
                resolved_without_date=0,
                invalid_dates=0,
                median_days=None,
                within_days=within_days,
                resolved_within=0,
                share_within=None,
                open_backlog=0,
            )
        as_of = max(found)
    t = complaints.filter(complaints.received_date <= as_of)
    days = t.resolved_date.delta(t.received_date, unit="day")
    timed = t.resolved_date.notnull() & (t.resolved_date <= as_of)
    late = t.resolved_date.notnull() & (t.resolved_date > as_of)
    counts = (
        t.aggregate(
            n=t.count(),
            without_date=t.count(where=t.resolved_date.isnull() & (t.status == "resolved")),
            open_=t.count(where=(t.resolved_date.isnull() & (t.status.fill_null("open") == "open")) | late),
        )
        .to_pandas()
        .iloc[0]
    )
    done = t.filter(timed).mutate(days=days)
    dist = done.group_by("days").aggregate(k=done.count()).to_pandas()
    invalid = int(dist.loc[dist["days"] < 0, "k"].sum()) if not dist.empty else 0
    dist = dist[dist["days"] >= 0].sort_values("days")
    resolved = int(dist["k"].sum())
    within = int(dist.loc[dist["days"] <= within_days, "k"].sum())
    return ResolutionResult(
        as_of=as_of,
        n=int(counts["n"]),
        resolved=resolved,
        resolved_without_date=int(counts["without_date"]),
        invalid_dates=invalid,
        median_days=_weighted_median(dist["days"].to_numpy(float), dist["k"].to_numpy(int)),
        within_days=within_days,
        resolved_within=within,
        share_within=within / resolved if resolved else None,
        open_backlog=int(counts["open_"]),
    )


def _weighted_median(values: np.ndarray, counts: np.ndarray) -> float | None:
    """The median of a sorted frequency table (the mean of the two middle values for an even count)."""
    total = int(counts.sum())
    if total == 0:
        return None
    cum = np.cumsum(counts)
    lo = values[np.searchsorted(cum, (total - 1) // 2 + 1)]
    hi = values[np.searchsorted(cum, total // 2 + 1)]
    return float((lo + hi) / 2)


def backlog_monthly(complaints: ir.Table) -> pd.DataFrame:
    """Complaints open at each month end.

    Parameters
    ----------
    complaints : ibis.Table
        Scoped complaints table.

    Returns
    -------
    pandas.DataFrame
        ``month, open_at_month_end`` for every month from the first month with a
        complaint to the last month with a complaint or a resolution. A complaint is open
        from the day it is received until its resolution date; one marked ``open``
        without a date stays open; one marked resolved without a date is never counted
        (its resolution day is unknown).
    """
    t = complaints
    counted = t.resolved_date.notnull() | (t.status.fill_null("open") == "open")
    t = t.filter(counted)
    came = t.group_by(month=t.received_date.truncate("M")).aggregate(k=t.count()).to_pandas()
    r = t.filter(t.resolved_date.notnull())
    went = r.group_by(month=r.resolved_date.truncate("M")).aggregate(k=r.count()).to_pandas()
    if came.empty:
        return pd.DataFrame({"month": pd.Series(dtype=object), "open_at_month_end": pd.Series(dtype="int64")})
    came["month"], went["month"] = _dates(came["month"]), _dates(went["month"])
    months = _month_range(min(came["month"]), max([*came["month"], *went["month"]]))
    arrivals = came.set_index("month")["k"].reindex(months, fill_value=0).cumsum()
    departures = went.set_index("month")["k"].reindex(months, fill_value=0).cumsum() if not went.empty else 0
    # A complaint resolved before the first month (a bad date) would drive the count below 0.
    open_ = (arrivals - departures).clip(lower=0).astype("int64")
    return pd.DataFrame({"month": months, "open_at_month_end": open_.to_numpy()})


# ======================================================================================
# Methods on a monthly series
# ======================================================================================


def _series(series: pd.DataFrame, value: str = "value") -> pd.DataFrame:
    """``month`` (first day, date) and ``value`` (float) sorted, without missing values."""
    if "month" not in series or value not in series:
        raise ValueError(f"the series needs the columns 'month' and {value!r}")
    df = pd.DataFrame(
        {
            "month": [_first_of_month(d) for d in _dates(series["month"])],
            "value": pd.to_numeric(series[value], errors="coerce").astype("float64").to_numpy(),
        }
    )
    df = df[df["value"].notna() & df["month"].notna()]
    if df["month"].duplicated().any():
        raise ValueError("the series has more than one value for a month; aggregate it first")
    return df.sort_values("month").reset_index(drop=True)


def _regular(df: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The series on every month of its span, gaps filled by linear interpolation."""
    if df.empty:
        return df, 0
    months = _month_range(df["month"].iloc[0], df["month"].iloc[-1])
    full = df.set_index("month")["value"].reindex(months)
    filled = int(full.isna().sum())
    full = full.interpolate(method="linear")
    return pd.DataFrame({"month": months, "value": full.to_numpy()}), filled


def _too_short(what: str, n: int, minimum: int) -> str:
    return f"{what} needs at least {minimum} months; the series has {n}"


def hac_maxlags(n: int) -> int:
    """The Newey-West lag length used for a series of ``n`` months: floor(4 (n/100)^(2/9)), at least 1."""
    return max(1, int(math.floor(4 * (n / 100) ** (2 / 9))))


@dataclass(frozen=True)
class TrendResult:
    """A trend verdict on a monthly series.

    Attributes
    ----------
    status : str
        ``ok`` or ``too_short``.
    verdict : str
        ``improving``, ``declining``, ``no significant trend`` or ``too short``.
    slope : float or None
        Change of the value per month (OLS slope).
    p_value : float or None
        Two-sided p-value of the slope (t test with HAC standard errors); None when it
        cannot be computed (too short, or a constant series).
    ci_low, ci_high : float or None
        Confidence interval of the slope at level ``1 - alpha``.
    n : int
        Months with a value.
    alpha : float
        Significance level of the verdict.
    min_months : int
        Months the method needs.
    higher_is_better : bool
        Whether a rising series is an improvement.
    method : str
        The method, with its lag length.
    message : str
        A sentence saying what was found, or why there is no verdict.
    """

    status: str
    verdict: str
    slope: float | None
    p_value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    alpha: float
    min_months: int
    higher_is_better: bool
    method: str
    message: str


def trend(
    series: pd.DataFrame, *, higher_is_better: bool, alpha: float = 0.05, min_months: int = 6
) -> TrendResult:
    """Is the series improving, declining, or neither? OLS on time with HAC standard errors.

    The value is regressed on the month number (months since the first month, so a gap
    in the series keeps its length); the standard error of the slope is Newey-West
    (heteroskedasticity- and autocorrelation-consistent, Bartlett kernel, lag length
    :func:`hac_maxlags`) with the small-sample correction, and the p-value comes from a
    t distribution with n - 2 degrees of freedom. The slope is significant when its
    p-value is below ``alpha``; its sign and ``higher_is_better`` give the verdict.

    Parameters
    ----------
    series : pandas.DataFrame
        ``month, value`` (e.g. ``satisfaction_monthly(...)`` renamed, or the
        ``rate_per_10k`` of :func:`complaints_monthly`); missing values are dropped.
    higher_is_better : bool
        True for satisfaction, False for complaints.
    alpha : float
        Significance level.
    min_months : int
        Fewer months with a value give ``status="too_short"`` (at least 3 are always needed).

    Returns
    -------
    TrendResult
    """
    df = _series(series)
    n = len(df)
    minimum = max(3, min_months)
    maxlags = hac_maxlags(n)
    method = f"OLS on time with HAC (Newey-West) standard errors, maxlags={maxlags}"

    def result(status, verdict, message, slope=None, p_value=None, ci=(None, None)) -> TrendResult:
        return TrendResult(
            status=status,
            verdict=verdict,
            slope=slope,
            p_value=p_value,
            ci_low=ci[0],
            ci_high=ci[1],
            n=n,
            alpha=alpha,
            min_months=minimum,
            higher_is_better=higher_is_better,
            method=method,
            message=message,
        )

    if n < minimum:
        return result("too_short", "too short", _too_short("A trend test", n, minimum))
    x = np.array([_month_no(m) for m in df["month"]], dtype=float)
    x -= x[0]
    y = df["value"].to_numpy()
    if np.ptp(y) == 0:
        return result("ok", "no significant trend", "the series is constant: no trend", 0.0, None, (0.0, 0.0))
    fit = sm.OLS(y, sm.add_constant(x)).fit(cov_type="HAC", cov_kwds={"maxlags": maxlags}, use_t=True)
    slope, p = float(fit.params[1]), _float(fit.pvalues[1])
    low, high = (float(v) for v in fit.conf_int(alpha=alpha)[1])
    if p is not None and p < alpha and slope != 0:
        verdict = "improving" if (slope > 0) == higher_is_better else "declining"
        message = f"{verdict}: {slope:+.4g} per month (p = {p:.3g}, n = {n} months)"
    else:
        verdict = "no significant trend"
        shown = "n/a" if p is None else f"{p:.3g}"
        message = f"no significant trend at the {alpha:g} level (slope {slope:+.4g} per month, p = {shown}, n = {n})"
    return result("ok", verdict, message, slope, p, (low, high))


@dataclass(frozen=True, eq=False)
class DecomposeResult:
    """A seasonal-trend decomposition (STL) of a monthly series.

    Attributes
    ----------
    status : str
        ``ok`` or ``too_short``.
    n : int
        Months in the decomposed span (``filled`` of them interpolated).
    filled : int
        Months missing inside the span and filled by linear interpolation.
    period : int
        Season length in months.
    min_months : int
        Months the method needs.
    method : str
        The method.
    message : str
        Why there is no decomposition, or notes on it.
    frame : pandas.DataFrame
        ``month, observed, trend, seasonal, resid`` (empty when too short); observed =
        trend + seasonal + resid.
    """

    status: str
    n: int
    filled: int
    period: int
    min_months: int
    method: str
    message: str
    frame: pd.DataFrame = field(repr=False)


def decompose(series: pd.DataFrame, *, period: int = 12, min_months: int = 24) -> DecomposeResult:
    """Split a monthly series into trend, seasonal and remainder parts (robust STL).

    Parameters
    ----------
    series : pandas.DataFrame
        ``month, value``; months missing inside the span are interpolated (and counted
        in ``filled``).
    period : int
        Season length in months (12: the calendar year).
    min_months : int
        Fewer months give ``status="too_short"``; STL needs at least two full seasons,
        so the minimum is never below ``2 * period``.

    Returns
    -------
    DecomposeResult
    """
    df, filled = _regular(_series(series))
    n = len(df)
    minimum = max(min_months, 2 * period)
    method = f"STL (seasonal-trend decomposition by LOESS), robust, period {period} months"
    empty = pd.DataFrame({c: [] for c in ("month", "observed", "trend", "seasonal", "resid")})
    if n < minimum:
        return DecomposeResult(
            "too_short",
            n,
            filled,
            period,
            minimum,
            method,
            _too_short("A seasonal decomposition", n, minimum),
            empty,
        )
    res = STL(df["value"].to_numpy(), period=period, robust=True).fit()
    frame = pd.DataFrame(
        {
            "month": df["month"],
            "observed": df["value"],
            "trend": np.asarray(res.trend),
            "seasonal": np.asarray(res.seasonal),
            "resid": np.asarray(res.resid),
        }
    )
    note = f"{filled} missing month(s) interpolated" if filled else ""
    return DecomposeResult("ok", n, filled, period, minimum, method, note, frame)


@dataclass(frozen=True, eq=False)
class ForecastResult:
    """A forecast of a monthly series with prediction intervals.

    Attributes
    ----------
    status : str
        ``ok`` or ``too_short``.
    n : int
        Months the model was fitted on (``filled`` of them interpolated).
    filled : int
        Months missing inside the span and filled by linear interpolation.
    months : int
        Months forecast.
    alpha : float
        The intervals cover ``1 - alpha`` of outcomes if the model is right.
    min_months : int
        Months the method needs.
    model : str
        Short model name: ``ETS(A,Ad,A)``, ``ETS(A,Ad,N)``, ``ETS(A,N,N)``, ``constant``
        or ``none``.
    method : str
        The model in words, and why it was chosen.
    message : str
        Why there is no forecast, or notes on it.
    frame : pandas.DataFrame
        ``month, forecast, lower, upper``: one row per forecast month (first day of the
        month); empty when too short.
    """

    status: str
    n: int
    filled: int
    months: int
    alpha: float
    min_months: int
    model: str
    method: str
    message: str
    frame: pd.DataFrame = field(repr=False)


_ETS_MODELS = {
    "ETS(A,Ad,A)": (
        {"trend": "add", "damped_trend": True, "seasonal": "add", "seasonal_periods": 12},
        "exponential smoothing with additive errors, a damped additive trend and an additive 12-month season",
    ),
    "ETS(A,Ad,N)": (
        {"trend": "add", "damped_trend": True},
        "exponential smoothing with additive errors and a damped additive trend, no season",
    ),
    "ETS(A,N,N)": ({}, "simple exponential smoothing (additive errors, no trend, no season)"),
}
#: Months of data from which :func:`forecast` fits a trend, and from which it considers a season.
TREND_MONTHS = 24
SEASON_MONTHS = 36


def forecast(
    series: pd.DataFrame,
    *,
    months: int = 6,
    alpha: float = 0.05,
    min_months: int = 12,
    bounds: tuple[float | None, float | None] = (None, None),
) -> ForecastResult:
    """Forecast a monthly series with prediction intervals (exponential smoothing).

    The model (``statsmodels`` ``ETSModel``, additive errors, estimated by maximum
    likelihood) depends on how much history there is:

    - from ``min_months`` to 23 months: ETS(A,N,N), simple exponential smoothing (a
      level, no trend: a trend fitted on one year mostly extrapolates noise);
    - 24 to 35 months: ETS(A,Ad,N), a damped additive trend, no season;
    - 36 months or more: ETS(A,Ad,A), the damped trend with an additive 12-month season,
      when its AICc is lower than that of ETS(A,Ad,N) (a season is estimated from three
      years at least; with two, a one-off dip is taken for a season);
    - when a fit fails or gives no finite interval: the next simpler model;
    - a constant series: the constant, with no interval width (nothing to estimate).

    Intervals are the model's analytic prediction intervals; they assume the model is
    right, so they are too narrow when the future breaks with the past.

    Parameters
    ----------
    series : pandas.DataFrame
        ``month, value``; months missing inside the span are interpolated.
    months : int
        Months to forecast after the last month of the series.
    alpha : float
        1 - coverage of the intervals (0.05: 95% intervals).
    min_months : int
        Fewer months give ``status="too_short"`` (never fewer than 4).
    bounds : (float or None, float or None)
        Values the forecast cannot go below or above (0 for counts, the scale for
        scores); the forecast and the intervals are clipped to them.

    Returns
    -------
    ForecastResult
    """
    if months < 1:
        raise ValueError(f"months must be at least 1, not {months!r}")
    df, filled = _regular(_series(series))
    n = len(df)
    minimum = max(4, min_months)
    empty = pd.DataFrame({c: [] for c in ("month", "forecast", "lower", "upper")})

    def result(status: str, model: str, method: str, message: str, frame: pd.DataFrame) -> ForecastResult:
        return ForecastResult(status, n, filled, months, alpha, minimum, model, method, message, frame)

    if n < minimum:
        return result("too_short", "none", "no forecast", _too_short("A forecast", n, minimum), empty)
    y = df["value"].to_numpy()
    future = [_add_months(df["month"].iloc[-1], k) for k in range(1, months + 1)]
    note = f"{filled} missing month(s) interpolated" if filled else ""
    if np.ptp(y) == 0:
        frame = pd.DataFrame({"month": future, "forecast": y[-1], "lower": y[-1], "upper": y[-1]})
        method = (
            "the series is constant: the forecast repeats it and has no uncertainty that can be estimated"
        )
        return result("ok", "constant", method, note, _clip(frame, bounds))
    if n >= SEASON_MONTHS:
        preferred, why = ["ETS(A,Ad,A)", "ETS(A,Ad,N)"], f"{n} months: with and without a season, lower AICc"
    elif n >= TREND_MONTHS:
        preferred, why = ["ETS(A,Ad,N)"], f"{n} months: a trend, too few years for a season"
    else:
        preferred, why = ["ETS(A,N,N)"], f"{n} months: too few for a trend or a season"
    fits = {m: f for m in preferred if (f := _ets(y, m, months, alpha)) is not None}
    if fits:
        model = min(fits, key=lambda m: fits[m][0])
        if len(fits) > 1:
            other = next(m for m in fits if m != model)
            why += f" ({fits[model][0]:.1f} against {fits[other][0]:.1f} for {other})"
    else:
        chain = list(_ETS_MODELS)  # from the richest to the simplest
        for model in chain[chain.index(preferred[-1]) + 1 :]:
            if (f := _ets(y, model, months, alpha)) is not None:
                fits = {model: f}
                why = f"{' and '.join(preferred)} could not be fitted; a simpler model is used"
                break
        else:
            message = "no exponential smoothing model could be fitted to this series"
            return result("not_applicable", "none", "no forecast", message, empty)
    frame = fits[model][1]
    frame.insert(0, "month", future)
    method = f"{model}: {_ETS_MODELS[model][1]} (statsmodels ETSModel; {why})"
    return result("ok", model, method, note, _clip(frame, bounds))


def _ets(y: np.ndarray, model: str, months: int, alpha: float) -> tuple[float, pd.DataFrame] | None:
    """Fit one ETS model; its AICc and forecast frame, or None when it fails."""
    kwargs = _ETS_MODELS[model][0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ets = ETSModel(pd.Series(y), error="add", **kwargs)
            fit = ets.fit(disp=False)
            if kwargs.get("seasonal"):
                # The optimiser can stop in a poor local optimum from statsmodels' default start
                # (it does on some CPUs' BLAS kernels): start again from the heuristic
                # initial states and keep the better likelihood.
                fit = max((fit, _heuristic_start_fit(y, kwargs, ets)), key=lambda f: f.llf if f else -np.inf)
            pred = fit.get_prediction(start=len(y), end=len(y) + months - 1).summary_frame(alpha=alpha)
    except (ValueError, np.linalg.LinAlgError):
        return None
    frame = pd.DataFrame(
        {
            "forecast": pred["mean"].to_numpy(dtype=float),
            "lower": pred["pi_lower"].to_numpy(dtype=float),
            "upper": pred["pi_upper"].to_numpy(dtype=float),
        }
    )
    if not np.isfinite(frame.to_numpy()).all():
        return None
    aicc = fit.aicc if np.isfinite(fit.aicc) else np.inf
    return float(aicc), frame


def _heuristic_start_fit(y: np.ndarray, kwargs: dict, ets: ETSModel):
    """``ets`` fitted from the parameters of the heuristic initialisation; None when that fails."""
    try:
        h = ETSModel(pd.Series(y), error="add", initialization_method="heuristic", **kwargs).fit(disp=False)
        start = np.concatenate(
            [np.asarray(h.params)[:4], [h.initial_level, h.initial_trend], np.asarray(h.initial_seasonal)]
        )
        if len(start) != len(ets.start_params):
            return None
        return ets.fit(start_params=start, disp=False)
    except (ValueError, np.linalg.LinAlgError):
        return None


def _clip(frame: pd.DataFrame, bounds: tuple[float | None, float | None]) -> pd.DataFrame:
    lo, hi = bounds
    for col in ("forecast", "lower", "upper"):
        frame[col] = frame[col].astype(float).clip(lower=lo, upper=hi)
    return frame.reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class AnomalyResult:
    """Months outside control limits.

    Attributes
    ----------
    status : str
        ``ok`` or ``too_short``.
    rule : str
        ``u-chart``, ``laney-u-chart``, ``stl-residual``, ``c-chart``, ``xbar-chart``,
        ``laney-xbar-chart`` or ``none`` (too short).
    rule_text : str
        The rule as it should be printed on the chart, e.g. ``"u-chart, 3-sigma limits"``.
    method : str
        The rule in full, with the centre line and limits.
    n : int
        Months charted.
    min_months : int
        Months the rule needs.
    centre : float or None
        The centre line (rate per 10,000, count, residual median or mean score).
    months : tuple of datetime.date
        The flagged months, oldest first.
    message : str
        Why the rule was chosen (a fallback), or why there is no chart.
    frame : pandas.DataFrame
        ``month, value, centre, lower, upper, flagged`` for every month of the series;
        ``value`` is what is charted (the rate, the count, the STL residual or the mean);
        months not charted (no customer count for a u-chart) have NaN limits and are
        never flagged.
    """

    status: str
    rule: str
    rule_text: str
    method: str
    n: int
    min_months: int
    centre: float | None
    months: tuple[dt.date, ...]
    message: str
    frame: pd.DataFrame = field(repr=False)


def _chart(
    months: list[dt.date], value, centre, lower, upper, *, rule, text, method, minimum, message=""
) -> AnomalyResult:
    """The chart frame and result; ``value``, ``centre``, ``lower``, ``upper`` are arrays or scalars."""

    def column(v) -> np.ndarray:  # positional: a Series' index is ignored
        return np.full(len(months), float(v)) if np.ndim(v) == 0 else np.asarray(v, dtype="float64")

    frame = pd.DataFrame({"month": months, "value": column(value), "centre": column(centre)})
    frame["lower"], frame["upper"] = column(lower), column(upper)
    # NaN limits (a month not charted) compare False: never flagged
    frame["flagged"] = (frame["value"] > frame["upper"]) | (frame["value"] < frame["lower"])
    charted = int(frame["upper"].notna().sum())
    c = _float(frame["centre"].dropna().iloc[0]) if charted else None
    flagged = tuple(frame.loc[frame["flagged"], "month"])
    return AnomalyResult(
        status="ok",
        rule=rule,
        rule_text=text,
        method=method,
        n=charted,
        min_months=minimum,
        centre=c,
        months=flagged,
        message=message,
        frame=frame,
    )


def _no_chart(n: int, minimum: int, message: str) -> AnomalyResult:
    empty = pd.DataFrame({c: [] for c in ("month", "value", "centre", "lower", "upper", "flagged")})
    return AnomalyResult(
        status="too_short",
        rule="none",
        rule_text="",
        method="no control chart",
        n=n,
        min_months=minimum,
        centre=None,
        months=(),
        message=message,
        frame=empty,
    )


#: Months from which :func:`anomalies` charts STL residuals of counts instead of a c-chart.
STL_ANOMALY_MONTHS = 24


def _laney(z: pd.Series) -> float:
    """Laney's sigma_z: the average moving range of the standardised values / 1.128."""
    z = z.dropna().to_numpy(dtype=float)
    return float(np.abs(np.diff(z)).mean() / 1.128) if len(z) >= 2 else 1.0


def anomalies(monthly: pd.DataFrame, *, min_months: int = 6, laney: bool = False) -> AnomalyResult:
    """Months whose complaints are out of control: a u-chart on the rate, or a fallback.

    - **u-chart** (when at least ``min_months`` months have a customer count): the rate
      u_i = complaints_i / n_i with exposure n_i = customers_i / 10,000; centre
      u = sum(complaints) / sum(n_i) (complaints per 10,000 customers), limits
      u ± 3 sqrt(u / n_i) (the lower one not below 0). Months without a customer count
      are not charted.
    - Without customer counts, on the monthly counts: **STL residuals** beyond 3 robust
      standard deviations (1.4826 x the median absolute deviation around the median
      residual) when there are at least 24 months, else a **c-chart**: centre c = mean
      count, limits c ± 3 sqrt(c). The STL here keeps one seasonal profile for all years
      (with two to five years of data, a season allowed to change takes a one-off spike
      in), and the robust SD is never below the Poisson SD sqrt(expected count) of the
      month (the robust fit leaves ordinary residuals smaller than the counts' own noise,
      and 3 MADs alone would flag many ordinary months).

    Parameters
    ----------
    monthly : pandas.DataFrame
        ``month, complaints, customers`` (one row per month: :func:`complaints_monthly`
        without ``by``); ``customers`` may be missing or empty.
    min_months : int
        Fewer months give ``status="too_short"``.
    laney : bool
        Use Laney's u'-chart instead: the limits are widened (or narrowed) by sigma_z,
        the average moving range of the standardised rates z_i = (u_i - u) / sqrt(u / n_i)
        divided by 1.128. With hundreds of thousands of customers the plain u-chart's
        limits are so tight that ordinary month-to-month variation (seasons, a slow
        trend) falls outside them; the u'-chart flags only what stands out from that
        variation.

    Returns
    -------
    AnomalyResult
    """
    if "month" not in monthly or "complaints" not in monthly:
        raise ValueError("monthly needs the columns 'month' and 'complaints'")
    df = pd.DataFrame(
        {
            "month": [_first_of_month(d) for d in _dates(monthly["month"])],
            "complaints": pd.to_numeric(monthly["complaints"]).astype("float64").to_numpy(),
            "customers": (
                pd.to_numeric(monthly["customers"]).astype("float64").to_numpy()
                if "customers" in monthly
                else np.nan
            ),
        }
    )
    if df["month"].duplicated().any():
        raise ValueError("monthly has more than one row for a month: pass the series without 'by'")
    df = df.sort_values("month").reset_index(drop=True)
    months = list(df["month"])
    minimum = max(3, min_months)
    exposure = (df["customers"] / PER_CUSTOMERS).where(df["customers"] > 0)
    with_exposure = int(exposure.notna().sum())
    if with_exposure >= minimum:
        u = df.loc[exposure.notna(), "complaints"].sum() / exposure.sum()
        rate = df["complaints"] / exposure
        sigma = np.sqrt(u / exposure)
        skipped = len(df) - with_exposure
        message = f"{skipped} month(s) without a customer count not charted" if skipped else ""
        method = (
            f"u-chart on complaints per {PER_CUSTOMERS:,} customers: centre u = total complaints / total "
            f"exposure = {u:.4g}, limits u ± 3·sqrt(u / n_i), n_i = customers / {PER_CUSTOMERS:,}"
        )
        rule, text, factor = "u-chart", "u-chart, 3-sigma limits", 1.0
        if laney:
            factor = _laney((rate - u) / sigma)
            rule, text = "laney-u-chart", "Laney u′-chart, 3-sigma limits"
            method = method.replace("u-chart on", "Laney u′-chart on").replace(
                "u ± 3·sqrt(u / n_i)",
                f"u ± 3·σz·sqrt(u / n_i), σz = mean moving range of z / 1.128 = {factor:.4g}",
            )
        half = 3 * factor * sigma
        return _chart(
            months, rate, np.where(exposure.notna(), u, np.nan), (u - half).clip(lower=0), u + half,
            rule=rule, text=text, method=method, minimum=minimum, message=message,
        )  # fmt: skip
    why = "no customer counts: charted on counts"
    if with_exposure:
        why = f"customer counts for only {with_exposure} month(s): charted on counts"
    n = len(df)
    if n >= STL_ANOMALY_MONTHS:
        regular, _ = _regular(df.rename(columns={"complaints": "value"})[["month", "value"]])
        y = regular["value"].to_numpy()
        # One seasonal profile for all years (a degree-0 seasonal smoother wider than the
        # years): with two to five years, a season allowed to change takes a one-off spike in.
        fit = STL(y, period=12, seasonal=2 * len(y) + 1, seasonal_deg=0, robust=True).fit()
        resid = np.asarray(fit.resid)
        expected = y - resid
        med = float(np.median(resid))
        mad_sd = 1.4826 * float(np.median(np.abs(resid - med)))
        # Counts vary at least as much as a Poisson count: the robust fit leaves the ordinary
        # months' residuals smaller than that, and 3 MADs alone would flag many of them.
        sd = np.maximum(mad_sd, np.sqrt(np.maximum(expected, 1.0)))
        frame = pd.DataFrame({"resid": resid, "sd": sd}, index=regular["month"]).reindex(months)
        return _chart(
            months, frame["resid"].to_numpy(), med, (med - 3 * frame["sd"]).to_numpy(),
            (med + 3 * frame["sd"]).to_numpy(), rule="stl-residual",
            text="STL residuals beyond 3 robust SD",
            method=(
                "robust STL of the monthly counts (12-month period, one seasonal profile for all years); a month "
                "is flagged when its residual is more than 3 robust standard deviations from the median residual: "
                f"1.4826 x MAD = {mad_sd:.4g}, or the Poisson SD sqrt(expected count) when that is larger"
            ),
            minimum=STL_ANOMALY_MONTHS, message=why,
        )  # fmt: skip
    if n < minimum:
        return _no_chart(n, minimum, _too_short("A control chart", n, minimum))
    c = float(df["complaints"].mean())
    half = 3 * math.sqrt(c)
    return _chart(
        months, df["complaints"], c, max(0.0, c - half), c + half, rule="c-chart", text="c-chart, 3-sigma limits",
        method=f"c-chart on monthly counts: centre c = mean count = {c:.4g}, limits c ± 3·sqrt(c)",
        minimum=minimum, message=why + " (fewer than 24 months for STL)",
    )  # fmt: skip


def mean_anomalies(monthly: pd.DataFrame, *, min_months: int = 6, laney: bool = False) -> AnomalyResult:
    """Months whose mean satisfaction is out of control: an x-bar chart with varying sample sizes.

    Centre = the mean of all surveys (sum n_i mean_i / sum n_i); sigma = the pooled
    within-month standard deviation sqrt(sum (n_i - 1) sd_i^2 / sum (n_i - 1)); limits
    centre ± 3 sigma / sqrt(n_i). Months with a single survey are not charted.

    Parameters
    ----------
    monthly : pandas.DataFrame
        ``month, n, mean, sd``: :func:`satisfaction_monthly` without ``by``.
    min_months : int
        Fewer charted months give ``status="too_short"``.
    laney : bool
        Scale the limits by Laney's sigma_z (the average moving range of the standardised
        means / 1.128), as for :func:`anomalies`: with thousands of surveys a month the
        plain limits flag ordinary month-to-month variation.

    Returns
    -------
    AnomalyResult
    """
    df = monthly.copy()
    df["month"] = [_first_of_month(d) for d in _dates(df["month"])]
    df = df.sort_values("month").reset_index(drop=True)
    minimum = max(3, min_months)
    usable = df["n"] >= 2
    if int(usable.sum()) < minimum:
        charted = int(usable.sum())
        return _no_chart(charted, minimum, _too_short("A control chart of means", charted, minimum))
    n = df["n"].astype(float)
    centre = float((n * df["mean"]).sum() / n.sum())
    dof = (n - 1)[usable]
    sigma = math.sqrt(float((dof * df.loc[usable, "sd"] ** 2).sum() / dof.sum()))
    se = (sigma / np.sqrt(n)).where(usable)
    method = (
        f"x̄-chart of monthly mean scores: centre = overall mean = {centre:.4g}, limits centre ± 3·s/sqrt(n_i), "
        f"s = pooled within-month standard deviation = {sigma:.4g}"
    )
    rule, text, factor = "xbar-chart", "x̄-chart, 3-sigma limits", 1.0
    if laney:
        factor = _laney((df["mean"] - centre) / se)
        rule, text = "laney-xbar-chart", "Laney x̄′-chart, 3-sigma limits"
        method = method.replace("x̄-chart of", "Laney x̄′-chart of").replace(
            "centre ± 3·s/sqrt(n_i)",
            f"centre ± 3·σz·s/sqrt(n_i), σz = mean moving range of z / 1.128 = {factor:.4g}",
        )
    half = 3 * factor * se
    return _chart(
        list(df["month"]), df["mean"], np.where(usable, centre, np.nan), centre - half, centre + half,
        rule=rule, text=text, method=method, minimum=minimum,
    )  # fmt: skip


# ======================================================================================
# Links
# ======================================================================================


@dataclass(frozen=True)
class GroupComparison:
    """Mean satisfaction of surveys of complainants against the others (Welch t test).

    Attributes
    ----------
    status : str
        ``ok`` or ``too_short`` (a group has fewer than 2 surveys).
    n_complainants, n_others : int
        Surveys in each group (a customer surveyed twice counts twice).
    mean_complainants, mean_others : float or None
        Mean scores.
    difference : float or None
        ``mean_complainants - mean_others``.
    statistic, p_value, dof : float or None
        Welch t statistic, its two-sided p-value and degrees of freedom.
    window_months : int or None
        A survey is a complainant's when the customer complained in the ``window_months``
        months up to the survey date (None: at any time).
    method : str
    message : str
    """

    status: str
    n_complainants: int
    n_others: int
    window_months: int | None
    method: str
    message: str
    mean_complainants: float | None = None
    mean_others: float | None = None
    difference: float | None = None
    statistic: float | None = None
    p_value: float | None = None
    dof: float | None = None


def complainant_satisfaction(
    surveys: ir.Table, complaints: ir.Table, *, window_months: int | None = 3
) -> GroupComparison:
    """Mean satisfaction of customers who complained against other customers.

    Only surveys with a customer id take part (an anonymous survey cannot be matched to
    complaints). A survey is a complainant's when the same customer has a complaint
    received on or before the survey date and at most ``window_months`` months before it;
    every other identified survey is in the "others" group. The two means are compared
    with Welch's t test (unequal variances; ``statsmodels`` ``ttest_ind(usevar="unequal")``
    on the score frequencies).

    Parameters
    ----------
    surveys, complaints : ibis.Table
        Scoped surveys and complaints tables.
    window_months : int or None
        How recent a complaint must be; None counts a complaint at any time, even after
        the survey.

    Returns
    -------
    GroupComparison
    """
    s = surveys.filter(surveys.customer_id.notnull())
    c = complaints.filter(complaints.customer_id.notnull()).select(
        _cid=complaints.customer_id, _rd=complaints.received_date
    )
    preds = [s.customer_id == c._cid]
    if window_months is not None:
        if window_months < 0:
            raise ValueError(f"window_months must be 0 or more, not {window_months!r}")
        preds += [c._rd <= s.survey_date, c._rd >= s.survey_date - ibis.interval(months=window_months)]
    yes = s.semi_join(c, preds)
    no = s.anti_join(c, preds)
    freq = [t.group_by("score").aggregate(n=t.count()).to_pandas() for t in (yes, no)]
    n1, n0 = (int(f["n"].sum()) for f in freq)
    window = "at any time" if window_months is None else f"in the {window_months} months up to the survey"
    method = f"Welch t test (unequal variances) of mean scores; complainant = complained {window}"
    means = [_float((f["score"] * f["n"]).sum() / f["n"].sum()) if len(f) else None for f in freq]
    common = {"n_complainants": n1, "n_others": n0, "window_months": window_months, "method": method}
    if n1 < 2 or n0 < 2:
        message = f"a t test needs at least 2 surveys in each group; complainants {n1}, others {n0}"
        return GroupComparison(
            status="too_short", message=message, mean_complainants=means[0], mean_others=means[1], **common
        )
    stat, p, dof = ttest_ind(
        freq[0]["score"].to_numpy(float),
        freq[1]["score"].to_numpy(float),
        usevar="unequal",
        weights=(freq[0]["n"].to_numpy(float), freq[1]["n"].to_numpy(float)),
    )
    diff = means[0] - means[1]
    shown = "n/a" if _float(p) is None else f"{_float(p):.3g}"
    message = (
        f"complainants {means[0]:.3g} vs others {means[1]:.3g} (difference {diff:+.3g}, p = {shown}, "
        f"n = {n1} and {n0} surveys)"
    )
    return GroupComparison(
        status="ok",
        message=message,
        mean_complainants=means[0],
        mean_others=means[1],
        difference=diff,
        statistic=_float(stat),
        p_value=_float(p),
        dof=_float(dof),
        **common,
    )


@dataclass(frozen=True)
class ChurnComparison:
    """Closure share of complainants against other customers (two-proportion z test).

    Attributes
    ----------
    status : str
        ``ok`` or ``too_short`` (no snapshot pair, or a group without customers).
    months : int
        The horizon: closed = absent from the snapshot ``months`` after the start.
    starting_snapshots : int
        Snapshots used as starting points (each with the snapshot ``months`` later).
    complainants, complainants_closed : int
        Customer-snapshots with a complaint in the month after the start, and how many
        of them closed.
    others, others_closed : int
        The same for customer-snapshots without a complaint that month.
    share_complainants, share_others : float or None
        Closure shares.
    difference : float or None
        ``share_complainants - share_others``.
    statistic, p_value : float or None
        z statistic and two-sided p-value.
    method : str
    message : str
    """

    status: str
    months: int
    starting_snapshots: int
    method: str
    message: str
    complainants: int = 0
    complainants_closed: int = 0
    others: int = 0
    others_closed: int = 0
    share_complainants: float | None = None
    share_others: float | None = None
    difference: float | None = None
    statistic: float | None = None
    p_value: float | None = None


def complainant_churn(customers: ir.Table, complaints: ir.Table, *, months: int = 3) -> ChurnComparison:
    """Do complainants close their relationship more often than other customers?

    Each loaded snapshot S that has a snapshot ``months`` months later is a starting
    point. Its customers are split into those who complained in the month after S (a
    complaint received in that month) and the others; a customer *closed* when absent
    from the snapshot ``months`` after S. So a closure within ``months`` months of the
    start, the complaint month included, counts. Customer-snapshots are pooled over
    all starting points (a customer appears once per starting snapshot), and the two
    closure shares are compared with a two-proportion z test (``statsmodels``
    ``proportions_ztest``).

    Parameters
    ----------
    customers : ibis.Table
        Scoped customers table (all snapshots). In a branch's view a customer who moves
        to another branch counts as closed, as in the migration view.
    complaints : ibis.Table
        Scoped complaints table; anonymous complaints cannot be matched and are ignored.
    months : int
        The horizon in months.

    Returns
    -------
    ChurnComparison
    """
    if months < 1:
        raise ValueError(f"months must be at least 1, not {months!r}")
    method = (
        f"two-proportion z test: share absent from the snapshot {months} months later, customers who complained "
        "in the month after a snapshot vs the other customers of the same snapshots"
    )
    of_month = _snapshot_of_month(_snapshots(customers))
    pairs = [
        (s, _add_months(m, 1), of_month[_add_months(m, months)])
        for m, s in of_month.items()
        if _add_months(m, months) in of_month
    ]
    if not pairs:
        message = f"needs two snapshots {months} months apart; none are loaded"
        return ChurnComparison(
            status="too_short", months=months, starting_snapshots=0, method=method, message=message
        )
    plan = ibis.memtable(
        pd.DataFrame(pairs, columns=["_start", "_cmonth", "_later"]),
        schema={"_start": "date", "_cmonth": "date", "_later": "date"},
    )
    c0 = customers.select(_start=customers.snapshot_date, _cid=customers.customer_id)
    c0 = c0.join(plan, "_start")
    comp = complaints.filter(complaints.customer_id.notnull())
    comp = comp.select(_kid=comp.customer_id, _km=comp.received_date.truncate("M")).distinct()
    later = customers.select(_lid=customers.customer_id, _ldate=customers.snapshot_date)
    j = c0.left_join(comp, [c0._cid == comp._kid, c0._cmonth == comp._km])
    j = j.left_join(later, [j._cid == later._lid, j._later == later._ldate])
    j = j.mutate(complained=j._kid.notnull(), closed=j._lid.isnull())
    agg = j.group_by(["complained", "closed"]).aggregate(k=j.count()).to_pandas()
    cell = {(bool(r.complained), bool(r.closed)): int(r.k) for r in agg.itertuples()}
    n1 = cell.get((True, True), 0) + cell.get((True, False), 0)
    n0 = cell.get((False, True), 0) + cell.get((False, False), 0)
    k1, k0 = cell.get((True, True), 0), cell.get((False, True), 0)
    p1, p0 = (k1 / n1 if n1 else None), (k0 / n0 if n0 else None)
    counts = {
        "months": months,
        "starting_snapshots": len(pairs),
        "method": method,
        "complainants": n1,
        "complainants_closed": k1,
        "others": n0,
        "others_closed": k0,
        "share_complainants": p1,
        "share_others": p0,
    }
    if not n1 or not n0:
        message = f"needs customers in both groups; complainants {n1}, others {n0}"
        return ChurnComparison(status="too_short", message=message, **counts)
    if k1 + k0 == 0 or k1 + k0 == n1 + n0:
        stat, p = None, None
        message = "every customer of both groups behaved alike (no closures, or all closed): no test possible"
    else:
        z, pv = proportions_ztest([k1, k0], [n1, n0])
        stat, p = _float(z), _float(pv)
        shown = "n/a" if p is None else f"{p:.3g}"
        message = (
            f"{p1:.2%} of complainants closed vs {p0:.2%} of others (p = {shown}; n = {n1:,} and {n0:,} "
            f"customer-snapshots over {len(pairs)} starting snapshots)"
        )
    return ChurnComparison(
        status="ok", message=message, difference=p1 - p0, statistic=stat, p_value=p, **counts
    )


@dataclass(frozen=True, eq=False)
class BranchLink:
    """Complaint rate against mean satisfaction across branches.

    Attributes
    ----------
    status : str
        ``ok`` or ``too_short`` (fewer than ``min_branches`` branches qualify).
    frame : pandas.DataFrame
        ``branch, complaints, customer_months, complaints_per_10k, mean_satisfaction, n,
        used``: one row per branch with customers or surveys; ``complaints_per_10k`` is
        per 10,000 customers per month; ``n`` the surveys; ``used`` whether the branch is
        in the regression (customers, and at least ``min_surveys`` surveys).
    n : int
        Branches in the regression.
    slope, intercept : float or None
        The fitted line: mean satisfaction = intercept + slope x complaints per 10,000
        (slope: change in mean satisfaction per extra complaint per 10,000 customers).
    r : float or None
        Pearson correlation.
    p_value : float or None
        Two-sided p-value of the slope (equal to that of r).
    method : str
    message : str
    """

    status: str
    frame: pd.DataFrame = field(repr=False)
    n: int = 0
    slope: float | None = None
    intercept: float | None = None
    r: float | None = None
    p_value: float | None = None
    method: str = ""
    message: str = ""


def branch_complaints_vs_satisfaction(
    complaints: ir.Table,
    surveys: ir.Table,
    customers: ir.Table,
    *,
    min_surveys: int = 10,
    min_branches: int = 5,
) -> BranchLink:
    """Do branches with more complaints have less satisfied customers?

    Per branch, over the months that have a customers snapshot: complaints per 10,000
    customers per month (complaints / sum of the branch's customers over the snapshots
    x 10,000) and the mean survey score. An ordinary least-squares line of mean
    satisfaction on the complaint rate, one point per branch, gives the slope and its
    p-value (the same as the test of Pearson's r).

    Parameters
    ----------
    complaints, surveys, customers : ibis.Table
        Scoped tables.
    min_surveys : int
        Branches with fewer surveys are shown but left out of the regression (their mean
        is too noisy).
    min_branches : int
        Fewer qualifying branches give ``status="too_short"``.

    Returns
    -------
    BranchLink
    """
    method = (
        "OLS of branch mean satisfaction on complaints per 10,000 customers per month "
        "(one point per branch; Pearson r)"
    )
    of_month = _snapshot_of_month(_snapshots(customers))
    snaps, months = list(of_month.values()), list(of_month)
    cols = ["branch", "complaints", "customer_months", "complaints_per_10k", "mean_satisfaction", "n", "used"]
    if not snaps:
        message = "no customers snapshot is loaded: no complaint rate"
        return BranchLink("too_short", pd.DataFrame({c: [] for c in cols}), method=method, message=message)

    def unit(t: ir.Table) -> ir.Value:
        return ibis.cases((t.branch.isnull(), UNASSIGNED), else_=t.branch)

    c = customers.filter(customers.snapshot_date.isin(snaps))
    base = c.group_by(branch=unit(c)).aggregate(customer_months=c.count()).to_pandas()
    k = complaints.filter(complaints.received_date.truncate("M").isin(months))
    comp = k.group_by(branch=unit(k)).aggregate(complaints=k.count()).to_pandas()
    s = surveys.filter(surveys.survey_date.truncate("M").isin(months))
    sat = s.group_by(branch=unit(s)).aggregate(mean_satisfaction=s.score.mean(), n=s.count()).to_pandas()
    df = base.merge(comp, on="branch", how="outer").merge(sat, on="branch", how="outer")
    df["complaints"] = df["complaints"].fillna(0).astype("int64")
    df["n"] = df["n"].fillna(0).astype("int64")
    df["customer_months"] = df["customer_months"].fillna(0).astype("int64")
    cm = df["customer_months"].astype(float)
    df["complaints_per_10k"] = df["complaints"] * PER_CUSTOMERS / cm.where(cm > 0)
    df["used"] = (cm > 0) & (df["n"] >= min_surveys)
    df = df.sort_values("branch").reset_index(drop=True)[cols]
    used = df[df["used"]]
    n = len(used)
    if n < max(3, min_branches):
        message = f"needs at least {max(3, min_branches)} branches with customers and {min_surveys}+ surveys; has {n}"
        return BranchLink("too_short", df, n, method=method, message=message)
    x, y = used["complaints_per_10k"].to_numpy(float), used["mean_satisfaction"].to_numpy(float)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return BranchLink("ok", df, n, method=method, message="no variation across branches: no line to fit")
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    r = math.copysign(math.sqrt(max(fit.rsquared, 0.0)), fit.params[1])
    p = _float(fit.pvalues[1])
    shown = "n/a" if p is None else f"{p:.3g}"
    message = (
        f"r = {r:+.2f}, slope {fit.params[1]:+.3g} points per complaint per 10,000 customers (p = {shown}, "
        f"{n} branches)"
    )
    return BranchLink(
        "ok",
        df,
        n,
        slope=float(fit.params[1]),
        intercept=float(fit.params[0]),
        r=r,
        p_value=p,
        method=method,
        message=message,
    )


# ======================================================================================
# Command line
# ======================================================================================


# ======================================================================================
# What a view takes from a monthly frame (the trends page's and the report's)
# ======================================================================================

#: Months with a customer snapshot from which the complaint verdicts are on the rate, not counts
#: (the minimum of the trend test and of the control chart).
RATE_MONTHS = 6


def monthly_values(monthly: pd.DataFrame, column: str) -> pd.DataFrame:
    """The ``month, value`` frame the series methods read, from one column of a monthly frame."""
    return monthly[["month", column]].rename(columns={column: "value"}).reset_index(drop=True)


def complaint_measure(monthly: pd.DataFrame) -> tuple[str, str]:
    """What the complaint verdicts are on, and its column: the rate when enough months have a
    customer snapshot (``rate``, ``rate_per_10k``), else the counts (``complaints``, ``complaints``)."""
    if int(monthly["rate_per_10k"].notna().sum()) >= RATE_MONTHS:
        return "rate", "rate_per_10k"
    return "complaints", "complaints"


def scale_max(monthly: pd.DataFrame) -> float | None:
    """The top of the score scale of a satisfaction series (``None`` when unknown)."""
    top = monthly["scale_max"].max() if len(monthly) else None
    return None if top is None or top != top else float(top)


def anomaly_measure(result: AnomalyResult, default: str) -> str:
    """What a control chart draws: the rate for a u-chart, counts for the fallbacks, else ``default``."""
    if result.rule in ("u-chart", "laney-u-chart"):
        return "rate"
    if result.rule in ("stl-residual", "c-chart"):
        return "complaints"
    return default


def trends_json(
    table: ir.Table,
    *,
    metric: str,
    customers: ir.Table | None = None,
    rules: TierRules | None = None,
    months: int = 6,
    laney: bool = False,
) -> dict:
    """The command line's ``trends --json`` object (DESIGN.md).

    Parameters
    ----------
    table : ibis.Table
        The scoped surveys table (``metric="satisfaction"``) or complaints table
        (``metric="complaints"``).
    metric : {"satisfaction", "complaints"}
    customers : ibis.Table, optional
        Scoped customers table: gives complaints a u-chart on the rate per 10,000
        customers; without it the anomalies are charted on counts.
    rules : TierRules, optional
        Unused by the series without breakdown; accepted so every command passes it alike.
    months : int
        Months to forecast.
    laney : bool
        Flag anomalies with Laney's u'-chart (complaints) or x-bar'-chart (satisfaction)
        instead of the plain chart; see :func:`anomalies`.

    Returns
    -------
    dict
        ``{"metric", "monthly": [{"month": "YYYY-MM", "value": v}], "trend": {"slope",
        "p_value", "verdict"}, "anomalies": ["YYYY-MM", ...], "forecast": [{"month",
        "value", "lower", "upper"}], "methods": {...}}``. ``value`` is the complaint count
        or the mean score. A part the series is too short for keeps its shape with null
        numbers: the trend verdict is ``"too short"``, the forecast months have null
        values, and ``methods`` (method names, statuses, messages and the number of
        months) says why.
    """
    if metric == "satisfaction":
        monthly = satisfaction_monthly(table, customers=None)
        series = monthly.rename(columns={"mean": "value"})[["month", "value"]]
        marks = mean_anomalies(monthly, laney=laney)
        scale = _float(monthly["scale_max"].max()) if len(monthly) else None
        bounds = (0.0, scale)
        higher = True
    elif metric == "complaints":
        monthly = complaints_monthly(table, customers=customers)
        series = monthly.rename(columns={"complaints": "value"})[["month", "value"]]
        marks = anomalies(monthly, laney=laney)
        bounds = (0.0, None)
        higher = False
    else:
        raise ValueError(f"metric must be 'satisfaction' or 'complaints', not {metric!r}")
    tr = trend(series, higher_is_better=higher)
    fc = forecast(series, months=months, bounds=bounds)
    if fc.status == "ok":
        rows = [
            {
                "month": _label(r.month),
                "value": _float(r.forecast),
                "lower": _float(r.lower),
                "upper": _float(r.upper),
            }
            for r in fc.frame.itertuples()
        ]
    elif len(series):
        last = max(series["month"])
        rows = [
            {"month": _label(_add_months(last, k)), "value": None, "lower": None, "upper": None}
            for k in range(1, months + 1)
        ]
    else:
        rows = []
    value = (lambda v: int(v)) if metric == "complaints" else _float
    return {
        "metric": metric,
        "monthly": [{"month": _label(r.month), "value": value(r.value)} for r in series.itertuples()],
        "trend": {"slope": tr.slope, "p_value": tr.p_value, "verdict": tr.verdict},
        "anomalies": [_label(m) for m in marks.months],
        "forecast": rows,
        "methods": {
            "months": len(series),
            "trend": {"method": tr.method, "status": tr.status, "n": tr.n, "message": tr.message},
            "anomalies": {
                "rule": marks.rule_text or None,
                "method": marks.method,
                "status": marks.status,
                "n": marks.n,
                "message": marks.message,
            },
            "forecast": {"method": fc.method, "status": fc.status, "n": fc.n, "message": fc.message},
        },
    }
