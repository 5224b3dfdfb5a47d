"""The legacy sheets' rules for other tools' files: all problems at once, nothing until clean, idempotent, audited."""

from __future__ import annotations

import json

import pytest

from ssp_coder.domain import commands as cmds
from ssp_coder.errors import InputFileError
from ssp_coder.interchange import import_coding_file
from tests.interchange.conftest import FIXTURES, LAB_MAP, coding_of, snapshot


def _log(tmp_path, rows: list[tuple], name: str = "log.txt") -> str:
    lines = ["Time_Relative_sf\tObservation\tSubject\tBehavior\tEvent_Type"]
    lines += ["\t".join(str(x) for x in r) for r in rows]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _episodes(obs: str, coder: str, start: float = 5.0) -> list[tuple]:
    rows, t = [], start
    for n, length in enumerate((30, 180, 180, 180, 180, 180, 180, 180), start=1):
        rows.append((f"{t:.3f}", obs, coder, f"E{n}", "State point"))
        t += length
    rows.append((f"{t:.3f}", obs, coder, "End", "State point"))
    return rows


def _strip(report) -> dict:
    d = report.to_dict()
    d.pop("dry_run")
    for c in d["codings"]:
        c.pop("coding_id")
    return d


def test_dry_run_reports_exactly_what_the_real_run_does_and_writes_nothing(trial):
    before = snapshot(trial)
    dry = import_coding_file(trial, FIXTURES / "boris_lab.boris", "boris", map_path=LAB_MAP, dry_run=True)
    assert snapshot(trial) == before
    real = import_coding_file(trial, FIXTURES / "boris_lab.boris", "boris", map_path=LAB_MAP)
    assert _strip(dry) == _strip(real)
    assert real.count("created") == 3 and real.events == 7
    assert "Checked (dry run, nothing written)" in dry.summary() and "3 coding(s) to create" in dry.summary()


def test_every_change_is_audited_as_imported(trial):
    n = len(trial.audit_log())
    import_coding_file(trial, FIXTURES / "boris_lab.boris", "boris", map_path=LAB_MAP)
    new = trial.audit_log()[n:]
    assert new and {a.origin for a in new} == {"imported"}
    assert {a.command for a in new} == {"CreateCoding", "SetBoundary", "AddEvent"}


def test_an_assigned_empty_coding_is_filled_and_keeps_its_purpose(trial):
    trial.execute(cmds.CreateCoding(int(trial.session_by_code("S1PR").id), int(trial.coder("Ann").id),
                                    "reliability"))
    report = import_coding_file(trial, FIXTURES / "observer_lab.txt", "observer", map_path=LAB_MAP)
    assert [(c["purpose"], c["action"]) for c in report.codings] == [("reliability", "filled")]
    assert trial.counts()["codings"] == 1


def test_a_coding_with_other_content_is_an_error_to_resolve_not_overwritten(trial):
    sid, ann = int(trial.session_by_code("S1PR").id), int(trial.coder("Ann").id)
    cid = int(trial.execute(cmds.CreateCoding(sid, ann, "primary")).inverse.coding_id)
    trial.execute(cmds.AddEvent(cid, "cry", 1_000, 2_000))
    before = snapshot(trial)
    with pytest.raises(InputFileError) as err:
        import_coding_file(trial, FIXTURES / "observer_lab.txt", "observer", map_path=LAB_MAP)
    assert snapshot(trial) == before
    assert (f"session S1PR, Ann is already in the project (coding {cid}, primary, draft) with different episode "
            "boundaries and events (1 event(s) there, 3 in the file)") in str(err.value)


def test_a_second_coder_of_a_session_becomes_its_reliability_coder(trial):
    import_coding_file(trial, FIXTURES / "observer_lab.txt", "observer", map_path=LAB_MAP)
    text = (FIXTURES / "observer_lab.txt").read_text(encoding="utf-8").replace("\tAnn\t", "\tBob\t")
    path = FIXTURES.parent / "tmp_bob.txt"
    try:
        path.write_text(text, encoding="utf-8")
        report = import_coding_file(trial, path, "observer", map_path=LAB_MAP)
    finally:
        path.unlink()
    assert [(c["coder"], c["purpose"]) for c in report.codings] == [("Bob", "reliability")]


def test_episode_starts_end_the_episode_before_and_the_last_needs_an_end(trial, tmp_path):
    rows = _episodes("S1PR", "Ann")
    report = import_coding_file(trial, _log(tmp_path, rows), "observer", map_path=LAB_MAP)
    assert report.codings[0]["episodes"] == 8
    _, bounds, _ = coding_of(trial, "S1PR", "Ann")
    assert bounds[4] == (395_000, 575_000) and bounds[8] == (1_115_000, 1_295_000)
    with pytest.raises(InputFileError, match="episode 8 has a start but no end, and episode 9 does not start"):
        import_coding_file(trial, _log(tmp_path, rows[:-1], "no_end.txt"), "observer", map_path=LAB_MAP)


def test_times_after_the_end_of_the_video_and_unknown_coders_are_reported(trial, tmp_path):
    rows = [("1500.000", "S1PR", "Ann", "Crying", "State start"), ("1501.000", "S1PR", "Ann", "Crying", "State stop"),
            ("10.000", "S2PR", "Zoe", "Approach", "State point")]
    with pytest.raises(InputFileError) as err:
        import_coding_file(trial, _log(tmp_path, rows), "observer", map_path=LAB_MAP)
    text = str(err.value)
    assert "at 0:25:00.000 (1500 s): 'cry' is after the end of the video of session S1PR (0:23:20.000" in text
    assert "it is not known who coded this observation (subject 'Zoe')" in text
    with pytest.raises(InputFileError, match="--coder names the coder 'Zoe', who is not in this project"):
        import_coding_file(trial, _log(tmp_path, rows[2:], "zoe.txt"), "observer", coder="Zoe")


def test_two_observations_of_one_session_and_coder_are_refused(trial, tmp_path):
    rows = [("10.000", "S1PR", "Ann", "Approach", "State point"), ("20.000", "P1 pre", "Ann", "Reach", "State point")]
    with pytest.raises(InputFileError, match="observations 'S1PR' and 'P1 pre' are both session S1PR coded by Ann"):
        import_coding_file(trial, _log(tmp_path, rows), "observer", map_path=LAB_MAP)


def test_codes_the_map_ignores_are_listed_in_the_report(trial, tmp_path):
    cmap = tmp_path / "map.csv"
    cmap.write_text(LAB_MAP.read_text() + "code,Vocalizes,ignore\n")
    rows = [("10.000", "S1PR", "Ann", "Approach", "State point"), ("11.000", "S1PR", "Ann", "Vocalizes", "State point"),
            ("12.000", "S1PR", "Ann", "Vocalizes", "State point")]
    report = import_coding_file(trial, _log(tmp_path, rows), "observer", map_path=cmap)
    assert report.ignored == {"Vocalizes": 2}
    assert "Not imported, as the map says 'ignore': Vocalizes (2)." in report.summary()
    assert json.loads(json.dumps(report.to_dict()))["ignored"] == {"Vocalizes": 2}


def test_a_video_found_on_disk_is_matched_by_its_content(trial, tmp_path):
    video = tmp_path / "renamed.mp4"
    video.write_bytes(b"not really a video, but bytes to hash")
    import hashlib

    sha = hashlib.sha256(video.read_bytes()).hexdigest()
    trial.conn.execute("UPDATE sessions SET video_sha256 = ? WHERE blinded_code = 'S2PR'", (sha,))
    eaf = (FIXTURES / "elan_lab.eaf").read_text(encoding="utf-8")
    path = tmp_path / "clip.eaf"
    path.write_text(eaf.replace("file:///data/ssp/videos/p1_pre.mp4", "file:///elsewhere/renamed.mp4")
                    .replace("./p1_pre.mp4", "./renamed.mp4"), encoding="utf-8")
    report = import_coding_file(trial, path, "elan", map_path=LAB_MAP)
    assert report.codings[0]["session"] == "S2PR"


@pytest.mark.parametrize("dry_run", [False, True])
def test_commands_refused_while_writing_are_all_reported_and_nothing_is_written(trial, monkeypatch, dry_run):
    """A command the domain refuses only when applied (not foreseen by the plan) rolls the whole import back."""
    from ssp_coder.interchange import importer

    real = importer._commands
    monkeypatch.setattr(importer, "_commands", lambda cid, pc: real(cid, pc) + [cmds.SetBoundary(cid, 99, 0, 1000)])
    before = snapshot(trial)
    with pytest.raises(InputFileError) as err:
        import_coding_file(trial, FIXTURES / "boris_lab.boris", "boris", map_path=LAB_MAP, dry_run=dry_run)
    assert len(err.value.problems) == 3 and "99" in str(err.value)
    assert snapshot(trial) == before
