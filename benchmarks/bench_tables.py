"""Read a 20,000-row roster (CSV, UTF-8 and UTF-16, with some quoted cells) and a 5,000-row xlsx sheet.

The reader checks every cell (control characters, length, unnamed columns)
and parses quotes itself; this prints what that costs per file.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import _common

from ssp_coder.tables import read_table


def roster_lines(n: int) -> list[str]:
    lines = ["participant_id,timepoint,arm,video,site,age_months,sex,date_of_visit,notes"]
    for i in range(n):
        note = f'"said ""hello"", then left {i}"' if i % 10 == 0 else f"note {i}"
        lines.append(f"P{i:05d},{'pre' if i % 2 else 'post'},ABC,videos/P{i:05d}.mp4,site{i % 3},14,F,2025-01-1{i % 9},"
                     f"{note}")
    return lines


def timed(path: Path, runs: int = 5) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        read_table(path)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="ssp-tables-"))
    lines = roster_lines(20_000)
    utf8 = folder / "roster.csv"
    utf8.write_text("\n".join(lines) + "\n", encoding="utf-8")
    utf16 = folder / "roster_unicode.txt"
    utf16.write_bytes(b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("roster")
    for line in lines[:5001]:
        ws.append(line.split(","))
    xlsx = folder / "roster.xlsx"
    wb.save(xlsx)
    _common.report("CSV UTF-8, 20,000 rows", timed(utf8))
    _common.report("CSV UTF-16 (Excel Unicode Text), 20,000 rows", timed(utf16))
    _common.report("xlsx, 5,000 rows", timed(xlsx, runs=3))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
