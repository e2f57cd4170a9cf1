"""The store's catalogue of what is loaded, deleting a snapshot, and the customer keys.

Every table is filled by hand with a handful of rows, and the load log with rows whose
times are written out, so every count and time below can be checked by reading the test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
import threading

import duckdb
import pytest

from analytics import migration
from analytics.errors import LoadBusyError, TierscopeError
from analytics.load import load_files
from analytics.migration import transition
from analytics.rules import load_rules
from analytics.schema import TABLES, create_table_sql
from analytics.store import LOAD_LOG_SQL, Store
from tests.conftest import insert_rows

JAN, FEB = dt.date(2024, 1, 31), dt.date(2024, 2, 29)
T1, T2, T3 = (
    dt.datetime(2024, 3, 1, 9, 0, 0),
    dt.datetime(2024, 3, 2, 9, 0, 0),
    dt.datetime(2024, 3, 3, 9, 0),
)


def log(store: Store, table: str, snapshot, rows: int, source: str, at: dt.datetime) -> None:
    store.raw().execute(
        "INSERT INTO load_log SELECT coalesce(max(load_id), 0) + 1, ?, ?, ?, ?, ?, 1.0 FROM load_log",
        [table, snapshot, rows, source, at],
    )


def fill(store: Store) -> None:
    """customers: JAN 2 rows, FEB 3 rows; prospects: FEB 1 row; surveys: 3 rows 1-20 Feb."""
    insert_rows(
        store,
        "customers",
        [dict(snapshot_date=JAN, customer_id=c, segment="retail", aum=1.0) for c in ("A", "B")]
        + [dict(snapshot_date=FEB, customer_id=c, segment="retail", aum=1.0) for c in ("A", "B", "C")],
    )
    insert_rows(
        store,
        "prospects",
        [
            dict(
                snapshot_date=FEB,
                prospect_id="P1",
                industry_score=1.0,
                growth_score=1.0,
                influence_score=1.0,
                fit_score=1.0,
            )
        ],
    )
    insert_rows(
        store,
        "surveys",
        [
            dict(survey_id="S1", survey_date=dt.date(2024, 2, 20), score=9.0),
            dict(survey_id="S2", survey_date=dt.date(2024, 2, 1), score=7.0),
            dict(survey_id="S3", survey_date=dt.date(2024, 2, 10), score=8.0),
        ],
    )
    # insert_rows logged three loads "now" with no snapshot date; replace them by a known story:
    store.raw().execute("DELETE FROM load_log")
    log(store, "customers", None, 5, "demo", T1)  # a whole-table load: both snapshots
    log(store, "prospects", None, 1, "demo", T1)
    log(store, "surveys", None, 3, "demo", T1)
    log(store, "customers", FEB, 3, "/tmp/x/feb.csv", T2)  # then February alone again


def state(store: Store) -> dict[str, list[tuple]]:
    con = store.raw()
    out = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in ("customers", "prospects")}
    out["load_log"] = con.execute("SELECT * FROM load_log ORDER BY load_id").fetchall()
    return out


# -- catalogue -------------------------------------------------------------------------
def test_catalogue_of_an_empty_database(store):
    cat = store.catalogue()
    assert cat.empty
    assert list(cat.columns) == [
        "table",
        "snapshot_date",
        "date_from",
        "date_to",
        "rows",
        "loaded_at",
        "source",
    ]


def test_catalogue_counts_and_load_times(store):
    fill(store)
    cat = store.catalogue()
    rows = [
        (r.table, r.snapshot_date, r.date_from, r.date_to, r.rows, r.loaded_at.to_pydatetime(), r.source)
        for r in cat.itertuples()
    ]
    assert rows == [
        ("customers", JAN, JAN, JAN, 2, T1, "demo"),  # only the whole-table load says when
        ("customers", FEB, FEB, FEB, 3, T2, "/tmp/x/feb.csv"),  # its own load wins
        ("prospects", FEB, FEB, FEB, 1, T1, "demo"),
        ("surveys", None, dt.date(2024, 2, 1), dt.date(2024, 2, 20), 3, T1, "demo"),
        # complaints: empty, so not listed
    ]
    assert cat["rows"].dtype == "int64"


def test_catalogue_after_a_real_load(store, tmp_path):
    fill(store)
    f = tmp_path / "mar.csv"
    f.write_text("customer_id,segment,aum\nA,retail,10\nB,corporate,20\n", encoding="utf-8")
    load_files(store, "customers", [f], snapshot_date=dt.date(2024, 3, 31))
    mar = store.catalogue().iloc[2]
    assert (mar["table"], mar["snapshot_date"], mar["rows"]) == ("customers", dt.date(2024, 3, 31), 2)
    assert mar["source"] == str(f)
    assert mar["loaded_at"] > T3


# -- delete_snapshot -------------------------------------------------------------------
def test_delete_removes_exactly_that_snapshot_and_logs_it(store):
    fill(store)
    version = store.data_version()
    assert store.delete_snapshot("customers", JAN) == 2
    con = store.raw()
    assert con.execute("SELECT snapshot_date, customer_id FROM customers ORDER BY 2").fetchall() == [
        (FEB, "A"),
        (FEB, "B"),
        (FEB, "C"),
    ]
    assert con.execute("SELECT count(*) FROM prospects").fetchone()[0] == 1  # FEB prospects untouched
    last = con.execute(
        "SELECT load_id, table_name, snapshot_date, row_count, source FROM load_log ORDER BY load_id DESC LIMIT 1"
    ).fetchone()
    assert last == (5, "customers", JAN, -2, Store.DELETED)
    assert store.data_version() != version  # cached results are recomputed
    cat = store.catalogue()
    assert [(r.table, r.snapshot_date, r.rows) for r in cat.itertuples()] == [
        ("customers", FEB, 3),
        ("prospects", FEB, 1),
        ("surveys", None, 3),
    ]


def test_delete_takes_a_date_string_and_the_prospects_table(store):
    fill(store)
    assert store.delete_snapshot("prospects", "2024-02-29") == 1
    assert store.raw().execute("SELECT count(*) FROM prospects").fetchone()[0] == 0
    assert store.raw().execute("SELECT count(*) FROM customers").fetchone()[0] == 5


def test_a_deletion_is_not_a_load_time(store, tmp_path):
    fill(store)
    store.delete_snapshot("customers", FEB)
    f = tmp_path / "feb.csv"
    f.write_text("customer_id,segment,aum\nZ,retail,1\n", encoding="utf-8")
    load_files(store, "customers", [f], snapshot_date=FEB)
    feb = store.catalogue().iloc[1]
    assert (feb["snapshot_date"], feb["rows"], feb["source"]) == (FEB, 1, str(f))


@pytest.mark.parametrize(
    ("table", "day", "message"),
    [
        (
            "customer",
            JAN,
            "unknown table 'customer': choose one of customers, prospects, surveys, complaints",
        ),
        ("surveys", JAN, "surveys holds events, not snapshots: only customers, prospects have snapshots"),
        ("customers", "31/01/2024", "snapshot date '31/01/2024' is not a date (use YYYY-MM-DD)"),
        (
            "customers",
            dt.date(2024, 3, 31),
            "customers has no snapshot 2024-03-31; loaded: 2024-01-31, 2024-02-29",
        ),
        ("prospects", JAN, "prospects has no snapshot 2024-01-31; loaded: 2024-02-29"),
    ],
)
def test_delete_refuses_and_changes_nothing(store, table, day, message):
    fill(store)
    before = state(store)
    with pytest.raises(TierscopeError) as err:
        store.delete_snapshot(table, day)
    assert str(err.value) == message
    assert state(store) == before


def test_delete_while_a_load_holds_the_lock(store):
    fill(store)
    before = state(store)
    with store.load_lock():
        with pytest.raises(LoadBusyError):
            store.delete_snapshot("customers", JAN)  # this thread
        errors = []

        def other_thread():
            try:
                store.delete_snapshot("customers", JAN)
            except LoadBusyError as exc:
                errors.append(exc)

        th = threading.Thread(target=other_thread)
        th.start()
        th.join()
        assert len(errors) == 1
    assert state(store) == before
    assert store.delete_snapshot("customers", JAN) == 2  # free again once the load is done


def test_delete_while_another_process_loads(store):
    fill(store)
    before = state(store)
    lock = store.path.with_name(store.path.name + ".load.lock")
    # Another process holds the file lock as a running `python -m analytics load` would.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            f"fh = open({str(lock)!r}, 'a'); fcntl.flock(fh, fcntl.LOCK_EX)\n"
            "print('locked', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LoadBusyError, match="a load is already running"):
            store.delete_snapshot("customers", JAN)
    finally:
        holder.kill()
        holder.wait()
    assert state(store) == before


def test_materialize_keeps_rows_in_memory_reuses_them_and_drops_the_least_recently_used(store):
    insert_rows(
        store,
        "customers",
        [dict(snapshot_date=dt.date(2026, 9, 30), customer_id="A", segment="retail", aum=1.0)],
    )
    customers = store.table("customers")
    built = []

    def build(n):
        def make():
            built.append(n)
            return customers.mutate(n=n)

        return make

    assert store.materialize("m_one", build(1), keep=2).n.sum().execute() == 1
    store.materialize("m_one", build(99), keep=2)  # same name: reused, not rebuilt
    store.materialize("m_two", build(2), keep=2)
    store.materialize("m_one", keep=2)  # touching m_one makes m_two the least recently used
    store.materialize("m_three", build(3), keep=2)
    assert built == [1, 2, 3]
    assert store.materialize("m_one").n.sum().execute() == 1
    with pytest.raises(TierscopeError, match="no longer kept"):
        store.materialize("m_two")
    with pytest.raises(ValueError):
        store.materialize("m; DROP TABLE customers", build(4))
    # the rows are not in the database file
    assert "m_one" not in {
        r[0]
        for r in store.raw()
        .execute("SELECT table_name FROM duckdb_tables() WHERE database_name <> 'scratch'")
        .fetchall()
    }


# -- customer keys ---------------------------------------------------------------------
def _keys(store: Store) -> dict[str, int]:
    return dict(store.raw().execute("SELECT customer_id, customer_key FROM customer_keys").fetchall())


def _row_keys(store: Store) -> list[tuple]:
    sql = "SELECT snapshot_date, customer_id, customer_key FROM customers ORDER BY ALL"
    return store.raw().execute(sql).fetchall()


#: January B mass, A affluent; February A high-net-worth, B mass, C new (emerging).
OLD_ROWS = (
    f"('{JAN}', 'B', 'retail', 10000), ('{JAN}', 'A', 'retail', 300000), "
    f"('{FEB}', 'A', 'retail', 1500000), ('{FEB}', 'B', 'retail', 10000), ('{FEB}', 'C', 'retail', 60000)"
)


def _old_database(path) -> None:
    """A file as an earlier version wrote it: customers without customer_key, no customer_keys."""
    con = duckdb.connect(str(path))
    for spec in TABLES.values():
        con.execute(create_table_sql(dataclasses.replace(spec, derived=())))
    con.execute(LOAD_LOG_SQL)
    con.execute(f"INSERT INTO customers (snapshot_date, customer_id, segment, aum) VALUES {OLD_ROWS}")
    con.close()


def _moves(store: Store, customers=None) -> dict[tuple[str, str], int]:
    customers = store.table("customers") if customers is None else customers
    tr = transition(customers, rules=load_rules(), from_date=JAN, to_date=FEB)
    return {(r.from_state, r.to_state): r.customers for r in tr.counts.itertuples()}


MOVES = {("new", "emerging"): 1, ("mass", "mass"): 1, ("affluent", "hnw"): 1}


def test_a_new_database_has_the_key_column_and_table(store):
    cols = [r[0] for r in store.raw().execute("DESCRIBE customers").fetchall()]
    assert cols == [*TABLES["customers"].names, "customer_key"]
    assert [r[:2] for r in store.raw().execute("DESCRIBE customer_keys").fetchall()] == [
        ("customer_id", "VARCHAR"),
        ("customer_key", "BIGINT"),
    ]


def test_a_database_of_an_earlier_version_opens_and_gets_its_keys(tmp_path):
    path = tmp_path / "old.duckdb"
    _old_database(path)
    store = Store(path)
    try:
        cols = [r[0] for r in store.raw().execute("DESCRIBE customers").fetchall()]
        assert cols == [*TABLES["customers"].names, "customer_key"]
        assert _keys(store) == {"A": 1, "B": 2, "C": 3}  # in id order
        assert _row_keys(store) == [
            (JAN, "A", 1),
            (JAN, "B", 2),
            (FEB, "A", 1),
            (FEB, "B", 2),
            (FEB, "C", 3),
        ]
        assert store.raw().execute("SELECT sum(aum) FROM customers").fetchall()[0][0] == 1_880_000
        customers = store.table("customers")
        assert migration._join_column(customers, (JAN, FEB)) == "customer_key"
        assert _moves(store) == MOVES
    finally:
        store.close()
    store = Store(path)  # opening it again changes nothing
    try:
        assert _keys(store) == {"A": 1, "B": 2, "C": 3} and len(_row_keys(store)) == 5
    finally:
        store.close()


def test_rows_written_without_a_key_are_joined_by_id_and_keyed_at_the_next_open(tmp_path):
    path = tmp_path / "p.duckdb"
    store = Store(path)
    # as an earlier version of the loader (or anything but the loader) writes them
    store.raw().execute(f"INSERT INTO customers (snapshot_date, customer_id, segment, aum) VALUES {OLD_ROWS}")
    try:
        customers = store.table("customers")
        assert migration._join_column(customers, (JAN, FEB)) == "customer_id"
        assert _moves(store) == MOVES
    finally:
        store.close()
    store = Store(path)
    try:
        assert {k for _, _, k in _row_keys(store)} == {1, 2, 3}
        assert migration._join_column(store.table("customers"), (JAN, FEB)) == "customer_key"
        assert _moves(store) == MOVES
    finally:
        store.close()


def test_deleting_a_snapshot_keeps_the_keys_and_a_reload_gets_them_back(store, tmp_path):
    for day, text in (
        (JAN, "B,retail,10000\nA,retail,300000\n"),
        (FEB, "A,retail,1500000\nC,retail,60000\n"),
    ):
        f = tmp_path / f"{day}.csv"
        f.write_text("customer_id,segment,aum\n" + text, encoding="utf-8")
        load_files(store, "customers", [f], snapshot_date=day)
    assert _keys(store) == {"A": 1, "B": 2, "C": 3}
    before = _row_keys(store)
    store.delete_snapshot("customers", FEB)
    assert _keys(store) == {"A": 1, "B": 2, "C": 3}  # C has no row now but keeps its key
    load_files(store, "customers", [tmp_path / f"{FEB}.csv"], snapshot_date=FEB)
    assert _row_keys(store) == before and _keys(store) == {"A": 1, "B": 2, "C": 3}
