"""Satisfaction and complaint trends on fixtures whose numbers a person can check by hand.

Three customers, two snapshots (no March snapshot: March events take their tier from the
February snapshot, and March has no complaint rate):

==  ======  ======  ===  ==========  ========================  =================
id  region  branch  rm   segment     Jan 31                    Feb 28
==  ======  ======  ===  ==========  ========================  =================
A   R1      B1      M1   retail      100,000 (emerging)        100,000 (emerging)
B   R1      B2      M2   retail      2,000,000 (hnw)           3,000,000 (hnw)
C   R2      B3      M3   corporate   no loans (below_scale)    closed (absent)
==  ======  ======  ===  ==========  ========================  =================

Surveys (0-10 scale): January A 8, B 9, C 4 and an anonymous 7 on the B1 tablet
(mean 7); February A 10, B 6 (mean 8); March A 9 (one survey).

Complaints: k1 A fees (Jan 5, resolved Jan 8: 3 days), k2 C fees (Jan 10, resolved Feb 9:
30 days), k3 A card (Mar 1, resolved Mar 11: 10 days), k4 anonymous wait_time (Mar 20,
open), k5 B fees (Mar 25, marked resolved without a date). None in February.
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import proportions_ztest
from statsmodels.stats.weightstats import DescrStatsW

from analytics import trends as T
from analytics.load import load_files
from analytics.rules import load_rules
from analytics.scope import Filters, apply_event_filters
from tests.conftest import REALDATA, REPO, insert_rows

JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)
D1, D2 = dt.date(2026, 1, 31), dt.date(2026, 2, 28)


def _cust(date, cid, region, branch, rm, segment, aum):
    return dict(
        snapshot_date=date, customer_id=cid, region=region, branch=branch, rm_id=rm, segment=segment, aum=aum
    )


CUSTOMERS = [
    _cust(D1, "A", "R1", "B1", "M1", "retail", 100_000.0),
    _cust(D1, "B", "R1", "B2", "M2", "retail", 2_000_000.0),
    _cust(D1, "C", "R2", "B3", "M3", "corporate", 0.0),
    _cust(D2, "A", "R1", "B1", "M1", "retail", 100_000.0),
    _cust(D2, "B", "R1", "B2", "M2", "retail", 3_000_000.0),
]


def _survey(sid, day, cid, score, region, branch, channel="app", scale_max=10.0):
    return dict(
        survey_id=sid,
        survey_date=day,
        customer_id=cid,
        score=score,
        scale_max=scale_max,
        channel=channel,
        region=region,
        branch=branch,
    )


SURVEYS = [
    _survey("s1", dt.date(2026, 1, 3), "A", 8.0, "R1", "B1", "sms"),
    _survey("s2", dt.date(2026, 1, 9), "B", 9.0, "R1", "B2"),
    _survey("s3", dt.date(2026, 1, 20), "C", 4.0, "R2", "B3"),
    _survey("s4", dt.date(2026, 1, 31), None, 7.0, "R1", "B1", "branch"),
    _survey("s5", dt.date(2026, 2, 2), "A", 10.0, "R1", "B1"),
    _survey("s6", dt.date(2026, 2, 27), "B", 6.0, "R1", "B2"),
    _survey("s7", dt.date(2026, 3, 15), "A", 9.0, None, "B1"),
]


def _complaint(kid, cid, received, category, branch, region, resolved=None, status="resolved"):
    return dict(
        complaint_id=kid,
        customer_id=cid,
        received_date=received,
        category=category,
        channel="phone",
        region=region,
        branch=branch,
        resolved_date=resolved,
        status=status,
    )


COMPLAINTS = [
    _complaint("k1", "A", dt.date(2026, 1, 5), "fees", "B1", "R1", dt.date(2026, 1, 8)),
    _complaint("k2", "C", dt.date(2026, 1, 10), "fees", "B3", "R2", dt.date(2026, 2, 9)),
    _complaint("k3", "A", dt.date(2026, 3, 1), "card", "B1", "R1", dt.date(2026, 3, 11)),
    _complaint("k4", None, dt.date(2026, 3, 20), "wait_time", None, None, None, "open"),
    _complaint("k5", "B", dt.date(2026, 3, 25), "fees", "B2", "R1", None, "resolved"),
]


@pytest.fixture
def rules():
    return load_rules()


@pytest.fixture
def tables(store):
    insert_rows(store, "customers", CUSTOMERS)
    insert_rows(store, "surveys", SURVEYS)
    insert_rows(store, "complaints", COMPLAINTS)
    return store.table("customers"), store.table("surveys"), store.table("complaints")


def _frame(values, start=dt.date(2024, 1, 1)) -> pd.DataFrame:
    return pd.DataFrame({"month": [T._add_months(start, i) for i in range(len(values))], "value": values})


# -- scoping events --------------------------------------------------------------------------


def test_event_filters_region_and_branch_use_the_events_own_columns(tables):
    customers, surveys, complaints = tables

    def ids(t, f, key="survey_id"):
        return sorted(apply_event_filters(t, f, customers=customers).to_pandas()[key])

    assert ids(surveys, Filters(region="R1")) == ["s1", "s2", "s4", "s5", "s6"]  # s7 has no region
    assert ids(surveys, Filters(region="R1", branch="B1")) == ["s1", "s4", "s5"]  # the anonymous one stays
    assert ids(surveys, Filters(region="unassigned")) == ["s7"]  # the 'unassigned' choice finds NULL
    assert ids(complaints, Filters(branch="unassigned"), "complaint_id") == ["k4"]
    assert ids(surveys, Filters()) == [f"s{i}" for i in range(1, 8)]


def test_event_filters_segment_and_rm_go_through_customers_and_drop_anonymous_events(tables):
    customers, surveys, complaints = tables

    def ids(t, f, key="survey_id"):
        return sorted(apply_event_filters(t, f, customers=customers).to_pandas()[key])

    assert ids(surveys, Filters(segment="retail")) == ["s1", "s2", "s5", "s6", "s7"]  # s4 anonymous: out
    assert ids(surveys, Filters(segment="corporate")) == ["s3"]  # C closed in Feb: any snapshot counts
    assert ids(surveys, Filters(segment="institution")) == []
    assert ids(surveys, Filters(rm_id="M1")) == ["s1", "s5", "s7"]
    assert ids(complaints, Filters(segment="retail"), "complaint_id") == ["k1", "k3", "k5"]
    # region of the event and segment of the customer together
    assert ids(surveys, Filters(segment="retail", region="R1", branch="B2")) == ["s2", "s6"]


def test_event_filter_values_are_bound_not_spliced(tables):
    customers, surveys, _ = tables
    evil = "R1' OR '1'='1"
    assert apply_event_filters(surveys, Filters(region=evil), customers=customers).count().execute() == 0


# -- satisfaction ------------------------------------------------------------------------------


def test_satisfaction_monthly_means_and_the_t_interval_by_hand(tables):
    _, surveys, _ = tables
    df = T.satisfaction_monthly(surveys)
    assert list(df.columns) == ["month", "group", "n", "mean", "sd", "ci_low", "ci_high", "scale_max"]
    assert list(df["month"]) == [JAN, FEB, MAR]
    assert df["group"].isna().all()
    assert list(df["n"]) == [4, 2, 1]
    assert list(df["mean"]) == [7.0, 8.0, 9.0]
    jan = df.iloc[0]
    # January: 8, 9, 4, 7 -> deviations 1, 2, -3, 0; SS = 14; s = sqrt(14/3)
    s = math.sqrt(14 / 3)
    half = sps.t.ppf(0.975, 3) * s / math.sqrt(4)  # t(0.975, 3) = 3.182
    assert jan["sd"] == pytest.approx(s)
    assert (jan["ci_low"], jan["ci_high"]) == pytest.approx((7 - half, 7 + half))
    assert (jan["ci_low"], jan["ci_high"]) == pytest.approx(DescrStatsW([8, 9, 4, 7]).tconfint_mean(0.05))
    assert df.iloc[1]["ci_high"] == pytest.approx(8 + sps.t.ppf(0.975, 1) * math.sqrt(8) / math.sqrt(2))
    assert math.isnan(df.iloc[2]["ci_low"]) and math.isnan(df.iloc[2]["sd"])  # one survey: no interval
    assert set(df["scale_max"]) == {10.0}
    wider = T.satisfaction_monthly(surveys, confidence=0.99).iloc[0]
    assert wider["ci_high"] - wider["ci_low"] > jan["ci_high"] - jan["ci_low"]


def test_satisfaction_by_branch_region_channel(tables):
    _, surveys, _ = tables
    branch = T.satisfaction_monthly(surveys, by="branch")
    jan = branch[branch["month"] == JAN].set_index("group")
    assert jan["n"].to_dict() == {"B1": 2, "B2": 1, "B3": 1}
    assert jan.loc["B1", "mean"] == 7.5  # A 8 and the anonymous 7
    region = T.satisfaction_monthly(surveys, by="region")
    assert region[region["month"] == MAR]["group"].tolist() == ["unassigned"]
    channel = T.satisfaction_monthly(surveys, by="channel").set_index(["month", "group"])
    assert channel.loc[(JAN, "app"), "n"] == 2 and channel.loc[(JAN, "sms"), "mean"] == 8.0
    with pytest.raises(ValueError):
        T.satisfaction_monthly(surveys, by="segment")


def test_satisfaction_by_tier_uses_the_snapshot_of_the_month_or_the_latest_before(tables, rules):
    customers, surveys, _ = tables
    df = T.satisfaction_monthly(surveys, customers=customers, by="tier", rules=rules)
    got = {(r.month, r.group): (r.n, r.mean) for r in df.itertuples()}
    assert got == {
        (JAN, "emerging"): (1, 8.0),
        (JAN, "hnw"): (1, 9.0),
        (JAN, "below_scale"): (1, 4.0),
        (JAN, "unknown"): (1, 7.0),  # anonymous
        (FEB, "emerging"): (1, 10.0),
        (FEB, "hnw"): (1, 6.0),
        (MAR, "emerging"): (1, 9.0),  # no March snapshot: A's tier at Feb 28
    }
    assert list(df[df["month"] == JAN]["group"]) == [
        "emerging",
        "hnw",
        "below_scale",
        "unknown",
    ]  # tier order
    with pytest.raises(ValueError, match="needs the customers table"):
        T.satisfaction_monthly(surveys, by="tier")


def test_score_distribution_and_period(tables):
    _, surveys, _ = tables
    df = T.score_distribution(surveys)
    assert list(df["score"]) == [4.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    assert list(df["n"]) == [1, 1, 1, 1, 2, 1]
    assert df["share"].sum() == pytest.approx(1.0) and df.iloc[4]["share"] == pytest.approx(2 / 7)
    feb = T.score_distribution(surveys, month_from=dt.date(2026, 2, 14), month_to=dt.date(2026, 2, 1))
    assert list(feb["score"]) == [6.0, 10.0] and list(feb["share"]) == [0.5, 0.5]


def test_nps_on_a_0_to_10_scale(store):
    scores = [10, 9, 9, 8, 6, 3]  # promoters 3, passive 1, detractors 2
    insert_rows(
        store,
        "surveys",
        [_survey(f"n{i}", dt.date(2026, 1, 5), None, float(s), "R1", "B1") for i, s in enumerate(scores)],
    )
    r = T.nps(store.table("surveys"))
    assert r.applicable and r.reason == ""
    assert (r.promoters, r.passives, r.detractors, r.n) == (3, 1, 2, 6)
    assert r.nps == pytest.approx(100 * (3 - 2) / 6)
    assert "0-10" in r.method
    assert not T.nps(store.table("surveys"), month_from=dt.date(2026, 2, 1)).applicable  # no surveys


def test_nps_not_applicable_on_a_1_to_5_scale(store):
    insert_rows(
        store,
        "surveys",
        [
            _survey(f"f{i}", dt.date(2026, 1, 5), None, float(s), "R1", "B1", scale_max=5.0)
            for i, s in enumerate([5, 4])
        ],
    )
    r = T.nps(store.table("surveys"))
    assert not r.applicable and r.nps is None and r.n == 2
    assert "0-10" in r.reason and "5" in r.reason


# -- complaints ----------------------------------------------------------------------------------


def test_complaints_monthly_counts_rates_and_a_month_without_a_snapshot(tables):
    customers, _, complaints = tables
    df = T.complaints_monthly(complaints, customers=customers)
    assert list(df.columns) == ["month", "group", "complaints", "customers", "rate_per_10k"]
    assert list(df["month"]) == [JAN, FEB, MAR]  # February had none: 0, not a gap
    assert list(df["complaints"]) == [2, 0, 3]
    assert df["customers"].tolist()[:2] == [3, 2] and pd.isna(df["customers"].iloc[2])
    assert df["rate_per_10k"].iloc[0] == pytest.approx(2 / 3 * 10_000)
    assert df["rate_per_10k"].iloc[1] == 0.0
    assert math.isnan(df["rate_per_10k"].iloc[2])  # no March snapshot: no rate
    bare = T.complaints_monthly(complaints)
    assert list(bare["complaints"]) == [2, 0, 3] and bare["customers"].isna().all()
    assert bare["rate_per_10k"].isna().all()


def test_complaints_by_category_branch_and_tier(tables, rules):
    customers, _, complaints = tables
    cat = T.complaints_monthly(complaints, customers=customers, by="category").set_index(["month", "group"])
    assert len(cat) == 3 * 3  # every month x every category, zeros filled
    assert cat.loc[(JAN, "fees"), "complaints"] == 2 and cat.loc[(JAN, "card"), "complaints"] == 0
    # a category's rate is per 10,000 of all the month's customers
    assert cat.loc[(JAN, "fees"), "rate_per_10k"] == pytest.approx(2 / 3 * 10_000)
    branch = T.complaints_monthly(complaints, customers=customers, by="branch").set_index(["month", "group"])
    assert set(branch.index.get_level_values("group")) == {"B1", "B2", "B3", "unassigned"}
    assert (branch.loc[(JAN, "B1"), "customers"], branch.loc[(JAN, "B1"), "rate_per_10k"]) == (1, 10_000.0)
    assert pd.isna(branch.loc[(FEB, "B3"), "customers"])  # C closed: the branch has no customers in Feb
    tier = T.complaints_monthly(complaints, customers=customers, by="tier", rules=rules)
    got = {
        (r.month, r.group): (r.complaints, None if pd.isna(r.customers) else r.customers)
        for r in tier.itertuples()
    }
    assert got[(JAN, "emerging")] == (1, 1) and got[(JAN, "below_scale")] == (1, 1)
    assert got[(FEB, "below_scale")] == (0, None) and got[(FEB, "hnw")] == (0, 1)
    assert got[(MAR, "emerging")] == (1, None) and got[(MAR, "hnw")] == (1, None)  # tier from Feb 28
    assert got[(MAR, "unknown")] == (1, None)  # the anonymous complaint
    assert list(tier[tier["month"] == MAR]["group"]) == ["emerging", "hnw", "below_scale", "unknown"]


def test_pareto_shares(tables):
    _, _, complaints = tables
    df = T.pareto(complaints)
    assert list(df["category"]) == ["fees", "card", "wait_time"]  # ties by name
    assert list(df["complaints"]) == [3, 1, 1]
    assert list(df["share"]) == pytest.approx([0.6, 0.2, 0.2])
    assert list(df["cumulative_share"]) == pytest.approx([0.6, 0.8, 1.0])
    assert list(T.pareto(complaints, month_to=JAN)["complaints"]) == [2]


def test_resolution_median_within_days_and_backlog_by_hand(tables):
    _, _, complaints = tables
    r = T.resolution(complaints)
    assert r.as_of == dt.date(2026, 3, 25)  # the latest date in the table
    assert (r.n, r.resolved, r.resolved_without_date, r.invalid_dates) == (5, 3, 1, 0)
    assert r.median_days == 10.0  # 3, 10, 30
    assert (r.resolved_within, r.share_within) == (2, pytest.approx(2 / 3))  # 3 and 10 days <= 15
    assert r.open_backlog == 1  # k4; k5 is resolved (without a date)
    assert T.resolution(complaints, within_days=30).share_within == 1.0
    jan = T.resolution(complaints, as_of=dt.date(2026, 1, 31))
    assert (jan.n, jan.resolved, jan.median_days, jan.open_backlog) == (2, 1, 3.0, 1)  # k2 open until Feb 9


def test_backlog_at_each_month_end(tables):
    _, _, complaints = tables
    df = T.backlog_monthly(complaints)
    # Jan: k1 in and out, k2 open; Feb: k2 resolved; Mar: k3 in and out, k4 open (k5 has no date)
    assert df.to_dict("list") == {"month": [JAN, FEB, MAR], "open_at_month_end": [1, 0, 1]}


def test_weighted_median_of_an_even_count():
    assert T._weighted_median(np.array([1.0, 2.0, 5.0]), np.array([1, 1, 2])) == 3.5  # 1, 2, 5, 5
    assert T._weighted_median(np.array([4.0]), np.array([3])) == 4.0
    assert T._weighted_median(np.array([]), np.array([], dtype=int)) is None


# -- trend verdicts ------------------------------------------------------------------------------


def test_trend_with_a_known_slope():
    rng = np.random.default_rng(7)
    t = np.arange(24)
    rising = _frame(7.0 + 0.05 * t + rng.normal(0, 0.1, 24))
    r = T.trend(rising, higher_is_better=True)
    assert r.status == "ok" and r.verdict == "improving" and r.n == 24
    assert r.slope == pytest.approx(0.05, abs=0.01) and r.p_value < 0.001
    assert r.ci_low < 0.05 < r.ci_high
    assert r.method == "OLS on time with HAC (Newey-West) standard errors, maxlags=2"
    # rising complaints are a decline; falling complaints an improvement
    assert T.trend(rising, higher_is_better=False).verdict == "declining"
    falling = _frame(400 - 5 * t + rng.normal(0, 8, 24))
    assert T.trend(falling, higher_is_better=False).verdict == "improving"


def test_trend_on_white_noise_is_not_significant():
    noise = _frame(np.random.default_rng(20261125).normal(7.5, 0.3, 36))
    r = T.trend(noise, higher_is_better=True)
    assert r.verdict == "no significant trend" and r.p_value > 0.05 and r.n == 36
    flat = T.trend(_frame([5.0] * 8), higher_is_better=True)
    assert flat.verdict == "no significant trend" and flat.slope == 0.0 and flat.p_value is None


def test_trend_matches_statsmodels_hac_and_keeps_gaps():
    import statsmodels.api as sm

    y = np.array([3.0, 3.5, 3.2, 4.1, 4.0, 4.6, 4.4, 5.2])
    months = [T._add_months(JAN, k) for k in (0, 1, 2, 3, 4, 6, 7, 8)]  # a gap after month 4
    r = T.trend(pd.DataFrame({"month": months, "value": y}), higher_is_better=True)
    x = sm.add_constant(np.array([0, 1, 2, 3, 4, 6, 7, 8], dtype=float))
    fit = sm.OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": T.hac_maxlags(8)}, use_t=True)
    assert r.slope == pytest.approx(fit.params[1]) and r.p_value == pytest.approx(fit.pvalues[1])


def test_trend_too_short():
    r = T.trend(_frame([1.0, 2.0, 3.0, 4.0, 5.0]), higher_is_better=True)
    assert (r.status, r.verdict, r.slope, r.p_value) == ("too_short", "too short", None, None)
    assert r.n == 5 and r.min_months == 6
    assert "needs at least 6 months; the series has 5" in r.message
    # missing values do not count as months
    gappy = _frame([1.0, np.nan, 3.0, 4.0, 5.0, 6.0])
    assert T.trend(gappy, higher_is_better=True).status == "too_short"


# -- decomposition and forecast ------------------------------------------------------------------------


def _seasonal(n: int, seed: int = 3) -> pd.DataFrame:
    t = np.arange(n)
    season = 40 * np.sin(2 * np.pi * t / 12)
    return _frame(400 + 2 * t + season + np.random.default_rng(seed).normal(0, 4, n))


def test_decompose_with_stl():
    r = T.decompose(_seasonal(36))
    assert r.status == "ok" and r.n == 36 and r.filled == 0 and "STL" in r.method and "robust" in r.method
    f = r.frame
    assert list(f.columns) == ["month", "observed", "trend", "seasonal", "resid"]
    assert np.allclose(f["observed"], f["trend"] + f["seasonal"] + f["resid"])
    assert (
        f["seasonal"].iloc[3] > 20 and f["seasonal"].iloc[9] < -20
    )  # the sine (amplitude 40): peak and trough


def test_decompose_too_short_and_gaps():
    r = T.decompose(_seasonal(23))
    assert r.status == "too_short" and r.frame.empty
    assert "needs at least 24 months; the series has 23" in r.message
    gappy = _seasonal(30)
    gappy.loc[5, "value"] = np.nan
    g = T.decompose(gappy)
    assert g.status == "ok" and g.filled == 1 and "interpolated" in g.message


def test_forecast_models_by_length():
    short = T.forecast(_seasonal(11))
    assert short.status == "too_short" and short.frame.empty
    assert "needs at least 12 months; the series has 11" in short.message
    year = T.forecast(_seasonal(12))
    assert (year.status, year.model) == ("ok", "ETS(A,N,N)")
    two = T.forecast(_seasonal(30), months=6)
    assert two.model == "ETS(A,Ad,N)" and "ETSModel" in two.method
    f = two.frame
    assert list(f.columns) == ["month", "forecast", "lower", "upper"] and len(f) == 6
    assert (f["month"].iloc[0], f["month"].iloc[-1]) == (dt.date(2026, 7, 1), dt.date(2026, 12, 1))
    assert (f["lower"] < f["forecast"]).all() and (f["forecast"] < f["upper"]).all()
    assert (f["upper"] - f["lower"]).iloc[-1] >= (f["upper"] - f["lower"]).iloc[0]


def test_forecast_with_a_season_after_three_years():
    r = T.forecast(_seasonal(48), months=12)
    assert r.model == "ETS(A,Ad,A)" and "AICc" in r.method
    # the season carries on: the forecast peaks in April (sine peak at month 3) and dips in October
    f = r.frame.set_index("month")["forecast"]
    assert f[dt.date(2028, 4, 1)] > f[dt.date(2028, 10, 1)] + 40


def test_forecast_of_a_constant_series_and_bounds():
    r = T.forecast(_frame([3.0] * 14))
    assert r.model == "constant" and (r.frame["forecast"] == 3.0).all()
    assert (r.frame["lower"] == r.frame["upper"]).all()
    low = T.forecast(_frame([5.0, 1.0, 0.0, 2.0, 0.0, 1.0, 0.0, 3.0, 0.0, 1.0, 0.0, 0.0]), bounds=(0.0, None))
    assert (low.frame["lower"] >= 0).all()


# -- anomalies ----------------------------------------------------------------------------------


def _planted(n=24, at=10, customers=100_000):
    counts = [400 + (5 if i % 2 else -5) for i in range(n)]
    counts[at] = 700
    return pd.DataFrame(
        {"month": [T._add_months(JAN, i) for i in range(n)], "complaints": counts, "customers": customers}
    )


def test_u_chart_flags_the_planted_month_only():
    monthly = _planted()
    r = T.anomalies(monthly)
    assert (r.status, r.rule, r.rule_text) == ("ok", "u-chart", "u-chart, 3-sigma limits")
    assert r.months == (T._add_months(JAN, 10),)
    # centre = total complaints / total exposure (10 units of 10,000 customers a month)
    u = (12 * 405 + 11 * 395 + 700) / (24 * 10)  # months alternate 395, 405; month 10 (a 395) is 700
    assert r.centre == pytest.approx(u)
    row = r.frame.iloc[0]
    assert row["value"] == pytest.approx(395 / 10)
    assert (row["lower"], row["upper"]) == pytest.approx(
        (u - 3 * math.sqrt(u / 10), u + 3 * math.sqrt(u / 10))
    )
    assert r.n == 24 and "u ± 3·sqrt(u / n_i)" in r.method
    laney = T.anomalies(monthly, laney=True)
    assert laney.rule == "laney-u-chart" and laney.months == (T._add_months(JAN, 10),)


def test_u_chart_limits_follow_the_exposure():
    monthly = _planted()
    monthly["customers"] = [100_000] * 12 + [400_000] * 12  # more customers: narrower limits
    monthly["complaints"] = [400] * 12 + [1600] * 12
    r = T.anomalies(monthly)
    assert r.months == ()  # the same rate throughout
    width = (r.frame["upper"] - r.frame["lower"]).to_numpy()
    assert width[0] == pytest.approx(2 * width[-1])  # sqrt(4) narrower


def test_control_chart_fallbacks_without_customers():
    monthly = _planted(n=12, at=7).drop(columns="customers")
    c = T.anomalies(monthly)
    assert c.rule == "c-chart" and c.rule_text == "c-chart, 3-sigma limits"
    cbar = (5 * 405 + 6 * 395 + 700) / 12  # month 7 (a 405) is 700
    assert c.centre == pytest.approx(cbar)
    assert c.frame["upper"].iloc[0] == pytest.approx(cbar + 3 * math.sqrt(cbar))
    assert c.months == (T._add_months(JAN, 7),) and "no customer counts" in c.message
    # four years of Poisson counts around 400 with a 12-month season, and one spike
    t = np.arange(48)
    counts = np.random.default_rng(1).poisson(400 + 2 * t + 40 * np.sin(2 * np.pi * t / 12)).astype(float)
    counts[17] += 150
    long = pd.DataFrame({"month": [T._add_months(JAN, i) for i in t], "complaints": counts})
    s = T.anomalies(long)
    assert s.rule == "stl-residual" and "MAD" in s.method and s.n == 48
    assert s.months == (T._add_months(JAN, 17),)
    short = T.anomalies(_planted(n=5, at=2).drop(columns="customers"))
    assert short.status == "too_short" and "needs at least 6 months; the series has 5" in short.message


def test_mean_chart_flags_a_planted_dip():
    months = [T._add_months(JAN, i) for i in range(12)]
    means = [7.5, 7.4, 7.6, 7.5, 7.45, 6.5, 7.55, 7.5, 7.4, 7.6, 7.5, 7.5]
    monthly = pd.DataFrame({"month": months, "n": 400, "mean": means, "sd": 1.8})
    r = T.mean_anomalies(monthly)
    assert r.rule == "xbar-chart" and r.months == (months[5],)
    assert r.frame["upper"].iloc[0] == pytest.approx(np.mean(means) + 3 * 1.8 / 20)


# -- links --------------------------------------------------------------------------------------


def test_complainant_satisfaction_welch(store):
    insert_rows(
        store,
        "complaints",
        [
            _complaint("x1", "X", dt.date(2026, 1, 10), "fees", "B1", "R1"),
            _complaint("y1", "Y", dt.date(2026, 1, 15), "fees", "B1", "R1"),
            _complaint("z0", None, dt.date(2026, 1, 15), "fees", "B1", "R1"),
        ],
    )
    insert_rows(
        store,
        "surveys",
        [
            _survey("1", dt.date(2026, 2, 1), "X", 3.0, "R1", "B1"),  # 3 weeks after X's complaint
            _survey("2", dt.date(2026, 2, 20), "Y", 5.0, "R1", "B1"),
            _survey("3", dt.date(2026, 2, 1), "Z", 8.0, "R1", "B1"),
            _survey("4", dt.date(2026, 2, 5), "W", 9.0, "R1", "B1"),
            _survey("5", dt.date(2026, 2, 5), "V", 10.0, "R1", "B1"),
            _survey("6", dt.date(2026, 9, 1), "X", 7.0, "R1", "B1"),  # 8 months later: no longer
            _survey("7", dt.date(2026, 1, 1), "Y", 6.0, "R1", "B1"),  # before Y complained
            _survey("8", dt.date(2026, 2, 1), None, 1.0, "R1", "B1"),  # anonymous: left out
        ],
    )
    r = T.complainant_satisfaction(store.table("surveys"), store.table("complaints"))
    assert (r.status, r.n_complainants, r.n_others) == ("ok", 2, 5)
    assert (r.mean_complainants, r.mean_others, r.difference) == (4.0, 8.0, -4.0)
    ref = sps.ttest_ind([3, 5], [8, 9, 10, 7, 6], equal_var=False)
    assert r.statistic == pytest.approx(ref.statistic) and r.p_value == pytest.approx(ref.pvalue)
    assert "Welch" in r.method
    ever = T.complainant_satisfaction(store.table("surveys"), store.table("complaints"), window_months=None)
    assert (ever.n_complainants, ever.n_others) == (4, 3)  # every X and Y survey


def test_complainant_churn_two_proportions(store):
    ends = [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30)]
    present = {
        "P1": (0, 1),
        "P2": (0, 1, 2, 3),
        "P3": (0,),
        "P4": (0, 1, 2),
        "P5": (0, 1, 2, 3),
        "P6": (0, 1, 2, 3),
        "P7": (1, 2, 3),
    }
    insert_rows(
        store,
        "customers",
        [_cust(ends[i], cid, "R1", "B1", "M1", "retail", 1.0) for cid, idx in present.items() for i in idx],
    )
    insert_rows(
        store,
        "complaints",
        [
            _complaint("c1", "P1", dt.date(2026, 2, 3), "fees", "B1", "R1"),
            _complaint("c2", "P2", dt.date(2026, 2, 9), "fees", "B1", "R1"),
            _complaint("c2b", "P2", dt.date(2026, 2, 19), "card", "B1", "R1"),  # twice in a month: once
            _complaint("c3", "P4", dt.date(2026, 3, 9), "fees", "B1", "R1"),
            _complaint("c4", "P3", dt.date(2026, 1, 9), "fees", "B1", "R1"),  # no December snapshot
            _complaint("c5", None, dt.date(2026, 2, 9), "fees", "B1", "R1"),
        ],
    )
    r = T.complainant_churn(store.table("customers"), store.table("complaints"), months=2)
    # Jan 31 cohort (P1-P6): complained in Feb P1 (gone by Mar 31), P2 (stays); others P3 (gone), P4-P6.
    # Feb 28 cohort (P1, P2, P4-P7): complained in Mar P4 (gone by Apr 30); others P1 (gone), P2, P5-P7.
    assert r.starting_snapshots == 2
    assert (r.complainants, r.complainants_closed, r.others, r.others_closed) == (3, 2, 9, 2)
    assert (r.share_complainants, r.share_others) == pytest.approx((2 / 3, 2 / 9))
    z, p = proportions_ztest([2, 2], [3, 9])
    assert (r.statistic, r.p_value) == pytest.approx((z, p))
    none = T.complainant_churn(store.table("customers"), store.table("complaints"), months=6)
    assert none.status == "too_short" and "6 months apart" in none.message


def test_branch_complaints_against_satisfaction(store):
    rows, complaints, surveys = [], [], []
    for b, (k, scores) in enumerate([(1, [9, 9]), (2, [8, 8]), (3, [7, 7]), (4, [6, 8])], start=1):
        rows += [_cust(D1, f"{b}-{i}", "R1", f"B{b}", "M1", "retail", 1.0) for i in range(10)]
        complaints += [
            _complaint(f"{b}-{i}", None, dt.date(2026, 1, 9), "fees", f"B{b}", "R1") for i in range(k)
        ]
        surveys += [
            _survey(f"{b}-{i}", dt.date(2026, 1, 9), None, float(s), "R1", f"B{b}")
            for i, s in enumerate(scores)
        ]
    complaints.append(_complaint("feb", None, dt.date(2026, 2, 9), "fees", "B1", "R1"))  # no Feb snapshot
    surveys.append(_survey("b5", dt.date(2026, 1, 9), None, 2.0, "R1", "B5"))  # a branch without customers
    insert_rows(store, "customers", rows)
    insert_rows(store, "complaints", complaints)
    insert_rows(store, "surveys", surveys)
    r = T.branch_complaints_vs_satisfaction(
        store.table("complaints"),
        store.table("surveys"),
        store.table("customers"),
        min_surveys=2,
        min_branches=3,
    )
    f = r.frame.set_index("branch")
    assert list(f["complaints_per_10k"].iloc[:4]) == [1000.0, 2000.0, 3000.0, 4000.0]
    assert list(f["mean_satisfaction"].iloc[:4]) == [9.0, 8.0, 7.0, 7.0]
    assert not f.loc["B5", "used"] and math.isnan(f.loc["B5", "complaints_per_10k"])
    ref = sps.linregress([1000, 2000, 3000, 4000], [9, 8, 7, 7])
    assert (r.status, r.n) == ("ok", 4)
    assert (r.slope, r.r, r.p_value) == pytest.approx((ref.slope, ref.rvalue, ref.pvalue))
    few = T.branch_complaints_vs_satisfaction(
        store.table("complaints"), store.table("surveys"), store.table("customers"), min_surveys=2
    )
    assert few.status == "too_short" and "at least 5 branches" in few.message


# -- the command line's JSON ------------------------------------------------------------------------


def test_trends_json_shape_when_too_short(tables):
    customers, surveys, complaints = tables
    out = T.trends_json(complaints, metric="complaints", customers=customers)
    assert list(out)[:5] == ["metric", "monthly", "trend", "anomalies", "forecast"]
    assert out["metric"] == "complaints"
    assert out["monthly"] == [
        {"month": "2026-01", "value": 2},
        {"month": "2026-02", "value": 0},
        {"month": "2026-03", "value": 3},
    ]
    assert out["trend"] == {"slope": None, "p_value": None, "verdict": "too short"}
    assert out["anomalies"] == []
    assert [r["month"] for r in out["forecast"]] == [
        "2026-04",
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
    ]
    assert all(r["value"] is None and r["lower"] is None and r["upper"] is None for r in out["forecast"])
    methods = out["methods"]
    assert methods["months"] == 3 and methods["trend"]["status"] == "too_short"
    assert "needs at least 12 months" in methods["forecast"]["message"]
    sat = T.trends_json(surveys, metric="satisfaction")
    assert [m["value"] for m in sat["monthly"]] == [7.0, 8.0, 9.0]
    with pytest.raises(ValueError):
        T.trends_json(surveys, metric="nps")


def test_trends_json_with_numbers(store):
    rng = np.random.default_rng(11)
    rows = []
    for m in range(24):
        month = T._add_months(dt.date(2024, 1, 1), m)
        rows += [
            _complaint(f"{m}-{i}", None, month, "fees", "B1", "R1")
            for i in range(int(60 - m + rng.integers(0, 4)))
        ]
    insert_rows(store, "complaints", rows)
    out = T.trends_json(store.table("complaints"), metric="complaints")
    assert len(out["monthly"]) == 24 and out["trend"]["verdict"] == "improving"
    assert out["trend"]["slope"] < 0 and out["trend"]["p_value"] < 0.05
    assert len(out["forecast"]) == 6 and all(r["lower"] <= r["value"] <= r["upper"] for r in out["forecast"])
    assert out["methods"]["anomalies"]["rule"] == "STL residuals beyond 3 robust SD"
    import json

    json.dumps(out)  # plain JSON: no NaN, no dates


# -- the real CFPB complaints -----------------------------------------------------------------------

needs_realdata = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"real data folder {REALDATA} is absent")
CFPB = REALDATA / "cfpb_complaints_sample.csv"
MAPPING = REPO / "data" / "mappings" / "cfpb_complaints_sample.toml"


@needs_realdata
def test_real_cfpb_complaints_monthly_and_json(store):
    load_files(store, "complaints", [CFPB], mapping=MAPPING)
    complaints = store.table("complaints")
    df = T.complaints_monthly(complaints)
    # 54 months with complaints from April 2015 to March 2020, very uneven; the 6 months of that
    # span without a complaint in the sample count 0
    assert (
        len(df) == 60
        and df["month"].iloc[0] == dt.date(2015, 4, 1)
        and df["month"].iloc[-1] == MAR.replace(year=2020)
    )
    assert int((df["complaints"] > 0).sum()) == 54 and int(df["complaints"].sum()) == 6_623
    assert df.set_index("month").loc[dt.date(2019, 4, 1), "complaints"] == 2_130
    assert df["customers"].isna().all() and df["rate_per_10k"].isna().all()  # no customers: counts only
    marks = T.anomalies(df)
    assert marks.rule == "stl-residual" and "no customer counts" in marks.message
    assert dt.date(2019, 4, 1) in marks.months
    out = T.trends_json(complaints, metric="complaints")
    assert len(out["monthly"]) == 60 and out["monthly"][0] == {"month": "2015-04", "value": 2}
    assert out["trend"]["verdict"] in T.VERDICTS and out["trend"]["p_value"] is not None
    assert "2019-04" in out["anomalies"]
    assert len(out["forecast"]) == 6 and all(r["lower"] >= 0 for r in out["forecast"])
    assert T.pareto(complaints)["complaints"].sum() == 6_623
    res = T.resolution(complaints)
    assert (res.resolved_without_date, res.open_backlog, res.median_days) == (6_551, 72, None)
    assert T.backlog_monthly(complaints)["open_at_month_end"].iloc[-1] == 72


@needs_realdata
def test_real_cfpb_layout_without_a_complaint_id_derives_one(store, tmp_path):
    # The same export without its Complaint ID column, as some CFPB layouts come.
    bare = tmp_path / "cfpb_no_id.csv"
    duckdb.connect().execute(
        'COPY (SELECT * EXCLUDE ("Complaint ID") FROM read_csv($p, all_varchar=true)) TO \''
        + str(bare).replace("'", "''")
        + "' (HEADER, DELIMITER ',')",
        {"p": str(CFPB)},
    )
    text = MAPPING.read_text(encoding="utf-8")
    variant = text.replace('complaint_id = "Complaint ID"\n', "") + '\n[derive]\ncomplaint_id = "row"\n'
    mapping = tmp_path / "cfpb_no_id.toml"
    mapping.write_text(variant, encoding="utf-8")
    result = load_files(store, "complaints", [bare], mapping=mapping)
    assert result.rows == 6_623
    first = (
        store.raw()
        .execute("SELECT complaint_id, received_date FROM complaints ORDER BY 1 LIMIT 1")
        .fetchone()
    )
    assert first == ("cfpb_no_id-1", dt.date(2020, 3, 18))
    again = load_files(store, "complaints", [bare], mapping=mapping)
    assert again.replaced_rows == 6_623  # derived ids are deterministic: a reload replaces
    df = T.complaints_monthly(store.table("complaints"))
    assert len(df) == 60 and int(df["complaints"].sum()) == 6_623


def test_results_pickle(tables):
    import pickle

    _, surveys, complaints = tables
    for result in (
        T.resolution(complaints),
        T.nps(surveys),
        T.trend(_frame([1.0] * 3), higher_is_better=True),
        T.forecast(_seasonal(12)),
        T.anomalies(_planted()),
        T.decompose(_seasonal(24)),
    ):
        assert type(pickle.loads(pickle.dumps(result))) is type(result)
