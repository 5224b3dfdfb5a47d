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
from ssp_coder.errors import DomainError
from ssp_coder.packages.manifest import (
    CODING_NAME, MANIFEST_NAME, PACKAGE_SUFFIX, VIDEO_FOLDER, PackageError, Progress, add_bytes, add_file,
    canonical, make_manifest, report, sign,
)
from ssp_coder.store.package_sql import BlindSession, compact_copy, fill_coder_file, insert_package, package_secret
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


def resolve_video(project: Project, session: Session) -> Path | None:
    """The project's video file for a session (roster paths may be relative to the project's folder)."""
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

    sources: dict[str, Path] = {}
    if with_videos:
        problems = []
        for code, s in sessions.items():
            src = resolve_video(project, s)
            if src is None:
                problems.append(f"session {code} has no video in the roster")
            elif not src.is_file():
                problems.append(f"session {code}: the video {src} was not found")
            else:
                sources[code] = src
        if problems:
            raise PackageError("The videos cannot be put in the package:\n- " + "\n- ".join(problems) +
                               "\nRelink the videos, or export without videos. Nothing was written.")

    package_id = uuid.uuid4().hex
    created = now_iso()
    blind = [BlindSession(code, _video_member(code, sources.get(code)), s.video_sha256, s.duration_ms, s.fps,
                          s.frame_count) for code, s in sessions.items()]
    coding_rows = [(int(c.id), s.blinded_code, n) for n, (c, s) in enumerate(chosen, start=1)]
    issued = {
        "project_id": project.project_id, "package_id": package_id, "coder": coder.name, "created_at": created,
        "scheme_id": project.scheme.id, "scheme_version": project.scheme.version, "with_videos": with_videos,
        "sessions": [{"code": b.code, "sha256": b.sha256, "duration_ms": b.duration_ms, "video": b.video_name}
                     for b in blind],
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
                    if b.video_name is None:
                        continue
                    sha, size = add_file(zf, b.video_name, sources[b.code], compress=False, progress=progress,
                                         done=done, total=total)
                    done += size
                    if b.sha256 and sha != b.sha256:
                        raise PackageError(f"The video for session {b.code} ({sources[b.code]}) is not the one in the "
                                           "roster (its SHA-256 differs). Relink the right file, then export again. "
                                           "Nothing was written.")
                    files[b.video_name] = {"sha256": sha, "size": size}
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


def _video_member(code: str, source: Path | None) -> str | None:
    if source is None:
        return None
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", code)  # a code is a file name on the coder's computer
    return f"{VIDEO_FOLDER}{safe}{source.suffix.lower()}"


def _pretty(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode("ascii")
