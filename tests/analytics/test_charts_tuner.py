"""The tuner's chart builders on a small simulation whose numbers are written out."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics import charts
from analytics.rules import TIER_ORDER
from analytics.tiers import TIER_SEGMENT


def _tiers() -> pd.DataFrame:
    base = dict.fromkeys(TIER_ORDER, 0) | {"mass": 10, "affluent": 4, "hnw": 3, "private": 1, "large": 2}
    scen = dict(base) | {"hnw": 2, "private": 2}
    frame = pd.DataFrame({"segment": [TIER_SEGMENT[x] for x in TIER_ORDER], "tier": list(TIER_ORDER)})
    frame["baseline_customers"] = [base[x] for x in TIER_ORDER]
    frame["scenario_customers"] = [scen[x] for x in TIER_ORDER]
    frame["baseline_aum"] = frame["baseline_customers"] * 1_000_000.0
    frame["scenario_aum"] = frame["scenario_customers"] * 1_000_000.0
    frame["baseline_profit"] = frame["baseline_customers"] * 10.0
    frame["scenario_profit"] = frame["scenario_customers"] * 10.0
    return frame


def test_tier_bars_keep_the_tier_order_and_leave_empty_tiers_out():
    fig = charts.tuner_tier_bars(_tiers(), measure="customers", subtitle="Snapshot 2026-09-30")
    assert [b.name for b in fig.data] == ["Current rules", "Scenario"]
    assert list(fig.data[0].x) == ["Mass", "Affluent", "High net worth", "Private banking", "Large"]
    assert list(fig.data[0].y) == [10, 4, 3, 1, 2]
    assert list(fig.data[1].y) == [10, 4, 2, 2, 2]
    assert (
        fig.layout.title.text
        == "Customers per tier: current rules vs scenario<br><sup>Snapshot 2026-09-30</sup>"
    )


def test_tier_bars_in_money_units():
    fig = charts.tuner_tier_bars(_tiers(), measure="aum", lang="en")
    assert fig.layout.yaxis.title.text.endswith("M")  # millions of CNY
    assert list(fig.data[0].y)[:2] == [10.0, 4.0]
    zh = charts.tuner_tier_bars(_tiers(), measure="aum", lang="zh")
    assert "万" in zh.layout.yaxis.title.text  # 10,000,000 CNY = 1,000 万
    with pytest.raises(ValueError):
        charts.tuner_tier_bars(_tiers(), measure="nonsense")


def test_movement_heatmap_orders_both_axes_and_greys_the_diagonal():
    movement = pd.DataFrame(
        {
            "from_tier": ["private", "hnw", "hnw", "mass"],
            "to_tier": ["private", "hnw", "private", "mass"],
            "customers": [1, 2, 1, 10],
            "aum": [6e6, 4e6, 3.5e6, 1e5],
            "profit": [0.0, 0.0, 0.0, 0.0],
        }
    )
    fig = charts.tuner_movement_heatmap(movement)
    moves, stays = fig.data
    assert list(moves.y) == ["Mass", "High net worth", "Private banking"]
    assert list(moves.x) == ["Mass", "High net worth", "Private banking"]
    z = np.array(moves.z, dtype=float)
    assert z[1, 2] == 1 and math.isnan(z[1, 1])  # the move hnw -> private; the diagonal apart
    assert np.array(stays.z, dtype=float)[0, 0] == 10
    assert fig.layout.yaxis.autorange == "reversed"  # first tier on top


def test_workload_bars_largest_need_first_with_the_managers_there():
    work = pd.DataFrame(
        {
            "branch": ["B1", "B2", "B3"],
            "managers": [2, 1, 4],
            "baseline_managers_needed": [0.5, 1.0, 2.0],
            "scenario_managers_needed": [0.5, 1.5, 1.8],
        }
    )
    fig = charts.tuner_workload_bars(work, limit=2)
    # the two branches needing the most under the scenario; plotly draws the first at the bottom
    assert list(fig.data[1].y) == ["B2", "B3"]
    assert list(fig.data[1].x) == [1.5, 1.8]
    assert list(fig.data[2].x) == [1, 4]


def test_empty_inputs_are_a_message():
    empty = _tiers().assign(baseline_customers=0, scenario_customers=0)
    assert charts.tuner_tier_bars(empty).layout.annotations
    assert charts.tuner_movement_heatmap(
        pd.DataFrame(columns=["from_tier", "to_tier", "customers", "aum"])
    ).layout.annotations
