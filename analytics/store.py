"""The portfolio store: one DuckDB database file reached through Ibis.

The database file is ``data/portfolio.duckdb`` unless ``--db`` (command line) or the
environment variable ``TIERSCOPE_DB`` (dashboard) says otherwise. A process holds one
read-write DuckDB database per file; each thread queries it through its own cursor, as
DuckDB asks. Loads are serialised: a second load while one runs, in this process or
another, gets :class:`~analytics.errors.LoadBusyError` at once instead of waiting.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import ibis
import pandas as pd

from analytics.audit import AUDIT_LOG_SQL
from analytics.errors import LoadBusyError, StoreError, TierscopeError
from analytics.schema import CUSTOMER_KEY, CUSTOMER_KEYS_SQL, DATE, TABLES, create_table_sql

PROJECT_DIR = Path(__file__).resolve().parent.parent
#: The in-memory database of materialized intermediate results, and how many tables it keeps.
SCRATCH = "scratch"
SCRATCH_TABLES = 16
DEFAULT_DB = PROJECT_DIR / "data" / "portfolio.duckdb"

LOAD_LOG_SQL = """
CREATE TABLE IF NOT EXISTS load_log (
  load_id BIGINT NOT NULL,
  table_name VARCHAR NOT NULL,
  snapshot_date DATE,
  row_count BIGINT NOT NULL,
  source VARCHAR,
  loaded_at TIMESTAMP NOT NULL,
  seconds DOUBLE
)
"""


def assign_customer_keys(con: duckdb.DuckDBPyConnection, source: str) -> int:
    """Give every customer id of ``source`` that has no key yet the next free keys.

    Keys go on from the largest key ever given (new ids in ``customer_id`` order), so a
    known id keeps its key and no key is given twice. Runs in the caller's transaction,
    which should hold the load lock (two loads assigning at once would give the same keys).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The cursor of the open transaction.
    source : str
        A table, view or parenthesised subquery with a ``customer_id`` column; this
        package's own SQL, never user input.

    Returns
    -------
    int
        The number of new keys.
    """
    base = con.execute("SELECT coalesce(max(customer_key), 0) FROM customer_keys").fetchall()[0][0]
    return con.execute(
        f"""
        INSERT INTO customer_keys
        SELECT s.customer_id, $base + row_number() OVER (ORDER BY s.customer_id)
        FROM (SELECT DISTINCT customer_id FROM {source} WHERE customer_id IS NOT NULL) s
        WHERE NOT EXISTS (SELECT 1 FROM customer_keys k WHERE k.customer_id = s.customer_id)
        """,
        {"base": base},
    ).fetchall()[0][0]


def fill_customer_keys(con: duckdb.DuckDBPyConnection) -> int:
    """Set ``customer_key`` on every customers row that has none; returns the rows set.

    For databases written by an earlier version (and rows inserted by hand): new ids get
    keys with :func:`assign_customer_keys`, then the rows take their id's key. Runs in the
    caller's transaction.
    """
    assign_customer_keys(con, "(SELECT customer_id FROM customers WHERE customer_key IS NULL)")
    return con.execute(
        "UPDATE customers SET customer_key = k.customer_key FROM customer_keys k "
        "WHERE customers.customer_key IS NULL AND k.customer_id = customers.customer_id"
    ).fetchall()[0][0]


def resolve_db_path(db: str | os.PathLike | None = None) -> Path:
    """Return the database file to use.

    Parameters
    ----------
    db : str or path-like, optional
        An explicit path (``--db``). When absent, ``TIERSCOPE_DB`` and then
        ``data/portfolio.duckdb`` are used.
    """
    if db:
        return Path(db).expanduser().resolve()
    env = os.environ.get("TIERSCOPE_DB")
    if env:
        return Path(env).expanduser().resolve()
    return DEFAULT_DB


class Store:
    """A read-write portfolio database.

    Use :func:`open_store` rather than the constructor, so that a process never opens
    the same file twice.

    Parameters
    ----------
    path : Path
        The DuckDB file; created with the canonical tables when missing.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = duckdb.connect(str(self.path))
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreError(
                    f"the database {self.path} is open in another process "
                    "(is the dashboard or another command running?); stop it or use --db"
                ) from None
            raise StoreError(f"cannot open the database {self.path}: {exc}") from None
        except duckdb.Error as exc:
            raise StoreError(f"{self.path} is not a usable DuckDB database: {exc}") from None
        self._local = threading.local()
        self._load_lock = threading.Lock()
        self._ensure_schema()
        # An in-memory database beside the file for intermediate customer-level results the
        # dashboard reuses (see materialize); every cursor of this process sees it.
        # IF NOT EXISTS: DuckDB hands a second Store on the same file in this process the same
        # database instance, which has it already.
        self._db.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {SCRATCH}")
        self._scratch_lock = threading.Lock()
        self._scratch: dict[str, float] = {}  # table name -> last use (monotonic seconds)

    # -- connections -------------------------------------------------------------------
    def raw(self) -> duckdb.DuckDBPyConnection:
        """This thread's DuckDB cursor on the database (for the loader and the store)."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._db.cursor()
            self._local.cursor = cur
        return cur

    @property
    def backend(self) -> ibis.BaseBackend:
        """This thread's Ibis backend over the database."""
        be = getattr(self._local, "backend", None)
        if be is None:
            be = ibis.duckdb.from_connection(self.raw())
            self._local.backend = be
        return be

    def table(self, name: str) -> ibis.Table:
        """The Ibis table expression of a canonical table (unscoped)."""
        return self.backend.table(name)

    def materialize(
        self, name: str, build: Callable[[], ibis.Table] | None = None, *, keep: int = SCRATCH_TABLES
    ) -> ibis.Table:
        """Keep the rows of ``build()`` in memory under ``name`` and return them as a table.

        For customer-level intermediate results that several small queries reuse (a scored
        population that each change of a cut point summarises again): the rows stay in the
        engine, outside the database file, and at most ``keep`` such tables are kept (the
        least recently used go first). ``name`` must identify the contents (include the data
        version, filters and parameters in it): an existing table of that name is reused and
        ``build`` is not called. Without ``build``, the table must exist.
        """
        if not name.isidentifier():
            raise ValueError(f"scratch table name must be an identifier, not {name!r}")
        with self._scratch_lock:
            if name not in self._scratch or not self._scratch_has(name):
                self._scratch.pop(name, None)
                if build is None:
                    raise StoreError(f"the intermediate result {name} is no longer kept; reload the page")
                self.backend.create_table(name, obj=build(), database=(SCRATCH, "main"), overwrite=True)
            self._scratch[name] = time.monotonic()
            for old in sorted(self._scratch, key=self._scratch.get)[: max(0, len(self._scratch) - keep)]:
                self.backend.drop_table(old, database=(SCRATCH, "main"), force=True)
                del self._scratch[old]
        return self.backend.table(name, database=(SCRATCH, "main"))

    def _scratch_has(self, name: str) -> bool:
        # Another Store on the same file in this process shares the scratch database and may
        # have dropped the table: ask the catalogue, not only this store's own list.
        row = (
            self.raw()
            .execute(
                "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
                [SCRATCH, name],
            )
            .fetchall()
        )
        return bool(row[0][0])

    def close(self) -> None:
        """Close the database; the store is unusable afterwards."""
        _STORES.pop(self.path, None)
        with contextlib.suppress(duckdb.Error):
            self._db.close()

    # -- schema and catalogue ----------------------------------------------------------
    def _ensure_schema(self) -> None:
        con = self.raw()
        for spec in TABLES.values():
            con.execute(create_table_sql(spec))
        con.execute(LOAD_LOG_SQL)
        con.execute(CUSTOMER_KEYS_SQL)
        con.execute(AUDIT_LOG_SQL)
        self._key_customers()

    def _key_customers(self) -> None:
        """Bring a database of an earlier version up to date: every customers row keyed.

        A file written before ``customer_key`` existed gets the column and a key on every
        row, in one transaction (a one-off cost of about half a second per million rows).
        Rows without a key are found from the column statistics, so a database whose rows
        are all keyed costs nothing here. When a load is running (in another thread), this
        is left for the next open: the migration queries do not join on incomplete keys.
        """
        con = self.raw()
        result = con.execute("SELECT * FROM customers LIMIT 0")
        names = {d[0] for d in result.description}
        result.fetchall()  # a half-read result would block the next statement on this cursor
        missing = CUSTOMER_KEY.name not in names
        if not missing:
            unkeyed = "SELECT count(*) FROM (SELECT 1 FROM customers WHERE customer_key IS NULL LIMIT 1)"
            if not con.execute(unkeyed).fetchall()[0][0]:
                return
        with contextlib.suppress(LoadBusyError), self.load_lock():
            con.execute("BEGIN TRANSACTION")
            try:
                if missing:
                    con.execute(
                        f"ALTER TABLE customers ADD COLUMN {CUSTOMER_KEY.name} {CUSTOMER_KEY.sql_type}"
                    )
                fill_customer_keys(con)
                con.execute("COMMIT")
                # write the updated rows into the file's row groups now: until then every
                # scan of customers also reads them from the update log (several times slower)
                con.execute("CHECKPOINT")
            except duckdb.Error:
                # Not fatal: the file stays as it was and still works (the migration
                # queries join on customer_id where keys are missing).
                with contextlib.suppress(duckdb.Error):
                    con.execute("ROLLBACK")
            except BaseException:
                with contextlib.suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                raise

    def snapshots(self) -> pd.DataFrame:
        """Loaded customer snapshots, oldest first.

        Returns
        -------
        pandas.DataFrame
            Columns ``snapshot_date`` (datetime.date) and ``customers`` (int).
        """
        t = self.table("customers")
        expr = t.group_by("snapshot_date").aggregate(customers=t.count()).order_by("snapshot_date")
        df = expr.to_pandas()
        df["snapshot_date"] = pd.to_datetime(df["snapshot_date"]).dt.date
        df["customers"] = df["customers"].astype("int64")
        return df

    def latest_snapshot(self):
        """The newest customer snapshot date, or ``None`` when nothing is loaded."""
        snaps = self.snapshots()
        return None if snaps.empty else snaps["snapshot_date"].iloc[-1]

    def row_counts(self) -> dict[str, int]:
        """Row count of every canonical table."""
        con = self.raw()
        return {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0] for name in TABLES}

    def is_empty(self) -> bool:
        """True when no customer rows are loaded."""
        return self.raw().execute("SELECT count(*) FROM customers").fetchall()[0][0] == 0

    def data_version(self) -> str:
        """A token that changes with every load (and with a rebuilt demo).

        The dashboard puts it in cache keys, so that cached results never outlive
        the data they were computed from.
        """
        n, newest, rows = (
            self.raw()
            .execute("SELECT count(*), max(loaded_at), coalesce(sum(row_count), 0) FROM load_log")
            .fetchall()[0]  # fetchall: a half-read result would block the next register() on this cursor
        )
        return f"{n}:{newest}:{rows}"

    def load_history(self) -> pd.DataFrame:
        """The load log, newest first."""
        return self.raw().execute("SELECT * FROM load_log ORDER BY load_id DESC").df()

    # -- what is loaded, and deleting a snapshot (the data page) ------------------------
    #: ``load_log.source`` of a row written by :meth:`delete_snapshot`. Such a row also has
    #: a negative ``row_count`` (minus the rows removed), so that a query summing or listing
    #: loads (``row_count >= 0``) never mistakes a deletion for a load.
    DELETED = "deleted"

    def catalogue(self) -> pd.DataFrame:
        """What is loaded: every snapshot of the snapshot tables, and each event table.

        Counts come from the tables themselves; the load time and source from the newest
        load_log row that loaded them (deletions excluded). A load of several snapshot
        dates at once and the demo portfolio log no single date: their snapshots show the
        newest such load of the table.

        Returns
        -------
        pandas.DataFrame
            One row per snapshot (``customers``, ``prospects``) and one per non-empty event
            table (``surveys``, ``complaints``), in table then date order. Columns ``table``;
            ``snapshot_date`` (datetime.date; None for event tables); ``date_from`` and
            ``date_to`` (the snapshot date, or the first and last event date); ``rows`` (int);
            ``loaded_at`` (timestamp, NaT when the log does not say); ``source`` (str or None).
        """
        parts = []
        for spec in TABLES.values():
            # Table and column names are this package's constants, never user input.
            if spec.snapshot_column:
                s = f'"{spec.snapshot_column}"'
                parts.append(
                    f"SELECT '{spec.name}' AS table_name, {s} AS snapshot_date, {s} AS date_from, "
                    f'{s} AS date_to, count(*) AS rows FROM "{spec.name}" GROUP BY {s}'
                )
            else:
                d = f'"{next(c.name for c in spec.columns if c.kind == DATE and c.required)}"'
                parts.append(
                    f"SELECT '{spec.name}', NULL::DATE, min({d}), max({d}), count(*) "
                    f'FROM "{spec.name}" HAVING count(*) > 0'
                )
        order = ", ".join(f"'{name}'" for name in TABLES)
        df = (
            self.raw()
            .execute(
                f"""
                WITH data AS ({" UNION ALL ".join(parts)}),
                loads AS (SELECT * FROM load_log WHERE row_count >= 0),
                exact AS (
                    SELECT table_name, snapshot_date, max_by(loaded_at, load_id) AS loaded_at,
                           max_by(source, load_id) AS source
                    FROM loads WHERE snapshot_date IS NOT NULL GROUP BY ALL),
                whole AS (
                    SELECT table_name, max_by(loaded_at, load_id) AS loaded_at,
                           max_by(source, load_id) AS source
                    FROM loads WHERE snapshot_date IS NULL GROUP BY ALL)
                SELECT d.table_name AS "table", d.snapshot_date, d.date_from, d.date_to, d.rows,
                       coalesce(e.loaded_at, w.loaded_at) AS loaded_at,
                       CASE WHEN e.table_name IS NOT NULL THEN e.source ELSE w.source END AS source
                FROM data d
                LEFT JOIN exact e ON e.table_name = d.table_name AND e.snapshot_date = d.snapshot_date
                LEFT JOIN whole w ON w.table_name = d.table_name
                ORDER BY list_position([{order}], d.table_name), d.date_from
                """
            )
            .df()
        )
        for col in ("snapshot_date", "date_from", "date_to"):
            df[col] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in df[col]]
        df["rows"] = df["rows"].astype("int64")
        df["source"] = df["source"].astype(object).where(df["source"].notna(), None)
        return df

    def delete_snapshot(self, table: str, snapshot_date: dt.date | str) -> int:
        """Delete one snapshot of a snapshot table, in one transaction, and log it.

        The deletion is logged in ``load_log`` with the table, the snapshot date, a
        negative ``row_count`` (minus the rows removed) and the source :attr:`DELETED`;
        the new log row changes :meth:`data_version`, so cached results are recomputed.
        Customer keys are kept (``customer_keys`` is not touched): loading the snapshot
        again gives its customers the keys they had.

        Parameters
        ----------
        table : str
            ``customers`` or ``prospects``.
        snapshot_date : datetime.date or str
            The snapshot to delete (a date or ``YYYY-MM-DD``).

        Returns
        -------
        int
            Rows deleted.

        Raises
        ------
        TierscopeError
            For an unknown table, an event table, or a date that is not loaded.
        LoadBusyError
            When a load (or another deletion) is running against the database.
        """
        spec = TABLES.get(str(table))
        if spec is None:
            raise TierscopeError(f"unknown table {table!r}: choose one of {', '.join(TABLES)}")
        if spec.snapshot_column is None:
            snap_tables = ", ".join(n for n, s in TABLES.items() if s.snapshot_column)
            raise TierscopeError(
                f"{spec.name} holds events, not snapshots: only {snap_tables} have snapshots"
            )
        if isinstance(snapshot_date, dt.datetime):
            snapshot_date = snapshot_date.date()
        if not isinstance(snapshot_date, dt.date):
            try:
                snapshot_date = dt.date.fromisoformat(str(snapshot_date).strip())
            except ValueError:
                raise TierscopeError(
                    f"snapshot date {snapshot_date!r} is not a date (use YYYY-MM-DD)"
                ) from None
        t, s = f'"{spec.name}"', f'"{spec.snapshot_column}"'
        with self.load_lock():
            con = self.raw()
            con.execute("BEGIN TRANSACTION")
            try:
                removed = con.execute(f"DELETE FROM {t} WHERE {s} = $d", {"d": snapshot_date}).fetchone()[0]
                if removed == 0:
                    loaded = [
                        r[0].isoformat()
                        for r in con.execute(f"SELECT DISTINCT {s} FROM {t} ORDER BY 1").fetchall()
                    ]
                    raise TierscopeError(
                        f"{spec.name} has no snapshot {snapshot_date.isoformat()}; loaded: "
                        + (", ".join(loaded) if loaded else "none")
                    )
                con.execute(
                    "INSERT INTO load_log SELECT coalesce(max(load_id), 0) + 1, $table, $snapshot, $rows, "
                    "$source, $at, 0 FROM load_log",
                    {
                        "table": spec.name,
                        "snapshot": snapshot_date,
                        "rows": -removed,
                        "source": self.DELETED,
                        "at": dt.datetime.now().replace(microsecond=0),
                    },
                )
                con.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                raise
        return removed

    # -- load serialisation ------------------------------------------------------------
    @contextlib.contextmanager
    def load_lock(self) -> Iterator[None]:
        """Hold the load lock of this database, or raise LoadBusyError at once.

        The lock is a thread lock for loads within this process and an advisory file
        lock (``<db>.load.lock``) for loads from other processes that share the file.
        """
        if not self._load_lock.acquire(blocking=False):
            raise LoadBusyError()
        lock_path = self.path.with_name(self.path.name + ".load.lock")
        try:
            with open(lock_path, "a") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise LoadBusyError() from None
                yield  # closing the file releases the file lock
        finally:
            self._load_lock.release()


_STORES: dict[Path, Store] = {}
_STORES_LOCK = threading.Lock()


def open_store(db: str | os.PathLike | None = None) -> Store:
    """Return this process's store for a database file, opening it on first use.

    Parameters
    ----------
    db : str or path-like, optional
        See :func:`resolve_db_path`.
    """
    path = resolve_db_path(db)
    with _STORES_LOCK:
        store = _STORES.get(path)
        if store is None:
            store = Store(path)
            _STORES[path] = store
        return store


def resolve_snapshot(store, requested: dt.date | None = None) -> dt.date:
    """The snapshot a command or an export shows: ``requested`` when it is loaded, else the latest.

    Parameters
    ----------
    store : Store or analytics.scope.ScopedStore
        The database (as the caller may read it).
    requested : datetime.date, optional
        The snapshot asked for.

    Raises
    ------
    TierscopeError
        Nothing is loaded, or ``requested`` is not (the message lists the loaded ones).
    """
    snaps = store.snapshots()
    if snaps.empty:
        raise TierscopeError(
            f"no snapshots are loaded in {store.path}; run 'python -m analytics demo' or 'load'"
        )
    if requested is None:
        return snaps["snapshot_date"].iloc[-1]
    if requested not in set(snaps["snapshot_date"]):
        known = ", ".join(d.isoformat() for d in snaps["snapshot_date"])
        raise TierscopeError(f"snapshot {requested.isoformat()} is not loaded (loaded: {known})")
    return requested
