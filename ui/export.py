"""Export controls, the same under every chart and table, and the deck basket in the sidebar.

A chart's *Export* menu downloads it as a PNG (16:9, 1920 x 1080 at 1x, a scale for sharper
slides) or an SVG, or adds it to the deck; a table's buttons download it as CSV or Excel or
add it to the deck. The files are made only when a button is clicked (Streamlit runs the
``data`` callable then, in its own thread), so showing a page renders nothing; the one
long-lived export browser of :mod:`analytics.export` does the rendering and is started in the
background when the app starts (:func:`warm_up`).

The deck is a list in the session (:data:`DECK_KEY`): small figure specs and small tables,
never customer-level rows beyond what a page already shows. It survives page and view changes
and is built into a PPTX by the sidebar's *Download deck* button.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import export
from analytics.errors import ExportError
from analytics.i18n import t
from analytics.scope import Scope
from ui import access

log = logging.getLogger("tierscope")

#: Session key of the deck basket (a list of :class:`DeckItem`).
DECK_KEY = "_deck"
#: Items the basket holds at most (a deck of 30 charts renders in about 10 s).
DECK_MAX = 30
#: PNG pixel densities offered: 1x is 1920 x 1080, 2x is 3840 x 2160.
SCALES = (1, 2, 3)

_PNG, _SVG = "image/png", "image/svg+xml"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@dataclass(frozen=True, eq=False)
class DeckItem:
    """One entry of the deck basket: a chart (with the table behind it, if any) or a table.

    Attributes
    ----------
    id : str
        A digest of the content, so the same chart is not added twice.
    title : str
        The slide title: the chart's title without its subtitle, or the table's title.
    figure : dict or None
        The figure's spec (``Figure.to_dict()``), with its own title and subtitle.
    table : pandas.DataFrame or None
        A small table as the page shows it (translated headers).
    table_optional : bool
        The table came with a chart: it becomes slides only when the deck asks for tables.
    note : str
        A line at the foot of the slide: what a table covers (snapshot, filters, scope, rules).
    """

    id: str
    title: str
    figure: dict | None = None
    table: pd.DataFrame | None = None
    table_optional: bool = False
    note: str = ""


# -- names and texts --------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_UNSAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def title_parts(fig: go.Figure) -> tuple[str, str]:
    """A figure's title and subtitle as plain text (the builders write ``title<br><sup>sub</sup>``)."""
    text = fig.layout.title.text or ""
    head, _, rest = text.partition("<br>")
    sub = fig.layout.title.subtitle.text or rest
    return _TAG.sub("", head).strip(), _TAG.sub("", sub).strip()


def file_name(title: str, when: dt.date | None, extension: str) -> str:
    """A download's file name: the title made safe for every file system, the date, the extension.

    >>> file_name("Tier pyramid: AUM / customers", dt.date(2026, 9, 30), "png")
    'Tier-pyramid-AUM-customers_2026-09-30.png'
    """
    stem = _UNSAFE.sub("-", title).strip("-.")[:80] or "tierscope"
    stem = re.sub(r"-{2,}", "-", stem)
    return f"{stem}_{when.isoformat()}.{extension}" if when else f"{stem}.{extension}"


def scope_label(scope: Scope, lang: str) -> str:
    """What a user's exports may cover: ``Head office``, ``Branch B1``, ``Relationship manager M3``."""
    if scope.level == "bank":
        return t("head_office", lang)
    return t(f"ac_scope_{scope.level}", lang, unit=scope.unit or "")


def source_text(db: str, lang: str) -> str:
    """Where exported numbers come from, for footnotes: ``Tierscope, portfolio.duckdb``."""
    return t("ex_source", lang, database=Path(db).name)


# -- what the buttons produce (run on click, in Streamlit's download thread) ------------------------


def chart_image(fig: go.Figure | dict, *, fmt: str, scale: float, source: str, lang: str) -> bytes:
    """The figure as a slide-sized PNG or SVG, with a footnote naming the source and the date."""
    figure = fig if isinstance(fig, go.Figure) else go.Figure(fig)
    stamped = export.with_footnote(figure, export.footnote_text(source, dt.date.today(), lang))
    return export.figure_image(stamped, format=fmt, scale=scale)


def table_csv(df: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV (with BOM, so Excel reads Chinese) and formula-like text made inert."""
    return export.safe_csv(df)


def table_xlsx(df: pd.DataFrame, *, title: str, subtitle: str = "") -> bytes:
    """A table as a formatted one-sheet workbook (bold frozen header, number formats).

    The sheet is named after ``title``; the printed page header and the workbook's title
    also carry ``subtitle`` (what the table covers).
    """
    return export.tables_xlsx([(title, df)], title=" · ".join(p for p in (title, subtitle) if p))


def deck_file(
    items: tuple[DeckItem, ...], *, tables: bool, title: str, subtitle: str, source: str, lang: str
) -> bytes:
    """The basket as a 16:9 PPTX: title slide, a slide per chart, table slides when asked for."""
    slides = []
    for item in items:
        table = item.table if (tables or not item.table_optional) else None
        if item.figure is None and table is None:
            continue
        slides.append(export.DeckSlide(title=item.title, figure=item.figure, table=table, note=item.note))
    return export.deck_pptx(
        slides, title=title, subtitle=subtitle, source=source, created=dt.datetime.now(), lang=lang
    )


# -- the basket -----------------------------------------------------------------------------------


def deck() -> list[DeckItem]:
    """The session's deck basket, in slide order."""
    return st.session_state.setdefault(DECK_KEY, [])


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _add(item: DeckItem, lang: str) -> None:
    items = deck()
    if any(i.id == item.id for i in items):
        st.toast(t("ex_already", lang, title=item.title), icon=":material/info:")
    elif len(items) >= DECK_MAX:
        st.toast(t("ex_full", lang, n=DECK_MAX), icon=":material/warning:")
    else:
        items.append(item)
        st.toast(t("ex_added", lang, title=item.title), icon=":material/check:")


def _add_chart(fig: go.Figure, table: pd.DataFrame | None, lang: str) -> None:
    spec = fig.to_dict()
    title, _ = title_parts(fig)
    table_key = None if table is None else pd.util.hash_pandas_object(table, index=False).sum()
    item = DeckItem(
        id=_digest("chart", fig.to_json(), table_key),
        title=title,
        figure=spec,
        table=None if table is None else table.copy(),
        table_optional=True,
    )
    _add(item, lang)


def _add_table(df: pd.DataFrame, title: str, subtitle: str, lang: str) -> None:
    content = int(pd.util.hash_pandas_object(df, index=False).sum())
    digest = _digest("table", title, subtitle, list(df.columns), content)
    _add(DeckItem(id=digest, title=title, table=df.copy(), note=subtitle), lang)


def _remove(item_id: str) -> None:
    st.session_state[DECK_KEY] = [i for i in deck() if i.id != item_id]


def _move_up(item_id: str) -> None:
    items = deck()
    at = next(n for n, i in enumerate(items) if i.id == item_id)
    if at > 0:
        items[at - 1], items[at] = items[at], items[at - 1]


def _clear() -> None:
    st.session_state[DECK_KEY] = []


# -- the controls ---------------------------------------------------------------------------------


def _context():
    return st.session_state.get("context")


def chart_controls(fig: go.Figure, *, key: str | None = None, table: pd.DataFrame | None = None) -> None:
    """The *Export* menu under a chart: PNG (size choice), SVG, add to deck.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The chart as shown; its title and subtitle (snapshot, filters, scope, rules) travel with it.
    key : str, optional
        The chart's widget key; without one the controls are keyed on the chart's title.
    table : pandas.DataFrame, optional
        The table behind the chart as the page shows it; the deck can add it as table slides.
    """
    ctx = _context()
    if ctx is None:
        return
    lang = ctx.lang
    title, subtitle = title_parts(fig)
    wid = "ex_" + (key or _digest(title, subtitle))
    source = source_text(ctx.db, lang)
    with st.popover(t("ex_export", lang), icon=":material/ios_share:", help=t("ex_export_help", lang)):
        scale = st.segmented_control(
            t("ex_size", lang),
            SCALES,
            default=1,
            format_func=lambda s: f"{export.IMAGE_WIDTH * s} × {export.IMAGE_HEIGHT * s}",
            key=f"{wid}_scale",
        )
        image = functools.partial(chart_image, fig, scale=scale or 1, source=source, lang=lang)
        row = st.container(horizontal=True)
        for fmt, mime, icon in (("png", _PNG, ":material/image:"), ("svg", _SVG, ":material/polyline:")):
            what = f"{fmt} · {title} · {subtitle}"
            row.download_button(
                t(f"ex_{fmt}", lang),
                data=access.audited(functools.partial(image, fmt=fmt), "export", what),
                file_name=file_name(title, ctx.snapshot, fmt),
                mime=mime,
                icon=icon,
                key=f"{wid}_{fmt}",
                on_click="ignore",
            )
        st.button(
            t("ex_add", lang),
            icon=":material/add_to_photos:",
            key=f"{wid}_deck",
            on_click=_add_chart,
            args=(fig, table, lang),
            help=t("ex_with_table", lang) if table is not None else None,
        )


def table_controls(df: pd.DataFrame, *, title: str, key: str, subtitle: str | None = None) -> None:
    """CSV, Excel and add-to-deck buttons under a table.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as the page shows it (translated headers, numbers as numbers).
    title : str
        The table's title: file name, sheet name and slide title.
    key : str
        A key unique on the page.
    subtitle : str, optional
        What the table covers, for the workbook's header and the slide's footnote; by default
        the view's snapshot, filters, scope and rules (:func:`ui.overview.subtitle`).
    """
    ctx = _context()
    if ctx is None:
        return
    lang = ctx.lang
    if subtitle is None:
        from ui.overview import subtitle as view_subtitle  # ui.overview shows charts through here

        subtitle = view_subtitle(ctx) if ctx.snapshot else ""
    row = st.container(horizontal=True)
    what = f"{{fmt}} · {title} · {subtitle}"
    row.download_button(
        t("ex_csv", lang),
        data=access.audited(functools.partial(table_csv, df), "export", what.format(fmt="csv")),
        file_name=file_name(title, ctx.snapshot, "csv"),
        mime="text/csv",
        icon=":material/download:",
        key=f"ex_{key}_csv",
        on_click="ignore",
        type="tertiary",
    )
    row.download_button(
        t("ex_xlsx", lang),
        data=access.audited(
            functools.partial(table_xlsx, df, title=title, subtitle=subtitle),
            "export",
            what.format(fmt="xlsx"),
        ),
        file_name=file_name(title, ctx.snapshot, "xlsx"),
        mime=_XLSX,
        icon=":material/table_view:",
        key=f"ex_{key}_xlsx",
        on_click="ignore",
        type="tertiary",
    )
    row.button(
        t("ex_add_table", lang),
        icon=":material/add_to_photos:",
        key=f"ex_{key}_deck",
        on_click=_add_table,
        args=(df, title, subtitle, lang),
        type="tertiary",
    )


def deck_sidebar(ctx) -> None:
    """The deck basket in the sidebar: its items (reorder, remove), options and the download."""
    lang = ctx.lang
    items = deck()
    with st.sidebar.expander(t("ex_deck", lang, n=len(items)), icon=":material/slideshow:"):
        if not items:
            st.caption(t("ex_deck_empty", lang))
            return
        for number, item in enumerate(items, start=1):
            row = st.container(horizontal=True, vertical_alignment="center", gap="small")
            kind = ":material/bar_chart:" if item.figure is not None else ":material/table:"
            row.markdown(f"{number}. {kind} {_escape(item.title)}", width="stretch")
            row.button(
                "",
                icon=":material/arrow_upward:",
                key=f"deck_up_{item.id}",
                on_click=_move_up,
                args=(item.id,),
                help=t("ex_deck_up", lang),
                type="tertiary",
                disabled=number == 1,
            )
            row.button(
                "",
                icon=":material/close:",
                key=f"deck_rm_{item.id}",
                on_click=_remove,
                args=(item.id,),
                help=t("ex_deck_remove", lang),
                type="tertiary",
            )
        charts = sum(i.figure is not None for i in items)
        optional = any(i.table_optional and i.table is not None for i in items)
        with_tables = optional and st.checkbox(t("ex_deck_tables", lang), key="deck_tables")
        tables = sum(i.table is not None and (with_tables or not i.table_optional) for i in items)
        st.caption(t("ex_deck_count", lang, charts=charts, tables=tables))
        title = st.text_input(
            t("ex_deck_title", lang), value=t("ex_deck_title_default", lang), max_chars=120, key="deck_title"
        )
        source = source_text(ctx.db, lang)
        subtitle = t(
            "ex_deck_subtitle",
            lang,
            scope=scope_label(ctx.access.scope, lang),
            date=dt.date.today().isoformat(),
            source=source,
        )
        make = functools.partial(
            deck_file,
            tuple(items),
            tables=bool(with_tables),
            title=title.strip() or t("ex_deck_title_default", lang),
            subtitle=subtitle,
            source=source,
            lang=lang,
        )
        contents = "; ".join(i.title for i in items)
        st.download_button(
            t("ex_deck_download", lang),
            data=access.audited(make, "export", f"pptx · {len(items)} items: {contents}"),
            file_name=file_name(title.strip() or "tierscope-deck", dt.date.today(), "pptx"),
            mime=_PPTX,
            icon=":material/slideshow:",
            type="primary",
            key="deck_download",
            on_click="ignore",
            width="stretch",
        )
        st.button(t("ex_deck_clear", lang), on_click=_clear, key="deck_clear", type="tertiary")


def _escape(text: str) -> str:
    # Titles are data (unit names): shown as text, never as markdown.
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", text)


# -- the export browser ---------------------------------------------------------------------------


def _start_quietly() -> None:
    try:
        export.start_renderer()
    except ExportError as exc:  # said again, with the fix, when someone exports
        log.warning("export browser not started: %s", exc)


@st.cache_resource(show_spinner=False)
def _warm_up() -> threading.Thread | None:
    if os.environ.get("TIERSCOPE_EXPORT_WARMUP", "1") == "0" or not export.browser_path():
        return None
    thread = threading.Thread(target=_start_quietly, name="tierscope-export-warm-up", daemon=True)
    thread.start()
    return thread


def warm_up() -> None:
    """Start the export browser in the background, once per server process.

    The first export then does not wait 2-3 s for Chromium. ``TIERSCOPE_EXPORT_WARMUP=0``
    turns it off (the app tests do, so they start no browser).
    """
    _warm_up()


def xlsx_button(
    df: pd.DataFrame | Callable[[], pd.DataFrame], *, title: str, subtitle: str, file_stem: str, key: str
) -> None:
    """An Excel download of a list whose CSV button the page already shows (same columns).

    ``df`` may be a function that makes the table: it then runs only on click (a long list).
    """
    ctx = _context()

    def make() -> bytes:
        return table_xlsx(df() if callable(df) else df, title=title, subtitle=subtitle)

    st.download_button(
        t("ex_xlsx", ctx.lang if ctx else "en"),
        data=access.audited(make, "export", f"xlsx · {title} · {subtitle}"),
        file_name=f"{file_stem}.xlsx",
        mime=_XLSX,
        icon=":material/table_view:",
        key=f"ex_{key}_xlsx",
        on_click="ignore",
    )


def show_table(
    df: pd.DataFrame, *, title: str, key: str, subtitle: str | None = None, **dataframe: object
) -> None:
    """``st.dataframe(df, hide_index=True, width="stretch", **dataframe)`` with the table's export
    buttons under it (:func:`table_controls`). ``key`` also keys the data frame when it has a
    selection callback (``on_select``)."""
    options = {"hide_index": True, "width": "stretch"} | dict(dataframe)
    if "on_select" in options:
        options.setdefault("key", key)
    st.dataframe(df, **options)
    table_controls(
        percent_headers(df, options.get("column_config")),
        title=title,
        key=key.split("|", 1)[0],
        subtitle=subtitle,
    )


def percent_headers(df: pd.DataFrame, column_config: object) -> pd.DataFrame:
    """``df`` with `` %`` after the header of each column the page shows as percentage points.

    The page formats such a column (values x 100) with a ``%`` sign; in a file the header says
    so instead, and :func:`analytics.export.tables_xlsx` formats a column whose header ends with
    ``%`` as percentage points (12.5 -> 12.5%), not as a fraction.
    """
    if not isinstance(column_config, dict):
        return df
    points = [
        name
        for name, config in column_config.items()
        if isinstance(config, dict)
        and "%%" in str((config.get("type_config") or {}).get("format") or "")
        and name in df.columns
        and not str(name).rstrip().endswith("%")
    ]
    return df.rename(columns={name: f"{name} %" for name in points}) if points else df
