"""Load snapshot exports into the portfolio store: read, map headers, validate, load.

A load reads one or more files (CSV, Excel ``.xlsx`` or Parquet), maps their headers onto
the canonical columns of one table (:mod:`analytics.schema`, plus an optional mapping
file), validates every value and writes the result in one DuckDB transaction. A load is
all or nothing: when anything is wrong, :class:`~analytics.errors.ValidationError` lists
the problems (file, row, column, reason) and the database is left exactly as it was.

Customers rows also get their ``customer_key``, the integer the store keeps for each
customer id (new ids get new keys inside the load's transaction; known ids keep theirs):
see ``docs/loading.md``, *Customer keys*.

The bulk path runs inside DuckDB, never row by row in pandas::

    CSV --read_csv(all text)--> staging table --SQL cleaning--> clean table --INSERT--> table

Every file is first staged as text (so ids keep their leading zeros and 18 digits), then
one SQL statement parses and checks every column and keeps, per column, a problem code.
Validation queries fetch only the first problems. Values that come from files or mapping
files never become SQL text: they are query parameters or rows of small temporary tables;
only constants of this module (patterns, formats) are written into the SQL.

Test hook
---------
When the environment variable ``TIERSCOPE_LOAD_FAULT`` is ``kill-after-insert``, the
process exits with status 9 right after the insert, inside the open transaction. The
tests use it to prove that a load killed half-way leaves the previous state.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import difflib
import io
import os
import re
import shutil
import tempfile
import time
import tomllib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import NoReturn

import duckdb
import pandas as pd

from analytics import schema
from analytics.errors import Problem, TierscopeError, ValidationError
from analytics.store import Store, assign_customer_keys

__all__ = [
    "FAULT_ENV",
    "HeaderMatch",
    "Inspection",
    "LoadError",
    "LoadResult",
    "MappingError",
    "inspect_files",
    "load_files",
]

#: Environment variable of the fault-injection test hook (see the module docstring).
FAULT_ENV = "TIERSCOPE_LOAD_FAULT"

PREVIEW_ROWS = 20
_MAX = ValidationError.MAX_PROBLEMS

_CSV_SUFFIXES = {".csv", ".txt", ".tsv", ".tab", ".dat"}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_PARQUET_SUFFIXES = {".parquet", ".pq", ".parq"}
_DELIMITERS = (",", ";", "\t", "|")
_CHUNK = 4 << 20  # bytes read at a time when checking or transcoding an encoding
_SAMPLE = 256 << 10  # characters kept for sniffing the delimiter and the header

# -- SQL constants (this module's own text; never data from a file) -------------------
_WS = " \t\r\n\u3000\u00a0\ufeff"  # trimmed around every cell, incl. the ideographic space
_WS_EDGE_RE = r"^[\s\x{3000}\x{00A0}\x{FEFF}]|[\s\x{3000}\x{00A0}\x{FEFF}]$"
_FULLWIDTH = "０１２３４５６７８９，．－＋（）￥／：　"
_HALFWIDTH = "0123456789,.-+()¥/: "
_NUM_RE = r"[+-]?((\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
_PAREN_RE = r"\(((\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+)\)"
_SCI_RE = r"[+-]?\d+(\.\d+)?[eE][+-]?\d+"
_DATE_RE = r"\d{4}(-\d{1,2}-\d{1,2}|/\d{1,2}/\d{1,2}|\.\d{1,2}\.\d{1,2}|年\d{1,2}月\d{1,2}日|\d{4})"
_TIME_RE = r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d*)?)?$"
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_INT_MAX = 2**31 - 1
_NUMERIC_KINDS = (schema.MONEY, schema.SIGNED, schema.NUMBER, schema.INT)
_AMOUNT_KINDS = (schema.MONEY, schema.SIGNED)


class LoadError(TierscopeError):
    """A load cannot start: a missing or unreadable file, an unknown table, a bad argument."""


class MappingError(LoadError):
    """The mapping file is unreadable, or names a section, key or value that does not exist."""


@dataclass(frozen=True)
class HeaderMatch:
    """How one source header was recognised.

    Attributes
    ----------
    file : str
        The file the header is in.
    position : int
        0-based position of the header in the file.
    header : str
        The header as written in the file.
    column : str or None
        The canonical column it fills, or ``None`` when it is not used.
    how : str
        ``"alias"`` (matched through :data:`analytics.schema.ALIASES`), ``"mapping"``
        (named in the mapping file's ``[columns]``), ``"ignored"`` (a known header the
        mapping overrides or lists in ``ignore``), ``"unrecognised"`` or ``"duplicate"``.
    unit : str or None
        The unit read from the header or the mapping (``万元``), if any.
    factor : int
        The exact factor the values are multiplied by to reach CNY.
    """

    file: str
    position: int
    header: str
    column: str | None
    how: str
    unit: str | None = None
    factor: int = 1


@dataclass(frozen=True)
class LoadResult:
    """What a successful load wrote.

    Attributes
    ----------
    table : str
        The canonical table loaded.
    rows : int
        Rows inserted.
    snapshot_dates : tuple of datetime.date
        Snapshot dates loaded (replaced), oldest first; empty for event tables.
    replaced_rows : int
        Rows deleted because the load replaces them (same snapshot date or same key).
    seconds : float
        Wall-clock time of the whole load.
    files : tuple of str
        The files loaded, as given.
    """

    table: str
    rows: int
    snapshot_dates: tuple[date, ...]
    replaced_rows: int
    seconds: float
    files: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Inspection:
    """What a load of the same files would do, computed without writing anything.

    Attributes
    ----------
    table : str
        The canonical table.
    files : tuple of str
        The files, as given.
    headers : tuple of HeaderMatch
        Every source header of every file and what it was matched to.
    encodings : dict of str to str or None
        Per file name: ``utf-8``, ``utf-8-sig`` (with BOM), ``gb18030`` (GBK is a subset),
        ``utf-16``; ``None`` for Excel and Parquet files, which carry no text encoding.
    preview : pandas.DataFrame
        The first rows (at most 20) in canonical columns and types, as they would be
        stored; a cell that fails validation is empty.
    rows : int
        Data rows read from all files.
    snapshot_dates : tuple of datetime.date
        Snapshot dates in the files (snapshot tables only).
    absent : dict of str to str
        Canonical columns no header fills, and what they get instead.
    replaces_rows : int
        Rows now in the database that the load would replace.
    problems : tuple of Problem
        At most 20 problems; empty when the files would load.
    truncated : bool
        True when there are more problems than listed.
    """

    table: str
    files: tuple[str, ...]
    headers: tuple[HeaderMatch, ...]
    encodings: dict[str, str | None]
    preview: pd.DataFrame
    rows: int
    snapshot_dates: tuple[date, ...]
    absent: dict[str, str]
    replaces_rows: int
    problems: tuple[Problem, ...]
    truncated: bool = False

    @property
    def ok(self) -> bool:
        """True when the files would load."""
        return not self.problems

    @property
    def header_mapping(self) -> dict[str, str]:
        """Source header -> canonical column, for the headers that are used.

        A header that feeds several columns (a mapping may take ``aum`` and
        ``deposit_balance`` from one ``Balance``) maps to their names joined by ``", "``.
        """
        out: dict[str, list[str]] = {}
        for m in self.headers:
            if m.column is not None and m.column not in out.setdefault(m.header, []):
                out[m.header].append(m.column)
        return {h: ", ".join(cols) for h, cols in out.items() if cols}

    @property
    def unrecognised(self) -> tuple[str, ...]:
        """Source headers that fill no column (unknown, ignored or duplicate), in file order."""
        seen: dict[str, None] = {}
        for m in self.headers:
            if m.column is None:
                seen.setdefault(m.header, None)
        return tuple(seen)


# ======================================================================================
# Public API
# ======================================================================================
def load_files(
    store: Store,
    table: str,
    files: Sequence[str | Path],
    *,
    snapshot_date: date | None = None,
    mapping: str | Path | Mapping | None = None,
    sheet: str | None = None,
    today: date | None = None,
) -> LoadResult:
    """Validate files and load them into a canonical table in one transaction.

    Parameters
    ----------
    store : Store
        The portfolio database.
    table : str
        ``customers``, ``prospects``, ``surveys`` or ``complaints``.
    files : sequence of str or Path
        CSV, Excel (``.xlsx``) or Parquet files. Several files form one load.
    snapshot_date : datetime.date, optional
        Snapshot date of every row (snapshot tables). Needed when a file has no snapshot
        column; when it has one, every row must carry this date.
    mapping : str, Path or mapping, optional
        A mapping file (TOML) or its parsed content; see ``docs/loading.md``.
    sheet : str, optional
        Excel sheet to read (default: the first). Ignored for other formats.
    today : datetime.date, optional
        Dates after this day are refused (default: today).

    Returns
    -------
    LoadResult

    Raises
    ------
    ValidationError
        When any value, header or file is wrong; nothing was written.
    LoadBusyError
        When another load on the same database is running.
    LoadError
        For a missing or unreadable file, an unknown table or a bad argument
        (:class:`MappingError` for a bad mapping file).
    """
    started = time.perf_counter()
    spec, paths, mp, snap, today = _arguments(table, files, snapshot_date, mapping, today)
    with store.load_lock():
        con = store.raw()
        with _Work(con) as work:
            prep = _prepare(work, spec, paths, mp, snap, sheet, today)
            if prep.problems:
                raise ValidationError(prep.problems, truncated=prep.truncated)
            rows, replaced = _write(con, spec, prep, started)
    return LoadResult(
        table=spec.name,
        rows=rows,
        snapshot_dates=prep.snapshot_dates,
        replaced_rows=replaced,
        seconds=time.perf_counter() - started,
        files=tuple(str(p) for p in paths),
    )


def inspect_files(
    store: Store,
    table: str,
    files: Sequence[str | Path],
    *,
    snapshot_date: date | None = None,
    mapping: str | Path | Mapping | None = None,
    sheet: str | None = None,
    today: date | None = None,
) -> Inspection:
    """Read and validate files as :func:`load_files` would, without writing anything.

    Parameters are those of :func:`load_files`. Validation problems are returned in
    :attr:`Inspection.problems` rather than raised; a missing file, an unknown table or
    a bad mapping file still raise :class:`LoadError`.

    Returns
    -------
    Inspection
    """
    spec, paths, mp, snap, today = _arguments(table, files, snapshot_date, mapping, today)
    con = store.raw()
    with _Work(con) as work:
        prep = _prepare(work, spec, paths, mp, snap, sheet, today)
        preview = _preview(con, spec, prep)
        replaces = 0 if prep.clean is None else _count_replaced(con, spec, prep.clean)
    return Inspection(
        table=spec.name,
        files=tuple(str(p) for p in paths),
        headers=tuple(prep.headers),
        encodings={s.name: s.encoding for s in prep.sources},
        preview=preview,
        rows=prep.rows,
        snapshot_dates=prep.snapshot_dates,
        absent=prep.absent,
        replaces_rows=replaces,
        problems=tuple(prep.problems),
        truncated=prep.truncated,
    )


# ======================================================================================
# Arguments and mapping files
# ======================================================================================
@dataclass(frozen=True)
class _Mapping:
    """A parsed and checked mapping file (all names canonical, all values text)."""

    label: str = "mapping"
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    derive: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    units: dict[str, tuple[str, int]] = field(default_factory=dict)
    sign: dict[str, str] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()


_MAPPING_KEYS = ("table", "description", "ignore", "columns", "values", "derive", "defaults", "units", "sign")
_DERIVATIONS = ("row",)
_SIGNS = ("positive", "negative")
_UNIT_INDEX = {schema.normalise_header(k): (k, v) for k, v in schema.UNITS.items()}


def _arguments(table, files, snapshot_date, mapping, today):
    spec = schema.TABLES.get(str(table))
    if spec is None:
        raise LoadError(f"unknown table {table!r}: choose one of {', '.join(schema.TABLES)}")
    if isinstance(files, (str, Path)):
        files = [files]
    paths = [Path(f) for f in files]
    if not paths:
        raise LoadError("no files to load")
    for p in paths:
        if not p.exists():
            raise LoadError(f"{p}: no such file")
        if not p.is_file():
            raise LoadError(f"{p}: not a file")
        if not os.access(p, os.R_OK):
            raise LoadError(f"{p}: cannot be read (permission denied)")
    today = today or date.today()
    if snapshot_date is not None:
        if spec.snapshot_column is None:
            raise LoadError(
                f"a snapshot date applies to the snapshot tables (customers, prospects), not to {spec.name}"
            )
        snapshot_date = _as_date(snapshot_date)
    return spec, paths, _parse_mapping(mapping, spec), snapshot_date, today


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise LoadError(f"snapshot date {value!r} is not a date (use YYYY-MM-DD)") from None


def _parse_mapping(mapping, spec: schema.TableSpec) -> _Mapping:
    """Read and check a mapping file; every error names the file and the key."""
    if mapping is None:
        return _Mapping()
    if isinstance(mapping, (str, Path)):
        path = Path(mapping)
        label = f"mapping file {path}"
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            raise MappingError(f"{label}: no such file") from None
        except OSError as exc:
            raise MappingError(f"{label}: cannot be read ({exc.strerror or exc})") from None
        except UnicodeDecodeError as exc:
            raise MappingError(f"{label}: not UTF-8 text (invalid byte at offset {exc.start})") from None
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise MappingError(f"{label}: not valid TOML: {exc}") from None
    elif isinstance(mapping, Mapping):
        label, raw = "mapping", dict(mapping)
    else:
        raise MappingError(f"a mapping is a TOML file path or a dict, not {type(mapping).__name__}")

    def fail(msg: str) -> NoReturn:
        raise MappingError(f"{label}: {msg}")

    def section(name: str) -> dict:
        value = raw.get(name, {})
        if not isinstance(value, Mapping):
            fail(f"{name!r} must be a table ([{name}]), not {type(value).__name__}")
        return dict(value)

    def canonical(where: str, key: str) -> schema.Column:
        if key not in spec.names:
            close = difflib.get_close_matches(key, spec.names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            fail(f"[{where}] names {key!r}, which is not a column of the {spec.name} table{hint}")
        return spec.column(key)

    for key in raw:
        if key not in _MAPPING_KEYS:
            fail(f"unknown key {key!r} (a mapping file has {', '.join(_MAPPING_KEYS)})")
    if "table" in raw and raw["table"] != spec.name:
        fail(f"the mapping is for table {raw['table']!r}, not {spec.name!r}")

    columns: dict[str, str] = {}
    for key, header in section("columns").items():
        canonical("columns", key)
        if not isinstance(header, str) or not header.strip():
            fail(f"[columns] {key} must be a source header (text), not {header!r}")
        columns[key] = header

    values: dict[str, dict[str, str]] = {}
    for key, table in section("values").items():
        canonical("values", key)
        if not isinstance(table, Mapping):
            fail(f"[values.{key}] must be a table of source value = canonical value")
        out: dict[str, str] = {}
        for src, dst in table.items():
            text = _toml_text(dst)
            if text is None:
                fail(f"[values.{key}] {src!r} maps to {dst!r}; use text, a number or true/false")
            out[_value_key(src)] = text
        values[key] = out

    derive: dict[str, str] = {}
    for key, how in section("derive").items():
        col = canonical("derive", key)
        if how not in _DERIVATIONS:
            fail(f'[derive] {key} = {how!r}: the only derivation is "row"')
        if col.kind not in (schema.ID, schema.TEXT):
            fail(f"[derive] {key}: only id and text columns can be derived")
        if key in columns:
            fail(f"[derive] {key}: the column is also mapped in [columns]; keep one")
        derive[key] = how

    defaults: dict[str, str] = {}
    for key, value in section("defaults").items():
        canonical("defaults", key)
        text = _toml_text(value)
        if text is None:
            fail(f"[defaults] {key} = {value!r}: use text, a number, a date or true/false")
        defaults[key] = text

    units: dict[str, tuple[str, int]] = {}
    for key, unit in section("units").items():
        col = canonical("units", key)
        found = _UNIT_INDEX.get(schema.normalise_header(str(unit)))
        if found is None:
            fail(f"[units] {key} = {unit!r}: unknown unit (known: {', '.join(schema.UNITS)})")
        if col.kind not in _AMOUNT_KINDS:
            fail(f"[units] {key}: a unit applies to amounts only")
        units[key] = found

    sign: dict[str, str] = {}
    for key, how in section("sign").items():
        col = canonical("sign", key)
        if how not in _SIGNS:
            fail(f'[sign] {key} = {how!r}: use "positive" or "negative"')
        if col.kind not in _NUMERIC_KINDS or col.kind == schema.INT:
            fail(f"[sign] {key}: applies to amounts and numbers only")
        sign[key] = how

    ignore = raw.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(h, str) for h in ignore):
        fail("ignore must be a list of source headers")
    return _Mapping(
        label=label,
        columns=columns,
        values=values,
        derive=derive,
        defaults=defaults,
        units=units,
        sign=sign,
        ignore=frozenset(schema.normalise_header(h) for h in ignore),
    )


def _toml_text(value) -> str | None:
    """A TOML scalar as the text a file cell would hold (None for tables and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == dtime(0) else None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return None


def _value_key(text: str) -> str:
    # Must agree with the SQL side, lower(trim(cell, _WS)).
    return str(text).strip(_WS).lower()


# ======================================================================================
# Working state: temporary tables and files, always cleaned up
# ======================================================================================
class _Work:
    """Temporary tables (on the load's cursor) and a temporary directory for one load."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.prefix = f"_tsl_{uuid.uuid4().hex[:12]}"
        self.tables: list[str] = []
        self._dir: Path | None = None

    def name(self, what: str) -> str:
        # Our own identifier (letters, digits, underscores): safe to write into SQL.
        name = f"{self.prefix}_{what}_{len(self.tables)}"
        self.tables.append(name)
        return name

    @property
    def dir(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="tierscope-load-"))
        return self._dir

    def __enter__(self) -> _Work:
        return self

    def __exit__(self, *exc) -> None:
        for name in reversed(self.tables):
            with contextlib.suppress(duckdb.Error):
                self.con.execute(f"DROP TABLE IF EXISTS {name}")
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)


class _Params:
    """Named query parameters; :meth:`add` returns the placeholder to write into SQL."""

    def __init__(self):
        self.values: dict[str, object] = {}

    def add(self, value) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}"


def _lit(text: str) -> str:
    """A SQL string literal of one of this module's constants (never of file data)."""
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    """A quoted SQL identifier; headers can contain any character, ``"`` included."""
    return '"' + str(name).replace('"', '""') + '"'


# ======================================================================================
# Reading files into text staging tables
# ======================================================================================
@dataclass
class _Source:
    path: Path
    name: str
    fmt: str = "csv"
    encoding: str | None = None
    headers: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    stage: str | None = None
    row_sql: str = "(s.rowid + 1)"
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    # Excel: per column, data rows whose cell held a number with decimals (ids refuse them)
    decimals: dict[int, list[tuple[int, float]]] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return self.path.stem

    def problem(self, reason: str, row: int | None = None, column: str | None = None) -> None:
        self.problems.append(Problem(self.name, row, column, reason))


def _read_source(work: _Work, path: Path, sheet: str | None) -> _Source:
    src = _Source(path=path, name=path.name)
    try:
        with open(path, "rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise LoadError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    suffix = path.suffix.lower()
    if not magic:
        src.problem("the file is empty (0 bytes)")
        return src
    if magic.startswith(b"PAR1"):
        src.fmt = "parquet"
    elif magic.startswith(b"PK\x03\x04"):
        src.fmt = "xlsx"
    elif magic.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        src.fmt = "xls"
        src.problem("old Excel .xls workbooks are not read; save it as .xlsx or CSV")
        return src
    elif suffix in _PARQUET_SUFFIXES or suffix in _XLSX_SUFFIXES:
        src.fmt = "parquet" if suffix in _PARQUET_SUFFIXES else "xlsx"
        src.problem(f"not a valid {suffix} file")
        return src
    if src.fmt == "parquet":
        _read_parquet(work, src)
    elif src.fmt == "xlsx":
        _read_xlsx(work, src, sheet)
    else:
        _read_csv(work, src)
    if src.stage is not None and not src.problems:
        src.rows = work.con.execute(f"SELECT count(*) FROM {src.stage}").fetchone()[0]
        if src.rows == 0:
            src.problem("the file has a header but no data rows")
    return src


# -- CSV -------------------------------------------------------------------------------
def _read_csv(work: _Work, src: _Source) -> None:
    decoded = _decode(work, src)
    if decoded is None:
        return
    text_path, sample, complete = decoded
    sniffed = _sniff(sample, complete)
    if sniffed is None:
        src.problem("the file has no header row")
        return
    delimiter, header = sniffed
    src.headers = [h.strip(_WS) for h in header]
    src.stage = work.name("stage")
    columns = {f"c{k}": "VARCHAR" for k in range(len(header))}
    try:
        # Every column read as text (VARCHAR), never inferred: ids keep leading zeros and
        # all 18 digits. Delimiter and header come from our sniffing, so that identical
        # or odd headers cannot confuse DuckDB; columns are named c0, c1, ...
        work.con.execute(
            f"CREATE TEMP TABLE {src.stage} AS SELECT * FROM read_csv($path, header = true, "
            "auto_detect = false, delim = $delim, quote = '\"', escape = '\"', columns = $columns)",
            {"path": str(text_path), "delim": delimiter, "columns": columns},
        )
    except duckdb.Error as exc:
        src.stage = None
        src.problem(_csv_error(exc))


def _csv_error(exc: Exception) -> str:
    """A short reason from a DuckDB CSV error (its message has a page of hints)."""
    msg = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", msg)
    where = f"line {line.group(1)}" if line else "the file"
    cols = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", msg)
    if cols:
        return f"cannot read {where}: it has {cols.group(2)} fields where the header has {cols.group(1)}"
    if "unterminated quote" in msg:
        return f"cannot read {where}: a quoted value is never closed"
    first = next((ln.strip() for ln in msg.splitlines()[1:] if ln.strip()), msg.splitlines()[0])
    return f"cannot read {where} as CSV: {first}"


def _decode(work: _Work, src: _Source) -> tuple[Path, str, bool] | None:
    """Detect the encoding strictly; return (UTF-8 file for DuckDB, text sample, complete).

    UTF-8 (with or without BOM) is tried first, then GB18030 (a superset of GBK and
    GB2312), each with strict decoding, so a wrong guess fails instead of turning into
    mojibake. DuckDB reads UTF-8 only, so other encodings are transcoded to a temporary
    UTF-8 file, streaming, without holding the file in memory.
    """
    with open(src.path, "rb") as fh:
        head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    failures = []
    for enc in candidates:
        target = None if enc == "utf-8" else work.dir / f"{len(work.tables)}-{uuid.uuid4().hex[:6]}.csv"
        sample, complete, bad = _stream_decode(src.path, enc, target)
        if bad is None:
            src.encoding = "utf-8-sig" if enc == "utf-8" and head.startswith(codecs.BOM_UTF8) else enc
            return (target or src.path), sample, complete
        failures.append(
            f"not {'GBK/GB18030' if enc == 'gb18030' else enc.upper()} (invalid byte at offset {bad})"
        )
    src.problem(f"cannot decode the file: {' and '.join(failures)}; save it as UTF-8 (or GBK) text")
    return None


def _stream_decode(path: Path, encoding: str, target: Path | None) -> tuple[str, bool, int | None]:
    """Decode a file strictly; write it as UTF-8 to ``target`` if given.

    Returns the first characters (for sniffing), whether they are the whole file, and the
    byte offset of the first invalid byte (``None`` when the file decodes).
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    parts: list[str] = []
    kept = 0
    fed = 0
    with contextlib.ExitStack() as stack:
        fh = stack.enter_context(open(path, "rb"))
        out = stack.enter_context(open(target, "wb")) if target is not None else None
        while True:
            chunk = fh.read(_CHUNK)
            final = not chunk
            try:
                pending = len(decoder.getstate()[0])
            except Exception:  # a codec without state: the offset may be a few bytes early
                pending = 0
            try:
                text = decoder.decode(chunk, final)
            except UnicodeDecodeError as exc:
                return "", False, max(0, fed - pending + exc.start)
            fed += len(chunk)
            if kept <= _SAMPLE:
                parts.append(text)
                kept += len(text)
            if out is not None:
                out.write(text.encode("utf-8"))
            if final:
                break
    sample = "".join(parts)
    return sample[:_SAMPLE], len(sample) <= _SAMPLE, None


def _sniff(sample: str, complete: bool) -> tuple[str, list[str]] | None:
    """Choose the delimiter (``,`` ``;`` tab ``|``) and read the header record.

    A delimiter must split the header into several fields; among those, the one that
    splits most of the first records like the header wins, then the one with more
    fields, then the order above. A ragged file thus keeps its real delimiter (and is
    refused by the reader with the line number) instead of being read as one column.
    """
    text = sample.lstrip("\ufeff")
    if not complete:
        # Drop a record cut by the end of the sample.
        cut = text.rfind("\n")
        text = text[: cut + 1] if cut > 0 else text
    best = None
    for rank, delim in enumerate(_DELIMITERS):
        try:
            reader = csv.reader(io.StringIO(text), delimiter=delim, quotechar='"', doublequote=True)
            records = []
            for record in reader:
                if record and any(f.strip() for f in record):
                    records.append(record)
                if len(records) >= 50:
                    break
        except csv.Error:
            continue
        if not records:
            return None
        width = len(records[0])
        alike = sum(len(r) == width for r in records) / len(records)
        score = (width > 1, alike, width, -rank)
        if best is None or score > best[0]:
            best = (score, delim, records[0])
    if best is None:
        return None
    return best[1], best[2]


# -- Excel -----------------------------------------------------------------------------
def _read_xlsx(work: _Work, src: _Source, sheet: str | None) -> None:
    import openpyxl
    import pyarrow as pa

    try:
        wb = openpyxl.load_workbook(src.path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        src.problem(f"cannot read the file as an Excel workbook: {exc}")
        return
    try:
        if sheet is not None:
            if sheet not in wb.sheetnames:
                raise LoadError(f"{src.path}: no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})")
            ws = wb[sheet]
        else:
            ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or all(_is_blank(v) for v in header):
            src.problem("the sheet has no header row (its first row is empty)")
            return
        width = len(header)
        src.headers = [("" if v is None else _cell_text(v)).strip(_WS) for v in header]
        numbers: list[int] = []
        cells: list[list[str | None]] = [[] for _ in range(width)]
        for number, row in enumerate(rows, start=1):
            if row is None or all(_is_blank(v) for v in row):
                continue  # Excel keeps formatted but empty rows; they are not data
            numbers.append(number)
            for k in range(width):
                v = row[k] if k < len(row) else None
                if isinstance(v, float) and not v.is_integer():
                    found = src.decimals.setdefault(k, [])
                    if len(found) <= _MAX:
                        found.append((number, v))
                cells[k].append(_cell_text(v))
    except LoadError:
        raise
    except Exception as exc:
        src.problem(f"cannot read the Excel sheet: {exc}")
        return
    finally:
        wb.close()
    arrays = {"_row": pa.array(numbers, pa.int64())}
    arrays.update({f"c{k}": pa.array(col, pa.string()) for k, col in enumerate(cells)})
    view = f"{work.prefix}_xlsx_view"
    src.stage = work.name("stage")
    src.row_sql = "s._row"
    # DuckDB 2 refuses register() on a cursor whose last result was not read to its end;
    # finish any such result left by the caller on this thread's cursor first.
    work.con.complete()
    work.con.register(view, pa.table(arrays))
    try:
        work.con.execute(f"CREATE TEMP TABLE {src.stage} AS SELECT * FROM {view}")
    finally:
        work.con.unregister(view)


def _is_blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip(_WS))


def _cell_text(v) -> str | None:
    """An Excel cell as the text a CSV export would hold.

    Whole numbers lose Excel's ``.0`` (an id stored as a number comes out as written).
    Numbers beyond 15 digits, which Excel has already rounded, come out in scientific
    notation so that an id column refuses them rather than storing a wrong id.
    """
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v) if not v.is_integer() else f"{v:.15E}"
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == dtime(0) else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


# -- Parquet ---------------------------------------------------------------------------
def _read_parquet(work: _Work, src: _Source) -> None:
    try:
        desc = work.con.execute(
            "SELECT * FROM read_parquet($path) LIMIT 0", {"path": str(src.path)}
        ).description
    except duckdb.Error as exc:
        src.problem(f"cannot read the file as Parquet: {str(exc).splitlines()[0]}")
        return
    src.headers = [str(d[0]) for d in desc]
    src.types = [str(d[1]).upper() for d in desc]
    # Stored as text like the other formats; Parquet's own types are checked for ids.
    select = ", ".join(f"CAST({_ident(h)} AS VARCHAR) AS c{k}" for k, h in enumerate(src.headers))
    src.stage = work.name("stage")
    try:
        work.con.execute(
            f"CREATE TEMP TABLE {src.stage} AS SELECT {select} FROM read_parquet($path)",
            {"path": str(src.path)},
        )
    except duckdb.Error as exc:
        src.stage = None
        src.problem(f"cannot read the file as Parquet: {str(exc).splitlines()[0]}")


# ======================================================================================
# Header matching
# ======================================================================================
@dataclass
class _Plan:
    """How one canonical column is filled for one file."""

    column: schema.Column
    label: str  # the header as named in the file, or the canonical name
    order: int  # sort key for problems: header position, else after all headers
    source: int | None = None  # staging column c<source>
    factor: int = 1
    derive: str | None = None
    default: str | None = None  # text used when the cell is empty or the column absent
    snapshot_arg: date | None = None
    missing: bool = False  # a required column the file lacks (already a problem)


def _split_unit(norm: str) -> tuple[str, tuple[str, int] | None]:
    """Split a normalised header into (name, unit) when it ends with a known unit.

    ``金融资产(万元)`` (full-width brackets are folded by NFKC), ``aum_[10k_cny]``,
    ``金融资产【万元】`` and ``金融资产/万元`` all give ``('金融资产', ('万元', 10000))``.
    """
    for open_, close in (("(", ")"), ("[", "]"), ("【", "】"), ("<", ">")):
        if norm.endswith(close) and open_ in norm:
            i = norm.rindex(open_)
            unit = _UNIT_INDEX.get(norm[i + 1 : -1].strip("_"))
            if unit is not None:
                return norm[:i].strip("_"), unit
    if "/" in norm:
        i = norm.rindex("/")
        unit = _UNIT_INDEX.get(norm[i + 1 :].strip("_"))
        if unit is not None:
            return norm[:i].strip("_"), unit
    return norm, None


def _alias(name: str) -> str | None:
    return schema.ALIAS_INDEX.get(name) or schema.ALIAS_INDEX.get(name.replace("_", ""))


def _match(
    spec: schema.TableSpec, src: _Source, mp: _Mapping, snap: date | None
) -> tuple[list[HeaderMatch], dict[str, _Plan], dict[str, str]]:
    """Match the headers of one file; return header matches, column plans, absent columns."""
    headers = src.headers
    norm = [schema.normalise_header(h) for h in headers]
    split = [_split_unit(n) for n in norm]
    bound: dict[str, int] = {}
    how: dict[int, str] = {}
    failed: set[str] = set()  # columns whose header problem is already reported
    problems = src.problems

    # 1. The mapping file's [columns] win over aliases.
    for col, want in mp.columns.items():
        w = schema.normalise_header(want)
        ks = [k for k in range(len(headers)) if norm[k] == w] or [
            k for k in range(len(headers)) if split[k][0] == _split_unit(w)[0]
        ]
        if len(ks) != 1:
            failed.add(col)
        if not ks:
            problems.append(
                Problem(
                    src.name, None, want, f"the mapping takes {col} from this header, which the file lacks"
                )
            )
        elif len(ks) > 1:
            problems.append(
                Problem(src.name, None, want, f"the header appears {len(ks)} times; {col} would be ambiguous")
            )
        else:
            bound[col] = ks[0]
            how[ks[0]] = "mapping"

    # 2. Aliases, for the columns the mapping does not set.
    by_alias: dict[str, list[int]] = {}
    for k in range(len(headers)):
        if k in how or not norm[k]:
            continue
        if norm[k] in mp.ignore:
            how[k] = "ignored"
            continue
        canon = _alias(split[k][0]) or (_alias(norm[k]) if split[k][1] else None)
        if canon is None or canon not in spec.names:
            how[k] = "unrecognised"
        elif canon in mp.columns or canon in mp.derive:
            how[k] = "ignored"
        else:
            by_alias.setdefault(canon, []).append(k)
    for canon, ks in by_alias.items():
        if len(ks) == 1:
            bound[canon] = ks[0]
            how[ks[0]] = "alias"
            continue
        failed.add(canon)
        for k in ks:
            how[k] = "duplicate"
        names = [headers[k] for k in ks]
        if len(set(names)) == 1:
            reason = f"the header appears {len(ks)} times (columns {', '.join(str(k + 1) for k in ks)})"
        else:
            reason = f"headers {', '.join(repr(n) for n in names)} all map to {canon}; keep one"
        problems.append(Problem(src.name, None, headers[ks[1]], reason))

    # 3. A plan per canonical column.
    plans: dict[str, _Plan] = {}
    absent: dict[str, str] = {}
    columns_of = {col: k for col, k in bound.items()}
    for i, col in enumerate(spec.columns):
        k = columns_of.get(col.name)
        plan = _Plan(col, headers[k] if k is not None else col.name, k if k is not None else 10_000 + i)
        plan.default = mp.defaults.get(col.name)
        if col.name == spec.snapshot_column and snap is not None:
            plan.default = snap.isoformat()
            plan.snapshot_arg = snap
        if col.name in mp.derive:
            plan.derive = mp.derive[col.name]
            absent[col.name] = "derived: <file name>-<row number>"
        elif k is not None:
            plan.source = k
            header_unit = split[k][1]
            unit = header_unit or mp.units.get(col.name)
            if header_unit and col.name in mp.units and mp.units[col.name][1] != header_unit[1]:
                problems.append(
                    Problem(
                        src.name,
                        None,
                        headers[k],
                        f"the header says {header_unit[0]} but the mapping says {mp.units[col.name][0]}",
                    )
                )
            if unit is not None and col.kind not in _AMOUNT_KINDS:
                problems.append(
                    Problem(
                        src.name,
                        None,
                        headers[k],
                        f"a unit ({unit[0]}) on {col.name}, which is not an amount",
                    )
                )
            elif unit is not None:
                plan.factor = unit[1]
        elif plan.snapshot_arg is not None:
            absent[col.name] = f"snapshot date given: {snap.isoformat()}"
        elif plan.default is not None:
            absent[col.name] = f"mapping default: {plan.default}"
        elif col.required:
            plan.missing = True
            if col.name in failed:
                plans[col.name] = plan
                continue
            examples = ", ".join(schema.ALIASES.get(col.name, ())[:4])
            hint = "; or give the snapshot date" if col.name == spec.snapshot_column else ""
            problems.append(
                Problem(
                    src.name, None, col.name, f"required column missing (a header such as {examples}{hint})"
                )
            )
        else:
            absent[col.name] = "empty" if col.default is None else f"default: {col.default}"
        plans[col.name] = plan

    # Id columns stored as floating point numbers cannot be trusted.
    for plan in plans.values():
        if plan.source is None or plan.column.kind != schema.ID:
            continue
        if src.fmt == "parquet":
            typ = src.types[plan.source]
            if typ in ("FLOAT", "DOUBLE", "REAL") or (typ.startswith("DECIMAL") and not typ.endswith(",0)")):
                problems.append(
                    Problem(
                        src.name,
                        None,
                        plan.label,
                        f"the id column is stored as floating point ({typ}); "
                        "store ids as text so that leading zeros and long ids survive",
                    )
                )
        for row, value in src.decimals.get(plan.source, []):
            problems.append(
                Problem(
                    src.name,
                    row,
                    plan.label,
                    f"the id is a number with decimals ({value!r}); ids must be text",
                )
            )

    matches = []
    for k, h in enumerate(headers):
        cols = [c for c, kk in bound.items() if kk == k]  # one header may feed several columns
        kind = how.get(k, "unrecognised")
        if not cols:
            matches.append(
                HeaderMatch(src.name, k, h, None, "ignored" if kind in ("mapping", "alias") else kind)
            )
        for col in cols:
            unit = split[k][1] or mp.units.get(col)
            matches.append(
                HeaderMatch(src.name, k, h, col, kind, unit[0] if unit else None, plans[col].factor)
            )
    return matches, plans, absent


# ======================================================================================
# SQL cleaning: text -> typed values plus a problem code per cell
# ======================================================================================
class _Sql:
    """Builds the cleaning SQL of a load (shared parameters and mapping tables)."""

    def __init__(self, work: _Work, spec: schema.TableSpec, mp: _Mapping, today: date):
        self.work = work
        self.spec = spec
        self.mp = mp
        self.params = _Params()
        self.today_value = today
        self.today = self.params.add(today)
        self.map_tables: dict[str, str] = {}
        for col, table in mp.values.items():
            pairs = [(k, v) for k, v in table.items() if k != "*"]
            name = work.name("map")
            work.con.execute(f"CREATE TEMP TABLE {name} (src VARCHAR, dst VARCHAR)")
            if pairs:
                work.con.executemany(f"INSERT INTO {name} VALUES (?, ?)", pairs)
            self.map_tables[col] = name

    # -- per-level expressions for one column ------------------------------------------
    def a_expr(self, plan: _Plan, src: _Source, joins: list[str]) -> str:
        """Level A: the cell as trimmed text after value mapping and defaults (NULL if empty)."""
        col = plan.column.name
        if plan.derive == "row":
            return f"({self.params.add(src.stem)} || '-' || CAST({src.row_sql} AS VARCHAR))"
        default = None if plan.default is None else f"CAST({self.params.add(plan.default)} AS VARCHAR)"
        if plan.source is None:
            return default or "CAST(NULL AS VARCHAR)"
        cell = f"s.c{plan.source}"
        # trim(x, characters) is slow; most cells need no trimming, and a regex says which.
        expr = (
            f"nullif(CASE WHEN regexp_matches({cell}, {_lit(_WS_EDGE_RE)}) "
            f"THEN trim({cell}, {_lit(_WS)}) ELSE {cell} END, '')"
        )
        if col in self.map_tables:
            alias = f"m{len(joins)}"
            joins.append(f"LEFT JOIN {self.map_tables[col]} {alias} ON {alias}.src = lower({expr})")
            wild = self.mp.values[col].get("*")
            other = (
                f"CASE WHEN {expr} IS NOT NULL THEN {self.params.add(wild)} END, " if wild is not None else ""
            )
            expr = f"nullif(coalesce({alias}.dst, {other}{expr}), '')"
        if default is not None:
            expr = f"coalesce({expr}, {default})"
        return expr

    @staticmethod
    def n_expr(kind: str, a: str) -> str:
        """Level N: text normalised for parsing (full-width digits, currency signs, time)."""
        # translate() is slow, and only text with non-ASCII characters (more bytes than
        # characters) can hold full-width digits or a currency sign.
        wide = f"trim(replace(translate({a}, {_lit(_FULLWIDTH)}, {_lit(_HALFWIDTH)}), '¥', ''), ' ')"
        ascii_ = f"CASE WHEN strlen({a}) = length({a}) THEN {a} ELSE {wide} END"
        if kind in _NUMERIC_KINDS:
            return ascii_
        if kind == schema.DATE:
            return f"CASE WHEN contains({a}, ':') THEN regexp_replace({ascii_}, {_lit(_TIME_RE)}, '') ELSE {ascii_} END"
        if kind in (schema.BOOL, schema.CATEGORY):
            return f"lower({a})"
        return a

    @staticmethod
    def p_expr(plan: _Plan, n: str) -> str:
        """Level P: the parsed value (NULL when the text does not parse)."""
        kind = plan.column.kind
        if kind in _NUMERIC_KINDS:

            def number(x: str) -> str:
                if plan.factor == 1:
                    return f"TRY_CAST({x} AS DOUBLE)"
                # Exact: the unit is applied in DECIMAL, then stored as DOUBLE, so
                # '1.23' 万元 is exactly 12300.0.
                return f"CAST(TRY(TRY_CAST({x} AS DECIMAL(38, 10)) * {int(plan.factor)}) AS DOUBLE)"

            plain = f"replace({n}, ',', '')"
            expr = f"CASE WHEN regexp_full_match({n}, {_lit(_NUM_RE)}) THEN {number(plain)}"
            if kind == schema.SIGNED:
                inner = f"replace(trim({n}, '()'), ',', '')"
                expr += f" WHEN regexp_full_match({n}, {_lit(_PAREN_RE)}) THEN -{number(inner)}"
            return expr + " END"
        if kind == schema.DATE:
            formats = "[" + ", ".join(_lit(f) for f in _DATE_FORMATS) + "]"
            # The cast reads YYYY-M-D and YYYY/M/D fast; strptime (slow when formats fail)
            # reads the rest. The pattern admits only the documented forms.
            return (
                f"CASE WHEN regexp_full_match({n}, {_lit(_DATE_RE)}) THEN "
                f"coalesce(TRY_CAST({n} AS DATE), CAST(try_strptime({n}, {formats}) AS DATE)) END"
            )
        if kind == schema.BOOL:
            true = ", ".join(_lit(v) for v in schema.TRUE_VALUES if v)
            false = ", ".join(_lit(v) for v in schema.FALSE_VALUES if v)
            return f"CASE WHEN {n} IN ({true}) THEN true WHEN {n} IN ({false}) THEN false END"
        return n

    def v_expr(self, plan: _Plan, p: str) -> str:
        """Level V: the stored value (sign rule, schema default, storage type)."""
        col = plan.column
        sign = self.mp.sign.get(col.name)
        if sign == "positive":
            p = f"CASE WHEN {p} > 0 THEN {p} WHEN {p} IS NOT NULL THEN 0.0 END"
        elif sign == "negative":
            p = f"CASE WHEN {p} < 0 THEN -{p} WHEN {p} IS NOT NULL THEN 0.0 END"
        if col.kind == schema.INT:
            p = f"TRY_CAST({p} AS INTEGER)"
        if col.default is not None:
            p = f"coalesce({p}, CAST({self.params.add(col.default)} AS {col.sql_type}))"
        return f"CAST({p} AS {col.sql_type})"

    def e_expr(self, plan: _Plan, a: str, p: str) -> str:
        """Level E: the problem code of the cell, NULL when it is fine."""
        col = plan.column
        kind = col.kind
        required = not col.nullable and col.default is None and not plan.missing
        when = [f"WHEN {a} IS NULL THEN " + ("'missing'" if required else "NULL")]
        when.append(f"WHEN {p} IS NULL THEN '{kind}'")
        if kind == schema.MONEY and col.name not in self.mp.sign:
            when.append(f"WHEN {p} < 0 THEN 'negative'")
        if kind == schema.INT:
            when.append(f"WHEN {p} <> floor({p}) THEN 'int'")
            when.append(f"WHEN {p} < 0 THEN 'negative'")
            when.append(f"WHEN {p} > {_INT_MAX} THEN 'range'")
        if kind == schema.DATE:
            when.append(f"WHEN {p} > {self.today} THEN 'future'")
            if plan.snapshot_arg is not None:
                when.append(f"WHEN {p} <> CAST({self.params.add(plan.snapshot_arg)} AS DATE) THEN 'differs'")
        if kind == schema.CATEGORY:
            allowed = ", ".join(_lit(v) for v in col.allowed)
            when.append(f"WHEN {p} NOT IN ({allowed}) THEN 'category'")
        if kind == schema.ID:
            when.append(f"WHEN regexp_full_match({p}, {_lit(_SCI_RE)}) THEN 'sci'")
        return "CASE " + " ".join(when) + " END"

    # -- one file ------------------------------------------------------------------------
    def file_select(self, fidx: int, src: _Source, plans: dict[str, _Plan]) -> str:
        joins: list[str] = []
        cols = list(plans.values())
        a = [f"{self.a_expr(p, src, joins)} AS a{i}" for i, p in enumerate(cols)]
        level_a = (
            f"SELECT {fidx} AS _file, {src.row_sql} AS _row, {', '.join(a)} FROM {src.stage} s "
            + " ".join(joins)
        )
        n = [f"a{i}, {self.n_expr(p.column.kind, f'a{i}')} AS n{i}" for i, p in enumerate(cols)]
        level_n = f"SELECT _file, _row, {', '.join(n)} FROM ({level_a})"
        pp = [f"a{i}, {self.p_expr(p, f'n{i}')} AS p{i}" for i, p in enumerate(cols)]
        level_p = f"SELECT _file, _row, {', '.join(pp)} FROM ({level_n})"
        out = [f"{self.v_expr(p, f'p{i}')} AS {_ident(p.column.name)}" for i, p in enumerate(cols)]
        out += [f"{self.e_expr(p, f'a{i}', f'p{i}')} AS e{i}" for i, p in enumerate(cols)]
        return f"SELECT _file, _row, {', '.join(out)} FROM ({level_p})"

    def check_default(self, column: schema.Column, text: str) -> str | None:
        """The problem code of a mapping default, or None when it is a valid value."""
        plan = _Plan(column, column.name, 0, source=None)
        a = f"CAST({self.params.add(text)} AS VARCHAR)"
        sql = (
            f"SELECT {self.e_expr(plan, 'a0', 'p0')} FROM (SELECT a0, {self.p_expr(plan, 'n0')} AS p0 FROM "
            f"(SELECT a0, {self.n_expr(column.kind, 'a0')} AS n0 FROM (SELECT {a} AS a0)))"
        )
        return self.work.con.execute(sql, self._used(sql)).fetchone()[0]

    def _used(self, sql: str) -> dict[str, object]:
        # DuckDB refuses parameters a statement does not use.
        used = set(re.findall(r"\$(p\d+)\b", sql))
        return {k: v for k, v in self.params.values.items() if k in used}

    def execute(self, sql: str):
        return self.work.con.execute(sql, self._used(sql))


# ======================================================================================
# Prepare: read, match, clean, validate
# ======================================================================================
@dataclass
class _Prepared:
    sources: list[_Source]
    headers: list[HeaderMatch]
    plans: list[dict[str, _Plan]]
    clean: str | None
    rows: int
    snapshot_dates: tuple[date, ...]
    absent: dict[str, str]
    problems: list[Problem]
    truncated: bool


_REASONS = {
    "missing": lambda v, c: "empty value in a required column",
    "money": lambda v, c: f"not an amount: {v!r}",
    "signed": lambda v, c: f"not an amount: {v!r}",
    "number": lambda v, c: f"not a number: {v!r}",
    "int": lambda v, c: f"not a whole number: {v!r}",
    "range": lambda v, c: f"number too large: {v!r}",
    "negative": lambda v, c: f"negative value {v!r} in a column that cannot be negative",
    "bool": lambda v, c: f"not a yes/no value: {v!r} (use 1/0, true/false, yes/no, y/n, 是/否)",
    "date": lambda v, c: f"not a date: {v!r} (use YYYY-MM-DD, YYYY/M/D, YYYYMMDD or YYYY年M月D日)",
    "category": lambda v,
    c: f"{v!r} is not one of {', '.join(c.allowed)} (map other values in [values.{c.name}])",
    "sci": lambda v,
    c: f"the id {v!r} is in scientific notation: Excel probably converted the ids to numbers "
    "(and rounded them); export the column as text",
}


def _prepare(
    work: _Work,
    spec: schema.TableSpec,
    paths: list[Path],
    mp: _Mapping,
    snap: date | None,
    sheet: str | None,
    today: date,
) -> _Prepared:
    con = work.con
    sql = _Sql(work, spec, mp, today)
    problems: list[Problem] = []

    for col, text in mp.defaults.items():
        code = sql.check_default(spec.column(col), text)
        if code is not None:
            if code == "future":
                reason = f"the date {text} is after today ({today})"
            else:
                reason = _REASONS[code](text, spec.column(col)) if code in _REASONS else f"not valid ({code})"
            raise MappingError(f"{mp.label}: [defaults] {col} = {text!r}: {reason}")
    if snap is not None and snap > today:
        problems.append(Problem("snapshot date", None, None, f"{snap} is after today ({today})"))

    sources = [_read_source(work, p, sheet) for p in paths]
    headers: list[HeaderMatch] = []
    plans: list[dict[str, _Plan]] = []
    absent: dict[str, str] = {}
    for src in sources:
        if src.stage is None:
            plans.append({})
            continue
        matches, file_plans, file_absent = _match(spec, src, mp, snap)
        headers.extend(matches)
        plans.append(file_plans)
        for k, v in file_absent.items():
            absent.setdefault(k, v)

    usable = [i for i, s in enumerate(sources) if s.stage is not None and s.rows > 0]
    clean = None
    truncated = False
    row_problems: list[tuple[int, int, int, Problem]] = []
    snapshot_dates: tuple[date, ...] = ()
    rows = sum(s.rows for s in sources)
    if usable:
        clean = work.name("clean")
        union = " UNION ALL ".join(sql.file_select(i, sources[i], plans[i]) for i in usable)
        sql.execute(f"CREATE TEMP TABLE {clean} AS {union}")
        truncated |= _cell_problems(sql, spec, sources, plans, usable, clean, row_problems)
        truncated |= _key_problems(con, spec, sources, plans, clean, row_problems)
        if spec.snapshot_column:
            s = _ident(spec.snapshot_column)
            if snap is None:
                _several_snapshots(con, spec, sources, plans, clean, row_problems)
            found = con.execute(
                f"SELECT DISTINCT {s} FROM {clean} WHERE {s} IS NOT NULL ORDER BY 1"
            ).fetchall()
            snapshot_dates = tuple(r[0] for r in found)

    # File order; within a file, whole-file problems first, then by row and column.
    ordered: list[tuple] = [(-1, -1, 0, 0, p) for p in problems]
    for i, src in enumerate(sources):
        ordered += [(i, -1, 0, j, p) for j, p in enumerate(src.problems)]
    ordered += [(f, r, o, 0, p) for f, r, o, p in row_problems]
    ordered.sort(key=lambda t: t[:4])
    seen = set()
    out: list[Problem] = []
    for *_, p in ordered:
        key = (p.file, p.row, p.column) if p.row is not None else (p.file, p.row, p.column, p.reason)
        if key not in seen:
            seen.add(key)
            out.append(p)
    truncated |= len(out) > _MAX
    return _Prepared(
        sources=sources,
        headers=headers,
        plans=plans,
        clean=clean,
        rows=rows,
        snapshot_dates=snapshot_dates,
        absent=absent,
        problems=out[:_MAX],
        truncated=truncated,
    )


def _cell_problems(sql: _Sql, spec, sources, plans, usable, clean, out) -> bool:
    """Add the first problems found in cells; return True when more exist than fetched."""
    con = sql.work.con
    n = len(spec.columns)
    cond = " OR ".join(f"e{i} IS NOT NULL" for i in range(n))
    codes = ", ".join(f"e{i}" for i in range(n))
    found = con.execute(
        f"SELECT _file, _row, {codes} FROM {clean} WHERE {cond} ORDER BY _file, _row LIMIT {_MAX + 1}"
    ).fetchall()
    if not found:
        return False
    # The offending cells as written in the file, for the messages.
    raw: dict[tuple[int, int], tuple] = {}
    for fidx in sorted({r[0] for r in found}):
        src = sources[fidx]
        wanted = [r[1] for r in found if r[0] == fidx]
        cols = ", ".join(f"s.c{k}" for k in range(len(src.headers)))
        for rec in con.execute(
            f"SELECT {src.row_sql}, {cols} FROM {src.stage} s WHERE list_contains($rows, {src.row_sql})",
            {"rows": wanted},
        ).fetchall():
            raw[(fidx, rec[0])] = rec[1:]
    for rec in found:
        fidx, row, codes_ = rec[0], rec[1], rec[2:]
        file_plans = list(plans[fidx].values())
        for i, code in enumerate(codes_):
            if code is None:
                continue
            plan = file_plans[i]
            cells = raw.get((fidx, row), ())
            value = (
                cells[plan.source] if plan.source is not None and plan.source < len(cells) else plan.default
            )
            out.append(
                (
                    fidx,
                    row,
                    plan.order,
                    Problem(sources[fidx].name, row, plan.label, _reason(code, value, plan, sql)),
                )
            )
    return len(found) > _MAX


def _reason(code: str, value, plan: _Plan, sql: _Sql) -> str:
    value = "" if value is None else str(value).strip(_WS)
    if code == "future":
        return f"the date {value!r} is in the future (after {sql.today_value})"
    if code == "differs":
        return f"snapshot date {value!r} differs from the snapshot date given ({plan.snapshot_arg})"
    if code == "negative" and plan.column.kind == schema.MONEY:
        return f"negative amount {value!r} in a column that cannot be negative"
    return _REASONS.get(code, lambda v, c: f"invalid value {v!r} ({code})")(value, plan.column)


def _key_problems(con, spec, sources, plans, clean, out) -> bool:
    """Rows whose key repeats an earlier row of the same load."""
    keys = [_ident(k) for k in spec.key]
    klist = ", ".join(keys)
    notnull = " AND ".join(f"{k} IS NOT NULL" for k in keys)
    found = con.execute(
        f"""
        WITH dup AS (SELECT {klist} FROM {clean} WHERE {notnull} GROUP BY {klist} HAVING count(*) > 1)
        SELECT _file, _row, first_file, first_row, {klist} FROM (
            SELECT c._file, c._row, {", ".join("c." + k for k in keys)},
                   first_value(c._file) OVER w AS first_file, first_value(c._row) OVER w AS first_row,
                   row_number() OVER w AS n
            FROM {clean} c SEMI JOIN dup USING ({klist})
            WINDOW w AS (PARTITION BY {", ".join("c." + k for k in keys)} ORDER BY c._file, c._row)
        ) WHERE n > 1 ORDER BY _file, _row LIMIT {_MAX + 1}
        """
    ).fetchall()
    id_col = spec.key[-1]
    for fidx, row, ffile, frow, *key in found:
        plan = plans[fidx][id_col]
        where = f"row {frow}" if ffile == fidx else f"{sources[ffile].name} row {frow}"
        what = f"{id_col} {key[-1]!r}"
        if spec.snapshot_column:
            what += f" appears twice in snapshot {key[0]}"
        else:
            what += " appears twice"
        out.append(
            (
                fidx,
                row,
                plan.order,
                Problem(sources[fidx].name, row, plan.label, f"duplicate key: {what} (also {where})"),
            )
        )
    return len(found) > _MAX


def _several_snapshots(con, spec, sources, plans, clean, out) -> None:
    """A snapshot file holds one snapshot date; report the first row with a second one."""
    s = _ident(spec.snapshot_column)
    found = con.execute(
        f"""
        WITH f AS (
            SELECT _file, arg_min({s}, _row) AS first_date, min(_row) AS first_row, count(DISTINCT {s}) AS n
            FROM {clean} WHERE {s} IS NOT NULL GROUP BY _file HAVING count(DISTINCT {s}) > 1)
        SELECT f._file, f.first_date, f.first_row, f.n, min(c._row), arg_min(c.{s}, c._row)
        FROM {clean} c JOIN f ON c._file = f._file AND c.{s} <> f.first_date
        GROUP BY ALL ORDER BY 1
        """
    ).fetchall()
    for fidx, first_date, first_row, n, row, other in found:
        plan = plans[fidx][spec.snapshot_column]
        reason = (
            f"the file holds {n} snapshot dates ({other} here, {first_date} in row {first_row}); "
            "a file holds one snapshot: load each date from its own file"
        )
        out.append((fidx, row, plan.order, Problem(sources[fidx].name, row, plan.label, reason)))


# ======================================================================================
# Writing
# ======================================================================================
def _replace_condition(spec: schema.TableSpec, clean: str) -> str:
    """The rows of the table a load replaces: its snapshot dates, or its keys (events)."""
    t = _ident(spec.name)
    if spec.snapshot_column:
        s = _ident(spec.snapshot_column)
        return f"{t}.{s} IN (SELECT DISTINCT {s} FROM {clean})"
    match = " AND ".join(f"c.{_ident(k)} = {t}.{_ident(k)}" for k in spec.key)
    return f"EXISTS (SELECT 1 FROM {clean} c WHERE {match})"


def _count_replaced(con, spec: schema.TableSpec, clean: str) -> int:
    t = _ident(spec.name)
    return con.execute(f"SELECT count(*) FROM {t} WHERE {_replace_condition(spec, clean)}").fetchone()[0]


def _write(con, spec: schema.TableSpec, prep: _Prepared, started: float) -> tuple[int, int]:
    """Replace and insert in one transaction; roll back on any error."""
    t = _ident(spec.name)
    cols = ", ".join(_ident(c.name) for c in spec.columns)
    snapshot = prep.snapshot_dates[0] if len(prep.snapshot_dates) == 1 else None
    source = ", ".join(str(s.path) for s in prep.sources)
    con.execute("BEGIN TRANSACTION")
    try:
        replaced = con.execute(f"DELETE FROM {t} WHERE {_replace_condition(spec, prep.clean)}").fetchone()[0]
        if schema.CUSTOMER_KEY in spec.derived:
            rows = _insert_keyed(con, spec, prep.clean)
        else:
            rows = con.execute(f"INSERT INTO {t} ({cols}) SELECT {cols} FROM {prep.clean}").fetchone()[0]
        if os.environ.get(FAULT_ENV) == "kill-after-insert":
            os._exit(9)  # test hook: die inside the open transaction (see module docstring)
        con.execute(
            "INSERT INTO load_log SELECT coalesce(max(load_id), 0) + 1, $table, $snapshot, $rows, $source, "
            "$at, $seconds FROM load_log",
            {
                "table": spec.name,
                "snapshot": snapshot,
                "rows": rows,
                "source": source,
                "at": datetime.now().replace(microsecond=0),
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
        con.execute("COMMIT")
    except BaseException as exc:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        if isinstance(exc, duckdb.Error):
            raise LoadError(f"the load failed and was rolled back; nothing changed: {exc}") from exc
        raise
    return rows, replaced


def _insert_keyed(con, spec: schema.TableSpec, clean: str) -> int:
    """Insert the clean rows with their ``customer_key`` (inside :func:`_write`'s transaction).

    Ids not seen before get new keys (:func:`analytics.store.assign_customer_keys`); known
    ids keep theirs, so a reloaded snapshot has the keys it had and every snapshot of a
    customer the same key. The rows go in in file order, as without keys.
    """
    assign_customer_keys(con, clean)
    t = _ident(spec.name)
    cols = [_ident(c.name) for c in spec.columns]
    key = _ident(schema.CUSTOMER_KEY.name)
    return con.execute(
        f"INSERT INTO {t} ({', '.join(cols)}, {key}) "
        f"SELECT {', '.join(f'c.{c}' for c in cols)}, k.customer_key FROM {clean} c "
        "LEFT JOIN customer_keys k ON k.customer_id = c.customer_id ORDER BY c._file, c._row"
    ).fetchall()[0][0]


def _preview(con, spec: schema.TableSpec, prep: _Prepared) -> pd.DataFrame:
    if prep.clean is None:
        return pd.DataFrame({c.name: pd.Series(dtype=object) for c in spec.columns})
    cols = ", ".join(_ident(c.name) for c in spec.columns)
    return con.execute(f"SELECT {cols} FROM {prep.clean} ORDER BY _file, _row LIMIT {PREVIEW_ROWS}").df()
