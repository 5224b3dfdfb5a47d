"""Merge a returned coder package into the project (the coordinator's side).

For every coding in the package the merge compares two revisions with the
baseline recorded when the package was exported (or last merged): has the
coder changed it in the package, and has anyone changed it in the project?
Changed only in the package: the project's coding is brought to the
package's content with ordinary commands, all in one transaction whose audit
rows carry ``package:<id>``. Changed in both: a conflict, reported for a
decision and left alone unless ``prefer`` says which side wins. A package
holding an earlier revision than the one already merged (an older return, or
the package as issued) is older work: it is reported and changes nothing. After a
merge the baselines move on, so importing the same file again changes
nothing. Any error rolls the whole merge back.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Union

from ssp_coder.domain.commands import (
    AddDIndex, AddEvent, Command, DeleteDIndex, DeleteEvent, MarkComplete, Reopen, SetBoundary,
    SetClassification, SetCodingNote, SetDRating, SetEpisodeFlag, SetScale,
)
from ssp_coder.domain.model import CodingState, EpisodeBoundary
from ssp_coder.errors import KnownError, StoreError
from ssp_coder.packages.manifest import CODING_NAME, PackageError, Progress, canonical, read_package, signature_ok
from ssp_coder.store.package_sql import coding_revisions, get_package, package_secret, read_coder_file, update_package
from ssp_coder.store.project import Project, upgrade_copy
from ssp_coder.store.reliability_sql import COMPLETED_IN_PACKAGE, completion_times

Prefer = Union[str, Mapping[int, str], None]
CHOICES = ("package", "project")


@dataclass(frozen=True)
class MergedCoding:
    coding_id: int
    session_code: str
    purpose: str
    changes: tuple[str, ...]


@dataclass(frozen=True)
class Conflict:
    """The same coding was changed both in the project and in the package since export."""

    coding_id: int
    session_code: str
    purpose: str
    differences: tuple[str, ...]


@dataclass(frozen=True)
class OlderCoding:
    """The package holds an earlier revision of a coding than the project already merged from this package."""

    session_code: str
    purpose: str
    package_revision: int
    merged_revision: int


@dataclass
class MergeReport:
    package_id: str
    coder: str
    dry_run: bool = False
    merged: list[MergedCoding] = field(default_factory=list)
    kept_project: list[MergedCoding] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    older: list[OlderCoding] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.merged or self.kept_project)

    def summary(self) -> str:
        verb = "Would merge" if self.dry_run else "Merged"
        older = f", {len(self.older)} older than already merged" if self.older else ""
        lines = [f"{verb} package {self.package_id} from {self.coder}: {len(self.merged)} coding(s) updated, "
                 f"{len(self.unchanged)} unchanged{older}, {len(self.conflicts)} conflict(s)."]
        if self.older and not self.changed:
            lines.append("This package is older than what the project already holds from it (an earlier return, "
                         "or the package as issued), so nothing was changed. Import the coder's newest returned "
                         "package instead.")
        for o in self.older:
            lines.append(f"  {o.session_code} ({o.purpose}): the package holds revision {o.package_revision}, the "
                         f"project already merged revision {o.merged_revision} of it; left as it is")
        for m in self.merged:
            lines.append(f"  {m.session_code} ({m.purpose}): " + ("; ".join(m.changes) or "no content change"))
        for m in self.kept_project:
            lines.append(f"  {m.session_code} ({m.purpose}): kept the project's version")
        for c in self.conflicts:
            lines.append(f"  CONFLICT {c.session_code} ({c.purpose}, coding {c.coding_id}): changed in the project "
                         "and in the package since export — " + "; ".join(c.differences))
        if self.conflicts:
            lines.append("Conflicting codings were left as they are in the project. Import again with "
                         "--prefer package or --prefer project to decide.")
        return "\n".join(lines)


def import_package(project: Project, path: str | Path, *, prefer: Prefer = None, dry_run: bool = False,
                   progress: Progress | None = None) -> MergeReport:
    """Verify a returned package and merge it; see the module docstring.

    ``prefer`` decides conflicts: "package", "project", or a mapping from
    project coding id to one of those. With ``dry_run`` every change is
    applied and checked inside a transaction that is then rolled back.
    """
    project._writable()
    package = read_package(path, verify_members=True, progress=progress)
    issued = package.issued
    if issued["project_id"] != project.project_id:
        raise PackageError(f"This package belongs to another project (project id {issued['project_id']}); this "
                           f"project is {project.name} ({project.project_id}). Nothing was changed.")
    record = get_package(project.conn, package.package_id)
    if record is None:
        raise PackageError(f"This package ({package.package_id}) was not issued from this project, or its record "
                           "was lost. Nothing was changed.")
    if (not signature_ok(issued, package.manifest.get("issued_hmac", ""), package_secret(project))
            or canonical(issued) != canonical(record.record["issued"])):
        raise PackageError(f"{package.path}: the package manifest was altered after export (its signature does not "
                           "match what this project issued). It cannot be merged; nothing was changed.")
    coder = next((c for c in project.coders() if int(c.id) == record.coder_id), None)
    if coder is None or coder.name != issued["coder"]:
        raise PackageError(f"This package was made for coder {issued['coder']}, who is not that coder in this "
                           "project any more. Nothing was changed.")
    report = MergeReport(package.package_id, coder.name, dry_run=dry_run)
    with tempfile.TemporaryDirectory(prefix="sspkg-") as tmp:
        coding_path = Path(tmp) / CODING_NAME
        package.extract(CODING_NAME, coding_path)
        upgrade_copy(coding_path)    # a package issued by an earlier version comes back in its file format
        try:
            work = Project.open(coding_path, read_only=True, backups=False, check="full")
        except StoreError as exc:
            raise PackageError(f"{package.path}: the coding file in the package is damaged ({exc}). Nothing was "
                               "changed.") from None
        try:
            _check_scope(package.path, work, issued, project.project_id)
            plan = _plan(project, work, record.record, prefer, report)
            # When the coder marked each coding complete, from the package's own audit log.
            completed = completion_times(work)
        finally:
            work.close()
    if not plan:
        return report
    new_record = dict(record.record)
    state = {k: list(v) for k, v in record.record["merge_state"].items()}
    with project.bulk(origin=f"package:{package.package_id}", rehearse=dry_run) as bw:
        for local, pcid, pkg_rev, code, commands in plan:
            for cmd in commands:
                try:
                    bw.execute(cmd)
                except KnownError as exc:
                    raise PackageError(f"Session {code}: the package's coding cannot be merged ({exc}). "
                                       "Nothing was changed.") from None
            if local in completed and any(isinstance(cmd, MarkComplete) for cmd in commands):
                bw.audit(COMPLETED_IN_PACKAGE, {"completed_at": completed[local], "package_id": package.package_id},
                         coding_id=pcid)
            state[str(local)] = [pkg_rev, coding_revisions(bw.conn, [pcid])[pcid]]
        new_record["merge_state"] = state
        update_package(bw.conn, package.package_id, new_record)
        bw.audit("ImportPackage", {"package_id": package.package_id, "coder": coder.name,
                                   "merged": [m.coding_id for m in report.merged],
                                   "kept_project": [m.coding_id for m in report.kept_project],
                                   "conflicts": [c.coding_id for c in report.conflicts]})
    return report


def _check_scope(path: Path, work: Project, issued: dict, project_id: str) -> None:
    """The coding file may hold only what was issued: this coder, these sessions, these codings."""
    got = read_coder_file(work.conn)
    problems = []
    if got.info.get("package_id") != issued["package_id"] or got.info.get("package_of") != project_id:
        problems.append("its coding file belongs to another package")
    if [name for name, _ in got.coders] != [issued["coder"]]:
        problems.append("its coding file names other coders than " + issued["coder"])
    sessions = {s["code"]: s for s in issued["sessions"]}
    if set(got.sessions) != set(sessions) or got.participants != len(sessions):
        problems.append("its coding file holds other sessions than the ones issued")
    elif any(got.sessions[c][0] != sessions[c]["sha256"] for c in sessions):
        problems.append("a session's video checksum was changed")
    codings = {int(c["id"]): c for c in issued["codings"]}
    if set(got.codings) != set(codings):
        problems.append("its coding file holds other codings than the ones issued")
    elif any(got.codings[i][:2] != (codings[i]["session"], codings[i]["purpose"]) for i in codings):
        problems.append("a coding was moved to another session or purpose")
    if problems:
        raise PackageError(f"{path} cannot be merged: " + "; ".join(problems) + ". It was altered; nothing was "
                           "changed.")


def _decision(prefer: Prefer, coding_id: int) -> str | None:
    choice = prefer.get(coding_id) if isinstance(prefer, Mapping) else prefer
    if choice is not None and choice not in CHOICES:
        raise ValueError(f"prefer must be one of {CHOICES}, got {choice!r}")
    return choice


def _plan(project: Project, work: Project, record: dict, prefer: Prefer,
          report: MergeReport) -> list[tuple[int, int, int, str, list[Command]]]:
    """What to do for each coding. Fills ``report``; returns (local id, project id, package revision, code, commands)."""
    plan = []
    codes = {int(c["id"]): (c["session"], c["purpose"]) for c in record["issued"]["codings"]}
    for local_s, pcid in sorted(record["coding_map"].items(), key=lambda kv: int(kv[0])):
        local = int(local_s)
        code, purpose = codes[local]
        pkg_base, proj_base = record["merge_state"][local_s]
        theirs = work.coding_state(local)
        try:
            ours = project.coding_state(pcid)
        except StoreError:
            raise PackageError(f"Session {code}: the coding this package continues ({pcid}) is no longer in the "
                               "project. Nothing was changed.") from None
        pkg_rev = theirs.coding.revision
        if pkg_rev == pkg_base:
            report.unchanged.append(code)
            continue
        # Every change the coder makes raises the coding's revision in the package's coding file, so an
        # earlier return (or the package as issued, revision 0) holds a lower one than what was merged:
        # merging it would undo the coder's later work.
        if pkg_rev < pkg_base:
            report.older.append(OlderCoding(code, purpose, pkg_rev, pkg_base))
            continue
        commands, changes = _commands(ours, theirs, project)
        if ours.coding.revision != proj_base and commands:
            choice = _decision(prefer, pcid)
            if choice is None:
                report.conflicts.append(Conflict(pcid, code, purpose, tuple(changes)))
                continue
            if choice == "project":
                report.kept_project.append(MergedCoding(pcid, code, purpose, ()))
                plan.append((local, pcid, pkg_rev, code, []))
                continue
        report.merged.append(MergedCoding(pcid, code, purpose, tuple(changes)))
        plan.append((local, pcid, pkg_rev, code, commands))
    return plan


def _bound(b: EpisodeBoundary | None) -> tuple:
    if b is None:
        return (None, None, None, None)
    return (b.onset_ms, b.offset_ms, b.flag, b.reason if b.flag else None)


def _commands(ours: CodingState, theirs: CodingState, project: Project) -> tuple[list[Command], list[str]]:
    """Commands that make the project's coding (``ours``) hold the package's content (``theirs``)."""
    cid = int(ours.coding.id)
    content: list[Command] = []
    changes: list[str] = []
    for ep in sorted(set(ours.boundaries) | set(theirs.boundaries)):
        a, b = _bound(ours.boundaries.get(ep)), _bound(theirs.boundaries.get(ep))
        if a == b:
            continue
        # Flag first, then times: this order never leaves an empty episode row behind.
        if a[2:] != b[2:]:
            content.append(SetEpisodeFlag(cid, ep, b[2], b[3]))
        if a[:2] != b[:2]:
            content.append(SetBoundary(cid, ep, b[0], b[1]))
        changes.append(f"episode {ep} boundaries")
    scale_keys = sorted(set(ours.scales) | set(theirs.scales))
    n_scales = 0
    for key in scale_keys:
        if ours.scales.get(key) != theirs.scales.get(key):
            content.append(SetScale(cid, key[0], key[1], key[2], theirs.scales.get(key)))
            n_scales += 1
    if n_scales:
        changes.append(f"{n_scales} scale rating(s)")
    ra, rb = ours.result, theirs.result
    if (ra.classification, ra.forced_secondary) != (rb.classification, rb.forced_secondary):
        content.append(SetClassification(cid, rb.classification, rb.forced_secondary))
        changes.append(f"classification (project {_show(ra.classification, ra.forced_secondary)}, package "
                       f"{_show(rb.classification, rb.forced_secondary)})")
    if ra.d_rating != rb.d_rating:
        content.append(SetDRating(cid, rb.d_rating))
        changes.append(f"D rating (project {ra.d_rating}, package {rb.d_rating})")
    if ra.note != rb.note:
        content.append(SetCodingNote(cid, rb.note))
        changes.append("note")
    ev_key = lambda e: (e.code, e.kind, e.onset_ms, e.offset_ms, e.subject, e.note, e.view)  # noqa: E731
    only_ours = Counter(map(ev_key, ours.events)) - Counter(map(ev_key, theirs.events))
    only_theirs = Counter(map(ev_key, theirs.events)) - Counter(map(ev_key, ours.events))
    for e in ours.events:
        if only_ours[ev_key(e)] > 0:
            only_ours[ev_key(e)] -= 1
            content.append(DeleteEvent(int(e.id)))
    for e in theirs.events:
        if only_theirs[ev_key(e)] > 0:
            only_theirs[ev_key(e)] -= 1
            content.append(AddEvent(cid, e.code, e.onset_ms, e.offset_ms, e.subject, e.note, view=e.view))
    n_del = sum(1 for c in content if isinstance(c, DeleteEvent))
    n_add = sum(1 for c in content if isinstance(c, AddEvent))
    if n_del or n_add:
        changes.append(f"events ({n_del} only in the project, {n_add} only in the package)")
    d_key = lambda m: (m.group, m.time_ms, m.sub_item, m.note)  # noqa: E731
    d_ours = Counter(map(d_key, ours.d_indices)) - Counter(map(d_key, theirs.d_indices))
    d_theirs = Counter(map(d_key, theirs.d_indices)) - Counter(map(d_key, ours.d_indices))
    n_d = 0
    for m in ours.d_indices:
        if d_ours[d_key(m)] > 0:
            d_ours[d_key(m)] -= 1
            content.append(DeleteDIndex(int(m.id)))
            n_d += 1
    for m in theirs.d_indices:
        if d_theirs[d_key(m)] > 0:
            d_theirs[d_key(m)] -= 1
            content.append(AddDIndex(cid, m.group, m.time_ms, m.sub_item, m.note))
            n_d += 1
    if n_d:
        changes.append("D indices")
    commands: list[Command] = []
    complete = ours.coding.is_complete
    if content and complete:
        commands.append(Reopen(cid, reason="merging a coder package"))
        complete = False
    commands += content
    if theirs.coding.is_complete and not complete:
        commands.append(MarkComplete(cid))
    elif not theirs.coding.is_complete and complete:
        commands.append(Reopen(cid, reason="reopened in the coder package"))
    if ours.coding.status != theirs.coding.status:
        changes.append(f"status (project {ours.coding.status}, package {theirs.coding.status})")
    return commands, changes


def _show(cls: str | None, secondary: str | None) -> str:
    if cls is None:
        return "none"
    return f"{cls}/{secondary}" if secondary else cls
