"""START and STOP into intervals, the same way for every tool; what does not pair is reported, never guessed.

A state pairs within one subject, code and modifier. BORIS files hold
toggles (the same code again stops it); The Observer holds explicit starts
and stops. ELAN and Datavyu hold finished intervals already.
"""

from __future__ import annotations

from dataclasses import dataclass

from ssp_coder.interchange.model import TOOL_NAMES, CodingProblem, Mark, clock


@dataclass(frozen=True)
class Span:
    """A paired state, a finished interval (offset may be missing) or a point."""

    codes: tuple[str, ...]
    onset_ms: int
    offset_ms: int | None
    is_point: bool
    tier: str | None
    subject: str | None
    note: str | None
    line: int | None


def pair_marks(marks: list[Mark], observation: str, tool: str, problems: list[CodingProblem]) -> list[Span]:
    spans: list[Span] = []
    open_: dict[tuple, Mark] = {}
    for m in marks:
        if m.mark == "point":
            spans.append(Span(m.codes, m.onset_ms, None, True, m.tier, m.subject, m.note, m.line))
            continue
        if m.mark == "interval":
            spans.append(Span(m.codes, m.onset_ms, m.offset_ms, False, m.tier, m.subject, m.note, m.line))
            continue
        key = (m.subject or "", m.code, m.modifier)
        started = open_.get(key)
        if m.mark == "toggle":
            if started is None:
                open_[key] = m
            else:
                del open_[key]
                spans.append(_span(started, m))
        elif m.mark == "start":
            if started is not None:
                problems.append(CodingProblem(
                    f"state '{m.code}' starts again, but it already started at {clock(started.onset_ms)} and was "
                    f"not stopped. Add the missing stop in {TOOL_NAMES[tool]}, or delete one of the starts.",
                    observation=observation, tier=m.tier, time_ms=m.onset_ms, line=m.line))
                continue
            open_[key] = m
        elif m.mark == "stop":
            if started is None:
                problems.append(CodingProblem(
                    f"unpaired STOP: state '{m.code}' stops here but was never started. Add the missing start in "
                    f"{TOOL_NAMES[tool]}, or delete the stray stop.",
                    observation=observation, tier=m.tier, time_ms=m.onset_ms, line=m.line))
                continue
            del open_[key]
            spans.append(_span(started, m))
    for m in open_.values():
        how = (" (BORIS pairs a state's events in turn, so an odd number leaves the last one unpaired)"
               if m.mark == "toggle" else "")
        who = f" of subject '{m.subject}'" if m.subject else ""
        modifier = f" with modifier '{m.modifier}'" if m.modifier else ""
        problems.append(CodingProblem(
            f"unpaired START: state '{m.code}'{who}{modifier} starts here and is never stopped{how}. Add the missing "
            f"stop in {TOOL_NAMES[tool]}, or delete the stray event; ssp-coder does not guess where it ends.",
            observation=observation, tier=m.tier, time_ms=m.onset_ms, line=m.line))
    spans.sort(key=lambda s: (s.onset_ms, s.offset_ms if s.offset_ms is not None else -1))
    return spans


def _span(start: Mark, stop: Mark) -> Span:
    notes = "; ".join(n for n in (start.note, stop.note) if n) or None
    return Span(start.codes, start.onset_ms, stop.onset_ms, False, start.tier, start.subject, notes, start.line)
