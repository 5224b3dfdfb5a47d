"""The blinding rule: a coder never sees another coder's coding of the same session.

The window, packages and reports ask ``visible_codings`` which codings a
person may open. Coders see only their own codings (so a reliability coder
cannot peek at the primary coding); coordinators and trainers, who run
reliability and consensus, see all.
"""

from __future__ import annotations

from typing import Any

from ssp_coder.domain.model import Coder, Coding

SUPERVISOR_ROLES = ("coordinator", "trainer")


def _as_coder(project: Any, coder: Coder | str) -> Coder:
    return coder if isinstance(coder, Coder) else project.coder(coder)


def visible_codings(project: Any, coder: Coder | str) -> list[Coding]:
    """The codings ``coder`` may see, in id order."""
    who = _as_coder(project, coder)
    if who.role in SUPERVISOR_ROLES:
        return project.codings()
    return project.codings(coder_id=int(who.id))


def may_see(project: Any, coder: Coder | str, coding: Coding) -> bool:
    who = _as_coder(project, coder)
    return who.role in SUPERVISOR_ROLES or int(coding.coder_id) == int(who.id)
