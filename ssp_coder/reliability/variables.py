"""The scored variables reliability compares, one row per coding.

They come from the scoring engine (``ssp_coder.scoring.score_codings``), so
the report compares exactly the variables the trial analyses, derived with
the project's settings (``cc_handling``, ``unclassifiable_handling``,
``d_cutoff``, ``composites``).
"""

from __future__ import annotations

from typing import Any, Iterable

import pandas as pd

from ssp_coder.domain.scheme import Scheme
from ssp_coder.scoring import score_codings

CATEGORICAL = ("abcd", "abc_forced", "abcd_subgroup", "secure", "disorganized", "d_high")


def composite_names(settings: dict[str, Any]) -> list[str]:
    return list((settings.get("composites") or {}).keys())


def required_cells(scheme: Scheme) -> list[str]:
    return [sc.column(ep, partner) for sc in scheme.scales for ep, partner in sc.required]


def variable_table(project: Any, coding_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """One row per coding, indexed by coding_id (the column stays too)."""
    ids = None if coding_ids is None else sorted({int(i) for i in coding_ids})
    if ids == []:
        return pd.DataFrame(columns=["coding_id", "session_id", "coder", "purpose", "status", *CATEGORICAL])
    frame = score_codings(project, ids)
    return frame.set_index(frame["coding_id"].astype(int), drop=False)
