"""Every consistency warning, from ``check_coding`` and in the ``warnings`` column."""

from __future__ import annotations

import pytest

from ssp_coder.domain.model import EpisodeBoundary
from ssp_coder.scoring import ScoringWarning, Warning, check_coding, scoring_settings
from tests.scoring.helpers import SCHEME, standard_boundaries, state
from tests.scoring.test_variables import scored

SETTINGS = scoring_settings(SCHEME)


def codes(st, video_ms=None, **settings):
    s = scoring_settings(SCHEME, settings)
    return [w.code for w in check_coding(st, SCHEME, s, video_ms)]


def test_clean_coding_has_no_warnings():
    assert codes(state(classification="B3", d_rating=1)) == []
    assert scored(state(classification="B3", d_rating=1)).warnings == ""


def test_warning_is_a_frozen_dataclass():
    w = check_coding(state(classification="B3", d_rating=7), SCHEME, SETTINGS)[0]
    assert isinstance(w, ScoringWarning) and Warning is ScoringWarning
    assert (w.code, w.severity, w.heuristic) == ("d_high_not_d", "warning", False)
    with pytest.raises(AttributeError):
        w.code = "x"  # type: ignore[misc]


def test_high_d_rating_without_d():
    assert codes(state(classification="B3", d_rating=5)) == ["d_high_not_d"]
    assert codes(state(classification="B3", d_rating=5), d_cutoff=6) == []
    r = scored(state(classification="B3", d_rating=5))
    assert r.warnings == ("d_high_not_d: D rating 5 is at or above the cut-off 5 but the classification is B3, "
                          "not D")


def test_cc_folded_into_d_is_not_flagged_for_high_rating():
    assert codes(state(classification="CC", d_rating=7)) == []
    assert codes(state(classification="CC", d_rating=7), cc_handling="CC") == ["d_high_not_d"]


def test_d_with_low_rating():
    assert codes(state(classification="D", forced="A1", d_rating=3)) == ["d_low_but_d"]


def test_d_without_forced_secondary():
    assert codes(state(classification="D", d_rating=8)) == ["d_no_forced"]
    assert "d_no_forced" in scored(state(classification="D", d_rating=8)).warnings


def test_missing_required_scale_cells():
    st = state(classification="B3", d_rating=1, scales={("ps", 5, "m"): 5.0})
    found = check_coding(st, SCHEME, SETTINGS)
    assert [w.code for w in found] == ["scale_missing"] * 7
    assert found[0].message == "required scale cell ps_e8_m has no rating"
    assert "required scale cell av_e5_m has no rating" in scored(st).warnings


def test_scale_value_outside_range_and_off_grid():
    scales = dict(state().scales)
    scales[("ps", 5, "m")] = 8.0
    scales[("cm", 5, "m")] = 3.25
    st = state(classification="B3", d_rating=1, scales=scales)
    assert codes(st) == ["scale_out_of_range", "scale_out_of_range"]
    assert "ps_e5_m = 8 is not a value of the scale (1 to 7 in steps of 0.5)" in scored(st).warnings


def test_scale_on_a_cell_the_scheme_does_not_rate():
    scales = dict(state().scales)
    scales[("sb", 5, "m")] = 4.0
    st = state(classification="B3", d_rating=1, scales=scales)
    assert codes(st) == ["scale_not_rated"]
    assert "sb_e5_m = 4 is on a cell the scheme does not rate" in scored(st).warnings


def _profile(av=3.0, cm=3.0, rs=3.0):
    s = dict(state().scales)
    for ep in (5, 8):
        s[("av", ep, "m")], s[("cm", ep, "m")], s[("rs", ep, "m")] = av, cm, rs
    return s


def test_secure_with_high_avoidance_is_a_heuristic_warning():
    st = state(classification="B2", d_rating=1, scales=_profile(av=5.5))
    found = check_coding(st, SCHEME, SETTINGS)
    assert [(w.code, w.heuristic) for w in found] == [("profile_b_avoidance", True)]
    assert "heuristic" in found[0].message
    assert codes(st, profile_high=6) == []


def test_avoidant_with_high_contact_and_resistance():
    st = state(classification="A1", d_rating=1, scales=_profile(cm=6, rs=5))
    assert codes(st) == ["profile_a_contact_resistance"]
    assert codes(state(classification="A1", d_rating=1, scales=_profile(cm=6, rs=2))) == []
    assert "profile_a_contact_resistance" in scored(st).warnings


def test_heuristic_scales_are_settings():
    st = state(classification="B2", d_rating=1, scales=_profile(av=1, cm=6))
    assert codes(st, heuristic_scales={"avoidance": "cm", "contact": "cm", "resistance": "rs"}) == [
        "profile_b_avoidance"]


def test_boundaries_out_of_order_and_overlapping():
    b = standard_boundaries()
    b[3] = EpisodeBoundary(3, b[2].onset_ms - 5000, b[3].offset_ms)       # starts before episode 2
    b[6] = EpisodeBoundary(6, b[5].offset_ms - 2000, b[6].offset_ms)      # starts before episode 5 ends
    st = state(classification="B3", d_rating=1, boundaries=b, events=[("cry", 700, 770), ("approach", 759)])
    found = codes(st)
    assert found.count("boundary_order") == 1 and found.count("boundary_overlap") == 1
    r = scored(st)  # irregular boundaries: the vectorised path hands this coding to the per-coding one
    assert "episode 6 starts at 12:38.000, before episode 5 ends at 12:40.000" in r.warnings


def test_length_far_from_nominal_unless_flagged():
    b = standard_boundaries(lengths=(30, 180, 180, 20, 180, 180, 180, 400))
    assert codes(state(classification="B3", d_rating=1, boundaries=b)) == ["episode_length", "episode_length"]
    b = standard_boundaries(lengths=(30, 180, 180, 20, 180, 180, 180, 400), flags={4: "curtailed", 8: "extended"})
    assert codes(state(classification="B3", d_rating=1, boundaries=b)) == []
    b = standard_boundaries(lengths=(30, 180, 180, 120, 180, 180, 180, 180))
    assert codes(state(classification="B3", d_rating=1, boundaries=b)) == []          # within 50 %
    assert codes(state(classification="B3", d_rating=1, boundaries=b), episode_length_tolerance=0.2) == [
        "episode_length"]


def test_episode_after_end_of_video():
    st = state(classification="B3", d_rating=1)
    assert codes(st, video_ms=1_250_000) == ["boundary_after_video"]
    assert codes(st, video_ms=1_400_000) == []


def test_events_before_episode_one_and_after_episode_eight():
    st = state(classification="B3", d_rating=1, events=[("look_door", 2), ("cry", 1310, 1320)],
               marks=[("III", 1305)])
    found = check_coding(st, SCHEME, SETTINGS)
    assert [w.code for w in found] == ["events_before_start", "events_after_end"]
    assert found[1].message == "2 event(s) or D-index mark(s) after the end of episode 8 (not scored)"


def test_state_event_without_offset():
    st = state(classification="B3", d_rating=1, events=[("contact", 700), ("cry", 650)])
    found = check_coding(st, SCHEME, SETTINGS)
    assert [w.code for w in found] == ["open_state"]
    assert found[0].message.startswith("2 state event(s) without an offset") and "'cry' at 10:50.000" in found[0].message


def test_warnings_are_ordered_and_semicolon_separated():
    st = state(classification="D", d_rating=2, scales={}, events=[("cry", 700)])
    r = scored(st)
    parts = r.warnings.split("; ")
    assert parts[0].startswith("d_low_but_d") and parts[1].startswith("d_no_forced")
    assert parts[-1].startswith("open_state")


def test_overlapping_intervals_of_one_state_are_reported_by_both_paths():
    st = state(classification="B3", d_rating=1,
               events=[("play", 30, 31.5), ("play", 30.151, 31.632), ("cry", 100, 110), ("cry", 110, 120),
                       ("play", 200, 210), ("play", 205, 206), ("play", 209, 215), ("contact", 205, 207)])
    found = [w for w in check_coding(st, SCHEME, SETTINGS) if w.code == "state_overlap"]
    assert [w.message.split(" overlap")[0] for w in found] == [
        "'play' intervals 00:30.000–00:31.500, 00:30.151–00:31.632",
        "'play' intervals 03:20.000–03:30.000, 03:25.000–03:26.000, 03:29.000–03:35.000"]
    assert "merge them into one interval" in found[0].message
    # touching intervals (cry 100-110, 110-120) and other codes at the same time do not overlap
    assert scored(st).warnings.count("state_overlap") == 2


@pytest.mark.parametrize("seed", range(6))
def test_state_overlap_wording_is_the_same_in_both_paths_on_random_codings(seed):
    import random

    rng = random.Random(seed)
    events = []
    for _ in range(40):
        code = rng.choice(["play", "cry", "contact", "approach"])
        on = round(rng.uniform(10, 400), 3)
        events.append((code, on) if code == "approach" else (code, on, round(on + rng.uniform(0.5, 30), 3)))
    r = scored(state(classification="B3", d_rating=1, events=events))   # asserts both paths agree
    assert "state_overlap" in r.warnings
