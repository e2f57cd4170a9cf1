"""A hand-made snapshot with customers at and just below every tier threshold.

Each row carries the tier a person derives by reading DESIGN.md, so tests compare the
engine's answer with this column. Used by the DuckDB, command-line and Spark tests.
"""

from __future__ import annotations

import datetime as dt

SNAPSHOT = dt.date(2026, 9, 30)
M = 1_000_000

# (customer_id, expected tier, columns)
CASES: list[tuple[str, str, dict]] = [
    # retail: a value at a threshold belongs to the higher tier
    ("R001", "mass", dict(segment="retail", aum=0.0)),
    ("R002", "mass", dict(segment="retail", aum=49_999.99)),
    ("R003", "emerging", dict(segment="retail", aum=50_000.0)),
    ("R004", "emerging", dict(segment="retail", aum=199_999.99)),
    ("R005", "affluent", dict(segment="retail", aum=200_000.0)),
    ("R006", "affluent", dict(segment="retail", aum=999_999.99)),
    ("R007", "hnw", dict(segment="retail", aum=1_000_000.0)),
    ("R008", "hnw", dict(segment="retail", aum=4_999_999.99)),
    ("R009", "private", dict(segment="retail", aum=5_000_000.0)),
    ("R010", "private", dict(segment="retail", aum=80_000_000.0)),
    # corporate with loans: market first, then strategic > large > medium > small
    (
        "C001",
        "emerging_market",
        dict(segment="corporate", aum=0.0, loan_balance=1.0, market="emerging", strategic=True),
    ),
    ("C002", "real_estate", dict(segment="corporate", aum=0.0, loan_balance=5 * M, market="real_estate")),
    (
        "C003",
        "strategic",
        dict(segment="corporate", aum=0.0, loan_balance=5 * M, strategic=True, annual_sales=1.0),
    ),
    (
        "C004",
        "large",
        dict(
            segment="corporate", aum=0.0, loan_balance=5 * M, industry="manufacturing", annual_sales=300 * M
        ),
    ),
    (
        "C005",
        "medium",
        dict(
            segment="corporate",
            aum=0.0,
            loan_balance=5 * M,
            industry="manufacturing",
            annual_sales=300 * M - 1,
        ),
    ),
    (
        "C006",
        "large",
        dict(
            segment="corporate",
            aum=0.0,
            loan_balance=5 * M,
            industry="information_technology",
            annual_sales=150 * M,
        ),
    ),
    (
        "C007",
        "medium",
        dict(
            segment="corporate",
            aum=0.0,
            loan_balance=5 * M,
            industry="information_technology",
            annual_sales=150 * M - 1,
        ),
    ),
    (
        "C008",
        "small",
        dict(
            segment="corporate", aum=0.0, loan_balance=1 * M, annual_sales=20 * M - 1, total_assets=40 * M - 1
        ),
    ),
    (
        "C009",
        "medium",
        dict(segment="corporate", aum=0.0, loan_balance=1 * M, annual_sales=20 * M - 1, total_assets=40 * M),
    ),
    (
        "C010",
        "medium",
        dict(segment="corporate", aum=0.0, loan_balance=1 * M, annual_sales=20 * M, total_assets=1.0),
    ),
    (
        "C011",
        "small",
        dict(segment="corporate", aum=0.0, loan_balance=1 * M, annual_sales=19 * M, total_assets=None),
    ),
    # corporate without loans: average daily deposit against 500k
    ("C012", "above_scale", dict(segment="corporate", aum=0.0, deposit_avg_daily=500_000.0)),
    (
        "C013",
        "below_scale",
        dict(segment="corporate", aum=0.0, deposit_avg_daily=499_999.99, annual_sales=900 * M),
    ),
    # institutions: by whether they borrow
    ("I001", "institution", dict(segment="institution", aum=0.0, loan_balance=0.01)),
    ("I002", "institution_no_loan", dict(segment="institution", aum=0.0, loan_balance=0.0)),
]


def rows(snapshot: dt.date = SNAPSHOT) -> list[dict]:
    """The cases as customer rows (with every profit component 0 except for R010)."""
    out = []
    for cid, _tier, cols in CASES:
        out.append({"snapshot_date": snapshot, "customer_id": cid, **cols})
    # R010 is the one customer with profit components: 100 + 50 + 30 - 20 - 10 - 5 = 145
    r010 = next(r for r in out if r["customer_id"] == "R010")
    r010.update(
        ftp_loan_income=100.0,
        ftp_deposit_income=50.0,
        fee_income=30.0,
        capital_cost=20.0,
        operating_cost=10.0,
        credit_cost=5.0,
    )
    return out


def expected_tiers() -> dict[str, str]:
    """customer_id -> tier, as read from DESIGN.md."""
    return {cid: tier for cid, tier, _ in CASES}
