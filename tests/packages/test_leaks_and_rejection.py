"""A package never carries identifying data; a foreign or altered package is refused and changes nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest

from ssp_coder.domain.commands import AddEvent, SetClassification
from ssp_coder.packages import PackageError, export_package, import_package, open_package
from ssp_coder.packages.manifest import add_bytes, add_file, content_checksum, make_manifest

from tests.packages.conftest import LEAKS, Trial, build_trial, edit_manifest, open_trial

NEEDLES = sorted({s for group in LEAKS.values() for s in group})


def _variants(needle: str) -> list[bytes]:
    out = set()
    for text in (needle, needle.lower(), needle.upper()):
        out.add(text.encode("utf-8"))
        out.add(text.encode("utf-16-le"))
        out.add(text.encode("utf-16-be"))
    return sorted(out)


def _blobs(path: Path) -> dict[str, bytes]:
    """The package's raw bytes, every member decompressed, and any raw deflate stream decoded again."""
    blobs = {path.name: path.read_bytes()}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            blobs[f"{path.name}:{info.filename}"] = zf.read(info.filename)
            assert info.filename.split("/")[-1].split(".")[0] not in NEEDLES
    return blobs


def _assert_no_leak(blobs: dict[str, bytes]) -> None:
    found = [(name, needle) for name, data in blobs.items() for needle in NEEDLES
             if any(v in data for v in _variants(needle))]
    assert found == []


def test_the_needles_are_really_in_the_project(trial: Trial) -> None:
    """Guards the leak test itself: each distinctive string is present where a leak would come from."""
    raw = trial.path.read_bytes() + b"".join(p.read_bytes() for p in trial.folder.glob("trial.sspc-wal"))
    with open_trial(trial) as project:
        info = json.dumps(project.info()) + json.dumps([p.__dict__ for p in project.participants()], default=str)
        sessions = json.dumps([s.__dict__ for s in project.sessions()], default=str)
        coders = json.dumps([c.name for c in project.coders()])
    text = info + sessions + coders + str(trial.folder) + raw.decode("latin-1")
    for needle in NEEDLES:
        assert needle in text, needle


@pytest.mark.parametrize("with_videos", [False, True])
def test_no_identifying_string_in_any_byte_of_the_package(trial: Trial, tmp_path: Path, with_videos: bool) -> None:
    out = tmp_path / "send"
    out.mkdir()
    with open_trial(trial) as project:
        info = export_package(project, "Ann", with_videos=with_videos, out_path=out / "ann.sspkg")
    blobs = _blobs(info.path)
    assert any(k.endswith("videos/K7Q2.mp4") for k in blobs) == with_videos
    _assert_no_leak(blobs)
    # The coding file is complete in itself: no journal or WAL travels beside it in the zip.
    with zipfile.ZipFile(info.path) as zf:
        assert not [n for n in zf.namelist() if n.endswith(("-wal", "-journal", "-shm"))]
        db = zf.read("coding.sspc")
    assert db[18:20] == b"\x01\x01"          # legacy (rollback) journal format: no WAL needed to read it
    # Code in it, then check what the coder sends back and everything left on the coder's disk.
    with open_package(info.path) as opened:
        cid = int(opened.project.codings()[0].id)
        opened.project.execute(AddEvent(cid, "cry", 100, 200, note="coder note"))
        opened.project.execute(SetClassification(cid, "B1"))
        work = opened.work_dir
    returned = out / "ann-returned.sspkg"
    _assert_no_leak(_blobs(returned))
    _assert_no_leak({str(p): p.read_bytes() for p in work.rglob("*") if p.is_file()})
    for member in _blobs(returned):
        assert not member.endswith("-wal")


def _reseal(pkg: Path, *, manifest_edit=None, sql: str | None = None, target: Path | None = None) -> Path:
    """Rebuild a package with valid member checksums after an edit, as a determined tamperer would."""
    target = target or pkg
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "coding.sspc"
        with zipfile.ZipFile(pkg) as zf:
            db.write_bytes(zf.read("coding.sspc"))
            manifest = json.loads(zf.read("manifest.json"))
        if sql:
            conn = sqlite3.connect(db)
            conn.executescript(sql)
            conn.close()
        issued = manifest["issued"]
        if manifest_edit:
            manifest_edit(issued)
        with zipfile.ZipFile(target, "w") as zf:
            sha, size = add_file(zf, "coding.sspc", db, compress=True)
            m = make_manifest(issued, manifest["issued_hmac"], {"coding.sspc": {"sha256": sha, "size": size}},
                              state="returned", written_at="x")
            add_bytes(zf, "manifest.json", json.dumps(m).encode())
    return target


@pytest.fixture
def returned(trial: Trial, tmp_path: Path) -> Path:
    with open_trial(trial) as project:
        info = export_package(project, "Ann", out_path=tmp_path / "ann.sspkg")
    with open_package(info.path) as opened:
        cid = int(opened.project.codings()[1].id)
        opened.project.execute(SetClassification(cid, "C2"))
    return tmp_path / "ann-returned.sspkg"


def _unchanged(trial: Trial, attempt) -> None:
    with open_trial(trial) as project:
        n = len(project.audit_log())
        state = [project.coding_state(c) for c in trial.codings.values()]
        attempt(project)
        assert len(project.audit_log()) == n
        assert [project.coding_state(c) for c in trial.codings.values()] == state


def test_package_from_another_project_is_refused(returned: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    other = build_trial(elsewhere, videos=False)

    def attempt(project):
        with pytest.raises(PackageError, match="belongs to another project"):
            import_package(project, returned)
    _unchanged(other, attempt)


@pytest.mark.parametrize("case, kwargs, message", [
    ("coding file edited after return", {"raw": True}, "does not match its checksum"),
    ("manifest edited: coding moved", {"manifest_edit": lambda m: m["codings"][0].update(session="M3X9")},
     "manifest was altered"),
    ("manifest edited: other coder", {"manifest_edit": lambda m: m.update(coder="OTHERCODERKK")},
     "manifest was altered"),
    ("unknown package id", {"manifest_edit": lambda m: m.update(package_id="0" * 32)}, "not issued from this project"),
    ("coding added for a session", {"sql": "INSERT INTO codings (session_id, coder_id, purpose, created_at, "
                                           "updated_at) VALUES (1, 1, 'training', 'x', 'x');"},
     "other codings than the ones issued"),
    ("coder renamed in the file", {"sql": "UPDATE coders SET name = 'OTHERCODERKK';"}, "names other coders"),
    ("extra session", {"sql": "INSERT INTO participants (external_id, arm) VALUES ('Z', '');"
                              "INSERT INTO sessions (participant_id, timepoint, blinded_code) VALUES (5, '', 'Z');"},
     "other sessions"),
])
def test_tampered_package_is_refused(trial: Trial, returned: Path, case: str, kwargs: dict, message: str) -> None:
    if kwargs.get("raw"):
        # Change the coder's classification inside the file but keep the old manifest.
        with zipfile.ZipFile(returned) as zf:
            db = zf.read("coding.sspc")
            manifest = zf.read("manifest.json")
        assert db.count(b"C2") >= 1
        with zipfile.ZipFile(returned, "w") as zf:
            zf.writestr("coding.sspc", db.replace(b"C2", b"C1"))
            zf.writestr("manifest.json", manifest)
    else:
        _reseal(returned, **kwargs)

    def attempt(project):
        with pytest.raises(PackageError, match=message):
            import_package(project, returned)
    _unchanged(trial, attempt)


def test_manifest_checksum_catches_an_edit_without_resealing(trial: Trial, returned: Path, tmp_path: Path) -> None:
    edited = edit_manifest(returned, tmp_path / "edited.sspkg", lambda m: m["issued"].update(coder="Bob"))

    def attempt(project):
        with pytest.raises(PackageError, match="manifest does not match its checksum"):
            import_package(project, edited)
    _unchanged(trial, attempt)
    assert content_checksum({}, {}) != content_checksum({"a": 1}, {})


def test_not_a_package_is_refused(trial: Trial, tmp_path: Path) -> None:
    junk = tmp_path / "junk.sspkg"
    junk.write_bytes(b"not a zip at all")
    copy = tmp_path / "project-copy.sspkg"
    shutil.copy(trial.path, copy)

    def attempt(project):
        for bad in (junk, copy, tmp_path / "missing.sspkg"):
            with pytest.raises(PackageError):
                import_package(project, bad)
    _unchanged(trial, attempt)


@pytest.mark.parametrize("member", ["../evil.mp4", "videos/../../evil.mp4", "videos\\..\\evil.mp4", "/etc/x",
                                    "videos/.hidden", "notes.txt"])
def test_member_names_that_could_escape_the_work_folder_are_refused(returned: Path, tmp_path: Path,
                                                                   member: str) -> None:
    evil = tmp_path / "evil.sspkg"
    with zipfile.ZipFile(returned) as src:
        manifest = json.loads(src.read("manifest.json"))
        db = src.read("coding.sspc")
    import hashlib
    files = dict(manifest["files"])
    files[member] = {"sha256": hashlib.sha256(b"x").hexdigest(), "size": 1}
    manifest.update(files=files, content_checksum=content_checksum(manifest["issued"], files))
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("coding.sspc", db)
        zf.writestr(member, b"x")
        zf.writestr("manifest.json", json.dumps(manifest))
    with pytest.raises(PackageError, match="unsafe name"):
        open_package(evil)
    assert not (tmp_path / "evil.mp4").exists()
