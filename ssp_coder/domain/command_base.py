"""Command machinery: the base class, the registry, Batch, and the checks commands share."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, ClassVar

from ssp_coder.domain.model import CodingId, DIndexId, DIndexMark, Event, EventId
from ssp_coder.domain.ports import UnitOfWork
from ssp_coder.domain.times import MAX_STORABLE_MS, seconds_text
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
        for name in _field_names(type(self)):
            v = getattr(self, name)
            if isinstance(v, tuple) and v and isinstance(v[0], Command):
                v = [c.to_dict() for c in v]
            data[name] = v
        return {"type": type(self).__name__, "args": data}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """A command class's field names, looked up once: ``dataclasses.fields`` cost more than the audit row's JSON
    when an import writes a hundred thousand events."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


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
    if (duration is not None and ms > duration) or ms > MAX_STORABLE_MS:
        end = f" ({seconds_text(duration)} s)" if duration is not None else ""
        raise DomainError(f"{what} ({seconds_text(ms)} s) is after the end of the video{end}.")


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
