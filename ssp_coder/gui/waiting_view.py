"""What the coding window shows of changes kept while the project server cannot be reached.

The status bar: a red note with how many changes wait (not saved), "Retry
now", and "Waiting changes…" (the list, with Send now / Discard). When
sending stops because someone else changed the coding, a box names them and
offers the two ways on: review (their change shown, the waiting ones on top,
then Send now) or discard. Closing the window (or opening another coding)
with changes waiting asks whether to keep them for later or discard them;
they are never dropped without asking.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QListWidget, QMessageBox, QPushButton, QToolButton, QVBoxLayout, QWidget,
)

from ssp_coder.errors import KnownError
from ssp_coder.gui.server_watch import ServerStatusLabel, ServerWatch
from ssp_coder.store.waiting import journals_for

KEEP, DISCARD, CANCEL = "keep", "discard", "cancel"


class WaitingChangesView(QObject):
    """Wires the server watch and the controller's waiting changes into a window's status bar and Coding menu."""

    def __init__(self, window, watch: ServerWatch):
        super().__init__(window)
        self.window = window
        self.controller = c = window.controller
        self.watch = watch
        self._asked = False
        self.label = ServerStatusLabel(watch, c)
        self.retry = QAction("Retry now", window)
        self.retry.setObjectName("retry_now")
        self.retry.setToolTip("Try the project server now and send the changes that wait")
        self.retry.triggered.connect(self.retry_now)
        self.show_list = QAction("Waiting changes…", window)
        self.show_list.setObjectName("waiting_list")
        # (a tool button shows the action's icon text, which Qt derives by dropping the "…" that says a window opens)
        self.show_list.setIconText("Waiting changes…")
        self.show_list.triggered.connect(self.open_list)
        bar = window.statusBar()
        bar.addPermanentWidget(self.label)
        self.buttons: list[QToolButton] = []
        for act in (self.retry, self.show_list):
            b = QToolButton()
            b.setDefaultAction(act)
            bar.addPermanentWidget(b)
            self.buttons.append(b)
        for menu_action in window.menuBar().actions():
            if menu_action.text() == "&Coding":
                menu_action.menu().addSeparator()
                menu_action.menu().addAction(self.retry)
                menu_action.menu().addAction(self.show_list)
        watch.stateChanged.connect(lambda ok, _why: c.set_online(ok))
        watch.checked.connect(self._on_checked)
        c.connectionLost.connect(watch.check_now)
        c.waitingChanged.connect(self.refresh)
        c.waitingStopped.connect(self.ask_after_conflict)
        self.box: QMessageBox | None = None
        self.refresh()

    def refresh(self) -> None:
        n = self.controller.waiting_count
        self.window.timeline.set_waiting(self.controller.waiting_ids())
        self.label.refresh()
        self.retry.setText("Send now" if n and self.watch.reachable else "Retry now")
        self.retry.setEnabled(bool(n) or not self.watch.reachable)
        self.show_list.setEnabled(bool(n))
        self.buttons[0].setVisible(bool(n) or not self.watch.reachable)
        self.buttons[1].setVisible(bool(n))

    def codings_with_waiting(self) -> set[int]:
        """This person's codings that have changes kept on this computer (opened first, to send them)."""
        project = self.controller.project
        return set(journals_for(project.url, project.project_id))

    def retry_now(self) -> None:
        self._asked = True
        self.watch.check_now()

    def _on_checked(self, ok: bool) -> None:
        if ok != self.controller.online:
            self.controller.set_online(ok)        # (also when only this window's own connection had been cut)
        asked = self._asked
        if ok or not self.watch.recheck:        # a stale answer leaves the coder's request for the next check
            self._asked = False
        if ok and self.controller.waiting_count:
            try:
                self.controller.send_waiting(asked=asked)
            except KnownError as exc:
                self.controller.message.emit(str(exc))
        self.refresh()

    # -- someone else changed the coding ---------------------------------------------------------------------
    def ask_after_conflict(self, why: str) -> None:
        n = self.controller.waiting_count
        if self.box is not None:
            self.box.close()
        box = QMessageBox(QMessageBox.Icon.Warning, "Changes not saved", "", QMessageBox.StandardButton.NoButton,
                          self.window)
        box.setObjectName("waiting_conflict")
        box.setText(f"{why}\n\nYour {n} waiting change{'s' * (n != 1)} {'are' if n != 1 else 'is'} kept on this "
                    "computer and not saved. Choose:\n• Review: the coding is shown as it is on the server now, with "
                    "your changes on top (still marked as not saved); check them, then click Send now.\n• Discard: "
                    "your waiting changes are dropped and the coding is shown as it is on the server.")
        review = box.addButton("Review, then send", QMessageBox.ButtonRole.AcceptRole)
        review.setObjectName("review")
        discard = box.addButton("Discard my changes", QMessageBox.ButtonRole.DestructiveRole)
        discard.setObjectName("discard")
        box.setDefaultButton(review)
        review.clicked.connect(self.review)
        discard.clicked.connect(self.discard)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(lambda *_: setattr(self, "box", None))
        self.box = box
        box.open()

    def review(self) -> None:
        try:
            misfits = self.controller.review_waiting()
        except KnownError as exc:
            self.controller.message.emit(str(exc))
            return
        text = ("The coding now shows the changes made on the server; yours are on top, marked as not saved. "
                "Check them, then click Send now (or discard them).")
        if misfits:
            text += "\nThese of your changes no longer fit and were left out:\n" + "\n".join(
                f"• {name}: {why}" for name, why in misfits)
        self.controller.message.emit(text)
        self.refresh()

    def discard(self) -> None:
        self.controller.discard_waiting()
        self.controller.message.emit("Your waiting changes were discarded; the coding shows what the server has.")
        self.refresh()

    def open_list(self) -> None:
        WaitingChangesDialog(self, self.window).open()

    # -- leaving the coding -------------------------------------------------------------------------------------
    def ask_before_leaving(self, leaving: str) -> str:
        """KEEP (they stay on this computer and are sent next time), DISCARD, or CANCEL (stay)."""
        n = self.controller.waiting_count
        if not n:
            return KEEP
        box = QMessageBox(QMessageBox.Icon.Warning, "Changes not saved", "", QMessageBox.StandardButton.NoButton,
                          self.window)
        box.setObjectName("waiting_on_leave")
        box.setText(f"{n} change{'s' * (n != 1)} to this coding {'are' if n != 1 else 'is'} not saved on the "
                    f"project server yet.\n\nKeep them on this computer: they are sent the next time you open this "
                    f"coding here.\nDiscard them: they are lost.\n\nWhat should happen before you {leaving}?")
        keep = box.addButton("Keep them, send later", QMessageBox.ButtonRole.AcceptRole)
        keep.setObjectName("keep")
        discard = box.addButton("Discard them", QMessageBox.ButtonRole.DestructiveRole)
        discard.setObjectName("discard")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.exec()
        clicked = box.clickedButton()
        if clicked is keep:
            return KEEP
        if clicked is discard:
            self.controller.discard_waiting()
            return DISCARD
        return CANCEL if clicked is cancel or clicked is None else KEEP


class WaitingChangesDialog(QDialog):
    """The list of changes not saved yet, oldest first, with Send now and Discard."""

    def __init__(self, view: WaitingChangesView, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("waiting_dialog")
        self.setWindowTitle("Changes not saved yet")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.view = view
        w = view.controller.waiting
        lay = QVBoxLayout(self)
        # wrapped: unwrapped, these sentences set the dialog's width (wider than a laptop's screen for a long
        # "held back" reason)
        intro = QLabel("These changes are kept on this computer and are NOT saved on the project server "
                       "yet. They are sent in this order as soon as the server answers.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.list = QListWidget()
        for change in (w.changes if w is not None else []):
            self.list.addItem(f"{change.made_at[11:19]} UTC   {change.name}")
        lay.addWidget(self.list)
        if w is not None and w.held_back:
            held = QLabel(w.held_back)
            held.setWordWrap(True)
            lay.addWidget(held)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        send = QPushButton("Send now")
        send.setObjectName("send_now")
        discard = QPushButton("Discard all…")
        discard.setObjectName("discard_all")
        buttons.addButton(send, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(discard, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.rejected.connect(self.close)
        send.clicked.connect(self._send)
        discard.clicked.connect(self._discard)
        lay.addWidget(buttons)
        self.resize(560, 320)

    def _send(self) -> None:
        self.close()
        self.view.retry_now()

    def _discard(self) -> None:
        n = self.view.controller.waiting_count
        sure = QMessageBox.question(self, "Discard changes", f"Discard the {n} changes that are not saved? They "
                                    "cannot be brought back.")
        if sure == QMessageBox.StandardButton.Yes:
            self.view.discard()
        self.close()
