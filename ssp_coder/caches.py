"""Where ssp-coder keeps what it can always compute again (per-user cache folder, platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir


def cache_folder(kind: str) -> Path:
    """The cache folder for one kind of derived data (e.g. ``"sound"``); not created here.

    ``SSP_CODER_CACHE_DIR`` moves every cache (tests use it to keep the user's folder clean).
    """
    override = os.environ.get("SSP_CODER_CACHE_DIR")
    root = Path(override) if override else Path(user_cache_dir("ssp-coder", appauthor=False))
    return root / kind
