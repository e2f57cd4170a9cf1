"""A hand-made portfolio on which every service standard can be checked by hand.

Default rules (DESIGN.md): retail tiers by AUM (mass < 50K <= emerging < 200K <= affluent < 1M
<= high net worth < 5M <= private). Standards: affluent and above at least 2 contacts a month
and 2 events a year (private: 3 events and 2 senior visits); high net worth and above at least
5 product types; profile coverage 80% of emerging+, 90% of affluent+, 100% of hnw+; 80% of
affluent+ hold all three key products.

Snapshot 2026-09-30 (D1); ``keys`` is wealth card / credit card / online token:

===  ======  ======  ===  ============  =======  ========  ======  ======  =======  ====  ===
id   region  branch  rm   aum           tier     contacts  events  senior  product  prof  keys
===  ======  ======  ===  ============  =======  ========  ======  ======  =======  ====  ===
E1   R1      B1      M1       100,000   emerg.   0         0       0       1        yes   -
E2   R1      B1      M1       150,000   emerg.   0         0       0       1        no    -
E3   R1      B1      M2        60,000   emerg.   0         0       0       1        yes   -
A1   R1      B1      M1       200,000   affl.    2 ok      2 ok    0       2        yes   yyy
A2   R1      B1      M2       500,000   affl.    1 MISS    2 ok    0       2        yes   yyy
A3   R2      B2      M3    999,999.99   affl.    3 ok      1 MISS  0       2        no    yyn
H1   R1      B1      M2     1,000,000   hnw      2 ok      2 ok    0       5 ok     yes   yyy
H2   R2      B2      M3     2,000,000   hnw      2 ok      3 ok    0       4 MISS   yes   yyy
P1   R1      B1      M1     5,000,000   private  4 ok      3 ok    2 ok    6 ok     yes   yyy
P2   R2      B2      M3     8,000,000   private  NULL MISS 2 MISS  1 MISS  5 ok     yes   yyy
MC   R2      B2      M3        10,000   mass     0         0       0       1        no    -
C1   R2      B2      M3    10,000,000   (corporate: never judged)                   no    -
===  ======  ======  ===  ============  =======  ========  ======  ======  =======  ====  ===

P2's name is ``=cmd`` (a formula if a spreadsheet opened it unquoted). At 2026-08-31 (D0) only
A2 is loaded, with 5 contacts a month.
"""

from __future__ import annotations

import datetime as dt

D0, D1 = dt.date(2026, 8, 31), dt.date(2026, 9, 30)
M = 1_000_000


def _row(
    cid,
    region,
    branch,
    rm,
    aum,
    *,
    date=D1,
    segment="retail",
    contacts=0,
    events=0,
    visits=0,
    products=1,
    profile=False,
    keys=(False, False, False),
    name=None,
):
    wealth, credit, token = keys
    return dict(
        snapshot_date=date,
        customer_id=cid,
        customer_name=name or f"Customer {cid}",
        region=region,
        branch=branch,
        rm_id=rm,
        segment=segment,
        aum=aum,
        contacts_month=contacts,
        events_year=events,
        senior_visits_year=visits,
        products_held=products,
        has_profile=profile,
        has_wealth_card=wealth,
        has_credit_card=credit,
        has_online_token=token,
    )


ALL_KEYS = (True, True, True)

ROWS = [
    _row("E1", "R1", "B1", "M1", 100_000.0, profile=True),
    _row("E2", "R1", "B1", "M1", 150_000.0),
    _row("E3", "R1", "B1", "M2", 60_000.0, profile=True),
    _row("A1", "R1", "B1", "M1", 200_000.0, contacts=2, events=2, products=2, profile=True, keys=ALL_KEYS),
    _row("A2", "R1", "B1", "M2", 500_000.0, contacts=1, events=2, products=2, profile=True, keys=ALL_KEYS),
    _row("A3", "R2", "B2", "M3", 999_999.99, contacts=3, events=1, products=2, keys=(True, True, False)),
    _row("H1", "R1", "B1", "M2", 1 * M, contacts=2, events=2, products=5, profile=True, keys=ALL_KEYS),
    _row("H2", "R2", "B2", "M3", 2 * M, contacts=2, events=3, products=4, profile=True, keys=ALL_KEYS),
    _row(
        "P1", "R1", "B1", "M1", 5 * M, contacts=4, events=3, visits=2, products=6, profile=True, keys=ALL_KEYS
    ),
    _row(
        "P2",
        "R2",
        "B2",
        "M3",
        8 * M,
        contacts=None,
        events=2,
        visits=1,
        products=5,
        profile=True,
        keys=ALL_KEYS,
        name="=cmd",
    ),
    _row("MC", "R2", "B2", "M3", 10_000.0),
    _row("C1", "R2", "B2", "M3", 10 * M, segment="corporate"),
    _row(
        "A2",
        "R1",
        "B1",
        "M2",
        500_000.0,
        date=D0,
        contacts=5,
        events=2,
        products=2,
        profile=True,
        keys=ALL_KEYS,
    ),
]
