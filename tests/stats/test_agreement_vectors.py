"""Agreement statistics against the published reference vectors K1, K3, W2, F1, I1, A1, G1.

Published figures are compared at the precision the source prints (5e-4 for
3 decimals, 5e-3 for 2 decimals, ...); cross-check values at 1e-6 where the
implementation follows the same convention.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ssp_coder.stats.agreement import (
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac,
    icc,
    krippendorff_alpha,
    percent_agreement,
    ratings_to_counts,
)

from .conftest import crosscheck, published

P3 = 5e-4  # three printed decimals
P2 = 5e-3  # two printed decimals
X = 1e-6  # cross-check values (7 significant digits)


# --------------------------------------------------------------------------- #
# K1: Cohen (1960, 1968)
# --------------------------------------------------------------------------- #
def test_k1_unweighted_kappa_and_fce_standard_errors(reference_vectors):
    v = reference_vectors["K1"]
    r = cohen_kappa(table=v["data"]["counts_at_N200"])
    assert r.kappa == pytest.approx(published(v, "kappa (unweighted)"), abs=P3)
    assert r.kappa == pytest.approx(crosscheck(v, "kappa (unweighted)"), abs=X)
    assert r.se == pytest.approx(crosscheck(v, "ASE (Fleiss-Cohen-Everitt"), abs=X)
    assert r.se0 == pytest.approx(crosscheck(v, "ASE under H0"), abs=X)
    assert r.po == pytest.approx(0.70, abs=1e-12)
    assert r.pe == pytest.approx(0.41, abs=1e-12)
    assert r.n == 200
    assert r.z == pytest.approx(r.kappa / r.se0)


def test_k1_from_proportions_gives_the_same_point_estimate(reference_vectors):
    v = reference_vectors["K1"]
    props = np.asarray(v["data"]["proportions"]) * 200
    assert cohen_kappa(table=props).kappa == pytest.approx(crosscheck(v, "kappa (unweighted)"), abs=X)


def test_k1_weighted_kappa_from_cohen_1968_disagreement_weights(reference_vectors):
    v = reference_vectors["K1"]
    disagreement = np.asarray(v["data"]["cohen1968_disagreement_weights"], dtype=float)
    agreement_weights = 1.0 - disagreement / disagreement.max()
    r = cohen_kappa(table=v["data"]["counts_at_N200"], weights=agreement_weights)
    assert r.kappa == pytest.approx(published(v, "weighted kappa"), abs=P3)
    assert r.kappa == pytest.approx(crosscheck(v, "weighted kappa"), abs=X)
    assert r.weighted


# --------------------------------------------------------------------------- #
# K3: irr::kappa2 on raters 2 and 3 of the diagnoses data
# --------------------------------------------------------------------------- #
def test_k3_five_category_kappa_and_z(reference_vectors):
    v = reference_vectors["K3"]
    d = v["data"]
    r = cohen_kappa(d["rater2"], d["rater3"])
    assert r.kappa == pytest.approx(published(v, "kappa"), abs=P3)
    assert r.kappa == pytest.approx(crosscheck(v, "kappa"), abs=X)
    assert r.z == pytest.approx(published(v, "z"), abs=5e-3)
    assert r.z == pytest.approx(crosscheck(v, "z"), abs=X)
    np.testing.assert_array_equal(r.table, d["table_rater2_by_rater3"])
    assert r.categories == (1, 2, 3, 4, 5)


def test_k3_from_the_table_matches_the_raw_ratings(reference_vectors):
    d = reference_vectors["K3"]["data"]
    raw = cohen_kappa(d["rater2"], d["rater3"])
    tab = cohen_kappa(table=d["table_rater2_by_rater3"], categories=d["categories"])
    assert tab.kappa == pytest.approx(raw.kappa, abs=1e-12)
    assert tab.se0 == pytest.approx(raw.se0, abs=1e-12)
    assert tab.categories == tuple(d["categories"])


# --------------------------------------------------------------------------- #
# W2: quadratic weighted kappa, irr help page
# --------------------------------------------------------------------------- #
def test_w2_quadratic_kappa_z_p(reference_vectors):
    v = reference_vectors["W2"]
    ratings = np.asarray(v["data"]["ratings"])
    r = cohen_kappa(ratings[:, 0], ratings[:, 1], weights="quadratic")
    assert r.kappa == pytest.approx(published(v, "quadratic kappa"), abs=P3)
    assert r.z == pytest.approx(published(v, "z"), abs=P2)
    assert r.p == pytest.approx(published(v, "p"), abs=P2)
    kappa, z, p = crosscheck(v, "quadratic kappa / z / p")
    assert (r.kappa, r.z, r.p) == pytest.approx((kappa, z, p), abs=X)


# --------------------------------------------------------------------------- #
# F1: Fleiss (1971)
# --------------------------------------------------------------------------- #
def test_f1_fleiss_kappa_se_ci_and_null_se(reference_vectors):
    v = reference_vectors["F1"]
    counts, cats = ratings_to_counts(v["data"]["ratings"])
    np.testing.assert_array_equal(counts.sum(axis=0), v["data"]["category_totals"])
    r = fleiss_kappa(counts, categories=cats)
    assert r.kappa == pytest.approx(published(v, "Fleiss kappa (R irr"), abs=X)
    assert r.kappa == pytest.approx(published(v, "Fleiss kappa"), abs=P3)
    kappa, se, lo, hi = crosscheck(v, "Fleiss kappa / SE(non-null) / CI")
    assert (r.kappa, r.se, r.ci_low, r.ci_high) == pytest.approx((kappa, se, lo, hi), abs=X)
    se0, z = crosscheck(v, "SE0 (Fleiss-Nee-Landis) / z")
    assert r.se0 == pytest.approx(se0, abs=X)
    assert r.z == pytest.approx(z, abs=1e-5)
    assert r.z == pytest.approx(published(v, "z (irr)"), abs=1e-5)
    assert r.n_subjects == 30


def test_f1_category_wise_kappas(reference_vectors):
    v = reference_vectors["F1"]
    counts, cats = ratings_to_counts(v["data"]["ratings"])
    r = fleiss_kappa(counts, categories=cats)
    got = [r.per_category[c] for c in cats]
    assert got == pytest.approx(published(v, "category-wise kappas"), abs=P3)
    assert got == pytest.approx(crosscheck(v, "category-wise kappas"), abs=5e-5)


def test_f1_lights_kappa_is_the_mean_pairwise_cohen_kappa(reference_vectors):
    v = reference_vectors["F1"]
    ratings = np.asarray(v["data"]["ratings"])
    pairs = itertools.combinations(range(ratings.shape[1]), 2)
    light = np.mean([cohen_kappa(ratings[:, a], ratings[:, b]).kappa for a, b in pairs])
    assert light == pytest.approx(published(v, "Light's kappa"), abs=P3)
    assert light == pytest.approx(crosscheck(v, "Light's kappa"), abs=X)


def test_f1_krippendorff_alpha_for_comparison(reference_vectors):
    v = reference_vectors["F1"]
    ratings = np.asarray(v["data"]["ratings"])
    r = krippendorff_alpha(ratings.T, level="nominal")
    assert r.alpha == pytest.approx(crosscheck(v, "Krippendorff alpha nominal"), abs=X)


# --------------------------------------------------------------------------- #
# I1: Shrout & Fleiss (1979)
# --------------------------------------------------------------------------- #
ICC_ORDER = ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]


def test_i1_mean_squares(reference_vectors):
    v = reference_vectors["I1"]
    r = icc(v["data"]["ratings"])
    ms = (r.bms, r.wms, r.jms, r.ems)
    assert ms == pytest.approx(published(v, "mean squares"), abs=P2)
    assert ms == pytest.approx(crosscheck(v, "BMS, WMS, JMS, EMS"), abs=X)


def test_i1_all_six_forms(reference_vectors):
    v = reference_vectors["I1"]
    r = icc(v["data"]["ratings"])
    values = [r[k].icc for k in ICC_ORDER]
    assert values == pytest.approx(published(v, "ICC(1,1)"), abs=P2)
    assert values == pytest.approx(crosscheck(v, "ICC values in S&F order"), abs=X)
    assert [r[k].f for k in ICC_ORDER] == pytest.approx(published(v, "F (pingouin"), abs=0.05)
    assert [r[k].df2 for k in ICC_ORDER] == published(v, "df2")
    assert all(r[k].df1 == 5 for k in ICC_ORDER)
    # the vector's note: pingouin's own test compares these p at 4 decimals
    assert [r[k].p for k in ICC_ORDER] == pytest.approx(published(v, "p"), abs=5e-5)
    assert [r[k].p for k in ICC_ORDER] == pytest.approx(crosscheck(v, "p values"), abs=5e-7)


def test_i1_confidence_intervals(reference_vectors):
    v = reference_vectors["I1"]
    r = icc(v["data"]["ratings"])
    lows = [r[k].ci_low for k in ICC_ORDER]
    highs = [r[k].ci_high for k in ICC_ORDER]
    assert lows == pytest.approx(published(v, "95% CI lower"), abs=P2)
    assert highs == pytest.approx(published(v, "95% CI upper"), abs=P2)
    assert lows == pytest.approx(crosscheck(v, "95% CI lower"), abs=5e-5)
    assert highs == pytest.approx(crosscheck(v, "95% CI upper"), abs=5e-5)


def test_i1_frame_and_descriptions(reference_vectors):
    r = icc(reference_vectors["I1"]["data"]["ratings"])
    frame = r.to_frame()
    assert list(frame.index) == ICC_ORDER
    assert {"icc", "f", "df1", "df2", "p", "ci_low", "ci_high", "description"} <= set(frame.columns)
    assert "ICC(A,1)" in r["ICC2"].description and "ICC(2,1)" in r["ICC2"].description
    assert "ICC(C,k)" in r["ICC3k"].description
    assert frame.loc["ICC3", "icc"] == pytest.approx(r["ICC3"].icc)


# --------------------------------------------------------------------------- #
# A1: Krippendorff's canonical data
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_a1_alpha_all_levels(reference_vectors, level):
    v = reference_vectors["A1"]
    r = krippendorff_alpha(v["data"]["reliability_data"], level=level)
    assert r.alpha == pytest.approx(published(v, f"alpha {level}"), abs=P3)
    assert r.alpha == pytest.approx(crosscheck(v, f"alpha {level}", "krippendorff"), abs=X)
    assert r.level == level
    assert r.alpha == pytest.approx(1 - r.observed_disagreement / r.expected_disagreement)


def test_a1_pairable_values_and_gwet_layout(reference_vectors):
    """Unit 12 has a single value: unpairable, so irrCAC's layout gives the same alpha."""
    a1 = reference_vectors["A1"]
    r = krippendorff_alpha(a1["data"]["reliability_data"])
    assert r.n_pairable == 40
    g1 = np.asarray(reference_vectors["G1"]["data"]["ratings"], dtype=object).T
    assert krippendorff_alpha(g1).alpha == pytest.approx(r.alpha, abs=1e-12)


def test_a1_nominal_alpha_as_printed_by_gwet(reference_vectors):
    v = reference_vectors["A1"]
    alpha, _se = published(v, "alpha nominal / SE")
    assert krippendorff_alpha(v["data"]["reliability_data"]).alpha == pytest.approx(alpha, abs=5e-6)


# --------------------------------------------------------------------------- #
# G1: Gwet AC1/AC2, irrCAC cac.raw4raters
# --------------------------------------------------------------------------- #
def test_g1_ac1_with_missing_ratings(reference_vectors):
    v = reference_vectors["G1"]
    r = gwet_ac(v["data"]["ratings"])
    coef, se, (lo, hi), pa, pe = published(v, "AC1 / SE / 95% CI / pa / pe")
    assert r.coefficient == pytest.approx(coef, abs=5e-6)
    assert r.se == pytest.approx(se, abs=5e-6)
    assert r.ci_low == pytest.approx(lo, abs=P3)
    assert r.ci_high == hi == 1.0  # CI truncated at 1
    assert (r.pa, r.pe) == pytest.approx((pa, pe), abs=5e-8)
    c_coef, c_se, c_lo, c_hi = crosscheck(v, "AC1 / SE / CI")
    assert (r.coefficient, r.se, r.ci_low, r.ci_high) == pytest.approx((c_coef, c_se, c_lo, c_hi), abs=X)
    assert r.method == "AC1"
    assert r.n == 12


@pytest.mark.parametrize("weights", ["quadratic", "linear"])
def test_g1_ac2(reference_vectors, weights):
    v = reference_vectors["G1"]
    r = gwet_ac(v["data"]["ratings"], weights=weights)
    coef, se, pa, pe = published(v, f"AC2 {weights} / SE / pa / pe")
    assert (r.coefficient, r.se, r.pa, r.pe) == pytest.approx((coef, se, pa, pe), abs=P3)
    c_coef, c_pa, c_pe = crosscheck(v, f"AC2 {weights} / pa / pe")
    assert (r.coefficient, r.pa, r.pe) == pytest.approx((c_coef, c_pa, c_pe), abs=X)
    assert r.se == pytest.approx(crosscheck(v, f"AC2 {weights} / SE")[1], abs=X)
    assert r.method == "AC2"


def test_g1_fleiss_kappa_with_missing_ratings(reference_vectors):
    v = reference_vectors["G1"]
    counts, cats = ratings_to_counts(v["data"]["ratings"])
    r = fleiss_kappa(counts, categories=cats)
    kappa, se = published(v, "Fleiss kappa / SE")
    assert (r.kappa, r.se) == pytest.approx((kappa, se), abs=5e-6)
    assert np.isnan(r.se0)  # Fleiss-Nee-Landis needs equal numbers of ratings
    assert r.ci_high == 1.0


def test_g1_brennan_prediger_and_percent_agreement(reference_vectors):
    """Multi-rater Brennan-Prediger is pe = 1/q on the same pa as AC1."""
    v = reference_vectors["G1"]
    r = gwet_ac(v["data"]["ratings"])
    q = 5
    bp = (r.pa - 1 / q) / (1 - 1 / q)
    assert bp == pytest.approx(published(v, "Brennan-Prediger"), abs=5e-6)
    assert r.pa == pytest.approx(published(v, "percent agreement"), abs=5e-8)
    # two complete raters: the two-rater function on the same definition
    ratings = np.asarray(v["data"]["ratings"], dtype=object)
    two = brennan_prediger(ratings[:9, 0], ratings[:9, 1], categories=[1, 2, 3, 4, 5])
    pa2 = percent_agreement(ratings[:9, 0], ratings[:9, 1]).agreement
    assert two.coefficient == pytest.approx((pa2 - 0.2) / 0.8)
