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


def _scope(text: str):
    from analytics.scope import Scope

    try:
        return Scope.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _reader(args: argparse.Namespace):
    """The database as the command's ``--scope`` (and ``--mask``) let it be read."""
    from analytics.scope import Access, ScopedStore
    from analytics.store import open_store
    from analytics.users import load_users

    store = open_store(args.db)
    scope = args.scope if not isinstance(args.scope, str) else _scope(args.scope)
    if scope.level == "bank" and not args.mask:
        return store
    users = load_users()
    return ScopedStore(store, Access(_cli_user(), scope, mask=args.mask, salt=users.salt if users else ""))


def _cli_user() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name (a container): still say it was the command line
        return "cli"


def _audit(store, action: str, detail: str, scope: str = "bank") -> None:
    from analytics import audit

    audit.record(
        getattr(store, "_store", store),
        user=_cli_user(),
        role=None,
        scope=scope,
        action=action,
        detail=detail,
    )


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", help="portfolio database file (default: $TIERSCOPE_DB or data/portfolio.duckdb)"
    )
    common.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    # Read commands see the database through an access scope, as a dashboard user would.
    reading = argparse.ArgumentParser(add_help=False, parents=[common])
    reading.add_argument(
        "--scope",
        type=_scope,
        default="bank",
        help="what the output may cover: bank (default), branch:ID or rm:ID (that branch's or "
        "relationship manager's customers only)",
    )
    reading.add_argument(
        "--mask",
        action="store_true",
        help="mask customer names and ids (pseudonyms, as the dashboard shows them)",
    )

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

    sub.add_parser("snapshots", parents=[reading], help="list the loaded snapshots with customer counts")

    tiers = sub.add_parser("tiers", parents=[reading], help="customers, AUM and profit contribution per tier")
    tiers.add_argument("--snapshot", type=_date, help="snapshot date (default: the latest)")
    tiers.add_argument("--rules", help="tier rules file (default: data/tier_rules.toml)")

    segments = sub.add_parser(
        "segments", parents=[reading], help="existing-customer and target matrices: cut points and counts"
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
        "migration", parents=[reading], help="tier transition counts between two snapshots"
    )
    migration.add_argument("--from", dest="from_date", type=_date, required=True, help="earlier snapshot")
    migration.add_argument("--to", dest="to_date", type=_date, required=True, help="later snapshot")
    migration.add_argument("--rules", help="tier rules file (default: data/tier_rules.toml)")

    trends = sub.add_parser(
        "trends",
        parents=[reading],
        help="monthly satisfaction or complaints: trend test, anomalies, forecast",
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
        parents=[reading],
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

    export = sub.add_parser(
        "export",
        parents=[reading],
        help="a page's charts and tables in its default view, as a PPTX deck, PNG images or Excel",
    )
    export.add_argument("--page", required=True, choices=EXPORT_PAGES, help="the page to export")
    export.add_argument(
        "--format",
        dest="fmt",
        required=True,
        choices=["pptx", "png", "xlsx"],
        help="pptx: a 16:9 deck (title slide, a slide per chart, table slides); png: one 1920x1080 "
        "image per chart in the --out directory; xlsx: one sheet per table",
    )
    export.add_argument(
        "--out", required=True, metavar="PATH", help="file to write (a directory for png, created if missing)"
    )
    export.add_argument("--snapshot", type=_date, help="snapshot date (default: the latest)")
    export.add_argument("--rules", help="tier rules file (default: data/tier_rules.toml)")
    export.add_argument(
        "--lang", choices=["en", "zh"], default="en", help="language of the labels (default en)"
    )
    export.add_argument(
        "--segment",
        choices=["all", "retail", "corporate", "institution"],
        default="all",
        help="customers shown: all (default), retail, corporate (every non-retail customer) or institution",
    )
    user = sub.add_parser("user", help="manage the users file (sign-in, roles, scopes; docs/access.md)")
    user.add_argument("--users", help="users file (default: $TIERSCOPE_USERS or data/users.toml)")
    user.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    # --users and --json also after the action (`user list --json`); SUPPRESS keeps the above
    user_opts = argparse.ArgumentParser(add_help=False)
    user_opts.add_argument(
        "--users", default=argparse.SUPPRESS, help="users file (default: $TIERSCOPE_USERS or data/users.toml)"
    )
    user_opts.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON object on stdout"
    )
    add = user_sub.add_parser("add", parents=[user_opts], help="add or replace a user")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["admin", "head_office", "branch", "rm"])
    add.add_argument("--branch", help="the branch of a branch user, as in the data")
    add.add_argument("--rm", help="the id of a relationship manager, as in the data's rm_id")
    add.add_argument("--name", help="the name shown")
    add.add_argument("--email", help="the e-mail an OIDC sign-in gives")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    passwd = user_sub.add_parser("passwd", parents=[user_opts], help="set a user's password")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    remove = user_sub.add_parser("remove", parents=[user_opts], help="remove a user")
    remove.add_argument("username")
    user_sub.add_parser("list", parents=[user_opts], help="list the users (never their password hashes)")

    audit = sub.add_parser("audit", parents=[common], help="show the audit log, or check that it is intact")
    audit.add_argument("--limit", type=_positive_int, default=50, help="newest rows shown")
    audit.add_argument("--verify", action="store_true", help="check the hash chain (exit 1 when broken)")
    return p


#: The pages ``export`` knows (analytics.report.PAGES, named here so that --help needs no plotly).
EXPORT_PAGES = ("overview", "segmentation", "migration", "trends", "tuner", "standards")


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
    _audit(store, "demo", f"{args.customers} customers, {args.months} months, seed {args.seed}")
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
    _audit(store, "load", f"{result.table}: {result.rows} rows from {', '.join(map(str, args.files))}")
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
    snaps = _reader(args).snapshots()
    rows = [
        {"snapshot_date": d.isoformat(), "customers": int(n)}
        for d, n in zip(snaps["snapshot_date"], snaps["customers"], strict=True)
    ]
    text = _table(rows, ["snapshot_date", "customers"]) if rows else "no snapshots loaded"
    _emit(args, {"snapshots": rows}, text)


def cmd_tiers(args: argparse.Namespace) -> None:
    from analytics.rules import load_rules
    from analytics.store import resolve_snapshot
    from analytics.tiers import tier_summary

    rules = load_rules(args.rules)
    store = _reader(args)
    snapshot = resolve_snapshot(store, args.snapshot)
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
    from analytics.store import resolve_snapshot

    rules = load_rules(args.rules)
    store = _reader(args)
    snapshot = resolve_snapshot(store, args.snapshot)
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
    from analytics.store import resolve_snapshot

    rules = load_rules(args.rules)
    store = _reader(args)
    for day in (args.from_date, args.to_date):
        resolve_snapshot(store, day)  # refuses a snapshot that is not loaded, naming the loaded ones
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
    from analytics.trends import trends_json

    store = _reader(args)
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
    from analytics.store import resolve_snapshot

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
    store = _reader(args)
    snapshot = resolve_snapshot(store, args.snapshot)
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


def cmd_export(args: argparse.Namespace) -> None:
    import time

    from analytics import export, report
    from analytics.rules import load_rules
    from analytics.scope import Filters

    started = time.perf_counter()
    # Everything a user can get wrong is checked before the database is read.
    rules = load_rules(args.rules)
    out = report.check_out(args.out, args.fmt)
    store = _reader(args)
    built = report.page_report(
        store,
        args.page,
        rules=rules,
        snapshot_date=args.snapshot,
        lang=args.lang,
        filters=args.scope.narrow(Filters(segment=args.segment)),
    )
    try:
        written = report.write_report(
            built, fmt=args.fmt, out=out, source=report.source_text(store.path, args.lang)
        )
    finally:
        export.stop_renderer()
    seconds = time.perf_counter() - started
    _audit(store, "export", f"{args.fmt} · page {args.page} · {out}", scope=str(args.scope))
    skipped = [{"title": item.title, "note": item.note} for item in built.skipped]
    payload = {
        "page": args.page,
        "format": args.fmt,
        "out": str(out),
        "files": [str(f) for f in written.files],
        "charts": written.charts,
        "tables": written.tables,
        "seconds": round(seconds, 2),
        "snapshot_date": built.snapshot_date.isoformat() if built.snapshot_date else None,
        "skipped": skipped,
    }
    where = str(out) if args.fmt != "png" else f"{len(written.files)} PNG files in {out}"
    lines = [
        f"wrote {where}: {built.title} ({built.subtitle}), {written.charts} charts, "
        f"{written.tables} tables in {seconds:.1f} s"
    ]
    lines += [f"  not shown: {s['title']}: {s['note']}" for s in skipped]
    _emit(args, payload, "\n".join(lines))


def _password(args: argparse.Namespace, *, required: bool) -> str | None:
    import getpass

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise TierscopeError("the two passwords differ; nothing changed")
    elif required:
        raise TierscopeError("give the password on stdin with --password-stdin")
    else:
        return None
    if len(password) < 8:
        raise TierscopeError("a password needs at least 8 characters; nothing changed")
    return password


def cmd_user(args: argparse.Namespace) -> None:
    from pathlib import Path

    from analytics import users

    path = Path(args.users) if args.users else users.default_path()
    if args.user_command == "add":
        user = users.add_user(
            path,
            args.username,
            role=args.role,
            name=args.name,
            branch=args.branch,
            rm=args.rm,
            email=args.email,
            password=_password(args, required=False),
        )
        _emit(
            args,
            {"added": user.username, "scope": str(user.scope), "file": str(path)},
            f"added {user.describe()} to {path}",
        )
    elif args.user_command == "passwd":
        users.set_password(path, args.username, _password(args, required=True))
        _emit(args, {"password_set": args.username}, f"password of {args.username} set in {path}")
    elif args.user_command == "remove":
        users.remove_user(path, args.username)
        _emit(args, {"removed": args.username}, f"removed {args.username} from {path}")
    else:
        found = users.load_users(path)
        rows = [
            {
                "username": u.username,
                "name": u.name,
                "role": u.role,
                "scope": str(u.scope),
                "email": u.email,
                "identity": u.identity,
                "password": u.username in found.hashes,
            }
            for u in (found.users if found else ())
        ]
        text = (
            "\n".join(f"{r['username']}: {r['role']} ({r['scope']})" for r in rows)
            or f"no users file at {path}"
        )
        _emit(args, {"file": str(path), "users": rows}, text)


def cmd_audit(args: argparse.Namespace) -> int:
    from analytics import audit
    from analytics.store import open_store

    store = open_store(args.db)
    if args.verify:
        check = audit.verify(store)
        payload = {"ok": check.ok, "rows": check.rows, "first_bad_seq": check.first_bad_seq}
        text = (
            f"audit log intact: {check.rows} rows"
            if check.ok
            else f"audit log BROKEN at row {check.first_bad_seq} of {check.rows}: it was edited or removed"
        )
        _emit(args, payload, text)
        return 0 if check.ok else 1
    rows = audit.read(store, limit=args.limit)
    records = [
        {**r, "recorded_at": r["recorded_at"].isoformat(sep=" ")} for r in rows.to_dict(orient="records")
    ]
    text = (
        "\n".join(
            f"{r['seq']:>6}  {r['recorded_at'][:19]}  {r['username']}  {r['scope']}  {r['action']}  {r['detail']}"
            for r in records
        )
        or "the audit log is empty"
    )
    _emit(args, {"rows": records}, text)
    return 0


COMMANDS = {
    "demo": cmd_demo,
    "load": cmd_load,
    "snapshots": cmd_snapshots,
    "tiers": cmd_tiers,
    "segments": cmd_segments,
    "migration": cmd_migration,
    "trends": cmd_trends,
    "tune": cmd_tune,
    "export": cmd_export,
    "user": cmd_user,
    "audit": cmd_audit,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        status = COMMANDS[args.command](args)
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
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
