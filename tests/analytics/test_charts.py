"""Chart builders: tier order, titles with units and subtitles, the pyramid's bars."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import charts
from analytics.i18n import tier_label
from analytics.rules import RETAIL_TIERS, TIER_ORDER
from analytics.tiers import TIER_SEGMENT

SUB = "Snapshot 2026-09-30 · Head office · Rules: default v1"


def _pyramid(tiers=TIER_ORDER) -> pd.DataFrame:
    # Customers 1..n by tier order; AUM 10x that. Shares within each panel.
    df = pd.DataFrame({"tier": list(tiers)})
    df["segment"] = df["tier"].map(TIER_SEGMENT)
    df["panel"] = df["segment"].where(df["segment"] == "retail", "corporate")
    df["customers"] = range(1, len(df) + 1)
    df["aum"] = df["customers"] * 10.0
    df["profit_contribution"] = 0.0
    for m in ("customers", "aum"):
        df[f"{m}_share"] = df[m] / df.groupby("panel")[m].transform("sum")
    return df


def test_money_scale():
    assert charts.money_scale([123_456_789], "zh") == (1e8, "亿元")
    assert charts.money_scale([56_000, -3], "zh") == (1e4, "万元")
    assert charts.money_scale([999], "zh") == (1.0, "元")
    assert charts.money_scale([2_500_000_000], "en") == (1e9, "CNY B")
    assert charts.money_scale([-2_500_000], "en") == (1e6, "CNY M")  # by absolute value
    assert charts.money_scale([2_500_000_000], "en", largest=1e6) == (1e6, "CNY M")
    assert charts.money_scale([float("nan")], "en") == (1.0, "CNY")
    assert charts.money_text(76_000_000, "zh") == "7,600.0万元"
    assert charts.money_text(7_600_000_000, "en") == "7.6B CNY"


def test_pyramid_has_private_on_top_and_strategic_on_top():
    fig = charts.tier_pyramid(_pyramid(), lang="en", subtitle=SUB)
    assert len(fig.data) == 4  # customers and AUM, in two panels
    retail_customers, retail_aum, corp_customers, _ = fig.data
    # plotly draws categories bottom-up: mass at the bottom, private banking at the top
    assert list(retail_customers.y) == [tier_label(t) for t in RETAIL_TIERS]
    assert fig.layout.yaxis.categoryarray[-1] == "Private banking"
    corporate = [t for t in TIER_ORDER if t not in RETAIL_TIERS]
    assert list(corp_customers.y) == [tier_label(t) for t in reversed(corporate)]
    assert fig.layout.yaxis2.categoryarray[-1] == "Strategic"
    # customers to the left (negative), AUM to the right, in % of the panel: mass is 1 of 15
    assert retail_customers.x[0] == pytest.approx(-100 / 15)
    assert retail_aum.x[-1] == pytest.approx(100 * 5 / 15)
    assert all(x <= 0 for x in retail_customers.x) and all(x >= 0 for x in retail_aum.x)
    assert list(retail_aum.marker.color) == [charts.TIER_COLOURS[t] for t in RETAIL_TIERS]
    # tick labels show the absolute percentage on both sides
    assert all(not text.startswith("-") for text in fig.layout.xaxis.ticktext)
    assert fig.layout.title.text.startswith("Tier pyramid") and SUB in fig.layout.title.text
    assert "%" in fig.layout.xaxis.title.text
    panels = [a.text for a in fig.layout.annotations]
    assert panels == ["Retail", "Corporate and institutions"]


def test_pyramid_of_one_segment_has_one_panel_in_chinese():
    fig = charts.tier_pyramid(_pyramid(RETAIL_TIERS), lang="zh")
    assert len(fig.data) == 2
    assert list(fig.data[0].y)[-1] == "私人银行客户"
    assert [a.text for a in fig.layout.annotations] == ["个人客户"]
    assert fig.layout.title.text.startswith("客户分层金字塔")


def _history() -> pd.DataFrame:
    dates = [dt.date(2026, 8, 31), dt.date(2026, 9, 30)]
    rows = [
        dict(
            snapshot_date=d,
            tier=t,
            segment=TIER_SEGMENT[t],
            customers=1,
            aum=1e8 * (i + 1),
            profit_contribution=-1e4,
        )
        for d in dates
        for i, t in enumerate(reversed(TIER_ORDER))  # given out of order on purpose
    ]
    return pd.DataFrame(rows)


def test_history_traces_in_tier_order_with_units():
    fig = charts.tier_history(
        _history(), measure="aum", lang="en", subtitle=SUB, highlight=dt.date(2026, 9, 30)
    )
    assert [tr.name for tr in fig.data] == [tier_label(t) for t in TIER_ORDER]
    assert all(tr.stackgroup == "tiers" for tr in fig.data)
    assert [tr.line.color for tr in fig.data] == [charts.TIER_COLOURS[t] for t in TIER_ORDER]
    assert list(fig.data[0].x) == ["Aug 2026", "Sep 2026"]
    assert fig.layout.yaxis.title.text == "AUM (CNY B)"  # 120 x 10^8 per snapshot
    assert fig.data[0].y[0] == pytest.approx(1.5)  # mass: 15 x 10^8 = 1.5 B
    assert fig.layout.title.text.startswith("AUM by tier") and SUB in fig.layout.title.text
    assert fig.layout.shapes[0].x0 == "Sep 2026"


def test_history_profit_as_relative_bars_in_chinese():
    fig = charts.tier_history(_history(), measure="profit_contribution", lang="zh")
    assert all(tr.type == "bar" for tr in fig.data)
    assert fig.layout.barmode == "relative"  # losses stack below zero
    assert fig.layout.yaxis.title.text == "利润贡献（万元）"  # 15 x -10^4 per snapshot
    assert list(fig.data[0].x) == ["2026年8月", "2026年9月"]


def test_league_bars_largest_on_top_and_named_for_drilling():
    df = pd.DataFrame(
        {
            "name": ["R1", "R2", "R3"],
            "customers": [3, 2, 1],
            "aum": [8_100_000.0, 530_000.0, 10.0],
            "profit_contribution": [15_000.0, -9_500.0, 0.0],
            "aum_growth": [4.1, 0.325, float("nan")],
        }
    )
    fig = charts.league_bars(df, level="region", lang="en", subtitle=SUB)
    bars = fig.data[0]
    assert list(bars.y) == ["R3", "R2", "R1"]  # bottom-up: the largest is drawn on top
    assert [row[0] for row in bars.customdata] == ["R3", "R2", "R1"]
    assert bars.customdata[0][3] == "n/a" and bars.customdata[1][3] == "+32.5%"
    assert fig.layout.xaxis.title.text == "AUM (CNY M)"
    assert fig.layout.title.text.startswith("Region ranked by AUM")
    assert len(charts.league_bars(df, level="branch", limit=2).data[0].y) == 2


def test_lorenz_curve_marks_top_share_and_gini():
    df = pd.DataFrame({"customers_share": [0, 0.25, 0.5, 0.75, 1], "profit_share": [0, 0.1, 0.3, 0.6, 1]})
    fig = charts.lorenz_curve(df, top_fraction=0.2, top_share=0.32, gini=0.25, lang="en", subtitle=SUB)
    equality, curve = fig.data
    assert list(curve.x) == [0, 25, 50, 75, 100] and list(curve.y) == pytest.approx([0, 10, 30, 60, 100])
    texts = [a.text for a in fig.layout.annotations]
    assert "Top 20%: 32.0% of net profit" in texts and "Gini coefficient: 0.25" in texts
    assert fig.layout.shapes[0].x0 == pytest.approx(80)
    assert fig.layout.xaxis.ticksuffix == "%" and fig.layout.yaxis.ticksuffix == "%"
    empty = charts.lorenz_curve(df.iloc[0:0], lang="zh")
    assert len(empty.layout.annotations) == 0  # no top share or Gini given: nothing marked
    assert empty.layout.title.text == "利润贡献洛伦兹曲线"


def test_industry_labels():
    from analytics.i18n import industry_label

    assert industry_label("leasing_business_services") == "Leasing and business services"
    assert industry_label("leasing_business_services", "zh") == "租赁和商务服务业"
    assert industry_label("钢铁", "en") == "钢铁"  # a bank's own industry value stays as it is
    assert industry_label(None) == "" and industry_label(float("nan"), "zh") == ""
    assert industry_label(pd.NA) == ""  # a nullable string column's missing value
