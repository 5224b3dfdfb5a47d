"""A consensus event keeps the camera view of the coding it was taken from; views never make codings disagree."""

import pytest

from builders import add_sessions, coding, new_project
from ssp_coder.domain.commands import AddEvent, MarkComplete
from ssp_coder.domain.model import SessionId
from ssp_coder.domain.views import SessionView
from ssp_coder.reliability.consensus import compare_codings, create_consensus


@pytest.fixture
def two_cameras(tmp_path):
    p = new_project(tmp_path)
    sid = add_sessions(p, [("P1", "ABC", "pre", "S01")])["S01"]
    with p.bulk() as b:
        b.add_view(SessionView(SessionId(sid), 2, "room", None, None, 9 * 180_000, 25.0))

    def coded(coder, purpose, events):
        cid = coding(p, sid, coder, purpose, complete=False)
        p.execute_many([AddEvent(cid, code, on, off, view=view) for code, on, off, view in events]
                       + [MarkComplete(cid)])
        return cid

    a = coded("Ann", "primary", [("cry", 1000, 5000, 2), ("approach", 7000, None, 1), ("approach", 9000, None, None)])
    b = coded("Bob", "reliability", [("cry", 1000, 5000, 1), ("approach", 7000, None, None),
                                     ("approach", 9000, None, None), ("cry", 20_000, 25_000, 2)])
    yield p, a, b
    p.close()


def _events(p, cid):
    return [(e.code, e.onset_ms, e.view) for e in p.coding_state(cid).events]


def test_the_same_event_seen_from_another_camera_is_not_a_disagreement(two_cameras):
    p, a, b = two_cameras
    differing = {f.field for f in compare_codings(p, a, b).differing}
    assert "events_approach" not in differing             # same times, views 1/None vs None/None
    assert "events_cry" in differing                      # b has a second cry; the views play no part


def test_consensus_events_keep_the_view_of_the_coding_they_came_from(two_cameras):
    p, a, b = two_cameras
    cid = create_consensus(p, "S01", decider="Dee", base="a", choices={"events_cry": "b"},
                           reasons="the second cry is audible on the room camera")
    assert _events(p, cid) == [("cry", 1000, 1), ("approach", 7000, 1), ("approach", 9000, None),
                               ("cry", 20_000, 2)]
    again = create_consensus(p, "S01", decider="Dee", base="a", replace=True, revision_reason="recheck")
    assert _events(p, again) == [("cry", 1000, 2), ("approach", 7000, 1), ("approach", 9000, None)]
