"""The coding window's controller on a server project: a refused change reloads the coding."""

from __future__ import annotations

import pytest

from ssp_coder.domain.commands import AddEvent

pytestmark = pytest.mark.gui


def test_a_conflicting_change_is_refused_and_the_window_shows_the_other_change(trial_url: str, qtbot) -> None:
    from ssp_coder.gui.controller import CodingController
    from ssp_coder.store.project import Project

    with Project.open(trial_url) as mine, Project.open(trial_url, actor="Bob") as theirs:
        cid = next(int(c.id) for c in mine.codings(status="draft"))
        window = CodingController(mine, mine.coder("Lead"))
        window.open_coding(cid)
        theirs.coding_state(cid)
        theirs.execute(AddEvent(cid, "play", 40_000, 45_000))
        messages: list[str] = []
        window.message.connect(messages.append)
        with qtbot.waitSignal(window.codingOpened):
            assert window.execute(AddEvent(cid, "cry", 10_000, 12_000)) is None
        assert "changed by Bob" in messages[-1]
        codes = [(e.code, e.onset_ms) for e in window.state.events]
        assert ("play", 40_000) in codes and ("cry", 10_000) not in codes   # theirs shown, mine not saved
        assert window.execute(AddEvent(cid, "cry", 10_000, 12_000)) is not None  # after the reload it goes in


def test_the_window_says_when_the_server_cannot_be_reached_and_when_it_is_back(trial_url: str, tmp_path, qtbot) -> None:
    from PySide6.QtCore import QSettings

    from ssp_coder.gui.app import application, build_window
    from ssp_coder.store.pg_conn import ServerConnection
    from ssp_coder.store.project import Project

    application()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    with Project.open(trial_url) as project:
        win = build_window(project, project.coder("Ann"), settings, decode_video=False, ask_relink=False)
        qtbot.addWidget(win)
        win.open_first_coding()
        from PySide6.QtWidgets import QLabel

        label = win.statusBar().findChild(QLabel, "server_status")
        assert label.text() == ""
        # the network goes: the window's connection is cut, and the server cannot be reached any more
        watch = win.server_watch
        watch.url = f"postgresql://nobody@/none?host={tmp_path}&port=1"
        with ServerConnection(trial_url) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'ssp-coder' AND pid <> pg_backend_pid()")
        cid = win.controller.coding_id
        before = len(win.controller.state.events)
        with qtbot.waitSignal(watch.stateChanged, timeout=10_000) as down:
            assert win.controller.execute(AddEvent(cid, "cry", 1_000, 2_000)) is None   # refused at once
        assert down.args[0] is False and "Not connected" in label.text()
        assert len(win.controller.state.events) == before           # nothing shown as saved
        watch.url = trial_url                                         # the network is back
        with qtbot.waitSignal(watch.stateChanged, timeout=10_000) as up:
            watch.check_now()
        assert up.args[0] is True and label.text() == ""
        assert win.controller.execute(AddEvent(cid, "cry", 1_000, 2_000)) is not None
        win.player.unload()
        win.close()
