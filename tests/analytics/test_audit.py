"""The audit log: rows as recorded, newest first, a hash chain that shows any edit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from analytics import audit
from analytics.store import Store
from tests.conftest import REPO


def test_record_and_read(store):
    version = store.data_version()
    for action, detail in (("sign_in", "password"), ("export", "png · Tier pyramid"), ("sign_out", "")):
        audit.record(store, user="alice", role="branch", scope="branch:B1", action=action, detail=detail)
    log = audit.read(store)
    assert list(log["seq"]) == [3, 2, 1]
    assert list(log["action"]) == ["sign_out", "export", "sign_in"]
    assert set(log["username"]) == {"alice"} and set(log["scope"]) == {"branch:B1"}
    assert log["detail"][1] == "png · Tier pyramid"
    assert list(audit.read(store, action="export")["seq"]) == [2]
    assert audit.verify(store) == audit.AuditCheck(ok=True, rows=3)
    assert store.data_version() == version  # the dashboard's caches stay valid


def test_an_edit_breaks_the_chain(store):
    for i in range(4):
        audit.record(store, user=f"u{i}", role=None, scope="bank", action="export")
    store.raw().execute("UPDATE audit_log SET username = 'someone else' WHERE seq = 3")
    assert audit.verify(store) == audit.AuditCheck(ok=False, rows=4, first_bad_seq=3)


def test_a_removed_row_breaks_the_chain(store):
    for i in range(3):
        audit.record(store, user=f"u{i}", role=None, scope="bank", action="load")
    store.raw().execute("DELETE FROM audit_log WHERE seq = 2")
    assert audit.verify(store).first_bad_seq == 3


def test_concurrent_records_keep_one_chain(store):
    def work():
        for _ in range(5):
            audit.record(store, user="t", role="admin", scope="bank", action="export")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(audit.read(store)["seq"]) == list(range(1, 21))
    assert audit.verify(store).ok


def test_hostile_detail_is_stored_as_text_and_actions_are_checked(store):
    hostile = "'); DROP TABLE customers; --"
    audit.record(store, user="x", role=None, scope="bank", action="export", detail=hostile)
    assert audit.read(store)["detail"][0] == hostile
    assert store.raw().execute("SELECT count(*) FROM customers").fetchall()[0][0] == 0  # still there
    with pytest.raises(ValueError, match="audit action must be one of"):
        audit.record(store, user="x", role=None, scope="bank", action="delete_everything")
    audit.record(store, user="x", role=None, scope="bank", action="export", detail="y" * 5000)
    assert len(audit.read(store)["detail"][0]) == audit.DETAIL_MAX


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TIERSCOPE_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args], capture_output=True, text=True, cwd=REPO, env=env
    )


def test_the_audit_command(tmp_path):
    path = tmp_path / "audit.duckdb"
    s = Store(path)
    audit.record(s, user="alice", role="branch", scope="branch:B1", action="sign_in", detail="password")
    audit.record(s, user="alice", role="branch", scope="branch:B1", action="export", detail="png")
    s.close()
    shown = _cli("audit", "--db", str(path), "--json")
    assert shown.returncode == 0, shown.stderr
    rows = json.loads(shown.stdout)["rows"]
    assert [(r["seq"], r["action"], r["detail"]) for r in rows] == [
        (2, "export", "png"),
        (1, "sign_in", "password"),
    ]
    assert "hash" not in rows[0] and rows[0]["scope"] == "branch:B1"
    assert json.loads(_cli("audit", "--db", str(path), "--verify", "--json").stdout) == {
        "ok": True,
        "rows": 2,
        "first_bad_seq": None,
    }
    s = Store(path)
    s.raw().execute("UPDATE audit_log SET detail = 'csv' WHERE seq = 2")
    s.close()
    broken = _cli("audit", "--db", str(path), "--verify")
    assert broken.returncode == 1 and "BROKEN at row 2 of 2" in broken.stdout
