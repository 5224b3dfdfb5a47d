"""The machine-readable variable catalogue: every column ``score()`` produces, in order.

The codebook (export) and the docs are built from this, and both scoring
paths take their column order from it, so a column cannot exist without a
description.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ssp_coder.domain.scheme import Scheme


@dataclass(frozen=True)
class VariableInfo:
    name: str
    label: str
    type: str                      # categorical | binary | continuous | count | text
    unit: str
    values: dict | None
    source: str
    settings_used: tuple[str, ...]


_BIN = {1: "yes", 0: "no"}


def behaviour_codes(scheme: Scheme) -> tuple[list[str], list[str]]:
    """(all behaviour codes, state behaviour codes), in scheme order."""
    return [b.code for b in scheme.behaviours], [b.code for b in scheme.behaviours if b.is_state]


def cry_enabled(scheme: Scheme, settings: Mapping[str, Any]) -> bool:
    code = settings.get("cry_code")
    return any(b.code == code and b.is_state for b in scheme.behaviours)


def approach_enabled(scheme: Scheme, settings: Mapping[str, Any]) -> bool:
    code = settings.get("approach_code")
    return any(b.code == code for b in scheme.behaviours)


def session_id_infos() -> list[VariableInfo]:
    t = lambda n, lab, src: VariableInfo(n, lab, "text", "", None, src, ())  # noqa: E731
    return [
        t("participant_id", "Participant identifier (roster)", "participants.external_id"),
        t("timepoint", "Assessment timepoint", "sessions.timepoint"),
        t("arm", "Trial arm", "participants.arm"),
        t("site", "Site", "participants.site"),
        VariableInfo("session_id", "Session number in the project", "count", "", None, "sessions.id", ()),
        VariableInfo("coding_id", "Coding the row was scored from (empty: no final coding yet)", "count", "", None,
                     "codings.id", ()),
        t("coder", "Coder of that coding", "coders.name"),
        VariableInfo("source", "Which coding is final", "categorical", "",
                     {"consensus": "consensus coding", "primary": "primary coder's completed coding"},
                     "complete consensus coding if any, else complete primary coding", ()),
    ]


def coding_id_infos() -> list[VariableInfo]:
    return [
        VariableInfo("coding_id", "Coding", "count", "", None, "codings.id", ()),
        VariableInfo("session_id", "Session number in the project", "count", "", None, "sessions.id", ()),
        VariableInfo("coder", "Coder", "text", "", None, "coders.name", ()),
        VariableInfo("purpose", "Purpose of the coding", "categorical", "",
                     {p: p for p in ("primary", "reliability", "consensus", "training")}, "codings.purpose", ()),
        VariableInfo("status", "Status of the coding", "categorical", "", {"draft": "draft", "complete": "complete"},
                     "codings.status", ()),
    ]


def variable_infos(scheme: Scheme, settings: Mapping[str, Any]) -> list[VariableInfo]:
    """The derived variables (everything after the identifier columns)."""
    out: list[VariableInfo] = []
    add = out.append
    codes = scheme.classification_codes
    groups = sorted({c.group for c in scheme.classifications if c.group not in ("CC", "U")})
    collapse = ("cc_handling", "unclassifiable_handling")
    add(VariableInfo("classification", "Coder's classification, D with its forced secondary as D/xx", "categorical",
                     "", {c: scheme.classification(c).name for c in codes}, "results.classification + forced_secondary",
                     ()))
    abcd_values = {g: g for g in groups}
    if settings.get("cc_handling") == "CC":
        abcd_values["CC"] = "cannot classify"
    if settings.get("unclassifiable_handling") == "U":
        abcd_values["U"] = "unclassifiable"
    add(VariableInfo("abcd", "Four-way classification (subgroups collapsed)", "categorical", "", abcd_values,
                     "group of the classification; CC and U per settings", collapse))
    add(VariableInfo("abcd_subgroup", "Classification code as given (A1 ... C2, D, CC, U); a D coding's forced "
                     "secondary is never filled in here, so no subgroup is invented for D/B", "categorical", "",
                     {c: scheme.classification(c).name for c in codes}, "results.classification", ()))
    # subgroups first, so their numeric codes in SPSS/Stata files stay what they were before main categories
    # were allowed (A1 = 1 ... C2 = 8; then A, B, C)
    forced_order = sorted(scheme.forced_secondary, key=lambda c: c not in scheme.classification_codes)
    add(VariableInfo("forced_secondary", "Forced best-fitting organized classification of a D coding: a subgroup "
                     "(A1 ... C2), or the main category alone (A, B, C) when only that was recorded", "categorical",
                     "", {c: c for c in forced_order}, "results.forced_secondary", ()))
    add(VariableInfo("abc_forced", "Three-way ABC, D replaced by the main category of its forced secondary (D/B3 and "
                     "D/B both count as B)", "categorical",
                     "", {g: g for g in groups if g != "D"}, "abcd, or main category of forced_secondary when D",
                     collapse))
    add(VariableInfo("secure", "Secure (B) versus insecure", "binary", "", {1: "secure", 0: "insecure"},
                     "1 if abcd = B; missing when abcd is missing", collapse))
    add(VariableInfo("disorganized", "Disorganized (D) versus organized", "binary", "",
                     {1: "disorganized", 0: "organized"}, "1 if abcd = D; missing when abcd is missing", collapse))
    add(VariableInfo("cc", "Classified cannot classify (CC)", "binary", "", _BIN,
                     "1 if the classification is CC; missing when not classified", ()))
    add(VariableInfo("d_rating", "Disorganization rating", "continuous", "points",
                     {k: v for k, v in scheme.d_rating.anchors.items()} or None, "results.d_rating", ()))
    add(VariableInfo("d_high", "D rating at or above the cut-off", "binary", "", {1: "high", 0: "not high"},
                     "d_rating >= d_cutoff", ("d_cutoff",)))
    add(VariableInfo("d_index_count", "Number of D-index marks", "count", "marks", None,
                     "D-index marks from the start of episode 1 to the end of the last episode", ()))
    for g in scheme.d_indices:
        add(VariableInfo(f"d_index_{g.group}", f"D-index marks, group {g.group} ({g.name})", "count", "marks",
                         None, "D-index marks in the scored span", ()))
    for sc, ep, pa in scheme.scale_cells():
        add(VariableInfo(sc.column(ep, pa), f"{sc.name}, episode {ep}, toward {_partner(scheme, pa)}",
                         "continuous", f"points ({sc.min:g}-{sc.max:g})", None, "scale_ratings", ()))
    for name, comp in (settings.get("composites") or {}).items():
        cells = ", ".join(f"e{c[0]}_{c[1]}" for c in comp["cells"])
        add(VariableInfo(name, f"{comp.get('op', 'mean')} of {comp['scale'].upper()} over {cells}", "continuous",
                         "points", None, "scale cells; missing if any cell is missing", ("composites",)))
    for ep in scheme.episodes:
        n = ep.number
        add(VariableInfo(f"episode_{n}_s", f"Actual length of episode {n} ({ep.name})", "continuous", "s", None,
                         "episode offset - onset", ()))
        add(VariableInfo(f"curtailed_e{n}", f"Episode {n} flagged curtailed", "binary", "", _BIN, "episode flag", ()))
        add(VariableInfo(f"extended_e{n}", f"Episode {n} flagged extended", "binary", "", _BIN, "episode flag", ()))
    if cry_enabled(scheme, settings):
        for ep in scheme.episodes:
            n = ep.number
            add(VariableInfo(f"cry_intervals_e{n}", f"Intervals with crying in episode {n}, prorated if "
                             "curtailed/extended", "count", "intervals", None,
                             "intervals laid from episode onset that any crying overlaps",
                             ("cry_code", "interval_s", "prorate", "prorate_to_s")))
            add(VariableInfo(f"cry_latency_e{n}", f"Seconds from the start of episode {n} to the first crying",
                             "continuous", "s", None, "missing if no crying in the episode", ("cry_code",)))
    if approach_enabled(scheme, settings):
        for n in settings.get("approach_episodes", []):
            add(VariableInfo(f"approach_latency_e{n}", f"Seconds from the start of episode {n} to the first approach",
                             "continuous", "s", None, "missing if no approach in the episode", ("approach_code",)))
    all_codes, state_codes = behaviour_codes(scheme)
    for b in scheme.behaviours:
        for ep in scheme.episodes:
            add(VariableInfo(f"{b.code}_n_e{ep.number}", f"Number of '{b.name}' events starting in episode "
                             f"{ep.number}", "count", "events", None, "events assigned by onset", ()))
        if b.is_state:
            for ep in scheme.episodes:
                add(VariableInfo(f"{b.code}_s_e{ep.number}", f"Seconds of '{b.name}' in episode {ep.number}",
                                 "continuous", "s", None, "union of closed state events clipped to the episode", ()))
    add(VariableInfo("warnings", "Consistency findings, semicolon-separated", "text", "", None,
                     "scoring checks (see docs/scoring.md)",
                     ("d_cutoff", "episode_length_tolerance", "profile_high", "heuristic_scales", "reunion_cells")))
    return out


def _partner(scheme: Scheme, pid: str) -> str:
    for p in scheme.partners:
        if p.id == pid:
            return p.name.lower()
    return pid


def variable_catalogue(scheme: Scheme, settings: Mapping[str, Any] | None = None) -> list[VariableInfo]:
    """Every column of ``score(project)``, in column order (identifiers first)."""
    from ssp_coder.scoring.settings import scoring_settings

    s = scoring_settings(scheme, settings)
    return session_id_infos() + variable_infos(scheme, s)


def variable_columns(scheme: Scheme, settings: Mapping[str, Any]) -> list[str]:
    return [v.name for v in variable_infos(scheme, settings)]
