"""What a view covers: the sidebar filters, applied to a table before analytics see it.

Every analytics function takes a table that is already filtered, so a filter holds for
every figure, table and export by construction. Access scopes (head office, branch,
relationship manager) will narrow the same way, before the filters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis.expr.types as ir
import pandas as pd

SEGMENT_CHOICES = ("all", "retail", "corporate", "institution")
UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class Filters:
    """Sidebar filters; ``None`` (or ``"all"`` for the segment) means no restriction.

    Attributes
    ----------
    segment : str
        ``all``, ``retail``, ``corporate`` (companies and institutions, i.e. every
        non-retail customer) or ``institution``.
    region, branch, rm_id : str or None
        Organisation filters, from the widest to the narrowest.
    """

    segment: str = "all"
    region: str | None = None
    branch: str | None = None
    rm_id: str | None = None

    def __post_init__(self) -> None:
        if self.segment not in SEGMENT_CHOICES:
            raise ValueError(f"segment must be one of {SEGMENT_CHOICES}, not {self.segment!r}")

    @property
    def level(self) -> str:
        """The organisation level the view is at: head_office, region, branch or rm."""
        if self.rm_id:
            return "rm"
        if self.branch:
            return "branch"
        if self.region:
            return "region"
        return "head_office"

    @property
    def child_level(self) -> str:
        """The column a league table of this view ranks by (one level down)."""
        return {"head_office": "region", "region": "branch", "branch": "rm_id", "rm": "rm_id"}[self.level]

    def describe(self) -> str:
        """A short text of the active filters, for chart subtitles and file names."""
        parts = [p for p in (self.region, self.branch, self.rm_id) if p]
        if self.segment != "all":
            parts.insert(0, self.segment)
        return " · ".join(parts)


def apply_filters(t: ir.Table, filters: Filters) -> ir.Table:
    """Restrict a customers (or prospects) table to the filters.

    Filter values are compared as bound literals, never spliced into SQL text.
    """
    if filters.segment == "corporate":
        t = t.filter(t.segment != "retail")
    elif filters.segment != "all":
        t = t.filter(t.segment == filters.segment)
    for column, value in (("region", filters.region), ("branch", filters.branch), ("rm_id", filters.rm_id)):
        if value:
            t = t.filter(_matches(t[column], value))
    return t


def _matches(column: ir.StringColumn, value: str) -> ir.BooleanColumn:
    # The filter choices show a missing unit as "unassigned" (the loader's default), so
    # that choice must also find rows whose unit is NULL.
    if value == UNASSIGNED:
        return column.isnull() | (column == UNASSIGNED)
    return column == value


def organisation(t: ir.Table, *, snapshot_date: dt.date) -> pd.DataFrame:
    """Distinct (region, branch, rm_id) of one snapshot, sorted: the filter choices.

    Small: one row per relationship manager.
    """
    t = t.filter(t.snapshot_date == snapshot_date)
    return (
        t.select("region", "branch", "rm_id")
        .distinct()
        .order_by(["region", "branch", "rm_id"])
        .to_pandas()
        .fillna(UNASSIGNED)
    )
