"""Reading CSV (and tab-separated) text as spreadsheets write it.

Why not the ``csv`` module: it lets a quoted cell run across lines, so one
stray quote mark (``"Newark``) silently swallows every row up to the next
quote; it stops at 131,072 characters per cell with an error no user can act
on; and it does not tell which row a problem came from. Here one line of the
file is one row of the table, always: a quote that does not close on its own
line is reported with the row and column where it opened, and nothing is
imported. Line breaks inside cells are therefore refused in CSV files (an
.xlsx file keeps them without ambiguity).

Accepted: UTF-8 (with or without the mark Excel puts first), UTF-16 with or
without a byte-order mark (Excel's "Unicode Text", tab-separated), Windows
and Latin-1 8-bit text; line ends CRLF, LF or CR alone (old Mac Excel); comma,
semicolon or tab between cells, told from the header row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ssp_coder.errors import InputFileError, Problem
from ssp_coder.tables.sheet import column_letter

ZIP_SIGNATURE = b"PK\x03\x04"          # .xlsx / .xlsm / .ods are zip archives
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"    # old .xls (and .doc) files
_LINE_END = re.compile(r"\r\n|\n|\r")
DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


@dataclass(frozen=True)
class CsvText:
    rows: list[list[str]]
    encoding: str
    delimiter: str


def _utf16_without_mark(raw: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the bytes look like UTF-16 text without a byte-order mark."""
    sample = raw[:2000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    # ASCII text in UTF-16 has a zero byte in every other position.
    if odd.count(0) > 0.7 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.7 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def decode(raw: bytes, path: Path) -> tuple[str, str]:
    """(text, encoding name); raises InputFileError for files that are not text."""
    if raw.startswith(OLE_SIGNATURE):
        raise InputFileError(str(path), [Problem(
            "this is an old Excel (.xls) workbook or another Office file, not CSV text, although its name ends in "
            f"{path.suffix}. Open it in Excel and save it as .xlsx (or as 'CSV UTF-8').")])
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        encoding = "utf-16"
    elif raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        encoding = _utf16_without_mark(raw) or ""
    if encoding:
        try:
            return raw.decode(encoding), encoding.upper().replace("-SIG", "")
        except UnicodeDecodeError as exc:
            raise InputFileError(str(path), [Problem(
                f"the file looks like {encoding.upper().replace('-SIG', '')} text, but byte {exc.start:,} cannot be "
                "read in that encoding; the file may be damaged. Save it again as 'CSV UTF-8'.")]) from None
    for candidate in ("utf-8", "cp1252", "latin-1"):
        try:
            text = raw.decode(candidate)
        except UnicodeDecodeError:
            continue
        return text, candidate.upper()
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _looks_binary(text: str) -> bool:
    """Mostly control characters: a picture, a database or an archive, not a table."""
    sample = text[:8192]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return controls > 0.1 * len(sample)


def _split_quoted(line: str, delimiter: str) -> tuple[list[str], int | None]:
    """Cells of one line; and the index of the cell whose quote does not close on the line (or None).

    Quoting as Excel writes it: a cell that starts with ``"`` runs to the next
    ``"`` not doubled; ``""`` inside it is one quote. A quote inside an
    unquoted cell (``5'2"``) is kept as a character.
    """
    cells: list[str] = []
    i, n = 0, len(line)
    while True:
        start = i
        while i < n and line[i] == " ":
            i += 1
        if i < n and line[i] == '"':
            i += 1
            parts = []
            while True:
                q = line.find('"', i)
                if q < 0:
                    cells.append("".join(parts) + line[i:])
                    return cells, len(cells) - 1
                parts.append(line[i:q])
                if q + 1 < n and line[q + 1] == '"':
                    parts.append('"')
                    i = q + 2
                    continue
                i = q + 1
                break
            # Anything between the closing quote and the delimiter is kept, as Excel does.
            end = line.find(delimiter, i)
            end = n if end < 0 else end
            cells.append("".join(parts) + line[i:end])
        else:
            end = line.find(delimiter, start)
            end = n if end < 0 else end
            cells.append(line[start:end])
        if end >= n:
            return cells, None
        i = end + len(delimiter)


def _delimiter(header: str) -> str:
    """The separator the header row uses most (outside quotes); comma when there is none."""
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse(text: str, path: Path, encoding: str) -> CsvText:
    if text.startswith("\ufeff"):
        text = text[1:]
    if _looks_binary(text):
        raise InputFileError(str(path), [Problem(
            f"this is not a text (CSV) file, although its name ends in {path.suffix}. Give the roster or coding "
            "sheet as .xlsx, or save it from Excel as 'CSV UTF-8'.")])
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        return CsvText([], encoding, ",")
    delimiter = _delimiter(lines[0])
    rows: list[list[str]] = []
    open_quotes: list[Problem] = []
    header: list[str] = []
    for number, line in enumerate(lines, start=1):
        if '"' not in line:
            cells = line.split(delimiter)
        else:
            cells, unclosed = _split_quoted(line, delimiter)
            if unclosed is not None:
                where = header[unclosed] if unclosed < len(header) and header[unclosed] else column_letter(unclosed)
                open_quotes.append(Problem(
                    "a quote mark opens this cell but does not close it on the same line, so the cell would run on "
                    "into the rows below and swallow them. Delete the stray quote mark (or close it); a cell in a CSV "
                    "file cannot span lines.", row=number, column=where))
        if number == 1:
            header = [c.strip() for c in cells]
        rows.append(cells)
    if open_quotes:
        raise InputFileError(str(path), open_quotes[:20] + (
            [Problem(f"... and {len(open_quotes) - 20} more line(s) with a quote mark that does not close.")]
            if len(open_quotes) > 20 else []))
    if len(rows) > 1 and len(rows[0]) == 1 and "," not in lines[0]:
        _check_single_column(rows, path, encoding)
    return CsvText(rows, encoding, delimiter)


def _check_single_column(rows: list[list[str]], path: Path, encoding: str) -> None:
    """A one-column header over rows with separators: the separator was not recognised."""
    for d in DELIMITERS:
        if sum(1 for r in rows[1:6] if d in r[0]) >= min(2, len(rows) - 1):
            raise InputFileError(str(path), [Problem(
                f"the first row has no separator between column names, but the rows below are separated by "
                f"{_DELIMITER_NAMES[d]}s (file read as {encoding}). Check the first row: the column names must be "
                f"separated the same way.", row=1)])


def read_csv_rows(path: Path, raw: bytes) -> CsvText:
    text, encoding = decode(raw, path)
    return parse(text, path, encoding)
