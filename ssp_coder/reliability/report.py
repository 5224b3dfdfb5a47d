"""The inter-rater reliability report: every variable, every coder pair, confusion matrices, timed codes, drift.

Categorical variables (abcd, abc_forced, abcd_subgroup, secure,
disorganized, d_high): n, percent agreement with a Wilson interval, Cohen's
kappa with its interval and the Landis & Koch (1977) band -- the band is a
labelling *convention*, not a test. Ordinal/continuous variables (d_rating,
each composite, each required scale cell): ICC(2,1) absolute agreement and
ICC(3,1) consistency with intervals, mean absolute difference and the share
within one point; d_rating also gets quadratic-weighted kappa over its
rating grid. Timed codes: see ``timed_report``. Drift: see ``drift``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd

from ssp_coder.reliability import drift as drift_mod
from ssp_coder.reliability import measures
from ssp_coder.reliability.pairs import CodingPair, find_pairs
from ssp_coder.reliability.settings import effective_settings
from ssp_coder.reliability.timed_report import timed_table
from ssp_coder.reliability.variables import CATEGORICAL, composite_names, required_cells, variable_table
from ssp_coder.store import reliability_sql as sql

OVERALL = "all"
PAIR_COLUMNS = ["pair", "coder_a", "coder_b"]


@dataclass(frozen=True)
class ReliabilityReport:
    """Everything the CLI, the xlsx file and the Reliability window show.

    ``overall``: one row per variable (columns ``measures.STAT_COLUMNS``).
    ``by_pair``: the same per coder pair (plus ``pair``, ``coder_a``, ``coder_b``).
    ``confusion``: variable -> DataFrame (rows primary, columns reliability coding).
    ``timed``: behaviour codes, D indices and boundaries (``timed_report.TIMED_COLUMNS``), overall and per pair.
    ``pending``: pairs not analysed because a coding is still a draft.
    ``pairs``: one row per analysed pair with both codings' values (the consensus worklist).
    ``drift``: rolling agreement per coder (``drift.DRIFT_COLUMNS``).
    """

    project: str
    generated_at: str
    n_pairs: int
    overall: pd.DataFrame
    by_pair: pd.DataFrame
    confusion: dict[str, pd.DataFrame]
    timed: pd.DataFrame
    pending: pd.DataFrame
    pairs: pd.DataFrame
    drift: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    def variable(self, name: str, pair: str = OVERALL) -> dict[str, Any]:
        """One row of the report as a dict (``pair`` "all" for the overall table)."""
        frame = self.overall if pair == OVERALL else self.by_pair[self.by_pair["pair"] == pair]
        hit = frame[frame["variable"] == name]
        if hit.empty:
            raise KeyError(name)
        return hit.iloc[0].to_dict()

    def drift_figure(self):
        return drift_mod.drift_figure(self.drift, window=int(self.settings.get("drift_window",
                                                                                drift_mod.DEFAULT_WINDOW)))

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able data (NaN becomes null)."""
        return {
            "project": self.project, "generated_at": self.generated_at, "n_pairs": self.n_pairs,
            "settings": _clean(self.settings),
            "overall": _records(self.overall), "by_pair": _records(self.by_pair),
            "confusion": {k: {"rows": "primary", "columns": "reliability",
                              "categories": [_clean(c) for c in v.index],
                              "counts": v.to_numpy().tolist()} for k, v in self.confusion.items()},
            "timed": _records(self.timed), "pending": _records(self.pending), "drift": _records(self.drift),
            "pairs": _records(self.pairs),
        }


def _clean(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(float(v)) else float(v)
    return v


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def variable_kinds(project: Any) -> list[tuple[str, str]]:
    """(variable, kind) in report order."""
    out = [(v, "categorical") for v in CATEGORICAL]
    out.append(("d_rating", "ordinal"))
    out += [(c, "continuous") for c in composite_names(effective_settings(project))]
    out += [(c, "ordinal") for c in required_cells(project.scheme)]
    return out


def _pair_values(pairs: list[CodingPair], table: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    ident = pd.DataFrame([{"blinded_code": p.blinded_code, "arm": p.arm, "timepoint": p.timepoint, "pair": p.pair,
                           "primary_coder": p.primary_coder, "reliability_coder": p.reliability_coder,
                           "primary_id": p.primary_id, "reliability_id": p.reliability_id,
                           "completed_at": p.completed_at} for p in pairs],
                         columns=["blinded_code", "arm", "timepoint", "pair", "primary_coder", "reliability_coder",
                                  "primary_id", "reliability_id", "completed_at"])
    cols = {}
    for side, key in (("primary", "primary_id"), ("reliability", "reliability_id")):
        sub = table.reindex(index=ident[key].to_numpy(), columns=variables).astype(object)
        sub = sub.where(sub.notna(), None)   # one "missing" for the measures, whatever the column's dtype
        for v in variables:
            cols[f"{v}_{side}"] = sub[v].to_numpy()
    ordered = {f"{v}_{s}": cols[f"{v}_{s}"] for v in variables for s in ("primary", "reliability")}
    return pd.concat([ident, pd.DataFrame(ordered, index=ident.index)], axis=1)


def _stats(values: pd.DataFrame, kinds: list[tuple[str, str]], grid: list[float], confidence: float,
           min_pairs: int) -> list[dict]:
    rows = []
    for var, kind in kinds:
        a, b = list(values[f"{var}_primary"]), list(values[f"{var}_reliability"])
        if kind == "categorical":
            rows.append(measures.categorical(var, a, b, confidence=confidence, min_pairs=min_pairs))
        else:
            rows.append(measures.numeric(var, a, b, kind=kind, grid=grid if var == "d_rating" else None,
                                         confidence=confidence, min_pairs=min_pairs))
    return rows


def reliability_report(project: Any, *, confidence: float = 0.95, timed: bool = True) -> ReliabilityReport:
    rows = sql.coding_rows(project)
    pairs, pending = find_pairs(project, rows)
    ids = sorted({p.primary_id for p in pairs} | {p.reliability_id for p in pairs})
    table = variable_table(project, ids)
    kinds = variable_kinds(project)
    variables = [v for v, _ in kinds]
    values = _pair_values(pairs, table, variables)
    r = project.scheme.d_rating
    grid = measures.rating_grid(r.min, r.max, r.step)
    settings = effective_settings(project)
    min_pairs = int(settings.get("reliability_min_pairs", measures.DEFAULT_MIN_PAIRS))
    overall = pd.DataFrame(_stats(values, kinds, grid, confidence, min_pairs), columns=measures.STAT_COLUMNS)
    by_rows = []
    groups: dict[str, list[CodingPair]] = {OVERALL: pairs}
    for label in sorted({p.pair for p in pairs}, key=str.lower):
        sub = values[values["pair"] == label]
        coder_a, coder_b = label.split(" & ", 1)
        for row in _stats(sub, kinds, grid, confidence, min_pairs):
            by_rows.append({"pair": label, "coder_a": coder_a, "coder_b": coder_b, **row})
        groups[label] = [p for p in pairs if p.pair == label]
    by_pair = pd.DataFrame(by_rows, columns=PAIR_COLUMNS + measures.STAT_COLUMNS)
    confusion = {v: measures.confusion(list(values[f"{v}_primary"]), list(values[f"{v}_reliability"]))
                 for v, kind in kinds if kind == "categorical"}
    if timed:
        data = sql.timed_for(project, ids)
        timed_frame = timed_table(groups, data, project.scheme, settings)
    else:
        timed_frame = timed_table({}, {}, project.scheme, settings)
    window = int(settings.get("drift_window", drift_mod.DEFAULT_WINDOW))
    drift = drift_mod.drift_table(values, window)
    used = {k: settings.get(k) for k in ("d_cutoff", "cc_handling", "unclassifiable_handling", "composites")}
    used.update(event_tolerance_s=float(settings.get("event_tolerance_s", 2.0)),
                d_index_tolerance_s=float(settings.get("d_index_tolerance_s", 2.0)),
                drift_window=window, confidence=confidence, reliability_min_pairs=min_pairs)
    return ReliabilityReport(project.name, datetime.now(timezone.utc).isoformat(timespec="seconds"), len(pairs),
                             overall, by_pair, confusion, timed_frame, pending, values, drift, used)
