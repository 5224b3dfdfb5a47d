"""Conferencing two codings of a session into a consensus coding.

``compare_codings`` lists every field of two codings side by side: the
classification, the forced secondary, the D rating, each scale cell, each
episode boundary, the D-index marks (as a set) and the events of each
behaviour code (as sets). ``create_consensus`` builds the consensus coding
from chosen values -- either coding's, or a value typed in -- through domain
commands in one transaction (so it is audited like any coding), and records
for every field who decided, why, and which coding it came from
(``consensus_sources``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from ssp_coder.domain.commands import (
    AddDIndex, AddEvent, CreateCoding, MarkComplete, SetBoundary, SetClassification, SetDRating, SetEpisodeFlag,
    SetScale,
)
from ssp_coder.domain.completeness import missing_for_completion
from ssp_coder.domain.model import CodingState
from ssp_coder.domain.times import seconds_to_ms
from ssp_coder.errors import DomainError
from ssp_coder.store import reliability_sql as sql

AGREE_REASON = "both codings agree"


@dataclass(frozen=True)
class FieldDiff:
    field: str
    label: str
    group: str          # result / scale / episode / d_indices / events
    a: Any
    b: Any

    @property
    def differs(self) -> bool:
        return self.a != self.b


@dataclass(frozen=True)
class CodingDiff:
    session_id: int
    blinded_code: str
    coding_a: int
    coding_b: int
    coder_a: str
    coder_b: str
    purpose_a: str
    purpose_b: str
    fields: tuple[FieldDiff, ...]

    def field(self, name: str) -> FieldDiff:
        for f in self.fields:
            if f.field == name:
                return f
        raise KeyError(name)

    @property
    def differing(self) -> tuple[FieldDiff, ...]:
        return tuple(f for f in self.fields if f.differs)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"field": f.field, "label": f.label, "group": f.group, "a": display(f.a),
                              "b": display(f.b), "differs": f.differs} for f in self.fields],
                            columns=["field", "label", "group", "a", "b", "differs"])

    def to_json(self) -> dict[str, Any]:
        return {"session": self.blinded_code, "a": {"coding_id": self.coding_a, "coder": self.coder_a,
                                                    "purpose": self.purpose_a},
                "b": {"coding_id": self.coding_b, "coder": self.coder_b, "purpose": self.purpose_b},
                "fields": self.to_frame().to_dict(orient="records")}


def _s(ms: int | None) -> str:
    return "-" if ms is None else f"{ms / 1000:.3f}"


def display(value: Any) -> str:
    """A field's value as text for tables (times in seconds)."""
    if value is None:
        return "-"
    if isinstance(value, frozenset):
        items = sorted(value, key=lambda v: tuple(str(x) for x in v))
        parts = []
        for it in items:
            if len(it) == 3 and isinstance(it[0], str):        # D index: (group, time, sub-item)
                parts.append(f"{it[0]}@{_s(it[1])}" + (f" ({it[2]})" if it[2] else ""))
            else:                                               # event: (onset, offset, subject)
                parts.append(_s(it[0]) + (f"-{_s(it[1])}" if it[1] is not None else "")
                             + (f" [{it[2]}]" if it[2] else ""))
        return "; ".join(parts) if parts else "(none)"
    if isinstance(value, tuple):                                # episode: (onset, offset, flag, reason)
        text = f"{_s(value[0])}-{_s(value[1])}"
        return text + (f" {value[2]}: {value[3]}" if value[2] else "")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def coding_fields(state: CodingState, scheme: Any) -> dict[str, tuple[str, str, Any]]:
    """field -> (label, group, value) for one coding, in display order."""
    out: dict[str, tuple[str, str, Any]] = {}
    r = state.result
    out["classification"] = ("Classification", "result", r.classification)
    out["forced_secondary"] = ("Forced secondary", "result", r.forced_secondary)
    out["d_rating"] = ("D rating", "result", r.d_rating)
    for ep in scheme.episodes:
        b = state.boundaries.get(ep.number)
        value = None if b is None else (b.onset_ms, b.offset_ms, b.flag, b.reason)
        out[f"episode_{ep.number}"] = (f"Episode {ep.number} boundaries", "episode", value)
    for sc, ep, partner in scheme.scale_cells():
        out[sc.column(ep, partner)] = (f"{sc.id.upper()} episode {ep} ({partner})", "scale",
                                       state.scales.get((sc.id, ep, partner)))
    out["d_indices"] = ("D-index marks", "d_indices",
                        frozenset((m.group, m.time_ms, m.sub_item) for m in state.d_indices))
    for beh in scheme.behaviours:
        out[f"events_{beh.code}"] = (f"Events: {beh.name}", "events",
                                     frozenset((e.onset_ms, e.offset_ms, e.subject) for e in state.events
                                               if e.code == beh.code))
    return out


def compare_codings(project: Any, coding_a: int, coding_b: int) -> CodingDiff:
    sa, sb = project.coding_state(coding_a), project.coding_state(coding_b)
    if sa.coding.session_id != sb.coding.session_id:
        raise DomainError("Only two codings of the same session can be compared.")
    fa, fb = coding_fields(sa, project.scheme), coding_fields(sb, project.scheme)
    fields = tuple(FieldDiff(k, lab, grp, va, fb[k][2]) for k, (lab, grp, va) in fa.items())
    names = {int(c.id): c.name for c in project.coders()}
    session = project.session(int(sa.coding.session_id))
    return CodingDiff(int(session.id), session.blinded_code, int(coding_a), int(coding_b),
                      names[int(sa.coding.coder_id)], names[int(sb.coding.coder_id)], sa.coding.purpose,
                      sb.coding.purpose, fields)


def pair_for_session(project: Any, session: str | int) -> tuple[int, int]:
    """The (primary, reliability) codings a conference compares by default."""
    s = project.session_by_code(session) if isinstance(session, str) else project.session(session)
    codings = project.codings(session_id=int(s.id))
    prim = [c for c in codings if c.purpose == "primary"]
    rel = [c for c in codings if c.purpose == "reliability"]
    if not prim or not rel:
        raise DomainError(f"Session {s.blinded_code} needs a primary and a reliability coding to be conferenced "
                          f"(it has {', '.join(c.purpose for c in codings) or 'no codings'}).")
    rel.sort(key=lambda c: (not c.is_complete, int(c.id)))
    return int(prim[0].id), int(rel[0].id)


def _empty(value: Any) -> bool:
    return value is None or value == frozenset()


def parse_value(field: str, text: str) -> Any:
    """A value typed for ``field`` (CLI ``--set field=value``); times in seconds."""
    t = text.strip()
    if t.lower() in ("", "none", "-"):
        return None
    try:
        if field in ("classification", "forced_secondary"):
            return t
        if field.startswith("episode_"):
            on, off = t.split("-", 1)
            return (seconds_to_ms(float(on)), seconds_to_ms(float(off)), None, None)
        if field in ("d_indices",) or field.startswith("events_"):
            raise DomainError(f"'{field}' is a set of marks; take it from one coding (a or b), not typed in.")
        return float(t)
    except ValueError:
        raise DomainError(f"Cannot read {t!r} as a value for '{field}' (episode boundaries: START-END in seconds, "
                          "e.g. 12.5-190.0; ratings: a number).") from None


def _commands(cid: int, values: Mapping[str, Any], scheme: Any) -> list[Any]:
    cmds: list[Any] = []
    for ep in scheme.episodes:
        v = values.get(f"episode_{ep.number}")
        if v is None:
            continue
        on, off, flag, reason = (tuple(v) + (None, None))[:4]
        if on is not None or off is not None:
            cmds.append(SetBoundary(cid, ep.number, on, off))
        if flag:
            cmds.append(SetEpisodeFlag(cid, ep.number, flag, reason))
    for sc, ep, partner in scheme.scale_cells():
        v = values.get(sc.column(ep, partner))
        if v is not None:
            cmds.append(SetScale(cid, sc.id, ep, partner, v))
    if values.get("classification") is not None:
        cmds.append(SetClassification(cid, values["classification"], values.get("forced_secondary")))
    if values.get("d_rating") is not None:
        cmds.append(SetDRating(cid, values["d_rating"]))
    for group, t, sub in sorted(values.get("d_indices") or (), key=lambda m: (m[1], m[0])):
        cmds.append(AddDIndex(cid, group, t, sub))
    for beh in scheme.behaviours:
        for on, off, subject in sorted(values.get(f"events_{beh.code}") or (), key=lambda e: (e[0], e[1] or 0)):
            cmds.append(AddEvent(cid, beh.code, on, off, subject))
    return cmds


def create_consensus(project: Any, session: str | int, *, decider: str, choices: Mapping[str, Any] | None = None,
                     reasons: Mapping[str, str] | str | None = None, base: str = "a",
                     coding_a: int | None = None, coding_b: int | None = None) -> int:
    """Create the session's consensus coding; returns its id.

    ``choices``: field -> "a", "b" or an explicit value (see ``parse_value`` for
    the forms); fields not named take ``base``'s value. ``reasons``: one text
    for every decision, or field -> text. The decider must be a person of the
    project (coder, coordinator or trainer) and becomes the consensus coding's
    coder. The coding is marked complete when nothing is missing.
    """
    if base not in ("a", "b"):
        raise DomainError("The base coding must be 'a' or 'b'.")
    who = project.coder(decider)
    if coding_a is None or coding_b is None:
        da, db = pair_for_session(project, session)
        coding_a = da if coding_a is None else coding_a
        coding_b = db if coding_b is None else coding_b
    diff = compare_codings(project, int(coding_a), int(coding_b))
    choices = dict(choices or {})
    unknown = sorted(set(choices) - {f.field for f in diff.fields})
    if unknown:
        raise DomainError(f"Unknown field(s) {', '.join(unknown)}. Fields are listed by 'ssp-coder irr diff'.")
    sources = {"a": diff.coding_a, "b": diff.coding_b}
    values: dict[str, Any] = {}
    provenance: list[tuple[str, int | None, str, str | None]] = []
    for f in diff.fields:
        choice = choices.get(f.field, base)
        src: int | None
        if isinstance(choice, str) and choice in ("a", "b"):
            values[f.field] = f.a if choice == "a" else f.b
            src = sources[choice]
        else:
            values[f.field] = parse_value(f.field, choice) if isinstance(choice, str) else choice
            src = None
        if f.field not in choices and _empty(f.a) and _empty(f.b):
            continue  # nothing to decide: neither coding has a value
        if f.field not in choices and not f.differs:
            why: str | None = AGREE_REASON
        elif isinstance(reasons, str):
            why = reasons
        else:
            why = (reasons or {}).get(f.field)
        if why is None and f.field not in choices:
            why = f"not decided separately; taken from coding {base}"
        provenance.append((f.field, src, who.name, why))
    # A forced secondary follows its classification unless decided separately: B2 never carries one.
    cls = values.get("classification")
    if "forced_secondary" not in choices:
        try:
            needs = cls is not None and project.scheme.classification(cls).requires_forced_secondary
        except KeyError:
            needs = False   # not a code of the scheme: SetClassification refuses it with a clear message
        if not needs:
            values["forced_secondary"] = None
        elif choices.get("classification") in ("a", "b"):
            values["forced_secondary"] = diff.field("forced_secondary").a if choices["classification"] == "a" \
                else diff.field("forced_secondary").b
    with project.bulk(actor=who.name) as bulk:
        applied = bulk.execute(CreateCoding(session_id=diff.session_id, coder_id=int(who.id), purpose="consensus"))
        cid = int(applied.inverse.coding_id)
        for cmd in _commands(cid, values, project.scheme):
            bulk.execute(cmd)
        sql.put_consensus_sources(bulk.conn, cid, provenance)
        bulk.audit("RecordConsensus", {"session": diff.blinded_code, "coding_a": diff.coding_a,
                                       "coding_b": diff.coding_b, "base": base, "decider": who.name,
                                       "decided": {k: (v if isinstance(v, str) else display(v))
                                                   for k, v in choices.items()},
                                       "differing": [f.field for f in diff.differing]}, coding_id=cid)
        if not missing_for_completion(bulk.uow.coding_state(cid), project.scheme):
            bulk.execute(MarkComplete(cid))
    return cid


CONFERENCE_COLUMNS = ["blinded_code", "primary_id", "reliability_id", "primary_coder", "reliability_coder",
                      "abcd_primary", "abcd_reliability", "abcd_agree", "d_rating_primary", "d_rating_reliability",
                      "has_consensus"]


def conference_list(project: Any) -> pd.DataFrame:
    """Complete reliability pairs with their ABCD and D rating side by side, disagreements first.

    The worklist of the Reliability window: which sessions still need a
    conference (``has_consensus`` False and ``abcd_agree`` False).
    """
    from ssp_coder.reliability.pairs import find_pairs
    from ssp_coder.reliability.variables import variable_table

    rows = sql.coding_rows(project)
    pairs, _ = find_pairs(project, rows)
    with_consensus = {r.session_id for r in rows if r.purpose == "consensus"}
    table = variable_table(project, [p.primary_id for p in pairs] + [p.reliability_id for p in pairs])
    out = []
    for p in pairs:
        a, b = table.loc[p.primary_id], table.loc[p.reliability_id]
        out.append({"blinded_code": p.blinded_code, "primary_id": p.primary_id, "reliability_id": p.reliability_id,
                    "primary_coder": p.primary_coder, "reliability_coder": p.reliability_coder,
                    "abcd_primary": a["abcd"], "abcd_reliability": b["abcd"],
                    "abcd_agree": bool(a["abcd"] == b["abcd"]) if not (pd.isna(a["abcd"]) or pd.isna(b["abcd"]))
                    else False,
                    "d_rating_primary": a["d_rating"], "d_rating_reliability": b["d_rating"],
                    "has_consensus": p.session_id in with_consensus})
    frame = pd.DataFrame(out, columns=CONFERENCE_COLUMNS)
    return frame.sort_values(["has_consensus", "abcd_agree", "blinded_code"], ignore_index=True)
