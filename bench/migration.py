"""Benchmark: the two-snapshot tier migration matrix at 1M and 10M customers, DuckDB vs pandas.

For each size N, builds (or reuses) ``bench/out/migration_<N>.duckdb`` with two month-end
snapshots of about N customers each, generated directly in DuckDB SQL: hash-based
pseudo-random AUM (log-normal, a realistic retail pyramid), segment, loans, sales,
market, deposits and organisation; about 3% of the customers close between the two
snapshots and about 3% are new; AUM and balances drift a little from one month to the
next so that a few percent change tier. Only the columns the tier rules read, plus
``customer_id``, ``customer_key``, ``snapshot_date``, ``aum`` and the organisation, are
filled; ``customer_keys`` holds every id's key (customer number + 1), as a load leaves it.
A file built before ``customer_key`` existed is brought up to date when the store opens
it (the time to open is printed; ``--rebuild`` makes a fresh one).

Then, in the same run:

- **DuckDB**: :func:`analytics.migration.transition` on the file (Ibis expression built,
  compiled, run, result fetched; joined on the integer ``customer_key``), median of
  ``--runs`` runs after one warm-up run; then the same without the key column (the
  join on the text ``customer_id``, what tables without keys get);
- **pandas**: the same two snapshots' columns are first fetched into pandas (*not
  timed*), then the timed part is the tier assignment of both snapshots with numpy
  (``np.select``, the same rules), an outer ``merge`` on customer_id and a
  ``pd.crosstab`` of the states, median of ``--pandas-runs`` runs; then the same with
  the merge on ``customer_key``.

All matrices are compared cell by cell and the run stops if they differ.

    .venv/bin/python bench/migration.py [--customers 1000000 10000000] [--runs 7] [--rebuild]

This is a benchmark that prints figures, not a timed test.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.migration import FROM_STATES, TO_STATES, transition  # noqa: E402
from analytics.rules import TIER_ORDER, TierRules, load_rules  # noqa: E402
from analytics.store import Store  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
FROM_DATE, TO_DATE = date(2026, 9, 30), date(2026, 10, 31)
CLOSED_PCT, NEW_SHARE = 3, 0.03
TIER_COLUMNS = (
    "segment",
    "aum",
    "loan_balance",
    "annual_sales",
    "total_assets",
    "industry",
    "market",
    "strategic",
    "deposit_avg_daily",
)

# Pseudo-random numbers from the customer number i: u(k) uniform on (0, 1), z(k) standard
# normal (Box-Muller). k picks an independent stream; month-to-month drift uses k >= 100.
_U = "((hash(i * 7919 + {k}) % 1000000) + 1) / 1000001.0"
_Z = "(sqrt(-2 * ln({u1})) * cos(2 * pi() * {u2}))"


def u(k: int) -> str:
    return _U.format(k=k)


def z(k: int) -> str:
    return _Z.format(u1=u(k), u2=u(k + 50))


def snapshot_sql(n: int, *, later: bool) -> str:
    """SELECT of one snapshot's rows: customers 0..n-1, or, later, the survivors plus new ones."""
    drift = 1 if later else 0  # the later snapshot moves every value a little
    new = int(round(n * NEW_SHARE))
    where = f"WHERE hash(i * 7919 + 99) % 100 >= {CLOSED_PCT}" if later else ""
    ids = f"SELECT i FROM range({n}) r(i) {where}"
    if later:
        ids += f" UNION ALL SELECT i FROM range({n}, {n + new}) r(i)"
    segment = (
        f"CASE WHEN {u(1)} < 0.90 THEN 'retail' WHEN {u(1)} < 0.99 THEN 'corporate' ELSE 'institution' END"
    )
    # log10 AUM ~ N(4.6, 0.75) for retail: about 55% mass, 27% emerging, 15% affluent,
    # 3% hnw, 0.3% private; a monthly drift of N(0, 0.04) in log10 moves a few percent.
    aum = f"power(10, 4.6 + 0.75 * {z(2)} + {drift} * 0.04 * {z(102)})"
    has_loan = f"({u(3)} < 0.6) <> ({drift} = 1 AND {u(103)} < 0.01)"
    loan = f"CASE WHEN segment <> 'retail' AND {has_loan} THEN power(10, 7 + 0.5 * {z(4)}) ELSE 0 END"
    sales = (
        f"CASE WHEN segment = 'corporate' THEN power(10, 7.5 + 0.8 * {z(5)} + {drift} * 0.03 * {z(105)}) END"
    )
    assets = f"CASE WHEN segment = 'corporate' THEN power(10, 7.6 + 0.7 * {z(6)}) END"
    industry = (
        f"CASE WHEN segment <> 'corporate' THEN NULL WHEN {u(7)} < 0.4 THEN 'manufacturing' "
        f"WHEN {u(7)} < 0.6 THEN 'information_technology' WHEN {u(7)} < 0.8 THEN 'construction' "
        "ELSE 'wholesale_retail' END"
    )
    market = (
        f"CASE WHEN segment <> 'corporate' THEN 'traditional' WHEN {u(8)} < 0.05 THEN 'emerging' "
        f"WHEN {u(8)} < 0.10 THEN 'real_estate' ELSE 'traditional' END"
    )
    strategic = f"segment = 'corporate' AND {u(9)} < 0.02"
    deposit = (
        f"CASE WHEN segment <> 'retail' THEN power(10, 5.5 + 0.6 * {z(10)} + {drift} * 0.05 * {z(110)}) END"
    )
    when = TO_DATE if later else FROM_DATE
    return f"""
        SELECT DATE '{when.isoformat()}' AS snapshot_date,
               lpad(CAST(i AS VARCHAR), 12, '0') AS customer_id,
               i + 1 AS customer_key,
               segment,
               'R' || lpad(CAST(i % 240 % 12 AS VARCHAR), 2, '0') AS region,
               'B' || lpad(CAST(i % 240 AS VARCHAR), 3, '0') AS branch,
               'RM' || lpad(CAST(i % 3000 AS VARCHAR), 4, '0') AS rm_id,
               round({aum}, 2) AS aum,
               {loan} AS loan_balance,
               {sales} AS annual_sales,
               {assets} AS total_assets,
               {industry} AS industry,
               {market} AS market,
               {strategic} AS strategic,
               {deposit} AS deposit_avg_daily
        FROM (SELECT i, {segment} AS segment FROM ({ids}))
        ORDER BY i
    """


def build(path: Path, n: int) -> None:
    """Create the database file with the two snapshots (a fresh file each time)."""
    for p in (path, path.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    store = Store(path)
    try:
        con = store.raw()
        cols = "snapshot_date, customer_id, customer_key, segment, region, branch, rm_id, aum, "
        cols += "loan_balance, annual_sales, total_assets, industry, market, strategic, deposit_avg_daily"
        for later in (False, True):
            con.execute(f"INSERT INTO customers ({cols}) {snapshot_sql(n, later=later)}")
        # every id's key, as the loader keeps them: customer number i has key i + 1
        new = int(round(n * NEW_SHARE))
        con.execute(
            "INSERT INTO customer_keys SELECT lpad(CAST(i AS VARCHAR), 12, '0'), i + 1 "
            f"FROM range({n + new}) r(i)"
        )
        con.execute("CHECKPOINT")
    finally:
        store.close()


def pandas_tiers(df: pd.DataFrame, rules: TierRules) -> np.ndarray:
    """Tier codes (positions in TIER_ORDER) with numpy: the rules of analytics.tiers.tier_expr."""
    code = {tier: np.int8(i) for i, tier in enumerate(TIER_ORDER)}
    seg = df["segment"].to_numpy()
    aum = df["aum"].to_numpy()
    r = rules.retail
    retail = np.select(
        [aum >= r.private, aum >= r.hnw, aum >= r.affluent, aum >= r.emerging],
        [code["private"], code["hnw"], code["affluent"], code["emerging"]],
        code["mass"],
    )
    c = rules.corporate
    loan = df["loan_balance"].fillna(0).to_numpy() > 0
    sales = df["annual_sales"].fillna(0).to_numpy()
    assets = df["total_assets"].to_numpy()
    bar = df["industry"].map(dict(c.large_annual_sales_by_industry)).fillna(c.large_annual_sales).to_numpy()
    small = (sales < c.small_annual_sales_below) & (np.isnan(assets) | (assets < c.small_total_assets_below))
    market = df["market"].fillna("traditional").to_numpy()
    strategic = df["strategic"].fillna(False).to_numpy(dtype=bool)
    corporate_loan = np.select(
        [market == "emerging", market == "real_estate", strategic, sales >= bar, small],
        [code["emerging_market"], code["real_estate"], code["strategic"], code["large"], code["small"]],
        code["medium"],
    )
    deposit = df["deposit_avg_daily"].fillna(0).to_numpy()
    no_loan = np.where(
        deposit >= rules.no_loan.above_scale_deposit_avg_daily, code["above_scale"], code["below_scale"]
    )
    return np.select(
        [seg == "retail", (seg == "institution") & loan, seg == "institution", loan],
        [retail, code["institution"], code["institution_no_loan"], corporate_loan],
        no_loan,
    ).astype("int8")


def pandas_matrix(
    a: pd.DataFrame, b: pd.DataFrame, rules: TierRules, on: str = "customer_id"
) -> pd.DataFrame:
    """Tiers with numpy, outer merge on ``on``, crosstab: the timed pandas part."""
    left = pd.DataFrame({on: a[on], "from_code": pandas_tiers(a, rules)})
    right = pd.DataFrame({on: b[on], "to_code": pandas_tiers(b, rules)})
    m = left.merge(right, on=on, how="outer")
    # codes: -1 = absent; new is FROM_STATES[0], closed is TO_STATES[-1]
    from_code = m["from_code"].fillna(-1).astype("int8").to_numpy() + 1
    to_code = m["to_code"].fillna(len(TIER_ORDER)).astype("int8").to_numpy()
    from_state = pd.Categorical.from_codes(from_code, categories=list(FROM_STATES))
    to_state = pd.Categorical.from_codes(to_code, categories=list(TO_STATES))
    return pd.crosstab(from_state, to_state, dropna=False)


def timed(fn, runs: int) -> tuple[float, object]:
    """Median wall seconds of ``runs`` calls, and the last result.

    The process CPU seconds of the same calls
    are kept in ``timed.cpu`` (median), to tell a busy machine (CPU much below 2 x wall on
    2 cores) from a slow query.
    """
    times, cpus, result = [], [], None
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    timed.cpu = statistics.median(cpus)
    timed.best = min(times)
    return statistics.median(times), result


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Every cell of two matrices equal, in the same fixed order (a missing cell is a 0)."""
    frame = {"index": list(FROM_STATES), "columns": list(TO_STATES), "fill_value": 0}
    return np.array_equal(a.reindex(**frame).to_numpy(), b.reindex(**frame).to_numpy())


def bench(n: int, *, runs: int, pandas_runs: int, rebuild: bool, skip_pandas: bool) -> None:
    rules = load_rules()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"migration_{n}.duckdb"
    if rebuild or not path.exists():
        t0 = time.perf_counter()
        build(path, n)
        print(f"built {path.name}: {time.perf_counter() - t0:.1f} s, {path.stat().st_size / 1e6:,.0f} MB")
    t0 = time.perf_counter()
    store = Store(path)  # a file of an earlier version gets its customer keys here
    opened = time.perf_counter() - t0
    try:
        customers = store.table("customers")
        sizes = dict(
            store.raw().execute("SELECT snapshot_date, count(*) FROM customers GROUP BY 1").fetchall()
        )

        def duck(table):
            return transition(table, rules=rules, from_date=FROM_DATE, to_date=TO_DATE)

        keyed = partial(duck, customers)
        keyed()  # warm-up: file pages in the buffer pool, Ibis/sqlglot code paths loaded
        duck_s, tr = timed(keyed, runs)
        duck_best, duck_cpu = timed.best, timed.cpu
        m = tr.matrix()
        rates = tr.rates()
        print(
            f"N = {n:,}: {sizes[FROM_DATE]:,} customers at {FROM_DATE}, {sizes[TO_DATE]:,} at {TO_DATE}; "
            f"new {rates['new_customers']:,}, closed {rates['closed_customers']:,}, "
            f"upgrades {rates['upgrade_customers']:,}, downgrades {rates['downgrade_customers']:,}, "
            f"reclassified {rates['reclassified_customers']:,} (store opened in {opened:.2f} s)"
        )
        print(
            f"  DuckDB transition(), join on customer_key: median {duck_s * 1000:,.0f} ms over {runs} runs "
            f"(best {duck_best * 1000:,.0f} ms; process CPU {duck_cpu * 1000:,.0f} ms per run)"
        )
        unkeyed = partial(duck, customers.drop("customer_key"))
        unkeyed()
        text_s, tr_text = timed(unkeyed, runs)
        print(
            f"  DuckDB transition() without the key column (join on customer_id): median "
            f"{text_s * 1000:,.0f} ms (best {timed.best * 1000:,.0f} ms; process CPU {timed.cpu * 1000:,.0f} ms)"
        )
        cells = ["from_state", "to_state", "customers"]
        if not _same(m, tr_text.matrix()) or not tr.counts[cells].equals(tr_text.counts[cells]):
            raise SystemExit("transition() differs with and without customer_key")
        aum = ["aum_from", "aum_to"]
        x, y = tr.counts[aum].to_numpy(), tr_text.counts[aum].to_numpy()
        rel = float(np.max(np.abs(x - y) / np.maximum(np.abs(y), 1.0)))
        if rel > 1e-12:
            raise SystemExit(f"the AUM sums differ with and without customer_key (relative {rel:.1e})")
        print(
            "  same cells, customers and AUM with and without the key "
            f"(largest relative AUM difference {rel:.1e}: the order of floating-point sums)"
        )
        # The floor: the full outer join of the two snapshots' ids alone, no tiers.
        for col in ("customer_key", "customer_id"):
            floor_sql = (
                f"SELECT count(*) FROM (SELECT {col} FROM customers WHERE snapshot_date = ?) a "
                f"FULL JOIN (SELECT {col} FROM customers WHERE snapshot_date = ?) b USING ({col})"
            )
            floor_s, _ = timed(
                lambda q=floor_sql: store.raw().execute(q, [FROM_DATE, TO_DATE]).fetchall(), runs
            )
            print(
                f"  floor, the {col} join alone in raw SQL (no tiers, no Ibis): median "
                f"{floor_s * 1000:,.0f} ms (best {timed.best * 1000:,.0f} ms)"
            )
        if skip_pandas:
            return
        cols = ", ".join(["customer_id", "customer_key", *TIER_COLUMNS])
        t0 = time.perf_counter()
        a = store.raw().execute(f"SELECT {cols} FROM customers WHERE snapshot_date = ?", [FROM_DATE]).df()
        b = store.raw().execute(f"SELECT {cols} FROM customers WHERE snapshot_date = ?", [TO_DATE]).df()
        fetch = time.perf_counter() - t0
        for on in ("customer_id", "customer_key"):
            pandas_s, ct = timed(partial(pandas_matrix, a, b, rules, on), pandas_runs)
            print(
                f"  pandas tiers + merge on {on} + crosstab: median {pandas_s * 1000:,.0f} ms over "
                f"{pandas_runs} runs (best {timed.best * 1000:,.0f} ms); pandas / DuckDB (median): "
                f"{pandas_s / duck_s:,.1f}x"
            )
            if not _same(ct, m):
                raise SystemExit(f"the DuckDB and pandas ({on}) matrices differ")
        print(
            f"  (fetching the two snapshots into pandas first, not timed: {fetch:.1f} s); all matrices "
            f"equal cell by cell ({int(m.to_numpy().sum()):,} customers in {int((m > 0).sum().sum())} cells)"
        )
        del a, b, ct
        gc.collect()
    finally:
        store.close()


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=7, help="timed DuckDB runs (after a warm-up)")
    parser.add_argument("--pandas-runs", type=int, default=3, help="timed pandas runs")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the database files")
    parser.add_argument("--skip-pandas", action="store_true", help="time DuckDB only")
    args = parser.parse_args(argv)
    for n in args.customers:
        bench(
            n,
            runs=args.runs,
            pandas_runs=args.pandas_runs,
            rebuild=args.rebuild,
            skip_pandas=args.skip_pandas,
        )


if __name__ == "__main__":
    main()
