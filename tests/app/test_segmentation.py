"""The segmentation page against a small database whose numbers a person can check.

Eight customers carry their own bank_value_score, and profit contribution is their fee
income, so every quadrant can be worked out by hand:

====  ===========  =====================  ======  =======  =====
id    segment      tier                   AUM     profit   value
====  ===========  =====================  ======  =======  =====
K1    corporate    strategic (flagged)    5M      40,000   80
K2    corporate    large (sales 400M)     3M      30,000   20
K3    corporate    medium (sales 50M)     2M      10,000   70
K4    corporate    small (no sales)       1M      -5,000   60
K5    corporate    above scale, no loan   4M      20,000   40
K6    institution  institution (loan)     6M      0        10
R1    retail       emerging               100K    1,000    50
R2    retail       high net worth         2M      15,000   90
====  ===========  =====================  ======  =======  =====

Medians of all eight: profit (10,000 + 15,000) / 2 = 12,500, value (50 + 60) / 2 = 55.

Views are driven through the URL (as a shared link opens them): AppTest 1.67 does not rerun
the main script of an st.navigation app after a widget change. The pieces that react to
widgets (the sunburst click, a cut point following the median) run here inside small
scripts, the way Streamlit runs them.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.store import Store
from tests.conftest import REPO, insert_rows
from ui.segmentation import page_url, selected_node, url_number

D = dt.date(2026, 9, 30)


def _customer(cid, segment, aum, profit, value, *, region="RA", branch="B1", rm="M1", **extra):
    return dict(
        snapshot_date=D,
        customer_id=cid,
        customer_name=f"Name {cid}",
        segment=segment,
        region=region,
        branch=branch,
        rm_id=rm,
        aum=aum,
        fee_income=profit,
        bank_value_score=value,
        **extra,
    )


CUSTOMERS = [
    _customer("K1", "corporate", 5e6, 40_000.0, 80.0, loan_balance=10e6, strategic=True),
    _customer("K2", "corporate", 3e6, 30_000.0, 20.0, loan_balance=5e6, annual_sales=400e6),
    _customer("K3", "corporate", 2e6, 10_000.0, 70.0, loan_balance=1e6, annual_sales=50e6),
    _customer("K4", "corporate", 1e6, -5_000.0, 60.0, loan_balance=1e6, region="RB", branch="B2", rm="M2"),
    _customer(
        "K5",
        "corporate",
        4e6,
        20_000.0,
        40.0,
        deposit_balance=700_000.0,
        deposit_avg_daily=600_000.0,
        region="RB",
        branch="B2",
        rm="M2",
    ),
    _customer("K6", "institution", 6e6, 0.0, 10.0, loan_balance=2e6, region="RB", branch="B2", rm="M2"),
    _customer("R1", "retail", 100_000.0, 1_000.0, 50.0),
    _customer("R2", "retail", 2e6, 15_000.0, 90.0, region="RB", branch="B2", rm="M2"),
]


def _prospect(pid, score, fit, aum):
    # equal industry, growth and influence scores: potential value = the score (weights sum to 1)
    return dict(
        snapshot_date=D,
        prospect_id=pid,
        prospect_name=f"Prospect {pid}",
        industry_score=score,
        growth_score=score,
        influence_score=score,
        fit_score=fit,
        estimated_aum=aum,
    )


# Medians: potential (30 + 70) / 2 = 50, fit (20 + 60) / 2 = 40.
PROSPECTS = [
    _prospect("P1", 80.0, 90.0, 1e6),
    _prospect("P2", 70.0, 20.0, 2e6),
    _prospect("P3", 30.0, 60.0, 3e6),
    _prospect("P4", 10.0, 10.0, 4e6),
]


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "seg.duckdb"
    s = Store(path)
    insert_rows(s, "customers", CUSTOMERS)
    insert_rows(s, "prospects", PROSPECTS)
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    return path


@pytest.fixture
def retail_db(tmp_path, monkeypatch):
    """Two retail customers, no prospects."""
    path = tmp_path / "retail.duckdb"
    s = Store(path)
    insert_rows(s, "customers", [c for c in CUSTOMERS if c["segment"] == "retail"])
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    return path


def _app(**query: str) -> AppTest:
    """A fresh session opened at ``/segmentation?query`` (the page's url path is its file name)."""
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
    at.query_params.update(query)
    at.switch_page("pages/segmentation.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _table(at: AppTest, first_column: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if d.value.columns[0] == first_column]
    assert tables, f"no table starting with {first_column!r}: {[d.value.columns[0] for d in at.dataframe]}"
    return tables[0]


def _counts(at: AppTest, first_column: str = "Quadrant", count: str = "Customers") -> list[int]:
    return list(_table(at, first_column)[count])


def _cuts(at: AppTest) -> dict[str, float]:
    return {n.key: n.value for n in at.number_input}


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


# -- existing-customer matrix -------------------------------------------------------------


def test_medians_are_the_default_cut_points(db):
    at = _app()
    assert at.title[0].value == "Segmentation"
    assert _cuts(at) == {"pcut": 12_500.0, "vcut": 55.0, "tpcut": 50.0, "tfcut": 40.0}
    # profit >= 12,500 and value >= 55: K1, R2 important; K2, K5 quality; K3, K4 ordinary; K6, R1 exit
    quadrants = _table(at, "Quadrant")
    assert list(quadrants["Quadrant"]) == [
        "Important (high profit, high value)",
        "Quality (high profit, low value)",
        "Ordinary (low profit, high value)",
        "Exit (low profit, low value)",
    ]
    assert list(quadrants["Customers"]) == [2, 2, 2, 2]
    assert list(quadrants["Share of customers %"]) == [25.0] * 4
    assert list(quadrants["AUM (CNY M)"]) == [7.0, 7.0, 3.0, 6.1]  # K1+R2, K2+K5, K3+K4, K6+R1
    assert list(quadrants["Profit contribution (CNY K)"]) == [55.0, 50.0, 5.0, 1.0]  # of 111,000 net
    assert list(quadrants["Share of profit %"]) == pytest.approx(
        [5500 / 111, 5000 / 111, 500 / 111, 100 / 111]
    )
    captions = _captions(at)
    assert "Cut points in use: Profit contribution 12.5K CNY (median), Bank value 55 (median)." in captions
    assert "Bank-to-customer value: the bank_value_score column of the data." in captions
    assert at.button(key="seg_reset_existing").label == "Reset to medians"
    assert at.button(key="seg_reset_existing").disabled  # already at the medians
    # the customers of the default quadrant, largest profit first
    listed = _table(at, "Customer ID")
    assert list(listed["Customer ID"]) == ["K1", "R2"]
    assert list(listed["Tier"]) == ["Strategic", "High net worth"]
    assert "2 listed, largest profit contribution first." in captions
    assert dict(at.query_params) == {}  # defaults are left out of the URL


def test_cut_points_from_the_url_values_at_a_cut_count_as_high(db):
    at = _app(pcut="10000", vcut="60", quadrant="important")
    assert _cuts(at)["pcut"] == 10_000.0 and _cuts(at)["vcut"] == 60.0
    # K3 has profit exactly 10,000 (high) and value 70: important; K4 has value exactly 60 (high)
    # and profit -5,000: ordinary.
    assert _counts(at) == [3, 2, 1, 2]  # K1 K3 R2 | K2 K5 | K4 | K6 R1
    assert list(_table(at, "Quadrant")["AUM (CNY M)"]) == [9.0, 7.0, 1.0, 6.1]
    assert "Cut points in use: Profit contribution 10.0K CNY (chosen), Bank value 60 (chosen)." in _captions(
        at
    )
    assert not at.button(key="seg_reset_existing").disabled
    assert list(_table(at, "Customer ID")["Customer ID"]) == ["K1", "R2", "K3"]
    assert dict(at.query_params) == {"pcut": "10000", "vcut": "60"}  # the default quadrant left out


def test_one_cut_chosen_the_other_at_its_median(db):
    at = _app(vcut="60", quadrant="ordinary")
    # profit >= 12,500 (median), value >= 60: K1 R2 | K2 K5 | K3 K4 | K6 R1
    assert _counts(at) == [2, 2, 2, 2]
    assert "Cut points in use: Profit contribution 12.5K CNY (median), Bank value 60 (chosen)." in _captions(
        at
    )
    assert at.selectbox(key="quadrant").value == "ordinary"
    assert list(_table(at, "Customer ID")["Customer ID"]) == ["K3", "K4"]
    assert dict(at.query_params) == {"vcut": "60", "quadrant": "ordinary"}


def test_bad_url_values_fall_back(db):
    at = _app(pcut="abc", vcut="nan", quadrant="nonsense", node="no.such.node", tclass="x")
    assert _cuts(at)["pcut"] == 12_500.0 and _cuts(at)["vcut"] == 55.0
    assert at.selectbox(key="quadrant").value == "important"
    assert at.selectbox(key="node").value == "corporate"
    assert at.selectbox(key="tclass").value == "gold"
    assert dict(at.query_params) == {}


# -- classification tree ----------------------------------------------------------------------


def test_tree_table(db):
    at = _app()
    tree = _table(at, "Node").assign(Node=lambda d: d["Node"].str.strip("\u2003")).set_index("Node")
    assert tree.loc["Corporate and institutions", "Customers"] == 6  # K1-K6, not the retail R1, R2
    assert tree.loc["Corporate and institutions", "AUM (CNY M)"] == 21.0
    assert tree.loc["Corporate and institutions", "Loans (CNY M)"] == 19.0  # 10 + 5 + 1 + 1 + 2
    assert tree.loc["Corporate and institutions", "Profit contribution (CNY K)"] == 95.0
    assert tree.loc["With loans", "Customers"] == 5
    assert tree.loc["With loans", "AUM (CNY M)"] == 17.0
    assert tree.loc["Companies with loans", "Customers"] == 4
    assert tree.loc["Traditional companies", "Profit contribution (CNY K)"] == 75.0  # 40 + 30 + 10 - 5
    for leaf in ("Strategic", "Large", "Medium", "Small", "Above scale", "Institution (loans)"):
        assert tree.loc[leaf, "Customers"] == 1, leaf
    for leaf in ("Emerging market", "Real estate", "Below scale", "Institution (no loans)"):
        assert tree.loc[leaf, "Customers"] == 0, leaf
    assert tree.loc["Without loans", "Deposits (CNY K)"] == 700.0  # K5
    assert list(tree.index)[:4] == [
        "Corporate and institutions",
        "With loans",
        "Companies with loans",
        "Traditional companies",
    ]
    assert at.selectbox(key="node").value == "corporate"
    assert "The matrix and the heatmaps below cover every customer of this view." in _captions(at)


def test_a_node_in_the_url_narrows_the_matrix(db):
    at = _app(node="loan")
    assert at.selectbox(key="node").value == "loan"
    assert (
        "The matrix and the heatmaps below cover With loans only: Strategic, Large, Medium, Small, "
        "Emerging market, Real estate, Institution (loans)." in _captions(at)
    )
    # K1-K4 and K6: medians profit 10,000 (of -5,000, 0, 10,000, 30,000, 40,000), value 60
    assert _cuts(at)["pcut"] == 10_000.0 and _cuts(at)["vcut"] == 60.0
    assert _counts(at) == [2, 1, 1, 1]  # K1 K3 | K2 | K4 | K6
    assert list(_table(at, "Customer ID")["Customer ID"]) == ["K1", "K3"]
    assert dict(at.query_params) == {"node": "loan"}


def test_a_leaf_node_and_cut_points_together(db):
    at = _app(node="above_scale", pcut="0", vcut="0")
    assert _counts(at) == [1, 0, 0, 0]  # K5 alone, above both cuts
    assert dict(at.query_params) == {"node": "above_scale", "pcut": "0", "vcut": "0"}


def test_an_empty_node_says_so_and_the_rest_stays(db):
    at = _app(node="real_estate")
    assert not at.exception
    assert "No customers in Real estate in this view: choose another node." in [i.value for i in at.info]
    assert "pcut" not in _cuts(at)
    assert _counts(at, "Class", "Prospects") == [1, 1, 1, 1]  # prospects have no tier: unaffected


def test_retail_view_hides_the_tree(db):
    at = _app(segment="retail", node="loan")
    assert any("covers corporate and institutional customers only" in c for c in _captions(at))
    assert not [s for s in at.selectbox if s.key == "node"]
    # R1 and R2 only: medians profit 8,000, value 70 -> R2 important, R1 exit
    assert _cuts(at)["pcut"] == 8_000.0 and _cuts(at)["vcut"] == 70.0
    assert _counts(at) == [1, 0, 0, 1]
    # the prospects are all corporate (the default segment): none in a retail view
    assert any(i.value.startswith("No prospects are loaded for this view") for i in at.info)
    assert "node" not in at.query_params


# -- target-customer matrix ---------------------------------------------------------------------


def test_target_matrix_medians_and_chosen_cuts(db):
    at = _app()
    assert _counts(at, "Class", "Prospects") == [1, 1, 1, 1]  # P1 gold, P2 potential, P3 watch, P4 general
    classes = _table(at, "Class")
    assert list(classes["Estimated AUM (CNY M)"]) == [1.0, 2.0, 3.0, 4.0]
    assert list(_table(at, "Prospect ID")["Prospect ID"]) == ["P1"]
    assert any(
        c.startswith("Potential value = weighted prospect scores, weights from the tier rules: industry 40%")
        for c in _captions(at)
    )
    # P3 sits exactly on both cuts: gold
    at = _app(tpcut="30", tfcut="60", tclass="gold")
    assert _counts(at, "Class", "Prospects") == [2, 1, 0, 1]
    assert list(_table(at, "Prospect ID")["Prospect ID"]) == ["P1", "P3"]  # highest potential first
    assert dict(at.query_params) == {"tpcut": "30", "tfcut": "60"}
    at = _app(tpcut="30", tfcut="60", tclass="watch")
    assert "None in this class." in _captions(at)
    assert dict(at.query_params) == {"tpcut": "30", "tfcut": "60", "tclass": "watch"}


def test_no_prospects_is_a_message(retail_db):
    at = _app()
    infos = [i.value for i in at.info]
    assert (
        "No prospects are loaded for this view (on or before the snapshot 2026-09-30). Load a prospects "
        "file on the Data page to see the target-customer matrix." in infos
    )
    assert "No corporate or institutional customers in this view." in infos
    assert _counts(at) == [1, 0, 0, 1]  # the retail customers still have their matrix
    assert "tpcut" not in _cuts(at)


# -- languages, empty views, the whole page ---------------------------------------------------


def test_chinese(db):
    at = _app(lang="zh", pcut="10000", vcut="60")
    assert at.title[0].value == "客户细分"
    quadrants = _table(at, "象限")
    assert list(quadrants["象限"]) == [
        "重要客户（高利润、高价值）",
        "优质客户（高利润、低价值）",
        "普通客户（低利润、高价值）",
        "退出客户（低利润、低价值）",
    ]
    assert list(quadrants["客户数"]) == [3, 2, 1, 2]
    assert list(quadrants["金融资产（万元）"]) == [900.0, 700.0, 100.0, 610.0]
    assert "当前分界点：利润贡献 1.0万元（自定义），客户价值 60（自定义）。" in _captions(at)
    tree = _table(at, "节点").assign(节点=lambda d: d["节点"].str.strip("\u2003")).set_index("节点")
    assert tree.loc["公司及机构客户", "客户数"] == 6
    assert tree.loc["有贷款", "金融资产（万元）"] == 1700.0
    assert [s.value for s in at.subheader][0] == "公司及机构客户分类树"
    assert _counts(at, "类别", "目标客户数") == [1, 1, 1, 1]


def _chart_titles(at: AppTest) -> list[str]:
    return [
        json.loads(c.proto.spec)["layout"]["title"]["text"].split("<br>")[0] for c in at.get("plotly_chart")
    ]


def test_every_chart_is_drawn(db):
    assert _chart_titles(_app()) == [
        "Corporate and institutional customers by class (area: Customers)",
        "Existing customers: profit contribution × bank-to-customer value",
        "Prospects: potential value × fit",
        "Customers by tier and branch",  # by branch by default (tier x branch)
        "Customers by tier and quadrant",
    ]
    at = _app(region="RB", node="loan")
    assert sum(_counts(at)) == 2  # K4, K6 (K5 has no loan, R2 is retail)
    titles = _chart_titles(at)
    assert "Customers by tier and branch" in titles  # one level down from a region
    assert "Prospects: potential value × fit" not in titles  # the prospects have no region
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert spec["data"][0]["y"] == ["Small", "Institution (loans)"]  # tier order, narrowed to the node
    assert "With loans" in spec["layout"]["title"]["text"]  # the node is in the subtitle


def test_empty_selection(retail_db):
    at = _app(segment="institution")  # only retail customers in this database
    assert [i.value for i in at.info] == [
        "No customers match this selection. Widen the filters in the sidebar."
    ]
    assert len(at.number_input) == 0
    at = _app(segment="institution", lang="zh")
    assert [i.value for i in at.info] == ["当前筛选条件下没有客户，请在侧边栏放宽筛选。"]


def test_empty_database_offers_the_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("TIERSCOPE_DB", str(tmp_path / "empty.duckdb"))
    at = _app()
    assert "No portfolio data yet" in at.info[0].value
    assert at.button(key="build_demo").label == "Build the demo portfolio"
    assert len(at.dataframe) == 0


# -- the pieces behind the widgets ------------------------------------------------------------


def test_a_sunburst_click_names_its_node():
    click = {"selection": {"points": [{"id": "loan.company", "parent": "loan", "label": "Companies"}]}}
    assert selected_node(click) == "loan.company"
    assert selected_node({"selection": {"points": [{"id": "bogus"}]}}) is None
    assert selected_node({"selection": {"points": []}}) is None
    assert selected_node(None) is None


def _click_script(state):
    import streamlit as st

    from ui.segmentation import on_tree_select

    st.session_state["tree"] = state
    on_tree_select("tree")
    st.text(str(st.session_state.get("node")))


def test_the_click_callback_moves_the_node_box():
    at = AppTest.from_function(_click_script, args=({"selection": {"points": [{"id": "small"}]}},)).run()
    assert not at.exception
    assert at.text[0].value == "small"
    at = AppTest.from_function(_click_script, args=({"selection": {"points": []}},)).run()
    assert at.text[0].value == "None"  # a deselection does not move it


def _cut_script():
    import streamlit as st

    from ui.segmentation import _follow

    _follow("pcut", st.session_state.get("median", 100.0))  # the median of the current filters
    st.number_input("cut", key="pcut", step=1.0)


def test_an_untouched_cut_follows_the_median_a_chosen_one_stays():
    at = AppTest.from_function(_cut_script).run()
    assert at.number_input(key="pcut").value == 100.0
    at.session_state["median"] = 200.0  # the filters change
    at.run()
    assert at.number_input(key="pcut").value == 200.0  # never touched: it follows
    at.number_input(key="pcut").set_value(250.0).run()  # the user types a cut
    assert at.number_input(key="pcut").value == 250.0
    at.session_state["median"] = 300.0
    at.run()
    assert at.number_input(key="pcut").value == 250.0  # a chosen cut stays
    assert not at.exception


def test_url_values():
    assert url_number(10_000.0) == "10000"
    assert url_number(12.5) == "12.5"
    assert url_number(-0.1) == "-0.1"
    assert url_number(None) is None
    assert page_url(
        "loan", {"pcut": (10_000.0, 12_500.0), "vcut": (55.0, 55.0)}, {"quadrant": "exit", "tclass": "gold"}
    ) == {
        "node": "loan",
        "pcut": "10000",
        "vcut": None,
        "quadrant": "exit",
        "tpcut": None,
        "tfcut": None,
        "tclass": None,
    }
    assert page_url("corporate", {}, {})["node"] is None


# -- real data and the demo portfolio -----------------------------------------------------


def test_the_page_on_the_real_churn_file(tmp_path, monkeypatch):
    from analytics.load import load_files
    from tests.conftest import REALDATA

    source = REALDATA / "bank_churn_records.csv"
    if not source.exists():
        pytest.skip(f"{source} is not present (shared/realdata sits beside the checkout)")
    path = tmp_path / "churn.duckdb"
    s = Store(path)
    load_files(
        s,
        "customers",
        [source],
        snapshot_date=dt.date(2024, 12, 31),
        mapping=REPO / "data" / "mappings" / "bank_churn_records.toml",
    )
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    at = _app()
    assert not at.error
    assert sum(_counts(at)) == 10_000  # every customer of the file sits in one quadrant
    assert any("composite" in c.lower() for c in _captions(at))  # the file has no bank value score
    at = _app(lang="zh")
    assert not at.error


def test_the_page_on_the_demo_portfolio(tmp_path, monkeypatch):
    from analytics.demo import build_demo

    path = tmp_path / "demo.duckdb"
    s = Store(path)
    build_demo(s, customers=2000, months=13, seed=11, end=dt.date(2026, 10, 31))
    population = (
        s.raw()
        .execute("SELECT count(*) FROM customers WHERE snapshot_date = DATE '2026-10-31'")
        .fetchone()[0]
    )
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    at = _app()
    assert not at.error
    assert sum(_counts(at)) == population
    assert sum(_counts(at, "Class", "Prospects")) > 0  # the demo has prospects
    at = _app(node="loan.company.traditional", region=at.sidebar.selectbox[1].options[1])
    assert not at.error


def test_the_tier_heatmap_is_by_branch_by_default_and_by_the_unit_in_the_url(db):
    at = _app()
    assert next(s for s in at.get("button_group") if s.label == "Rows").value == "branch"
    assert any("tiers by branch" in h.value for h in at.subheader)
    at = _app(unit="region")
    assert any("tiers by region" in h.value for h in at.subheader)
    at = _app(unit="nonsense")  # falls back to the default
    assert any("tiers by branch" in h.value for h in at.subheader)
