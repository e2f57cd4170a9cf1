"""The command line: JSON on stdout only, errors on stderr, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from analytics.store import Store
from tests.analytics import tier_fixture
from tests.conftest import REPO, insert_rows


def run(*args: str, db=None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "analytics", *args]
    if db is not None:
        cmd += ["--db", str(db)]
    env = {k: v for k, v in os.environ.items() if k != "TIERSCOPE_DEBUG"}
    return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=env, timeout=300)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cli.duckdb"
    s = Store(path)
    insert_rows(s, "customers", tier_fixture.rows())
    insert_rows(
        s, "customers", [r for r in tier_fixture.rows(tier_fixture.SNAPSHOT.replace(day=31, month=8))][:3]
    )
    s.close()
    return path


def test_snapshots_json(db):
    out = run("snapshots", "--json", db=db)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert json.loads(out.stdout) == {
        "snapshots": [
            {"snapshot_date": "2026-08-31", "customers": 3},
            {"snapshot_date": "2026-09-30", "customers": len(tier_fixture.CASES)},
        ]
    }


def test_tiers_json_equals_the_hand_count(db):
    out = run("tiers", "--json", db=db)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["snapshot_date"] == "2026-09-30"
    got = {r["tier"]: r["customers"] for r in payload["rows"]}
    expected: dict[str, int] = {}
    for tier in tier_fixture.expected_tiers().values():
        expected[tier] = expected.get(tier, 0) + 1
    assert {k: v for k, v in got.items() if v} == expected
    assert set(payload["rows"][0]) == {"segment", "tier", "customers", "aum", "profit_contribution"}
    private = next(r for r in payload["rows"] if r["tier"] == "private")
    assert private["aum"] == 85_000_000.0 and private["profit_contribution"] == 145.0


def test_tiers_with_other_rules_and_snapshot(db, tmp_path):
    rules = tmp_path / "rules.toml"
    text = (REPO / "data" / "tier_rules.toml").read_text(encoding="utf-8")
    rules.write_text(text.replace("emerging = 50_000", "emerging = 40_000"), encoding="utf-8")
    out = run("tiers", "--json", "--snapshot", "2026-08-31", "--rules", str(rules), db=db)
    assert out.returncode == 0, out.stderr
    got = {r["tier"]: r["customers"] for r in json.loads(out.stdout)["rows"]}
    # the first three cases: 0 and 49,999.99 (now emerging) and 50,000
    assert (got["mass"], got["emerging"]) == (1, 2)


def test_text_output_is_a_table(db):
    out = run("tiers", db=db)
    assert out.returncode == 0
    assert "private" in out.stdout and "85,000,000.00" in out.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["tiers", "--snapshot", "2019-01-31"], "snapshot 2019-01-31 is not loaded"),
        (["tiers", "--snapshot", "31/01/2019"], "is not a date in YYYY-MM-DD form"),
        (["tiers", "--rules", "/nonexistent/rules.toml"], "rules file /nonexistent/rules.toml not found"),
    ],
)
def test_errors_go_to_stderr_without_traceback(db, args, message):
    out = run(*args, "--json", db=db)
    assert out.returncode == 2
    assert out.stdout == ""
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_empty_database_says_so(tmp_path):
    out = run("tiers", "--json", db=tmp_path / "empty.duckdb")
    assert out.returncode == 2 and "no snapshots are loaded" in out.stderr
    out = run("snapshots", "--json", db=tmp_path / "empty.duckdb")
    assert json.loads(out.stdout) == {"snapshots": []}


def test_not_a_database(tmp_path):
    junk = tmp_path / "junk.duckdb"
    junk.write_text("this is not a database")
    out = run("snapshots", "--json", db=junk)
    assert out.returncode == 2 and "not a valid DuckDB database" in out.stderr
    assert "Traceback" not in out.stderr


def test_database_locked_by_another_process(db):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('open', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        out = run("snapshots", "--json", db=db)
        assert out.returncode == 2
        assert "is open in another process" in out.stderr
    finally:
        holder.kill()
        holder.wait()
