"""The coding window's controller on a server project: a refused change reloads the coding.

(Changes made while the server cannot be reached: test_window_waiting.py.)
"""

from __future__ import annotations

import pytest

from ssp_coder.domain.commands import AddEvent

pytestmark = pytest.mark.gui


def test_a_conflicting_change_is_refused_and_the_window_shows_the_other_change(trial_url: str, qtbot) -> None:
    from ssp_coder.gui.controller import CodingController
    from ssp_coder.store.project import Project

    with Project.open(trial_url) as mine, Project.open(trial_url, actor="Bob") as theirs:
        cid = next(int(c.id) for c in mine.codings(status="draft"))
        window = CodingController(mine, mine.coder("Lead"))
        window.open_coding(cid)
        theirs.coding_state(cid)
        theirs.execute(AddEvent(cid, "play", 40_000, 45_000))
        messages: list[str] = []
        window.message.connect(messages.append)
        with qtbot.waitSignal(window.codingOpened):
            assert window.execute(AddEvent(cid, "cry", 10_000, 12_000)) is None
        assert "changed by Bob" in messages[-1]
        codes = [(e.code, e.onset_ms) for e in window.state.events]
        assert ("play", 40_000) in codes and ("cry", 10_000) not in codes   # theirs shown, mine not saved
        assert window.execute(AddEvent(cid, "cry", 10_000, 12_000)) is not None  # after the reload it goes in
