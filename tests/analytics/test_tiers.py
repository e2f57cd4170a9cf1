"""Tier assignment at and just below every threshold, and the tier summary."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.overview import headline
from analytics.rules import TIER_ORDER, load_rules
from analytics.tiers import tier_summary, with_tiers
from tests.analytics import tier_fixture
from tests.conftest import insert_rows


@pytest.fixture
def rules():
    return load_rules()


@pytest.fixture
def filled(store):
    insert_rows(store, "customers", tier_fixture.rows())
    return store


def test_every_case_gets_the_tier_read_from_design(filled, rules):
    t = with_tiers(filled.table("customers"), rules)
    got = dict(t.select("customer_id", "tier").to_pandas().itertuples(index=False))
    assert got == tier_fixture.expected_tiers()


def test_tier_summary_counts_and_sums(filled, rules):
    df = tier_summary(filled.table("customers"), rules=rules, snapshot_date=tier_fixture.SNAPSHOT)
    assert list(df["tier"]) == list(TIER_ORDER)  # every tier, in the one order, zeros included
    by_tier = df.set_index("tier")
    assert by_tier.loc["mass", "customers"] == 2
    assert by_tier.loc["mass", "aum"] == pytest.approx(49_999.99)
    assert by_tier.loc["private", "customers"] == 2
    assert by_tier.loc["private", "aum"] == pytest.approx(85_000_000.0)
    assert by_tier.loc["private", "profit_contribution"] == pytest.approx(145.0)
    assert by_tier.loc["medium", "customers"] == 4
    assert by_tier.loc["small", "customers"] == 2
    assert by_tier.loc["large", "customers"] == 2
    assert by_tier.loc["institution_no_loan", "segment"] == "institution"
    assert by_tier.loc["above_scale", "segment"] == "corporate"
    assert df["customers"].sum() == len(tier_fixture.CASES)


def test_changed_rules_move_the_boundary(filled, rules):
    lower = rules.with_values(
        {"retail.private": 4_999_999.99, "no_loan.above_scale_deposit_avg_daily": 499_999.99}
    )
    t = with_tiers(filled.table("customers"), lower)
    got = dict(t.select("customer_id", "tier").to_pandas().itertuples(index=False))
    assert got["R008"] == "private"
    assert got["C013"] == "above_scale"
    assert got["R007"] == "hnw"


def test_industry_exception_can_be_added(filled, rules):
    data = rules.to_dict()
    data["corporate"]["large_annual_sales_by_industry"]["manufacturing"] = 299_999_999
    from analytics.rules import rules_from_dict

    t = with_tiers(filled.table("customers"), rules_from_dict(data))
    got = dict(t.select("customer_id", "tier").to_pandas().itertuples(index=False))
    assert got["C005"] == "large"


def test_segment_subset_and_other_snapshot(filled, rules):
    df = tier_summary(
        filled.table("customers"), rules=rules, snapshot_date=tier_fixture.SNAPSHOT, segments=("retail",)
    )
    assert list(df["tier"]) == ["mass", "emerging", "affluent", "hnw", "private"]
    empty = tier_summary(filled.table("customers"), rules=rules, snapshot_date=dt.date(2020, 1, 31))
    assert empty["customers"].sum() == 0


def test_headline_and_change_vs_previous(store):
    d1, d2 = dt.date(2026, 8, 31), dt.date(2026, 9, 30)
    insert_rows(
        store,
        "customers",
        [
            dict(snapshot_date=d1, customer_id="A", segment="retail", aum=100.0, deposit_balance=80.0),
            dict(snapshot_date=d2, customer_id="A", segment="retail", aum=150.0, deposit_balance=90.0),
            dict(
                snapshot_date=d2,
                customer_id="B",
                segment="corporate",
                aum=50.0,
                loan_balance=1000.0,
                fee_income=7.0,
            ),
        ],
    )
    h = headline(store.table("customers"), snapshot_date=d2)
    assert (h.customers, h.aum, h.deposits, h.loans, h.profit_contribution) == (2, 200.0, 90.0, 1000.0, 7.0)
    assert h.previous_date == d1 and h.previous_customers == 1
    assert h.change("aum") == pytest.approx(1.0)  # 100 -> 200
    assert h.change("loans") is None  # no loans before: no relative change
    first = headline(store.table("customers"), snapshot_date=d1)
    assert first.previous_date is None and first.change("aum") is None
