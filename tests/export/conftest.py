"""Hand-built session and scoring frames in the shapes the project and the scoring engine give."""

from __future__ import annotations

import pandas as pd
import pytest

from ssp_coder.domain.scheme import load_builtin_scheme


def session_row(sid: int, pid: str, arm: str, tp: str, *, status: str | None = "complete", coding_id: int | None = None,
                double: bool = False, **extra) -> dict:
    """A row of ``session_frame``: ``status`` is the final coding's status (None: no coding)."""
    cid = coding_id if coding_id is not None else 1000 + sid
    codings = {} if status is None else {cid: status}
    if double:
        codings[cid + 5000] = "complete"
    return {"participant_id": pid, "arm": arm, "site": "North", "age_months": 14.5, "sex": "F", "timepoint": tp,
            "session_id": sid, "blinded_code": f"C{sid:03d}", "date_of_visit": "2025-03-0" + str(1 + sid % 9),
            "session_age_months": 14.5 if tp == "pre" else 20.5,
            "n_independent_codings": (2 if double else 1) if status == "complete" else 0,
            "double_coded": int(double and status == "complete"), "_has_draft": status is not None,
            "_status_by_coding": codings, "_coder_by_coding": {}, **extra}


def scored_row(sid: int, pid: str, tp: str, abcd: str | None, d_rating: float | None, *, source: str = "primary",
               coding_id: int | None = None) -> dict:
    cid = coding_id if coding_id is not None else 1000 + sid
    if abcd is None:
        return {"session_id": sid, "participant_id": pid, "timepoint": tp, "coding_id": None, "coder": None,
                "source": "", "abcd": None, "secure": pd.NA, "disorganized": pd.NA, "d_rating": None,
                "ps_e5_m": None}
    return {"session_id": sid, "participant_id": pid, "timepoint": tp, "coding_id": cid, "coder": "Ann",
            "source": source, "abcd": abcd, "secure": int(abcd == "B"), "disorganized": int(abcd == "D"),
            "d_rating": d_rating, "ps_e5_m": 4.5}


def frames(rows: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """rows: (pid, arm, tp, abcd or None, d_rating, status) -> (sessions, scored)."""
    sess, scored = [], []
    for sid, (pid, arm, tp, abcd, d, status) in enumerate(rows, start=1):
        sess.append(session_row(sid, pid, arm, tp, status=status))
        scored.append(scored_row(sid, pid, tp, abcd if status == "complete" else None, d))
    s = pd.DataFrame(scored)
    for c in ("secure", "disorganized"):
        s[c] = s[c].astype("Int64")
    return pd.DataFrame(sess), s


def bernard_rows() -> list[tuple]:
    """Post-test like Bernard et al. (2012): ABC 13/25 secure (52 %), 8/25 D (32 %);
    DEF 7/21 secure (33 %), 12/21 D (57 %). Pre-test: everyone insecure
    or D as listed, so the within-arm changes are known by construction."""
    rows: list[tuple] = []
    # ABC, 25 children. post: 13 B, 8 D, 4 A. pre: the 13 post-B were 10 D + 3 A; the 8 post-D were D; 4 A were A.
    for i in range(25):
        pid = f"A{i:02d}"
        if i < 13:
            post, pre, d_pre, d_post = "B", ("D" if i < 10 else "A"), 6.0, 2.0
        elif i < 21:
            post, pre, d_pre, d_post = "D", "D", 7.0, 6.5
        else:
            post, pre, d_pre, d_post = "A", "A", 2.0, 2.0
        rows.append((pid, "ABC", "pre", pre, d_pre, "complete"))
        rows.append((pid, "ABC", "post", post, d_post + (0.5 if i % 4 == 0 else 0.0), "complete"))
    # DEF, 21 children. post: 7 B, 12 D, 2 C. pre: 5 of the post-B were B, 2 were D; post-D were D (10) or B (2).
    for i in range(21):
        pid = f"D{i:02d}"
        if i < 7:
            post, pre = "B", ("B" if i < 5 else "D")
        elif i < 19:
            post, pre = "D", ("D" if i < 17 else "B")
        else:
            post, pre = "C", "C"
        rows.append((pid, "DEF", "pre", pre, 5.0 + (i % 3), "complete"))
        rows.append((pid, "DEF", "post", post, 5.5 + (i % 4) * 0.5, "complete"))
    # One ABC child whose post-test is not yet coded, one DEF child never coded at post.
    rows.append(("A99", "ABC", "pre", "B", 1.0, "complete"))
    rows.append(("A99", "ABC", "post", None, None, "draft"))
    rows.append(("D99", "DEF", "pre", "D", 8.0, "complete"))
    rows.append(("D99", "DEF", "post", None, None, None))
    return rows


@pytest.fixture
def scheme():
    return load_builtin_scheme()


@pytest.fixture
def settings(scheme):
    return dict(scheme.settings)


@pytest.fixture
def bernard():
    return frames(bernard_rows())
