"""The scored variables reliability compares, one row per coding.

Column names follow the scoring engine's contract (``abcd``, ``abc_forced``,
``abcd_subgroup``, ``secure``, ``disorganized``, ``d_rating``, ``d_high``,
scale cells ``{scale}_e{episode}_{partner}`` and the composites named in the
``composites`` setting). The table is built here from bulk reads, so a report
on thousands of codings costs a handful of queries; the derivations are the
scheme's rules with the project's settings (``cc_handling``,
``unclassifiable_handling``, ``d_cutoff``, ``composites``).
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ssp_coder.domain.scheme import Scheme
from ssp_coder.reliability.settings import effective_settings
from ssp_coder.store import reliability_sql as sql

CATEGORICAL = ("abcd", "abc_forced", "abcd_subgroup", "secure", "disorganized", "d_high")


def _handling(group: str, settings: dict[str, Any]) -> str | None:
    if group == "CC":
        how = settings.get("cc_handling", "D")
    elif group == "U":
        how = settings.get("unclassifiable_handling", "D")
    else:
        return group
    return None if how == "missing" else how


def derive(scheme: Scheme, settings: dict[str, Any], classification: str | None, forced: str | None,
           d_rating: float | None, scales: dict[tuple[str, int, str], float]) -> dict[str, Any]:
    """Every variable of one coding, from its raw result and scale ratings."""
    row: dict[str, Any] = {}
    group = None
    if classification:
        try:
            group = scheme.classification(classification).group
        except KeyError:
            group = None
    abcd = _handling(group, settings) if group else None
    row["abcd_subgroup"] = classification or None
    row["abcd"] = abcd
    if group in ("A", "B", "C"):
        row["abc_forced"] = group
    elif group == "D" and forced:
        try:
            row["abc_forced"] = scheme.classification(forced).group
        except KeyError:
            row["abc_forced"] = None
    else:
        row["abc_forced"] = None
    row["secure"] = None if abcd is None else int(abcd == "B")
    row["disorganized"] = None if abcd is None else int(abcd == "D")
    row["d_rating"] = float(d_rating) if d_rating is not None else math.nan
    cutoff = float(settings.get("d_cutoff", 5))
    row["d_high"] = None if d_rating is None else int(float(d_rating) >= cutoff)
    for sc, ep, partner in scheme.scale_cells():
        v = scales.get((sc.id, ep, partner))
        row[sc.column(ep, partner)] = float(v) if v is not None else math.nan
    for name, comp in (settings.get("composites") or {}).items():
        vals = [scales.get((comp["scale"], int(c[0]), c[1])) for c in comp["cells"]]
        if any(v is None for v in vals):
            row[name] = math.nan
            continue
        op = comp.get("op", "mean")
        arr = np.asarray(vals, dtype=float)
        row[name] = float({"mean": arr.mean, "sum": arr.sum, "max": arr.max, "min": arr.min}[op]())
    return row


def composite_names(settings: dict[str, Any]) -> list[str]:
    return list((settings.get("composites") or {}).keys())


def required_cells(scheme: Scheme) -> list[str]:
    return [sc.column(ep, partner) for sc in scheme.scales for ep, partner in sc.required]


def variable_table(project: Any, coding_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """One row per coding (indexed by coding_id) with the scored variables."""
    rows = sql.coding_rows(project)
    if coding_ids is not None:
        wanted = {int(i) for i in coding_ids}
        rows = [r for r in rows if r.coding_id in wanted]
    ids = [r.coding_id for r in rows]
    results = sql.results_for(project, ids)
    scales = sql.scales_for(project, ids)
    scheme, settings = project.scheme, effective_settings(project)
    out = []
    for r in rows:
        cls, forced, d = results.get(r.coding_id, (None, None, None))
        row = {"coding_id": r.coding_id, "session_id": r.session_id, "coder": r.coder, "purpose": r.purpose,
               "status": r.status}
        row.update(derive(scheme, settings, cls, forced, d, scales.get(r.coding_id, {})))
        out.append(row)
    frame = pd.DataFrame(out)
    if frame.empty:
        frame = pd.DataFrame(columns=["coding_id", "session_id", "coder", "purpose", "status", *CATEGORICAL])
    return frame.set_index("coding_id", drop=False)
