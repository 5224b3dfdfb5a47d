"""Export → code in the package → return → import, and what a re-import or a conflict does."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest

from ssp_coder.domain.commands import (
    AddDIndex, AddEvent, SetBoundary, SetClassification, SetDRating, SetEpisodeFlag, SetScale,
)
from ssp_coder.packages import (
    PackageCancelled, PackageError, export_package, import_package, open_package, read_package, return_package,
)

from tests.packages.conftest import open_trial


def _export(trial, tmp_path: Path, **kw):
    with open_trial(trial) as project:
        return export_package(project, "Ann", out_path=tmp_path / "out" / "ann.sspkg", **kw)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    (tmp_path / "out").mkdir()
    return tmp_path


def _code_in_package(path: Path, videos: bool = False) -> Path:
    with open_package(path) as opened:
        p = opened.project
        by_code = {s.blinded_code: s for s in p.sessions()}
        c = {p.session(int(x.session_id)).blinded_code: int(x.id) for x in p.codings()}
        assert set(c) == {"K7Q2", "M3X9", "P8D4", "R2T6"}
        p.execute(AddEvent(c["M3X9"], "contact", 300, 700, note="held"))
        p.execute(SetClassification(c["M3X9"], "D", "B3"))
        p.execute(SetDRating(c["M3X9"], 6.5))
        p.execute(SetEpisodeFlag(c["M3X9"], 3, "curtailed", "infant distressed"))
        p.execute(AddDIndex(c["M3X9"], "III", 410))
        p.execute(SetScale(c["K7Q2"], "ps", 5, "m", 5.0))
        p.execute(SetBoundary(c["K7Q2"], 1, 0, 120))
        assert (opened.video_for(by_code["M3X9"]) is not None) == videos
    return path.with_name("ann-returned.sspkg")


def _state(project, coding_id):
    s = project.coding_state(coding_id)
    return (dict(s.boundaries), [(e.code, e.onset_ms, e.offset_ms, e.note) for e in s.events], dict(s.scales),
            [(m.group, m.time_ms) for m in s.d_indices], s.result, s.coding.status)


def test_round_trip_puts_the_coders_values_into_the_project(trial, out):
    info = _export(trial, out, with_videos=True)
    returned = _code_in_package(info.path, videos=True)
    assert returned.is_file()
    with open_trial(trial) as project:
        report = import_package(project, returned)
        assert {m.session_code for m in report.merged} == {"M3X9", "K7Q2"}
        assert not report.conflicts
        m = project.coding_state(trial.codings[("M3X9", "Ann")])
        assert [(e.code, e.onset_ms, e.offset_ms, e.note) for e in m.events] == [("contact", 300, 700, "held")]
        assert (m.result.classification, m.result.forced_secondary, m.result.d_rating) == ("D", "B3", 6.5)
        assert m.boundaries[3].flag == "curtailed" and m.boundaries[3].reason == "infant distressed"
        assert [(d.group, d.time_ms) for d in m.d_indices] == [("III", 410)]
        k = project.coding_state(trial.codings[("K7Q2", "Ann")])
        assert k.scales[("ps", 5, "m")] == 5.0
        assert (k.boundaries[1].onset_ms, k.boundaries[1].offset_ms) == (0, 120)
        assert [e.code for e in k.events] == ["cry"]          # untouched work stays
        # The other coder's codings are not touched by Ann's package.
        o = project.coding_state(trial.codings[("R2T6", "OTHERCODERKK")])
        assert o.result.classification == "B2"
        origins = {a.origin for a in project.audit_log() if a.coding_id == trial.codings[("M3X9", "Ann")]}
        assert f"package:{info.package_id}" in origins


def test_reimport_changes_nothing(trial, out):
    info = _export(trial, out)
    returned = _code_in_package(info.path)
    with open_trial(trial) as project:
        import_package(project, returned)
        before_audit = len(project.audit_log())
        before = {cid: _state(project, cid) for cid in trial.codings.values()}
        revisions = {cid: project.coding(cid).revision for cid in trial.codings.values()}
        again = import_package(project, returned)
        assert not again.merged and not again.conflicts and not again.changed
        assert len(project.audit_log()) == before_audit
        assert {cid: _state(project, cid) for cid in trial.codings.values()} == before
        assert {cid: project.coding(cid).revision for cid in trial.codings.values()} == revisions


def test_later_work_in_the_same_package_merges_again(trial, out):
    info = _export(trial, out)
    returned = _code_in_package(info.path)
    with open_trial(trial) as project:
        import_package(project, returned)
    with open_package(info.path) as opened:     # the coder keeps working in the same package
        p = opened.project
        cid = next(int(c.id) for c in p.codings() if p.session(int(c.session_id)).blinded_code == "P8D4")
        p.execute(SetClassification(cid, "A1"))
    with open_trial(trial) as project:
        report = import_package(project, returned)
        assert [m.session_code for m in report.merged] == ["P8D4"] and not report.conflicts
        assert project.coding_state(trial.codings[("P8D4", "Ann")]).result.classification == "A1"


def test_conflict_is_reported_and_not_overwritten_until_decided(trial, out):
    info = _export(trial, out)
    returned = _code_in_package(info.path)
    m3 = trial.codings[("M3X9", "Ann")]
    with open_trial(trial) as project:
        project.execute(SetClassification(m3, "B1"))       # changed in the project after export
        report = import_package(project, returned)
        assert [c.session_code for c in report.conflicts] == ["M3X9"]
        assert any("classification" in d for d in report.conflicts[0].differences)
        assert [m.session_code for m in report.merged] == ["K7Q2"]
        assert project.coding_state(m3).result.classification == "B1"
        # The conflict stays until someone decides.
        again = import_package(project, returned)
        assert [c.session_code for c in again.conflicts] == ["M3X9"]
        assert project.coding_state(m3).result.classification == "B1"
        decided = import_package(project, returned, prefer={m3: "package"})
        assert [m.session_code for m in decided.merged] == ["M3X9"] and not decided.conflicts
        assert project.coding_state(m3).result.classification == "D"
        assert not import_package(project, returned).changed


def test_prefer_project_keeps_the_project_and_settles_the_conflict(trial, out):
    info = _export(trial, out)
    returned = _code_in_package(info.path)
    m3 = trial.codings[("M3X9", "Ann")]
    with open_trial(trial) as project:
        project.execute(SetClassification(m3, "B1"))
        report = import_package(project, returned, prefer="project")
        assert [m.session_code for m in report.kept_project] == ["M3X9"]
        assert project.coding_state(m3).result.classification == "B1"
        assert not import_package(project, returned).conflicts


def test_dry_run_changes_nothing(trial, out):
    info = _export(trial, out)
    returned = _code_in_package(info.path)
    with open_trial(trial) as project:
        n = len(project.audit_log())
        report = import_package(project, returned, dry_run=True)
        assert {m.session_code for m in report.merged} == {"M3X9", "K7Q2"}
        assert len(project.audit_log()) == n
        assert project.coding_state(trial.codings[("M3X9", "Ann")]).result.classification is None
        assert {m.session_code for m in import_package(project, returned).merged} == {"M3X9", "K7Q2"}


def test_merge_with_an_error_changes_nothing(trial, out):
    """A completed coding whose content fails the project's rules rolls back the whole merge."""
    info = _export(trial, out)
    with open_package(info.path) as opened:
        p = opened.project
        c = {p.session(int(x.session_id)).blinded_code: int(x.id) for x in p.codings()}
        p.execute(SetClassification(c["P8D4"], "A2"))
        p.execute(AddEvent(c["M3X9"], "cry", 5, 9))
    returned = info.path.with_name("ann-returned.sspkg")
    # Make the package's M3X9 complete behind the app's back (the rules would refuse it).
    _edit_coding_file(returned, "UPDATE codings SET status = 'complete' WHERE id = 2")
    with open_trial(trial) as project:
        n = len(project.audit_log())
        with pytest.raises(PackageError, match="(?s)M3X9.*cannot be marked complete.*Nothing was changed"):
            import_package(project, returned)
        assert len(project.audit_log()) == n
        assert project.coding_state(trial.codings[("P8D4", "Ann")]).result.classification is None


def _edit_coding_file(pkg: Path, sql: str) -> None:
    """Change the coding file in a returned package and re-seal it as the app would (valid checksums)."""
    import json
    import tempfile

    from ssp_coder.packages.manifest import add_bytes, add_file, make_manifest

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "coding.sspc"
        with zipfile.ZipFile(pkg) as zf:
            db.write_bytes(zf.read("coding.sspc"))
            manifest = json.loads(zf.read("manifest.json"))
        conn = sqlite3.connect(db)
        conn.execute(sql)
        conn.commit()
        conn.close()
        with zipfile.ZipFile(pkg, "w") as zf:
            sha, size = add_file(zf, "coding.sspc", db, compress=True)
            m = make_manifest(manifest["issued"], manifest["issued_hmac"], {"coding.sspc": {"sha256": sha,
                              "size": size}}, state="returned", written_at="x")
            add_bytes(zf, "manifest.json", json.dumps(m).encode())


def test_package_holds_only_the_coders_own_codings(trial, out):
    info = _export(trial, out)
    pkg = read_package(info.path)
    with open_package(info.path) as opened:
        p = opened.project
        assert [c.name for c in p.coders()] == ["Ann"]
        assert {c.purpose for c in p.codings()} == {"primary", "reliability"}
        assert len(p.codings()) == 4
        r2 = next(c for c in p.codings() if p.session(int(c.session_id)).blinded_code == "R2T6")
        state = p.coding_state(int(r2.id))
        assert state.events == () and state.result.classification is None     # not the other coder's B2
        k7 = next(c for c in p.codings() if p.session(int(c.session_id)).blinded_code == "K7Q2")
        assert [e.code for e in p.coding_state(int(k7.id)).events] == ["cry"]   # her own work so far
    assert pkg.coder == "Ann"


def test_sessions_option_and_unassigned_session(trial, out):
    from ssp_coder.errors import DomainError
    with open_trial(trial) as project:
        info = export_package(project, "Ann", session_codes=["m3x9"], out_path=out / "out" / "one")
        assert info.path.name == "one.sspkg" and info.session_codes == ("M3X9",) and info.codings == 1
        with pytest.raises(DomainError, match="not assigned"):
            export_package(project, "OTHERCODERKK", session_codes=["M3X9"], out_path=out / "out" / "x.sspkg")
        assert not (out / "out" / "x.sspkg").exists()


def test_cancelling_the_video_copy_writes_nothing(trial, out):
    target = out / "out" / "ann.sspkg"
    with open_trial(trial) as project:
        with pytest.raises(PackageCancelled):
            export_package(project, "Ann", with_videos=True, out_path=target,
                           progress=lambda done, total, detail: done < total / 2)
        assert not project.conn.execute("SELECT count(*) FROM packages").fetchone()[0]
    assert list((out / "out").iterdir()) == []


def test_videos_are_found_in_the_package_next_to_it_or_by_sha(trial, out):
    info = _export(trial, out, with_videos=True)
    with open_package(info.path) as opened:
        for s in opened.project.sessions():
            v = opened.video_for(s)
            assert v is not None and v.name == f"{s.blinded_code}.mp4" and opened.work_dir in v.parents
    bare = _export(trial, out)  # overwrite with a package without videos
    import shutil
    shutil.rmtree(bare.path.with_name(bare.path.name + ".work"))
    shutil.copy(trial.folder / "VIDLEAKXX2.mp4", bare.path.with_name("M3X9.mp4"))
    shutil.copy(trial.folder / "VIDLEAKXX1.mp4", bare.path.with_name("P8D4.mp4"))   # wrong file under a code
    with open_package(bare.path) as opened:
        assert opened.video_for("M3X9") == bare.path.with_name("M3X9.mp4")
        assert opened.video_for("P8D4") is None
        found = opened.relink(trial.folder)
        assert set(found) == {"K7Q2", "P8D4", "R2T6"}
        assert opened.video_for("P8D4") == (trial.folder / "VIDLEAKXX3.mp4").resolve()
        assert opened.missing_videos() == []
    with open_package(bare.path) as opened:       # relinks are remembered
        assert opened.video_for("R2T6") == (trial.folder / "VIDLEAKXX4.mp4").resolve()


def test_work_survives_a_reopen_and_return_package_by_path(trial, out):
    info = _export(trial, out)
    opened = open_package(info.path)
    cid = int(opened.project.codings()[0].id)
    opened.project.execute(SetClassification(cid, "B4"))
    opened.project.close()                      # as after a crash: no return written
    assert not info.path.with_name("ann-returned.sspkg").exists()
    returned = return_package(info.path)
    with open_package(returned) as again:      # opening the returned file continues the work
        assert again.project.coding_state(cid).result.classification == "B4"
    with open_trial(trial) as project:
        report = import_package(project, returned)
        assert [m.session_code for m in report.merged] == ["K7Q2"]


def test_read_only_folder_uses_a_private_work_folder(trial, out, monkeypatch):
    import ssp_coder.packages.opening as opening
    info = _export(trial, out)
    private = out / "private"
    monkeypatch.setattr(opening, "_writable_folder", lambda folder: folder != info.path.parent)
    monkeypatch.setattr(opening, "_fallback_folder", lambda package_id: private / package_id)
    with open_package(info.path) as opened:
        assert opened.work_dir == private / info.package_id
        opened.project.execute(SetClassification(int(opened.project.codings()[0].id), "B2"))
    assert (private / info.package_id / "ann-returned.sspkg").is_file()
    assert not info.path.with_name("ann.sspkg.work").exists()


def test_consensus_codings_stay_home_by_default(trial, out):
    from ssp_coder.domain.commands import CreateCoding
    with open_trial(trial) as project:
        ann = project.coder("Ann").id
        project.execute(CreateCoding(trial.sessions["R2T6"], int(ann), "consensus"))
        info = export_package(project, "Ann", out_path=out / "out" / "ann.sspkg")
    assert info.codings == 4
    assert "consensus" not in {c["purpose"] for c in read_package(info.path).issued["codings"]}


def test_same_change_on_both_sides_is_not_a_conflict(trial, out):
    info = _export(trial, out)
    with open_package(info.path) as opened:
        p = opened.project
        cid = next(int(c.id) for c in p.codings() if p.session(int(c.session_id)).blinded_code == "P8D4")
        p.execute(SetClassification(cid, "B4"))
    with open_trial(trial) as project:
        project.execute(SetClassification(trial.codings[("P8D4", "Ann")], "B4"))
        n = len(project.audit_log())
        report = import_package(project, info.path.with_name("ann-returned.sspkg"))
        assert not report.conflicts and [m.changes for m in report.merged] == [()]
        assert len(project.audit_log()) == n + 1       # only the ImportPackage record


def test_a_new_package_under_the_same_name_never_overwrites_earlier_work(trial, out):
    info = _export(trial, out)
    with open_package(info.path) as opened:
        opened.project.execute(SetClassification(int(opened.project.codings()[0].id), "C1"))
    _export(trial, out)     # the coordinator sends a new package with the same file name
    with pytest.raises(PackageError, match="holds the work of another package"):
        open_package(info.path)


def test_forced_secondary_as_a_main_category_merges_back(trial, out):
    """A coder who records only "D/B" in the package: the project gets D with forced secondary B."""
    info = _export(trial, out)
    with open_package(info.path) as opened:
        p = opened.project
        cid = next(int(c.id) for c in p.codings() if p.session(int(c.session_id)).blinded_code == "M3X9")
        p.execute(SetClassification(cid, "D", "B"))
    with open_trial(trial) as project:
        report = import_package(project, info.path.with_name("ann-returned.sspkg"))
        assert [m.session_code for m in report.merged] == ["M3X9"] and not report.conflicts
        r = project.coding_state(trial.codings[("M3X9", "Ann")]).result
        assert (r.classification, r.forced_secondary) == ("D", "B")


def test_overlapping_states_from_a_package_are_reported_by_check(trial, out):
    from ssp_coder.cli.cmd_score import check_data

    info = _export(trial, out)
    with open_package(info.path) as opened:       # e.g. an older version of the program, or a hand-edited file
        p = opened.project
        cid = next(int(c.id) for c in p.codings() if p.session(int(c.session_id)).blinded_code == "M3X9")
        p.execute(AddEvent(cid, "play", 100, 500))
        p.execute(AddEvent(cid, "play", 400, 800))
    with open_trial(trial) as project:
        import_package(project, info.path.with_name("ann-returned.sspkg"))
        mine = trial.codings[("M3X9", "Ann")]
        warnings = next(d["warnings"] for d in check_data(project) if d["coding_id"] == mine)
        assert any(w.startswith("state_overlap: 'play' intervals 00:00.100–00:00.500, 00:00.400–00:00.800")
                   for w in warnings), warnings


def test_merge_keeps_the_time_the_coder_marked_a_coding_complete(trial_no_videos, tmp_path, monkeypatch):
    """Drift orders pairs by when the coder finished, not by when the package was merged."""
    from ssp_coder.domain.commands import MarkComplete, SetBoundary, SetClassification, SetDRating, SetScale
    from ssp_coder.packages import export_package, import_package, open_package
    from ssp_coder.store import uow as uow_module
    from ssp_coder.store.reliability_sql import coding_rows, completion_times

    t = trial_no_videos
    with open_trial(t) as project:
        export_package(project, "Ann", out_path=tmp_path / "ann.sspkg")
    monkeypatch.setattr(uow_module, "now_iso", lambda: "2024-02-03T09:00:00.000000+00:00")
    import ssp_coder.store.project as project_module
    monkeypatch.setattr(project_module, "now_iso", lambda: "2024-02-03T09:00:00.000000+00:00")
    opened = open_package(tmp_path / "ann.sspkg")
    try:
        p = opened.project
        cid = next(int(c.id) for c in p.codings() if p.session(int(c.session_id)).blinded_code == "P8D4")
        t0 = 0
        for ep in p.scheme.episodes:
            p.execute(SetBoundary(cid, ep.number, t0, t0 + 10_000))
            t0 += 10_000
        for sc, ep, partner in p.scheme.scale_cells():
            p.execute(SetScale(cid, sc.id, ep, partner, 3.0))
        p.execute(SetClassification(cid, "B2"))
        p.execute(SetDRating(cid, 2.0))
        p.execute(MarkComplete(cid))
    finally:
        opened.close()
    monkeypatch.undo()
    with open_trial(t) as project:
        report = import_package(project, tmp_path / "ann-returned.sspkg")
        assert [m.session_code for m in report.merged] == ["P8D4"]
        pcid = t.codings[("P8D4", "Ann")]
        assert project.coding(pcid).status == "complete"
        assert completion_times(project)[pcid] == "2024-02-03T09:00:00.000000+00:00"
        row = next(r for r in coding_rows(project) if r.coding_id == pcid)
        assert row.completed_at.startswith("2024-02-03") and not row.updated_at.startswith("2024")
