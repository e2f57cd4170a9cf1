"""Filters narrow a table the way the sidebar promises."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics.scope import (
    BANK,
    NOTHING,
    Access,
    Filters,
    Scope,
    ScopedStore,
    apply_event_scope,
    apply_filters,
    apply_scope,
    mask_identity,
    organisation,
    pseudonym,
)
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


# -- access scopes --------------------------------------------------------------------------------


def _customer_ids(t) -> list[str]:
    return sorted(t.select("customer_id").to_pandas()["customer_id"])


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (BANK, ["1", "2", "3", "4"]),
        (Scope("branch", "E1"), ["1"]),
        (Scope("branch", "E2"), ["2"]),
        (Scope("rm", "M3"), ["3"]),
        (Scope("branch", "nowhere"), []),
        (NOTHING, []),  # default deny
    ],
)
def test_a_scope_keeps_only_its_rows(filled, scope, expected):
    assert _customer_ids(apply_scope(filled.table("customers"), scope)) == expected


@pytest.mark.parametrize(
    "filters",
    [Filters(region="S"), Filters(branch="S1"), Filters(rm_id="M3"), Filters(branch="E2"), Filters()],
)
def test_filters_narrow_a_scope_but_never_widen_it(filled, filters):
    # A branch-E1 user asking for other units (a crafted link) gets nothing outside E1
    t = apply_filters(apply_scope(filled.table("customers"), Scope("branch", "E1")), filters)
    assert set(_customer_ids(t)) <= {"1"}
    narrowed = Scope("branch", "E1").narrow(filters)
    assert narrowed.branch == "E1" and narrowed.rm_id is None


def test_hostile_scope_and_filter_values_are_data_not_sql(filled):
    hostile = "E1' OR '1'='1"
    assert _customer_ids(apply_scope(filled.table("customers"), Scope("branch", hostile))) == []
    assert (
        _customer_ids(
            apply_filters(
                filled.table("customers"), Filters(branch=hostile, rm_id="x'; DROP TABLE customers; --")
            )
        )
        == []
    )
    assert len(_customer_ids(filled.table("customers"))) == 4  # still there


def test_event_scope(filled):
    insert_rows(
        filled,
        "complaints",
        [
            dict(
                complaint_id="c1", received_date=D, customer_id="1", branch="E1", region="E", category="fees"
            ),
            dict(
                complaint_id="c2", received_date=D, customer_id="3", branch="S1", region="S", category="fees"
            ),
            dict(
                complaint_id="c3", received_date=D, customer_id=None, branch="E1", region="E", category="fees"
            ),
        ],
    )
    events, customers = filled.table("complaints"), filled.table("customers")

    def ids(scope):
        return sorted(apply_event_scope(events, scope, customers=customers).to_pandas()["complaint_id"])

    assert ids(BANK) == ["c1", "c2", "c3"]
    assert ids(Scope("branch", "E1")) == ["c1", "c3"]  # received at the branch, anonymous too
    assert ids(Scope("rm", "M3")) == ["c2"]  # the RM's customers only
    assert ids(NOTHING) == []


def test_scope_parse_and_text():
    assert Scope.parse("branch:E1") == Scope("branch", "E1")
    assert Scope.parse(" rm : M3 ") == Scope("rm", "M3")
    assert Scope.parse("bank") == BANK and Scope.parse("all") == BANK
    assert str(Scope("branch", "E1")) == "branch:E1" and str(NOTHING) == "none"
    for bad in ("branch", "branch:", "region:E", "", "rm"):
        with pytest.raises(ValueError, match="bank, branch:ID, rm:ID"):
            Scope.parse(bad)
    with pytest.raises(ValueError, match="needs the branch id"):
        Scope("branch")


def test_masking_replaces_names_and_ids_with_stable_pseudonyms():
    frame = pd.DataFrame(
        {"customer_id": ["A", "B", "A"], "customer_name": ["Ann", None, "Ann"], "aum": [1.0, -2.0, 3.0]}
    )
    masked = mask_identity(frame, salt="s1")
    assert list(masked["customer_name"]) == ["***", None, "***"]
    assert masked["customer_id"][0] == masked["customer_id"][2] != masked["customer_id"][1]
    assert masked["customer_id"][0].startswith("#") and len(masked["customer_id"][0]) == 11
    assert "A" not in set(masked["customer_id"])
    assert list(masked["aum"]) == [1.0, -2.0, 3.0]  # everything else unchanged
    assert list(frame["customer_id"]) == ["A", "B", "A"]  # the input is not changed
    assert mask_identity(frame, salt="s2")["customer_id"][0] != masked["customer_id"][0]
    untouched = pd.DataFrame({"tier": ["mass"]})
    assert mask_identity(untouched, salt="s1") is untouched


def test_a_scoped_store_hands_out_scoped_masked_tables(filled):
    seen = ScopedStore(filled, Access("bob", Scope("branch", "E1"), mask=True, salt="s1"))
    rows = seen.table("customers").to_pandas()
    assert len(rows) == 1 and rows["branch"].tolist() == ["E1"]
    # the engine's pseudonym is the one the dashboard shows
    assert rows["customer_id"].tolist() == [pseudonym("1", "s1")]
    assert seen.snapshots()["customers"].tolist() == [1]
    assert filled.snapshots()["customers"].tolist() == [4]  # the store itself is untouched
    open_store = ScopedStore(filled, Access("ann", BANK, mask=False))
    assert sorted(open_store.table("customers").to_pandas()["customer_id"]) == ["1", "2", "3", "4"]
