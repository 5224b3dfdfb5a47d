"""Roster columns for sessions filmed by several cameras."""

import shutil

import pytest

from ssp_coder.errors import InputFileError
from ssp_coder.roster import import_roster
from ssp_coder.roster.views import find_view_columns


@pytest.fixture
def videos(tmp_path, tiny_videos):
    out = []
    for i, v in enumerate(tiny_videos):
        target = tmp_path / f"cam{i}.mp4"
        shutil.copy(v, target)
        out.append(target)
    return out


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_view_columns_are_found_whatever_their_spelling():
    cols = find_view_columns(["Video 2", "VIEW_NAME", "view 2 name", "Video_3", "notes", "video"])
    assert cols.videos == {2: "Video 2", 3: "Video_3"}
    assert cols.names == {1: "VIEW_NAME", 2: "view 2 name"}


def test_each_view_is_probed_hashed_and_named(project, tmp_path, videos):
    roster = write(tmp_path / "r.csv", "participant_id,timepoint,arm,video,video_2,view_name,view_2_name,notes\n"
                                       "P1,pre,A,cam0.mp4,cam1.mp4,face,room,x\n"
                                       "P2,pre,A,cam2.mp4,,,,\n")
    report = import_roster(project, roster)
    assert (report.sessions_added, report.views_added) == (2, 1)
    assert "1 further camera view" in report.summary()
    s1, s2 = project.sessions()
    v = project.views(int(s1.id))
    assert [(x.number, x.name, x.offset_ms) for x in v] == [(1, "face", 0), (2, "room", 0)]
    assert v[1].video_sha256 and len(v[1].video_sha256) == 64 and v[1].video_sha256 != s1.video_sha256
    assert v[1].duration_ms > 0 and v[1].fps == 25 and v[1].video_path.endswith("cam1.mp4")
    assert [x.number for x in project.views(int(s2.id))] == [1]
    # the view columns are not kept as participant extras
    assert project.participants()[0].extra == {"notes": "x"}
    assert {"AddView"} <= {e.command for e in project.audit_log()}


def test_reimport_changes_nothing_and_adds_a_new_view_later(project, tmp_path, videos):
    first = write(tmp_path / "a.csv", "participant_id,timepoint,arm,video\nP1,pre,A,cam0.mp4\n")
    import_roster(project, first)
    later = write(tmp_path / "b.csv", "participant_id,timepoint,arm,video,video_2\nP1,pre,A,cam0.mp4,cam1.mp4\n")
    report = import_roster(project, later)
    assert (report.sessions_added, report.views_added) == (0, 1)
    sid = int(project.sessions()[0].id)
    assert [x.number for x in project.views(sid)] == [1, 2]
    audit = len(project.audit_log())
    again = import_roster(project, later)
    assert again.views_added == 0 and len(project.audit_log()) == audit


def test_all_view_problems_at_once_and_nothing_written(project, tmp_path, videos):
    (tmp_path / "broken.mp4").write_text("not a video")
    roster = write(tmp_path / "bad.csv",
                   "participant_id,timepoint,arm,video,video_2,view_2_name,view_3_name\n"
                   "P1,pre,A,cam0.mp4,missing.mp4,room,\n"        # row 2: view 2 not found
                   "P2,pre,A,cam1.mp4,cam1.mp4,,\n"               # row 3: view 2 is the main video
                   "P3,pre,A,cam2.mp4,,room,\n"                   # row 4: a name without a video
                   "P4,pre,A,cam3.mp4,broken.mp4,,\n"             # row 5: view 2 is not a video
                   "P5,pre,A,,cam0.mp4,,extra\n")                 # row 6: no main video; name of view 3
    with pytest.raises(InputFileError) as info:
        import_roster(project, roster)
    where = {(p.row, p.column) for p in info.value.problems}
    assert {(2, "video_2"), (3, "video_2"), (4, "view_2_name"), (5, "video_2"), (6, "video"),
            (6, "view_3_name")} <= where
    assert "same file as the main video" in str(info.value)
    assert project.sessions() == [] and project.audit_log() == []


def test_a_view_already_registered_elsewhere_is_refused(project, tmp_path, videos):
    import_roster(project, write(tmp_path / "a.csv",
                                 "participant_id,timepoint,arm,video,video_2\nP1,pre,A,cam0.mp4,cam1.mp4\n"))
    with pytest.raises(InputFileError) as info:
        import_roster(project, write(tmp_path / "b.csv", "participant_id,timepoint,arm,video\nP2,pre,A,cam1.mp4\n"))
    assert "already in the project as session" in str(info.value)


def test_dry_run_reports_views_and_writes_nothing(project, tmp_path, videos):
    roster = write(tmp_path / "r.csv", "participant_id,timepoint,arm,video,video_2\nP1,pre,A,cam0.mp4,cam1.mp4\n")
    report = import_roster(project, roster, dry_run=True)
    assert (report.sessions_added, report.views_added) == (1, 1)
    assert project.sessions() == [] and project.conn.execute("SELECT count(*) FROM session_views").fetchone()[0] == 0
