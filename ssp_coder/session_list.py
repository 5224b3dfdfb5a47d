"""The coordinator's session list: which blinded code is which session, who codes it, how far it is.

Every reliability and package command takes blinded codes; this list maps
them to participant, timepoint, arm and site, with each assigned coder's
purpose and progress and the session's consensus state. A list made for a
person with the role *coder* holds the blinded columns only (code, their
own purpose and progress): it is the list a coder may be given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import pandas as pd

from ssp_coder.domain.model import Coder, Coding
from ssp_coder.reliability.blinding import SUPERVISOR_ROLES

# Progress of one coding: only assigned (nothing entered), something entered, or marked complete.
ASSIGNED, IN_PROGRESS, COMPLETE = "assigned", "in progress", "complete"
UNASSIGNED = "unassigned"
STATUSES = (UNASSIGNED, ASSIGNED, IN_PROGRESS, COMPLETE)
# Consensus state of a session.
CONSENSUS_NONE, CONSENSUS_NEEDED, CONSENSUS_DRAFT, CONSENSUS_DONE = "", "needed", "draft", "complete"

FULL_COLUMNS = ["blinded_code", "participant_id", "timepoint", "arm", "site", "status", "coders", "consensus"]
BLINDED_COLUMNS = ["blinded_code", "purpose", "status"]


def coding_progress(coding: Coding) -> str:
    if coding.is_complete:
        return COMPLETE
    return IN_PROGRESS if int(coding.revision) > 0 else ASSIGNED


@dataclass(frozen=True)
class SessionList:
    """``rows``: one dict per session (full) or per coding of the person (blinded); ``blinded`` says which."""

    rows: list[dict[str, Any]]
    blinded: bool
    for_coder: str | None

    @property
    def columns(self) -> list[str]:
        return BLINDED_COLUMNS if self.blinded else FULL_COLUMNS

    def to_frame(self) -> pd.DataFrame:
        """For files: the assigned codings as one text column ("Ann: primary, complete; Bob: ...")."""
        out = []
        for r in self.rows:
            row = dict(r)
            if not self.blinded:
                row["coders"] = "; ".join(f"{c['coder']}: {c['purpose']}, {c['status']}" for c in r["coders"])
            out.append(row)
        return pd.DataFrame(out, columns=self.columns)


def _classification(project: Any, coding_id: int) -> tuple[str | None, str | None]:
    r = project.coding_state(coding_id).result
    return r.classification, r.forced_secondary


def _consensus_state(project: Any, codings: list[Coding]) -> str:
    consensus = [c for c in codings if c.purpose == "consensus"]
    if consensus:
        return CONSENSUS_DONE if any(c.is_complete for c in consensus) else CONSENSUS_DRAFT
    primary = [c for c in codings if c.purpose == "primary" and c.is_complete]
    second = [c for c in codings if c.purpose == "reliability" and c.is_complete]
    if primary and second and any(_classification(project, int(primary[0].id))
                                  != _classification(project, int(s.id)) for s in second):
        return CONSENSUS_NEEDED   # the two complete codings classify differently
    return CONSENSUS_NONE


def _session_status(codings: list[Coding]) -> str:
    final = [c for c in codings if c.purpose in ("consensus", "primary")]
    if any(c.is_complete for c in final):
        return COMPLETE
    if not codings:
        return UNASSIGNED
    return IN_PROGRESS if any(coding_progress(c) != ASSIGNED for c in codings) else ASSIGNED


def session_list(project: Any, *, coder: str | None = None, statuses: Sequence[str] = (),
                 blinded: bool | None = None) -> SessionList:
    """The session list, optionally only the sessions ``coder`` is assigned to.

    ``statuses`` keeps rows whose status is one of them (for a coder's list, the status of their own
    coding). ``blinded``: None means blinded exactly when ``coder`` has the role coder.
    """
    who: Coder | None = project.coder(coder) if coder else None
    if blinded is None:
        blinded = who is not None and who.role not in SUPERVISOR_ROLES
    unknown = sorted(set(statuses) - set(STATUSES))
    if unknown:
        raise ValueError(f"unknown status {', '.join(unknown)}; use {', '.join(STATUSES)}")
    names = {int(c.id): c.name for c in project.coders()}
    participants = {int(p.id): p for p in project.participants()}
    by_session: dict[int, list[Coding]] = {}
    for c in project.codings():
        by_session.setdefault(int(c.session_id), []).append(c)
    rows: list[dict[str, Any]] = []
    for s in sorted(project.sessions(), key=lambda x: x.blinded_code):
        codings = by_session.get(int(s.id), [])
        mine = [c for c in codings if who is not None and int(c.coder_id) == int(who.id)]
        if who is not None and not mine:
            continue
        if blinded:
            for c in mine:
                row = {"blinded_code": s.blinded_code, "purpose": c.purpose, "status": coding_progress(c)}
                if not statuses or row["status"] in statuses:
                    rows.append(row)
            continue
        status = coding_progress(mine[0]) if mine and len(mine) == 1 else _session_status(codings)
        if statuses and status not in statuses:
            continue
        p = participants[int(s.participant_id)]
        rows.append({
            "blinded_code": s.blinded_code, "participant_id": p.external_id, "timepoint": s.timepoint,
            "arm": p.arm, "site": p.site or "", "status": status,
            "coders": [{"coder": names.get(int(c.coder_id), "?"), "purpose": c.purpose, "status": coding_progress(c)}
                       for c in sorted(codings, key=lambda c: ("primary", "reliability", "consensus",
                                                                  "training").index(c.purpose))],
            "consensus": _consensus_state(project, codings),
        })
    return SessionList(rows, blinded, who.name if who else None)
