"""Service standards on the hand-made portfolio of ``standards_fixture`` (the table there says who
meets what). Default rules unless a test changes them; every expected number is counted by hand
in the comments."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.rules import load_rules
from analytics.scope import Filters, apply_filters
from analytics.standards import (
    STANDARDS,
    Measure,
    compliance,
    compliance_by_unit,
    measures_of,
    not_served,
    requirement,
)
from tests.analytics.standards_fixture import D0, D1, ROWS, _row
from tests.conftest import insert_rows


@pytest.fixture
def rules():
    return load_rules()


@pytest.fixture
def customers(store):
    insert_rows(store, "customers", ROWS)
    return store.table("customers")


def _row_of(df: pd.DataFrame, measure: str, tier: str | None = None) -> pd.Series:
    part = df[df["measure"] == measure]
    if tier is not None:
        part = part[part["tier"] == tier]
    assert len(part) == 1, (measure, tier, part)
    return part.iloc[0]


# -- what the rules ask --------------------------------------------------------------------------


def test_requirements_come_from_the_rules(rules):
    s = rules.standards
    assert [requirement(s, "contacts", x) for x in ("mass", "emerging", "affluent", "hnw", "private")] == [
        None,
        None,
        2,
        2,
        2,
    ]
    assert [requirement(s, "events", x) for x in ("emerging", "affluent", "hnw", "private")] == [
        None,
        2,
        2,
        3,
    ]
    assert [requirement(s, "senior_visits", x) for x in ("affluent", "hnw", "private")] == [None, None, 2]
    assert [requirement(s, "min_products", x) for x in ("affluent", "hnw", "private")] == [None, 5, 5]
    with pytest.raises(ValueError):
        requirement(s, "profile_coverage", "hnw")  # a portfolio standard has no per-customer number
    changed = rules.with_values({"standards.private_events_per_year": 4, "standards.contacts_per_month": 3})
    assert requirement(changed.standards, "events", "private") == 4
    assert requirement(changed.standards, "contacts", "hnw") == 3


def test_measures_of_the_default_rules(rules):
    assert measures_of(rules) == (
        Measure("contacts", "contacts", "customer", ("affluent", "hnw", "private"), 1.0),
        Measure("events", "events", "customer", ("affluent", "hnw", "private"), 1.0),
        Measure("senior_visits", "senior_visits", "customer", ("private",), 1.0),
        Measure("min_products", "min_products", "customer", ("hnw", "private"), 1.0),
        # "tier and above": each coverage target counts its tier and every tier above it
        Measure(
            "profile_coverage.emerging",
            "profile_coverage",
            "portfolio",
            ("emerging", "affluent", "hnw", "private"),
            0.8,
        ),
        Measure(
            "profile_coverage.affluent", "profile_coverage", "portfolio", ("affluent", "hnw", "private"), 0.9
        ),
        Measure("profile_coverage.hnw", "profile_coverage", "portfolio", ("hnw", "private"), 1.0),
        Measure("key_products", "key_products", "portfolio", ("affluent", "hnw", "private"), 0.8),
    )
    # a requirement of 0 switches a standard off
    off = rules.with_values({"standards.private_senior_visits_per_year": 0})
    assert "senior_visits" not in [m.id for m in measures_of(off)]


# -- per tier ------------------------------------------------------------------------------------


def test_customer_level_standards_per_tier(customers, rules):
    by_tier = compliance(customers, rules=rules, snapshot_date=D1).by_tier
    # (measure, tier) -> (required, customers, met): boundaries are in the fixture's table
    expected = {
        ("contacts", "affluent"): (2, 3, 2),  # A1 exactly 2 meets, A2 1 misses, A3 3
        ("contacts", "hnw"): (2, 2, 2),  # H1 2, H2 2
        ("contacts", "private"): (2, 2, 1),  # P1 4; P2 has no number: counted as 0
        ("events", "affluent"): (2, 3, 2),  # A1 2, A2 2, A3 1 misses
        ("events", "hnw"): (2, 2, 2),  # H1 2, H2 3
        ("events", "private"): (3, 2, 1),  # private needs 3: P1 3 meets, P2 2 misses
        ("senior_visits", "private"): (2, 2, 1),  # P1 2 meets, P2 1 misses
        ("min_products", "hnw"): (5, 2, 1),  # H1 exactly 5 meets, H2 4 misses
        ("min_products", "private"): (5, 2, 2),  # P1 6, P2 5
    }
    customer_rows = by_tier[by_tier["kind"] == "customer"]
    assert list(zip(customer_rows["measure"], customer_rows["tier"], strict=True)) == list(expected)
    for (measure, tier), (required, n, met) in expected.items():
        row = _row_of(by_tier, measure, tier)
        assert (row["required"], row["customers"], row["met"]) == (required, n, met), (measure, tier)
        assert row["target"] == 1.0  # customer-level: every customer
        assert row["share"] == pytest.approx(met / n)
        assert bool(row["meets_target"]) == (met == n)
        assert row["shortfall"] == n - met


def test_profile_coverage_counts_the_tier_and_above_against_its_target(customers, rules):
    by_tier = compliance(customers, rules=rules, snapshot_date=D1).by_tier
    # emerging and above: E1 E2 E3 A1 A2 A3 H1 H2 P1 P2 = 10 (not the mass MC, not the company
    # C1); profiles all but E2 and A3 = 8 -> 80%, exactly the 80% target: met
    emerging = _row_of(by_tier, "profile_coverage.emerging")
    assert (emerging["tier"], emerging["tiers"]) == ("emerging", "emerging,affluent,hnw,private")
    assert (emerging["customers"], emerging["met"], emerging["share"]) == (10, 8, 0.8)
    assert emerging["target"] == 0.8 and bool(emerging["meets_target"]) and emerging["shortfall"] == 0
    assert pd.isna(emerging["required"])
    # affluent and above: 7 customers, A3 without a profile -> 6/7 = 85.7% < 90%; 7 needed
    affluent = _row_of(by_tier, "profile_coverage.affluent")
    assert (affluent["customers"], affluent["met"]) == (7, 6)
    assert not affluent["meets_target"] and affluent["shortfall"] == 1
    # high net worth and above: H1 H2 P1 P2 all profiled -> 100%, exactly the 100% target
    hnw = _row_of(by_tier, "profile_coverage.hnw")
    assert (hnw["customers"], hnw["met"], hnw["share"]) == (4, 4, 1.0)
    assert bool(hnw["meets_target"]) and hnw["shortfall"] == 0


def test_key_products_share_of_affluent_and_above(customers, rules):
    by_tier = compliance(customers, rules=rules, snapshot_date=D1).by_tier
    row = _row_of(by_tier, "key_products")
    # A3 lacks the online token; the other 6 of 7 hold all three -> 85.7% >= 80%
    assert (row["customers"], row["met"], row["target"]) == (7, 6, 0.8)
    assert bool(row["meets_target"])
    # one more without a key product would be 5/7 = 71.4% < 80%
    strict = rules.with_values({"standards.key_product_share": 0.9})
    row = _row_of(compliance(customers, rules=strict, snapshot_date=D1).by_tier, "key_products")
    assert not row["meets_target"] and row["shortfall"] == 1  # ceil(6.3) = 7 - 6


def test_the_view_totals_and_the_combined_score(customers, rules):
    c = compliance(customers, rules=rules, snapshot_date=D1)
    assert c.retail_customers == 11  # every retail customer, mass included; C1 is corporate
    assert c.in_scope == 7  # affluent, hnw and private: a customer-level standard covers them
    assert c.not_served == 4  # A2 (contacts), A3 (events), H2 (products), P2 (three)
    assert c.not_served_aum == pytest.approx(500_000 + 999_999.99 + 2_000_000 + 8_000_000)
    by_measure = c.by_measure.set_index("measure")
    assert by_measure.loc["contacts", ["customers", "met"]].tolist() == [7, 5]
    assert by_measure.loc["events", ["customers", "met"]].tolist() == [7, 5]
    assert by_measure.loc["min_products", ["customers", "met"]].tolist() == [4, 3]
    assert by_measure.loc["profile_coverage.affluent", "attainment"] == pytest.approx((6 / 7) / 0.9)
    assert by_measure.loc["key_products", "attainment"] == 1.0  # capped: 85.7% of an 80% target
    assert (c.measures_met, c.measures_applicable) == (3, 8)  # coverage emerging+ and hnw+, key products
    # contacts 5/7, events 5/7, senior visits 1/2, products 3/4, profile (1 + 0.952 + 1) / 3, key 1
    profile = (1 + (6 / 7) / 0.9 + 1) / 3
    assert c.score == pytest.approx((5 / 7 + 5 / 7 + 1 / 2 + 3 / 4 + profile + 1) / 6)


def test_only_the_snapshot_asked_for(customers, rules):
    c = compliance(customers, rules=rules, snapshot_date=D0)  # only A2, with 5 contacts then
    assert c.retail_customers == 1 and c.not_served == 0
    row = _row_of(c.by_tier, "contacts", "affluent")
    assert (row["customers"], row["met"]) == (1, 1)
    assert _row_of(c.by_tier, "senior_visits", "private")["customers"] == 0
    assert pd.isna(_row_of(c.by_tier, "senior_visits", "private")["meets_target"])


def test_the_rules_passed_in_decide_tiers_and_numbers(customers, rules):
    # a private threshold of 2M makes H2 (2M) private: 3 events (H2 has 3) and 2 senior visits (0)
    scenario = rules.with_values({"retail.private": 2_000_000})
    by_tier = compliance(customers, rules=scenario, snapshot_date=D1).by_tier
    assert _row_of(by_tier, "senior_visits", "private")[["customers", "met"]].tolist() == [3, 1]
    assert _row_of(by_tier, "events", "private")[["customers", "met"]].tolist() == [3, 2]
    assert _row_of(by_tier, "events", "hnw")[["customers", "met"]].tolist() == [1, 1]
    # 3 contacts a month: only A3 (3) and P1 (4) of the 7
    more = rules.with_values({"standards.contacts_per_month": 3})
    c = compliance(customers, rules=more, snapshot_date=D1)
    assert c.by_measure.set_index("measure").loc["contacts", ["customers", "met"]].tolist() == [7, 2]
    assert _row_of(c.by_tier, "contacts", "affluent")["required"] == 3


def test_a_view_without_retail_customers(customers, rules):
    corporate = apply_filters(customers, Filters(segment="corporate"))
    c = compliance(corporate, rules=rules, snapshot_date=D1)
    assert (c.retail_customers, c.in_scope, c.not_served, c.measures_applicable) == (0, 0, 0, 0)
    assert (c.by_tier["customers"] == 0).all() and c.by_tier["share"].isna().all()
    assert math.isnan(c.score)
    units = compliance_by_unit(corporate, rules=rules, snapshot_date=D1, level="region")
    assert units.league.empty and units.detail.empty
    listed = not_served(corporate, rules=rules, snapshot_date=D1)
    assert listed.customers.empty and (listed.total, listed.aum) == (0, 0.0)


# -- per unit ------------------------------------------------------------------------------------


def test_league_by_region(customers, rules):
    units = compliance_by_unit(customers, rules=rules, snapshot_date=D1, level="region")
    league = units.league.set_index("name")
    assert list(league.index) == ["R1", "R2"]  # best score first
    r1, r2 = league.loc["R1"], league.loc["R2"]
    assert (r1["retail_customers"], r1["in_scope"], r1["not_served"]) == (7, 4, 1)  # A2
    assert (r2["retail_customers"], r2["in_scope"], r2["not_served"]) == (4, 3, 3)  # A3 H2 P2; MC is mass
    assert r2["not_served_aum"] == pytest.approx(999_999.99 + 2_000_000 + 8_000_000)
    # R1: contacts 3/4 (A2 misses), everything else met; coverage emerging+ 6/7 = 85.7% >= 80%
    assert r1["contacts"] == 0.75 and r1["profile_coverage.emerging"] == pytest.approx(6 / 7)
    assert r1["score"] == pytest.approx((0.75 + 5) / 6)
    assert (r1["measures_met"], r1["measures_applicable"]) == (7, 8)
    # R2: contacts 2/3, events 1/3, senior 0/1, products 1/2, coverage 2/3 (vs 80%), 2/3 (vs 90%),
    # 2/2 (vs 100%), key products 2/3 (vs 80%)
    assert [r2[m] for m in units.measures] == pytest.approx([2 / 3, 1 / 3, 0, 0.5, 2 / 3, 2 / 3, 1, 2 / 3])
    profile = ((2 / 3) / 0.8 + (2 / 3) / 0.9 + 1) / 3
    assert r2["score"] == pytest.approx((2 / 3 + 1 / 3 + 0 + 0.5 + profile + (2 / 3) / 0.8) / 6)
    assert (r2["measures_met"], r2["measures_applicable"]) == (1, 8)  # coverage hnw+ only
    detail = units.detail.set_index(["name", "measure"])
    assert detail.loc[("R2", "key_products"), ["customers", "met", "shortfall"]].tolist() == [3, 2, 1]


def test_league_one_level_down_in_a_branch(customers, rules):
    b1 = apply_filters(customers, Filters(region="R1", branch="B1"))
    league = compliance_by_unit(b1, rules=rules, snapshot_date=D1, level="rm_id").league.set_index("name")
    assert list(league.index) == ["M1", "M2"]
    # M1 (E1 E2 A1 P1): everything met but coverage of emerging+ 3/4 = 75% of an 80% target
    assert league.loc["M1", "score"] == pytest.approx((5 + (0.75 / 0.8 + 1 + 1) / 3) / 6)
    # M2 (E3 A2 H1): no private customer, so no senior-visit standard; contacts 1/2
    assert math.isnan(league.loc["M2", "senior_visits"])
    assert league.loc["M2", "measures_applicable"] == 7
    assert league.loc["M2", "score"] == pytest.approx((0.5 + 1 + 1 + 1 + 1) / 5)


def test_league_names_a_missing_unit_and_leaves_out_units_without_a_standard(store, rules):
    insert_rows(
        store,
        "customers",
        [
            _row("X1", "R1", "B1", None, 300_000.0, contacts=2, events=2, profile=True, keys=(True,) * 3),
            _row("X2", "R1", "B1", "M9", 10_000.0),  # mass only: nothing to judge
        ],
    )
    league = compliance_by_unit(store.table("customers"), rules=rules, snapshot_date=D1, level="rm_id").league
    assert list(league["name"]) == ["unassigned"]
    assert league["score"].iloc[0] == 1.0


def test_league_level_is_checked(customers, rules):
    with pytest.raises(ValueError):
        compliance_by_unit(customers, rules=rules, snapshot_date=D1, level="segment")


# -- customers not served ------------------------------------------------------------------------


def test_not_served_list_largest_first_with_actual_and_required(customers, rules):
    found = not_served(customers, rules=rules, snapshot_date=D1)
    df = found.customers.set_index("customer_id")
    assert list(df.index) == ["P2", "H2", "A3", "A2"]  # AUM 8M, 2M, 999,999.99, 500K
    assert (found.total, found.aum, found.truncated) == (4, pytest.approx(11_499_999.99), False)
    assert df.loc["P2", "missed"] == "contacts,events,senior_visits"
    assert df.loc["P2", ["contacts_month", "contacts_required"]].tolist() == [0, 2]  # no number: 0
    assert df.loc["P2", ["events_year", "events_required"]].tolist() == [2, 3]
    assert df.loc["P2", ["senior_visits_year", "senior_visits_required"]].tolist() == [1, 2]
    assert df.loc["P2", "customer_name"] == "=cmd" and df.loc["P2", "missed_count"] == 3
    assert df.loc["H2", "missed"] == "min_products"
    assert df.loc["H2", ["products_held", "products_required"]].tolist() == [4, 5]
    assert pd.isna(df.loc["H2", "senior_visits_required"])  # not private: no senior-visit standard
    # A3 misses events; it also counts against the coverage and key-product targets
    assert df.loc["A3", "missed"] == "events,profile_coverage,key_products"
    assert df.loc["A3", ["key_products_held", "key_products_required"]].tolist() == [2, 3]
    assert not df.loc["A3", "has_profile"] and pd.isna(df.loc["A3", "products_required"])
    assert df.loc["A2", "missed"] == "contacts"
    assert df.loc["A2", ["region", "branch", "rm_id", "tier"]].tolist() == ["R1", "B1", "M2", "affluent"]


def test_not_served_narrowed_and_limited(customers, rules):
    def ids(**kw):
        return list(not_served(customers, rules=rules, snapshot_date=D1, **kw).customers["customer_id"])

    assert ids(standard="profile_coverage") == ["A3", "E2"]  # MC is mass: no coverage target counts it
    assert ids(standard="key_products") == ["A3"]
    assert ids(standard="senior_visits") == ["P2"]
    assert ids(standard="contacts") == ["P2", "A2"]
    assert ids(tier="affluent") == ["A3", "A2"]
    assert ids(standard="events", tier="private") == ["P2"]
    assert ids(tier="emerging") == []  # no customer-level standard covers emerging
    top = not_served(customers, rules=rules, snapshot_date=D1, limit=2)
    assert list(top.customers["customer_id"]) == ["P2", "H2"]
    assert (top.total, top.truncated) == (4, True)
    r1 = apply_filters(customers, Filters(region="R1"))
    assert list(not_served(r1, rules=rules, snapshot_date=D1).customers["customer_id"]) == ["A2"]
    with pytest.raises(ValueError):
        not_served(customers, rules=rules, snapshot_date=D1, standard="smiles")
    with pytest.raises(ValueError):
        not_served(customers, rules=rules, snapshot_date=D1, tier="large")


def test_standards_order():
    assert STANDARDS == (
        "contacts",
        "events",
        "senior_visits",
        "min_products",
        "profile_coverage",
        "key_products",
    )
