"""Filters narrow a table the way the sidebar promises."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.scope import Filters, apply_filters, organisation
from tests.conftest import insert_rows

D = dt.date(2026, 9, 30)


@pytest.fixture
def filled(store):
    insert_rows(
        store,
        "customers",
        [
            dict(
                snapshot_date=D,
                customer_id="1",
                segment="retail",
                aum=1.0,
                region="E",
                branch="E1",
                rm_id="M1",
            ),
            dict(
                snapshot_date=D,
                customer_id="2",
                segment="corporate",
                aum=2.0,
                region="E",
                branch="E2",
                rm_id="M2",
            ),
            dict(
                snapshot_date=D,
                customer_id="3",
                segment="institution",
                aum=4.0,
                region="S",
                branch="S1",
                rm_id="M3",
            ),
            dict(
                snapshot_date=D,
                customer_id="4",
                segment="retail",
                aum=8.0,
                region=None,
                branch=None,
                rm_id=None,
            ),
        ],
    )
    return store


def _ids(store, filters: Filters) -> list[str]:
    t = apply_filters(store.table("customers"), filters)
    return sorted(t.select("customer_id").to_pandas()["customer_id"])


@pytest.mark.parametrize(
    "filters, expected",
    [
        (Filters(), ["1", "2", "3", "4"]),
        (Filters(segment="retail"), ["1", "4"]),
        (Filters(segment="corporate"), ["2", "3"]),  # every non-retail customer
        (Filters(segment="institution"), ["3"]),
        (Filters(region="E"), ["1", "2"]),
        (Filters(region="E", branch="E2"), ["2"]),
        (Filters(region="E", branch="E1", rm_id="M1"), ["1"]),
        (Filters(segment="retail", region="E", branch="E2"), []),
        (Filters(region="unassigned"), ["4"]),  # a missing unit is offered, and found, as "unassigned"
        (Filters(region="x' OR '1'='1"), []),  # a crafted value is a value, not SQL
    ],
)
def test_filters(filled, filters, expected):
    assert _ids(filled, filters) == expected


def test_levels_and_description():
    assert Filters().level == "head_office" and Filters().child_level == "region"
    assert Filters(region="E").child_level == "branch"
    assert Filters(region="E", branch="E1").child_level == "rm_id"
    assert Filters(segment="retail", region="E", branch="E1").describe() == "retail · E · E1"
    with pytest.raises(ValueError):
        Filters(segment="vip")


def test_organisation_choices(filled):
    org = organisation(filled.table("customers"), snapshot_date=D)
    assert list(org.itertuples(index=False, name=None)) == [
        ("E", "E1", "M1"),
        ("E", "E2", "M2"),
        ("S", "S1", "M3"),
        ("unassigned", "unassigned", "unassigned"),
    ]
