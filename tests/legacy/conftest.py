"""The legacy-sheet tests' trial, and a workbook writer for the sheets they (and the bad-input table) import."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.scoring.conftest import trial  # noqa: F401  (the same small trial)


def xlsx(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    """A workbook with one sheet per entry, rows as given; ``merges`` names cell ranges to merge per sheet."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        for ref in (merges or {}).get(title, []):
            ws.merge_cells(ref)
    wb.save(path)
    return path
