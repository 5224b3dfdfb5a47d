"""Consensus: the side-by-side diff and the consensus coding with its provenance and audit."""

import pytest

from builders import add_sessions, coding, new_project
from ssp_coder.errors import DomainError, KnownError
from ssp_coder.reliability.consensus import (
    ReasonsMissing, compare_codings, conference_list, create_consensus, display, pair_for_session,
)
from ssp_coder.store.reliability_sql import consensus_sources


@pytest.fixture
def setup(tmp_path):
    p = new_project(tmp_path)
    sid = add_sessions(p, [("P1", "ABC", "pre", "S01")])["S01"]
    a = coding(p, sid, "Ann", "primary", cls="D", forced="B2", d=7.0, events=[("cry", 1000, 5000)],
               marks=[("I", 800_000)])
    b = coding(p, sid, "Bob", "reliability", cls="B2", d=3.0, events=[("cry", 1500, 5000)], shift_ms=300,
               scales={("ps", 5, "m"): 6.0})
    yield p, a, b
    p.close()


def test_diff_lists_every_field_and_flags_differences(setup):
    p, a, b = setup
    d = compare_codings(p, a, b)
    fields = {f.field for f in d.fields}
    assert {"classification", "forced_secondary", "d_rating", "episode_1", "episode_8", "ps_e5_m", "sb_e6_m",
            "d_indices", "events_cry", "events_approach"} <= fields
    differing = {f.field for f in d.differing}
    assert {"classification", "forced_secondary", "d_rating", "ps_e5_m", "d_indices", "events_cry",
            "episode_2"} <= differing
    assert "ps_e8_m" not in differing and "events_approach" not in differing
    assert d.field("classification").a == "D" and d.field("classification").b == "B2"
    assert display(d.field("episode_2").b) == "180.300-360.300"
    assert d.coder_a == "Ann" and d.coder_b == "Bob"
    frame = d.to_frame()
    assert frame["differs"].sum() == len(d.differing)
    assert pair_for_session(p, "S01") == (a, b)


def test_consensus_copies_choices_and_records_provenance(setup):
    p, a, b = setup
    cid = create_consensus(p, "S01", decider="Dee", base="b",
                           choices={"classification": "a", "d_rating": "6.5", "d_indices": "a"},
                           reasons="watched both reunions together")
    st = p.coding_state(cid)
    assert st.coding.purpose == "consensus" and st.coding.is_complete
    assert p.coder("Dee").id == st.coding.coder_id
    # classification from a brings a's forced secondary with it
    assert (st.result.classification, st.result.forced_secondary, st.result.d_rating) == ("D", "B2", 6.5)
    assert st.scales[("ps", 5, "m")] == 6.0                       # base b
    assert st.boundaries[2].onset_ms == 180_300                   # base b
    assert [(e.code, e.onset_ms) for e in st.events] == [("cry", 1500)]
    assert [(m.group, m.time_ms) for m in st.d_indices] == [("I", 800_000)]
    src = {s.field: s for s in consensus_sources(p, cid)}
    assert src["classification"].source_coding_id == a
    assert src["classification"].reason == "watched both reunions together"
    assert src["d_rating"].source_coding_id is None               # typed in
    assert src["ps_e5_m"].source_coding_id == b
    assert src["ps_e8_m"].reason == "both codings agree"
    assert all(s.decided_by == "Dee" for s in src.values())
    assert "sb_e6_m" not in src                                   # neither coding rated it


def test_every_field_names_the_coding_its_value_came_from(setup):
    p, a, b = setup
    # The forced secondary (B2) comes from a, with a's classification, although b is the base.
    cid = create_consensus(p, "S01", decider="Dee", base="b", choices={"classification": "a"}, reasons="conference")
    st = p.coding_state(cid)
    src = {s.field: s for s in consensus_sources(p, cid)}
    assert st.result.forced_secondary == "B2"
    assert src["forced_secondary"].source_coding_id == a
    for f in compare_codings(p, a, b).fields:
        if f.field in src and src[f.field].source_coding_id is not None:
            value = f.a if src[f.field].source_coding_id == a else f.b
            from ssp_coder.reliability.consensus import coding_fields
            assert coding_fields(st, p.scheme)[f.field][2] == value or f.group == "episode", f.field


def test_forced_secondary_cleared_with_a_classification_that_needs_none(setup):
    p, a, b = setup
    cid = create_consensus(p, "S01", decider="Dee", choices={"classification": "b"}, reasons="conference")
    src = {s.field: s for s in consensus_sources(p, cid)}
    assert p.coding_state(cid).result.forced_secondary is None
    assert src["forced_secondary"].source_coding_id == b           # b (B2) has none


def test_reasons_are_required_for_typed_values_and_for_departures_from_the_primary(setup):
    p, a, b = setup
    with pytest.raises(ReasonsMissing) as got:
        create_consensus(p, "S01", decider="Dee", choices={"d_rating": "5", "ps_e5_m": "b"})
    assert {f for f, _ in got.value.fields} == {"d_rating", "ps_e5_m"}
    assert "typed in" in str(got.value) and "coding b's value" in str(got.value)
    with pytest.raises(ReasonsMissing):                           # base b: every differing field departs from a
        create_consensus(p, "S01", decider="Dee", base="b")
    assert not p.codings(purpose="consensus")
    # Per-field reasons work too; keeping the primary's value needs none.
    cid = create_consensus(p, "S01", decider="Dee", choices={"d_rating": "5", "ps_e5_m": "b", "classification": "a"},
                           reasons={"d_rating": "between the two", "ps_e5_m": "b saw the second approach"})
    src = {s.field: s for s in consensus_sources(p, cid)}
    assert src["d_rating"].reason == "between the two"
    assert src["classification"].reason.startswith("kept the primary coding's value")


def test_a_consensus_is_revised_with_replace_and_audited(setup):
    p, a, b = setup
    cid = create_consensus(p, "S01", decider="Dee")
    assert p.coding_state(cid).result.classification == "D"
    with pytest.raises(DomainError, match="--replace"):
        create_consensus(p, "S01", decider="Dee", choices={"classification": "b"}, reasons="again")
    with pytest.raises(DomainError, match="revised"):
        create_consensus(p, "S01", decider="Tina", choices={"classification": "b"}, reasons="x", replace=True)
    again = create_consensus(p, "S01", decider="Tina", choices={"classification": "b"},
                             reasons="B2 on review of reunion 2", replace=True,
                             revision_reason="second conference with the trainer")
    assert again == cid and len(p.codings(purpose="consensus")) == 1
    st = p.coding_state(cid)
    assert (st.result.classification, st.result.forced_secondary, st.result.d_rating) == ("B2", None, 7.0)
    assert st.coding.is_complete and [(e.code, e.onset_ms) for e in st.events] == [("cry", 1000)]
    src = {s.field: s for s in consensus_sources(p, cid)}
    assert src["classification"].source_coding_id == b and src["classification"].decided_by == "Tina"
    log = p.audit_log(coding_id=cid)
    revise = next(e for e in log if e.command == "ReviseConsensus")
    assert revise.actor == "Tina" and revise.payload["reason"] == "second conference with the trainer"
    assert any(r["field"] == "classification" and r["decided_by"] == "Dee" for r in revise.payload["previous"])
    assert [e.command for e in log].count("RecordConsensus") == 2


def test_consensus_is_audited_as_the_decider(setup):
    p, a, b = setup
    cid = create_consensus(p, "S01", decider="Dee", reasons="conference")
    log = p.audit_log(coding_id=cid)
    commands = [e.command for e in log]
    assert "RecordConsensus" in commands and "SetClassification" in commands and commands[-1] == "MarkComplete"
    assert {e.actor for e in log} == {"Dee"}
    rec = next(e for e in log if e.command == "RecordConsensus")
    assert rec.payload["coding_a"] == a and rec.payload["coding_b"] == b
    assert "classification" in rec.payload["differing"]
    created = [e for e in p.audit_log() if e.command == "CreateCoding" and e.payload["args"]["purpose"] == "consensus"]
    assert len(created) == 1


def test_refusals_leave_nothing_behind(setup):
    p, a, b = setup
    before = len(p.codings())
    with pytest.raises(KnownError, match="no coder called"):
        create_consensus(p, "S01", decider="Nobody")
    with pytest.raises(DomainError, match="Unknown field"):
        create_consensus(p, "S01", decider="Dee", choices={"colour": "a"})
    with pytest.raises(DomainError, match="not a classification"):
        create_consensus(p, "S01", decider="Dee", choices={"classification": "Z9"})
    with pytest.raises(DomainError, match="set of marks"):
        create_consensus(p, "S01", decider="Dee", choices={"events_cry": "1-2"})
    assert len(p.codings()) == before
    create_consensus(p, "S01", decider="Dee")
    with pytest.raises(DomainError, match="already has a consensus"):
        create_consensus(p, "S01", decider="Tina")


def test_typed_boundary_and_incomplete_consensus_stays_draft(setup):
    p, a, b = setup
    cid = create_consensus(p, "S01", decider="Tina", choices={"episode_3": "360.5-540.25", "d_rating": "none"},
                           reasons="re-timed on the video")
    st = p.coding_state(cid)
    assert (st.boundaries[3].onset_ms, st.boundaries[3].offset_ms) == (360_500, 540_250)
    assert st.result.d_rating is None and not st.coding.is_complete


def test_conference_list_puts_open_disagreements_first(setup):
    p, a, b = setup
    sid = int(p.session_by_code("S01").id)
    code2 = add_sessions(p, [("P2", "DEF", "post", "S02")])["S02"]
    coding(p, code2, "Cem", "primary", cls="B2", d=2.0)
    coding(p, code2, "Ann", "reliability", cls="B2", d=2.0)
    worklist = conference_list(p)
    assert list(worklist["blinded_code"]) == ["S01", "S02"]
    assert not worklist.iloc[0]["abcd_agree"] and worklist.iloc[1]["abcd_agree"]
    create_consensus(p, sid, decider="Dee")
    worklist = conference_list(p)
    assert list(worklist["blinded_code"]) == ["S02", "S01"] and worklist.iloc[1]["has_consensus"]


def test_consensus_takes_or_sets_a_main_category_as_forced_secondary(tmp_path):
    p = new_project(tmp_path)
    sid = add_sessions(p, [("P1", "ABC", "pre", "S01")])["S01"]
    coding(p, sid, "Ann", "primary", cls="D", forced="B", d=7.0)
    coding(p, sid, "Bob", "reliability", cls="D", forced="C1", d=7.0)
    d = compare_codings(p, *pair_for_session(p, "S01"))
    assert (d.field("forced_secondary").a, d.field("forced_secondary").b) == ("B", "C1")
    cid = create_consensus(p, "S01", decider="Dee", choices={"forced_secondary": "a"})
    assert p.coding_state(cid).result.forced_secondary == "B"
    p.close()


def test_consensus_with_a_typed_main_category(tmp_path):
    p = new_project(tmp_path)
    sid = add_sessions(p, [("P1", "ABC", "pre", "S01")])["S01"]
    coding(p, sid, "Ann", "primary", cls="D", forced="A2", d=7.0)
    coding(p, sid, "Bob", "reliability", cls="D", forced="C1", d=7.0)
    cid = create_consensus(p, "S01", decider="Dee", choices={"forced_secondary": "C"}, reasons="between A2 and C1")
    assert p.coding_state(cid).result.forced_secondary == "C"
    p.close()
