"""The upload flow of the data page: the form, the check before loading, the load.

Nothing is written before the person has seen what the files hold: :func:`review` runs
:func:`analytics.load.inspect_files` (which writes nothing), shows the result, and only
when there are no problems offers the confirm button, which runs
:func:`analytics.load.load_files`. Uploads are written to a temporary folder under their
own names, because the loader's messages and its derived ids (``[derive] = "row"``) use
the file name, and the folder is deleted as soon as the loader is done with it.

The functions that do not draw anything (:func:`inspect`, :func:`load`, the ``*_frame``
builders, :func:`mapping_choices`) are plain Python, so tests call them directly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import shutil
import tempfile
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pandas as pd
import streamlit as st

from analytics import schema
from analytics.errors import LoadBusyError, Problem, TierscopeError, ValidationError
from analytics.i18n import format_count, t
from analytics.load import Inspection, LoadError, LoadResult, inspect_files, load_files
from analytics.schema import TABLES
from analytics.store import PROJECT_DIR, Store
from ui import access, data

MAPPINGS_DIR = PROJECT_DIR / "data" / "mappings"
# .xls is accepted by the uploader so that the loader can say what to do with it
# ("save it as .xlsx or CSV") instead of the browser refusing it without a reason.
UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "xlsm", "xls", "parquet"]
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
UPLOAD_MAPPING = "\0upload"  # the mapping choice "upload a file" (never a file name)
_FLASH = "data_flash"


class UploadedLike(Protocol):
    """What the loader needs of an uploaded file (Streamlit's ``UploadedFile`` is one)."""

    name: str

    def getvalue(self) -> bytes: ...


@dataclass(frozen=True, eq=False)
class Upload:
    """What the person asked to load: the form's values.

    Attributes
    ----------
    table : str
        The canonical table.
    files : tuple of UploadedLike
        The uploaded data files (one load).
    mapping : Path, UploadedLike or None
        A mapping file of ``data/mappings``, an uploaded mapping file, or none.
    snapshot_date : datetime.date or None
        The snapshot date for files without a snapshot column.
    sheet : str or None
        The Excel sheet to read (default: the first).
    """

    table: str
    files: tuple[UploadedLike, ...]
    mapping: Path | UploadedLike | None = None
    snapshot_date: dt.date | None = None
    sheet: str | None = None

    @property
    def key(self) -> tuple:
        """Identifies the request: another file, mapping or option needs a new inspection."""
        mapping = self.mapping
        if isinstance(mapping, Path):
            stat = mapping.stat() if mapping.exists() else None
            mkey = (str(mapping), stat.st_mtime_ns if stat else None)
        else:
            mkey = None if mapping is None else _file_key(mapping)
        return (self.table, tuple(_file_key(f) for f in self.files), mkey, self.snapshot_date, self.sheet)


def _file_key(f: UploadedLike) -> tuple:
    # Streamlit gives every upload an id; anything else is identified by its content.
    ident = getattr(f, "file_id", None) or hashlib.sha1(f.getvalue()).hexdigest()
    return (f.name, ident)


def duplicate_name(files: Sequence[UploadedLike]) -> str | None:
    """The first file name given twice (they cannot share the temporary folder), or None."""
    seen: set[str] = set()
    for f in files:
        name = Path(f.name).name
        if name in seen:
            return name
        seen.add(name)
    return None


@contextlib.contextmanager
def saved(req: Upload) -> Iterator[tuple[list[Path], Path | None]]:
    """Write the uploads to a temporary folder under their own names; delete it afterwards.

    Yields
    ------
    tuple of (list of Path, Path or None)
        The data files and the mapping file to give the loader.
    """
    folder = Path(tempfile.mkdtemp(prefix="tierscope-upload-"))
    try:
        paths = [_write(f, folder) for f in req.files]
        mapping = req.mapping
        if mapping is not None and not isinstance(mapping, Path):
            # Its own subfolder: a mapping file may share its name with nothing in the load.
            (folder / "mapping").mkdir()
            mapping = _write(mapping, folder / "mapping")
        yield paths, mapping
    except LoadError as exc:
        # The loader names files by path; the temporary folder means nothing to the person.
        message = str(exc).replace(f"{folder / 'mapping'}/", "").replace(f"{folder}/", "")
        raise type(exc)(message) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write(f: UploadedLike, folder: Path) -> Path:
    name = Path(f.name).name  # a browser sends a bare name; never let a path escape the folder
    target = folder / name
    if not name or target.exists():
        raise LoadError(f"two files are named {name!r}: rename one and upload them again")
    with open(target, "wb") as fh:
        if hasattr(f, "getbuffer"):  # an UploadedFile: write its buffer without copying it
            with f.getbuffer() as buf:
                fh.write(buf)
        else:
            fh.write(f.getvalue())
    return target


def inspect(store: Store, req: Upload) -> Inspection:
    """What loading the request would do; writes nothing to the database.

    Raises
    ------
    LoadError
        For a file or mapping file that cannot be used (:class:`MappingError`).
    """
    with saved(req) as (paths, mapping):
        return inspect_files(
            store, req.table, paths, snapshot_date=req.snapshot_date, mapping=mapping, sheet=req.sheet
        )


def load(store: Store, req: Upload) -> LoadResult:
    """Load the request in one transaction (all or nothing).

    Raises
    ------
    ValidationError, LoadBusyError, LoadError
        As :func:`analytics.load.load_files`; the database is unchanged.
    """
    with saved(req) as (paths, mapping):
        return load_files(
            store, req.table, paths, snapshot_date=req.snapshot_date, mapping=mapping, sheet=req.sheet
        )


def mapping_choices(table: str, folder: Path = MAPPINGS_DIR) -> dict[str, str]:
    """Mapping files for a table: file name -> description.

    A mapping file made for another table (its ``table`` key) is left out; one that
    cannot be read is listed, so that choosing it shows the loader's message.
    """
    out: dict[str, str] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            doc = {}
        if doc.get("table", table) == table:
            out[path.name] = str(doc.get("description", ""))
    return out


# -- what the inspection shows, as tables (pure: the tests read them) --------------------
def encodings_frame(insp: Inspection, lang: str) -> pd.DataFrame:
    """File -> detected encoding."""
    return pd.DataFrame(
        {
            t("data_col_file", lang): list(insp.encodings),
            t("data_col_encoding", lang): [e or t("data_no_encoding", lang) for e in insp.encodings.values()],
        }
    )


def _how(how: str, lang: str) -> str:
    return t(f"data_how_{how}", lang)


def recognised_frame(insp: Inspection, lang: str) -> pd.DataFrame:
    """Source header -> canonical column, how it was matched and its unit."""
    rows = [
        {
            t("data_col_file", lang): m.file,
            t("data_col_header", lang): m.header,
            t("data_col_column", lang): m.column,
            t("data_col_how", lang): _how(m.how, lang),
            t("data_col_unit", lang): f"{m.unit} (×{m.factor:,})" if m.unit else "",
        }
        for m in insp.headers
        if m.column is not None
    ]
    return _one_file(pd.DataFrame(rows, columns=_cols(lang, "file", "header", "column", "how", "unit")), insp)


def unused_frame(insp: Inspection, lang: str) -> pd.DataFrame:
    """Headers that fill no column: not recognised, ignored by the mapping, or repeated."""
    rows = [
        {
            t("data_col_file", lang): m.file,
            t("data_col_header", lang): m.header,
            t("data_col_how", lang): _how(m.how, lang),
        }
        for m in insp.headers
        if m.column is None
    ]
    return _one_file(pd.DataFrame(rows, columns=_cols(lang, "file", "header", "how")), insp)


# What the loader says an absent column gets, by prefix -> label (the value follows the prefix).
_ABSENT = (
    ("mapping default: ", "data_absent_mapping_default"),
    ("default: ", "data_absent_default"),
    ("snapshot date given: ", "data_absent_snapshot"),
    ("derived: ", "data_absent_derived"),
)


def absent_label(text: str, lang: str) -> str:
    """The loader's note on an absent column (``default: 0.0``) in ``lang``."""
    if text == "empty":
        return t("data_absent_empty", lang)
    for prefix, key in _ABSENT:
        if text.startswith(prefix):
            return t(key, lang, value=text[len(prefix) :])
    return text


def absent_frame(insp: Inspection, lang: str) -> pd.DataFrame:
    """Columns no header fills, and the value they get."""
    return pd.DataFrame(
        {
            t("data_col_column", lang): list(insp.absent),
            t("data_col_gets", lang): [absent_label(v, lang) for v in insp.absent.values()],
        }
    )


def report_frame(problems: Sequence[Problem], lang: str) -> pd.DataFrame:
    """The validation report: file, row (empty for a whole file or column), column, reason.

    Rows are text so that a problem about a whole file or column shows an empty cell.
    """
    return pd.DataFrame(
        {
            t("data_col_file", lang): [p.file for p in problems],
            t("data_col_row", lang): ["" if p.row is None else str(p.row) for p in problems],
            t("data_col_column", lang): [p.column or "" for p in problems],
            t("data_col_reason", lang): [p.reason for p in problems],
        }
    )


def result_message(result: LoadResult, lang: str) -> str:
    """What a load wrote, in one sentence."""
    return t(
        "data_loaded",
        lang,
        rows=format_count(result.rows, lang),
        table=t(f"data_table_{result.table}", lang),
        seconds=f"{result.seconds:.1f}",
        replaced=format_count(result.replaced_rows, lang),
    )


def _cols(lang: str, *names: str) -> list[str]:
    return [t(f"data_col_{n}", lang) for n in names]


def _one_file(frame: pd.DataFrame, insp: Inspection) -> pd.DataFrame:
    # The file column only tells files apart: one file needs none.
    return frame.iloc[:, 1:] if len(insp.encodings) <= 1 else frame


# -- drawing ---------------------------------------------------------------------------
def flash(kind: str, text: str) -> None:
    """Keep a message for the next run (a load or deletion reruns the app to refresh it)."""
    st.session_state.setdefault(_FLASH, []).append((kind, text))


def show_flash() -> None:
    """Show, once, the messages kept by :func:`flash`."""
    for kind, text in st.session_state.pop(_FLASH, []):
        getattr(st, kind)(text)


def form(lang: str) -> Upload | None:
    """The upload form; returns the request once there are files to check."""
    nonce = st.session_state.get("upload_nonce", 0)  # a new key clears the uploaders after a load
    left, right = st.columns(2, gap="large")
    table = left.selectbox(
        t("data_upload_table", lang),
        list(TABLES),
        format_func=lambda name: t(f"data_table_{name}", lang),
        key="upload_table",
    )
    limit = st.get_option("server.maxUploadSize")
    files = left.file_uploader(
        t("data_upload_files", lang),
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key=f"upload_files_{nonce}",
        help=t("data_upload_help", lang, limit=limit, table=table),
    )
    choices = mapping_choices(table)
    chosen = right.selectbox(
        t("data_mapping", lang),
        ["", UPLOAD_MAPPING, *choices],
        format_func=lambda c: _mapping_label(c, choices, lang),
        key=f"upload_mapping_{table}",  # per table: the choices differ
        help=t("data_mapping_help", lang),
    )
    mapping: Path | UploadedLike | None = MAPPINGS_DIR / chosen if chosen in choices else None
    if chosen == UPLOAD_MAPPING:
        mapping = right.file_uploader(t("data_mapping_file", lang), type=["toml"], key=f"upload_map_{nonce}")
    snapshot = None
    if TABLES[table].snapshot_column:
        snapshot = right.date_input(
            t("data_snapshot_input", lang),
            value=None,
            min_value=dt.date(1990, 1, 1),
            max_value=dt.date.today(),
            format="YYYY-MM-DD",
            key="upload_snapshot",
            help=t("data_snapshot_input_help", lang),
        )
    sheet = None
    if any(Path(f.name).suffix.lower() in EXCEL_SUFFIXES for f in files or []):
        sheet = right.text_input(t("data_sheet", lang), key="upload_sheet", help=t("data_sheet_help", lang))
    if not files or (chosen == UPLOAD_MAPPING and mapping is None):
        return None
    return Upload(table, tuple(files), mapping, snapshot, (sheet or "").strip() or None)


def _mapping_label(choice: str, choices: Mapping[str, str], lang: str) -> str:
    if choice == "":
        return t("data_mapping_none", lang)
    if choice == UPLOAD_MAPPING:
        return t("data_mapping_upload", lang)
    description = choices.get(choice)
    return f"{choice} – {description}" if description else choice


def review(req: Upload, lang: str) -> None:
    """Check the request, show what it holds, and load it when the person confirms."""
    dup = duplicate_name(req.files)
    if dup:
        st.error(t("data_duplicate_name", lang, name=dup))
        return
    # Inspecting reads every file: do it once per request, not on every rerun.
    cached = st.session_state.get("upload_inspection")
    if cached is not None and cached[0] == req.key:
        insp = cached[1]
    else:
        try:
            with st.spinner(t("data_inspecting", lang)):
                insp = inspect(data.store(), req)
        except (TierscopeError, OSError) as exc:
            st.session_state.pop("upload_inspection", None)
            st.error(str(exc))
            return
        st.session_state["upload_inspection"] = (req.key, insp)
    show_inspection(insp, lang)
    if insp.ok and st.button(t("data_confirm_load", lang), type="primary", key="confirm_load"):
        _confirm(req, lang)


def show_inspection(insp: Inspection, lang: str) -> None:
    """Everything the check found: counts, report, header matches, absent columns, preview."""
    st.subheader(t("data_check_title", lang))
    st.caption(t("data_nothing_written", lang))
    dates = ", ".join(d.isoformat() for d in insp.snapshot_dates) or "–"
    cards = [
        ("data_files", format_count(len(insp.files), lang)),
        ("data_rows", format_count(insp.rows, lang)),
        ("data_snapshot_dates", dates),
        ("data_replaces", format_count(insp.replaces_rows, lang)),
    ]
    for col, (label, value) in zip(st.columns(len(cards)), cards, strict=True):
        col.metric(t(label, lang), value)
    show_report(insp.problems, insp.truncated, lang)
    if insp.ok:
        st.success(t("data_ready", lang, rows=format_count(insp.rows, lang)))
        if insp.replaces_rows:
            what = dates if insp.snapshot_dates else t(f"data_table_{insp.table}", lang)
            st.warning(
                t("data_replace_warning", lang, rows=format_count(insp.replaces_rows, lang), what=what)
            )
    st.markdown(f"**{t('data_encodings', lang)}**")
    st.dataframe(encodings_frame(insp, lang), hide_index=True)
    left, right = st.columns(2, gap="large")
    left.markdown(f"**{t('data_recognised', lang)}**")
    left.dataframe(recognised_frame(insp, lang), hide_index=True, width="stretch")
    right.markdown(f"**{t('data_unused', lang)}**")
    unused = unused_frame(insp, lang)
    if unused.empty:
        right.caption(t("data_unused_none", lang))
    else:
        right.dataframe(unused, hide_index=True, width="stretch", height=_rows_height(min(len(unused), 20)))
    right.markdown(f"**{t('data_absent', lang)}**")
    right.dataframe(absent_frame(insp, lang), hide_index=True, width="stretch", height=240)
    st.markdown(f"**{t('data_preview', lang, n=len(insp.preview))}**")
    dates = [c.name for c in TABLES[insp.table].columns if c.kind == schema.DATE]
    st.dataframe(
        insp.preview,
        hide_index=True,
        height=_rows_height(len(insp.preview)),  # all of the (at most 20) preview rows at once
        column_config={c: st.column_config.DateColumn(format="YYYY-MM-DD") for c in dates},
    )


def _rows_height(n: int) -> int:
    # Streamlit's grid: 35 px a row plus the header; "auto" stops at 10 rows.
    return 35 * (max(n, 1) + 1) + 3


def show_report(problems: Sequence[Problem], truncated: bool, lang: str) -> None:
    """The validation report as a table; nothing when there are no problems."""
    if not problems:
        return
    st.markdown(f"**{t('data_report_title', lang)}**")
    count = f"{len(problems)}+" if truncated else str(len(problems))
    st.error(t("data_report_problems", lang, n=count))
    # A table, not a grid: the reasons are long and must be read whole.
    st.table(report_frame(problems, lang), hide_index=True)
    if truncated:
        st.caption(t("data_report_truncated", lang, n=ValidationError.MAX_PROBLEMS))


def _confirm(req: Upload, lang: str) -> None:
    try:
        with st.spinner(t("data_loading", lang)):
            result = load(data.store(), req)
    except LoadBusyError:
        st.error(t("data_busy", lang))
        return
    except ValidationError as exc:  # the files changed since the check; nothing was written
        show_report(exc.problems, exc.truncated, lang)
        return
    except (TierscopeError, OSError) as exc:
        st.error(t("data_error_nothing_changed", lang, message=str(exc)))
        return
    access.record_here("load", result_message(result, "en"))
    st.cache_data.clear()  # every page reads the new data (the data version changed too)
    st.session_state.pop("upload_inspection", None)
    st.session_state["upload_nonce"] = st.session_state.get("upload_nonce", 0) + 1
    flash("success", result_message(result, lang))
    st.rerun()
