"""Linear discriminant analysis on the project's own codings: an aid for conferencing.

Fits scale composites -> ABC (D codings count under their forced
secondary) on the consensus codings (or, if asked, every final coding),
reports leave-one-out accuracy and Cohen's kappa, and lists the codings whose
leave-one-out prediction differs from the coders' classification. It never
classifies anything: a listed coding is one whose scales look unlike its
classification, worth a second look in conference.

Plain numpy: pooled within-class covariance (pseudo-inverse if singular),
class priors from the sample, scores x'S^-1 m_k - m_k'S^-1 m_k / 2 + ln p_k.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ssp_coder.errors import DomainError
from ssp_coder.stats.agreement import cohen_kappa

if TYPE_CHECKING:  # pragma: no cover
    from ssp_coder.store.project import Project

LABEL = "aid for conferencing: scales that look unlike their classification, not a classification"


@dataclass(frozen=True)
class LdaModel:
    features: tuple[str, ...]
    classes: tuple[str, ...]
    means: np.ndarray          # K x p
    inv_cov: np.ndarray        # p x p
    log_priors: np.ndarray     # K

    def scores(self, x: np.ndarray) -> np.ndarray:
        lin = x @ self.inv_cov @ self.means.T
        const = -0.5 * np.einsum("kp,pq,kq->k", self.means, self.inv_cov, self.means) + self.log_priors
        return lin + const

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.classes, dtype=object)[np.argmax(self.scores(x), axis=1)]

    def posterior(self, x: np.ndarray) -> np.ndarray:
        s = self.scores(x)
        s = s - s.max(axis=1, keepdims=True)
        e = np.exp(s)
        return e / e.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class LdaReport:
    label: str
    basis: str
    features: tuple[str, ...]
    classes: tuple[str, ...]
    n: int
    n_dropped: int
    loo_accuracy: float
    loo_kappa: float
    flagged: pd.DataFrame = field(repr=False)   # coding_id, session_id, coder, classification, abc, predicted, p_own
    model: LdaModel = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "basis": self.basis, "features": list(self.features),
                "classes": list(self.classes), "n": self.n, "n_dropped": self.n_dropped,
                "loo_accuracy": self.loo_accuracy, "loo_kappa": self.loo_kappa,
                "flagged": self.flagged.to_dict(orient="records")}


def fit_lda(x: np.ndarray, y: Sequence[str]) -> LdaModel:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=object)
    classes = tuple(sorted(set(y)))
    n, p = x.shape
    k = len(classes)
    if k < 2:
        raise DomainError("The discriminant aid needs codings of at least two classifications.")
    if n <= k:
        raise DomainError(f"The discriminant aid needs more codings than classes (has {n}).")
    means = np.vstack([x[y == c].mean(axis=0) for c in classes])
    centred = x - means[[classes.index(v) for v in y]]
    cov = centred.T @ centred / (n - k)
    priors = np.array([(y == c).mean() for c in classes])
    return LdaModel(tuple(), classes, means, np.linalg.pinv(cov), np.log(priors))


def loo_predictions(x: np.ndarray, y: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Leave-one-out: each coding predicted by a model fitted without it. Returns (prediction, p(own class))."""
    y = np.asarray(y, dtype=object)
    pred = np.empty(len(y), dtype=object)
    p_own = np.full(len(y), np.nan)
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        m = fit_lda(x[keep], y[keep])
        pred[i] = m.predict(x[i:i + 1])[0]
        if y[i] in m.classes:
            p_own[i] = m.posterior(x[i:i + 1])[0, m.classes.index(y[i])]
        else:
            p_own[i] = 0.0
    return pred, p_own


def lda_from_scores(rows: pd.DataFrame, features: Sequence[str], *, basis: str) -> LdaReport:
    """``rows``: output of ``score_codings`` or ``score`` (needs abc_forced and the feature columns)."""
    missing = [f for f in features if f not in rows.columns]
    if missing:
        raise DomainError(f"The discriminant aid cannot use {', '.join(missing)}: not a scored column.")
    if not features:
        raise DomainError("No scale composites are defined (setting 'composites'), so the discriminant aid has "
                          "nothing to fit.")
    data = rows[rows["abc_forced"].notna()]
    complete = data[list(features)].notna().all(axis=1)
    dropped = int((~complete).sum())
    data = data[complete]
    x = data[list(features)].to_numpy(float)
    y = data["abc_forced"].to_numpy(object)
    pred, p_own = loo_predictions(x, y)
    model = fit_lda(x, y)
    model = LdaModel(tuple(features), model.classes, model.means, model.inv_cov, model.log_priors)
    kappa = cohen_kappa(list(y), list(pred), categories=list(model.classes)).kappa
    ident = [c for c in ("coding_id", "session_id", "coder", "classification") if c in data.columns]
    flagged = data[ident].assign(abc=y, predicted=pred, p_own=np.round(p_own, 3))[pred != y].reset_index(drop=True)
    return LdaReport(LABEL, basis, tuple(features), model.classes, len(y), dropped, float((pred == y).mean()),
                     float(kappa), flagged, model)


def lda_aid(project: "Project", *, features: Sequence[str] | None = None, basis: str = "consensus",
            settings: Mapping[str, Any] | None = None) -> LdaReport:
    """Fit on complete consensus codings (``basis="consensus"``) or every final coding (``"final"``)."""
    from ssp_coder.scoring.engine import project_settings, score, score_codings

    s = project_settings(project, settings)
    feats = list(features) if features else list((s.get("composites") or {}).keys())
    if basis == "consensus":
        ids = [int(c.id) for c in project.codings(purpose="consensus", status="complete")]
        rows = score_codings(project, ids, settings=settings)
    elif basis == "final":
        rows = score(project, settings=settings)
        rows = rows[rows["source"] != ""]
    else:
        raise DomainError("basis must be 'consensus' or 'final'.")
    if len(rows) < 5:
        raise DomainError(f"Only {len(rows)} {basis} coding(s) are complete; the discriminant aid needs more. "
                          + ("Try --lda-basis final to fit on every final coding." if basis == "consensus" else ""))
    return lda_from_scores(rows, feats, basis=basis)
