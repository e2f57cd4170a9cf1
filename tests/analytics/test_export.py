"""Exports: PNG/SVG sizes and Chinese text, the PPTX deck, Excel and CSV tables.

The chart tests render in headless Chromium (marked slow); the table tests and the
table-only deck do not need a browser.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import threading

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from analytics import charts, export
from analytics.errors import ExportError, TierscopeError
from analytics.export import DeckSlide, deck_pptx, figure_image, neutralise, safe_csv, tables_xlsx
from analytics.rules import TIER_ORDER
from analytics.tiers import TIER_SEGMENT

INJECTIONS = ["=cmd", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
CREATED = dt.date(2026, 10, 5)
FOOTNOTE = "Source: Demo portfolio · Exported 2026-10-05"


def _png_size(data: bytes) -> tuple[int, int]:
    # The IHDR chunk follows the 8-byte signature: length, b"IHDR", width, height (big-endian).
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _tiers() -> pd.DataFrame:
    base = dict.fromkeys(TIER_ORDER, 0) | {"mass": 10, "affluent": 4, "hnw": 3, "private": 1, "large": 2}
    scen = dict(base) | {"hnw": 2, "private": 2}
    frame = pd.DataFrame({"segment": [TIER_SEGMENT[x] for x in TIER_ORDER], "tier": list(TIER_ORDER)})
    frame["baseline_customers"] = [base[x] for x in TIER_ORDER]
    frame["scenario_customers"] = [scen[x] for x in TIER_ORDER]
    for m, unit in (("aum", 1_000_000.0), ("profit", 10.0)):
        frame[f"baseline_{m}"] = frame["baseline_customers"] * unit
        frame[f"scenario_{m}"] = frame["scenario_customers"] * unit
    return frame


def _bars(lang: str = "en") -> go.Figure:
    sub = "快照 2026-09-30 · 总行 · 规则 default v1" if lang == "zh" else "Snapshot 2026-09-30 · Head office"
    return charts.tuner_tier_bars(_tiers(), measure="customers", lang=lang, subtitle=sub)


def _book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


# -- CSV --------------------------------------------------------------------------------------------


def test_neutralise_quotes_formula_text_and_keeps_numbers():
    assert [neutralise(v) for v in INJECTIONS] == ["'=cmd", "'+1", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx"]
    assert neutralise("Ann") == "Ann" and neutralise("") == ""
    assert neutralise(-5) == -5 and neutralise(-1.5) == -1.5 and neutralise(None) is None


def test_safe_csv_has_a_bom_neutralises_text_and_keeps_negative_numbers():
    frame = pd.DataFrame(
        {
            "name": ["=cmd", "张三"],
            "aum": [-1.5, 2.0],
            "n": [-5, 3],
            "kind": pd.Categorical(["@SUM(A1)", "ok"]),
            "=hdr": ["a", "b"],
        }
    )
    data = safe_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [
        "name,aum,n,kind,'=hdr",
        "'=cmd,-1.5,-5,'@SUM(A1),a",
        "张三,2.0,3,ok,b",
    ]


def test_ui_migration_uses_the_same_functions():
    from ui import migration

    assert migration.safe_csv is safe_csv and migration.neutralise is neutralise


# -- Excel ------------------------------------------------------------------------------------------


def test_xlsx_header_is_bold_filled_and_frozen_and_numbers_are_formatted():
    frame = pd.DataFrame(
        {
            "tier": ["Mass", "Private"],
            "customers": [1200, 3],
            "aum": [1234.5, -99.25],
            "customers_share": [0.125, 0.875],
            "Share of AUM %": [12.5, 87.5],
            "snapshot_date": pd.to_datetime(["2026-09-30", "2026-10-31"]),
        }
    )
    book = _book(tables_xlsx({"Tiers": frame}, title="Tier summary"))
    assert book.sheetnames == ["Tiers"]
    assert book.properties.title == "Tier summary"
    sheet = book["Tiers"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == list(frame.columns)
    assert all(c.font.b for c in sheet[1])
    assert sheet["A1"].fill.fgColor.rgb.endswith("DCE6F1")
    assert not sheet["A2"].font.b
    # integers, floats, shares as fractions, shares in percentage points, dates
    assert (sheet["B2"].value, sheet["B2"].number_format) == (1200, "#,##0")
    assert (sheet["C3"].value, sheet["C3"].number_format) == (-99.25, "#,##0.00")
    assert (sheet["D2"].value, sheet["D2"].number_format) == (0.125, "0.0%")
    assert (sheet["E2"].value, sheet["E2"].number_format) == (12.5, '0.0"%"')
    assert sheet["F2"].is_date and sheet["F2"].number_format == "yyyy-mm-dd"
    assert sheet["F2"].value == dt.datetime(2026, 9, 30)
    # the widest value fits: "Share of AUM %" is 14 characters wide, "snapshot_date" 13
    assert sheet.column_dimensions["E"].width >= 14
    assert sheet.column_dimensions["F"].width >= 13


def test_xlsx_never_writes_formulas_and_negative_numbers_stay_numbers():
    frame = pd.DataFrame({"text": INJECTIONS, "number": [-5, -1, 0, 1, 2, 3], "=hdr": ["ok"] * 6})
    sheet = _book(tables_xlsx([("Injection", frame)])).active
    for row, text in enumerate(INJECTIONS, start=2):
        cell = sheet.cell(row, 1)
        assert cell.data_type == "s", text  # a string, not a formula ("f")
        # kept as typed (a carriage return is stored as OOXML's escape _x000D_, which Excel
        # reads back as the character and openpyxl leaves as it is) and marked as text
        assert cell.value == text.replace("\r", "_x000D_") and cell.quotePrefix
    assert sheet["A1"].value == "text" and not sheet["A1"].quotePrefix
    assert sheet["C1"].value == "=hdr" and sheet["C1"].data_type == "s" and sheet["C1"].quotePrefix
    assert (sheet["B2"].value, sheet["B2"].data_type) == (-5, "n")
    assert (sheet["B3"].value, sheet["B3"].data_type) == (-1, "n")
    assert not sheet["C2"].quotePrefix  # plain text is left alone


def test_xlsx_missing_values_booleans_ids_and_chinese():
    frame = pd.DataFrame(
        {
            "客户号": ["000123", "456"],
            "big": [123456789012345678, 5],
            "x": [float("nan"), 1.0],
            "flag": [True, False],
            "opened": [dt.date(2020, 1, 2), None],
        }
    )
    sheet = _book(tables_xlsx({"客户": frame})).active
    assert sheet.title == "客户"
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("000123", "s")  # leading zeros kept
    assert (sheet["B2"].value, sheet["B2"].data_type) == ("123456789012345678", "s")  # > 15 digits
    assert (sheet["B3"].value, sheet["B3"].data_type) == (5, "n")
    assert sheet["C2"].value is None and sheet["C3"].value == 1
    assert sheet["D2"].value is True and sheet["D3"].value is False
    assert sheet["E2"].value == dt.datetime(2020, 1, 2) and sheet["E3"].value is None


def test_xlsx_sheet_names_are_valid_and_unique():
    empty = pd.DataFrame({"a": [1]})
    names = ["a/b", "A_B", "x" * 40, "x" * 40, "[Q3]: *?", "", "History"]
    book = _book(tables_xlsx([(n, empty) for n in names]))
    assert book.sheetnames == [
        "a_b",
        "A_B (2)",
        "x" * 31,
        "x" * 27 + " (2)",
        "_Q3__ __",
        "Sheet6",
        "History_",
    ]


def test_xlsx_needs_a_table():
    with pytest.raises(ValueError):
        tables_xlsx({})


# -- charts: errors that need no browser -------------------------------------------------------------


def test_a_missing_browser_is_an_export_error_naming_browser_path(monkeypatch):
    export.stop_renderer()
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(ExportError, match="BROWSER_PATH") as caught:
        figure_image(_bars())
    assert isinstance(caught.value, TierscopeError)
    assert "/nonexistent/chromium" in str(caught.value)
    assert not export.renderer_running()


def test_bad_formats_and_sizes_are_refused_before_rendering():
    with pytest.raises(ValueError, match="format"):
        figure_image(_bars(), format="gif")
    with pytest.raises(ValueError):
        figure_image(_bars(), width=0)
    with pytest.raises(ValueError, match="neither"):
        deck_pptx([DeckSlide("Empty")], title="T", subtitle="S", source="Demo", created=CREATED)


# -- the deck without charts -------------------------------------------------------------------------


def test_table_slides_hold_15_rows_and_8_columns_each():
    frame = pd.DataFrame({f"c{j}": range(j * 100, j * 100 + 20) for j in range(10)})
    frame["c0"] = frame["c0"] * 1000  # 0, 1,000, 2,000, ...
    small = pd.DataFrame({"tier": ["Mass", "客户"], "customers_share": [0.25, 0.75], "AUM %": [40.0, 60.0]})
    data = deck_pptx(
        [DeckSlide("Big table", table=frame, note="Demo data"), DeckSlide("分层", table=small)],
        title="Tierscope",
        subtitle="Snapshot 2026-09-30",
        source="Demo portfolio",
        created=dt.datetime(2026, 10, 5, 14, 30),
    )
    deck = Presentation(io.BytesIO(data))
    assert (deck.slide_width, deck.slide_height) == (12192000, 6858000)
    slides = list(deck.slides)
    assert len(slides) == 1 + 2 + 1  # title, the 20 rows on 2 slides, the small table
    assert [s.shapes.title.text for s in slides] == [
        "Tierscope",
        "Big table (1/2)",
        "Big table (2/2)",
        "分层",
    ]
    tables = [[sh.table for sh in s.shapes if sh.has_table] for s in slides[1:]]
    assert [len(t) for t in tables] == [1, 1, 1]
    first, second, third = (t[0] for t in tables)
    assert (len(first.rows), len(first.columns)) == (16, 8)  # header + 15 rows, 8 of 10 columns
    assert (len(second.rows), len(second.columns)) == (6, 8)
    assert [c.text for c in first.rows[0].cells] == [f"c{j}" for j in range(8)]
    assert [first.cell(2, j).text for j in (0, 1)] == ["1,000", "101"]
    assert second.cell(1, 0).text == "15,000"
    assert [third.cell(1, j).text for j in range(3)] == ["Mass", "25.0%", "40.0%"]
    assert third.cell(2, 0).text == "客户"
    notes = [s.shapes[-1].text_frame.text for s in slides]
    assert notes[0] == FOOTNOTE
    assert notes[1] == notes[2] == f"Demo data · The first 8 of 10 columns shown.\n{FOOTNOTE}"
    assert notes[3] == FOOTNOTE


def test_long_tables_stop_after_5_slides_with_a_note():
    frame = pd.DataFrame({"n": range(100)})
    deck = Presentation(
        io.BytesIO(
            deck_pptx(
                [DeckSlide("Rows", table=frame)],
                title="T",
                subtitle="S",
                source="Demo portfolio",
                created=CREATED,
            )
        )
    )
    slides = list(deck.slides)[1:]
    assert [s.shapes.title.text for s in slides] == [f"Rows ({i}/5)" for i in range(1, 6)]
    last = [sh.table for sh in slides[-1].shapes if sh.has_table][0]
    assert last.cell(15, 0).text == "74"
    assert "Rows 1–75 of 100 shown" in slides[-1].shapes[-1].text_frame.text


# -- charts in the browser ----------------------------------------------------------------------------


@pytest.mark.slow
def test_png_sizes_follow_width_height_and_scale_not_the_page_height():
    fig = _bars()
    assert fig.layout.height == 480  # its height on the page
    assert _png_size(figure_image(fig)) == (1920, 1080)
    assert _png_size(figure_image(fig, scale=2)) == (3840, 2160)
    assert _png_size(figure_image(fig.to_dict(), width=800, height=450)) == (800, 450)
    assert _png_size(figure_image(fig.to_json(), width=1280, height=720, scale=1.5)) == (1920, 1080)


@pytest.mark.slow
def test_one_browser_serves_every_export():
    figure_image(_bars(), width=400, height=300)
    renderer = export._renderer
    assert renderer is not None and export.renderer_running()
    figure_image(_bars(), format="svg")
    assert export._renderer is renderer


@pytest.mark.slow
def test_svg_is_svg_text_with_the_title():
    svg = figure_image(_bars(), format="svg").decode("utf-8")
    assert svg.startswith("<svg")
    assert 'width="1920"' in svg and 'height="1080"' in svg
    assert "Customers per tier: current rules vs scenario" in svg
    assert "Snapshot 2026-09-30" in svg


@pytest.mark.slow
def test_chinese_labels_render_with_the_cjk_font():
    from PIL import Image

    fig = _bars("zh")
    svg = figure_image(fig, format="svg").decode("utf-8")
    assert "快照 2026-09-30" in svg and "大众客户" in svg  # subtitle and a tier name
    assert "Noto Sans CJK SC" in svg  # the theme's font, first in the family

    def title_band(text: str) -> Image.Image:
        one = go.Figure(go.Bar(x=[1], y=[1]), layout=dict(template=charts.TEMPLATE, title=text))
        png = figure_image(one, width=800, height=450)
        return Image.open(io.BytesIO(png)).convert("L").crop((0, 0, 400, 60))

    band = title_band("客户分层")
    assert band.getextrema()[0] < 128  # dark title pixels on the white paper
    # Missing glyphs would all be the same box: two different words must differ.
    assert band.tobytes() != title_band("资产占比").tobytes()


@pytest.mark.slow
def test_concurrent_exports_each_get_their_own_image():
    sizes = [(400 + 20 * i, 300) for i in range(4)]
    results: dict[int, tuple[int, int]] = {}

    def run(i: int) -> None:
        results[i] = _png_size(figure_image(_bars(), width=sizes[i][0], height=sizes[i][1]))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert results == dict(enumerate(sizes))


@pytest.mark.slow
def test_deck_has_a_title_slide_a_slide_per_chart_and_table_slides():
    table = pd.DataFrame({"tier": ["Mass", "Affluent", "Private"], "customers": [10, 4, 1]})
    items = [
        DeckSlide("Customers per tier", _bars(), note="Scenario: private from 3M"),
        DeckSlide("各层级客户数", _bars("zh").to_dict()),
        DeckSlide("Tier pyramid", _bars(), table=table),
        DeckSlide("Long table", table=pd.DataFrame({"n": range(20)})),
    ]
    data = deck_pptx(
        items,
        title="Tierscope 报告",
        subtitle="Snapshot 2026-09-30",
        source="Demo portfolio",
        created=CREATED,
    )
    deck = Presentation(io.BytesIO(data))
    assert (deck.slide_width, deck.slide_height) == (12192000, 6858000)
    assert deck.slide_width * 9 == deck.slide_height * 16
    slides = list(deck.slides)
    assert len(slides) == 1 + 3 + 1 + 2  # title, 3 charts, the 3-row table, the 20 rows on 2 slides
    title_texts = [sh.text_frame.text for sh in slides[0].shapes if sh.has_text_frame]
    assert title_texts == ["Tierscope 报告", "Snapshot 2026-09-30", FOOTNOTE]
    assert [s.shapes.title.text for s in slides[1:]] == [
        "Customers per tier",
        "各层级客户数",
        "Tier pyramid",
        "Tier pyramid",
        "Long table (1/2)",
        "Long table (2/2)",
    ]
    for slide in slides[1:4]:
        pictures = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        picture = pictures[0]
        assert picture.image.content_type == "image/png"
        assert picture.image.size[0] == 1920  # 1280 layout pixels at scale 1.5
        # inside the slide, centred left to right
        assert picture.left >= 0 and picture.top > 0
        assert picture.left + picture.width <= deck.slide_width
        assert picture.top + picture.height <= deck.slide_height
        assert abs(picture.left + picture.width / 2 - deck.slide_width / 2) <= 1
        assert slide.shapes[-1].text_frame.text.endswith(FOOTNOTE)
    assert slides[1].shapes[-1].text_frame.text == f"Scenario: private from 3M\n{FOOTNOTE}"
    for slide in slides[4:]:
        assert not [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len([sh for sh in slide.shapes if sh.has_table]) == 1
    # East Asian typeface on the Chinese title
    run = slides[2].shapes.title.text_frame.paragraphs[0].runs[0]
    assert run._r.rPr.find("{http://schemas.openxmlformats.org/drawingml/2006/main}ea").get("typeface") == (
        "Noto Sans CJK SC"
    )


@pytest.mark.slow
def test_with_footnote_adds_a_line_below_the_chart():
    fig = _bars()
    noted = export.with_footnote(fig, export.footnote_text("Demo portfolio", CREATED))
    assert fig.layout.annotations == ()  # the original is untouched
    assert noted.layout.annotations[-1].text == FOOTNOTE
    assert noted.layout.margin.b > (fig.layout.margin.b or 60)
    assert FOOTNOTE in figure_image(noted, format="svg").decode("utf-8")


@pytest.mark.slow
def test_a_browser_that_died_is_replaced_and_the_export_still_succeeds():
    import os
    import signal

    figure_image(_bars(), width=400, height=300)
    renderer = export._renderer
    os.kill(renderer.kaleido.subprocess.pid, signal.SIGKILL)  # the Chromium this module started
    renderer.kaleido.subprocess.wait(10)
    assert _png_size(figure_image(_bars(), width=400, height=300)) == (400, 300)
    assert export._renderer is not renderer and export.renderer_running()
