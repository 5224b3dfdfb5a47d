"""Which sessions are coded blind a second time, and by whom.

The draw is stratified by arm x timepoint so that reliability is estimated on
the same mix of sessions the trial analyses. Allocation is proportional with
largest-remainder (Hamilton) rounding:

1. N = sessions with a primary coding; the target is T = share x N rounded
   half up.
2. Stratum s gets floor(share x N_s); the T - sum(floors) sessions still to
   place go one each to the strata with the largest fractional parts
   (ties: the stratum that sorts first by arm, then timepoint).
3. Sessions already double-coded are kept and count toward their stratum's
   quota; only the shortfall is drawn, at random (seeded) among the
   stratum's other sessions. A stratum already over its quota keeps all.

Each drawn session goes to the least-loaded eligible coder (load = their
reliability codings, existing and planned), never the session's primary
coder nor anyone already coding it; ties are broken by the seeded random
generator. The same seed on the same project state gives the same plan.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Sequence

import pandas as pd

from ssp_coder.domain.commands import CreateCoding
from ssp_coder.errors import DomainError, KnownError
from ssp_coder.reliability.settings import effective_settings
from ssp_coder.store import reliability_sql as sql


@dataclass(frozen=True)
class PlannedCoding:
    session_id: int
    blinded_code: str
    arm: str
    timepoint: str
    primary_coder: str
    reliability_coder: str


@dataclass(frozen=True)
class DoubleCodingPlan:
    """A proposed set of reliability codings. ``kept``: sessions already double-coded."""

    share: float
    seed: int | None
    coders: tuple[str, ...]
    eligible: int
    target: int
    planned: tuple[PlannedCoding, ...]
    kept: tuple[str, ...]
    unassignable: tuple[str, ...]
    strata: pd.DataFrame = field(repr=False)

    @property
    def total(self) -> int:
        return len(self.planned) + len(self.kept)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([p.__dict__ for p in self.planned],
                            columns=["session_id", "blinded_code", "arm", "timepoint", "primary_coder",
                                     "reliability_coder"])

    def load(self) -> dict[str, int]:
        out = {c: 0 for c in self.coders}
        for p in self.planned:
            out[p.reliability_coder] = out.get(p.reliability_coder, 0) + 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {"share": self.share, "seed": self.seed, "coders": list(self.coders), "eligible": self.eligible,
                "target": self.target, "kept": list(self.kept), "unassignable": list(self.unassignable),
                "planned": [p.__dict__ for p in self.planned],
                "strata": self.strata.to_dict(orient="records")}


def allocate(sizes: dict[Any, int], share: float) -> dict[Any, int]:
    """Largest-remainder proportional allocation of round-half-up(share x N) over strata."""
    total = sum(sizes.values())
    target = math.floor(share * total + 0.5)
    quotas = {k: math.floor(share * n + 1e-9) for k, n in sizes.items()}
    rest = target - sum(quotas.values())
    order = sorted(sizes, key=lambda k: (-(share * sizes[k] - quotas[k]), k))
    for k in order[:max(rest, 0)]:
        quotas[k] += 1
    return quotas


def plan_double_coding(project: Any, *, share: float | None = None, seed: int | None = None,
                       coders: Sequence[str] | None = None) -> DoubleCodingPlan:
    if share is None:
        share = effective_settings(project)["double_coding_share"]
    share = float(0.25 if share is None else share)   # an unset setting falls back to the default
    if not 0 < share <= 1:
        raise KnownError(f"The double-coding share must be between 0 and 1 (got {share:g}).")
    rows = sql.coding_rows(project)
    all_coders = project.coders()
    if coders:
        pool = [project.coder(n).name for n in coders]
    else:
        pool = sorted(c.name for c in all_coders if c.role == "coder") or sorted(c.name for c in all_coders)
    if len(pool) < 2:
        raise KnownError("Double coding needs at least two coders (add coders with 'ssp-coder coder add', "
                         "or name them with --coders).")
    by_session: dict[int, list[sql.CodingRow]] = defaultdict(list)
    for r in rows:
        by_session[r.session_id].append(r)
    primary = {sid: next(r for r in rs if r.purpose == "primary")
               for sid, rs in by_session.items() if any(r.purpose == "primary" for r in rs)}
    strata: dict[tuple[str, str], list[int]] = defaultdict(list)
    for sid in sorted(primary):
        p = primary[sid]
        strata[(p.arm, p.timepoint)].append(sid)
    quotas = allocate({k: len(v) for k, v in strata.items()}, share)
    load = {c: 0 for c in pool}
    for r in rows:
        if r.purpose == "reliability" and r.coder in load:
            load[r.coder] += 1
    rng = random.Random(seed)
    drawn: list[int] = []
    kept: list[str] = []
    table = []
    for key in sorted(strata):
        sids = strata[key]
        done = [s for s in sids if any(r.purpose == "reliability" for r in by_session[s])]
        kept += [primary[s].blinded_code for s in done]
        done_set = set(done)
        free = [s for s in sids if s not in done_set]
        need = max(0, quotas[key] - len(done))
        pick = sorted(rng.sample(free, min(need, len(free))))
        drawn += pick
        table.append({"arm": key[0], "timepoint": key[1], "sessions": len(sids), "quota": quotas[key],
                      "already_double_coded": len(done), "drawn": len(pick)})
    planned: list[PlannedCoding] = []
    unassignable: list[str] = []
    order = list(drawn)
    rng.shuffle(order)  # which session gets first pick of the least-loaded coder is itself random
    for sid in order:
        p = primary[sid]
        busy = {r.coder for r in by_session[sid] if r.purpose in ("primary", "reliability")}
        candidates = [c for c in pool if c not in busy]
        if not candidates:
            unassignable.append(p.blinded_code)
            continue
        least = min(load[c] for c in candidates)
        choice = rng.choice(sorted(c for c in candidates if load[c] == least))
        load[choice] += 1
        planned.append(PlannedCoding(sid, p.blinded_code, p.arm, p.timepoint, p.coder, choice))
    planned.sort(key=lambda x: x.blinded_code)
    return DoubleCodingPlan(share, seed, tuple(pool), len(primary), sum(quotas.values()), tuple(planned),
                            tuple(sorted(kept)), tuple(sorted(unassignable)),
                            pd.DataFrame(table, columns=["arm", "timepoint", "sessions", "quota",
                                                         "already_double_coded", "drawn"]))


def apply_plan(project: Any, plan: DoubleCodingPlan, *, actor: str | None = None) -> list[int]:
    """Create the plan's reliability codings, all or nothing; returns their ids."""
    if not plan.planned:
        return []
    commands = [CreateCoding(session_id=p.session_id, coder_id=int(project.coder(p.reliability_coder).id),
                             purpose="reliability") for p in plan.planned]
    try:
        applied = project.execute_many(commands, actor=actor)
    except DomainError as exc:
        raise DomainError(f"{exc} The project changed since the plan was made; nothing was assigned. "
                          "Make the plan again.") from None
    return [int(a.inverse.coding_id) for a in applied]
