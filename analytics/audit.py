"""The audit log: who signed in, loaded data, adopted rules or exported what, when, in what scope.

One table, ``audit_log``, in the portfolio database. Append-only by the API — this module
only ever inserts, and nothing in Tierscope updates or deletes a row — and tamper-evident: each
row carries the SHA-256 of the previous row's hash and its own fields, so an edited, removed or
re-ordered row breaks the chain, which :func:`verify` finds (``python -m analytics audit
--verify``). (Cutting off the newest rows, or rewriting the chain from an edited row on, shows
only against a copy of a later ``hash`` kept elsewhere.) There is no update or delete
function. Recording never changes :meth:`analytics.store.Store.data_version`, so it never
invalidates the dashboard's caches.

The time column is ``recorded_at`` (UTC): ``at`` is a reserved word in DuckDB.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass

import pandas as pd

#: What can be recorded.
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "load",
    "delete_snapshot",
    "demo",
    "adopt_rules",
    "export",
)
DETAIL_MAX = 2000
GENESIS = "0" * 64

AUDIT_LOG_SQL = """
CREATE TABLE IF NOT EXISTS audit_log (
  seq BIGINT PRIMARY KEY,
  recorded_at TIMESTAMP NOT NULL,
  username VARCHAR NOT NULL,
  role VARCHAR,
  scope VARCHAR NOT NULL,
  action VARCHAR NOT NULL,
  detail VARCHAR,
  prev_hash VARCHAR NOT NULL,
  hash VARCHAR NOT NULL
)
"""

_COLUMNS = ("seq", "recorded_at", "username", "role", "scope", "action", "detail")
_LOCK = threading.Lock()


def _row_hash(prev_hash: str, row: dict) -> str:
    fields = {k: (row[k].isoformat(sep=" ") if k == "recorded_at" else row[k]) for k in _COLUMNS}
    payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def record(store, *, user: str, role: str | None, scope: str, action: str, detail: str = "") -> int:
    """Append one row to the audit log and return its sequence number.

    Thread-safe (downloads are made in Streamlit's own threads). The values are bound as
    parameters, never spliced into SQL; ``detail`` is kept to 2,000 characters.

    Raises
    ------
    ValueError
        An action not in :data:`ACTIONS`.
    """
    if action not in ACTIONS:
        raise ValueError(f"audit action must be one of {ACTIONS}, not {action!r}")
    con = store.raw()
    with _LOCK:
        con.execute("BEGIN TRANSACTION")
        try:
            last = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchall()
            seq, prev = (last[0][0] + 1, last[0][1]) if last else (1, GENESIS)
            row = {
                "seq": seq,
                # UTC, to the microsecond, as DuckDB keeps it
                "recorded_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
                "username": str(user),
                "role": None if role is None else str(role),
                "scope": str(scope),
                "action": action,
                "detail": str(detail or "")[:DETAIL_MAX],
            }
            digest = _row_hash(prev, row)
            con.execute(
                "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*(row[k] for k in _COLUMNS), prev, digest],
            )
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(Exception):  # keep the first error, not the rollback's
                con.execute("ROLLBACK")
            raise
    return seq


def read(store, *, limit: int = 500, user: str | None = None, action: str | None = None) -> pd.DataFrame:
    """The newest ``limit`` rows (optionally of one user or one action), newest first."""
    where, params = [], []
    if user is not None:
        where.append("username = ?")
        params.append(user)
    if action is not None:
        where.append("action = ?")
        params.append(action)
    sql = "SELECT seq, recorded_at, username, role, scope, action, detail FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY seq DESC LIMIT ?"
    params.append(int(limit))
    return store.raw().execute(sql, params).fetchdf()


@dataclass(frozen=True)
class AuditCheck:
    """The result of :func:`verify`: whether the chain holds, over how many rows, where it breaks."""

    ok: bool
    rows: int
    first_bad_seq: int | None = None


def verify(store) -> AuditCheck:
    """Recompute the hash chain; the first row whose hash or link does not match breaks it."""
    rows = (
        store.raw()
        .execute(
            "SELECT seq, recorded_at, username, role, scope, action, detail, prev_hash, hash FROM audit_log ORDER BY seq"
        )
        .fetchall()
    )
    prev, expected_seq = GENESIS, 1
    for values in rows:
        row = dict(zip((*_COLUMNS, "prev_hash", "hash"), values, strict=True))
        if row["seq"] != expected_seq or row["prev_hash"] != prev or _row_hash(prev, row) != row["hash"]:
            return AuditCheck(ok=False, rows=len(rows), first_bad_seq=row["seq"])
        prev, expected_seq = row["hash"], expected_seq + 1
    return AuditCheck(ok=True, rows=len(rows))
