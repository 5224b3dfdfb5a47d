"""Two windows on the same coding: the second change is refused, naming who changed it; never overwritten."""

from __future__ import annotations

import pytest

from ssp_coder.cli.app import main
from ssp_coder.domain.commands import AddEvent, SetClassification
from ssp_coder.store.project import Project
from ssp_coder.store.server import RevisionConflict


def test_the_second_window_is_refused_and_told_who_changed_it(trial_url: str) -> None:
    with Project.open(trial_url, actor="Bob") as first, Project.open(trial_url, actor="Lead") as second:
        cid = next(int(c.id) for c in first.codings(status="draft"))
        first.coding_state(cid)
        second.coding_state(cid)                      # both windows show the same coding
        first.execute(SetClassification(cid, "B1"))
        with pytest.raises(RevisionConflict, match="changed by Bob") as info:
            second.execute(SetClassification(cid, "C2"))
        assert "not saved" in str(info.value)
        assert first.coding_state(cid).result.classification == "B1"
        second.coding_state(cid)                      # the window reloads; now the change goes through
        second.execute(SetClassification(cid, "C2"))
        assert first.coding_state(cid).result.classification == "C2"


def test_own_changes_and_undo_do_not_conflict(trial_url: str) -> None:
    with Project.open(trial_url, actor="Bob") as p:
        cid = next(int(c.id) for c in p.codings(status="draft"))
        p.coding_state(cid)
        a = p.execute(AddEvent(cid, "cry", 1_000, 2_000))
        b = p.execute(AddEvent(cid, "play", 5_000, 9_000))
        p.execute(b.inverse)
        p.execute(a.inverse)


def test_a_conflict_on_the_command_line_is_a_known_error(trial_url: str, capsys) -> None:
    # a command-line change has no window state to conflict with: it is checked against the server's latest
    with Project.open(trial_url, actor="Bob") as p:
        code = p.session(next(int(c.session_id) for c in p.codings(status="draft"))).blinded_code
    assert main(["irr", "diff", trial_url, code]) in (0, 2)
    assert "Traceback" not in capsys.readouterr().err
