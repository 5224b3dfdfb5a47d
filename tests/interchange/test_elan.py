"""ELAN files written by pympi-ling: tiers per behaviour or behaviour values, annotators as coders."""

from __future__ import annotations

import pytest

from ssp_coder.errors import InputFileError
from ssp_coder.interchange import import_coding_file, read_codings
from tests.interchange.conftest import FIXTURES, LAB_MAP, back_to_back, coding_of, snapshot


def test_lab_file_imports_to_the_millisecond(trial):
    report = import_coding_file(trial, FIXTURES / "elan_lab.eaf", "elan", map_path=LAB_MAP)
    assert [(c["session"], c["coder"], c["action"]) for c in report.codings] == [("S1PR", "Ann", "created")]
    events, bounds, _ = coding_of(trial, "S1PR", "Ann")
    # 'Crying' tier (values 'x'), 'Infant behaviour' tier with behaviour values; a point takes its annotation's start
    assert events == [("approach", 468_500, None), ("contact", 470_000, 480_250), ("cry", 409_123, 411_456)]
    assert bounds == back_to_back(5_000)


def test_known_problems_are_reported_by_tier_and_time(trial):
    before = snapshot(trial)
    with pytest.raises(InputFileError) as err:
        import_coding_file(trial, FIXTURES / "elan_problems.eaf", "elan", map_path=LAB_MAP)
    text = str(err.value)
    assert snapshot(trial) == before
    assert "overlapping states: 'cry' from 0:06:40.000 (400 s) to 0:07:00.000 (420 s) overlaps 'cry' from " \
           "0:06:50.000 (410 s)" in text
    assert "code 'Gaze: mother' (1 event(s)) is not in the map" in text
    assert "tier 'Gaze', at 0:08:20.000 (500 s)" in text


def test_time_origin_of_the_media_shifts_every_annotation(tmp_path):
    text = (FIXTURES / "elan_lab.eaf").read_text(encoding="utf-8")
    path = tmp_path / "origin.eaf"
    path.write_text(text.replace('MIME_TYPE="video/mp4"', 'MIME_TYPE="video/mp4" TIME_ORIGIN="2000"'),
                    encoding="utf-8")
    marks = {m.code: m for m in read_codings(path, "elan").observations[0].marks}
    assert (marks["Crying: x"].onset_ms, marks["Crying: x"].offset_ms) == (411_123, 413_456)


def test_a_damaged_file_is_a_clear_error(trial, tmp_path):
    path = tmp_path / "broken.eaf"
    path.write_text("<ANNOTATION_DOCUMENT><HEADER>", encoding="utf-8")
    with pytest.raises(InputFileError, match="not a readable ELAN file"):
        import_coding_file(trial, path, "elan")
