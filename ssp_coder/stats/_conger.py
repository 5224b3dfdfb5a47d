"""Conger's (1980) exact kappa and Light's (1971) kappa for several raters.

Conger's kappa keeps each rater's own category distribution when computing
chance agreement (Fleiss' kappa pools them), which is what R's
``irr::kappam.fleiss(exact = TRUE)`` and irrCAC's ``conger.kappa.raw`` report.
Light's kappa is the mean of Cohen's kappa over all pairs of raters.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ._tables import category_index, is_missing, normalise_label, to_matrix


@dataclass(frozen=True)
class MultiRaterKappa:
    coefficient: float
    pa: float
    pe: float
    n: int
    n_raters: int


def _label_matrix(ratings: Any, categories: Sequence[Any] | None) -> tuple[np.ndarray, list[Any]]:
    rows = to_matrix(ratings, "ratings")
    cleaned = [[None if is_missing(v) else normalise_label(v) for v in row] for row in rows]
    present = [v for row in cleaned for v in row if v is not None]
    if not present:
        raise ValueError("ratings hold no rating at all (every value is missing)")
    cats = category_index(categories, present, "ratings")
    pos = {c: i for i, c in enumerate(cats)}
    codes = np.array([[-1 if v is None else pos[v] for v in row] for row in cleaned], dtype=int)
    if codes.shape[1] < 2:
        raise ValueError("need at least 2 raters (columns)")
    return codes, cats


def conger_kappa(ratings: Any, *, categories: Sequence[Any] | None = None) -> MultiRaterKappa:
    """Conger's exact kappa from a subjects x raters label matrix (None/NaN missing).

    pa as in Fleiss/Gwet (averaged over subjects with at least two ratings);
    pe = sum_k (mean_g p_gk^2 - s_k^2 / r), with p_gk the share of rater g's
    ratings in category k and s_k^2 their variance over raters (n - 1
    denominator), as in Conger (1980) and irrCAC.
    """
    codes, cats = _label_matrix(ratings, categories)
    n_sub, n_rat = codes.shape
    q = len(cats)
    rated = (codes >= 0).any(axis=1)
    codes = codes[rated]
    if codes.shape[0] < 2:
        raise ValueError(f"need at least 2 rated subjects, got {codes.shape[0]}")
    counts = np.zeros((codes.shape[0], q))
    for k in range(q):
        counts[:, k] = (codes == k).sum(axis=1)
    r = counts.sum(axis=1)
    two = r >= 2
    if not two.any():
        raise ValueError("no subject has two or more ratings: agreement is not defined")
    pa = float(((counts * (counts - 1)).sum(axis=1)[two] / (r[two] * (r[two] - 1))).mean())
    p_gk = np.zeros((n_rat, q))
    for g in range(n_rat):
        mine = codes[:, g]
        n_g = (mine >= 0).sum()
        if n_g:
            p_gk[g] = [(mine == k).sum() / n_g for k in range(q)]
    pk = p_gk.mean(axis=0)
    s2 = p_gk.var(axis=0, ddof=1)
    pe = float((pk ** 2 - s2 / n_rat).sum())
    coef = float("nan") if pe >= 1 else (pa - pe) / (1 - pe)
    return MultiRaterKappa(coef, pa, pe, int(codes.shape[0]), n_rat)


def light_kappa(ratings: Any, *, categories: Sequence[Any] | None = None) -> MultiRaterKappa:
    """Light's kappa: the mean of Cohen's kappa over every pair of raters (complete pairs only)."""
    from ssp_coder.stats.agreement import cohen_kappa  # the pairwise statistic lives there

    codes, cats = _label_matrix(ratings, categories)
    kappas, pas, pes = [], [], []
    for a, b in itertools.combinations(range(codes.shape[1]), 2):
        both = (codes[:, a] >= 0) & (codes[:, b] >= 0)
        if both.sum() < 2:
            continue
        res = cohen_kappa([cats[i] for i in codes[both, a]], [cats[i] for i in codes[both, b]], categories=cats)
        kappas.append(res.kappa)
        pas.append(res.po)
        pes.append(res.pe)
    if not kappas:
        raise ValueError("no pair of raters rated two or more subjects in common")
    return MultiRaterKappa(float(np.mean(kappas)), float(np.mean(pas)), float(np.mean(pes)), int(codes.shape[0]),
                           codes.shape[1])
