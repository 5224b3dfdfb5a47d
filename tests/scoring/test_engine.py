"""Which coding counts, the per-session and per-coding tables, and agreement of the two paths."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd

from ssp_coder.domain.model import EpisodeBoundary
from ssp_coder.scoring import score, score_codings, score_states, scoring_settings, variable_catalogue
from ssp_coder.scoring.bulk import score_frames
from ssp_coder.scoring.catalogue import variable_infos
from ssp_coder.scoring.engine import finalize
from ssp_coder.store.project import Project
from ssp_coder.store.readmodels import frames_from_states, read_coding_frames
from tests.scoring.conftest import fill, new_coding
from tests.scoring.helpers import SCHEME, standard_boundaries, state


def test_final_coding_rules(trial):
    # S1PR: primary complete, reliability complete -> primary counts, never the reliability coder.
    a = new_coding(trial, "S1PR", "Ann", "primary")
    fill(trial, a, classification="B3")
    r = new_coding(trial, "S1PR", "Bob", "reliability")
    fill(trial, r, classification="A1")
    # S1PO: primary complete, consensus complete -> consensus counts.
    b = new_coding(trial, "S1PO", "Ann", "primary")
    fill(trial, b, classification="C1")
    c = new_coding(trial, "S1PO", "Lead", "consensus")
    fill(trial, c, classification="D", forced="C1", d_rating=7)
    # S2PR: primary is a draft -> nothing final.
    d = new_coding(trial, "S2PR", "Bob", "primary")
    fill(trial, d, classification="B1", complete=False)
    # S2PO: primary complete, consensus still a draft -> primary counts.
    e = new_coding(trial, "S2PO", "Bob", "primary")
    fill(trial, e, classification="B4")
    f = new_coding(trial, "S2PO", "Lead", "consensus")
    fill(trial, f, classification="C2", complete=False)

    df = score(trial).set_index(["participant_id", "timepoint"])
    assert len(df) == 6
    assert (df.loc[("P1", "pre"), ["coding_id", "coder", "source", "abcd_subgroup"]].tolist()
            == [a, "Ann", "primary", "B3"])
    assert df.loc[("P1", "post"), ["coding_id", "source", "abcd", "abc_forced"]].tolist() == [c, "consensus", "D", "C"]
    assert df.loc[("P2", "pre"), "source"] == "" and pd.isna(df.loc[("P2", "pre"), "coding_id"])
    assert pd.isna(df.loc[("P2", "pre"), "abcd"]) and pd.isna(df.loc[("P2", "pre"), "secure"])
    assert df.loc[("P2", "post"), ["coding_id", "source"]].tolist() == [e, "primary"]
    assert df.loc[("P1", "pre"), "arm"] == "ABC" and df.loc[("P3", "post"), "site"] == "Dover"
    assert list(df.reset_index()["timepoint"][:2]) == ["pre", "post"]
    assert df.attrs["settings"]["d_cutoff"] == 5


def test_columns_follow_the_catalogue(trial):
    a = new_coding(trial, "S1PR", "Ann", "primary")
    fill(trial, a)
    df = score(trial)
    cat = variable_catalogue(trial.scheme, trial.settings)
    assert list(df.columns) == [v.name for v in cat]
    assert {"ps_e5_m", "av_e8_m", "rs_e3_s", "av_reunion_mean", "cry_intervals_e4", "approach_latency_e5",
            "approach_latency_e8", "d_index_VII", "episode_8_s", "curtailed_e4", "warnings"} <= set(df.columns)
    types = {v.type for v in cat}
    assert types <= {"categorical", "binary", "continuous", "count", "text"}
    secure = next(v for v in cat if v.name == "secure")
    assert secure.values == {1: "secure", 0: "insecure"} and secure.settings_used
    assert str(df["secure"].dtype) == "Int64"


def test_project_settings_change_scores(trial):
    from ssp_coder.domain.commands import SetSetting

    a = new_coding(trial, "S1PR", "Ann", "primary")
    fill(trial, a, classification="CC", d_rating=6)
    assert score(trial).loc[0, "abcd"] == "D"
    trial.execute(SetSetting("cc_handling", "CC"))
    assert score(trial).loc[0, "abcd"] == "CC"
    assert score(trial, settings={"cc_handling": "missing"}).loc[0, "abcd"] is None


def test_score_codings_gives_every_coding(trial):
    a = new_coding(trial, "S1PR", "Ann", "primary")
    fill(trial, a, classification="B3", cry=[(414, 416)])
    r = new_coding(trial, "S1PR", "Bob", "reliability")
    fill(trial, r, classification="A2", complete=False)
    df = score_codings(trial)
    assert list(df.columns[:5]) == ["coding_id", "session_id", "coder", "purpose", "status"]
    assert df.set_index("coding_id").loc[r, ["purpose", "status", "abcd"]].tolist() == ["reliability", "draft", "A"]
    assert df.set_index("coding_id").loc[a, "cry_intervals_e4"] == 2
    only = score_codings(trial, [r])
    assert only["coding_id"].tolist() == [r]


def _random_state(rng: random.Random, cid: int):
    lengths = [rng.choice([30, 25, 40])] + [rng.choice([180, 60, 240, 179.5]) for _ in range(7)]
    flags = {n: rng.choice(["curtailed", "extended"]) for n in range(2, 9) if rng.random() < 0.2}
    b = standard_boundaries(lengths=lengths, start=rng.uniform(0, 20), flags=flags)
    if rng.random() < 0.1:
        b.pop(rng.randint(1, 8))
    if rng.random() < 0.1:   # an irregular coding: overlapping episodes
        n = rng.randint(2, 8)
        if n in b and n - 1 in b:
            b[n] = EpisodeBoundary(n, b[n - 1].offset_ms - 3000, b[n].offset_ms)
    end = max(x.offset_ms for x in b.values()) / 1000
    codes = [x.code for x in SCHEME.behaviours]
    events = []
    for _ in range(rng.randint(0, 60)):
        code = rng.choice(codes + ["cry"] * 4)
        on = round(rng.uniform(-5, end + 10), 3)
        if code in ("cry", "contact", "proximity", "play", "avoid", "resist"):
            events.append((code, on, None if rng.random() < 0.05 else round(on + rng.uniform(0, 40), 3)))
        else:
            events.append((code, on))
    events = [e if e[1] >= 0 else (e[0], 0.0, *e[2:]) for e in events]
    scales = {(sc.id, ep, pa): rng.choice([1, 2, 3.5, 5, 7, 7.5]) for sc, ep, pa in SCHEME.scale_cells()
              if rng.random() < 0.8}
    cls = rng.choice(list(SCHEME.classification_codes) + [None])
    forced = rng.choice(list(SCHEME.forced_secondary) + [None]) if cls == "D" else None
    marks = [(rng.choice(SCHEME.d_groups), round(rng.uniform(0, end + 5), 3)) for _ in range(rng.randint(0, 5))]
    return state(cid=cid, classification=cls, forced=forced, d_rating=rng.choice([None, 1, 4.5, 5, 9]),
                 boundaries=b, events=events, scales=scales, marks=marks, session=cid)


def test_vectorised_and_per_coding_paths_agree():
    rng = random.Random(20240605)
    states = [_random_state(rng, cid) for cid in range(1, 301)]
    video = {cid: rng.choice([None, 1_300_000, 2_000_000]) for cid in range(1, 301)}
    s = scoring_settings(SCHEME)
    ref = score_states(states, SCHEME, s, video)
    bulk = score_frames(frames_from_states(states), SCHEME, s, video)
    bulk.insert(0, "coding_id", [int(x.coding.id) for x in states])
    bulk = finalize(bulk, variable_infos(SCHEME, s))
    pd.testing.assert_frame_equal(bulk, ref, check_dtype=False)
    assert (ref["warnings"] != "").sum() > 100 and ref["cry_intervals_e4"].notna().sum() > 100


def test_demo_project_end_to_end(demo_project):
    with Project.open(demo_project, read_only=True, backups=False) as p:
        df = score(p)
        sessions = p.sessions()
        finals = {c.id for c in p.codings() if c.is_complete and c.purpose in ("primary", "consensus")}
        reliability = {c.id for c in p.codings(purpose="reliability")}
        frames = read_coding_frames(p)
        per_coding = score_codings(p)
        video = {s.id: s.duration_ms for s in sessions}
        ref = score_states(list(frames.states().values()), p.scheme, p.settings, video)
    assert len(df) == len(sessions) == 48
    assert set(df["coding_id"].dropna().astype(int)) <= finals
    assert not set(df["coding_id"].dropna().astype(int)) & reliability
    assert set(df["source"]) <= {"primary", "consensus", ""}
    scored = df[df["source"] != ""]
    assert len(scored) > 40
    assert set(scored["abcd"].dropna()) <= {"A", "B", "C", "D"}
    assert scored["secure"].notna().all() and scored["av_reunion_mean"].notna().all()
    assert (scored["episode_5_s"] > 0).all()
    # The per-coding path agrees with the vectorised one on every demo coding.
    a = per_coding.drop(columns=["session_id", "coder", "purpose", "status"]).sort_values("coding_id")
    pd.testing.assert_frame_equal(a.reset_index(drop=True), ref.sort_values("coding_id").reset_index(drop=True),
                                  check_dtype=False)
    assert np.isfinite(scored["d_rating"]).all()


def test_project_without_final_codings(trial):
    df = score(trial)
    assert len(df) == 6 and (df["source"] == "").all() and df["abcd"].isna().all()
    assert len(score_codings(trial)) == 0
