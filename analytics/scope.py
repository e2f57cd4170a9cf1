"""What a view covers: the user's access scope, then the sidebar filters, applied to a table
before analytics see it.

Every analytics function takes a table that is already scoped and filtered, so both hold for
every figure, table and export by construction. The scope (:class:`Scope`: the whole bank, a
branch, a relationship manager's customers, or nothing) is applied first
(:func:`apply_scope`); filters can only narrow what it leaves, never widen it. A user without
a scope sees nothing (default deny). Values are compared as literals Ibis quotes, never
spliced into SQL text.

Customer names and ids are masked, for roles that do not need them, in the small results a
page or an export shows (:func:`mask_identity`): customer-level rows never leave the engine
unmasked for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import ibis
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


#: Scope levels, widest first: the whole bank, one branch, one relationship manager's customers,
#: nothing at all (a user without a scope).
SCOPE_LEVELS = ("bank", "branch", "rm", "none")


@dataclass(frozen=True)
class Scope:
    """The rows a user may see: the whole bank, a branch, an RM's customers, or none.

    Attributes
    ----------
    level : {"bank", "branch", "rm", "none"}
        ``none`` (the default) sees nothing: access is denied unless granted.
    unit : str or None
        The branch or the relationship manager id (``branch`` and ``rm`` only).
    """

    level: str = "none"
    unit: str | None = None

    def __post_init__(self) -> None:
        if self.level not in SCOPE_LEVELS:
            raise ValueError(f"scope level must be one of {SCOPE_LEVELS}, not {self.level!r}")
        needs_unit = self.level in ("branch", "rm")
        if needs_unit and not (isinstance(self.unit, str) and self.unit.strip()):
            raise ValueError(f"a {self.level} scope needs the {self.level} id, as in {self.level}:ID")
        if not needs_unit and self.unit is not None:
            raise ValueError(f"a {self.level} scope has no unit, not {self.unit!r}")

    @classmethod
    def parse(cls, text: str) -> Scope:
        """``bank`` (or ``all``), ``branch:ID``, ``rm:ID`` or ``none``, as the command line takes it.

        Raises
        ------
        ValueError
            Anything else, with what was expected.
        """
        value = (text or "").strip()
        if value.lower() in ("bank", "all", "head_office"):
            return cls("bank")
        if value.lower() == "none":
            return cls("none")
        level, sep, unit = value.partition(":")
        if sep and level.strip().lower() in ("branch", "rm") and unit.strip():
            return cls(level.strip().lower(), unit.strip())
        raise ValueError(f"scope {text!r} is not one of: bank, branch:ID, rm:ID")

    def __str__(self) -> str:
        return self.level if self.unit is None else f"{self.level}:{self.unit}"

    @property
    def column(self) -> str | None:
        """The customers column the scope restricts (``branch``, ``rm_id``), if any."""
        return {"branch": "branch", "rm": "rm_id"}.get(self.level)

    def narrow(self, filters: Filters) -> Filters:
        """``filters`` inside this scope: a branch or RM filter is set to the scope's own unit.

        A filter that points elsewhere (a crafted link) is replaced by the scope's unit, so a
        view never claims more than the rows it shows; the tables are scoped anyway.
        """
        if self.level == "branch" and filters.branch != self.unit:
            return Filters(segment=filters.segment, region=filters.region, branch=self.unit)
        if self.level == "rm" and filters.rm_id != self.unit:
            return Filters(
                segment=filters.segment, region=filters.region, branch=filters.branch, rm_id=self.unit
            )
        return filters


BANK = Scope("bank")
NOTHING = Scope("none")


@dataclass(frozen=True)
class Access:
    """Who is looking: the user (for audit and cache keys), their scope, and whether customer
    names and ids are masked for them."""

    user: str
    scope: Scope = NOTHING
    mask: bool = True
    #: Salt of the pseudonyms that replace masked ids (:func:`pseudonym`).
    salt: str = ""

    @property
    def key(self) -> tuple[str, str, bool, str]:
        """What a cached result of this user depends on: user, scope, masking (and its salt).

        The user is part of it, so no cached result is ever shared between two users, even
        two with the same scope.
        """
        return (self.user, str(self.scope), self.mask, self.salt if self.mask else "")


def apply_scope(t: ir.Table, scope: Scope) -> ir.Table:
    """Restrict a customers (or prospects) table to what ``scope`` may see.

    ``bank`` keeps every row, ``branch`` the rows of that branch, ``rm`` the rows of that
    relationship manager, ``none`` no row at all (default deny). Apply it before the filters.
    """
    if scope.level == "bank":
        return t
    if scope.level == "none":
        return t.filter(ibis.literal(False))
    return t.filter(t[scope.column] == scope.unit)


def apply_event_scope(events: ir.Table, scope: Scope, *, customers: ir.Table) -> ir.Table:
    """Restrict a surveys or complaints table to what ``scope`` may see.

    A branch scope keeps the events of that branch (where the survey was taken or the complaint
    received), as the branch filter does; an RM scope keeps the events of that RM's customers
    (in any snapshot; anonymous events drop out); ``none`` keeps nothing.
    """
    if scope.level == "bank":
        return events
    if scope.level == "none":
        return events.filter(ibis.literal(False))
    if scope.level == "branch":
        return events.filter(events.branch == scope.unit)
    ids = apply_scope(customers, scope).select("customer_id").distinct()
    return events.filter(events.customer_id.notnull()).semi_join(ids, "customer_id")


#: Columns that identify a customer or prospect, masked by :func:`mask_identity`.
ID_COLUMNS = ("customer_id", "prospect_id")
NAME_COLUMNS = ("customer_name", "prospect_name")
MASKED_NAME = "***"


def pseudonym(value: object, salt: str) -> object:
    """A stable stand-in for an id: ``#`` and 10 hex digits of a salted SHA-256 (``None`` stays)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    return "#" + hashlib.sha256(f"{salt}\x00{value}".encode()).hexdigest()[:10]


def mask_identity(df: pd.DataFrame, *, salt: str) -> pd.DataFrame:
    """``df`` with customer and prospect ids replaced by pseudonyms and names by ``***``.

    The same id gives the same pseudonym (for a given ``salt``), so a masked list can still be
    compared across pages and months; the real id cannot be read back from it. A frame
    without such columns is returned as it is.
    """
    ids = [c for c in ID_COLUMNS if c in df.columns]
    names = [c for c in NAME_COLUMNS if c in df.columns]
    if not ids and not names:
        return df
    out = df.copy()
    for column in ids:
        out[column] = [pseudonym(v, salt) for v in out[column]]
    for column in names:
        out[column] = [None if pd.isna(v) else MASKED_NAME for v in out[column]]
    return out


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


def mask_table(t: ir.Table, *, salt: str) -> ir.Table:
    """A table with its customer/prospect ids and names masked in the engine (:func:`pseudonym`).

    The same pseudonyms as :func:`mask_identity` gives, so a masked id reads the same in the
    dashboard and in a scheduled export; joins on the masked id still match.
    """
    changes = {}
    for column in ID_COLUMNS:
        if column in t.columns:
            digest = (ibis.literal(f"{salt}\x00") + t[column].cast("string")).hexdigest("sha256")
            changes[column] = ibis.literal("#") + digest.substr(0, 10)
    for column in NAME_COLUMNS:
        if column in t.columns:
            changes[column] = t[column].isnull().ifelse(ibis.null("string"), ibis.literal(MASKED_NAME))
    return t.mutate(**changes) if changes else t


#: Tables cut to a scope by :func:`apply_scope`, and tables of events cut by :func:`apply_event_scope`.
SCOPED_TABLES = ("customers", "prospects")
EVENT_TABLES = ("surveys", "complaints")


class ScopedStore:
    """A store seen by one user (the command line's ``--scope``): every table it hands out is
    already cut to the scope, with names and ids masked when the access says so.

    Everything else is the store's own; :meth:`snapshots` counts the customers in scope.
    """

    def __init__(self, store, access: Access):
        self._store = store
        self.access = access

    def table(self, name: str) -> ir.Table:
        """The store's table ``name`` within the scope (and masked, for a masked user)."""
        t = self._store.table(name)
        scope = self.access.scope
        if name in SCOPED_TABLES:
            t = apply_scope(t, scope)
        elif name in EVENT_TABLES:
            t = apply_event_scope(t, scope, customers=self._store.table("customers"))
        return mask_table(t, salt=self.access.salt) if self.access.mask else t

    def snapshots(self) -> pd.DataFrame:
        """Snapshots with the customers in scope (dates of snapshots with none are kept, as 0)."""
        everything = self._store.snapshots()
        t = self.table("customers")
        mine = t.group_by("snapshot_date").aggregate(n=t.count()).to_pandas()
        counts = dict(zip(pd.to_datetime(mine["snapshot_date"]).dt.date, mine["n"], strict=True))
        return everything.assign(customers=[int(counts.get(d, 0)) for d in everything["snapshot_date"]])

    def materialize(self, name: str, build=None, **kwargs):
        """The store's scratch tables, named per access so that two users never share one."""
        suffix = hashlib.sha256(repr(self.access.key).encode()).hexdigest()[:8]
        return self._store.materialize(f"{name}_{suffix}", build, **kwargs)

    def __getattr__(self, attr: str):
        return getattr(self._store, attr)
