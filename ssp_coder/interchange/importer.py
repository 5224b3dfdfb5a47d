"""``import-codings --from TOOL``: a BORIS, ELAN, Datavyu or Observer file into the project, all or nothing.

The same rules as the legacy coding sheets (``ssp_coder.legacy``): every
problem is reported at once and nothing is written until the file is clean;
the writing is one transaction whose audit rows carry origin "imported";
importing the same file again changes nothing. A coding already in the
project with the same events and episodes is left alone; an assigned coding
that is still empty is filled; any other difference is an error to resolve.

The dry run executes exactly the commands of the real run inside the
transaction and then rolls it back, so it reports what the real run does.
Imported codings stay drafts: these tools hold events and episodes, while
the scales, the classification and the D rating are given in ssp-coder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ssp_coder.domain import commands as cmds
from ssp_coder.errors import DomainError, InputFileError, KnownError, Problem
from ssp_coder.interchange.boris import read_boris
from ssp_coder.interchange.collection import without_cycle_collection
from ssp_coder.interchange.datavyu import read_opf
from ssp_coder.interchange.elan import read_eaf
from ssp_coder.interchange.mapping import CodeMap, load_map
from ssp_coder.interchange.model import TOOL_NAMES, TOOLS, CodingProblem, CodingsFile
from ssp_coder.interchange.observer import read_event_log
from ssp_coder.interchange.plan import Plan, PlannedCoding, make_plan
from ssp_coder.legacy.importer import ORIGIN, is_empty
from ssp_coder.legacy.sheet import Context
from ssp_coder.store.project import Project
from ssp_coder.store.readmodels import read_coding_timelines

READERS: dict[str, Callable[[str | Path], CodingsFile]] = {
    "boris": read_boris, "elan": read_eaf, "datavyu": read_opf, "observer": read_event_log}


@dataclass
class InterchangeReport:
    path: str
    tool: str
    dry_run: bool = False
    codings: list[dict] = field(default_factory=list)
    ignored: dict[str, int] = field(default_factory=dict)
    mapped: dict[str, str] = field(default_factory=dict)

    def count(self, action: str) -> int:
        return sum(1 for c in self.codings if c["action"] == action)

    @property
    def events(self) -> int:
        return sum(c["events"] for c in self.codings if c["action"] != "unchanged")

    def summary(self) -> str:
        lines = [f"{'Checked (dry run, nothing written)' if self.dry_run else 'Imported'} {self.path} "
                 f"({TOOL_NAMES[self.tool]}): {self.count('created')} coding(s) "
                 f"{'to create' if self.dry_run else 'created'}, {self.count('filled')} assigned coding(s) "
                 f"{'to fill' if self.dry_run else 'filled'}, {self.count('unchanged')} already in the project "
                 f"unchanged; {self.events} event(s) {'to import' if self.dry_run else 'imported'}."]
        for c in self.codings:
            lines.append(f"  session {c['session']}  {c['coder']:<12} {c['purpose']:<11} {c['action']:<9} "
                         f"{c['events']} event(s), {c['episodes']} episode(s)  (observation {c['observation']!r})")
        if self.ignored:
            left = ", ".join(f"{code} ({n})" for code, n in sorted(self.ignored.items()))
            lines.append(f"  Not imported, as the map says 'ignore': {left}.")
        if any(c["action"] != "unchanged" for c in self.codings):
            lines.append("  Imported codings are drafts: give the scales, classification and D rating in ssp-coder, "
                         "then mark them complete.")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"path": self.path, "tool": self.tool, "dry_run": self.dry_run, "codings": self.codings,
                "created": self.count("created"), "filled": self.count("filled"),
                "unchanged": self.count("unchanged"), "events": self.events, "ignored": self.ignored,
                "mapped": self.mapped}


def read_codings(path: str | Path, tool: str) -> CodingsFile:
    if tool not in READERS:
        raise KnownError(f"Unknown tool {tool!r}; choose one of {', '.join(TOOLS)}.")
    return READERS[tool](path)


def _content(state) -> tuple:
    b = {n: (x.onset_ms, x.offset_ms) for n, x in sorted(state.boundaries.items())
         if x.onset_ms is not None and x.offset_ms is not None}
    ev = sorted((e.code, e.onset_ms, -1 if e.offset_ms is None else e.offset_ms) for e in state.events)
    return b, ev


def _decide(project: Project, plan: Plan) -> None:
    """Which project coding each planned coding becomes (created / filled / unchanged), or a problem."""
    codings = project.codings()
    primaries = {int(c.session_id) for c in codings if c.purpose == "primary"}
    by_pair: dict[tuple[int, int], list] = {}
    for c in codings:
        if c.purpose != "consensus":
            by_pair.setdefault((int(c.session_id), int(c.coder_id)), []).append(c)
    found = {}
    for pc in plan.codings:
        pair = (int(pc.session.id), int(pc.coder.id))
        if pair in by_pair:
            found[pair] = sorted(by_pair[pair], key=lambda c: ("primary", "reliability", "training").index(c.purpose))[0]
    # One read for all the codings the file meets: an unchanged re-import needs nothing more.
    timelines = read_coding_timelines(project, [int(c.id) for c in found.values()])
    for pc in plan.codings:
        old = found.get((int(pc.session.id), int(pc.coder.id)))
        where = f"session {pc.session.blinded_code}, {pc.coder.name}"
        if old is not None:
            pc.purpose, pc.coding_id = old.purpose, int(old.id)
            timeline = timelines[int(old.id)]
            if (timeline.boundaries, timeline.events) == pc.content():
                pc.action = "unchanged"
                continue
            state = project.coding_state(int(old.id))
            if _content(state) == pc.content():
                pc.action = "unchanged"
            elif is_empty(state) and old.status == "draft":
                pc.action = "filled"
            else:
                have, want = _content(state), pc.content()
                diff = [n for n, a, b in zip(("episode boundaries", "events"), have, want) if a != b]
                plan.problems.append(CodingProblem(
                    f"{where} is already in the project (coding {old.id}, {old.purpose}, {old.status}) with different "
                    f"{' and '.join(diff)} ({len(have[1])} event(s) there, {len(want[1])} in the file). Resolve it: "
                    "correct the file, or change the coding in the project, then import again.",
                    observation=pc.observation))
            continue
        pc.purpose = "reliability" if int(pc.session.id) in primaries else "primary"
        primaries.add(int(pc.session.id))
        pc.action = "created"


def _commands(cid: int, pc: PlannedCoding) -> list[cmds.Command]:
    out: list[cmds.Command] = [cmds.SetBoundary(cid, ep, on, off) for ep, (on, off) in sorted(pc.boundaries.items())]
    out += [cmds.AddEvent(cid, e.code, e.onset_ms, e.offset_ms, e.subject, e.note) for e in pc.events]
    return out


@without_cycle_collection
def import_coding_file(project: Project, path: str | Path, tool: str, *, map_path: str | Path | None = None,
                       coder: str | None = None, dry_run: bool = False, code_map: CodeMap | None = None
                       ) -> InterchangeReport:
    """Check everything, then write all of it or nothing. ``dry_run`` rolls the writing back."""
    cmap = code_map or load_map(map_path, project.scheme)
    cf = read_codings(path, tool)
    if cf.problems and not cf.observations:
        raise InputFileError(str(path), cf.problems)
    ctx = Context(project.scheme, project.sessions(), project.participants(), project.coders(),
                  list(project.settings.get("timepoints") or []))
    plan = make_plan(cf, cmap, ctx, project.sessions(), coder)
    if not plan.problems:
        _decide(project, plan)
    if plan.problems:
        raise InputFileError(str(path), plan.problems)
    report = InterchangeReport(str(path), tool, dry_run, ignored=plan.ignored, mapped=plan.mapped)
    todo = [pc for pc in plan.codings if pc.action in ("created", "filled")]
    if todo:
        refused: list[Problem] = []
        with project.bulk(origin=ORIGIN, rehearse=dry_run) as w:
            for pc in todo:
                try:
                    if pc.coding_id is None:
                        applied = w.execute(cmds.CreateCoding(int(pc.session.id), int(pc.coder.id), pc.purpose,
                                                              origin=ORIGIN))
                        pc.coding_id = int(applied.inverse.coding_id)
                    w.execute_for_coding(pc.coding_id, _commands(pc.coding_id, pc))
                except DomainError as exc:
                    refused.append(CodingProblem(str(exc), observation=pc.observation))
            if refused:  # every refusal is reported at once, and the transaction is rolled back
                raise InputFileError(str(path), refused)
    for pc in plan.codings:
        report.codings.append({
            "observation": pc.observation, "session": pc.session.blinded_code, "coder": pc.coder.name,
            "purpose": pc.purpose, "action": pc.action,
            "coding_id": None if dry_run and pc.action == "created" else pc.coding_id,
            "events": len(pc.events), "episodes": len(pc.boundaries)})
    return report


def file_codes(cf: CodingsFile) -> dict[str, int]:
    """Every code the file uses (its most specific name) with how many marks carry it, in first-use order."""
    out: dict[str, int] = {}
    for obs in cf.observations:
        for m in obs.marks:
            out[m.code] = out.get(m.code, 0) + 1
    return out
