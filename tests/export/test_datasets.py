import numpy as np
import pandas as pd
import pytest

from ssp_coder.export.datasets import (
    STATUS_COMPLETE, STATUS_IN_PROGRESS, STATUS_NOT_CODED, assemble_long, build_wide, change_name, order_timepoints,
    timepoint_suffix,
)
from tests.export.conftest import frames, scored_row, session_row


def test_long_keeps_every_session_and_blanks_scores_without_completed_final_coding():
    sessions = pd.DataFrame([
        session_row(1, "P1", "ABC", "pre", double=True),
        session_row(2, "P1", "ABC", "post", status="draft"),
        session_row(3, "P2", "DEF", "pre", status=None),
    ])
    # Scoring reports a value for session 2 although its coding is a draft: it must not count.
    scored = pd.DataFrame([scored_row(1, "P1", "pre", "B", 2.0), scored_row(2, "P1", "post", "D", 7.0),
                           scored_row(3, "P2", "pre", None, None)])
    long = assemble_long(sessions, scored, timepoint_order=["pre", "post"])
    assert len(long) == 3
    status = dict(zip(long["session_id"], long["coding_status"]))
    assert status == {1: STATUS_COMPLETE, 2: STATUS_IN_PROGRESS, 3: STATUS_NOT_CODED}
    row2 = long[long["session_id"] == 2].iloc[0]
    assert pd.isna(row2["abcd"]) and pd.isna(row2["d_rating"]) and pd.isna(row2["source"]) and pd.isna(row2["coding_id"])
    row1 = long[long["session_id"] == 1].iloc[0]
    assert row1["abcd"] == "B" and row1["secure"] == 1 and row1["double_coded"] == 1 and row1["source"] == "primary"
    assert long[long["session_id"] == 3].iloc[0]["double_coded"] == 0
    # design columns first, then session and coding facts, then the scored variables in scoring order
    assert list(long.columns[:5]) == ["participant_id", "arm", "site", "age_months", "sex"]
    assert list(long.columns[-5:]) == ["abcd", "secure", "disorganized", "d_rating", "ps_e5_m"]


def test_long_rows_are_ordered_by_participant_then_project_timepoint_order():
    sessions, scored = frames([("P2", "X", "post", "B", 1, "complete"), ("P1", "X", "post", "A", 1, "complete"),
                               ("P1", "X", "pre", "D", 7, "complete")])
    long = assemble_long(sessions, scored, timepoint_order=["pre", "post"])
    assert list(zip(long["participant_id"], long["timepoint"])) == [("P1", "pre"), ("P1", "post"), ("P2", "post")]


def test_duplicate_scoring_rows_are_refused():
    sessions, scored = frames([("P1", "X", "pre", "B", 1, "complete")])
    with pytest.raises(ValueError, match="more than one row"):
        assemble_long(sessions, pd.concat([scored, scored]))


def test_wide_suffixes_and_change_variables():
    sessions, scored = frames([
        ("P1", "ABC", "pre", "D", 7.0, "complete"), ("P1", "ABC", "post", "B", 2.0, "complete"),
        ("P2", "DEF", "pre", "B", 1.0, "complete"), ("P2", "DEF", "post", "D", 6.0, "complete"),
        ("P3", "DEF", "pre", "A", 3.0, "complete"), ("P3", "DEF", "post", None, None, "draft"),
    ])
    long = assemble_long(sessions, scored, timepoint_order=["pre", "post"])
    wide = build_wide(long).set_index("participant_id")
    assert len(wide) == 3
    for col in ("secure_pre", "secure_post", "d_rating_pre", "d_rating_post", "abcd_pre", "coding_status_post",
                "secure_change", "disorganized_change", "d_rating_change"):
        assert col in wide.columns
    assert wide.loc["P1", "secure_change"] == 1 and wide.loc["P1", "disorganized_change"] == -1
    assert wide.loc["P1", "d_rating_change"] == -5.0
    assert wide.loc["P2", "secure_change"] == -1 and wide.loc["P2", "d_rating_change"] == 5.0
    # incomplete post: change is missing, never 0
    assert pd.isna(wide.loc["P3", "secure_change"]) and pd.isna(wide.loc["P3", "d_rating_change"])
    assert wide.loc["P3", "coding_status_post"] == STATUS_IN_PROGRESS
    assert wide.loc["P1", "arm"] == "ABC"
    assert "arm_pre" not in wide.columns


def test_wide_with_three_timepoints_names_change_by_later_timepoint():
    rows = []
    for tp, d in (("pre", 7.0), ("post", 4.0), ("follow-up", 2.0)):
        rows.append(("P1", "ABC", tp, "D" if d > 5 else "B", d, "complete"))
    long = assemble_long(*frames(rows), timepoint_order=["pre", "post", "follow-up"])
    wide = build_wide(long)
    assert "d_rating_follow_up" in wide.columns
    assert wide.loc[0, "d_rating_change_post"] == -3.0
    assert wide.loc[0, "d_rating_change_follow_up"] == -5.0
    assert wide.loc[0, "secure_change_follow_up"] == 1
    assert "d_rating_change" not in wide.columns


def test_names_and_order_helpers():
    assert timepoint_suffix("Follow-up 12 m") == "follow_up_12_m"
    assert timepoint_suffix("12m") == "t12m"
    assert order_timepoints(["post", "x", "pre", "a"], ["pre", "post", "follow-up"]) == ["pre", "post", "a", "x"]
    assert change_name("secure", "post", ["pre", "post"]) == "secure_change"
    assert change_name("secure", "fu", ["pre", "post", "fu"]) == "secure_change_fu"


def test_wide_refuses_two_sessions_at_one_timepoint():
    long = assemble_long(*frames([("P1", "X", "pre", "B", 1, "complete"), ("P1", "X", "pre", "A", 1, "complete")]))
    with pytest.raises(ValueError, match="more than one session"):
        build_wide(long)


def test_numeric_columns_stay_numeric():
    long = assemble_long(*frames([("P1", "X", "pre", "B", 1.5, "complete"), ("P2", "X", "pre", None, None, None)]))
    assert np.issubdtype(long["d_rating"].dtype, np.floating)
    assert long["session_id"].dtype == np.int64 and long["double_coded"].dtype == np.int64


def test_an_assigned_session_with_nothing_coded_is_not_coded(coded_project):
    """Assigned, nothing entered: "not coded"; one event entered: "in progress"."""
    from ssp_coder.domain.commands import AddEvent
    from ssp_coder.export.datasets import session_frame

    p = coded_project
    frame = session_frame(p)
    long = assemble_long(frame, pd.DataFrame({"session_id": frame["session_id"]}), timepoint_order=["pre", "post"])
    assert set(long["coding_status"]) == {"not coded"}
    first = p.codings()[0]
    p.execute(AddEvent(int(first.id), "cry", 1000, 2000))
    frame = session_frame(p)
    long = assemble_long(frame, pd.DataFrame({"session_id": frame["session_id"]}), timepoint_order=["pre", "post"])
    status = dict(zip(long["session_id"], long["coding_status"]))
    assert status[int(first.session_id)] == "in progress"
    assert sorted(status.values()).count("not coded") == 3
