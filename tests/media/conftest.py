"""Small videos in every format labs have (made once per test run; see formats.py)."""

from __future__ import annotations

import pytest

from .formats import Sample, make_samples


@pytest.fixture(scope="session")
def format_samples(tmp_path_factory) -> dict[str, Sample]:
    return make_samples(tmp_path_factory.mktemp("formats"))
