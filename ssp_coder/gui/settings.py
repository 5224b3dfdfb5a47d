"""Where the window remembers things per computer: recent projects, last coder, layouts, key maps."""

from __future__ import annotations

from PySide6.QtCore import QSettings


def app_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "ssp-coder", "ssp-coder")


def recent_projects(settings: QSettings) -> list[str]:
    value = settings.value("recent_projects", [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in (value or [])]


def remember_project(settings: QSettings, path: str, keep: int = 8) -> None:
    items = [p for p in recent_projects(settings) if p != path]
    settings.setValue("recent_projects", [path] + items[: keep - 1])


def last_coder(settings: QSettings, project_id: str) -> str | None:
    v = settings.value(f"last_coder/{project_id}")
    return str(v) if v else None


def remember_coder(settings: QSettings, project_id: str, name: str) -> None:
    settings.setValue(f"last_coder/{project_id}", name)


def frame_cache_mb(settings: QSettings, default: int = 512) -> int:
    """Memory for decoded frames kept around the playhead ("video/frame_cache_mb", default 512 MB)."""
    try:
        value = int(settings.value("video/frame_cache_mb", default))
    except (TypeError, ValueError):
        return default
    return max(16, value)
