"""The Observer XT event logs: explicit starts and stops, paired or reported."""

from __future__ import annotations

import pytest

from ssp_coder.errors import InputFileError
from ssp_coder.interchange import import_coding_file
from tests.interchange.conftest import FIXTURES, LAB_MAP, back_to_back, coding_of, snapshot


def test_lab_log_imports_to_the_millisecond(trial):
    report = import_coding_file(trial, FIXTURES / "observer_lab.txt", "observer", map_path=LAB_MAP)
    assert [(c["session"], c["coder"], c["action"]) for c in report.codings] == [("S1PR", "Ann", "created")]
    events, bounds, coding = coding_of(trial, "S1PR", "Ann")
    assert events == [("approach", 468_500, None), ("contact", 470_000, 480_250), ("cry", 409_123, 411_456)]
    assert bounds == back_to_back(5_000)
    assert {e.code: e.note for e in trial.coding_state(int(coding.id)).events}["approach"] == "fast"


def test_unpaired_starts_and_stops_are_reported_with_their_time(trial):
    before = snapshot(trial)
    with pytest.raises(InputFileError) as err:
        import_coding_file(trial, FIXTURES / "observer_problems.txt", "observer", map_path=LAB_MAP)
    text = str(err.value)
    assert snapshot(trial) == before
    assert "observation 'P1 post', tier 'Ann', line 2, at 0:06:40.000 (400 s): unpaired STOP: state 'Crying'" in text
    assert "line 4, at 0:06:55.000 (415 s): state 'Contact' starts again, but it already started at " \
           "0:06:50.000 (410 s)" in text
    assert "line 6, at 0:07:10.000 (430 s): unpaired START: state 'Proximity'" in text
    assert "code 'Vocalizes' (1 event(s)) is not in the map" in text
    assert "line 9: time 'soon' is not a time in seconds" in text


def test_a_log_without_the_needed_columns_says_which(trial, tmp_path):
    path = tmp_path / "log.txt"
    path.write_text("Time\tSubject\tWhat\n1.0\tAnn\tcry\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="the event log has no behaviour, event_type column"):
        import_coding_file(trial, path, "observer")
