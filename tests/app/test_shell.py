"""The shell: navigation, the sidebar filters kept in the URL, breadcrumb and error handling."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from analytics.store import Store
from tests.app.conftest import open_app
from tests.conftest import insert_rows

D = dt.date(2026, 9, 30)


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "shell.duckdb"
    s = Store(path)
    rows = []
    for i, (region, branch, rm, segment, aum) in enumerate(
        [
            ("华东", "上海浦东支行", "RM01", "retail", 100_000.0),
            ("华东", "上海浦东支行", "RM02", "retail", 300_000.0),
            ("华东", "杭州西湖支行", "RM03", "corporate", 900_000.0),
            ("华南", "深圳南山支行", "RM04", "retail", 50_000.0),
        ]
    ):
        rows.append(
            dict(
                snapshot_date=D,
                customer_id=f"C{i}",
                region=region,
                branch=branch,
                rm_id=rm,
                segment=segment,
                aum=aum,
            )
        )
    insert_rows(s, "customers", rows)
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    return path


_app = open_app


def _select(at: AppTest, label: str):
    return next(s for s in at.sidebar.selectbox if s.label == label)


def test_head_office_offers_every_region(db):
    at = _app()
    assert not at.exception and not at.error
    assert _select(at, "Region").options == ["All regions", "华东", "华南"]
    assert _select(at, "Branch").options == ["All branches", "上海浦东支行", "杭州西湖支行", "深圳南山支行"]
    assert [b.label for b in at.button if b.key and b.key.startswith("crumb_")] == []


def test_region_in_url_narrows_branches_and_figures(db):
    at = _app(region="华东")
    assert _select(at, "Region").value == "华东"
    assert _select(at, "Branch").options == ["All branches", "上海浦东支行", "杭州西湖支行"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Customers"] == "3"
    crumbs = [b.label for b in at.button if b.key and b.key.startswith("crumb_")]
    assert crumbs == ["Head office", "› 华东"]


def test_branch_and_rm_in_url(db):
    at = _app(region="华东", branch="上海浦东支行", rm="RM02")
    assert _select(at, "Relationship manager").options == ["All relationship managers", "RM01", "RM02"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Customers"] == "1"
    assert metrics["AUM"] == "300.0K"


def test_segment_in_url(db):
    at = _app(segment="corporate")
    assert {m.label: m.value for m in at.metric}["Customers"] == "1"
    assert _select(at, "Region").options == ["All regions", "华东"]
    at = _app(segment="nonsense")
    assert {m.label: m.value for m in at.metric}["Customers"] == "4"


def test_crafted_url_values_are_ignored(db):
    at = _app(region="'; DROP TABLE customers; --", branch="不存在支行")
    assert not at.exception
    assert _select(at, "Region").value == ""  # the "all regions" choice
    assert {m.label: m.value for m in at.metric}["Customers"] == "4"


def test_chinese_labels(db):
    at = _app(lang="简体中文", region="华南")
    assert _select(at, "分行").value == "华南"
    assert {m.label: m.value for m in at.metric}["客户数"] == "1"


def test_a_bug_is_a_message_not_a_traceback(db, monkeypatch):
    monkeypatch.delenv("TIERSCOPE_DEV")
    import ui.data

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ui.data, "_result", broken)
    at = _app()
    assert not at.exception
    assert "could not be drawn" in at.error[0].value
    assert "boom" not in at.error[0].value


def test_the_url_is_corrected_to_the_view_shown(db):
    # an unknown branch is dropped from the URL; the region stays; defaults are left out
    at = _app(region="华东", branch="不存在支行", lang="en", segment="all")
    assert {m.label: m.value for m in at.metric}["Customers"] == "3"
    assert dict(at.query_params) == {"region": "华东"}


def test_older_links_with_the_language_name_still_open(db):
    at = _app(lang="简体中文")
    assert at.sidebar.radio[0].value == "zh"
    assert dict(at.query_params) == {"lang": "zh"}


def test_a_view_on_the_latest_snapshot_follows_a_newer_load():
    # AppTest cannot rerun an st.navigation app's main script in one session, so the rule
    # is checked on the session state directly: latest 09-30 seen, then 10-31 is loaded.
    import streamlit as st

    from ui.sidebar import _follow_latest

    for key in ("_latest_snapshot", "snapshot"):
        st.session_state.pop(key, None)
    st.session_state["snapshot"] = "2026-09-30"
    _follow_latest("2026-09-30")
    _follow_latest("2026-10-31")
    assert st.session_state["snapshot"] == "2026-10-31"  # was on the latest: follows it
    st.session_state["snapshot"] = "2026-08-31"
    _follow_latest("2026-11-30")
    assert st.session_state["snapshot"] == "2026-08-31"  # chosen on purpose: stays
