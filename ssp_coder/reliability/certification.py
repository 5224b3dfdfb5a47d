"""Certifying a new coder against expert-coded (gold-standard) sessions.

A trainer marks sessions as gold standards, naming the expert coding of each.
A trainee codes those sessions with purpose "training"; the certification
report compares each complete training coding with the gold coding on the
four-way ABCD classification and on D / not D, with Wilson intervals and
Cohen's kappa where it is defined. The pass mark is the setting
``certification_pass`` (default 0.80, a convention of the certification
institutes rather than a published rule); agreement exactly at the mark passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from ssp_coder.errors import DomainError
from ssp_coder.reliability import measures
from ssp_coder.reliability.settings import effective_settings
from ssp_coder.reliability.variables import variable_table
from ssp_coder.store import reliability_sql as sql

CRITERIA = (("abcd", "ABCD classification"), ("disorganized", "D / not D"))
PURPOSE_PREFERENCE = ("consensus", "primary", "reliability", "training")
SESSION_COLUMNS = ["blinded_code", "gold_coding", "trainee_coding", "gold_classification",
                   "trainee_classification", "gold_abcd", "trainee_abcd", "abcd_agree", "gold_d", "trainee_d",
                   "d_agree", "gold_d_rating", "trainee_d_rating"]
CRITERIA_COLUMNS = ["criterion", "variable", "n", "n_agree", "agreement", "ci_low", "ci_high", "kappa",
                    "kappa_ci_low", "kappa_ci_high", "required", "passed"]


@dataclass(frozen=True)
class CertificationReport:
    """``criteria``: one row per criterion; ``sessions``: one row per gold session the trainee coded;
    ``not_coded``: gold sessions without a complete training coding by the trainee."""

    project: str
    trainee: str
    generated_at: str
    pass_share: float
    criteria: pd.DataFrame
    sessions: pd.DataFrame
    not_coded: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(len(self.criteria)) and bool(self.criteria["passed"].all()) and int(self.criteria["n"].min()) > 0

    def to_json(self) -> dict[str, Any]:
        from ssp_coder.reliability.report import _records

        return {"project": self.project, "trainee": self.trainee, "generated_at": self.generated_at,
                "pass_share": self.pass_share, "passed": self.passed, "criteria": _records(self.criteria),
                "sessions": _records(self.sessions), "not_coded": list(self.not_coded), "settings": self.settings}


def coding_of(project: Any, session_code: str, coder: str) -> int:
    """The coder's coding of a session (consensus first, then primary, reliability, training)."""
    s = project.session_by_code(session_code)
    who = project.coder(coder)
    mine = project.codings(session_id=int(s.id), coder_id=int(who.id))
    if not mine:
        raise DomainError(f"{who.name} has no coding of session {s.blinded_code}.")
    mine.sort(key=lambda c: PURPOSE_PREFERENCE.index(c.purpose))
    return int(mine[0].id)


def mark_gold(project: Any, session_code: str, coding_id: int, trainer: str) -> sql.GoldStandard:
    """Make ``coding_id`` the gold standard of the session (replacing an earlier one); audited."""
    who = project.coder(trainer)
    if who.role != "trainer":
        raise DomainError(f"Only a trainer can mark gold standards; {who.name} is a {who.role}. "
                          "Change the role with the coders' settings first.")
    s = project.session_by_code(session_code)
    c = project.coding(int(coding_id))
    if int(c.session_id) != int(s.id):
        raise DomainError(f"Coding {coding_id} is not a coding of session {s.blinded_code}.")
    if not c.is_complete:
        raise DomainError(f"Coding {coding_id} of session {s.blinded_code} is not complete; only a complete "
                          "coding can be a gold standard.")
    with project.bulk(actor=who.name) as bulk:
        old = sql.put_gold(bulk.conn, int(s.id), int(c.id), who.name)
        bulk.audit("MarkGoldStandard", {"session": s.blinded_code, "coding_id": int(c.id), "trainer": who.name,
                                        "replaces": old.coding_id if old else None}, coding_id=int(c.id))
    return next(g for g in sql.gold_standards(project) if g.session_id == int(s.id))


def unmark_gold(project: Any, session_code: str, trainer: str) -> None:
    who = project.coder(trainer)
    if who.role != "trainer":
        raise DomainError(f"Only a trainer can remove gold standards; {who.name} is a {who.role}.")
    s = project.session_by_code(session_code)
    with project.bulk(actor=who.name) as bulk:
        if not sql.delete_gold(bulk.conn, int(s.id)):
            raise DomainError(f"Session {s.blinded_code} is not a gold standard.")
        bulk.audit("UnmarkGoldStandard", {"session": s.blinded_code, "trainer": who.name})


def certification_report(project: Any, trainee: str, *, pass_share: float | None = None,
                         confidence: float = 0.95) -> CertificationReport:
    who = project.coder(trainee)
    settings = effective_settings(project)
    if pass_share is None:
        pass_share = settings.get("certification_pass")
    share = float(0.8 if pass_share is None else pass_share)   # an unset setting falls back to the default
    if not 0 < share <= 1:
        raise DomainError(f"The pass mark must be a share between 0 and 1 (got {share:g}).")
    gold = sql.gold_standards(project)
    if not gold:
        raise DomainError("No session is marked as a gold standard yet (ssp-coder irr gold PROJECT CODE "
                          "--coding-of EXPERT --trainer NAME).")
    training = {int(c.session_id): c for c in project.codings(coder_id=int(who.id), purpose="training")
                if c.is_complete}
    matched = [(g, training[g.session_id]) for g in gold if g.session_id in training]
    not_coded = tuple(g.blinded_code for g in gold if g.session_id not in training)
    ids = [g.coding_id for g, _ in matched] + [int(t.id) for _, t in matched]
    table = variable_table(project, ids)
    rows = []
    for g, t in matched:
        a, b = table.loc[g.coding_id], table.loc[int(t.id)]
        rows.append({"blinded_code": g.blinded_code, "gold_coding": g.coding_id, "trainee_coding": int(t.id),
                     "gold_classification": a["abcd_subgroup"], "trainee_classification": b["abcd_subgroup"],
                     "gold_abcd": a["abcd"], "trainee_abcd": b["abcd"],
                     "abcd_agree": _agree(a["abcd"], b["abcd"]),
                     "gold_d": _dnd(a["disorganized"]), "trainee_d": _dnd(b["disorganized"]),
                     "d_agree": _agree(a["disorganized"], b["disorganized"]),
                     "gold_d_rating": a["d_rating"], "trainee_d_rating": b["d_rating"]})
    sessions = pd.DataFrame(rows, columns=SESSION_COLUMNS)
    crit = []
    for var, label in CRITERIA:
        m = measures.categorical(var, [table.loc[g.coding_id][var] for g, _ in matched],
                                 [table.loc[int(t.id)][var] for _, t in matched], confidence=confidence)
        agreement = m["percent_agreement"]
        crit.append({"criterion": label, "variable": var, "n": m["n"], "n_agree": m["n_agree"],
                     "agreement": agreement, "ci_low": m["pa_ci_low"], "ci_high": m["pa_ci_high"],
                     "kappa": m["kappa"], "kappa_ci_low": m["kappa_ci_low"], "kappa_ci_high": m["kappa_ci_high"],
                     "required": share,
                     # a tiny tolerance so that 8 of 10 passes an 80 % mark despite binary fractions
                     "passed": bool(m["n"] > 0 and agreement >= share - 1e-9)})
    used = {"certification_pass": share, "cc_handling": settings.get("cc_handling"),
            "unclassifiable_handling": settings.get("unclassifiable_handling"), "confidence": confidence,
            "gold_sessions": len(gold)}
    return CertificationReport(project.name, who.name, datetime.now(timezone.utc).isoformat(timespec="seconds"),
                               share, pd.DataFrame(crit, columns=CRITERIA_COLUMNS), sessions, not_coded, used)


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _agree(a: Any, b: Any) -> bool | None:
    return None if _missing(a) or _missing(b) else bool(a == b)


def _dnd(v: Any) -> str | None:
    return None if _missing(v) else ("D" if int(v) == 1 else "not D")
