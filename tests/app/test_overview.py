"""The overview page against small databases whose numbers a person can check.

Views are driven through the URL (as a shared link opens them): AppTest 1.67 does not
rerun the main script of an st.navigation app after a widget change, so widget
interactions are covered by the browser test, and the drill-down callback is run here
directly inside a script (the way Streamlit runs it before redrawing the page).
"""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from analytics.scope import Filters
from analytics.store import Store
from tests.analytics.test_overview import ROWS
from tests.app.conftest import open_app
from tests.conftest import insert_rows
from ui.overview import drill_target, selected_name

D1, D2 = dt.date(2026, 8, 31), dt.date(2026, 9, 30)


@pytest.fixture
def db(tmp_path, monkeypatch):
    """Two snapshots, three customers, no organisation columns (all 'unassigned')."""
    path = tmp_path / "app.duckdb"
    s = Store(path)
    insert_rows(
        s,
        "customers",
        [
            dict(
                snapshot_date=D1, customer_id="A", segment="retail", aum=100_000.0, deposit_balance=80_000.0
            ),
            dict(
                snapshot_date=D2, customer_id="A", segment="retail", aum=150_000.0, deposit_balance=90_000.0
            ),
            dict(snapshot_date=D2, customer_id="B", segment="retail", aum=6_000_000.0, fee_income=12_000.0),
            dict(
                snapshot_date=D2, customer_id="C", segment="corporate", aum=50_000.0, loan_balance=2_000_000.0
            ),
        ],
    )
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    return path


@pytest.fixture
def org_db(tmp_path, monkeypatch):
    """The five-customer portfolio of tests/analytics/test_overview.py: a year ago, last month, now."""
    path = tmp_path / "org.duckdb"
    s = Store(path)
    insert_rows(s, "customers", ROWS)
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    return path


_app = open_app


def _metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def _table(at: AppTest, first_column: str):
    tables = [d.value for d in at.dataframe if d.value.columns[0] == first_column]
    assert tables, f"no table starting with {first_column!r}"
    return tables[0]


def test_headline_numbers(db):
    at = _app()
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["Customers"] == ("3", "+200.0%")
    assert metrics["AUM"] == ("6.2M", "+6100.0%")  # 100k -> 6.2M
    assert metrics["Deposits"] == ("90.0K", "+12.5%")
    assert metrics["Loans"][0] == "2.0M"
    assert metrics["Profit contribution"][0] == "12.0K"
    assert at.selectbox[0].value == "2026-09-30"
    assert at.metric[0].proto.delta_description == "vs 2026-08-31"
    # no snapshot twelve months earlier: every card says so
    assert _captions(at).count("vs a year ago: n/a (no 2025-09 snapshot loaded)") == 5


def test_tier_table_counts(db):
    at = _app()
    table = _table(at, "Segment").set_index("Tier")
    assert table.loc["Emerging", "Customers"] == 1  # A: 150k
    assert table.loc["Private banking", "Customers"] == 1  # B: 6M
    assert table.loc["Small", "Customers"] == 1  # C: loans, no sales or assets figure -> below both criteria
    assert table["Customers"].sum() == 3


def test_earlier_snapshot_and_chinese(db):
    at = _app(snapshot="2026-08-31")
    assert at.selectbox[0].value == "2026-08-31"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Customers"] == "1"
    assert at.metric[0].proto.delta_description == "vs previous snapshot: n/a (no earlier snapshot)"
    at = _app(snapshot="2026-08-31", lang="zh")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["客户数"] == "1"
    assert metrics["金融资产"] == "10.0万"
    assert at.sidebar.radio[0].value == "zh"


def test_unknown_url_values_fall_back(db):
    at = _app(snapshot="1999-01-31", lang="fr")
    assert not at.exception
    assert at.selectbox[0].value == "2026-09-30"
    assert at.sidebar.radio[0].value == "en"


def test_empty_database_offers_the_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("TIERSCOPE_DB", str(tmp_path / "empty.duckdb"))
    at = _app()
    assert not at.exception
    assert "No portfolio data yet" in at.info[0].value
    assert at.button[0].label == "Build the demo portfolio"
    assert len(at.metric) == 0


# -- the full page on the five-customer portfolio -------------------------------------------


def test_head_office(org_db):
    at = _app()
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["Customers"] == ("5", "+66.7%")  # 3 -> 5
    assert metrics["AUM"] == ("8.6M", "+335.9%")  # 1.98M -> 8.63M
    assert metrics["Loans"] == ("1.0M", "+11.1%")  # 900k -> 1M
    assert metrics["Profit contribution"] == ("5.5K", "-60.1%")  # 13,800 -> 5,500
    captions = _captions(at)
    assert "vs 2025-09-30 (a year ago): +400.0%" in captions  # customers 1 -> 5
    assert "vs 2025-09-30 (a year ago): +17160.0%" in captions  # AUM 50k -> 8.63M
    assert "vs 2025-09-30 (a year ago): n/a" in captions  # no loans a year ago
    league = _table(at, "Region")
    assert list(league["Region"]) == ["R1", "R2"]
    assert list(league["Customers"]) == [3, 2]
    assert list(league["AUM (CNY M)"]) == [8.1, 0.5]
    assert list(league["AUM growth %"]) == pytest.approx([(8.1 - 1.58) / 1.58 * 100, 32.5])
    assert list(league["Affluent+ %"]) == pytest.approx([200 / 3, 0.0])
    # Concentration: contributions -10,000, 500, 1,000, 4,000, 10,000 (net 5,500).
    # sum(i * x) = 60,000; Gini = 2 * 60,000 / (5 * 5,500) - 6 / 5 = 3.16 (> 1: a large loss)
    assert metrics["Gini coefficient"][0] == "3.16"
    assert metrics["Top 20% of customers: share of net profit"][0] == "181.8%"  # C: 10,000 / 5,500
    assert metrics["Loss-making customers"] == ("1 (20.0%)", "-10.0K in total")
    top = _table(at, "Customer ID")
    assert list(top["Customer ID"]) == ["C", "B", "A", "E", "D"]
    assert list(top["Tier"]) == ["Private banking", "High net worth", "Emerging", "Mass", "Small"]


def test_region_ranks_its_branches(org_db):
    at = _app(region="R1")
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["Customers"] == ("3", "+50.0%")  # A, B -> A, B, C
    assert metrics["AUM"] == ("8.1M", "+412.7%")  # 1.58M -> 8.1M
    league = _table(at, "Branch")
    assert list(league["Branch"]) == ["B2", "B1"]
    assert list(league["AUM (CNY M)"]) == [6.0, 2.1]
    assert league["AUM growth %"].isna().iloc[0]  # B2 had nothing last month
    assert list(_table(at, "Customer ID")["Customer ID"]) == ["C", "B", "A"]


def test_branch_ranks_its_relationship_managers(org_db):
    at = _app(region="R1", branch="B1")
    assert not at.exception
    assert _metrics(at)["Customers"] == ("2", "+0.0%")  # A, B both months (drawn grey)
    assert _metrics(at)["AUM"][0] == "2.1M"
    league = _table(at, "Relationship manager")
    assert list(league["Relationship manager"]) == ["M2", "M1"]
    assert list(league["AUM growth %"]) == pytest.approx([100 / 3, 25.0])


def test_chinese_head_office(org_db):
    at = _app(lang="zh")
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["客户数"] == ("5", "+66.7%")
    assert metrics["金融资产"][0] == "863.0万"
    assert metrics["利润贡献"][0] == "5,500"
    assert metrics["基尼系数"][0] == "3.16"
    assert "同比（较 2025-09-30）：+400.0%" in _captions(at)
    league = _table(at, "分行")
    assert list(league["分行"]) == ["R1", "R2"]
    assert list(league["金融资产（万元）"]) == [810.0, 53.0]
    assert list(_table(at, "客户号")["层级"])[:2] == ["私人银行客户", "高净值客户"]


def test_retail_segment(org_db):
    at = _app(segment="retail")
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["Customers"][0] == "4"
    assert metrics["Loans"][0] == "0"
    tiers = _table(at, "Segment")
    assert list(tiers["Tier"]) == ["Mass", "Emerging", "Affluent", "High net worth", "Private banking"]


def test_empty_selection_shows_a_message(org_db):
    at = _app(segment="institution")
    assert not at.exception
    assert at.info[0].value == "No customers match this selection. Widen the filters in the sidebar."
    assert len(at.metric) == 0
    at = _app(segment="institution", lang="简体中文")
    assert not at.exception
    assert at.info[0].value == "当前筛选条件下没有客户，请在侧边栏放宽筛选。"


# -- drill-down ---------------------------------------------------------------------------------


def test_drill_targets_one_level_down():
    assert drill_target(Filters(), "R1") == {"region": "R1", "branch": None, "rm": None}
    assert drill_target(Filters(region="R1"), "B1") == {"region": "R1", "branch": "B1", "rm": None}
    assert drill_target(Filters(region="R1", branch="B1"), "M2") == {
        "region": "R1",
        "branch": "B1",
        "rm": "M2",
    }
    assert drill_target(Filters(region="R1", branch="B1", rm_id="M2"), "M2") is None  # already there
    assert drill_target(Filters(segment="retail"), None) is None


def test_selected_name_from_a_table_row_or_a_chart_point():
    names = ["R1", "R2"]
    assert selected_name({"selection": {"rows": [1], "columns": []}}, names) == "R2"
    assert (
        selected_name({"selection": {"rows": [], "points": [{"customdata": ["R1", 3], "y": "R1"}]}}, names)
        == "R1"
    )
    assert selected_name({"selection": {"points": [{"y": "R2"}]}}, names) == "R2"
    assert selected_name({"selection": {"rows": [5]}}, names) is None  # stale position
    assert selected_name({"selection": {"rows": [], "points": []}}, names) is None  # deselected
    assert selected_name(None, names) is None


def _run_callback(state: dict, names: list[str], filters: Filters) -> AppTest:
    def script(state, names, filters):
        import streamlit as st

        from ui.overview import on_league_select

        st.session_state["league"] = state
        on_league_select("league", names, filters)
        st.text("|".join(str(st.session_state.get(k)) for k in ("region", "branch", "rm")))

    at = AppTest.from_function(script, args=(state, names, filters), default_timeout=30)
    return at.run()


def test_the_selection_callback_sets_the_sidebar_filters():
    at = _run_callback({"selection": {"rows": [1]}}, ["R1", "R2"], Filters())
    assert not at.exception
    assert at.text[0].value == "R2||"  # "" is the sidebar's "all" choice
    point = {"selection": {"points": [{"customdata": ["B7", 10], "y": "B7"}]}}
    at = _run_callback(point, ["B1", "B7"], Filters(region="R1"))
    assert at.text[0].value == "R1|B7|"
    at = _run_callback({"selection": {"rows": [0]}}, ["M2"], Filters(region="R1", branch="B1"))
    assert at.text[0].value == "R1|B1|M2"
    at = _run_callback({"selection": {"rows": []}}, ["R1"], Filters())  # deselecting does not move
    assert at.text[0].value == "None|None|None"
