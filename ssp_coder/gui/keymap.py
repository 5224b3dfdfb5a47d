"""The key map: the scheme's behaviour keys plus the window's own keys, with per-coder overrides.

Overrides live in QSettings (per coder, per computer). ``conflicts`` finds two
actions on one key, which the key map editor refuses to save.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence

from ssp_coder.domain.scheme import Scheme


@dataclass(frozen=True)
class KeyAction:
    id: str
    label: str
    group: str
    default: str


def _window_actions(scheme: Scheme) -> list[KeyAction]:
    a = [
        KeyAction("play_pause", "Play / pause", "Player", "Space"),
        KeyAction("frame_next", "Next frame", "Player", "Right"),
        KeyAction("frame_prev", "Previous frame", "Player", "Left"),
        KeyAction("jump_fwd_1s", "Forward 1 s", "Player", "Shift+Right"),
        KeyAction("jump_back_1s", "Back 1 s", "Player", "Shift+Left"),
        KeyAction("jump_fwd_5s", "Forward 5 s", "Player", "Ctrl+Right"),
        KeyAction("jump_back_5s", "Back 5 s", "Player", "Ctrl+Left"),
        KeyAction("faster", "Faster", "Player", "]"),
        KeyAction("slower", "Slower", "Player", "["),
        KeyAction("normal_speed", "Normal speed (1×)", "Player", "\\"),
        KeyAction("mute", "Mute / unmute", "Player", "M"),
        KeyAction("next_event", "Next event", "Player", "PgDown"),
        KeyAction("prev_event", "Previous event", "Player", "PgUp"),
        KeyAction("episode_start_jump", "Start of this episode", "Player", "Home"),
        KeyAction("next_episode_jump", "Start of next episode", "Player", "End"),
    ]
    for ep in scheme.episodes:
        if ep.number <= 9:
            a.append(KeyAction(f"goto_episode_{ep.number}", f"Go to start of episode {ep.number}", "Player",
                               f"Ctrl+{ep.number}"))
    for ep in scheme.episodes:
        if ep.number <= 9:
            a.append(KeyAction(f"episode_start_{ep.number}", f"Episode {ep.number} starts here", "Episodes",
                               f"Alt+{ep.number}"))
    a.append(KeyAction("episode_end_last", f"Episode {scheme.episodes[-1].number} ends here", "Episodes", "Alt+0"))
    a += [
        KeyAction("note_last", "Note / subject for the last event", "Events", "N"),
        KeyAction("d_index", "Add a D index here", "D indices", "D"),
        KeyAction("undo", "Undo", "Edit", "Ctrl+Z"),
        KeyAction("redo", "Redo", "Edit", "Ctrl+Shift+Z"),
        KeyAction("mark_complete", "Mark coding complete", "Coding", "Ctrl+Return"),
        KeyAction("focus_scales", "Go to the scales grid", "Coding", "F2"),
        KeyAction("focus_classification", "Go to the classification", "Coding", "F3"),
        KeyAction("focus_events", "Go to the event table", "Coding", "F4"),
        KeyAction("focus_timeline", "Back to the video", "Coding", "Esc"),
    ]
    return a


def normalize(key: str) -> str:
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText) if key else ""


class KeyMap:
    def __init__(self, scheme: Scheme):
        self.scheme = scheme
        self.actions: list[KeyAction] = [
            KeyAction(f"behaviour:{b.code}", f"{b.name} ({b.kind})", "Behaviours", b.key)
            for b in scheme.behaviours
        ] + _window_actions(scheme)
        self._by_id = {a.id: a for a in self.actions}
        self.overrides: dict[str, str] = {}

    def key(self, action_id: str) -> str:
        if action_id in self.overrides:
            return normalize(self.overrides[action_id])
        return normalize(self._by_id[action_id].default)

    def label(self, action_id: str) -> str:
        return self._by_id[action_id].label

    def set_key(self, action_id: str, key: str) -> None:
        if normalize(key) == normalize(self._by_id[action_id].default):
            self.overrides.pop(action_id, None)
        else:
            self.overrides[action_id] = normalize(key)

    def as_dict(self) -> dict[str, str]:
        return {a.id: self.key(a.id) for a in self.actions}

    def conflicts(self, keys: dict[str, str] | None = None) -> dict[str, list[str]]:
        """Keys bound to more than one action (key -> action ids)."""
        keys = keys if keys is not None else self.as_dict()
        seen: dict[str, list[str]] = {}
        for aid, k in keys.items():
            if k:
                seen.setdefault(normalize(k).lower(), []).append(aid)
        return {k: v for k, v in seen.items() if len(v) > 1}

    # -- per coder, per computer -------------------------------------------------------
    def _group(self, coder: str) -> str:
        return f"keymap/{self.scheme.id}/{coder}"

    def load(self, settings: QSettings, coder: str) -> None:
        settings.beginGroup(self._group(coder))
        self.overrides = {k: str(settings.value(k)) for k in settings.childKeys() if k in self._by_id}
        settings.endGroup()

    def save(self, settings: QSettings, coder: str) -> None:
        settings.remove(self._group(coder))
        settings.beginGroup(self._group(coder))
        for k, v in self.overrides.items():
            settings.setValue(k, v)
        settings.endGroup()
        settings.sync()
