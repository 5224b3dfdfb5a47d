"""The camera view of each event travels in coder packages, out and back, and merges like the event."""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from ssp_coder.domain.commands import AddEvent, UpdateEvent
from ssp_coder.packages import export_package, import_package, open_package
from ssp_coder.store.project import _split_sql
from ssp_coder.store.schema import MIGRATIONS

from .conftest import Trial, open_trial
from .test_views import add_room_view


def _events(project, coding_id):
    return [(e.code, e.onset_ms, e.offset_ms, e.view) for e in project.coding_state(coding_id).events]


def test_views_of_events_go_out_in_the_package_and_come_back(trial: Trial, tmp_path: Path) -> None:
    add_room_view(trial, "K7Q2")
    k7 = trial.codings[("K7Q2", "Ann")]
    with open_trial(trial) as p:
        first = p.coding_state(k7).events[0]
        p.execute(UpdateEvent(int(first.id), first.code, first.onset_ms, first.offset_ms, view=2))
        info = export_package(p, "Ann", with_videos=False, out_path=tmp_path / "ann.sspkg")
    opened = open_package(info.path)
    try:
        pp = opened.project
        cid = next(int(c.id) for c in pp.codings() if pp.session(int(c.session_id)).blinded_code == "K7Q2")
        assert _events(pp, cid) == [("cry", 20, 60, 2)]            # out: the project's view is in the package
        pp.execute(AddEvent(cid, "approach", 80, view=1))
        pp.execute(AddEvent(cid, "contact", 90, 150, view=2))
        pp.execute(AddEvent(cid, "look_door", 160))                  # not said
    finally:
        opened.close(write_return=True)
    returned = info.path.with_name("ann-returned.sspkg")
    with open_trial(trial) as p:
        report = import_package(p, returned)
        assert {m.session_code for m in report.merged} == {"K7Q2"}
        assert _events(p, k7) == [("cry", 20, 60, 2), ("approach", 80, None, 1), ("contact", 90, 150, 2),
                                  ("look_door", 160, None, None)]
        assert not import_package(p, returned).changed              # merged once: the views match now


def test_a_view_changed_in_the_package_replaces_the_projects(trial: Trial, tmp_path: Path) -> None:
    add_room_view(trial, "K7Q2")
    k7 = trial.codings[("K7Q2", "Ann")]
    with open_trial(trial) as p:
        info = export_package(p, "Ann", with_videos=False, out_path=tmp_path / "ann.sspkg")
    opened = open_package(info.path)
    try:
        pp = opened.project
        cid = next(int(c.id) for c in pp.codings() if pp.session(int(c.session_id)).blinded_code == "K7Q2")
        ev = pp.coding_state(cid).events[0]
        pp.execute(UpdateEvent(int(ev.id), ev.code, ev.onset_ms, ev.offset_ms, view=2))
    finally:
        opened.close(write_return=True)
    with open_trial(trial) as p:
        import_package(p, info.path.with_name("ann-returned.sspkg"))
        assert _events(p, k7) == [("cry", 20, 60, 2)]


def _as_version_2(pkg: Path) -> None:
    """Rewrite a returned package's coding file as version 2 wrote it (events without a view), resealed."""
    from ssp_coder.packages.manifest import add_bytes, add_file, make_manifest

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "coding.sspc"
        with zipfile.ZipFile(pkg) as zf:
            db.write_bytes(zf.read("coding.sspc"))
            manifest = json.loads(zf.read("manifest.json"))
        con = sqlite3.connect(db, isolation_level=None)
        rows = con.execute("SELECT id, coding_id, code, kind, onset_ms, offset_ms, subject, note "
                           "FROM events").fetchall()
        con.execute("DROP INDEX events_coding")
        con.execute("DROP TABLE events")
        con.execute(next(s for s in _split_sql(MIGRATIONS[0]) if s.startswith("CREATE TABLE events")))
        con.execute("CREATE INDEX events_coding ON events(coding_id, onset_ms)")
        con.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?)", rows)
        con.execute("PRAGMA user_version = 2")
        con.close()
        with zipfile.ZipFile(pkg, "w") as zf:
            sha, size = add_file(zf, "coding.sspc", db, compress=True)
            m = make_manifest(manifest["issued"], manifest["issued_hmac"], {"coding.sspc": {"sha256": sha,
                              "size": size}}, state="returned", written_at="x")
            add_bytes(zf, "manifest.json", json.dumps(m).encode())


def test_a_package_returned_in_the_previous_file_format_still_merges(trial: Trial, tmp_path: Path) -> None:
    m3 = trial.codings[("M3X9", "Ann")]
    with open_trial(trial) as p:
        info = export_package(p, "Ann", with_videos=False, out_path=tmp_path / "ann.sspkg")
    opened = open_package(info.path)
    try:
        pp = opened.project
        cid = next(int(c.id) for c in pp.codings() if pp.session(int(c.session_id)).blinded_code == "M3X9")
        pp.execute(AddEvent(cid, "contact", 300, 700))
    finally:
        opened.close(write_return=True)
    returned = info.path.with_name("ann-returned.sspkg")
    _as_version_2(returned)
    with open_trial(trial) as p:
        report = import_package(p, returned)
        assert {m.session_code for m in report.merged} == {"M3X9"}
        assert _events(p, m3) == [("contact", 300, 700, None)]
