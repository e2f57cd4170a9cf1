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


def independent_tier(row, rules) -> str:
    """The tier of one customer row in plain Python, straight from DESIGN.md (no Ibis)."""
    r, c = rules.retail, rules.corporate
    loan = (row.loan_balance or 0) > 0
    if row.segment == "retail":
        tier = "mass"
        for name in ("emerging", "affluent", "hnw", "private"):
            if row.aum >= getattr(r, name):
                tier = name
        return tier
    if row.segment == "institution":
        return "institution" if loan else "institution_no_loan"
    if not loan:
        return (
            "above_scale"
            if (row.deposit_avg_daily or 0) >= rules.no_loan.above_scale_deposit_avg_daily
            else "below_scale"
        )
    if row.market == "emerging":
        return "emerging_market"
    if row.market == "real_estate":
        return "real_estate"
    if row.strategic:
        return "strategic"
    sales = 0 if row.annual_sales != row.annual_sales or row.annual_sales is None else row.annual_sales
    assets = row.total_assets
    if sales >= c.large_annual_sales_by_industry.get(row.industry, c.large_annual_sales):
        return "large"
    if sales < c.small_annual_sales_below and (
        assets is None or assets != assets or assets < c.small_total_assets_below
    ):
        return "small"
    return "medium"


def independent_tier_counts(frame, rules) -> dict[str, int]:
    """Count tiers row by row in plain Python (:func:`independent_tier`)."""
    counts: dict[str, int] = {}
    for row in frame.itertuples(index=False):
        tier = independent_tier(row, rules)
        counts[tier] = counts.get(tier, 0) + 1
    return counts


def test_tiers_json_equals_independent_count_on_the_demo(tmp_path):
    from analytics.rules import load_rules

    db = tmp_path / "demo.duckdb"
    out = run("demo", "--customers", "4000", "--months", "2", "--seed", "11", "--json", db=db)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["built"] is True
    snaps = json.loads(run("snapshots", "--json", db=db).stdout)["snapshots"]
    assert len(snaps) == 2
    store = Store(db)  # read the rows, then close: DuckDB lets one process open the file
    frames = {
        snap["snapshot_date"]: store.raw()
        .execute("SELECT * FROM customers WHERE snapshot_date = ?", [snap["snapshot_date"]])
        .df()
        for snap in snaps
    }
    store.close()
    for date, frame in frames.items():
        expected = independent_tier_counts(frame, load_rules())
        assert len(expected) >= 10  # the demo covers most tier leaves even at this size
        got = json.loads(run("tiers", "--snapshot", date, "--json", db=db).stdout)
        assert {r["tier"]: r["customers"] for r in got["rows"] if r["customers"]} == expected


def test_real_churn_file_loads_and_tiers_equal_independent_count(tmp_path):
    from analytics.rules import load_rules
    from tests.conftest import REALDATA

    source = REALDATA / "bank_churn_records.csv"
    if not source.exists():
        pytest.skip(f"{source} is not present (shared/realdata sits beside the checkout)")
    db = tmp_path / "churn.duckdb"
    out = run(
        "load",
        "--table",
        "customers",
        "--snapshot-date",
        "2024-12-31",
        "--mapping",
        str(REPO / "data" / "mappings" / "bank_churn_records.toml"),
        str(source),
        "--json",
        db=db,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["rows"] == 10_000
    store = Store(db)
    frame = store.raw().execute("SELECT * FROM customers").df()
    store.close()
    expected = independent_tier_counts(frame, load_rules())
    got = json.loads(run("tiers", "--json", db=db).stdout)
    assert got["snapshot_date"] == "2024-12-31"
    assert {r["tier"]: r["customers"] for r in got["rows"] if r["customers"]} == expected
    # 36% of the file's customers hold a zero balance: all of them are mass
    assert expected["mass"] >= 3_600


def test_load_refusal_exits_2_and_lists_problems(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("客户号,客户类型,金融资产\n001,retail,abc\n002,retail,-5\n", encoding="utf-8")
    out = run(
        "load",
        "--table",
        "customers",
        "--snapshot-date",
        "2026-09-30",
        str(bad),
        "--json",
        db=tmp_path / "x.duckdb",
    )
    assert out.returncode == 2 and out.stdout == ""
    assert "nothing was loaded" in out.stderr
    assert "bad.csv, row 1, column '金融资产'" in out.stderr
    assert "bad.csv, row 2, column '金融资产'" in out.stderr
    assert "Traceback" not in out.stderr
