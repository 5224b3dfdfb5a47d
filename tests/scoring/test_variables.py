"""Hand-built scenarios for every derived variable; each is scored by both paths."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ssp_coder.domain.model import EpisodeBoundary
from ssp_coder.scoring import score_states, scoring_settings
from ssp_coder.scoring.bulk import score_frames
from ssp_coder.scoring.catalogue import variable_infos
from ssp_coder.scoring.engine import finalize
from ssp_coder.store.readmodels import frames_from_states
from tests.scoring.helpers import SCHEME, standard_boundaries, state

E5 = 580.0   # episode 5 onset (s) with standard boundaries
E8 = 1120.0


def scored(st, **settings):
    """The row from the per-coding path, after checking the vectorised path gives the same."""
    s = scoring_settings(SCHEME, settings)
    ref = score_states([st], SCHEME, s)
    bulk = score_frames(frames_from_states([st]), SCHEME, s)
    bulk.insert(0, "coding_id", [int(st.coding.id)])
    bulk = finalize(bulk, variable_infos(SCHEME, s))
    pd.testing.assert_frame_equal(bulk, ref, check_dtype=False)
    return ref.iloc[0]


def nan(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def test_secure_subgroup():
    r = scored(state(classification="B3", d_rating=1))
    assert (r.classification, r.abcd, r.abcd_subgroup, r.abc_forced) == ("B3", "B", "B3", "B")
    assert (r.secure, r.disorganized, r.cc, r.d_high) == (1, 0, 0, 0)
    assert r.d_rating == 1.0


@pytest.mark.parametrize("forced", ["A1", "A2", "B1", "B2", "B3", "B4", "C1", "C2"])
def test_d_with_each_forced_secondary(forced):
    r = scored(state(classification="D", forced=forced, d_rating=7))
    assert r.classification == f"D/{forced}"
    assert (r.abcd, r.abcd_subgroup, r.forced_secondary) == ("D", "D", forced)
    assert r.abc_forced == forced[0]
    assert (r.secure, r.disorganized, r.d_high) == (0, 1, 1)
    assert r.warnings == ""


@pytest.mark.parametrize("forced", ["A", "B", "C"])
def test_d_with_only_the_main_category_as_forced_secondary(forced):
    r = scored(state(classification="D", forced=forced, d_rating=7))
    assert (r.classification, r.forced_secondary, r.abc_forced) == (f"D/{forced}", forced, forced)
    # the code as given; no subgroup of the forced secondary is made up
    assert (r.abcd, r.abcd_subgroup) == ("D", "D")
    assert r.warnings == ""


@pytest.mark.parametrize("handling, abcd", [("D", "D"), ("CC", "CC"), ("missing", None)])
def test_cc_collapse(handling, abcd):
    r = scored(state(classification="CC", d_rating=6), cc_handling=handling)
    assert r.cc == 1
    assert (r.abcd if abcd else None) == abcd or nan(r.abcd)
    assert nan(r.abc_forced)
    if abcd is None:
        assert nan(r.secure) and nan(r.disorganized)
    else:
        assert r.secure == 0 and r.disorganized == int(abcd == "D")


@pytest.mark.parametrize("handling, abcd", [("D", "D"), ("U", "U"), ("missing", None)])
def test_unclassifiable_collapse(handling, abcd):
    r = scored(state(classification="U", d_rating=2), unclassifiable_handling=handling)
    assert r.cc == 0
    assert (nan(r.abcd) if abcd is None else r.abcd == abcd)


def test_unclassified_is_missing_not_insecure():
    r = scored(state(classification=None, d_rating=None))
    assert nan(r.abcd) and nan(r.secure) and nan(r.disorganized) and nan(r.cc) and nan(r.d_high)


@pytest.mark.parametrize("rating, cutoff, high", [(5, 5, 1), (4.5, 5, 0), (5.5, 6, 0), (6, 6, 1)])
def test_d_high_uses_cutoff_inclusive(rating, cutoff, high):
    r = scored(state(classification="B2", d_rating=rating), d_cutoff=cutoff)
    assert r.d_high == high


def test_scale_columns_and_composites():
    scales = {("av", 5, "m"): 6.0, ("av", 8, "m"): 4.5, ("ps", 5, "m"): 2.0, ("rs", 3, "s"): 1.5}
    r = scored(state(classification="A1", d_rating=1, scales=scales))
    assert r.av_e5_m == 6.0 and r.rs_e3_s == 1.5 and nan(r.ps_e8_m)
    assert r.av_reunion_mean == 5.25
    assert nan(r.ps_reunion_mean)  # one of its cells is missing


def test_composite_ops_from_settings():
    comps = {"ps_max": {"scale": "ps", "cells": [[5, "m"], [8, "m"]], "op": "max"},
             "ps_sum": {"scale": "ps", "cells": [[5, "m"], [8, "m"]], "op": "sum"}}
    scales = {("ps", 5, "m"): 2.0, ("ps", 8, "m"): 6.5}
    r = scored(state(scales=scales), composites=comps)
    assert (r.ps_max, r.ps_sum) == (6.5, 8.5)


def test_episode_lengths_and_flags():
    b = standard_boundaries(lengths=(30, 180, 180, 45, 240, 180, 180, 180), flags={4: "curtailed", 5: "extended"})
    r = scored(state(boundaries=b))
    assert (r.episode_4_s, r.episode_5_s, r.episode_1_s) == (45.0, 240.0, 30.0)
    assert (r.curtailed_e4, r.extended_e5, r.curtailed_e5, r.curtailed_e3) == (1, 1, 0, 0)


def test_missing_boundary_leaves_episode_metrics_missing():
    b = standard_boundaries()
    b[6] = EpisodeBoundary(6, b[6].onset_ms, None)
    r = scored(state(boundaries=b, events=[("cry", 800, 810)]))
    assert nan(r.episode_6_s) and nan(r.cry_intervals_e6) and nan(r.cry_n_e6) and nan(r.cry_s_e6)
    assert r.cry_n_e5 == 0 and r.cry_intervals_e5 == 0


def test_cry_spanning_interval_edge_counts_in_both():
    # Episode 4 starts at 400 s: intervals [400,415), [415,430), ...
    r = scored(state(events=[("cry", 414, 416)]))
    assert r.cry_intervals_e4 == 2
    assert r.cry_s_e4 == 2.0
    assert r.cry_latency_e4 == 14.0


def test_cry_ending_on_edge_does_not_touch_next_interval():
    r = scored(state(events=[("cry", 400, 415)]))
    assert r.cry_intervals_e4 == 1 and r.cry_latency_e4 == 0.0


def test_overlapping_cries_are_merged():
    r = scored(state(events=[("cry", 402, 420), ("cry", 410, 425), ("cry", 424, 426)]))
    assert r.cry_s_e4 == 24.0          # 402..426, not 18 + 15 + 2
    assert r.cry_n_e4 == 3             # three events start in the episode
    assert r.cry_intervals_e4 == 2     # [400,415) and [415,430)


def test_last_partial_interval_counts():
    b = standard_boundaries(lengths=(30, 180, 180, 100, 180, 180, 180, 180))
    # Episode 4: 400..500 s; 100 s = 6 full intervals + a 10-s partial one at 490..500.
    r = scored(state(boundaries=b, events=[("cry", 495, 499)]))
    assert r.cry_intervals_e4 == 1


def test_curtailed_episode_is_prorated():
    b = standard_boundaries(lengths=(30, 180, 180, 60, 180, 180, 180, 180), flags={4: "curtailed"})
    r = scored(state(boundaries=b, events=[("cry", 400, 430)]))  # 2 intervals in a 60-s episode
    assert r.cry_intervals_e4 == pytest.approx(2 * 180 / 60)
    r = scored(state(boundaries=b, events=[("cry", 400, 430)]), prorate=False)
    assert r.cry_intervals_e4 == 2


def test_unflagged_short_episode_not_prorated_but_warned():
    b = standard_boundaries(lengths=(30, 180, 180, 60, 180, 180, 180, 180))
    r = scored(state(boundaries=b, events=[("cry", 400, 430)]))
    assert r.cry_intervals_e4 == 2
    assert "episode_length: episode 4 lasts 60.0 s" in r.warnings


def test_interval_length_is_a_setting():
    r = scored(state(events=[("cry", 400, 421)]), interval_s=10)
    assert r.cry_intervals_e4 == 3


def test_cry_across_episode_boundary_is_clipped():
    # Episode 4 ends and 5 starts at 580 s.
    r = scored(state(events=[("cry", 570, 590)]))
    assert (r.cry_s_e4, r.cry_s_e5) == (10.0, 10.0)
    assert r.cry_n_e4 == 1 and r.cry_n_e5 == 0      # counted where it starts
    assert r.cry_latency_e5 == 0.0                  # already crying when the episode starts
    assert r.cry_intervals_e5 == 1


def test_cry_latency_missing_when_no_crying():
    r = scored(state(events=[("cry", 400, 401)]))
    assert nan(r.cry_latency_e5) and r.cry_intervals_e5 == 0


def test_approach_latency():
    r = scored(state(events=[("approach", E5 + 3.5), ("approach", E5 + 10), ("approach", E8 + 1)]))
    assert r.approach_latency_e5 == 3.5 and r.approach_latency_e8 == 1.0
    assert r.approach_n_e5 == 2
    r = scored(state(events=[("approach", 500)]))
    assert nan(r.approach_latency_e5)


def test_contact_and_proximity_seconds():
    r = scored(state(events=[("contact", E5 + 5, E5 + 65), ("proximity", E5 + 1, E5 + 5), ("proximity", E5 + 65, E5 + 70)]))
    assert r.contact_s_e5 == 60.0 and r.proximity_s_e5 == 9.0 and r.contact_s_e8 == 0.0


def test_events_outside_episodes_are_not_scored_and_warned():
    r = scored(state(events=[("cry", 1, 5), ("approach", 1400), ("reach", 1300)]))
    assert sum(r[f"cry_n_e{n}"] for n in range(1, 9)) == 0
    assert r.reach_n_e8 == 0  # 1300 s is the end of episode 8: [onset, offset)
    assert "events_before_start: 1 event(s)" in r.warnings
    assert "events_after_end: 2 event(s)" in r.warnings


def test_d_index_counts():
    marks = [("I", E5 + 1), ("I", E5 + 2), ("V", E8 + 3), ("VII", 1500)]
    r = scored(state(classification="D", forced="B2", d_rating=7, marks=marks))
    assert r.d_index_count == 3 and r.d_index_I == 2 and r.d_index_V == 1 and r.d_index_VII == 0
    assert "events_after_end: 1 event(s) or D-index mark(s)" in r.warnings


def test_open_state_event_is_left_out_of_durations():
    r = scored(state(events=[("cry", E5 + 1)]))
    assert r.cry_s_e5 == 0.0 and r.cry_intervals_e5 == 0 and r.cry_n_e5 == 1
    assert "open_state: 1 state event(s) without an offset" in r.warnings
