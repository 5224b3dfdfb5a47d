"""Commands on one coding's content: episodes, events, scales, classification, D indices."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from ssp_coder.domain.command_base import (
    Command,
    _check_number,
    _check_time,
    _editable,
    _editable_event,
    _editable_mark,
    command,
)
from ssp_coder.domain.model import (
    EPISODE_FLAGS,
    CodingId,
    DIndexId,
    DIndexMark,
    EpisodeBoundary,
    Event,
    EventId,
)
from ssp_coder.domain.ports import UnitOfWork
from ssp_coder.errors import DomainError

# -- episodes -------------------------------------------------------------------------

@command
@dataclass(frozen=True)
class SetBoundary(Command):
    """Set (or clear, with None) the start and end of one episode."""

    coding_id: int
    episode: int
    onset_ms: int | None
    offset_ms: int | None
    label: ClassVar[str] = "Set episode boundary"

    def describe(self) -> str:
        return f"Set episode {self.episode} boundary"

    def apply(self, uow: UnitOfWork) -> Command:
        cid = CodingId(self.coding_id)
        _editable(uow, cid)
        if self.episode not in uow.scheme.episode_numbers:
            raise DomainError(f"The scheme has no episode {self.episode}.")
        _check_time(uow, cid, self.onset_ms, f"Episode {self.episode} start")
        _check_time(uow, cid, self.offset_ms, f"Episode {self.episode} end")
        if self.onset_ms is not None and self.offset_ms is not None and self.offset_ms <= self.onset_ms:
            raise DomainError(f"Episode {self.episode} must end after it starts.")
        old = uow.boundary(cid, self.episode) or EpisodeBoundary(self.episode)
        new = dataclasses.replace(old, onset_ms=self.onset_ms, offset_ms=self.offset_ms)
        if new.onset_ms is None and new.offset_ms is None and new.flag is None:
            uow.delete_boundary(cid, self.episode)
        else:
            uow.put_boundary(cid, new)
        return SetBoundary(self.coding_id, self.episode, old.onset_ms, old.offset_ms)


@command
@dataclass(frozen=True)
class SetEpisodeFlag(Command):
    coding_id: int
    episode: int
    flag: str | None
    reason: str | None = None
    label: ClassVar[str] = "Flag episode"

    def apply(self, uow: UnitOfWork) -> Command:
        cid = CodingId(self.coding_id)
        _editable(uow, cid)
        if self.episode not in uow.scheme.episode_numbers:
            raise DomainError(f"The scheme has no episode {self.episode}.")
        if self.flag is not None and self.flag not in EPISODE_FLAGS:
            raise DomainError(f"An episode can be flagged {' or '.join(EPISODE_FLAGS)} (got {self.flag!r}).")
        if self.flag is not None and not (self.reason or "").strip():
            raise DomainError(f"Say why episode {self.episode} was {self.flag} (a reason is required).")
        old = uow.boundary(cid, self.episode) or EpisodeBoundary(self.episode)
        reason = self.reason if self.flag is not None else None
        new = dataclasses.replace(old, flag=self.flag, reason=reason)
        if new.onset_ms is None and new.offset_ms is None and new.flag is None:
            uow.delete_boundary(cid, self.episode)
        else:
            uow.put_boundary(cid, new)
        return SetEpisodeFlag(self.coding_id, self.episode, old.flag, old.reason)


# -- events ---------------------------------------------------------------------------

def _check_event(uow: UnitOfWork, cid: CodingId, code: str, onset: int, offset: int | None) -> str:
    try:
        behaviour = uow.scheme.behaviour(code)
    except KeyError:
        codes = ", ".join(b.code for b in uow.scheme.behaviours)
        raise DomainError(f"'{code}' is not a behaviour code of this scheme ({codes}).") from None
    _check_time(uow, cid, onset, f"'{code}' onset")
    _check_time(uow, cid, offset, f"'{code}' offset")
    if behaviour.kind == "point" and offset is not None:
        raise DomainError(f"'{code}' is a point event and has no offset.")
    if offset is not None and offset < onset:
        raise DomainError(f"'{code}' cannot end ({offset / 1000:.3f} s) before it starts ({onset / 1000:.3f} s).")
    return behaviour.kind


#: ``UpdateEvent(view=KEEP_VIEW)``, its default: the edit leaves the event's view as it is. Views are numbered
#: from 1, so 0 can never be a view; an edit that does not mention the view (a drag on the timeline, a note
#: typed in the table) therefore never loses it.
KEEP_VIEW = 0


def _check_view(uow: UnitOfWork, cid: CodingId, view: int | None) -> None:
    """``view`` must be one of the session's camera views; a session filmed by one camera records none."""
    if view is None:
        return
    if isinstance(view, bool) or not isinstance(view, int):
        raise DomainError(f"A view is given by its number (1 = the main view), not {view!r}.")
    session = uow.session(uow.coding(cid).session_id)
    numbers = [v.number for v in uow.session_views(session.id)]
    if len(numbers) < 2:
        raise DomainError(f"Session {session.blinded_code} was filmed by one camera, so its events record no view.")
    if view not in numbers:
        raise DomainError(f"Session {session.blinded_code} has the views {', '.join(map(str, numbers))}; there is "
                          f"no view {view}.")


@command
@dataclass(frozen=True)
class AddEvent(Command):
    """Log an event. ``view``: the camera view it was coded from (1 = main view), or None when not said."""

    coding_id: int
    code: str
    onset_ms: int
    offset_ms: int | None = None
    subject: str | None = None
    note: str | None = None
    event_id: int | None = None
    view: int | None = None
    label: ClassVar[str] = "Add event"

    def describe(self) -> str:
        return f"Add '{self.code}'"

    def apply(self, uow: UnitOfWork) -> Command:
        cid = CodingId(self.coding_id)
        _editable(uow, cid)
        kind = _check_event(uow, cid, self.code, self.onset_ms, self.offset_ms)
        _check_view(uow, cid, self.view)
        ev = Event(EventId(0), self.code, kind, self.onset_ms, self.offset_ms, self.subject, self.note, self.view)
        eid = uow.insert_event(cid, ev, EventId(self.event_id) if self.event_id is not None else None)
        return DeleteEvent(event_id=int(eid))


@command
@dataclass(frozen=True)
class UpdateEvent(Command):
    """Edit an event. ``view``: a view number, None to clear it, or ``KEEP_VIEW`` (the default) to leave it."""

    event_id: int
    code: str
    onset_ms: int
    offset_ms: int | None
    subject: str | None = None
    note: str | None = None
    view: int | None = KEEP_VIEW
    label: ClassVar[str] = "Edit event"

    def coding_id_in(self, uow: UnitOfWork) -> CodingId | None:
        return uow.event_coding(EventId(self.event_id))

    def describe(self) -> str:
        if self.view != KEEP_VIEW:
            return "Change the event's view" if self.view is not None else "Clear the event's view"
        return self.label

    def apply(self, uow: UnitOfWork) -> Command:
        old, cid = _editable_event(uow, self.event_id)
        kind = _check_event(uow, cid, self.code, self.onset_ms, self.offset_ms)
        view = old.view if self.view == KEEP_VIEW else self.view
        if view != old.view:
            _check_view(uow, cid, view)
        uow.update_event(Event(old.id, self.code, kind, self.onset_ms, self.offset_ms, self.subject, self.note, view))
        # The undo names the view only when this edit changed it (so it reads "Edit event", not a view change).
        return UpdateEvent(self.event_id, old.code, old.onset_ms, old.offset_ms, old.subject, old.note,
                           old.view if view != old.view else KEEP_VIEW)


@command
@dataclass(frozen=True)
class DeleteEvent(Command):
    event_id: int
    label: ClassVar[str] = "Delete event"

    def coding_id_in(self, uow: UnitOfWork) -> CodingId | None:
        return uow.event_coding(EventId(self.event_id))

    def apply(self, uow: UnitOfWork) -> Command:
        old, cid = _editable_event(uow, self.event_id)
        uow.delete_event(old.id)
        return AddEvent(int(cid), old.code, old.onset_ms, old.offset_ms, old.subject, old.note, int(old.id), old.view)


# -- scales, classification, D ----------------------------------------------------------

@command
@dataclass(frozen=True)
class SetScale(Command):
    coding_id: int
    scale: str
    episode: int
    partner: str
    value: float | None
    label: ClassVar[str] = "Rate scale"

    def describe(self) -> str:
        return f"Rate {self.scale.upper()} episode {self.episode} ({self.partner})"

    def apply(self, uow: UnitOfWork) -> Command:
        cid = CodingId(self.coding_id)
        _editable(uow, cid)
        try:
            sc = uow.scheme.scale(self.scale)
        except KeyError:
            raise DomainError(f"'{self.scale}' is not a scale of this scheme.") from None
        if not sc.rates(self.episode, self.partner):
            raise DomainError(f"{sc.name} is not rated in episode {self.episode} toward partner '{self.partner}' "
                              "in this scheme.")
        value = None
        if self.value is not None:
            value = _check_number(self.value, sc.min, sc.max, sc.step, f"{sc.name}")
        old = uow.scale_value(cid, self.scale, self.episode, self.partner)
        uow.put_scale(cid, self.scale, self.episode, self.partner, value)
        return SetScale(self.coding_id, self.scale, self.episode, self.partner, old)


@command
@dataclass(frozen=True)
class SetClassification(Command):
    coding_id: int
    classification: str | None
    forced_secondary: str | None = None
    label: ClassVar[str] = "Classify"

    def apply(self, uow: UnitOfWork) -> Command:
        cid = CodingId(self.coding_id)
        _editable(uow, cid)
        scheme = uow.scheme
        if self.classification is not None and self.classification not in scheme.classification_codes:
            raise DomainError(f"'{self.classification}' is not a classification of this scheme "
                              f"({', '.join(scheme.classification_codes)}).")
        if self.forced_secondary is not None:
            if self.classification is None or not scheme.classification(self.classification).requires_forced_secondary:
                raise DomainError("A forced secondary classification goes only with D.")
            if self.forced_secondary not in scheme.forced_secondary:
                raise DomainError(f"The forced secondary must be one of {', '.join(scheme.forced_secondary)}.")
        old = uow.result(cid)
        uow.put_result(cid, dataclasses.replace(old, classification=self.classification,
                                                forced_secondary=self.forced_secondary))
        return SetClassification(self.coding_id, old.classification, old.forced_secondary)


@command
@dataclass(frozen=True)
class SetDRating(Command):
    coding_id: int
    d_rating: float | None
    label: ClassVar[str] = "Rate disorganization"

    def apply(self, uow: UnitOfWork) -> Command:
        cid = CodingId(self.coding_id)
        _editable(uow, cid)
        value = None
        if self.d_rating is not None:
            r = uow.scheme.d_rating
            value = _check_number(self.d_rating, r.min, r.max, r.step, "The D rating")
        old = uow.result(cid)
        uow.put_result(cid, dataclasses.replace(old, d_rating=value))
        return SetDRating(self.coding_id, old.d_rating)


@command
@dataclass(frozen=True)
class SetCodingNote(Command):
    coding_id: int
    note: str | None
    label: ClassVar[str] = "Edit note"

    def apply(self, uow: UnitOfWork) -> Command:
        cid = CodingId(self.coding_id)
        _editable(uow, cid)
        old = uow.result(cid)
        uow.put_result(cid, dataclasses.replace(old, note=self.note or None))
        return SetCodingNote(self.coding_id, old.note)


def _check_group(uow: UnitOfWork, group: str) -> None:
    if group not in uow.scheme.d_groups:
        raise DomainError(f"'{group}' is not a D-index group of this scheme ({', '.join(uow.scheme.d_groups)}).")


@command
@dataclass(frozen=True)
class AddDIndex(Command):
    coding_id: int
    group: str
    time_ms: int
    sub_item: str | None = None
    note: str | None = None
    mark_id: int | None = None
    label: ClassVar[str] = "Add D index"

    def apply(self, uow: UnitOfWork) -> Command:
        cid = CodingId(self.coding_id)
        _editable(uow, cid)
        _check_group(uow, self.group)
        _check_time(uow, cid, self.time_ms, "The D index time")
        mid = uow.insert_d_index(cid, DIndexMark(DIndexId(0), self.group, self.time_ms, self.sub_item, self.note),
                                 DIndexId(self.mark_id) if self.mark_id is not None else None)
        return DeleteDIndex(mark_id=int(mid))


@command
@dataclass(frozen=True)
class UpdateDIndex(Command):
    mark_id: int
    group: str
    time_ms: int
    sub_item: str | None = None
    note: str | None = None
    label: ClassVar[str] = "Edit D index"

    def coding_id_in(self, uow: UnitOfWork) -> CodingId | None:
        return uow.d_index_coding(DIndexId(self.mark_id))

    def apply(self, uow: UnitOfWork) -> Command:
        old, cid = _editable_mark(uow, self.mark_id)
        _check_group(uow, self.group)
        _check_time(uow, cid, self.time_ms, "The D index time")
        uow.update_d_index(DIndexMark(old.id, self.group, self.time_ms, self.sub_item, self.note))
        return UpdateDIndex(self.mark_id, old.group, old.time_ms, old.sub_item, old.note)


@command
@dataclass(frozen=True)
class DeleteDIndex(Command):
    mark_id: int
    label: ClassVar[str] = "Delete D index"

    def coding_id_in(self, uow: UnitOfWork) -> CodingId | None:
        return uow.d_index_coding(DIndexId(self.mark_id))

    def apply(self, uow: UnitOfWork) -> Command:
        old, cid = _editable_mark(uow, self.mark_id)
        uow.delete_d_index(old.id)
        return AddDIndex(int(cid), old.group, old.time_ms, old.sub_item, old.note, int(old.id))
