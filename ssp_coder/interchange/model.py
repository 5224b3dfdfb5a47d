"""What a coding file from another tool holds, before it meets the project.

Every reader (BORIS, ELAN, Datavyu, The Observer) turns its file into the
same shape: observations, each with its media files, an optional coder hint
and a list of marks. A mark is a point, a START, a STOP, a BORIS-style toggle
(the same state code pressed again stops it) or a finished interval. The
mapping and pairing that follow are the same for every tool.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ssp_coder.errors import Problem

TOOLS = ("boris", "elan", "datavyu", "observer")
TOOL_NAMES = {"boris": "BORIS", "elan": "ELAN", "datavyu": "Datavyu", "observer": "The Observer XT"}
MARKS = ("point", "start", "stop", "toggle", "interval")


def clock(ms: int | None) -> str:
    """A time as researchers read it off a player: 0:07:48.500 (468.5 s)."""
    if ms is None:
        return "?"
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{sign}{h}:{m:02d}:{s:02d}.{milli:03d} ({sign}{ms / 1000:g} s)"


class CodingProblem(Problem):
    """A problem in a coding file, located by observation, tier (or column) and time instead of sheet/row."""

    __slots__ = ("observation", "tier", "time_ms", "line")

    def __init__(self, message: str, *, observation: str | None = None, tier: str | None = None,
                 time_ms: int | None = None, line: int | None = None):
        super().__init__(message)
        self.observation = observation
        self.tier = tier
        self.time_ms = time_ms
        self.line = line

    def location(self) -> str:
        parts = []
        if self.observation:
            parts.append(f"observation {self.observation!r}")
        if self.tier:
            parts.append(f"tier {self.tier!r}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.time_ms is not None:
            parts.append(f"at {clock(self.time_ms)}")
        return ", ".join(parts)

    def as_dict(self) -> dict:
        return {"observation": self.observation, "tier": self.tier, "time_ms": self.time_ms, "line": self.line,
                "message": self.message}


@dataclass(frozen=True)
class Mark:
    """One coded thing as the file has it (times in ms on the video's clock)."""

    codes: tuple[str, ...]           # names to look up in the map, most specific first
    mark: str                        # one of MARKS
    onset_ms: int
    offset_ms: int | None = None     # intervals only
    tier: str | None = None          # tier, column or behaviour group it came from
    subject: str | None = None       # BORIS / Observer subject; ELAN annotator
    modifier: str = ""               # states pair within the same subject, code and modifier
    note: str | None = None
    line: int | None = None          # line of the file (event logs)

    @property
    def code(self) -> str:
        return self.codes[0]


@dataclass
class Observation:
    """One coded video in the file: a BORIS observation, an ELAN or Datavyu file, an Observer observation."""

    id: str
    media: tuple[str, ...] = ()      # the video as the file names it (ELAN keeps an absolute and a relative path)
    base_dir: str | None = None      # folder relative media paths start from
    coder: str | None = None         # who coded it, if the file says
    marks: list[Mark] = field(default_factory=list)


@dataclass
class CodingsFile:
    path: str
    tool: str
    observations: list[Observation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    state_codes: frozenset[str] = frozenset()   # codes the file itself declares as states (BORIS ethogram)
    point_codes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ExportEvent:
    code: str
    onset_ms: int
    offset_ms: int | None
    is_state: bool
    note: str | None = None


@dataclass(frozen=True)
class ExportCoding:
    """One coding to write out: blinded session code, the coder's name, episodes and events."""

    session_code: str
    coder: str
    purpose: str
    media: str | None                # media path as it should appear in the file (relative or blinded)
    duration_ms: int | None
    fps: float | None
    boundaries: tuple[tuple[int, int, int], ...]     # (episode, onset, offset)
    events: tuple[ExportEvent, ...]
    media_url: str | None = None     # the video's absolute file URL (ELAN wants one); None when blinded


@dataclass(frozen=True)
class Ethogram:
    """The scheme's behaviours as the other tool should list them."""

    behaviours: tuple[tuple[str, str, bool], ...]    # (code, description, is_state)
    episodes: tuple[int, ...]

    @staticmethod
    def episode_code(number: int) -> str:
        return f"episode {number}"
