"""Datavyu spreadsheets (``.opf``): read and write.

An .opf is a zip archive. Its ``db`` member is text::

    #4
    cry (MATRIX,true,)-code|NOMINAL
    00:01:10:500,00:01:21:000,(cry)
    episode (MATRIX,true,)-number|NOMINAL
    00:00:10:000,00:00:40:000,(1)

a column line (name, type, visibility, then the column's code names), then
one line per cell: onset and offset as hours:minutes:seconds:milliseconds
and the cell's values in brackets (a comma inside a value is escaped as
``\\,``). The ``project`` member (YAML) names the videos ("feed:").

Columns are behaviours, cells are intervals. A cell is looked up in the map
as "column: value", then "value", then "column". A cell whose offset is
00:00:00:000 while its onset is later has no offset (Datavyu's empty
offset); a point behaviour takes the onset of its cell. A column named
"coder" holds the coder's name (ssp-coder writes one), not codes.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ssp_coder.atomic import atomic_path
from ssp_coder.interchange.model import CodingProblem, CodingsFile, Ethogram, ExportCoding, Mark, Observation

COLUMN = re.compile(r"^(?P<name>[^\s(]+)\s*\((?P<type>[A-Za-z_]+)(?:,[^)]*)?\)-(?P<codes>.*)$")
CELL = re.compile(r"^(\d+):(\d{1,2}):(\d{1,2}):(\d{1,3}),(\d+):(\d{1,2}):(\d{1,2}):(\d{1,3}),\((?P<values>.*)\)\s*$")
FEED = re.compile(r"^\s*-?\s*feed:\s*(?P<path>.+?)\s*$")
CODER_COLUMN = "coder"    # a column of this name holds the coder's name, not codes
PLUGIN_VIDEO = "db3fc496-58a7-3706-8538-3f61278b5bec"


def _ms(h: str, m: str, s: str, milli: str) -> int:
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(milli.ljust(3, "0"))


def _stamp(ms: int) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}:{milli:03d}"


def _values(text: str) -> list[str]:
    parts = re.split(r"(?<!\\),", text)
    out = []
    for v in parts:
        v = v.replace("\\,", ",").strip()
        if v.startswith("<") and v.endswith(">"):   # Datavyu's placeholder for an empty code
            v = ""
        out.append(v)
    return out


def _escape(value: str) -> str:
    return value.replace(",", "\\,").replace("(", "").replace(")", "").replace("\n", " ")


def read_opf(path: str | Path) -> CodingsFile:
    p = Path(path)
    out = CodingsFile(str(p), "datavyu")
    try:
        with zipfile.ZipFile(p) as zf:
            names = zf.namelist()
            if "db" not in names:
                out.problems.append(CodingProblem("not a Datavyu file: the archive has no 'db' part. Save the "
                                                  "spreadsheet again in Datavyu (File > Save As, .opf)."))
                return out
            db = zf.read("db").decode("utf-8", errors="replace")
            project = zf.read("project").decode("utf-8", errors="replace") if "project" in names else ""
    except FileNotFoundError:
        out.problems.append(CodingProblem("the file does not exist. Check the path."))
        return out
    except (zipfile.BadZipFile, OSError) as exc:
        out.problems.append(CodingProblem(f"not a Datavyu .opf file ({exc}). Save the spreadsheet again in Datavyu "
                                          "(File > Save As, .opf)."))
        return out
    media = []
    for line in project.splitlines():
        m = FEED.match(line)
        if m:
            media.append(m.group("path").strip("'\"").removeprefix("file://"))
    obs = Observation(p.stem, tuple(media[:1]), str(p.parent))
    column: str | None = None
    for number, raw in enumerate(db.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or (number == 1 and line.startswith("#")):
            continue
        cm = COLUMN.match(line)
        if cm:
            column = cm.group("name")
            continue
        if column is not None and column.casefold() == CODER_COLUMN:
            cell = CELL.match(line)
            values = [v for v in _values(cell.group("values")) if v] if cell else []
            obs.coder = obs.coder or (values[0] if values else None)
            continue
        cell = CELL.match(line)
        if cell is None or column is None:
            out.problems.append(CodingProblem(f"this line of the spreadsheet is not readable: {line[:60]!r}.",
                                              observation=obs.id, tier=column, line=number))
            continue
        g = cell.groups()
        onset, offset = _ms(*g[0:4]), _ms(*g[4:8])
        values = [v for v in _values(cell.group("values")) if v]
        codes = tuple(dict.fromkeys([f"{column}: {v}" for v in values] + values + [column]))
        obs.marks.append(Mark(codes, "interval", onset, None if offset == 0 and onset > 0 else offset,
                              tier=column, line=number))
    obs.marks.sort(key=lambda m: m.onset_ms)
    out.observations.append(obs)
    return out


def opf_db(coding: ExportCoding, ethogram: Ethogram) -> str:
    lines = ["#4", f"{CODER_COLUMN} (MATRIX,true,)-name|NOMINAL", f"{_stamp(0)},{_stamp(0)},({_escape(coding.coder)})",
             "episode (MATRIX,true,)-number|NOMINAL"]
    lines += [f"{_stamp(on)},{_stamp(off)},({ep})" for ep, on, off in coding.boundaries]
    for code, _desc, _state in ethogram.behaviours:
        lines.append(f"{code} (MATRIX,true,)-code|NOMINAL")
        for e in sorted((e for e in coding.events if e.code == code), key=lambda e: e.onset_ms):
            off = e.offset_ms if e.is_state and e.offset_ms is not None else e.onset_ms
            lines.append(f"{_stamp(e.onset_ms)},{_stamp(off)},({_escape(e.code)})")
    return "\n".join(lines) + "\n"


def opf_project(name: str, media: str | None) -> str:
    lines = ["!project", f"dbFile: {name}.opf", f"name: {name}", "origpath: ''", "version: 5"]
    if media:
        lines += ["viewerSettings:", "- !vs", "  classifier: datavyu.video", f"  feed: '{media}'",
                  f"  plugin: {PLUGIN_VIDEO}", "  settingsId: '1'", "  trackSettings: !ts",
                  "    bookmark: '-1'", "    bookmarks: []", "    locked: false", "    version: 2", "  version: 3"]
    else:
        lines.append("viewerSettings: []")
    return "\n".join(lines) + "\n"


def write_opf(path: str | Path, coding: ExportCoding, ethogram: Ethogram) -> Path:
    target = Path(path)
    with atomic_path(target) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("db", opf_db(coding, ethogram))
            zf.writestr("project", opf_project(target.stem, coding.media))
    return target
