"""The data page: upload, check before loading, load, the catalogue and deleting a snapshot.

The page file runs on its own (``AppTest.from_file("pages/data.py")``) with the view
context the shell would put in the session: AppTest 1.67 does not rerun the main script
of an st.navigation app after a widget interaction, and the upload flow is all widget
interactions. One test opens the page through the shell as well. Files are uploaded
with AppTest's own file_uploader support; every count can be checked by reading the
fixture.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.rules import load_rules
from analytics.scope import Filters
from analytics.store import Store, open_store
from tests.conftest import REPO, insert_rows
from ui import snapshots, upload
from ui.sidebar import ViewContext

JAN, FEB, MAR = dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31)

# March, GBK-encoded as the core system exports it: Chinese headers, amounts in 万元, a remark.
MARCH = (
    "客户号,客户类型,金融资产（万元）,备注\n000123,retail,1.5,a\n000456,corporate,20,b\n000789,retail,0.3,c\n"
)
# Four problems, hand-checked against docs/loading.md.
BAD = "customer_id,segment,aum\n001,retail,abc\n002,personal,100\n002,retail,-5\n"


@pytest.fixture
def db(tmp_path, monkeypatch):
    """customers: JAN 2 rows (A, B), FEB 3 rows (A, B, C)."""
    path = tmp_path / "data.duckdb"
    s = Store(path)
    insert_rows(
        s,
        "customers",
        [dict(snapshot_date=JAN, customer_id=c, segment="retail", aum=1.0) for c in "AB"]
        + [dict(snapshot_date=FEB, customer_id=c, segment="retail", aum=1.0) for c in "ABC"],
    )
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    yield path
    open_store(path).close()


@pytest.fixture
def empty_db(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    yield path
    open_store(path).close()


def page(path: Path, lang: str = "en") -> AppTest:
    """The data page in a session whose view context the shell would have set."""
    store = open_store(path)
    snaps = tuple(store.snapshots()["snapshot_date"])
    at = AppTest.from_file(str(REPO / "pages" / "data.py"), default_timeout=60)
    at.session_state["context"] = ViewContext(
        lang=lang,
        db=str(path),
        data_version=store.data_version(),
        snapshot=snaps[-1] if snaps else None,
        snapshots=snaps,
        rules=load_rules(),
        filters=Filters(),
    )
    return at.run()


def frame(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page with this column header."""
    return next(d.value for d in [*at.dataframe, *at.table] if column in d.value.columns)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def customers(path: Path) -> list[tuple]:
    return (
        open_store(path)
        .raw()
        .execute("SELECT snapshot_date, customer_id, segment, aum FROM customers ORDER BY ALL")
        .fetchall()
    )


def state(path: Path) -> dict[str, list[tuple]]:
    con = open_store(path).raw()
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in ("customers", "load_log")}


def upload_files(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader[0].set_value([(name, content, "application/octet-stream") for name, content in files])
    return at.run()


def buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


# -- upload, check, load ---------------------------------------------------------------
def test_good_csv_is_checked_then_loaded(db):
    at = page(db)
    assert not at.exception
    at.date_input(key="upload_snapshot").set_value(MAR)
    at = upload_files(at, ("mar.csv", MARCH.encode("gbk")))
    assert not at.exception and not at.error
    assert metrics(at) == {
        "Files": "1",
        "Rows": "3",
        "Snapshot date": "2024-03-31",
        "Existing rows replaced": "0",
    }
    assert frame(at, "Encoding").values.tolist() == [["mar.csv", "gb18030"]]
    assert frame(at, "Unit").values.tolist() == [
        ["客户号", "customer_id", "built-in alias", ""],
        ["客户类型", "segment", "built-in alias", ""],
        ["金融资产（万元）", "aum", "built-in alias", "万元 (×10,000)"],
    ]
    unused = next(
        d.value for d in at.dataframe if list(d.value.columns) == ["Header in the file", "Matched by"]
    )
    assert unused.values.tolist() == [["备注", "not recognised"]]
    absent = frame(at, "Value").set_index("Column")["Value"]
    assert absent["snapshot_date"] == "the snapshot date given: 2024-03-31"
    assert absent["region"] == "default: unassigned"
    assert absent["customer_name"] == "empty"
    preview = frame(at, "customer_id")
    assert preview[["customer_id", "aum"]].values.tolist() == [
        ["000123", 15000.0],
        ["000456", 200000.0],
        ["000789", 3000.0],
    ]
    assert at.success[0].value == "All 3 rows pass the checks."
    assert len(customers(db)) == 5  # nothing written yet

    at = at.button(key="confirm_load").click().run()
    assert not at.exception and not at.error
    assert customers(db)[5:] == [
        (MAR, "000123", "retail", 15000.0),
        (MAR, "000456", "corporate", 200000.0),
        (MAR, "000789", "retail", 3000.0),
    ]
    assert len(customers(db)) == 8  # January and February untouched
    table, snap, rows, source = (
        open_store(db)
        .raw()
        .execute(
            "SELECT table_name, snapshot_date, row_count, source FROM load_log ORDER BY load_id DESC LIMIT 1"
        )
        .fetchone()
    )
    assert (table, snap, rows, Path(source).name) == ("customers", MAR, 3, "mar.csv")
    assert not Path(source).parent.exists()  # the temporary folder is gone
    assert at.success[0].value.startswith("Loaded 3 rows into Customers (monthly snapshot) in ")
    assert at.success[0].value.endswith(" s (0 existing rows replaced). Every page now shows the new data.")
    assert at.file_uploader[0].value == []  # the uploader starts again
    assert "Confirm load" not in buttons(at)
    cat = frame(at, "Snapshot date / period")
    assert cat[["Table", "Snapshot date / period", "Rows", "Source"]].values.tolist() == [
        ["Customers (monthly snapshot)", "2024-01-31", 2, "test"],
        ["Customers (monthly snapshot)", "2024-02-29", 3, "test"],
        ["Customers (monthly snapshot)", "2024-03-31", 3, "mar.csv"],
    ]


def test_loading_an_existing_snapshot_says_how_many_rows_it_replaces(db):
    at = page(db)
    at = upload_files(at, ("feb.csv", b"customer_id,segment,aum,snapshot_date\nZ,retail,9,2024-02-29\n"))
    assert metrics(at)["Existing rows replaced"] == "3"
    assert at.warning[0].value == "Loading replaces 3 rows now in the database (2024-02-29)."
    at = at.button(key="confirm_load").click().run()
    assert "(3 existing rows replaced)" in at.success[0].value
    assert customers(db) == [
        (JAN, "A", "retail", 1.0),
        (JAN, "B", "retail", 1.0),
        (FEB, "Z", "retail", 9.0),
    ]


def test_bad_csv_gets_a_report_and_nothing_is_written(db):
    before = state(db)
    at = page(db)
    at.date_input(key="upload_snapshot").set_value(MAR)
    at = upload_files(at, ("bad.csv", BAD.encode()))
    assert not at.exception
    assert (
        at.error[0].value
        == "4 problem(s) found: nothing can be loaded. Fix the file(s) and upload them again."
    )
    report = frame(at, "Reason")
    assert report.values.tolist() == [
        ["bad.csv", "1", "aum", "not an amount: 'abc'"],
        [
            "bad.csv",
            "2",
            "segment",
            "'personal' is not one of retail, corporate, institution (map other values in [values.segment])",
        ],
        [
            "bad.csv",
            "3",
            "customer_id",
            "duplicate key: customer_id '002' appears twice in snapshot 2024-03-31 (also row 2)",
        ],
        ["bad.csv", "3", "aum", "negative amount '-5' in a column that cannot be negative"],
    ]
    assert "Confirm load" not in buttons(at)
    assert state(db) == before


def test_a_long_report_says_it_is_truncated(db):
    at = page(db)
    rows = "".join(f"{i},retail,x\n" for i in range(25))
    at = upload_files(
        at,
        (
            "many.csv",
            f"customer_id,segment,aum,snapshot_date\n{rows}".replace(",x\n", ",x,2024-03-31\n").encode(),
        ),
    )
    assert at.error[0].value.startswith("20+ problem(s) found")
    assert len(frame(at, "Reason")) == 20
    assert "Only the first 20 problems are listed; the files hold more." in [c.value for c in at.caption]


def test_several_files_are_one_load(db):
    at = page(db)
    at = upload_files(
        at,
        ("mar.csv", b"customer_id,segment,aum,snapshot_date\nA,retail,1,2024-03-31\n"),
        ("apr.csv", b"customer_id,segment,aum,snapshot_date\nA,retail,2,2024-04-30\nB,retail,3,2024-04-30\n"),
    )
    assert metrics(at) == {
        "Files": "2",
        "Rows": "3",
        "Snapshot date": "2024-03-31, 2024-04-30",
        "Existing rows replaced": "0",
    }
    assert frame(at, "Encoding").values.tolist() == [["mar.csv", "utf-8"], ["apr.csv", "utf-8"]]
    assert frame(at, "Unit").columns[0] == "File"  # several files: say which file a header is in
    at = at.button(key="confirm_load").click().run()
    assert len(customers(db)) == 8


def test_a_bundled_mapping_file(db):
    at = page(db)
    mapping = at.selectbox(key="upload_mapping_customers")
    assert mapping.options[:2] == ["None (built-in header aliases only)", "Upload a mapping file (TOML)..."]
    assert not any(
        o.startswith("cfpb_complaints_sample.toml") for o in mapping.options
    )  # a complaints mapping
    mapping.set_value("bank_churn_records.toml")
    at.date_input(key="upload_snapshot").set_value(MAR)
    churn = (
        "RowNumber,CustomerId,Surname,Geography,Age,Balance,NumOfProducts,HasCrCard,Complain\n"
        "1,15634602,Hargrave,France,42,0,1,1,1\n"
        "2,15647311,Hill,Spain,41,83807.86,1,0,1\n"
    )
    at = upload_files(at, ("bank_churn_records.csv", churn.encode()))
    assert not at.exception and not at.error
    recognised = frame(at, "Unit")
    assert recognised[recognised["Header in the file"] == "Balance"]["Column"].tolist() == [
        "aum",
        "deposit_balance",
    ]
    assert set(recognised["Matched by"]) == {"mapping file"}
    unused = next(
        d.value for d in at.dataframe if list(d.value.columns) == ["Header in the file", "Matched by"]
    )
    assert unused.values.tolist() == [["RowNumber", "not recognised"], ["Complain", "ignored (mapping)"]]
    at = at.button(key="confirm_load").click().run()
    assert customers(db)[-2:] == [(MAR, "15634602", "retail", 0.0), (MAR, "15647311", "retail", 83807.86)]


def test_an_uploaded_mapping_file_and_a_bad_one(db):
    at = page(db)
    at.selectbox(key="upload_mapping_customers").set_value(upload.UPLOAD_MAPPING)
    at = at.run()
    assert len(at.file_uploader) == 2
    at.file_uploader[1].set_value(("bad.toml", b"[colums]\nx = 1\n", "application/toml"))
    at = upload_files(at, ("x.csv", b"Cust No,Assets\nX1,5\n"))
    assert not at.exception
    assert at.error[0].value.startswith("mapping file bad.toml: unknown key 'colums'")  # no temporary folder
    at.file_uploader[1].set_value(
        (
            "ok.toml",
            b'[columns]\ncustomer_id = "Cust No"\naum = "Assets"\n[defaults]\nsegment = "retail"\n',
            "x",
        )
    )
    at.date_input(key="upload_snapshot").set_value(MAR)
    at = at.run()
    assert not at.error
    assert frame(at, "Unit")["Matched by"].tolist() == ["mapping file", "mapping file"]
    at = at.button(key="confirm_load").click().run()
    assert customers(db)[-1] == (MAR, "X1", "retail", 5.0)


def test_excel_sheet_name(db):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["exported by the core system"])
    sheet = book.create_sheet("Data")
    sheet.append(["customer_id", "segment", "aum"])
    sheet.append(["E1", "retail", 100])
    sheet.append(["E2", "corporate", 200])
    buf = io.BytesIO()
    book.save(buf)
    at = page(db)
    assert not at.text_input  # no sheet name before there is a workbook
    at.date_input(key="upload_snapshot").set_value(MAR)
    at = upload_files(at, ("mar.xlsx", buf.getvalue()))
    assert at.error  # the first sheet holds no customers
    at.text_input(key="upload_sheet").set_value("Data")
    at = at.run()
    assert not at.error and metrics(at)["Rows"] == "2"
    assert frame(at, "Encoding").values.tolist() == [["mar.xlsx", "– (Excel / Parquet: no text encoding)"]]
    at = at.button(key="confirm_load").click().run()
    assert customers(db)[-2:] == [(MAR, "E1", "retail", 100.0), (MAR, "E2", "corporate", 200.0)]


def test_a_load_while_another_runs_is_refused(db):
    at = page(db)
    at = upload_files(at, ("mar.csv", b"customer_id,segment,aum,snapshot_date\nA,retail,1,2024-03-31\n"))
    before = state(db)
    with open_store(db).load_lock():
        at = at.button(key="confirm_load").click().run()
    assert not at.exception
    assert at.error[0].value == "A load is already running on this database. Try again when it has finished."
    assert state(db) == before


# -- catalogue and deletion ------------------------------------------------------------
def test_delete_a_snapshot_in_two_steps(db):
    at = page(db)
    at = at.selectbox(key="delete_choice_0").set_value("customers/2024-01-31").run()
    at = at.button(key="delete_ask").click().run()
    assert at.warning[0].value.startswith(
        "Delete the Customers (monthly snapshot) snapshot of 2024-01-31 (2 rows)? This cannot be undone"
    )
    assert len(customers(db)) == 5  # asked, not yet deleted
    at = at.button(key="delete_confirm").click().run()
    assert not at.exception and not at.error
    assert (
        at.success[0].value
        == "Deleted the Customers (monthly snapshot) snapshot of 2024-01-31: 2 rows removed."
    )
    assert customers(db) == [(FEB, c, "retail", 1.0) for c in "ABC"]
    last = (
        open_store(db)
        .raw()
        .execute(
            "SELECT table_name, snapshot_date, row_count, source FROM load_log ORDER BY load_id DESC LIMIT 1"
        )
        .fetchone()
    )
    assert last == ("customers", JAN, -2, "deleted")
    assert frame(at, "Snapshot date / period")["Snapshot date / period"].tolist() == ["2024-02-29"]
    assert at.selectbox(key="delete_choice_1").value is None  # a fresh, empty choice
    assert len(at.selectbox(key="delete_choice_1").options) == 1
    assert not at.warning


def test_cancel_or_another_choice_deletes_nothing(db):
    before = state(db)
    at = page(db)
    at = at.selectbox(key="delete_choice_0").set_value("customers/2024-01-31").run()
    at = at.button(key="delete_ask").click().run()
    at = at.button(key="delete_cancel").click().run()
    assert not at.warning
    at = at.button(key="delete_ask").click().run()
    at = at.selectbox(key="delete_choice_0").set_value("customers/2024-02-29").run()
    at = at.run()
    assert not at.warning  # the confirmation was for January
    assert state(db) == before


def test_delete_while_a_load_runs(db):
    before = state(db)
    at = page(db)
    at = at.selectbox(key="delete_choice_0").set_value("customers/2024-02-29").run()
    at = at.button(key="delete_ask").click().run()
    with open_store(db).load_lock():
        at = at.button(key="delete_confirm").click().run()
    assert at.error[0].value == "A load is already running on this database. Try again when it has finished."
    assert state(db) == before


def test_catalogue_numbers(db, tmp_path):
    con = open_store(db).raw()
    con.execute(
        "INSERT INTO surveys (survey_id, survey_date, score, scale_max, channel, branch) VALUES "
        "('S1', DATE '2024-02-03', 9, 10, 'app', 'B1'), ('S2', DATE '2024-01-05', 7, 10, 'app', 'B1')"
    )
    at = page(db)
    cat = frame(at, "Snapshot date / period")
    assert cat[["Table", "Snapshot date / period", "Rows"]].values.tolist() == [
        ["Customers (monthly snapshot)", "2024-01-31", 2],
        ["Customers (monthly snapshot)", "2024-02-29", 3],
        ["Satisfaction surveys", "2024-01-05 – 2024-02-03", 2],
    ]
    options = at.selectbox(key="delete_choice_0").options  # snapshots only, never an event table
    assert options == [
        "Customers (monthly snapshot) · 2024-01-31 · 2",
        "Customers (monthly snapshot) · 2024-02-29 · 3",
    ]


# -- language and the empty database -----------------------------------------------------
def test_chinese_labels(db):
    at = page(db, lang="zh")
    assert not at.exception
    assert at.title[0].value == "数据管理"
    assert [tab.label for tab in at.tabs] == ["导入文件", "已导入数据", "审计日志"]
    assert at.file_uploader[0].label == "文件（CSV、Excel .xlsx、Parquet）"
    assert "500 MB" in at.file_uploader[0].help and "python -m analytics load" in at.file_uploader[0].help
    cat = frame(at, "数据表")
    assert list(cat.columns) == ["数据表", "数据日期 / 期间", "行数", "最近导入时间", "来源"]
    assert cat["数据表"].iloc[0] == "客户（月度快照）"
    at.date_input(key="upload_snapshot").set_value(MAR)
    at = upload_files(at, ("mar.csv", MARCH.encode("gbk")))
    assert metrics(at)["行数"] == "3"
    assert frame(at, "识别方式")["识别方式"].tolist() == ["内置别名"] * 3
    assert at.success[0].value == "全部 3 行均通过校验。"
    assert at.button(key="confirm_load").label == "确认导入"


def test_upload_limit_in_the_help(db):
    at = page(db)
    help_text = at.file_uploader[0].help
    assert "Up to 500 MB per file" in help_text
    assert "`python -m analytics load --table customers FILE...`" in help_text


def test_empty_database_offers_the_demo_and_the_upload(empty_db):
    at = page(empty_db)
    assert not at.exception
    assert at.info[0].value.startswith("**No portfolio data yet**")
    assert "load your own monthly exports below" in at.info[0].value
    assert at.button(key="build_demo").label == "Build the demo portfolio"
    assert len(at.file_uploader) == 1
    assert "Nothing is loaded yet." in [i.value for i in at.info]


def test_the_shell_lists_the_data_page(empty_db):
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    at.switch_page("pages/data.py")
    at = at.run()
    assert not at.exception
    assert at.title[0].value == "Data"
    assert at.button(key="build_demo").label == "Build the demo portfolio"


# -- the pieces behind the page ----------------------------------------------------------
class _File(io.BytesIO):
    def __init__(self, name: str, content: bytes):
        super().__init__(content)
        self.name = name


def test_uploads_keep_their_names_in_a_folder_that_is_deleted():
    req = upload.Upload("customers", (_File("一月.csv", b"a"), _File("b.xlsx", b"bb")), _File("m.toml", b"x"))
    with upload.saved(req) as (paths, mapping):
        assert [p.name for p in paths] == ["一月.csv", "b.xlsx"]
        assert [p.read_bytes() for p in paths] == [b"a", b"bb"]
        assert mapping.name == "m.toml" and mapping.read_bytes() == b"x"
        folder = paths[0].parent
    assert not folder.exists()


def test_duplicate_names_are_refused(db):
    files = (_File("jan.csv", b"a"), _File("dir/jan.csv", b"b"))
    assert upload.duplicate_name(files) == "jan.csv"
    assert upload.duplicate_name(files[:1]) is None
    at = page(db)
    at = upload_files(at, ("jan.csv", b"a"), ("jan.csv", b"b"))
    assert at.error[0].value == "Two of the files are named jan.csv: rename one and upload them again."


def test_mapping_choices_per_table():
    assert list(upload.mapping_choices("complaints")) == ["cfpb_complaints_sample.toml"]
    assert list(upload.mapping_choices("customers")) == [
        "bank_churn_records.toml",
        "uci_bank_marketing_full.toml",
    ]
    assert upload.mapping_choices("surveys") == {}


def test_labels_of_absent_columns_and_sources():
    assert upload.absent_label("mapping default: retail", "zh") == "映射文件默认值：retail"
    assert upload.absent_label("default: 0.0", "en") == "default: 0.0"
    assert upload.absent_label("empty", "zh") == "空值"
    assert upload.absent_label("something new", "en") == "something new"
    assert (
        snapshots.source_label("/tmp/tierscope-upload-x/a.csv, /tmp/tierscope-upload-x/b.csv", "en")
        == "a.csv, b.csv"
    )
    assert snapshots.source_label("demo", "zh") == "演示数据"
    assert snapshots.source_label(None, "en") == ""
