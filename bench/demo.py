"""Benchmark: build the default demo portfolio into a fresh temporary database.

Builds the demo (105,000 customers x 24 month ends by default, about 2.5 million
customer rows) with :func:`analytics.demo.build_demo` into a new DuckDB file in a
temporary folder, then builds it a second time into the same file (the replace path),
and prints the seconds, the row counts and the customer rows per second.

    .venv/bin/python bench/demo.py [--customers 105000] [--months 24] [--seed 20261125]

This is a benchmark that prints figures, not a timed test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.demo import build_demo  # noqa: E402
from analytics.store import Store  # noqa: E402

# A fixed last snapshot so that the figures do not depend on today's date.
END = date(2026, 10, 31)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=105_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tierscope-bench-") as tmp:
        path = Path(tmp) / "demo.duckdb"
        store = Store(path)
        try:
            for label in ("fresh database", "rebuild (replace)"):
                t0 = time.perf_counter()
                summary = build_demo(
                    store, customers=args.customers, months=args.months, seed=args.seed, end=END
                )
                wall = time.perf_counter() - t0
                rows = summary.customers
                print(f"demo build, {label}: {wall:.2f} s ({rows / wall:,.0f} customer rows/s)")
            print(
                f"  {args.customers:,} customers x {args.months} months "
                f"({summary.snapshots[0]} .. {summary.snapshots[-1]}), seed {args.seed}"
            )
            print(
                f"  {summary.regions} regions, {summary.branches} branches, "
                f"{summary.relationship_managers} relationship managers"
            )
            for table, n in summary.counts.items():
                print(f"  {table:<11} {n:>10,} rows")
        finally:
            store.close()
        print(f"  database file {path.stat().st_size / 1e6:,.0f} MB")


if __name__ == "__main__":
    main()
