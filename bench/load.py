"""Benchmark: load a realistic 1,000,000-row customers CSV into a fresh database.

Generates a CSV with every customers column (Chinese and English headers, ids with
leading zeros, a 万元 column, thousands separators, yes/no flags) into a temporary
folder, loads it with :func:`analytics.load.load_files` into a fresh temporary DuckDB
file, then loads it again (a snapshot replace), and prints the seconds and rows/s.

    .venv/bin/python bench/load.py [--rows 1000000] [--gbk]

``--gbk`` writes the file in GBK instead of UTF-8, to time the transcoding path too.
This is a benchmark that prints figures, not a timed test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.load import load_files  # noqa: E402
from analytics.store import Store  # noqa: E402

# (header, SQL expression over i = 0 .. rows-1); deterministic pseudo-random values.
_H = "hash(i * 7919 + {k})"
COLUMNS = [
    ("统计日期", "'2024-01-31'"),
    ("客户号", "lpad(CAST(i + 1 AS VARCHAR), 12, '0')"),
    ("客户名称", "'客户' || CAST(i AS VARCHAR)"),
    (
        "客户类型",
        "CASE WHEN i % 10 = 0 THEN 'corporate' WHEN i % 97 = 0 THEN 'institution' ELSE 'retail' END",
    ),
    ("region", "'区域' || CAST(i % 12 AS VARCHAR)"),
    ("网点", "'支行' || CAST(i % 240 AS VARCHAR)"),
    ("客户经理", "'RM' || lpad(CAST(i % 3000 AS VARCHAR), 5, '0')"),
    ("金融资产（万元）", "printf('%.2f', ({h1} % 1000000) / 100.0)"),
    ("存款余额", "printf('%,.2f', ({h2} % 100000000) / 100.0)"),
    ("日均存款", "printf('%.2f', ({h3} % 100000000) / 100.0)"),
    ("贷款余额", "CASE WHEN i % 4 = 0 THEN printf('%.2f', ({h4} % 500000000) / 100.0) ELSE '0' END"),
    ("年销售收入", "CASE WHEN i % 10 = 0 THEN printf('%.0f', ({h5} % 1000000000)::DOUBLE) ELSE '' END"),
    ("total_assets", "CASE WHEN i % 10 = 0 THEN printf('%.0f', ({h6} % 2000000000)::DOUBLE) ELSE '' END"),
    ("行业", "CASE WHEN i % 10 = 0 THEN '制造业' ELSE '' END"),
    ("market", "CASE WHEN i % 50 = 0 THEN 'emerging' ELSE 'traditional' END"),
    ("是否战略客户", "CASE WHEN i % 1000 = 0 THEN '是' ELSE '否' END"),
    ("持有产品数", "CAST({h7} % 9 AS VARCHAR)"),
    ("财富卡", "CAST({h8} % 2 AS VARCHAR)"),
    ("信用卡", "CASE WHEN {h9} % 3 = 0 THEN 'Y' ELSE 'N' END"),
    ("网银盾", "CASE WHEN {h10} % 2 = 0 THEN 'true' ELSE 'false' END"),
    ("贷款内部转移净收入", "printf('%.2f', ({h11} % 2000000) / 100.0 - 5000)"),
    ("存款内部转移净收入", "printf('%.2f', ({h12} % 2000000) / 100.0)"),
    ("中间业务净收入", "printf('%.2f', ({h13} % 500000) / 100.0)"),
    ("资本成本分摊", "printf('%.2f', ({h14} % 300000) / 100.0)"),
    ("运营成本分摊", "printf('%.2f', ({h15} % 300000) / 100.0)"),
    ("信贷成本分摊", "printf('%.2f', ({h16} % 100000) / 100.0)"),
    ("bank_value_score", "printf('%.1f', ({h17} % 1000) / 10.0)"),
    ("是否建档", "CASE WHEN {h18} % 5 = 0 THEN '否' ELSE '是' END"),
    ("月联系次数", "CAST({h19} % 5 AS VARCHAR)"),
    ("年活动次数", "CAST({h20} % 4 AS VARCHAR)"),
    ("senior_visits_year", "CAST({h21} % 3 AS VARCHAR)"),
    ("开户日期", "strftime(DATE '2000-01-01' + CAST({h22} % 8000 AS INTEGER), '%Y/%-m/%-d')"),
    ("年龄", "CAST(18 + {h23} % 70 AS VARCHAR)"),
]


def write_csv(path: Path, rows: int, encoding: str) -> None:
    """Write the benchmark CSV with DuckDB (fast), then prepend the header in ``encoding``."""
    hashes = {f"h{k}": _H.format(k=k) for k in range(1, 24)}
    select = ", ".join(f"{expr.format(**hashes)} AS c{n}" for n, (_, expr) in enumerate(COLUMNS))
    body = path.with_suffix(".body")
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT {select} FROM range({int(rows)}) t(i)) TO '{body}' (HEADER false, DELIMITER ',')"
    )
    con.close()
    header = ",".join(h for h, _ in COLUMNS) + "\n"
    with open(path, "wb") as out:
        out.write(header.encode(encoding))
        if encoding == "utf-8":
            with open(body, "rb") as src:
                while chunk := src.read(1 << 24):
                    out.write(chunk)
        else:
            with open(body, encoding="utf-8") as src:
                while chunk := src.read(1 << 22):
                    out.write(chunk.encode(encoding))
    body.unlink()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--gbk", action="store_true", help="write the CSV in GBK")
    args = parser.parse_args(argv)
    encoding = "gbk" if args.gbk else "utf-8"
    with tempfile.TemporaryDirectory(prefix="tierscope-bench-") as tmp:
        tmp = Path(tmp)
        csv_path = tmp / "customers_2024-01.csv"
        t0 = time.perf_counter()
        write_csv(csv_path, args.rows, encoding)
        size = csv_path.stat().st_size / 1e6
        print(
            f"generated {args.rows:,} rows, {len(COLUMNS)} columns, {size:,.0f} MB {encoding} "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        store = Store(tmp / "bench.duckdb")
        try:
            for label in ("load into a fresh database", "reload (replaces the snapshot)"):
                t0 = time.perf_counter()
                result = load_files(store, "customers", [csv_path], today=date(2024, 2, 1))
                seconds = time.perf_counter() - t0
                print(
                    f"{label}: {result.rows:,} rows in {seconds:.2f} s "
                    f"({result.rows / seconds:,.0f} rows/s; replaced {result.replaced_rows:,})"
                )
        finally:
            store.close()


if __name__ == "__main__":
    main()
