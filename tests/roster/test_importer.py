import shutil

import openpyxl
import pytest

from ssp_coder.errors import InputFileError
from ssp_coder.media import MediaError
from ssp_coder.roster import import_roster
from ssp_coder.roster.blinding import ALPHABET, new_blinded_code
from ssp_coder.roster.labels import resolve_timepoint


@pytest.fixture
def videos(tmp_path, tiny_videos):
    out = []
    for i, v in enumerate(tiny_videos):
        target = tmp_path / f"family{i}.mp4"
        shutil.copy(v, target)
        out.append(target)
    return out


def write_csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_good_roster_imports_with_blinded_codes(project, tmp_path, videos):
    roster = write_csv(tmp_path / "roster.csv",
                       "Participant ID;Wave;Condition;Video File;Site;Age;Sex;Visit date;Notes\n"
                       "P1;Baseline;ABC;family0.mp4;Newark;14.5;F;2025-01-03;first\n"
                       "P1;Post-test;ABC;family1.mp4;Newark;20;F;2025-07-03;\n"
                       "P2;T1;DEF;family2.mp4;Wilm;13;M;2025-02-01;\n")
    report = import_roster(project, roster)
    assert (report.participants_added, report.sessions_added) == (2, 3)
    sessions = project.sessions()
    assert [s.timepoint for s in sessions] == ["pre", "post", "pre"]
    codes = [s.blinded_code for s in sessions]
    assert len(set(codes)) == 3
    for code in codes:
        assert len(code) == 7 and code[3] == "-" and set(code.replace("-", "")) <= set(ALPHABET)
        for secret in ("P1", "P2", "ABC", "DEF", "pre", "post"):
            assert secret.lower() not in code.lower()
    p1 = project.participants()[0]
    assert (p1.external_id, p1.arm, p1.site, p1.sex, p1.age_months) == ("P1", "ABC", "Newark", "F", 14.5)
    assert p1.extra == {"Notes": "first"}
    assert sessions[0].duration_ms > 0 and sessions[0].fps == 25 and len(sessions[0].video_sha256) == 64
    assert sessions[1].date_of_visit == "2025-07-03"


def test_reimport_is_idempotent(project, tmp_path, videos):
    roster = write_csv(tmp_path / "r.csv", "participant_id,timepoint,arm,video\nP1,pre,A,family0.mp4\n")
    import_roster(project, roster)
    before = [(s.id, s.blinded_code) for s in project.sessions()]
    audit = len(project.audit_log())
    report = import_roster(project, roster)
    assert report.sessions_added == 0 and report.sessions_unchanged == 1
    assert [(s.id, s.blinded_code) for s in project.sessions()] == before
    assert len(project.audit_log()) == audit


def test_all_problems_at_once_and_nothing_written(project, tmp_path, videos):
    (tmp_path / "notes.mp4").write_text("not a video")
    roster = write_csv(tmp_path / "bad.csv",
                       "participant_id,timepoint,arm,video,age_months,date_of_visit\n"
                       "P1,pre,control,family0.mp4,14,2025-01-01\n"          # row 2 fine
                       "P1,pre,control,family1.mp4,14,2025-01-01\n"          # row 3 duplicate
                       ",post,control,family2.mp4,14,2025-01-01\n"           # row 4 empty id
                       "P3,midway,control,family3.mp4,14,2025-01-01\n"       # row 5 unknown timepoint
                       "P4,pre,contrl,missing.mp4,14,2025-01-01\n"           # row 6 typo arm, missing video
                       "P5,pre,control,notes.mp4,fourteen,14/3/2025\n"       # row 7 not a video, age, date
                       "P6,pre,control,family0.mp4,14,2025-01-01\n"          # row 8 same video as row 2
                       "P7,pre,Control,family3.mp4,14,2025-01-01\n"          # row 9 arm variant
                       "P8,post,control,family3.mp4,14,2025-01-01\n")        # (same video as row 9)
    with pytest.raises(InputFileError) as info:
        import_roster(project, roster)
    where = {(p.row, p.column) for p in info.value.problems}
    assert (3, "participant_id") in where
    assert (4, "participant_id") in where
    assert (5, "timepoint") in where
    assert (6, "arm") in where and (6, "video") in where
    assert (7, "video") in where and (7, "age_months") in where and (7, "date_of_visit") in where
    assert (8, "video") in where
    assert (9, "arm") in where
    text = str(info.value)
    assert "bad.csv" in text and "nothing was changed" in text and "misspelling of 'control'" in text
    assert project.sessions() == [] and project.participants() == [] and project.audit_log() == []


def test_missing_columns_reported_as_row_1(project, tmp_path):
    roster = write_csv(tmp_path / "r.csv", "id,arm\nP1,A\n")
    with pytest.raises(InputFileError) as info:
        import_roster(project, roster)
    assert {(p.row, p.column) for p in info.value.problems} == {(1, "timepoint"), (1, "video")}


def test_xlsx_roster_and_new_timepoint(project, tmp_path, videos):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["participant_id", "timepoint", "arm", "video", "age_months"])
    ws.append(["K1", "6-month follow-up", "VIPP", "family0.mp4", 18])
    ws.append([1002, "pre", "VIPP", "family1.mp4", 12.5])
    wb.save(tmp_path / "r.xlsx")
    with pytest.raises(InputFileError, match="unknown timepoint"):
        import_roster(project, tmp_path / "r.xlsx")
    import_roster(project, tmp_path / "r.xlsx", new_timepoints=("6-month follow-up",))
    assert {p.external_id for p in project.participants()} == {"K1", "1002"}
    assert "6-month follow-up" in project.settings["timepoints"]


def test_video_already_in_project_under_another_session(project, tmp_path, videos):
    import_roster(project, write_csv(tmp_path / "a.csv", "participant_id,timepoint,arm,video\nP1,pre,A,family0.mp4\n"))
    shutil.copy(videos[0], tmp_path / "renamed.mp4")
    with pytest.raises(InputFileError, match="already in the project as session"):
        import_roster(project, write_csv(tmp_path / "b.csv",
                                         "participant_id,timepoint,arm,video\nP2,pre,A,renamed.mp4\n"))


def test_progress_and_injected_prober(project, tmp_path, videos):
    calls = []
    roster = write_csv(tmp_path / "r.csv", "participant_id,timepoint,arm,video\nP1,pre,A,family0.mp4\n")

    def refuse(path):
        raise MediaError(path, f"{path} is not a video file that can be read (test).")

    with pytest.raises(InputFileError, match="test"):
        import_roster(project, roster, prober=refuse)
    import_roster(project, roster, progress=lambda d, t, name: calls.append((d, t)))
    assert calls and calls[-1][0] == calls[-1][1]


@pytest.mark.parametrize("raw, expected", [
    ("Pre", "pre"), ("pre-test", "pre"), ("Baseline", "pre"), ("T1", "pre"), ("t2", "post"),
    ("Post", "post"), ("POSTTEST", "post"), ("follow up", "follow-up"), ("FU", "follow-up"), ("T3", "follow-up"),
    ("midway", None), ("T9", None),
])
def test_timepoint_spellings(raw, expected):
    assert resolve_timepoint(raw, ["pre", "post", "follow-up"]) == expected


def test_blinded_codes_are_unique():
    taken: set[str] = set()
    codes = [new_blinded_code(taken) for _ in range(2000)]
    assert len(set(codes)) == 2000


def test_blinded_codes_never_spell_a_timepoint_or_arm():
    """A code such as CQ4-PRE would read as a hint to a blind coder; such draws are drawn again."""
    import random

    taken: set[str] = set()
    draw = random.Random(7)
    codes = [new_blinded_code(taken, draw, avoid=["TAU", "ctrl", "T3"]) for _ in range(20000)]
    for fragment in ("PRE", "TAU", "CTR"):                    # pre/post always; the project's arms too
        assert not any(fragment in c.replace("-", "") for c in codes), fragment
    # The same alphabet drawn without the rule spells them (so the check above can fail).
    rng = random.Random(7)
    unguarded = ["".join(rng.choice(ALPHABET) for _ in range(6)) for _ in range(20000)]
    assert all(any(f in u for u in unguarded) for f in ("PRE", "TAU", "CTR"))


def test_video_that_opens_but_cannot_be_decoded(project, tmp_path, videos):
    # A damaged (or unsupported) video stream: the roster names the file and gives a conversion command.
    data = bytearray(videos[1].read_bytes())
    at = data.find(b"mdat")
    size = int.from_bytes(data[at - 4:at], "big")
    data[at + 68:at - 4 + size] = bytes(range(256)) * ((size - 72) // 256) + bytes((size - 72) % 256)
    (tmp_path / "damaged.mp4").write_bytes(bytes(data))
    roster = write_csv(tmp_path / "roster.csv",
                       "participant_id,timepoint,arm,video\nP1,pre,control,family0.mp4\nP2,pre,control,damaged.mp4\n")
    with pytest.raises(InputFileError) as info:
        import_roster(project, roster)
    assert {(p.row, p.column) for p in info.value.problems} == {(3, "video")}
    text = str(info.value)
    assert "damaged.mp4" in text and "cannot be decoded" in text and "ffmpeg -i" in text
    assert project.sessions() == []
