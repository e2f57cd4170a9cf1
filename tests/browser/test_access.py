"""Two people signed in at once, in two browser contexts: each sees only their own scope."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from analytics import users
from analytics.demo import build_demo
from analytics.store import Store
from tests.browser.conftest import Server
from tests.browser.test_app import _no_errors, _settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]
END = dt.date(2026, 10, 31)


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("access")
    db = tmp / "demo.duckdb"
    store = Store(db)
    build_demo(store, customers=2000, months=13, seed=5, end=END)
    store.close()
    con = duckdb.connect(str(db), read_only=True)
    # a branch, and a relationship manager of another branch, with their customer counts
    branch, branch_n = con.execute(
        "SELECT branch, count(*) FROM customers WHERE snapshot_date = ? GROUP BY branch ORDER BY 2 DESC LIMIT 1",
        [END],
    ).fetchone()
    rm, rm_n = con.execute(
        "SELECT rm_id, count(*) FROM customers WHERE snapshot_date = ? AND branch <> ? GROUP BY rm_id "
        "ORDER BY 2 DESC LIMIT 1",
        [END, branch],
    ).fetchone()
    con.close()
    people = tmp / "users.toml"
    users.add_user(people, "alice", role="branch", branch=branch, name="Alice", password="alice-pw-1")
    users.add_user(people, "bob", role="rm", rm=rm, name="Bob", password="bob-pw-01")
    srv = Server(
        db, tmp / "streamlit.log", env={"TIERSCOPE_USERS": str(people), "TIERSCOPE_EXPORT_WARMUP": "0"}
    )
    yield srv, {"alice": (branch, branch_n), "bob": (rm, rm_n)}
    srv.stop()


def _sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(url)
    _settle(page)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    _settle(page)
    page.get_by_test_id("stMetric").first.wait_for(timeout=60_000)


def _customers(page) -> str:
    card = page.get_by_test_id("stMetric").first
    return card.get_by_test_id("stMetricValue").inner_text().strip()


def test_two_users_at_once_each_see_their_own_scope(browser, bank):
    server, expected = bank
    contexts = {
        name: browser.new_context(viewport={"width": 1400, "height": 1000}) for name in ("alice", "bob")
    }
    pages = {name: ctx.new_page() for name, ctx in contexts.items()}
    passwords = {"alice": "alice-pw-1", "bob": "bob-pw-01"}
    for name, page in pages.items():
        _sign_in(page, server.url, name, passwords[name])
    for name, page in pages.items():
        unit, count = expected[name]
        assert _customers(page) == f"{count:,}", name
        assert unit in page.get_by_test_id("stSidebar").inner_text()
        _no_errors(page, f"overview as {name}")
    # Both move on (the session keeps who they are) and come back: still their own numbers
    for name, page in pages.items():
        page.get_by_test_id("stSidebar").get_by_role("link", name="Service standards").click()
        _settle(page)
        _no_errors(page, f"service standards as {name}")
        assert expected[name][0] in page.get_by_test_id("stSidebar").inner_text()
    for name, page in pages.items():
        page.get_by_test_id("stSidebar").get_by_role("link", name="Overview").click()
        _settle(page)
        page.get_by_test_id("stMetric").first.wait_for(timeout=60_000)
        assert _customers(page) == f"{expected[name][1]:,}", name
    # A reload is a new session: it asks to sign in again, and shows nothing before
    pages["bob"].reload()
    _settle(pages["bob"])
    pages["bob"].get_by_role("button", name="Sign in", exact=True).wait_for()
    assert pages["bob"].get_by_test_id("stMetric").count() == 0
    for ctx in contexts.values():
        ctx.close()
