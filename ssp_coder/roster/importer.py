"""Import a roster (CSV or XLSX) into a project: all problems at once, or nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ssp_coder.domain.commands import SetSetting
from ssp_coder.domain.model import Session, SessionId
from ssp_coder.domain.views import MAIN_VIEW, SessionView
from ssp_coder.errors import InputFileError, Problem
from ssp_coder.media import MediaError, VideoInfo, probe_video, sha256_file
from ssp_coder.roster.blinding import new_blinded_code
from ssp_coder.roster.labels import resolve_timepoint, spelling_problems
from ssp_coder.roster.views import RowView, find_view_columns, locate_video
from ssp_coder.store import views_sql
from ssp_coder.store.project import Project
from ssp_coder.tables import control_characters, match_columns, read_table

COLUMNS: dict[str, tuple[str, ...]] = {
    "participant_id": ("participant_id", "participant", "pid", "id", "child_id", "child", "subject", "subject_id",
                       "case_id", "record_id", "family_id", "dyad_id"),
    "timepoint": ("timepoint", "time_point", "time", "wave", "visit", "assessment", "occasion", "phase"),
    "arm": ("arm", "group", "condition", "treatment", "allocation", "randomisation", "randomization", "intervention"),
    "video": ("video", "video_file", "videofile", "file", "filename", "file_name", "video_path", "path", "movie"),
    "site": ("site", "centre", "center", "location", "lab"),
    "age_months": ("age_months", "age", "age_mo", "age_in_months", "agemonths", "child_age_months"),
    "sex": ("sex", "gender", "child_sex"),
    "date_of_visit": ("date_of_visit", "visit_date", "date", "ssp_date", "session_date"),
}
REQUIRED = ("participant_id", "timepoint", "arm", "video")
# Ids and names end up in every export, as SPSS/Stata values and Excel cells: one line of plain text each.
ID_COLUMNS = ("participant_id", "timepoint", "arm", "site", "sex")

Prober = Callable[[Path], VideoInfo]
Hasher = Callable[[Path], str]
Progress = Callable[[float, float, str], None]


@dataclass
class RosterReport:
    path: Path
    rows: int = 0
    participants_added: int = 0
    sessions_added: int = 0
    sessions_unchanged: int = 0
    views_added: int = 0
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "Would add" if self.dry_run else "Added"
        text = (f"{verb} {self.participants_added} participant(s) and {self.sessions_added} session(s) from "
                f"{self.rows} row(s) of {self.path.name}")
        if self.views_added:
            text += f" with {self.views_added} further camera view(s)"
        if self.sessions_unchanged:
            text += f"; {self.sessions_unchanged} session(s) were already in the project unchanged"
        return text + "."


@dataclass
class _Row:
    number: int
    pid: str
    timepoint: str
    arm: str
    video: Path | None
    site: str | None
    age: float | None
    sex: str | None
    date: str | None
    extra: dict[str, str]
    views: list[RowView] = field(default_factory=list)
    main_name: str | None = None


def _parse_date(text: str) -> str | None:
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None


def _video_work(paths: list[Path], prober: Prober, hasher: Hasher, progress: Progress | None
                ) -> dict[Path, tuple[VideoInfo, str] | MediaError]:
    """Probe and hash every distinct video, a few at a time (I/O bound)."""
    sizes = {p: (p.stat().st_size if p.is_file() else 0) for p in paths}
    total = float(sum(sizes.values()) or len(paths) or 1)
    done = 0.0
    results: dict[Path, tuple[VideoInfo, str] | MediaError] = {}

    def work(p: Path) -> tuple[Path, tuple[VideoInfo, str] | MediaError]:
        try:
            info = prober(p)
            return p, (info, hasher(p))
        except MediaError as exc:
            return p, exc
        except OSError as exc:
            return p, MediaError(p, f"{p} cannot be read ({exc.strerror or exc}).")

    workers = min(4, max(1, os.cpu_count() or 1) * 2)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for p, res in pool.map(work, paths):
            results[p] = res
            done += sizes[p] or 1
            if progress:
                progress(done, total, p.name)
    return results


def import_roster(project: Project, path: str | Path, *, dry_run: bool = False, new_timepoints: tuple[str, ...] = (),
                  progress: Progress | None = None, prober: Prober = probe_video,
                  hasher: Hasher = sha256_file) -> RosterReport:
    """Check every row of the roster; add its participants and sessions in one transaction.

    Raises ``InputFileError`` listing every problem (file, row, column, what to
    do) if there is any; then nothing is written. Re-importing the same roster
    changes nothing.
    """
    path = Path(path)
    sheet = read_table(path)
    report = RosterReport(path, rows=len(sheet.rows), dry_run=dry_run)
    # Problems of the table itself (duplicate or unnamed columns, merged or unreadable cells) come first:
    # with them, any row-by-row check would read the wrong cells.
    problems: list[Problem] = list(sheet.problems)
    found, unknown = match_columns(sheet.columns, COLUMNS)
    view_cols = find_view_columns(unknown)
    unknown = [c for c in unknown if c not in view_cols.used]
    missing = [c for c in REQUIRED if c not in found]
    if not sheet.columns and not problems:
        raise InputFileError(str(path), [Problem("the file is empty; the first row must hold the column names "
                                                 "participant_id, timepoint, arm, video.")])
    for c in missing:
        problems.append(Problem(f"required column '{c}' is missing (accepted names: {', '.join(COLUMNS[c][:5])}). "
                                "Add it to the first row.", row=1, column=c))
    if problems:
        raise InputFileError(str(path), problems)
    if not sheet.rows:
        raise InputFileError(str(path), [Problem("the roster has column names but no rows.", row=2)])

    known_tps = list(project.settings.get("timepoints", ["pre", "post"])) + [t for t in new_timepoints]
    col = found.__getitem__
    rows: list[_Row] = []
    for number, raw in zip(sheet.row_numbers, sheet.rows):
        def get(name: str) -> str:
            return raw.get(found[name], "").strip() if name in found else ""

        pid, tp_raw, arm, video_raw = get("participant_id"), get("timepoint"), get("arm"), get("video")
        for name in ID_COLUMNS:
            breaks = control_characters(get(name), allow_breaks=False) if name in found else []
            if breaks:
                problems.append(Problem(f"{name} holds a tab or line break ({', '.join(breaks)}); ids and names are "
                                        "one line of text. Retype the cell.", row=number, column=col(name)))
        for name, value in (("participant_id", pid), ("timepoint", tp_raw), ("arm", arm), ("video", video_raw)):
            if not value:
                problems.append(Problem(f"{name} is empty; fill it in or delete the row.", row=number,
                                        column=col(name)))
        tp = resolve_timepoint(tp_raw, known_tps) if tp_raw else None
        if tp_raw and tp is None:
            problems.append(Problem(f"unknown timepoint {tp_raw!r}; this project's timepoints are "
                                    f"{', '.join(known_tps)}. Use one of them, or add the new label "
                                    f"(ssp-coder import-roster --new-timepoint {tp_raw!r}).", row=number,
                                    column=col("timepoint")))
        video: Path | None = None
        if video_raw:
            video, wrong = locate_video(video_raw, path)
            if wrong:
                problems.append(Problem(wrong, row=number, column=col("video")))
        views: list[RowView] = []
        for n, column in view_cols.videos.items():
            raw_view = raw.get(column, "").strip()
            name_col = view_cols.names.get(n)
            name = raw.get(name_col, "").strip() if name_col else ""
            if not raw_view:
                if name:
                    problems.append(Problem(f"view {n} has a name ({name!r}) but no video; fill in {column} or "
                                            "clear the name.", row=number, column=name_col))
                continue
            view_video, wrong = locate_video(raw_view, path)
            if wrong:
                problems.append(Problem(wrong, row=number, column=column))
            views.append(RowView(n, column, view_video, name or None))
        for n, column in view_cols.names.items():
            if n > 1 and n not in view_cols.videos and raw.get(column, "").strip():
                problems.append(Problem(f"{column} names view {n}, but the roster has no video_{n} column. Add "
                                        f"the column video_{n} with the view's video, or clear the name.",
                                        row=number, column=column))
        for n, column in view_cols.names.items():
            breaks = control_characters(raw.get(column, ""), allow_breaks=False)
            if breaks:
                problems.append(Problem(f"the view name holds a tab or line break ({', '.join(breaks)}); a name "
                                        "is one line of text. Retype the cell.", row=number, column=column))
        main_name = raw.get(view_cols.names[1], "").strip() or None if 1 in view_cols.names else None
        age = None
        if get("age_months"):
            try:
                age = float(get("age_months").replace(",", "."))
                if math.isnan(age) or not 0 <= age <= 240:
                    raise ValueError
            except ValueError:
                problems.append(Problem(f"age {get('age_months')!r} is not an age in months (a number such as "
                                        "14.5).", row=number, column=col("age_months")))
                age = None
        date = None
        if get("date_of_visit"):
            date = _parse_date(get("date_of_visit"))
            if date is None:
                problems.append(Problem(f"date {get('date_of_visit')!r} is not readable; write dates as "
                                        "YYYY-MM-DD (e.g. 2025-03-14).", row=number, column=col("date_of_visit")))
        extra = {c: raw.get(c, "") for c in unknown if c and raw.get(c, "")}
        rows.append(_Row(number, pid, tp or tp_raw, arm, video, get("site") or None, age, get("sex") or None, date,
                         extra, views, main_name))

    # Rows that belong together must agree with each other and with the project.
    existing_participants = {p.external_id: p for p in project.participants()}
    arm_rows: dict[str, list[int]] = {}
    for r in rows:
        if r.arm:
            arm_rows.setdefault(r.arm, []).append(r.number)
    existing_arms = {p.arm for p in existing_participants.values()}
    for spelling, numbers, message in spelling_problems(arm_rows, existing_arms, "arm"):
        for n in numbers:
            problems.append(Problem(message, row=n, column=col("arm")))

    seen: dict[tuple[str, str], int] = {}
    participant_arm: dict[str, tuple[str, int]] = {}
    for r in rows:
        if not r.pid:
            continue
        key = (r.pid, r.timepoint)
        if r.timepoint and key in seen:
            problems.append(Problem(f"participant {r.pid!r} at timepoint {r.timepoint!r} is also in row "
                                    f"{seen[key]}; each participant has one session per timepoint.", row=r.number,
                                    column=col("participant_id")))
        else:
            seen[key] = r.number
        if r.arm:
            first = participant_arm.setdefault(r.pid, (r.arm, r.number))
            if first[0] != r.arm:
                problems.append(Problem(f"participant {r.pid!r} is in arm {first[0]!r} in row {first[1]} but "
                                        f"{r.arm!r} here; a participant stays in one arm.", row=r.number,
                                        column=col("arm")))
            ep = existing_participants.get(r.pid)
            if ep is not None and ep.arm != r.arm:
                problems.append(Problem(f"participant {r.pid!r} is already in the project in arm {ep.arm!r}; the "
                                        f"roster says {r.arm!r}.", row=r.number, column=col("arm")))

    # Videos: probe and hash each distinct file once.
    videos = sorted({r.video for r in rows if r.video is not None}
                    | {v.video for r in rows for v in r.views if v.video is not None})
    media = _video_work(videos, prober, hasher, progress) if videos else {}
    sha_rows: dict[str, int] = {}
    existing_sessions = {s.video_sha256: s for s in project.sessions() if s.video_sha256}
    existing_views = views_sql.views_by_sha(project.conn)
    codes = {s.id: s.blinded_code for s in project.sessions()}
    sessions_by_pt = {}
    pid_of = {p.id: p.external_id for p in existing_participants.values()}
    for s in project.sessions():
        sessions_by_pt[(pid_of.get(s.participant_id), s.timepoint)] = s
    plan: list[tuple[_Row, VideoInfo, str]] = []
    row_views: dict[int, list[SessionView]] = {}     # the further camera views of each new session, by row
    view_plan: list[tuple[Session, list[SessionView]]] = []
    for r in rows:
        if r.video is None:
            continue
        res = media.get(r.video)
        if isinstance(res, MediaError):
            problems.append(Problem(str(res), row=r.number, column=col("video")))
            continue
        assert res is not None
        info, sha = res
        if sha in sha_rows and sha_rows[sha] != r.number:
            problems.append(Problem(f"this video is the same file as the one in row {sha_rows[sha]} (identical "
                                    "content); each session needs its own recording.", row=r.number,
                                    column=col("video")))
            continue
        sha_rows[sha] = r.number
        current = sessions_by_pt.get((r.pid, r.timepoint))
        other = existing_sessions.get(sha)
        added_views = _check_views(r, media, sha, sha_rows, existing_sessions, existing_views, codes, current,
                                   project, problems)
        if current is not None:
            if current.video_sha256 != sha:
                problems.append(Problem(f"participant {r.pid!r} at {r.timepoint!r} is already in the project with a "
                                        "different video. If the video was replaced, relink it in the window; "
                                        "otherwise fix the roster.", row=r.number, column=col("video")))
            elif added_views:
                view_plan.append((current, added_views))
            continue
        if other is not None or sha in existing_views:
            where = other.blinded_code if other is not None else codes.get(existing_views[sha].session_id, "?")
            problems.append(Problem(f"this video is already in the project as session {where} (same content); "
                                    "each session needs its own recording.", row=r.number, column=col("video")))
            continue
        plan.append((r, info, sha))
        row_views[r.number] = added_views

    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise InputFileError(str(path), problems)

    report.sessions_unchanged = sum(1 for r in rows if (r.pid, r.timepoint) in sessions_by_pt)
    new_pids = {r.pid for r, _, _ in plan if r.pid not in existing_participants}
    report.participants_added = len(new_pids)
    report.sessions_added = len(plan)
    report.views_added = sum(len(v) for v in row_views.values()) + sum(len(v) for _, v in view_plan)
    if not plan and not view_plan:
        return report

    # A dry run makes every write and rolls it back, so it reports what the real run does.
    with project.bulk(origin=f"roster:{path.name}", rehearse=dry_run) as w:
        if new_timepoints:
            w.execute(SetSetting(key="timepoints", value=known_tps))
        taken = w.existing_codes()
        avoid = {*known_tps, *(r.arm for r, _, _ in plan if r.arm), *(p.arm for p in existing_participants.values())}
        ids: dict[str, int] = {p.external_id: int(p.id) for p in existing_participants.values()}
        for r, info, sha in plan:
            if r.pid not in ids:
                extra = {k: v for rr, _, _ in plan if rr.pid == r.pid for k, v in rr.extra.items()}
                ids[r.pid] = w.add_participant(r.pid, r.arm, r.site, r.age, r.sex, extra)
            w.add_session(ids[r.pid], r.timepoint, new_blinded_code(taken, avoid=avoid), video_path=str(r.video),
                          video_sha256=sha, duration_ms=info.duration_ms, fps=info.fps,
                          frame_count=info.frame_count, date_of_visit=r.date, age_months=r.age)
            _add_views(w, ids[r.pid], r, row_views[r.number])
        for _session, views in view_plan:
            for view in views:
                w.add_view(view)
    return report


def _add_views(w, participant_id: int, r: _Row, views: list[SessionView]) -> None:
    """The main view's name and the further views of the session just added for row ``r``."""
    session = w.session_for(participant_id, r.timepoint)
    sid = SessionId(int(session.id))
    if r.main_name:
        w.add_view(SessionView(sid, MAIN_VIEW, r.main_name))
    for view in views:
        w.add_view(dataclasses.replace(view, session_id=sid))


def _check_views(r: _Row, media: dict, main_sha: str, sha_rows: dict[str, int], existing_sessions: dict,
                 existing_views: dict[str, SessionView], codes: dict, current: Session | None, project: Project,
                 problems: list[Problem]) -> list[SessionView]:
    """Problems of a row's further views; the views to add (for a session already in the project: the new ones)."""
    have = {v.number: v for v in project.views(int(current.id))} if current is not None else {}
    out: list[SessionView] = []
    for v in r.views:
        if v.video is None:
            continue
        res = media.get(v.video)
        if isinstance(res, MediaError):
            problems.append(Problem(str(res), row=r.number, column=v.column))
            continue
        info, sha = res
        if sha == main_sha:
            problems.append(Problem(f"view {v.number} is the same file as the main video (identical content); each "
                                    "view is another camera's recording.", row=r.number, column=v.column))
            continue
        if sha in sha_rows and sha_rows[sha] != r.number:
            problems.append(Problem(f"this video is the same file as one in row {sha_rows[sha]} (identical content); "
                                    "each view is its own recording.", row=r.number, column=v.column))
            continue
        sha_rows[sha] = r.number
        old = have.get(v.number)
        if old is not None:
            if old.video_sha256 != sha:
                problems.append(Problem(f"participant {r.pid!r} at {r.timepoint!r} already has a different video as "
                                        f"view {v.number}. If it was replaced, relink it in the window; otherwise "
                                        "fix the roster.", row=r.number, column=v.column))
            continue
        elsewhere = existing_sessions.get(sha)
        other_view = existing_views.get(sha)
        if elsewhere is not None or other_view is not None:
            where = elsewhere.blinded_code if elsewhere is not None else codes.get(other_view.session_id, "?")
            problems.append(Problem(f"this video is already in the project as a view of session {where} (same "
                                    "content); each view is its own recording.", row=r.number, column=v.column))
            continue
        sid = current.id if current is not None else SessionId(0)
        out.append(SessionView(sid, v.number, v.name, str(v.video), sha, info.duration_ms, info.fps,
                               info.frame_count))
    return out
