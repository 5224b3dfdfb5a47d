"""BORIS project files written by BORIS itself: every event comes in to the millisecond; known problems are reported."""

from __future__ import annotations

import json

import pytest

from ssp_coder.errors import InputFileError
from ssp_coder.interchange import import_coding_file, read_codings
from tests.interchange.conftest import FIXTURES, LAB_MAP, back_to_back, coding_of, snapshot

ANN_EVENTS = [("approach", 468_500, None), ("contact", 470_000, 480_250), ("cry", 409_123, 411_456),
              ("reach", 1_200_001, None)]


@pytest.mark.parametrize("name", ["boris_lab.boris", "boris_lab_5fields.boris"])
def test_lab_project_imports_every_event_to_the_millisecond(trial, name):
    report = import_coding_file(trial, FIXTURES / name, "boris", map_path=LAB_MAP)
    assert [(c["session"], c["coder"], c["purpose"], c["action"]) for c in report.codings] == [
        ("S1PR", "Ann", "primary", "created"), ("S1PR", "Bob", "reliability", "created"),
        ("S2PO", "Bob", "primary", "created")]
    events, bounds, coding = coding_of(trial, "S1PR", "Ann")
    assert events == sorted(ANN_EVENTS)
    assert bounds == back_to_back(5_000)
    assert coding.status == "draft" and coding.origin == "imported"
    events, bounds, _ = coding_of(trial, "S1PR", "Bob")
    assert events == [("approach", 469_000, None), ("cry", 409_500, 412_000)]
    assert bounds == back_to_back(5_200)
    # "P2 post visit" has a 2.5 s time offset in BORIS: times come back on the video's clock
    events, bounds, _ = coding_of(trial, "S2PO", "Bob")
    assert events == [("proximity", 600_000, 610_000)]
    assert bounds == back_to_back(3_000)


def test_modifier_and_comment_become_the_note(trial):
    import_coding_file(trial, FIXTURES / "boris_lab.boris", "boris", map_path=LAB_MAP)
    *_, coding = coding_of(trial, "S1PR", "Ann")
    notes = {e.code: e.note for e in trial.coding_state(int(coding.id)).events}
    assert notes["approach"] == "modifier: crawls; fast"
    assert notes["contact"] == "held briefly"


def test_every_known_problem_is_reported_at_once_and_nothing_is_written(trial):
    before = snapshot(trial)
    with pytest.raises(InputFileError) as err:
        import_coding_file(trial, FIXTURES / "boris_problems.boris", "boris", map_path=LAB_MAP)
    text = str(err.value)
    assert snapshot(trial) == before
    assert "unpaired START: state 'Crying' of subject 'Infant' starts here" in text
    assert "observation 'P1 post (Ann)', tier 'Infant', at 0:06:49.000 (409 s)" in text
    assert "overlapping states: 'contact' from 0:08:20.000 (500 s) to 0:08:40.000 (520 s) overlaps 'contact' " \
           "from 0:08:25.000 (505 s)" in text
    assert "code 'Vocalizes' (1 event(s)) is not in the map" in text
    assert "its video 'p9_post.mp4' is not in this project" in text
    assert "nothing was changed" in text


def test_format_versions_outside_7_to_10_are_refused_with_what_to_do(tmp_path):
    data = json.loads((FIXTURES / "boris_lab.boris").read_text())
    for version in ("4.0", "11.0"):
        data["project_format_version"] = version
        path = tmp_path / f"v{version}.boris"
        path.write_text(json.dumps(data))
        cf = read_codings(path, "boris")
        assert not cf.observations
        assert f"the project format version is {version}; this program reads versions 7 to 10" in str(cf.problems[0])
    data["project_format_version"] = "8.6"   # the format BORIS writes for projects with image observations
    path = tmp_path / "v86.boris"
    path.write_text(json.dumps(data))
    assert len(read_codings(path, "boris").observations) == 3


def test_a_file_that_is_not_a_boris_project_is_a_clear_error(trial, tmp_path):
    path = tmp_path / "notes.boris"
    path.write_text("these are my notes")
    with pytest.raises(InputFileError, match="not a BORIS project: the file is not JSON"):
        import_coding_file(trial, path, "boris")


def test_state_pairing_follows_subject_and_modifier(trial, tmp_path):
    data = json.loads((FIXTURES / "boris_lab.boris").read_text())
    obs = data["observations"]["P1 pre (Ann)"]
    # a second 'Crying' of another modifier inside the first: pairs on its own, so nothing is unpaired,
    # but both map to 'cry', which is then the same behaviour twice at once
    obs["events"] += [[410.0, "Infant", "Crying", "loud", "", 0], [411.0, "Infant", "Crying", "loud", "", 0]]
    obs["events"].sort(key=lambda e: e[0])
    path = tmp_path / "modifiers.boris"
    path.write_text(json.dumps(data))
    with pytest.raises(InputFileError) as err:
        import_coding_file(trial, path, "boris", map_path=LAB_MAP)
    assert "unpaired" not in str(err.value)
    assert "overlapping states: 'cry' from 0:06:49.123 (409.123 s)" in str(err.value)
