"""Export end to end: a chart's PNG from its Export menu, the deck basket, the deck download."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from analytics.demo import build_demo
from analytics.export import png_size
from analytics.store import Store
from tests.browser.conftest import Server
from tests.browser.test_app import _no_errors, _settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    db = tmp / "demo.duckdb"
    store = Store(db)
    build_demo(store, customers=2000, months=13, seed=5, end=dt.date(2026, 10, 31))
    store.close()
    srv = Server(db, tmp / "streamlit.log", env={"TIERSCOPE_EXPORT_WARMUP": "1"})
    yield srv
    srv.stop()


def _download(page, click) -> tuple:
    """Click and wait for the download; click once more if the first click went unheard.

    On a loaded CI machine about one click in five on the sidebar's deck button, just after its
    expander opened, brought no download and no server log line (the click seemed not to reach
    the button); a person would click again, so does this. A file that fails on the server fails
    both clicks and the test.
    """
    for attempt in (1, 2):
        try:
            with page.expect_download(timeout=30_000 if attempt == 1 else 60_000) as info:
                click()
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    return info.value, open(info.value.path(), "rb").read()


def test_png_from_the_export_menu_and_a_deck_from_the_basket(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(server.url)
    _settle(page)
    main = page.get_by_test_id("stMain")

    # The pyramid's Export menu: PNG at 1920 x 1080
    main.get_by_role("button", name="Export").first.click()
    menu = page.get_by_test_id("stPopoverBody")
    menu.wait_for()
    download, png = _download(page, lambda: menu.get_by_role("button", name="PNG").click())
    assert download.suggested_filename.endswith("_2026-10-31.png")
    assert png_size(png) == (1920, 1080)

    # Add it to the deck; add the tier table too
    sidebar = page.get_by_test_id("stSidebar")
    menu.get_by_role("button", name="Add to deck").click()
    sidebar.get_by_text("Deck · 1").wait_for()
    _settle(page)
    page.keyboard.press("Escape")
    main.get_by_text("Tier summary").first.click()  # the expander with the table
    main.get_by_role("button", name="Table to deck").first.click()
    sidebar.get_by_text("Deck · 2").wait_for()
    _settle(page)
    _no_errors(page, "overview after adding to the deck")

    # The sidebar's deck lists both and downloads them as a PPTX
    sidebar.get_by_text("Deck · 2").click()
    sidebar.get_by_role("button", name="Download deck (PPTX)").wait_for()
    page.wait_for_timeout(500)  # the expander's opening animation
    download, deck = _download(
        page, lambda: sidebar.get_by_role("button", name="Download deck (PPTX)").click()
    )
    assert download.suggested_filename.endswith(".pptx")
    prs = Presentation(io.BytesIO(deck))
    assert len(prs.slides) == 3  # title, pyramid, tier table
    assert [s.shape_type for s in prs.slides[1].shapes].count(MSO_SHAPE_TYPE.PICTURE) == 1
    assert any(s.has_table for s in prs.slides[2].shapes)
    context.close()
