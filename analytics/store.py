"""The portfolio store: one DuckDB database file reached through Ibis.

The database file is ``data/portfolio.duckdb`` unless ``--db`` (command line) or the
environment variable ``TIERSCOPE_DB`` (dashboard) says otherwise. A process holds one
read-write DuckDB database per file; each thread queries it through its own cursor, as
DuckDB asks. Loads are serialised: a second load while one runs, in this process or
another, gets :class:`~analytics.errors.LoadBusyError` at once instead of waiting.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import ibis
import pandas as pd

from analytics.errors import LoadBusyError, StoreError
from analytics.schema import TABLES, create_table_sql

PROJECT_DIR = Path(__file__).resolve().parent.parent
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
        return {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in TABLES}

    def is_empty(self) -> bool:
        """True when no customer rows are loaded."""
        return self.raw().execute("SELECT count(*) FROM customers").fetchone()[0] == 0

    def data_version(self) -> str:
        """A token that changes with every load (and with a rebuilt demo).

        The dashboard puts it in cache keys, so that cached results never outlive
        the data they were computed from.
        """
        n, newest, rows = (
            self.raw()
            .execute("SELECT count(*), max(loaded_at), coalesce(sum(row_count), 0) FROM load_log")
            .fetchone()
        )
        return f"{n}:{newest}:{rows}"

    def load_history(self) -> pd.DataFrame:
        """The load log, newest first."""
        return self.raw().execute("SELECT * FROM load_log ORDER BY load_id DESC").df()

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
