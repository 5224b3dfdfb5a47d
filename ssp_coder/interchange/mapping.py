"""The map: which of a file's codes is which scheme behaviour or episode boundary.

A map is a CSV (or XLSX) with the columns ``kind, file, project``::

    kind,file,project
    code,Crying,cry
    code,Ep 5,episode 5            # a state/interval: episode 5 from its start to its stop
    code,Reunion 1 starts,episode 5 start   # a point: episode 5 starts here (and 4 ends, unless 4 has an end)
    code,Session over,episode 8 end
    code,Vocalizes,ignore          # listed in the report as not imported, never silently dropped
    session,obs 12,K7Q-4M2         # observation -> session: blinded code, or participant and timepoint
    session,obs 13,P001 pre
    coder,Subject 1,Ann            # BORIS/Observer subject, ELAN annotator or observation -> coder

A map with only two columns holds codes. Without a map (or for codes the map
does not name), a code that is a scheme behaviour code or name, or reads
"episode N" / "episode N start" / "episode N end", is taken as such.
"""

from __future__ import annotations

import csv
import io
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from ssp_coder.atomic import atomic_write_text
from ssp_coder.domain.scheme import Scheme
from ssp_coder.errors import InputFileError, Problem
from ssp_coder.tables import match_columns, normalise_header, read_table

KINDS = {"code": "code", "behaviour": "code", "behavior": "code", "session": "session",
         "observation": "session", "coder": "coder", "subject": "coder", "annotator": "coder"}
COLUMNS = {"kind": ("kind", "type", "what"),
           "file": ("file", "in_file", "file_code", "from", "code_in_file", "name_in_file", "source"),
           "project": ("project", "in_project", "scheme", "to", "maps_to", "target", "scheme_code")}
EPISODE = re.compile(r"^(?:episode|episodes|ep|e)\s*[:#_.\- ]?\s*(\d+)(?:\s*[:_\- ]?\s*(start|begin|begins|onset|"
                     r"starts|end|ends|stop|offset))?$", re.IGNORECASE)
IGNORE_WORDS = ("ignore", "skip", "-", "none", "not imported")


@functools.lru_cache(maxsize=4096)
def _key(text: str) -> str:
    # asked once per event of a file (its subject), and a file has a handful of subjects
    return re.sub(r"\s+", " ", text.strip()).casefold()


@dataclass(frozen=True)
class Target:
    """What a file code becomes: a behaviour, an episode boundary, or nothing (ignored)."""

    kind: str                        # behaviour / episode / ignore
    behaviour: str | None = None
    episode: int | None = None
    part: str | None = None          # None (the whole episode), "start" or "end"

    def describe(self) -> str:
        if self.kind == "behaviour":
            return str(self.behaviour)
        if self.kind == "episode":
            return f"episode {self.episode}" + (f" {self.part}" if self.part else "")
        return "ignore"


def parse_target(text: str, scheme: Scheme) -> Target | None:
    """A map's right-hand side (or a file code read as one); None if it names nothing in the scheme."""
    t = text.strip()
    if _key(t) in IGNORE_WORDS:
        return Target("ignore")
    m = EPISODE.match(t)
    if m and int(m.group(1)) in scheme.episode_numbers:
        word = (m.group(2) or "").lower()
        part = None if not word else ("start" if word in ("start", "begin", "begins", "onset", "starts") else "end")
        return Target("episode", episode=int(m.group(1)), part=part)
    for b in scheme.behaviours:
        if _key(b.code) == _key(t) or _key(b.name) == _key(t):
            return Target("behaviour", behaviour=b.code)
    return None


@dataclass
class CodeMap:
    """The user's map (possibly empty) and the scheme it points into."""

    scheme: Scheme
    path: str | None = None
    codes: dict[str, Target] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    coders: dict[str, str] = field(default_factory=dict)

    _seen: dict[tuple[str, ...], tuple[str, Target] | None] = field(default_factory=dict, repr=False)

    def target(self, codes: tuple[str, ...]) -> tuple[str, Target] | None:
        """The first of a mark's names the map (or, failing that, the scheme) knows."""
        if codes not in self._seen:     # a file repeats a few codes thousands of times
            self._seen[codes] = self._lookup(codes)
        return self._seen[codes]

    def _lookup(self, codes: tuple[str, ...]) -> tuple[str, Target] | None:
        for c in codes:
            hit = self.codes.get(_key(c))
            if hit is not None:
                return c, hit
        for c in codes:
            hit = parse_target(c, self.scheme)
            if hit is not None:
                return c, hit
        return None

    def set_code(self, file_code: str, target: Target | None) -> None:
        """Map (or, with None, unmap) one file code, as the mapping dialog does."""
        self._seen.clear()
        if target is None:
            self.codes.pop(_key(file_code), None)
        else:
            self.codes[_key(file_code)] = target

    def targets(self) -> list[tuple[str, Target]]:
        """Every target a file code can be given, in the order a person picks from."""
        out = [(f"{b.code} — {b.name} ({b.kind})", Target("behaviour", behaviour=b.code))
               for b in self.scheme.behaviours]
        for ep in self.scheme.episodes:
            out += [(f"episode {ep.number} — {ep.name} (a state: start to end; a point: its start)",
                     Target("episode", episode=ep.number)),
                    (f"episode {ep.number} start (point)", Target("episode", episode=ep.number, part="start")),
                    (f"episode {ep.number} end (point)", Target("episode", episode=ep.number, part="end"))]
        out.append(("ignore (leave out, listed in the report)", Target("ignore")))
        return out

    def session_for(self, observation: str) -> str | None:
        return self.sessions.get(_key(observation))

    def coder_for(self, name: str | None) -> str | None:
        return self.coders.get(_key(name)) if name else None


def load_map(path: str | Path | None, scheme: Scheme) -> CodeMap:
    """Read and check a map; every bad row is reported at once."""
    if path is None:
        return CodeMap(scheme)
    sheet = read_table(path)
    cols, _rest = match_columns(sheet.columns, COLUMNS)
    if "file" not in cols or "project" not in cols:
        if len(sheet.columns) in (2, 3) and "kind" not in cols:
            # two unnamed columns: file code, scheme code
            cols = {"file": sheet.columns[0], "project": sheet.columns[1]}
        else:
            raise InputFileError(str(path), [Problem(
                "the map needs the columns kind, file and project (e.g. 'code,Crying,cry'); found "
                f"{', '.join(sheet.columns) or 'no columns'}.", row=1)])
    out = CodeMap(scheme, str(path))
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for row, number in zip(sheet.rows, sheet.row_numbers):
        kind_raw = row.get(cols["kind"], "code") if "kind" in cols else "code"
        kind = KINDS.get(normalise_header(kind_raw or "code"))
        left, right = row.get(cols["file"], "").strip(), row.get(cols["project"], "").strip()
        if kind is None:
            problems.append(Problem(f"kind {kind_raw!r} is not one of code, session, coder.", row=number,
                                    column=cols.get("kind")))
            continue
        if not left or not right:
            problems.append(Problem("fill in both the name in the file and what it is in the project.",
                                    row=number, column=cols["file"] if not left else cols["project"]))
            continue
        if (kind, _key(left)) in seen:
            problems.append(Problem(f"{left!r} is mapped twice (also on row {seen[(kind, _key(left))]}); keep one "
                                    "row.", row=number, column=cols["file"]))
            continue
        seen[(kind, _key(left))] = number
        if kind == "code":
            target = parse_target(right, scheme)
            if target is None:
                problems.append(Problem(
                    f"{right!r} is not a behaviour of the scheme ({', '.join(b.code for b in scheme.behaviours)}), "
                    f"nor 'episode N', 'episode N start', 'episode N end' (N = 1 to {scheme.episode_numbers[-1]}), "
                    "nor 'ignore'.", row=number, column=cols["project"]))
                continue
            out.codes[_key(left)] = target
        elif kind == "session":
            out.sessions[_key(left)] = right
        else:
            out.coders[_key(left)] = right
    if problems:
        raise InputFileError(str(path), problems)
    return out


def map_text(codes: dict[str, str], sessions: dict[str, str] | None = None,
             coders: dict[str, str] | None = None) -> str:
    """A map as CSV text (file names in their order; empty right-hand sides left for the user)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["kind", "file", "project"])
    for kind, rows in (("code", codes), ("session", sessions or {}), ("coder", coders or {})):
        for left, right in rows.items():
            w.writerow([kind, left, right])
    return buf.getvalue()


def write_map(path: str | Path, codes: dict[str, str], sessions: dict[str, str] | None = None,
              coders: dict[str, str] | None = None) -> Path:
    atomic_write_text(path, map_text(codes, sessions, coders))
    return Path(path)
