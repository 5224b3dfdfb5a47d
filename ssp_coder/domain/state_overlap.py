"""A behaviour's state intervals never overlap within one coding.

Two intervals of the same state (two "play" bouts sharing time) say the same
thing twice: scoring takes their union, but exports, agreement tables and the
timeline would carry both. The coding window therefore merges instead of
overlapping, and the checks report overlaps that imports bring in. Intervals
that only touch (one ends where the next starts) do not overlap.

Everything here is plain data in, commands out: ``merge_for`` turns an event
edit that would overlap into one undoable ``Batch`` (the edit widened to the
union, the other intervals deleted), so undo restores every interval with its
id; ``merge_group`` does the same for intervals already overlapping.
"""

from __future__ import annotations

from typing import Iterable, Protocol, Sequence

from ssp_coder.domain.command_base import Batch, Command
from ssp_coder.domain.coding_commands import KEEP_VIEW, AddEvent, DeleteEvent, UpdateEvent
from ssp_coder.domain.model import Event
from ssp_coder.domain.scheme import Scheme


class Interval(Protocol):
    code: str
    onset_ms: int
    offset_ms: int | None


def fmt_ms(ms: int) -> str:
    s, milli = divmod(int(ms), 1000)
    m, s = divmod(s, 60)
    return f"{m:02d}:{s:02d}.{milli:03d}"


def span_text(onset_ms: int, offset_ms: int) -> str:
    return f"{fmt_ms(onset_ms)}–{fmt_ms(offset_ms)}"


def overlapping(events: Iterable[Event], code: str, onset_ms: int, offset_ms: int,
                exclude: int | None = None) -> list[Event]:
    """Closed intervals of ``code`` that share time with [onset, offset), in onset order."""
    out = [e for e in events if e.code == code and e.kind == "state" and e.offset_ms is not None
           and (exclude is None or int(e.id) != exclude)
           and e.onset_ms < offset_ms and onset_ms < e.offset_ms]
    return sorted(out, key=lambda e: (e.onset_ms, int(e.id)))


def overlap_groups(intervals: Iterable[Interval]) -> list[list[Interval]]:
    """Per code, the closed intervals that overlap one another (a chain a–b, b–c is one group of three).

    Only groups of two or more are returned, ordered by code and first onset.
    """
    by_code: dict[str, list[Interval]] = {}
    for it in intervals:
        if it.offset_ms is not None:
            by_code.setdefault(it.code, []).append(it)
    groups: list[list[Interval]] = []
    for code in sorted(by_code):
        items = sorted(by_code[code], key=lambda e: (e.onset_ms, e.offset_ms))
        current: list[Interval] = []
        reach = None
        for it in items:
            if current and reach is not None and it.onset_ms < reach:
                current.append(it)
                reach = max(reach, it.offset_ms)
                continue
            if len(current) > 1:
                groups.append(current)
            current, reach = [it], it.offset_ms
        if len(current) > 1:
            groups.append(current)
    return sorted(groups, key=lambda g: (g[0].onset_ms, g[0].code))


def state_overlap_groups(events: Iterable[Event]) -> list[list[Event]]:
    """``overlap_groups`` over a coding's state events (open states are reported as open, not here)."""
    return overlap_groups(e for e in events if e.kind == "state")  # type: ignore[return-value]


def _notes(*notes: str | None) -> str | None:
    seen = [n for n in dict.fromkeys(n.strip() for n in notes if n and n.strip())]
    return "; ".join(seen) or None


def _merge(keep: Event, code: str, onset_ms: int, offset_ms: int, subject: str | None, note: str | None,
           others: Sequence[Event], name: str, view: int | None = KEEP_VIEW) -> Batch:
    # The kept interval keeps its camera view unless the edit itself changes it.
    steps: list[Command] = [UpdateEvent(int(keep.id), code, onset_ms, offset_ms, subject, note, view)]
    steps += [DeleteEvent(int(o.id)) for o in others]
    return Batch(name, tuple(steps))


def merge_for(cmd: Command, events: Sequence[Event], scheme: Scheme) -> Batch | None:
    """The merge an event edit needs, or None when it overlaps nothing.

    ``cmd`` is the edit a coder asked for (an ``AddEvent`` or ``UpdateEvent``
    of a closed state interval); the result applies it as the union with every
    same-code interval it would overlap, in one undoable step whose name says
    what was merged.
    """
    if not isinstance(cmd, (AddEvent, UpdateEvent)) or cmd.offset_ms is None or cmd.offset_ms < cmd.onset_ms:
        return None
    try:
        if not scheme.behaviour(cmd.code).is_state:
            return None
    except KeyError:
        return None      # the command itself refuses an unknown code, with its own message
    exclude = cmd.event_id if isinstance(cmd, UpdateEvent) else None
    if isinstance(cmd, UpdateEvent):
        now = next((e for e in events if int(e.id) == cmd.event_id), None)
        if now is not None and (now.code, now.onset_ms, now.offset_ms) == (cmd.code, cmd.onset_ms, cmd.offset_ms):
            return None   # a note or subject edit: an overlap an import left is merged on request, not by surprise
    others = overlapping(events, cmd.code, cmd.onset_ms, cmd.offset_ms, exclude)
    if not others:
        return None
    onset = min([cmd.onset_ms] + [o.onset_ms for o in others])
    offset = max([cmd.offset_ms] + [int(o.offset_ms) for o in others])   # type: ignore[arg-type]
    name = (f"'{cmd.code}' {span_text(cmd.onset_ms, cmd.offset_ms)} merged with "
            f"{', '.join(span_text(o.onset_ms, int(o.offset_ms)) for o in others)} into {span_text(onset, offset)}")
    if isinstance(cmd, UpdateEvent):
        keep = next((e for e in events if int(e.id) == cmd.event_id), None)
        if keep is None:
            return None
        note = _notes(cmd.note, *(o.note for o in others))
        return _merge(keep, cmd.code, onset, offset, cmd.subject, note, others, name, cmd.view)
    keep, rest = others[0], others[1:]
    note = _notes(keep.note, *(o.note for o in rest), cmd.note)
    return _merge(keep, cmd.code, onset, offset, keep.subject or cmd.subject, note, rest, name)


def merge_group(group: Sequence[Event]) -> Batch:
    """One undoable step that merges already-overlapping intervals of one code into the earliest."""
    if len(group) < 2 or len({e.code for e in group}) != 1:
        raise ValueError("merge_group needs two or more intervals of one code")
    items = sorted(group, key=lambda e: (e.onset_ms, int(e.id)))
    keep, rest = items[0], items[1:]
    onset = keep.onset_ms
    offset = max(int(e.offset_ms) for e in items)     # type: ignore[arg-type]
    name = (f"'{keep.code}' {', '.join(span_text(e.onset_ms, int(e.offset_ms)) for e in items)} merged into "
            f"{span_text(onset, offset)}")
    return _merge(keep, keep.code, onset, offset, keep.subject, _notes(*(e.note for e in items)), rest, name)


def merge_all(events: Sequence[Event]) -> Batch | None:
    """Every overlapping group of a coding merged, as one undoable step (None when nothing overlaps)."""
    groups = state_overlap_groups(events)
    if not groups:
        return None
    if len(groups) == 1:
        return merge_group(groups[0])
    steps = tuple(c for g in groups for c in merge_group(g).commands)
    return Batch(f"{len(groups)} sets of overlapping state intervals merged", steps)
