"""Every change to a project is a command.

A command validates itself against the scheme and the current state, applies
its change through a ``UnitOfWork`` and returns its inverse. The store runs
``apply`` inside one transaction and writes the audit row; undo/redo executes
the inverse; the window refreshes from the returned change. Invalid commands
raise ``DomainError`` with a message a coder can act on, before anything is
written.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, ClassVar

from ssp_coder.domain.completeness import missing_for_completion
from ssp_coder.domain.model import (
    EPISODE_FLAGS, PURPOSES, ROLES, STATUSES, Coder, CoderId, CodingId, CodingResult, DIndexId,
    DIndexMark, EpisodeBoundary, Event, EventId, SessionId,
)
from ssp_coder.domain.ports import UnitOfWork
from ssp_coder.errors import DomainError

COMMANDS: dict[str, type["Command"]] = {}


def command(cls: type["Command"]) -> type["Command"]:
    COMMANDS[cls.__name__] = cls
    return cls


@dataclass(frozen=True)
class Command:
    """Base class. ``label`` is what the Edit menu shows (\"Undo Add event\")."""

    label: ClassVar[str] = "change"

    def apply(self, uow: UnitOfWork) -> "Command":  # pragma: no cover - abstract
        raise NotImplementedError

    def coding_id_in(self, uow: UnitOfWork) -> CodingId | None:
        """The coding this command changes, if any (for the audit log and revisions)."""
        cid = getattr(self, "coding_id", None)
        return CodingId(cid) if cid is not None else None

    def describe(self) -> str:
        return self.label

    def to_dict(self) -> dict[str, Any]:
        data = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, tuple) and v and isinstance(v[0], Command):
                v = [c.to_dict() for c in v]
            data[f.name] = v
        return {"type": type(self).__name__, "args": data}


def command_from_dict(data: dict[str, Any]) -> Command:
    cls = COMMANDS[data["type"]]
    args = dict(data["args"])
    if cls is Batch:
        args["commands"] = tuple(command_from_dict(c) for c in args["commands"])
    return cls(**args)


# -- helpers -------------------------------------------------------------------

def _editable(uow: UnitOfWork, coding_id: CodingId) -> None:
    try:
        coding = uow.coding(coding_id)
    except KeyError:
        raise DomainError(f"There is no coding with id {coding_id} in this project.") from None
    if coding.is_complete:
        raise DomainError("This coding is marked complete. Reopen it before changing it.")


def _editable_event(uow: UnitOfWork, event_id: int) -> tuple[Event, CodingId]:
    """The event as it is now, and its coding, which must be open for changes."""
    try:
        old = uow.event(EventId(event_id))
    except KeyError:
        raise DomainError("That event no longer exists.") from None
    cid = uow.event_coding(old.id)
    _editable(uow, cid)
    return old, cid


def _editable_mark(uow: UnitOfWork, mark_id: int) -> tuple[DIndexMark, CodingId]:
    """The D-index mark as it is now, and its coding, which must be open for changes."""
    try:
        old = uow.d_index(DIndexId(mark_id))
    except KeyError:
        raise DomainError("That D index no longer exists.") from None
    cid = uow.d_index_coding(old.id)
    _editable(uow, cid)
    return old, cid


def _check_time(uow: UnitOfWork, coding_id: CodingId, ms: int | None, what: str) -> None:
    if ms is None:
        return
    if isinstance(ms, bool) or not isinstance(ms, int):
        raise DomainError(f"{what} must be a whole number of milliseconds (got {ms!r}).")
    if ms < 0:
        raise DomainError(f"{what} cannot be before the start of the video.")
    duration = uow.session(uow.coding(coding_id).session_id).duration_ms
    if duration is not None and ms > duration:
        raise DomainError(f"{what} ({ms / 1000:.3f} s) is after the end of the video ({duration / 1000:.3f} s).")


def _check_number(value: float, lo: float, hi: float, step: float, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise DomainError(f"{what} must be a number (got {value!r}).") from None
    if math.isnan(v) or not lo <= v <= hi:
        raise DomainError(f"{what} must be between {lo:g} and {hi:g} (got {v:g}).")
    steps = (v - lo) / step
    if abs(steps - round(steps)) > 1e-9:
        raise DomainError(f"{what} must be in steps of {step:g} (got {v:g}).")
    return v


# -- project-level commands ---------------------------------------------------------

@command
@dataclass(frozen=True)
class AddCoder(Command):
    name: str
    role: str = "coder"
    coder_id: int | None = None
    label: ClassVar[str] = "Add coder"

    def apply(self, uow: UnitOfWork) -> Command:
        name = self.name.strip()
        if not name:
            raise DomainError("A coder needs a name.")
        if self.role not in ROLES:
            raise DomainError(f"Role must be one of {', '.join(ROLES)} (got {self.role!r}).")
        if uow.coder_by_name(name) is not None:
            raise DomainError(f"There is already a coder called {name!r}.")
        cid = uow.insert_coder(name, self.role, CoderId(self.coder_id) if self.coder_id is not None else None)
        return RemoveCoder(coder_id=int(cid))


@command
@dataclass(frozen=True)
class RemoveCoder(Command):
    coder_id: int
    label: ClassVar[str] = "Remove coder"

    def apply(self, uow: UnitOfWork) -> Command:
        coder = uow.coder(CoderId(self.coder_id))
        if uow.coder_has_codings(coder.id):
            raise DomainError(f"{coder.name} has codings in this project and cannot be removed.")
        uow.delete_coder(coder.id)
        return AddCoder(name=coder.name, role=coder.role, coder_id=int(coder.id))


@command
@dataclass(frozen=True)
class SetCoderRole(Command):
    coder_id: int
    role: str
    label: ClassVar[str] = "Change coder role"

    def apply(self, uow: UnitOfWork) -> Command:
        if self.role not in ROLES:
            raise DomainError(f"Role must be one of {', '.join(ROLES)} (got {self.role!r}).")
        coder = uow.coder(CoderId(self.coder_id))
        uow.update_coder(Coder(coder.id, coder.name, self.role))
        return SetCoderRole(coder_id=self.coder_id, role=coder.role)


@command
@dataclass(frozen=True)
class CreateCoding(Command):
    session_id: int
    coder_id: int
    purpose: str = "primary"
    coding_id: int | None = None
    origin: str = "app"
    label: ClassVar[str] = "Assign session"

    def coding_id_in(self, uow: UnitOfWork) -> CodingId | None:
        return None

    def apply(self, uow: UnitOfWork) -> Command:
        if self.purpose not in PURPOSES:
            raise DomainError(f"Purpose must be one of {', '.join(PURPOSES)} (got {self.purpose!r}).")
        session = uow.session(SessionId(self.session_id))
        coder = uow.coder(CoderId(self.coder_id))
        if uow.find_coding(session.id, coder.id, self.purpose) is not None:
            raise DomainError(f"{coder.name} already has a {self.purpose} coding of session {session.blinded_code}.")
        if self.purpose in ("primary", "reliability"):
            for other in uow.codings_of_session(session.id):
                if other.coder_id == coder.id and other.purpose in ("primary", "reliability"):
                    raise DomainError(
                        f"{coder.name} already codes session {session.blinded_code} ({other.purpose}); "
                        "a second, independent coding must come from another coder.")
                if other.purpose == self.purpose == "primary":
                    raise DomainError(f"Session {session.blinded_code} already has a primary coder.")
        if self.purpose == "consensus":
            if any(o.purpose == "consensus" for o in uow.codings_of_session(session.id)):
                raise DomainError(f"Session {session.blinded_code} already has a consensus coding.")
        cid = uow.insert_coding(session.id, coder.id, self.purpose,
                                CodingId(self.coding_id) if self.coding_id is not None else None, self.origin)
        return DeleteCoding(coding_id=int(cid))


@command
@dataclass(frozen=True)
class DeleteCoding(Command):
    """Remove an assignment. Only an empty coding can go; work is never deleted."""

    coding_id: int
    label: ClassVar[str] = "Remove assignment"

    def coding_id_in(self, uow: UnitOfWork) -> CodingId | None:
        return None

    def apply(self, uow: UnitOfWork) -> Command:
        coding = uow.coding(CodingId(self.coding_id))
        if uow.coding_has_content(coding.id):
            raise DomainError("This coding already holds work and cannot be removed.")
        uow.delete_coding(coding.id)
        return CreateCoding(session_id=int(coding.session_id), coder_id=int(coding.coder_id),
                            purpose=coding.purpose, coding_id=int(coding.id), origin=coding.origin)


@command
@dataclass(frozen=True)
class SetSetting(Command):
    key: str
    value: Any
    label: ClassVar[str] = "Change setting"

    def apply(self, uow: UnitOfWork) -> Command:
        old = uow.setting(self.key)
        uow.put_setting(self.key, self.value)
        return SetSetting(key=self.key, value=old)


# -- coding status ------------------------------------------------------------------

@command
@dataclass(frozen=True)
class MarkComplete(Command):
    coding_id: int
    label: ClassVar[str] = "Mark complete"

    def apply(self, uow: UnitOfWork) -> Command:
        coding = uow.coding(CodingId(self.coding_id))
        if coding.is_complete:
            raise DomainError("This coding is already complete.")
        missing = missing_for_completion(uow.coding_state(coding.id), uow.scheme)
        if missing:
            raise DomainError("The coding cannot be marked complete yet:\n- " + "\n- ".join(missing))
        uow.set_coding_status(coding.id, "complete")
        return Reopen(coding_id=self.coding_id)


@command
@dataclass(frozen=True)
class Reopen(Command):
    coding_id: int
    reason: str = ""
    label: ClassVar[str] = "Reopen coding"

    def apply(self, uow: UnitOfWork) -> Command:
        coding = uow.coding(CodingId(self.coding_id))
        if not coding.is_complete:
            raise DomainError("This coding is not complete, so there is nothing to reopen.")
        uow.set_coding_status(coding.id, "draft")
        return MarkComplete(coding_id=self.coding_id)


@command
@dataclass(frozen=True)
class SetStatus(Command):
    """Set the status without the completeness check (imports of legacy sheets)."""

    coding_id: int
    status: str
    label: ClassVar[str] = "Set status"

    def apply(self, uow: UnitOfWork) -> Command:
        if self.status not in STATUSES:
            raise DomainError(f"Status must be one of {', '.join(STATUSES)}.")
        coding = uow.coding(CodingId(self.coding_id))
        uow.set_coding_status(coding.id, self.status)
        return SetStatus(coding_id=self.coding_id, status=coding.status)


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


@command
@dataclass(frozen=True)
class AddEvent(Command):
    coding_id: int
    code: str
    onset_ms: int
    offset_ms: int | None = None
    subject: str | None = None
    note: str | None = None
    event_id: int | None = None
    label: ClassVar[str] = "Add event"

    def describe(self) -> str:
        return f"Add '{self.code}'"

    def apply(self, uow: UnitOfWork) -> Command:
        cid = CodingId(self.coding_id)
        _editable(uow, cid)
        kind = _check_event(uow, cid, self.code, self.onset_ms, self.offset_ms)
        ev = Event(EventId(0), self.code, kind, self.onset_ms, self.offset_ms, self.subject, self.note)
        eid = uow.insert_event(cid, ev, EventId(self.event_id) if self.event_id is not None else None)
        return DeleteEvent(event_id=int(eid))


@command
@dataclass(frozen=True)
class UpdateEvent(Command):
    event_id: int
    code: str
    onset_ms: int
    offset_ms: int | None
    subject: str | None = None
    note: str | None = None
    label: ClassVar[str] = "Edit event"

    def coding_id_in(self, uow: UnitOfWork) -> CodingId | None:
        return uow.event_coding(EventId(self.event_id))

    def apply(self, uow: UnitOfWork) -> Command:
        old, cid = _editable_event(uow, self.event_id)
        kind = _check_event(uow, cid, self.code, self.onset_ms, self.offset_ms)
        uow.update_event(Event(old.id, self.code, kind, self.onset_ms, self.offset_ms, self.subject, self.note))
        return UpdateEvent(self.event_id, old.code, old.onset_ms, old.offset_ms, old.subject, old.note)


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
        return AddEvent(int(cid), old.code, old.onset_ms, old.offset_ms, old.subject, old.note, int(old.id))


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


@command
@dataclass(frozen=True)
class Batch(Command):
    """Several commands as one undoable step (e.g. moving a shared episode boundary)."""

    name: str
    commands: tuple[Command, ...]
    label: ClassVar[str] = "change"

    def describe(self) -> str:
        return self.name

    def coding_id_in(self, uow: UnitOfWork) -> CodingId | None:
        for c in self.commands:
            cid = c.coding_id_in(uow)
            if cid is not None:
                return cid
        return None

    def apply(self, uow: UnitOfWork) -> Command:
        inverses = [c.apply(uow) for c in self.commands]
        return Batch(name=self.name, commands=tuple(reversed(inverses)))
