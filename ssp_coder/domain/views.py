"""Several camera views of one session, and the offsets that put them on one clock.

Many SSP rooms are filmed by two cameras (the infant's face, the whole room).
View 1 is the *main view*: its clock is the session's clock, the one every
event, boundary and D index is logged on. Every other view has an offset:
a moment at main-view time ``t`` is at ``t + offset_ms`` in that view's video.
So an offset of +2000 means the second camera was started two seconds before
the main one (the clap is two seconds later on its own clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ssp_coder.domain.command_base import Command, command
from ssp_coder.domain.model import CodingId, SessionId
from ssp_coder.domain.ports import UnitOfWork
from ssp_coder.domain.times import MAX_STORABLE_MS, seconds_text
from ssp_coder.errors import DomainError

MAIN_VIEW = 1


@dataclass(frozen=True)
class SessionView:
    """One camera's video of a session. ``number`` 1 is the main view (offset always 0)."""

    session_id: SessionId
    number: int
    name: str | None = None
    video_path: str | None = None
    video_sha256: str | None = None
    duration_ms: int | None = None
    fps: float | None = None
    frame_count: int | None = None
    offset_ms: int = 0

    @property
    def label(self) -> str:
        """What the window calls the view: its roster name, else "View N"."""
        return self.name or f"View {self.number}"

    @property
    def is_main(self) -> bool:
        return self.number == MAIN_VIEW

    def view_time(self, main_ms: int) -> int:
        """The time in this view's video that shows the moment at ``main_ms`` on the main view."""
        return int(main_ms) + self.offset_ms

    def main_time(self, view_ms: int) -> int:
        return int(view_ms) - self.offset_ms


def offset_from_marks(main_mark_ms: int, view_mark_ms: int) -> int:
    """The offset that makes a moment marked in both views (a clap, a door opening) coincide."""
    return int(view_mark_ms) - int(main_mark_ms)


def offset_text(ms: int) -> str:
    """'+1.240 s (this view's camera started 1.240 s before the main one)' for people who set offsets."""
    if ms == 0:
        return "0.000 s (in step with the main view)"
    when = "before" if ms > 0 else "after"
    return f"{'+' if ms > 0 else '-'}{seconds_text(abs(ms))} s (this camera started {seconds_text(abs(ms))} s {when} " \
           "the main one)"


@command
@dataclass(frozen=True)
class SetViewOffset(Command):
    """Put a view on the main view's clock. Audited and undoable like any coding change."""

    session_id: int
    view: int
    offset_ms: int
    label: ClassVar[str] = "Set view offset"

    def coding_id_in(self, uow: UnitOfWork) -> CodingId | None:
        return None     # a property of the session's recordings, shared by every coding of it

    def apply(self, uow: UnitOfWork) -> Command:
        if isinstance(self.offset_ms, bool) or not isinstance(self.offset_ms, int):
            raise DomainError(f"A view's offset must be a whole number of milliseconds (got {self.offset_ms!r}).")
        if self.view == MAIN_VIEW:
            raise DomainError("The main view (view 1) is the clock the other views are set against; its offset "
                              "is always 0. Set the offset of the other view instead.")
        session = uow.session(SessionId(self.session_id))
        try:
            view = uow.session_view(session.id, self.view)
        except KeyError:
            raise DomainError(f"Session {session.blinded_code} has no view {self.view}.") from None
        main_ms = session.duration_ms if session.duration_ms is not None else MAX_STORABLE_MS
        view_ms = view.duration_ms if view.duration_ms is not None else MAX_STORABLE_MS
        # view time = main time + offset: the two videos share some moment only if -main < offset < view.
        if not -main_ms < self.offset_ms < view_ms:
            raise DomainError(f"An offset of {seconds_text(self.offset_ms)} s leaves no moment filmed by both "
                              f"{view.label} and the main view (the videos last {seconds_text(view_ms)} s and "
                              f"{seconds_text(main_ms)} s). Check the sign and the units (seconds).")
        uow.set_view_offset(session.id, self.view, self.offset_ms)
        return SetViewOffset(session_id=self.session_id, view=self.view, offset_ms=view.offset_ms)
