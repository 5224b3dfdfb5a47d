"""The Observer XT exported event logs (tab-separated text): read and write.

One row per event with (at least) a time, a subject, a behaviour and an
event type. The Observer's own column names are recognised
(``Time_Relative_sf``, ``Time_Relative_hmsf``, ``Observation``, ``Subject``,
``Behavior``, ``Event_Type``, ``Modifier_1``, ``Comment``, ``Media_File``)
as well as plain ones (time, subject, behaviour, event type). Event types:
"State start", "State stop" and "State point" (or just start/stop/point).
Times are seconds from the start of the video (12.345) or clock times
(0:00:12.345). Without an Observation column the whole log is one
observation named after the file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ssp_coder.atomic import atomic_write_text
from ssp_coder.interchange.model import CodingProblem, CodingsFile, Ethogram, ExportCoding, Mark, Observation
from ssp_coder.legacy.sheet import parse_seconds
from ssp_coder.tables import match_columns, normalise_header

COLUMNS = {
    "time": ("time_relative_sf", "time_relative_s", "time_relative_hmsf", "time_relative_hms", "time", "time_s",
             "relative_time", "onset", "time_sec"),
    "observation": ("observation", "observation_name", "obs"),
    "subject": ("subject", "subject_name", "actor"),
    "behaviour": ("behavior", "behaviour", "behaviour_name", "code"),
    "event_type": ("event_type", "eventtype", "event", "type", "status"),
    "modifier": ("modifier_1", "modifier", "modifiers"),
    "comment": ("comment", "comments", "note"),
    "media": ("media_file", "media", "media_file_name", "video", "media_name"),
}
EVENT_TYPES = {"state_start": "start", "start": "start", "state_stop": "stop", "stop": "stop",
               "state_point": "point", "point": "point", "point_event": "point", "event": "point"}


def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "utf-16", "cp1252"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\t" in text or enc == "cp1252":
            return text
    return raw.decode("latin-1")


def read_event_log(path: str | Path) -> CodingsFile:
    p = Path(path)
    out = CodingsFile(str(p), "observer")
    try:
        text = _decode(p.read_bytes())
    except OSError as exc:
        out.problems.append(CodingProblem(f"the file cannot be read ({exc.strerror or exc}). Check the path."))
        return out
    delimiter = "\t" if "\t" in text.split("\n", 1)[0] else (";" if ";" in text.split("\n", 1)[0] else ",")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        out.problems.append(CodingProblem("the file is empty. Export the event log from The Observer XT (Export > "
                                          "Observational data, tab-separated) and import that."))
        return out
    header = [h.strip() for h in rows[0]]
    cols, _rest = match_columns(header, COLUMNS)
    missing = [n for n in ("time", "behaviour", "event_type") if n not in cols]
    if missing:
        out.problems.append(CodingProblem(
            f"the event log has no {', '.join(missing)} column (columns found: {', '.join(header)}). Export it again "
            "from The Observer XT with time, subject, behavior and event type.", line=1))
        return out
    index = {name: header.index(col) for name, col in cols.items()}
    # Observer logs carry the time several ways; seconds (Time_Relative_sf) are exact, so they win.
    normalised = [normalise_header(h) for h in header]
    for alias in COLUMNS["time"]:
        if alias in normalised:
            index["time"] = normalised.index(alias)
            break
    observations: dict[str, Observation] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue

        def get(name: str) -> str:
            i = index.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        obs_id = get("observation") or p.stem
        obs = observations.get(obs_id)
        if obs is None:
            obs = observations[obs_id] = Observation(obs_id, (), str(p.parent))
        if get("media") and not obs.media:
            obs.media = (get("media"),)
        seconds = parse_seconds(get("time"))
        kind = EVENT_TYPES.get(normalise_header(get("event_type")))
        code = get("behaviour")
        if seconds is None or seconds < 0:
            out.problems.append(CodingProblem(f"time {get('time')!r} is not a time in seconds (12.345 or "
                                              "0:00:12.345).", observation=obs_id, line=number))
            continue
        if kind is None:
            out.problems.append(CodingProblem(f"event type {get('event_type')!r} is not State start, State stop or "
                                              "State point.", observation=obs_id, line=number,
                                              time_ms=int(round(seconds * 1000))))
            continue
        if not code:
            out.problems.append(CodingProblem("the behaviour is empty.", observation=obs_id, line=number,
                                              time_ms=int(round(seconds * 1000))))
            continue
        modifier = get("modifier")
        note = "; ".join(x for x in (f"modifier: {modifier}" if modifier else "", get("comment")) if x) or None
        obs.marks.append(Mark((code,), kind, int(round(seconds * 1000)), subject=get("subject") or None,
                              modifier=modifier, note=note, line=number, tier=get("subject") or None))
    out.observations = list(observations.values())
    for obs in out.observations:
        obs.marks.sort(key=lambda m: m.onset_ms)   # stable: a stop and a start at one time keep their order
    if not out.observations:
        out.problems.append(CodingProblem("the event log has no events."))
    return out


def event_log_text(codings: list[ExportCoding]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\r\n")
    w.writerow(["Time_Relative_sf", "Observation", "Subject", "Behavior", "Event_Type", "Comment", "Media_File"])
    for c in codings:
        rows: list[tuple[int, str, str, str]] = []
        for ep, on, off in c.boundaries:
            name = Ethogram.episode_code(ep)
            rows += [(on, name, "State start", ""), (off, name, "State stop", "")]
        for e in sorted(c.events, key=lambda e: e.onset_ms):
            if e.is_state:
                rows += [(e.onset_ms, e.code, "State start", e.note or ""), (e.offset_ms, e.code, "State stop", "")]
            else:
                rows.append((e.onset_ms, e.code, "State point", e.note or ""))
        rows.sort(key=lambda r: r[0])      # stable: at one time a stop stays before the next start
        for t, code, kind, note in rows:
            w.writerow([f"{t / 1000:.3f}", c.session_code, c.coder, code, kind, note, c.media or ""])
    return buf.getvalue()


def write_event_log(path: str | Path, codings: list[ExportCoding]) -> Path:
    atomic_write_text(path, event_log_text(codings))
    return Path(path)
