"""Bulk reads into pandas for scoring, reliability and export.

One query per table for all codings at once (not one ``coding_state`` per
coding), so scoring a whole trial is a handful of queries. Times stay in
integer milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

import pandas as pd

from ssp_coder.domain.model import (
    Coding, CodingId, CodingResult, CodingState, DIndexId, DIndexMark, EpisodeBoundary, Event, EventId,
)

if TYPE_CHECKING:  # pragma: no cover
    from ssp_coder.store.project import Project


@dataclass(frozen=True)
class CodingFrames:
    """Everything a set of codings holds, one DataFrame per table, rows ordered by coding."""

    codings: pd.DataFrame      # coding_id, session_id, coder_id, coder, purpose, status, origin
    boundaries: pd.DataFrame   # coding_id, episode, onset_ms, offset_ms, flag, reason
    events: pd.DataFrame       # coding_id, id, code, kind, onset_ms, offset_ms
    scales: pd.DataFrame       # coding_id, scale, episode, partner, value
    d_indices: pd.DataFrame    # coding_id, id, group, time_ms
    results: pd.DataFrame      # coding_id, classification, forced_secondary, d_rating

    def subset(self, coding_ids: Iterable[int]) -> "CodingFrames":
        ids = set(int(i) for i in coding_ids)
        pick = lambda df: df[df["coding_id"].isin(ids)]  # noqa: E731
        return CodingFrames(*(pick(getattr(self, f)) for f in
                              ("codings", "boundaries", "events", "scales", "d_indices", "results")))

    def states(self) -> dict[int, CodingState]:
        """Rebuild ``CodingState`` objects (for the per-coding path; small sets only)."""
        out: dict[int, CodingState] = {}
        bnd = {k: g for k, g in self.boundaries.groupby("coding_id")}
        evs = {k: g for k, g in self.events.groupby("coding_id")}
        scl = {k: g for k, g in self.scales.groupby("coding_id")}
        mks = {k: g for k, g in self.d_indices.groupby("coding_id")}
        res = self.results.set_index("coding_id")
        empty = pd.DataFrame()
        for c in self.codings.itertuples(index=False):
            cid = int(c.coding_id)
            coding = Coding(CodingId(cid), c.session_id, c.coder_id, c.purpose, c.status, c.origin)
            b = {int(r.episode): EpisodeBoundary(int(r.episode), _int(r.onset_ms), _int(r.offset_ms), _str(r.flag),
                                                 _str(r.reason))
                 for r in bnd.get(cid, empty).itertuples(index=False)}
            e = tuple(Event(EventId(int(r.id)), r.code, r.kind, int(r.onset_ms), _int(r.offset_ms))
                      for r in evs.get(cid, empty).itertuples(index=False))
            s = {(r.scale, int(r.episode), r.partner): float(r.value) for r in scl.get(cid, empty).itertuples(index=False)}
            m = tuple(DIndexMark(DIndexId(int(r.id)), r.group, int(r.time_ms))
                      for r in mks.get(cid, empty).itertuples(index=False))
            if cid in res.index:
                rr = res.loc[cid]
                result = CodingResult(_str(rr["classification"]), _str(rr["forced_secondary"]), _float(rr["d_rating"]))
            else:
                result = CodingResult()
            out[cid] = CodingState(coding, b, e, s, m, result)
        return out


def _int(v) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _float(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _str(v) -> str | None:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v


CATEGORICAL = {"code", "kind", "group", "scale", "partner"}


def _frame(project: "Project", sql: str, columns: list[str], ids: list[int] | None,
           order: str = "") -> pd.DataFrame:
    # The filter is applied in pandas: an IN list of thousands of ids is neither
    # portable SQL nor faster than reading the table once.
    rows = project.conn.execute(sql + order).fetchall()
    df = pd.DataFrame.from_records(rows, columns=columns)
    for col in CATEGORICAL.intersection(columns):
        # Few distinct values over many rows: categories are smaller and let scoring map codes at C speed.
        df[col] = df[col].astype("category")
    if ids is not None:
        df = df[df["coding_id"].isin(set(ids))]
    return df.reset_index(drop=True)


def read_coding_frames(project: "Project", coding_ids: Iterable[int] | None = None) -> CodingFrames:
    ids = None if coding_ids is None else [int(i) for i in coding_ids]
    codings = _frame(project, "SELECT c.id, c.session_id, c.coder_id, k.name, c.purpose, c.status, c.origin "
                     "FROM codings c JOIN coders k ON k.id = c.coder_id",
                     ["coding_id", "session_id", "coder_id", "coder", "purpose", "status", "origin"], ids,
                     order=" ORDER BY c.id")
    if ids is not None:
        known = set(codings["coding_id"])
        order = {cid: i for i, cid in enumerate(dict.fromkeys(ids)) if cid in known}
        codings = codings.iloc[sorted(range(len(codings)), key=lambda i: order[int(codings["coding_id"].iat[i])])]
        codings = codings.reset_index(drop=True)
    boundaries = _frame(project, "SELECT coding_id, episode, onset_ms, offset_ms, flag, reason FROM episodes",
                        ["coding_id", "episode", "onset_ms", "offset_ms", "flag", "reason"], ids,
                        order=" ORDER BY coding_id, episode")
    events = _frame(project, "SELECT coding_id, id, code, kind, onset_ms, offset_ms FROM events",
                    ["coding_id", "id", "code", "kind", "onset_ms", "offset_ms"], ids,
                    order=" ORDER BY coding_id, onset_ms, id")
    scales = _frame(project, "SELECT coding_id, scale, episode, partner, value FROM scale_ratings",
                    ["coding_id", "scale", "episode", "partner", "value"], ids, order=" ORDER BY coding_id")
    marks = _frame(project, "SELECT coding_id, id, group_code, time_ms FROM d_indices",
                   ["coding_id", "id", "group", "time_ms"], ids, order=" ORDER BY coding_id, time_ms, id")
    results = _frame(project, "SELECT coding_id, classification, forced_secondary, d_rating FROM results",
                     ["coding_id", "classification", "forced_secondary", "d_rating"], ids, order=" ORDER BY coding_id")
    return CodingFrames(codings, boundaries, events, scales, marks, results)


def read_sessions_frame(project: "Project") -> pd.DataFrame:
    """One row per session: session_id, participant_id (roster id), timepoint, arm, site, blinded_code, duration_ms."""
    rows = project.conn.execute(
        "SELECT s.id, p.external_id, s.timepoint, p.arm, p.site, s.blinded_code, s.duration_ms "
        "FROM sessions s JOIN participants p ON p.id = s.participant_id ORDER BY p.external_id, s.id").fetchall()
    return pd.DataFrame.from_records(rows, columns=["session_id", "participant_id", "timepoint", "arm", "site",
                                                    "blinded_code", "duration_ms"])


def read_codings_frame(project: "Project") -> pd.DataFrame:
    """Coding rows only (no content): coding_id, session_id, coder_id, coder, purpose, status, origin."""
    rows = project.conn.execute("SELECT c.id, c.session_id, c.coder_id, k.name, c.purpose, c.status, c.origin "
                                "FROM codings c JOIN coders k ON k.id = c.coder_id ORDER BY c.id").fetchall()
    return pd.DataFrame.from_records(rows, columns=["coding_id", "session_id", "coder_id", "coder", "purpose",
                                                    "status", "origin"])


def frames_from_states(states: Iterable[CodingState], session_of: dict[int, int] | None = None) -> CodingFrames:
    """The inverse of ``CodingFrames.states``: plain states (e.g. the coding window's) as frames."""
    c_rows, b_rows, e_rows, s_rows, m_rows, r_rows = [], [], [], [], [], []
    for st in states:
        cid = int(st.coding.id)
        c = st.coding
        c_rows.append((cid, int(c.session_id), int(c.coder_id), "", c.purpose, c.status, c.origin))
        b_rows += [(cid, b.episode, b.onset_ms, b.offset_ms, b.flag, b.reason) for b in st.boundaries.values()]
        e_rows += [(cid, int(e.id), e.code, e.kind, e.onset_ms, e.offset_ms) for e in st.events]
        s_rows += [(cid, k[0], k[1], k[2], v) for k, v in st.scales.items()]
        m_rows += [(cid, int(m.id), m.group, m.time_ms) for m in st.d_indices]
        r = st.result
        r_rows.append((cid, r.classification, r.forced_secondary, r.d_rating))
    mk = lambda rows, cols: pd.DataFrame.from_records(rows, columns=cols)  # noqa: E731
    return CodingFrames(
        mk(c_rows, ["coding_id", "session_id", "coder_id", "coder", "purpose", "status", "origin"]),
        mk(b_rows, ["coding_id", "episode", "onset_ms", "offset_ms", "flag", "reason"]),
        mk(e_rows, ["coding_id", "id", "code", "kind", "onset_ms", "offset_ms"]),
        mk(s_rows, ["coding_id", "scale", "episode", "partner", "value"]),
        mk(m_rows, ["coding_id", "id", "group", "time_ms"]),
        mk(r_rows, ["coding_id", "classification", "forced_secondary", "d_rating"]))


@dataclass(frozen=True)
class CodingTimeline:
    """What a coding file from another tool can hold of a coding: complete episode boundaries and events."""

    boundaries: dict[int, tuple[int, int]]              # episode -> (onset, offset), by episode
    events: list[tuple[str, int, int]]                  # sorted (code, onset, offset; -1 for a point)


def read_coding_timelines(project: "Project", coding_ids: Iterable[int]) -> dict[int, CodingTimeline]:
    """The timelines of many codings in two queries: a re-import compares every coding of the file with the
    project, and building each coding's whole state took most of the time of an unchanged re-import."""
    ids = sorted({int(i) for i in coding_ids})
    bounds: dict[int, dict[int, tuple[int, int]]] = {i: {} for i in ids}
    events: dict[int, list[tuple[str, int, int]]] = {i: [] for i in ids}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        marks = ",".join("?" * len(part))
        for cid, ep, on, off in project.conn.execute(
                f"SELECT coding_id, episode, onset_ms, offset_ms FROM episodes WHERE coding_id IN ({marks}) "
                "AND onset_ms IS NOT NULL AND offset_ms IS NOT NULL ORDER BY coding_id, episode", part):
            bounds[cid][ep] = (on, off)
        for cid, code, on, off in project.conn.execute(
                f"SELECT coding_id, code, onset_ms, offset_ms FROM events WHERE coding_id IN ({marks})", part):
            events[cid].append((code, on, -1 if off is None else off))
    return {i: CodingTimeline(bounds[i], sorted(events[i])) for i in ids}
