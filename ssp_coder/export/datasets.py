"""Trial datasets for the statistician: long (one row per session) and wide
(one row per participant).

Exports are *un*blinded: arm and timepoint sit next to the coding, because
they are read by the trial's statistician, never by a coder.

Rule: only a completed final coding (consensus, else primary) contributes
scored variables. A session without one keeps its row, with its
``coding_status`` saying why, and every scored variable empty (system-missing
in SPSS/Stata) — never dropped, never filled.

The assembling functions are pure over DataFrames, so the summary, tests and
benchmarks can feed them synthetic rows without a project.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ssp_coder.store.project import Project

#: Design columns in the order they open the long dataset.
DESIGN_COLUMNS = ("participant_id", "arm", "site", "age_months", "sex")
SESSION_COLUMNS = ("timepoint", "session_id", "blinded_code", "date_of_visit", "session_age_months")
CODING_COLUMNS = ("coding_status", "source", "coding_id", "coder", "n_independent_codings", "double_coded")
#: Columns of the scoring frame that describe the coding rather than the child.
SCORING_META = ("participant_id", "timepoint", "arm", "site", "coding_id", "coder", "source", "session_id",
                "blinded_code")

STATUS_COMPLETE = "complete"
STATUS_IN_PROGRESS = "in progress"
STATUS_NOT_CODED = "not coded"
CODING_STATUSES = (STATUS_COMPLETE, STATUS_IN_PROGRESS, STATUS_NOT_CODED)

#: Variables whose change from baseline the wide dataset carries.
CHANGE_VARIABLES = ("secure", "disorganized", "d_rating")
#: Per-session columns repeated per timepoint in the wide dataset besides the
#: scored variables.
WIDE_SESSION_COLUMNS = ("blinded_code", "date_of_visit", "session_age_months", "coding_status", "source",
                        "coder", "double_coded")


def timepoint_suffix(label: str) -> str:
    """``follow-up`` -> ``follow_up``: a timepoint label made safe for a variable name."""
    s = re.sub(r"[^0-9A-Za-z]+", "_", str(label).strip()).strip("_").lower()
    if not s:
        s = "tp"
    if s[0].isdigit():
        s = "t" + s
    return s


def order_timepoints(present: Iterable[str], preferred: Sequence[str] = ()) -> list[str]:
    """Timepoints in the project's order (``settings['timepoints']``), unknown ones after, alphabetically."""
    present = [t for t in dict.fromkeys(present) if isinstance(t, str) and t]
    known = [t for t in preferred if t in present]
    return known + sorted(t for t in present if t not in known)


# --------------------------------------------------------------------------- #
# session facts from the project
# --------------------------------------------------------------------------- #
def session_frame(project: "Project") -> pd.DataFrame:
    """One row per session: participant attributes, session facts and coding facts.

    Roster columns beyond the standard ones (``Participant.extra``) are added
    under their own (sanitized) name, or ``roster_<name>`` where that name is
    already taken.
    """
    participants = {p.id: p for p in project.participants()}
    coders = {c.id: c.name for c in project.coders()}
    codings_by_session: dict[int, list] = {}
    for c in project.codings():
        codings_by_session.setdefault(int(c.session_id), []).append(c)
    extra_keys = sorted({k for p in participants.values() for k in p.extra})
    taken = set(DESIGN_COLUMNS) | set(SESSION_COLUMNS) | set(CODING_COLUMNS)
    extra_names = {}
    for k in extra_keys:
        name = re.sub(r"[^0-9A-Za-z_]+", "_", k.strip()).strip("_").lower() or "extra"
        if name in taken or name[0].isdigit():
            name = f"roster_{name}"
        extra_names[k] = name
        taken.add(name)
    rows = []
    for s in project.sessions():
        p = participants[s.participant_id]
        codings = codings_by_session.get(int(s.id), [])
        independent = [c for c in codings if c.purpose in ("primary", "reliability") and c.is_complete]
        row = {
            "participant_id": p.external_id, "arm": p.arm, "site": p.site, "age_months": p.age_months,
            "sex": p.sex, "timepoint": s.timepoint, "session_id": int(s.id), "blinded_code": s.blinded_code,
            "date_of_visit": s.date_of_visit, "session_age_months": s.age_months,
            "n_independent_codings": len(independent), "double_coded": int(len(independent) >= 2),
            # Status of the final coding, used when scoring reports no final coding.
            # A coding that is only assigned (nothing entered yet) is not "in progress".
            "_has_draft": any(c.is_complete or int(c.revision) > 0 for c in codings),
            "_status_by_coding": {int(c.id): c.status for c in codings},
            "_coder_by_coding": {int(c.id): coders.get(c.coder_id, "") for c in codings},
        }
        for k, name in extra_names.items():
            row[name] = p.extra.get(k)
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(columns=[*DESIGN_COLUMNS, *SESSION_COLUMNS, "n_independent_codings", "double_coded",
                                      "_has_draft", "_status_by_coding", "_coder_by_coding"])
    frame.attrs["roster_extra"] = list(extra_names.values())
    return frame


def build_long(project: "Project", scored: pd.DataFrame | None = None) -> pd.DataFrame:
    """The long dataset of a project; ``scored`` defaults to ``ssp_coder.scoring.score(project)``."""
    if scored is None:
        from ssp_coder.scoring import score
        scored = score(project)
    sessions = session_frame(project)
    order = list(project.settings.get("timepoints", []))
    return assemble_long(sessions, scored, timepoint_order=order)


def _join_keys(sessions: pd.DataFrame, scored: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    """Match scoring rows to sessions: by session id when scoring reports it,
    else by (participant, timepoint)."""
    if "session_id" in scored.columns and "session_id" in sessions.columns:
        return ["session_id"], scored
    scored = scored.copy()
    ids = scored["participant_id"]
    if len(ids) and not ids.astype(str).isin(sessions["participant_id"].astype(str)).all():
        raise ValueError("the scoring rows name participants that the project does not have")
    scored["participant_id"] = ids.astype(str)
    return ["participant_id", "timepoint"], scored


def assemble_long(sessions: pd.DataFrame, scored: pd.DataFrame, *, timepoint_order: Sequence[str] = ()) -> pd.DataFrame:
    """Join session facts (``session_frame``) with the scoring frame.

    Scored variables of a session whose final coding is not complete are
    blanked, whatever scoring returned; ``coding_status`` says which case
    applies: complete, in progress (something is coded but there is no
    completed final coding) or not coded (no coding, or only assigned with
    nothing entered yet).
    """
    sessions = sessions.copy()
    sessions["participant_id"] = sessions["participant_id"].astype(str)
    keys, scored = _join_keys(sessions, scored)
    drop = [c for c in SCORING_META if c in scored.columns and c not in keys and c not in ("coding_id", "coder",
                                                                                             "source")]
    scored = scored.drop(columns=drop)
    if scored.duplicated(keys).any():
        raise ValueError(f"the scoring frame has more than one row for a session ({', '.join(keys)})")
    merged = sessions.merge(scored, on=keys, how="left", validate="one_to_one")
    n = len(merged)
    source = merged["source"] if "source" in merged else pd.Series([None] * n)
    source = source.where(source.notna() & (source.astype(str) != ""), None)
    coding_id = pd.to_numeric(merged.get("coding_id", pd.Series([np.nan] * n)), errors="coerce")
    status = []
    for cid, src, by_status, has_any in zip(coding_id, source, merged["_status_by_coding"], merged["_has_draft"]):
        if src is not None and not pd.isna(cid) and (not by_status or by_status.get(int(cid)) == "complete"):
            status.append(STATUS_COMPLETE)
        elif has_any:
            status.append(STATUS_IN_PROGRESS)
        else:
            status.append(STATUS_NOT_CODED)
    merged["coding_status"] = status
    complete = merged["coding_status"] == STATUS_COMPLETE
    variables = [c for c in scored.columns if c not in keys and c not in ("coding_id", "coder", "source")]
    if variables:
        # Assigning whole columns keeps each column's dtype (a row mask would upcast ints to object).
        for col in variables:
            column = merged[col]
            if pd.api.types.is_bool_dtype(column.dtype) or (
                    pd.api.types.is_integer_dtype(column.dtype) and not isinstance(column.dtype, pd.api.extensions.ExtensionDtype)):
                column = column.astype("Int64")  # whole numbers stay whole (1, not 1.0) once blanks appear
            merged[col] = column.where(complete)
    merged["source"] = source.where(complete, None)
    merged["coding_id"] = coding_id.where(complete).astype("Int64")
    coder = merged["coder"] if "coder" in merged else pd.Series([None] * n)
    merged["coder"] = coder.where(complete & coder.notna() & (coder.astype(str) != ""), None)
    extra = list(sessions.attrs.get("roster_extra", []))
    front = [*DESIGN_COLUMNS, *extra, *SESSION_COLUMNS, *CODING_COLUMNS]
    out = merged[[c for c in front if c in merged.columns] + variables].copy()
    tps = order_timepoints(out["timepoint"], timepoint_order)
    out["_tp"] = out["timepoint"].map({t: i for i, t in enumerate(tps)})
    out = out.sort_values(["participant_id", "_tp", "session_id"], kind="stable").drop(columns="_tp")
    out = out.reset_index(drop=True)
    for col in ("age_months", "session_age_months"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
    for col in ("session_id", "n_independent_codings", "double_coded"):
        out[col] = out[col].astype("int64")
    out.attrs["timepoints"] = tps
    out.attrs["roster_extra"] = extra
    out.attrs["scored_variables"] = variables
    return out


# --------------------------------------------------------------------------- #
# wide
# --------------------------------------------------------------------------- #
def change_name(var: str, tp: str, timepoints: Sequence[str]) -> str:
    """``d_rating_change`` for a two-timepoint trial; ``d_rating_change_follow_up`` and
    so on (each from baseline) when there are more."""
    if len(timepoints) == 2:
        return f"{var}_change"
    return f"{var}_change_{timepoint_suffix(tp)}"


def build_wide(long: pd.DataFrame, timepoints: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per participant: participant attributes once, every session-level
    variable suffixed by timepoint (``secure_pre``), and change from the first
    (baseline) timepoint to each later one for secure, disorganized (-1/0/+1)
    and d_rating."""
    if timepoints is None:
        timepoints = long.attrs.get("timepoints") or order_timepoints(long["timepoint"])
    timepoints = [t for t in timepoints if t in set(long["timepoint"])] or list(timepoints)
    extra = list(long.attrs.get("roster_extra", []))
    person_cols = [c for c in (*DESIGN_COLUMNS, *extra) if c in long.columns]
    variables = long.attrs.get("scored_variables") or [
        c for c in long.columns if c not in person_cols and c not in SESSION_COLUMNS and c not in CODING_COLUMNS]
    per_session = [c for c in WIDE_SESSION_COLUMNS if c in long.columns] + [c for c in variables if c in long.columns]
    people = long.drop_duplicates("participant_id")[person_cols].set_index("participant_id", drop=False)
    dup = long.duplicated(["participant_id", "timepoint"])
    if dup.any():
        first = long[dup].iloc[0]
        raise ValueError(f"participant {first['participant_id']} has more than one session at {first['timepoint']}")
    pieces = [people]
    for tp in timepoints:
        part = long.loc[long["timepoint"] == tp, ["participant_id", *per_session]].set_index("participant_id")
        part = part.reindex(people.index)
        part.columns = [f"{c}_{timepoint_suffix(tp)}" for c in per_session]
        pieces.append(part)
    wide = pd.concat(pieces, axis=1)
    if len(timepoints) >= 2:
        base = timepoint_suffix(timepoints[0])
        for var in CHANGE_VARIABLES:
            if var not in long.columns:
                continue
            for tp in timepoints[1:]:
                later = pd.to_numeric(wide[f"{var}_{timepoint_suffix(tp)}"], errors="coerce")
                earlier = pd.to_numeric(wide[f"{var}_{base}"], errors="coerce")
                wide[change_name(var, tp, timepoints)] = later - earlier
    wide = wide.reset_index(drop=True)
    wide.attrs["timepoints"] = list(timepoints)
    wide.attrs["per_session"] = per_session
    wide.attrs["roster_extra"] = extra
    return wide
