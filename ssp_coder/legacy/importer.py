"""``import_codings``: a legacy coding sheet into the project, all or nothing.

Checks everything first (the sheet, then the sheet against the project),
reports every problem at once, and writes in one ``project.bulk`` transaction
whose audit rows carry origin "imported". Importing the same sheet again
changes nothing: a coding already in the project with the same values is
left alone; one with different values is an error for the user to resolve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ssp_coder.domain import commands as cmds
from ssp_coder.domain.completeness import missing_for_completion
from ssp_coder.domain.model import (
    Coding, CodingId, CodingResult, CodingState, CoderId, EpisodeBoundary, Event, EventId, SessionId,
)
from ssp_coder.domain.scheme import Scheme
from ssp_coder.errors import DomainError, InputFileError, Problem
from ssp_coder.legacy.sheet import Context, LegacyCoding, attach_rows, read_codings_sheet
from ssp_coder.store.project import Project
from ssp_coder.tables import normalise_header, read_workbook

ORIGIN = "imported"


@dataclass(frozen=True)
class DraftNote:
    """A coding the sheet brings incomplete: imported as a draft, with what the window would ask for."""

    row: int
    session_code: str
    coder: str
    purpose: str
    missing: tuple[str, ...]

    def text(self) -> str:
        return (f"row {self.row}, session {self.session_code}, {self.coder}, {self.purpose}: imported as a draft "
                f"(not complete): {'; '.join(self.missing)}")


@dataclass
class ImportReport:
    path: str
    created: list[int] = field(default_factory=list)     # new coding ids
    filled: list[int] = field(default_factory=list)      # empty assigned codings now holding the sheet's work
    unchanged: list[int] = field(default_factory=list)   # already in the project with the same values
    drafts: list[DraftNote] = field(default_factory=list)  # imported (or, in a dry run, to import) as drafts
    dry_run: bool = False

    def summary(self) -> str:
        verbs = ("would be imported", "would be filled", "would stay") if self.dry_run else (
            "imported", "filled", "unchanged")
        text = (f"{self.path}: {len(self.created)} coding(s) {verbs[0]}, {len(self.filled)} assigned coding(s) "
                f"{verbs[1]}, {len(self.unchanged)} already in the project {verbs[2]}"
                + (" unchanged." if self.dry_run else "."))
        if self.drafts:
            text += (f"\n{len(self.drafts)} coding(s) are not complete and {'would be' if self.dry_run else 'are'} "
                     "imported as drafts; complete them in the coding window (or correct the sheet and import again):")
            text += "".join(f"\n  {d.text()}" for d in self.drafts)
        return text

    def to_dict(self) -> dict:
        return {"path": self.path, "dry_run": self.dry_run, "created": self.created, "filled": self.filled,
                "unchanged": self.unchanged,
                "drafts": [{"row": d.row, "session": d.session_code, "coder": d.coder, "purpose": d.purpose,
                            "missing": list(d.missing)} for d in self.drafts]}


def as_state(c: LegacyCoding, scheme: Scheme) -> CodingState:
    """The coding as the project would hold it, so the window's completeness check can judge it."""
    events = []
    for i, (code, on, off) in enumerate(c.events, start=1):
        events.append(Event(EventId(i), code, scheme.behaviour(code).kind, on, off))
    return CodingState(
        Coding(CodingId(0), SessionId(c.session_id), CoderId(c.coder_id), c.purpose),
        {ep: EpisodeBoundary(ep, on, off, flag, reason) for ep, (on, off, flag, reason) in c.boundaries.items()},
        tuple(sorted(events, key=lambda e: (e.onset_ms, int(e.id)))),
        dict(c.scales), (), CodingResult(c.classification, c.forced_secondary, c.d_rating))


def _pick(sheets: dict, wanted: str):
    for name, s in sheets.items():
        if normalise_header(name) == wanted:
            return s
    return None


def _content(state) -> tuple:
    b = {n: (x.onset_ms, x.offset_ms, x.flag) for n, x in state.boundaries.items()}
    ev = sorted((e.code, e.onset_ms, e.offset_ms if e.offset_ms is not None else -1) for e in state.events)
    r = state.result
    return b, ev, dict(state.scales), (r.classification, r.forced_secondary, r.d_rating), state.coding.status


def is_empty(state: CodingState) -> bool:
    """Nothing coded yet: an assigned coding an import may fill rather than find in conflict."""
    r = state.result
    return not (state.boundaries or state.events or state.scales or state.d_indices
                or any((r.classification, r.forced_secondary, r.d_rating)))


def _wanted(c: LegacyCoding) -> tuple:
    b = {n: (on, off, flag) for n, (on, off, flag, _reason) in c.boundaries.items()}
    ev = sorted((code, on, off if off is not None else -1) for code, on, off in c.events)
    status = "draft" if c.missing else "complete"
    return b, ev, dict(c.scales), (c.classification, c.forced_secondary, c.d_rating), status


def _differences(have: tuple, want: tuple) -> list[str]:
    names = ("episode boundaries", "events", "scale ratings", "classification / D rating", "status")
    return [n for n, a, b in zip(names, have, want) if a != b]


def _commands(cid: int, c: LegacyCoding) -> list[cmds.Command]:
    out: list[cmds.Command] = []
    for ep, (on, off, flag, reason) in sorted(c.boundaries.items()):
        out.append(cmds.SetBoundary(cid, ep, on, off))
        if flag:
            out.append(cmds.SetEpisodeFlag(cid, ep, flag, reason))
    for code, on, off in c.events:
        out.append(cmds.AddEvent(cid, code, on, off))
    for (sid, ep, pa), v in c.scales.items():
        out.append(cmds.SetScale(cid, sid, ep, pa, v))
    out.append(cmds.SetClassification(cid, c.classification, c.forced_secondary))
    if c.d_rating is not None:
        out.append(cmds.SetDRating(cid, c.d_rating))
    if not c.missing:
        # the window's own step, so the completeness check runs again where it is written
        out.append(cmds.MarkComplete(cid))
    return out


def read_sheet(project: Project, path: str | Path) -> tuple[list[LegacyCoding], list[Problem], str]:
    """Parse and check a sheet against the project; no writing."""
    sheets = read_workbook(path)
    problems: list[Problem] = []
    codings_sheet = _pick(sheets, "codings")
    if codings_sheet is None:
        others = [s for n, s in sheets.items() if normalise_header(n) not in ("boundaries", "events", "readme")]
        if not others:
            raise InputFileError(str(path), [Problem("there is no 'codings' sheet.")])
        codings_sheet = others[0]
    if not codings_sheet.rows:
        raise InputFileError(str(path), [Problem("the codings sheet has no rows (the first row must hold the column "
                                                 "names).", sheet=codings_sheet.name, row=2)])
    # Problems of the tables themselves (duplicate or unnamed columns, merged or unreadable cells) first:
    # with them, the checks below would read the wrong cells.
    used = [codings_sheet] + [s for kind in ("boundaries", "events") if (s := _pick(sheets, kind)) is not None
                              and s is not codings_sheet]
    table_problems = [p for s in used for p in s.problems]
    if table_problems:
        raise InputFileError(str(path), table_problems)
    ctx = Context(project.scheme, project.sessions(), project.participants(), project.coders(),
                  list(project.settings.get("timepoints") or []))
    codings = read_codings_sheet(codings_sheet, ctx, problems)
    durations = {int(s.id): s.duration_ms for s in project.sessions()}
    for kind in ("boundaries", "events"):
        sheet = _pick(sheets, kind)
        if sheet is not None and sheet is not codings_sheet and sheet.rows:
            attach_rows(sheet, kind, codings, ctx, problems, durations)
    # rows kept only so their boundaries and events were checked on their own merits
    codings = [c for c in codings if not c.rejected]
    for c in codings:
        c.missing = tuple(missing_for_completion(as_state(c, project.scheme), project.scheme))
    return codings, problems, codings_sheet.name


def _note_draft(report: ImportReport, lc: LegacyCoding) -> None:
    if lc.missing:
        report.drafts.append(DraftNote(lc.row, lc.session_code, lc.coder, lc.purpose, lc.missing))


def import_codings(project: Project, path: str | Path, *, dry_run: bool = False) -> ImportReport:
    codings, problems, sheet_name = read_sheet(project, path)
    report = ImportReport(str(path), dry_run=dry_run)
    existing = {(int(c.session_id), int(c.coder_id), c.purpose): c for c in project.codings()}
    by_session: dict[int, list[tuple[int, str, str]]] = {}
    for c in existing.values():
        by_session.setdefault(int(c.session_id), []).append((int(c.coder_id), c.purpose, "the project"))
    plan: list[tuple[LegacyCoding, int | None]] = []
    for lc in codings:
        old = existing.get(lc.key)
        where = f"session {lc.session_code}, {lc.coder}, {lc.purpose}"
        if old is not None:
            state = project.coding_state(int(old.id))
            have = _content(state)
            if have == _wanted(lc):
                report.unchanged.append(int(old.id))
            elif is_empty(state) and old.status == "draft":
                plan.append((lc, int(old.id)))
                _note_draft(report, lc)
            else:
                diff = ", ".join(_differences(have, _wanted(lc)))
                problems.append(Problem(
                    f"{where} is already in the project (coding {old.id}) with different values ({diff}). Resolve it: "
                    "correct the sheet to match, or change the coding in the project, then import again.",
                    sheet=sheet_name, row=lc.row))
            continue
        for coder_id, purpose, src in by_session.get(lc.session_id, []):
            if purpose == lc.purpose == "primary" and coder_id != lc.coder_id:
                problems.append(Problem(f"session {lc.session_code} already has a primary coding in {src}; a session "
                                        "has one primary coder.", sheet=sheet_name, row=lc.row))
            elif purpose == lc.purpose == "consensus":
                problems.append(Problem(f"session {lc.session_code} already has a consensus coding in {src}.",
                                        sheet=sheet_name, row=lc.row))
            elif (coder_id == lc.coder_id and {purpose, lc.purpose} == {"primary", "reliability"}):
                problems.append(Problem(f"{lc.coder} also has a {purpose} coding of session {lc.session_code} in "
                                        f"{src}; a second, independent coding must come from another coder.",
                                        sheet=sheet_name, row=lc.row))
        by_session.setdefault(lc.session_id, []).append((lc.coder_id, lc.purpose, f"row {lc.row} of the sheet"))
        plan.append((lc, None))
        _note_draft(report, lc)
    if problems:
        raise InputFileError(str(path), problems)
    if not plan:
        return report
    # A dry run makes every write and rolls it back, so it reports what the real run does.
    with project.bulk(origin=ORIGIN, rehearse=dry_run) as w:
        for lc, cid in plan:
            try:
                if cid is None:
                    applied = w.execute(cmds.CreateCoding(lc.session_id, lc.coder_id, lc.purpose, origin=ORIGIN))
                    cid = int(applied.inverse.coding_id)
                    report.created.append(cid)
                else:
                    report.filled.append(cid)
                for command in _commands(cid, lc):
                    w.execute(command)
            except DomainError as exc:
                raise InputFileError(str(path), [Problem(f"{exc}", sheet=sheet_name, row=lc.row)]) from None
    return report
