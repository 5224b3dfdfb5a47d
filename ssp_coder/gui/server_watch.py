"""Whether the project server can be reached, shown in the coding window's status bar.

A window on a server project checks every few seconds, on its own short-lived
connection in a background thread (a hung network never freezes the window),
and at once when a change fails for want of a connection. While the server
cannot be reached the status bar says so in red: changes made meanwhile are
refused, never shown as saved, and the next change after the server is back
goes through on a new connection.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from ssp_coder.store.server import server_reachable


class ServerWatch(QObject):
    stateChanged = Signal(bool, str)      # reachable, why not (empty when reachable)
    _checked = Signal(object)             # from the checking thread: None when reachable, else the reason

    def __init__(self, url: str, interval_ms: int = 10_000, parent: QObject | None = None):
        super().__init__(parent)
        self.url = url
        self.reachable = True
        self._busy = False
        self._checked.connect(self._on_checked)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check_now)
        self.timer.start()

    def check_now(self) -> None:
        if self._busy:
            return
        self._busy = True
        threading.Thread(target=self._check, args=(self.url,), daemon=True).start()

    def _check(self, url: str) -> None:
        why = server_reachable(url)
        try:
            self._checked.emit(why)
        except RuntimeError:   # the window closed while the check ran
            pass

    def _on_checked(self, why: str | None) -> None:
        self._busy = False
        ok = why is None
        if ok != self.reachable:
            self.reachable = ok
            self.stateChanged.emit(ok, why or "")


class ServerStatusLabel(QLabel):
    """The permanent status-bar note: empty while connected, red while the server cannot be reached."""

    def __init__(self, watch: ServerWatch):
        super().__init__()
        self.setObjectName("server_status")
        watch.stateChanged.connect(self.show_state)

    def show_state(self, ok: bool, why: str) -> None:
        if ok:
            self.setText("")
            self.setToolTip("")
            self.setStyleSheet("")
        else:
            self.setText("Not connected to the project server — changes are not saved; retrying…")
            self.setToolTip(why)
            self.setStyleSheet("color: #b00020; font-weight: bold;")
