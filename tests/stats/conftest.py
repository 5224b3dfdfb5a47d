"""Shared fixtures for the statistics tests: the published reference vectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# Published worked examples with their sources, kept inside the repository (tests/data/README.md).
VECTORS_PATH = Path(__file__).resolve().parents[1] / "data" / "reference_vectors.json"


@pytest.fixture(scope="session")
def reference_vectors() -> dict[str, dict]:
    """The reference vectors keyed by id (K1, K3, W2, F1, I1, A1, G1, E1, ...).

    Fails (never skips) when the file is absent: it is part of the repository.
    """
    if not VECTORS_PATH.is_file():
        pytest.fail(f"reference vectors not found at {VECTORS_PATH}", pytrace=False)
    data = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
    return {v["id"]: v for v in data["vectors"]}


def published(vector: dict, prefix: str):
    """The published value whose quantity is ``prefix``, or else the one that starts with it."""
    exact = [p["value"] for p in vector["published"] if p["quantity"] == prefix]
    if len(exact) == 1:
        return exact[0]
    hits = [p["value"] for p in vector["published"] if p["quantity"].startswith(prefix)]
    assert len(hits) == 1, f"{vector['id']}: {len(hits)} published quantities start with {prefix!r}"
    return hits[0]


def crosscheck(vector: dict, prefix: str, tool_prefix: str = ""):
    """The cross-check value whose quantity starts with ``prefix`` (first match)."""
    hits = [
        c["value"]
        for c in vector["crosscheck"]
        if c["quantity"].startswith(prefix) and c["tool"].startswith(tool_prefix)
    ]
    assert hits, f"{vector['id']}: no cross-check quantity starts with {prefix!r}"
    return hits[0]
