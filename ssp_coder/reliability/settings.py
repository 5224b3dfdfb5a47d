"""The settings reliability uses, with their conventional defaults.

Besides the scheme's settings (``double_coding_share``, ``certification_pass``,
``d_cutoff``, ``cc_handling`` ...) reliability reads four of its own, all
conventions rather than published rules, each overridable per project with
``SetSetting``:

* ``event_tolerance_s`` (2 s): how far apart two coders' onsets of a point
  behaviour may be and still count as the same event;
* ``d_index_tolerance_s`` (2 s): the same for D-index marks;
* ``drift_window`` (10 pairs): the rolling window of the drift view;
* ``reliability_min_pairs`` (10 pairs): below this many pairs a statistic is
  flagged as resting on too few pairs (``small_n``).

A setting cleared in the project (stored as nothing) falls back to its default.
"""

from __future__ import annotations

from typing import Any

from ssp_coder.domain.scheme import SETTING_DEFAULTS

RELIABILITY_DEFAULTS: dict[str, Any] = {
    "event_tolerance_s": 2.0,
    "d_index_tolerance_s": 2.0,
    "drift_window": 10,
    "reliability_min_pairs": 10,
}


def effective_settings(project: Any) -> dict[str, Any]:
    merged = dict(RELIABILITY_DEFAULTS)
    for key, value in SETTING_DEFAULTS.items():
        merged[key] = value
    scheme_settings = getattr(project.scheme, "settings", {}) or {}
    for key, value in {**scheme_settings, **project.settings}.items():
        if value is not None:
            merged[key] = value
    return merged
