"""One table as read from a spreadsheet, and the checks every table gets.

Rows keep the number the spreadsheet shows (header = row 1). Problems that
concern the table as a whole — two columns with the same name, data under a
column without a name, merged cells, control characters, cells too long for
any spreadsheet — are collected in ``Sheet.problems`` rather than raised, so
that an importer reports them only for the sheets it actually uses (a README
sheet beside the data is nobody's business).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ssp_coder.errors import Problem

# Excel's own limit for one cell; a longer cell in a CSV is almost always a
# quote mark that swallowed the rest of the file, and no export format keeps
# such a value whole (SPSS strings stop at 32,767 bytes).
MAX_CELL_CHARS = 32_767
# Unicode's control characters (category Cc), with and without tab / line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Beyond this many, further problems of one kind are summarised in one line.
MAX_REPORTED = 20


@dataclass(frozen=True)
class Sheet:
    path: Path
    name: str
    columns: list[str]
    rows: list[dict[str, str]]
    row_numbers: list[int]
    extra: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


def normalise_header(name: str) -> str:
    """'Participant ID ' -> 'participant_id'; used to match columns whatever their spelling."""
    s = re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower())
    return s.strip("_")


def match_columns(columns: list[str], spec: dict[str, tuple[str, ...]]) -> tuple[dict[str, str], list[str]]:
    """Map canonical names to the sheet's columns.

    ``spec`` maps a canonical name to accepted spellings (already normalised).
    A column spelled exactly as the canonical name is preferred to one
    spelled as an alias, whatever their order. Returns (canonical -> actual
    column, columns not matched).
    """
    found: dict[str, str] = {}
    used: set[str] = set()
    for canon, aliases in spec.items():
        exact = normalise_header(canon)
        accepted = {exact, *aliases}
        candidates = [c for c in columns if c not in used and normalise_header(c) in accepted]
        if not candidates:
            continue
        best = next((c for c in candidates if normalise_header(c) == exact), candidates[0])
        found[canon] = best
        used.add(best)
    return found, [c for c in columns if c not in used]


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as a spreadsheet names its columns)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def control_characters(text: str, *, allow_breaks: bool = True) -> list[str]:
    """The control characters in ``text``, as 'U+0000' names (tab and line breaks allowed unless told)."""
    pattern = _CONTROL if allow_breaks else _CONTROL_OR_BREAK
    return sorted({f"U+{ord(ch):04X}" for ch in pattern.findall(text)})


class _Limited:
    """Problems of one kind, at most MAX_REPORTED of them plus a count of the rest."""

    def __init__(self, what: str, sheet: str | None):
        self.what, self.sheet = what, sheet
        self.items: list[Problem] = []
        self.more = 0

    def add(self, problem: Problem) -> None:
        if len(self.items) < MAX_REPORTED:
            self.items.append(problem)
        else:
            self.more += 1

    def done(self) -> list[Problem]:
        if self.more:
            return self.items + [Problem(f"... and {self.more} more cell(s) with {self.what}.", sheet=self.sheet)]
        return self.items


def build_sheet(path: Path, name: str, all_rows: list[list[object]], *, sheet_label: str | None = None,
                first_row: int = 1, problems: list[Problem] | None = None) -> Sheet:
    """A Sheet from raw rows (first = header), with its problems.

    ``sheet_label`` is the name used in problem locations (None for a CSV,
    which has one table). ``problems`` are the reader's own (merged cells).
    """
    found: list[Problem] = list(problems or [])
    if not all_rows:
        return Sheet(path, name, [], [], [], problems=found)
    header = [cell_text(h) for h in all_rows[0]]
    while header and header[-1] == "":
        header.pop()
    label = sheet_label

    def column_name(j: int) -> str:
        return header[j] if j < len(header) and header[j] else column_letter(j)

    controls = _Limited("control characters", label)
    too_long = _Limited("more than 32,767 characters", label)

    def check_cell(text: str, row: int, j: int) -> None:
        bad = control_characters(text)
        if bad:
            controls.add(Problem(f"the cell holds the control character(s) {', '.join(bad)}, which no one can "
                                 "see or type (often left by a copy from another program). Retype the cell.",
                                 sheet=label, row=row, column=column_name(j)))
        if len(text) > MAX_CELL_CHARS:
            too_long.add(Problem(f"the cell holds {len(text):,} characters; a cell can hold at most "
                                 f"{MAX_CELL_CHARS:,} (as in Excel). Is a quote mark missing, so that the cell "
                                 "ran on into the rows below? Shorten or correct the cell.",
                                 sheet=label, row=row, column=column_name(j)))

    for j, h in enumerate(header):
        check_cell(h, first_row, j)
    # The same column twice: one would silently win over the other.
    seen: dict[str, int] = {}
    for j, h in enumerate(header):
        key = normalise_header(h)
        if not key:
            continue
        if key in seen:
            i = seen[key]
            found.append(Problem(f"columns {column_letter(i)} ({header[i]!r}) and {column_letter(j)} ({h!r}) have "
                                 "the same name; one would silently replace the other. Rename or delete one of them.",
                                 sheet=label, row=first_row, column=h))
        else:
            seen[key] = j

    rows, numbers = [], []
    unnamed: dict[int, list[int]] = {}
    named = [(j, h) for j, h in enumerate(header) if h and h not in header[:j]]
    blank = [j for j, h in enumerate(header) if not h]
    width = len(header)
    for i, raw in enumerate(all_rows[1:], start=first_row + 1):
        cells = [v.strip() if type(v) is str else cell_text(v) for v in raw]
        if not any(cells):
            continue  # blank lines are not rows anyone meant
        # Most rows are clean: one search over the whole row before looking cell by cell.
        if _CONTROL.search("".join(cells)) or max(map(len, cells)) > MAX_CELL_CHARS:
            for j, text in enumerate(cells):
                check_cell(text, i, j)
        for j in blank + list(range(width, len(cells))):
            if j < len(cells) and cells[j]:
                unnamed.setdefault(j, []).append(i)
        n = len(cells)
        rows.append({h: (cells[j] if j < n else "") for j, h in named})
        numbers.append(i)
    for j, at in sorted(unnamed.items()):
        more = f" and {len(at) - 1} more row(s)" if len(at) > 1 else ""
        found.append(Problem(f"column {column_letter(j)} has no name in row {first_row} but holds data (row {at[0]}"
                             f"{more}); that data would be lost. Give the column a name in row {first_row}, or "
                             "delete the data.", sheet=label, row=at[0]))
    found += controls.done() + too_long.done()
    return Sheet(path, name, header, rows, numbers, problems=found)
