"""The tune command: DESIGN.md's JSON, equal to an independent re-tiering of the customer rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from types import MappingProxyType

import pytest

from analytics.rules import TIER_ORDER, load_rules
from analytics.store import Store
from tests.analytics.test_cli import independent_tier, run
from tests.conftest import insert_rows

# One change in every population a threshold decides: retail (two thresholds), traditional
# companies with loans (the general threshold and one industry's), companies without loans.
SETS = {
    "retail.emerging": 40_000,
    "retail.private": 3_000_000,
    "corporate.large_annual_sales": 100_000_000,
    "corporate.large_annual_sales_by_industry.information_technology": 60_000_000,
    "no_loan.above_scale_deposit_avg_daily": 300_000,
}


def _scenario(rules):
    """The scenario rules built by hand (dataclasses.replace), not through the tuner."""
    retail = dataclasses.replace(
        rules.retail, emerging=SETS["retail.emerging"], private=SETS["retail.private"]
    )
    by_industry = dict(rules.corporate.large_annual_sales_by_industry)
    by_industry["information_technology"] = SETS[
        "corporate.large_annual_sales_by_industry.information_technology"
    ]
    corporate = dataclasses.replace(
        rules.corporate,
        large_annual_sales=SETS["corporate.large_annual_sales"],
        large_annual_sales_by_industry=MappingProxyType(by_industry),
    )
    no_loan = dataclasses.replace(
        rules.no_loan, above_scale_deposit_avg_daily=SETS["no_loan.above_scale_deposit_avg_daily"]
    )
    return dataclasses.replace(rules, retail=retail, corporate=corporate, no_loan=no_loan)


def _cents(x) -> int:
    """Whole cents, half away from zero (a missing value is 0)."""
    if x is None or x != x:
        return 0
    return int(math.copysign(math.floor(abs(x) * 100 + 0.5), x))


def _profit(row) -> float:
    def z(v):
        return 0.0 if v is None or v != v else float(v)

    return (
        z(row.ftp_loan_income)
        + z(row.ftp_deposit_income)
        + z(row.fee_income)
        - z(row.capital_cost)
        - z(row.operating_cost)
        - z(row.credit_cost)
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A two-month demo portfolio of about 2,000 customers a snapshot, and its rows."""
    db = tmp_path_factory.mktemp("tune") / "demo.duckdb"
    out = run("demo", "--customers", "2000", "--months", "2", "--seed", "7", "--json", db=db)
    assert out.returncode == 0, out.stderr
    snaps = [s["snapshot_date"] for s in json.loads(run("snapshots", "--json", db=db).stdout)["snapshots"]]
    store = Store(db)
    frames = {
        d: store.raw().execute("SELECT * FROM customers WHERE snapshot_date = ?", [d]).df() for d in snaps
    }
    store.close()
    return db, snaps, frames


def _tune(db, *extra: str) -> dict:
    sets = [a for k, v in SETS.items() for a in ("--set", f"{k}={v}")]
    out = run("tune", *sets, *extra, "--json", db=db)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    return json.loads(out.stdout)  # one JSON object and nothing else on stdout


@pytest.mark.parametrize("which", ["latest", "first"])
def test_the_tune_command_equals_an_independent_re_tiering(demo, which):
    db, snaps, frames = demo
    date = snaps[-1] if which == "latest" else snaps[0]
    payload = _tune(db) if which == "latest" else _tune(db, "--snapshot", date)
    assert payload["snapshot_date"] == date

    rules = load_rules()
    scenario = _scenario(rules)
    totals = {
        (label, t): [0, 0, 0] for label in ("baseline", "scenario") for t in TIER_ORDER
    }  # customers, aum cents, profit cents
    movement: dict[str, dict[str, int]] = {}
    for row in frames[date].itertuples(index=False):
        a, b = independent_tier(row, rules), independent_tier(row, scenario)
        for label, tier in (("baseline", a), ("scenario", b)):
            acc = totals[(label, tier)]
            acc[0] += 1
            acc[1] += _cents(row.aum)
            acc[2] += _cents(_profit(row))
        movement.setdefault(a, {}).setdefault(b, 0)
        movement[a][b] += 1

    assert [r["tier"] for r in payload["rows"]] == list(TIER_ORDER)
    for r in payload["rows"]:
        assert set(r) == {
            "segment",
            "tier",
            "baseline_customers",
            "scenario_customers",
            "baseline_aum",
            "scenario_aum",
            "baseline_profit",
            "scenario_profit",
        }
        for label in ("baseline", "scenario"):
            customers, aum, profit = totals[(label, r["tier"])]
            assert r[f"{label}_customers"] == customers, (r["tier"], label)
            assert r[f"{label}_aum"] == round(aum / 100, 2), (r["tier"], label)
            assert r[f"{label}_profit"] == round(profit / 100, 2), (r["tier"], label)

    assert payload["movement"] == movement
    moved = sum(n for a, row in movement.items() for b, n in row.items() if a != b)
    assert payload["moved_customers"] == moved
    # every population a threshold decides has customers who move
    for a, b in [
        ("mass", "emerging"),
        ("hnw", "private"),
        ("medium", "large"),
        ("below_scale", "above_scale"),
    ]:
        assert movement.get(a, {}).get(b, 0) > 0, (a, b)
    it_moves = sum(
        1
        for row in frames[date].itertuples(index=False)
        if row.industry == "information_technology"
        and independent_tier(row, rules) == "medium"
        and independent_tier(row, scenario) == "large"
    )
    assert it_moves > 0
    # the baseline equals the tiers command
    tiers = json.loads(run("tiers", "--snapshot", date, "--json", db=db).stdout)["rows"]
    assert [(r["tier"], r["customers"]) for r in tiers] == [
        (r["tier"], r["baseline_customers"]) for r in payload["rows"]
    ]


def test_text_output_is_a_table(demo):
    db, _, _ = demo
    out = run("tune", "--set", "retail.private=3000000", db=db)
    assert out.returncode == 0, out.stderr
    assert "retail.private = 3,000,000" in out.stdout
    assert "moved customers:" in out.stdout and "managers_needed" in out.stdout
    assert "hnw" in out.stdout and "private" in out.stdout


@pytest.fixture
def small_db(tmp_path):
    """Five retail customers in two branches, by hand."""
    day = dt.date(2026, 9, 30)
    rows = [
        # branch A: one affluent (RM a1), one private (RM a2)
        dict(customer_id="1", segment="retail", aum=300_000.0, branch="A", rm_id="a1"),
        dict(customer_id="2", segment="retail", aum=6_000_000.0, branch="A", rm_id="a2"),
        # branch B: one mass and one high-net-worth customer of the same RM b1
        dict(customer_id="3", segment="retail", aum=10_000.0, branch="B", rm_id="b1"),
        dict(customer_id="4", segment="retail", aum=2_000_000.0, branch="B", rm_id="b1"),
        # a company: no retail workload
        dict(customer_id="5", segment="corporate", aum=1_000.0, branch="B", rm_id="c1"),
    ]
    path = tmp_path / "small.duckdb"
    s = Store(path)
    insert_rows(s, "customers", [{"snapshot_date": day, **r} for r in rows])
    s.close()
    return path


def test_workload_arithmetic_by_hand(small_db):
    out = run("tune", "--set", "retail.private=1500000", "--json", db=small_db)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["moved_customers"] == 1 and payload["movement"]["hnw"] == {"private": 1}
    wl = payload["workload"]
    # default standards: affluent+ contacted 2 times a month (24 a year), invited to 2 events a
    # year (private 3) and private visited by a senior 2 times a year.
    # Baseline: affluent 1 (A), hnw 1 (B), private 1 (A).
    #   contacts 3 x 24 = 72; events 2 + 2 + 3 = 7; senior visits 2
    #   hours 72 x 0.5 + 7 x 1.5 + 2 x 4 = 36 + 10.5 + 8 = 54.5; managers 54.5 / 1,200
    # Scenario: the hnw customer (2M >= 1.5M) is private.
    #   contacts 72; events 2 + 3 + 3 = 8; senior visits 4; hours 36 + 12 + 16 = 64
    assert wl["params"] == {
        "hours_per_contact": 0.5,
        "hours_per_event": 1.5,
        "hours_per_senior_visit": 4.0,
        "hours_per_manager_year": 1200.0,
    }
    assert wl["managers"] == 3  # a1, a2 in A; b1 in B (retail customers' RMs only)
    assert (wl["baseline_contacts"], wl["baseline_events"], wl["baseline_senior_visits"]) == (72, 7, 2)
    assert (wl["scenario_contacts"], wl["scenario_events"], wl["scenario_senior_visits"]) == (72, 8, 4)
    assert wl["baseline_hours"] == 54.5 and wl["scenario_hours"] == 64.0
    assert wl["baseline_managers_needed"] == round(54.5 / 1200, 2)
    assert wl["scenario_managers_needed"] == round(64 / 1200, 2)
    by_branch = {b["branch"]: b for b in wl["by_branch"]}
    # A: contacts 48 (24 h), events 2 + 3 (7.5 h), visits 2 (8 h) = 39.5, in both
    # B: baseline contacts 24 (12 h), events 2 (3 h) = 15; scenario + 1 event + 2 visits = 24.5
    assert (by_branch["A"]["managers"], by_branch["B"]["managers"]) == (2, 1)
    assert (by_branch["A"]["baseline_hours"], by_branch["A"]["scenario_hours"]) == (39.5, 39.5)
    assert (by_branch["B"]["baseline_hours"], by_branch["B"]["scenario_hours"]) == (15.0, 24.5)

    # other hours: contact 1, event 2, senior visit 3, 100 hours a manager
    out = run(
        "tune",
        "--set",
        "retail.private=1500000",
        "--hours-per-contact",
        "1",
        "--hours-per-event",
        "2",
        "--hours-per-senior-visit",
        "3",
        "--hours-per-manager-year",
        "100",
        "--json",
        db=small_db,
    )
    assert out.returncode == 0, out.stderr
    wl = json.loads(out.stdout)["workload"]
    assert wl["baseline_hours"] == 72 + 14 + 6 and wl["baseline_managers_needed"] == 0.92
    assert wl["scenario_hours"] == 72 + 16 + 12 and wl["scenario_managers_needed"] == 1.0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--set", "retail.privat=3000000"], "'retail.privat' cannot be tuned"),
        (["--set", "standards.contacts_per_month=3"], "'standards.contacts_per_month' cannot be tuned"),
        (["--set", "retail.private=lots"], "retail.private=lots"),
        (["--set", "retail.private=lots"], "'lots' is not a number"),
        (["--set", "retail.private"], "write KEY=NUMBER"),
        (["--set", "retail.hnw=6000000"], "retail.hnw = 6,000,000"),
        (["--set", "retail.hnw=6000000"], "must be greater than"),
        (["--set", "retail.emerging=0"], "retail.emerging = 0"),
        (["--set", "corporate.large_annual_sales=1000"], "large_annual_sales = 1,000 must be greater"),
        (["--set", "retail.private=3e6", "--hours-per-manager-year", "0"], "--hours-per-manager-year"),
        (["--set", "retail.private=3e6", "--hours-per-event", "-1"], "--hours-per-event"),
        (["--set", "retail.private=3e6", "--snapshot", "2019-01-31"], "snapshot 2019-01-31 is not loaded"),
    ],
)
def test_errors_exit_2_with_a_message_naming_the_key(small_db, args, message):
    out = run("tune", *args, "--json", db=small_db)
    assert out.returncode == 2, out.stderr
    assert out.stdout == ""
    assert message in out.stderr
    assert "Traceback" not in out.stderr
