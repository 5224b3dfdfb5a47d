"""Whether the project server can be reached, shown in the coding window's status bar.

A window on a server project checks every few seconds, on its own short-lived
connection in a background thread (a hung network never freezes the window),
and at once when a change fails for want of a connection. While the server
cannot be reached the status bar says so in red, with how many changes are
kept on this computer and not saved yet (``controller_waiting``); each check
that finds the server again lets them be sent.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from ssp_coder.store.server import server_reachable


class ServerWatch(QObject):
    stateChanged = Signal(bool, str)      # reachable, why not (empty when reachable)
    checked = Signal(bool)                # after every check: reachable or not
    _checked = Signal(object)             # from the checking thread: None when reachable, else the reason

    def __init__(self, url: str, interval_ms: int = 10_000, parent: QObject | None = None):
        super().__init__(parent)
        self.url = url
        self.reachable = True
        self.why = ""
        self.recheck = False
        self._busy = False
        self._checked.connect(self._on_checked)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check_now)
        self.timer.start()

    def check_now(self) -> None:
        if self._busy:
            # a check is under way (maybe of the address before the network changed): check again after it
            self.recheck = True
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
        self.why = why or ""
        if ok != self.reachable:
            self.reachable = ok
            self.stateChanged.emit(ok, why or "")
        self.checked.emit(ok)
        if self.recheck:
            self.recheck = False
            self.check_now()


class ServerStatusLabel(QLabel):
    """The permanent status-bar note: empty while connected and nothing waits; red while changes are not saved."""

    def __init__(self, watch: ServerWatch, controller=None):
        super().__init__()
        self.setObjectName("server_status")
        self.watch = watch
        self.controller = controller
        watch.stateChanged.connect(lambda _ok, _why: self.refresh())
        if controller is not None:
            controller.waitingChanged.connect(self.refresh)

    def refresh(self) -> None:
        c = self.controller
        n = c.waiting_count if c is not None else 0
        w = c.waiting if c is not None else None
        changes = f"{n} change{'s' * (n != 1)}"
        if not self.watch.reachable:
            text = (f"Not connected — {changes} waiting, not yet saved; retrying…" if n else
                    "Not connected to the project server — changes are kept on this computer, not saved; retrying…")
        elif n and w is not None and w.held_back:
            text = f"{changes} not saved: someone else changed this coding — review or discard them"
        elif n and w is not None and w.reviewing:
            text = f"{changes} not saved yet: check them, then Send now (or discard them)"
        elif n:
            text = f"{changes} waiting, not yet saved; sending…"
        else:
            text = ""
        self.setText(text)
        self.setToolTip(getattr(self.watch, "why", "") if not self.watch.reachable else "")
        self.setStyleSheet("color: #b00020; font-weight: bold;" if text else "")

    def show_state(self, ok: bool, why: str) -> None:
        self.refresh()
