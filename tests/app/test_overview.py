"""The landing page against a small database whose numbers a person can check."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from analytics.store import Store
from tests.conftest import REPO, insert_rows

D1, D2 = dt.date(2026, 8, 31), dt.date(2026, 9, 30)


@pytest.fixture
def db(tmp_path, monkeypatch):
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
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    return path


def _app(**query: str) -> AppTest:
    """A fresh session opened at a URL with these query parameters.

    Views are driven through the URL (as a shared link opens them): AppTest 1.67 does
    not rerun the main script of an st.navigation app after a widget change, so
    widget interactions are covered by the browser test instead.
    """
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
    at.query_params.update(query)
    return at.run()


def test_headline_numbers(db):
    at = _app()
    assert not at.exception
    metrics = {m.label: (m.value, m.delta) for m in at.metric}
    assert metrics["Customers"] == ("3", "+200.0%")
    assert metrics["AUM"] == ("6.2M", "+6100.0%")  # 100k -> 6.2M
    assert metrics["Deposits"] == ("90.0K", "+12.5%")
    assert metrics["Loans"][0] == "2.0M"
    assert metrics["Profit contribution"][0] == "12.0K"
    assert at.selectbox[0].value == "2026-09-30"


def test_tier_table_counts(db):
    at = _app()
    table = at.dataframe[0].value.set_index("Tier")
    assert table.loc["Emerging", "Customers"] == 1  # A: 150k
    assert table.loc["Private banking", "Customers"] == 1  # B: 6M
    assert table.loc["Small", "Customers"] == 1  # C: loans, no sales or assets figure -> below both criteria
    assert table["Customers"].sum() == 3


def test_earlier_snapshot_and_chinese(db):
    at = _app(snapshot="2026-08-31")
    assert at.selectbox[0].value == "2026-08-31"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Customers"] == "1"
    at = _app(snapshot="2026-08-31", lang="简体中文")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["客户数"] == "1"
    assert metrics["金融资产"] == "10.0万"
    assert at.sidebar.radio[0].value == "简体中文"


def test_unknown_url_values_fall_back(db):
    at = _app(snapshot="1999-01-31", lang="fr")
    assert not at.exception
    assert at.selectbox[0].value == "2026-09-30"
    assert at.sidebar.radio[0].value == "English"


def test_empty_database_offers_the_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("TIERSCOPE_DB", str(tmp_path / "empty.duckdb"))
    at = _app()
    assert not at.exception
    assert "No portfolio data yet" in at.info[0].value
    assert at.button[0].label == "Build the demo portfolio"
