"""The coding scheme as data: episodes, scales, D indices, classifications, behaviours.

Schemes are JSON files (``resources/schemes/*.json``, shipped inside the package); a lab makes
its own by copying one and editing it. ``load_scheme`` validates everything
and names the key that is wrong, so a broken file never half-loads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ssp_coder.errors import SchemeError
from ssp_coder.shipped import shipped_folder

DEFAULT_SCHEME_ID = "ssp-infant-v1"
EPISODE_KINDS = ("introduction", "preseparation", "separation", "reunion")
EVENT_KINDS = ("point", "state")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


@dataclass(frozen=True)
class Episode:
    number: int
    name: str
    nominal_s: float
    present: tuple[str, ...]
    kind: str
    boundary_rule: str

    @property
    def is_reunion(self) -> bool:
        return self.kind == "reunion"

    @property
    def is_separation(self) -> bool:
        return self.kind == "separation"


@dataclass(frozen=True)
class Partner:
    id: str
    name: str


@dataclass(frozen=True)
class Scale:
    id: str
    name: str
    min: float
    max: float
    step: float
    description: str
    cells: tuple[tuple[int, str], ...]
    required: tuple[tuple[int, str], ...]

    def rates(self, episode: int, partner: str) -> bool:
        return (episode, partner) in self.cells

    def valid_value(self, value: float) -> bool:
        if not (self.min <= value <= self.max):
            return False
        steps = (value - self.min) / self.step
        return abs(steps - round(steps)) < 1e-9

    def column(self, episode: int, partner: str) -> str:
        return f"{self.id}_e{episode}_{partner}"


@dataclass(frozen=True)
class DIndexGroup:
    group: str
    name: str
    description: str


@dataclass(frozen=True)
class RatingRange:
    min: float
    max: float
    step: float
    anchors: Mapping[str, str]

    def valid_value(self, value: float) -> bool:
        if not (self.min <= value <= self.max):
            return False
        steps = (value - self.min) / self.step
        return abs(steps - round(steps)) < 1e-9


@dataclass(frozen=True)
class ClassificationCode:
    code: str
    group: str
    name: str
    requires_forced_secondary: bool = False


@dataclass(frozen=True)
class Behaviour:
    code: str
    name: str
    kind: str
    key: str
    color: str

    @property
    def is_state(self) -> bool:
        return self.kind == "state"


@dataclass(frozen=True)
class Scheme:
    id: str
    name: str
    version: int
    description: str
    partners: tuple[Partner, ...]
    episodes: tuple[Episode, ...]
    scales: tuple[Scale, ...]
    d_indices: tuple[DIndexGroup, ...]
    d_rating: RatingRange
    classifications: tuple[ClassificationCode, ...]
    forced_secondary: tuple[str, ...]
    behaviours: tuple[Behaviour, ...]
    settings: Mapping[str, Any]
    setting_notes: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # -- look-ups -------------------------------------------------------------
    def episode(self, number: int) -> Episode:
        for ep in self.episodes:
            if ep.number == number:
                return ep
        raise KeyError(number)

    @property
    def episode_numbers(self) -> tuple[int, ...]:
        return tuple(ep.number for ep in self.episodes)

    def scale(self, scale_id: str) -> Scale:
        for sc in self.scales:
            if sc.id == scale_id:
                return sc
        raise KeyError(scale_id)

    def behaviour(self, code: str) -> Behaviour:
        # Looked up once per event by imports and scoring: an index, built on first use (the scheme is frozen).
        index = self.__dict__.get("_behaviour_index")
        if index is None:
            index = {}
            for b in self.behaviours:
                index.setdefault(b.code, b)
            object.__setattr__(self, "_behaviour_index", index)
        return index[code]

    def classification(self, code: str) -> ClassificationCode:
        for c in self.classifications:
            if c.code == code:
                return c
        raise KeyError(code)

    @property
    def classification_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.classifications)

    def forced_group(self, forced: str | None) -> str | None:
        """The main category (A, B, C) of a forced secondary given as a subgroup (B3) or as the category itself (B)."""
        if not forced:
            return None
        for c in self.classifications:
            if c.code == forced:
                return c.group
        return forced if forced in self.forced_secondary else None

    @property
    def d_groups(self) -> tuple[str, ...]:
        return tuple(g.group for g in self.d_indices)

    @property
    def partner_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.partners)

    def scale_cells(self) -> list[tuple[Scale, int, str]]:
        """Every rated (scale, episode, partner) cell, in scheme order."""
        return [(sc, ep, pa) for sc in self.scales for ep, pa in sc.cells]

    def to_json(self) -> str:
        return json.dumps(dict(self.raw), indent=2, ensure_ascii=False)


# -- loading -----------------------------------------------------------------

def builtin_scheme_ids() -> list[str]:
    folder = shipped_folder("schemes")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def load_builtin_scheme(scheme_id: str = DEFAULT_SCHEME_ID) -> Scheme:
    ref = shipped_folder("schemes") / f"{scheme_id}.json"
    if not ref.is_file():
        raise SchemeError(
            f"There is no built-in coding scheme called {scheme_id!r}. "
            f"Built-in schemes: {', '.join(builtin_scheme_ids())}."
        )
    return scheme_from_json(ref.read_text(encoding="utf-8"), origin=f"built-in scheme {scheme_id}")


def load_scheme(path: str | Path) -> Scheme:
    """Load a scheme from a JSON file (a lab's own copy)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemeError(f"Cannot read the coding scheme {p}: {exc.strerror or exc}.") from None
    return scheme_from_json(text, origin=str(p))


def scheme_from_json(text: str, *, origin: str = "scheme") -> Scheme:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemeError(
            f"{origin}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    return scheme_from_dict(data, origin=origin)


class _Reader:
    """Reads keys from the raw dict, naming the key path in every error."""

    def __init__(self, origin: str):
        self.origin = origin

    def fail(self, path: str, what: str) -> SchemeError:
        return SchemeError(f"{self.origin}: key '{path}' {what}. Fix the scheme file and load it again.")

    def get(self, obj: Any, key: str, path: str, typ: type | tuple[type, ...], *, default: Any = ...) -> Any:
        if not isinstance(obj, dict):
            raise self.fail(path.rsplit(".", 1)[0] or path, "must be an object")
        if key not in obj:
            if default is not ...:
                return default
            raise self.fail(f"{path}", "is missing")
        value = obj[key]
        if typ is float:
            typ = (int, float)
        if isinstance(value, bool) and typ in (int, (int, float)):
            raise self.fail(path, "must be a number, not true/false")
        if not isinstance(value, typ):
            names = typ.__name__ if isinstance(typ, type) else " or ".join(t.__name__ for t in typ)
            raise self.fail(path, f"must be of type {names} (found {type(value).__name__})")
        return value


def scheme_from_dict(data: Mapping[str, Any], *, origin: str = "scheme") -> Scheme:
    r = _Reader(origin)
    if not isinstance(data, dict):
        raise SchemeError(f"{origin}: the scheme must be a JSON object.")
    sid = r.get(data, "id", "id", str)
    name = r.get(data, "name", "name", str)
    version = r.get(data, "version", "version", int)

    partners = []
    for i, p in enumerate(r.get(data, "partners", "partners", list)):
        partners.append(Partner(r.get(p, "id", f"partners[{i}].id", str), r.get(p, "name", f"partners[{i}].name", str)))
    partner_ids = {p.id for p in partners}
    if not partners:
        raise r.fail("partners", "must list at least one partner")

    episodes = []
    for i, e in enumerate(r.get(data, "episodes", "episodes", list)):
        path = f"episodes[{i}]"
        kind = r.get(e, "kind", f"{path}.kind", str)
        if kind not in EPISODE_KINDS:
            raise r.fail(f"{path}.kind", f"must be one of {', '.join(EPISODE_KINDS)} (found {kind!r})")
        nominal = float(r.get(e, "nominal_s", f"{path}.nominal_s", float))
        if nominal <= 0:
            raise r.fail(f"{path}.nominal_s", "must be a positive number of seconds")
        episodes.append(Episode(
            number=r.get(e, "number", f"{path}.number", int),
            name=r.get(e, "name", f"{path}.name", str),
            nominal_s=nominal,
            present=tuple(r.get(e, "present", f"{path}.present", list)),
            kind=kind,
            boundary_rule=r.get(e, "boundary_rule", f"{path}.boundary_rule", str, default=""),
        ))
    numbers = [e.number for e in episodes]
    if not episodes or numbers != list(range(1, len(numbers) + 1)):
        raise r.fail("episodes", f"must be numbered 1, 2, 3, ... in order (found {numbers})")
    ep_set = set(numbers)

    def cells(raw: Any, path: str) -> tuple[tuple[int, str], ...]:
        if not isinstance(raw, list):
            raise r.fail(path, "must be a list of [episode, partner] pairs")
        out = []
        for j, c in enumerate(raw):
            if (not isinstance(c, list) or len(c) != 2 or not isinstance(c[0], int)
                    or isinstance(c[0], bool) or not isinstance(c[1], str)):
                raise r.fail(f"{path}[{j}]", "must be an [episode number, partner id] pair such as [5, \"m\"]")
            if c[0] not in ep_set:
                raise r.fail(f"{path}[{j}]", f"names episode {c[0]}, which the scheme does not have")
            if c[1] not in partner_ids:
                raise r.fail(f"{path}[{j}]", f"names partner {c[1]!r}; partners are {sorted(partner_ids)}")
            out.append((c[0], c[1]))
        if len(set(out)) != len(out):
            raise r.fail(path, "lists the same cell twice")
        return tuple(out)

    scales = []
    for i, s in enumerate(r.get(data, "scales", "scales", list)):
        path = f"scales[{i}]"
        lo = float(r.get(s, "min", f"{path}.min", float))
        hi = float(r.get(s, "max", f"{path}.max", float))
        step = float(r.get(s, "step", f"{path}.step", float, default=1))
        if not lo < hi:
            raise r.fail(f"{path}.max", "must be greater than min")
        if step <= 0:
            raise r.fail(f"{path}.step", "must be positive")
        sc_cells = cells(r.get(s, "cells", f"{path}.cells", list), f"{path}.cells")
        req = cells(r.get(s, "required", f"{path}.required", list, default=[]), f"{path}.required")
        if not set(req) <= set(sc_cells):
            raise r.fail(f"{path}.required", "lists a cell that is not among the scale's cells")
        sid_ = r.get(s, "id", f"{path}.id", str)
        if not sid_.isidentifier() or sid_ != sid_.lower():
            raise r.fail(f"{path}.id", "must be a short lower-case name such as 'ps' (it becomes part of column names)")
        scales.append(Scale(sid_, r.get(s, "name", f"{path}.name", str), lo, hi, step,
                            r.get(s, "description", f"{path}.description", str, default=""), sc_cells, req))
    if len({s.id for s in scales}) != len(scales):
        raise r.fail("scales", "uses the same id twice")

    d_indices = []
    for i, g in enumerate(r.get(data, "d_indices", "d_indices", list)):
        path = f"d_indices[{i}]"
        d_indices.append(DIndexGroup(r.get(g, "group", f"{path}.group", str), r.get(g, "name", f"{path}.name", str),
                                     r.get(g, "description", f"{path}.description", str, default="")))
    if len({g.group for g in d_indices}) != len(d_indices):
        raise r.fail("d_indices", "uses the same group twice")

    dr = r.get(data, "d_rating", "d_rating", dict)
    d_rating = RatingRange(float(r.get(dr, "min", "d_rating.min", float)), float(r.get(dr, "max", "d_rating.max", float)),
                           float(r.get(dr, "step", "d_rating.step", float, default=1)),
                           dict(r.get(dr, "anchors", "d_rating.anchors", dict, default={})))
    if not d_rating.min < d_rating.max:
        raise r.fail("d_rating.max", "must be greater than d_rating.min")

    classes = []
    for i, c in enumerate(r.get(data, "classifications", "classifications", list)):
        path = f"classifications[{i}]"
        classes.append(ClassificationCode(
            r.get(c, "code", f"{path}.code", str), r.get(c, "group", f"{path}.group", str),
            r.get(c, "name", f"{path}.name", str),
            bool(r.get(c, "requires_forced_secondary", f"{path}.requires_forced_secondary", bool, default=False))))
    codes = [c.code for c in classes]
    if len(set(codes)) != len(codes):
        raise r.fail("classifications", "uses the same code twice")
    forced = _forced_secondary(r, data, classes)

    behaviours = []
    keys_seen: dict[str, str] = {}
    for i, b in enumerate(r.get(data, "behaviours", "behaviours", list)):
        path = f"behaviours[{i}]"
        kind = r.get(b, "kind", f"{path}.kind", str)
        if kind not in EVENT_KINDS:
            raise r.fail(f"{path}.kind", f"must be 'point' or 'state' (found {kind!r})")
        code = r.get(b, "code", f"{path}.code", str)
        key = r.get(b, "key", f"{path}.key", str, default="")
        if key:
            if key.lower() in keys_seen:
                raise r.fail(f"{path}.key", f"{key!r} is already the key of {keys_seen[key.lower()]!r}")
            keys_seen[key.lower()] = code
        behaviours.append(Behaviour(code, r.get(b, "name", f"{path}.name", str), kind, key,
                                    r.get(b, "color", f"{path}.color", str, default="#888888")))
    if len({b.code for b in behaviours}) != len(behaviours):
        raise r.fail("behaviours", "uses the same code twice")

    settings = dict(r.get(data, "settings", "settings", dict, default={}))
    _validate_settings(settings, r, scales, ep_set, partner_ids)

    return Scheme(
        id=sid, name=name, version=version, description=r.get(data, "description", "description", str, default=""),
        partners=tuple(partners), episodes=tuple(episodes), scales=tuple(scales), d_indices=tuple(d_indices),
        d_rating=d_rating, classifications=tuple(classes), forced_secondary=forced, behaviours=tuple(behaviours),
        settings=settings, setting_notes=dict(data.get("setting_notes", {}) or {}),
        sources=dict(data.get("sources", {}) or {}), raw=dict(data),
    )


SETTING_DEFAULTS: dict[str, Any] = {
    "d_cutoff": 5,
    "cc_handling": "D",
    "unclassifiable_handling": "D",
    "interval_s": 15,
    "prorate": True,
    "prorate_to_s": 180,
    "episode_length_tolerance": 0.5,
    "profile_high": 5,
    "profile_low": 3,
    "double_coding_share": 0.25,
    "certification_pass": 0.8,
    "backup_keep": 10,
    "backup_interval_min": 5,
    "timepoints": ["pre", "post", "follow-up"],
    "composites": {},
}


def _forced_secondary(r: _Reader, data: Mapping[str, Any], classes: list[ClassificationCode]) -> tuple[str, ...]:
    """The forced secondary choices: main categories (A, B, C) first, then subgroups (A1 ... C2).

    Many labs record a D infant's best fit as a main category only ("D/B"), so the
    main category of every listed subgroup is always offered, also for scheme
    files written before that was allowed (they list the subgroups only).
    """
    raw = r.get(data, "forced_secondary", "forced_secondary", list)
    by_code = {c.code: c for c in classes}
    # a main category is the group of an organized code that is not itself a code (A, B, C; not D, CC, U)
    organized = {c.group for c in classes if not c.requires_forced_secondary and c.group not in by_code}
    groups: list[str] = []
    codes: list[str] = []
    for j, f in enumerate(raw):
        if not isinstance(f, str):
            raise r.fail(f"forced_secondary[{j}]", "must be a text")
        if f in by_code:
            if by_code[f].requires_forced_secondary:
                raise r.fail(f"forced_secondary[{j}]", f"names {f!r}, which itself needs a forced secondary")
            codes.append(f)
        elif f in organized:
            groups.append(f)
        else:
            raise r.fail(f"forced_secondary[{j}]", f"names {f!r}, which is neither a classification code nor the "
                                                   "main category of one")
    for f in codes:
        g = by_code[f].group
        if g in organized and g not in groups:
            groups.append(g)
    return tuple(dict.fromkeys(groups + codes))


def _validate_settings(settings: dict, r: _Reader, scales: list[Scale], episodes: set[int], partners: set[str]) -> None:
    for key, default in SETTING_DEFAULTS.items():
        settings.setdefault(key, default)
    for key in ("d_cutoff", "interval_s", "prorate_to_s", "episode_length_tolerance", "profile_high",
                "profile_low", "double_coding_share", "certification_pass", "backup_interval_min"):
        v = settings[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            raise r.fail(f"settings.{key}", "must be a non-negative number")
    if settings["interval_s"] <= 0:
        raise r.fail("settings.interval_s", "must be positive")
    if not 0 < settings["double_coding_share"] <= 1:
        raise r.fail("settings.double_coding_share", "must be between 0 and 1")
    if settings["cc_handling"] not in ("D", "CC", "missing"):
        raise r.fail("settings.cc_handling", "must be 'D', 'CC' or 'missing'")
    if settings["unclassifiable_handling"] not in ("D", "U", "missing"):
        raise r.fail("settings.unclassifiable_handling", "must be 'D', 'U' or 'missing'")
    if not isinstance(settings["timepoints"], list) or not all(isinstance(t, str) and t for t in settings["timepoints"]):
        raise r.fail("settings.timepoints", "must be a list of labels")
    if not isinstance(settings["composites"], dict):
        raise r.fail("settings.composites", "must be an object of name -> definition")
    scale_ids = {s.id: s for s in scales}
    for name, comp in settings["composites"].items():
        path = f"settings.composites.{name}"
        if not isinstance(comp, dict):
            raise r.fail(path, "must be an object with 'scale', 'cells' and 'op'")
        sc = comp.get("scale")
        if sc not in scale_ids:
            raise r.fail(f"{path}.scale", f"names {sc!r}, which is not a scale of this scheme")
        if comp.get("op", "mean") not in ("mean", "sum", "max", "min"):
            raise r.fail(f"{path}.op", "must be mean, sum, max or min")
        for j, c in enumerate(comp.get("cells", [])):
            if not (isinstance(c, list) and len(c) == 2 and tuple(c) in scale_ids[sc].cells):
                raise r.fail(f"{path}.cells[{j}]", f"must be an [episode, partner] cell that scale {sc!r} rates")
        if not comp.get("cells"):
            raise r.fail(f"{path}.cells", "must list at least one cell")
