"""The service-standards page against the hand-made portfolio of
``tests/analytics/standards_fixture.py`` (its table says who meets what; default rules).

Headline: 7 customers under a standard (affluent, hnw, private), 4 not served (A2, A3, H2, P2:
AUM 11.5M), so 3 served (42.9%); 3 of 8 targets met (coverage emerging+ at exactly 80%, coverage
hnw+ at exactly 100%, key products 6/7 >= 80%).

Views are driven through the URL (as a shared link opens them): AppTest 1.67 does not rerun the
main script of an st.navigation app after a widget change.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.store import Store
from tests.analytics.standards_fixture import ROWS
from tests.app.conftest import download, download_keys
from tests.conftest import REPO, insert_rows
from ui.standards import page_url


def _database(tmp_path, monkeypatch, rows, name="std.duckdb"):
    path = tmp_path / name
    s = Store(path)
    if rows:
        insert_rows(s, "customers", rows)
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    return path


@pytest.fixture
def db(tmp_path, monkeypatch):
    return _database(tmp_path, monkeypatch, ROWS)


def _app(**query: str) -> AppTest:
    """A fresh session opened at ``/standards?query``."""
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=90)
    at.query_params.update(query)
    at.switch_page("pages/standards.py")
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _table(at: AppTest, first_column: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if d.value.columns[0] == first_column]
    assert tables, f"no table starting with {first_column!r}: {[d.value.columns[0] for d in at.dataframe]}"
    return tables[0]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _chart(at: AppTest, title: str) -> dict:
    found = [c for c in _charts(at) if c["layout"]["title"]["text"].split("<br>")[0] == title]
    assert found, [c["layout"]["title"]["text"] for c in _charts(at)]
    return found[0]


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_headline_and_compliance_by_tier(db):
    at = _app()
    assert at.title[0].value == "Service standards"
    assert _metrics(at) == {
        "Customers under a standard": "7",
        "Served to standard": "42.9%",  # 3 of 7
        "Not served to standard": "57.1%",
        "Targets met": "3 of 8",
        # contacts 5/7, events 5/7, senior 1/2, products 3/4, coverage (1 + 0.952 + 1)/3, key 1
        "Combined score": "77.7%",
    }
    assert "3 customers" in _captions(at) and "4 customers · AUM 11.5M" in _captions(at)
    table = _table(at, "Standard")
    rows = {
        (s, c): r
        for s, c, r in zip(table["Standard"], table["Customers of"], table.to_dict("records"), strict=True)
    }
    contacts = rows[("Contacts ≥ 2 a month", "Affluent")]
    assert (contacts["Customers in scope"], contacts["Meeting"], contacts["Status"]) == (3, 2, "Below target")
    assert rows[("Events ≥ 3 a year", "Private banking")]["Meeting"] == 1  # P1 3 meets, P2 2 misses
    assert rows[("Product types ≥ 5", "High net worth")]["Customers short of target"] == 1  # H2 holds 4
    coverage = rows[("Profile coverage", "Emerging and above")]
    assert (coverage["Customers in scope"], coverage["Meeting"], coverage["Share meeting"]) == (10, 8, 80.0)
    assert (coverage["Target"], coverage["Status"]) == (80.0, "Met")  # exactly at the target
    affluent = rows[("Profile coverage", "Affluent and above")]
    assert (affluent["Meeting"], affluent["Status"], affluent["Customers short of target"]) == (
        6,
        "Below target",
        1,
    )
    assert rows[("Profile coverage", "High net worth and above")]["Status"] == "Met"  # 4 of 4 = 100%
    assert rows[("All key products held", "Affluent and above")]["Status"] == "Met"  # 6 of 7 >= 80%
    chart = _chart(at, "Service standards: share of customers meeting each")
    assert "Snapshot 2026-09-30 · Head office · Rules:" in chart["layout"]["title"]["text"]
    assert chart["data"][0]["y"][-1] == "Contacts ≥ 2 a month · Affluent"  # the first row on top
    assert dict(at.query_params) == {}  # every default left out


def test_the_league_by_region_and_drilling(db):
    at = _app()
    league = _table(at, "Region").set_index("Region")
    assert list(league.index) == ["R1", "R2"]  # best score first
    assert league.loc["R1", "Combined score"] == pytest.approx((0.75 + 5) / 6 * 100)
    assert league.loc["R1", "Targets met"] == "7 / 8"
    assert list(league["Not served"]) == [1, 3]
    assert league.loc["R2", "Senior visits"] == 0.0  # P2 has 1 of the 2 visits
    bars = _chart(at, "Combined score by region")["data"][0]
    assert bars["y"] == ["R2", "R1"]  # plotly lists categories bottom-up
    assert [c[0] for c in bars["customdata"]] == ["R2", "R1"]  # the name a click drills into
    # one level down: the relationship managers of branch B1
    at = _app(region="R1", branch="B1")
    rms = _table(at, "Relationship manager").set_index("Relationship manager")
    assert list(rms.index) == ["M1", "M2"]
    assert rms.loc["M2", "Combined score"] == pytest.approx(90.0)  # (0.5 + 1 + 1 + 1 + 1) / 5
    assert rms.loc["M2", "Targets met"] == "6 / 7"  # no private customer: no senior-visit standard


def test_league_by_one_measure_from_the_url(db):
    at = _app(rank="key_products")
    assert at.selectbox(key="rank").value == "key_products"
    chart = _chart(at, "Key products by region")
    assert chart["data"][0]["y"] == ["R2", "R1"]  # R2 2/3, R1 4/4
    assert chart["layout"]["shapes"][0]["x0"] == 80.0  # the key-product target
    assert dict(at.query_params) == {"rank": "key_products"}
    at = _app(rank="nonsense")
    assert at.selectbox(key="rank").value == "score"
    assert "rank" not in at.query_params


def test_not_served_list_and_its_csv(db, deferred):
    at = _app()
    listed = _table(at, "Customer ID")
    assert list(listed["Customer ID"]) == ["P2", "H2", "A3", "A2"]  # largest AUM first
    assert list(listed["Customer name"])[0] == "=cmd"  # on screen as it is
    assert list(listed["Missing"]) == [
        "Contacts, Events, Senior visits",
        "Product types",
        "Events, Profile coverage, Key products",
        "Contacts",
    ]
    assert list(listed["Events this year"]) == [2, 3, 1, 2]
    assert list(listed["Events required"]) == [3, 2, 2, 2]
    assert list(listed["AUM (CNY M)"]) == [8.0, 2.0, 1.0, 0.5]
    assert "4 customers · AUM 11.5M CNY. Largest AUM first." in _captions(at)
    (csv_button,) = [b for b in at.get("download_button") if b.proto.id.endswith("-std_not_served_csv")]
    assert csv_button.proto.label == "Download the list (CSV)"
    data, name = download(at, "std_not_served_csv", deferred)
    assert name == "not_served_2026-09-30.csv"
    text = data.decode("utf-8-sig")
    assert "'=cmd" in text and ",=cmd" not in text
    frame = pd.read_csv(io.StringIO(text), dtype={"Customer ID": str})
    assert list(frame["Customer ID"]) == ["P2", "H2", "A3", "A2"]
    assert list(frame["AUM (CNY)"]) == [
        8_000_000.0,
        2_000_000.0,
        999_999.99,
        500_000.0,
    ]  # numbers stay numbers
    assert list(frame["Senior visits required"].fillna(0)) == [2, 0, 0, 0]


def test_not_served_narrowed_from_the_url(db):
    at = _app(missing="profile_coverage", list_tier="affluent")
    assert at.selectbox(key="missing").value == "profile_coverage"
    assert at.selectbox(key="list_tier").value == "affluent"
    assert list(_table(at, "Customer ID")["Customer ID"]) == ["A3"]  # E2 is emerging
    assert dict(at.query_params) == {"missing": "profile_coverage", "list_tier": "affluent"}
    at = _app(missing="senior_visits")
    assert list(_table(at, "Customer ID")["Customer ID"]) == ["P2"]
    at = _app(missing="nonsense", list_tier="mass")  # not offered: back to the defaults
    assert at.selectbox(key="missing").value == "" and at.selectbox(key="list_tier").value == ""
    assert dict(at.query_params) == {}
    at = _app(region="R1", missing="events")  # R1 misses no event standard
    assert "No customer in this view misses that standard." in _captions(at)
    assert not [k for k in download_keys(at) if "not_served" in k]


def test_a_tuner_scenario_changes_tiers_and_numbers(db):
    # private from 2M: H2 becomes private and owes 2 senior visits it did not get
    at = _app(scenario="retail.private:2000000")
    table = _table(at, "Standard")
    row = table[
        (table["Standard"] == "Senior visits ≥ 2 a year") & (table["Customers of"] == "Private banking")
    ]
    assert (int(row["Customers in scope"].iloc[0]), int(row["Meeting"].iloc[0])) == (3, 1)
    title = _chart(at, "Service standards: share of customers meeting each")["layout"]["title"]["text"]
    assert "Rules: Scenario from a link" in title


def test_chinese(db):
    at = _app(lang="zh")
    assert at.title[0].value == "服务标准"
    assert _metrics(at)["达标指标"] == "8 项中 3 项"
    assert _chart(at, "服务标准：各项达标客户占比")["data"][0]["y"][-1] == "月联系 ≥ 2 次 · 富裕客户"
    assert _chart(at, "各分行综合得分")
    listed = _table(at, "客户号")
    assert list(listed["未达标项"])[1] == "持有产品"


def test_views_without_retail_customers_and_an_empty_database(db, tmp_path, monkeypatch):
    at = _app(segment="corporate")
    assert [i.value for i in at.info] == [
        "The service standards apply to retail tiers, and this selection has no retail customers. "
        "Choose Retail or All in the sidebar's segment filter to see them."
    ]
    assert len(at.get("plotly_chart")) == 0
    _database(tmp_path, monkeypatch, [], name="empty.duckdb")
    at = _app()
    assert "No portfolio data yet" in at.info[0].value


def test_page_url_leaves_defaults_out():
    assert page_url("score", "", "") == {"rank": None, "missing": None, "list_tier": None}
    assert page_url("contacts", "events", "private") == {
        "rank": "contacts",
        "missing": "events",
        "list_tier": "private",
    }
