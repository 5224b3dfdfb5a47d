"""The coding window while the project server cannot be reached: changes wait (shown as not saved), survive a crash,
and are sent in order, once each, when the server is back; someone else's change meanwhile stops them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from ssp_coder.domain.commands import AddEvent, SetClassification, SetScale, UpdateEvent

pytestmark = pytest.mark.gui


def _cut(project, url: str, tmp_path, watch=None) -> None:
    """The network goes: the window's connections are cut and the server cannot be reached on a new one."""
    from ssp_coder.store.pg_conn import ServerConnection

    dead = f"postgresql://nobody@/none?host={tmp_path}&port=1"
    project.conn.url = dead
    if watch is not None:
        watch.url = dead
    with ServerConnection(url) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE application_name = 'ssp-coder' AND pid <> pg_backend_pid()")


def _back(project, url: str, watch=None) -> None:
    project.conn.url = url
    if watch is not None:
        watch.url = url


def _on_server(url: str, cid: int) -> tuple[list[tuple], list[tuple], str | None]:
    """Events, audit rows (command, change id) and classification of a coding, read past the window."""
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("SET search_path = ssp")
        events = conn.execute("SELECT code, onset_ms, offset_ms FROM events WHERE coding_id = %s ORDER BY id",
                              (cid,)).fetchall()
        audit = [(r[0], json.loads(r[1]).get("change_id")) for r in conn.execute(
            "SELECT command, payload FROM audit WHERE coding_id = %s ORDER BY id", (cid,)).fetchall()]
        row = conn.execute("SELECT classification FROM results WHERE coding_id = %s", (cid,)).fetchone()
    return events, audit, row[0] if row else None


def _window(project, tmp_path, qtbot):
    from PySide6.QtCore import QSettings

    from ssp_coder.gui.app import application, build_window

    application()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = build_window(project, project.coder("Ann"), settings, decode_video=False, ask_relink=False)
    # a failed test must not hang on the close question: the window is closed without asking
    qtbot.addWidget(win, before_close_func=lambda w: setattr(w, "waiting_view", None))
    win.open_first_coding()
    return win


def _answer(name: str, button: str) -> None:
    """Click ``button`` in the box called ``name`` as soon as it is shown (it is modal)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

    def click() -> None:
        box = next((w for w in QApplication.topLevelWidgets() if w.objectName() == name and w.isVisible()), None)
        if box is None:
            QTimer.singleShot(20, click)
            return
        target = box.button(QMessageBox.StandardButton.Cancel) if button == "cancel" else \
            box.findChild(QPushButton, button)
        target.click()

    QTimer.singleShot(0, click)


def _label(win):
    from PySide6.QtWidgets import QLabel

    return win.statusBar().findChild(QLabel, "server_status")


def test_changes_during_an_outage_wait_shown_as_not_saved_and_arrive_in_order_once_each(
        trial_url: str, tmp_path, qtbot) -> None:
    from PySide6.QtCore import Qt

    from ssp_coder.gui.models.events import EVENT_ID_ROLE
    from ssp_coder.store.project import Project

    with Project.open(trial_url) as project:
        win = _window(project, tmp_path, qtbot)
        c, watch = win.controller, win.server_watch
        cid = c.coding_id
        events_before, audit_before, _ = _on_server(trial_url, cid)
        assert _label(win).text() == ""
        _cut(project, trial_url, tmp_path, watch)
        with qtbot.waitSignal(watch.stateChanged, timeout=10_000) as down:
            assert c.execute(AddEvent(cid, "cry", 1_000, 2_000)) is not None      # kept, not refused
        assert down.args[0] is False
        cry = next(e for e in c.state.events if e.code == "cry" and e.onset_ms == 1_000)
        assert int(cry.id) < 0                                       # not numbered by the server: not saved
        assert c.execute(UpdateEvent(int(cry.id), "cry", 1_000, 3_000, None, None)) is not None
        assert c.execute(SetScale(cid, "ps", 5, "m", 4.0)) is not None
        assert c.waiting_count == 3
        assert "Not connected — 3 changes waiting, not yet saved; retrying" in _label(win).text()
        assert "NOT saved" in win.statusBar().currentMessage()
        assert [b.text() for b in win.waiting_view.buttons if not b.isHidden()] == ["Retry now", "Waiting changes…"]
        model = win.events.model
        row = next(r for r in range(model.rowCount()) if model.index(r, 0).data(EVENT_ID_ROLE) == int(cry.id))
        assert model.index(row, 0).data(Qt.ItemDataRole.FontRole).italic()
        assert "NOT saved" in model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
        assert win.timeline.waiting == {int(cry.id)}                  # hatched on the timeline too
        scales = win.scales.model
        ps5 = next(scales.index(r, k) for r in range(scales.rowCount()) for k in range(scales.columnCount())
                   if scales.key(scales.index(r, k)) == ("ps", 5, "m"))
        assert ps5.data() == "4" and ps5.data(Qt.ItemDataRole.FontRole).italic()     # the rating: not saved
        assert "NOT saved" in ps5.data(Qt.ItemDataRole.ToolTipRole)
        win.timeline.grab()                                           # and drawn without error
        assert _on_server(trial_url, cid)[:2] == (events_before, audit_before)    # nothing reached the server
        journal = c.waiting.path
        assert [ch["name"] for ch in json.loads(journal.read_text())["changes"]] == \
            ["Add 'cry'", "Edit event", "Rate PS episode 5 (m)"]

        _back(project, trial_url, watch)                               # the network is back
        with qtbot.waitSignal(watch.stateChanged, timeout=10_000):
            win.waiting_view.retry.trigger()
        qtbot.waitUntil(lambda: c.waiting_count == 0, timeout=10_000)
        events, audit, _ = _on_server(trial_url, cid)
        assert events == events_before + [("cry", 1_000, 3_000)]       # once, with the edit made while waiting
        new = audit[len(audit_before):]
        assert [cmd for cmd, _ in new] == ["AddEvent", "UpdateEvent", "SetScale"]
        assert len({ch for _, ch in new}) == 3 and all(new_id for _, new_id in new)
        assert project.coding_state(cid).scales[("ps", 5, "m")] == 4.0
        assert not journal.exists() and _label(win).text() == ""
        assert all(int(e.id) > 0 for e in c.state.events)             # what is on screen is the server's
        assert model.index(row, 0).data(Qt.ItemDataRole.FontRole) is None and not win.timeline.waiting
        assert not ps5.data(Qt.ItemDataRole.FontRole).italic() and "NOT" not in ps5.data(Qt.ItemDataRole.ToolTipRole)
        c.execute(AddEvent(cid, "play", 9_000, 9_500))                 # and the next change goes straight in
        assert _on_server(trial_url, cid)[0][-1] == ("play", 9_000, 9_500)
        win.close()


def test_waiting_changes_survive_a_crash_and_are_sent_when_the_coding_is_opened_again(
        trial_url: str, tmp_path, qtbot) -> None:
    from ssp_coder.gui.controller import CodingController
    from ssp_coder.store.project import Project

    with Project.open(trial_url) as first:
        c = CodingController(first, first.coder("Ann"))
        cid = next(int(k.id) for k in first.codings(status="draft") if int(k.coder_id) == int(first.coder("Ann").id))
        c.open_coding(cid)
        events_before, audit_before, _ = _on_server(trial_url, cid)
        _cut(first, trial_url, tmp_path)
        c.execute(AddEvent(cid, "cry", 1_000, 2_000))
        c.execute(SetClassification(cid, "C1"))
        assert c.waiting_count == 2 and c.waiting.path.exists()
        _back(first, trial_url)
        # the window dies here: no close, no question, nothing sent; only the journal on disk is left
    with Project.open(trial_url) as again:
        from PySide6.QtCore import QSettings

        from ssp_coder.gui.app import application, build_window

        application()
        win = build_window(again, again.coder("Ann"), QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                           decode_video=False, ask_relink=False)
        qtbot.addWidget(win, before_close_func=lambda w: setattr(w, "waiting_view", None))
        said: list[str] = []
        win.controller.message.connect(said.append)
        win.open_first_coding()                                        # the coding with kept changes comes first
        assert win.controller.coding_id == cid
        assert any("kept on this computer" in m and "sending them now" in m for m in said)
        events, audit, classification = _on_server(trial_url, cid)
        assert events == events_before + [("cry", 1_000, 2_000)] and classification == "C1"
        assert [cmd for cmd, _ in audit[len(audit_before):]] == ["AddEvent", "SetClassification"]   # once each
        assert win.controller.waiting_count == 0 and "sent — saved" in win.statusBar().currentMessage()
        win.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_a_window_killed_with_changes_waiting_loses_none_of_them(trial_url: str, tmp_path, qtbot) -> None:
    from pathlib import Path

    from ssp_coder.store.project import Project

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    dead = f"postgresql://nobody@/none?host={tmp_path}&port=1"
    child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("waiting_child.py")), trial_url, dead,
                              str(tmp_path / "child.ini")], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, env=env)
    try:
        line = child.stdout.readline()
        child.send_signal(signal.SIGKILL)                               # kill -9, changes still waiting
    finally:
        child.kill()
        child.wait(30)
        child.stdout.close()
    assert line.startswith("held 2 "), line
    cid = int(line.split()[2])
    events_before, audit_before, _ = _on_server(trial_url, cid)
    assert ("cry", 1_000, 2_000) not in events_before
    with Project.open(trial_url) as project:
        win = _window(project, tmp_path, qtbot)                        # the next window finds and sends them
        assert win.controller.coding_id == cid and win.controller.waiting_count == 0
        events, audit, classification = _on_server(trial_url, cid)
        assert events == events_before + [("cry", 1_000, 2_000)] and classification == "C1"
        assert [cmd for cmd, _ in audit[len(audit_before):]] == ["AddEvent", "SetClassification"]
        win.close()


def test_someone_elses_change_stops_the_sending_and_the_coder_reviews_then_sends(
        trial_url: str, tmp_path, qtbot) -> None:
    from PySide6.QtWidgets import QMessageBox, QPushButton

    from ssp_coder.store.project import Project

    with Project.open(trial_url) as project:
        win = _window(project, tmp_path, qtbot)
        c, watch = win.controller, win.server_watch
        cid = c.coding_id
        _cut(project, trial_url, tmp_path, watch)
        c.execute(SetClassification(cid, "C1"))
        c.execute(AddEvent(cid, "cry", 1_000, 2_000))
        _back(project, trial_url, watch)
        with Project.open(trial_url, actor="Bob") as bob:              # meanwhile Bob changes the same coding
            bob.coding_state(cid)
            bob.execute(AddEvent(cid, "play", 40_000, 45_000))
        with qtbot.waitSignal(c.waitingStopped, timeout=10_000) as stop:
            win.waiting_view.retry.trigger()
        assert "changed by Bob" in stop.args[0]
        assert c.waiting_count == 2 and "review or discard" in _label(win).text()
        assert ("cry", 1_000, 2_000) not in _on_server(trial_url, cid)[0]       # nothing of theirs overwritten
        box = win.findChild(QMessageBox, "waiting_conflict")
        assert box.isVisible() and "changed by Bob" in box.text() and "Review" in box.text()
        win.waiting_view._on_checked(True)                              # the next check sends nothing by itself
        assert c.waiting_count == 2
        box.findChild(QPushButton, "review").click()
        shown = {(e.code, e.onset_ms): int(e.id) for e in c.state.events}
        assert shown[("play", 40_000)] > 0 and shown[("cry", 1_000)] < 0   # theirs saved, mine still waiting
        assert c.state.result.classification == "C1" and c.waiting_count == 2
        win.waiting_view._on_checked(True)                              # reviewed: still only when the coder says
        assert c.waiting_count == 2
        win.waiting_view.retry.trigger()
        qtbot.waitUntil(lambda: c.waiting_count == 0, timeout=10_000)
        events, _, classification = _on_server(trial_url, cid)
        assert ("play", 40_000, 45_000) in events and events.count(("cry", 1_000, 2_000)) == 1
        assert classification == "C1"
        win.close()


def test_after_a_conflict_the_coder_can_discard_the_waiting_changes(trial_url: str, tmp_path, qtbot) -> None:
    from PySide6.QtWidgets import QMessageBox, QPushButton

    from ssp_coder.store.project import Project

    with Project.open(trial_url) as project:
        win = _window(project, tmp_path, qtbot)
        c, watch = win.controller, win.server_watch
        cid = c.coding_id
        _cut(project, trial_url, tmp_path, watch)
        c.execute(SetClassification(cid, "C1"))
        journal = c.waiting.path
        _back(project, trial_url, watch)
        with Project.open(trial_url, actor="Bob") as bob:
            bob.coding_state(cid)
            bob.execute(SetClassification(cid, "A2"))
        with qtbot.waitSignal(c.waitingStopped, timeout=10_000):
            win.waiting_view.retry.trigger()
        win.findChild(QMessageBox, "waiting_conflict").findChild(QPushButton, "discard").click()
        assert c.waiting_count == 0 and not journal.exists()
        assert c.state.result.classification == "A2" == _on_server(trial_url, cid)[2]
        win.close()


def test_undo_of_a_waiting_change_takes_it_out_of_the_queue(trial_url: str, tmp_path, qtbot) -> None:
    from ssp_coder.gui.controller import CodingController
    from ssp_coder.store.project import Project

    with Project.open(trial_url) as project:
        c = CodingController(project, project.coder("Ann"))
        cid = next(int(k.id) for k in project.codings(status="draft")
                   if int(k.coder_id) == int(project.coder("Ann").id))
        c.open_coding(cid)
        events_before, audit_before, _ = _on_server(trial_url, cid)
        _cut(project, trial_url, tmp_path)
        c.execute(AddEvent(cid, "cry", 1_000, 2_000))
        c.execute(AddEvent(cid, "play", 5_000, 6_000))
        assert c.undo_name() == "Add 'play'"
        assert c.undo()
        assert c.waiting_count == 1 and len(json.loads(c.waiting.path.read_text())["changes"]) == 1
        assert ("play", 5_000) not in {(e.code, e.onset_ms) for e in c.state.events}
        assert c.redo() and c.waiting_count == 2                       # redo puts it back in the queue
        assert c.undo() and c.waiting_count == 1
        _back(project, trial_url)
        assert c.send_waiting()
        events, audit, _ = _on_server(trial_url, cid)
        assert events == events_before + [("cry", 1_000, 2_000)]
        assert [cmd for cmd, _ in audit[len(audit_before):]] == ["AddEvent"]    # the undone one never went
        assert c.undo() and _on_server(trial_url, cid)[0] == events_before     # undo of a saved one: as always


def test_closing_with_waiting_changes_asks_and_never_drops_them_silently(trial_url: str, tmp_path, qtbot) -> None:
    from ssp_coder.store.project import Project

    with Project.open(trial_url) as project:
        win = _window(project, tmp_path, qtbot)
        c = win.controller
        cid = c.coding_id
        _cut(project, trial_url, tmp_path, win.server_watch)
        c.execute(AddEvent(cid, "cry", 1_000, 2_000))
        journal = c.waiting.path
        win.show()
        _answer("waiting_on_leave", "cancel")
        win.close()
        assert win.isVisible() and c.waiting_count == 1                # cancelled: the window stays
        _answer("waiting_on_leave", "keep")
        win.close()
        assert not win.isVisible() and journal.exists()                # kept for the next time
        assert len(json.loads(journal.read_text())["changes"]) == 1
        _back(project, trial_url, win.server_watch)
    with Project.open(trial_url) as project:
        win = _window(project, tmp_path, qtbot)                        # opening again sends them
        assert win.controller.waiting_count == 0 and not journal.exists()
        assert _on_server(trial_url, cid)[0].count(("cry", 1_000, 2_000)) == 1
        _cut(project, trial_url, tmp_path, win.server_watch)
        win.controller.execute(AddEvent(cid, "play", 7_000, 8_000))
        win.show()
        _answer("waiting_on_leave", "discard")
        win.close()
        assert not win.isVisible() and not journal.exists()            # discarded, as the coder chose
        _back(project, trial_url, win.server_watch)
        assert ("play", 7_000, 8_000) not in _on_server(trial_url, cid)[0]


def test_undo_of_a_saved_change_while_the_server_is_away_waits_like_any_change(trial_url: str, tmp_path,
                                                                               qtbot) -> None:
    from ssp_coder.gui.controller import CodingController
    from ssp_coder.store.project import Project

    with Project.open(trial_url) as project:
        c = CodingController(project, project.coder("Ann"))
        cid = next(int(k.id) for k in project.codings(status="draft")
                   if int(k.coder_id) == int(project.coder("Ann").id))
        c.open_coding(cid)
        c.execute(AddEvent(cid, "cry", 1_000, 2_000))                  # saved
        assert ("cry", 1_000, 2_000) in _on_server(trial_url, cid)[0]
        _cut(project, trial_url, tmp_path)
        assert c.undo() and c.waiting_count == 1                      # the undo waits; the event looks gone
        assert ("cry", 1_000) not in {(e.code, e.onset_ms) for e in c.state.events}
        assert ("cry", 1_000, 2_000) in _on_server(trial_url, cid)[0]   # and is still on the server
        _back(project, trial_url)
        assert c.send_waiting()
        assert ("cry", 1_000, 2_000) not in _on_server(trial_url, cid)[0]
        assert c.redo() and ("cry", 1_000, 2_000) in _on_server(trial_url, cid)[0]   # redo after: as always
