"""Export a blinded coder package from a project (the coordinator's side)."""

from __future__ import annotations

import json
import os
import re
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ssp_coder.atomic import atomic_path
from ssp_coder.domain.model import Coding, Session
from ssp_coder.domain.views import SessionView
from ssp_coder.errors import DomainError
from ssp_coder.packages.manifest import (
    CODING_NAME, MANIFEST_NAME, PACKAGE_SUFFIX, VIDEO_FOLDER, PackageError, Progress, add_bytes, add_file,
    canonical, make_manifest, report, sign,
)
from ssp_coder.store.package_sql import BlindSession, BlindView, compact_copy, fill_coder_file, insert_package, package_secret
from ssp_coder.store.project import Project
from ssp_coder.store.uow import now_iso


@dataclass(frozen=True)
class PackageInfo:
    path: Path
    package_id: str
    coder: str
    session_codes: tuple[str, ...]
    codings: int
    with_videos: bool
    size: int


def resolve_video(project: Project, session: Session | SessionView) -> Path | None:
    """The project's video file for a session or a view (roster paths may be relative to the project's folder)."""
    if not session.video_path:
        return None
    p = Path(session.video_path)
    if not p.is_absolute():
        p = project.path.parent / p
    return p


def _chosen_codings(project: Project, coder_id: int, coder_name: str,
                    session_codes: list[str] | None) -> list[tuple[Coding, Session]]:
    mine = project.codings(coder_id=coder_id)
    if session_codes is None:
        # Consensus codings are made from the other coders' work, so they are not blinded work to send away.
        mine = [c for c in mine if c.purpose != "consensus"]
        if not mine:
            raise DomainError(f"{coder_name} has no assigned sessions, so there is nothing to put in a package. "
                              "Assign sessions first with 'ssp-coder assign'.")
        return [(c, project.session(int(c.session_id))) for c in mine]
    out = []
    missing = []
    for code in dict.fromkeys(session_codes):
        session = project.session_by_code(code)
        found = [c for c in mine if c.session_id == session.id]
        if not found:
            missing.append(session.blinded_code)
        out += [(c, session) for c in found]
    if missing:
        raise DomainError(f"{coder_name} is not assigned to session(s) {', '.join(missing)}. Assign them first "
                          "('ssp-coder assign'), or leave them out of the package.")
    return out


def export_package(project: Project, coder_name: str, *, session_codes: list[str] | None = None,
                   with_videos: bool = False, out_path: str | Path, progress: Progress | None = None) -> PackageInfo:
    """Write a blinded package for one coder.

    Holds the scheme, the blinded sessions (code, SHA-256, duration, frame
    rate), the coder's own codings of them and, with ``with_videos``, the
    videos renamed to their blinded codes. ``progress(done, total, detail)``
    is called while videos are copied; returning False (or raising) cancels,
    and then nothing is written. The package is recorded in the project so
    that it can be merged back later.
    """
    project._writable()
    out_path = Path(out_path)
    if out_path.suffix != PACKAGE_SUFFIX:
        out_path = out_path.with_name(out_path.name + PACKAGE_SUFFIX)
    coder = project.coder(coder_name)
    chosen = sorted(_chosen_codings(project, int(coder.id), coder.name, session_codes),
                    key=lambda cs: (cs[1].blinded_code, cs[0].purpose))
    sessions: dict[str, Session] = {}
    for _, s in chosen:
        sessions.setdefault(s.blinded_code, s)

    views = {code: project.views(int(s.id)) for code, s in sessions.items()}
    sources: dict[tuple[str, int], Path] = {}       # (code, view number) -> the project's file
    if with_videos:
        problems = []
        for code, s in sessions.items():
            for v in views[code]:
                what = f"session {code}" if v.is_main else f"session {code}, view {v.number}"
                src = resolve_video(project, v)
                if src is None:
                    problems.append(f"{what} has no video in the roster")
                elif not src.is_file():
                    problems.append(f"{what}: the video {src} was not found")
                else:
                    sources[(code, v.number)] = src
        if problems:
            raise PackageError("The videos cannot be put in the package:\n- " + "\n- ".join(problems) +
                               "\nRelink the videos, or export without videos. Nothing was written.")

    package_id = uuid.uuid4().hex
    created = now_iso()
    blind = [BlindSession(code, _video_member(code, sources.get((code, 1))), s.video_sha256, s.duration_ms, s.fps,
                          s.frame_count, views[code][0].name,
                          tuple(BlindView(v.number, v.name, _video_member(code, sources.get((code, v.number)), v.number),
                                          v.video_sha256, v.duration_ms, v.fps, v.frame_count, v.offset_ms)
                                for v in views[code][1:]))
             for code, s in sessions.items()]
    coding_rows = [(int(c.id), s.blinded_code, n) for n, (c, s) in enumerate(chosen, start=1)]
    issued = {
        "project_id": project.project_id, "package_id": package_id, "coder": coder.name, "created_at": created,
        "scheme_id": project.scheme.id, "scheme_version": project.scheme.version, "with_videos": with_videos,
        "sessions": [_issued_session(b) for b in blind],
        "codings": [{"id": n, "session": s.blinded_code, "purpose": c.purpose, "baseline_revision": 0}
                    for n, (c, s) in enumerate(chosen, start=1)],
    }
    signature = sign(issued, package_secret(project))
    record = {"issued": issued, "issued_hmac": signature,
              "coding_map": {str(n): pid for pid, _, n in coding_rows},
              "merge_state": {str(n): [0, int(c.revision)] for n, (c, _) in enumerate(chosen, start=1)}}

    total = sum(p.stat().st_size for p in sources.values())
    report(progress, 0, total, "Preparing the coding file")
    with tempfile.TemporaryDirectory(prefix="sspkg-") as tmp:
        work = Path(tmp) / "build.sspc"
        coder_file = Project.create(work, name=f"Coder package {package_id[:8]}", scheme=project.scheme,
                                    actor="ssp-coder", backups=False)
        try:
            fill_coder_file(coder_file, project, coder.name, blind, coding_rows, {
                "name": f"Coder package {package_id[:8]}", "package_of": project.project_id,
                "package_id": package_id, "package_coder": coder.name, "package_issued": canonical(issued).decode(),
            })
        finally:
            coder_file.close()
        final = Path(tmp) / CODING_NAME
        compact_copy(work, final)
        with atomic_path(out_path) as zpath:
            files: dict[str, dict] = {}
            with zipfile.ZipFile(zpath, "w", allowZip64=True) as zf:
                sha, size = add_file(zf, CODING_NAME, final, compress=True)
                files[CODING_NAME] = {"sha256": sha, "size": size}
                done = 0
                for b in blind:
                    for number, member, expected in ((1, b.video_name, b.sha256),
                                                     *((v.number, v.video_name, v.sha256) for v in b.views)):
                        if member is None:
                            continue
                        source = sources[(b.code, number)]
                        sha, size = add_file(zf, member, source, compress=False, progress=progress, done=done,
                                             total=total)
                        done += size
                        if expected and sha != expected:
                            what = f"session {b.code}" + ("" if number == 1 else f", view {number}")
                            raise PackageError(f"The video for {what} ({source}) is not the one in the roster (its "
                                               "SHA-256 differs). Relink the right file, then export again. "
                                               "Nothing was written.")
                        files[member] = {"sha256": sha, "size": size}
                manifest = make_manifest(issued, signature, files, state="issued", written_at=created)
                add_bytes(zf, MANIFEST_NAME, _pretty(manifest))
            report(progress, total, total, "Recording the package in the project")
            with project.bulk(origin=f"package:{package_id}") as bw:
                insert_package(bw.conn, package_id, int(coder.id), record)
                bw.audit("ExportPackage", {"package_id": package_id, "coder": coder.name,
                                           "sessions": list(sessions), "codings": [pid for pid, _, _ in coding_rows],
                                           "with_videos": with_videos})
        size = os.path.getsize(out_path)
    return PackageInfo(out_path, package_id, coder.name, tuple(sessions), len(chosen), with_videos, size)


def _video_member(code: str, source: Path | None, view: int = 1) -> str | None:
    """``videos/CODE.mp4`` for the main view, ``videos/CODE_view2.mp4`` for the others: the blinded code only."""
    if source is None:
        return None
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", code)  # a code is a file name on the coder's computer
    suffix = "" if view == 1 else f"_view{view}"
    return f"{VIDEO_FOLDER}{safe}{suffix}{source.suffix.lower()}"


def _issued_session(b: BlindSession) -> dict:
    entry = {"code": b.code, "sha256": b.sha256, "duration_ms": b.duration_ms, "video": b.video_name}
    if b.views:     # (single-camera sessions keep the first format's exact entry)
        entry["views"] = [{"view": v.number, "sha256": v.sha256, "duration_ms": v.duration_ms, "video": v.video_name}
                          for v in b.views]
    return entry


def _pretty(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode("ascii")
