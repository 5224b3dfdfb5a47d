"""A coding file against the project: sessions, coders, the map, episodes and every check. Nothing is written here.

Each observation is matched to a session (the map; the observation's name or
its video's name being a blinded code; the video's file name; its SHA-256),
each subject or annotator to a coder (the map; a coder of that name; the
observation's coder; the coder given on the command line). Codes go through
the map. Every problem is collected, located by observation, tier and time.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ssp_coder.domain.model import Coder, Session
from ssp_coder.errors import Problem
from ssp_coder.interchange.mapping import CodeMap, Target
from ssp_coder.interchange.model import TOOL_NAMES, CodingProblem, CodingsFile, Observation, clock
from ssp_coder.interchange.pairing import Span, pair_marks
from ssp_coder.legacy.sheet import Context


@dataclass(frozen=True)
class PlannedEvent:
    code: str
    onset_ms: int
    offset_ms: int | None
    subject: str | None
    note: str | None
    tier: str | None = None


@dataclass
class PlannedCoding:
    """One coding the file brings: which session, which coder, its events and episode boundaries."""

    observation: str
    session: Session | None          # None while unmatched: checked, never imported
    coder: Coder | None
    events: list[PlannedEvent] = field(default_factory=list)
    boundaries: dict[int, tuple[int, int]] = field(default_factory=dict)
    purpose: str = ""
    coding_id: int | None = None
    action: str = ""                 # created / filled / unchanged (set by the importer)

    def content(self) -> tuple:
        ev = sorted((e.code, e.onset_ms, -1 if e.offset_ms is None else e.offset_ms) for e in self.events)
        return dict(sorted(self.boundaries.items())), ev


@dataclass
class Plan:
    codings: list[PlannedCoding]
    problems: list[Problem]
    ignored: dict[str, int]          # file code -> events left out because the map says 'ignore'
    mapped: dict[str, str]           # file code -> what it became


def _name_of(path: str) -> str:
    return re.split(r"[\\/]", path)[-1]


class _Sessions:
    """Finds the session of an observation, hashing a video only when names do not settle it."""

    def __init__(self, ctx: Context, sessions: list[Session]):
        self.ctx = ctx
        self.by_name: dict[str, list[Session]] = defaultdict(list)
        self.by_sha: dict[str, Session] = {}
        for s in sessions:
            if s.video_path:
                self.by_name[_name_of(s.video_path).casefold()].append(s)
            if s.video_sha256:
                self.by_sha[s.video_sha256.lower()] = s

    def from_spec(self, spec: str) -> Session | None:
        s = self.ctx.by_code.get(spec.strip().upper())
        if s is not None:
            return s
        m = re.match(r"^\s*(.+?)\s*[\s/:|;,]\s*(\S+)\s*$", spec)
        if not m:
            return None
        from ssp_coder.roster.labels import resolve_timepoint

        tp = resolve_timepoint(m.group(2), self.ctx.timepoints) or m.group(2)
        return self.ctx.by_pid_tp.get((m.group(1).casefold(), tp))

    def find(self, obs: Observation, cmap: CodeMap, problems: list[Problem]) -> Session | None:
        spec = cmap.session_for(obs.id)
        if spec is not None:
            s = self.from_spec(spec)
            if s is None:
                problems.append(CodingProblem(
                    f"the map says this observation is session {spec!r}, but there is no session with that blinded "
                    "code, nor a participant and timepoint of that name (write e.g. 'K7Q-4M2' or 'P001 pre').",
                    observation=obs.id))
            return s
        s = self._named(obs.id) or self.from_spec(obs.id)   # 'K7Q-4M2', or 'P001 pre' as labs often name them
        if s is not None:
            return s
        for media in obs.media:
            stem = Path(_name_of(media)).stem.upper()
            if stem in self.ctx.by_code:
                return self.ctx.by_code[stem]
            same = self.by_name.get(_name_of(media).casefold(), [])
            if len(same) == 1:
                return same[0]
            if len(same) > 1:
                problems.append(CodingProblem(
                    f"its video {_name_of(media)!r} has the same file name as the videos of sessions "
                    f"{', '.join(x.blinded_code for x in same)}. Say which session it is in the map: "
                    f"'session,{obs.id},SESSION CODE'.", observation=obs.id))
                return None
            found = self._by_content(media, obs.base_dir)
            if found is not None:
                return found
        if obs.media:
            problems.append(CodingProblem(
                f"its video {_name_of(obs.media[0])!r} is not in this project: no session has a video of that name "
                "(or, where the file could be found, that content). Add the session with 'ssp-coder import-roster', "
                f"or say which session it is in the map: 'session,{obs.id},SESSION CODE' (or participant and "
                "timepoint, e.g. 'P001 pre').", observation=obs.id))
        else:
            problems.append(CodingProblem(
                "the observation names no video, so its session is unknown. Say which session it is in the map: "
                f"'session,{obs.id},SESSION CODE' (or participant and timepoint, e.g. 'P001 pre').",
                observation=obs.id))
        return None

    def _named(self, name: str) -> Session | None:
        """A session whose blinded code is the name, or starts it as in ssp-coder's exports ('K7Q-4M2-Ann-primary')."""
        key = name.strip().upper()
        if key in self.ctx.by_code:
            return self.ctx.by_code[key]
        prefixed = [code for code in self.ctx.by_code if key.startswith(code + "-")]
        return self.ctx.by_code[max(prefixed, key=len)] if prefixed else None

    def _by_content(self, media: str, base_dir: str | None) -> Session | None:
        if not self.by_sha:
            return None
        from ssp_coder.media.errors import MediaError
        from ssp_coder.media.hashing import sha256_file

        p = Path(media)
        if not p.is_absolute() and base_dir:
            p = Path(base_dir) / p
        if not p.is_file():
            return None
        try:
            return self.by_sha.get(sha256_file(p).lower())
        except MediaError:
            return None


class _Coders:
    def __init__(self, ctx: Context, cmap: CodeMap, default: str | None, problems: list[Problem]):
        self.ctx, self.cmap, self.problems = ctx, cmap, problems
        self.default = default
        self.reported: set[tuple] = set()

    def named(self, name: str, obs: str, why: str) -> Coder | None:
        c = self.ctx.coders.get(name.strip().casefold())
        if c is None and ("unknown", name.casefold()) not in self.reported:
            self.reported.add(("unknown", name.casefold()))
            self.problems.append(CodingProblem(
                f"{why} names the coder {name!r}, who is not in this project (coders: {self.ctx.coder_names}). Add "
                f"the coder with 'ssp-coder coder add PROJECT \"{name}\"', or correct the name.", observation=obs))
        return c

    def of_subject(self, subject: str | None, obs: str) -> Coder | None:
        if not subject:
            return None
        mapped = self.cmap.coder_for(subject)
        if mapped:
            return self.named(mapped, obs, f"the map (coder row for {subject!r})")
        return self.ctx.coders.get(subject.strip().casefold())

    def of_observation(self, obs: Observation) -> Coder | None:
        mapped = self.cmap.coder_for(obs.id)
        if mapped:
            return self.named(mapped, obs.id, "the map")
        if obs.coder:
            return self.named(obs.coder, obs.id, "the file")
        if self.default:
            return self.named(self.default, obs.id, "--coder")
        return None


def make_plan(cf: CodingsFile, cmap: CodeMap, ctx: Context, sessions: list[Session],
              default_coder: str | None) -> Plan:
    problems: list[Problem] = list(cf.problems)
    plan = Plan([], problems, {}, {})
    finder = _Sessions(ctx, sessions)
    coders = _Coders(ctx, cmap, default_coder, problems)
    unmapped: dict[str, list] = {}
    by_key: dict[tuple, PlannedCoding] = {}
    episode_parts: dict[tuple, dict[int, dict[str, tuple[int, ...]]]] = {}
    for obs in cf.observations:
        session = finder.find(obs, cmap, problems)
        spans = pair_marks(obs.marks, obs.id, cf.tool, problems)
        obs_coder = coders.of_observation(obs)
        seen_here: set[tuple] = set()
        for span in spans:
            hit = cmap.target(span.codes)
            if hit is None:
                entry = unmapped.setdefault(span.codes[0], [0, obs.id, span.onset_ms, span.tier])
                entry[0] += 1
                continue
            file_code, target = hit
            plan.mapped[file_code] = target.describe()
            if target.kind == "ignore":
                plan.ignored[file_code] = plan.ignored.get(file_code, 0) + 1
                continue
            coder = coders.of_subject(span.subject, obs.id)
            subject = None if coder is not None else span.subject
            coder = coder or obs_coder
            if coder is None:
                key = ("who", obs.id, span.subject)
                if key not in coders.reported:
                    coders.reported.add(key)
                    who = f" (subject {span.subject!r})" if span.subject else ""
                    problems.append(CodingProblem(
                        f"it is not known who coded this observation{who}. Say so in the map ('coder,{obs.id},"
                        "CODER NAME') or give --coder NAME.", observation=obs.id))
            if session is None or coder is None:
                # Not importable, but its codes are still checked so that every problem shows at once.
                key2 = ("unmatched", obs.id, coder.name if coder else span.subject)
                if key2 not in by_key:
                    by_key[key2] = PlannedCoding(obs.id, session, coder)
            elif (key2 := (int(session.id), int(coder.id))) not in by_key:
                by_key[key2] = PlannedCoding(obs.id, session, coder)
                plan.codings.append(by_key[key2])
            elif by_key[key2].observation != obs.id and key2 not in seen_here:
                problems.append(CodingProblem(
                    f"observations {by_key[key2].observation!r} and {obs.id!r} are both session "
                    f"{session.blinded_code} coded by {coder.name}. Import them from separate files, or map one of "
                    "them to another session.", observation=obs.id))
            seen_here.add(key2)
            _add(span, file_code, target, subject, by_key[key2], episode_parts.setdefault(key2, {}), obs.id,
                 cmap, cf.tool, problems)
    for code, (count, obs_id, first, tier) in sorted(unmapped.items()):
        problems.append(CodingProblem(
            f"code {code!r} ({count} event(s)) is not in the map and is not a behaviour of the scheme, so it would "
            f"be dropped. Add a row to the map: 'code,{code},BEHAVIOUR' (behaviours: "
            f"{', '.join(b.code for b in cmap.scheme.behaviours)}; or 'episode N', 'episode N start', "
            f"'episode N end'), or 'code,{code},ignore' to leave it out on purpose.",
            observation=obs_id, tier=tier, time_ms=first))
    for key, planned in by_key.items():
        _episodes(planned, episode_parts.get(key, {}), cmap, problems)
        _check(planned, cf.tool, problems)
    return plan


def _add(span: Span, file_code: str, target: Target, subject: str | None, planned: PlannedCoding,
         parts: dict[int, dict[str, tuple[int, ...]]], obs: str, cmap: CodeMap, tool: str,
         problems: list[Problem]) -> None:
    where = dict(observation=obs, tier=span.tier, time_ms=span.onset_ms, line=span.line)
    if target.kind == "behaviour":
        beh = cmap.scheme.behaviour(str(target.behaviour))
        if not beh.is_state:
            planned.events.append(PlannedEvent(beh.code, span.onset_ms, None, subject, span.note, span.tier))
        elif span.is_point:
            problems.append(CodingProblem(
                f"'{file_code}' is a point event in the file, but '{beh.code}' is a state in the scheme (it needs a "
                f"start and an end). Map '{file_code}' to a point behaviour, or code it as a state in "
                f"{TOOL_NAMES[tool]}.", **where))
        elif span.offset_ms is None:
            problems.append(CodingProblem(f"'{file_code}' has no end (offset). Fill in the end in {TOOL_NAMES[tool]}.",
                                          **where))
        else:
            planned.events.append(PlannedEvent(beh.code, span.onset_ms, span.offset_ms, subject, span.note, span.tier))
        return
    ep = int(target.episode or 0)
    if target.part is None and not span.is_point and span.offset_ms is not None:
        entries = {"whole": (span.onset_ms, span.offset_ms)}
    elif target.part == "end":
        entries = {"end": (span.onset_ms,)}
    else:
        entries = {"start": (span.onset_ms,)}
    mine = parts.setdefault(ep, {})
    for part, value in entries.items():
        clash = [p for p in mine if p == part or {p, part} in ({"whole", "start"}, {"whole", "end"})]
        if clash:
            problems.append(CodingProblem(
                f"episode {ep} is marked twice ('{file_code}' here, and already at {clock(mine[clash[0]][0])}). "
                "Keep one.", **where))
            continue
        mine[part] = value


def _episodes(planned: PlannedCoding, parts: dict[int, dict[str, tuple[int, ...]]], cmap: CodeMap,
              problems: list[Problem]) -> None:
    where = dict(observation=planned.observation)
    for ep in sorted(parts):
        p = parts[ep]
        if "whole" in p:
            onset, offset = p["whole"]
        else:
            onset = p["start"][0] if "start" in p else None
            offset = p["end"][0] if "end" in p else None
            nxt = parts.get(ep + 1, {})
            if offset is None:
                offset = nxt["whole"][0] if "whole" in nxt else (nxt["start"][0] if "start" in nxt else None)
        if onset is None:
            problems.append(CodingProblem(f"episode {ep} has an end but no start. Mark where it starts.",
                                          time_ms=offset, **where))
            continue
        if offset is None:
            problems.append(CodingProblem(
                f"episode {ep} has a start but no end, and episode {ep + 1} does not start after it. Mark its end "
                f"(a code mapped to 'episode {ep} end').", time_ms=onset, **where))
            continue
        if offset <= onset:
            problems.append(CodingProblem(f"episode {ep} ends ({clock(offset)}) before it starts.", time_ms=onset,
                                          **where))
            continue
        planned.boundaries[ep] = (onset, offset)
    eps = sorted(planned.boundaries)
    for a, b in zip(eps, eps[1:]):
        if planned.boundaries[a][1] > planned.boundaries[b][0]:
            problems.append(CodingProblem(
                f"episodes {a} and {b} overlap: {a} ends at {clock(planned.boundaries[a][1])}, after {b} starts.",
                time_ms=planned.boundaries[b][0], **where))


def _check(planned: PlannedCoding, tool: str, problems: list[Problem]) -> None:
    duration = planned.session.duration_ms if planned.session is not None else None
    where = dict(observation=planned.observation)
    times = [(e.onset_ms, f"'{e.code}'") for e in planned.events]
    times += [(e.offset_ms, f"the end of '{e.code}'") for e in planned.events if e.offset_ms is not None]
    times += [(t, f"episode {ep}") for ep, b in planned.boundaries.items() for t in b]
    for t, what in sorted(times, key=lambda x: x[0]):
        if t < 0:
            problems.append(CodingProblem(f"{what} is before the start of the video. Check the observation's time "
                                          f"offset in {TOOL_NAMES[tool]}.", time_ms=t, **where))
        elif duration is not None and t > duration:
            problems.append(CodingProblem(
                f"{what} is after the end of the video of session {planned.session.blinded_code} "
                f"({clock(duration)}). Is this the right session?", time_ms=t, **where))
    by_code: dict[str, list[PlannedEvent]] = defaultdict(list)
    for e in planned.events:
        if e.offset_ms is not None:
            by_code[e.code].append(e)
    for code, events in by_code.items():
        events.sort(key=lambda e: e.onset_ms)
        for a, b in zip(events, events[1:]):
            if b.onset_ms < int(a.offset_ms or 0):
                problems.append(CodingProblem(
                    f"overlapping states: '{code}' from {clock(a.onset_ms)} to {clock(a.offset_ms)} overlaps "
                    f"'{code}' from {clock(b.onset_ms)} to {clock(b.offset_ms)} (the same behaviour twice at once). "
                    f"Shorten or delete one in {TOOL_NAMES[tool]}.", tier=b.tier, time_ms=b.onset_ms, **where))
