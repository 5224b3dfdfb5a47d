"""Conger's exact kappa (F1, G1) and Light's kappa (F1)."""

import numpy as np
import pytest

from ssp_coder.stats.agreement import conger_kappa, fleiss_kappa, light_kappa, ratings_to_counts


def value(v, key, section="published"):
    return next(x["value"] for x in v[section] if x["quantity"].startswith(key))


def test_f1_conger_exact_kappa(reference_vectors):
    v = reference_vectors["F1"]
    r = conger_kappa(v["data"]["ratings"])
    assert r.coefficient == pytest.approx(value(v, "exact kappa (Conger"), abs=5e-4)
    assert r.coefficient == pytest.approx(value(v, "Conger exact kappa", "crosscheck"), abs=1e-6)


def test_f1_light_kappa(reference_vectors):
    v = reference_vectors["F1"]
    r = light_kappa(v["data"]["ratings"])
    assert r.coefficient == pytest.approx(value(v, "Light's kappa (irr"), abs=5e-4)
    assert r.coefficient == pytest.approx(value(v, "Light's kappa", "crosscheck"), abs=1e-6)


def test_g1_conger_with_missing_ratings(reference_vectors):
    v = reference_vectors["G1"]
    r = conger_kappa(v["data"]["ratings"])
    assert r.coefficient == pytest.approx(value(v, "Conger kappa"), abs=5e-6)


def test_conger_equals_fleiss_when_raters_share_one_distribution():
    # every rater uses the categories equally often: the rater-variance term vanishes
    ratings = np.array([["a", "b", "a"], ["b", "a", "b"], ["a", "a", "b"], ["b", "b", "a"]])
    counts, cats = ratings_to_counts(ratings)
    assert conger_kappa(ratings).coefficient == pytest.approx(fleiss_kappa(counts, categories=cats).kappa,
                                                              abs=0.05)
    assert conger_kappa(ratings).coefficient >= fleiss_kappa(counts, categories=cats).kappa - 1e-12


def test_perfect_agreement_and_bad_input():
    assert conger_kappa([["x", "x"], ["y", "y"], ["x", "x"]]).coefficient == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least 2 raters"):
        conger_kappa([["x"], ["y"]])
    with pytest.raises(ValueError, match="no rating"):
        conger_kappa([[None, None], [None, None]])
