"""*View ▸ Synchronise views…*: put every further view on the main view's clock.

Three ways, for each view, all previewed live in the window before anything
is saved:

- **Find from sound**: the offset at which both sound tracks share a sharp
  sound (a clap, a door), found in the background (media/sync.py);
- **Mark**: show the clap's frame in the main view and press *Mark main
  view*; move on until the other view shows it and press *Mark this view*
  (the dialog's own buttons nudge one view by a frame or move all views);
- **Type** it, in seconds (positive: that camera started earlier).

*Apply* saves the offsets as one command: audited under the coder's name and
undone with Ctrl+Z like any change. Closing without applying puts the views
back where they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel, QMessageBox, QPushButton,
    QVBoxLayout, QWidget,
)

from ssp_coder.domain import commands as cmds
from ssp_coder.domain.views import SetViewOffset, offset_from_marks, offset_text
from ssp_coder.errors import KnownError
from ssp_coder.gui.controller import fmt_ms
from ssp_coder.gui.dialogs.relink import run_with_progress

if TYPE_CHECKING:
    from ssp_coder.gui.views import SessionViewSet, ViewFollower

MAX_OFFSET_S = 24 * 3600


class _ViewRow:
    """The widgets of one further view in the dialog."""

    def __init__(self, dialog: "ViewSyncDialog", follower: "ViewFollower", grid: QGridLayout, row: int):
        self.dialog = dialog
        self.follower = follower
        n = follower.view.number
        grid.addWidget(QLabel(f"<b>{follower.view.label}</b>"), row, 0)
        self.spin = QDoubleSpinBox()
        self.spin.setObjectName(f"offset_{n}")
        self.spin.setDecimals(3)
        self.spin.setRange(-MAX_OFFSET_S, MAX_OFFSET_S)
        self.spin.setSingleStep(1 / (follower.fps or 25.0))
        self.spin.setSuffix(" s")
        self.spin.setKeyboardTracking(False)
        self.spin.setValue(follower.offset_ms / 1000)
        self.spin.valueChanged.connect(self._preview)
        grid.addWidget(self.spin, row, 1)
        buttons = QHBoxLayout()
        for text, name, slot in (("− 1 frame", f"nudge_back_{n}", lambda: self.nudge(-1)),
                                 ("+ 1 frame", f"nudge_fwd_{n}", lambda: self.nudge(+1)),
                                 ("Mark this view", f"mark_{n}", self.mark),
                                 ("Find from sound", f"sound_{n}", self.find_from_sound)):
            b = QPushButton(text)
            b.setObjectName(name)
            b.setAutoDefault(False)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        grid.addLayout(buttons, row, 2)
        self.note = QLabel("")
        self.note.setObjectName(f"note_{n}")
        self.note.setWordWrap(True)
        grid.addWidget(self.note, row + 1, 0, 1, 3)
        self._describe()

    @property
    def offset_ms(self) -> int:
        return int(round(self.spin.value() * 1000))

    def set_offset(self, ms: int, why: str = "") -> None:
        self.spin.setValue(ms / 1000)
        self._describe(why)

    def _preview(self) -> None:
        self.follower.set_offset(self.offset_ms)
        self._describe()

    def _describe(self, why: str = "") -> None:
        stored = self.follower.view.offset_ms
        state = "" if self.offset_ms == stored else f" — not saved yet (saved: {stored / 1000:+.3f} s)"
        self.note.setText((why + "\n" if why else "") + offset_text(self.offset_ms) + state)

    def nudge(self, frames: int) -> None:
        """Move this view alone by one of its own frames (changes its offset)."""
        step = int(round(1000 / (self.follower.fps or 25.0)))
        self.set_offset(self.offset_ms + frames * step)

    def mark(self) -> None:
        main_mark = self.dialog.main_mark
        if main_mark is None:
            self.dialog.say("First show the shared moment (the clap) in the main view and press Mark main view.")
            return
        view_mark = self.follower.shown_ms if self.follower.shown_ms is not None else self.follower.target_ms
        self.set_offset(offset_from_marks(main_mark, view_mark),
                        f"Marked: {fmt_ms(main_mark)} in the main view is {fmt_ms(view_mark)} in "
                        f"{self.follower.view.label}.")

    def find_from_sound(self) -> None:
        from ssp_coder.media.sync import find_offset

        main, other = self.dialog.view_set.main_path, self.follower.path
        if main is None or other is None:
            self.dialog.say("Both videos are needed to find the offset from their sound; mark the moment instead.")
            return

        def job(progress):
            try:
                return find_offset(main, other, progress=lambda f: progress(f, 1.0))
            except KnownError as exc:
                return str(exc)
        found = run_with_progress(job, f"Listening for a shared clap in {self.follower.view.label} …",
                                  self.dialog)
        if found is None:
            return
        if isinstance(found, str):
            QMessageBox.information(self.dialog, "Offset not found", found)
            return
        self.set_offset(found.offset_ms, f"Found from sound: the clap at {fmt_ms(found.main_ms)} in the main view "
                                         f"is at {fmt_ms(found.view_ms)} in {self.follower.view.label}. Check it by "
                                         "stepping, then Apply.")


class ViewSyncDialog(QDialog):
    def __init__(self, view_set: "SessionViewSet", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("view_sync")
        self.setWindowTitle("Synchronise views")
        self.view_set = view_set
        self.player = view_set.window.player
        self.main_mark: int | None = None
        lay = QVBoxLayout(self)
        intro = QLabel("Events are logged on the main view's clock. Put each other view on it: find the offset "
                       "from a clap both cameras heard, mark the same moment in each view, or type it.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        top = QHBoxLayout()
        mark_main = QPushButton("Mark main view")
        mark_main.setObjectName("mark_main")
        mark_main.setAutoDefault(False)
        mark_main.clicked.connect(self.mark_main)
        top.addWidget(mark_main)
        self.main_label = QLabel("main view: not marked")
        self.main_label.setObjectName("main_mark")
        top.addWidget(self.main_label, 1)
        for text, name, slot in (("◀ 1 s", "all_back_s", lambda: self.player.jump(-1000)),
                                 ("◀ frame", "all_back", lambda: self.player.step(-1)),
                                 ("frame ▶", "all_fwd", lambda: self.player.step(1)),
                                 ("1 s ▶", "all_fwd_s", lambda: self.player.jump(1000))):
            b = QPushButton(text)
            b.setObjectName(name)
            b.setAutoDefault(False)
            b.setToolTip("Move every view")
            b.clicked.connect(slot)
            top.addWidget(b)
        lay.addLayout(top)
        grid = QGridLayout()
        self.rows = [_ViewRow(self, f, grid, 2 * i) for i, f in enumerate(view_set.followers)]
        lay.addLayout(grid)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Close)
        box.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        box.button(QDialogButtonBox.StandardButton.Apply).setObjectName("apply")
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def say(self, text: str) -> None:
        self.status.setText(text)

    def mark_main(self) -> None:
        self.main_mark = self.player.position_ms
        self.main_label.setText(f"main view marked at {fmt_ms(self.main_mark)} (frame {self.player.frame_index})")

    def apply(self) -> bool:
        """Save every changed offset as one undoable step."""
        session = self.view_set.session
        changed = [SetViewOffset(int(session.id), r.follower.view.number, r.offset_ms) for r in self.rows
                   if r.offset_ms != r.follower.view.offset_ms]
        if not changed:
            self.say("Nothing to save: the offsets are as saved.")
            return True
        cmd = changed[0] if len(changed) == 1 else cmds.Batch("Set view offsets", tuple(changed))
        applied = self.view_set.window.controller.execute(cmd)
        if applied is None:
            self.say("Not saved; see the status bar.")
            return False
        self.say("Saved. Ctrl+Z in the window undoes it.")
        return True

    def refresh(self) -> None:
        """The stored offsets changed (applied, or undone in the window)."""
        for r in self.rows:
            r.set_offset(r.follower.view.offset_ms)

    def reject(self) -> None:
        # Unsaved previews go: every view back on its saved offset.
        for r in self.rows:
            r.follower.set_offset(r.follower.view.offset_ms)
        super().reject()
