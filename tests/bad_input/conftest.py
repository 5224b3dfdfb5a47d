"""Fixtures of the bad-input tables."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.bad_input.cases import unlock_all


@pytest.fixture
def case_folder(tmp_path: Path) -> Iterator[Path]:
    """The case's folder, made removable again whatever the case marked read-only."""
    yield tmp_path
    unlock_all(tmp_path)
