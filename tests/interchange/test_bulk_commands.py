"""An import applies a coding's commands in one batch: the same rows, audit rows and refusals as one by one."""

from __future__ import annotations

import pytest

from ssp_coder.domain import commands as cmds
from ssp_coder.errors import DomainError
from tests.interchange.conftest import DURATION_MS, make_trial


def _commands(cid: int) -> list[cmds.Command]:
    out: list[cmds.Command] = [cmds.SetBoundary(cid, 1, 5_000, 35_000), cmds.SetBoundary(cid, 2, 35_000, 215_000)]
    out += [cmds.AddEvent(cid, "cry", 6_000 + i * 900, 6_500 + i * 900, "child", f"note {i}") for i in range(40)]
    out += [cmds.AddEvent(cid, "look_door", 40_000 + i * 10) for i in range(30)]
    return out


def _state(project) -> dict:
    conn = project.conn
    return {
        "events": conn.execute("SELECT id, coding_id, code, kind, onset_ms, offset_ms, subject, note, view FROM events "
                               "ORDER BY id").fetchall(),
        "episodes": conn.execute("SELECT * FROM episodes ORDER BY coding_id, episode").fetchall(),
        "codings": conn.execute("SELECT id, session_id, coder_id, purpose, status, revision FROM codings").fetchall(),
        # every audit column but the time
        "audit": conn.execute("SELECT actor, command, coding_id, payload, inverse, origin FROM audit "
                              "WHERE origin = 'imported' ORDER BY id").fetchall(),
    }


def _two(tmp_path):
    one, two = make_trial(tmp_path / "one.sspc"), make_trial(tmp_path / "two.sspc")
    ids = []
    for p in (one, two):
        ids.append(int(p.execute(cmds.CreateCoding(int(p.session_by_code("S1PR").id), int(p.coder("Ann").id),
                                                   "primary")).inverse.coding_id))
    assert ids[0] == ids[1]
    return one, two, ids[0]


def test_a_batch_writes_what_the_commands_write_one_by_one(tmp_path):
    one, two, cid = _two(tmp_path)
    try:
        with one.bulk(origin="imported") as w:
            for c in _commands(cid):
                w.execute(c)
        with two.bulk(origin="imported") as w:
            applied = w.execute_for_coding(cid, _commands(cid))
        assert _state(one) == _state(two)
        assert len(_state(two)["events"]) == 70 and _state(two)["codings"][0][-1] == 72   # one revision per command
        assert [type(a.inverse).__name__ for a in applied[:3]] == ["SetBoundary", "SetBoundary", "DeleteEvent"]
    finally:
        one.close()
        two.close()


def test_a_refused_command_gives_the_same_message_and_stops_there(tmp_path):
    one, two, cid = _two(tmp_path)
    bad = _commands(cid)[:5] + [cmds.AddEvent(cid, "cry", DURATION_MS + 1_000, DURATION_MS + 2_000)] + \
        _commands(cid)[5:8]
    try:
        messages = []
        for p, batch in ((one, False), (two, True)):
            with pytest.raises(DomainError) as err, p.bulk(origin="imported") as w:
                if batch:
                    w.execute_for_coding(cid, bad)
                else:
                    for c in bad:
                        w.execute(c)
            messages.append(str(err.value))
        assert messages[0] == messages[1] and "after the end of the video" in messages[0]
        assert _state(one) == _state(two) and not _state(two)["events"]      # rolled back, like the import
        with pytest.raises(DomainError, match="is not a behaviour code"), two.bulk(origin="imported") as w:
            w.execute_for_coding(cid, [cmds.AddEvent(cid, "nope", 1_000)])
    finally:
        one.close()
        two.close()


def test_only_content_commands_of_that_coding_are_batched(tmp_path):
    one, two, cid = _two(tmp_path)
    try:
        with pytest.raises(ValueError), two.bulk(origin="imported") as w:
            w.execute_for_coding(cid, [cmds.AddEvent(cid, "cry", 1_000, 2_000), cmds.MarkComplete(cid)])
        with pytest.raises(ValueError), two.bulk(origin="imported") as w:
            w.execute_for_coding(cid, [cmds.AddEvent(cid + 1, "cry", 1_000, 2_000)])
        assert not _state(two)["events"]
    finally:
        one.close()
        two.close()


def test_the_cycle_collector_is_back_on_after_an_import_or_export_even_a_refused_one(tmp_path):
    import gc

    from ssp_coder.errors import KnownError
    from ssp_coder.interchange import export_codings, import_coding_file
    from ssp_coder.interchange.collection import without_cycle_collection
    from tests.interchange.conftest import FIXTURES, LAB_MAP

    seen = []
    assert without_cycle_collection(lambda: seen.append(gc.isenabled()) or 7)() == 7 and seen == [False]
    p = make_trial(tmp_path / "t.sspc")
    try:
        assert gc.isenabled()
        import_coding_file(p, FIXTURES / "boris_lab.boris", "boris", map_path=LAB_MAP)
        assert gc.isenabled()
        with pytest.raises(KnownError):
            import_coding_file(p, tmp_path / "missing.boris", "boris")
        assert gc.isenabled()
        export_codings(p, "elan", tmp_path / "elan")
        assert gc.isenabled()
        gc.disable()                       # a caller that paused it itself keeps it paused
        try:
            import_coding_file(p, FIXTURES / "boris_lab.boris", "boris", map_path=LAB_MAP)
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        p.close()


def test_timelines_read_together_are_what_each_coding_state_holds(tmp_path):
    from ssp_coder.interchange.importer import _content
    from ssp_coder.store.readmodels import read_coding_timelines

    one, two, cid = _two(tmp_path)
    try:
        other = int(one.execute(cmds.CreateCoding(int(one.session_by_code("S2PR").id), int(one.coder("Bob").id),
                                                  "primary")).inverse.coding_id)
        one.execute_many(_commands(cid) + [cmds.SetBoundary(cid, 3, 215_000, None),     # not complete: left out
                                           cmds.AddEvent(other, "cry", 700, 900), cmds.AddEvent(other, "cry", 100, 300)])
        read = read_coding_timelines(one, [cid, other, cid])
        assert set(read) == {cid, other}
        for c in (cid, other):
            assert (read[c].boundaries, read[c].events) == _content(one.coding_state(c))
        assert 3 not in read[cid].boundaries and read[other].events == [("cry", 100, 300), ("cry", 700, 900)]
        assert read_coding_timelines(one, []) == {}
    finally:
        one.close()
        two.close()
