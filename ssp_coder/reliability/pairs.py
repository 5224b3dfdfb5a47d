"""Reliability pairs: a session's primary coding and a blind reliability coding of it.

A pair counts when both codings are complete; a pair with a draft on either
side is *pending* (listed, not analysed), so that half-finished work never
enters a kappa.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ssp_coder.store import reliability_sql as sql


@dataclass(frozen=True)
class CodingPair:
    session_id: int
    blinded_code: str
    arm: str
    timepoint: str
    primary_id: int
    reliability_id: int
    primary_coder: str
    reliability_coder: str
    completed_at: str          # when the reliability coder marked it complete (orders the drift view)

    @property
    def pair(self) -> str:
        """The coder pair, independent of who was primary: "Ann & Bob"."""
        return " & ".join(sorted((self.primary_coder, self.reliability_coder), key=str.lower))


PENDING_COLUMNS = ["blinded_code", "primary_coder", "primary_status", "reliability_coder", "reliability_status"]


def find_pairs(project: Any, rows: list[sql.CodingRow] | None = None) -> tuple[list[CodingPair], pd.DataFrame]:
    """(complete pairs ordered by session code, pending pairs as a DataFrame)."""
    rows = sql.coding_rows(project) if rows is None else rows
    by_session: dict[int, list[sql.CodingRow]] = defaultdict(list)
    for r in rows:
        by_session[r.session_id].append(r)
    pairs: list[CodingPair] = []
    pending: list[dict[str, Any]] = []
    for sid, rs in by_session.items():
        prim = [r for r in rs if r.purpose == "primary"]
        rel = [r for r in rs if r.purpose == "reliability"]
        for rr in rel:
            p = prim[0] if prim else None
            if p is not None and p.status == "complete" and rr.status == "complete":
                pairs.append(CodingPair(sid, p.blinded_code, p.arm, p.timepoint, p.coding_id, rr.coding_id,
                                        p.coder, rr.coder, rr.completed_at or rr.updated_at))
            else:
                pending.append({"blinded_code": rr.blinded_code, "primary_coder": p.coder if p else None,
                                "primary_status": p.status if p else "no primary coding",
                                "reliability_coder": rr.coder, "reliability_status": rr.status})
    pairs.sort(key=lambda x: (x.blinded_code, x.reliability_coder))
    frame = pd.DataFrame(pending, columns=PENDING_COLUMNS).sort_values("blinded_code", ignore_index=True)
    return pairs, frame
