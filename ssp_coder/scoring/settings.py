"""Scoring settings: the project's settings plus the scoring engine's own defaults.

Everything the engine treats as a convention rather than a sourced rule is a
setting here (cut-offs, interval length, proration, heuristic thresholds,
which behaviour codes feed the crying and approach metrics), so a lab can
change it per project with ``SetSetting`` and the value travels with the data.
"""

from __future__ import annotations

from typing import Any, Mapping

from ssp_coder.domain.scheme import SETTING_DEFAULTS, Scheme
from ssp_coder.errors import DomainError

# Keys the scheme file does not (yet) carry; None means "derive from the scheme".
SCORING_DEFAULTS: dict[str, Any] = {
    "cry_code": "cry",                 # state behaviour counted in 15-s intervals
    "approach_code": "approach",       # point behaviour for approach latency
    "approach_episodes": None,         # None: the scheme's reunion episodes (5 and 8)
    "reunion_cells": None,             # None: reunion episodes toward the first partner
    "heuristic_scales": {"avoidance": "av", "contact": "cm", "resistance": "rs"},
}

SCORING_SETTING_NOTES: dict[str, str] = {
    "cry_code": "Behaviour code whose state events feed cry_intervals, cry_latency (and cry_s).",
    "approach_code": "Behaviour code whose first event in a reunion gives approach_latency.",
    "approach_episodes": "Episodes that get an approach_latency column (default: reunion episodes).",
    "reunion_cells": "Scale cells averaged for the profile heuristics (default: reunions toward the caregiver).",
    "heuristic_scales": "Which scales the profile heuristics read as avoidance, contact maintaining, resistance.",
}


def scoring_settings(scheme: Scheme, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then the scheme's settings, then ``overrides`` (the project's settings)."""
    s: dict[str, Any] = dict(SETTING_DEFAULTS)
    s.update(scheme.settings)
    for key, value in SCORING_DEFAULTS.items():
        s.setdefault(key, value)
    if overrides:
        s.update(overrides)
    if s.get("approach_episodes") is None:
        s["approach_episodes"] = [e.number for e in scheme.episodes if e.is_reunion]
    if s.get("reunion_cells") is None:
        first = scheme.partners[0].id
        s["reunion_cells"] = [[e.number, first] for e in scheme.episodes if e.is_reunion]
    _validate(s, scheme)
    return s


def _fail(key: str, what: str) -> DomainError:
    return DomainError(f"Setting '{key}' {what}. Change it with the project settings (SetSetting).")


def _validate(s: dict[str, Any], scheme: Scheme) -> None:
    for key in ("d_cutoff", "interval_s", "prorate_to_s", "episode_length_tolerance", "profile_high", "profile_low"):
        v = s.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            raise _fail(key, "must be a non-negative number")
    if s["interval_s"] <= 0 or s["prorate_to_s"] <= 0:
        raise _fail("interval_s" if s["interval_s"] <= 0 else "prorate_to_s", "must be positive")
    if s.get("cc_handling") not in ("D", "CC", "missing"):
        raise _fail("cc_handling", "must be 'D', 'CC' or 'missing'")
    if s.get("unclassifiable_handling") not in ("D", "U", "missing"):
        raise _fail("unclassifiable_handling", "must be 'D', 'U' or 'missing'")
    eps = set(scheme.episode_numbers)
    if not isinstance(s["approach_episodes"], (list, tuple)) or not set(s["approach_episodes"]) <= eps:
        raise _fail("approach_episodes", "must be a list of the scheme's episode numbers")
    hs = s["heuristic_scales"]
    if not isinstance(hs, dict) or set(hs) != {"avoidance", "contact", "resistance"}:
        raise _fail("heuristic_scales", "must name the scales for avoidance, contact and resistance")
    scale_ids = {sc.id for sc in scheme.scales}
    for role, sid in hs.items():
        if sid not in scale_ids:
            raise _fail("heuristic_scales", f"names {sid!r} for {role}, which is not a scale of this scheme")
    for c in s["reunion_cells"]:
        if not (isinstance(c, (list, tuple)) and len(c) == 2 and c[0] in eps and c[1] in scheme.partner_ids):
            raise _fail("reunion_cells", "must be a list of [episode, partner] cells")
    if not isinstance(s.get("composites", {}), dict):
        raise _fail("composites", "must be an object of name -> definition")
