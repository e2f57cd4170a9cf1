"""Concentration of profit contribution, checked by hand on tiny portfolios.

Standard Gini on contributions ranked ascending, x_1 <= ... <= x_n:
G = 2 * sum(i * x_i) / (n * sum(x)) - (n + 1) / n.
"""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.concentration import concentration
from analytics.scope import Filters, apply_filters
from tests.conftest import insert_rows

D = dt.date(2026, 9, 30)


def _fill(store, contributions, region="R1", start=0):
    rows = [
        dict(
            snapshot_date=D,
            customer_id=f"C{start + i:03d}",
            segment="retail",
            aum=1.0,
            region=region,
            **_pc(x),
        )
        for i, x in enumerate(contributions)
    ]
    insert_rows(store, "customers", rows)


def _pc(x: float) -> dict:
    # A loss comes through a cost, as in the data: costs are non-negative money columns.
    return {"fee_income": float(x)} if x >= 0 else {"operating_cost": float(-x)}


def test_one_two_three_four(store):
    _fill(store, [3, 1, 4, 2])
    c = concentration(store.table("customers"), snapshot_date=D)
    # sum(i * x) = 1 + 4 + 9 + 16 = 30; G = 2 * 30 / (4 * 10) - 5 / 4 = 0.25
    assert c.gini == pytest.approx(0.25)
    # The top 20% of 4 customers is 0.8 of the best one: 0.8 * 4 / 10
    assert c.top_share == pytest.approx(0.32)
    assert (c.customers, c.total, c.losses, c.loss_making) == (4, 10.0, 0.0, 0)
    assert list(c.lorenz["customers_share"]) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert list(c.lorenz["profit_share"]) == pytest.approx([0.0, 0.1, 0.3, 0.6, 1.0])


def test_one_to_ten_in_five_buckets(store):
    _fill(store, range(1, 11))
    c = concentration(store.table("customers"), snapshot_date=D, buckets=5)
    # sum(i * i) = 385; G = 2 * 385 / (10 * 55) - 11 / 10 = 0.3
    assert c.gini == pytest.approx(0.3)
    assert c.top_share == pytest.approx((9 + 10) / 55)  # the 80/20: the best two of ten
    assert list(c.lorenz["customers_share"]) == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert list(c.lorenz["profit_share"]) == pytest.approx([0, 3 / 55, 10 / 55, 21 / 55, 36 / 55, 1])
    half = concentration(store.table("customers"), snapshot_date=D, top_fraction=0.5)
    assert half.top_share == pytest.approx((6 + 7 + 8 + 9 + 10) / 55)


def test_a_hundred_buckets_give_at_most_101_points(store):
    _fill(store, range(1, 1001))
    c = concentration(store.table("customers"), snapshot_date=D)
    assert len(c.lorenz) == 101
    assert c.lorenz["profit_share"].iloc[-1] == pytest.approx(1.0)
    assert c.top_share == pytest.approx(sum(range(801, 1001)) / sum(range(1, 1001)))


def test_equal_contributions_have_no_concentration(store):
    _fill(store, [5, 5, 5, 5, 5])
    c = concentration(store.table("customers"), snapshot_date=D)
    assert c.gini == pytest.approx(0.0)
    assert c.top_share == pytest.approx(0.2)


def test_losses_are_kept_and_shares_are_of_the_net_total(store):
    _fill(store, [-5, 1, 2, 3])
    c = concentration(store.table("customers"), snapshot_date=D)
    # Net total 1. sum(i * x) = -5 + 2 + 6 + 12 = 15; G = 2 * 15 / (4 * 1) - 5 / 4 = 6.25 (> 1)
    assert c.total == 1.0
    assert c.gini == pytest.approx(6.25)
    assert c.top_share == pytest.approx(0.8 * 3 / 1)  # 240% of the net profit
    assert (c.loss_making, c.losses) == (1, -5.0)
    assert list(c.lorenz["profit_share"]) == pytest.approx([0, -5, -4, -2, 1])  # dips below zero


def test_a_net_loss_leaves_shares_undefined(store):
    _fill(store, [-5, 1])
    c = concentration(store.table("customers"), snapshot_date=D)
    assert c.gini is None and c.top_share is None
    assert c.lorenz.empty
    assert (c.customers, c.total, c.loss_making) == (2, -4.0, 1)


def test_no_customers(store):
    _fill(store, [1, 2])
    c = concentration(store.table("customers"), snapshot_date=dt.date(2020, 1, 31))
    assert (c.customers, c.gini, c.top_share) == (0, None, None)
    assert c.lorenz.empty


def test_filters_narrow_the_population(store):
    _fill(store, [1, 2, 3, 4], region="R1")
    _fill(store, [100, 100], region="R2", start=10)
    r1 = concentration(apply_filters(store.table("customers"), Filters(region="R1")), snapshot_date=D)
    assert (r1.customers, r1.gini) == (4, pytest.approx(0.25))
    everyone = concentration(store.table("customers"), snapshot_date=D)
    assert everyone.customers == 6 and everyone.total == 210.0


def test_bad_top_fraction(store):
    with pytest.raises(ValueError):
        concentration(store.table("customers"), snapshot_date=D, top_fraction=0)
