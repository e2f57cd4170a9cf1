"""End to end in headless Chromium: every page, both languages, drill down and back, shared URL."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import pytest

from analytics.demo import build_demo
from analytics.store import Store
from tests.browser.conftest import start_server
from ui.navigation import available_pages, url_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("app")
    db = tmp / "demo.duckdb"
    store = Store(db)
    build_demo(store, customers=3000, months=13, seed=5, end=dt.date(2026, 10, 31))
    store.close()
    srv = start_server(db, tmp)
    yield srv
    srv.stop()


def _settle(page) -> None:
    """Wait until Streamlit has finished the script run.

    The app root carries the run state (``data-test-script-state``); the status widget's
    "Running" text appears only after a delay, so a slow run under load could slip past it.
    The short pause first lets a click's rerun request reach the app root.
    """
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(200)
    page.wait_for_selector(
        "[data-testid=stApp][data-test-script-state=notRunning]", state="attached", timeout=90_000
    )
    page.wait_for_timeout(300)


def _no_errors(page, where: str) -> None:
    assert page.get_by_test_id("stException").count() == 0, f"exception on {where}"
    assert page.get_by_test_id("stAlertContentError").count() == 0, f"error message on {where}"


def _sidebar_select(page, index: int, option: str) -> None:
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").nth(index).click()
    page.get_by_role("option", name=option, exact=True).click()
    _settle(page)


def test_every_page_in_both_languages(browser, server):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    for lang in ("en", "zh"):
        for _section, _path, _title, _icon, url in available_pages():
            query = {} if lang == "en" else {"lang": lang}
            page.goto(f"{server.url}/{url_of(url)}?{urllib.parse.urlencode(query)}")
            _settle(page)
            page.get_by_test_id("stMain").wait_for()
            _no_errors(page, f"{url} ({lang})")
    page.context.close()


def test_language_switch_drill_down_and_back_and_shared_url(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(server.url)
    _settle(page)
    page.get_by_test_id("stMetric").first.wait_for(timeout=60_000)
    head_office = page.get_by_test_id("stMetric").first.inner_text()

    page.get_by_test_id("stSidebar").get_by_text("简体中文").click()
    _settle(page)
    page.get_by_text("客户数").first.wait_for(timeout=30_000)

    # drill: a region, then one of its branches, from the sidebar
    region_box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").nth(1)
    region_box.click()
    region = page.get_by_role("option").nth(1).inner_text()
    page.get_by_role("option").nth(1).click()
    _settle(page)
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").nth(2).click()
    branch = page.get_by_role("option").nth(1).inner_text()
    page.get_by_role("option").nth(1).click()
    _settle(page)
    assert urllib.parse.quote(branch) in page.url
    _no_errors(page, "branch view")
    assert page.get_by_role("button", name=f"› {region}").count() == 1  # breadcrumb
    branch_view = page.get_by_test_id("stMetric").first.inner_text()
    assert branch_view != head_office

    # a copied link opens the same view in another browser context
    shared = page.url
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    other.goto(shared)
    _settle(other)
    other.get_by_test_id("stMetric").first.wait_for(timeout=60_000)
    assert other.get_by_test_id("stMetric").first.inner_text() == branch_view
    _no_errors(other, "shared link")
    other.context.close()

    # back to head office through the breadcrumb
    page.get_by_role("button", name="总行").click()
    _settle(page)
    assert "branch=" not in page.url and "region=" not in page.url
    assert page.get_by_test_id("stMetric").first.inner_text().split("\n")[0] == "客户数"
    context.close()


def test_clicking_a_league_bar_drills_into_it(browser, server):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(server.url)
    _settle(page)
    chart = page.locator(".js-plotly-plot").filter(has_text="ranked by AUM").first
    chart.wait_for(timeout=60_000)
    chart.scroll_into_view_if_needed()
    bar = chart.locator(".bars .point path").first
    box = bar.bounding_box()
    # Plotly listens on its drag layer, not on the bar itself: click where the bar is drawn
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_role("button", name="Head office").wait_for(timeout=30_000)  # the breadcrumb appears
    _settle(page)
    region = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").nth(1).inner_text()
    assert "All regions" not in region
    assert page.get_by_text("League table by branch").count() == 1
    _no_errors(page, "after a drill from the chart")
    page.get_by_role("button", name="Head office").click()
    _settle(page)
    assert page.get_by_text("League table by region").count() == 1
    page.context.close()


def _location(page) -> str:
    # page.url follows navigation events only when Playwright pumps them: ask the page itself
    return page.evaluate("location.href")


def test_back_and_forward_step_through_views(browser, server):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(server.url)
    _settle(page)
    page.get_by_text("League table by region").wait_for(timeout=60_000)
    head_office = _location(page)

    # a sidebar choice is a new history entry
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").nth(1).click()
    region = page.get_by_role("option").nth(1).inner_text()
    page.get_by_role("option").nth(1).click()
    _settle(page)
    assert f"region={urllib.parse.quote_plus(region)}" in _location(page)
    page.get_by_text("League table by branch").wait_for(timeout=30_000)

    # a drill from the league chart is another
    chart = page.locator(".js-plotly-plot").filter(has_text="ranked by AUM").first
    chart.scroll_into_view_if_needed()
    box = chart.locator(".bars .point path").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => location.search.includes('branch=')", timeout=30_000)
    _settle(page)
    branch_view = _location(page)
    page.get_by_text("League table by relationship manager").wait_for(timeout=30_000)

    page.go_back()
    _settle(page)
    assert "branch=" not in _location(page) and f"region={urllib.parse.quote_plus(region)}" in _location(page)
    page.get_by_text("League table by branch").wait_for(timeout=30_000)
    page.go_back()
    _settle(page)
    assert _location(page) == head_office
    page.get_by_text("League table by region").wait_for(timeout=30_000)
    page.go_forward()
    _settle(page)
    page.go_forward()
    _settle(page)
    assert _location(page) == branch_view
    page.get_by_text("League table by relationship manager").wait_for(timeout=30_000)

    # the filters stay when the page changes
    page.get_by_test_id("stSidebar").get_by_role("link", name="Data").click()
    _settle(page)
    assert "branch=" in _location(page)
    _no_errors(page, "data page after a drill")
    assert f"region={urllib.parse.quote_plus(region)}" in _location(page)
    page.go_back()
    _settle(page)
    assert _location(page) == branch_view
    page.get_by_text("League table by relationship manager").wait_for(timeout=30_000)
    page.context.close()
