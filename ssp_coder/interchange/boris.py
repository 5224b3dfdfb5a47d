"""BORIS project files (``.boris``, JSON; also ``.boris.gz``): read and write.

What the format holds (project format versions 7 to 10, as written by BORIS
7 and later):

- ``behaviors_conf``: the ethogram, ``{"0": {"code", "type": "State event" |
  "Point event" | "... with coding map", "key", "description", ...}}``;
- ``subjects_conf``: ``{"0": {"name", "key", "description"}}``;
- ``observations``: ``{id: {"type": "MEDIA" | "LIVE" | "IMAGES", "file":
  {"1": [media paths], "2": [...]}, "time offset", "media_info",
  "independent_variables", "events": [[time_s, subject, code, modifier,
  comment, frame_index?], ...]}}``.

A state event has no START/STOP flag in the file: BORIS pairs the
occurrences of the same code, subject and modifier in time order (first
starts, second stops). An odd count leaves one unpaired; that is reported,
never guessed. Event times are the media time plus the observation's time
offset.
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from pathlib import Path

from ssp_coder.atomic import atomic_write_bytes, atomic_write_text
from ssp_coder.interchange.model import CodingProblem, CodingsFile, Ethogram, ExportCoding, Mark, Observation

SUPPORTED = (7, 10)          # project format versions read
WRITTEN_VERSION = "7.0"       # the format BORIS 7 to 9 write and open
CODER_VARIABLES = ("coder", "observer", "rater", "annotator")


def _load(path: Path) -> object:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return json.loads(raw.decode("utf-8-sig"))


def _version(value: object) -> tuple[int, ...] | None:
    try:
        return tuple(int(p) for p in str(value).split("."))
    except ValueError:
        return None


def read_boris(path: str | Path) -> CodingsFile:
    p = Path(path)
    out = CodingsFile(str(p), "boris")
    try:
        data = _load(p)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        out.problems.append(CodingProblem(f"the file cannot be read ({exc}). Check the path."))
        return out
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        out.problems.append(CodingProblem(f"not a BORIS project: the file is not JSON ({exc}). Give the .boris file "
                                          "BORIS saves (File > Save project)."))
        return out
    if not isinstance(data, dict) or "observations" not in data or "behaviors_conf" not in data:
        out.problems.append(CodingProblem("not a BORIS project: it has no 'observations' and 'behaviors_conf'. Give "
                                          "the .boris file BORIS saves (File > Save project)."))
        return out
    version = _version(data.get("project_format_version", "0"))
    if version is None or not (SUPPORTED[0] <= version[0] <= SUPPORTED[1]):
        found = data.get("project_format_version", "none")
        out.problems.append(CodingProblem(
            f"the project format version is {found}; this program reads versions {SUPPORTED[0]} to {SUPPORTED[1]}. "
            "Open the project in BORIS 7 or newer, save it, and import the saved file."))
        return out
    states, points = set(), set()
    for beh in (data.get("behaviors_conf") or {}).values():
        if isinstance(beh, dict) and beh.get("code"):
            kind = str(beh.get("type", "")).lower()
            (states if "state" in kind else points).add(str(beh["code"]))
    out.state_codes, out.point_codes = frozenset(states), frozenset(points)
    observations = data.get("observations") or {}
    if not isinstance(observations, dict):
        out.problems.append(CodingProblem("'observations' is not a table of observations; the file is damaged."))
        return out
    for obs_id, obs in observations.items():
        observation = _observation(str(obs_id), obs, p, out)
        if observation is not None:
            out.observations.append(observation)
    if not observations:
        out.problems.append(CodingProblem("the project has no observations, so there is nothing to import."))
    return out


def _observation(obs_id: str, obs: object, path: Path, out: CodingsFile) -> Observation | None:
    if not isinstance(obs, dict):
        out.problems.append(CodingProblem("the observation is not readable; the file is damaged.", observation=obs_id))
        return None
    kind = obs.get("type", "MEDIA")
    if kind == "IMAGES":
        out.problems.append(CodingProblem("this is an observation of still images; only video observations can be "
                                          "imported. Leave it out (delete it from a copy of the project).",
                                          observation=obs_id))
        return None
    files = obs.get("file") or {}
    player1 = [str(f) for f in (files.get("1") or [])] if isinstance(files, dict) else []
    if len(player1) > 1:
        out.problems.append(CodingProblem(
            f"player 1 plays {len(player1)} media files one after another ({', '.join(player1)}); a session has one "
            "video. Split the observation in BORIS, one per video, and import again.", observation=obs_id))
        return None
    try:
        offset_s = float(obs.get("time offset") or 0)
    except (TypeError, ValueError):
        offset_s = 0.0
    coder = None
    variables = obs.get("independent_variables") or {}
    if isinstance(variables, dict):
        for name, value in variables.items():
            if str(name).strip().casefold() in CODER_VARIABLES and str(value).strip():
                coder = str(value).strip()
    observation = Observation(obs_id, tuple(player1), str(path.parent), coder)
    events = obs.get("events") or []
    for i, ev in enumerate(events, start=1):
        if not isinstance(ev, (list, tuple)) or len(ev) < 3:
            out.problems.append(CodingProblem(f"event {i} is not readable ({ev!r}).", observation=obs_id))
            continue
        t, subject, code = ev[0], str(ev[1] or ""), str(ev[2] or "")
        modifier = str(ev[3] or "") if len(ev) > 3 else ""
        comment = str(ev[4] or "").strip() if len(ev) > 4 else ""
        try:
            ms = int(round((float(t) - offset_s) * 1000))
        except (TypeError, ValueError):
            out.problems.append(CodingProblem(f"event {i} ('{code}') has no time ({t!r}).", observation=obs_id))
            continue
        note = "; ".join(x for x in (f"modifier: {modifier}" if modifier else "", comment) if x) or None
        mark = "toggle" if code in out.state_codes else "point"
        observation.marks.append(Mark((code,), mark, ms, subject=subject or None, modifier=modifier, note=note,
                                      tier=subject or None))
    observation.marks.sort(key=lambda m: m.onset_ms)   # BORIS keeps events in time order; stay safe
    return observation


# -- writing -----------------------------------------------------------------------------------

def boris_project(codings: list[ExportCoding], ethogram: Ethogram, *, name: str) -> dict:
    """A BORIS project: one observation per session, its coders as subjects, episodes as state events."""
    behaviours = [(code, desc, is_state) for code, desc, is_state in ethogram.behaviours]
    behaviours += [(Ethogram.episode_code(n), f"SSP episode {n}", True) for n in ethogram.episodes]
    conf = {str(i): {"type": "State event" if st else "Point event", "key": "", "code": code, "description": desc,
                     "color": "", "category": "episode" if code.startswith("episode ") else "",
                     "modifiers": {}, "excluded": "", "coding map": ""}
            for i, (code, desc, st) in enumerate(behaviours)}
    coders = sorted({c.coder for c in codings})
    subjects = {str(i): {"key": "", "name": n, "description": "coder"} for i, n in enumerate(coders)}
    observations: dict[str, dict] = {}
    for c in codings:
        obs = observations.setdefault(c.session_code, {
            "file": {str(i): [] for i in range(1, 9)}, "type": "MEDIA", "date": _now(), "description": "",
            "time offset": 0.0, "events": [], "observation time interval": [0, 0], "independent_variables": {},
            "visualize_spectrogram": False, "visualize_waveform": False, "close_behaviors_between_videos": False,
            "media_info": {"length": {}, "fps": {}, "hasVideo": {}, "hasAudio": {}, "offset": {"1": 0.0}},
        })
        if c.media and not obs["file"]["1"]:
            obs["file"]["1"] = [c.media]
            if c.duration_ms is not None:
                obs["media_info"]["length"][c.media] = c.duration_ms / 1000
            if c.fps:
                obs["media_info"]["fps"][c.media] = c.fps
            obs["media_info"]["hasVideo"][c.media] = True
            obs["media_info"]["hasAudio"][c.media] = True
        rows = []
        for ep, on, off in c.boundaries:
            rows += [(on, c.coder, Ethogram.episode_code(ep), ""), (off, c.coder, Ethogram.episode_code(ep), "")]
        for e in sorted(c.events, key=lambda e: e.onset_ms):
            rows.append((e.onset_ms, c.coder, e.code, e.note or ""))
            if e.is_state and e.offset_ms is not None:
                rows.append((e.offset_ms, c.coder, e.code, ""))
        # Within one millisecond a stop must come before the next start of the same code, so BORIS pairs as we do.
        order = {id(r): i for i, r in enumerate(rows)}
        rows.sort(key=lambda r: (r[0], order[id(r)]))
        obs["events"] += [[r[0] / 1000, r[1], r[2], "", r[3], _frame(r[0], c.fps)] for r in rows]
    for obs in observations.values():
        obs["events"].sort(key=lambda e: e[0])
    return {"time_format": "hh:mm:ss", "project_date": _now(), "project_name": name,
            "project_description": "Exported from ssp-coder.", "project_format_version": WRITTEN_VERSION,
            "subjects_conf": subjects, "behaviors_conf": conf, "observations": observations,
            "behavioral_categories": ["episode"], "independent_variables": {}, "coding_map": {},
            "behaviors_coding_map": [], "converters": {}}


def _frame(ms: int, fps: float | None) -> int | str:
    return int(ms / 1000 * fps) if fps else "NA"


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%dT%H:%M:%S")


def write_boris(path: str | Path, codings: list[ExportCoding], ethogram: Ethogram) -> Path:
    target = Path(path)
    project = boris_project(codings, ethogram, name=target.name.split(".")[0])
    text = json.dumps(project, ensure_ascii=False)
    if target.name.endswith(".gz"):     # BORIS also opens gzip-compressed projects (.boris.gz)
        atomic_write_bytes(target, gzip.compress(text.encode("utf-8")))
    else:
        atomic_write_text(target, text)
    return target

