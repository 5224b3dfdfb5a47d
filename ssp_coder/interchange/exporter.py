"""``export-codings --to TOOL``: codings out to BORIS, ELAN, Datavyu or The Observer.

Blinding holds: an export for a coder (``coder=``) holds only the codings
that coder may see (their own; a coordinator or trainer sees all), sessions
are named by their blinded codes only, and for a coder the videos are named
by blinded code too (as in coder packages), never by their original file
names. Everything is checked before the first file is written.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ssp_coder.domain.model import Coding, Session
from ssp_coder.errors import KnownError
from ssp_coder.interchange.boris import write_boris
from ssp_coder.interchange.collection import without_cycle_collection
from ssp_coder.interchange.datavyu import write_opf
from ssp_coder.interchange.elan import write_eaf
from ssp_coder.interchange.model import TOOL_NAMES, Ethogram, ExportCoding, ExportEvent, clock
from ssp_coder.interchange.observer import write_event_log
from ssp_coder.packages.export import resolve_video
from ssp_coder.reliability.blinding import SUPERVISOR_ROLES, visible_codings
from ssp_coder.store.project import Project

EXPORT_TOOLS = ("boris", "elan", "datavyu", "observer")
ONE_FILE = {"boris": ".boris", "observer": ".txt"}
PER_CODING = {"elan": ".eaf", "datavyu": ".opf"}


class ExportProblem(KnownError):
    pass


@dataclass(frozen=True)
class InterchangeExport:
    tool: str
    paths: tuple[Path, ...]
    codings: int
    events: int
    blinded_for: str | None

    def summary(self) -> str:
        who = f" for {self.blinded_for} (blinded)" if self.blinded_for else ""
        where = str(self.paths[0]) if len(self.paths) == 1 else f"{len(self.paths)} files in {self.paths[0].parent}"
        return (f"Wrote {self.codings} coding(s), {self.events} event(s) as {TOOL_NAMES[self.tool]}{who}: {where}.")


def ethogram_of(project: Project) -> Ethogram:
    s = project.scheme
    return Ethogram(tuple((b.code, b.name, b.is_state) for b in s.behaviours), s.episode_numbers)


def _safe(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", code)


def _select(project: Project, coder: str | None, sessions: list[str] | None) -> tuple[list[Coding], bool]:
    blind = False
    if coder is not None:
        who = project.coder(coder)
        chosen = visible_codings(project, who)
        blind = who.role not in SUPERVISOR_ROLES
    else:
        chosen = project.codings()
    if sessions:
        wanted = {int(project.session_by_code(code).id): code for code in sessions}
        have = {int(c.session_id) for c in chosen}
        missing = [code for sid, code in wanted.items() if sid not in have]
        if missing:
            whose = f"{coder} has" if coder else "there is"
            raise ExportProblem(f"{whose} no coding of session(s) {', '.join(missing)}; nothing was written. Leave "
                                "them out, or assign them first.")
        chosen = [c for c in chosen if int(c.session_id) in wanted]
    return chosen, blind


def relative_media(video: str | os.PathLike, out_dir: Path) -> str:
    try:
        return os.path.relpath(video, out_dir)
    except ValueError:      # another drive on Windows: no relative path exists
        return str(video)


def _media(project: Project, session: Session, out_dir: Path, blind: bool) -> str | None:
    video = resolve_video(project, session)
    if video is None:
        return None
    if blind:
        return f"{_safe(session.blinded_code)}{video.suffix.lower()}"
    return relative_media(video, out_dir)


def collect(project: Project, *, coder: str | None = None, sessions: list[str] | None = None,
            out_dir: Path = Path(".")) -> tuple[list[ExportCoding], bool]:
    chosen, blind = _select(project, coder, sessions)
    if not chosen:
        who = f" that {coder} may see" if coder else ""
        raise ExportProblem(f"There are no codings{who} to export; nothing was written.")
    coders = {int(c.id): c.name for c in project.coders()}
    out, open_states = [], []
    for c in chosen:
        session = project.session(int(c.session_id))
        state = project.coding_state(int(c.id))
        for e in state.open_events:
            open_states.append(f"session {session.blinded_code} ({coders[int(c.coder_id)]}): '{e.code}' started at "
                               f"{clock(e.onset_ms)} is still open")
        bounds = tuple((n, b.onset_ms, b.offset_ms) for n, b in sorted(state.boundaries.items())
                       if b.onset_ms is not None and b.offset_ms is not None)
        events = tuple(ExportEvent(e.code, e.onset_ms, e.offset_ms, e.kind == "state", e.note)
                       for e in sorted(state.events, key=lambda e: (e.onset_ms, e.id)))
        video = resolve_video(project, session)
        out.append(ExportCoding(session.blinded_code, coders[int(c.coder_id)], c.purpose,
                                _media(project, session, out_dir, blind), session.duration_ms, session.fps,
                                bounds, events, None if blind or video is None else video.absolute().as_uri()))
    if open_states:
        raise ExportProblem("Some states are still open, and the other tools need every state's end; nothing was "
                            "written. Close them in the coding window first:\n  " + "\n  ".join(open_states))
    return out, blind


@without_cycle_collection
def export_codings(project: Project, tool: str, out: str | Path, *, coder: str | None = None,
                   sessions: list[str] | None = None) -> InterchangeExport:
    if tool not in EXPORT_TOOLS:
        raise ExportProblem(f"Unknown tool {tool!r}; choose one of {', '.join(EXPORT_TOOLS)}.")
    out = Path(out)
    if tool in ONE_FILE:
        if out.is_dir():
            raise ExportProblem(f"{out} is a folder; give a file name, e.g. {out / ('codings' + ONE_FILE[tool])}.")
        if not out.parent.is_dir():
            raise ExportProblem(f"The folder {out.parent} does not exist; nothing was written.")
        if tool == "boris" and not out.name.endswith((".boris", ".boris.gz")):
            out = out.with_name(out.name + ".boris")
        out_dir = out.parent
    else:
        if out.exists() and not out.is_dir():
            raise ExportProblem(f"{TOOL_NAMES[tool]} export writes one file per coding into a folder, and {out} is a "
                                "file. Give a folder name.")
        if not out.parent.is_dir():
            raise ExportProblem(f"The folder {out.parent} does not exist; nothing was written.")
        out_dir = out
    codings, blind = collect(project, coder=coder, sessions=sessions, out_dir=out_dir)
    ethogram = ethogram_of(project)
    events = sum(len(c.events) for c in codings)
    if tool == "boris":
        paths = (write_boris(out, codings, ethogram),)
    elif tool == "observer":
        paths = (write_event_log(out, codings),)
    else:
        out.mkdir(exist_ok=True)
        per_session: dict[str, int] = {}
        for c in codings:
            per_session[c.session_code] = per_session.get(c.session_code, 0) + 1
        writer = write_eaf if tool == "elan" else write_opf
        written = []
        for c in codings:
            stem = _safe(c.session_code) + (f"-{_safe(c.coder)}-{c.purpose}" if per_session[c.session_code] > 1 else "")
            written.append(writer(out / f"{stem}{PER_CODING[tool]}", c, ethogram))
        paths = tuple(written)
    return InterchangeExport(tool, paths, len(codings), events, coder if blind else None)
