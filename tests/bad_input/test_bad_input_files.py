"""Bad input from real files, one case per line: what a user gives, what the command must answer.

Each case names a builder (it writes the input into a folder and returns the
command's arguments after the project), the exit code, a fragment of the
message, and whether the project may change. A refused input must leave every
table of the project exactly as it was: a digest of all tables is compared.
Cases whose output must also be inspected (exports) name a check.

Kinds: roster (import-roster), sheet (import-codings), time (numbers too large
for a float), export (values already stored that every writer must handle),
name (names typed at the command line).
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import openpyxl
import pandas as pd
import pytest

from ssp_coder.cli import main
from ssp_coder.domain import commands as cmds
from ssp_coder.store.project import Project
from tests.bad_input.cases import table_digest
from tests.legacy.conftest import xlsx
from tests.scoring.conftest import fill

ROSTER_HEAD = "participant_id,timepoint,arm,video,site"
CODINGS_HEAD = ["participant_id", "timepoint", "coder", "purpose", "classification", "d_rating"]
BOUNDARY_HEAD = ["participant_id", "timepoint", "coder", "episode", "onset_s", "offset_s"]
DURATION_MS = 1_500_000  # the sessions of the trial project: 25 minutes each


# --------------------------------------------------------------------------- input builders

def write_bytes(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def roster_lines(videos: list[Path], n: int = 2, site: str = "Newark") -> list[str]:
    return [f"P{i + 1},pre,A,{videos[i]},{site}" for i in range(n)]


def roster_csv(text: str, name: str = "roster.csv", encoding: str = "utf-8") -> Callable:
    """A roster whose text may use {v0}..{v3} for the four videos."""
    def build(folder: Path, videos: list[Path]) -> list[str]:
        body = text.format(**{f"v{i}": v for i, v in enumerate(videos)})
        return ["import-roster", "{project}", str(write_bytes(folder, name, body.encode(encoding)))]
    return build


def roster_bytes(make: Callable[[list[Path]], bytes], name: str = "roster.csv") -> Callable:
    def build(folder: Path, videos: list[Path]) -> list[str]:
        return ["import-roster", "{project}", str(write_bytes(folder, name, make(videos)))]
    return build


def roster_xlsx(make: Callable[[list[Path]], list[list]], merges: list[str] = (), name: str = "roster.xlsx"
                ) -> Callable:
    def build(folder: Path, videos: list[Path]) -> list[str]:
        return ["import-roster", "{project}", str(xlsx(folder / name, {"roster": make(videos)},
                                                       {"roster": list(merges)}))]
    return build


def good_roster_rows(videos: list[Path], n: int = 2) -> list[list]:
    return [ROSTER_HEAD.split(",")] + [[f"P{i + 1}", "pre", "A", str(videos[i]), "Newark"] for i in range(n)]


def stray_quote_swallows_rows(videos: list[Path]) -> bytes:
    """20 rows; a quote opens in row 3's site and a second stray one closes it in row 19: 16 rows vanish."""
    lines = [ROSTER_HEAD] + [f"P{i},pre,A,{videos[0]},Newark" for i in range(1, 21)]
    lines[2] = lines[2].replace("Newark", '"Newark')
    lines[18] = lines[18].replace("Newark", 'Newark"')
    return ("\n".join(lines) + "\n").encode()


def stray_quote_large(videos: list[Path]) -> bytes:
    """5,000 rows; the quote in row 101 runs to the end (more than the csv module's 131,072 characters)."""
    lines = [ROSTER_HEAD] + [f"P{i},pre,A,{videos[0]},Newark" for i in range(1, 5001)]
    lines[100] = lines[100].replace("Newark", '"Newark')
    return ("\n".join(lines) + "\n").encode()


def excel_unicode_text(videos: list[Path], sep: str = "\t", end: str = "\r\n", bom: bool = True) -> bytes:
    """What Excel writes for 'Unicode Text': UTF-16 little-endian with a byte-order mark, tabs, CRLF."""
    lines = [ROSTER_HEAD.replace(",", sep)] + [r.replace(",", sep) for r in roster_lines(videos)]
    text = end.join(lines) + end
    return (b"\xff\xfe" if bom else b"") + text.encode("utf-16-le")


def workbook_bytes(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    data = io.BytesIO()
    wb.save(data)
    return data.getvalue()


def workbook_named_csv(videos: list[Path]) -> bytes:
    return workbook_bytes(good_roster_rows(videos))


def long_cell_workbook(videos: list[Path]) -> bytes:
    """A cell longer than Excel allows, as other programs write it (openpyxl itself cuts cells it writes)."""
    data = workbook_bytes([ROSTER_HEAD.split(",") + ["notes"], ["P1", "pre", "A", str(videos[0]), "N", "PLACEHOLDER"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            dst.writestr(item, content.replace(b"PLACEHOLDER", b"z" * 40_000))
    return out.getvalue()


def old_xls_named_csv(videos: list[Path]) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8


def sheet(codings: list[list], boundaries: list[list] | None = None, merges: dict[str, list[str]] | None = None,
          name: str = "sheet.xlsx") -> Callable:
    def build(folder: Path, videos: list[Path]) -> list[str]:
        sheets = {"codings": codings}
        if boundaries is not None:
            sheets["boundaries"] = boundaries
        return ["import-codings", "{project}", str(xlsx(folder / name, sheets, merges))]
    return build


def sheet_csv(text: str) -> Callable:
    def build(folder: Path, videos: list[Path]) -> list[str]:
        return ["import-codings", "{project}", str(write_bytes(folder, "codings.csv", text.encode()))]
    return build


def command(*args: str) -> Callable:
    def build(folder: Path, videos: list[Path]) -> list[str]:
        return [a.replace("{out}", str(folder)) for a in args]
    return build


CODING_ROW = ["P2", "pre", "Ann", "primary", "B3", 1]


# --------------------------------------------------------------------------- output checks

def wide_ids_xlsx(folder: Path) -> None:
    wb = openpyxl.load_workbook(folder / "out.xlsx", read_only=True)
    ids = [r[0] for r in wb["data_wide"].iter_rows(min_row=2, values_only=True)]
    assert "P002" in ids and "P0\u240002" in ids and len(ids) == len(set(ids))


def wide_ids_csv(folder: Path) -> None:
    wide = pd.read_csv(folder / "csv" / "data_wide.csv", dtype=str, encoding="utf-8-sig")
    ids = wide["participant_id"].tolist()
    assert "P002" in ids and "P0\u240002" in ids and len(ids) == len(set(ids))


def long_ids_stats(fmt: str) -> Callable[[Path], None]:
    def check(folder: Path) -> None:
        import pyreadstat
        frame, _ = getattr(pyreadstat, f"read_{fmt}")(str(folder / f"out_long.{fmt}"))
        ids = set(frame["participant_id"])
        assert {"P002", "P0\u240002"} <= ids
        assert "\u241b" in "".join(frame["site"])  # ESC shown, the value not cut at it
    return check


def sav_long_text_cut(folder: Path) -> None:
    import pyreadstat
    frame, _ = pyreadstat.read_sav(str(folder / "out_long.sav"))
    assert "notes" in frame.columns and not any(c.startswith("NOTES") or c[:1] == "A" and c[1:].isdigit()
                                                for c in frame.columns)
    assert max(len(v) for v in frame["notes"]) == 32_767


def irr_xlsx(folder: Path) -> None:
    wb = openpyxl.load_workbook(folder / "irr.xlsx", read_only=True)
    cells = {str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row}
    assert any("B\u241bob" in c for c in cells)


def scores_xlsx(folder: Path) -> None:
    wb = openpyxl.load_workbook(folder / "scores.xlsx", read_only=True)
    assert wb["scores"].max_row >= 2


# --------------------------------------------------------------------------- the table

@dataclass(frozen=True)
class Case:
    name: str
    kind: str                       # roster / sheet / time / export / name
    base: str                       # "empty" (no sessions) or "trial" (sessions, coders, codings, stored oddities)
    build: Callable[[Path, list[Path]], list[str]]
    exit_code: int
    message: str                    # fragment of stderr (refusals) or stdout (success)
    changes: bool = False           # True: the project may change (a successful import)
    check: Callable[[Path], None] | None = None


CASES = [
    # 1. a stray quote swallows rows: reported with the row (and column) where the quote opened
    Case("stray quote (issue example)", "roster", "empty",
         roster_csv(ROSTER_HEAD + '\nP1,pre,A,{v0},"Newark\nP2,pre,A,{v1},Newark\n'),
         2, "row 2, column 'site': a quote mark opens this cell"),
    Case("stray quotes swallow 16 of 20 rows", "roster", "empty", roster_bytes(stray_quote_swallows_rows),
         2, "row 3, column 'site': a quote mark opens"),
    Case("quoted cell with a line break", "roster", "empty",
         roster_csv(ROSTER_HEAD + '\nP1,pre,A,{v0},"New\nark"\n'), 2, "cannot span lines"),
    # 8. CSV as other programs write it
    Case("stray quote in a large file", "roster", "empty", roster_bytes(stray_quote_large),
         2, "row 101, column 'site': a quote mark opens"),
    Case("CR-only line ends (old Mac Excel)", "roster", "empty",
         roster_csv(ROSTER_HEAD + "\rP1,pre,A,{v0},Newark\rP2,pre,A,{v1},Dover\r"),
         0, "Added 2 participant(s)", changes=True),
    Case("UTF-16 tab-separated CRLF (Excel 'Unicode Text')", "roster", "empty", roster_bytes(excel_unicode_text),
         0, "Added 2 participant(s)", changes=True),
    Case("UTF-16 comma-separated LF", "roster", "empty",
         roster_bytes(lambda v: excel_unicode_text(v, sep=",", end="\n")), 0, "Added 2 participant(s)", changes=True),
    Case("UTF-16 without byte-order mark", "roster", "empty",
         roster_bytes(lambda v: excel_unicode_text(v, bom=False)), 0, "Added 2 participant(s)", changes=True),
    # (a guard, not a fix: the new reader must keep reading what the old one did)
    Case("semicolon-separated (European Excel)", "roster", "empty",
         roster_csv(ROSTER_HEAD.replace(",", ";") + "\nP1;pre;A;{v0};Newark\n", encoding="cp1252"),
         0, "Added 1 participant(s)", changes=True),
    Case("an .xlsx renamed .csv", "roster", "empty", roster_bytes(workbook_named_csv),
         0, "Added 2 participant(s)", changes=True),
    Case("an old .xls renamed .csv", "roster", "empty", roster_bytes(old_xls_named_csv),
         2, "old Excel (.xls) workbook"),
    Case("a cell over 131,072 characters", "roster", "empty",
         roster_csv(ROSTER_HEAD + ",notes\nP1,pre,A,{v0},Newark," + "x" * 200_000 + "\n"),
         2, "row 2, column 'notes': the cell holds 200,000 characters"),
    # 14. a text attribute too long for any export format: refused at import
    Case("a 100,000-character text attribute", "roster", "empty",
         roster_csv(ROSTER_HEAD + ",notes\nP1,pre,A,{v0},Newark," + "y" * 100_000 + "\n"),
         2, "a cell can hold at most 32,767"),
    Case("a 40,000-character cell in an xlsx roster", "roster", "empty", roster_bytes(long_cell_workbook,
                                                                                     name="roster.xlsx"),
         2, "the cell holds 40,000 characters"),
    # 5. control characters in ids and names
    Case("NUL inside a participant id", "roster", "empty",
         roster_csv(ROSTER_HEAD + "\nP0\x0002,pre,A,{v0},Newark\nP002,pre,A,{v1},Newark\n"),
         2, "row 2, column 'participant_id': the cell holds the control character(s) U+0000"),
    Case("ESC inside a site name", "roster", "empty",
         roster_csv(ROSTER_HEAD + "\nP1,pre,A,{v0},New\x1bark\n"), 2, "column 'site': the cell holds the control "
                                                                       "character(s) U+001B"),
    Case("DEL inside an arm (xlsx)", "roster", "empty",
         roster_xlsx(lambda v: [ROSTER_HEAD.split(","), ["P1", "pre", "A\x7f", str(v[0]), "Newark"]]),
         2, "column 'arm': the cell holds the control character(s) U+007F"),
    Case("line break inside a participant id (xlsx)", "roster", "empty",
         roster_xlsx(lambda v: [ROSTER_HEAD.split(","), ["P\n1", "pre", "A", str(v[0]), "Newark"]]),
         2, "participant_id holds a tab or line break (U+000A)"),
    Case("control character in a column name", "roster", "empty",
         roster_csv(ROSTER_HEAD + ",no\x02tes\nP1,pre,A,{v0},Newark,x\n"), 2, "row 1, column 'no\\x02tes'"),
    # 6. duplicate column names (after the spelling normalisation that matches columns)
    Case("two video columns", "roster", "empty",
         roster_csv("participant_id,timepoint,arm,video,video\nP1,pre,A,{v0},{v1}\n"),
         2, "columns D ('video') and E ('video') have the same name"),
    Case("notes and ' Notes' (same after normalisation)", "roster", "empty",
         roster_csv(ROSTER_HEAD + ",notes, Notes\nP1,pre,A,{v0},Newark,first,second\n"),
         2, "columns F ('notes') and G ('Notes') have the same name"),
    Case("Participant ID and participant_id (xlsx)", "roster", "empty",
         roster_xlsx(lambda v: [["Participant ID", "timepoint", "arm", "video", "participant_id"],
                                ["P1", "pre", "A", str(v[0]), "P9"]]),
         2, "columns A ('Participant ID') and E ('participant_id') have the same name"),
    # 13. data under a blank header, merged cells
    Case("data under a blank header (csv)", "roster", "empty",
         roster_csv("participant_id,timepoint,arm,video,,site\nP1,pre,A,{v0},lost,Newark\n"),
         2, "column E has no name in row 1 but holds data (row 2)"),
    Case("data beyond the last header (csv)", "roster", "empty",
         roster_csv(ROSTER_HEAD + "\nP1,pre,A,{v0},Newark,lost\nP2,pre,A,{v1},Newark,lost too\n"),
         2, "column F has no name in row 1 but holds data (row 2 and 1 more row(s))"),
    Case("data under a blank header (xlsx)", "roster", "empty",
         roster_xlsx(lambda v: [["participant_id", "timepoint", "arm", "video", None, "site"],
                                ["P1", "pre", "A", str(v[0]), "lost", "Newark"]]),
         2, "column E has no name in row 1"),
    Case("merged site cells (xlsx)", "roster", "empty", roster_xlsx(good_roster_rows, merges=["E2:E3"]),
         2, "row 2, column 'site': cells E2:E3 are merged"),
    Case("merged header cells (xlsx)", "roster", "empty",
         roster_xlsx(lambda v: [["participant_id", "timepoint", "arm", "video", "site", None],
                                ["P1", "pre", "A", str(v[0]), "Newark", None]], merges=["E1:F1"]),
         2, "cells E1:F1 are merged in the row of column names"),
    # legacy coding sheets: the same reader, the same refusals
    Case("coding sheet with two d_rating columns", "sheet", "trial",
         sheet([CODINGS_HEAD + ["d_rating"], CODING_ROW + [7]]), 2, "have the same name"),
    Case("coding sheet: D rating and 'D Rating'", "sheet", "trial",
         sheet([CODINGS_HEAD + ["D Rating"], CODING_ROW + [7]]), 2, "('d_rating') and G ('D Rating')"),
    Case("coding sheet: data under a blank header", "sheet", "trial",
         sheet([CODINGS_HEAD + [None], CODING_ROW + ["lost"]]), 2, "column G has no name"),
    Case("coding sheet: merged cells", "sheet", "trial",
         sheet([CODINGS_HEAD, CODING_ROW, ["P3", "pre", "Ann", "primary", "B3", 1]],
               merges={"codings": ["E2:E3"]}), 2, "cells E2:E3 are merged"),
    Case("coding sheet: stray quote (csv)", "sheet", "trial",
         sheet_csv(",".join(CODINGS_HEAD) + '\nP2,pre,Ann,primary,"B3,1\nP3,pre,Ann,primary,B3,1\n'),
         2, "row 2, column 'classification': a quote mark opens"),
    Case("coding sheet: ESC in a coder name", "sheet", "trial",
         sheet_csv(",".join(CODINGS_HEAD) + "\nP2,pre,A\x1bnn,primary,B3,1\n"),
         2, "row 2, column 'coder': the cell holds the control character(s) U+001B"),
    # 9. numbers that overflow: the same path as any time after the end of the video
    Case("onset 1e308 in a boundaries sheet", "time", "trial",
         sheet([CODINGS_HEAD, CODING_ROW], [BOUNDARY_HEAD, ["P2", "pre", "Ann", 1, "1e308", 20]]),
         2, "row 2, column 'onset_s': 1e+308 s is after the end of the video (1500 s)"),
    Case("offset 1e308 in a boundaries sheet", "time", "trial",
         sheet([CODINGS_HEAD, CODING_ROW], [BOUNDARY_HEAD, ["P2", "pre", "Ann", 1, 10, 1e308]]),
         2, "column 'offset_s': 1e+308 s is after the end of the video"),
    Case("irr consensus --set episode_5=1e308-2", "time", "trial",
         command("irr", "consensus", "{project}", "S1PR", "--decider", "Lead", "--set", "episode_5=1e308-2",
                 "--reason", "typed in at the conference"),
         2, "Episode 5 start (1e+308 s) is after the end of the video (1500.000 s)"),
    Case("irr consensus --set episode_5=2-1e306", "time", "trial",
         command("irr", "consensus", "{project}", "S1PR", "--decider", "Lead", "--set", "episode_5=2-1e306",
                 "--reason", "typed in at the conference"),
         2, "is after the end of the video"),
    Case("irr consensus --set episode_5=1e400-2 (infinite)", "time", "trial",
         command("irr", "consensus", "{project}", "S1PR", "--decider", "Lead", "--set", "episode_5=1e400-2"),
         2, "Cannot read '1e400-2'"),
    # 5./14. what is already stored: every writer keeps ids distinct and whole, and does not fail
    Case("xlsx export: NUL id stays apart from P002", "export", "trial",
         command("export", "{project}", "--format", "xlsx", "-o", "{out}/out.xlsx"), 0, "Exported",
         check=wide_ids_xlsx),
    Case("csv export: NUL id shown, not written raw", "export", "trial",
         command("export", "{project}", "--format", "csv", "-o", "{out}/csv"), 0, "Exported", check=wide_ids_csv),
    Case("sav export: ids not cut at the NUL", "export", "trial",
         command("export", "{project}", "--format", "sav", "-o", "{out}/out.sav"), 0, "Exported",
         check=long_ids_stats("sav")),
    Case("dta export: ids not cut at the NUL", "export", "trial",
         command("export", "{project}", "--format", "dta", "-o", "{out}/out.dta"), 0, "Exported",
         check=long_ids_stats("dta")),
    Case("sav export: 100,000-character text cut with a note", "export", "trial",
         command("export", "{project}", "--format", "sav", "-o", "{out}/out.sav"), 0,
         "were cut to that length in the .sav", check=sav_long_text_cut),
    Case("score -o x.xlsx with ESC in a site name", "export", "trial",
         command("score", "{project}", "-o", "{out}/scores.xlsx"), 0, "Scored", check=scores_xlsx),
    Case("irr -o x.xlsx with ESC in a stored coder name", "export", "trial",
         command("irr", "{project}", "-o", "{out}/irr.xlsx"), 0, "", check=irr_xlsx),
    # names typed at the command line follow the same rule as names in a roster
    Case("coder add with ESC in the name", "name", "empty", command("coder", "add", "{project}", "B\x1bob"),
         2, "holds the control character(s) U+001B"),
    Case("coder add with a line break in the name", "name", "empty", command("coder", "add", "{project}", "Bo\nb"),
         2, "U+000A"),
]


# --------------------------------------------------------------------------- the base projects

def build_trial(path: Path) -> Path:
    """Three participants with sessions of known length, coders, two complete codings of S1PR, and the oddities
    an older version let in: a NUL inside an id beside the real P002, an ESC in a site, 100,000 characters of notes."""
    p = Project.create(path, backups=False)
    with p.bulk(origin="test") as w:
        people = [("P1", "ABC", "Newark", {}), ("P2", "DEF", "Newark", {}), ("P3", "ABC", "Dover", {}),
                  ("P0\x0002", "DEF", "New\x1bark", {"notes": "n" * 100_000}), ("P002", "ABC", "Dover", {})]
        for i, (pid, arm, site, extra) in enumerate(people, start=1):
            part = w.add_participant(pid, arm, site=site, extra=extra)
            for tp in ("pre", "post"):
                w.add_session(part, tp, f"S{i}{tp[:2].upper()}", video_path=None, video_sha256=None,
                              duration_ms=DURATION_MS, fps=None, frame_count=None)
    p.execute_many([cmds.AddCoder("Ann"), cmds.AddCoder("Bob"), cmds.AddCoder("Lead", "coordinator")])
    for coder, purpose in (("Ann", "primary"), ("Bob", "reliability")):
        applied = p.execute(cmds.CreateCoding(int(p.session_by_code("S1PR").id), int(p.coder(coder).id), purpose))
        fill(p, int(applied.inverse.coding_id), classification="B3" if coder == "Ann" else "B1")
    p.close()
    # An older version let a coder name hold an ESC; the command now refuses one, so it is put in directly.
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE coders SET name = ? WHERE name = 'Bob'", ("B\x1bob",))
    con.close()
    return path


def build_empty(path: Path) -> Path:
    p = Project.create(path, backups=False)
    p.execute_many([cmds.AddCoder("Ann"), cmds.AddCoder("Lead", "coordinator")])
    p.close()
    return path


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bases")
    out = {"empty": build_empty(folder / "empty.sspc"), "trial": build_trial(folder / "trial.sspc")}
    # Each case copies the one file: nothing may be left in a write-ahead log beside it.
    assert not any(Path(f"{p}-wal").exists() for p in out.values())
    return out


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}: {c.name}" for c in CASES])
def test_bad_input(case: Case, bases, tmp_path, tiny_videos, capsys):
    project = tmp_path / "project.sspc"
    shutil.copyfile(bases[case.base], project)
    inputs = tmp_path / "in"
    inputs.mkdir()
    args = [a.replace("{project}", str(project)) for a in case.build(inputs, list(tiny_videos))]
    before = table_digest(project)
    code = main(args)
    out = capsys.readouterr()
    text = out.err if case.exit_code else out.out
    assert code == case.exit_code, out.err or out.out
    assert case.message in text, text
    assert "Traceback" not in out.err and "sorry" not in out.err
    if not case.changes:
        assert table_digest(project) == before, "the project changed"
    else:
        assert table_digest(project) != before
    if case.check is not None:
        case.check(inputs)


def test_every_kind_is_in_the_table():
    kinds = {c.kind for c in CASES}
    assert kinds == {"roster", "sheet", "time", "export", "name"}
    assert len({c.name for c in CASES}) == len(CASES)
