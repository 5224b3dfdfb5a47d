"""Fixtures for the server tests: one throwaway PostgreSQL per test run, one fresh database per test."""

from __future__ import annotations

import itertools
import random
import shutil
from pathlib import Path

import pytest

from tests.server.throwaway import find_pg_bin, start_server

_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server():
    if find_pg_bin() is None:
        pytest.skip("PostgreSQL is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin); "
                    "install Debian's 'postgresql' package to run the server tests")
    server = start_server()
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """The URL of a new, empty database on the test server (connecting as its superuser)."""
    return pg_server.create_database(f"trial{next(_names)}")


def fill_coding(cid: int, rng: random.Random) -> list:
    """Commands that code one session completely: boundaries, scales, events, D marks, classification."""
    from ssp_coder.domain.commands import (
        AddDIndex, AddEvent, MarkComplete, SetBoundary, SetClassification, SetDRating, SetScale,
    )

    ep_ms = 180_000
    cmds: list = [SetBoundary(cid, ep, (ep - 1) * ep_ms, ep * ep_ms) for ep in range(1, 9)]
    for scale in ("ps", "cm", "rs", "av"):
        for ep in (5, 8):
            cmds.append(SetScale(cid, scale, ep, "m", float(rng.choice([1, 2, 3, 4.5, 6]))))
    cls = rng.choice(["A1", "B2", "B3", "C1", "D"])
    cmds.append(SetClassification(cid, cls, "B2" if cls == "D" else None))
    cmds.append(SetDRating(cid, float(rng.choice([1, 2, 5, 7]))))
    for ep in range(2, 9):
        on = (ep - 1) * ep_ms + rng.randint(0, 20_000)
        cmds.append(AddEvent(cid, rng.choice(["cry", "play", "proximity"]), on, on + rng.randint(3_000, 30_000)))
    cmds.append(AddDIndex(cid, "I", 5 * ep_ms + rng.randint(0, 9_000)))
    cmds.append(MarkComplete(cid))
    return cmds


@pytest.fixture(scope="session")
def _trial_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small coded trial as a project file: 6 participants x pre/post, two coders, two sessions double-coded
    (the two reliability codings are empty drafts, one each)."""
    from ssp_coder.domain.commands import AddCoder, CreateCoding
    from ssp_coder.domain.views import SessionView
    from ssp_coder.store.project import Project

    rng = random.Random(5)
    path = tmp_path_factory.mktemp("trial") / "trial.sspc"
    with Project.create(path, backups=False) as p:
        p.execute_many([AddCoder("Ann", "coder"), AddCoder("Bob", "coder"), AddCoder("Lead", "coordinator")])
        with p.bulk() as b:
            for i in range(6):
                pid = b.add_participant(f"P{i:02d}", "ABC" if i % 2 else "DEF", site=("Leiden", "Bristol")[i % 2])
                for tp in ("pre", "post"):
                    b.add_session(pid, tp, f"K{i}{tp[:2].upper()}-7Q", video_path=f"videos/P{i:02d}_{tp}.mp4",
                                  video_sha256=None, duration_ms=9 * 180_000, fps=25.0, frame_count=None,
                                  date_of_visit="2025-03-0" + str(i + 1))
        sessions = [int(s.id) for s in p.sessions()]
        with p.bulk() as b:          # the first participant was filmed by two cameras
            for sid in sessions[:2]:
                b.add_view(SessionView(sid, 1, "face"))
                b.add_view(SessionView(sid, 2, "room", f"videos/cam2_{sid}.mp4", None, 9 * 180_000, 25.0, None, 1240))
        coders = {c.name: int(c.id) for c in p.coders()}
        done = p.execute_many([CreateCoding(sid, coders[("Ann", "Bob")[k % 2]], "primary")
                               for k, sid in enumerate(sessions)])
        done += p.execute_many([CreateCoding(sid, coders[("Bob", "Ann")[k % 2]], "reliability")
                                for k, sid in enumerate(sessions[:2])])
        for a in done[:-2]:
            p.execute_many(fill_coding(int(a.inverse.coding_id), rng))
    return path


@pytest.fixture
def trial_file(_trial_master: Path, tmp_path: Path) -> Path:
    """The small coded trial, as this test's own project file."""
    path = tmp_path / "trial.sspc"
    shutil.copyfile(_trial_master, path)
    return path


@pytest.fixture(scope="session")
def _trial_template(pg_server, _trial_master: Path) -> str:
    from ssp_coder.store.server_copy import push

    url = pg_server.create_database("trial_template")
    push(_trial_master, url)
    return "trial_template"


@pytest.fixture
def trial_url(pg_server, _trial_template: str) -> str:
    """The small coded trial as pushed to the server, in this test's own database (a copy of a pushed one)."""
    import psycopg

    name = f"trial{next(_names)}"
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_trial_template}"')
    return pg_server.url(name)
