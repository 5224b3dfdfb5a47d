"""Datavyu .opf spreadsheets: columns are behaviours, cells intervals."""

from __future__ import annotations

import zipfile

import pytest

from ssp_coder.errors import InputFileError
from ssp_coder.interchange import import_coding_file
from tests.interchange.conftest import FIXTURES, LAB_MAP, back_to_back, coding_of, snapshot


def test_lab_file_imports_to_the_millisecond(trial):
    report = import_coding_file(trial, FIXTURES / "datavyu_lab.opf", "datavyu", map_path=LAB_MAP, coder="Ann")
    assert [(c["session"], c["coder"], c["action"]) for c in report.codings] == [("S1PR", "Ann", "created")]
    events, bounds, _ = coding_of(trial, "S1PR", "Ann")
    assert events == [("approach", 468_500, None), ("contact", 470_000, 480_250), ("cry", 409_123, 411_456)]
    assert bounds == back_to_back(5_000)


def test_without_a_coder_it_asks_who_coded_it(trial):
    with pytest.raises(InputFileError, match="it is not known who coded this observation"):
        import_coding_file(trial, FIXTURES / "datavyu_lab.opf", "datavyu", map_path=LAB_MAP)


def test_known_problems_are_reported_at_once(trial):
    before = snapshot(trial)
    with pytest.raises(InputFileError) as err:
        import_coding_file(trial, FIXTURES / "datavyu_problems.opf", "datavyu", map_path=LAB_MAP, coder="Ann")
    text = str(err.value)
    assert snapshot(trial) == before
    assert "line 8: this line of the spreadsheet is not readable: 'this line is damaged'" in text
    assert "its video 'p9_post.mp4' is not in this project" in text
    assert "code 'Gaze: mother' (1 event(s)) is not in the map" in text


@pytest.mark.parametrize("video", ["p9_post.mp4", "p1_post.mp4"])
def test_overlap_and_missing_offset_are_reported_whether_or_not_the_session_is_known(trial, video):
    text = _with_media(trial, video)
    assert ("is not in this project" in text) == (video == "p9_post.mp4")
    assert "tier 'Crying', line 5, at 0:08:00.000 (480 s): 'Crying' has no end (offset). Fill in the end " \
           "in Datavyu." in text
    assert "tier 'Crying', at 0:06:50.000 (410 s): overlapping states: 'cry' from 0:06:40.000 (400 s) to " \
           "0:07:00.000 (420 s)" in text


def _with_media(trial, video: str) -> str:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.opf"
        with zipfile.ZipFile(FIXTURES / "datavyu_problems.opf") as src, zipfile.ZipFile(path, "w") as dst:
            dst.writestr("db", src.read("db"))
            dst.writestr("project", src.read("project").decode().replace("p9_post.mp4", video))
        with pytest.raises(InputFileError) as err:
            import_coding_file(trial, path, "datavyu", map_path=LAB_MAP, coder="Ann")
    return str(err.value)


def test_not_an_opf_is_a_clear_error(trial, tmp_path):
    path = tmp_path / "x.opf"
    path.write_text("hello")
    with pytest.raises(InputFileError, match="not a Datavyu .opf file"):
        import_coding_file(trial, path, "datavyu")
