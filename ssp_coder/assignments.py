"""Who codes which session: assignment of sessions to coders."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ssp_coder.domain.commands import CreateCoding
from ssp_coder.domain.model import Coder, Session
from ssp_coder.errors import DomainError, KnownError
from ssp_coder.store.project import Project


@dataclass(frozen=True)
class Assignment:
    session: Session
    coder: Coder
    purpose: str
    coding_id: int


def _unassigned(project: Project, purpose: str) -> list[Session]:
    """Sessions that still need a coding of this purpose."""
    by_session: dict[int, list] = {}
    for c in project.codings():
        by_session.setdefault(int(c.session_id), []).append(c)
    out = []
    for s in project.sessions():
        codings = by_session.get(int(s.id), [])
        if purpose == "primary" and not any(c.purpose == "primary" for c in codings):
            out.append(s)
        elif purpose == "reliability" and any(c.purpose == "primary" for c in codings) and not any(
                c.purpose == "reliability" for c in codings):
            out.append(s)
        elif purpose == "training":
            out.append(s)
    return out


def assign(project: Project, coder_names: list[str], *, session_codes: list[str] | None = None,
           purpose: str = "primary", seed: int | None = None, actor: str | None = None) -> list[Assignment]:
    """Assign sessions to coders, all or nothing.

    With ``session_codes``, every named session goes to every named coder.
    Without, the sessions that still need a coding of this purpose are spread
    evenly (in a seeded random order) over the coders; a coder never gets a
    session they already code.
    """
    if not coder_names:
        raise KnownError("Name at least one coder (--coder NAME).")
    coders = [project.coder(n) for n in coder_names]
    commands: list[CreateCoding] = []
    pairs: list[tuple[Session, Coder]] = []
    if session_codes:
        sessions = [project.session_by_code(code) for code in session_codes]
        pairs = [(s, c) for s in sessions for c in coders]
    else:
        todo = _unassigned(project, purpose)
        rng = random.Random(seed)
        rng.shuffle(todo)
        load = {c.id: len(project.codings(coder_id=int(c.id), purpose=purpose)) for c in coders}
        existing = {(int(c.session_id), int(c.coder_id)) for c in project.codings()
                    if c.purpose in ("primary", "reliability")}
        for s in todo:
            candidates = [c for c in coders if (int(s.id), int(c.id)) not in existing]
            if not candidates:
                continue
            pick = min(candidates, key=lambda c: (load[c.id], coders.index(c)))
            load[pick.id] += 1
            pairs.append((s, pick))
    commands = [CreateCoding(session_id=int(s.id), coder_id=int(c.id), purpose=purpose) for s, c in pairs]
    if not commands:
        return []
    try:
        applied = project.execute_many(commands, actor=actor)
    except DomainError as exc:
        raise DomainError(f"{exc} Nothing was assigned.") from None
    return [Assignment(s, c, purpose, int(a.inverse.coding_id)) for (s, c), a in zip(pairs, applied)]
