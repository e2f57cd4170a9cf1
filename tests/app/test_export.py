"""Export controls in the app: every chart and table has them, files hold what the page shows,
and the deck basket builds a deck.

Files are made on click (a callable as the download button's data); the ``deferred`` fixture
keeps each callable so a test can run it as Streamlit runs it for the browser. Rendering
charts needs Chromium: those tests are marked slow.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from streamlit.testing.v1 import AppTest

from analytics.demo import build_demo
from analytics.export import SLIDE_HEIGHT, SLIDE_WIDTH, png_size
from analytics.store import Store
from tests.app.conftest import download, download_keys
from tests.conftest import REPO, insert_rows
from ui import export

D1, D2 = dt.date(2026, 8, 31), dt.date(2026, 9, 30)
PAGES = ("overview", "segmentation", "migration", "trends", "tuner", "standards")


@pytest.fixture
def db(tmp_path, monkeypatch):
    """Four customers at 2026-09-30 (one at 2026-08-31): tiers a person can check by hand.

    A retail 150k (emerging), B retail 6M (private banking), C corporate with a loan and no
    sales figure (small), E retail 40k (mass) whose name a spreadsheet would run as a formula.
    """
    path = tmp_path / "export.duckdb"
    s = Store(path)
    insert_rows(
        s,
        "customers",
        [
            dict(snapshot_date=D1, customer_id="A", segment="retail", aum=100_000.0),
            dict(snapshot_date=D2, customer_id="A", segment="retail", aum=150_000.0, customer_name="Ann"),
            dict(snapshot_date=D2, customer_id="B", segment="retail", aum=6_000_000.0, fee_income=12_000.0),
            dict(
                snapshot_date=D2, customer_id="C", segment="corporate", aum=50_000.0, loan_balance=2_000_000.0
            ),
            dict(
                snapshot_date=D2,
                customer_id="E",
                segment="retail",
                aum=40_000.0,
                customer_name="=cmd|'/c calc'!A1",
            ),
        ],
    )
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    return path


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    """A small demo portfolio: every page has every chart and table."""
    path = tmp_path_factory.mktemp("export") / "demo.duckdb"
    store = Store(path)
    build_demo(store, customers=400, months=13, seed=7, end=dt.date(2026, 10, 31))
    store.close()
    return path


def _app(page: str = "overview", **query: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120)
    at.query_params.update(query)
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def _main_tables(at: AppTest) -> list:
    # The tables of the page (the sidebar has none): each has its export buttons.
    return [d for d in at.dataframe if d not in at.sidebar.dataframe]


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_and_table_has_the_same_export_controls(demo_path, monkeypatch, page):
    monkeypatch.setenv("TIERSCOPE_DB", str(demo_path))
    at = _app(page, segment="retail")
    keys = download_keys(at)
    charts = at.get("plotly_chart")
    assert charts, f"{page} shows no chart"
    pngs = [k for k in keys if k.startswith("ex_") and k.endswith("_png")]
    svgs = [k for k in keys if k.startswith("ex_") and k.endswith("_svg")]
    assert len(pngs) == len(svgs) == len(charts)
    # Every chart and every table can go to the deck; every table has Excel
    xlsx = [k for k in keys if k.startswith("ex_") and k.endswith("_xlsx")]
    assert len(xlsx) >= len(_main_tables(at))
    decks = {b.key for b in at.button if b.key and b.key.startswith("ex_") and b.key.endswith("_deck")}
    table_decks = {k.removesuffix("_xlsx") + "_deck" for k in xlsx} & decks
    assert len(decks - table_decks) == len(charts)
    # Each chart stands on its own: the subtitle names the filters and the rules (and the
    # snapshot, except the charts over every month)
    for title in _titles(at):
        sub = title.split("<br>", 1)[1]
        assert "Retail" in sub, title
        assert "v1" in sub, title  # the rules version
    # File names: the chart's title, the snapshot, the format
    names = [b.proto.id for b in at.get("download_button") if b.proto.id.endswith("_png")]
    assert names


def test_tables_download_as_csv_and_excel_with_what_the_page_shows(db, deferred):
    at = _app()
    shown = [d.value for d in at.dataframe if d.value.columns[0] == "Segment"][0]
    data, name = download(at, "ex_tier_table_csv", deferred)
    assert name == "Tier-summary_2026-09-30.csv"
    frame = pd.read_csv(io.StringIO(data.decode("utf-8-sig")))
    assert list(frame.columns) == list(shown.columns)
    by_tier = frame.set_index("Tier")["Customers"]
    assert by_tier["Emerging"] == 1 and by_tier["Private banking"] == 1 and by_tier["Small"] == 1
    assert by_tier["Mass"] == 1 and by_tier.sum() == 4
    assert frame.set_index("Tier").loc["Private banking", "AUM"] == 6_000_000

    data, name = download(at, "ex_tier_table_xlsx", deferred)
    assert name == "Tier-summary_2026-09-30.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert sheet.title == "Tier summary"
    assert sheet.freeze_panes == "A2"  # the header stays in view
    assert sheet["A1"].font.b  # bold header
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(shown.columns)
    private = next(r for r in rows if r[1] == "Private banking")
    assert private[2] == 1 and private[3] == 6_000_000  # numbers stay numbers
    assert sheet.cell(row=rows.index(private) + 1, column=4).number_format == "#,##0.00"
    # The page header names what the table covers
    assert "Snapshot 2026-09-30" in book.properties.title and "v1" in book.properties.title

    # A name a spreadsheet would run: neutralised in CSV, text (quote prefix) in Excel
    data, _ = download(at, "ex_ov_top_customers_csv", deferred)
    text = data.decode("utf-8-sig")
    assert "'=cmd|'/c calc'!A1" in text and ",=cmd" not in text
    data, _ = download(at, "ex_ov_top_customers_xlsx", deferred)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=cmd|'/c calc'!A1"]
    assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].quotePrefix


def test_add_to_deck_collects_charts_and_tables(db):
    at = _app()
    pyramid = next(
        b for b in at.button if b.key and b.key.endswith("_deck") and b.key != "ex_tier_table_deck"
    )
    pyramid.click().run()
    at.button(key="ex_tier_table_deck").click().run()
    items = at.session_state[export.DECK_KEY]
    assert [i.title for i in items] == ["Tier pyramid: share of customers and of AUM", "Tier summary"]
    chart, table = items
    assert chart.figure is not None and chart.table_optional and "Private banking" in set(chart.table["Tier"])
    assert table.figure is None and not table.table_optional and "Snapshot 2026-09-30" in table.note
    # The same chart again is not added twice
    at.button(key="ex_tier_table_deck").click().run()
    assert len(at.session_state[export.DECK_KEY]) == 2
    assert "Already in the deck: Tier summary" in [t.value for t in at.toast]


def test_the_sidebar_deck_lists_the_basket_and_offers_the_deck(db, deferred):
    table = pd.DataFrame({"Tier": ["Mass", "Private banking"], "Customers": [1, 1]})
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120)
    at.session_state[export.DECK_KEY] = [
        export.DeckItem(id="t1", title="Tier summary", table=table, note="Snapshot 2026-09-30")
    ]
    at.run()
    assert not at.exception
    assert "Deck · 1" in [e.label for e in at.sidebar.expander]
    assert "0 charts, 1 tables." in [c.value for c in at.sidebar.caption]
    data, name = download(at, "deck_download", deferred)
    assert name == f"Tierscope-portfolio-review_{dt.date.today().isoformat()}.pptx"
    prs = Presentation(io.BytesIO(data))
    assert (prs.slide_width, prs.slide_height) == (SLIDE_WIDTH, SLIDE_HEIGHT)
    assert len(prs.slides) == 2  # title slide, table slide
    texts = [s.text_frame.text for s in prs.slides[1].shapes if s.has_text_frame]
    assert "Tier summary" in texts
    cells = [c.text for s in prs.slides[1].shapes if s.has_table for row in s.table.rows for c in row.cells]
    assert "Private banking" in cells


def test_an_empty_deck_says_how_to_fill_it(db):
    at = _app()
    assert "Deck · 0" in [e.label for e in at.sidebar.expander]
    assert not [k for k in download_keys(at) if k == "deck_download"]


@pytest.mark.slow
def test_chart_png_svg_and_a_deck_of_charts_and_tables(db, deferred):
    at = _app()
    key = next(k for k in download_keys(at) if k.endswith("_png"))
    data, name = download(at, key, deferred)
    assert name == "Tier-pyramid-share-of-customers-and-of-AUM_2026-09-30.png"
    assert png_size(data) == (1920, 1080)
    data, name = download(at, key.replace("_png", "_svg"), deferred)
    assert name.endswith(".svg") and data.lstrip().startswith(b"<svg")
    assert b"Snapshot 2026-09-30" in data and b"Exported " in data  # subtitle and footnote
    # A sharper PNG: the same 16:9 layout at twice the pixels
    fig = at.get("plotly_chart")[0]
    big = export.chart_image(json.loads(fig.proto.spec), fmt="png", scale=2, source="Tierscope, x", lang="en")
    assert png_size(big) == (3840, 2160)

    pyramid = next(
        b
        for b in at.button
        if b.key and b.key.endswith("_deck") and b.key.startswith("ex_") and b.key != "ex_tier_table_deck"
    )
    pyramid.click().run()
    at.button(key="ex_tier_table_deck").click().run()
    items = tuple(at.session_state[export.DECK_KEY])
    plain = Presentation(
        io.BytesIO(export.deck_file(items, tables=False, title="Review", subtitle="s", source="x", lang="en"))
    )
    assert len(plain.slides) == 3  # title, the chart, the tier table
    pictures = [s for s in plain.slides[1].shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 1
    with_tables = Presentation(
        io.BytesIO(export.deck_file(items, tables=True, title="Review", subtitle="s", source="x", lang="en"))
    )
    assert len(with_tables.slides) == 4  # ... and the table behind the chart after it
    assert [s.has_table for s in with_tables.slides[2].shapes].count(True) == 1


@pytest.mark.slow
def test_chinese_chart_exports(db, deferred):
    at = _app(lang="zh")
    key = next(k for k in download_keys(at) if k.endswith("_png"))
    data, name = download(at, key, deferred)
    assert png_size(data) == (1920, 1080)
    assert name.endswith("_2026-09-30.png") and "金字塔" in name
    svg, _ = download(at, key.replace("_png", "_svg"), deferred)
    assert "数据日期 2026-09-30".encode() in svg and "数据来源".encode() in svg
