"""End to end: the landing page in headless Chromium, with widget clicks and a shared URL."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from analytics.store import Store
from tests.browser.conftest import start_server
from tests.conftest import insert_rows

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def server(tmp_path):
    db = tmp_path / "browser.duckdb"
    s = Store(db)
    insert_rows(
        s,
        "customers",
        [
            dict(snapshot_date=dt.date(2026, 8, 31), customer_id="A", segment="retail", aum=100_000.0),
            dict(snapshot_date=dt.date(2026, 9, 30), customer_id="A", segment="retail", aum=300_000.0),
            dict(snapshot_date=dt.date(2026, 9, 30), customer_id="B", segment="retail", aum=5_000_000.0),
        ],
    )
    s.close()
    srv = start_server(db, tmp_path)
    yield srv
    srv.stop()


def _metric(page, label: str) -> str:
    card = page.get_by_test_id("stMetric").filter(has_text=label).first
    return card.get_by_test_id("stMetricValue").inner_text()


def test_landing_page_switches_language_and_snapshot(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(server.url, wait_until="networkidle")
    page.get_by_test_id("stMetric").first.wait_for(timeout=30_000)
    assert _metric(page, "Customers") == "2"
    assert _metric(page, "AUM") == "5.3M"
    assert page.get_by_test_id("stException").count() == 0

    # switch to Chinese with the sidebar radio
    page.get_by_test_id("stSidebar").get_by_text("简体中文").click()
    page.get_by_text("客户数").first.wait_for(timeout=30_000)
    assert _metric(page, "金融资产") == "530.0万"
    page.wait_for_url(re.compile(r"lang=zh"), timeout=30_000)

    # choose the earlier snapshot in the sidebar select box
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="2026-08-31").click()
    page.wait_for_url(re.compile(r"snapshot=2026-08-31"), timeout=30_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')].some(e => e.innerText === '10.0万')",
        timeout=30_000,
    )

    # a copied link opens the same view in a new browser context
    shared = page.url
    other = browser.new_context().new_page()
    other.goto(shared, wait_until="networkidle")
    other.get_by_test_id("stMetric").first.wait_for(timeout=30_000)
    assert _metric(other, "客户数") == "1"
    assert _metric(other, "金融资产") == "10.0万"
    assert other.get_by_test_id("stException").count() == 0
    context.close()
