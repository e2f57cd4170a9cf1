"""The export command: a page's default view as a PPTX deck, PNG images or an Excel workbook.

The database is the hand-made tier fixture (25 customers, one at or just below every
threshold, so every tier holds a known number of them) at 2026-09-30, the month before with
a few changes, a handful of prospects, surveys and complaints. The tests that render charts
start headless Chromium and are marked slow; the deck is rendered once for the module.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import openpyxl
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from analytics import __main__ as cli
from analytics import export, report
from analytics.rules import load_rules
from analytics.scope import Filters
from analytics.store import Store
from tests.analytics import tier_fixture
from tests.conftest import REPO, insert_rows

SEP = tier_fixture.SNAPSHOT  # 2026-09-30
AUG = dt.date(2026, 8, 31)
ORG = {"R": ("East", "E1", "E1-01"), "S": ("East", "E2", "E2-01"), "C": ("West", "W1", "W1-01")}

#: Customers per tier at 2026-09-30, counted by hand from tests/analytics/tier_fixture.py.
TIER_COUNTS = {
    "Mass": 2,
    "Emerging": 2,
    "Affluent": 2,
    "High net worth": 2,
    "Private banking": 2,
    "Strategic": 1,
    "Large": 2,
    "Medium": 4,
    "Small": 2,
    "Emerging market": 1,
    "Real estate": 1,
    "Institution (loans)": 1,
    "Above scale": 1,
    "Below scale": 1,
    "Institution (no loans)": 1,
}


def _org(customer_id: str) -> dict:
    # R001-R005 in branch E1, R006-R010 in E2 (both region East), companies and institutions in W1.
    key = "C" if customer_id[0] in "CI" else ("R" if int(customer_id[1:]) <= 5 else "S")
    region, branch, rm = ORG[key]
    return {"region": region, "branch": branch, "rm_id": rm, "customer_name": f"Name {customer_id}"}


def _customers(snapshot: dt.date) -> list[dict]:
    rows = [r | _org(r["customer_id"]) for r in tier_fixture.rows(snapshot)]
    if snapshot == AUG:
        rows = [r for r in rows if r["customer_id"] != "R010"]  # R010 is new in September
        for r in rows:
            if r["customer_id"] == "R006":  # high net worth in August, affluent in September
                r["aum"] = 1_500_000.0
        # R011 is affluent in August and gone in September
        rows.append(
            {"snapshot_date": AUG, "customer_id": "R011", "segment": "retail", "aum": 300_000.0}
            | _org("R011")
        )
    return rows


def build(path) -> None:
    """The fixture database at ``path``."""
    s = Store(path)
    insert_rows(s, "customers", _customers(AUG) + _customers(SEP))
    insert_rows(
        s,
        "prospects",
        [
            {
                "snapshot_date": SEP,
                "prospect_id": f"P{i}",
                "prospect_name": f"Prospect {i}",
                "region": "West",
                "branch": "W1",
                "industry_score": 20.0 * i,
                "growth_score": 50.0,
                "influence_score": 10.0 * i,
                "fit_score": 90.0 - 15 * i,
                "estimated_aum": 1_000_000.0 * i,
            }
            for i in range(1, 5)
        ],
    )
    months = [dt.date(2026, m, 15) for m in range(4, 10)]
    insert_rows(
        s,
        "surveys",
        [
            {
                "survey_id": f"S{m.month}{k}",
                "survey_date": m,
                "customer_id": f"R00{k + 1}",
                "score": float(6 + (m.month + k) % 4),
                "branch": "E1",
                "region": "East",
            }
            for m in months
            for k in range(2)
        ],
    )
    insert_rows(
        s,
        "complaints",
        [
            {
                "complaint_id": f"K{m.month}",
                "customer_id": "R003",
                "received_date": m,
                "category": "fees",
                "branch": "E1",
                "region": "East",
                "resolved_date": m + dt.timedelta(days=5),
                "status": "resolved",
            }
            for m in months
        ],
    )
    s.close()


def run(*args: str, db=None, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "analytics", *args]
    if db is not None:
        cmd += ["--db", str(db)]
    base = {k: v for k, v in os.environ.items() if k != "TIERSCOPE_DEBUG"}
    return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=base | (env or {}), timeout=300)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "fixture.duckdb"
    build(path)
    return path


@pytest.fixture(scope="module")
def deck(db, tmp_path_factory):
    """The overview as a deck, rendered once: (JSON payload, the presentation)."""
    out = tmp_path_factory.mktemp("deck") / "overview.pptx"
    done = run("export", "--page", "overview", "--format", "pptx", "--out", str(out), "--json", db=db)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return json.loads(done.stdout), Presentation(str(out))


def _slide_table(slide) -> list[list[str]]:
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    return [[cell.text for cell in row.cells] for row in table.rows]


# -- the report: every page's default view, without rendering ---------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", report.PAGES)
def test_every_page_has_a_report_on_the_fixture(db, page, lang):
    store = Store(db)
    try:
        built = report.page_report(store, page, rules=load_rules(), lang=lang)
    finally:
        store.close()
    assert built.page == page and built.snapshot_date == SEP
    assert built.charts or built.tables
    for item in built.items:
        assert item.title
        assert item.kind != "skipped" or item.note  # a view a page cannot show says why
        if item.figure is not None:
            assert item.figure.layout.title.text  # titled, with its subtitle
        if item.table is not None:
            assert not item.table.empty
    if lang == "en":
        assert built.subtitle == "Snapshot 2026-09-30 · Head office · Rules: Default rules (DESIGN.md) v1"
    else:
        assert built.subtitle.startswith("数据日期 2026-09-30 · 总行")


def test_the_overview_report_holds_the_hand_counted_tiers_and_the_page_defaults(db):
    store = Store(db)
    try:
        built = report.page_report(store, "overview", rules=load_rules())
    finally:
        store.close()
    assert [i.kind for i in built.items] == [
        "table",  # headline figures
        "chart",  # tier pyramid
        "table",  # tier summary
        "chart",  # AUM by tier over time
        "chart",  # profit by tier over time
        "chart",  # league one level down: regions at head office
        "table",
        "chart",  # Lorenz curve
        "table",  # top 20 customers
    ]
    tiers = next(i.table for i in built.items if i.title == "Tier summary")
    assert dict(zip(tiers["Tier"], tiers["Customers"], strict=True)) == TIER_COUNTS
    private = tiers[tiers["Tier"] == "Private banking"].iloc[0]
    assert (private["AUM"], private["Profit contribution"]) == (85_000_000.0, 145.0)
    league = next(i.table for i in built.items if i.title == "League table by region")
    assert dict(zip(league["Region"], league["Customers"], strict=True)) == {"East": 10, "West": 15}
    head = next(i.table for i in built.items if i.title == "Headline figures")
    assert list(head.columns[:3]) == ["Measure", "2026-09-30", "2026-08-31"]
    assert list(head.iloc[0, :3]) == ["Customers", 25, 25]  # 25 - R010 + R011 in August
    top = built.items[-1].table
    assert len(top) == 20 and top.iloc[0]["Customer ID"] == "R010"  # the one with a profit


def test_the_migration_report_uses_the_previous_snapshot_and_lists_the_lost_high_tier_customer(db):
    store = Store(db)
    try:
        built = report.page_report(store, "migration", rules=load_rules())
    finally:
        store.close()
    assert built.items[1].figure.layout.title.text.endswith(
        "Snapshots 2026-08-31 → 2026-09-30 · Head office · Rules: Default rules (DESIGN.md) v1</sup>"
    )
    rates = built.items[0].table
    assert dict(zip(rates["Measure"], rates["Customers"], strict=True))["Closure rate"] == 1  # R011
    losses = next(i.table for i in built.items if i.title == "High-tier losses")
    assert list(losses["Customer ID"]) == ["R006"]  # high net worth in August, affluent now
    # 2 snapshots: no 3-month backtest, said so
    assert built.skipped[-1].note.startswith("No snapshot 3 months before 2026-09-30")


def test_a_segment_narrows_every_table(db):
    store = Store(db)
    try:
        built = report.page_report(store, "overview", rules=load_rules(), filters=Filters(segment="retail"))
    finally:
        store.close()
    assert built.subtitle.startswith("Snapshot 2026-09-30 · Retail · Head office")
    tiers = next(i.table for i in built.items if i.title == "Tier summary")
    assert int(tiers["Customers"].sum()) == 10


def test_the_command_knows_the_pages_of_the_report():
    assert cli.EXPORT_PAGES == report.PAGES


# -- the files --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_overview_deck_has_a_title_a_slide_per_chart_and_the_tables(deck):
    payload, prs = deck
    assert (payload["page"], payload["format"], payload["charts"], payload["tables"]) == (
        "overview",
        "pptx",
        5,
        4,
    )
    assert payload["skipped"] == [] and payload["snapshot_date"] == "2026-09-30"
    assert (prs.slide_width, prs.slide_height) == (12_192_000, 6_858_000)  # 16:9
    slides = list(prs.slides)
    # 1 title + 5 charts + tables of 5, 15, 2 and 20 rows (15 a slide: the top 20 take two)
    assert len(slides) == 1 + 5 + (1 + 1 + 1 + 2)
    assert slides[0].shapes.title.text == "Tierscope · Overview"
    pictures = [s for s in slides if any(sh.shape_type == MSO_SHAPE_TYPE.PICTURE for sh in s.shapes)]
    assert [s.shapes.title.text for s in pictures] == [
        "Tier pyramid: share of customers and of AUM",
        "AUM by tier, every snapshot",
        "Profit contribution by tier, every snapshot",
        "Region ranked by AUM",
        "Lorenz curve of profit contribution",
    ]
    foot = [sh for sh in pictures[0].shapes if sh.name == "Footnote"][0].text_frame.text
    assert foot.endswith(f"Source: Tierscope, fixture.duckdb · Exported {dt.date.today().isoformat()}")

    tier_slide = next(s for s in slides if s.shapes.title.text == "Tier summary")
    rows = _slide_table(tier_slide)
    assert rows[0][:3] == ["Segment", "Tier", "Customers"]
    assert {r[1]: int(r[2]) for r in rows[1:]} == TIER_COUNTS
    assert ["Retail", "Private banking", "2", "85,000,000.00", "145.00"] in rows


@pytest.mark.slow
def test_png_export_writes_one_full_hd_image_per_chart(db, tmp_path):
    out = tmp_path / "images" / "standards"  # created, parents too
    done = run("export", "--page", "standards", "--format", "png", "--out", str(out), "--json", db=db)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [
        "01-service-standards-share-of-customers-meeting-each.png",
        "02-combined-score-by-region.png",
    ]
    assert payload["files"] == [str(f) for f in files] and (payload["charts"], payload["tables"]) == (2, 0)
    assert [export.png_size(f.read_bytes()) for f in files] == [(1920, 1080)] * 2


def test_xlsx_export_has_a_sheet_per_table_with_the_numbers(db, tmp_path):
    out = tmp_path / "overview.xlsx"
    done = run("export", "--page", "overview", "--format", "xlsx", "--out", str(out), db=db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {out}: Tierscope · Overview")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "Headline figures",
        "Tier summary",
        "League table by region",
        "Top 20 customers by profit cont",  # 31 characters at most
    ]
    tiers = list(book["Tier summary"].iter_rows(values_only=True))
    assert tiers[0] == ("Segment", "Tier", "Customers", "AUM", "Profit contribution")
    assert ("Retail", "Private banking", 2, 85_000_000, 145) in tiers
    assert sum(r[2] for r in tiers[1:]) == 25
    assert [p.name for p in tmp_path.iterdir()] == ["overview.xlsx"]  # no temporary file left


def test_xlsx_in_chinese_names_tiers_in_chinese(db, tmp_path):
    out = tmp_path / "tiers.xlsx"
    done = run("export", "--page", "tuner", "--format", "xlsx", "--lang", "zh", "--out", str(out), db=db)
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out)
    first = list(book.worksheets[0].iter_rows(values_only=True))
    assert first[0][:2] == ("层级", "客户数（当前）")
    assert first[5][:2] == ("私人银行客户", 2)


# -- errors: exit status 2, a message naming the problem, no file -----------------------------------


def test_an_unknown_snapshot_is_refused(db, tmp_path):
    out = tmp_path / "deck.pptx"
    done = run(
        "export",
        "--page",
        "overview",
        "--format",
        "pptx",
        "--out",
        str(out),
        "--snapshot",
        "2020-01-31",
        db=db,
    )
    assert done.returncode == 2
    assert "snapshot 2020-01-31 is not loaded (loaded: 2026-08-31, 2026-09-30)" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_png_to_a_file_is_refused(db, tmp_path):
    out = tmp_path / "charts"
    out.write_text("keep me", encoding="utf-8")
    done = run("export", "--page", "overview", "--format", "png", "--out", str(out), db=db)
    assert done.returncode == 2
    assert f"--out {out} is a file" in done.stderr
    assert out.read_text(encoding="utf-8") == "keep me"


def test_an_empty_database_is_refused(tmp_path):
    empty = tmp_path / "empty.duckdb"
    Store(empty).close()
    out = tmp_path / "deck.pptx"
    done = run("export", "--page", "overview", "--format", "pptx", "--out", str(out), db=empty)
    assert done.returncode == 2
    assert "no snapshots are loaded" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_a_failed_render_leaves_no_file(db, tmp_path):
    out = tmp_path / "deck.pptx"
    done = run(
        "export",
        "--page",
        "tuner",
        "--format",
        "pptx",
        "--out",
        str(out),
        db=db,
        env={"BROWSER_PATH": "/nonexistent/chromium"},
    )
    assert done.returncode == 2
    assert "BROWSER_PATH" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_file_name_of_another_format_is_refused(db, tmp_path):
    done = run("export", "--page", "overview", "--format", "pptx", "--out", str(tmp_path / "x.xlsx"), db=db)
    assert done.returncode == 2
    assert "ends in .xlsx but --format is pptx" in done.stderr


# -- access scope: --scope and --mask ----------------------------------------------------------------


def _sheet_values(book, header: str) -> set:
    found = set()
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if rows and header in rows[0]:
            at = rows[0].index(header)
            found |= {r[at] for r in rows[1:] if r[at] is not None}
    return found


@pytest.mark.parametrize("page", report.PAGES)
def test_a_branch_scoped_export_holds_that_branch_only(db, tmp_path, page):
    out = tmp_path / f"{page}.xlsx"
    done = run("export", "--page", page, "--format", "xlsx", "--out", str(out), "--scope", "branch:E1", db=db)
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out)
    assert _sheet_values(book, "Branch") <= {"E1"}
    assert _sheet_values(book, "Relationship manager") <= {"E1-01"}
    assert _sheet_values(book, "Customer ID") <= {f"R00{i}" for i in range(1, 6)}
    if page == "overview":
        tiers = list(book["Tier summary"].iter_rows(values_only=True))
        assert sum(r[2] for r in tiers[1:]) == 5  # R001-R005, the customers of E1


def test_a_masked_export_shows_pseudonyms_and_the_command_is_audited(db, tmp_path):
    out = tmp_path / "masked.xlsx"
    done = run("export", "--page", "overview", "--format", "xlsx", "--out", str(out), "--mask", db=db)
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out)
    ids = _sheet_values(book, "Customer ID")
    assert ids and all(str(i).startswith("#") for i in ids)
    assert _sheet_values(book, "Customer name") == {"***"}
    listed = run("audit", "--json", db=db)
    rows = json.loads(listed.stdout)["rows"]
    assert rows[0]["action"] == "export" and rows[0]["username"].startswith("cli")
    assert "page overview" in rows[0]["detail"]
    assert run("audit", "--verify", db=db).returncode == 0


def test_scoped_numbers_on_the_command_line(db):
    done = run("tiers", "--json", "--scope", "rm:W1-01", db=db)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert sum(r["customers"] for r in rows) == 15  # the companies and institutions of W1
    assert all(r["customers"] == 0 for r in rows if r["segment"] == "retail")
    bad = run("tiers", "--scope", "region:East", db=db)
    assert bad.returncode == 2 and "bank, branch:ID, rm:ID" in bad.stderr
