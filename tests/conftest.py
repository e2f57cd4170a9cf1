"""Shared fixtures: a fresh portfolio database per test and a way to fill it by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from analytics.schema import TABLES
from analytics.store import Store, fill_customer_keys

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"


@pytest.fixture
def store(tmp_path):
    """An empty portfolio database in a temporary folder."""
    s = Store(tmp_path / "portfolio.duckdb")
    yield s
    s.close()


def insert_rows(store: Store, table: str, rows: list[dict]) -> None:
    """Insert hand-written rows, filling every other column with its schema default.

    Goes straight to DuckDB (not through the loader) so analytics tests do not depend
    on the loader. Customers rows get their ``customer_key`` as after a load.
    """
    spec = TABLES[table]
    full = []
    for row in rows:
        unknown = set(row) - set(spec.names)
        assert not unknown, f"unknown columns {unknown}"
        full.append({c.name: row.get(c.name, c.default) for c in spec.columns})
    frame = pd.DataFrame(full, columns=list(spec.names))
    con = store.raw()
    con.register("_rows", frame)
    casts = ", ".join(f'CAST("{c.name}" AS {c.sql_type}) AS "{c.name}"' for c in spec.columns)
    con.execute(f'INSERT INTO "{table}" ({", ".join(spec.names)}) SELECT {casts} FROM _rows')
    con.unregister("_rows")
    if spec.derived:  # customer_key, as the loader gives it
        fill_customer_keys(con)
    # a load_log row so the data version changes like after a real load
    con.execute(
        "INSERT INTO load_log VALUES ((SELECT coalesce(max(load_id), 0) + 1 FROM load_log), ?, NULL, ?, 'test', ?, 0)",
        [table, len(rows), dt.datetime.now()],
    )
