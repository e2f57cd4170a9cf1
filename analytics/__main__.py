"""The command line: every number on the dashboard is reproducible without a browser.

``python -m analytics COMMAND --db PATH ...``; with ``--json`` a command prints one JSON
object on stdout and nothing else. Errors go to stderr with a non-zero exit status and
never as a traceback (set ``TIERSCOPE_DEBUG=1`` to see one).

Exit status: 0 success, 1 internal error, 2 usage or input error, 3 database busy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
from collections.abc import Sequence
from typing import Any

from analytics.errors import LoadBusyError, TierscopeError, ValidationError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in YYYY-MM-DD form") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be positive")
    return value


def _hours(text: str, *, positive: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"'{text}' is not a finite number")
    if value < 0 or (positive and value == 0):
        raise argparse.ArgumentTypeError(f"'{text}' must be {'positive' if positive else '0 or more'}")
    return value


def _positive_hours(text: str) -> float:
    return _hours(text, positive=True)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", help="portfolio database file (default: $TIERSCOPE_DB or data/portfolio.duckdb)"
    )
    common.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    p = argparse.ArgumentParser(prog="python -m analytics", description="Tierscope portfolio command line")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo", parents=[common], help="build the demo portfolio (replaces the database contents)"
    )
    demo.add_argument("--customers", type=_positive_int, default=105_000, help="customers per snapshot")
    demo.add_argument("--months", type=_positive_int, default=24, help="month-end snapshots")
    demo.add_argument("--seed", type=int, default=20261125, help="random seed (same seed, same portfolio)")
    demo.add_argument("--if-empty", action="store_true", help="do nothing when customers are already loaded")

    load = sub.add_parser("load", parents=[common], help="load files into a table (all or nothing)")
    load.add_argument("--table", required=True, choices=["customers", "prospects", "surveys", "complaints"])
    load.add_argument("--snapshot-date", type=_date, help="snapshot date when the file has none (YYYY-MM-DD)")
    load.add_argument(
        "--mapping", help="mapping file (TOML): [columns], [values.<column>], [derive], [defaults]"
    )
    load.add_argument("--sheet", help="Excel sheet name (default: the first sheet)")
    load.add_argument("files", nargs="+", metavar="FILE")

    sub.add_parser("snapshots", parents=[common], help="list the loaded snapshots with customer counts")

    tiers = sub.add_parser("tiers", parents=[common], help="customers, AUM and profit contribution per tier")
    tiers.add_argument("--snapshot", type=_date, help="snapshot date (default: the latest)")
    tiers.add_argument("--rules", help="tier rules file (default: data/tier_rules.toml)")

    segments = sub.add_parser(
        "segments", parents=[common], help="existing-customer and target matrices: cut points and counts"
    )
    segments.add_argument("--snapshot", type=_date, help="snapshot date (default: the latest)")
    segments.add_argument(
        "--segment",
        choices=["all", "retail", "corporate"],
        default="all",
        help="population: all customers, retail, or corporate (every non-retail customer)",
    )
    segments.add_argument("--rules", help="tier rules file (default: data/tier_rules.toml)")

    migration = sub.add_parser(
        "migration", parents=[common], help="tier transition counts between two snapshots"
    )
    migration.add_argument("--from", dest="from_date", type=_date, required=True, help="earlier snapshot")
    migration.add_argument("--to", dest="to_date", type=_date, required=True, help="later snapshot")
    migration.add_argument("--rules", help="tier rules file (default: data/tier_rules.toml)")

    trends = sub.add_parser(
        "trends", parents=[common], help="monthly satisfaction or complaints: trend test, anomalies, forecast"
    )
    trends.add_argument("--metric", choices=["satisfaction", "complaints"], required=True)
    trends.add_argument(
        "--chart",
        choices=["laney", "u"],
        default="laney",
        help="anomaly control chart: Laney's u'/x-bar' (default; allows for the extra month-to-month "
        "variation of a large portfolio) or the plain u / x-bar chart",
    )
    trends.add_argument("--months", type=_positive_int, default=6, help="months to forecast (default 6)")

    tune = sub.add_parser(
        "tune",
        parents=[common],
        help="what changed tier thresholds would do: customers, AUM, profit, movement, RM workload",
    )
    tune.add_argument(
        "--set",
        dest="sets",
        action="append",
        required=True,
        metavar="KEY=NUMBER",
        help="a changed threshold, e.g. retail.private=3000000 (repeat for several)",
    )
    tune.add_argument("--snapshot", type=_date, help="snapshot date (default: the latest)")
    tune.add_argument("--rules", help="baseline tier rules file (default: data/tier_rules.toml)")
    for name, default, what in (
        ("contact", 0.5, "RM hours one contact takes"),
        ("event", 1.5, "RM hours per customer invited to an event"),
        ("senior-visit", 4.0, "RM hours per senior visit"),
        ("manager-year", 1200.0, "service hours one RM has a year (capacity)"),
    ):
        tune.add_argument(
            f"--hours-per-{name}",
            type=_positive_hours if name == "manager-year" else _hours,
            default=default,
            metavar="H",
            help=f"{what} (default {default:g})",
        )
    return p


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    if args.json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(text.rstrip("\n") + "\n")


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:,.2f}"
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)

    cells = [[fmt(r[c]) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    for row in cells:
        lines.append("  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def cmd_demo(args: argparse.Namespace) -> None:
    from analytics.demo import build_demo
    from analytics.store import open_store

    store = open_store(args.db)
    if args.if_empty and not store.is_empty():
        _emit(
            args,
            {"built": False, "reason": "customers already loaded"},
            "customers already loaded; nothing built",
        )
        return
    summary = build_demo(store, customers=args.customers, months=args.months, seed=args.seed)
    counts = store.row_counts()
    snaps = store.snapshots()
    payload = {
        "built": True,
        "db": str(store.path),
        "seconds": round(summary.seconds, 2),
        "rows": counts,
        "snapshots": [d.isoformat() for d in snaps["snapshot_date"]],
    }
    text = (
        f"built the demo portfolio in {store.path} in {summary.seconds:.1f} s: "
        + ", ".join(f"{n:,} {t}" for t, n in counts.items())
        + f"; {len(snaps)} snapshots"
    )
    _emit(args, payload, text)


def cmd_load(args: argparse.Namespace) -> None:
    from analytics.load import load_files
    from analytics.store import open_store

    store = open_store(args.db)
    result = load_files(
        store,
        args.table,
        args.files,
        snapshot_date=args.snapshot_date,
        mapping=args.mapping,
        sheet=args.sheet,
    )
    payload = {
        "table": result.table,
        "rows": result.rows,
        "replaced_rows": result.replaced_rows,
        "snapshot_dates": [d.isoformat() for d in result.snapshot_dates],
        "seconds": round(result.seconds, 3),
    }
    dates = f" for {', '.join(payload['snapshot_dates'])}" if payload["snapshot_dates"] else ""
    text = (
        f"loaded {result.rows:,} rows into {result.table}{dates} in {result.seconds:.2f} s "
        f"(replaced {result.replaced_rows:,})"
    )
    _emit(args, payload, text)


def cmd_snapshots(args: argparse.Namespace) -> None:
    from analytics.store import open_store

    snaps = open_store(args.db).snapshots()
    rows = [
        {"snapshot_date": d.isoformat(), "customers": int(n)}
        for d, n in zip(snaps["snapshot_date"], snaps["customers"], strict=True)
    ]
    text = _table(rows, ["snapshot_date", "customers"]) if rows else "no snapshots loaded"
    _emit(args, {"snapshots": rows}, text)


def _snapshot_or_latest(store, requested: dt.date | None) -> dt.date:
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


def cmd_tiers(args: argparse.Namespace) -> None:
    from analytics.rules import load_rules
    from analytics.store import open_store
    from analytics.tiers import tier_summary

    rules = load_rules(args.rules)
    store = open_store(args.db)
    snapshot = _snapshot_or_latest(store, args.snapshot)
    df = tier_summary(store.table("customers"), rules=rules, snapshot_date=snapshot)
    rows = [
        {
            "segment": r.segment,
            "tier": r.tier,
            "customers": int(r.customers),
            "aum": round(float(r.aum), 2),
            "profit_contribution": round(float(r.profit_contribution), 2),
        }
        for r in df.itertuples()
    ]
    text = f"snapshot {snapshot.isoformat()}, rules: {rules.name} (v{rules.version})\n" + _table(
        rows, ["segment", "tier", "customers", "aum", "profit_contribution"]
    )
    _emit(args, {"snapshot_date": snapshot.isoformat(), "rows": rows}, text)


def _cut_text(value: float | None, source: str) -> str:
    return "n/a" if value is None else f"{value:,.2f} ({source})"


def cmd_segments(args: argparse.Namespace) -> None:
    from analytics.rules import load_rules
    from analytics.scope import Filters, apply_filters
    from analytics.segmentation import existing_matrix, target_matrix
    from analytics.store import open_store

    rules = load_rules(args.rules)
    store = open_store(args.db)
    snapshot = _snapshot_or_latest(store, args.snapshot)
    filters = Filters(segment=args.segment)
    customers = apply_filters(store.table("customers"), filters)
    prospects = apply_filters(store.table("prospects"), filters)
    existing = existing_matrix(customers, rules=rules, snapshot_date=snapshot, surveys=store.table("surveys"))
    target = target_matrix(prospects, rules=rules, snapshot_date=snapshot)
    payload = {
        "snapshot_date": snapshot.isoformat(),
        "segment": args.segment,
        "existing": {
            "cut_points": existing.cut_points,
            "counts": existing.counts(),
            "value_source": existing.value_source,
            "population": existing.population,
        },
        "target": {
            "snapshot_date": target.snapshot_date.isoformat() if target.snapshot_date else None,
            "cut_points": target.cut_points,
            "counts": target.counts(),
            "population": target.population,
        },
    }
    e_rows = [
        {
            "class": r["class"],
            "customers": int(r["customers"]),
            "share": f"{r['customers_share']:.1%}",
            "aum": float(r["aum"]),
            "profit_contribution": float(r["profit_contribution"]),
        }
        for r in existing.summary.to_dict("records")
    ]
    t_rows = [
        {
            "class": r["class"],
            "prospects": int(r["prospects"]),
            "share": f"{r['prospects_share']:.1%}",
            "estimated_aum": float(r["estimated_aum"]),
        }
        for r in target.summary.to_dict("records")
    ]
    e_cuts, e_src = existing.cut_points, existing.cut_sources
    t_cuts, t_src = target.cut_points, target.cut_sources
    text = "\n".join(
        [
            f"snapshot {snapshot.isoformat()}, segment {args.segment}, rules: {rules.name} (v{rules.version})",
            "",
            f"existing customers: {existing.population:,} (bank value: {existing.value_source})",
            f"  high profit contribution >= {_cut_text(e_cuts['profit_contribution'], e_src['profit_contribution'])}",
            f"  high bank value >= {_cut_text(e_cuts['bank_value'], e_src['bank_value'])}",
            _table(e_rows, ["class", "customers", "share", "aum", "profit_contribution"]),
            "",
            f"prospects: {target.population:,} (prospects snapshot: "
            f"{target.snapshot_date.isoformat() if target.snapshot_date else 'none'})",
            f"  high potential value >= {_cut_text(t_cuts['potential_value'], t_src['potential_value'])}",
            f"  high fit >= {_cut_text(t_cuts['fit'], t_src['fit'])}",
            _table(t_rows, ["class", "prospects", "share", "estimated_aum"]),
        ]
    )
    _emit(args, payload, text)


def cmd_migration(args: argparse.Namespace) -> None:
    from analytics.migration import migration_json
    from analytics.rules import load_rules
    from analytics.store import open_store

    rules = load_rules(args.rules)
    store = open_store(args.db)
    for day in (args.from_date, args.to_date):
        _snapshot_or_latest(store, day)  # refuses a snapshot that is not loaded, naming the loaded ones
    if args.from_date >= args.to_date:
        raise TierscopeError("--from must be an earlier snapshot than --to")
    payload = migration_json(
        store.table("customers"), rules=rules, from_date=args.from_date, to_date=args.to_date
    )
    rows = [
        {"from": origin, "to": dest, "customers": n}
        for origin, row in payload["counts"].items()
        for dest, n in row.items()
    ]
    text = (
        f"{args.from_date.isoformat()} -> {args.to_date.isoformat()}, rules: {rules.name} (v{rules.version})\n"
        + _table(rows, ["from", "to", "customers"])
    )
    _emit(args, payload, text)


def cmd_trends(args: argparse.Namespace) -> None:
    from analytics.store import open_store
    from analytics.trends import trends_json

    store = open_store(args.db)
    table = store.table("surveys" if args.metric == "satisfaction" else "complaints")
    customers = store.table("customers")
    payload = trends_json(
        table, metric=args.metric, customers=customers, months=args.months, laney=args.chart == "laney"
    )
    tr = payload["trend"]
    verdict = tr["verdict"]
    if tr["slope"] is not None:
        verdict += f" (slope {tr['slope']:+.4g} a month, p = {tr['p_value']:.3g})"
    text = "\n".join(
        [
            f"{args.metric}: {len(payload['monthly'])} months",
            _table(payload["monthly"], ["month", "value"]),
            "",
            f"trend: {verdict}",
            f"anomalies: {', '.join(payload['anomalies']) or 'none'}",
            "forecast:",
            _table(payload["forecast"], ["month", "value", "lower", "upper"]),
        ]
    )
    _emit(args, payload, text)


def _matrices_json(matrices: dict) -> dict:
    """The simulation's matrix quadrants with money in CNY (the tuner sums it in cents)."""
    out: dict[str, Any] = {}
    for kind, entry in matrices.items():
        out[kind] = {}
        for label, part in entry.items():
            cuts = part["cuts"]
            out[kind][label] = {
                "cuts": [None if c is None else float(c) for c in cuts],
                "quadrants": {
                    name: {m: (v if m == "customers" else round(v / 100, 2)) for m, v in totals.items()}
                    for name, totals in part["quadrants"].items()
                },
            }
    return out


def cmd_tune(args: argparse.Namespace) -> None:
    from analytics import tuner
    from analytics.rules import load_rules
    from analytics.store import open_store

    # Everything a user can get wrong is checked before the database is read.
    baseline = load_rules(args.rules)
    assignments = dict(tuner.parse_assignment(text) for text in args.sets)
    scenario = tuner.scenario_rules(baseline, assignments)
    params = tuner.WorkloadParams(
        hours_per_contact=args.hours_per_contact,
        hours_per_event=args.hours_per_event,
        hours_per_senior_visit=args.hours_per_senior_visit,
        hours_per_manager_year=args.hours_per_manager_year,
    )
    store = open_store(args.db)
    snapshot = _snapshot_or_latest(store, args.snapshot)
    matrices = any(key.startswith("matrices.") for key in assignments)
    index = tuner.prepare(
        store.table("customers"),
        rules=baseline,
        snapshot_date=snapshot,
        matrices=matrices,
        prospects=store.table("prospects") if matrices else None,
    )
    sim = tuner.simulate(index, baseline=baseline, scenario=scenario, workload=params)
    payload = tuner.simulation_json(sim)
    payload["set"] = assignments
    if sim.matrices:
        payload["matrices"] = _matrices_json(sim.matrices)

    rows = [
        {
            "tier": r["tier"],
            "customers": r["baseline_customers"],
            "-> customers": r["scenario_customers"],
            "aum": r["baseline_aum"],
            "-> aum": r["scenario_aum"],
            "profit": r["baseline_profit"],
            "-> profit": r["scenario_profit"],
        }
        for r in payload["rows"]
    ]
    moves = [
        {"from": origin, "to": dest, "customers": n}
        for origin, row in payload["movement"].items()
        for dest, n in row.items()
        if origin != dest
    ]
    wl = payload["workload"]
    work = [
        {
            "": label,
            **{k: wl[f"{label}_{k}"] for k in ("contacts", "events", "senior_visits", "hours")},
            "managers_needed": wl[f"{label}_managers_needed"],
        }
        for label in ("baseline", "scenario")
    ]
    changes = ", ".join(
        f"{k} = {v:,.0f}" if isinstance(v, float) else f"{k} = {v}" for k, v in assignments.items()
    )
    lines = [
        f"snapshot {snapshot.isoformat()}, baseline rules: {baseline.name} (v{baseline.version}); scenario: {changes}",
        "",
        _table(rows, ["tier", "customers", "-> customers", "aum", "-> aum", "profit", "-> profit"]),
        "",
        f"moved customers: {payload['moved_customers']:,}",
    ]
    if moves:
        lines.append(_table(moves, ["from", "to", "customers"]))
    p = wl["params"]
    lines += [
        "",
        f"retail service workload a year ({p['hours_per_contact']:g} h a contact, {p['hours_per_event']:g} h "
        f"an event, {p['hours_per_senior_visit']:g} h a senior visit, {p['hours_per_manager_year']:g} h per "
        f"manager; {wl['managers']:,} managers now):",
        _table(work, ["", "contacts", "events", "senior_visits", "hours", "managers_needed"]),
    ]
    for kind, entry in payload.get("matrices", {}).items():
        lines += ["", f"{kind} matrix:"]
        for label, part in entry.items():
            counts = ", ".join(f"{q} {t['customers']:,}" for q, t in part["quadrants"].items())
            lines.append(f"  {label}: cuts {part['cuts']}: {counts}")
    _emit(args, payload, "\n".join(lines))


COMMANDS = {
    "demo": cmd_demo,
    "load": cmd_load,
    "snapshots": cmd_snapshots,
    "tiers": cmd_tiers,
    "segments": cmd_segments,
    "migration": cmd_migration,
    "trends": cmd_trends,
    "tune": cmd_tune,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        COMMANDS[args.command](args)
    except LoadBusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except ValidationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except TierscopeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so briefly, without a traceback for the user
        if os.environ.get("TIERSCOPE_DEBUG"):
            raise
        print(
            f"internal error ({type(exc).__name__}): {exc}; set TIERSCOPE_DEBUG=1 for details",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
