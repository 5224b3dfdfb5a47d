"""Effect sizes: published reference vectors (T1, T2, M1), the worked examples of
the domain reference (section 7.1), and edge cases."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssp_coder.stats.effects import (
    MCNEMAR_EXACT_BELOW,
    cohens_h,
    fisher_exact,
    hedges_g,
    mcnemar,
    odds_ratio,
    or_to_d,
    or_to_d_cox,
    risk_difference,
    risk_ratio,
)


@pytest.fixture(scope="module")
def vectors(reference_vectors) -> dict[str, dict]:
    return reference_vectors


def _value(entries: list[dict], quantity: str):
    for entry in entries:
        if entry["quantity"] == quantity:
            return entry["value"]
    raise AssertionError(f"quantity {quantity!r} missing from the reference vector")


# --------------------------------------------------------------------------- #
# T1: Fagerland, Lydersen & Laake (2015), 7/34 vs 1/34
# --------------------------------------------------------------------------- #
def test_t1_odds_ratio_woolf(vectors):
    v = vectors["T1"]
    (a, b), (c, d) = v["data"]["table_events_nonevents"]
    res = odds_ratio(a, b, c, d)
    or_, log_or, se, lo, hi = _value(v["crosscheck"], "OR / lnOR / SE / Woolf CI")
    assert res.odds_ratio == pytest.approx(or_, abs=1e-6)
    assert res.log_or == pytest.approx(log_or, abs=1e-6)
    assert res.se_log_or == pytest.approx(se, abs=1e-6)
    assert res.ci_low == pytest.approx(lo, abs=1e-6)
    assert res.ci_high == pytest.approx(hi, abs=1e-5)
    pub_lo, pub_hi = _value(v["published"], "OR Woolf logit 95% CI")
    assert res.ci_low == pytest.approx(pub_lo, abs=5e-3)
    assert res.ci_high == pytest.approx(pub_hi, abs=0.5)
    assert not res.corrected


def test_t1_risk_difference(vectors):
    v = vectors["T1"]
    (x1, f1), (x2, f2) = v["data"]["table_events_nonevents"]
    res = risk_difference(x1, x1 + f1, x2, x2 + f2)
    rd, wlo, whi = _value(v["crosscheck"], "RD / Wald CI")
    assert res.difference == pytest.approx(rd, abs=1e-6)
    assert (res.wald_ci_low, res.wald_ci_high) == pytest.approx((wlo, whi), abs=1e-6)
    assert (res.wald_ci_low, res.wald_ci_high) == pytest.approx(
        _value(v["published"], "RD Wald 95% CI (PropCIs)"), abs=1e-7
    )
    assert (res.agresti_caffo_ci_low, res.agresti_caffo_ci_high) == pytest.approx(
        _value(v["published"], "RD Agresti-Caffo (PropCIs)"), abs=1e-7
    )
    _, nlo, nhi = _value(v["crosscheck"], "RD Newcombe (method 10)")
    assert (res.ci_low, res.ci_high) == pytest.approx((nlo, nhi), abs=1e-6)
    pub = _value(v["published"], "RD Newcombe hybrid score")
    assert res.ci_low == pytest.approx(pub[0], abs=5e-4)
    assert res.ci_high == pytest.approx(pub[1], abs=5e-3)


def test_t1_risk_ratio_katz(vectors):
    v = vectors["T1"]
    (x1, f1), (x2, f2) = v["data"]["table_events_nonevents"]
    res = risk_ratio(x1, x1 + f1, x2, x2 + f2)
    rr, lo, hi = _value(v["crosscheck"], "RR / Katz CI")
    assert (res.risk_ratio, res.ci_low, res.ci_high) == pytest.approx((rr, lo, hi), abs=1e-6)
    pub_lo, pub_hi = _value(v["published"], "RR Katz log 95% CI")
    assert res.ci_low == pytest.approx(pub_lo, abs=5e-3)
    assert res.ci_high == pytest.approx(pub_hi, abs=0.5)


def test_t1_fisher_exact(vectors):
    v = vectors["T1"]
    table = v["data"]["table_events_nonevents"]
    res = fisher_exact(table)
    p, cond_or = _value(v["crosscheck"], "Fisher exact two-sided p / conditional MLE OR")
    assert res.p == pytest.approx(p, abs=5e-5)
    assert res.odds_ratio == pytest.approx(cond_or, abs=1e-6)
    assert res.ci_low < res.odds_ratio < res.ci_high
    # R fisher.test(matrix(c(7, 1, 27, 33), 2)): 95% CI 0.9733 to 397.0
    assert res.ci_low == pytest.approx(0.9733, abs=5e-4)
    assert res.ci_high == pytest.approx(397.0, abs=0.5)


# --------------------------------------------------------------------------- #
# T2: Newcombe (1998) Table II, method 10
# --------------------------------------------------------------------------- #
_CASE = re.compile(r"^(?:\(\w\) )?(\d+)/(\d+)-(\d+)/(\d+) Newcombe method 10")


def _t2_method10(vectors) -> list[tuple[tuple[int, int, int, int], list[float]]]:
    out = []
    for entry in vectors["T2"]["published"]:
        m = _CASE.match(entry["quantity"])
        if m:
            out.append((tuple(int(g) for g in m.groups()), entry["value"]))
    return out


def test_t2_covers_every_case(vectors):
    cases = {(c["x1"], c["n1"], c["x2"], c["n2"]) for c in vectors["T2"]["data"]["cases"]}
    assert {k for k, _ in _t2_method10(vectors)} == cases


def test_t2_newcombe_method10(vectors):
    for (x1, n1, x2, n2), (lo, hi) in _t2_method10(vectors):
        res = risk_difference(x1, n1, x2, n2)
        assert res.ci_low == pytest.approx(lo, abs=5e-5), (x1, n1, x2, n2)
        assert res.ci_high == pytest.approx(hi, abs=5e-5), (x1, n1, x2, n2)


def test_t2_wald(vectors):
    res = risk_difference(56, 70, 48, 80)
    assert (res.wald_ci_low, res.wald_ci_high) == pytest.approx(
        _value(vectors["T2"]["published"], "(a) 56/70-48/80 Wald (method 1)"), abs=5e-5
    )
    assert (res.wald_ci_low, res.wald_ci_high) == pytest.approx(
        _value(vectors["T2"]["crosscheck"], "(a) Wald"), abs=1e-6
    )


# --------------------------------------------------------------------------- #
# M1: Agresti presidential approval
# --------------------------------------------------------------------------- #
def test_m1_mcnemar(vectors):
    v = vectors["M1"]
    (_, b), (c, _) = v["data"]["table"]
    res = mcnemar(b, c)
    assert not res.exact  # 236 discordant pairs
    assert res.chi2 == pytest.approx(_value(v["published"], "McNemar chi2 without continuity correction"), abs=5e-4)
    assert res.chi2_corrected == pytest.approx(
        _value(v["published"], "McNemar chi2 with continuity correction (R default)"), abs=5e-4
    )
    chi2, p = _value(v["crosscheck"], "chi2 / p no cc")
    assert res.chi2 == pytest.approx(chi2, abs=1e-6)
    assert res.p_chi2 == pytest.approx(p, rel=1e-3)
    chi2_cc, p_cc = _value(v["crosscheck"], "chi2 / p with cc")
    assert res.chi2_corrected == pytest.approx(chi2_cc, abs=1e-6)
    assert res.p_chi2_corrected == pytest.approx(p_cc, rel=1e-3)
    assert res.statistic == res.chi2_corrected and res.p == res.p_chi2_corrected
    assert res.p == pytest.approx(_value(v["published"], "p (with cc), R output"), rel=1e-3)
    assert res.p_exact == pytest.approx(_value(v["crosscheck"], "exact binomial p"), rel=1e-5)
    z = (c - b) / math.sqrt(b + c)
    assert z == pytest.approx(_value(v["published"], "z = (86-150)/sqrt(236)"), abs=5e-3)
    forced = mcnemar(b, c, exact=True)
    assert forced.exact and forced.p == forced.p_exact and forced.statistic == min(b, c)


def test_mcnemar_exact_rule():
    assert MCNEMAR_EXACT_BELOW == 25
    assert mcnemar(12, 12).exact is True  # b + c = 24 < 25 -> exact
    small = mcnemar(10, 14)
    assert small.exact and small.method == "exact binomial"
    assert mcnemar(10, 15).exact is False
    assert mcnemar(10, 14, exact=False).exact is False
    # hand value: 2 * P(X <= 1 | n = 8, p = .5) = 2 * 9 / 256
    assert mcnemar(1, 7).p == pytest.approx(18 / 256)


def test_mcnemar_no_discordant_pairs():
    res = mcnemar(0, 0)
    assert res.p == 1.0 and res.chi2 == 0.0 and res.chi2_corrected == 0.0 and res.p_exact == 1.0


def test_mcnemar_equal_counts_correction_not_negative():
    res = mcnemar(30, 30)
    assert res.chi2_corrected == 0.0 and res.p == 1.0


# --------------------------------------------------------------------------- #
# Domain reference section 7.1 worked examples
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    ("p1", "p2", "or_", "d_hh", "d_cox", "h"),
    [
        (0.52, 0.33, 2.199, 0.435, 0.478, 0.387),  # Bernard 2012, secure
        (0.68, 0.43, 2.817, 0.571, 0.628, 0.509),  # Bernard 2012, organized
        (0.644, 0.484, 1.929, 0.362, 0.398, 0.324),  # MTB pilot, secure
    ],
)
def test_domain_worked_examples(p1, p2, or_, d_hh, d_cox, h):
    # 1000 per arm reproduces the proportions exactly as counts
    a, c = round(p1 * 1000), round(p2 * 1000)
    res = odds_ratio(a, 1000 - a, c, 1000 - c)
    assert res.odds_ratio == pytest.approx(or_, abs=5e-4)
    assert or_to_d(res.odds_ratio) == pytest.approx(d_hh, abs=5e-4)
    assert or_to_d_cox(res.odds_ratio) == pytest.approx(d_cox, abs=5e-4)
    assert cohens_h(p1, p2) == pytest.approx(h, abs=5e-4)
    assert risk_difference(a, 1000, c, 1000).difference == pytest.approx(p1 - p2)


def test_mtb_disorganized_example():
    a, c = 270, 430
    res = odds_ratio(a, 1000 - a, c, 1000 - c)
    assert res.log_or == pytest.approx(-0.713, abs=5e-4)
    assert or_to_d(res.odds_ratio) == pytest.approx(-0.393, abs=5e-4)
    assert or_to_d_cox(res.odds_ratio) == pytest.approx(-0.432, abs=5e-4)
    assert cohens_h(0.27, 0.43) == pytest.approx(-0.338, abs=5e-4)


# --------------------------------------------------------------------------- #
# edge cases
# --------------------------------------------------------------------------- #
def test_zero_cell_applies_correction():
    res = odds_ratio(0, 10, 5, 5)
    assert res.corrected and res.correction == 0.5
    assert res.odds_ratio == pytest.approx((0.5 * 5.5) / (10.5 * 5.5))
    assert res.se_log_or == pytest.approx(math.sqrt(1 / 0.5 + 1 / 10.5 + 1 / 5.5 + 1 / 5.5))
    assert 0 < res.ci_low < res.odds_ratio < res.ci_high < math.inf


def test_no_zero_cell_no_correction():
    res = odds_ratio(3, 4, 5, 6)
    assert not res.corrected and res.correction == 0.0
    assert res.odds_ratio == pytest.approx(18 / 20)


def test_zero_cell_without_correction_is_uninformative():
    res = odds_ratio(0, 5, 3, 2, correction=0)
    assert res.odds_ratio == 0.0 and res.ci_low == 0.0 and res.ci_high == math.inf


def test_all_zero_events_risk_difference():
    res = risk_difference(0, 10, 0, 10)
    assert res.difference == 0.0 and res.wald_ci_low == 0.0 == res.wald_ci_high
    assert res.ci_low < 0 < res.ci_high


def test_risk_ratio_zero_events_corrected():
    res = risk_ratio(0, 10, 4, 10)
    assert res.corrected and 0 < res.risk_ratio < 1


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: odds_ratio(-1, 2, 3, 4), "must not be negative"),
        (lambda: odds_ratio(0, 0, 3, 4), "intervention arm has no participants (n1 = 0)"),
        (lambda: odds_ratio(1, 2, 0, 0), "control arm has no participants (n2 = 0)"),
        (lambda: odds_ratio(1.5, 2, 3, 4), "whole number"),
        (lambda: odds_ratio(1, 2, 3, 4, confidence=1.0), "confidence"),
        (lambda: risk_difference(3, 10, 1, 0), "control arm has no participants (n2 = 0)"),
        (lambda: risk_difference(11, 10, 1, 5), "more events than participants (x1 = 11 > n1 = 10)"),
        (lambda: risk_difference(1, 10, -1, 5), "must not be negative"),
        (lambda: risk_ratio(1, 0, 1, 5), "intervention arm has no participants"),
        (lambda: fisher_exact([[1, 2, 3], [4, 5, 6]]), "2 x 2"),
        (lambda: fisher_exact([1, 2, 3, 4]), "2 x 2"),
        (lambda: fisher_exact([[0, 0], [4, 5]]), "intervention arm has no participants"),
        (lambda: fisher_exact([[1, 2], [3, 4]], alternative="bigger"), "alternative"),
        (lambda: mcnemar(-2, 3), "must not be negative"),
        (lambda: or_to_d(0), "positive"),
        (lambda: or_to_d_cox(-1.0), "positive"),
        (lambda: cohens_h(1.2, 0.3), "between 0 and 1"),
        (lambda: hedges_g([1.0], [1.0, 2.0]), "at least 2"),
        (lambda: hedges_g([1.0, 1.0], [2.0, 2.0]), "pooled SD = 0"),
        (lambda: hedges_g([1.0, float("nan")], [2.0, 3.0]), "missing"),
    ],
)
def test_invalid_input_rejected(call, fragment):
    with pytest.raises(ValueError) as info:
        call()
    assert fragment in str(info.value)


def test_fisher_no_events_at_all():
    res = fisher_exact([[0, 5], [0, 5]])
    assert res.p == 1.0 and math.isnan(res.odds_ratio)


def test_fisher_one_sided():
    two = fisher_exact([[7, 27], [1, 33]])
    greater = fisher_exact([[7, 27], [1, 33]], alternative="greater")
    assert greater.p < two.p
    assert greater.ci_high == math.inf and greater.ci_low > two.ci_low


# --------------------------------------------------------------------------- #
# Hedges' g
# --------------------------------------------------------------------------- #
def test_hedges_g_hand_computed():
    x1 = [5.0, 6.0, 7.0, 8.0, 9.0]
    x2 = [3.0, 4.0, 5.0, 6.0, 7.0]
    res = hedges_g(x1, x2)
    # means 7 and 5, both SDs sqrt(2.5): d = 2 / sqrt(2.5)
    d = 2 / math.sqrt(2.5)
    j = 1 - 3 / (4 * 10 - 9)
    assert res.d == pytest.approx(d)
    assert res.g == pytest.approx(j * d)
    assert res.se == pytest.approx(j * math.sqrt(10 / 25 + d * d / 20))
    assert res.ci_low == pytest.approx(res.g - 1.959964 * res.se, abs=1e-6)
    assert (res.n1, res.n2) == (5, 5)


@given(
    st.lists(st.floats(-100, 100, allow_nan=False), min_size=2, max_size=30),
    st.lists(st.floats(-100, 100, allow_nan=False), min_size=2, max_size=30),
)
def test_hedges_g_antisymmetric(x1, x2):
    if np.var(x1) + np.var(x2) < 1e-6:
        return
    ab = hedges_g(x1, x2)
    ba = hedges_g(x2, x1)
    assert ab.g == pytest.approx(-ba.g, abs=1e-9)
    assert abs(ab.g) <= abs(ab.d) + 1e-12
    assert ab.ci_low <= ab.g <= ab.ci_high


@given(
    st.integers(1, 60).flatmap(lambda n1: st.tuples(st.integers(0, n1), st.just(n1))),
    st.integers(1, 60).flatmap(lambda n2: st.tuples(st.integers(0, n2), st.just(n2))),
)
def test_risk_difference_interval_contains_estimate(arm1, arm2):
    (x1, n1), (x2, n2) = arm1, arm2
    res = risk_difference(x1, n1, x2, n2)
    assert -1.0 <= res.ci_low <= res.difference <= res.ci_high <= 1.0
    assert -1.0 <= res.wald_ci_low <= res.difference <= res.wald_ci_high <= 1.0


@given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40), st.integers(0, 40))
def test_odds_ratio_interval_contains_estimate(a, b, c, d):
    if a + b == 0 or c + d == 0:
        with pytest.raises(ValueError):
            odds_ratio(a, b, c, d)
        return
    res = odds_ratio(a, b, c, d)
    assert res.corrected == (min(a, b, c, d) == 0)
    assert 0 < res.ci_low <= res.odds_ratio <= res.ci_high < math.inf
    swapped = odds_ratio(c, d, a, b)
    assert swapped.log_or == pytest.approx(-res.log_or)


def test_wilson_bound_at_zero_events_is_exactly_zero():
    from ssp_coder.stats.effects import _wilson

    for n in (3, 7, 13):
        low, high = _wilson(0, n, 1.959963984540054)
        assert low == 0.0 and high > 0
        assert _wilson(n, n, 1.959963984540054)[1] == 1.0
