"""The demo trial, built once per module; each test that writes works on its own copy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from ssp_coder.store.project import Project  # noqa: E402

# A report computed in a child process on a busy 2-core machine can take a minute; only a hang
# (nothing after five minutes) is a failure. Tests never assert how fast it is.
COMPUTE_MS = 300_000


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    from ssp_coder.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("demo"), participants=8, episode_seconds=0.4, workers=1).folder


@pytest.fixture
def project(demo_folder: Path, tmp_path: Path, qapp):
    folder = tmp_path / "trial"
    shutil.copytree(demo_folder, folder)
    p = Project.open(folder / "demo.sspc", actor="test", backups=False)
    yield p
    p.close()


@pytest.fixture
def coordinator(project):
    return project.coder("Dana Lead")


@pytest.fixture(autouse=True)
def messages(monkeypatch) -> list[tuple[str, str, str]]:
    """Message boxes are recorded instead of shown (they would wait for a click)."""
    from ssp_coder.gui.coordinator import menus, widgets

    seen: list[tuple[str, str, str]] = []

    class Box:
        @staticmethod
        def warning(_parent, title, text):
            seen.append(("warning", title, text))

        @staticmethod
        def information(_parent, title, text):
            seen.append(("information", title, text))

    monkeypatch.setattr(widgets, "QMessageBox", Box)
    monkeypatch.setattr(menus, "QMessageBox", Box)
    return seen
