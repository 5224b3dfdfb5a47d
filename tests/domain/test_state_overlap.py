"""A state's intervals never overlap within a coding: the merge commands, applied and undone."""

from __future__ import annotations

from ssp_coder.domain.commands import AddEvent, UpdateEvent
from ssp_coder.domain.state_overlap import merge_all, merge_for, merge_group, state_overlap_groups


def first_coding(p):
    return int(p.codings(purpose="primary")[0].id)


def spans(p, cid, code="play"):
    return [(e.onset_ms, e.offset_ms, e.note) for e in p.coding_state(cid).events if e.code == code]


def test_closing_a_state_over_another_interval_merges_them_in_one_undoable_step(coded_project):
    p = coded_project
    cid = first_coding(p)
    p.execute(AddEvent(cid, "play", 151, 632, note="with blocks"))
    p.execute(AddEvent(cid, "play", 0, None))                   # P pressed at 0.000: open
    p.execute(AddEvent(cid, "cry", 100, 700))                    # another code at the same time is fine
    before = p.coding_state(cid)
    opened = next(e for e in before.events if e.code == "play" and e.offset_ms is None)
    close = UpdateEvent(int(opened.id), "play", 0, 480)          # P pressed again at 0.480
    batch = merge_for(close, before.events, p.scheme)
    assert batch is not None
    assert batch.name == "'play' 00:00.000–00:00.480 merged with 00:00.151–00:00.632 into 00:00.000–00:00.632"
    applied = p.execute(batch)
    assert spans(p, cid) == [(0, 632, "with blocks")]
    assert [e.id for e in p.coding_state(cid).events if e.code == "play"] == [opened.id]
    p.execute(applied.inverse)                                   # undo: both intervals back, with their ids
    assert p.coding_state(cid).events == before.events


def test_an_interval_spanning_several_merges_them_all_and_touching_ones_stay_apart(coded_project):
    p = coded_project
    cid = first_coding(p)
    for on, off in ((100, 200), (300, 400), (500, 600), (600, 650)):
        p.execute(AddEvent(cid, "play", on, off))
    st = p.coding_state(cid)
    assert merge_for(AddEvent(cid, "play", 200, 300), st.events, p.scheme) is None       # touches only
    assert merge_for(AddEvent(cid, "approach", 150, None), st.events, p.scheme) is None  # a point
    batch = merge_for(AddEvent(cid, "play", 150, 550), st.events, p.scheme)
    p.execute(batch)
    assert spans(p, cid) == [(100, 600, None), (600, 650, None)]


def test_overlaps_already_in_a_coding_are_found_and_merged(coded_project):
    p = coded_project
    cid = first_coding(p)
    for code, on, off in (("play", 100, 300), ("play", 250, 400), ("play", 390, 500), ("cry", 100, 200),
                          ("cry", 150, 250), ("play", 700, 800), ("play", 800, None)):
        p.execute(AddEvent(cid, code, on, off))
    st = p.coding_state(cid)
    groups = state_overlap_groups(st.events)
    first = next(e for e in st.events if e.code == "play")
    note_only = UpdateEvent(int(first.id), "play", first.onset_ms, first.offset_ms, note="calm")
    assert merge_for(note_only, st.events, p.scheme) is None        # editing a note merges nothing
    assert [[(e.code, e.onset_ms) for e in g] for g in groups] == [
        [("cry", 100), ("cry", 150)], [("play", 100), ("play", 250), ("play", 390)]]
    one = merge_group(groups[1])
    assert one.name == "'play' 00:00.100–00:00.300, 00:00.250–00:00.400, 00:00.390–00:00.500 merged into " \
                       "00:00.100–00:00.500"
    applied = p.execute(merge_all(st.events))
    assert spans(p, cid) == [(100, 500, None), (700, 800, None), (800, None, None)]
    assert spans(p, cid, "cry") == [(100, 250, None)]
    assert not state_overlap_groups(p.coding_state(cid).events) and merge_all(p.coding_state(cid).events) is None
    p.execute(applied.inverse)
    assert p.coding_state(cid).events == st.events
