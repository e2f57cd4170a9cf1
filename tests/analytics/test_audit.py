"""The audit log: rows as recorded, newest first, a hash chain that shows any edit."""

from __future__ import annotations

import threading

import pytest

from analytics import audit


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
