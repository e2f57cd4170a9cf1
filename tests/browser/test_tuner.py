"""The threshold tuner in headless Chromium: a change reruns only the tuner's fragment, updates
the figures and puts the scenario in the address bar; the link opens the same scenario."""

from __future__ import annotations

import datetime as dt
import shutil
import urllib.parse

import pytest

from analytics.demo import build_demo
from analytics.rules import DEFAULT_RULES_PATH
from analytics.store import Store
from tests.browser.conftest import Server
from tests.browser.test_app import _no_errors, _settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tuner")
    db = tmp / "demo.duckdb"
    store = Store(db)
    build_demo(store, customers=3000, months=2, seed=7, end=dt.date(2026, 10, 31))
    store.close()
    rules = tmp / "rules" / "tier_rules.toml"
    rules.parent.mkdir()
    shutil.copy(DEFAULT_RULES_PATH, rules)
    srv = Server(db, tmp / "streamlit.log", env={"TIERSCOPE_TIMING": "1", "TIERSCOPE_RULES": str(rules)})
    srv.log_path = tmp / "streamlit.log"
    yield srv
    srv.stop()


def _full_runs(server) -> int:
    """Runs of the whole script (dashboard.py prints one timing line per run; a fragment does not)."""
    return server.log_path.read_text().count("TIERSCOPE_TIMING page=tuner")


def _metric(page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label)
    return box.get_by_test_id("stMetricValue").inner_text()


def test_a_change_reruns_only_the_fragment_and_lands_in_the_url(browser, server):
    page = browser.new_context(viewport={"width": 1400, "height": 1200}).new_page()
    page.goto(f"{server.url}/tuner")
    _settle(page)
    _no_errors(page, "tuner")
    assert _metric(page, "Customers who change tier") == "0"
    runs = _full_runs(server)

    box = page.get_by_test_id("stMain").get_by_test_id("stNumberInput").locator("input").nth(3)  # private
    assert box.input_value() == "5000000"
    box.fill("3000000")
    box.press("Enter")
    _settle(page)
    _no_errors(page, "tuner after a change")
    moved = _metric(page, "Customers who change tier")
    assert moved != "0"
    assert _full_runs(server) == runs  # the sidebar and the page around the fragment did not rerun
    url = page.evaluate("location.href")
    assert urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["tune"] == ["retail.private:3000000"]

    # the address bar opens the same scenario in a fresh session
    other = browser.new_context(viewport={"width": 1400, "height": 1200}).new_page()
    other.goto(url)
    _settle(other)
    _no_errors(other, "tuner from a link")
    assert _metric(other, "Customers who change tier") == moved
    assert other.get_by_test_id("stNumberInput").locator("input").nth(3).input_value() == "3000000"
