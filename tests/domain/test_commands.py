"""Commands validate, apply, and return an inverse that restores the old state exactly."""

import pytest

from ssp_coder.domain.commands import (
    AddCoder, AddDIndex, AddEvent, Batch, CreateCoding, DeleteCoding, DeleteDIndex, DeleteEvent, MarkComplete,
    RemoveCoder, Reopen, SetBoundary, SetClassification, SetCodingNote, SetDRating, SetEpisodeFlag, SetScale,
    SetSetting, UpdateDIndex, UpdateEvent, command_from_dict,
)
from ssp_coder.errors import DomainError


def first_coding(p):
    return int(p.codings(purpose="primary")[0].id)


def snapshot(p, cid):
    s = p.coding_state(cid)
    return (dict(s.boundaries), s.events, dict(s.scales), s.d_indices, s.result, s.coding.status)


def fill_complete(p, cid):
    dur = p.session(p.coding(cid).session_id).duration_ms
    step = dur // 8
    cmds = [SetBoundary(cid, ep, (ep - 1) * step, ep * step) for ep in range(1, 9)]
    for sc in p.scheme.scales:
        cmds += [SetScale(cid, sc.id, ep, pa, 3.5) for ep, pa in sc.required]
    cmds += [SetClassification(cid, "D", "B2"), SetDRating(cid, 6)]
    p.execute_many(cmds)


def test_undo_restores_every_kind_of_change(coded_project):
    p = coded_project
    cid = first_coding(p)
    before = snapshot(p, cid)
    steps = [
        SetBoundary(cid, 1, 0, 500), SetEpisodeFlag(cid, 4, "curtailed", "hard crying"),
        AddEvent(cid, "cry", 100, 400, note="loud"), AddEvent(cid, "approach", 200),
        SetScale(cid, "ps", 5, "m", 6.5), SetClassification(cid, "D", "A2"), SetDRating(cid, 7.5),
        AddDIndex(cid, "V", 300, note="freezes"), SetCodingNote(cid, "check ep 8 audio"),
    ]
    inverses = [p.execute(c).inverse for c in steps]
    after = snapshot(p, cid)
    assert after != before
    for inv in reversed(inverses):
        p.execute(inv)
    assert snapshot(p, cid) == before


def test_delete_and_undo_keep_the_same_event_id(coded_project):
    p = coded_project
    cid = first_coding(p)
    eid = p.execute(AddEvent(cid, "cry", 10, 20)).inverse.event_id
    inv = p.execute(DeleteEvent(eid)).inverse
    assert p.coding_state(cid).events == ()
    p.execute(inv)
    assert [e.id for e in p.coding_state(cid).events] == [eid]
    redo = p.execute(UpdateEvent(eid, "cry", 10, 30, subject="infant")).inverse
    assert p.coding_state(cid).events[0].offset_ms == 30
    p.execute(redo)
    assert p.coding_state(cid).events[0].offset_ms == 20


@pytest.mark.parametrize("make, message", [
    (lambda c: AddEvent(c, "dance", 0), "not a behaviour code"),
    (lambda c: AddEvent(c, "approach", 0, 10), "point event"),
    (lambda c: AddEvent(c, "cry", 50, 10), "cannot end"),
    (lambda c: AddEvent(c, "cry", -5, 10), "before the start"),
    (lambda c: AddEvent(c, "cry", 0, 10_000_000), "after the end of the video"),
    (lambda c: SetScale(c, "ps", 6, "m", 3), "not rated in episode 6"),
    (lambda c: SetScale(c, "ps", 5, "m", 7.5), "between 1 and 7"),
    (lambda c: SetScale(c, "ps", 5, "m", 3.25), "steps of 0.5"),
    (lambda c: SetScale(c, "zz", 5, "m", 3), "not a scale"),
    (lambda c: SetClassification(c, "B5"), "not a classification"),
    (lambda c: SetClassification(c, "B2", "A1"), "only with D"),
    (lambda c: SetClassification(c, "D", "D"), "forced secondary must be"),
    (lambda c: SetDRating(c, 10), "between 1 and 9"),
    (lambda c: SetBoundary(c, 9, 0, 10), "no episode 9"),
    (lambda c: SetBoundary(c, 2, 100, 100), "must end after"),
    (lambda c: SetEpisodeFlag(c, 4, "curtailed", ""), "reason is required"),
    (lambda c: SetEpisodeFlag(c, 4, "shortened", "x"), "curtailed or extended"),
    (lambda c: AddDIndex(c, "VIII", 0), "not a D-index group"),
    (lambda c: MarkComplete(c), "cannot be marked complete"),
    (lambda c: Reopen(c), "not complete"),
])
def test_invalid_commands_change_nothing(coded_project, make, message):
    p = coded_project
    cid = first_coding(p)
    before = snapshot(p, cid)
    audit_before = len(p.audit_log())
    with pytest.raises(DomainError, match=message):
        p.execute(make(cid))
    assert snapshot(p, cid) == before
    assert len(p.audit_log()) == audit_before


def test_mark_complete_lists_what_is_missing_then_locks(coded_project):
    p = coded_project
    cid = first_coding(p)
    with pytest.raises(DomainError) as info:
        p.execute(MarkComplete(cid))
    text = str(info.value)
    assert "Episode 1: start not set" in text and "Classification not given" in text
    eid = p.execute(AddEvent(cid, "cry", 10, None)).inverse.event_id
    fill_complete(p, cid)
    with pytest.raises(DomainError, match="has no end"):
        p.execute(MarkComplete(cid))
    p.execute(UpdateEvent(eid, "cry", 10, 50))
    p.execute(MarkComplete(cid))
    assert p.coding(cid).status == "complete"
    with pytest.raises(DomainError, match="Reopen it"):
        p.execute(AddEvent(cid, "cry", 60, 70))
    p.execute(Reopen(cid, reason="typo in PS"))
    p.execute(AddEvent(cid, "cry", 60, 70))
    assert [a.command for a in p.audit_log(coding_id=cid)][-3:] == ["MarkComplete", "Reopen", "AddEvent"]


def test_d_needs_a_forced_secondary_to_complete(coded_project):
    p = coded_project
    cid = first_coding(p)
    fill_complete(p, cid)
    p.execute(SetClassification(cid, "D", None))
    with pytest.raises(DomainError, match="forced best-fitting secondary"):
        p.execute(MarkComplete(cid))


def test_d_with_a_main_category_as_forced_secondary_completes(coded_project):
    p = coded_project
    cid = first_coding(p)
    fill_complete(p, cid)
    p.execute(SetClassification(cid, "D", "B"))
    p.execute(MarkComplete(cid))
    assert (p.coding_state(cid).result.forced_secondary, p.coding(cid).status) == ("B", "complete")
    p.execute(Reopen(cid, "check"))
    with pytest.raises(DomainError, match="A, B, C, A1"):
        p.execute(SetClassification(cid, "D", "E"))


def test_assignment_rules(coded_project):
    p = coded_project
    s = p.sessions()[0]
    ann, bob = p.coder("Ann"), p.coder("Bob")
    with pytest.raises(DomainError, match="independent coding must come from another coder"):
        p.execute(CreateCoding(int(s.id), int(ann.id), "reliability"))
    with pytest.raises(DomainError, match="already has a primary coder"):
        p.execute(CreateCoding(int(s.id), int(bob.id), "primary"))
    cid = p.execute(CreateCoding(int(s.id), int(bob.id), "reliability")).inverse.coding_id
    p.execute(DeleteCoding(cid))
    primary = first_coding(p)
    p.execute(AddEvent(primary, "cry", 0, 5))
    with pytest.raises(DomainError, match="already holds work"):
        p.execute(DeleteCoding(primary))


def test_coders(project):
    inv = project.execute(AddCoder("  Zoe ", "trainer")).inverse
    assert [c.name for c in project.coders()] == ["Zoe"]
    with pytest.raises(DomainError, match="already a coder"):
        project.execute(AddCoder("zoe"))
    with pytest.raises(DomainError, match="Role must be"):
        project.execute(AddCoder("Xi", "boss"))
    assert isinstance(inv, RemoveCoder)
    project.execute(inv)
    assert project.coders() == []


def test_batch_is_one_step_and_undoes_in_reverse(coded_project):
    p = coded_project
    cid = first_coding(p)
    p.execute_many([SetBoundary(cid, 4, 100, 200), SetBoundary(cid, 5, 200, 300)])
    before = snapshot(p, cid)
    applied = p.execute(Batch("Move boundary 4|5", (SetBoundary(cid, 4, 100, 250), SetBoundary(cid, 5, 250, 300))))
    assert p.coding_state(cid).boundaries[4].offset_ms == 250
    p.execute(applied.inverse)
    assert snapshot(p, cid) == before


def test_commands_round_trip_through_dicts(coded_project):
    cid = first_coding(coded_project)
    for cmd in (AddEvent(cid, "cry", 1, 2, note="n"), Batch("b", (SetDRating(cid, 3), SetScale(cid, "ps", 5, "m", 2))),
                SetSetting("d_cutoff", 6), UpdateDIndex(3, "II", 5), DeleteDIndex(4)):
        assert command_from_dict(cmd.to_dict()) == cmd


def test_settings_override_scheme_defaults(project):
    assert project.settings["d_cutoff"] == 5
    inv = project.execute(SetSetting("d_cutoff", 6)).inverse
    assert project.settings["d_cutoff"] == 6
    project.execute(inv)
    assert project.settings["d_cutoff"] == 5
