"""The loader: formats, encodings, header and value mapping, validation, all-or-nothing loads.

Every fixture is a few rows written to ``tmp_path``; every expected number can be checked
by hand. Refusals assert the file, row, column and reason of the problem AND that the
database is exactly as it was before.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from analytics.errors import LoadBusyError, Problem, TierscopeError, ValidationError
from analytics.load import LoadError, MappingError, inspect_files, load_files
from analytics.schema import ALIASES, TABLES, normalise_header
from analytics.store import Store

REPO = Path(__file__).resolve().parents[2]
REALDATA = Path(__file__).parents[2].parent / "shared" / "realdata"
MAPPINGS = REPO / "data" / "mappings"
TODAY = date(2024, 6, 30)

# A valid January snapshot: two customers, hand-checkable amounts.
JAN = """\
客户号,客户类型,网点,金融资产,统计日期
000123,retail,B1,100,2024-01-31
000456,corporate,B2,200,2024-01-31
"""


# -- helpers ---------------------------------------------------------------------------
def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def load(store: Store, files, table: str = "customers", **kw):
    files = files if isinstance(files, list) else [files]
    return load_files(store, table, files, today=kw.pop("today", TODAY), **kw)


def rows(store: Store, table: str = "customers", cols: str = "*") -> list[tuple]:
    return store.raw().execute(f"SELECT {cols} FROM {table} ORDER BY ALL").fetchall()


def state(store: Store) -> dict[str, list[tuple]]:
    """Everything a load can change: every canonical table, the customer keys and the load log."""
    out = {t: rows(store, t) for t in (*TABLES, "customer_keys")}
    out["load_log"] = (
        store.raw().execute("SELECT load_id, table_name, row_count FROM load_log ORDER BY 1").fetchall()
    )
    return out


def refused(store: Store, files, table: str = "customers", **kw) -> ValidationError:
    """Assert the load is refused with ValidationError and changes nothing."""
    before = state(store)
    with pytest.raises(ValidationError) as info:
        load(store, files, table, **kw)
    assert state(store) == before
    return info.value


def has(err_or_problems, file: str, row: int | None, column: str | None, text: str) -> Problem:
    problems = getattr(err_or_problems, "problems", err_or_problems)
    for p in problems:
        if p.file == file and p.row == row and p.column == column and text in p.reason:
            return p
    raise AssertionError(
        f"no problem ({file}, {row}, {column}, ...{text}...) in:\n" + "\n".join(map(str, problems))
    )


@pytest.fixture
def jan(store, tmp_path):
    """The store with the January snapshot loaded, so that 'unchanged' means something."""
    load(store, write(tmp_path, "jan.csv", JAN))
    return store


# -- encodings and CSV dialects ---------------------------------------------------------
def test_gbk_file_with_chinese_headers_keeps_ids_and_converts_units(store, tmp_path):
    text = """\
客户号,客户类型,所属网点,客户经理,金融资产（万元）,日均存款,贷款余额,是否建档,持有产品数
000123,个人,北京分行营业部,张三,1.23,"1,234,567.89",１２３,是,3
110101199001011234,企业,上海支行,李四,0.5,￥500,0,否,0
"""
    path = write(tmp_path, "gbk.csv", text, encoding="gbk")
    mapping = {"values": {"segment": {"个人": "retail", "企业": "corporate"}}}
    ins = inspect_files(
        store, "customers", [path], snapshot_date=date(2024, 1, 31), mapping=mapping, today=TODAY
    )
    assert ins.encodings == {"gbk.csv": "gb18030"}
    assert ins.problems == ()
    result = load(store, path, snapshot_date=date(2024, 1, 31), mapping=mapping)
    assert result.rows == 2 and result.snapshot_dates == (date(2024, 1, 31),)
    got = rows(
        store,
        cols="customer_id, segment, branch, rm_id, aum, deposit_avg_daily, loan_balance, has_profile, products_held",
    )
    assert got == [
        ("000123", "retail", "北京分行营业部", "张三", 12300.0, 1234567.89, 123.0, True, 3),
        ("110101199001011234", "corporate", "上海支行", "李四", 5000.0, 500.0, 0.0, False, 0),
    ]


def test_utf8_bom_crlf_and_no_final_newline(store, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + JAN.rstrip("\n").replace("\n", "\r\n").encode("utf-8"))
    ins = inspect_files(store, "customers", [path], today=TODAY)
    assert ins.encodings == {"bom.csv": "utf-8-sig"}
    assert ins.header_mapping["客户号"] == "customer_id"  # the BOM is not part of the header
    load(store, path)
    assert rows(store, cols="customer_id, aum") == [("000123", 100.0), ("000456", 200.0)]


def test_utf16_tab_separated_unicode_text_from_excel(store, tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes(JAN.replace(",", "\t").encode("utf-16"))  # with its BOM, as Excel saves it
    ins = inspect_files(store, "customers", [path], today=TODAY)
    assert ins.encodings == {"unicode.txt": "utf-16"} and ins.ok
    load(store, path)
    assert rows(store, cols="customer_id, branch") == [("000123", "B1"), ("000456", "B2")]


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_delimiter_quoting_and_embedded_newlines(store, tmp_path, delim):
    header = delim.join(["customer_id", "customer_name", "segment", "aum", "snapshot_date"])
    lines = [
        header,
        delim.join(["007", f'"Smith{delim} ""Jr""\nline two"', "retail", '"1,000"', "2024-01-31"]),
        delim.join(["008", "O'Brien", "retail", "2", "2024-01-31"]),
    ]
    path = write(tmp_path, "d.csv", "\n".join(lines) + "\n")
    load(store, path)
    assert rows(store, cols="customer_id, customer_name, aum") == [
        ("007", f'Smith{delim} "Jr"\nline two', 1000.0),
        ("008", "O'Brien", 2.0),
    ]


def test_undecodable_file_is_refused_with_the_byte_offset(jan, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"customer_id,aum\n\xff\xfe1,2\n")
    err = refused(jan, path)
    p = has(err, "bad.csv", None, None, "cannot decode")
    assert "offset 16" in p.reason


# -- Excel and Parquet ------------------------------------------------------------------
def _xlsx(path: Path, rows_: list[list], sheet: str = "Sheet1") -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "cover"
    ws.append(["this sheet is not the data"])
    data = wb.create_sheet(sheet)
    for r in rows_:
        data.append(r)
    wb.move_sheet(data, offset=-1)  # the data sheet first
    wb.save(path)
    return path


def test_excel_reads_cells_as_text_and_numeric_ids_without_dot_zero(store, tmp_path):
    path = _xlsx(
        tmp_path / "c.xlsx",
        [
            ["客户号", "客户类型", "金融资产", "统计日期", "开户日期"],
            ["000123", "retail", 1234.5, datetime(2024, 1, 31), datetime(2020, 5, 6)],
            [456, "retail", 100, "2024-01-31", "2019/3/4"],
            [789.0, "corporate", 0.1, datetime(2024, 1, 31), None],
            [None, None, None, None, None],  # Excel's empty formatted rows are not data
        ],
    )
    result = load(store, path)
    assert result.rows == 3
    assert rows(store, cols="customer_id, aum, snapshot_date, open_date") == [
        ("000123", 1234.5, date(2024, 1, 31), date(2020, 5, 6)),
        ("456", 100.0, date(2024, 1, 31), date(2019, 3, 4)),
        ("789", 0.1, date(2024, 1, 31), None),
    ]


def test_excel_loads_after_a_half_read_result_on_the_cursor(store, tmp_path):
    # The dashboard's thread cursor may hold a result read only in part; DuckDB 2 would then
    # refuse the register() the Excel reader needs.
    store.raw().execute("SELECT * FROM range(10)").fetchone()
    path = _xlsx(
        tmp_path / "c.xlsx",
        [["客户号", "客户类型", "金融资产", "统计日期"], ["001", "retail", 5, "2024-01-31"]],
    )
    assert load(store, path).rows == 1
    assert rows(store, cols="customer_id, aum") == [("001", 5.0)]


def test_excel_sheet_argument_and_missing_sheet(store, tmp_path):
    path = _xlsx(tmp_path / "c.xlsx", [["x"]])
    wb_path = tmp_path / "two.xlsx"
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["nothing here"])
    data = wb.create_sheet("data")
    for r in [["customer_id", "segment", "aum", "snapshot_date"], ["1", "retail", "5", "2024-01-31"]]:
        data.append(r)
    wb.save(wb_path)
    load(store, wb_path, sheet="data")
    assert rows(store, cols="customer_id, aum") == [("1", 5.0)]
    with pytest.raises(LoadError, match="no sheet 'nope'.*data"):
        load(store, wb_path, sheet="nope")
    assert path.exists()


def test_excel_float_ids_are_refused(jan, tmp_path):
    path = _xlsx(
        tmp_path / "f.xlsx",
        [
            ["客户号", "客户类型", "金融资产", "统计日期"],
            [float(110101199001011234), "retail", 1, "2024-01-31"],  # Excel rounded it to 15 digits
            [123.5, "retail", 1, "2024-01-31"],
        ],
    )
    err = refused(jan, path)
    has(err, "f.xlsx", 1, "客户号", "Excel probably converted")
    has(err, "f.xlsx", 2, "客户号", "number with decimals")


def test_parquet_loads_and_refuses_floating_point_ids(store, tmp_path):
    good = tmp_path / "good.parquet"
    bad = tmp_path / "bad.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM (VALUES ('000123', 'retail', 100.5, DATE '2024-01-31'), "
        f"('000456', 'corporate', 7.0, DATE '2024-01-31')) t(客户号, 客户类型, 金融资产, 统计日期)) TO '{good}'"
    )
    con.execute(
        f"COPY (SELECT 123.0::DOUBLE AS customer_id, 'retail' AS segment, 1.0 AS aum, "
        f"DATE '2024-02-29' AS snapshot_date) TO '{bad}'"
    )
    con.close()
    load(store, good)
    assert rows(store, cols="customer_id, aum") == [("000123", 100.5), ("000456", 7.0)]
    err = refused(store, bad)
    has(err, "bad.parquet", None, "customer_id", "floating point (DOUBLE)")


# -- values: units, amounts, dates, booleans ---------------------------------------------
def test_units_are_converted_exactly(store, tmp_path):
    text = """\
customer_id,segment,金融资产（万元）,存款余额(亿元),贷款余额【千元】,年销售收入/万元,snapshot_date
1,retail,1.23,0.07,0.001,19.99,2024-01-31
"""
    load(store, write(tmp_path, "u.csv", text))
    assert rows(store, cols="aum, deposit_balance, loan_balance, annual_sales") == [
        (12300.0, 7000000.0, 1.0, 199900.0)
    ]
    # exact decimal products, unlike floating point: 0.07 * 1e8 = 7000000.000000001
    assert (0.07 * 100_000_000, 19.99 * 10_000) != (7000000.0, 199900.0)


def test_units_from_the_mapping_file(store, tmp_path):
    path = write(tmp_path, "u.csv", "customer_id,segment,aum,snapshot_date\n1,retail,2.5,2024-01-31\n")
    load(store, path, mapping={"units": {"aum": "万元"}})
    assert rows(store, cols="aum") == [(25000.0,)]


def test_amount_formats(store, tmp_path):
    text = """\
customer_id,segment,aum,deposit_balance,loan_balance,ftp_loan_income,ftp_deposit_income,fee_income,snapshot_date
1,retail,"1,234,567.89",１２３,¥ 5 ," (1,234.50) ",-7.5,+3,2024-01-31
2,retail," ￥1,000 ",０.５,0,-0,(2),.5,2024-01-31
"""
    load(store, write(tmp_path, "m.csv", text))
    assert rows(
        store,
        cols="customer_id, aum, deposit_balance, loan_balance, ftp_loan_income, ftp_deposit_income, fee_income",
    ) == [
        ("1", 1234567.89, 123.0, 5.0, -1234.5, -7.5, 3.0),
        ("2", 1000.0, 0.5, 0.0, 0.0, -2.0, 0.5),
    ]


def test_date_formats_and_booleans(store, tmp_path):
    text = """\
customer_id,segment,aum,open_date,has_profile,strategic,has_credit_card,snapshot_date
1,retail,1,2020-01-05,是,Y,1,20240131
2,retail,1,2020/1/5,否,n,0,2024/1/31
3,retail,1,20200105,TRUE,no,yes,2024年1月31日
4,retail,1,2020年1月5日,,false,有,2024-01-31 00:00:00
"""
    load(store, write(tmp_path, "d.csv", text))
    assert rows(
        store, cols="customer_id, open_date, has_profile, strategic, has_credit_card, snapshot_date"
    ) == [
        ("1", date(2020, 1, 5), True, True, True, date(2024, 1, 31)),
        ("2", date(2020, 1, 5), False, False, False, date(2024, 1, 31)),
        ("3", date(2020, 1, 5), True, False, True, date(2024, 1, 31)),
        ("4", date(2020, 1, 5), False, False, True, date(2024, 1, 31)),  # empty -> default False
    ]


def test_missing_optional_columns_get_their_defaults(store, tmp_path):
    load(store, write(tmp_path, "jan.csv", JAN))
    got = rows(
        store, cols="region, rm_id, market, strategic, products_held, deposit_balance, annual_sales, age"
    )
    assert got == [("unassigned", "unassigned", "traditional", False, 0, 0.0, None, None)] * 2


# -- refusals: each names file, row, column and reason; the database is unchanged ----------
BAD = [
    # (file text, row, column, reason text)
    ("客户号,金融资产,统计日期\n1,5,2024-01-31\n", None, "segment", "required column missing"),
    (
        "客户号,客户号,客户类型,金融资产,统计日期\n1,2,retail,5,2024-01-31\n",
        None,
        "客户号",
        "appears 2 times",
    ),
    (
        "客户号,customer_id,客户类型,金融资产,统计日期\n1,2,retail,5,2024-01-31\n",
        None,
        "customer_id",
        "all map to customer_id",
    ),
    (
        "客户号,客户类型,金融资产,统计日期\n1,retail,5,2024-01-31\n1,retail,6,2024-01-31\n",
        2,
        "客户号",
        "duplicate key",
    ),
    ("客户号,客户类型,金融资产,统计日期\n1,retail,abc,2024-01-31\n", 1, "金融资产", "not an amount: 'abc'"),
    (
        "客户号,客户类型,金融资产,统计日期\n1,retail,1,2024-01-31\n2,retail,-5,2024-01-31\n",
        2,
        "金融资产",
        "negative",
    ),
    ("客户号,客户类型,金融资产,统计日期\n1,retail,1.2.3,2024-01-31\n", 1, "金融资产", "not an amount"),
    (
        '客户号,客户类型,金融资产,统计日期\n1,retail,"1,23",2024-01-31\n',
        1,
        "金融资产",
        "not an amount: '1,23'",
    ),
    ("客户号,客户类型,金融资产,统计日期\n1,retail,1,2024-02-30\n", 1, "统计日期", "not a date: '2024-02-30'"),
    ("客户号,客户类型,金融资产,统计日期\n1,retail,1,31/01/2024\n", 1, "统计日期", "not a date"),
    ("客户号,客户类型,金融资产,统计日期\n1,retail,1,2024-07-31\n", 1, "统计日期", "in the future"),
    (
        "客户号,客户类型,金融资产,统计日期\n1,retail,1,2024-01-31\n2,retail,1,2024-02-29\n",
        2,
        "统计日期",
        "2 snapshot dates",
    ),
    (
        "客户号,客户类型,金融资产,统计日期\n1,personal,1,2024-01-31\n",
        1,
        "客户类型",
        "'personal' is not one of retail",
    ),
    (
        "客户号,客户类型,金融资产,是否建档,统计日期\n1,retail,1,maybe,2024-01-31\n",
        1,
        "是否建档",
        "not a yes/no value",
    ),
    (
        "客户号,客户类型,金融资产,统计日期\n1.23E+17,retail,1,2024-01-31\n",
        1,
        "客户号",
        "Excel probably converted",
    ),
    (
        "客户号,客户类型,金融资产,统计日期\n,retail,1,2024-01-31\n",
        1,
        "客户号",
        "empty value in a required column",
    ),
    (
        "客户号,客户类型,金融资产,持有产品数,统计日期\n1,retail,1,2.5,2024-01-31\n",
        1,
        "持有产品数",
        "not a whole number",
    ),
    (
        "客户号,客户类型,金融资产,统计日期\n1,retail,1,2024-01-31\n2,retail\n",
        None,
        None,
        "has 2 fields where the header has 4",
    ),
    ('客户号,客户类型,金融资产,统计日期\n1,retail,"1,2024-01-31\n', None, None, "never closed"),
    ("", None, None, "the file is empty (0 bytes)"),
    ("客户号,客户类型,金融资产,统计日期\n", None, None, "header but no data rows"),
    ("\n\n", None, None, "no header row"),
]


@pytest.mark.parametrize(("text", "row", "column", "reason"), BAD, ids=[b[3][:30] for b in BAD])
def test_bad_input_is_refused_and_changes_nothing(jan, tmp_path, text, row, column, reason):
    err = refused(jan, write(tmp_path, "bad.csv", text))
    has(err, "bad.csv", row, column, reason)
    assert str(err).startswith("nothing was loaded:")


def test_snapshot_argument_must_agree_with_the_column(jan, tmp_path):
    path = write(tmp_path, "feb.csv", JAN.replace("2024-01-31", "2024-02-29"))
    err = refused(jan, path, snapshot_date=date(2024, 3, 31))
    has(err, "feb.csv", 1, "统计日期", "differs from the snapshot date given (2024-03-31)")


def test_snapshot_date_in_the_future_is_refused(jan, tmp_path):
    path = write(tmp_path, "nodate.csv", "客户号,客户类型,金融资产\n1,retail,5\n")
    err = refused(jan, path, snapshot_date=date(2024, 7, 31))
    has(err, "snapshot date", None, None, "2024-07-31 is after today (2024-06-30)")
    err = refused(jan, path)
    has(err, "nodate.csv", None, "snapshot_date", "required column missing")


def test_at_most_twenty_problems_are_listed(jan, tmp_path):
    body = "".join(f"{i},retail,x{i},2024-01-31\n" for i in range(1, 31))
    err = refused(jan, write(tmp_path, "many.csv", "客户号,客户类型,金融资产,统计日期\n" + body))
    assert len(err.problems) == 20 and err.truncated
    assert [p.row for p in err.problems] == list(range(1, 21))
    assert "more problems not listed" in str(err)


def test_problems_across_files_and_rows_are_ordered(jan, tmp_path):
    a = write(
        tmp_path, "a.csv", "客户号,客户类型,金融资产,统计日期\n1,retail,x,2024-01-31\n2,bad,1,2024-01-31\n"
    )
    b = write(tmp_path, "b.csv", "客户号,客户类型,金融资产,统计日期\n3,retail,-1,2024-02-29\n")
    err = refused(jan, [a, b])
    assert [(p.file, p.row, p.column) for p in err.problems] == [
        ("a.csv", 1, "金融资产"),
        ("a.csv", 2, "客户类型"),
        ("b.csv", 1, "金融资产"),
    ]


# -- other user errors are TierscopeErrors with a clear message ----------------------------
def test_argument_errors(jan, tmp_path):
    good = write(tmp_path, "jan.csv", JAN)
    before = state(jan)
    with pytest.raises(LoadError, match="unknown table 'customer'"):
        load(jan, good, table="customer")
    with pytest.raises(LoadError, match="nope.csv: no such file"):
        load(jan, tmp_path / "nope.csv")
    with pytest.raises(LoadError, match="not a file"):
        load(jan, tmp_path)
    with pytest.raises(LoadError, match="no files"):
        load(jan, [])
    with pytest.raises(LoadError, match="snapshot tables"):
        load(jan, good, table="complaints", snapshot_date=date(2024, 1, 31))
    assert state(jan) == before
    assert issubclass(LoadError, TierscopeError) and issubclass(MappingError, LoadError)


def test_old_xls_and_damaged_files_are_refused(jan, tmp_path):
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    has(refused(jan, xls), "old.xls", None, None, "save it as .xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    has(refused(jan, broken), "broken.xlsx", None, None, "cannot read the file as an Excel workbook")
    pq = tmp_path / "broken.parquet"
    pq.write_bytes(b"PAR1 not really parquet")
    has(refused(jan, pq), "broken.parquet", None, None, "cannot read the file as Parquet")


# -- mapping files ----------------------------------------------------------------------------
def test_mapping_file_columns_values_defaults(store, tmp_path):
    mapping = write(
        tmp_path,
        "m.toml",
        """\
table = "customers"
ignore = ["备注"]

[columns]
customer_id = "Cust No"
aum = "Total Assets (EUR)"

[values.segment]
"个人" = "retail"
"对公" = "corporate"

[values.has_profile]
"已建" = true
"未建" = false

[defaults]
region = "Europe"
""",
    )
    text = """\
Cust No,客户类型,Total Assets (EUR),total_assets,是否建档,备注,统计日期
A-1,个人,10,999,已建,x,2024-01-31
A-2,对公,20,999,未建,y,2024-01-31
"""
    path = write(tmp_path, "c.csv", text)
    ins = inspect_files(store, "customers", [path], mapping=mapping, today=TODAY)
    assert ins.problems == ()
    assert ins.header_mapping == {
        "Cust No": "customer_id",
        "客户类型": "segment",
        "Total Assets (EUR)": "aum",
        "total_assets": "total_assets",
        "是否建档": "has_profile",
        "统计日期": "snapshot_date",
    }
    assert ins.unrecognised == ("备注",)
    assert ins.absent["region"] == "mapping default: Europe"
    assert state(store)["customers"] == []  # inspecting writes nothing
    load(store, path, mapping=mapping)
    assert rows(store, cols="customer_id, segment, aum, total_assets, has_profile, region") == [
        ("A-1", "retail", 10.0, 999.0, True, "Europe"),
        ("A-2", "corporate", 20.0, 999.0, False, "Europe"),
    ]


def test_value_mapping_wildcard_and_unmapped_values(jan, tmp_path):
    text = "complaint_id,received_date,status\nc1,2024-01-02,Closed\nc2,2024-01-03,Pending\n"
    path = write(tmp_path, "c.csv", text)
    err = refused(jan, path, table="complaints", mapping={"values": {"status": {"Closed": "resolved"}}})
    has(err, "c.csv", 2, "status", "'Pending' is not one of open, resolved")
    load(jan, path, table="complaints", mapping={"values": {"status": {"Closed": "resolved", "*": "open"}}})
    assert rows(jan, "complaints", "complaint_id, status") == [("c1", "resolved"), ("c2", "open")]


def test_derived_ids_are_deterministic_so_a_reload_replaces(store, tmp_path):
    path = write(tmp_path, "survey_2024.csv", "date,score\n2024-01-05,8\n2024-01-06,9\n")
    mapping = {"columns": {"survey_date": "date"}, "derive": {"survey_id": "row"}}
    load(store, path, table="surveys", mapping=mapping)
    result = load(store, path, table="surveys", mapping=mapping)
    assert result.replaced_rows == 2
    assert rows(store, "surveys", "survey_id, survey_date, score") == [
        ("survey_2024-1", date(2024, 1, 5), 8.0),
        ("survey_2024-2", date(2024, 1, 6), 9.0),
    ]


def test_sign_split_keeps_negative_balances_as_loans(store, tmp_path):
    path = write(tmp_path, "b.csv", "id,balance\n1,250\n2,-40\n3,0\n")
    mapping = {
        "columns": {"customer_id": "id", "aum": "balance", "loan_balance": "balance"},
        "sign": {"aum": "positive", "loan_balance": "negative"},
        "defaults": {"segment": "retail"},
    }
    load(store, path, mapping=mapping, snapshot_date=date(2024, 1, 31))
    assert rows(store, cols="customer_id, aum, loan_balance") == [
        ("1", 250.0, 0.0),
        ("2", 0.0, 40.0),
        ("3", 0.0, 0.0),
    ]


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            {"columns": {"aum_total": "x"}},
            "[columns] names 'aum_total', which is not a column of the customers table",
        ),
        ({"values": {"tier": {"a": "b"}}}, "[values] names 'tier'"),
        ({"defaults": {"segment": "personal"}}, "[defaults] segment = 'personal': 'personal' is not one of"),
        ({"defaults": {"open_date": "2030-01-01"}}, "[defaults] open_date = '2030-01-01': the date"),
        ({"derive": {"customer_id": "hash"}}, "[derive] customer_id = 'hash'"),
        ({"derive": {"aum": "row"}}, "[derive] aum: only id and text columns"),
        ({"units": {"aum": "gallons"}}, "[units] aum = 'gallons': unknown unit"),
        ({"sign": {"aum": "up"}}, "[sign] aum = 'up'"),
        ({"colums": {}}, "unknown key 'colums'"),
        ({"table": "complaints"}, "the mapping is for table 'complaints'"),
        ({"columns": ["a"]}, "'columns' must be a table"),
    ],
)
def test_bad_mappings_name_the_key(jan, tmp_path, mapping, message):
    before = state(jan)
    with pytest.raises(MappingError) as info:
        load(jan, write(tmp_path, "jan.csv", JAN), mapping=mapping)
    assert message in str(info.value)
    assert state(jan) == before


def test_bad_mapping_files(jan, tmp_path):
    good = write(tmp_path, "jan.csv", JAN)
    bad_toml = write(tmp_path, "bad.toml", "[columns]\ncustomer_id = \n")
    with pytest.raises(MappingError, match=r"bad.toml: not valid TOML.*line 2"):
        load(jan, good, mapping=bad_toml)
    with pytest.raises(MappingError, match="missing.toml: no such file"):
        load(jan, good, mapping=tmp_path / "missing.toml")
    unknown = write(tmp_path, "u.toml", '[columns]\ncustomer_idd = "客户号"\n')
    with pytest.raises(
        MappingError, match=r"u.toml: \[columns\] names 'customer_idd'.*did you mean 'customer_id'"
    ):
        load(jan, good, mapping=unknown)


def test_mapping_naming_a_header_the_file_lacks(jan, tmp_path):
    err = refused(jan, write(tmp_path, "jan.csv", JAN), mapping={"columns": {"aum": "Balance"}})
    has(err, "jan.csv", None, "Balance", "the mapping takes aum from this header, which the file lacks")


# -- load semantics: replace, events, several files, log, lock, kill ------------------------------
def test_reload_replaces_a_snapshot_and_keeps_the_others(jan, tmp_path):
    feb = write(tmp_path, "feb.csv", JAN.replace("2024-01-31", "2024-02-29"))
    load(jan, feb)
    jan2 = write(tmp_path, "jan2.csv", JAN + "000789,retail,B1,300,2024-01-31\n")
    result = load(jan, jan2)
    assert (result.rows, result.replaced_rows, result.snapshot_dates) == (3, 2, (date(2024, 1, 31),))
    counts = (
        jan.raw().execute("SELECT snapshot_date, count(*) FROM customers GROUP BY 1 ORDER BY 1").fetchall()
    )
    assert counts == [(date(2024, 1, 31), 3), (date(2024, 2, 29), 2)]


def test_event_tables_replace_rows_by_key(store, tmp_path):
    first = write(
        tmp_path, "c1.csv", "投诉编号,投诉日期,投诉类别\nc1,2024-01-02,fees\nc2,2024-01-03,service\n"
    )
    second = write(
        tmp_path, "c2.csv", "投诉编号,投诉日期,投诉类别\nc2,2024-01-03,staff\nc3,2024-01-04,fees\n"
    )
    load(store, first, table="complaints")
    result = load(store, second, table="complaints")
    assert (result.rows, result.replaced_rows, result.snapshot_dates) == (2, 1, ())
    assert rows(store, "complaints", "complaint_id, category, status") == [
        ("c1", "fees", "open"),
        ("c2", "staff", "open"),
        ("c3", "fees", "open"),
    ]


def test_several_files_form_one_load(jan, tmp_path):
    feb = write(tmp_path, "feb.csv", JAN.replace("2024-01-31", "2024-02-29"))
    bad = write(tmp_path, "mar.csv", JAN.replace("2024-01-31", "2024-03-31").replace("200", "-200"))
    err = refused(jan, [feb, bad])
    has(err, "mar.csv", 2, "金融资产", "negative")
    mar = write(tmp_path, "mar.csv", JAN.replace("2024-01-31", "2024-03-31"))
    result = load(jan, [feb, mar])
    assert result.rows == 4 and result.snapshot_dates == (date(2024, 2, 29), date(2024, 3, 31))
    # the same key in two files of one load is a duplicate
    err = refused(jan, [feb, write(tmp_path, "feb2.csv", JAN.replace("2024-01-31", "2024-02-29"))])
    has(err, "feb2.csv", 1, "客户号", "also feb.csv row 1")


def test_each_load_writes_one_log_row(jan, tmp_path):
    load(jan, write(tmp_path, "feb.csv", JAN.replace("2024-01-31", "2024-02-29")))
    log = jan.load_history()
    assert list(log["load_id"]) == [2, 1]
    assert list(log["row_count"]) == [2, 2]
    assert list(log["table_name"]) == ["customers", "customers"]
    assert str(log["snapshot_date"].iloc[0])[:10] == "2024-02-29"
    assert log["source"].iloc[0].endswith("feb.csv")


def test_a_second_concurrent_load_is_refused_at_once(jan, tmp_path):
    feb = write(tmp_path, "feb.csv", JAN.replace("2024-01-31", "2024-02-29"))
    before = state(jan)
    with jan.load_lock(), pytest.raises(LoadBusyError):
        load(jan, feb)
    assert state(jan) == before
    load(jan, feb)  # the lock is free again


# -- customer keys -------------------------------------------------------------------------------
def keys(store: Store) -> dict[str, int]:
    """customer_keys as {customer_id: customer_key}."""
    return dict(store.raw().execute("SELECT customer_id, customer_key FROM customer_keys").fetchall())


def row_keys(store: Store, day: date) -> dict[str, int]:
    """The customer_key of every customers row of one snapshot, by customer_id."""
    sql = "SELECT customer_id, customer_key FROM customers WHERE snapshot_date = ?"
    return dict(store.raw().execute(sql, [day]).fetchall())


FEB_KEYS = """\
客户号,客户类型,金融资产,统计日期
000999,retail,1,2024-02-29
000456,corporate,2,2024-02-29
000001,retail,3,2024-02-29
"""


def test_customer_keys_are_given_once_and_kept_across_snapshots_and_reloads(jan, tmp_path):
    jan_day, feb_day = date(2024, 1, 31), date(2024, 2, 29)
    # January (the fixture): two new ids, keys 1 and 2 in customer_id order
    assert keys(jan) == {"000123": 1, "000456": 2}
    assert row_keys(jan, jan_day) == {"000123": 1, "000456": 2}
    # February: 000456 keeps 2; the new 000001 and 000999 get 3 and 4 (id order, not file order)
    feb = write(tmp_path, "feb.csv", FEB_KEYS)
    load(jan, feb)
    assert keys(jan) == {"000123": 1, "000456": 2, "000001": 3, "000999": 4}
    assert row_keys(jan, feb_day) == {"000999": 4, "000456": 2, "000001": 3}
    assert row_keys(jan, jan_day) == {"000123": 1, "000456": 2}  # January untouched
    # The same February file again: the rows are replaced by the same rows, keys and all
    before = state(jan)
    result = load(jan, feb)
    assert (result.rows, result.replaced_rows) == (3, 3)
    after = state(jan)
    assert after["customers"] == before["customers"] and after["customer_keys"] == before["customer_keys"]
    # January reloaded without 000123 and with the new 000777: 000456 keeps 2, 000777 gets 5;
    # 000123 keeps its key in customer_keys, ready for the day it comes back
    load(
        jan,
        write(
            tmp_path,
            "jan2.csv",
            "客户号,客户类型,金融资产,统计日期\n000456,corporate,2,2024-01-31\n000777,retail,7,2024-01-31\n",
        ),
    )
    assert row_keys(jan, jan_day) == {"000456": 2, "000777": 5}
    assert keys(jan) == {"000123": 1, "000456": 2, "000001": 3, "000999": 4, "000777": 5}
    load(jan, write(tmp_path, "jan3.csv", JAN))
    assert row_keys(jan, jan_day) == {"000123": 1, "000456": 2}
    # one key per id and one id per key, and every row's key is its id's key
    n, ids, distinct_keys = (
        jan.raw()
        .execute(
            "SELECT count(*), count(DISTINCT customer_id), count(DISTINCT customer_key) FROM customer_keys"
        )
        .fetchall()[0]
    )
    assert n == ids == distinct_keys == 5
    mismatched = (
        jan.raw()
        .execute(
            "SELECT count(*) FROM customers c LEFT JOIN customer_keys k USING (customer_id) "
            "WHERE c.customer_key IS DISTINCT FROM k.customer_key"
        )
        .fetchall()[0][0]
    )
    assert mismatched == 0


def test_a_refused_load_gives_no_keys(jan, tmp_path):
    bad = write(tmp_path, "bad.csv", "客户号,客户类型,金融资产,统计日期\n000888,retail,-5,2024-02-29\n")
    refused(jan, bad)  # state(), customer_keys included, is unchanged
    assert keys(jan) == {"000123": 1, "000456": 2}


def test_keys_of_ids_with_leading_zeros_are_distinct(store, tmp_path):
    # "0123" and "123" are different customers (ids are text): different keys
    load(
        store,
        write(
            tmp_path,
            "a.csv",
            "客户号,客户类型,金融资产,统计日期\n0123,retail,1,2024-01-31\n123,retail,2,2024-01-31\n",
        ),
    )
    assert keys(store) == {"0123": 1, "123": 2}


@pytest.mark.slow
def test_a_load_killed_after_the_insert_leaves_the_previous_state(tmp_path):
    db = tmp_path / "k.duckdb"
    original = write(tmp_path, "a.csv", JAN)
    replacement = write(tmp_path, "a2.csv", JAN.replace(",100,", ",111,") + "000789,retail,B3,5,2024-01-31\n")
    script = textwrap.dedent(
        """
        import sys
        from datetime import date
        from analytics.load import load_files
        from analytics.store import Store
        store = Store(sys.argv[1])
        load_files(store, "customers", [sys.argv[2]], today=date(2024, 6, 30))
        store.close()
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("TIERSCOPE_LOAD_FAULT", None)
    ok = subprocess.run([sys.executable, "-c", script, str(db), str(original)], env=env, cwd=REPO)
    assert ok.returncode == 0
    killed = subprocess.run(
        [sys.executable, "-c", script, str(db), str(replacement)],
        env={**env, "TIERSCOPE_LOAD_FAULT": "kill-after-insert"},
        cwd=REPO,
    )
    assert killed.returncode == 9
    store = Store(db)
    try:
        assert rows(store, cols="customer_id, aum") == [("000123", 100.0), ("000456", 200.0)]
        assert len(store.load_history()) == 1
        # the key given to the new 000789 inside the killed transaction is gone with it
        assert rows(store, "customer_keys") == [("000123", 1), ("000456", 2)]
    finally:
        store.close()


# -- inspection ------------------------------------------------------------------------------
def test_inspection_reports_without_writing(jan, tmp_path):
    body = "".join(f"{i:06d},retail,{i},2024-02-29,note\n" for i in range(1, 31))
    path = write(
        tmp_path, "feb.csv", "客户号,客户类型,金融资产,统计日期,Remarks\n" + body.replace(",7,", ",x,")
    )
    before = state(jan)
    ins = inspect_files(jan, "customers", [path], today=TODAY)
    assert state(jan) == before
    assert ins.rows == 30 and not ins.ok
    assert ins.snapshot_dates == (date(2024, 2, 29),)
    assert ins.unrecognised == ("Remarks",)
    assert ins.problems == (Problem("feb.csv", 7, "金融资产", "not an amount: 'x'"),)
    assert len(ins.preview) == 20
    assert list(ins.preview.columns) == list(TABLES["customers"].names)
    assert ins.preview["customer_id"].iloc[0] == "000001" and ins.preview["aum"].iloc[1] == 2.0
    assert ins.replaces_rows == 0
    ok = inspect_files(jan, "customers", [write(tmp_path, "jan.csv", JAN)], today=TODAY)
    assert ok.ok and ok.replaces_rows == 2


def test_headers_with_quotes_and_values_with_sql_are_data(store, tmp_path):
    text = 'customer_id,segment,aum,snapshot_date,"we""ird"\n"x\'); DROP TABLE customers; --",retail,1,2024-01-31,a\n'
    load(store, write(tmp_path, "q.csv", text))
    assert rows(store, cols="customer_id") == [("x'); DROP TABLE customers; --",)]


def test_aliases_are_unambiguous():
    seen: dict[str, str] = {}
    for canonical, aliases in ALIASES.items():
        for alias in (canonical, *aliases):
            key = normalise_header(alias)
            assert seen.setdefault(key, canonical) == canonical, (
                f"{alias!r} maps to {seen[key]} and {canonical}"
            )


# -- the real public files in ../shared/realdata ----------------------------------------------
needs_realdata = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"real data folder {REALDATA} is absent")


@needs_realdata
def test_real_bank_churn_records(store):
    path = REALDATA / "bank_churn_records.csv"
    mapping = MAPPINGS / "bank_churn_records.toml"
    result = load_files(store, "customers", [path], snapshot_date=date(2024, 12, 31), mapping=mapping)
    assert result.rows == 10_000 and result.snapshot_dates == (date(2024, 12, 31),)
    cols = "customer_id, customer_name, region, aum, deposit_balance, products_held, has_credit_card, age, segment"
    got = store.raw().execute(
        f"SELECT {cols} FROM customers WHERE customer_id IN ('15634602', '15647311', '15628319')"
    )
    assert sorted(got.fetchall()) == [
        ("15628319", "Walker", "France", 130142.79, 130142.79, 1, True, 28, "retail"),  # the last row
        ("15634602", "Hargrave", "France", 0.0, 0.0, 1, True, 42, "retail"),
        ("15647311", "Hill", "Spain", 83807.86, 83807.86, 1, False, 41, "retail"),
    ]
    zero = store.raw().execute("SELECT count(*) FROM customers WHERE aum = 0").fetchone()[0]
    assert zero == 3617  # '36% zero balances' (README)
    again = load_files(store, "customers", [path], snapshot_date=date(2024, 12, 31), mapping=mapping)
    assert again.replaced_rows == 10_000 and store.row_counts()["customers"] == 10_000


@needs_realdata
def test_real_cfpb_complaints(store):
    path = REALDATA / "cfpb_complaints_sample.csv"
    result = load_files(store, "complaints", [path], mapping=MAPPINGS / "cfpb_complaints_sample.toml")
    assert result.rows == 6_623
    row = (
        store.raw()
        .execute(
            "SELECT received_date, category, channel, region, status, resolved_date, customer_id "
            "FROM complaints WHERE complaint_id = '3571115'"
        )
        .fetchone()
    )
    assert row == (
        date(2020, 3, 18),
        "Credit reporting, credit repair services, or other personal consumer reports",
        "Web",
        "FL",
        "resolved",
        None,
        None,
    )
    # the narrative with an embedded newline did not split the second record
    second = store.raw().execute("SELECT category FROM complaints WHERE complaint_id = '3384392'").fetchone()
    assert second == ("Debt collection",)
    status = dict(store.raw().execute("SELECT status, count(*) FROM complaints GROUP BY 1").fetchall())
    assert status == {"resolved": 6_551, "open": 72}  # 35 'In progress' + 37 'Untimely response'
    span = store.raw().execute("SELECT min(received_date), max(received_date) FROM complaints").fetchone()
    assert span == (date(2015, 4, 6), date(2020, 3, 19))


@needs_realdata
def test_real_uci_bank_marketing(store):
    path = REALDATA / "uci_bank_marketing_full.csv"
    mapping = MAPPINGS / "uci_bank_marketing_full.toml"
    result = load_files(store, "customers", [path], snapshot_date=date(2010, 11, 30), mapping=mapping)
    assert result.rows == 45_211
    first = (
        store.raw()
        .execute(
            "SELECT age, aum, deposit_balance, loan_balance, region, segment FROM customers "
            "WHERE customer_id = 'uci_bank_marketing_full-1'"
        )
        .fetchone()
    )
    assert first == (58, 2143.0, 2143.0, 0.0, "Portugal", "retail")  # 58;"management";...;2143;...
    # negative balances became loans (overdrafts): the split gives the file's balance back
    check = duckdb.connect().execute(
        "SELECT sum(CAST(balance AS BIGINT)), count(*) FILTER (WHERE CAST(balance AS BIGINT) < 0) "
        "FROM read_csv($p, delim=';', all_varchar=true)",
        {"p": str(path)},
    )
    total, negative = check.fetchone()
    got = (
        store.raw()
        .execute(
            "SELECT sum(aum) - sum(loan_balance), count(*) FILTER (WHERE loan_balance > 0), min(aum) FROM customers"
        )
        .fetchone()
    )
    assert got == (float(total), negative, 0.0)
    assert negative == 3_766
    again = load_files(store, "customers", [path], snapshot_date=date(2010, 11, 30), mapping=mapping)
    assert again.replaced_rows == 45_211 and store.row_counts()["customers"] == 45_211
