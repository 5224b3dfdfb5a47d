"""Timed-event agreement: BORIS vector E1, hand-computed cases, properties."""

from __future__ import annotations

import math
import re
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ssp_coder.stats.agreement import cohen_kappa
from ssp_coder.stats.timed import (
    NONE_LABEL,
    boundary_agreement,
    event_agreement,
    overlap_kappa,
    time_slice_kappa,
)


# --------------------------------------------------------------------------- #
# E1: BORIS time-unit kappa
# --------------------------------------------------------------------------- #
def _boris_events(raw, behaviours, subjects):
    """BORIS toggled events -> subject -> [(code, onset, offset|None)] (c.1 pairing)."""
    groups: dict[tuple[str, str], list[float]] = {}
    for t, subject, behaviour, _modifier, _comment in raw:
        subject = subject or "No focal subject"
        if subject in subjects and behaviour in behaviours:
            groups.setdefault((subject, behaviour), []).append(t)
    out: dict[str, list] = {s: [] for s in subjects}
    for (subject, behaviour), times in groups.items():
        times.sort()
        if behaviour == "p":
            out[subject] += [(behaviour, t, None) for t in times]
        else:
            assert len(times) % 2 == 0
            out[subject] += [(behaviour, times[i], times[i + 1]) for i in range(0, len(times), 2)]
    return out


def _e1_cases(vector):
    pattern = re.compile(
        r"(observation #\d(?: \(copy\))?) vs (observation #\d(?: \(copy\))?), behaviours (\[.*?\]), "
        r"subjects (\[.*?\]), interval ([\d.]+)s"
    )
    cases = []
    for pub, cc in zip(vector["published"], vector["crosscheck"]):
        m = pattern.match(pub["quantity"])
        assert m, pub["quantity"]
        o1, o2, beh, subj, step = m.groups()
        parse = lambda text: re.findall(r"'([^']*)'", text)  # noqa: E731
        cases.append((o1, o2, parse(beh), parse(subj), float(step), pub["value"], cc["value"]))
    assert len(cases) == 6
    return cases


def test_e1_reproduces_boris_at_its_printed_precision(reference_vectors):
    v = reference_vectors["E1"]
    for o1, o2, behaviours, subjects, step, value, (cc_kappa, cc_units) in _e1_cases(v):
        ev1 = _boris_events(v["data"]["events"][o1], behaviours, subjects)
        ev2 = _boris_events(v["data"]["events"][o2], behaviours, subjects)
        r = time_slice_kappa(ev1, ev2, slice_s=step)
        label = f"{o1} vs {o2} {behaviours} {step}s"
        assert round(r.kappa, 3) == pytest.approx(value, abs=1e-9), label
        assert round(r.kappa, 3) == pytest.approx(cc_kappa, abs=1e-9), label
        assert r.n_units == cc_units, label
        assert r.n_units == r.n_slices * len(subjects), label
        assert int(r.table.to_numpy().sum()) == r.n_units


# --------------------------------------------------------------------------- #
# overlap kappa
# --------------------------------------------------------------------------- #
def test_overlap_kappa_by_hand():
    e1 = [("cry", 0, 10), ("contact", 5, 20), ("look", 3, None)]  # point: ignored
    e2 = [("cry", 1, 10), ("contact", 5, 18)]
    r = overlap_kappa(e1, e2, start_s=0, end_s=30)
    # durations: none/none 10 (20-30), contact/none 2 (18-20), cry/none 1 (0-1),
    # cry/cry 4 (1-5), contact+cry/contact+cry 5 (5-10), contact/contact 8 (10-18)
    tab = r.table
    assert tab.loc[NONE_LABEL, NONE_LABEL] == 10
    assert tab.loc["contact", NONE_LABEL] == 2
    assert tab.loc["cry", NONE_LABEL] == 1
    assert tab.loc["contact+cry", "contact+cry"] == 5
    po = 27 / 30
    row = np.array([10, 10, 5, 5]) / 30  # none, contact, cry, contact+cry (coder 1)
    col = np.array([13, 8, 4, 5]) / 30
    pe = float(row @ col)
    assert r.kappa == pytest.approx((po - pe) / (1 - pe))
    assert r.duration_s == 30
    assert r.n_intervals == 6
    # per code: cry present 0-10 vs 1-10 -> 1 s disagreement of 30
    q1, q2 = 10 / 30, 9 / 30
    pe_cry = q1 * q2 + (1 - q1) * (1 - q2)
    assert r.per_code["cry"] == pytest.approx((29 / 30 - pe_cry) / (1 - pe_cry))
    assert set(r.per_code) == {"cry", "contact"}


def test_overlap_kappa_equals_weighted_cohen_on_the_table():
    e1 = [("a", 0, 4), ("b", 4, 9), ("a", 9, 10)]
    e2 = [("a", 0, 5), ("b", 5, 10)]
    r = overlap_kappa(e1, e2, start_s=0, end_s=10)
    k = cohen_kappa(table=r.table.to_numpy())
    assert r.kappa == pytest.approx(k.kappa)


def test_overlap_kappa_clips_to_the_window_and_accepts_objects():
    Ev = namedtuple("Ev", "code onset_s offset_s")
    e1 = [Ev("a", -5, 5), {"code": "b", "onset_s": 5, "offset_s": 50}]
    e2 = [("a", 0, 5), ("b", 5, 10)]
    r = overlap_kappa(e1, e2, start_s=0, end_s=10)
    assert r.kappa == pytest.approx(1.0)
    assert r.table.to_numpy().sum() == pytest.approx(10)


def test_overlap_kappa_codes_argument():
    e1 = [("a", 0, 5), ("b", 5, 10)]
    e2 = [("a", 0, 5), ("b", 6, 10)]
    r = overlap_kappa(e1, e2, start_s=0, end_s=10, codes=["a", "z"])
    assert r.kappa == pytest.approx(1.0)
    assert r.per_code["a"] == pytest.approx(1.0)
    assert math.isnan(r.per_code["z"])  # never used: pe = 1


def test_overlap_kappa_nothing_coded_is_nan():
    r = overlap_kappa([], [], start_s=0, end_s=10)
    assert math.isnan(r.kappa)
    assert r.table.loc[NONE_LABEL, NONE_LABEL] == 10


# --------------------------------------------------------------------------- #
# time-slice kappa details
# --------------------------------------------------------------------------- #
def test_time_slice_inclusive_ends_make_compound_labels():
    e1 = [("a", 0, 2), ("b", 2, 4)]
    r = time_slice_kappa(e1, e1, slice_s=1.0)
    assert r.n_slices == 5
    assert r.table.loc["a+b", "a+b"] == 1  # t = 2 lies in both states
    assert r.kappa == pytest.approx(1.0)


def test_time_slice_points_count_within_half_a_slice():
    e1 = [("s", 0, 10), ("p", 3.5, None)]
    e2 = [("s", 0, 10), ("p", 3.6, None)]
    r = time_slice_kappa(e1, e2, slice_s=1.0)
    # scan 0..10; 3.5 is within +/-0.5 of t=3 and t=4; 3.6 only of t=4
    assert r.table.loc["s+p", "s+p"] == 1
    assert r.table.loc["s+p", "s"] == 1
    assert r.n_slices == 11


def test_time_slice_fixed_origin_and_default_grid():
    e1 = [("a", 1.25, 3.25)]
    r = time_slice_kappa(e1, e1, slice_s=1.0)
    assert (r.start_s, r.end_s, r.n_slices) == (1.25, 3.25, 3)
    r0 = time_slice_kappa(e1, e1, slice_s=1.0, start_s=0, end_s=5)
    assert r0.n_slices == 6
    assert r0.table.loc[NONE_LABEL, NONE_LABEL] == 4


def test_time_slice_boris_rule_when_n_equals_e():
    r = time_slice_kappa([("a", 0, 5)], [("a", 0, 5)], slice_s=1.0)
    assert r.pe == 1.0
    assert r.kappa == 1.0


# --------------------------------------------------------------------------- #
# events and boundaries
# --------------------------------------------------------------------------- #
def test_event_agreement_optimal_matching():
    # greedy by smallest difference would pair 1.0 with 1.4 and leave 0.5 and 1.9 unmatched
    e1 = [("p", 1.0, None), ("p", 1.9, None)]
    e2 = [("p", 0.5, None), ("p", 1.4, None)]
    r = event_agreement(e1, e2, tolerance_s=0.5)
    assert r.agreements == 2
    assert r.commissions == r.omissions == 0
    assert r.index == 1.0
    assert sorted(r.matches) == [("p", 1.0, 0.5), ("p", 1.9, 1.4)]


def test_event_agreement_counts_commissions_and_omissions_per_code():
    e1 = [("a", 1, 2), ("a", 10, None), ("b", 5, None)]
    e2 = [("a", 1.2, 3), ("b", 7, None), ("c", 8, None)]
    r = event_agreement(e1, e2, tolerance_s=1.0)
    assert (r.agreements, r.commissions, r.omissions) == (1, 2, 2)
    assert r.index == pytest.approx(1 / 5)
    assert r.per_code["a"].omissions == 1
    assert r.per_code["c"].commissions == 1
    assert r.per_code["b"].index == 0.0


def test_event_agreement_tolerance_is_inclusive():
    r = event_agreement([("a", 1.0, None)], [("a", 1.5, None)], tolerance_s=0.5)
    assert r.agreements == 1
    assert math.isnan(event_agreement([], [], tolerance_s=1).index)


def test_boundary_agreement():
    b1 = {"ep1": (0.0, 180.0), "ep2": (180.0, 362.0), "ep3": (362.0, None)}
    b2 = {"ep1": (1.0, 181.5), "ep2": (181.5, 360.0), "ep4": (500.0, 600.0)}
    r = boundary_agreement(b1, b2)
    assert r.n_boundaries == 4
    assert r.per_boundary[("ep2", "offset")] == pytest.approx(-2.0)
    assert r.mean_abs_diff_s == pytest.approx((1 + 1.5 + 1.5 + 2) / 4)
    assert r.max_abs_diff_s == pytest.approx(2.0)


# --------------------------------------------------------------------------- #
# invalid input
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: overlap_kappa([("a", 5, 3)], [], start_s=0, end_s=10), "coder 1, event 0 .'a'.*before onset"),
        (lambda: overlap_kappa([], [("a", 1, 2), ("b", 4, 3)], start_s=0, end_s=10), "coder 2, event 1"),
        (lambda: overlap_kappa([], [], start_s=10, end_s=10), "before end_s"),
        (lambda: overlap_kappa([("a", float("nan"), 2)], [], start_s=0, end_s=1), "finite"),
        (lambda: overlap_kappa([("a", 1)], [], start_s=0, end_s=1), "expected"),
        (lambda: time_slice_kappa([("a", 1, 0)], [], slice_s=1), "before onset"),
        (lambda: time_slice_kappa([("a", 0, 1)], [], slice_s=0), "positive"),
        (lambda: time_slice_kappa([], [], slice_s=1), "no recorded events"),
        (lambda: time_slice_kappa([("a", 0, 1)], [], slice_s=1, start_s=5, end_s=2), "before end_s"),
        (lambda: event_agreement([("a", 2, 1)], [], tolerance_s=1), "before onset"),
        (lambda: event_agreement([], [], tolerance_s=-1), "non-negative"),
        (lambda: boundary_agreement({"e": (5, 1)}, {"e": (5, 6)}), "episode 'e'"),
        (lambda: boundary_agreement({"e": (0, 1)}, {"f": (0, 1)}), "share no"),
    ],
)
def test_invalid_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------------------------------- #
# properties: overlap kappa is the fine-slice limit
# --------------------------------------------------------------------------- #
LENGTH = 30
CODES = ("a", "b", "c")


@st.composite
def integer_states(draw):
    """State events on integer seconds in [0, LENGTH]; same-code bouts never overlap or touch."""
    events = []
    for code in CODES:
        cuts = sorted(draw(st.sets(st.integers(0, LENGTH), max_size=8)))
        for i in range(0, len(cuts) - 1, 2):
            if draw(st.booleans()):
                events.append((code, float(cuts[i]), float(cuts[i + 1])))
    # drop bouts touching another bout of the same code (BORIS labels are multisets)
    events.sort()
    clean = []
    for ev in events:
        if clean and clean[-1][0] == ev[0] and clean[-1][2] >= ev[1]:
            continue
        clean.append(ev)
    return clean


def _label_at(events, t):
    active = sorted({c for c, on, off in events if on <= t < off})
    return "+".join(active) if active else "-"


@settings(max_examples=60, deadline=None)
@given(integer_states(), integer_states())
def test_overlap_kappa_equals_cohen_kappa_of_one_second_slices(e1, e2):
    """With integer boundaries each second has one label: mid-second sampling is exact."""
    r = overlap_kappa(e1, e2, start_s=0, end_s=LENGTH)
    mids = [k + 0.5 for k in range(LENGTH)]
    l1, l2 = [_label_at(e1, t) for t in mids], [_label_at(e2, t) for t in mids]
    k = cohen_kappa(l1, l2)
    if math.isnan(k.kappa):
        assert math.isnan(r.kappa)
    else:
        assert r.kappa == pytest.approx(k.kappa, abs=1e-9)
        assert r.po == pytest.approx(k.po, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(integer_states(), integer_states())
def test_time_slice_kappa_converges_to_overlap_kappa(e1, e2):
    """A grid offset from the integer boundaries samples every second equally often."""
    r = overlap_kappa(e1, e2, start_s=0, end_s=LENGTH)
    assume(not math.isnan(r.kappa))
    s = time_slice_kappa(e1, e2, slice_s=0.1, start_s=0.05, end_s=LENGTH)
    assert s.n_slices == 10 * LENGTH
    assert s.kappa == pytest.approx(r.kappa, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(integer_states(), integer_states())
def test_overlap_kappa_is_symmetric(e1, e2):
    a = overlap_kappa(e1, e2, start_s=0, end_s=LENGTH)
    b = overlap_kappa(e2, e1, start_s=0, end_s=LENGTH)
    assert (math.isnan(a.kappa) and math.isnan(b.kappa)) or a.kappa == pytest.approx(b.kappa, abs=1e-12)
    np.testing.assert_allclose(a.table.to_numpy(), b.table.to_numpy().T)
