"""The two kinds of error a user can meet.

A ``KnownError`` is something the user can fix (a bad file, a missing video, a
locked project). It carries a message that says what went wrong and what to
do; the CLI prints it and exits with code 2, the window shows it in a dialog.
Anything else is a bug: logged with its traceback, never shown raw.
"""

from __future__ import annotations


class KnownError(Exception):
    """An error with a message a researcher can act on."""

    exit_code = 2


class DomainError(KnownError):
    """A command that would break a rule of the coding scheme or the project."""


class SchemeError(KnownError):
    """A coding scheme file that is not valid."""


class StoreError(KnownError):
    """A project file that cannot be opened or written (locked, damaged, too new)."""


class InputFileError(KnownError):
    """A user file (roster, coding sheet, package) with problems.

    ``problems`` holds every problem found, so that all of them can be
    reported at once.
    """

    def __init__(self, path: str, problems: list["Problem"]):
        self.path = path
        self.problems = list(problems)
        lines = [f"{path}: {len(self.problems)} problem(s); nothing was changed."]
        lines += [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class Problem:
    """One problem in a user file: where it is and what to do."""

    __slots__ = ("sheet", "row", "column", "message")

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None,
                 sheet: str | None = None):
        self.sheet = sheet
        self.row = row
        self.column = column
        self.message = message

    def location(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        return f"{loc}: {self.message}" if loc else self.message

    def __repr__(self) -> str:
        return f"Problem({self!s})"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}
