"""Reading .xlsx workbooks: every sheet as plain text cells, with merged cells reported.

openpyxl's read-only mode is used because it streams rows (a large roster
reads in a fraction of the time and memory), but it does not expose merged
cells; those are read from the sheet's XML, where Excel lists them after the
data. A merged range keeps its value in its first cell only, so every other
row or column it covers would read as empty without a word.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from ssp_coder.errors import InputFileError, Problem
from ssp_coder.tables.sheet import Sheet, build_sheet, column_letter

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def open_xlsx(path: Path):
    import openpyxl  # imported here: most commands never read spreadsheets
    try:
        # Opened as a file object: openpyxl refuses a workbook by its name alone (one saved as .csv).
        with open(path, "rb") as fh:
            data = io.BytesIO(fh.read())
        return openpyxl.load_workbook(data, read_only=True, data_only=True)
    except OSError as exc:
        raise InputFileError(str(path), [Problem(f"the file cannot be read ({exc.strerror or exc}).")]) from None
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise InputFileError(str(path), [Problem(f"not a readable Excel workbook ({type(exc).__name__}: {exc}). "
                                                 "Save it again as .xlsx or export it as CSV.")]) from None


def merged_ranges(ws) -> list[tuple[int, int, int, int]]:
    """(first row, first column index, last row, last column index) of each merged range."""
    try:
        source = ws.parent._archive.open(ws._worksheet_path)
    except (AttributeError, KeyError):  # not a read-only sheet of a zip workbook: nothing to read
        return []
    with source:
        xml = source.read()
    out = []
    for c1, r1, c2, r2 in _MERGE.findall(xml):
        first_col, first_row = _column_index(c1), int(r1)
        last_col, last_row = (_column_index(c2), int(r2)) if c2 else (first_col, first_row)
        out.append((first_row, first_col, last_row, last_col))
    return out


def _merge_problems(ranges: list[tuple[int, int, int, int]], header: list[object], title: str) -> list[Problem]:
    problems = []
    for r1, c1, r2, c2 in sorted(ranges):
        ref = f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"
        name = str(header[c1]).strip() if c1 < len(header) and header[c1] is not None else column_letter(c1)
        if r1 == 1:
            msg = (f"cells {ref} are merged in the row of column names; each column needs its own name. Unmerge "
                   "them and name every column.")
        else:
            msg = (f"cells {ref} are merged; only {column_letter(c1)}{r1} holds the value and the other cells would "
                   "read as empty. Unmerge them and fill in every cell.")
        problems.append(Problem(msg, sheet=title, row=r1, column=name or column_letter(c1)))
    return problems


def read_xlsx(path: Path) -> dict[str, Sheet]:
    wb = open_xlsx(path)
    try:
        sheets = {}
        for ws in wb.worksheets:
            # Rows from A1, whatever the sheet's stored dimension says, so that row numbers are the ones Excel shows.
            rows = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
            merges = _merge_problems(merged_ranges(ws), rows[0] if rows else [], ws.title)
            sheets[ws.title] = build_sheet(path, ws.title, rows, sheet_label=ws.title, problems=merges)
        return sheets
    finally:
        wb.close()
