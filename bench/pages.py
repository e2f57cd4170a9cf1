"""Server-side run time of every page at 1M customers per snapshot.

Builds (or reuses) a demo database of N customers x M months, starts the dashboard with
TIERSCOPE_TIMING=1 (dashboard.py then prints the run time of each script run), opens
every page in headless Chromium at head office, in a region and in a branch, several
times each, and prints the first run (cold caches) and the median of the later runs.
Each visit is a new browser session, so later runs reuse only what the server caches
(small results keyed on their inputs), never a customer-level frame.

    .venv/bin/python bench/pages.py [--customers 1000000] [--months 13] [--runs 7]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.store import Store  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Server  # noqa: E402
from ui.navigation import available_pages, url_of  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TIMING = re.compile(r"TIERSCOPE_TIMING page=(\S+) ms=([\d.]+)")


def ensure_db(path: Path, customers: int, months: int) -> None:
    if path.exists():
        store = Store(path)
        try:
            snaps = store.snapshots()
            if len(snaps) == months and abs(int(snaps["customers"].iloc[-1]) - customers) < customers * 0.1:
                return
        finally:
            store.close()
        path.unlink()
    print(f"building a demo portfolio of {customers:,} customers x {months} months in {path} ...", flush=True)
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "demo",
            "--customers",
            str(customers),
            "--months",
            str(months),
            "--db",
            str(path),
        ],
        check=True,
        cwd=REPO,
    )
    print(f"built in {time.perf_counter() - t0:.1f} s", flush=True)


def views(db: Path) -> list[tuple[str, dict[str, str]]]:
    """Head office, the largest region and its largest branch."""
    store = Store(db)
    try:
        con = store.raw()
        latest = con.execute("SELECT max(snapshot_date) FROM customers").fetchone()[0]
        region, branch = con.execute(
            "SELECT region, branch FROM customers WHERE snapshot_date = ? "
            "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1",
            [latest],
        ).fetchone()
    finally:
        store.close()
    return [
        ("head office", {}),
        ("region", {"region": region}),
        ("branch", {"region": region, "branch": branch}),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=13)
    ap.add_argument(
        "--runs", type=int, default=7, help="visits per page and view (the first is the cold one)"
    )
    ap.add_argument("--db", type=Path, default=REPO / "bench" / "out" / "pages.duckdb")
    args = ap.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    ensure_db(args.db, args.customers, args.months)
    view_list = views(args.db)

    log_path = args.db.with_suffix(".log")
    server = Server(args.db, log_path, env={"TIERSCOPE_TIMING": "1"})  # waits until it answers
    try:
        from playwright.sync_api import sync_playwright

        base = server.url
        results: list[tuple[str, str, float, float, int]] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _section, _path, _title, _icon, url in available_pages():
                for view_name, query in view_list:
                    times = []
                    for _ in range(args.runs):
                        seen = len(TIMING.findall(log_path.read_text()))
                        page = browser.new_page()
                        target = f"{base}/{url_of(url)}" + (
                            f"?{urllib.parse.urlencode(query)}" if query else ""
                        )
                        page.goto(target, wait_until="domcontentloaded", timeout=300_000)
                        deadline = time.time() + 300
                        while time.time() < deadline:
                            found = TIMING.findall(log_path.read_text())
                            if len(found) > seen:
                                break
                            time.sleep(0.05)
                        else:
                            raise RuntimeError(f"no timing line for {target}; see {log_path}")
                        times.append(float(found[-1][1]))
                        page.close()
                    later = times[1:] or times
                    results.append((url, view_name, times[0], statistics.median(later), len(later)))
                    print(
                        f"{url:<12} {view_name:<12} first {times[0]:8.1f} ms   median of next {len(later)}: "
                        f"{statistics.median(later):7.1f} ms",
                        flush=True,
                    )
            browser.close()
        worst = max(r[3] for r in results)
        print(
            f"\n{args.customers:,} customers x {args.months} months: slowest page median after the first run "
            f"{worst:.1f} ms (target < 300 ms)"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
