"""Entities of a trial's coding project, as frozen dataclasses with typed ids.

Times are integer milliseconds from the start of the video: exact, and fine
enough to tell frames apart at any frame rate a camera records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, NewType

ParticipantId = NewType("ParticipantId", int)
SessionId = NewType("SessionId", int)
CoderId = NewType("CoderId", int)
CodingId = NewType("CodingId", int)
EventId = NewType("EventId", int)
DIndexId = NewType("DIndexId", int)

ROLES = ("coder", "coordinator", "trainer")
PURPOSES = ("primary", "reliability", "consensus", "training")
STATUSES = ("draft", "complete")
EPISODE_FLAGS = ("curtailed", "extended")


@dataclass(frozen=True)
class Participant:
    id: ParticipantId
    external_id: str
    arm: str
    site: str | None = None
    age_months: float | None = None
    sex: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Session:
    id: SessionId
    participant_id: ParticipantId
    timepoint: str
    blinded_code: str
    video_path: str | None = None
    video_sha256: str | None = None
    duration_ms: int | None = None
    fps: float | None = None
    frame_count: int | None = None
    date_of_visit: str | None = None
    age_months: float | None = None


@dataclass(frozen=True)
class Coder:
    id: CoderId
    name: str
    role: str


@dataclass(frozen=True)
class Coding:
    id: CodingId
    session_id: SessionId
    coder_id: CoderId
    purpose: str
    status: str = "draft"
    origin: str = "app"
    revision: int = 0
    created_at: str = ""
    updated_at: str = ""

    @property
    def is_complete(self) -> bool:
        return self.status == "complete"


@dataclass(frozen=True)
class EpisodeBoundary:
    episode: int
    onset_ms: int | None = None
    offset_ms: int | None = None
    flag: str | None = None          # curtailed / extended
    reason: str | None = None

    @property
    def duration_ms(self) -> int | None:
        if self.onset_ms is None or self.offset_ms is None:
            return None
        return self.offset_ms - self.onset_ms


@dataclass(frozen=True)
class Event:
    id: EventId
    code: str
    kind: str                        # point / state
    onset_ms: int
    offset_ms: int | None = None     # None: a point event, or a state not yet closed
    subject: str | None = None
    note: str | None = None
    view: int | None = None          # the camera view it was coded from (1 = main view); None: not said

    @property
    def is_open(self) -> bool:
        return self.kind == "state" and self.offset_ms is None

    @property
    def duration_ms(self) -> int:
        if self.offset_ms is None:
            return 0
        return self.offset_ms - self.onset_ms


@dataclass(frozen=True)
class DIndexMark:
    id: DIndexId
    group: str                       # I .. VII
    time_ms: int
    sub_item: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class CodingResult:
    """The coder's judgement: classification, forced secondary (for D), D rating."""

    classification: str | None = None
    forced_secondary: str | None = None
    d_rating: float | None = None
    note: str | None = None


ScaleKey = tuple[str, int, str]      # (scale id, episode, partner)


@dataclass(frozen=True)
class CodingState:
    """Everything one coding holds, read in one go."""

    coding: Coding
    boundaries: Mapping[int, EpisodeBoundary]
    events: tuple[Event, ...]
    scales: Mapping[ScaleKey, float]
    d_indices: tuple[DIndexMark, ...]
    result: CodingResult

    @property
    def open_events(self) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.is_open)
