"""Read the spreadsheets researchers already have: CSV or XLSX, as plain text cells.

Every row keeps the number the spreadsheet shows (header = row 1), so that a
problem can be reported as "row 14, column 'video'". Cells come back as
stripped strings; an empty cell is "".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ssp_coder.errors import InputFileError, Problem


@dataclass(frozen=True)
class Sheet:
    path: Path
    name: str
    columns: list[str]
    rows: list[dict[str, str]]
    row_numbers: list[int]
    extra: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)


def normalise_header(name: str) -> str:
    """'Participant ID ' -> 'participant_id'; used to match columns whatever their spelling."""
    s = re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower())
    return s.strip("_")


def match_columns(columns: list[str], spec: dict[str, tuple[str, ...]]) -> tuple[dict[str, str], list[str]]:
    """Map canonical names to the sheet's columns.

    ``spec`` maps a canonical name to accepted spellings (already normalised).
    Returns (canonical -> actual column, columns not matched).
    """
    found: dict[str, str] = {}
    used: set[str] = set()
    for canon, aliases in spec.items():
        accepted = {normalise_header(canon), *aliases}
        for col in columns:
            if col not in used and normalise_header(col) in accepted:
                found[canon] = col
                used.add(col)
                break
    return found, [c for c in columns if c not in used]


def _cell_text(value: object) -> str:
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


def _decode(raw: bytes, path: Path) -> str:
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputFileError(str(path), [Problem("the file's text encoding is not readable; save it as UTF-8 CSV.")])


def _read_csv(path: Path) -> Sheet:
    text = _decode(path.read_bytes(), path)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    all_rows = list(reader)
    return _sheet_from_rows(path, path.stem, all_rows)


def _sheet_from_rows(path: Path, name: str, all_rows: list[list[object]]) -> Sheet:
    if not all_rows:
        return Sheet(path, name, [], [], [])
    header = [_cell_text(h) for h in all_rows[0]]
    while header and header[-1] == "":
        header.pop()
    rows, numbers = [], []
    for i, raw in enumerate(all_rows[1:], start=2):
        cells = [_cell_text(v) for v in raw]
        if not any(cells):
            continue  # blank lines are not rows anyone meant
        rows.append({h: (cells[j] if j < len(cells) else "") for j, h in enumerate(header) if h})
        numbers.append(i)
    return Sheet(path, name, header, rows, numbers)


def _open_xlsx(path: Path):
    import openpyxl  # imported here: most commands never read spreadsheets
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise InputFileError(str(path), [Problem(f"not a readable Excel workbook ({type(exc).__name__}: {exc}). "
                                                 "Save it again as .xlsx or export it as CSV.")]) from None


def read_workbook(path: str | Path) -> dict[str, Sheet]:
    """All sheets of an XLSX file, or the one table of a CSV file (named after the file)."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(str(p), [Problem("the file does not exist. Check the path.")])
    if p.is_dir():
        raise InputFileError(str(p), [Problem("this is a folder; give the CSV or XLSX file.")])
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        wb = _open_xlsx(p)
        try:
            return {ws.title: _sheet_from_rows(p, ws.title, [list(r) for r in ws.iter_rows(values_only=True)])
                    for ws in wb.worksheets}
        finally:
            wb.close()
    if suffix in (".csv", ".tsv", ".txt"):
        sheet = _read_csv(p)
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
