"""The coding window: composes the player, timeline and panels as docks, and the actions that drive them.

Nothing here holds coding data; every action calls the controller (which
runs a domain command) or the player.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget, QMainWindow, QMessageBox, QSplitter, QVBoxLayout, QWidget,
)

from ssp_coder.domain import commands as cmds
from ssp_coder.errors import KnownError
from ssp_coder.gui.controller import Change, CodingController
from ssp_coder.gui.dialogs.event_note import EventNoteDialog
from ssp_coder.gui.dialogs.keymap_editor import KeyMapEditor
from ssp_coder.gui.dialogs.relink import ProjectVideos
from ssp_coder.gui.input_guard import InputGuard
from ssp_coder.gui.keymap import KeyMap
from ssp_coder.gui.models.sessions import SessionsModel, status_label
from ssp_coder.gui.panels.classification import ClassificationPanel
from ssp_coder.gui.panels.dindex import DIndexPanel
from ssp_coder.gui.panels.episodes import EpisodesPanel
from ssp_coder.gui.panels.events import EventsPanel
from ssp_coder.gui.panels.scales import ScalesPanel
from ssp_coder.gui.panels.sessions import SessionPanel
from ssp_coder.gui.sound_track import SoundTrack, sound_settings
from ssp_coder.gui.player import SimulatedFrameSource, VideoPlayer, VideoView
from ssp_coder.gui.served_source import ServedFrameSource
from ssp_coder.gui.settings import frame_cache_mb
from ssp_coder.media.frameserver import FrameServerSettings
from ssp_coder.gui.timeline import Timeline
from ssp_coder.gui.transport import TransportBar
from ssp_coder.gui.views import SessionViewSet

DEFAULT_DURATION_MS = 30 * 60 * 1000     # a session without a video still gets a usable time axis


class MainWindow(QMainWindow):
    def __init__(self, controller: CodingController, settings: QSettings, *, decode_video: bool = True,
                 ask_relink: bool = True, videos=None):
        super().__init__()
        self.videos = videos or ProjectVideos(controller.project, controller.coder.name)
        self.controller = controller
        self.settings = settings
        self.decode_video = decode_video
        self.ask_relink = ask_relink
        self.scheme = controller.scheme
        self.keymap = KeyMap(self.scheme)
        self.keymap.load(settings, controller.coder.name)
        self.player = VideoPlayer(self)
        self.video = VideoView(self.player)
        self.timeline = Timeline(self.scheme)
        self.sound_track = SoundTrack(self.timeline, sound_settings(settings), self)
        self.actions_by_id: dict[str, QAction] = {}
        self._build_actions()
        self.transport = TransportBar(self.player, self.actions_by_id)
        central = QWidget()
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.setSpacing(0)
        self.view_set = SessionViewSet(self)     # the session's other camera views follow the player
        tl.addWidget(self.view_set.area, 1)
        tl.addWidget(self.transport)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.timeline)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setChildrenCollapsible(False)
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.splitter)
        self.setCentralWidget(central)

        now = lambda: self.player.position_ms  # noqa: E731
        self.sessions_model = SessionsModel(controller.project, controller.coder, self)
        self.sessions = SessionPanel(self.sessions_model)
        self.episodes = EpisodesPanel(controller, now)
        self.events = EventsPanel(controller)
        self.dindex = DIndexPanel(controller, now)
        self.scales = ScalesPanel(controller)
        self.classification = ClassificationPanel(controller)
        self.docks: dict[str, QDockWidget] = {}
        for key, title, widget in (("sessions", "Sessions", self.sessions), ("episodes", "Episodes", self.episodes),
                                   ("events", "Events", self.events), ("dindex", "D indices", self.dindex),
                                   ("scales", "Scales", self.scales),
                                   ("classification", "Classification", self.classification)):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{key}")
            dock.setWidget(widget)
            dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                             | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                             | QDockWidget.DockWidgetFeature.DockWidgetClosable)
            self.docks[key] = dock
        self._build_menus()
        self.default_state: QByteArray | None = None
        self.apply_default_layout()
        self.default_state = self.saveState()
        self._restore_layout()

        # wiring
        self.sessions.openRequested.connect(self.open_coding)
        for panel in (self.episodes, self.events, self.dindex):
            panel.seekRequested.connect(self.player.seek)
        self.timeline.seekRequested.connect(self.player.seek)
        self.timeline.eventClicked.connect(lambda eid: self.events.select_event(eid))
        self.timeline.commandRequested.connect(controller.execute)
        self.player.frameChanged.connect(self._on_frame)
        self.player.failed.connect(lambda msg: self.statusBar().showMessage(f"Video: {msg}", 10000))
        controller.changed.connect(self._on_change)
        controller.codingOpened.connect(self._on_opened)
        controller.historyChanged.connect(self._update_undo_actions)
        controller.message.connect(self.show_message)
        self.server_watch = self.waiting_view = None
        if hasattr(controller.project, "url"):      # a project on a server: whether it can be reached, what waits
            from ssp_coder.gui.server_watch import ServerWatch
            from ssp_coder.gui.waiting_view import WaitingChangesView

            self.server_watch = ServerWatch(controller.project.url, parent=self)
            self.waiting_view = WaitingChangesView(self, self.server_watch)
        self.guard = InputGuard(self, self.scales.view)
        self._update_title()
        self._update_undo_actions()
        self.statusBar().showMessage("Every change is saved the moment you make it.", 6000)

    # -- actions -----------------------------------------------------------------------------
    def _handlers(self) -> dict[str, Callable[[], object]]:
        p = self.player
        h: dict[str, Callable[[], object]] = {
            "play_pause": p.toggle, "frame_next": lambda: p.step(1), "frame_prev": lambda: p.step(-1),
            "jump_fwd_1s": lambda: p.jump(1000), "jump_back_1s": lambda: p.jump(-1000),
            "jump_fwd_5s": lambda: p.jump(5000), "jump_back_5s": lambda: p.jump(-5000),
            "faster": p.faster, "slower": p.slower, "normal_speed": lambda: p.set_rate(1.0),
            "mute": lambda: self.transport.mute.toggle(),
            "next_event": lambda: self.jump_event(+1), "prev_event": lambda: self.jump_event(-1),
            "episode_start_jump": self.jump_episode_start, "next_episode_jump": self.jump_next_episode,
            "episode_end_last": lambda: self.controller.set_episode_end(self.scheme.episodes[-1].number,
                                                                        p.position_ms),
            "note_last": self.edit_last_event_note, "d_index": self.dindex.add_here,
            "undo": self.controller.undo, "redo": self.controller.redo,
            "mark_complete": lambda: self.classification.mark_complete(),
            "focus_scales": self.scales_focus, "focus_classification": lambda: self._focus_dock(
                "classification", self.classification.classification),
            "focus_events": lambda: self._focus_dock("events", self.events.view),
            "focus_timeline": lambda: self.timeline.setFocus(),
        }
        for ep in self.scheme.episodes:
            h[f"goto_episode_{ep.number}"] = lambda n=ep.number: self.jump_to_episode(n)
            h[f"episode_start_{ep.number}"] = lambda n=ep.number: self.controller.set_episode_start(
                n, self.player.position_ms)
        for b in self.scheme.behaviours:
            h[f"behaviour:{b.code}"] = lambda c=b.code: self.log_behaviour(c)
        return h

    def _build_actions(self) -> None:
        for a in self.keymap.actions:
            act = QAction(a.label, self)
            act.setObjectName(a.id)
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(act)
            self.actions_by_id[a.id] = act
        self._apply_keys()

    def _connect_actions(self) -> None:
        for aid, fn in self._handlers().items():
            self.actions_by_id[aid].triggered.connect(lambda _checked=False, f=fn: f())

    def _apply_keys(self) -> None:
        for aid, act in self.actions_by_id.items():
            key = self.keymap.key(aid)
            act.setShortcut(QKeySequence(key) if key else QKeySequence())
            label = self.keymap.label(aid)
            act.setToolTip(f"{label} ({key})" if key else label)
        self.actions_by_id["redo"].setShortcuts([QKeySequence(self.keymap.key("redo")), QKeySequence("Ctrl+Y")])

    def _build_menus(self) -> None:
        self._connect_actions()
        a = self.actions_by_id
        mb = self.menuBar()
        file_menu = mb.addMenu("&File")
        switch = file_menu.addAction("Open another project…")
        switch.triggered.connect(self._open_other)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        edit = mb.addMenu("&Edit")
        edit.addAction(a["undo"])
        edit.addAction(a["redo"])
        edit.addSeparator()
        km = edit.addAction("Key map…")
        km.triggered.connect(self.edit_keymap)
        play = mb.addMenu("&Playback")
        for aid in ("play_pause", "frame_prev", "frame_next", "jump_back_1s", "jump_fwd_1s", "jump_back_5s",
                    "jump_fwd_5s", "slower", "faster", "normal_speed", "mute", "prev_event", "next_event",
                    "episode_start_jump", "next_episode_jump"):
            play.addAction(a[aid])
        goto = play.addMenu("Go to episode")
        for ep in self.scheme.episodes:
            if f"goto_episode_{ep.number}" in a:
                goto.addAction(a[f"goto_episode_{ep.number}"])
        coding = mb.addMenu("&Coding")
        beh = coding.addMenu("Log behaviour")
        for b in self.scheme.behaviours:
            beh.addAction(a[f"behaviour:{b.code}"])
        eps = coding.addMenu("Episode boundaries")
        for ep in self.scheme.episodes:
            if f"episode_start_{ep.number}" in a:
                eps.addAction(a[f"episode_start_{ep.number}"])
        eps.addAction(a["episode_end_last"])
        for aid in ("note_last", "d_index", "mark_complete"):
            coding.addAction(a[aid])
        reopen = coding.addAction("Reopen coding…")
        reopen.triggered.connect(lambda: self.classification.reopen())
        view = mb.addMenu("&View")
        for key in ("sessions", "episodes", "events", "dindex", "scales", "classification"):
            view.addAction(self.docks[key].toggleViewAction())
        view.addSeparator()
        for aid in ("focus_scales", "focus_classification", "focus_events", "focus_timeline"):
            view.addAction(a[aid])
        view.addSeparator()
        self._build_sound_actions(view)
        view.addSeparator()
        self.view_set.build_menu(view)
        view.addSeparator()
        reset = view.addAction("Reset layout")
        reset.triggered.connect(self.reset_layout)
        self.reset_layout_action = reset
        try:        # the Trial menu (reliability, export, packages) for coordinators and trainers
            from ssp_coder.gui.coordinator.menus import install_coordinator_menus
        except ImportError:
            return
        install_coordinator_menus(self, lambda: self.controller.project, lambda: self.controller.coder)

    def _build_sound_actions(self, menu) -> None:
        """View ▸ Sound waveform / Spectrogram: either lane can be hidden; the choice is kept per coder."""
        key = f"coders/{self.controller.coder.name}/sound"
        shown = {lane: str(self.settings.value(f"{key}/{lane}", "true")).lower() != "false"
                 for lane in ("waveform", "spectrogram")}
        self.sound_actions = {}
        for lane, label in (("waveform", "Sound waveform"), ("spectrogram", "Spectrogram (0–4 kHz)")):
            act = menu.addAction(label)
            act.setCheckable(True)
            act.setChecked(shown[lane])
            act.toggled.connect(self._apply_sound_lanes)
            self.sound_actions[lane] = act
        self.timeline.set_sound_lanes(shown["waveform"], shown["spectrogram"])

    def _apply_sound_lanes(self) -> None:
        key = f"coders/{self.controller.coder.name}/sound"
        wave, spec = (self.sound_actions[k].isChecked() for k in ("waveform", "spectrogram"))
        self.settings.setValue(f"{key}/waveform", wave)
        self.settings.setValue(f"{key}/spectrogram", spec)
        self.timeline.set_sound_lanes(wave, spec)

    def _update_undo_actions(self) -> None:
        u, r = self.controller.undo_name(), self.controller.redo_name()
        self.actions_by_id["undo"].setText(f"Undo {u}" if u else "Undo")
        self.actions_by_id["undo"].setEnabled(u is not None)
        self.actions_by_id["redo"].setText(f"Redo {r}" if r else "Redo")
        self.actions_by_id["redo"].setEnabled(r is not None)

    # -- layout --------------------------------------------------------------------------------
    def apply_default_layout(self, width: int | None = None) -> None:
        d = self.docks
        for dock in d.values():
            self.removeDockWidget(dock)
        if width is None:
            screen = self.screen()
            width = screen.availableGeometry().width() if screen else 1366
        L, R = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        if width >= 1700:
            self.addDockWidget(L, d["sessions"])
            self.addDockWidget(L, d["episodes"])
            self.addDockWidget(R, d["scales"])
            self.addDockWidget(R, d["classification"])
            self.addDockWidget(R, d["events"])
            self.tabifyDockWidget(d["events"], d["dindex"])
            d["events"].raise_()
            self.resizeDocks([d["sessions"], d["scales"]], [380, 520], Qt.Orientation.Horizontal)
            self.resizeDocks([d["sessions"], d["episodes"]], [300, 320], Qt.Orientation.Vertical)
            self.resizeDocks([d["scales"], d["classification"], d["events"]], [230, 250, 420],
                             Qt.Orientation.Vertical)
        else:
            # 1366 × 768: video and timeline take the width; one column of tabbed panels on the right.
            self.addDockWidget(R, d["scales"])
            self.addDockWidget(R, d["classification"])
            for key in ("episodes", "events", "dindex", "sessions"):
                self.tabifyDockWidget(d["classification"], d[key])
            d["classification"].raise_()
            self.resizeDocks([d["scales"]], [420], Qt.Orientation.Horizontal)
            self.resizeDocks([d["scales"], d["classification"]], [210, 420], Qt.Orientation.Vertical)
        for dock in d.values():
            dock.show()

    def _layout_key(self) -> str:
        return f"layout/{self.controller.coder.name}"

    def _restore_layout(self) -> None:
        geo = self.settings.value(f"{self._layout_key()}/geometry")
        state = self.settings.value(f"{self._layout_key()}/state")
        if geo is not None:
            self.restoreGeometry(geo)
        if state is not None:
            self.restoreState(state)

    def save_layout(self) -> None:
        self.settings.setValue(f"{self._layout_key()}/geometry", self.saveGeometry())
        self.settings.setValue(f"{self._layout_key()}/state", self.saveState())
        self.settings.sync()

    def reset_layout(self) -> None:
        self.apply_default_layout(self.width())
        self.settings.remove(self._layout_key())

    # -- opening a coding ------------------------------------------------------------------------
    def open_first_coding(self) -> None:
        """Start where the coder left off: a coding with changes kept on this computer, else their first coding
        that is not complete."""
        kept = self.waiting_view.codings_with_waiting() if self.waiting_view is not None else set()
        for row in sorted(self.sessions_model.rows, key=lambda r: int(r.coding.id) not in kept):
            if row.mine and (not row.coding.is_complete or int(row.coding.id) in kept):
                self.open_coding(int(row.coding.id))
                return
        # Nothing to resume: show the session list rather than an empty player.
        self.docks["sessions"].show()
        self.docks["sessions"].raise_()
        mine = [r for r in self.sessions_model.rows if r.mine]
        self.statusBar().showMessage(
            "All your sessions are complete; pick one in the Sessions list to review it." if mine
            else "No sessions are assigned to you yet; the Sessions list shows the project's sessions.", 15000)

    def open_coding(self, coding_id: int) -> None:
        self.player.pause()
        if self.waiting_view is not None and coding_id != self.controller.coding_id \
                and self.waiting_view.ask_before_leaving("open another coding") == "cancel":
            return
        try:
            self.controller.open_coding(coding_id)
        except KnownError as exc:       # e.g. the server cannot be reached: the coding on screen stays
            self.show_message(str(exc))

    def _on_opened(self, state) -> None:
        session = self.controller.session
        self.player.unload()
        if session is None:
            self.timeline.set_state(None)
            self.sound_track.load(None, "No session open")
            self.view_set.load(None, None)
            self._update_title()
            return
        path = self.videos.find(session)
        if path is None and (session.video_path or session.video_sha256) and self.ask_relink:
            path = self.videos.relink(session, self)
            if path is not None:
                session = self.controller.project.session(int(session.id))
                self.controller.session = session
        fps = session.fps or 25.0
        duration = session.duration_ms or DEFAULT_DURATION_MS
        if path is not None and self.decode_video:
            source = ServedFrameSource(path, FrameServerSettings(cache_mb=frame_cache_mb(self.settings)))
            self.video.placeholder = "Loading video…"
        else:
            source = SimulatedFrameSource(fps, duration)
            self.video.placeholder = ("No video linked to this session" if not session.video_path else
                                      f"Video not found: {session.video_path}")
        self.player.load(source, fps, duration, session.frame_count)
        self.sound_track.load(path if self.decode_video else None,
                              self.video.placeholder if path is None else "Sound is not read in this mode")
        self.view_set.load(session, path)
        self.timeline.set_duration(duration)
        self.timeline.set_state(state)
        self.timeline.set_playhead(0)
        self.sessions.select_coding(int(state.coding.id))
        self._update_title()
        self.timeline.setFocus()

    def _on_change(self, change: Change) -> None:
        st = self.controller.state
        if st is None:
            return
        if change.events_only:
            self.timeline.apply_events(st, change.added, change.removed, change.updated)
            if change.added or change.updated:
                self.timeline.select(int((change.added + change.updated)[0].id))
        else:
            self.timeline.set_state(st)
        self.sessions_model.update_coding(st.coding)
        self._update_title()
        if change.status:
            self.statusBar().showMessage(change.status, 6000)
        elif self.controller.waiting_count:
            self.statusBar().showMessage(f"{change.name} — NOT saved yet (kept on this computer)", 6000)
        else:
            self.statusBar().showMessage(f"{change.name} — saved", 3000)

    def _on_frame(self, ms: int, frame: int) -> None:
        self.timeline.set_playhead(ms)
        source = self.player.source
        cached = source.cache_bytes() if source is not None else 0
        self.statusBar().setToolTip(
            f"Decoded frames kept for stepping: {cached / 1048576:.0f} MB of {frame_cache_mb(self.settings)} MB"
            if isinstance(source, ServedFrameSource) else "")
        ep = self.controller.current_episode(ms)
        self.transport.episode.setText(f"Episode {ep}" if ep else "")

    def _update_title(self) -> None:
        c = self.controller
        parts = []
        if c.coding is not None and c.session is not None:
            parts.append(f"{c.session.blinded_code} ({status_label(c.coding)})")
        parts.append(f"{c.coder.name}, {c.coder.role}")
        parts.append(f"{c.project.name} — ssp-coder")
        if c.project.read_only:
            parts.append("read-only")
        self.setWindowTitle(" — ".join(parts))

    # -- keyboard commands --------------------------------------------------------------------------
    def log_behaviour(self, code: str) -> None:
        self.controller.log_behaviour(code, self.player.position_ms)

    def jump_event(self, direction: int) -> None:
        st = self.controller.state
        if st is None:
            return
        now = self.player.position_ms
        times = sorted({t for e in st.events for t in (e.onset_ms, e.offset_ms) if t is not None})
        if direction > 0:
            nxt = next((t for t in times if t > now), None)
        else:
            nxt = next((t for t in reversed(times) if t < now), None)
        if nxt is not None:
            self.player.seek(nxt)

    def _episode_starts(self) -> list[tuple[int, int]]:
        st = self.controller.state
        if st is None:
            return []
        return sorted((b.onset_ms, n) for n, b in st.boundaries.items() if b.onset_ms is not None)

    def jump_to_episode(self, n: int) -> None:
        st = self.controller.state
        b = st.boundaries.get(n) if st else None
        if b is None or b.onset_ms is None:
            self.show_message(f"Episode {n} has no start yet (Alt+{n} sets it at the current frame).")
            return
        self.player.seek(b.onset_ms)

    def jump_episode_start(self) -> None:
        now = self.player.position_ms
        starts = [t for t, _n in self._episode_starts() if t < now]
        if starts:
            self.player.seek(starts[-1])

    def jump_next_episode(self) -> None:
        now = self.player.position_ms
        nxt = next((t for t, _n in self._episode_starts() if t > now), None)
        if nxt is not None:
            self.player.seek(nxt)

    def edit_last_event_note(self) -> None:
        st = self.controller.state
        if st is None or not st.events:
            return
        eid = self.events.selected_event_id()
        ev = next((e for e in st.events if int(e.id) == eid), None) or max(st.events, key=lambda e: int(e.id))
        dlg = EventNoteDialog(self.scheme, ev, self)
        if dlg.exec():
            subject, note = dlg.value()
            self.controller.execute(cmds.UpdateEvent(int(ev.id), ev.code, ev.onset_ms, ev.offset_ms, subject, note))

    def scales_focus(self) -> None:
        self.docks["scales"].show()
        self.docks["scales"].raise_()
        self.scales.focus_first_empty()

    def _focus_dock(self, key: str, widget: QWidget) -> None:
        self.docks[key].show()
        self.docks[key].raise_()
        widget.setFocus()

    def edit_keymap(self) -> None:
        dlg = KeyMapEditor(self.keymap, self)
        if dlg.exec():
            self.keymap.save(self.settings, self.controller.coder.name)
            self._apply_keys()

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text.replace("\n", " "), 10000)
        if "\n" in text:
            box = QMessageBox(QMessageBox.Icon.Information, "ssp-coder", text, QMessageBox.StandardButton.Ok, self)
            box.setObjectName("message_box")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()

    def _open_other(self) -> None:
        self.open_other_requested = True
        self.close()

    def closeEvent(self, e: QCloseEvent) -> None:
        if self.waiting_view is not None and self.waiting_view.ask_before_leaving("close the window") == "cancel":
            e.ignore()
            return
        self.player.pause()
        self.save_layout()
        self.player.unload()
        self.view_set.unload()
        self.sound_track.shutdown()
        super().closeEvent(e)
