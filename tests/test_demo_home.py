"""The demo lives in one per-user folder, is reused when usable, and --fresh replaces it only when complete."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ssp_coder.cli import main
from ssp_coder.demo import build_demo
from ssp_coder.demo.home import PROJECT_NAME, demo_home
from ssp_coder.errors import KnownError
from ssp_coder.store.project import Project

SMALL = dict(participants=2, episode_seconds=0.3, workers=1)


def _project_id(folder: Path) -> str:
    with Project.open(folder / PROJECT_NAME, read_only=True, backups=False) as p:
        return p.info()["project_id"]


def test_the_default_folder_is_the_users_data_folder_and_is_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    first = build_demo(**SMALL)
    assert first.folder == demo_home() and first.folder.is_relative_to(tmp_path / "data") and not first.reused
    again = build_demo(**SMALL)
    assert again.reused and again.project_path == first.project_path
    assert _project_id(first.folder) == _project_id(again.folder)


def test_work_done_in_the_demo_is_still_there_next_time(tmp_path):
    from ssp_coder.domain.commands import AddCoder

    folder = tmp_path / "demo"
    build_demo(folder, **SMALL)
    with Project.open(folder / PROJECT_NAME, actor="me", backups=False) as p:
        p.execute(AddCoder("Newcomer", "coder"))
    assert build_demo(folder, **SMALL).reused
    with Project.open(folder / PROJECT_NAME, read_only=True, backups=False) as p:
        assert "Newcomer" in {c.name for c in p.coders()}


def test_the_demo_folder_can_be_moved_its_videos_are_linked_relative_to_it(tmp_path):
    build_demo(tmp_path / "a", **SMALL)
    os.replace(tmp_path / "a", tmp_path / "b")
    again = build_demo(tmp_path / "b", **SMALL)
    assert again.reused
    with Project.open(again.project_path, read_only=True, backups=False) as p:
        assert all(not Path(s.video_path).is_absolute() and (tmp_path / "b" / s.video_path).is_file()
                   for s in p.sessions())


def test_fresh_replaces_the_demo_as_a_whole_and_leaves_nothing_beside_it(tmp_path):
    folder = tmp_path / "demo"
    build_demo(folder, **SMALL)
    old_id = _project_id(folder)
    new = build_demo(folder, fresh=True, **SMALL)
    assert not new.reused and _project_id(folder) != old_id
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]   # no temporary folders left


def test_a_failed_rebuild_leaves_the_old_demo_as_it_was(tmp_path, monkeypatch):
    import ssp_coder.demo.build as build

    folder = tmp_path / "demo"
    build_demo(folder, **SMALL)
    old_id = _project_id(folder)

    def broken(*args, **kwargs):
        (args[0] / PROJECT_NAME).write_text("half a demo")
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "_build_in", broken)
    with pytest.raises(KeyboardInterrupt):
        build_demo(folder, fresh=True, **SMALL)
    assert _project_id(folder) == old_id and build_demo(folder, **SMALL).reused
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_a_demo_that_cannot_be_used_is_rebuilt_with_a_note(tmp_path):
    folder = tmp_path / "demo"
    build_demo(folder, **SMALL)
    next((folder / "videos").iterdir()).unlink()
    result = build_demo(folder, **SMALL)
    assert not result.reused and "could not be reused" in result.note and "video" in result.note
    assert build_demo(folder, **SMALL).reused


def test_fresh_refuses_while_the_demo_is_open_in_a_window(tmp_path):
    folder = tmp_path / "demo"
    build_demo(folder, **SMALL)
    old_id = _project_id(folder)
    with Project.open(folder / PROJECT_NAME, actor="Ana", backups=False):
        with pytest.raises(KnownError, match="open in an ssp-coder window"):
            build_demo(folder, fresh=True, **SMALL)
    assert _project_id(folder) == old_id
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_a_folder_with_other_files_is_never_replaced(tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.docx").write_text("precious")
    code = main(["demo", "--no-gui", "--dir", str(folder)])
    err = capsys.readouterr().err
    assert code == 2 and "thesis.docx" in err and "nothing was changed" in err
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.docx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_another_project_called_demo_is_left_alone(tmp_path, capsys):
    folder = tmp_path / "lab"
    folder.mkdir()
    Project.create(folder / PROJECT_NAME, name="Our real trial", backups=False).close()
    before = (folder / PROJECT_NAME).read_bytes()
    code = main(["demo", "--no-gui", "--fresh", "--dir", str(folder)])
    assert code == 2 and "not the demo trial" in capsys.readouterr().err
    assert (folder / PROJECT_NAME).read_bytes() == before


@pytest.mark.slow
def test_demo_command_reuses_and_fresh_rebuilds(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"))
    cmd = [sys.executable, "-m", "ssp_coder", "demo", "--no-gui"]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    home = tmp_path / "data" / "ssp-coder" / "demo"
    assert f"demo project {home / PROJECT_NAME}" in first.stdout
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "Reusing demo project" in again.stdout and "--fresh" in again.stdout
    fresh = subprocess.run(cmd + ["--fresh"], env=env, capture_output=True, text=True, timeout=600)
    assert fresh.returncode == 0 and "Built in" in fresh.stdout
    assert sorted(p.name for p in home.parent.iterdir()) == ["demo"]
