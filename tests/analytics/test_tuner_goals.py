"""Tuner analytics on a hand fixture: counts, movers, workload and suggestions meeting their goal.

Retail customers (default rules): A 100,000 emerging (B1), B 250,000 affluent (B1),
C 1,200,000 hnw (B1), D 3,500,000 hnw (B2), E 6,000,000 private (B2), F 30,000 mass (B2).
Retail AUM 11,080,000: E holds 54.2%, D + E 86.2%.
"""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import tuner
from analytics.errors import RulesError
from analytics.rules import load_rules
from tests.conftest import insert_rows

D = dt.date(2026, 9, 30)
AUM = {"A": 100_000.0, "B": 250_000.0, "C": 1_200_000.0, "D": 3_500_000.0, "E": 6_000_000.0, "F": 30_000.0}
BRANCH = {"A": "B1", "B": "B1", "C": "B1", "D": "B2", "E": "B2", "F": "B2"}


@pytest.fixture
def index(store):
    rows = [
        dict(snapshot_date=D, customer_id=c, segment="retail", aum=a, branch=BRANCH[c], rm_id=f"M{BRANCH[c]}")
        for c, a in AUM.items()
    ]
    insert_rows(store, "customers", rows)
    rules = load_rules()
    return store, rules, tuner.prepare(store.table("customers"), rules=rules, snapshot_date=D)


def test_counts_movers_and_workload(index):
    store, rules, idx = index
    scen = tuner.scenario_rules(rules, {"retail.private": 3_500_000})  # D exactly on the new bar
    sim = tuner.simulate(idx, baseline=rules, scenario=scen)
    t = sim.tiers.set_index("tier")
    assert t.loc["hnw", ["baseline_customers", "scenario_customers"]].tolist() == [2, 1]
    assert t.loc["private", ["baseline_aum", "scenario_aum"]].tolist() == [6_000_000.0, 9_500_000.0]
    assert sim.moved_customers == 1
    movers = tuner.movers(
        store.table("customers"), baseline=rules, scenario=scen, snapshot_date=D, limit=None
    )
    assert movers[["customer_id", "baseline_tier", "scenario_tier"]].values.tolist() == [
        ["D", "hnw", "private"]
    ]
    # hours: affluent/hnw 24 contacts x 0.5 + 2 events x 1.5 = 15; private 12 + 4.5 + 8 = 24.5
    w = sim.workload.set_index("branch")
    assert w["baseline_hours"].to_dict() == {"B1": 30.0, "B2": 39.5}
    assert w["scenario_hours"].to_dict() == {"B1": 30.0, "B2": 49.0}
    assert sim.workload_total["scenario_managers_needed"] == pytest.approx(79.0 / 1200)


def test_aum_share_goal_is_met_at_the_highest_threshold(index):
    _, rules, idx = index
    s = tuner.suggest(idx, baseline=rules, goal="tier_aum_share", target=0.8, tier="private")
    # E alone holds 54.2% < 80%: D must be private too, so the threshold is D's 3,500,000
    assert s.met and s.assignments == {"retail.private": 3_500_000.0}
    assert s.achieved == pytest.approx(9_500_000 / 11_080_000)
    one_more = rules.with_values({"retail.private": 3_501_000})
    sim = tuner.simulate(idx, baseline=rules, scenario=one_more)
    private = sim.tiers.set_index("tier").loc["private", "scenario_aum"]
    assert private / 11_080_000 < 0.8  # a step higher would not meet it


def test_customer_share_goal(index):
    _, rules, idx = index
    s = tuner.suggest(idx, baseline=rules, goal="tier_customer_share", target=0.5, tier="affluent")
    # 3 of 6 customers: the 3rd-largest is C at 1,200,000, but affluent must stay below hnw
    # (1,000,000): clamped to 999,000, where C, D and E (3 of 6) are still affluent or above
    assert s.assignments == {"retail.affluent": 999_000.0}
    assert s.met and s.achieved == pytest.approx(3 / 6)


def test_managers_goal(index):
    _, rules, idx = index
    # B, C, D at 15 h + E (private) at 24.5 h = 69.5 h = 0.0579 managers: the rules fit 0.06
    assert tuner.suggest(idx, baseline=rules, goal="managers", target=0.06).assignments == {
        "retail.affluent": 200_000.0
    }
    # to fit 0.05, B (250,000, exactly on the bar) must drop out: 54.5 h = 0.0454 managers
    s = tuner.suggest(idx, baseline=rules, goal="managers", target=0.05)
    assert s.met and s.assignments == {"retail.affluent": 251_000.0}
    assert s.achieved == pytest.approx(54.5 / 1200)
    impossible = tuner.suggest(idx, baseline=rules, goal="managers", target=0.01)
    assert not impossible.met


@pytest.mark.parametrize(
    ("goal", "target", "tier"),
    [("nonsense", 0.5, "private"), ("tier_aum_share", 1.5, "private"), ("tier_aum_share", 0.5, "mass")],
)
def test_bad_goals(index, goal, target, tier):
    _, rules, idx = index
    with pytest.raises(RulesError):
        tuner.suggest(idx, baseline=rules, goal=goal, target=target, tier=tier)
