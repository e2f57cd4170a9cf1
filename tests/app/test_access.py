"""Sign-in, scopes, masking and the audit, through the dashboard.

The portfolio: two branches. B1 (region East) has relationship managers M1 (customers A, B)
and M2 (C); B2 (region South) has M3 (D, E). Every page, every export: a branch user sees B1
only, an RM only their own customers, a head-office analyst everything with names masked.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import audit, users
from analytics.store import Store
from tests.app.conftest import download
from tests.conftest import REPO, insert_rows
from ui.navigation import available_pages

D1, D2 = dt.date(2026, 8, 31), dt.date(2026, 9, 30)
PAGES = ("overview", "segmentation", "migration", "trends", "tuner", "standards")
WHO = {  # customer -> (region, branch, rm, AUM at D2)
    "A": ("East", "B1", "M1", 2_000_000.0),
    "B": ("East", "B1", "M1", 300_000.0),
    "C": ("East", "B1", "M2", 60_000.0),
    "D": ("South", "B2", "M3", 6_000_000.0),
    "E": ("South", "B2", "M3", 10_000.0),
}


@pytest.fixture
def bank(tmp_path, monkeypatch):
    path = tmp_path / "bank.duckdb"
    s = Store(path)
    rows = []
    for cid, (region, branch, rm, aum) in WHO.items():
        for day, scale in ((D1, 0.5), (D2, 1.0)):
            rows.append(
                dict(
                    snapshot_date=day,
                    customer_id=cid,
                    customer_name=f"Name {cid}",
                    segment="retail",
                    region=region,
                    branch=branch,
                    rm_id=rm,
                    aum=aum * scale,
                    deposit_balance=aum * scale,
                    fee_income=aum / 1000,
                )
            )
    insert_rows(s, "customers", rows)
    insert_rows(
        s,
        "complaints",
        [
            dict(
                complaint_id="k1",
                received_date=D2,
                customer_id="A",
                region="East",
                branch="B1",
                category="fees",
            ),
            dict(
                complaint_id="k2",
                received_date=D2,
                customer_id="D",
                region="South",
                branch="B2",
                category="app",
            ),
        ],
    )
    s.close()
    people = tmp_path / "users.toml"
    users.add_user(people, "alice", role="branch", branch="B1", name="Alice", password="alice-pw-1")
    users.add_user(people, "bob", role="rm", rm="M3", name="Bob", password="bob-pw-01")
    users.add_user(people, "carol", role="head_office", name="Carol", password="carol-pw-1")
    users.add_user(
        people, "dave", role="admin", name="Dave", password="dave-pw-01", email="dave@bank.example"
    )
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    monkeypatch.setenv("TIERSCOPE_USERS", str(people))
    return path


def _as(user: str | None, page: str = "overview", **query: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120)
    if user:
        at.session_state["_user"] = user
    at.query_params.update(query)
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _column_values(at: AppTest, column: str) -> set[str]:
    return {str(v) for d in at.dataframe if column in d.value.columns for v in d.value[column].dropna()}


def _log(db) -> pd.DataFrame:
    s = Store(db)
    try:
        return audit.read(s)
    finally:
        s.close()


def test_without_signing_in_nothing_is_shown(bank):
    at = _as(None)
    assert [t.value for t in at.title] == ["Sign in to Tierscope"]
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")


def test_password_sign_in_and_a_wrong_password(bank):
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120).run()
    at.text_input(key="sign_in_user").input("alice")
    at.text_input(key="sign_in_password").input("wrong")
    at.button[0].click().run()
    assert "Unknown user or wrong password." in [e.value for e in at.error]
    assert "_user" not in at.session_state
    at.text_input(key="sign_in_password").input("alice-pw-1")
    at.button[0].click().run()
    assert at.session_state["_user"] == "alice"
    log = _log(bank)
    assert list(log["action"]) == ["sign_in", "sign_in_failed"]  # newest first
    assert list(log["username"]) == ["alice", "alice"] and log["scope"][0] == "branch:B1"


@pytest.mark.parametrize("page", PAGES)
def test_a_branch_user_sees_their_branch_on_every_page(bank, page):
    at = _as("alice", page)
    assert not at.error, [e.value for e in at.error]
    assert _column_values(at, "Branch") <= {"B1"}
    assert _column_values(at, "Customer ID") <= {"A", "B", "C"}
    assert _column_values(at, "Relationship manager") <= {"M1", "M2"}
    for chart in at.get("plotly_chart"):
        text = json.dumps(json.loads(chart.proto.spec)["data"])
        assert "B2" not in text and "M3" not in text
    # the sidebar is fixed to the branch
    assert at.sidebar.selectbox(key="branch").value == "B1" and at.sidebar.selectbox(key="branch").disabled


def test_a_branch_user_totals_are_the_branch_totals(bank):
    metrics = _metrics(_as("alice"))
    assert metrics["Customers"] == "3"  # A, B, C
    assert metrics["AUM"] == "2.4M"  # 2,000,000 + 300,000 + 60,000
    head_office = _metrics(_as("carol"))
    assert head_office["Customers"] == "5" and head_office["AUM"] == "8.4M"


def test_a_relationship_manager_sees_only_their_customers(bank):
    at = _as("bob")
    assert _metrics(at)["Customers"] == "2"  # D and E
    assert _column_values(at, "Customer ID") == {"D", "E"}
    assert _column_values(at, "Relationship manager") == {"M3"}


def test_a_crafted_url_cannot_widen_a_scope(bank):
    at = _as("alice", region="South", branch="B2", rm="M3", segment="all")
    assert _metrics(at)["Customers"] == "3"
    assert at.sidebar.selectbox(key="branch").value == "B1"
    assert _column_values(at, "Customer ID") <= {"A", "B", "C"}
    at = _as("bob", branch="B1", rm="M1")
    assert _metrics(at)["Customers"] == "2"


def test_two_users_in_one_process_never_share_a_cached_result(bank):
    # The same process and caches, one user after another: each gets their own numbers
    seen = [_metrics(_as(user))["Customers"] for user in ("alice", "carol", "bob", "alice", "carol")]
    assert seen == ["3", "5", "2", "3", "5"]


def test_head_office_sees_everything_with_names_and_ids_masked(bank):
    at = _as("carol")
    ids = _column_values(at, "Customer ID")
    assert len(ids) == 5 and all(i.startswith("#") and len(i) == 11 for i in ids)
    assert _column_values(at, "Customer name") == {"***"}
    # the export carries the same masks
    admin = _as("dave")
    assert _column_values(admin, "Customer ID") == set(WHO)  # an administrator sees identities


def test_exports_follow_the_scope_and_are_audited(bank, deferred):
    at = _as("alice")
    data, _ = download(at, "ex_ov_top_customers_csv", deferred)
    frame = pd.read_csv(io.StringIO(data.decode("utf-8-sig")), dtype=str)
    assert set(frame["Customer ID"]) == {"A", "B", "C"} and set(frame["Branch"]) == {"B1"}
    data, _ = download(at, "ex_tier_table_csv", deferred)
    tiers = pd.read_csv(io.StringIO(data.decode("utf-8-sig")))
    assert tiers["Customers"].sum() == 3
    masked = _as("carol")
    data, _ = download(masked, "ex_ov_top_customers_csv", deferred)
    text = data.decode("utf-8-sig")
    assert "Name A" not in text and ",A," not in text and "***" in text
    log = _log(bank)
    exports = log[log["action"] == "export"]
    assert list(exports["username"]) == ["carol", "alice", "alice"]
    assert list(exports["scope"]) == ["bank", "branch:B1", "branch:B1"]
    assert exports["detail"].iloc[-1].startswith("csv · Top")


def test_a_user_without_a_scope_sees_an_empty_state(bank):
    # Signed in at the identity provider, but not in the users file: no access at all
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120)
    at.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x"}
    at.user = {"is_logged_in": True, "email": "stranger@example.com"}
    at.run()
    assert not at.exception
    assert "Your account has no access to any customers yet: ask an administrator." in [
        w.value for w in at.sidebar.warning
    ]
    assert not at.metric or _metrics(at).get("Customers") in (None, "0")
    assert not _column_values(at, "Customer ID")


def test_oidc_sign_in_maps_the_email_to_the_users_file(bank):
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120)
    at.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x"}
    at.user = {"is_logged_in": True, "email": "Dave@Bank.example"}
    at.run()
    assert not at.exception
    assert _metrics(at)["Customers"] == "5"
    assert "**Dave · Administrator**" in [m.value for m in at.sidebar.markdown]
    log = _log(bank)
    assert (log["action"][0], log["username"][0], log["detail"][0]) == ("sign_in", "dave", "oidc")


def test_sign_in_page_offers_single_sign_on_when_configured(bank):
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120)
    at.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x"}
    at.user = {"is_logged_in": False}
    at.run()
    assert "Sign in with single sign-on" in [b.label for b in at.button]
    assert not at.metric


def test_only_administrators_load_data_or_adopt_rules(bank):
    assert "data" not in [url for *_, url in available_pages(admin=False)]
    at = _as("alice", "tuner")
    assert "Only an administrator may do this." in [c.value for c in at.caption]
    assert not [b for b in at.button if b.label == "Adopt"]
    admin = _as("dave", "tuner")
    assert "Only an administrator may do this." not in [c.value for c in admin.caption]


def test_injection_strings_in_filters_are_harmless(bank):
    hostile = "B1' OR '1'='1"
    at = _as("carol", region="East'; DROP TABLE customers; --", branch=hostile, rm='x" OR 1=1')
    assert not at.error
    assert _metrics(at)["Customers"] == "5"  # unknown values fall back to the whole view
    at = _as("alice", branch=hostile)
    assert _metrics(at)["Customers"] == "3"
    s = Store(bank)
    assert s.raw().execute("SELECT count(*) FROM customers").fetchall()[0][0] == 10
    s.close()


def test_local_mode_says_so(tmp_path, monkeypatch, bank):
    monkeypatch.setenv("TIERSCOPE_USERS", str(tmp_path / "no-such-file.toml"))
    at = _as(None)
    assert _metrics(at)["Customers"] == "5"
    assert any(c.value.startswith("Local mode: no users are configured") for c in at.sidebar.caption)
    assert _column_values(at, "Customer ID") == set(WHO)


def test_repeated_failed_sign_ins_lock_the_user_for_a_while(bank, monkeypatch):
    from ui import access

    monkeypatch.setattr(access, "_FAILURES", {})
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120).run()
    at.text_input(key="sign_in_user").input("alice")
    for _ in range(access.MAX_FAILURES):
        at.text_input(key="sign_in_password").input("guess")
        at.button[0].click().run()
    at.text_input(key="sign_in_password").input("alice-pw-1")  # right, but too late
    at.button[0].click().run()
    assert "Too many failed sign-ins for this user: try again in 15 minutes." in [e.value for e in at.error]
    assert "_user" not in at.session_state
    log = _log(bank)
    assert list(log["detail"][:2]) == ["locked", "password"]


def test_the_data_page_shows_the_audit_log_to_an_administrator(bank):
    _as("alice")  # leaves nothing in the log: a session injected, no sign-in
    s = Store(bank)
    audit.record(
        s, user="alice", role="branch", scope="branch:B1", action="export", detail="csv · Tier summary"
    )
    s.close()
    at = _as("dave", "data")
    assert "1 entries; the hash chain is intact (no entry was edited or removed)." in [
        c.value for c in at.caption
    ]
    log = next(d.value for d in at.dataframe if "Action" in d.value.columns)
    assert list(log["User"]) == ["alice"] and list(log["Scope"]) == ["branch:B1"]
    refused = _as("alice", "data")
    assert not [d for d in refused.dataframe if "Action" in d.value.columns]


def test_a_branch_users_deck_names_the_branch_and_is_audited(bank, deferred):
    from pptx import Presentation

    from ui import export

    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120)
    at.session_state["_user"] = "alice"
    table = pd.DataFrame({"Tier": ["Affluent"], "Customers": [1]})
    at.session_state[export.DECK_KEY] = [export.DeckItem(id="t", title="Tier summary", table=table)]
    at.run()
    data, _ = download(at, "deck_download", deferred)
    first = Presentation(io.BytesIO(data)).slides[0]
    text = " ".join(s.text_frame.text for s in first.shapes if s.has_text_frame)
    assert "Branch B1 · Exported" in text
    log = _log(bank)
    assert (log["action"][0], log["username"][0], log["scope"][0]) == ("export", "alice", "branch:B1")
    assert log["detail"][0] == "pptx · 1 items: Tier summary"


def _frames(at: AppTest) -> list[pd.DataFrame]:
    # The page's tables, without the rules history an administrator also sees on the tuner
    return [
        d.value.reset_index(drop=True)
        for d in at.dataframe
        if d not in at.sidebar.dataframe and "path" not in d.value.columns
    ]


def _chart_data(at: AppTest) -> list:
    return [json.loads(c.proto.spec)["data"] for c in at.get("plotly_chart")]


@pytest.mark.parametrize("page", PAGES)
def test_a_branch_users_page_equals_head_office_filtered_to_that_branch(bank, page):
    # Every number, table and chart of the branch user is the branch's own: the same as an
    # administrator sees with the branch filter (both see identities, so nothing is masked)
    mine = _as("alice", page)
    theirs = _as("dave", page, region="East", branch="B1")
    assert _metrics(mine) == _metrics(theirs)
    ours, admins = _frames(mine), _frames(theirs)
    assert len(ours) == len(admins)
    for a, b in zip(ours, admins, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert _chart_data(mine) == _chart_data(theirs)


@pytest.mark.parametrize("page", PAGES)
def test_no_scope_no_rows_on_any_page(bank, page):
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120)
    at.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x"}
    at.user = {"is_logged_in": True, "email": "stranger@example.com"}
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    assert not _column_values(at, "Customer ID") and not _column_values(at, "Branch")
    assert _metrics(at).get("Customers") in (None, "0")


def test_the_closure_waiting_note_counts_only_the_users_customers(bank, monkeypatch):
    from ui import trends

    monkeypatch.setattr(trends, "CHURN_AUTO_LIMIT", 1)  # make the comparison wait for its button
    at = _as("alice", "trends", tab="links")
    notes = [c.value for c in at.caption if "customer-snapshots" in c.value]
    assert notes and "(6 customer-snapshots)" in notes[0]  # A, B, C in two snapshots; the bank has 10
