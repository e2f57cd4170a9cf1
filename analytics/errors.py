"""Errors a user can cause, with messages meant to be shown as they are.

Every error raised on purpose by the library derives from :class:`TierscopeError`.
The command line prints its message on stderr and exits non-zero; the dashboard
shows it as a message on the page. Anything else is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass


class TierscopeError(Exception):
    """An error with a message fit for the person who caused it."""


class RulesError(TierscopeError):
    """The tier rules file is missing, unreadable or inconsistent."""


class StoreError(TierscopeError):
    """The portfolio database cannot be opened or is in the wrong state."""


class ExportError(TierscopeError):
    """A chart or table cannot be exported (no browser to render with, a render failed)."""


class UsersError(TierscopeError):
    """The users file does not parse, or a user in it is not valid."""


class LoadBusyError(StoreError):
    """Another load is running against the same database."""

    def __init__(self, message: str = "a load is already running; try again when it has finished"):
        super().__init__(message)


@dataclass(frozen=True)
class Problem:
    """One validation problem found in an input file.

    Attributes
    ----------
    file : str
        Name of the input file.
    row : int or None
        1-based data row (the header is row 0); ``None`` when the problem is about the
        whole file or a column.
    column : str or None
        The column as it is named in the file (or the canonical name if it is missing).
    reason : str
        Why the value or file is refused.
    """

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.reason}"


class ValidationError(TierscopeError):
    """An input file failed validation; nothing was loaded.

    Attributes
    ----------
    problems : list of Problem
        At most ``MAX_PROBLEMS`` problems, in file order.
    truncated : bool
        True when more problems exist than are listed.
    """

    MAX_PROBLEMS = 20

    def __init__(self, problems: list[Problem], truncated: bool = False):
        self.problems = list(problems)[: self.MAX_PROBLEMS]
        self.truncated = truncated or len(problems) > self.MAX_PROBLEMS
        lines = [str(p) for p in self.problems]
        if self.truncated:
            lines.append(f"... more problems not listed (showing the first {self.MAX_PROBLEMS})")
        super().__init__("nothing was loaded:\n" + "\n".join(lines))
