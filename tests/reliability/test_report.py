"""The reliability report on a hand-built project whose agreement can be worked out by hand."""

import json
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest

from builders import add_sessions, coding, d_coding, new_project
from ssp_coder.reliability.export import summary_lines, write_report_xlsx
from ssp_coder.reliability.report import reliability_report

PRIMARY = ["B2", "B2", "A1", "C1", "D", "B1", "B2", "A2", "D", "B3"]
SECOND = ["B2", "B1", "A1", "C1", "D", "B1", "D", "A2", "B2", "B3"]


def wilson(k, n, z=1.959963984540054):
    p = k / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    p = new_project(tmp_path_factory.mktemp("report"))
    codes = add_sessions(p, [(f"P{i}", "ABC" if i % 2 else "DEF", "pre", f"S{i:02d}") for i in range(12)])
    for i, (x, y) in enumerate(zip(PRIMARY, SECOND)):
        sid = codes[f"S{i:02d}"]
        coding(p, sid, "Ann", "primary", **d_coding(x), scale=4.0 if i % 3 else 5.0)
        # pairs 0-4 are Ann & Bob, 5-9 Ann & Cem; Cem rates PS in episode 5 one point higher
        second = "Bob" if i < 5 else "Cem"
        extra = {"scales": {("ps", 5, "m"): (4.0 if i % 3 else 5.0) + 1.0}} if second == "Cem" else {}
        coding(p, sid, second, "reliability", **d_coding(y), scale=4.0 if i % 3 else 5.0, **extra)
    # a pair still in draft is pending, not analysed
    coding(p, codes["S10"], "Bob", "primary", **d_coding("A1"))
    coding(p, codes["S10"], "Cem", "reliability", complete=False, **d_coding("D"))
    yield p
    p.close()


@pytest.fixture(scope="module")
def report(project):
    return reliability_report(project)


def test_counts_pairs_and_pending(report):
    assert report.n_pairs == 10
    assert list(report.pending["blinded_code"]) == ["S10"]
    assert report.pending.iloc[0]["reliability_status"] == "draft"


def test_abcd_percent_agreement_and_kappa_by_hand(report):
    row = report.variable("abcd")
    assert row["n"] == 10 and row["n_agree"] == 8
    assert row["percent_agreement"] == pytest.approx(0.8)
    lo, hi = wilson(8, 10)
    assert row["pa_ci_low"] == pytest.approx(lo) and row["pa_ci_high"] == pytest.approx(hi)
    # margins A2 B5 C1 D2 for both coders: pe = (4 + 25 + 1 + 4) / 100
    assert row["kappa"] == pytest.approx((0.8 - 0.34) / 0.66)
    assert row["band"] == "substantial"


def test_dichotomies_by_hand(report):
    secure = report.variable("secure")
    assert secure["percent_agreement"] == pytest.approx(0.8)
    assert secure["kappa"] == pytest.approx((0.8 - 0.5) / 0.5)
    d = report.variable("disorganized")
    assert d["kappa"] == pytest.approx((0.8 - 0.68) / 0.32)
    assert report.variable("d_high")["kappa"] == pytest.approx(d["kappa"])
    assert report.variable("abc_forced")["percent_agreement"] == pytest.approx(1.0)
    # subgroups: pairs 1, 6 and 8 differ
    assert report.variable("abcd_subgroup")["n_agree"] == 7


def test_confusion_matrix(report):
    c = report.confusion["abcd"]
    assert list(c.index) == ["A", "B", "C", "D"] and list(c.columns) == ["A", "B", "C", "D"]
    assert c.loc["B", "D"] == 1 and c.loc["D", "B"] == 1 and c.loc["B", "B"] == 4
    assert int(c.to_numpy().sum()) == 10
    assert int(np.trace(c.to_numpy())) == 8


def test_d_rating_icc_against_anova_by_hand(report):
    a = np.array([7.0 if x == "D" else 2.0 for x in PRIMARY])
    b = np.array([7.0 if x == "D" else 2.0 for x in SECOND])
    x = np.column_stack([a, b])
    n, k = x.shape
    grand = x.mean()
    msr = k * ((x.mean(1) - grand) ** 2).sum() / (n - 1)
    msc = n * ((x.mean(0) - grand) ** 2).sum() / (k - 1)
    sse = ((x - grand) ** 2).sum() - msr * (n - 1) - msc * (k - 1)
    mse = sse / ((n - 1) * (k - 1))
    icc21 = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    icc31 = (msr - mse) / (msr + (k - 1) * mse)
    row = report.variable("d_rating")
    assert row["icc_a1"] == pytest.approx(icc21)
    assert row["icc_c1"] == pytest.approx(icc31)
    assert row["mean_abs_diff"] == pytest.approx(1.0)      # two pairs differ by 5 points
    assert row["within_1"] == pytest.approx(0.8)
    assert not math.isnan(row["weighted_kappa"])


def test_by_pair_and_scale_cells(report):
    bp = report.by_pair
    assert set(bp["pair"]) == {"Ann & Bob", "Ann & Cem"}
    bob = report.variable("abcd", "Ann & Bob")
    assert bob["n"] == 5 and bob["n_agree"] == 5
    cem = report.variable("ps_e5_m", "Ann & Cem")
    assert cem["percent_agreement"] == 0.0 and cem["mean_abs_diff"] == pytest.approx(1.0)
    assert cem["within_1"] == pytest.approx(1.0)
    assert report.variable("ps_e5_m", "Ann & Bob")["percent_agreement"] == 1.0
    # the composite follows the cell: (PS e5 + PS e8) / 2 differs by 0.5
    assert report.variable("ps_reunion_mean", "Ann & Cem")["mean_abs_diff"] == pytest.approx(0.5)


def test_json_is_plain_and_complete(report):
    data = json.loads(json.dumps(report.to_json(), allow_nan=False))
    assert data["n_pairs"] == 10
    assert {r["variable"] for r in data["overall"]} >= {"abcd", "secure", "disorganized", "d_rating", "d_high"}
    assert data["confusion"]["abcd"]["counts"][1][3] == 1
    assert len(data["pairs"]) == 10 and data["pairs"][4]["abcd_primary"] == "D"


def test_xlsx_reads_back(report, tmp_path):
    path = write_report_xlsx(report, tmp_path / "irr.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    for sheet in ("overall", "by_pair", "confusion_abcd", "confusion_secure", "timed", "drift", "pending"):
        assert sheet in wb.sheetnames
    back = pd.read_excel(path, sheet_name="overall")
    abcd = back[back["variable"] == "abcd"].iloc[0]
    assert abcd["kappa"] == pytest.approx((0.8 - 0.34) / 0.66)
    conf = pd.read_excel(path, sheet_name="confusion_abcd", index_col=0)
    assert conf.loc["primary B", "reliability D"] == 1


def test_summary_mentions_every_variable(report):
    text = "\n".join(summary_lines(report))
    assert "abcd" in text and "d_rating" in text and "1 pending" in text


def test_summary_shows_within_one_point_for_ratings_and_names_the_band_source(report):
    lines = summary_lines(report)
    d = next(line for line in lines if line.startswith("d_rating"))
    row = report.variable("d_rating")
    assert f"{row['within_1'] * 100:5.1f}%\u00b11" in d            # within one point, not exact agreement
    assert f"{row['band']} (of wk)" in d                          # the band labels weighted kappa
    abcd = next(line for line in lines if line.startswith("abcd "))
    assert f"{report.variable('abcd')['percent_agreement'] * 100:5.1f}%" in abcd
    assert any("within one point" in line for line in lines)
    # 10 pairs: not small at the default of 10; with fewer, the row is flagged and explained.
    assert not report.variable("abcd")["small_n"]


def test_empty_project_gives_an_empty_report(tmp_path):
    with new_project(tmp_path) as p:
        r = reliability_report(p)
    assert r.n_pairs == 0
    assert r.overall["n"].eq(0).all()
    assert r.timed.empty and r.drift.empty
    write_report_xlsx(r, tmp_path / "empty.xlsx")


def test_intervals_stay_within_the_statistics_range_and_small_n_is_flagged():
    from ssp_coder.reliability import measures
    from ssp_coder.stats.agreement import cohen_kappa

    a, b = [0, 0, 0, 0, 1], [0, 1, 1, 1, 0]
    assert cohen_kappa(a, b).ci_low < -1                        # the large-sample interval reaches past -1
    row = measures.categorical("disorganized", a, b)
    assert row["kappa_ci_low"] == -1.0 and row["kappa_ci_high"] <= 1.0
    assert row["ci_clipped"] and row["small_n"]
    assert "clipped to the possible range [-1, 1]" in row["note"] and "only 5 pair(s)" in row["note"]
    icc_row = measures.numeric("d_rating", [1, 5, 9], [2, 4, 1], kind="ordinal",
                               grid=measures.rating_grid(1, 9, 0.5))
    for key in ("icc_a1_ci_low", "icc_c1_ci_low", "wk_ci_low"):
        assert -1.0 <= icc_row[key] <= 1.0
    assert icc_row["small_n"]
    many = measures.categorical("secure", [0, 1] * 10, [0, 1] * 9 + [1, 1])
    assert not many["small_n"] and not many["ci_clipped"] and many["note"] == ""
    assert measures.categorical("secure", [0, 1] * 10, [0, 1] * 10, min_pairs=30)["small_n"]
