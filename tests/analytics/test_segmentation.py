"""Segmentation on small hand-made portfolios whose numbers a person can check by hand.

Snapshot D = 2026-09-30 unless a test says otherwise. In the quadrant tests every
customer carries a ``bank_value_score`` (so bank value is that score) and a fee income
equal to the profit contribution wanted; the composite tests leave the score out.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from analytics.rules import load_rules
from analytics.scope import Filters, apply_filters
from analytics.segmentation import (
    QUADRANTS,
    TARGET_CLASSES,
    TREE_NODES,
    classification_tree,
    existing_customers,
    existing_matrix,
    existing_points,
    scored_customers,
    target_matrix,
    target_points,
    target_prospects,
    tier_by_quadrant,
    tier_by_unit,
    tiers_of_node,
)
from tests.analytics import tier_fixture
from tests.conftest import insert_rows

D = dt.date(2026, 9, 30)


@pytest.fixture
def rules():
    return load_rules()


def cust(cid, profit=0.0, value=None, *, date=D, segment="retail", aum=10_000.0, **more):
    """A customer row whose profit contribution is ``profit`` (all of it fee income)."""
    return dict(
        snapshot_date=date,
        customer_id=cid,
        customer_name=f"Customer {cid}",
        segment=segment,
        aum=aum,
        fee_income=profit,
        bank_value_score=value,
        **more,
    )


def quadrants(table, rules, *, profit_cut, value_cut, **kw) -> dict[str, str]:
    pts = existing_points(
        table,
        rules=rules,
        snapshot_date=kw.pop("snapshot_date", D),
        profit_cut=profit_cut,
        value_cut=value_cut,
        **kw,
    )
    return dict(zip(pts["customer_id"], pts["quadrant"], strict=True))


def bank_values(table, rules, **kw) -> dict[str, float]:
    pts = existing_points(table, rules=rules, snapshot_date=D, profit_cut=0.0, value_cut=0.0, **kw)
    return dict(zip(pts["customer_id"], pts["bank_value"], strict=True))


# -- the profit formula ------------------------------------------------------------------


def test_profit_contribution_is_the_seed_formula(store, rules):
    insert_rows(
        store,
        "customers",
        [
            dict(
                snapshot_date=D,
                customer_id="P1",
                segment="corporate",
                aum=0.0,
                ftp_loan_income=5_000.0,
                ftp_deposit_income=2_000.0,
                fee_income=1_500.0,
                capital_cost=1_000.0,
                operating_cost=700.0,
                credit_cost=300.0,
                bank_value_score=1.0,
            ),
            # a missing component counts as 0: 0 + 800 + 0 - 0 - 100 - 0
            dict(
                snapshot_date=D,
                customer_id="P2",
                segment="retail",
                aum=0.0,
                ftp_loan_income=None,
                ftp_deposit_income=800.0,
                fee_income=None,
                capital_cost=None,
                operating_cost=100.0,
                credit_cost=None,
                bank_value_score=1.0,
            ),
        ],
    )
    df = existing_customers(
        store.table("customers"),
        rules=rules,
        snapshot_date=D,
        quadrant="important",
        profit_cut=0.0,
        value_cut=0.0,
    )
    assert dict(zip(df["customer_id"], df["profit_contribution"], strict=True)) == {
        "P1": 5_000 + 2_000 + 1_500 - 1_000 - 700 - 300,  # 6,500
        "P2": 700.0,
    }


# -- quadrant boundaries -----------------------------------------------------------------

# (profit, bank value, quadrant) around the cut points profit 1,000 and value 50
BOUNDARY = [
    (1_000.0, 50.0, "important"),  # at both cuts: high, high
    (1_000.01, 50.01, "important"),  # just above both
    (1_000.0, 49.99, "quality"),  # at the profit cut, just below the value cut
    (1_000.01, 49.99, "quality"),
    (999.99, 50.0, "ordinary"),  # just below the profit cut, at the value cut
    (999.99, 50.01, "ordinary"),
    (999.99, 49.99, "exit"),  # just below both
    (-5_000.0, 0.0, "exit"),
]


def test_every_quadrant_boundary_with_chosen_cuts(store, rules):
    insert_rows(store, "customers", [cust(f"B{i}", p, v) for i, (p, v, _) in enumerate(BOUNDARY)])
    got = quadrants(store.table("customers"), rules, profit_cut=1_000.0, value_cut=50.0)
    assert got == {f"B{i}": q for i, (_, _, q) in enumerate(BOUNDARY)}
    m = existing_matrix(
        store.table("customers"), rules=rules, snapshot_date=D, profit_cut=1_000.0, value_cut=50.0
    )
    assert m.cut_points == {"profit_contribution": 1_000.0, "bank_value": 50.0}
    assert m.cut_sources == {"profit_contribution": "chosen", "bank_value": "chosen"}
    assert m.counts() == {"important": 2, "quality": 2, "ordinary": 2, "exit": 2}
    assert m.value_source == "bank_value_score" and m.population == 8


def test_median_cuts_on_an_odd_population_count_the_median_customer_as_high(store, rules):
    # profits 100..500 and values 10..50, crossed so that every quadrant is used
    rows = [
        cust("A", 100.0, 50.0),  # low profit, high value: ordinary
        cust("B", 200.0, 10.0),  # exit
        cust("C", 300.0, 30.0),  # the median customer on both axes: important
        cust("D", 400.0, 20.0),  # quality
        cust("E", 500.0, 40.0),  # important
    ]
    insert_rows(store, "customers", rows)
    m = existing_matrix(store.table("customers"), rules=rules, snapshot_date=D)
    assert m.cut_points == {"profit_contribution": 300.0, "bank_value": 30.0}
    assert m.medians == m.cut_points
    assert m.cut_sources == {"profit_contribution": "median", "bank_value": "median"}
    assert m.counts() == {"important": 2, "quality": 1, "ordinary": 1, "exit": 1}
    got = quadrants(store.table("customers"), rules, profit_cut=300.0, value_cut=30.0)
    assert got == {"A": "ordinary", "B": "exit", "C": "important", "D": "quality", "E": "important"}


def test_median_of_an_even_population_is_interpolated(store, rules):
    profits, values = [100.0, 200.0, 300.0, 400.0], [10.0, 20.0, 40.0, 80.0]
    insert_rows(
        store,
        "customers",
        [cust(f"E{i}", p, v) for i, (p, v) in enumerate(zip(profits, values, strict=False))],
    )
    m = existing_matrix(store.table("customers"), rules=rules, snapshot_date=D)
    # numpy.median semantics: the mean of the two middle values
    assert m.cut_points == {"profit_contribution": 250.0, "bank_value": 30.0}
    assert (np.median(profits), np.median(values)) == (250.0, 30.0)
    assert m.counts() == {"important": 2, "quality": 0, "ordinary": 0, "exit": 2}


def test_even_population_with_equal_middle_values_puts_both_at_the_cut_high(store, rules):
    rows = [cust("A", 100.0, 10.0), cust("B", 200.0, 10.0), cust("C", 200.0, 10.0), cust("D", 400.0, 10.0)]
    insert_rows(store, "customers", rows)
    m = existing_matrix(store.table("customers"), rules=rules, snapshot_date=D)
    assert m.cut_points == {"profit_contribution": 200.0, "bank_value": 10.0}
    # every value equals the value cut: all high; B and C sit on the profit cut: high
    assert m.counts() == {"important": 3, "quality": 0, "ordinary": 1, "exit": 0}


def test_cut_point_precedence_chosen_then_rules_then_median(store, rules):
    insert_rows(store, "customers", [cust("A", 100.0, 10.0), cust("B", 300.0, 30.0), cust("C", 500.0, 50.0)])
    fixed = rules.with_values({"matrices.existing.profit_cut": -50.0})
    m = existing_matrix(store.table("customers"), rules=fixed, snapshot_date=D)
    assert m.cut_points == {"profit_contribution": -50.0, "bank_value": 30.0}
    assert m.cut_sources == {"profit_contribution": "rules", "bank_value": "median"}
    assert m.medians == {"profit_contribution": 300.0, "bank_value": 30.0}  # for "reset to median"
    assert m.counts() == {"important": 2, "quality": 1, "ordinary": 0, "exit": 0}
    m = existing_matrix(
        store.table("customers"), rules=fixed, snapshot_date=D, profit_cut=400.0, value_cut=5.0
    )
    assert m.cut_sources == {"profit_contribution": "chosen", "bank_value": "chosen"}
    assert m.counts() == {"important": 1, "quality": 0, "ordinary": 2, "exit": 0}


def test_summary_shares_of_customers_aum_and_net_profit(store, rules):
    rows = [
        cust("A", 1_000.0, 90.0, aum=600.0),  # important
        cust("B", 3_000.0, 10.0, aum=300.0),  # quality
        cust("C", -2_000.0, 90.0, aum=100.0),  # ordinary (a loss)
    ]
    insert_rows(store, "customers", rows)
    m = existing_matrix(
        store.table("customers"), rules=rules, snapshot_date=D, profit_cut=0.0, value_cut=50.0
    )
    s = m.summary.set_index("class")
    assert list(m.summary.columns) == [
        "class",
        "customers",
        "customers_share",
        "aum",
        "aum_share",
        "profit_contribution",
        "profit_share",
    ]
    assert list(s.index) == list(QUADRANTS)
    assert list(s["customers"]) == [1, 1, 1, 0]
    assert s.loc["important", "customers_share"] == pytest.approx(1 / 3)
    assert list(s["aum_share"]) == pytest.approx([0.6, 0.3, 0.1, 0.0])
    # shares of the net profit 2,000: the loss-maker holds -100%
    assert list(s["profit_share"]) == pytest.approx([0.5, 1.5, -1.0, 0.0])


def test_customer_list_of_a_quadrant_is_ordered_by_profit(store, rules):
    rows = [cust("A", 500.0, 90.0), cust("B", 900.0, 90.0), cust("C", 900.0, 80.0), cust("D", 10.0, 90.0)]
    insert_rows(store, "customers", rows)
    df = existing_customers(
        store.table("customers"),
        rules=rules,
        snapshot_date=D,
        quadrant="important",
        profit_cut=100.0,
        value_cut=50.0,
    )
    assert list(df["customer_id"]) == ["B", "C", "A"]  # ties by customer id
    assert list(df.columns) == [
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
    ]
    assert list(df["bank_value"]) == [90.0, 80.0, 90.0]
    one = existing_customers(
        store.table("customers"),
        rules=rules,
        snapshot_date=D,
        quadrant="important",
        profit_cut=100.0,
        value_cut=50.0,
        limit=1,
    )
    assert list(one["customer_id"]) == ["B"]
    with pytest.raises(ValueError, match="quadrant"):
        existing_customers(
            store.table("customers"),
            rules=rules,
            snapshot_date=D,
            quadrant="vip",
            profit_cut=0.0,
            value_cut=0.0,
        )


def test_points_are_a_fixed_sample_when_capped(store, rules):
    insert_rows(store, "customers", [cust(f"S{i:02d}", float(i), float(i)) for i in range(30)])
    t = store.table("customers")
    every = existing_points(t, rules=rules, snapshot_date=D, profit_cut=15.0, value_cut=15.0)
    assert len(every) == 30
    assert list(every.columns) == [
        "customer_id",
        "segment",
        "tier",
        "aum",
        "profit_contribution",
        "bank_value",
        "quadrant",
    ]
    a = existing_points(t, rules=rules, snapshot_date=D, profit_cut=15.0, value_cut=15.0, max_points=10)
    b = existing_points(t, rules=rules, snapshot_date=D, profit_cut=0.0, value_cut=0.0, max_points=10)
    assert len(a) == 10 and list(a["customer_id"]) == list(b["customer_id"])  # the same customers


# -- bank-to-customer value: the data's score or the composite ----------------------------


def test_bank_value_score_is_used_when_every_customer_has_one(store, rules):
    insert_rows(store, "customers", [cust("A", 1.0, 70.0), cust("B", 2.0, 20.0), cust("C", 3.0, 45.5)])
    m = existing_matrix(store.table("customers"), rules=rules, snapshot_date=D)
    assert m.value_source == "bank_value_score"
    assert m.medians["bank_value"] == 45.5
    assert bank_values(store.table("customers"), rules) == {"A": 70.0, "B": 20.0, "C": 45.5}


# The composite's hand example: three customers, one snapshot (no balance growth), no surveys.
#    component         A          B             C              percent ranks A, B, C
#    products_held     1          3             3              0, 0.5, 0.5 (B and C tie at rank 2)
#    tenure (days)     100        1000          (no open_date) 0, 1, neutral 0.5
#    activity          0          2 + 12/12     1 + 0          0, 1, 0.5
#    satisfaction      -          -             -              0.5 each (no surveys)
#    balance growth    -          -             -              0.5 each (no earlier snapshot)
COMPOSITE = [
    cust("A", 1.0, products_held=1, open_date=D - dt.timedelta(days=100), contacts_month=0, events_year=0),
    cust("B", 2.0, products_held=3, open_date=D - dt.timedelta(days=1000), contacts_month=2, events_year=12),
    cust("C", 3.0, products_held=3, open_date=None, contacts_month=1, events_year=0),
]


def test_composite_bank_value_with_the_default_weights(store, rules):
    insert_rows(store, "customers", COMPOSITE)
    assert dict(rules.existing.bank_value_weights) == {
        "product_coverage": 0.3,
        "tenure": 0.2,
        "activity": 0.2,
        "satisfaction": 0.15,
        "balance_growth": 0.15,
    }
    got = bank_values(store.table("customers"), rules)
    assert got == pytest.approx(
        {
            "A": 100 * (0.3 * 0 + 0.2 * 0 + 0.2 * 0 + 0.15 * 0.5 + 0.15 * 0.5),  # 15
            "B": 100 * (0.3 * 0.5 + 0.2 * 1 + 0.2 * 1 + 0.15 * 0.5 + 0.15 * 0.5),  # 70
            "C": 100 * (0.3 * 0.5 + 0.2 * 0.5 + 0.2 * 0.5 + 0.15 * 0.5 + 0.15 * 0.5),  # 50
        },
        abs=1e-9,
    )
    m = existing_matrix(store.table("customers"), rules=rules, snapshot_date=D)
    assert m.value_source == "composite"
    assert m.medians["bank_value"] == pytest.approx(50.0)


def test_a_weight_change_moves_the_composite_as_computed_by_hand(store, rules):
    insert_rows(store, "customers", COMPOSITE)
    heavier = rules.with_values(
        {
            "matrices.existing.bank_value_weights.product_coverage": 0.5,
            "matrices.existing.bank_value_weights.tenure": 0.0,
        }
    )
    got = bank_values(store.table("customers"), heavier)
    assert got == pytest.approx(
        {
            "A": 100 * (0.5 * 0 + 0.0 * 0 + 0.2 * 0 + 0.15 * 0.5 + 0.15 * 0.5),  # 15
            "B": 100 * (0.5 * 0.5 + 0.0 * 1 + 0.2 * 1 + 0.15 * 0.5 + 0.15 * 0.5),  # 60
            "C": 100 * (0.5 * 0.5 + 0.0 * 0.5 + 0.2 * 0.5 + 0.15 * 0.5 + 0.15 * 0.5),  # 50
        },
        abs=1e-9,
    )


def test_one_customer_without_a_score_switches_everyone_to_the_composite(store, rules):
    rows = [dict(r, bank_value_score=s) for r, s in zip(COMPOSITE, (99.0, 98.0, None), strict=True)]
    insert_rows(store, "customers", rows)
    m = existing_matrix(store.table("customers"), rules=rules, snapshot_date=D)
    assert m.value_source == "composite"
    assert bank_values(store.table("customers"), rules) == pytest.approx({"A": 15.0, "B": 70.0, "C": 50.0})
    # ... while the customers that do have one are a bank_value_score population on their own
    scored = store.table("customers").filter(store.table("customers").customer_id != "C")
    assert existing_matrix(scored, rules=rules, snapshot_date=D).value_source == "bank_value_score"


def test_a_population_of_one_gets_the_neutral_fifty(store, rules):
    insert_rows(store, "customers", [COMPOSITE[1]])
    assert bank_values(store.table("customers"), rules) == pytest.approx({"B": 50.0})


def _only(rules, component):
    weights = dict.fromkeys(rules.existing.bank_value_weights, 0.0)
    weights[component] = 1.0
    return rules.with_values({f"matrices.existing.bank_value_weights.{k}": v for k, v in weights.items()})


def test_satisfaction_is_the_mean_survey_share_of_the_last_twelve_months(store, rules):
    insert_rows(store, "customers", [cust("A"), cust("B"), cust("C")])
    survey = 0

    def s(cid, day, score, scale=10.0):
        nonlocal survey
        survey += 1
        return dict(survey_id=f"S{survey}", survey_date=day, customer_id=cid, score=score, scale_max=scale)

    insert_rows(
        store,
        "surveys",
        [
            s("A", D, 8.0),  # on the snapshot date: counts
            s("A", dt.date(2025, 10, 1), 6.0),  # the first day of the window: A's mean 0.7
            s("B", dt.date(2025, 9, 30), 10.0),  # exactly twelve months before: outside
            s("B", dt.date(2026, 10, 1), 10.0),  # after the snapshot: outside
            s("C", dt.date(2026, 5, 2), 4.0, scale=5.0),  # 0.8 on a five-point scale
            s(None, D, 0.0),  # anonymous: nobody's
        ],
    )
    sat = _only(rules, "satisfaction")
    t = store.table("customers")
    # A 0.7 < C 0.8 among the two with surveys: ranks 0 and 1; B has none: neutral
    assert bank_values(t, sat, surveys=store.table("surveys")) == pytest.approx(
        {"A": 0.0, "B": 50.0, "C": 100.0}
    )
    # without the surveys table everybody is neutral
    assert bank_values(t, sat) == pytest.approx({"A": 50.0, "B": 50.0, "C": 50.0})


def test_balance_growth_compares_with_the_snapshot_a_year_earlier(store, rules):
    year_ago, older, last_month = dt.date(2025, 9, 30), dt.date(2025, 8, 31), dt.date(2026, 8, 31)
    insert_rows(
        store,
        "customers",
        [
            cust("A", aum=150.0),  # 100 a year ago: growth 0.5
            cust("B", aum=3.0),  # 0 a year ago: (3 - 0) / max(0, 1) = 3
            cust("C", aum=1_000.0),  # not a customer a year ago: neutral
            cust("D", aum=90.0),  # 100 a year ago: -0.1
            cust("A", date=year_ago, aum=100.0),
            cust("B", date=year_ago, aum=0.0),
            cust("D", date=year_ago, aum=100.0),
            cust("C", date=older, aum=1.0),  # older than the comparison snapshot: not used
            cust("D", date=last_month, aum=1.0),  # newer: not used
        ],
    )
    got = bank_values(store.table("customers"), _only(rules, "balance_growth"))
    # growth D -0.1 < A 0.5 < B 3 among three: ranks 0, 0.5, 1
    assert got == pytest.approx({"D": 0.0, "A": 50.0, "B": 100.0, "C": 50.0})


def test_balance_growth_without_a_year_ago_uses_the_earliest_earlier_snapshot(store, rules):
    first, second = dt.date(2026, 6, 30), dt.date(2026, 8, 31)
    insert_rows(
        store,
        "customers",
        [
            cust("A", aum=200.0),
            cust("B", aum=200.0),
            cust("A", date=first, aum=100.0),  # +100%
            cust("B", date=first, aum=400.0),  # -50%
            cust("A", date=second, aum=400.0),  # the latest earlier snapshot would reverse the order
            cust("B", date=second, aum=100.0),
        ],
    )
    got = bank_values(store.table("customers"), _only(rules, "balance_growth"))
    assert got == pytest.approx({"A": 100.0, "B": 0.0})
    # the first snapshot has nothing to compare with: neutral
    first_only = store.table("customers")
    pts = existing_points(
        first_only, rules=_only(rules, "balance_growth"), snapshot_date=first, profit_cut=0.0, value_cut=0.0
    )
    assert list(pts["bank_value"]) == [50.0, 50.0]


def test_balance_growth_reads_the_earlier_snapshot_from_the_scoped_table(store, rules):
    insert_rows(
        store,
        "customers",
        [
            cust("A", aum=200.0, branch="B1"),
            cust("B", aum=200.0, branch="B1"),
            cust("A", date=dt.date(2025, 9, 30), aum=100.0, branch="B2"),  # moved branch since
            cust("B", date=dt.date(2025, 9, 30), aum=400.0, branch="B2"),
        ],
    )
    growth = _only(rules, "balance_growth")
    assert bank_values(store.table("customers"), growth) == pytest.approx({"A": 100.0, "B": 0.0})
    b1 = apply_filters(store.table("customers"), Filters(branch="B1"))
    assert bank_values(b1, growth) == pytest.approx({"A": 50.0, "B": 50.0})  # B1 had no such rows


def test_composite_ranks_are_taken_within_the_tier_restricted_population(store, rules):
    # products 1, 2 (mass) and 3 (affluent): within mass alone A and B span 0..1
    insert_rows(
        store,
        "customers",
        [
            cust("A", products_held=1),
            cust("B", products_held=2),
            cust("C", products_held=3, aum=300_000.0),
        ],
    )
    coverage = _only(rules, "product_coverage")
    assert bank_values(store.table("customers"), coverage) == pytest.approx({"A": 0.0, "B": 50.0, "C": 100.0})
    assert bank_values(store.table("customers"), coverage, tiers=("mass",)) == pytest.approx(
        {"A": 0.0, "B": 100.0}
    )


def test_a_scored_population_kept_in_the_engine_gives_the_same_answers(store, rules):
    # The page scores a population once (scored_customers, kept by Store.materialize) and
    # summarises it at each change of a cut point: every answer must equal the direct one.
    insert_rows(store, "customers", COMPOSITE)
    customers = store.table("customers")
    scored = store.materialize("m_test", lambda: scored_customers(customers, rules=rules, snapshot_date=D))
    assert store.materialize("m_test").count().execute() == 3  # reused, not rebuilt
    direct = existing_matrix(customers, rules=rules, snapshot_date=D)
    kept = existing_matrix(scored, rules=rules, snapshot_date=D)
    assert kept.cut_points == direct.cut_points and kept.value_source == direct.value_source == "composite"
    assert kept.summary.equals(direct.summary)
    cuts = dict(profit_cut=0.0, value_cut=50.0)
    for fn, extra in (
        (existing_points, {}),
        (tier_by_quadrant, {}),
        (existing_customers, {"quadrant": "important"}),
    ):
        a = fn(customers, rules=rules, snapshot_date=D, **cuts, **extra)
        b = fn(scored, rules=rules, snapshot_date=D, **cuts, **extra)
        assert a.reset_index(drop=True).equals(b.reset_index(drop=True)), fn.__name__
    assert existing_matrix(scored, rules=rules, snapshot_date=D, tiers=("private",)).population == 0


# -- tiers restriction and empty populations ---------------------------------------------


def test_tiers_restrict_the_population_before_the_medians(store, rules):
    rows = [
        cust("M1", 10.0, 1.0, aum=1_000.0),  # mass
        cust("M2", 20.0, 2.0, aum=2_000.0),  # mass
        cust("M3", 30.0, 3.0, aum=3_000.0),  # mass
        cust("P1", 1_000.0, 90.0, aum=6_000_000.0),  # private
        cust("P2", 2_000.0, 95.0, aum=7_000_000.0),  # private
    ]
    insert_rows(store, "customers", rows)
    t = store.table("customers")
    everyone = existing_matrix(t, rules=rules, snapshot_date=D)
    assert everyone.cut_points == {"profit_contribution": 30.0, "bank_value": 3.0}
    mass = existing_matrix(t, rules=rules, snapshot_date=D, tiers=("mass",))
    assert mass.population == 3
    assert mass.cut_points == {"profit_contribution": 20.0, "bank_value": 2.0}
    assert mass.counts() == {"important": 2, "quality": 0, "ordinary": 0, "exit": 1}
    with pytest.raises(ValueError, match="unknown tier id"):
        existing_matrix(t, rules=rules, snapshot_date=D, tiers=("gold",))


def test_empty_population_gives_zeros_and_no_median(store, rules):
    insert_rows(store, "customers", [cust("A", 1.0, 1.0)])
    t = store.table("customers")
    for m in (
        existing_matrix(t, rules=rules, snapshot_date=dt.date(2020, 1, 31)),
        existing_matrix(t, rules=rules, snapshot_date=D, tiers=()),
        existing_matrix(apply_filters(t, Filters(segment="institution")), rules=rules, snapshot_date=D),
    ):
        assert m.population == 0 and m.snapshot_date is None
        assert m.cut_points == {"profit_contribution": None, "bank_value": None}
        assert m.medians == {"profit_contribution": None, "bank_value": None}
        assert m.counts() == dict.fromkeys(QUADRANTS, 0)
        assert m.summary["customers_share"].sum() == 0.0
    # a chosen cut point stays what was chosen
    chosen = existing_matrix(t, rules=rules, snapshot_date=D, tiers=(), profit_cut=5.0)
    assert chosen.cut_points["profit_contribution"] == 5.0
    assert existing_points(t, rules=rules, snapshot_date=D, profit_cut=0.0, value_cut=0.0, tiers=()).empty


# -- classification tree -----------------------------------------------------------------

# The tree of the brief, written out independently of the module: node -> leaf tier ids.
LEAVES = {
    "corporate": (
        "strategic",
        "large",
        "medium",
        "small",
        "emerging_market",
        "real_estate",
        "institution",
        "above_scale",
        "below_scale",
        "institution_no_loan",
    ),
    "loan": ("strategic", "large", "medium", "small", "emerging_market", "real_estate", "institution"),
    "loan.company": ("strategic", "large", "medium", "small", "emerging_market", "real_estate"),
    "loan.company.traditional": ("strategic", "large", "medium", "small"),
    "no_loan": ("above_scale", "below_scale", "institution_no_loan"),
    "no_loan.company": ("above_scale", "below_scale"),
}


def test_tree_nodes_and_their_leaves():
    assert TREE_NODES == (
        "corporate",
        "loan",
        "loan.company",
        "loan.company.traditional",
        "strategic",
        "large",
        "medium",
        "small",
        "emerging_market",
        "real_estate",
        "institution",
        "no_loan",
        "no_loan.company",
        "above_scale",
        "below_scale",
        "institution_no_loan",
    )
    for node in TREE_NODES:
        assert tiers_of_node(node) == LEAVES.get(node, (node,))
    with pytest.raises(ValueError, match="unknown tree node"):
        tiers_of_node("mass")


def test_classification_tree_classifies_every_leaf_and_sums_the_nodes(store, rules):
    # tier_fixture's cases: at least one customer per corporate leaf, each at a boundary.
    # Customer k gets aum 2**k, so that a node's AUM names exactly the customers under it.
    rows = tier_fixture.rows()
    expected = tier_fixture.expected_tiers()
    aum = {}
    for k, row in enumerate(rows):
        row["aum"] = aum[row["customer_id"]] = float(2**k)
        row["deposit_balance"] = 1.0
        row["fee_income"] = 10.0
    insert_rows(store, "customers", rows)
    tree = classification_tree(store.table("customers"), rules=rules, snapshot_date=D).set_index("node")
    assert list(tree.index) == list(TREE_NODES)
    assert list(tree.columns) == [
        "parent",
        "depth",
        "tiers",
        "customers",
        "aum",
        "deposit_balance",
        "loan_balance",
        "profit_contribution",
    ]
    corporate = {
        cid: tier for cid, tier in expected.items() if not cid.startswith("R")
    }  # retail is not in the tree
    for node in TREE_NODES:
        ids = [cid for cid, tier in corporate.items() if tier in LEAVES.get(node, (node,))]
        assert tree.loc[node, "customers"] == len(ids), node
        assert tree.loc[node, "aum"] == sum(aum[c] for c in ids), node
        assert tree.loc[node, "deposit_balance"] == len(ids), node
        assert tree.loc[node, "profit_contribution"] == 10.0 * len(ids), node
        loans = sum((next(r for r in rows if r["customer_id"] == c).get("loan_balance") or 0.0) for c in ids)
        assert tree.loc[node, "loan_balance"] == loans, node
    assert tree.loc["corporate", "customers"] == 15
    assert (
        tree.loc["large", "customers"],
        tree.loc["medium", "customers"],
        tree.loc["small", "customers"],
    ) == (
        2,
        4,
        2,
    )
    assert tree.loc["corporate", "parent"] == "" and tree.loc["corporate", "depth"] == 0
    assert tree.loc["emerging_market", "parent"] == "loan.company"
    assert tree.loc["institution", "parent"] == "loan" and tree.loc["institution", "depth"] == 2
    assert tree.loc["small", "depth"] == 4 and tree.loc["above_scale", "parent"] == "no_loan.company"


def test_classification_tree_of_an_empty_snapshot_is_zeros(store, rules):
    tree = classification_tree(store.table("customers"), rules=rules, snapshot_date=D)
    assert list(tree["node"]) == list(TREE_NODES)
    assert tree["customers"].sum() == 0 and tree["aum"].sum() == 0.0


# -- heatmaps ----------------------------------------------------------------------------


def test_tier_by_unit_counts_every_unit_present(store, rules):
    rows = [
        cust("A", 100.0, 1.0, aum=1_000.0, branch="B1"),  # mass
        cust("B", 200.0, 1.0, aum=300_000.0, branch="B1"),  # affluent
        cust("C", 300.0, 1.0, aum=2_000.0, branch="B2"),  # mass
        cust("D", 400.0, 1.0, aum=4_000.0, branch=None),  # mass, no branch
    ]
    insert_rows(store, "customers", rows)
    df = tier_by_unit(store.table("customers"), rules=rules, snapshot_date=D)
    assert list(df.columns) == ["unit", "tier", "customers", "aum", "profit_contribution"]
    got = {(r.unit, r.tier): (r.customers, r.aum, r.profit_contribution) for r in df.itertuples()}
    assert got == {
        ("B1", "mass"): (1, 1_000.0, 100.0),
        ("B1", "affluent"): (1, 300_000.0, 200.0),
        ("B2", "mass"): (1, 2_000.0, 300.0),
        ("B2", "affluent"): (0, 0.0, 0.0),
        ("unassigned", "mass"): (1, 4_000.0, 400.0),
        ("unassigned", "affluent"): (0, 0.0, 0.0),
    }
    only_mass = tier_by_unit(
        store.table("customers"), rules=rules, snapshot_date=D, level="rm_id", tiers=("mass",)
    )
    assert list(only_mass["tier"]) == ["mass"] and only_mass["customers"].sum() == 3
    with pytest.raises(ValueError, match="level"):
        tier_by_unit(store.table("customers"), rules=rules, snapshot_date=D, level="city")


def test_tier_by_quadrant_is_every_tier_present_times_every_quadrant(store, rules):
    rows = [
        cust("A", 100.0, 90.0, aum=1_000.0),  # mass, important
        cust("B", -100.0, 90.0, aum=2_000.0),  # mass, ordinary
        cust("C", 100.0, 10.0, aum=300_000.0),  # affluent, quality
    ]
    insert_rows(store, "customers", rows)
    df = tier_by_quadrant(
        store.table("customers"), rules=rules, snapshot_date=D, profit_cut=0.0, value_cut=50.0
    )
    assert list(df.columns) == ["tier", "quadrant", "customers", "aum", "profit_contribution"]
    assert list(df["tier"]) == ["mass"] * 4 + ["affluent"] * 4
    assert list(df["quadrant"]) == list(QUADRANTS) * 2
    assert list(df["customers"]) == [1, 0, 1, 0, 0, 1, 0, 0]
    assert list(df["profit_contribution"]) == [100.0, 0.0, -100.0, 0.0, 0.0, 100.0, 0.0, 0.0]


# -- target matrix -----------------------------------------------------------------------

P1, P2, P3 = dt.date(2026, 8, 31), dt.date(2026, 9, 30), dt.date(2026, 10, 31)


def prospect(pid, potential, fit, *, date=P2, estimated_aum=1_000.0, **more):
    """A prospect whose three scores all equal ``potential`` (so its potential value is it)."""
    return dict(
        snapshot_date=date,
        prospect_id=pid,
        prospect_name=f"Prospect {pid}",
        segment=more.pop("segment", "corporate"),
        industry_score=potential,
        growth_score=potential,
        influence_score=potential,
        fit_score=fit,
        estimated_aum=estimated_aum,
        **more,
    )


TARGET_BOUNDARY = [
    (60.0, 50.0, "gold"),  # at both cuts
    (60.01, 50.01, "gold"),
    (60.0, 49.99, "potential"),  # high potential, low fit
    (60.01, 49.99, "potential"),
    (59.99, 50.0, "watch"),  # low potential, high fit
    (59.99, 50.01, "watch"),
    (59.99, 49.99, "general"),
]


def test_every_target_boundary_with_chosen_cuts(store, rules):
    insert_rows(store, "prospects", [prospect(f"T{i}", p, f) for i, (p, f, _) in enumerate(TARGET_BOUNDARY)])
    t = store.table("prospects")
    pts = target_points(t, rules=rules, snapshot_date=D, potential_cut=60.0, fit_cut=50.0)
    assert dict(zip(pts["prospect_id"], pts["target_class"], strict=True)) == {
        f"T{i}": c for i, (_, _, c) in enumerate(TARGET_BOUNDARY)
    }
    m = target_matrix(t, rules=rules, snapshot_date=D, potential_cut=60.0, fit_cut=50.0)
    assert m.counts() == {"gold": 2, "potential": 2, "watch": 2, "general": 1}
    assert m.cut_sources == {"potential_value": "chosen", "fit": "chosen"}
    assert (m.kind, m.x, m.y, m.value_source, m.population) == (
        "target",
        "potential_value",
        "fit",
        "prospect_scores",
        7,
    )


def test_target_medians_of_an_even_population(store, rules):
    rows = [
        prospect("A", 40.0, 10.0),
        prospect("B", 50.0, 70.0),
        prospect("C", 70.0, 30.0),
        prospect("D", 80.0, 90.0),
    ]
    insert_rows(store, "prospects", rows)
    m = target_matrix(store.table("prospects"), rules=rules, snapshot_date=D)
    assert m.cut_points == {"potential_value": 60.0, "fit": 50.0}  # (50 + 70) / 2, (30 + 70) / 2
    assert m.cut_sources == {"potential_value": "median", "fit": "median"}
    assert m.counts() == {"gold": 1, "potential": 1, "watch": 1, "general": 1}
    s = m.summary
    assert list(s.columns) == [
        "class",
        "prospects",
        "prospects_share",
        "estimated_aum",
        "estimated_aum_share",
    ]
    assert list(s["prospects_share"]) == [0.25] * 4


def test_potential_value_weights(store, rules):
    insert_rows(
        store,
        "prospects",
        [
            dict(
                snapshot_date=P2,
                prospect_id="W",
                industry_score=80.0,
                growth_score=50.0,
                influence_score=20.0,
                fit_score=1.0,
            )
        ],
    )
    t = store.table("prospects")
    pts = target_points(t, rules=rules, snapshot_date=D, potential_cut=0.0, fit_cut=0.0)
    assert pts["potential_value"].iloc[0] == pytest.approx(0.4 * 80 + 0.35 * 50 + 0.25 * 20)  # 54.5
    other = rules.with_values(
        {
            "matrices.target.potential_weights.industry": 0.2,
            "matrices.target.potential_weights.growth": 0.3,
            "matrices.target.potential_weights.influence": 0.5,
        }
    )
    pts = target_points(t, rules=other, snapshot_date=D, potential_cut=0.0, fit_cut=0.0)
    assert pts["potential_value"].iloc[0] == pytest.approx(0.2 * 80 + 0.3 * 50 + 0.5 * 20)  # 41
    assert target_matrix(t, rules=other, snapshot_date=D).medians == {"potential_value": 41.0, "fit": 1.0}


def test_target_uses_the_latest_prospects_snapshot_on_or_before_the_date(store, rules):
    insert_rows(
        store,
        "prospects",
        [
            prospect("old", 10.0, 10.0, date=P1),
            prospect("now1", 20.0, 20.0, date=P2),
            prospect("now2", 30.0, 30.0, date=P2),
            prospect("new", 90.0, 90.0, date=P3),
        ],
    )
    t = store.table("prospects")
    m = target_matrix(t, rules=rules, snapshot_date=D)
    assert (m.snapshot_date, m.population, m.medians["fit"]) == (P2, 2, 25.0)
    m = target_matrix(t, rules=rules, snapshot_date=dt.date(2026, 9, 29))
    assert (m.snapshot_date, m.population) == (P1, 1)
    none = target_matrix(t, rules=rules, snapshot_date=dt.date(2026, 7, 31))
    assert (none.snapshot_date, none.population) == (None, 0)
    assert none.cut_points == {"potential_value": None, "fit": None}
    assert none.counts() == dict.fromkeys(TARGET_CLASSES, 0)
    assert none.summary["prospects_share"].sum() == 0.0
    empty = target_points(t, rules=rules, snapshot_date=dt.date(2026, 7, 31), potential_cut=0.0, fit_cut=0.0)
    assert empty.empty and "target_class" in empty.columns


def test_target_prospect_list_and_segment_filter(store, rules):
    insert_rows(
        store,
        "prospects",
        [
            prospect("A", 70.0, 90.0),
            prospect("B", 80.0, 60.0),
            prospect("C", 80.0, 55.0, segment="retail"),
            prospect("D", 10.0, 90.0),
        ],
    )
    t = store.table("prospects")
    gold = target_prospects(
        t, rules=rules, snapshot_date=D, target_class="gold", potential_cut=50.0, fit_cut=50.0
    )
    assert list(gold["prospect_id"]) == ["B", "C", "A"]
    assert list(gold.columns) == [
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
    corporate = apply_filters(t, Filters(segment="corporate"))
    m = target_matrix(corporate, rules=rules, snapshot_date=D, potential_cut=50.0, fit_cut=50.0)
    assert m.counts() == {"gold": 2, "potential": 0, "watch": 1, "general": 0}
    with pytest.raises(ValueError, match="target_class"):
        target_prospects(
            t, rules=rules, snapshot_date=D, target_class="silver", potential_cut=0.0, fit_cut=0.0
        )
