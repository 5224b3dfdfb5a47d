"""Simulated codings: what a trained coder would enter for a simulated infant."""

from __future__ import annotations

import random

from ssp_coder.demo.truth import InfantTruth
from ssp_coder.domain.commands import (
    AddDIndex, AddEvent, Command, MarkComplete, SetBoundary, SetClassification, SetDRating, SetScale,
)
from ssp_coder.domain.scheme import Scheme

# Reunion profiles per organized pattern: (low, high) for PS, CM, RS, AV toward the caregiver.
PROFILES = {
    "A": {"ps": (1, 3), "cm": (1, 2), "rs": (1, 2.5), "av": (5, 7), "di": (1, 3)},
    "B": {"ps": (4.5, 7), "cm": (3, 6.5), "rs": (1, 2), "av": (1, 2.5), "di": (3, 6)},
    "B1": {"ps": (2, 3.5), "cm": (1, 2), "rs": (1, 1.5), "av": (2, 3.5), "di": (5, 7)},
    "B4": {"ps": (5, 7), "cm": (5, 7), "rs": (2.5, 4), "av": (1, 2), "di": (2, 4)},
    "C": {"ps": (5, 7), "cm": (5, 7), "rs": (4.5, 7), "av": (1, 2), "di": (1, 3)},
}


def _half(rng: random.Random, lo: float, hi: float) -> float:
    return rng.randint(int(lo * 2), int(hi * 2)) / 2


def _profile(perceived: InfantTruth) -> dict[str, tuple[float, float]]:
    pattern = perceived.forced_secondary if perceived.classification == "D" else perceived.classification
    pattern = pattern or "B2"
    return PROFILES.get(pattern, PROFILES[pattern[0]])


def draw_scales(scheme: Scheme, infant: InfantTruth, rng: random.Random) -> dict[tuple[str, int, str], float]:
    """What the infant showed on every rated cell: reunion cells follow the pattern's profile."""
    kind = {ep.number: ep.kind for ep in scheme.episodes}
    profile = _profile(infant)
    values: dict[tuple[str, int, str], float] = {}
    for sc in scheme.scales:
        for ep, partner in sc.cells:
            if partner == "m" and kind.get(ep) == "reunion" and sc.id in profile:
                values[(sc.id, ep, partner)] = _half(rng, *profile[sc.id])
            elif sc.id in ("di", "sb") and not sc.required:
                if rng.random() >= 0.5:
                    values[(sc.id, ep, partner)] = _half(rng, 1, 4)
            else:
                values[(sc.id, ep, partner)] = _half(rng, 1, 3.5)
    return values


def coding_commands(coding_id: int, scheme: Scheme, plan: list[tuple[int, int, int]], perceived: InfantTruth,
                    rng: random.Random, *, frame_ms: float, jitter_frames: int = 0, complete: bool = True,
                    scale_values: dict[tuple[str, int, str], float] | None = None) -> list[Command]:
    """Every command a coder would issue for one session, in a plausible order."""
    cmds: list[Command] = []
    bounds: dict[int, tuple[int, int]] = {}
    last = plan[-1][2]
    for ep, on, off in plan:
        j_on = int(round(rng.randint(-jitter_frames, jitter_frames) * frame_ms)) if ep > 1 else 0
        bounds[ep] = (max(0, on + j_on), off)
    # episodes tile the video: each one ends where the next begins
    eps = sorted(bounds)
    for i, ep in enumerate(eps):
        on = bounds[ep][0]
        off = bounds[eps[i + 1]][0] if i + 1 < len(eps) else last
        bounds[ep] = (on, off)
        cmds.append(SetBoundary(coding_id, ep, on, off))

    kind = {ep.number: ep.kind for ep in scheme.episodes}
    group = (perceived.forced_secondary or "B")[0] if perceived.classification == "D" else perceived.group
    distress = {"A": 0.2, "B": 0.55, "C": 0.9}.get(group, 0.5) + (0.2 if perceived.classification == "D" else 0)

    def at(ep: int, frac: float) -> int:
        on, off = bounds[ep]
        return int(on + frac * (off - on - 1))

    for ep in eps:
        k = kind[ep]
        if ep in (3, 7):
            cmds.append(AddEvent(coding_id, "enter_stranger", at(ep, 0.0)))
        if k == "preseparation":
            cmds.append(AddEvent(coding_id, "play", at(ep, rng.uniform(0.02, 0.15)), at(ep, rng.uniform(0.8, 0.98))))
        if k == "separation":
            if ep in (4, 6):
                cmds.append(AddEvent(coding_id, "exit_caregiver", at(ep, 0.0)))
            for _ in range(rng.randint(0, 2)):
                cmds.append(AddEvent(coding_id, "look_door", at(ep, rng.uniform(0.05, 0.95))))
            if rng.random() < distress:
                cmds.append(AddEvent(coding_id, "cry", at(ep, rng.uniform(0.1, 0.45)), at(ep, rng.uniform(0.6, 0.99))))
        if k == "reunion":
            cmds.append(AddEvent(coding_id, "enter_caregiver", at(ep, 0.0)))
            if ep == 5:
                cmds.append(AddEvent(coding_id, "exit_stranger", at(ep, 0.05)))
            if group in ("B", "C"):
                t = rng.uniform(0.03, 0.2)
                cmds.append(AddEvent(coding_id, "approach", at(ep, t)))
                cmds.append(AddEvent(coding_id, "contact", at(ep, t + 0.05), at(ep, rng.uniform(0.5, 0.95))))
                if group == "C":
                    cmds.append(AddEvent(coding_id, "resist", at(ep, t + 0.15), at(ep, t + 0.3)))
                    cmds.append(AddEvent(coding_id, "cry", at(ep, 0.02), at(ep, rng.uniform(0.4, 0.8))))
            else:
                cmds.append(AddEvent(coding_id, "avoid", at(ep, rng.uniform(0.02, 0.1)), at(ep, rng.uniform(0.3, 0.6))))
                if rng.random() < 0.5:
                    cmds.append(AddEvent(coding_id, "approach", at(ep, rng.uniform(0.5, 0.8))))
                cmds.append(AddEvent(coding_id, "proximity", at(ep, rng.uniform(0.6, 0.7)), at(ep, 0.95)))
            if rng.random() < 0.4:
                cmds.append(AddEvent(coding_id, "reach", at(ep, rng.uniform(0.02, 0.2))))

    values = scale_values if scale_values is not None else draw_scales(scheme, perceived, rng)
    for (scale, ep, partner), value in values.items():
        if scale_values is not None and rng.random() < 0.35:   # a second coder differs by half a point now and then
            sc = scheme.scale(scale)
            value = min(sc.max, max(sc.min, value + rng.choice([-0.5, 0.5])))
        cmds.append(SetScale(coding_id, scale, ep, partner, value))

    if perceived.classification == "D":
        groups = [g.group for g in scheme.d_indices]
        for _ in range(rng.randint(2, 4)):
            ep = rng.choice([5, 8])
            cmds.append(AddDIndex(coding_id, rng.choice(groups), at(ep, rng.uniform(0.05, 0.9))))
    elif perceived.d_rating >= 3 and rng.random() < 0.6:
        cmds.append(AddDIndex(coding_id, rng.choice(["III", "IV", "V"]), at(8, rng.uniform(0.1, 0.9))))

    if not complete:
        # a coder part-way through: judgement not yet given, one state still open
        cmds.append(AddEvent(coding_id, "cry", at(8, 0.9), None))
        return cmds
    cmds.append(SetClassification(coding_id, perceived.classification, perceived.forced_secondary))
    cmds.append(SetDRating(coding_id, perceived.d_rating))
    cmds.append(MarkComplete(coding_id))
    return cmds
