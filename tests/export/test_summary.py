import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ssp_coder.export.datasets import assemble_long
from ssp_coder.export.summary import PAIRED_PRIMARY, choose_arms, format_summary, summarize
from tests.export.conftest import bernard_rows, frames


@pytest.fixture
def summary(bernard):
    long = assemble_long(*bernard, timepoint_order=["pre", "post"])
    return summarize(long), long


def _row(df, **where):
    sel = df
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, where
    return sel.iloc[0]


def test_distribution_reproduces_bernard_proportions(summary):
    s, _ = summary
    abc = _row(s.distribution, arm="ABC", timepoint="post")
    assert (abc["n_sessions"], abc["n"]) == (26, 25)
    assert (abc["n_secure"], abc["pct_secure"]) == (13, 52.0)
    assert (abc["n_disorganized"], abc["pct_disorganized"]) == (8, 32.0)
    assert (abc["n_A"], abc["n_B"], abc["n_C"], abc["n_D"]) == (4, 13, 0, 8)
    deff = _row(s.distribution, arm="DEF", timepoint="post")
    assert deff["n"] == 21
    assert deff["pct_secure"] == pytest.approx(100 * 7 / 21) and round(deff["pct_secure"]) == 33
    assert deff["pct_disorganized"] == pytest.approx(100 * 12 / 21) and round(deff["pct_disorganized"]) == 57
    assert deff["pct_C"] == pytest.approx(100 * 2 / 21)


def test_between_arm_effects_match_hand_computation(summary):
    s, long = summary
    assert (s.intervention, s.control, s.post) == ("ABC", "DEF", "post")
    sec = _row(s.between_arm, outcome="secure")
    assert (sec["x1"], sec["n1"], sec["x2"], sec["n2"]) == (13, 25, 7, 21)
    assert sec["odds_ratio"] == pytest.approx((13 * 14) / (12 * 7))
    se = math.sqrt(1 / 13 + 1 / 12 + 1 / 7 + 1 / 14)
    assert sec["or_ci_low"] == pytest.approx(math.exp(math.log(182 / 84) - 1.959964 * se), rel=1e-5)
    assert sec["risk_difference"] == pytest.approx(0.52 - 7 / 21)
    assert sec["fisher_p"] == pytest.approx(stats.fisher_exact([[13, 12], [7, 14]]).pvalue)
    dis = _row(s.between_arm, outcome="disorganized")
    assert dis["odds_ratio"] == pytest.approx((8 * 9) / (17 * 12))
    assert dis["risk_difference"] == pytest.approx(8 / 25 - 12 / 21)
    # Hedges' g on d_rating at post, by the textbook formula
    post = long[(long["timepoint"] == "post") & (long["coding_status"] == "complete")]
    x1 = post.loc[post["arm"] == "ABC", "d_rating"].to_numpy(float)
    x2 = post.loc[post["arm"] == "DEF", "d_rating"].to_numpy(float)
    n1, n2 = len(x1), len(x2)
    sp = math.sqrt(((n1 - 1) * x1.var(ddof=1) + (n2 - 1) * x2.var(ddof=1)) / (n1 + n2 - 2))
    g = (x1.mean() - x2.mean()) / sp * (1 - 3 / (4 * (n1 + n2) - 9))
    assert _row(s.between_arm, outcome="d_rating")["hedges_g"] == pytest.approx(g)
    assert g < 0  # less disorganization after ABC


def test_within_arm_mcnemar_counts_and_exact_p(summary):
    s, _ = summary
    w = s.within_arm
    abc_sec = _row(w, arm="ABC", outcome="secure")
    assert (abc_sec["n_pairs"], abc_sec["n_yes_to_no"], abc_sec["n_no_to_yes"]) == (25, 0, 13)
    assert abc_sec["p"] == pytest.approx(2 * 0.5 ** 13)
    abc_d = _row(w, arm="ABC", outcome="disorganized")
    assert (abc_d["n_yes_to_no"], abc_d["n_no_to_yes"]) == (10, 0)
    assert abc_d["baseline"] == pytest.approx(100 * 18 / 25) and abc_d["post"] == pytest.approx(32.0)
    assert abc_d["p"] == pytest.approx(2 * 0.5 ** 10)
    def_sec = _row(w, arm="DEF", outcome="secure")
    assert (def_sec["n_pairs"], def_sec["n_yes_to_no"], def_sec["n_no_to_yes"], def_sec["p"]) == (21, 2, 2, 1.0)


def test_paired_d_rating_tests_name_the_primary(summary):
    s, long = summary
    rows = s.within_arm[(s.within_arm["arm"] == "ABC") & (s.within_arm["outcome"] == "d_rating")]
    primary = rows[rows["primary"]].iloc[0]
    secondary = rows[~rows["primary"]].iloc[0]
    assert primary["test"] == PAIRED_PRIMARY and secondary["test"] == "paired t"
    rows_in = [r for r in bernard_rows() if r[1] == "ABC" and r[0] != "A99"]
    pre = np.array([r[4] for r in rows_in if r[2] == "pre"])
    post = np.array([r[4] for r in rows_in if r[2] == "post"])
    ref_w = stats.wilcoxon(post - pre)
    ref_t = stats.ttest_rel(post, pre)
    assert primary["statistic"] == pytest.approx(ref_w.statistic) and primary["p"] == pytest.approx(ref_w.pvalue)
    assert secondary["statistic"] == pytest.approx(ref_t.statistic) and secondary["p"] == pytest.approx(ref_t.pvalue)
    assert primary["mean_change"] == pytest.approx((post - pre).mean())
    assert any("Wilcoxon signed-rank test is primary" in n for n in s.notes)


def test_incomplete_sessions_are_listed_not_dropped(summary):
    s, _ = summary
    assert s.n_sessions == 96 and s.n_complete == 94
    got = {(i.participant_id, i.timepoint, i.coding_status) for i in s.incomplete}
    assert got == {("A99", "post", "in progress"), ("D99", "post", "not coded")}
    text = format_summary(s)
    assert "A99" in text and "not coded" in text and "52%" in text and "Descriptive" in text


def test_no_change_gives_p_one_and_no_crash():
    rows = [(f"P{i}", arm, tp, "B", 3.0, "complete") for i, arm in enumerate(["ABC", "control"] * 3)
            for tp in ("pre", "post")]
    s = summarize(assemble_long(*frames(rows), timepoint_order=["pre", "post"]))
    wil = s.within_arm[(s.within_arm["outcome"] == "d_rating") & s.within_arm["primary"]]
    assert (wil["p"] == 1.0).all()
    assert s.control == "control"
    assert any("no Hedges' g" in n for n in s.notes)  # no variation in d_rating


def test_choose_arms():
    assert choose_arms(["VIPP", "Control"]) == ("VIPP", "Control", None)
    assert choose_arms(["ABC", "DEF"])[:2] == ("ABC", "DEF")
    i, c, note = choose_arms(["X", "Y"])
    assert (i, c) == ("X", "Y") and "--intervention" in note
    assert choose_arms(["X", "Y"], intervention="Y")[:2] == ("Y", "X")
    with pytest.raises(ValueError, match="no arm called"):
        choose_arms(["X", "Y"], control="Z")
    assert choose_arms(["X"])[:2] == (None, None)


def test_to_dict_is_json_clean(summary):
    import json
    s, _ = summary
    d = s.to_dict()
    text = json.dumps(d)
    assert "NaN" not in text
    assert d["between_arm"][0]["outcome"] == "secure"
    assert isinstance(s.to_frame(), pd.DataFrame) and set(s.to_frame()["table"]) == {
        "distribution", "within_arm", "between_arm", "incomplete"}


def test_terminal_table_heads_each_column_once_and_exact_mcnemar_has_no_statistic(summary):
    summary, _long = summary
    text = format_summary(summary)
    head = next(line for line in text.splitlines() if line.strip().startswith("arm"))
    import re
    # "disorganized", "ABCD D" and "D rating": no column headed just "D" beside "ABCD D".
    assert "disorganized" in head and head.count("ABCD D") == 1
    assert re.findall(r"(?<!ABCD )\bD\b(?! rating)", head) == []
    exact = [line for line in text.splitlines() if "exact binomial" in line]
    assert exact and all("): p = " in line for line in exact)
    row = summary.within_arm[summary.within_arm["test"].str.contains("exact")].iloc[0]
    assert math.isnan(row["statistic"])


def test_d_rating_bars_stand_on_their_values_and_no_legend_covers_them(summary):
    from ssp_coder.export.figures import d_rating_distribution

    summary, long = summary
    fig = d_rating_distribution(summary, long)
    for ax in fig.axes:
        assert ax.get_legend() is None
        for bar in ax.patches:
            centre = bar.get_x() + bar.get_width() / 2
            assert centre * 2 == pytest.approx(round(centre * 2))          # on a rating of the 0.5 grid
    assert len(fig.axes) == len(summary.arms) * len(summary.timepoints)
