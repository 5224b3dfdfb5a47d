"""import(export(x)) reproduces every event and episode to the millisecond, for each tool; exports stay blinded."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from ssp_coder.domain import commands as cmds
from ssp_coder.errors import KnownError
from ssp_coder.interchange import export_codings, import_coding_file
from tests.interchange.conftest import back_to_back, make_trial, snapshot

CODINGS = {
    ("S1PR", "Ann", "primary"): (back_to_back(5_123), [
        ("cry", 409_123, 411_456, None), ("cry", 411_456, 420_001, "second bout"),   # back to back, same code
        ("contact", 409_200, 500_999, None),                                         # overlaps another code
        ("approach", 468_501, None, "fast"), ("look_door", 0, None, None),
        ("reach", 1_400_000, None, None)]),                                          # at the very end
    ("S1PR", "Bob", "reliability"): (back_to_back(4_987), [
        ("cry", 409_000, 412_345, None), ("approach", 468_000, None, None)]),
    ("S2PO", "Ann", "primary"): ({}, [("proximity", 1, 2, None), ("avoid", 600_000, 600_001, None)]),
}


def _fill(project) -> None:
    for (code, coder, purpose), (bounds, events) in CODINGS.items():
        sid = int(project.session_by_code(code).id)
        cid = int(project.execute(cmds.CreateCoding(sid, int(project.coder(coder).id), purpose))
                  .inverse.coding_id)
        commands: list[cmds.Command] = [cmds.SetBoundary(cid, n, on, off) for n, (on, off) in bounds.items()]
        commands += [cmds.AddEvent(cid, c, on, off, note=note) for c, on, off, note in events]
        project.execute_many(commands)


def _assign(project) -> None:
    for code, coder, purpose in CODINGS:
        project.execute(cmds.CreateCoding(int(project.session_by_code(code).id), int(project.coder(coder).id),
                                          purpose))


def _content(project) -> dict:
    names = {int(c.id): c.name for c in project.coders()}
    out = {}
    for c in project.codings():
        state = project.coding_state(int(c.id))
        key = (project.session(int(c.session_id)).blinded_code, names[int(c.coder_id)], c.purpose)
        out[key] = ({n: (b.onset_ms, b.offset_ms) for n, b in state.boundaries.items()},
                    sorted((e.code, e.onset_ms, e.offset_ms) for e in state.events))
    return out


@pytest.fixture
def source(tmp_path):
    p = make_trial(tmp_path / "source.sspc")
    _fill(p)
    yield p
    p.close()


def _target(tmp_path: Path, tool: str, assigned: bool = True):
    p = make_trial(tmp_path / f"target-{tool}.sspc")
    if assigned:
        _assign(p)
    return p


@pytest.mark.parametrize("tool", ["boris", "elan", "datavyu", "observer"])
def test_import_of_export_reproduces_every_event_to_the_millisecond(source, tmp_path, tool):
    out = tmp_path / {"boris": "all.boris", "observer": "all.txt"}.get(tool, tool)
    result = export_codings(source, tool, out)
    assert result.codings == 3 and result.events == 10
    target = _target(tmp_path, tool)
    try:
        actions = []
        for path in result.paths:
            actions += [c["action"] for c in import_coding_file(target, path, tool).codings]
        assert sorted(actions) == ["filled"] * 3
        assert _content(target) == _content(source)
        # and again: nothing changes, not even the audit log
        before = snapshot(target)
        for path in result.paths:
            assert {c["action"] for c in import_coding_file(target, path, tool).codings} == {"unchanged"}
        assert snapshot(target) == before
    finally:
        target.close()


@pytest.mark.parametrize("tool", ["boris", "observer"])
def test_notes_come_back_too(source, tmp_path, tool):
    path = export_codings(source, tool, tmp_path / f"x.{tool}").paths[0]
    target = _target(tmp_path, tool)
    try:
        import_coding_file(target, path, tool)
        [ann] = target.codings(session_id=int(target.session_by_code("S1PR").id),
                               coder_id=int(target.coder("Ann").id))
        notes = {(e.code, e.onset_ms): e.note for e in target.coding_state(int(ann.id)).events}
        assert notes[("approach", 468_501)] == "fast" and notes[("cry", 411_456)] == "second bout"
    finally:
        target.close()


def test_export_for_a_coder_holds_only_what_they_may_see(source, tmp_path):
    result = export_codings(source, "boris", tmp_path / "ann.boris", coder="Ann")
    text = result.paths[0].read_text(encoding="utf-8")
    data = json.loads(text)
    assert sorted(data["observations"]) == ["S1PR", "S2PO"]
    assert [s["name"] for s in data["subjects_conf"].values()] == ["Ann"]
    assert "Bob" not in text
    for secret in ("p1_pre", "p2_post", "videos/", "ABC", "DEF", '"P1"', "pre\"", "post\""):
        assert secret not in text
    assert data["observations"]["S1PR"]["file"]["1"] == ["S1PR.mp4"]
    assert result.blinded_for == "Ann"
    # and it comes back into a project where nothing was assigned: Ann's codings, created as primary
    target = _target(tmp_path, "blind", assigned=False)
    try:
        report = import_coding_file(target, result.paths[0], "boris")
        assert {(c["session"], c["coder"], c["purpose"], c["action"]) for c in report.codings} == {
            ("S1PR", "Ann", "primary", "created"), ("S2PO", "Ann", "primary", "created")}
        assert _content(target) == {k: v for k, v in _content(source).items() if k[1] == "Ann"}
    finally:
        target.close()


@pytest.mark.parametrize("tool", ["elan", "datavyu"])
def test_per_coding_files_for_a_coder_are_named_by_blinded_code_only(source, tmp_path, tool):
    result = export_codings(source, tool, tmp_path / tool, coder="Bob")
    assert [p.name for p in result.paths] == [f"S1PR.{ {'elan': 'eaf', 'datavyu': 'opf'}[tool]}"]
    raw = result.paths[0].read_bytes() if tool == "elan" else zipfile.ZipFile(result.paths[0]).read("project")
    assert b"p1_pre" not in raw and b"S1PR.mp4" in raw


def test_a_coordinator_sees_all_and_sessions_can_be_chosen(source, tmp_path):
    result = export_codings(source, "observer", tmp_path / "lead.txt", coder="Lead", sessions=["S1PR"])
    assert result.codings == 2 and result.blinded_for is None
    with pytest.raises(KnownError, match="Bob has no coding of session"):
        export_codings(source, "observer", tmp_path / "bob.txt", coder="Bob", sessions=["S2PO"])
    assert not (tmp_path / "bob.txt").exists()


def test_an_open_state_stops_the_export_before_anything_is_written(source, tmp_path):
    [ann] = source.codings(session_id=int(source.session_by_code("S2PO").id))
    source.execute(cmds.AddEvent(int(ann.id), "cry", 700_000, None))
    with pytest.raises(KnownError, match=r"session S2PO \(Ann\): 'cry' started at 0:11:40.000 \(700 s\) is still open"):
        export_codings(source, "boris", tmp_path / "x.boris")
    assert not (tmp_path / "x.boris").exists()


def test_a_compressed_boris_project_round_trips_too(source, tmp_path):
    path = export_codings(source, "boris", tmp_path / "all.boris.gz").paths[0]
    assert path.name == "all.boris.gz" and path.read_bytes()[:2] == b"\x1f\x8b"
    target = _target(tmp_path, "gz")
    try:
        import_coding_file(target, path, "boris")
        assert _content(target) == _content(source)
    finally:
        target.close()


@pytest.mark.parametrize("ending, media_type", [
    (".mov", "video/quicktime"), (".MTS", "video/mp2t"), (".avi", "video/x-msvideo"), (".vob", "video/mpeg"),
    (".mp4", "video/mp4"), (".xyz", "unknown")])
def test_elan_export_names_the_media_type_of_every_kind_of_recording(tmp_path, ending, media_type):
    """Camcorder, phone and tape files are linked with their type; an unknown ending never stops the export."""
    import pympi

    def trial(name: str):
        p = make_trial(tmp_path / name)
        for s in p.sessions():            # as a lab's roster names them
            p.conn.execute("UPDATE sessions SET video_path = ? WHERE id = ?",
                           (str(Path(s.video_path).with_suffix(ending)), int(s.id)))
        return p

    source = trial("source.sspc")
    try:
        _fill(source)
        result = export_codings(source, "elan", tmp_path / "elan")
    finally:
        source.close()
    types = {d["MIME_TYPE"] for path in result.paths for d in pympi.Elan.Eaf(str(path)).media_descriptors}
    assert types == {media_type}
    target = trial("target.sspc")
    try:
        _assign(target)
        actions = [c["action"] for path in result.paths for c in import_coding_file(target, path, "elan").codings]
        assert sorted(actions) == ["filled"] * 3
    finally:
        target.close()
