"""Where ssp-coder writes its log: the user's log folder (platformdirs)."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from platformdirs import user_log_dir

_configured = False


def log_dir() -> Path:
    override = os.environ.get("SSP_CODER_LOG_DIR")
    return Path(override) if override else Path(user_log_dir("ssp-coder", appauthor=False))


def log_file() -> Path:
    return log_dir() / "ssp-coder.log"


def setup_logging(level: int = logging.INFO) -> None:
    global _configured
    if _configured:
        return
    _configured = True
    root = logging.getLogger("ssp_coder")
    root.setLevel(level)
    try:
        log_dir().mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_file(), maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:  # a read-only home must not stop the program
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
