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


def apply_event_filters(events: ir.Table, filters: Filters, *, customers: ir.Table) -> ir.Table:
    """Restrict a surveys or complaints table to the filters.

    Events carry their own ``region`` and ``branch`` (where the survey was taken or the
    complaint received) and an optional ``customer_id``, but no segment or relationship
    manager. So:

    - a region or branch filter matches the event's own column; the ``unassigned``
      choice also finds events whose unit is empty (as for customers). An event with
      no region never matches a named region;
    - a segment or RM filter keeps the events whose ``customer_id`` belongs to a
      customer of that segment or RM in *any* snapshot of ``customers`` (a semi-join,
      so an event is kept once even when the customer appears in many snapshots).
      **Anonymous events (no customer id) then drop out**, as do events of people who
      are not in ``customers``: there is no way to tell their segment or RM.

    Filter values are compared as bound literals, never spliced into SQL text.

    Parameters
    ----------
    events : ibis.Table
        A ``surveys`` or ``complaints`` table (or any table with ``region``, ``branch``
        and ``customer_id``).
    filters : Filters
        The sidebar filters.
    customers : ibis.Table
        The customers table the segment and RM are looked up in (all snapshots).

    Returns
    -------
    ibis.Table
        ``events`` with the same columns, filtered.
    """
    for column, value in (("region", filters.region), ("branch", filters.branch)):
        if value:
            events = events.filter(_matches(events[column], value))
    if filters.segment != "all" or filters.rm_id:
        who = apply_filters(customers, Filters(segment=filters.segment, rm_id=filters.rm_id))
        ids = who.select("customer_id").distinct()
        events = events.filter(events.customer_id.notnull()).semi_join(ids, "customer_id")
    return events


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
