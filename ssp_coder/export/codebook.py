"""The codebook: every exported variable with label, type, values, unit, source
and the settings it depends on.

Scored variables are described by the scoring engine's catalogue
(``ssp_coder.scoring.catalogue.variable_catalogue``) when it is available;
names it does not know (and projects scored before it existed) are described
here from the coding scheme. Design and coding columns are described here.

Categorical text variables (abcd, abc_forced, arm, timepoint, source,
coding_status) are stored as text in xlsx/csv and as numeric codes with value
labels in SPSS/Stata; ``codes`` holds that mapping, and the codebook prints it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from ssp_coder.domain.scheme import Scheme
from ssp_coder.export import datasets as ds

CODEBOOK_COLUMNS = ("table", "variable", "label", "type", "unit", "values", "sav_dta_codes", "source",
                    "settings_used")
# Fixed numbering of abcd: CC and U keep 5 and 6 whichever of them the settings keep apart.
ABCD_ORDER = ("A", "B", "C", "D", "CC", "U")
ABCD_LABELS = {"A": "A avoidant", "B": "B secure", "C": "C resistant/ambivalent", "D": "D disorganized",
               "CC": "CC cannot classify", "U": "U unclassifiable"}
NO_YES = {0: "no", 1: "yes"}


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    type: str                                      # categorical | binary | continuous | count | text | date | id
    unit: str = ""
    values: tuple[tuple[Any, str], ...] = ()       # (value as stored in xlsx/csv, label)
    codes: tuple[tuple[str, int], ...] = ()        # text category -> numeric code in sav/dta
    source: str = ""
    settings_used: str = ""
    table: str = "long"

    def value_labels(self) -> dict[float, str]:
        """Numeric value -> label, as written to SPSS/Stata."""
        if self.codes:
            names = dict(self.values)
            return {float(code): str(names.get(text, text)) for text, code in self.codes}
        return {float(v): str(lab) for v, lab in self.values if isinstance(v, (int, float))}


@dataclass(frozen=True)
class Codebook:
    variables: tuple[Variable, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)

    def for_table(self, table: str) -> dict[str, Variable]:
        return {v.name: v for v in self.variables if v.table == table}

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for v in self.variables:
            rows.append({
                "table": v.table, "variable": v.name, "label": v.label, "type": v.type, "unit": v.unit,
                "values": "; ".join(f"{val} = {lab}" for val, lab in v.values),
                "sav_dta_codes": "; ".join(f"{code} = {text}" for text, code in v.codes),
                "source": v.source, "settings_used": v.settings_used,
            })
        return pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS))


def _coded(values: Sequence[str], labels: Mapping[str, str] | None = None,
           numbering: Sequence[str] | None = None) -> dict[str, Any]:
    """Values with their SPSS/Stata codes: the position in ``numbering`` (a fixed list, so that a value
    keeps its code whichever others are present), else in ``values``."""
    labels = labels or {}
    order = list(numbering) if numbering is not None else list(values)
    order += [v for v in values if v not in order]
    return {"values": tuple((v, labels.get(v, v)) for v in values),
            "codes": tuple((v, order.index(v) + 1) for v in values)}


def abcd_categories(settings: Mapping[str, Any]) -> list[str]:
    """abcd's categories: A B C D, plus CC / U when the settings keep them apart."""
    cats = ["A", "B", "C", "D"]
    if settings.get("cc_handling") == "CC":
        cats.append("CC")
    if settings.get("unclassifiable_handling") == "U":
        cats.append("U")
    return cats


# --------------------------------------------------------------------------- #
# scored variables described from the scheme (fallback for the catalogue)
# --------------------------------------------------------------------------- #
def _partner(scheme: Scheme, pid: str) -> str:
    return next((p.name for p in scheme.partners if p.id == pid), pid)


def _episode(scheme: Scheme, n: int) -> str:
    try:
        return f"episode {n} ({scheme.episode(n).name})"
    except KeyError:
        return f"episode {n}"


def _behaviour(scheme: Scheme, code: str) -> str:
    try:
        return scheme.behaviour(code).name.lower()
    except KeyError:
        return code


def describe_scored(name: str, scheme: Scheme, settings: Mapping[str, Any]) -> Variable:
    """A codebook entry for a scoring variable, from its name and the scheme."""
    cut = settings.get("d_cutoff")
    cc = f"cc_handling={settings.get('cc_handling')}; unclassifiable_handling={settings.get('unclassifiable_handling')}"
    pro = f"prorate={settings.get('prorate')}; prorate_to_s={settings.get('prorate_to_s')}; interval_s={settings.get('interval_s')}"
    fixed: dict[str, dict[str, Any]] = {
        "abcd": dict(label="Attachment classification, four-way (ABCD)", type="categorical",
                     source="coder's classification, main group; CC and U collapsed per settings",
                     settings_used=cc, **_coded(abcd_categories(settings), ABCD_LABELS, ABCD_ORDER)),
        "abcd_subgroup": dict(label="Classification code as given (e.g. B2, D); never the forced secondary",
                              type="text", source="coder's classification"),
        "abc_forced": dict(label="Organized classification, D forced to its best-fitting A/B/C", type="categorical",
                           source="classification, or the main category of the forced secondary for D (D/B3 and "
                                  "D/B both give B)", **_coded(["A", "B", "C"], ABCD_LABELS)),
        "secure": dict(label="Secure (B)", type="binary", values=((0, "insecure"), (1, "secure")),
                       source="abcd = B", settings_used=cc),
        "disorganized": dict(label="Disorganized (D)", type="binary", values=((0, "organized"), (1, "disorganized")),
                             source="abcd = D", settings_used=cc),
        "d_rating": dict(label=f"D rating ({scheme.d_rating.min:g}-{scheme.d_rating.max:g})", type="continuous",
                         unit="scale points",
                         values=tuple((float(k), v) for k, v in scheme.d_rating.anchors.items()),
                         source="coder's 9-point disorganization rating (Main & Solomon)"),
        "d_high": dict(label=f"D rating at or above the cut-off ({cut})", type="binary",
                       values=((0, "below cut-off"), (1, "at or above cut-off")),
                       source=f"d_rating >= {cut}", settings_used=f"d_cutoff={cut}"),
        "cc": dict(label="Cannot classify (CC) as coded", type="binary", values=((0, "no"), (1, "CC")),
                   source="classification = CC"),
        "d_index_count": dict(label="Number of D-index marks", type="count", unit="marks",
                              source="D-index marks in the coding, all groups"),
        "warnings": dict(label="Scoring warnings", type="text", source="consistency checks of the scoring engine"),
    }
    if name in fixed:
        return Variable(name=name, **fixed[name])
    m = re.fullmatch(r"d_index_([IVX]+)", name)
    if m:
        g = next((x.name for x in scheme.d_indices if x.group == m[1]), m[1])
        return Variable(name, f"D-index marks, group {m[1]} ({g})", "count", "marks", source=f"D-index group {m[1]}")
    m = re.fullmatch(r"([a-z]+)_e(\d+)_([a-z]+)", name)
    if m and m[1] in {sc.id for sc in scheme.scales}:
        sc = scheme.scale(m[1])
        return Variable(name, f"{sc.name}, {_episode(scheme, int(m[2]))}, to {_partner(scheme, m[3]).lower()}",
                        "continuous", "scale points", source=f"scale {sc.id.upper()} ({sc.min:g}-{sc.max:g}), "
                        f"episode {m[2]}, partner {m[3]}")
    comps = settings.get("composites") or {}
    if name in comps:
        spec = comps[name]
        cells = ", ".join(f"e{e}{p}" for e, p in spec.get("cells", []))
        return Variable(name, f"{spec.get('op', 'mean').capitalize()} of {spec.get('scale', '').upper()} over {cells}",
                        "continuous", "scale points", source=f"{spec.get('op', 'mean')} of scale "
                        f"{spec.get('scale')} cells {cells}", settings_used=f"composites.{name}")
    m = re.fullmatch(r"episode_(\d+)_s", name)
    if m:
        return Variable(name, f"Length of {_episode(scheme, int(m[1]))}", "continuous", "s",
                        source="episode end - start")
    m = re.fullmatch(r"curtailed_e(\d+)", name)
    if m:
        return Variable(name, f"{_episode(scheme, int(m[1])).capitalize()} curtailed", "binary",
                        values=((0, "not curtailed"), (1, "curtailed")), source="episode flag")
    m = re.fullmatch(r"([a-z_]+?)_intervals_e(\d+)", name)
    if m:
        return Variable(name, f"15-s intervals with {_behaviour(scheme, m[1])}, {_episode(scheme, int(m[2]))}",
                        "count", "intervals", source=f"event {m[1]}, interval coding", settings_used=pro)
    m = re.fullmatch(r"([a-z_]+?)_latency_e(\d+)", name)
    if m:
        return Variable(name, f"Latency to {_behaviour(scheme, m[1])}, {_episode(scheme, int(m[2]))}", "continuous",
                        "s", source=f"first {m[1]} onset - episode start")
    m = re.fullmatch(r"([a-z_]+?)_(s|n|count)_e(\d+)", name)
    if m:
        what = "Seconds of" if m[2] == "s" else "Number of"
        return Variable(name, f"{what} {_behaviour(scheme, m[1])}, {_episode(scheme, int(m[3]))}",
                        "continuous" if m[2] == "s" else "count", "s" if m[2] == "s" else "events",
                        source=f"events {m[1]}")
    return Variable(name, name.replace("_", " "), "continuous", source="scoring engine")


def _from_catalogue(info: Any, scheme: Scheme, settings: Mapping[str, Any]) -> Variable:
    """Turn a scoring ``VariableInfo`` into a codebook entry; categorical text
    values get numeric codes for SPSS/Stata."""
    fallback = describe_scored(info.name, scheme, settings)
    values: tuple = ()
    codes: tuple = ()
    raw = getattr(info, "values", None) or {}
    kind = getattr(info, "type", "") or fallback.type
    if raw and kind == "categorical" and all(isinstance(k, str) for k in raw):
        values = tuple((k, str(raw[k])) for k in raw)
        # Keep this module's codes (A=1 ... D=4) where they cover the catalogue's values; otherwise the
        # catalogue's fixed value table (from the scheme) numbers them, the same in every export.
        codes = fallback.codes if {t for t, _ in fallback.codes} >= set(raw) else \
            tuple((k, i) for i, k in enumerate(raw, start=1))
    elif raw:
        def num(k: Any) -> Any:
            try:
                return float(k) if isinstance(k, str) else k
            except ValueError:
                return k
        values = tuple(sorted(((num(k), str(v)) for k, v in raw.items()), key=lambda kv: str(kv[0]) if
                              isinstance(kv[0], str) else f"{kv[0]:020.6f}"))
    else:
        values, codes = fallback.values, fallback.codes
    used = getattr(info, "settings_used", "") or ""
    if not isinstance(used, str):
        used = "; ".join(f"{k}={settings.get(k)}" for k in used) if not isinstance(used, Mapping) else \
            "; ".join(f"{k}={v}" for k, v in used.items())
    return Variable(name=info.name, label=getattr(info, "label", "") or fallback.label,
                    type=kind, unit=getattr(info, "unit", "") or fallback.unit,
                    values=values, codes=codes, source=getattr(info, "source", "") or fallback.source,
                    settings_used=used or fallback.settings_used)


def scored_catalogue(scheme: Scheme, settings: Mapping[str, Any]) -> dict[str, Variable]:
    """The scoring engine's catalogue as codebook entries ({} when it is not available)."""
    try:
        from ssp_coder.scoring.catalogue import variable_catalogue
    except ImportError:
        return {}
    return {info.name: _from_catalogue(info, scheme, settings) for info in variable_catalogue(scheme, settings)}


# --------------------------------------------------------------------------- #
# design and coding columns
# --------------------------------------------------------------------------- #
def arm_order(long: pd.DataFrame) -> list[str]:
    """Arms in the order they first came into the project (by session number): an arm added later gets
    the next code and never renumbers the others."""
    if "arm" not in long:
        return []
    rows = long[["arm"]].assign(_order=long["session_id"] if "session_id" in long else range(len(long)))
    rows = rows.dropna(subset=["arm"]).sort_values("_order", kind="stable")
    return list(dict.fromkeys(str(a) for a in rows["arm"]))


def design_variables(long: pd.DataFrame, timepoints: Sequence[str]) -> dict[str, Variable]:
    arms = arm_order(long)
    entries = [
        Variable("participant_id", "Participant ID (roster)", "id", source="roster"),
        Variable("arm", "Trial arm (unblinded)", "categorical",
                 source="roster; codes in the order the arms first came into the project", **_coded(arms)),
        Variable("site", "Site", "text", source="roster"),
        Variable("age_months", "Child's age at enrolment", "continuous", "months", source="roster"),
        Variable("sex", "Child's sex", "text", source="roster"),
        Variable("timepoint", "Timepoint (unblinded)", "categorical", source="roster; order from settings.timepoints",
                 settings_used="timepoints", **_coded(list(timepoints))),
        Variable("session_id", "Session number in the project file", "id", source="project"),
        Variable("blinded_code", "Blinded session code seen by coders", "text", source="project"),
        Variable("date_of_visit", "Date of the SSP visit (YYYY-MM-DD)", "date", source="roster"),
        Variable("session_age_months", "Child's age at this SSP", "continuous", "months", source="roster"),
        Variable("coding_status", "Status of the session's final coding", "categorical",
                 source="complete: a completed consensus or primary coding exists; in progress: coded but not "
                        "complete; not coded: no coding yet, or assigned with nothing entered. Scored variables are "
                        "empty unless complete.",
                 **_coded(list(ds.CODING_STATUSES))),
        Variable("source", "Which coding the scores come from", "categorical",
                 source="consensus coding if completed, else the primary coding",
                 **_coded(["consensus", "primary"], {"consensus": "consensus coding", "primary": "primary coding"})),
        Variable("coding_id", "Coding number in the project file", "id", source="project"),
        Variable("coder", "Coder of the final coding", "text", source="project"),
        Variable("n_independent_codings", "Completed independent codings (primary + reliability)", "count",
                 "codings", source="project"),
        Variable("double_coded", "Double-coded (2 or more completed independent codings)", "binary",
                 values=((0, "no"), (1, "yes")), source="n_independent_codings >= 2"),
    ]
    out = {v.name: v for v in entries}
    for extra in long.attrs.get("roster_extra", []):
        out[extra] = Variable(extra, f"Roster column {extra}", "text", source="roster (extra column)")
    return out


def _cover_data(v: Variable, column: pd.Series) -> Variable:
    """Give a numeric code to any category the data hold that the codebook lacks
    (so SPSS/Stata never lose a value)."""
    if not v.codes:
        return v
    have = {t for t, _ in v.codes}
    extra = sorted(set(column.dropna().astype(str)) - have - {""})
    if not extra:
        return v
    start = max(c for _, c in v.codes) + 1
    return Variable(**{**v.__dict__, "values": v.values + tuple((e, e) for e in extra),
                       "codes": v.codes + tuple((e, start + i) for i, e in enumerate(extra))})


def _suffixed(v: Variable, name: str, tp: str) -> Variable:
    return Variable(name=name, label=f"{v.label} - {tp}", type=v.type, unit=v.unit, values=v.values, codes=v.codes,
                    source=v.source, settings_used=v.settings_used, table="wide")


_CHANGE = {
    "secure": ((-1, "secure to insecure"), (0, "no change"), (1, "insecure to secure")),
    "disorganized": ((-1, "disorganized to organized"), (0, "no change"), (1, "organized to disorganized")),
}


def build_codebook(long: pd.DataFrame, wide: pd.DataFrame | None, scheme: Scheme, settings: Mapping[str, Any],
                   catalogue: Mapping[str, Variable] | None = None) -> Codebook:
    """Codebook entries for every column of ``long`` and (if given) ``wide``."""
    timepoints = list(long.attrs.get("timepoints") or ds.order_timepoints(long["timepoint"]))
    catalogue = scored_catalogue(scheme, settings) if catalogue is None else catalogue
    known = design_variables(long, timepoints)

    def entry(name: str) -> Variable:
        if name in known:
            return known[name]
        if name in catalogue:
            return catalogue[name]
        return describe_scored(name, scheme, settings)

    long_vars = [_cover_data(entry(c), long[c]) for c in long.columns]
    variables = list(long_vars)
    if wide is not None:
        by_name = {v.name: v for v in long_vars}
        per_session = wide.attrs.get("per_session", [])
        tps = wide.attrs.get("timepoints", timepoints)
        suffixed = {f"{c}_{ds.timepoint_suffix(tp)}": (c, tp) for c in per_session for tp in tps}
        base = tps[0] if tps else ""
        for col in wide.columns:
            if col in suffixed:
                c, tp = suffixed[col]
                variables.append(_suffixed(by_name[c], col, tp))
            elif col in by_name:
                v = by_name[col]
                variables.append(Variable(**{**v.__dict__, "table": "wide"}))
            else:
                m = re.fullmatch(r"(.+)_change(?:_(.+))?", col)
                var = m[1] if m else col
                later = m[2] if m and m[2] else (tps[1] if len(tps) > 1 else "")
                unit = by_name[var].unit if var in by_name else ""
                values = _CHANGE.get(var, ())
                variables.append(Variable(
                    col, f"Change in {var} from {base} to {later}", "categorical" if values else "continuous", unit,
                    values=values, source=f"{var}_{ds.timepoint_suffix(later)} - {var}_{ds.timepoint_suffix(base)}; "
                                          "empty when either is missing", table="wide"))
    return Codebook(tuple(variables), dict(settings))


def settings_frame(settings: Mapping[str, Any], meta: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Key/value table of the export's provenance and every setting in force."""
    rows: list[tuple[str, str]] = [(str(k), str(v)) for k, v in (meta or {}).items()]
    for k in sorted(settings):
        v = settings[k]
        rows.append((f"setting.{k}", v if isinstance(v, str) else json.dumps(v, sort_keys=True)))
    return pd.DataFrame(rows, columns=["key", "value"])


def iter_value_labels(variables: Iterable[Variable]) -> dict[str, dict[float, str]]:
    return {v.name: v.value_labels() for v in variables if v.value_labels()}
