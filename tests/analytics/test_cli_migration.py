"""The migration command: DESIGN.md's JSON, equal to an independent count on a demo portfolio."""

from __future__ import annotations

import json

from analytics.rules import load_rules
from analytics.store import Store
from tests.analytics.test_cli import independent_tier, run


def test_migration_json_equals_an_independent_count_on_the_demo(tmp_path):
    db = tmp_path / "demo.duckdb"
    out = run("demo", "--customers", "3000", "--months", "2", "--seed", "7", "--json", db=db)
    assert out.returncode == 0, out.stderr
    first, second = [
        s["snapshot_date"] for s in json.loads(run("snapshots", "--json", db=db).stdout)["snapshots"]
    ]
    store = Store(db)
    frames = {
        d: store.raw().execute("SELECT * FROM customers WHERE snapshot_date = ?", [d]).df()
        for d in (first, second)
    }
    store.close()
    rules = load_rules()
    tiers = {
        d: {row.customer_id: independent_tier(row, rules) for row in f.itertuples(index=False)}
        for d, f in frames.items()
    }
    expected: dict[str, dict[str, int]] = {}
    for cid in tiers[first].keys() | tiers[second].keys():
        origin = tiers[first].get(cid, "new")
        dest = tiers[second].get(cid, "closed")
        expected.setdefault(origin, {}).setdefault(dest, 0)
        expected[origin][dest] += 1

    out = run("migration", "--from", first, "--to", second, "--json", db=db)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["from"] == first and payload["to"] == second
    assert payload["counts"] == expected
    assert "new" in payload["counts"] and any("closed" in row for row in payload["counts"].values())
    assert "new" not in {d for row in payload["counts"].values() for d in row}  # new only as origin
    assert "closed" not in payload["counts"]  # closed only as destination
    assert set(payload["states"]) >= set(expected) | {d for row in expected.values() for d in row}


def test_migration_refuses_unknown_or_reversed_snapshots(tmp_path):
    db = tmp_path / "demo.duckdb"
    assert run("demo", "--customers", "300", "--months", "2", "--seed", "7", db=db).returncode == 0
    first, second = [
        s["snapshot_date"] for s in json.loads(run("snapshots", "--json", db=db).stdout)["snapshots"]
    ]
    out = run("migration", "--from", "1999-01-31", "--to", second, "--json", db=db)
    assert out.returncode == 2 and "1999-01-31 is not loaded" in out.stderr and out.stdout == ""
    out = run("migration", "--from", second, "--to", first, db=db)
    assert out.returncode == 2 and "earlier" in out.stderr
