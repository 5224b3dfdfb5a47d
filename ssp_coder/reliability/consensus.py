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
    AddDIndex, AddEvent, CreateCoding, DeleteDIndex, DeleteEvent, MarkComplete, Reopen, SetBoundary,
    SetClassification, SetDRating, SetEpisodeFlag, SetScale,
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


EventViews = Mapping[tuple[str, int, int | None, str | None], list[int | None]]


def event_views(state: CodingState) -> dict[tuple[str, int, int | None, str | None], list[int | None]]:
    """(code, onset, offset, subject) -> the camera views of the coding's events there, in event order.

    A consensus event taken from a coding keeps the view that coding recorded for it (the field values
    compare events without their view: two coders who saw the same cry from different cameras agree).
    """
    out: dict[tuple[str, int, int | None, str | None], list[int | None]] = {}
    for e in state.events:
        out.setdefault((e.code, e.onset_ms, e.offset_ms, e.subject), []).append(e.view)
    return out


def _commands(cid: int, values: Mapping[str, Any], scheme: Any,
              views: Mapping[str, EventViews] | None = None) -> list[Any]:
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
        field = f"events_{beh.code}"
        source = {k: list(v) for k, v in (views or {}).get(field, {}).items()}
        for on, off, subject in sorted(values.get(field) or (), key=lambda e: (e[0], e[1] or 0)):
            taken = source.get((beh.code, on, off, subject))
            cmds.append(AddEvent(cid, beh.code, on, off, subject, view=taken.pop(0) if taken else None))
    return cmds


class ReasonsMissing(DomainError):
    """Decisions that need a reason were given none; ``fields`` names them (field, why a reason is needed)."""

    def __init__(self, fields: list[tuple[str, str]]):
        self.fields = fields
        listed = "; ".join(f"{name} ({why})" for name, why in fields)
        super().__init__(f"A reason is needed for every value typed in and for every value that differs from the "
                         f"primary coding's. Missing for: {listed}.")


@dataclass(frozen=True)
class ConsensusPlan:
    """The consensus coding's values and, for every decided field, (field, source coding, reason)."""

    diff: CodingDiff
    values: dict[str, Any]
    provenance: list[tuple[str, int | None, str | None]]


def primary_side(diff: CodingDiff) -> str:
    """Which side (a or b) is the primary coding: the reference a decision must give reasons against."""
    return "b" if diff.purpose_b == "primary" and diff.purpose_a != "primary" else "a"


def plan_consensus(diff: CodingDiff, scheme: Any, *, choices: Mapping[str, Any] | None = None,
                   reasons: Mapping[str, str] | str | None = None, base: str = "a") -> ConsensusPlan:
    """Resolve every field's value and source, and check that each decision that needs a reason has one.

    A reason is needed for a value typed in and for a value that differs from
    the primary coding's (taking the other coding's value); keeping the
    primary's value, or a value both codings share, needs none. Raises
    ``ReasonsMissing`` listing every decision without one.
    """
    if base not in ("a", "b"):
        raise DomainError("The base coding must be 'a' or 'b'.")
    choices = dict(choices or {})
    unknown = sorted(set(choices) - {f.field for f in diff.fields})
    if unknown:
        raise DomainError(f"Unknown field(s) {', '.join(unknown)}. Fields are listed by 'ssp-coder irr diff'.")
    sources = {"a": diff.coding_a, "b": diff.coding_b}
    values: dict[str, Any] = {}
    side: dict[str, str | None] = {}    # field -> the coding (a/b) its value came from; None: typed in
    for f in diff.fields:
        choice = choices.get(f.field, base)
        if isinstance(choice, str) and choice in ("a", "b"):
            values[f.field] = f.a if choice == "a" else f.b
            side[f.field] = choice
        else:
            values[f.field] = parse_value(f.field, choice) if isinstance(choice, str) else choice
            side[f.field] = None
            _check_typed(f.field, values[f.field], scheme)
    # A forced secondary follows its classification unless decided separately: B2 never carries one, and
    # D taken from a coding brings that coding's forced secondary with it.
    follows = False
    if "forced_secondary" not in choices:
        cls = values.get("classification")
        try:
            needs = cls is not None and scheme.classification(cls).requires_forced_secondary
        except KeyError:
            needs = False   # not a code of the scheme: SetClassification refuses it with a clear message
        cls_side = side.get("classification")
        fs = diff.field("forced_secondary")
        if not needs:
            values["forced_secondary"] = None
            side["forced_secondary"] = cls_side
            follows = True
        elif cls_side is not None:
            values["forced_secondary"] = fs.a if cls_side == "a" else fs.b
            side["forced_secondary"] = cls_side
            follows = True
    prim = primary_side(diff)
    given = (lambda name: reasons) if isinstance(reasons, str) else (lambda name: (reasons or {}).get(name))
    provenance: list[tuple[str, int | None, str | None]] = []
    missing: list[tuple[str, str]] = []
    for f in diff.fields:
        decided = f.field in choices
        if not decided and _empty(f.a) and _empty(f.b) and _empty(values[f.field]):
            continue  # nothing to decide: neither coding has a value
        value, src = values[f.field], side[f.field]
        primary_value = f.a if prim == "a" else f.b
        why = AGREE_REASON if not decided and not f.differs and value == primary_value else (
            (given(f.field) or "").strip() or None)
        if f.field == "forced_secondary" and follows:
            # Decided with the classification: its reason (if it needed one) covers this field too.
            why = why or (given("classification") or "").strip() or "follows the classification"
            need = None
        elif src is None:
            need = "typed in"
        elif value != primary_value:
            need = f"coding {src}'s value, not the primary's"
        else:
            need = None
        if why is None and need is not None:
            missing.append((f.field, need))
            continue
        if why is None:
            if not f.differs:
                why = AGREE_REASON
            else:
                why = f"kept the primary coding's value (coding {prim})"
        provenance.append((f.field, sources[src] if src else None, why))
    if missing:
        raise ReasonsMissing(missing)
    return ConsensusPlan(diff, values, provenance)


def _check_typed(field: str, value: Any, scheme: Any) -> None:
    """A typed classification must be the scheme's (checked before reasons, so the message is about the value)."""
    if value is None:
        return
    if field == "classification" and value not in scheme.classification_codes:
        raise DomainError(f"'{value}' is not a classification of this scheme "
                          f"({', '.join(scheme.classification_codes)}).")
    if field == "forced_secondary" and value not in scheme.forced_secondary:
        raise DomainError(f"The forced secondary must be one of {', '.join(scheme.forced_secondary)}.")


def _clear_commands(state: CodingState) -> list[Any]:
    """Commands that empty a coding, so that a revised consensus is built from nothing (each one audited)."""
    cid = int(state.coding.id)
    out: list[Any] = [DeleteEvent(int(e.id)) for e in state.events]
    out += [DeleteDIndex(int(m.id)) for m in state.d_indices]
    for ep, b in sorted(state.boundaries.items()):
        if b.flag:
            out.append(SetEpisodeFlag(cid, ep, None))
        out.append(SetBoundary(cid, ep, None, None))
    out += [SetScale(cid, sc, ep, pa, None) for (sc, ep, pa), v in sorted(state.scales.items()) if v is not None]
    if state.result.classification is not None or state.result.forced_secondary is not None:
        out.append(SetClassification(cid, None, None))
    if state.result.d_rating is not None:
        out.append(SetDRating(cid, None))
    return out


def existing_consensus(project: Any, session_id: int) -> int | None:
    found = project.codings(session_id=int(session_id), purpose="consensus")
    return int(found[0].id) if found else None


def create_consensus(project: Any, session: str | int, *, decider: str, choices: Mapping[str, Any] | None = None,
                     reasons: Mapping[str, str] | str | None = None, base: str = "a",
                     coding_a: int | None = None, coding_b: int | None = None, replace: bool = False,
                     revision_reason: str | None = None) -> int:
    """Create the session's consensus coding; returns its id.

    ``choices``: field -> "a", "b" or an explicit value (see ``parse_value`` for
    the forms); fields not named take ``base``'s value. ``reasons``: one text
    for every decision, or field -> text; a value typed in and a value that
    differs from the primary coding's need one (``plan_consensus``). The
    decider must be a person of the project (coder, coordinator or trainer)
    and becomes the consensus coding's coder. The coding is marked complete
    when nothing is missing.

    A session has one consensus coding. ``replace`` revises it: the same
    coding is reopened, emptied and rebuilt from the new decisions, with the
    previous decisions kept in the audit log (``ReviseConsensus``); a revision
    needs ``revision_reason``.
    """
    who = project.coder(decider)
    if coding_a is None or coding_b is None:
        da, db = pair_for_session(project, session)
        coding_a = da if coding_a is None else coding_a
        coding_b = db if coding_b is None else coding_b
    diff = compare_codings(project, int(coding_a), int(coding_b))
    old_id = existing_consensus(project, diff.session_id)
    if old_id is not None and not replace:
        raise DomainError(f"Session {diff.blinded_code} already has a consensus coding ({old_id}). To revise it, "
                          "decide again with --replace and say why (--reason); the previous decisions stay in the "
                          "audit log.")
    if replace and old_id is not None and not (revision_reason or "").strip():
        raise DomainError(f"Say why the consensus of session {diff.blinded_code} is revised (a reason is required).")
    plan = plan_consensus(diff, project.scheme, choices=choices, reasons=reasons, base=base)
    decided = {k: (v if isinstance(v, str) else display(v)) for k, v in dict(choices or {}).items()}
    views = _source_views(project, plan)
    with project.bulk(actor=who.name) as bulk:
        if old_id is None:
            applied = bulk.execute(CreateCoding(session_id=diff.session_id, coder_id=int(who.id),
                                                purpose="consensus"))
            cid = int(applied.inverse.coding_id)
        else:
            cid = old_id
            previous = [s.__dict__ for s in sql.consensus_sources(bulk.conn, cid)]
            bulk.audit("ReviseConsensus", {"session": diff.blinded_code, "decider": who.name,
                                           "reason": revision_reason.strip(), "previous": previous}, coding_id=cid)
            state = bulk.uow.coding_state(cid)
            if state.coding.is_complete:
                bulk.execute(Reopen(cid, reason=f"consensus revised: {revision_reason.strip()}"))
            for cmd in _clear_commands(state):
                bulk.execute(cmd)
            sql.delete_consensus_sources(bulk.conn, cid)
        for cmd in _commands(cid, plan.values, project.scheme, views):
            bulk.execute(cmd)
        sql.put_consensus_sources(bulk.conn, cid, [(f, src, who.name, why) for f, src, why in plan.provenance])
        bulk.audit("RecordConsensus", {"session": diff.blinded_code, "coding_a": diff.coding_a,
                                       "coding_b": diff.coding_b, "base": base, "decider": who.name,
                                       "decided": decided, "revised": old_id is not None,
                                       "differing": [f.field for f in diff.differing]}, coding_id=cid)
        if not missing_for_completion(bulk.uow.coding_state(cid), project.scheme):
            bulk.execute(MarkComplete(cid))
    return cid


def _source_views(project: Any, plan: ConsensusPlan) -> dict[str, EventViews]:
    """For each events field, the views its source coding recorded (the value came from that coding)."""
    states: dict[int, CodingState] = {}
    out: dict[str, EventViews] = {}
    for field, src, _why in plan.provenance:
        if field.startswith("events_") and src is not None:
            if src not in states:
                states[src] = project.coding_state(src)
            out[field] = event_views(states[src])
    return out


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
