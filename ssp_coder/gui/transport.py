"""The transport bar under the video: buttons for every player key, rate, audio, time and frame."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QStyle, QToolButton, QWidget

from ssp_coder.gui.controller import fmt_ms
from ssp_coder.gui.player import RATES, VideoPlayer


class TransportBar(QWidget):
    def __init__(self, player: VideoPlayer, actions: dict[str, QAction], parent: QWidget | None = None):
        super().__init__(parent)
        self.player = player
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.setSpacing(2)
        sp = QStyle.StandardPixmap
        self._play_icon = self.style().standardIcon(sp.SP_MediaPlay)
        self._pause_icon = self.style().standardIcon(sp.SP_MediaPause)
        for aid, text, icon in (("episode_start_jump", "", sp.SP_MediaSkipBackward), ("jump_back_5s", "−5s", None),
                                ("jump_back_1s", "−1s", None), ("frame_prev", "", sp.SP_MediaSeekBackward),
                                ("play_pause", "", sp.SP_MediaPlay), ("frame_next", "", sp.SP_MediaSeekForward),
                                ("jump_fwd_1s", "+1s", None), ("jump_fwd_5s", "+5s", None),
                                ("next_episode_jump", "", sp.SP_MediaSkipForward)):
            b = QToolButton()
            if icon is not None:
                actions[aid].setIcon(self.style().standardIcon(icon))
                b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            else:
                actions[aid].setIconText(text)
                b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setDefaultAction(actions[aid])
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # keys stay with the window, not the button
            lay.addWidget(b)
            if aid == "play_pause":
                self.play_button = b
        self.rate = QComboBox()
        for r in RATES:
            self.rate.addItem(f"{r:g}×", r)
        self.rate.setCurrentIndex(RATES.index(1.0))
        self.rate.setToolTip(f"Playback rate ({actions['slower'].shortcut().toString()} slower, "
                             f"{actions['faster'].shortcut().toString()} faster)")
        self.rate.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.rate.activated.connect(lambda i: player.set_rate(self.rate.itemData(i)))
        player.rateChanged.connect(self._rate_changed)
        self.mute = QCheckBox("Mute")
        self.mute.setToolTip(f"Mute the audio ({actions['mute'].shortcut().toString()})")
        self.mute.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.mute.toggled.connect(lambda on: player.source and player.source.set_muted(on))
        self.pitch = QCheckBox("Keep pitch")
        self.pitch.setToolTip("Keep the voice's pitch when playing faster or slower")
        self.pitch.setChecked(True)
        self.pitch.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.pitch.toggled.connect(lambda on: player.source and player.source.set_pitch_kept(on))
        lay.addSpacing(8)
        lay.addWidget(self.rate)
        lay.addWidget(self.mute)
        lay.addWidget(self.pitch)
        lay.addStretch(1)
        self.episode = QLabel()
        self.time = QLabel("00:00.000")
        self.time.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        f = self.time.font()
        f.setFamily("monospace")
        f.setStyleHint(f.StyleHint.Monospace)
        f.setPointSizeF(f.pointSizeF() * 1.15)
        self.time.setFont(f)
        lay.addWidget(self.episode)
        lay.addSpacing(10)
        lay.addWidget(self.time)
        player.frameChanged.connect(self.show_position)
        player.playingChanged.connect(
            lambda on: actions["play_pause"].setIcon(self._pause_icon if on else self._play_icon))

    def _rate_changed(self, rate: float) -> None:
        i = self.rate.findData(rate)
        if i >= 0:
            self.rate.setCurrentIndex(i)

    def show_position(self, ms: int, frame: int) -> None:
        self.time.setText(f"{fmt_ms(ms)}   frame {frame} / {self.player.frame_count - 1}")
