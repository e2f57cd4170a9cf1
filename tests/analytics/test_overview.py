"""Overview figures on a five-customer portfolio whose numbers a person can check by hand.

Three snapshots: a year ago (D0), last month (D1) and now (D2). Two regions:

==  ======  ======  ===  ==========  =========  ============  ======================
id  region  branch  rm   segment     aum D2     contribution  tier D2
==  ======  ======  ===  ==========  =========  ============  ======================
A   R1      B1      M1   retail        100,000         1,000  emerging
B   R1      B1      M2   retail      2,000,000         4,000  hnw (5,000 fee - 1,000)
C   R1      B2      M3   retail      6,000,000        10,000  private
D   R2      B3      M4   corporate     500,000       -10,000  small (loans, loss)
E   R2      B3      M4   retail         30,000           500  mass
==  ======  ======  ===  ==========  =========  ============  ======================

D1: A 80,000 (fee 800), B 1,500,000 (fee 3,000), D 400,000 (20,000 - 10,000).
D0: A 50,000 (fee 200; exactly at the emerging threshold).
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from analytics.overview import (
    comparison_dates,
    headline,
    league,
    segments_for,
    tier_history,
    tier_pyramid,
    top_customers,
)
from analytics.rules import TIER_ORDER, load_rules
from analytics.scope import Filters, apply_filters
from tests.conftest import insert_rows

D0, D1, D2 = dt.date(2025, 9, 30), dt.date(2026, 8, 31), dt.date(2026, 9, 30)


def _row(date, cid, region, branch, rm, segment, aum, **more):
    return dict(
        snapshot_date=date,
        customer_id=cid,
        customer_name=f"Customer {cid}",
        region=region,
        branch=branch,
        rm_id=rm,
        segment=segment,
        aum=aum,
        **more,
    )


def _loan(balance, ftp_income, credit_cost):
    return dict(loan_balance=balance, ftp_loan_income=ftp_income, credit_cost=credit_cost)


ROWS = [
    _row(D0, "A", "R1", "B1", "M1", "retail", 50_000.0, fee_income=200.0, deposit_balance=40_000.0),
    _row(D1, "A", "R1", "B1", "M1", "retail", 80_000.0, fee_income=800.0, deposit_balance=60_000.0),
    _row(D1, "B", "R1", "B1", "M2", "retail", 1_500_000.0, fee_income=3_000.0),
    _row(D1, "D", "R2", "B3", "M4", "corporate", 400_000.0, **_loan(900_000.0, 20_000.0, 10_000.0)),
    _row(D2, "A", "R1", "B1", "M1", "retail", 100_000.0, fee_income=1_000.0, deposit_balance=80_000.0),
    _row(D2, "B", "R1", "B1", "M2", "retail", 2_000_000.0, fee_income=5_000.0, operating_cost=1_000.0),
    _row(D2, "C", "R1", "B2", "M3", "retail", 6_000_000.0, fee_income=10_000.0),
    _row(D2, "D", "R2", "B3", "M4", "corporate", 500_000.0, **_loan(1_000_000.0, 20_000.0, 30_000.0)),
    _row(D2, "E", "R2", "B3", "M4", "retail", 30_000.0, fee_income=500.0),
]


@pytest.fixture
def rules():
    return load_rules()


@pytest.fixture
def customers(store):
    insert_rows(store, "customers", ROWS)
    return store.table("customers")


# -- comparison dates ------------------------------------------------------------------


def test_comparison_dates_previous_and_same_month_a_year_earlier():
    snaps = [dt.date(2025, 2, 28), dt.date(2025, 9, 30), dt.date(2026, 1, 31), dt.date(2026, 2, 28)]
    assert comparison_dates(snaps, dt.date(2026, 2, 28)) == (dt.date(2026, 1, 31), dt.date(2025, 2, 28))
    assert comparison_dates(snaps, dt.date(2026, 1, 31)) == (dt.date(2025, 9, 30), None)
    assert comparison_dates(snaps, dt.date(2025, 2, 28)) == (None, None)
    # a leap-year February end is still "the same month a year earlier"
    assert comparison_dates([dt.date(2024, 2, 29)], dt.date(2025, 2, 28)) == (
        dt.date(2024, 2, 29),
        dt.date(2024, 2, 29),
    )


def test_segments_for_every_sidebar_choice():
    assert segments_for("all") == ("retail", "corporate", "institution")
    assert segments_for("retail") == ("retail",)
    assert segments_for("corporate") == ("corporate", "institution")  # every non-retail customer
    assert segments_for("institution") == ("institution",)


# -- headline cards ----------------------------------------------------------------------


def test_headline_with_previous_and_year_ago(customers):
    h = headline(customers, snapshot_date=D2)
    assert (h.customers, h.aum, h.deposits, h.loans) == (5, 8_630_000.0, 80_000.0, 1_000_000.0)
    assert h.profit_contribution == pytest.approx(1_000 + 4_000 + 10_000 - 10_000 + 500)  # 5,500
    assert (h.previous_date, h.previous_customers, h.previous_aum) == (D1, 3, 1_980_000.0)
    assert h.previous_profit_contribution == pytest.approx(800 + 3_000 + 10_000)
    assert (h.year_ago_date, h.year_ago_customers, h.year_ago_aum) == (D0, 1, 50_000.0)
    assert h.change("customers") == pytest.approx(2 / 3)  # 3 -> 5
    assert h.change("aum") == pytest.approx((8_630_000 - 1_980_000) / 1_980_000)
    assert h.change("profit_contribution") == pytest.approx((5_500 - 13_800) / 13_800)
    assert h.change("customers", "year_ago") == pytest.approx(4.0)  # 1 -> 5
    assert h.change("deposits", "year_ago") == pytest.approx(1.0)  # 40,000 -> 80,000
    assert h.change("loans", "year_ago") is None  # no loans a year ago: no percentage
    with pytest.raises(ValueError):
        h.change("aum", "last_week")


def test_headline_without_a_year_ago_snapshot(customers):
    h = headline(customers, snapshot_date=D1)
    assert h.previous_date == D0 and h.year_ago_date is None
    assert h.year_ago_aum is None and h.change("aum", "year_ago") is None
    first = headline(customers, snapshot_date=D0)
    assert first.previous_date is None and first.change("aum") is None


def test_headline_with_explicit_dates_counts_an_empty_month_as_zero(customers):
    # Branch B2 (customer C) opened at D2: last month it had no customers, which is 0, not n/a.
    b2 = apply_filters(customers, Filters(region="R1", branch="B2"))
    h = headline(b2, snapshot_date=D2, previous_date=D1, year_ago_date=None)
    assert (h.customers, h.aum, h.previous_customers, h.previous_aum) == (1, 6_000_000.0, 0, 0.0)
    assert h.change("aum") is None


def test_headline_of_an_unknown_snapshot_is_zero(customers):
    h = headline(customers, snapshot_date=dt.date(2020, 1, 31))
    assert h.customers == 0 and h.previous_date is None


def test_filters_narrow_the_headline(customers):
    r1 = headline(apply_filters(customers, Filters(region="R1")), snapshot_date=D2)
    assert (r1.customers, r1.aum, r1.previous_aum, r1.year_ago_aum) == (3, 8_100_000.0, 1_580_000.0, 50_000.0)
    corp = headline(apply_filters(customers, Filters(segment="corporate")), snapshot_date=D2)
    assert (corp.customers, corp.profit_contribution, corp.year_ago_date) == (1, -10_000.0, None)
    none = headline(apply_filters(customers, Filters(segment="institution")), snapshot_date=D2)
    assert none.customers == 0


# -- tier pyramid and history ------------------------------------------------------------


def test_pyramid_shares_are_of_each_panel(customers, rules):
    df = tier_pyramid(customers, rules=rules, snapshot_date=D2).set_index("tier")
    assert list(df.index) == list(TIER_ORDER)
    retail = df[df["panel"] == "retail"]
    assert list(retail["customers_share"]) == [0.25, 0.25, 0.0, 0.25, 0.25]  # E, A, -, B, C
    assert retail["aum_share"]["private"] == pytest.approx(6_000_000 / 8_130_000)
    assert retail["aum_share"].sum() == pytest.approx(1.0)
    corporate = df[df["panel"] == "corporate"]
    assert corporate.loc["small", "customers_share"] == 1.0 and corporate.loc["small", "aum_share"] == 1.0
    assert corporate["customers_share"].sum() == 1.0
    assert df.loc["institution", "panel"] == "corporate"


def test_pyramid_follows_the_segment_filter(customers, rules):
    retail = tier_pyramid(
        apply_filters(customers, Filters(segment="retail")),
        rules=rules,
        snapshot_date=D2,
        segments=segments_for("retail"),
    )
    assert list(retail["tier"]) == ["mass", "emerging", "affluent", "hnw", "private"]
    assert set(retail["panel"]) == {"retail"}
    empty = tier_pyramid(
        apply_filters(customers, Filters(segment="institution")),
        rules=rules,
        snapshot_date=D2,
        segments=segments_for("institution"),
    )
    assert list(empty["tier"]) == ["institution", "institution_no_loan"]
    assert empty["customers_share"].sum() == 0.0  # an empty panel has zero shares, not NaN


def test_tier_history_every_snapshot_and_tier_zero_filled(customers, rules):
    df = tier_history(customers, rules=rules)
    assert len(df) == 3 * len(TIER_ORDER)
    assert list(df["snapshot_date"].unique()) == [D0, D1, D2]
    by = df.set_index(["snapshot_date", "tier"])
    assert by.loc[(D0, "emerging"), "customers"] == 1  # 50,000 is exactly the emerging threshold
    assert by.loc[(D0, "mass"), "customers"] == 0
    assert by.loc[(D1, "hnw"), "aum"] == 1_500_000.0
    assert by.loc[(D2, "hnw"), "aum"] == 2_000_000.0
    assert by.loc[(D1, "small"), "profit_contribution"] == pytest.approx(10_000.0)
    assert by.loc[(D2, "small"), "profit_contribution"] == pytest.approx(-10_000.0)
    assert df.groupby("snapshot_date")["aum"].sum().to_dict() == {
        D0: 50_000.0,
        D1: 1_980_000.0,
        D2: 8_630_000.0,
    }
    assert list(df[df["snapshot_date"] == D2]["tier"]) == list(TIER_ORDER)


def test_tier_history_of_one_segment(customers, rules):
    df = tier_history(apply_filters(customers, Filters(segment="retail")), rules=rules, segments=("retail",))
    assert set(df["tier"]) == {"mass", "emerging", "affluent", "hnw", "private"}
    assert df["aum"].sum() == 50_000 + 1_580_000 + 8_130_000


# -- league table ------------------------------------------------------------------------


def test_league_at_head_office_ranks_regions(customers, rules):
    df = league(customers, rules=rules, snapshot_date=D2, level="region", previous_date=D1)
    assert list(df["name"]) == ["R1", "R2"]  # by AUM
    r1, r2 = df.iloc[0], df.iloc[1]
    assert (r1["customers"], r1["aum"], r1["profit_contribution"]) == (3, 8_100_000.0, 15_000.0)
    assert r1["aum_previous"] == 1_580_000.0
    assert r1["aum_growth"] == pytest.approx((8_100_000 - 1_580_000) / 1_580_000)
    assert r1["affluent_plus_share"] == pytest.approx(2 / 3)  # B and C of A, B, C
    assert r1["hnw_plus_aum_share"] == pytest.approx(8_000_000 / 8_100_000)
    assert (r2["customers"], r2["aum"], r2["profit_contribution"]) == (2, 530_000.0, -9_500.0)
    assert r2["aum_growth"] == pytest.approx(130_000 / 400_000)
    assert r2["retail_customers"] == 1 and r2["affluent_plus_share"] == 0.0  # E is mass


def test_league_in_a_region_ranks_branches(customers, rules):
    r1 = apply_filters(customers, Filters(region="R1"))
    df = league(r1, rules=rules, snapshot_date=D2, level=Filters(region="R1").child_level, previous_date=D1)
    assert list(df["name"]) == ["B2", "B1"]
    b2, b1 = df.iloc[0], df.iloc[1]
    assert (b2["customers"], b2["aum"]) == (1, 6_000_000.0)
    assert math.isnan(b2["aum_growth"])  # no AUM last month: no growth percentage
    assert b1["aum_growth"] == pytest.approx((2_100_000 - 1_580_000) / 1_580_000)


def test_league_in_a_branch_ranks_relationship_managers(customers, rules):
    f = Filters(region="R1", branch="B1")
    df = league(
        apply_filters(customers, f), rules=rules, snapshot_date=D2, level=f.child_level, previous_date=D1
    )
    assert f.child_level == "rm_id"
    assert list(df["name"]) == ["M2", "M1"]
    assert list(df["aum_growth"]) == pytest.approx([500_000 / 1_500_000, 20_000 / 80_000])
    assert list(df["profit_contribution"]) == [4_000.0, 1_000.0]


def test_league_without_previous_and_corporate_only(customers, rules):
    df = league(customers, rules=rules, snapshot_date=D2, level="region")
    assert df["aum_growth"].isna().all()
    corp = league(
        apply_filters(customers, Filters(segment="corporate")), rules=rules, snapshot_date=D2, level="region"
    )
    assert list(corp["name"]) == ["R2"]  # R1 has no corporate customers: left out
    assert math.isnan(corp.iloc[0]["affluent_plus_share"])  # no retail customers: no retail mix
    with pytest.raises(ValueError):
        league(customers, rules=rules, snapshot_date=D2, level="segment")


# -- top customers -------------------------------------------------------------------------


def test_top_customers_by_contribution(customers, rules):
    df = top_customers(customers, rules=rules, snapshot_date=D2, n=3)
    assert list(df.columns) == [
        "customer_id",
        "customer_name",
        "segment",
        "tier",
        "branch",
        "rm_id",
        "aum",
        "profit_contribution",
    ]
    assert list(df["customer_id"]) == ["C", "B", "A"]
    assert list(df["profit_contribution"]) == [10_000.0, 4_000.0, 1_000.0]
    assert list(df["tier"]) == ["private", "hnw", "emerging"]
    assert df.iloc[0]["customer_name"] == "Customer C" and df.iloc[0]["branch"] == "B2"
    r2 = top_customers(apply_filters(customers, Filters(region="R2")), rules=rules, snapshot_date=D2)
    assert list(r2["customer_id"]) == ["E", "D"]  # the loss-maker last
