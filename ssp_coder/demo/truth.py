"""What the simulated infants 'really' did, drawn from published base rates.

Rates (ssp-domain.md §3.4, §4.1, §6.4): in high-risk samples before an
intervention roughly half are secure and a quarter to a third disorganized;
after an attachment intervention (e.g. Bernard et al. 2012: 52 % secure,
32 % D vs 33 % and 57 % in the control arm) security rises and D falls.
The demo uses moderate, round figures in that range.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

BASE_RATES = {
    # (arm is intervention, timepoint) -> probabilities of A, B, C, D
    (False, "pre"): {"A": 0.17, "B": 0.45, "C": 0.10, "D": 0.28},
    (True, "pre"): {"A": 0.17, "B": 0.45, "C": 0.10, "D": 0.28},
    (False, "post"): {"A": 0.18, "B": 0.44, "C": 0.10, "D": 0.28},
    (True, "post"): {"A": 0.12, "B": 0.62, "C": 0.08, "D": 0.18},
}
SUBGROUPS = {"A": (("A1", 0.4), ("A2", 0.6)), "B": (("B1", 0.1), ("B2", 0.3), ("B3", 0.45), ("B4", 0.15)),
             "C": (("C1", 0.6), ("C2", 0.4))}
ORGANIZED = ("A1", "A2", "B1", "B2", "B3", "B4", "C1", "C2")


@dataclass(frozen=True)
class InfantTruth:
    classification: str          # A1 .. C2 or D
    forced_secondary: str | None
    d_rating: float
    group: str                   # A, B, C (the organized pattern underneath D too)


def _weighted(rng: random.Random, items: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


def rates_for(intervention: bool, timepoint: str) -> dict[str, float]:
    return BASE_RATES[(intervention, "post" if timepoint != "pre" else "pre")]


def allocate_groups(rng: random.Random, rates: dict[str, float], n: int) -> list[str]:
    """Exactly the base-rate mix for n infants (largest remainders), in random order.

    A small demo drawn purely at random can show anything; allocating the mix
    keeps the demo's story (more secure, fewer D after the intervention) intact.
    """
    quotas = {g: r * n for g, r in rates.items()}
    counts = {g: int(q) for g, q in quotas.items()}
    for g in sorted(quotas, key=lambda g: quotas[g] - counts[g], reverse=True)[: n - sum(counts.values())]:
        counts[g] += 1
    groups = [g for g, c in counts.items() for _ in range(c)]
    rng.shuffle(groups)
    return groups


def draw_truth(rng: random.Random, intervention: bool, timepoint: str, group: str | None = None) -> InfantTruth:
    rates = rates_for(intervention, timepoint)
    if group is None:
        group = rng.choices(list(rates), weights=list(rates.values()))[0]
    if group == "D":
        secondary = _weighted(rng, tuple((g, w) for key in "ABC" for g, w in SUBGROUPS[key]))
        return InfantTruth("D", secondary, float(rng.choice([5, 5.5, 6, 6.5, 7, 7.5, 8])), secondary[0])
    sub = _weighted(rng, SUBGROUPS[group])
    return InfantTruth(sub, None, float(rng.choice([1, 1, 1.5, 2, 2.5, 3, 3.5, 4])), group)


def perceive(rng: random.Random, truth: InfantTruth, accuracy: float) -> InfantTruth:
    """A coder's reading of the infant: right most of the time, near misses otherwise."""
    if rng.random() < accuracy:
        jitter = rng.choice([-0.5, 0, 0, 0.5])
        return InfantTruth(truth.classification, truth.forced_secondary,
                           min(9.0, max(1.0, truth.d_rating + jitter)), truth.group)
    if truth.classification == "D":
        # the commonest disagreement: D seen as its organized secondary, rating just under the cut-off
        return InfantTruth(truth.forced_secondary or "B2", None, float(rng.choice([3.5, 4, 4.5])), truth.group)
    if rng.random() < 0.35:
        return InfantTruth("D", truth.classification, float(rng.choice([5, 5.5])), truth.group)
    neighbours = {"A1": "A2", "A2": "B1", "B1": "A2", "B2": "B3", "B3": "B2", "B4": "C2", "C1": "C2", "C2": "B4"}
    sub = neighbours[truth.classification]
    return InfantTruth(sub, None, truth.d_rating, sub[0])
