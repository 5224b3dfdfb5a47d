"""Commands on the project: coders, assignments, settings, and a coding's status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ssp_coder.domain.command_base import Command, command
from ssp_coder.domain.completeness import missing_for_completion
from ssp_coder.domain.model import (
    PURPOSES,
    ROLES,
    STATUSES,
    Coder,
    CoderId,
    CodingId,
    SessionId,
)
from ssp_coder.domain.ports import UnitOfWork
from ssp_coder.errors import DomainError

# -- project-level commands ---------------------------------------------------------

def _check_role(role: str) -> None:
    if role not in ROLES:
        raise DomainError(f"Role must be one of {', '.join(ROLES)} (got {role!r}).")


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
        bad = sorted({f"U+{ord(ch):04X}" for ch in name if ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F})
        if bad:  # the name appears in every report and export; an invisible character there cannot be retyped
            raise DomainError(f"The coder name {name!r} holds the control character(s) {', '.join(bad)}; "
                              "type the name again.")
        _check_role(self.role)
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
        _check_role(self.role)
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
