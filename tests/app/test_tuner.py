"""The threshold tuner page against a snapshot whose every figure a person can work out.

One snapshot (2026-09-30), default rules (mass < 50K <= emerging < 200K <= affluent < 1M <=
high net worth < 5M <= private):

==  ======  ===  ==========  ===============  ==========================
id  branch  rm   AUM         tier (rules)     tier with retail.private = 3M
==  ======  ===  ==========  ===============  ==========================
A   B1      M1   100,000     emerging         emerging
B   B1      M1   250,000     affluent         affluent
C   B1      M2   1,200,000   hnw              hnw
D   B2      M3   3,500,000   hnw              private
E   B2      M3   6,000,000   private          private
F   B2      M3   30,000      mass             mass
==  ======  ===  ==========  ===============  ==========================

Workload with the default times (0.5 h a contact, 1.5 h an event, 4 h a senior visit): an
affluent or high-net-worth customer needs 24 contacts and 2 events a year = 12 + 3 = 15 h; a
private one 24 contacts, 3 events and 2 senior visits = 12 + 4.5 + 8 = 24.5 h.
B1: B + C = 30 h under both. B2: D 15 + E 24.5 = 39.5 h under the rules; D private: 49 h.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from analytics import scenarios
from analytics.rules import DEFAULT_RULES_PATH, load_rules
from analytics.store import Store
from tests.conftest import REPO, insert_rows

D = dt.date(2026, 9, 30)


def _row(cid, branch, rm, aum, **more):
    return dict(
        snapshot_date=D,
        customer_id=cid,
        customer_name=more.pop("name", f"Customer {cid}"),
        region="R1",
        branch=branch,
        rm_id=rm,
        segment="retail",
        aum=aum,
        **more,
    )


ROWS = [
    _row("A", "B1", "M1", 100_000.0),
    _row("B", "B1", "M1", 250_000.0),
    _row("C", "B1", "M2", 1_200_000.0),
    _row("D", "B2", "M3", 3_500_000.0, name="=HYPERLINK()"),
    _row("E", "B2", "M3", 6_000_000.0),
    _row("F", "B2", "M3", 30_000.0),
]


@pytest.fixture
def rules_path(tmp_path, monkeypatch):
    path = tmp_path / "rules" / "tier_rules.toml"
    path.parent.mkdir()
    shutil.copy(DEFAULT_RULES_PATH, path)
    monkeypatch.setenv("TIERSCOPE_RULES", str(path))
    return path


@pytest.fixture
def db(tmp_path, monkeypatch, rules_path):
    path = tmp_path / "tuner.duckdb"
    s = Store(path)
    insert_rows(s, "customers", ROWS)
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    return path


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=90)
    at.query_params.update(query)
    at.switch_page("pages/tuner.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _table(at: AppTest, first_column: str):
    tables = [d.value for d in at.dataframe if d.value.columns[0] == first_column]
    assert tables, [d.value.columns[0] for d in at.dataframe]
    return tables[0]


def test_the_rules_file_is_the_baseline(db):
    at = _app()
    assert at.title[0].value == "Threshold tuner"
    assert not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Customers who change tier"] == "0"
    assert at.number_input(key="ni:retail.private").value == 5_000_000
    assert at.slider(key="sl:retail.private").value == 5_000_000
    tiers = _table(at, "Tier").set_index("Tier")
    assert tiers["Customers (current)"].to_dict() == {
        "Mass": 1,
        "Emerging": 1,
        "Affluent": 1,
        "High net worth": 2,
        "Private banking": 1,
    }
    assert (tiers["Customers (change)"] == 0).all()
    # industry exceptions from the rules file are named in the bank's words, not as ids
    labels = [s.label for s in at.slider]
    assert "Large company from, Information technology (annual sales, CNY)" in labels
    assert not any("information_technology" in label for label in labels)
    exact = at.number_input(key="ni:corporate.large_annual_sales_by_industry.information_technology")
    assert exact.label == "Large company from, Information technology (annual sales, CNY): exact value"


def test_a_scenario_from_the_url(db):
    at = _app(tune="retail.private:3000000")
    assert at.number_input(key="ni:retail.private").value == 3_000_000
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Customers who change tier"] == "1"  # D
    tiers = _table(at, "Tier").set_index("Tier")
    assert tiers.loc["High net worth", "Customers (scenario)"] == 1
    assert tiers.loc["Private banking", "Customers (scenario)"] == 2
    assert tiers.loc["High net worth", "AUM, CNY (current)"] == 4_700_000
    assert tiers.loc["High net worth", "AUM, CNY (scenario)"] == 1_200_000
    assert tiers.loc["Private banking", "AUM, CNY (change)"] == 3_500_000
    work = _table(at, "Branch").set_index("Branch")
    assert work["Hours a year (current)"].to_dict() == {"B1": 30.0, "B2": 39.5}
    assert work["Hours a year (scenario)"].to_dict() == {"B1": 30.0, "B2": 49.0}
    assert work["Managers there"].to_dict() == {"B1": 2, "B2": 1}
    standards = _table(at, "Standard").set_index("Standard")
    # senior visits: private customers; nobody in the fixture had one (default 0)
    assert standards.loc["Senior visits a year", "Customers (scenario)"] == 2
    assert standards.loc["Senior visits a year", "Met (scenario)"] == "0.0%"
    # the share box offers the link, and the URL keeps it
    assert any("?tune=retail.private:3000000" in c.value for c in at.code)


def test_thresholds_that_do_not_ascend_are_a_message(db):
    at = _app(tune="retail.hnw:6000000")
    assert any("must be greater than retail.hnw" in e.value for e in at.error)


def test_a_crafted_link_is_refused(db):
    at = _app(tune="standards.min_product_types:0")
    assert any("cannot be tuned" in w.value for w in at.warning)
    assert {m.label: m.value for m in at.metric}["Customers who change tier"] == "0"


def test_saved_scenarios_are_listed_and_compared(db, rules_path):
    scenarios.save_scenario(rules_path, "Private 3M", {"retail.private": 3e6}, base_version=1)
    scenarios.save_scenario(rules_path, "Affluent 300K", {"retail.affluent": 3e5}, base_version=1)
    at = _app()
    # the sidebar offers them to every page
    labels = at.selectbox(key="scenario").options
    assert labels[0] == "Current rules: Default rules (DESIGN.md) (v1)"
    assert labels[1:] == ["Scenario: Affluent 300K", "Scenario: Private 3M"]
    at.multiselect(key="tu_compare").set_value(["Private 3M", "Affluent 300K"]).run()
    compare = [d.value for d in at.dataframe if "Private 3M · Customers" in d.value.columns]
    assert compare, [list(d.value.columns) for d in at.dataframe]
    cmp = compare[0].set_index("Tier")
    assert cmp.loc["Private banking", "Private 3M · Customers"] == 2
    assert cmp.loc["Affluent", "Affluent 300K · Customers"] == 0  # B at 250,000 is emerging then
    assert cmp.loc["Customers who change tier", "Affluent 300K · Customers"] == 1


def test_adopting_writes_a_new_version(db, rules_path):
    at = _app(tune="retail.private:3000000")
    at.checkbox(key="tu_adopt_sure").check().run()
    adopt = [b for b in at.button if b.label == "Adopt"][0]
    adopt.click().run()
    assert not at.exception
    assert load_rules(rules_path).version == 2
    assert load_rules(rules_path).retail.private == 3e6
    assert (rules_path.parent / "rules_history" / "tier_rules.v1.toml").exists()


def test_chinese(db):
    at = _app(lang="zh", tune="retail.private:3000000")
    assert at.title[0].value == "阈值调优"
    assert {m.label: m.value for m in at.metric}["层级变化的客户"] == "1"
    assert "大型企业起点，信息技术（年销售收入，元）" in [s.label for s in at.slider]
