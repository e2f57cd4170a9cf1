"""Service-standards chart builders on small hand-made frames: bars in the frame's order with the
requirement and the group in the label, shares in %, colours by target, a target tick per bar;
the league best on top with the unit's name to drill into and the target line; Chinese labels;
a message (not an error) when there is nothing to draw."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics import charts

SUB = "Snapshot 2026-09-30 · Head office · Rules: default v1"

BY_TIER = pd.DataFrame(
    [
        # measure, standard, kind, tier, tiers, required, target, customers, met, share, meets, shortfall
        ("contacts", "contacts", "customer", "affluent", "affluent", 2, 1.0, 4, 3, 0.75, False, 1),
        ("events", "events", "customer", "private", "private", 3, 1.0, 2, 2, 1.0, True, 0),
        (
            "senior_visits",
            "senior_visits",
            "customer",
            "private",
            "private",
            2,
            1.0,
            0,
            0,
            math.nan,
            pd.NA,
            0,
        ),
        (
            "profile_coverage.emerging",
            "profile_coverage",
            "portfolio",
            "emerging",
            "emerging,affluent,hnw,private",
            pd.NA,
            0.8,
            10,
            8,
            0.8,
            True,
            0,
        ),
    ],
    columns=[
        "measure",
        "standard",
        "kind",
        "tier",
        "tiers",
        "required",
        "target",
        "customers",
        "met",
        "share",
        "meets_target",
        "shortfall",
    ],
).astype({"required": "Int64", "meets_target": "boolean"})

LEAGUE = pd.DataFrame(
    {
        "name": ["R1", "R2", "R3"],
        "retail_customers": [7, 4, 2],
        "in_scope": [4, 3, 1],
        "not_served": [1, 3, 0],
        "not_served_aum": [5e5, 1.1e7, 0.0],
        "score": [0.95, 0.5, 1.0],
        "measures_met": [7, 1, 3],
        "measures_applicable": [8, 8, 3],
        "contacts": [0.75, 2 / 3, 1.0],
        "key_products": [1.0, 0.6, math.nan],
    }
)


def test_group_and_measure_labels():
    assert charts.standard_group_label("private") == "Private banking"
    assert charts.standard_group_label("affluent,hnw,private") == "Affluent and above"
    assert charts.standard_group_label(["mass", "private"]) == "Mass + Private banking"
    assert charts.standard_group_label("hnw,private", "zh") == "高净值客户及以上"
    assert charts.standard_measure_label("score") == "Combined score"
    assert charts.standard_measure_label("contacts") == "Contacts"
    assert (
        charts.standard_measure_label("profile_coverage.hnw") == "Profile coverage · High net worth and above"
    )
    assert (
        charts.standard_measure_label("profile_coverage.affluent", lang="zh") == "建档覆盖率 · 富裕客户及以上"
    )


def test_tier_bars_rows_values_colours_and_targets():
    fig = charts.standards_tier_bars(BY_TIER, subtitle=SUB)
    assert fig.layout.title.text == f"Service standards: share of customers meeting each<br><sup>{SUB}</sup>"
    bars, ticks = fig.data
    # plotly draws the first category at the bottom: the frame's first row is listed last
    assert list(bars.y) == [
        "Profile coverage · Emerging and above",
        "Senior visits ≥ 2 a year · Private banking",
        "Events ≥ 3 a year · Private banking",
        "Contacts ≥ 2 a month · Affluent",
    ]
    assert list(bars.x) == pytest.approx([80.0, 0.0, 100.0, 75.0])
    assert list(bars.marker.color) == [
        charts.STANDARD_MET_COLOUR,  # 80% of an 80% target
        charts.STANDARD_EMPTY_COLOUR,  # no customers
        charts.STANDARD_MET_COLOUR,
        charts.STANDARD_MISSED_COLOUR,  # 3 of 4
    ]
    assert list(bars.text) == ["80.0% (8 / 10)", "no customers", "100.0% (2 / 2)", "75.0% (3 / 4)"]
    assert list(ticks.x) == pytest.approx([80.0, 100.0, 100.0, 100.0]) and ticks.name == "Target"
    assert list(fig.layout.yaxis.categoryarray) == list(bars.y)
    assert fig.layout.xaxis.title.text == "Share meeting the standard (%)"


def test_tier_bars_in_chinese_and_empty():
    fig = charts.standards_tier_bars(BY_TIER, lang="zh")
    assert fig.layout.title.text == "服务标准：各项达标客户占比"
    assert fig.data[0].y[-1] == "月联系 ≥ 2 次 · 富裕客户"
    assert fig.data[0].y[0] == "建档覆盖率 · 潜力客户及以上"
    empty = charts.standards_tier_bars(BY_TIER.iloc[0:0], subtitle=SUB)
    assert empty.layout.annotations[0].text == "No unit has customers under this standard."


def test_league_by_score_best_on_top_with_names_to_drill_into():
    fig = charts.standards_league_bars(LEAGUE, level="region", subtitle=SUB)
    assert fig.layout.title.text == f"Combined score by region<br><sup>{SUB}</sup>"
    bars = fig.data[0]
    assert list(bars.y) == ["R2", "R1", "R3"]  # drawn bottom-up: R3 (100%) on top
    assert list(bars.x) == pytest.approx([50.0, 95.0, 100.0])
    assert [c[0] for c in bars.customdata] == ["R2", "R1", "R3"]
    assert [c[3] for c in bars.customdata] == ["1 / 8", "7 / 8", "3 / 3"]
    assert list(bars.marker.color) == [charts.STANDARD_MISSED_COLOUR] * 2 + [charts.STANDARD_MET_COLOUR]
    assert fig.layout.shapes[0].x0 == 100.0  # the target line
    assert fig.layout.xaxis.title.text == "Combined score (%)"


def test_league_by_a_portfolio_measure_uses_its_target_and_skips_units_without_it():
    fig = charts.standards_league_bars(LEAGUE, measure="key_products", target=0.8, level="branch")
    assert fig.layout.title.text == "Key products by branch"
    bars = fig.data[0]
    assert list(bars.y) == ["R2", "R1"]  # R3 has no customer under it
    assert list(bars.marker.color) == [charts.STANDARD_MISSED_COLOUR, charts.STANDARD_MET_COLOUR]  # 60%, 100%
    assert fig.layout.shapes[0].x0 == 80.0
    assert fig.layout.annotations[0].text == "Target 80%"


def test_league_limit_keeps_best_and_worst_and_messages():
    many = pd.concat(
        [LEAGUE.assign(name=[f"U{i}a", f"U{i}b", f"U{i}c"]) for i in range(20)], ignore_index=True
    )
    many["score"] = [i / 100 for i in range(len(many))]
    fig = charts.standards_league_bars(many, level="rm_id", limit=10)
    assert len(fig.data[0].y) == 10
    shown = sorted(fig.data[0].x)
    assert shown[:5] == pytest.approx([0, 1, 2, 3, 4]) and shown[5:] == pytest.approx([55, 56, 57, 58, 59])
    zh = charts.standards_league_bars(LEAGUE, level="branch", lang="zh")
    assert zh.layout.title.text == "各支行综合得分"
    none = charts.standards_league_bars(LEAGUE.iloc[0:0], level="region")
    assert none.layout.annotations[0].text == "No unit has customers under this standard."
    unknown = charts.standards_league_bars(LEAGUE, measure="profile_coverage.hnw", level="region")
    assert unknown.layout.annotations[0].text == "No unit has customers under this standard."
