"""Read the spreadsheets researchers already have: CSV or XLSX, as plain text cells.

The one reader behind the roster and the legacy coding-sheet imports. Every
row keeps the number the spreadsheet shows (header = row 1), so that a problem
can be reported as "row 14, column 'video'". Cells come back as stripped
strings; an empty cell is "". Problems with a table as a whole (duplicate
column names, data under a blank header, merged cells, control characters,
over-long cells) are in ``Sheet.problems``; problems that make a file
unreadable (a stray quote mark, a file that is not a table) are raised as
``InputFileError`` at once.
"""

from __future__ import annotations

from pathlib import Path

from ssp_coder.errors import InputFileError, Problem
from ssp_coder.tables.csvfile import ZIP_SIGNATURE, read_csv_rows
from ssp_coder.tables.sheet import (
    MAX_CELL_CHARS, Sheet, build_sheet, column_letter, control_characters, match_columns, normalise_header,
)
from ssp_coder.tables.workbook import read_xlsx

__all__ = ["MAX_CELL_CHARS", "Sheet", "column_letter", "control_characters", "match_columns", "normalise_header",
           "read_table", "read_workbook"]


def read_workbook(path: str | Path) -> dict[str, Sheet]:
    """All sheets of an XLSX file, or the one table of a CSV file (named after the file)."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(str(p), [Problem("the file does not exist. Check the path.")])
    if p.is_dir():
        raise InputFileError(str(p), [Problem("this is a folder; give the CSV or XLSX file.")])
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(p)
    if suffix in (".csv", ".tsv", ".txt"):
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise InputFileError(str(p), [Problem(f"the file cannot be read ({exc.strerror or exc}).")]) from None
        if raw.startswith(ZIP_SIGNATURE):
            # An Excel workbook saved or renamed with a .csv name: its content is unambiguous, so read it as one.
            return read_xlsx(p)
        table = read_csv_rows(p, raw)
        sheet = build_sheet(p, p.stem, table.rows)  # type: ignore[arg-type]
        return {sheet.name: sheet}
    if suffix == ".xls":
        raise InputFileError(str(p), [Problem("old .xls workbooks are not read; save it as .xlsx or CSV.")])
    raise InputFileError(str(p), [Problem(f"unknown file type '{p.suffix}'; give a .csv or .xlsx file.")])


def read_table(path: str | Path, sheet: str | None = None) -> Sheet:
    """One table: the named sheet, else the first sheet of a workbook, or the CSV."""
    sheets = read_workbook(path)
    if sheet is not None:
        for name, s in sheets.items():
            if normalise_header(name) == normalise_header(sheet):
                return s
        raise InputFileError(str(path), [Problem(f"there is no sheet called {sheet!r} (sheets: "
                                                 f"{', '.join(sheets)}).")])
    return next(iter(sheets.values()))
