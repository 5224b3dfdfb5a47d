"""Agreement statistics: edge cases, input handling and properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ssp_coder.stats.agreement import (
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac,
    icc,
    krippendorff_alpha,
    landis_koch_band,
    percent_agreement,
    ratings_to_counts,
    scott_pi,
)


# --------------------------------------------------------------------------- #
# special configurations
# --------------------------------------------------------------------------- #
def test_perfect_agreement_gives_one():
    r = ["A", "B", "C", "A", "B", "C"]
    k = cohen_kappa(r, r)
    assert k.kappa == pytest.approx(1.0)
    assert k.po == 1.0
    assert k.ci_high == 1.0
    assert scott_pi(r, r).coefficient == pytest.approx(1.0)
    assert brennan_prediger(r, r).coefficient == pytest.approx(1.0)
    assert gwet_ac(table=cohen_kappa(r, r).table).coefficient == pytest.approx(1.0)
    assert krippendorff_alpha([r, r]).alpha == pytest.approx(1.0)


def test_constant_rater_gives_zero_kappa():
    k = cohen_kappa(["A"] * 6, ["A", "B", "A", "B", "A", "A"])
    assert k.kappa == pytest.approx(0.0, abs=1e-12)
    assert k.po == pytest.approx(4 / 6)


def test_pe_one_gives_nan_everywhere():
    """Both raters used one identical category: kappa is 0/0 -> NaN, documented."""
    same = ["A"] * 5
    k = cohen_kappa(same, same)
    assert k.pe == pytest.approx(1.0)
    for value in (k.kappa, k.se, k.se0, k.z, k.p, k.ci_low, k.ci_high):
        assert math.isnan(value)
    assert math.isnan(scott_pi(same, same).coefficient)
    assert math.isnan(brennan_prediger(same, same).coefficient)
    assert math.isnan(fleiss_kappa([[3, 0], [3, 0]]).kappa)
    assert landis_koch_band(k.kappa) == "undefined"


def test_gwet_single_category_follows_irrcac():
    """With one category AC1's pe is 0 (irrCAC), so AC1 = pa = 1 rather than NaN."""
    r = gwet_ac([["A", "A"], ["A", "A"], ["A", "A"]])
    assert r.pe == 0.0
    assert r.coefficient == 1.0


def test_category_unused_by_one_rater():
    r1 = ["A", "A", "B", "B", "C", "A"]
    r2 = ["A", "A", "B", "A", "A", "A"]  # never uses C
    k = cohen_kappa(r1, r2)
    assert k.table.shape == (3, 3)
    assert k.table[:, 2].sum() == 0
    po, p1, p2 = 4 / 6, np.array([3, 2, 1]) / 6, np.array([5, 1, 0]) / 6
    pe = float(p1 @ p2)
    assert k.kappa == pytest.approx((po - pe) / (1 - pe))


def test_unused_category_changes_brennan_prediger_not_cohen():
    r1, r2 = ["A", "B", "A", "B"], ["A", "B", "B", "B"]
    assert cohen_kappa(r1, r2, categories=["A", "B", "C"]).kappa == pytest.approx(cohen_kappa(r1, r2).kappa)
    assert brennan_prediger(r1, r2).pe == pytest.approx(1 / 2)
    assert brennan_prediger(r1, r2, categories=["A", "B", "C"]).pe == pytest.approx(1 / 3)


def test_missing_pairs_are_dropped_and_counted():
    r1 = ["A", None, "B", "A", np.nan, "B", "A"]
    r2 = ["A", "B", "B", pd.NA, "A", "A", "A"]
    k = cohen_kappa(r1, r2)
    ref = cohen_kappa(["A", "B", "B", "A"], ["A", "B", "A", "A"])
    assert k.n_missing == 3
    assert k.n == 4
    assert k.kappa == pytest.approx(ref.kappa)
    assert percent_agreement(r1, r2).n_missing == 3


def test_pandas_and_numpy_inputs():
    s1 = pd.Series([1, 2, 3, 1, 2])
    s2 = np.array([1, 2, 3, 2, 2])
    assert cohen_kappa(s1, s2).kappa == pytest.approx(cohen_kappa(list(s1), list(s2)).kappa)
    frame = pd.DataFrame([[2, 1], [0, 3]], index=["x", "y"], columns=["x", "y"])
    assert cohen_kappa(table=frame).categories == ("x", "y")


def test_float_and_int_labels_are_one_category():
    assert cohen_kappa([1.0, 2.0, 1.0], [1, 2, 1]).kappa == pytest.approx(1.0)


def test_cohen_ci_is_normal_approximation_capped_at_one():
    k = cohen_kappa(table=[[20, 2], [1, 17]], confidence=0.9)
    z = stats.norm.ppf(0.95)
    assert k.ci_low == pytest.approx(k.kappa - z * k.se)
    assert k.ci_high == pytest.approx(min(1.0, k.kappa + z * k.se))


def test_fleiss_with_two_raters_equals_scott_pi():
    r1 = [1, 2, 2, 3, 1, 1, 3, 2]
    r2 = [1, 2, 3, 3, 1, 2, 3, 2]
    counts, _ = ratings_to_counts(np.column_stack([r1, r2]))
    assert fleiss_kappa(counts).kappa == pytest.approx(scott_pi(r1, r2).coefficient)


def test_gwet_table_and_raw_coefficients_agree():
    r1 = [1, 2, 2, 3, 1, 1, 3, 2, 1, 1]
    r2 = [1, 2, 3, 3, 1, 2, 3, 2, 1, 2]
    raw = gwet_ac(np.column_stack([r1, r2]))
    table = gwet_ac(table=cohen_kappa(r1, r2).table, categories=[1, 2, 3])
    assert table.coefficient == pytest.approx(raw.coefficient)
    assert table.pa == pytest.approx(raw.pa)
    assert table.pe == pytest.approx(raw.pe)
    counts, _ = ratings_to_counts(np.column_stack([r1, r2]))
    assert gwet_ac(counts=counts).coefficient == pytest.approx(raw.coefficient)
    assert np.isfinite(table.se) and table.se > 0


def test_ratings_to_counts_with_missing():
    counts, cats = ratings_to_counts([["a", None, "b"], [np.nan, "b", "b"], [None, None, None]])
    assert cats == ["a", "b"]
    np.testing.assert_array_equal(counts, [[1, 1], [0, 2], [0, 0]])


def test_krippendorff_all_identical_values_is_nan():
    r = krippendorff_alpha([[1, 1, 1], [1, 1, None]])
    assert math.isnan(r.alpha)


def test_krippendorff_two_coders_nominal_by_hand():
    """Two coders, no missing: alpha = 1 - (2n - 1) D_o / sum_c n_c (2n - n_c) ... checked via pairs."""
    a = [1, 1, 2, 2, 1]
    b = [1, 2, 2, 2, 1]
    # coincidences: each unit contributes both ordered pairs
    n = 10
    o_dis = 2  # unit 2 gives (1,2) and (2,1)
    n_c = {1: 5, 2: 5}
    d_o = o_dis / n
    d_e = (n_c[1] * n_c[2] * 2) / (n * (n - 1))
    r = krippendorff_alpha([a, b])
    assert r.alpha == pytest.approx(1 - d_o / d_e)
    assert r.n_pairable == 10


def test_percent_agreement_wilson_interval():
    r1 = ["A"] * 17 + ["B"] * 3
    r2 = ["A"] * 15 + ["B"] * 5
    pa = percent_agreement(r1, r2)
    assert pa.n_agree == 18 and pa.n == 20
    ci = stats.binomtest(18, 20).proportion_ci(confidence_level=0.95, method="wilson")
    assert (pa.ci_low, pa.ci_high) == pytest.approx((ci.low, ci.high))


@pytest.mark.parametrize(
    "kappa, band",
    [(-0.3, "poor"), (0.0, "poor"), (0.01, "slight"), (0.2, "slight"), (0.21, "fair"), (0.4, "fair"),
     (0.41, "moderate"), (0.6, "moderate"), (0.61, "substantial"), (0.8, "substantial"),
     (0.81, "almost perfect"), (1.0, "almost perfect")],
)
def test_landis_koch_bands(kappa, band):
    assert landis_koch_band(kappa) == band


def test_weights_linear_quadratic_on_three_categories():
    k_lin = cohen_kappa(table=[[5, 1, 0], [1, 5, 1], [0, 1, 5]], weights="linear")
    w = np.array([[1, 0.5, 0], [0.5, 1, 0.5], [0, 0.5, 1]])
    assert k_lin.kappa == pytest.approx(cohen_kappa(table=k_lin.table, weights=w).kappa)
    k_quad = cohen_kappa(table=k_lin.table, weights="quadratic")
    assert k_quad.kappa == pytest.approx(cohen_kappa(table=k_lin.table, weights=1 - (1 - w) ** 2).kappa)


def test_icc_perfect_consistency():
    r = icc([[1, 2], [2, 3], [3, 4], [5, 6]])
    assert r["ICC3"].icc == pytest.approx(1.0)
    assert r["ICC2"].icc < 1.0


# --------------------------------------------------------------------------- #
# invalid input
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: cohen_kappa([1, 2, 3], [1, 2]), "differ in length"),
        (lambda: cohen_kappa([1], [1]), "at least 2"),
        (lambda: cohen_kappa(table=[[1, 2, 3], [4, 5, 6]]), "square"),
        (lambda: cohen_kappa([None, None], [1, 2]), "missing"),
        (lambda: cohen_kappa([1, 2], [1, 3], categories=[1, 2]), "not in categories"),
        (lambda: cohen_kappa([1, 2], [1, 2], weights="cubic"), "weights"),
        (lambda: cohen_kappa([1, 2], [1, 2], weights=[[0, 1], [1, 0]]), "diagonal"),
        (lambda: cohen_kappa([1, 2], [1, 2], confidence=1.5), "confidence"),
        (lambda: cohen_kappa([1, 2], [1, 2], table=[[1, 0], [0, 1]]), "not both"),
        (lambda: scott_pi(table=[[1, 2]]), "square"),
        (lambda: fleiss_kappa([[2, 1]]), "at least 2"),
        (lambda: fleiss_kappa([[1, 0], [0, 1]]), "two or more"),
        (lambda: gwet_ac([[1, 2], [1, 1]], table=[[1, 0], [0, 1]]), "exactly one"),
        (lambda: ratings_to_counts([[None, None], [np.nan, None]]), "missing"),
        (lambda: krippendorff_alpha([[1, None], [None, 3]]), "two or more"),
        (lambda: krippendorff_alpha([["a", "b"], ["a", "b"]], level="interval"), "numeric"),
        (lambda: krippendorff_alpha([[1, 2]], level="bogus"), "level"),
        (lambda: icc([[1, 2], [3, np.nan], [4, 5]]), "row 1"),
        (lambda: icc([[1, 2]]), "at least 2"),
        (lambda: percent_agreement([1, 2], [1]), "differ in length"),
        (lambda: landis_koch_band(1.5), "kappa"),
    ],
)
def test_invalid_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------------------------------- #
# properties
# --------------------------------------------------------------------------- #
labels = st.sampled_from(["a", "b", "c", "d"])
pairs = st.lists(st.tuples(labels, labels), min_size=2, max_size=40)


def _finite_equal(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=60, deadline=None)
@given(pairs)
def test_kappa_is_symmetric_in_the_raters(data):
    r1, r2 = [a for a, _ in data], [b for _, b in data]
    a, b = cohen_kappa(r1, r2), cohen_kappa(r2, r1)
    for field in ("kappa", "se", "se0", "po", "pe"):
        assert _finite_equal(getattr(a, field), getattr(b, field)), field
    assert _finite_equal(scott_pi(r1, r2).coefficient, scott_pi(r2, r1).coefficient)
    assert _finite_equal(scott_pi(r1, r2).se, scott_pi(r2, r1).se)


@settings(max_examples=60, deadline=None)
@given(pairs, st.permutations(["a", "b", "c", "d"]))
def test_kappa_is_invariant_to_relabelling(data, perm):
    mapping = dict(zip(["a", "b", "c", "d"], perm))
    r1, r2 = [a for a, _ in data], [b for _, b in data]
    s1, s2 = [mapping[x] for x in r1], [mapping[x] for x in r2]
    assert _finite_equal(cohen_kappa(r1, r2).kappa, cohen_kappa(s1, s2).kappa)
    # an SE is the square root of a variance: rounding noise of 1e-16 in the variance shows as ~1e-8
    se1, se2 = cohen_kappa(r1, r2).se, cohen_kappa(s1, s2).se
    assert (math.isnan(se1) and math.isnan(se2)) or math.isclose(se1, se2, rel_tol=1e-9, abs_tol=1e-7)
    assert _finite_equal(gwet_ac(np.column_stack([r1, r2])).coefficient,
                         gwet_ac(np.column_stack([s1, s2])).coefficient)
    assert _finite_equal(krippendorff_alpha([r1, r2]).alpha, krippendorff_alpha([s1, s2]).alpha)


@settings(max_examples=60, deadline=None)
@given(pairs)
def test_kappa_bounds_and_ci_order(data):
    r1, r2 = [a for a, _ in data], [b for _, b in data]
    k = cohen_kappa(r1, r2)
    if not math.isnan(k.kappa):
        assert -1.0 - 1e-12 <= k.kappa <= 1.0 + 1e-12
        assert k.ci_low <= k.kappa <= k.ci_high <= 1.0


def test_wilson_bounds_are_exactly_zero_and_one_at_the_ends():
    none = percent_agreement([1, 2, 3], [2, 3, 1])
    assert none.ci_low == 0.0 and none.ci_high < 1
    every = percent_agreement([1, 2, 3], [1, 2, 3])
    assert every.ci_high == 1.0 and every.ci_low > 0
