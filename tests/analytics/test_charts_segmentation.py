"""Segmentation chart builders on small hand-made frames: trace types, cut lines, tier order,
the tree's ids and parents, Chinese labels, and a message (not an error) for an empty frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import charts, segmentation
from analytics.i18n import tier_label
from analytics.rules import TIER_ORDER

SUB = "Snapshot 2026-09-30 · Head office · Rules: default v1"

# The classification tree written out by hand (DESIGN.md), node -> parent.
PARENTS = {
    "corporate": "",
    "loan": "corporate",
    "loan.company": "loan",
    "loan.company.traditional": "loan.company",
    "strategic": "loan.company.traditional",
    "large": "loan.company.traditional",
    "medium": "loan.company.traditional",
    "small": "loan.company.traditional",
    "emerging_market": "loan.company",
    "real_estate": "loan.company",
    "institution": "loan",
    "no_loan": "corporate",
    "no_loan.company": "no_loan",
    "above_scale": "no_loan.company",
    "below_scale": "no_loan.company",
    "institution_no_loan": "no_loan",
}
LEAVES = [n for n in PARENTS if n not in set(PARENTS.values())]


def _tree(**by_leaf: tuple[int, float]) -> pd.DataFrame:
    """A classification_tree frame: each leaf's (customers, profit), AUM 1M per customer, sums above."""
    leaf = {n: by_leaf.get(n, (0, 0.0)) for n in LEAVES}

    def under(node: str) -> list[str]:
        return [n for n in LEAVES if n == node or node in _ancestors(n)]

    rows = []
    for node, parent in PARENTS.items():
        customers = sum(leaf[n][0] for n in under(node))
        rows.append(
            dict(
                node=node,
                parent=parent,
                depth=len(_ancestors(node)),
                customers=customers,
                aum=customers * 1e6,
                deposit_balance=customers * 5e5,
                loan_balance=customers * 2e6,
                profit_contribution=sum(leaf[n][1] for n in under(node)),
            )
        )
    return pd.DataFrame(rows)


def _ancestors(node: str) -> list[str]:
    out = []
    while PARENTS[node]:
        node = PARENTS[node]
        out.append(node)
    return out


def test_constants_agree_with_the_analytics():
    assert charts.MATRIX_CLASSES["existing"] == segmentation.QUADRANTS
    assert charts.MATRIX_CLASSES["target"] == segmentation.TARGET_CLASSES
    assert tuple(PARENTS) == segmentation.TREE_NODES
    assert set(charts.MATRIX_COLOURS) == set(segmentation.QUADRANTS + segmentation.TARGET_CLASSES)


# -- classification tree ------------------------------------------------------------------------


def test_sunburst_ids_parents_and_leaf_sizes():
    df = _tree(strategic=(2, 40_000.0), small=(3, -5_000.0), above_scale=(1, 20_000.0))
    fig = charts.classification_sunburst(df, measure="customers", selected="loan", lang="en", subtitle=SUB)
    sun = fig.data[0]
    assert sun.type == "sunburst"
    assert list(sun.ids) == list(PARENTS)
    assert list(sun.parents) == list(PARENTS.values())
    assert sun.branchvalues == "remainder"  # inner nodes are exactly the sum of their leaves
    size = dict(zip(sun.ids, sun.values, strict=True))
    assert size["strategic"] == 2 and size["small"] == 3 and size["above_scale"] == 1
    assert size["corporate"] == 0 and size["loan.company.traditional"] == 0
    assert list(sun.labels)[:2] == ["Corporate and institutions", "With loans"]
    assert dict(zip(sun.ids, sun.labels, strict=True))["strategic"] == "Strategic"
    widths = dict(zip(sun.ids, sun.marker.line.width, strict=True))
    assert widths["loan"] == 3 and widths["corporate"] == 1  # the selected node is outlined
    assert dict(zip(sun.ids, sun.marker.colors, strict=True))["large"] == charts.TIER_COLOURS["large"]
    # the hover carries customers, AUM, deposits, loans and profit as they are
    hover = dict(zip(sun.ids, sun.customdata, strict=True))
    assert list(hover["corporate"]) == ["6", "6.0M CNY", "3.0M CNY", "12.0M CNY", "55.0K CNY"]
    assert list(hover["small"])[-1] == "-5.0K CNY"
    assert "Deposits" in sun.hovertemplate and "Profit contribution" in sun.hovertemplate
    assert (
        fig.layout.title.text.startswith("Corporate and institutional customers")
        and SUB in fig.layout.title.text
    )


def test_sunburst_by_profit_gives_loss_makers_no_area():
    df = _tree(strategic=(2, 40_000.0), small=(3, -5_000.0))
    sun = charts.classification_sunburst(df, measure="profit_contribution").data[0]
    size = dict(zip(sun.ids, sun.values, strict=True))
    assert size["strategic"] == 40_000 and size["small"] == 0


def test_sunburst_in_chinese():
    fig = charts.classification_sunburst(_tree(large=(1, 1.0)), lang="zh")
    labels = dict(zip(fig.data[0].ids, fig.data[0].labels, strict=True))
    assert labels["corporate"] == "公司及机构客户"
    assert labels["loan.company.traditional"] == "传统企业"
    assert labels["large"] == "大型企业"
    assert fig.data[0].customdata[0][1] == "100.0万元"
    assert fig.layout.title.text.startswith("公司及机构客户分类（面积：客户数）")


def test_sunburst_of_nothing_is_a_message():
    for df in (_tree(), _tree().iloc[0:0]):
        fig = charts.classification_sunburst(df, lang="en", subtitle=SUB)
        assert len(fig.data) == 0
        assert fig.layout.annotations[0].text == "Nothing to show for this selection."
        assert SUB in fig.layout.title.text


# -- value matrices -------------------------------------------------------------------------------


def _points(n: int = 4) -> pd.DataFrame:
    base = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D"],
            "segment": ["corporate", "corporate", "retail", "retail"],
            "tier": ["large", "small", "mass", "hnw"],
            "aum": [1e6, 2e6, 3e4, 1e5],
            "profit_contribution": [50_000.0, -20_000.0, 1_000.0, 300_000.0],
            "bank_value": [10.0, 60.0, 40.0, 80.0],
            "quadrant": ["quality", "ordinary", "exit", "important"],
        }
    )
    return base.head(n)


def test_existing_scatter_is_webgl_with_the_cut_lines_at_the_cuts():
    fig = charts.existing_matrix_scatter(
        _points(), profit_cut=20_000.0, value_cut=50.0, lang="en", subtitle=SUB
    )
    assert {tr.type for tr in fig.data} == {"scattergl"}
    assert [tr.name for tr in fig.data] == ["Important", "Quality", "Ordinary", "Exit"]
    assert [tr.marker.color for tr in fig.data] == [
        charts.MATRIX_COLOURS[q] for q in ("important", "quality", "ordinary", "exit")
    ]
    # profit in CNY K (largest 300,000): the vertical line sits at 20,000 / 1,000
    divisor, unit = charts.money_scale([50_000, -20_000, 1_000, 300_000, 20_000], "en")
    assert (divisor, unit) == (1e3, "CNY K")
    vertical, horizontal = fig.layout.shapes
    assert vertical.x0 == vertical.x1 == pytest.approx(20_000 / divisor)
    assert horizontal.y0 == horizontal.y1 == 50.0
    assert fig.layout.xaxis.title.text == "Profit contribution (CNY K)"
    assert fig.layout.yaxis.title.text == "Bank-to-customer value (score)"
    important = fig.data[0]
    assert list(important.x) == [300.0] and list(important.y) == [80.0]
    assert important.text[0] == "D · High net worth"
    assert important.customdata[0] == pytest.approx(0.1)  # its AUM of 100,000 in CNY M (largest 2M)
    assert important.hovertemplate.count("CNY M") == 1
    # the quadrant names in their corners: important top right, exit bottom left
    corners = {a.text: (a.xanchor, a.yanchor) for a in fig.layout.annotations}
    assert corners["<b>Important</b>"] == ("right", "top")
    assert corners["<b>Quality</b>"] == ("right", "bottom")
    assert corners["<b>Ordinary</b>"] == ("left", "top")
    assert corners["<b>Exit</b>"] == ("left", "bottom")
    # both cut lines inside the plot
    assert fig.layout.xaxis.range[0] < 20 < fig.layout.xaxis.range[1]
    assert fig.layout.yaxis.range[0] < 50 < fig.layout.yaxis.range[1]
    assert fig.layout.title.text.startswith("Existing customers") and SUB in fig.layout.title.text


def test_a_cut_outside_the_data_stays_in_view():
    fig = charts.existing_matrix_scatter(_points(), profit_cut=1_000_000.0, value_cut=-5.0)
    assert fig.layout.xaxis.range[1] > fig.layout.shapes[0].x0
    assert fig.layout.yaxis.range[0] < -5


def test_a_sample_says_so_and_the_full_population_does_not():
    fig = charts.existing_matrix_scatter(_points(), profit_cut=0.0, value_cut=50.0, population=10_000)
    assert "4 of 10,000 customers shown, a sample" in [a.text for a in fig.layout.annotations]
    fig = charts.existing_matrix_scatter(_points(), profit_cut=0.0, value_cut=50.0, population=4)
    assert not any("sample" in a.text for a in fig.layout.annotations)


def test_outliers_do_not_squeeze_the_matrix():
    n = 200
    df = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "segment": "corporate",
            "tier": "medium",
            "aum": 1.0,
            "profit_contribution": [float(i) for i in range(n - 1)] + [1e9],  # one giant
            "bank_value": [float(i % 100) for i in range(n)],
            "quadrant": "exit",
        }
    )
    fig = charts.existing_matrix_scatter(df, profit_cut=100.0, value_cut=50.0)
    low, high = fig.layout.xaxis.range
    assert fig.layout.xaxis.title.text == "Profit contribution (CNY)"  # the unit of what is in view
    assert 197 < high < 250  # the axis ends near the 99th percentile, not at the giant
    assert low < 100 < high
    assert any("99th percentiles" in a.text for a in fig.layout.annotations)
    assert fig.data[0].x[-1] == 1e9  # the point itself is still drawn (autoscale shows it)


def test_existing_scatter_in_chinese_money_in_wan():
    fig = charts.existing_matrix_scatter(_points(), profit_cut=20_000.0, value_cut=50.0, lang="zh")
    assert fig.layout.xaxis.title.text == "利润贡献（万元）"
    assert fig.layout.shapes[0].x0 == pytest.approx(2.0)  # 20,000 元 = 2 万元
    assert [tr.name for tr in fig.data] == ["重要客户", "优质客户", "普通客户", "退出客户"]
    assert "万元" in fig.data[0].hovertemplate and fig.data[0].x[0] == pytest.approx(30.0)
    assert fig.layout.title.text.startswith("存量客户矩阵")


def test_target_scatter_scores_are_not_money():
    df = pd.DataFrame(
        {
            "prospect_id": ["P1", "P2", "P3"],
            "segment": "corporate",
            "industry": ["internet", None, "real_estate"],
            "estimated_aum": [1e6, None, 3e6],
            "potential_value": [80.0, 70.0, 30.0],
            "fit": [90.0, 20.0, 60.0],
            "target_class": ["gold", "potential", "watch"],
        }
    )
    fig = charts.target_matrix_scatter(df, potential_cut=50.0, fit_cut=40.0, lang="en", subtitle=SUB)
    assert {tr.type for tr in fig.data} == {"scattergl"}
    assert [tr.name for tr in fig.data] == ["Gold", "Potential", "Watch"]  # no general prospect: no trace
    assert fig.layout.shapes[0].x0 == 50.0 and fig.layout.shapes[1].y0 == 40.0
    assert fig.layout.xaxis.title.text == "Potential value (score)"
    assert fig.layout.yaxis.title.text == "Fit (score)"
    assert fig.data[1].text[0] == "P2" and np.isnan(fig.data[1].customdata[0])  # no estimated AUM
    assert fig.data[0].text[0] == "P1 · Internet" and fig.data[2].text[0] == "P3 · Real estate"
    corners = [a.text for a in fig.layout.annotations]
    assert corners == ["<b>Gold</b>", "<b>Potential</b>", "<b>Watch</b>", "<b>General</b>"]
    zh = charts.target_matrix_scatter(df, potential_cut=50.0, fit_cut=40.0, lang="zh")
    assert [tr.name for tr in zh.data] == ["金牌目标", "潜力目标", "观察目标"]
    assert zh.layout.xaxis.title.text == "潜在价值（评分）"
    assert zh.data[0].text[0] == "P1 · 互联网"


def test_an_empty_matrix_is_a_message():
    fig = charts.existing_matrix_scatter(_points(0), profit_cut=None, value_cut=None, lang="zh", subtitle=SUB)
    assert len(fig.data) == 0
    assert fig.layout.annotations[0].text == "当前筛选条件下没有可显示的数据。"
    assert fig.layout.title.text.startswith("存量客户矩阵")
    assert len(charts.target_matrix_scatter(pd.DataFrame(), potential_cut=1.0, fit_cut=1.0).data) == 0


# -- heatmaps -------------------------------------------------------------------------------------


def _units() -> pd.DataFrame:
    # given out of tier order and out of unit order on purpose
    return pd.DataFrame(
        {
            "unit": ["B2", "B1", "B1", "B2", "B1"],
            "tier": ["institution_no_loan", "small", "mass", "mass", "private"],
            "customers": [1, 2, 3, 4, 5],
            "aum": [1e6, 2e6, 3e6, 4e8, 5e6],
            "profit_contribution": [100.0, -200.0, 300.0, 400.0, 500.0],
        }
    )


def test_tier_unit_heatmap_rows_in_tier_order():
    fig = charts.tier_unit_heatmap(_units(), measure="customers", level="branch", lang="en", subtitle=SUB)
    heat = fig.data[0]
    present = [t for t in TIER_ORDER if t in {"institution_no_loan", "small", "mass", "private"}]
    assert list(heat.y) == [tier_label(t) for t in present]
    assert list(heat.y) == ["Mass", "Private banking", "Small", "Institution (no loans)"]
    assert fig.layout.yaxis.autorange == "reversed"  # the first tier of TIER_ORDER on top
    assert list(heat.x) == ["B1", "B2"]
    assert [list(row) for row in heat.z] == [[3, 4], [5, 0], [2, 0], [0, 1]]  # missing cells are 0
    assert heat.text[0][0] == "3"
    assert heat.colorscale[0][1] != "rgb(103,0,31)"  # counts: a sequential scale
    assert fig.layout.title.text.startswith("Customers by tier and branch") and SUB in fig.layout.title.text
    assert fig.layout.xaxis.title.text == "Branch"


def test_tier_unit_heatmap_money_scaled_and_in_chinese():
    fig = charts.tier_unit_heatmap(_units(), measure="aum", level="region", lang="zh")
    heat = fig.data[0]
    assert list(heat.y)[0] == "大众客户"
    assert heat.z[0][1] == pytest.approx(4.0)  # 4亿 in 亿元
    assert heat.colorbar.title.text == "亿元"
    assert heat.text[0][1] == "4.0亿"
    assert fig.layout.title.text.startswith("各层级、各分行的金融资产")


def test_profit_heatmap_diverges_around_zero():
    heat = charts.tier_unit_heatmap(_units(), measure="profit_contribution").data[0]
    assert heat.zmid == 0
    assert heat.z[2][0] == -200.0  # small in B1, in CNY (largest 500)


def test_tier_quadrant_heatmap_columns_in_quadrant_order():
    df = pd.DataFrame(
        {
            "tier": ["large", "large", "mass", "mass"],
            "quadrant": ["exit", "important", "quality", "important"],
            "customers": [1, 3, 2, 2],
            "aum": 1.0,
            "profit_contribution": 1.0,
        }
    )
    fig = charts.tier_quadrant_heatmap(df, measure="customers", lang="en")
    heat = fig.data[0]
    assert list(heat.x) == ["Important", "Quality", "Ordinary", "Exit"]
    assert list(heat.y) == ["Mass", "Large"]
    assert [list(r) for r in heat.z] == [[2, 2, 0, 0], [3, 0, 0, 1]]
    assert heat.customdata[1][0][1] == "75.0%"  # 3 of large's 4 customers
    zh = charts.tier_quadrant_heatmap(df, lang="zh")
    assert list(zh.data[0].x) == ["重要客户", "优质客户", "普通客户", "退出客户"]
    assert zh.layout.xaxis.title.text == "象限"


def test_an_empty_heatmap_is_a_message():
    empty = _units().iloc[0:0]
    fig = charts.tier_unit_heatmap(empty, measure="aum", level="rm_id", subtitle=SUB)
    assert len(fig.data) == 0 and fig.layout.annotations[0].text == "Nothing to show for this selection."
    assert fig.layout.title.text.startswith("AUM by tier and relationship manager")
    assert (
        len(charts.tier_quadrant_heatmap(pd.DataFrame(columns=["tier", "quadrant", "customers"])).data) == 0
    )
