"""Timed-code agreement pooled over pairs, and the drift view."""

import math

import pandas as pd
import pytest

from builders import EPISODE_MS, add_sessions, coding, new_project
from ssp_coder.domain.commands import SetSetting
from ssp_coder.reliability.drift import drift_figure, drift_table, save_figure, window_kappa
from ssp_coder.reliability.report import reliability_report
from ssp_coder.stats.agreement import cohen_kappa

TOTAL_S = 8 * EPISODE_MS / 1000


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    p = new_project(tmp_path_factory.mktemp("timed"))
    codes = add_sessions(p, [("P1", "ABC", "pre", "S01"), ("P2", "DEF", "pre", "S02")])
    # S01: cry 0-100 s vs 0-50 s; approach at 10 s vs 11.5 s (within 2 s); D marks at 800 s vs 805 s (not)
    coding(p, codes["S01"], "Ann", "primary", events=[("cry", 0, 100_000), ("approach", 10_000, None)],
           marks=[("I", 800_000)])
    coding(p, codes["S01"], "Bob", "reliability", events=[("cry", 0, 50_000), ("approach", 11_500, None)],
           marks=[("I", 805_000)])
    # S02: identical cry 200-300 s; Bob's boundaries are 0.5 s later
    coding(p, codes["S02"], "Ann", "primary", events=[("cry", 200_000, 300_000)])
    coding(p, codes["S02"], "Cem", "reliability", events=[("cry", 200_000, 300_000)], shift_ms=500)
    r = reliability_report(p)
    p.close()
    return r


def pick(timed, pair, item):
    row = timed[(timed["pair"] == pair) & (timed["item"] == item)]
    assert len(row) == 1, (pair, item)
    return row.iloc[0]


def test_pooled_overlap_kappa_by_hand(report):
    # pooled axis of 2 x 1440 s; cry: Ann 100 + 100 s, Bob 50 + 100 s, both 50 + 100 s
    total = 2 * TOTAL_S
    q1, q2, q12 = 200 / total, 150 / total, 150 / total
    po = 1 - (q1 + q2 - 2 * q12)
    pe = q1 * q2 + (1 - q1) * (1 - q2)
    row = pick(report.timed, "all", "cry")
    assert row["value"] == pytest.approx((po - pe) / (1 - pe))
    assert row["n_sessions"] == 2 and row["duration_s"] == pytest.approx(total)
    assert math.isnan(pick(report.timed, "all", "play")["value"])   # nobody coded it: undefined
    # only cry was coded, so the all-codes kappa equals the cry kappa
    assert pick(report.timed, "all", "all state behaviours")["value"] == pytest.approx(row["value"])
    assert pick(report.timed, "Ann & Cem", "cry")["value"] == pytest.approx(1.0)


def test_point_events_and_d_marks_match_within_tolerance(report):
    ap = pick(report.timed, "all", "approach")
    assert (ap["agreements"], ap["commissions"], ap["omissions"], ap["value"]) == (1, 0, 0, 1.0)
    d = pick(report.timed, "all", "all D indices")
    assert (d["agreements"], d["commissions"], d["omissions"], d["value"]) == (0, 1, 1, 0.0)


def test_boundaries(report):
    b = pick(report.timed, "all", "all episode boundaries")
    # S01 identical (16 boundaries, 0 s); S02: 14 boundaries moved 0.5 s (episode 1 start, 8 end stay)
    assert b["n_boundaries"] == 32
    assert b["value"] == pytest.approx(14 * 0.5 / 32)
    assert b["max_abs_diff_s"] == pytest.approx(0.5)
    assert pick(report.timed, "Ann & Cem", "episode 1")["value"] == pytest.approx(0.25)


def test_tolerance_is_a_setting(tmp_path):
    p = new_project(tmp_path)
    code = add_sessions(p, [("P1", "ABC", "pre", "S01")])["S01"]
    coding(p, code, "Ann", "primary", marks=[("I", 800_000)])
    coding(p, code, "Bob", "reliability", marks=[("I", 805_000)])
    p.execute(SetSetting("d_index_tolerance_s", 6))
    r = reliability_report(p)
    p.close()
    assert pick(r.timed, "all", "all D indices")["value"] == 1.0
    assert "±6 s" in pick(r.timed, "all", "all D indices")["statistic"]
    assert r.settings["d_index_tolerance_s"] == 6.0


def test_window_kappa_matches_the_statistics_library():
    x = ["A", "B", "B", "D", "B", "C", "B", "A"]
    y = ["A", "B", "D", "D", "B", "C", "A", "A"]
    assert window_kappa(x, y) == pytest.approx(cohen_kappa(x, y).kappa)
    assert math.isnan(window_kappa(["B", "B"], ["B", "B"]))


def test_drift_rolling_window_by_coder(tmp_path):
    rows = []
    for i in range(6):
        rows.append({"primary_coder": "Ann", "reliability_coder": "Bob", "completed_at": f"2025-01-0{i + 1}T10:00",
                     "blinded_code": f"S{i}", "abcd_primary": "B", "abcd_reliability": "B" if i < 3 else "D",
                     "d_rating_primary": 2.0, "d_rating_reliability": 2.0 if i < 3 else 6.0})
    d = drift_table(pd.DataFrame(rows), window=3)
    bob = d[d["coder"] == "Bob"]
    assert list(bob["seq"]) == [1, 2, 3, 4, 5, 6]
    assert list(bob["abcd_agreement"]) == pytest.approx([1, 1, 1, 2 / 3, 1 / 3, 0])
    assert list(bob["d_rating_mad"]) == pytest.approx([0, 0, 0, 4 / 3, 8 / 3, 4])
    assert list(bob["window_n"]) == [1, 2, 3, 3, 3, 3]
    assert d[d["coder"] == "Ann"]["abcd_agreement"].tolist() == bob["abcd_agreement"].tolist()
    fig = drift_figure(d, window=3)
    png = save_figure(fig, tmp_path / "drift.png")
    svg = save_figure(fig, tmp_path / "drift.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:400]
    assert [ln.get_label() for ln in fig.axes[0].get_lines()] == ["Ann", "Bob"]


def test_drift_axis_is_labelled_with_dates_even_when_pairs_finish_within_a_second():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    rows = [{"primary_coder": "Ann", "reliability_coder": "Bob", "completed_at": f"2025-03-04T10:39:09.{i}00000+00:00",
             "blinded_code": f"S{i}", "abcd_primary": "B", "abcd_reliability": "B", "d_rating_primary": 2.0,
             "d_rating_reliability": 2.0} for i in range(4)]
    fig = drift_figure(drift_table(pd.DataFrame(rows), window=3), window=3)
    FigureCanvasAgg(fig).draw()
    labels = [t.get_text() for t in fig.axes[1].get_xticklabels() if t.get_text()]
    assert labels and all(len(t) == 10 and t[4] == "-" and t[7] == "-" for t in labels), labels
    assert "2025-03-04" in labels and len(set(labels)) == len(labels)
    assert "marked complete" in fig.axes[1].get_xlabel()
