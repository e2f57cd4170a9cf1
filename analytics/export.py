"""Exports for slides and spreadsheets: PNG/SVG charts, a PPTX deck, Excel and CSV tables.

Charts are rendered by kaleido in one headless Chromium that is started on the first export
and kept for the life of the process (:func:`start_renderer`, :func:`stop_renderer`; it is
stopped at exit). The first export therefore pays the browser start (about 2-3 s), every
later one only the render (a few tenths of a second). Chromium is found as kaleido finds it:
the environment variable ``BROWSER_PATH`` first, then ``chromium`` / ``google-chrome`` on
``PATH``; without one, :class:`~analytics.errors.ExportError` says so.

An exported figure keeps its own template and fonts (the app's theme, with its CJK font
first, so Chinese text renders with fonts-noto-cjk) and is rendered at the size asked for,
not at the height it has on the page: the default is 1920 x 1080 layout pixels, a 16:9
slide. Its title and subtitle (snapshot, filters, scope, rules) come from the chart
builders; :func:`with_footnote` adds a source and date line for a figure that leaves the app
on its own.

Tables leave as CSV (:func:`safe_csv`) or Excel (:func:`tables_xlsx`); in both, text a
spreadsheet would run as a formula (starting with ``= + - @``, a tab or a carriage return)
is made inert while numbers, negative ones included, stay numbers.

No Streamlit here: the pages wrap these functions in download buttons.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import datetime as dt
import io
import math
import os
import re
import struct
import threading
import unicodedata
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analytics.errors import ExportError

if TYPE_CHECKING:
    from kaleido import Kaleido

#: Text cells that a spreadsheet would read as a formula start with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Image formats :func:`figure_image` writes.
IMAGE_FORMATS = ("png", "svg")
#: Default export size in layout pixels: a 16:9 slide at full HD.
IMAGE_WIDTH, IMAGE_HEIGHT = 1920, 1080

#: Seconds allowed for the browser to start, and for one render.
START_TIMEOUT = 60.0
RENDER_TIMEOUT = 30.0


# -- the renderer: one Chromium for the life of the process ---------------------------------------


def browser_path() -> str | None:
    """The Chromium executable kaleido would start, or ``None`` when there is none.

    ``BROWSER_PATH`` when set (even if it names no file, so that a wrong setting is
    reported rather than silently replaced), else the first Chromium-like browser on
    ``PATH`` or in the usual places.
    """
    from choreographer.browsers.chromium import Chromium

    path = Chromium.find_browser(skip_local=False)
    return str(path) if path else None


class _Renderer:
    """A :class:`kaleido.Kaleido` (one tab) on an event loop in a thread of its own.

    Callers on any thread submit coroutines with :meth:`call` and wait with a timeout, so a
    browser that does not start or a render that hangs becomes an error, never a hang.
    """

    def __init__(self, path: str):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="tierscope-export", daemon=True)
        self.thread.start()
        try:
            self.kaleido: Kaleido = self.call(self._open(path), START_TIMEOUT)
        except BaseException:
            self._stop_loop()
            raise

    @staticmethod
    async def _open(path: str) -> Kaleido:
        from kaleido import Kaleido

        k = Kaleido(path=path, n=1, timeout=RENDER_TIMEOUT)
        await k.open()
        return k

    def call(self, coro: Coroutine, timeout: float):
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def render(self, fig: dict, opts: dict) -> bytes:
        return self.call(self.kaleido.calc_fig(fig, opts=opts), RENDER_TIMEOUT + 5)

    def browser_died(self) -> bool:
        process = getattr(self.kaleido, "subprocess", None)
        return process is not None and process.poll() is not None

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a broken browser is best effort
            self.call(self.kaleido.close(), 15)
        self._stop_loop()

    def _stop_loop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        if not self.thread.is_alive():
            self.loop.close()


_LOCK = threading.RLock()
_renderer: _Renderer | None = None
_atexit_registered = False


def start_renderer() -> None:
    """Start the export browser now, if it is not running (else do nothing).

    Optional: :func:`figure_image` starts it on first use. Calling it when the app starts
    moves the 2-3 s browser start off the first click on a download button.

    Raises
    ------
    ExportError
        No Chromium found (see ``BROWSER_PATH``), or it did not start.
    """
    global _renderer, _atexit_registered
    with _LOCK:
        if _renderer is not None:
            return
        path = browser_path()
        if not path or not Path(path).is_file():
            shown = os.environ.get("BROWSER_PATH")
            where = f"BROWSER_PATH={shown!r} is not a file" if shown else "BROWSER_PATH is not set"
            raise ExportError(
                "chart export needs Chromium and none was found "
                f"({where}, and no chromium on PATH): install it (make system-deps, or "
                "apt-get install chromium) or set BROWSER_PATH to the browser's executable"
            )
        try:
            _renderer = _Renderer(path)
        except Exception as exc:  # noqa: BLE001 - any start failure is reported the same way
            raise ExportError(
                f"chart export could not start Chromium at {path} (BROWSER_PATH): {type(exc).__name__}: {exc}"
            ) from exc
        if not _atexit_registered:
            atexit.register(stop_renderer)
            _atexit_registered = True


def stop_renderer() -> None:
    """Close the export browser, if it runs; the next export starts a new one."""
    global _renderer
    with _LOCK:
        renderer, _renderer = _renderer, None
        if renderer is not None:
            renderer.close()


def renderer_running() -> bool:
    """Whether the export browser is running."""
    return _renderer is not None


def _figure_dict(fig: go.Figure | Mapping | str) -> dict:
    # A figure, its dict (fig.to_dict()) or its JSON, validated and with its own template.
    if isinstance(fig, go.Figure):
        return fig.to_dict()
    if isinstance(fig, str):
        return pio.from_json(fig).to_dict()
    if isinstance(fig, Mapping):
        return go.Figure(dict(fig)).to_dict()
    raise TypeError(f"expected a plotly Figure, its dict or its JSON, not {type(fig).__name__}")


def figure_image(
    fig: go.Figure | Mapping | str,
    *,
    format: str = "png",  # noqa: A002 - the name plotly and kaleido use
    width: int = IMAGE_WIDTH,
    height: int = IMAGE_HEIGHT,
    scale: float = 1.0,
) -> bytes:
    """A figure as a PNG or SVG image, rendered in the one long-lived export browser.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure, dict or str
        The figure, its ``to_dict()`` or its JSON. Its template and fonts are kept.
    format : {"png", "svg"}
        Image format.
    width, height : int
        Size in layout pixels. They replace the figure's own ``layout.width``/``height``
        (the height a chart has on the page), so the image has the proportions asked for
        and is not squeezed into a slide. Default 1920 x 1080 (16:9).
    scale : float
        Pixel density: a PNG is ``width * scale`` x ``height * scale`` pixels (1920 x 1080
        at 1, 3840 x 2160 at 2) with the same layout. Ignored by SVG, which has no pixels.

    Returns
    -------
    bytes
        The PNG file, or the SVG document in UTF-8.

    Raises
    ------
    ExportError
        No Chromium, or the render failed or timed out (the browser is then restarted on
        the next call). A browser that died since the last export (killed, crashed) is
        replaced and the render tried once more before giving up.
    ValueError
        An unknown format or a size that is not positive.
    """
    if format not in IMAGE_FORMATS:
        raise ValueError(f"format must be one of {IMAGE_FORMATS}, not {format!r}")
    if int(width) < 10 or int(height) < 10 or not scale > 0:
        raise ValueError(
            f"width and height must be at least 10 and scale positive, not {width}, {height}, {scale}"
        )
    spec = _figure_dict(fig)
    opts = dict(format=format, width=int(width), height=int(height), scale=float(scale))
    with _LOCK:  # one render at a time: the browser has one tab
        for attempt in (1, 2):
            start_renderer()
            assert _renderer is not None
            try:
                data = _renderer.render(spec, opts)
                break
            except Exception as exc:  # noqa: BLE001 - the browser may be in any state now
                died = _renderer.browser_died()
                stop_renderer()
                if died and attempt == 1:
                    continue  # the browser had gone (killed, crashed): once more in a new one
                reason = "timed out" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
                raise ExportError(f"the chart could not be exported as {format.upper()}: {reason}") from exc
    return data if isinstance(data, bytes) else str(data).encode("utf-8")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG file, read from its header (``IHDR``)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# -- labels (English and Chinese) -----------------------------------------------------------------

_LABELS = {
    "en": {
        "source": "Source: {source} · Exported {date}",
        "continued": "{title} ({page}/{pages})",
        "rows_cut": "Rows 1–{shown:,} of {total:,} shown; the Excel export has them all.",
        "columns_cut": "The first {shown} of {total} columns shown.",
        "no_rows": "No rows.",
        "yes": "yes",
        "no": "no",
    },
    "zh": {
        "source": "数据来源：{source} · 导出日期 {date}",
        "continued": "{title}（{page}/{pages}）",
        "rows_cut": "显示第 1–{shown:,} 行，共 {total:,} 行；完整表格请导出 Excel。",
        "columns_cut": "显示前 {shown} 列，共 {total} 列。",
        "no_rows": "无数据。",
        "yes": "是",
        "no": "否",
    },
}


def _label(key: str, lang: str, **values) -> str:
    return _LABELS.get(lang, _LABELS["en"])[key].format(**values)


def _day(when: dt.date | dt.datetime) -> dt.date:
    return when.date() if isinstance(when, dt.datetime) else when


def footnote_text(source: str, created: dt.date | dt.datetime, lang: str = "en") -> str:
    """``Source: Core banking, month-end snapshot · Exported 2026-10-05`` (or in Chinese)."""
    return _label("source", lang, source=source, date=_day(created).isoformat())


def _margin(fig: go.Figure, side: str, default: int) -> int:
    # The figure's own margin, else its template's, else plotly's default.
    own = getattr(fig.layout.margin, side)
    if own is not None:
        return int(own)
    template = fig.layout.template
    inherited = getattr(template.layout.margin, side) if template is not None else None
    return int(inherited) if inherited is not None else default


def with_footnote(fig: go.Figure, text: str, *, size: int = 12) -> go.Figure:
    """A copy of ``fig`` with a line of small grey text at its bottom left.

    For a figure that leaves the app on its own: ``with_footnote(fig, footnote_text(source,
    today))``. The bottom margin grows by the line's height and the text sits in that new
    band, below the axis titles, whatever size the figure is exported at. (An axis whose
    labels grow the margin by themselves, ``automargin``, may come close to it.)

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure; it is not changed.
    text : str
        The line, e.g. from :func:`footnote_text`.
    size : int
        Font size in pixels.
    """
    out = go.Figure(fig)
    bottom = _margin(out, "b", 80)
    left = _margin(out, "l", 80)
    band = 2 * size + 8
    out.update_layout(margin_b=bottom + band)
    out.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        xshift=-left + 12,
        yshift=-bottom - 4,
        showarrow=False,
        align="left",
        font=dict(size=size, color="#6b7280"),
    )
    return out


# -- values in cells ------------------------------------------------------------------------------


def neutralise(value):
    """A text cell a spreadsheet would run as a formula, made plain text: ``'=cmd``.

    Text starting with ``= + - @``, a tab or a carriage return gets a leading single quote;
    numbers, dates and empty cells are returned as they are (a negative number stays a number).
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_csv(df: pd.DataFrame) -> bytes:
    """``df`` as CSV for a spreadsheet: formula-like text cells neutralised, numbers kept numbers.

    UTF-8 with a byte-order mark, so that Excel opens Chinese names correctly. Text and
    categorical columns and the header pass through :func:`neutralise`; numeric columns are
    written as they are (``-1.5`` stays ``-1.5``). The index is not written.
    """
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            out.isetitem(i, column.map(neutralise))
    buffer = io.StringIO()
    out.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8-sig")


def _is_missing(value) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return isinstance(value, np.datetime64) and np.isnat(value)


def _plain(value):
    # numpy scalars as Python ones, Timestamps as datetimes, Decimals as floats.
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)  # .item() would give nanoseconds as an int
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, Decimal):
        value = float(value)
    return value


def _share_kind(name) -> str | None:
    """``"fraction"`` for a column named ``...share``, ``"points"`` for ``... %``, else None."""
    text = str(name).strip().lower()
    if text.endswith("share"):
        return "fraction"
    if text.endswith("%"):
        return "points"
    return None


def _header(name) -> str:
    if isinstance(name, tuple):
        return " / ".join(str(part) for part in name if str(part))
    return str(name)


#: Integers at least this large are written as text: Excel keeps 15 significant digits.
EXCEL_EXACT_INT = 10**15


# -- Excel ----------------------------------------------------------------------------------------

#: Number formats of :func:`tables_xlsx`.
XLSX_FORMATS = {
    "int": "#,##0",
    "float": "#,##0.00",
    "fraction": "0.0%",
    "points": '0.0"%"',
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
}
XLSX_HEADER_FILL = "#DCE6F1"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def _sheet_names(names: Iterable) -> list[str]:
    # Excel: at most 31 characters, none of []:*?/\, not starting or ending with an
    # apostrophe, not "History", unique regardless of case.
    taken: set[str] = set()
    out = []
    for i, name in enumerate(names, start=1):
        base = _SHEET_FORBIDDEN.sub("_", str(name)).strip().strip("'")[:31].strip().strip("'")
        if not base:
            base = f"Sheet{i}"
        if base.lower() == "history":
            base = "History_"
        candidate, n = base, 2
        while candidate.lower() in taken:
            suffix = f" ({n})"
            candidate = base[: 31 - len(suffix)].rstrip() + suffix
            n += 1
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def _text_width(text: str) -> int:
    # Columns of a fixed-width font: CJK characters take two.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _date_kind(value: dt.date) -> str:
    if isinstance(value, dt.datetime) and (value.hour, value.minute, value.second, value.microsecond) != (
        0,
        0,
        0,
        0,
    ):
        return "datetime"
    return "date"


def _xlsx_cell(value, column_kind: str | None) -> tuple[str, Any, str | None, str]:
    """How one value is written: (writer, value, number format key, shown text for the width)."""
    value = _plain(value)
    if isinstance(value, bool):
        return "boolean", value, None, "FALSE"
    if isinstance(value, int):
        if abs(value) >= EXCEL_EXACT_INT:
            return "string", str(value), None, str(value)
        kind = column_kind or "int"
        return "number", value, kind, f"{value:,}" if kind == "int" else f"{value:,.1f}%"
    if isinstance(value, float):
        if math.isinf(value):
            text = "inf" if value > 0 else "-inf"
            return "string", text, None, text
        kind = column_kind or "float"
        shown = {"float": f"{value:,.2f}", "int": f"{value:,.0f}"}.get(kind, f"{value * 100:,.1f}%")
        return "number", value, kind, shown
    if isinstance(value, dt.datetime | dt.date):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)  # Excel has no time zones: the wall-clock time
        kind = _date_kind(value)
        return "datetime", value, kind, "0000-00-00 00:00:00" if kind == "datetime" else "0000-00-00"
    text = value if isinstance(value, str) else str(value)
    return "string", text, None, text


def tables_xlsx(
    tables: Mapping[str, pd.DataFrame] | Sequence[tuple[str, pd.DataFrame]],
    *,
    title: str | None = None,
) -> bytes:
    """Tables as an Excel workbook, one sheet per table, formatted for reading.

    Each sheet has a bold header row on a light fill, frozen (it stays in view when
    scrolling) and with filter buttons, columns as wide as their longest value (CJK
    characters counted double, at most 60), and number formats:

    - integers ``#,##0``, floats ``#,##0.00``;
    - a column whose name ends with ``share`` (``customers_share``) holds fractions and is
      shown as a percentage, ``0.0%`` (0.125 -> 12.5%);
    - a column whose name ends with ``%`` (``Share of AUM %``, as the pages label them)
      holds percentage points, as on the page and in the CSV, and is shown with a percent
      sign, ``0.0"%"`` (12.5 -> 12.5%), so the cell keeps the value the page shows;
    - dates ``yyyy-mm-dd`` (with ``hh:mm:ss`` when they have a time of day), written as
      Excel dates; time zones are dropped (the wall-clock time is kept);
    - booleans as TRUE/FALSE; missing values as empty cells.

    Text is always written as text, never as a formula: a cell whose text starts with
    ``= + - @``, a tab or a carriage return keeps its exact text and is marked with
    Excel's quote prefix (as if typed with a leading apostrophe), so it shows as typed and
    stays text when edited. Integers of 16 digits or more are written as text, since Excel
    keeps 15. The index is not written (``reset_index()`` first if it holds data).

    Parameters
    ----------
    tables : mapping or sequence of (str, pandas.DataFrame)
        Sheet name -> table, in sheet order. Names are made valid for Excel: at most 31
        characters, ``[]:*?/\\`` replaced by ``_``, unique regardless of case (``Name
        (2)``).
    title : str, optional
        The workbook's title (document properties) and the centre of each sheet's printed
        page header. The sheets themselves start with the header row.

    Returns
    -------
    bytes
        The ``.xlsx`` file.
    """
    import xlsxwriter

    items = list(tables.items()) if isinstance(tables, Mapping) else [tuple(item) for item in tables]
    if not items:
        raise ValueError("tables_xlsx needs at least one table")
    buffer = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    with xlsxwriter.Workbook(buffer, options) as book:
        formats: dict[tuple, Any] = {}

        def fmt(kind: str | None, *, header: bool = False, quote: bool = False):
            key = (kind, header, quote)
            if key not in formats:
                props: dict[str, Any] = {"valign": "top"}
                if kind:
                    props["num_format"] = XLSX_FORMATS[kind]
                if header:
                    props.update(bold=True, bg_color=XLSX_HEADER_FILL, bottom=1, text_wrap=True)
                if quote:
                    props["quote_prefix"] = True
                formats[key] = book.add_format(props)
            return formats[key]

        if title:
            book.set_properties({"title": title})
        for name, (_, df) in zip(_sheet_names(n for n, _ in items), items, strict=True):
            sheet = book.add_worksheet(name)
            if title:
                sheet.set_header("&C" + title.replace("&", "&&")[:200])
            _write_sheet(sheet, df, fmt)
    return buffer.getvalue()


def _write_sheet(sheet, df: pd.DataFrame, fmt) -> None:
    widths = []
    for col in range(df.shape[1]):
        header = _header(df.columns[col])
        sheet.write_string(0, col, header, fmt(None, header=True, quote=header.startswith(FORMULA_STARTS)))
        series = df.iloc[:, col]
        share = _share_kind(header)
        integer_column = pd.api.types.is_integer_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
            series
        )
        column_kind = share or ("int" if integer_column else None)
        width = max((_text_width(part) for part in header.split()), default=0)
        width = max(width, min(_text_width(header), 24))
        for row, value in enumerate(series.tolist(), start=1):
            if _is_missing(value):
                continue
            writer, cell, kind, shown = _xlsx_cell(value, column_kind)
            if writer == "string":
                sheet.write_string(row, col, cell, fmt(None, quote=cell.startswith(FORMULA_STARTS)))
            elif writer == "number":
                sheet.write_number(row, col, cell, fmt(kind))
            elif writer == "boolean":
                sheet.write_boolean(row, col, cell)
            else:
                sheet.write_datetime(row, col, cell, fmt(kind))
            if row <= 2000:  # widths from the first rows are enough
                width = max(width, _text_width(shown))
        widths.append(min(max(width + 2, 8), 60))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    if df.shape[1]:
        sheet.autofilter(0, 0, max(len(df), 1), df.shape[1] - 1)


# -- PowerPoint -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DeckSlide:
    """One item of a deck: a chart, a table, or both (the chart slide first).

    Attributes
    ----------
    title : str
        The slide title (a table continued on further slides gets ``(2/3)`` ...).
    figure : plotly.graph_objects.Figure, dict, str or None
        The chart, its ``to_dict()`` or its JSON.
    table : pandas.DataFrame or None
        A table, shown as a PowerPoint table (see :func:`deck_pptx` for its limits).
    note : str
        A line above the source line at the bottom of the slide(s), e.g. a caveat.
    """

    title: str
    figure: go.Figure | Mapping | str | None = None
    table: pd.DataFrame | None = None
    note: str = ""


#: 16:9 slide in EMU (13.333 x 7.5 in), as PowerPoint's "Widescreen".
SLIDE_WIDTH, SLIDE_HEIGHT = 12192000, 6858000
_INCH = 914400
#: Latin and East Asian typefaces of every text in the deck (PowerPoint picks per character).
DECK_LATIN_FONT = "Arial"
DECK_EA_FONT = "Noto Sans CJK SC"
#: A chart is rendered this many layout pixels wide, at this scale (1920 pixels), with the
#: height that fills the picture area of the slide.
DECK_IMAGE_WIDTH, DECK_IMAGE_SCALE = 1280, 1.5
#: Table slides: rows and columns per slide, and slides per table at most.
TABLE_ROWS_PER_SLIDE, TABLE_MAX_COLUMNS, TABLE_MAX_SLIDES = 15, 8, 5

_MARGIN = int(0.4 * _INCH)
_TITLE_BOX = (_MARGIN, int(0.25 * _INCH), SLIDE_WIDTH - 2 * _MARGIN, int(0.8 * _INCH))
_BODY_BOX = (_MARGIN, int(1.15 * _INCH), SLIDE_WIDTH - 2 * _MARGIN, int(5.6 * _INCH))
_FOOT_BOX = (_MARGIN, int(6.8 * _INCH), SLIDE_WIDTH - 2 * _MARGIN, int(0.6 * _INCH))
_GREY, _DARK = "6B7280", "1F2937"


def _style_run(run, *, size: float, bold: bool = False, colour: str = _DARK) -> None:
    from pptx.dml.color import RGBColor
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    font = run.font
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = RGBColor.from_string(colour)
    font.name = DECK_LATIN_FONT  # a:latin
    rpr = run._r.get_or_add_rPr()
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        rpr.find(qn("a:latin")).addnext(ea)  # schema order: latin, ea, cs
    ea.set("typeface", DECK_EA_FONT)


def _fill_text(frame, lines: Sequence[tuple[str, float, bool, str]], *, align=None) -> None:
    # lines: (text, size, bold, colour), one paragraph each.
    frame.clear()
    frame.word_wrap = True
    for i, (text, size, bold, colour) in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        run = paragraph.add_run()
        run.text = text
        _style_run(run, size=size, bold=bold, colour=colour)


def _place(shape, box: tuple[int, int, int, int]) -> None:
    shape.left, shape.top, shape.width, shape.height = box


def _slide_with_title(prs, title: str):
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN

    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only"
    shape = slide.shapes.title
    _place(shape, _TITLE_BOX)
    shape.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    _fill_text(shape.text_frame, [(title, 26, True, _DARK)], align=PP_ALIGN.LEFT)
    return slide


def _footnote(slide, note: str, source_line: str) -> None:
    from pptx.enum.text import MSO_ANCHOR

    box = slide.shapes.add_textbox(*_FOOT_BOX)
    box.name = "Footnote"
    frame = box.text_frame
    frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    lines = [(note, 11, False, _GREY)] if note else []
    _fill_text(frame, [*lines, (source_line, 10, False, _GREY)])


def _picture(slide, png: bytes, alt_text: str) -> None:
    left, top, width, height = _BODY_BOX
    px_w, px_h = png_size(png)
    fit = min(width / px_w, height / px_h)
    w, h = round(px_w * fit), round(px_h * fit)
    picture = slide.shapes.add_picture(
        io.BytesIO(png), left + (width - w) // 2, top + (height - h) // 2, w, h
    )
    picture._element.nvPicPr.cNvPr.set("descr", alt_text)  # alt text for screen readers


def _pptx_text(value, share: str | None, lang: str) -> tuple[str, bool]:
    """A table value as shown on a slide, and whether it is a number (right-aligned)."""
    if _is_missing(value):
        return "", False
    value = _plain(value)
    if isinstance(value, bool):
        return _label("yes" if value else "no", lang), False
    if isinstance(value, int | float) and not (isinstance(value, float) and math.isinf(value)):
        if share == "fraction":
            return f"{value * 100:,.1f}%", True
        if share == "points":
            return f"{value:,.1f}%", True
        if isinstance(value, int):
            return f"{value:,}", True
        return f"{value:,.2f}", True
    if isinstance(value, dt.datetime):
        return (value.date().isoformat() if _date_kind(value) == "date" else f"{value:%Y-%m-%d %H:%M}"), False
    if isinstance(value, dt.date):
        return value.isoformat(), False
    return str(value), False


def _table_pages(df: pd.DataFrame) -> tuple[list[pd.DataFrame], list[str]]:
    """The row blocks of a table's slides and the notes on what is left out."""
    notes = []
    shown = df
    if df.shape[1] > TABLE_MAX_COLUMNS:
        shown = df.iloc[:, :TABLE_MAX_COLUMNS]
        notes.append(("columns_cut", {"shown": TABLE_MAX_COLUMNS, "total": df.shape[1]}))
    limit = TABLE_ROWS_PER_SLIDE * TABLE_MAX_SLIDES
    if len(df) > limit:
        shown = shown.iloc[:limit]
        notes.append(("rows_cut", {"shown": limit, "total": len(df)}))
    pages = [shown.iloc[i : i + TABLE_ROWS_PER_SLIDE] for i in range(0, len(shown), TABLE_ROWS_PER_SLIDE)]
    return pages or [shown.iloc[:0]], notes


def _table(slide, page: pd.DataFrame, lang: str) -> None:
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Pt

    headers = [_header(c) for c in page.columns]
    shares = [_share_kind(h) for h in headers]
    cells = [
        [_pptx_text(v, shares[j], lang) for j, v in enumerate(row)]
        for row in page.itertuples(index=False, name=None)
    ]
    left, top, width, _ = _BODY_BOX
    row_height = int(0.32 * _INCH)
    n_cols = max(len(headers), 1)
    shape = slide.shapes.add_table(len(cells) + 1, n_cols, left, top, width, row_height * (len(cells) + 1))
    table = shape.table
    # Column widths in proportion to their longest text, within limits.
    need = [
        min(max(_text_width(h), *(_text_width(r[j][0]) for r in cells), 4), 40) for j, h in enumerate(headers)
    ] or [1]
    total = sum(need)
    for j, n in enumerate(need):
        table.columns[j].width = int(width * n / total)
    for i in range(len(cells) + 1):
        table.rows[i].height = row_height
    for j, header in enumerate(headers):
        cell = table.cell(0, j)
        cell.fill.solid()
        cell.fill.fore_color.rgb = RGBColor.from_string(XLSX_HEADER_FILL.lstrip("#"))
        numeric = any(r[j][1] for r in cells)
        _fill_text(cell.text_frame, [(header, 11, True, _DARK)], align=PP_ALIGN.RIGHT if numeric else None)
    for i, row in enumerate(cells, start=1):
        for j, (text, numeric) in enumerate(row):
            cell = table.cell(i, j)
            cell.fill.solid()
            cell.fill.fore_color.rgb = RGBColor.from_string("FFFFFF" if i % 2 else "F3F4F6")
            _fill_text(cell.text_frame, [(text, 11, False, _DARK)], align=PP_ALIGN.RIGHT if numeric else None)
    for i in range(len(cells) + 1):
        for j in range(len(headers)):
            frame = table.cell(i, j).text_frame
            frame.margin_top = frame.margin_bottom = Pt(2)


def deck_pptx(
    slides: Sequence[DeckSlide],
    *,
    title: str,
    subtitle: str,
    source: str,
    created: dt.date | dt.datetime,
    lang: str = "en",
) -> bytes:
    """A 16:9 PowerPoint deck: a title slide, a slide per chart, slides for tables.

    Every slide but the first has its title at the top and, at the bottom in small grey
    type, the item's note (if any) above ``Source: <source> · Exported <YYYY-MM-DD>``.

    - A chart slide holds the figure as one PNG picture, rendered by :func:`figure_image`
      (the same long-lived browser) at the proportions of the area between title and
      footnote, 1920 pixels wide, then fitted and centred in it. The figure keeps its own
      title and subtitle (snapshot, filters, rules), so the picture stands on its own too.
    - A table becomes PowerPoint tables of at most :data:`TABLE_ROWS_PER_SLIDE` (15) rows
      and :data:`TABLE_MAX_COLUMNS` (8) columns, continued on following slides titled
      ``Title (2/3)``, on at most :data:`TABLE_MAX_SLIDES` (5) slides. Rows beyond 75 and
      columns beyond 8 are left out and the footnote says so; the Excel export has them all.
      Numbers are right-aligned with thousands separators, shares as percentages (the same
      column rule as :func:`tables_xlsx`).
    - A :class:`DeckSlide` with both a figure and a table gives the chart slide, then the
      table slides.

    The slide count is therefore 1 + charts + table slides. Text is set in
    :data:`DECK_LATIN_FONT` with :data:`DECK_EA_FONT` for Chinese characters.

    Parameters
    ----------
    slides : sequence of DeckSlide
        The items in order; each needs a figure or a table.
    title, subtitle : str
        The title slide's title and line under it (e.g. snapshot, scope, rules).
    source : str
        Where the data comes from, for the footnotes.
    created : datetime.date or datetime.datetime
        The export date shown (and the file's creation time).
    lang : {"en", "zh"}
        Language of the footnotes and notes.

    Returns
    -------
    bytes
        The ``.pptx`` file.

    Raises
    ------
    ExportError
        A chart could not be rendered (see :func:`figure_image`).
    ValueError
        An item with neither figure nor table.
    """
    from pptx import Presentation
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN

    for item in slides:
        if item.figure is None and item.table is None:
            raise ValueError(f"deck item {item.title!r} has neither a figure nor a table")
    left, top, width, height = _BODY_BOX
    image_height = round(DECK_IMAGE_WIDTH * height / width)
    images = [
        None
        if item.figure is None
        else figure_image(
            item.figure, format="png", width=DECK_IMAGE_WIDTH, height=image_height, scale=DECK_IMAGE_SCALE
        )
        for item in slides
    ]

    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    source_line = footnote_text(source, created, lang)
    props = prs.core_properties
    props.title, props.subject, props.author = title[:255], subtitle[:255], "Tierscope"
    when = created if isinstance(created, dt.datetime) else dt.datetime.combine(created, dt.time())
    props.created = props.modified = when.replace(tzinfo=None)

    first = prs.slides.add_slide(prs.slide_layouts[0])  # "Title Slide"
    heading, under = first.placeholders[0], first.placeholders[1]
    _place(heading, (_MARGIN, int(2.0 * _INCH), SLIDE_WIDTH - 2 * _MARGIN, int(1.6 * _INCH)))
    _place(under, (_MARGIN, int(3.7 * _INCH), SLIDE_WIDTH - 2 * _MARGIN, int(1.2 * _INCH)))
    heading.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    under.text_frame.vertical_anchor = MSO_ANCHOR.TOP
    _fill_text(heading.text_frame, [(title, 36, True, _DARK)], align=PP_ALIGN.CENTER)
    _fill_text(under.text_frame, [(subtitle, 18, False, _GREY)], align=PP_ALIGN.CENTER)
    _footnote(first, "", source_line)
    for paragraph in first.shapes[-1].text_frame.paragraphs:
        paragraph.alignment = PP_ALIGN.CENTER

    for item, png in zip(slides, images, strict=True):
        if png is not None:
            slide = _slide_with_title(prs, item.title)
            _picture(slide, png, item.title)
            _footnote(slide, item.note, source_line)
        if item.table is not None:
            pages, cuts = _table_pages(item.table)
            extra = [_label(key, lang, **values) for key, values in cuts]
            if item.table.empty:
                extra.append(_label("no_rows", lang))
            note = " · ".join(part for part in [item.note, *extra] if part)
            for number, page in enumerate(pages, start=1):
                heading_text = (
                    item.title
                    if len(pages) == 1
                    else _label("continued", lang, title=item.title, page=number, pages=len(pages))
                )
                slide = _slide_with_title(prs, heading_text)
                _table(slide, page, lang)
                _footnote(slide, note, source_line)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
