"""Locating a moved video: linked only when its SHA-256 is the registered one, and nothing changes otherwise."""

from __future__ import annotations

import shutil

from PySide6.QtWidgets import QFileDialog, QMessageBox

from ssp_coder.gui.dialogs import relink
from ssp_coder.gui.dialogs.relink import ProjectVideos


def _answering(monkeypatch, picked: str) -> list[str]:
    warnings: list[str] = []
    # Hashing runs as it does behind the progress dialog, without the dialog (a modal dialog left over from
    # another window test could cancel it): what is checked here is the SHA-256 decision.
    monkeypatch.setattr(relink, "run_with_progress", lambda job, label, parent: job(lambda *a: None))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warnings.append(text))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (picked, ""))
    return warnings


def test_the_moved_video_is_linked_after_its_checksum_matches(project, tmp_path, monkeypatch, qtbot):
    session = project.session_by_code("K7QX")
    moved = tmp_path / "elsewhere" / "renamed.mp4"
    moved.parent.mkdir()
    shutil.move(project.path.parent / session.video_path, moved)
    videos = ProjectVideos(project, "Ana")
    assert videos.find(session) is None
    warnings = _answering(monkeypatch, str(moved))
    assert videos.relink(session, None) == moved
    assert not warnings
    assert videos.find(project.session_by_code("K7QX")) == moved.resolve()


def test_another_video_is_refused_and_nothing_changes(project, tmp_path, monkeypatch, qtbot):
    session = project.session_by_code("K7QX")
    other = tmp_path / "other.mp4"
    other.write_bytes(b"not the session's video")
    warnings = _answering(monkeypatch, str(other))
    assert ProjectVideos(project, "Ana").relink(session, None) is None
    assert warnings == [f"other.mp4 is not the video registered for session {session.blinded_code} (its SHA-256 "
                        "differs). Nothing was changed."]
    assert project.session_by_code("K7QX").video_path == session.video_path
