"""The trends command: its JSON on a hand-made fixture and on the real CFPB complaints."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from analytics.load import load_files
from analytics.store import Store
from tests.analytics.test_cli import run
from tests.conftest import REALDATA, REPO, insert_rows


def _complaints(counts: list[int]) -> list[dict]:
    rows = []
    for m, n in enumerate(counts):
        day = dt.date(2025 + (m // 12), m % 12 + 1, 10)
        rows += [
            dict(complaint_id=f"K{m}-{i}", received_date=day, category="fees", branch="B1") for i in range(n)
        ]
    return rows


def test_complaints_json_counts_trend_and_forecast(tmp_path):
    db = tmp_path / "t.duckdb"
    s = Store(db)
    # 14 months rising by 2 a month: a declining (worse) trend; counts by hand
    counts = [2 * m + 1 for m in range(14)]
    insert_rows(s, "complaints", _complaints(counts))
    s.close()
    out = run("trends", "--metric", "complaints", "--json", db=db)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["metric"] == "complaints"
    assert [m["value"] for m in payload["monthly"]] == counts
    assert payload["monthly"][0]["month"] == "2025-01" and payload["monthly"][-1]["month"] == "2026-02"
    assert payload["trend"]["slope"] == pytest.approx(2.0)
    assert payload["trend"]["verdict"] == "declining"  # more complaints is worse
    assert [f["month"] for f in payload["forecast"]] == [
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
    ]
    assert isinstance(payload["anomalies"], list)


def test_satisfaction_too_short_says_so(tmp_path):
    db = tmp_path / "t.duckdb"
    s = Store(db)
    insert_rows(
        s,
        "surveys",
        [dict(survey_id=f"S{i}", survey_date=dt.date(2026, 1 + i % 3, 5), score=7 + i % 2) for i in range(9)],
    )
    s.close()
    out = run("trends", "--metric", "satisfaction", "--json", db=db)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert [m["value"] for m in payload["monthly"]] == pytest.approx([22 / 3, 23 / 3, 22 / 3])
    assert payload["trend"]["verdict"] == "too short" and payload["trend"]["slope"] is None
    assert all(f["value"] is None for f in payload["forecast"])


def test_the_real_cfpb_complaints(tmp_path):
    source = REALDATA / "cfpb_complaints_sample.csv"
    if not source.exists():
        pytest.skip(f"{source} is not present (shared/realdata sits beside the checkout)")
    db = tmp_path / "cfpb.duckdb"
    s = Store(db)
    load_files(s, "complaints", [source], mapping=REPO / "data" / "mappings" / "cfpb_complaints_sample.toml")
    total = s.raw().execute("SELECT count(*) FROM complaints").fetchone()[0]
    s.close()
    out = run("trends", "--metric", "complaints", "--json", db=db)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert sum(m["value"] for m in payload["monthly"]) == total
    assert payload["trend"]["verdict"] in {"improving", "declining", "no significant trend"}
    assert len(payload["forecast"]) == 6
    text = run("trends", "--metric", "complaints", db=db)
    assert text.returncode == 0 and "trend:" in text.stdout
