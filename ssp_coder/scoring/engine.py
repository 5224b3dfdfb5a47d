"""The public scoring entry points: which coding counts, and one row per session or coding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping

import numpy as np
import pandas as pd

from ssp_coder.domain.model import CodingState
from ssp_coder.domain.scheme import Scheme
from ssp_coder.scoring.bulk import score_frames
from ssp_coder.scoring.catalogue import VariableInfo, session_id_infos, variable_infos
from ssp_coder.scoring.settings import scoring_settings
from ssp_coder.store.readmodels import read_coding_frames, read_codings_frame, read_sessions_frame

if TYPE_CHECKING:  # pragma: no cover
    from ssp_coder.store.project import Project

ID_COLUMNS_CODINGS = ["coding_id", "session_id", "coder", "purpose", "status"]


def project_settings(project: "Project", settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    merged = dict(project.settings)
    merged.update(settings or {})
    return scoring_settings(project.scheme, merged)


def finalize(df: pd.DataFrame, infos: list[VariableInfo]) -> pd.DataFrame:
    """Whole-number columns as nullable integers (1, not 1.0, in CSV and SPSS); text missing as None."""
    kinds = {i.name: i for i in infos}
    cols: dict[str, Any] = {}
    for name in df.columns:
        col = df[name]
        info = kinds.get(name)
        if info is None:
            cols[name] = col
            continue
        if info.type == "binary" or (info.type == "count" and not name.startswith("cry_intervals")):
            values = pd.to_numeric(col, errors="coerce").to_numpy(np.float64)
            cols[name] = pd.arrays.IntegerArray(np.nan_to_num(np.round(values)).astype(np.int64), np.isnan(values))
        elif info.type == "continuous" or name.startswith("cry_intervals"):
            cols[name] = pd.to_numeric(col, errors="coerce").to_numpy(np.float64)
        else:
            values = col.to_numpy(object)
            cols[name] = np.where(pd.isna(values), None, values)
    out = pd.DataFrame(cols, index=df.index)
    out.attrs.update(df.attrs)
    return out


def score_codings(project: "Project", coding_ids: Iterable[int] | None = None, *,
                  settings: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """One row per coding (any purpose or status): coding_id, session_id, coder, purpose, status + variables."""
    s = project_settings(project, settings)
    frames = read_coding_frames(project, coding_ids)
    sessions = read_sessions_frame(project)
    video = dict(zip(sessions["session_id"], sessions["duration_ms"]))
    var = score_frames(frames, project.scheme, s, video)
    ids = frames.codings[ID_COLUMNS_CODINGS].reset_index(drop=True)
    df = pd.concat([ids, var.reset_index(drop=True)], axis=1)
    infos = variable_infos(project.scheme, s)
    df = finalize(df, infos)
    df.attrs["settings"] = s
    df.attrs["scheme"] = project.scheme.id
    return df


def final_codings(codings: pd.DataFrame) -> pd.DataFrame:
    """Per session, the coding that counts: complete consensus, else complete primary.

    Reliability and training codings never count, and drafts never do (a
    consensus still in progress leaves the primary coding final until it is
    marked complete).
    """
    done = codings[codings["status"] == "complete"]
    rank = done["purpose"].map({"consensus": 0, "primary": 1})
    done = done[rank.notna()].assign(_rank=rank[rank.notna()]).sort_values(["session_id", "_rank", "coding_id"])
    pick = done.drop_duplicates("session_id", keep="first")
    return pick.drop(columns="_rank").assign(source=pick["purpose"])


def score(project: "Project", *, settings: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """One row per session: identifiers, which coding counts, and every derived variable.

    Columns follow ``variable_catalogue(project.scheme, settings)``. Sessions
    without a final coding yet keep their row with empty variables and an
    empty ``source``. ``df.attrs['settings']`` holds the settings used.
    """
    s = project_settings(project, settings)
    sessions = read_sessions_frame(project)
    finals = final_codings(read_codings_frame(project))
    frames = read_coding_frames(project, finals["coding_id"].tolist())
    video = dict(zip(sessions["session_id"], sessions["duration_ms"]))
    var = score_frames(frames, project.scheme, s, video)
    var.insert(0, "coding_id", frames.codings["coding_id"].to_numpy())
    var = var.merge(finals[["coding_id", "session_id", "coder", "source"]], on="coding_id", how="left")
    tp_rank = {t: i for i, t in enumerate(s.get("timepoints") or [])}
    base = sessions.assign(_tp=sessions["timepoint"].map(tp_rank).fillna(len(tp_rank)))
    base = base.sort_values(["participant_id", "_tp", "session_id"], kind="stable").drop(columns="_tp")
    df = base.merge(var, on="session_id", how="left")
    df["source"] = df["source"].fillna("")
    infos = session_id_infos() + variable_infos(project.scheme, s)
    df = df[[i.name for i in infos]].reset_index(drop=True)
    df = finalize(df, infos)
    df["source"] = df["source"].fillna("")
    df.attrs["settings"] = s
    df.attrs["scheme"] = project.scheme.id
    return df


def score_states(states: Iterable[CodingState], scheme: Scheme, settings: Mapping[str, Any] | None = None,
                 video_durations: Mapping[int, int | None] | None = None) -> pd.DataFrame:
    """The per-coding path over many states (reference for tests; small sets)."""
    from ssp_coder.scoring.single import score_state

    s = scoring_settings(scheme, settings)
    rows = []
    for st in states:
        row = {"coding_id": int(st.coding.id)}
        row.update(score_state(st, scheme, s, (video_durations or {}).get(int(st.coding.session_id))))
        rows.append(row)
    infos = variable_infos(scheme, s)
    df = pd.DataFrame(rows, columns=["coding_id"] + [i.name for i in infos])
    df["coding_id"] = df["coding_id"].astype(np.int64) if len(df) else df["coding_id"]
    return finalize(df, infos)
