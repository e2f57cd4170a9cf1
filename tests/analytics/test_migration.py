"""Tier migration on hand-made portfolios whose every number a person can check.

Two snapshots, D1 (2026-08-31) and D2 (2026-09-30), default rules:

==  ======  ======  ===  =====================================  ===========================  ============
id  region  branch  rm   D1                                      D2                           move
==  ======  ======  ===  =====================================  ===========================  ============
A   R1      B1      M1   emerging 100,000                        affluent 250,000             upgrade
B   R1      B1      M2   hnw 1,200,000                           affluent 900,000             downgrade*
C   R1      B2      M3   private 6,000,000                       (absent)                     closed*
D   R2      B3      M4   mass 30,000                             mass 40,000                  stable
E   R2      B3      M4   (absent)                                emerging 60,000              new
F   R1      B1      M1   affluent 200,000 (exactly at the bar)   emerging 199,999.99          downgrade
G   R2      B3      M4   affluent 999,999.99                     hnw 1,000,000 (at the bar)   upgrade
H   R2      B3      M4   medium (loan, sales 100M) aum 500,000   emerging_market, 600,000     reclassified
I   R1      B2      M3   large (loan, sales 300M) aum 0          above_scale (no loan)        reclassified
J   R1      B2      M3   small (loan, sales 10M) aum 0           medium (sales 25M)           upgrade
K   R1      B1      M2   private 8,000,000                       hnw 4,000,000                downgrade
L   R2      B3      M4   hnw 2,000,000                           hnw 3,000,000, branch B2     stable
N   R1      B1      M1   (absent)                                private 7,000,000            new
O   R2      B3      M4   mass 10,000                             below_scale (corporate)      reclassified
P   R2      B3      M4   emerging 150,000                        affluent 300,000             upgrade
==  ======  ======  ===  =====================================  ===========================  ============

(*) a high-tier loss: was hnw or private, is now below both or closed. K (private ->
hnw) still holds more than 1M and is not one. 13 customers at D1: 4 upgrades (A, G, J, P),
3 downgrades (B, F, K), 2 stable (D, L), 3 reclassified (H, I, O), 1 closed (C); 2 new.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import pickle
from statistics import NormalDist

import ibis
import numpy as np
import pandas as pd
import pytest

from analytics import migration
from analytics.migration import (
    FROM_STATES,
    MOVE_KINDS,
    STATES,
    TO_STATES,
    average_transition,
    backtest,
    high_tier_losses,
    migration_json,
    move_kind,
    project,
    stationary_mix,
    tier_code,
    transition,
    transition_by_unit,
)
from analytics.rules import TIER_ORDER, load_rules
from analytics.scope import Filters, apply_filters
from analytics.tiers import tier_expr
from tests.analytics import tier_fixture
from tests.conftest import insert_rows

D0, D1, D2 = dt.date(2026, 7, 31), dt.date(2026, 8, 31), dt.date(2026, 9, 30)
M = 1_000_000


def _row(date, cid, region, branch, rm, aum, segment="retail", **more):
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


def _corp(sales, loan=5 * M, **more):
    return dict(segment="corporate", loan_balance=loan, annual_sales=sales, industry="manufacturing", **more)


ROWS = [
    _row(D1, "A", "R1", "B1", "M1", 100_000.0),
    _row(D2, "A", "R1", "B1", "M1", 250_000.0),
    _row(D1, "B", "R1", "B1", "M2", 1_200_000.0),
    _row(D2, "B", "R1", "B1", "M2", 900_000.0),
    _row(D1, "C", "R1", "B2", "M3", 6_000_000.0),
    _row(D1, "D", "R2", "B3", "M4", 30_000.0),
    _row(D2, "D", "R2", "B3", "M4", 40_000.0),
    _row(D2, "E", "R2", "B3", "M4", 60_000.0),
    _row(D1, "F", "R1", "B1", "M1", 200_000.0),
    _row(D2, "F", "R1", "B1", "M1", 199_999.99),
    _row(D1, "G", "R2", "B3", "M4", 999_999.99),
    _row(D2, "G", "R2", "B3", "M4", 1_000_000.0),
    _row(D1, "H", "R2", "B3", "M4", 500_000.0, **_corp(100 * M, total_assets=200 * M)),
    _row(D2, "H", "R2", "B3", "M4", 600_000.0, **_corp(100 * M, total_assets=200 * M, market="emerging")),
    _row(D1, "I", "R1", "B2", "M3", 0.0, **_corp(300 * M)),
    _row(D2, "I", "R1", "B2", "M3", 0.0, **_corp(300 * M, loan=0.0, deposit_avg_daily=600_000.0)),
    _row(D1, "J", "R1", "B2", "M3", 0.0, **_corp(10 * M, total_assets=10 * M)),
    _row(D2, "J", "R1", "B2", "M3", 0.0, **_corp(25 * M, total_assets=10 * M)),
    _row(D1, "K", "R1", "B1", "M2", 8_000_000.0),
    _row(D2, "K", "R1", "B1", "M2", 4_000_000.0),
    _row(D1, "L", "R2", "B3", "M4", 2_000_000.0),
    _row(D2, "L", "R1", "B2", "M3", 3_000_000.0),
    _row(D2, "N", "R1", "B1", "M1", 7_000_000.0),
    _row(D1, "O", "R2", "B3", "M4", 10_000.0),
    _row(D2, "O", "R2", "B3", "M4", 5_000.0, segment="corporate", loan_balance=0.0),
    _row(D1, "P", "R2", "B3", "M4", 150_000.0),
    _row(D2, "P", "R2", "B3", "M4", 300_000.0),
]

# (from, to) -> (customers, aum_from, aum_to), read off the table above
CELLS = {
    ("new", "emerging"): (1, 0.0, 60_000.0),
    ("new", "private"): (1, 0.0, 7_000_000.0),
    ("mass", "mass"): (1, 30_000.0, 40_000.0),
    ("mass", "below_scale"): (1, 10_000.0, 5_000.0),
    ("emerging", "affluent"): (2, 250_000.0, 550_000.0),
    ("affluent", "emerging"): (1, 200_000.0, 199_999.99),
    ("affluent", "hnw"): (1, 999_999.99, 1_000_000.0),
    ("hnw", "affluent"): (1, 1_200_000.0, 900_000.0),
    ("hnw", "hnw"): (1, 2_000_000.0, 3_000_000.0),
    ("private", "hnw"): (1, 8_000_000.0, 4_000_000.0),
    ("private", "closed"): (1, 6_000_000.0, 0.0),
    ("large", "above_scale"): (1, 0.0, 0.0),
    ("medium", "emerging_market"): (1, 500_000.0, 600_000.0),
    ("small", "medium"): (1, 0.0, 0.0),
}


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture
def customers(store):
    insert_rows(store, "customers", ROWS)
    return store.table("customers")


@pytest.fixture
def tr(customers, rules):
    return transition(customers, rules=rules, from_date=D1, to_date=D2)


# -- move kinds --------------------------------------------------------------------------


def test_states_and_kinds():
    assert list(FROM_STATES) == ["new", *TIER_ORDER]
    assert list(TO_STATES) == [*TIER_ORDER, "closed"]
    assert list(MOVE_KINDS) == ["upgrade", "stable", "downgrade", "reclassified", "closed"]


def test_tier_codes_are_the_tiers_of_tier_expr(store, rules):
    # the engine carries tier_expr's tiers as integers; every threshold case must survive
    insert_rows(store, "customers", tier_fixture.rows())
    t = store.table("customers")
    df = t.select("customer_id", code=tier_code(t, rules), tier=tier_expr(t, rules)).to_pandas()
    assert (df["code"].map(dict(enumerate(STATES))) == df["tier"]).all()
    assert set(df["tier"]) == set(TIER_ORDER)


def test_tier_codes_fall_back_to_mapping_the_names(customers, rules, monkeypatch):
    # a tier expression whose shape the rewrite does not know is mapped name by name
    expected = transition(customers, rules=rules, from_date=D1, to_date=D2).counts

    def unknown(node):
        raise LookupError(node)

    monkeypatch.setattr(migration, "_recode", unknown)
    got = transition(customers, rules=rules, from_date=D1, to_date=D2).counts
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("mass", "private", "upgrade"),
        ("hnw", "affluent", "downgrade"),
        ("private", "private", "stable"),
        ("small", "strategic", "upgrade"),
        ("strategic", "large", "downgrade"),
        ("below_scale", "above_scale", "upgrade"),
        ("above_scale", "below_scale", "downgrade"),
        ("medium", "emerging_market", "reclassified"),  # another market: no ladder between them
        ("large", "above_scale", "reclassified"),  # repaid its loans
        ("mass", "below_scale", "reclassified"),  # retail -> corporate
        ("institution", "institution_no_loan", "reclassified"),
        ("real_estate", "real_estate", "stable"),
        ("hnw", "closed", "closed"),
        ("new", "mass", "new"),
    ],
)
def test_move_kind(a, b, kind):
    assert move_kind(a, b) == kind


def test_move_kind_refuses_unknown_states():
    with pytest.raises(ValueError, match="origin"):
        move_kind("closed", "mass")
    with pytest.raises(ValueError, match="destination"):
        move_kind("mass", "new")


# -- two snapshots -----------------------------------------------------------------------


def test_counts_cell_by_cell(tr):
    assert (tr.from_date, tr.to_date) == (D1, D2)
    got = {(r.from_state, r.to_state): (r.customers, r.aum_from, r.aum_to) for r in tr.counts.itertuples()}
    assert got.keys() == CELLS.keys()  # zero cells omitted
    for cell, (n, aum_from, aum_to) in CELLS.items():
        assert got[cell][0] == n, cell
        assert got[cell][1] == pytest.approx(aum_from), cell
        assert got[cell][2] == pytest.approx(aum_to), cell
    # rows in state order: new first, then the tiers in tier order
    assert list(tr.counts["from_state"].drop_duplicates())[:3] == ["new", "mass", "emerging"]


def test_boundary_values_move_tier(tr):
    m = tr.matrix()
    # F: exactly 200,000 (affluent) -> 199,999.99 (emerging); G: 999,999.99 -> exactly 1M (hnw)
    assert m.loc["affluent", "emerging"] == 1 and m.loc["affluent", "hnw"] == 1
    assert m.loc["affluent", "affluent"] == 0


def test_matrix_is_wide_in_fixed_order(tr):
    m = tr.matrix()
    assert list(m.columns) == list(TO_STATES)
    assert list(m.index) == [
        "new",
        "mass",
        "emerging",
        "affluent",
        "hnw",
        "private",
        "large",
        "medium",
        "small",
    ]
    assert m.to_numpy().sum() == 15 and m.dtypes.unique().tolist() == [np.dtype("int64")]
    assert m.loc["new"].sum() == 2 and m["closed"].sum() == 1
    compact = tr.matrix(compact=True)
    assert "strategic" not in compact.columns and "emerging_market" in compact.columns
    assert list(compact.columns)[-1] == "closed"


def test_row_shares(tr):
    s = tr.row_shares()
    assert np.allclose(s.sum(axis=1), 1.0)
    assert s.loc["new", "emerging"] == 0.5 and s.loc["new", "private"] == 0.5  # share of new customers
    assert s.loc["emerging", "affluent"] == 1.0
    assert s.loc["hnw", "affluent"] == 0.5 and s.loc["hnw", "hnw"] == 0.5
    assert s.loc["private", "closed"] == 0.5 and s.loc["private", "hnw"] == 0.5
    assert s.loc["mass", "below_scale"] == 0.5


def test_aum_matrix(tr):
    a = tr.aum_matrix()
    assert a.loc["emerging", "affluent"] == pytest.approx(250_000.0)
    assert a.loc["private", "closed"] == pytest.approx(6_000_000.0)
    assert a.loc["new"].sum() == 0.0  # new customers held nothing at D1
    to = tr.aum_matrix(at="to")
    assert to.loc["emerging", "affluent"] == pytest.approx(550_000.0)
    assert to.loc["new", "private"] == pytest.approx(7_000_000.0)
    assert to["closed"].sum() == 0.0
    assert to.to_numpy().sum() == pytest.approx(sum(v[2] for v in CELLS.values()))
    with pytest.raises(ValueError):
        tr.aum_matrix(at="mid")


def test_rates(tr):
    r = tr.rates()
    assert r["customers_from"] == 13 and r["customers_to"] == 14 and r["new_customers"] == 2
    expected = {"upgrade": 4, "stable": 2, "downgrade": 3, "reclassified": 3, "closed": 1}
    for kind, n in expected.items():
        assert r[f"{kind}_customers"] == n
        assert r[kind] == pytest.approx(n / 13)
    assert sum(r[k] for k in MOVE_KINDS) == pytest.approx(1.0)
    assert r["net_upgrades"] == 1
    assert r["closed_aum"] == pytest.approx(6_000_000.0)
    assert r["downgrade_aum"] == pytest.approx(1_200_000 + 200_000 + 8_000_000)


def test_scenario_rules_classify_the_later_snapshot(customers, rules):
    # With private from 3M at D2 only: K (4M) stays private, L (3M) becomes private.
    scenario = rules.with_values({"retail.private": 3_000_000})
    tr = transition(customers, rules=rules, from_date=D1, to_date=D2, to_rules=scenario)
    m = tr.matrix()
    assert m.loc["private", "private"] == 1 and m.loc["private", "hnw"] == 0
    assert m.loc["hnw", "private"] == 1 and m.loc["hnw", "hnw"] == 0
    assert m.loc["new", "private"] == 1  # N (7M) is private either way


def test_scoped_view_counts_a_branch_move_as_closed_and_new(customers, rules):
    b3 = transition(apply_filters(customers, Filters(branch="B3")), rules=rules, from_date=D1, to_date=D2)
    assert b3.matrix().loc["hnw", "closed"] == 1  # L left branch B3
    b2 = transition(apply_filters(customers, Filters(branch="B2")), rules=rules, from_date=D1, to_date=D2)
    assert b2.matrix().loc["new", "hnw"] == 1  # ... and arrived in B2


def test_empty_selection(customers, rules):
    none = transition(
        apply_filters(customers, Filters(segment="institution")), rules=rules, from_date=D1, to_date=D2
    )
    assert none.counts.empty and none.matrix().shape == (0, len(TO_STATES))
    assert math.isnan(none.rates()["upgrade"]) and none.rates()["customers_from"] == 0


def test_results_pickle_for_the_cache(tr, customers, rules):
    back = pickle.loads(pickle.dumps(tr))
    assert back.counts.equals(tr.counts) and (back.from_date, back.to_date) == (D1, D2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tr.from_date = D0


def test_migration_json_shape(customers, rules):
    out = migration_json(customers, rules=rules, from_date=D1, to_date=D2)
    assert json.loads(json.dumps(out)) == out
    assert set(out) == {"from", "to", "states", "counts"}
    assert (out["from"], out["to"]) == ("2026-08-31", "2026-09-30")
    assert out["states"][0] == "new" and out["states"][-1] == "closed"
    assert out["states"] == [
        "new",
        "mass",
        "emerging",
        "affluent",
        "hnw",
        "private",
        "large",
        "medium",
        "small",
        "emerging_market",
        "above_scale",
        "below_scale",
        "closed",
    ]
    flat = {(f, t): n for f, row in out["counts"].items() for t, n in row.items()}
    assert flat == {cell: v[0] for cell, v in CELLS.items()}
    assert all(type(n) is int for n in flat.values())


# -- where it happens ------------------------------------------------------------------------


def test_transition_by_branch(customers, rules):
    df = transition_by_unit(customers, rules=rules, from_date=D1, to_date=D2, level="branch")
    assert list(df["name"]) == ["B3", "B2", "B1"]  # by net upgrades
    by = df.set_index("name")
    cols = ["customers_from", "upgrades", "downgrades", "stable", "reclassified", "closed", "new"]
    # L moved from B3 to B2: it counts in B3, where it was
    assert by.loc["B1", cols].tolist() == [4, 1, 3, 0, 0, 0, 1]  # A up; B, F, K down; N new
    assert by.loc["B2", cols].tolist() == [3, 1, 0, 0, 1, 1, 0]  # J up; I reclassified; C closed
    assert by.loc["B3", cols].tolist() == [6, 2, 0, 2, 2, 0, 1]  # G, P up; D, L stable; H, O; E new
    assert by["net_upgrades"].tolist() == [2, 1, -2]
    assert by.loc["B1", "upgrade_rate"] == pytest.approx(1 / 4)
    assert by.loc["B1", "downgrade_rate"] == pytest.approx(3 / 4)
    assert by.loc["B2", "closure_rate"] == pytest.approx(1 / 3)
    assert by.loc["B3", "closure_rate"] == 0.0
    assert by["high_tier_losses"].tolist() == [0, 1, 1]  # C in B2, B in B1 (K is still hnw)
    assert by.loc["B2", "high_tier_loss_aum"] == pytest.approx(6_000_000.0)
    assert by.loc["B1", "high_tier_loss_aum"] == pytest.approx(1_200_000.0)


def test_transition_by_region_and_rm(customers, rules):
    region = transition_by_unit(customers, rules=rules, from_date=D1, to_date=D2, level="region")
    by = region.set_index("name")
    assert by.loc["R1", "customers_from"] == 7 and by.loc["R2", "customers_from"] == 6
    assert by["customers_from"].sum() == 13 and by["new"].sum() == 2
    rm = transition_by_unit(customers, rules=rules, from_date=D1, to_date=D2, level="rm_id")
    assert set(rm["name"]) == {"M1", "M2", "M3", "M4"}
    m2 = rm.set_index("name").loc["M2"]
    assert (m2["downgrades"], m2["high_tier_losses"], m2["net_upgrades"]) == (2, 1, -2)
    with pytest.raises(ValueError):
        transition_by_unit(customers, rules=rules, from_date=D1, to_date=D2, level="desk")


def test_unit_of_a_customer_is_where_they_were(store, rules):
    # a missing unit is "unassigned"; a present customer keeps their earlier unit even
    # when it was missing and the later one is known
    insert_rows(
        store,
        "customers",
        [
            _row(D1, "x", None, None, None, 100_000.0),
            _row(D2, "x", "R1", "B1", "M1", 300_000.0),
            _row(D2, "y", "R1", "B1", "M1", 10_000.0),
        ],
    )
    df = transition_by_unit(store.table("customers"), rules=rules, from_date=D1, to_date=D2)
    by = df.set_index("name")
    assert by.loc["unassigned", ["customers_from", "upgrades", "new"]].tolist() == [1, 1, 0]
    assert by.loc["B1", ["customers_from", "new"]].tolist() == [0, 1]
    assert math.isnan(by.loc["B1", "upgrade_rate"])  # only new customers: no rates


def test_high_tier_losses_list(customers, rules):
    df = high_tier_losses(customers, rules=rules, from_date=D1, to_date=D2)
    assert list(df.columns) == [
        "customer_id",
        "customer_name",
        "from_tier",
        "to_state",
        "aum_from",
        "aum_to",
        "region",
        "branch",
        "rm_id",
    ]
    assert list(df["customer_id"]) == ["C", "B"]  # largest previous AUM first
    c, b = df.iloc[0], df.iloc[1]
    assert (c["from_tier"], c["to_state"], c["aum_from"], c["aum_to"]) == ("private", "closed", 6 * M, 0.0)
    assert (c["region"], c["branch"], c["rm_id"], c["customer_name"]) == ("R1", "B2", "M3", "Customer C")
    assert (b["from_tier"], b["to_state"], b["aum_to"]) == ("hnw", "affluent", 900_000.0)
    # following private alone, private -> hnw is a loss too
    private = high_tier_losses(customers, rules=rules, from_date=D1, to_date=D2, tiers=("private",))
    assert list(private["customer_id"]) == ["K", "C"]
    assert len(high_tier_losses(customers, rules=rules, from_date=D1, to_date=D2, limit=1)) == 1


# -- many snapshots ----------------------------------------------------------------------------
#
# Retail only; mass (m) 10,000, emerging (e) 100,000, affluent (a) 500,000; "-" = absent.
#
#   id   D0 D1 D2      pair 0 (D0 -> D1)   pair 1 (D1 -> D2)
#   c1   m  m  m       m->m                m->m
#   c2   m  e  e       m->e                e->e
#   c3   m  m  -       m->m                m->closed
#   c4   e  e  a       e->e                e->a
#   c5   e  m  m       e->m                m->m
#   c6   e  a  a       e->a                a->a
#   c7   a  a  a       a->a                a->a
#   c8   a  e  -       a->e                e->closed
#   c9   -  m  m       new->m              m->m
#   c10  -  -  e                           new->e
#   c11  -  e  a       new->e              e->a
#   c12  m  -  m       m->closed           new->m
#
# Pooled: mass row m 5, e 1, closed 2 (n = 8); emerging row m 1, e 2, a 3, closed 1 (n = 7);
# affluent row e 1, a 3 (n = 4). New: 2 mass and 2 emerging over 2 months -> inflow 1, 1, 0.

AUM = {"m": 10_000.0, "e": 100_000.0, "a": 500_000.0}
PATHS = {
    "c1": "mmm",
    "c2": "mee",
    "c3": "mm-",
    "c4": "eea",
    "c5": "emm",
    "c6": "eaa",
    "c7": "aaa",
    "c8": "ae-",
    "c9": "-mm",
    "c10": "--e",
    "c11": "-ea",
    "c12": "m-m",
}
COUNTS = np.array([[5, 1, 0, 2], [1, 2, 3, 1], [0, 1, 3, 0]], dtype=float)  # columns m, e, a, closed
TIERS3 = ("mass", "emerging", "affluent")


@pytest.fixture
def history(store):
    rows = [
        _row(date, cid, "R1", "B1", "M1", AUM[s])
        for cid, path in PATHS.items()
        for date, s in zip((D0, D1, D2), path, strict=True)
        if s != "-"
    ]
    insert_rows(store, "customers", rows)
    return store.table("customers")


def test_cohort_estimator_pools_the_months(history, rules):
    avg = average_transition(history, rules=rules, snapshot_dates=(D0, D1, D2))
    assert avg.tiers == TIERS3 and avg.pairs == 2 and avg.snapshot_dates == (D0, D1, D2)
    assert list(avg.matrix.columns) == [*TIERS3, "closed"]
    assert np.array_equal(avg.counts.to_numpy(), COUNTS)
    assert avg.exposure.tolist() == [8, 7, 4]
    hand = COUNTS / COUNTS.sum(axis=1, keepdims=True)
    assert np.allclose(avg.matrix.to_numpy(), hand)
    assert avg.matrix.loc["mass", "closed"] == pytest.approx(2 / 8)
    assert avg.matrix.loc["emerging", "affluent"] == pytest.approx(3 / 7)
    assert avg.inflow.tolist() == [1.0, 1.0, 0.0]
    assert np.allclose(avg.q.sum(axis=1), [6 / 8, 6 / 7, 1.0])


def test_cohort_counts_equal_the_pairwise_matrices(history, rules):
    avg = average_transition(history, rules=rules, snapshot_dates=(D0, D1, D2))
    total = sum(
        transition(history, rules=rules, from_date=a, to_date=b).matrix().drop(index="new")
        for a, b in ((D0, D1), (D1, D2))
    )
    total = total.reindex(index=list(TIERS3), columns=[*TIERS3, "closed"], fill_value=0)
    assert np.array_equal(total.to_numpy(), avg.counts.to_numpy())


def _wilson(k, n, confidence):
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    centre = (k + z * z / 2) / (n + z * z)
    half = z / (n + z * z) * math.sqrt(k * (n - k) / n + z * z / 4)
    return centre - half, centre + half


def test_wilson_intervals_against_the_formula(history, rules):
    avg = average_transition(history, rules=rules, snapshot_dates=(D0, D1, D2), confidence=0.9)
    assert avg.ci_method == "wilson" and avg.confidence == 0.9
    for i, tier in enumerate(TIERS3):
        n = COUNTS[i].sum()
        for j, to in enumerate([*TIERS3, "closed"]):
            lo, hi = _wilson(COUNTS[i, j], n, 0.9)
            assert avg.lower.loc[tier, to] == pytest.approx(max(lo, 0.0), abs=1e-12), (tier, to)
            assert avg.upper.loc[tier, to] == pytest.approx(min(hi, 1.0), abs=1e-12), (tier, to)
    assert avg.lower.loc["mass", "mass"] < 5 / 8 < avg.upper.loc["mass", "mass"]
    assert avg.lower.loc["affluent", "mass"] == 0.0 and avg.upper.loc["affluent", "mass"] > 0.0
    long = avg.long()
    assert len(long) == 12
    row = long[(long["from_state"] == "emerging") & (long["to_state"] == "affluent")].iloc[0]
    assert (row["customers"], row["exposure"]) == (3, 7)
    assert row["p"] == pytest.approx(3 / 7) and row["lower"] == avg.lower.loc["emerging", "affluent"]


def test_goodman_intervals_against_the_formula(history, rules):
    avg = average_transition(history, rules=rules, snapshot_dates=(D0, D1, D2), ci_method="goodman")
    cells = COUNTS.shape[1]
    # chi-square (1 df) quantile at 1 - alpha / cells = z^2 at 1 - alpha / (2 cells)
    a = NormalDist().inv_cdf(1 - 0.05 / (2 * cells)) ** 2
    for i, tier in enumerate(TIERS3):
        n = COUNTS[i].sum()
        for j, to in enumerate([*TIERS3, "closed"]):
            k = COUNTS[i, j]
            root = math.sqrt(a * (a + 4 * k * (n - k) / n))
            assert avg.lower.loc[tier, to] == pytest.approx((a + 2 * k - root) / (2 * (n + a))), (tier, to)
            assert avg.upper.loc[tier, to] == pytest.approx((a + 2 * k + root) / (2 * (n + a))), (tier, to)


def test_many_snapshots_of_an_empty_selection(history, rules):
    empty = apply_filters(history, Filters(segment="institution"))
    avg = average_transition(empty, rules=rules, snapshot_dates=(D0, D1, D2))
    assert avg.tiers == () and avg.long().empty and avg.inflow.empty
    assert project(avg, pd.Series(dtype="float64"), months=3).empty
    assert stationary_mix(avg).empty


def test_average_transition_refuses_bad_input(history, rules):
    with pytest.raises(ValueError, match="two"):
        average_transition(history, rules=rules, snapshot_dates=(D0,))
    with pytest.raises(ValueError, match="ascending"):
        average_transition(history, rules=rules, snapshot_dates=(D1, D0))
    with pytest.raises(ValueError, match="ci_method"):
        average_transition(history, rules=rules, snapshot_dates=(D0, D1), ci_method="exact")


def test_projection_without_inflow_is_the_matrix_power(history, rules):
    avg = average_transition(history, rules=rules, snapshot_dates=(D0, D1, D2))
    avg0 = dataclasses.replace(avg, inflow=avg.inflow * 0)
    q = (COUNTS / COUNTS.sum(axis=1, keepdims=True))[:, :3]
    start = pd.Series({"mass": 40.0, "emerging": 30.0, "affluent": 20.0})
    df = project(avg0, start, months=6)
    assert list(df["month"].unique()) == list(range(7))
    for t in range(7):
        hand = start.to_numpy() @ np.linalg.matrix_power(q, t)
        got = df[df["month"] == t].set_index("tier").loc[list(TIERS3)]
        assert np.allclose(got["customers"].to_numpy(), hand)
        assert np.allclose(got["share"].to_numpy(), hand / hand.sum())
    assert df[df["month"] == 0]["customers"].tolist() == [40.0, 30.0, 20.0]


def test_projection_with_inflow(history, rules):
    avg = average_transition(history, rules=rules, snapshot_dates=(D0, D1, D2))
    q = (COUNTS / COUNTS.sum(axis=1, keepdims=True))[:, :3]
    inflow = np.array([1.0, 1.0, 0.0])
    start = pd.Series({"mass": 4, "emerging": 4, "affluent": 2})
    df = project(avg, start, months=12)
    for t in (1, 2, 12):
        # N_t = N_0 Q^t + inflow (I + Q + ... + Q^(t-1))
        hand = start.to_numpy() @ np.linalg.matrix_power(q, t)
        hand = hand + inflow @ sum(np.linalg.matrix_power(q, k) for k in range(t))
        got = df[df["month"] == t].set_index("tier").loc[list(TIERS3), "customers"].to_numpy()
        assert np.allclose(got, hand)
    one = df[df["month"] == 1].set_index("tier")["customers"]
    assert one["mass"] == pytest.approx(4 * 5 / 8 + 4 * 1 / 7 + 1)  # stayers + movers + inflow


def test_stationary_mix_solves_the_steady_state(history, rules):
    avg = average_transition(history, rules=rules, snapshot_dates=(D0, D1, D2))
    q = (COUNTS / COUNTS.sum(axis=1, keepdims=True))[:, :3]
    steady = np.array([1.0, 1.0, 0.0]) @ np.linalg.inv(np.eye(3) - q)
    mix = stationary_mix(avg)
    assert mix.attrs["method"] == "inflow"
    assert mix.attrs["customers"] == pytest.approx(steady.sum())
    assert np.allclose(mix.loc[list(TIERS3)].to_numpy(), steady / steady.sum())
    # the projection converges to it
    far = project(avg, pd.Series({"mass": 4, "emerging": 4, "affluent": 2}), months=400)
    assert np.allclose(far[far["month"] == 400]["share"].to_numpy(), mix.to_numpy(), atol=1e-6)


def test_stationary_mix_fallback_without_inflow(history, rules):
    avg = average_transition(history, rules=rules, snapshot_dates=(D0, D1, D2))
    mix = stationary_mix(dataclasses.replace(avg, inflow=avg.inflow * 0))
    assert mix.attrs["method"] == "renormalised" and math.isnan(mix.attrs["customers"])
    q = (COUNTS / COUNTS.sum(axis=1, keepdims=True))[:, :3]
    p = q / q.sum(axis=1, keepdims=True)
    # pi P = pi, sum pi = 1: replace one equation of (P^T - I) pi = 0 by the sum
    a = p.T - np.eye(3)
    a[-1] = 1.0
    pi = np.linalg.solve(a, [0.0, 0.0, 1.0])
    assert np.allclose(mix.to_numpy(), pi)
    assert mix.sum() == pytest.approx(1.0)


def test_stationary_mix_fallback_when_a_tier_never_leaves(history, rules):
    avg = average_transition(history, rules=rules, snapshot_dates=(D0, D1, D2))
    # affluent customers never move or close: I - Q is singular
    matrix = avg.matrix.copy()
    matrix.loc["affluent"] = [0.0, 0.0, 1.0, 0.0]
    mix = stationary_mix(dataclasses.replace(avg, matrix=matrix))
    assert mix.attrs["method"] == "renormalised"
    assert mix.to_dict() == pytest.approx({"mass": 0.0, "emerging": 0.0, "affluent": 1.0}, abs=1e-9)


def test_backtest_one_month_from_the_middle(history, rules):
    df = backtest(history, rules=rules, snapshot_dates=(D0, D1, D2), origin=D1, horizon=1)
    # estimated from pair 0 only: mass row 2/4 m, 1/4 e, 1/4 closed; emerging 1/3 each to
    # m, e, a; affluent 1/2 a, 1/2 e; inflow 1 mass, 1 emerging. D1 mix: m 4, e 4, a 2.
    projected = [4 / 2 + 4 / 3 + 1, 4 / 4 + 4 / 3 + 2 / 2 + 1, 4 / 3 + 2 / 2]
    actual = [4, 2, 4]  # D2: c1, c5, c9, c12 mass; c2, c10 emerging; c4, c6, c7, c11 affluent
    assert list(df["tier"]) == list(TIERS3)
    assert np.allclose(df["projected"], projected)
    assert np.allclose(df["actual"], actual)
    assert np.allclose(df["projected_share"], np.array(projected) / 11)
    assert np.allclose(df["actual_share"], np.array(actual) / 10)
    errors = np.abs(np.array(projected) / 11 - np.array(actual) / 10)
    assert np.allclose(df["abs_share_error"], errors)
    assert df.attrs["mean_abs_share_error"] == pytest.approx(errors.mean())
    assert (df.attrs["target_date"], df.attrs["pairs"], df.attrs["horizon"]) == (D2, 1, 1)


def test_backtest_of_an_unchanging_portfolio_is_exact(store, rules):
    rows = [
        _row(d, cid, "R1", "B1", "M1", aum)
        for d in (D0, D1, D2)
        for cid, aum in (("x", 10_000.0), ("y", 100_000.0), ("z", 2_000_000.0))
    ]
    insert_rows(store, "customers", rows)
    df = backtest(store.table("customers"), rules=rules, snapshot_dates=(D0, D1, D2), origin=D1, horizon=1)
    assert df["projected"].tolist() == df["actual"].tolist() == [1.0, 1.0, 1.0]
    assert df.attrs["mean_abs_share_error"] == 0.0


def test_backtest_without_the_target_snapshot(history, rules):
    df = backtest(history, rules=rules, snapshot_dates=(D0, D1, D2), origin=D1, horizon=2)
    assert df.attrs["target_date"] is None and math.isnan(df.attrs["mean_abs_share_error"])
    assert df["actual"].isna().all() and df["projected"].notna().all()
    with pytest.raises(ValueError, match="earlier"):
        backtest(history, rules=rules, snapshot_dates=(D0, D1, D2), origin=D0, horizon=1)


# -- the customer key ------------------------------------------------------------------------
#
# The snapshots are joined on customer_key (the integer the loader gives each customer id)
# when every row has one, on customer_id otherwise. Same pairs, so the same numbers.


def _keyless(store):
    """The fixture's customers with one D2 row's key taken away (a row written by hand)."""
    store.raw().execute(
        f"UPDATE customers SET customer_key = NULL WHERE customer_id = 'E' AND snapshot_date = '{D2}'"
    )
    return store.table("customers")


def test_the_join_is_on_the_key_when_every_row_has_one(customers, store, rules):
    # insert_rows keys the rows as a load does: A..P in id order, the same key in both snapshots
    keys = dict(store.raw().execute("SELECT DISTINCT customer_id, customer_key FROM customers").fetchall())
    assert len(keys) == 15 and sorted(keys.values()) == list(range(1, 16))
    assert (keys["A"], keys["P"]) == (1, 15)
    assert migration._join_column(customers, (D1, D2)) == "customer_key"
    sql = ibis.to_sql(migration._joined(customers, rules=rules, to_rules=None, from_date=D1, to_date=D2))
    assert '"customer_key"' in sql and '"customer_id"' not in sql
    # no key column (tables made by hand, a lake without it): the text id
    assert migration._join_column(customers.drop("customer_key"), (D1, D2)) == "customer_id"
    # a row of either snapshot without a key: the text id, for that pair only
    keyless = _keyless(store)
    assert migration._join_column(keyless, (D1, D2)) == "customer_id"
    assert migration._join_column(keyless, (D0, D1)) == "customer_key"


def test_the_same_numbers_with_and_without_the_key(customers, store, rules):
    kw = dict(rules=rules, from_date=D1, to_date=D2)
    keyed = transition(customers, **kw)
    by_id = transition(customers.drop("customer_key"), **kw)
    # cell by cell, customers and AUM
    pd.testing.assert_frame_equal(keyed.counts, by_id.counts)
    cells = {
        (r.from_state, r.to_state): (r.customers, r.aum_from, r.aum_to) for r in keyed.counts.itertuples()
    }
    assert cells == CELLS
    for level in ("region", "branch", "rm_id"):
        pd.testing.assert_frame_equal(
            transition_by_unit(customers, **kw, level=level),
            transition_by_unit(customers.drop("customer_key"), **kw, level=level),
        )
    pd.testing.assert_frame_equal(
        high_tier_losses(customers, **kw), high_tier_losses(customers.drop("customer_key"), **kw)
    )
    assert list(high_tier_losses(customers, **kw)["customer_id"]) == ["C", "B"]
    # a scoped view: L moved from B3 to B2, closed in B3's view and new in B2's, either way
    for branch in ("B2", "B3"):
        view = apply_filters(customers, Filters(branch=branch))
        pd.testing.assert_frame_equal(
            transition(view, **kw).counts, transition(view.drop("customer_key"), **kw).counts
        )
    # a row without a key: the join falls back to the id, and the numbers stay the same
    pd.testing.assert_frame_equal(transition(_keyless(store), **kw).counts, keyed.counts)


def test_the_same_average_matrix_and_backtest_with_and_without_the_key(history, rules):
    kw = dict(rules=rules, snapshot_dates=(D0, D1, D2))
    a, b = average_transition(history, **kw), average_transition(history.drop("customer_key"), **kw)
    pd.testing.assert_frame_equal(a.counts, b.counts)
    pd.testing.assert_series_equal(a.inflow, b.inflow)
    assert a.counts.to_numpy().tolist() == COUNTS[:, :4].astype(int).tolist()
    pd.testing.assert_frame_equal(
        backtest(history, **kw, origin=D1, horizon=1),
        backtest(history.drop("customer_key"), **kw, origin=D1, horizon=1),
    )


def test_a_table_without_the_key_column(store, rules):
    # a table made without customer_key (as test fixtures and other engines have them)
    insert_rows(store, "customers", ROWS)
    store.raw().execute("CREATE TABLE plain AS SELECT * EXCLUDE (customer_key) FROM customers")
    plain = store.backend.table("plain")
    assert "customer_key" not in plain.columns
    tr = transition(plain, rules=rules, from_date=D1, to_date=D2)
    cells = {(r.from_state, r.to_state): (r.customers, r.aum_from, r.aum_to) for r in tr.counts.itertuples()}
    assert cells == CELLS


# -- portability ---------------------------------------------------------------------------


# The local PySpark backend and the Parquet hand-over of test_spark.py (its tests are slow).
from tests.analytics.test_spark import _to_spark, spark  # noqa: E402, F401, F811


@pytest.mark.slow
def test_the_same_numbers_on_spark(spark, store, rules):  # noqa: F811 (the fixture above)
    # the integer tier codes are a rewrite of tier_expr's Ibis expression: backend-neutral
    insert_rows(store, "customers", ROWS)
    remote = _to_spark(spark, store, "migration_customers")
    local = store.table("customers")
    kw = dict(rules=rules, from_date=D1, to_date=D2)
    pd.testing.assert_frame_equal(transition(remote, **kw).counts, transition(local, **kw).counts)
    pd.testing.assert_frame_equal(
        transition_by_unit(remote, **kw, level="rm_id"), transition_by_unit(local, **kw, level="rm_id")
    )
    pd.testing.assert_frame_equal(high_tier_losses(remote, **kw), high_tier_losses(local, **kw))
    # the Parquet file has customer_key; without it Spark joins on customer_id, same numbers
    pd.testing.assert_frame_equal(
        transition(remote.drop("customer_key"), **kw).counts, transition(local, **kw).counts
    )


@pytest.mark.slow
def test_the_same_average_matrix_on_spark(spark, history, store, rules):  # noqa: F811
    remote = _to_spark(spark, store, "migration_history")
    kw = dict(rules=rules, snapshot_dates=(D0, D1, D2))
    a, b = average_transition(remote, **kw), average_transition(history, **kw)
    pd.testing.assert_frame_equal(a.counts, b.counts)
    pd.testing.assert_series_equal(a.inflow, b.inflow)
