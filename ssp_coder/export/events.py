"""The events table of the trial export: one row per event of each session's final coding.

The same codings the long dataset scores (a completed consensus coding, else
the completed primary coding) give their events here, so an analysis of
behaviour timing and the outcome dataset always rest on the same coding.

``view`` / ``view_name`` say which camera view the coder coded the event
from, when the coder chose to record it (the coding window's *Record which
view each event is coded from*); blank when not said, and always blank for
sessions filmed by one camera.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import pandas as pd

from ssp_coder.domain.scheme import Scheme
from ssp_coder.export import datasets as ds
from ssp_coder.export.codebook import Variable, _coded, _cover_data

if TYPE_CHECKING:  # pragma: no cover
    from ssp_coder.store.project import Project

EVENT_COLUMNS = ("participant_id", "arm", "timepoint", "session_id", "blinded_code", "coding_id", "source", "coder",
                 "event_id", "code", "kind", "onset_s", "offset_s", "duration_s", "subject", "note", "view",
                 "view_name")
TABLE = "events"


def build_events(project: "Project", long: pd.DataFrame) -> pd.DataFrame:
    """The events of every session whose final coding is complete, in the long dataset's session order."""
    from ssp_coder.store.reliability_sql import timed_for

    done = long[long["coding_status"] == ds.STATUS_COMPLETE] if "coding_status" in long else long.iloc[0:0]
    ids = [int(c) for c in done["coding_id"].dropna()] if "coding_id" in done else []
    timed = timed_for(project, ids) if ids else {}
    rows = []
    most = 1
    for _, s in done.iterrows():
        if pd.isna(s.get("coding_id")):
            continue
        cid = int(s["coding_id"])
        names = {v.number: v.name for v in project.views(int(s["session_id"]))}
        most = max(most, *names)
        for e in timed[cid].events:
            rows.append({
                "participant_id": s["participant_id"], "arm": s["arm"], "timepoint": s["timepoint"],
                "session_id": int(s["session_id"]), "blinded_code": s["blinded_code"], "coding_id": cid,
                "source": s.get("source"), "coder": s.get("coder"), "event_id": int(e.id), "code": e.code,
                "kind": e.kind, "onset_s": e.onset_ms / 1000,
                "offset_s": e.offset_ms / 1000 if e.offset_ms is not None else None,
                "duration_s": e.duration_ms / 1000 if e.offset_ms is not None else None,
                "subject": e.subject, "note": e.note,
                "view": e.view if e.view is not None else None,
                "view_name": names.get(e.view) if e.view is not None else None,
            })
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    # Whole numbers with blanks (Int64), not 2.0 and NaN: a view is a camera's number.
    for col in ("session_id", "coding_id", "event_id", "view"):
        frame[col] = frame[col].astype("Int64")
    frame.attrs["max_view"] = most       # the codebook lists every view these sessions have
    return frame


def event_variables(scheme: Scheme, events: pd.DataFrame, design: Mapping[str, Variable] | None = None
                    ) -> list[Variable]:
    """Codebook entries for the events table (its views: every view of the exported sessions).

    SPSS and Stata store the categories as numbers, and those numbers are fixed, never taken from the data:
    ``code`` numbers the scheme's behaviours in scheme order, ``kind`` is 1 = point, 2 = state, and ``arm``,
    ``timepoint`` and ``source`` take their codes from the long dataset's entries (``design``), so the events
    file merges with the long file code for code.
    """
    design = design or {}
    max_view = int(events.attrs.get("max_view", 1))
    if len(events) and events["view"].notna().any():
        max_view = max(max_view, int(events["view"].max()))
    behaviours = tuple((b.code, b.name) for b in scheme.behaviours)
    views = tuple((n, "main view (roster column video)" if n == 1 else f"view {n} (roster column video_{n})")
                  for n in range(1, max(1, max_view) + 1))
    entries = [
        Variable("participant_id", "Participant ID (roster)", "id", source="roster"),
        _like(design.get("arm"), Variable("arm", "Trial arm (unblinded)", "text", source="roster")),
        _like(design.get("timepoint"), Variable("timepoint", "Timepoint (unblinded)", "text", source="roster")),
        Variable("session_id", "Session number in the project file", "id", source="project"),
        Variable("blinded_code", "Blinded session code seen by coders", "text", source="project"),
        Variable("coding_id", "Coding the event belongs to: the session's final coding", "id",
                 source="consensus coding if completed, else the primary coding (as in the long dataset)"),
        _like(design.get("source"), Variable("source", "Which coding the events come from", "text",
                                             source="consensus or primary")),
        Variable("coder", "Coder of that coding", "text", source="project"),
        Variable("event_id", "Event number in the project file", "id", source="project"),
        Variable("code", "Behaviour code", "categorical", source="coding scheme's behaviours, numbered in scheme "
                 "order", **_coded([c for c, _ in behaviours], dict(behaviours))),
        Variable("kind", "Point event or state (an interval)", "categorical", source="scheme",
                 **_coded(["point", "state"], {"point": "point event", "state": "state event (onset to offset)"})),
        Variable("onset_s", "Onset in seconds, on the main view's clock", "continuous", "s",
                 source="seconds from the start of the main video"),
        Variable("offset_s", "Offset of a state in seconds, on the main view's clock", "continuous", "s",
                 source="empty for point events"),
        Variable("duration_s", "Duration of a state in seconds", "continuous", "s", source="offset_s - onset_s"),
        Variable("subject", "Subject the coder gave the event", "text", source="coder"),
        Variable("note", "The coder's note on the event", "text", source="coder"),
        Variable("view", "Camera view the event was coded from (1 = main view)", "categorical", values=views,
                 source="recorded only when the coder chose to (coding window: View > Record which view each event "
                        "is coded from); empty when not said, and always for sessions filmed by one camera"),
        Variable("view_name", "Name of that view", "text",
                 source="roster columns view_name, view_2_name, ...; empty when the view has no name or no view "
                        "was recorded"),
    ]
    # A code the scheme no longer lists (a project scored with an older scheme) gets the next number rather than
    # being lost; the scheme's own codes never move.
    return [Variable(**{**_cover_data(v, events[v.name]).__dict__, "table": TABLE}) if v.name in events else
            Variable(**{**v.__dict__, "table": TABLE}) for v in entries]


def _like(long: Variable | None, fallback: Variable) -> Variable:
    """This table's entry with the long dataset's type, values and codes, for a column both tables have."""
    if long is None:
        return fallback
    return Variable(**{**fallback.__dict__, "type": long.type, "values": long.values, "codes": long.codes,
                       "settings_used": long.settings_used, "source": long.source or fallback.source})

