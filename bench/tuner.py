"""Benchmark: the threshold tuner's recompute at 1M and 10M customers, against a DuckDB scan and pandas.

For each size N, builds (or reuses) ``bench/out/tuner_<N>.duckdb`` with one month-end
snapshot of N customers. The tier columns come from ``bench/migration.py``'s SQL
generator (:func:`bench.migration.snapshot_sql`, the earlier of its two snapshots:
segment, AUM, loans, sales, assets, industry, market, strategic flag, deposits, region,
branch, rm_id); this file adds, deterministically from the customer number with the same
hash-based generator, what the tuner reads besides: the six profit components, the
profile flag, products held, the three key-product flags, contacts a month, events and
senior visits a year (all more likely the wealthier the customer).

Then, in the same run:

- **prepare**: :func:`analytics.tuner.prepare` on the snapshot (once, timed: the one scan
  that reads the customer rows and builds the sorted index);
- **simulate**: :func:`analytics.tuner.simulate` for a sequence of 20 different scenarios
  (``retail.private`` sliding from 2M to 8M and ``corporate.large_annual_sales`` from 100M
  to 500M together), ``--sim-repeats`` times over after one warm-up pass: the median
  recompute (every tier's customers, AUM and profit, the movement matrix, the service
  workload per branch and the compliance table);
- **DuckDB scan**: the same figures the way a page would get them without the tuner:
  :func:`analytics.tiers.tier_summary` under the scenario rules plus the movement crosstab
  (customers, AUM cents and profit cents per baseline x scenario tier through
  :func:`analytics.tiers.tier_expr`), for ``--runs`` of the scenarios after a warm-up;
- **pandas**: the tier columns are first fetched into pandas (*not timed*; strings as
  categoricals, AUM and profit contribution also as whole cents, the baseline tiers and
  their sums computed once); timed per scenario: ``pd.cut`` of the AUM into the retail
  tiers, ``np.select`` for the other tiers (the rules of ``tier_expr``), a ``groupby`` of
  customers, AUM cents and profit cents per tier, and a ``pd.crosstab`` of baseline
  against scenario tiers, for ``--pandas-runs`` scenarios.

For every scenario timed on DuckDB, simulate's customers per tier (baseline and scenario)
must equal the scan's (and tier_summary's), its AUM and profit contribution must equal
the sum of ``round(x * 100)`` in DuckDB to the cent, and its movement matrix the scan's
crosstab cell by cell; pandas must agree too. The run stops with an error if not.

    .venv/bin/python bench/tuner.py [--customers 1000000 10000000] [--runs 5] [--rebuild]

The target of issue 8: one recompute at 10M customers in at most 10 ms. This is a
benchmark that prints figures, not a timed test.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
from pathlib import Path

import ibis
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import tuner  # noqa: E402
from analytics.rules import TIER_ORDER, TierRules, load_rules  # noqa: E402
from analytics.store import Store  # noqa: E402
from analytics.tiers import profit_contribution, tier_expr, tier_summary  # noqa: E402
from bench.migration import FROM_DATE, snapshot_sql, u  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
SNAPSHOT = FROM_DATE
SCENARIOS = 20
CODE = {tier: i for i, tier in enumerate(TIER_ORDER)}

# What the tuner reads besides the tier columns, from the customer number i (streams >= 200
# of bench.migration's generator, independent of the tier columns' streams). ``p`` rises
# with wealth: richer customers are likelier to have a profile, products and contacts.
_P = (
    "(CASE WHEN aum >= 1000000 THEN 0.95 WHEN aum >= 200000 THEN 0.85 "
    "WHEN aum >= 50000 THEN 0.7 ELSE 0.3 END)"
)
EXTRA = {
    "ftp_loan_income": f"round(coalesce(loan_balance, 0) * (0.008 + 0.012 * {u(201)}), 2)",
    "ftp_deposit_income": (
        "round(CASE WHEN segment = 'retail' THEN aum * 0.6 ELSE coalesce(deposit_avg_daily, 0) END"
        f" * (0.005 + 0.01 * {u(202)}), 2)"
    ),
    "fee_income": f"round(aum * 0.004 * {u(203)}, 2)",
    "capital_cost": f"round(coalesce(loan_balance, 0) * 0.006 * {u(204)}, 2)",
    "operating_cost": (
        f"round(CASE WHEN segment = 'retail' THEN 150 + 250 * {u(205)} ELSE 5000 + 20000 * {u(205)} END, 2)"
    ),
    "credit_cost": f"round(coalesce(loan_balance, 0) * 0.004 * {u(206)}, 2)",
    "has_profile": f"{u(207)} < {_P}",
    "products_held": f"CAST(floor(1 + {u(208)} * (2 + 6 * {_P})) AS INTEGER)",
    "has_wealth_card": f"{u(209)} < {_P}",
    "has_credit_card": f"{u(210)} < 0.4 + 0.5 * {_P}",
    "has_online_token": f"{u(211)} < {_P}",
    "contacts_month": f"CAST(floor({u(212)} * (1 + 3 * {_P})) AS INTEGER)",
    "events_year": f"CAST(floor({u(213)} * (1 + 4 * {_P})) AS INTEGER)",
    "senior_visits_year": f"CASE WHEN aum >= 5000000 THEN CAST(floor({u(214)} * 4) AS INTEGER) ELSE 0 END",
}
BASE_COLUMNS = (
    "snapshot_date, customer_id, customer_key, segment, region, branch, rm_id, aum, loan_balance, "
    "annual_sales, total_assets, industry, market, strategic, deposit_avg_daily"
)


def build(path: Path, n: int, memory_limit: str) -> None:
    """Create the database file with one snapshot of n customers (a fresh file each time)."""
    for p in (path, path.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    store = Store(path)
    try:
        con = store.raw()
        con.execute(f"SET memory_limit = '{memory_limit}'")
        extra = ",\n               ".join(f"{sql} AS {name}" for name, sql in EXTRA.items())
        cols = f"{BASE_COLUMNS}, {', '.join(EXTRA)}"
        con.execute(
            f"INSERT INTO customers ({cols})\n"
            f"SELECT {BASE_COLUMNS},\n               {extra}\n"
            f"FROM (SELECT *, customer_key - 1 AS i FROM ({snapshot_sql(n, later=False)}))"
        )
        con.execute(
            f"INSERT INTO customer_keys SELECT lpad(CAST(i AS VARCHAR), 12, '0'), i + 1 FROM range({n}) r(i)"
        )
        con.execute("CHECKPOINT")
    finally:
        store.close()


def scenarios(baseline: TierRules) -> list[TierRules]:
    """20 scenarios: retail.private 2M..8M and corporate.large_annual_sales 100M..500M together."""
    private = np.linspace(2_000_000, 8_000_000, SCENARIOS)
    large = np.linspace(100_000_000, 500_000_000, SCENARIOS)
    return [
        tuner.scenario_rules(
            baseline,
            {"retail.private": float(p), "corporate.large_annual_sales": float(c)},
            name=f"private {p:,.0f}, large {c:,.0f}",
        )
        for p, c in zip(private, large, strict=True)
    ]


def _cents(column):
    return (column.cast("float64").fill_null(0.0) * 100).round().cast("int64")


def duck_scan(customers, baseline: TierRules, scenario: TierRules) -> tuple[pd.DataFrame, pd.DataFrame]:
    """tier_summary under the scenario, and the baseline x scenario crosstab with cent sums."""
    summary = tier_summary(customers, rules=scenario, snapshot_date=SNAPSHOT)
    t = customers.filter(customers.snapshot_date == SNAPSHOT)
    t = t.mutate(
        from_tier=tier_expr(t, baseline),
        to_tier=tier_expr(t, scenario),
        aum_cents=_cents(t.aum),
        profit_cents=_cents(profit_contribution(t)),
    )
    cross = (
        t.group_by(["from_tier", "to_tier"])
        .aggregate(customers=t.count(), aum=t.aum_cents.sum(), profit=t.profit_cents.sum())
        .to_pandas()
    )
    return summary, cross


def fetch(store: Store) -> pd.DataFrame:
    """The tier columns and the money in cents, into pandas (strings as categoricals)."""
    con = store.raw()
    sql = """
        SELECT segment, aum, loan_balance, annual_sales, total_assets, industry, market,
               coalesce(strategic, false) AS strategic, deposit_avg_daily,
               CAST(round(aum * 100) AS BIGINT) AS aum_cents,
               CAST(round((coalesce(ftp_loan_income, 0) + coalesce(ftp_deposit_income, 0)
                    + coalesce(fee_income, 0) - coalesce(capital_cost, 0)
                    - coalesce(operating_cost, 0) - coalesce(credit_cost, 0)) * 100) AS BIGINT)
                 AS profit_cents
        FROM customers WHERE snapshot_date = ?
    """
    df = con.execute(sql, [SNAPSHOT]).df()
    for col in ("segment", "industry", "market"):
        df[col] = df[col].astype("category")
    return df


def pandas_tiers(df: pd.DataFrame, rules: TierRules) -> np.ndarray:
    """Tier codes (positions in TIER_ORDER): pd.cut for retail, np.select for the rest."""
    r = rules.retail
    bins = [-np.inf, r.emerging, r.affluent, r.hnw, r.private, np.inf]
    # right=False: a value at a threshold belongs to the higher tier; codes 0..4 = mass..private
    retail = pd.cut(df["aum"], bins=bins, right=False, labels=False).to_numpy()
    c = rules.corporate
    seg = df["segment"]
    market = df["market"]
    loan = df["loan_balance"].fillna(0).to_numpy() > 0
    sales = df["annual_sales"].fillna(0).to_numpy()
    assets = df["total_assets"].to_numpy()
    industries = df["industry"].cat
    lookup = np.array(
        [c.large_annual_sales_by_industry.get(i, c.large_annual_sales) for i in industries.categories]
        + [c.large_annual_sales]  # code -1: no industry
    )
    bar = lookup[industries.codes.to_numpy()]
    small = (sales < c.small_annual_sales_below) & (np.isnan(assets) | (assets < c.small_total_assets_below))
    strategic = df["strategic"].to_numpy(dtype=bool)
    corporate_loan = np.select(
        [
            (market == "emerging").to_numpy(),
            (market == "real_estate").to_numpy(),
            strategic,
            sales >= bar,
            small,
        ],
        [CODE["emerging_market"], CODE["real_estate"], CODE["strategic"], CODE["large"], CODE["small"]],
        CODE["medium"],
    )
    deposit = df["deposit_avg_daily"].fillna(0).to_numpy()
    no_loan = np.where(
        deposit >= rules.no_loan.above_scale_deposit_avg_daily, CODE["above_scale"], CODE["below_scale"]
    )
    institution = (seg == "institution").to_numpy()
    return np.select(
        [(seg == "retail").to_numpy(), institution & loan, institution, loan],
        [retail, CODE["institution"], CODE["institution_no_loan"], corporate_loan],
        no_loan,
    ).astype("int8")


def pandas_scenario(df: pd.DataFrame, base_codes: np.ndarray, scenario: TierRules):
    """The timed pandas part: scenario tiers, sums per tier, crosstab against the baseline."""
    codes = pandas_tiers(df, scenario)
    frame = pd.DataFrame({"tier": codes, "aum": df["aum_cents"], "profit": df["profit_cents"]})
    sums = frame.groupby("tier").agg(customers=("aum", "size"), aum=("aum", "sum"), profit=("profit", "sum"))
    cross = pd.crosstab(base_codes, codes)
    return sums, cross


def _expected_from_sim(sim: tuner.Simulation) -> tuple[dict, dict]:
    """simulate's per-tier (customers, aum cents, profit cents) by label, and its movement cells."""
    per = {}
    for label in ("baseline", "scenario"):
        per[label] = {
            r.tier: (
                int(getattr(r, f"{label}_customers")),
                int(round(getattr(r, f"{label}_aum") * 100)),
                int(round(getattr(r, f"{label}_profit") * 100)),
            )
            for r in sim.tiers.itertuples()
        }
    cells = {(r.from_tier, r.to_tier): int(r.customers) for r in sim.movement.itertuples()}
    return per, cells


def check_duck(sim: tuner.Simulation, summary: pd.DataFrame, cross: pd.DataFrame, name: str) -> None:
    per, cells = _expected_from_sim(sim)
    for label, col in (("baseline", "from_tier"), ("scenario", "to_tier")):
        g = cross.groupby(col)[["customers", "aum", "profit"]].sum()
        got = {
            t: (
                (int(g.at[t, "customers"]), int(g.at[t, "aum"]), int(g.at[t, "profit"]))
                if t in g.index
                else (0, 0, 0)
            )
            for t in TIER_ORDER
        }
        for t in TIER_ORDER:
            if got[t] != per[label][t]:
                raise SystemExit(
                    f"{name}: {label} tier {t}: simulate (customers, AUM cents, profit cents) "
                    f"{per[label][t]} != DuckDB {got[t]}"
                )
    by_summary = dict(zip(summary["tier"], summary["customers"].astype(int), strict=True))
    if any(by_summary.get(t, 0) != per["scenario"][t][0] for t in TIER_ORDER):
        raise SystemExit(f"{name}: tier_summary customers differ from simulate's")
    duck_cells = {
        (a, b): int(n)
        for a, b, n in zip(cross["from_tier"], cross["to_tier"], cross["customers"], strict=True)
    }
    if duck_cells != cells:
        raise SystemExit(f"{name}: the movement matrices of simulate and DuckDB differ")


def check_pandas(sim: tuner.Simulation, sums: pd.DataFrame, cross: pd.DataFrame, name: str) -> None:
    per, cells = _expected_from_sim(sim)
    for t in TIER_ORDER:
        k = CODE[t]
        got = (
            (int(sums.at[k, "customers"]), int(sums.at[k, "aum"]), int(sums.at[k, "profit"]))
            if k in sums.index
            else (0, 0, 0)
        )
        if got != per["scenario"][t]:
            raise SystemExit(f"{name}: scenario tier {t}: simulate {per['scenario'][t]} != pandas {got}")
    pandas_cells = {
        (TIER_ORDER[a], TIER_ORDER[b]): int(cross.at[a, b])
        for a in cross.index
        for b in cross.columns
        if cross.at[a, b]
    }
    if pandas_cells != cells:
        raise SystemExit(f"{name}: the movement matrices of simulate and pandas differ")


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kB on Linux


def bench(n: int, *, runs: int, pandas_runs: int, sim_repeats: int, rebuild: bool, memory_limit: str) -> None:
    baseline = load_rules()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"tuner_{n}.duckdb"
    if rebuild or not path.exists():
        t0 = time.perf_counter()
        build(path, n, memory_limit)
        print(f"built {path.name}: {time.perf_counter() - t0:.1f} s, {path.stat().st_size / 1e6:,.0f} MB")
    store = Store(path)
    try:
        store.raw().execute(f"SET memory_limit = '{memory_limit}'")
        customers = store.table("customers")
        sql = "SELECT count(*) FROM customers WHERE snapshot_date = ?"
        size = store.raw().execute(sql, [SNAPSHOT]).fetchall()[0][0]

        t0 = time.perf_counter()
        index = tuner.prepare(customers, rules=baseline, snapshot_date=SNAPSHOT)
        prep = time.perf_counter() - t0
        retail = index.retail.size
        corp = sum(p.size for p in index.corporate.values())
        print(
            f"N = {n:,}: {size:,} customers at {SNAPSHOT} ({retail:,} retail, {corp:,} traditional companies "
            f"with loans in {len(index.corporate)} industries, {index.no_loan.size:,} without loans, "
            f"{len(index.branches)} branches)"
        )
        print(f"  prepare (one scan, sort, running totals), once: {prep:.2f} s; peak RSS {_rss_gb():.1f} GB")

        rules = scenarios(baseline)
        sims = [tuner.simulate(index, baseline=baseline, scenario=s) for s in rules]  # warm-up pass
        times = []
        for _ in range(sim_repeats):
            for s in rules:
                t0 = time.perf_counter()
                tuner.simulate(index, baseline=baseline, scenario=s)
                times.append(time.perf_counter() - t0)
        sim_s = statistics.median(times)
        moved = [s.moved_customers for s in sims]
        print(
            f"  simulate, {SCENARIOS} scenarios x {sim_repeats}: median {sim_s * 1000:.2f} ms per recompute "
            f"(best {min(times) * 1000:.2f} ms, 90th percentile {np.percentile(times, 90) * 1000:.2f} ms); "
            f"moved customers {min(moved):,} to {max(moved):,}; "
            f"target <= 10 ms: {'met' if sim_s <= 0.010 else 'NOT met'}"
        )

        picks = [round(k * (SCENARIOS - 1) / max(runs - 1, 1)) for k in range(runs)]
        duck_scan(customers, baseline, rules[picks[0]])  # warm-up
        duck_times, summary_times = [], []
        for k in picks:
            t0 = time.perf_counter()
            summary = tier_summary(customers, rules=rules[k], snapshot_date=SNAPSHOT)
            summary_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            summary, cross = duck_scan(customers, baseline, rules[k])
            duck_times.append(time.perf_counter() - t0)
            check_duck(sims[k], summary, cross, rules[k].name)
        duck_s = statistics.median(duck_times)
        print(
            f"  DuckDB scan (tier_summary + baseline x scenario crosstab with cent sums), {runs} scenarios: "
            f"median {duck_s * 1000:,.0f} ms (tier_summary alone {statistics.median(summary_times) * 1000:,.0f} "
            f"ms); DuckDB / simulate: {duck_s / sim_s:,.0f}x"
        )
        print(
            f"  checked: for those {runs} scenarios simulate's customers per tier equal the scan's and "
            "tier_summary's, AUM and profit equal to the cent (sum of round(x * 100)), movement equal cell by cell"
        )

        t0 = time.perf_counter()
        df = fetch(store)
        base_codes = pandas_tiers(df, baseline)
        fetched = time.perf_counter() - t0
        ppicks = picks[:: max(1, len(picks) // max(pandas_runs, 1))][:pandas_runs]
        ptimes = []
        for k in ppicks:
            t0 = time.perf_counter()
            sums, cross = pandas_scenario(df, base_codes, rules[k])
            ptimes.append(time.perf_counter() - t0)
            check_pandas(sims[k], sums, cross, rules[k].name)
        pandas_s = statistics.median(ptimes)
        print(
            f"  pandas pd.cut + np.select + groupby + crosstab, {len(ptimes)} scenarios: median "
            f"{pandas_s * 1000:,.0f} ms; pandas / simulate: {pandas_s / sim_s:,.0f}x "
            f"(fetch into pandas and baseline tiers first, not timed: {fetched:.1f} s); equal to simulate"
        )
        print(f"  peak RSS {_rss_gb():.1f} GB")
        del df, base_codes, index, sims
        gc.collect()
    finally:
        store.close()


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=5, help="scenarios timed on the DuckDB scan")
    parser.add_argument("--pandas-runs", type=int, default=3, help="scenarios timed with pandas")
    parser.add_argument("--sim-repeats", type=int, default=5, help="passes over the 20 scenarios")
    parser.add_argument("--memory-limit", default="8GB", help="DuckDB memory_limit")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the database files")
    args = parser.parse_args(argv)
    ibis.options.interactive = False
    for n in args.customers:
        bench(
            n,
            runs=args.runs,
            pandas_runs=args.pandas_runs,
            sim_repeats=args.sim_repeats,
            rebuild=args.rebuild,
            memory_limit=args.memory_limit,
        )


if __name__ == "__main__":
    main()
