"""Classification aids: the project's own LDA and published discriminant plug-ins."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from ssp_coder.errors import DomainError
from ssp_coder.scoring.discriminant import PluginError, apply_plugin, load_plugin, plugin_from_dict
from ssp_coder.scoring.lda import LABEL, fit_lda, lda_aid, lda_from_scores, loo_predictions
from tests.scoring.conftest import fill, new_coding


def test_lda_one_dimension_splits_at_the_midpoint():
    x = np.array([[1.0], [2.0], [3.0], [7.0], [8.0], [9.0]])
    m = fit_lda(x, ["A", "A", "A", "B", "B", "B"])
    assert list(m.predict(np.array([[4.9], [5.1]]))) == ["A", "B"]
    post = m.posterior(np.array([[5.0]]))
    assert post.sum() == pytest.approx(1.0) and post[0, 0] == pytest.approx(0.5)


def _rows(rng, n_per=15, mislabel=True):
    centres = {"A": (2.0, 6.0), "B": (6.0, 2.0), "C": (6.0, 6.0)}
    recs, cid = [], 1
    for cls, (a, b) in centres.items():
        for _ in range(n_per):
            recs.append({"coding_id": cid, "session_id": cid, "coder": "Ann", "classification": cls + "1",
                         "abc_forced": cls, "f1": rng.normal(a, 0.4), "f2": rng.normal(b, 0.4)})
            cid += 1
    if mislabel:   # B-looking scales, classified A
        recs.append({"coding_id": 99, "session_id": 99, "coder": "Bob", "classification": "A2", "abc_forced": "A",
                     "f1": 6.1, "f2": 1.9})
    recs.append({"coding_id": 100, "session_id": 100, "coder": "Bob", "classification": "B1", "abc_forced": "B",
                 "f1": np.nan, "f2": 2.0})
    return pd.DataFrame(recs)


def test_lda_flags_a_coding_unlike_its_classification():
    rep = lda_from_scores(_rows(np.random.default_rng(3)), ["f1", "f2"], basis="consensus")
    assert rep.label == LABEL and "aid for conferencing" in rep.label
    assert rep.n == 46 and rep.n_dropped == 1
    assert rep.flagged["coding_id"].tolist() == [99]
    assert rep.flagged.loc[0, "predicted"] == "B"
    assert rep.loo_accuracy == pytest.approx(45 / 46)
    assert 0.9 < rep.loo_kappa < 1.0
    assert rep.to_dict()["flagged"][0]["coding_id"] == 99


def test_loo_differs_from_resubstitution():
    x = np.array([[0.0], [0.2], [0.4], [1.0], [1.2], [0.45]])
    y = ["A", "A", "A", "B", "B", "B"]
    pred, p_own = loo_predictions(x, y)
    assert pred[-1] == "A"      # without itself, 0.45 sits among the A codings
    assert np.all((p_own >= 0) & (p_own <= 1))


def test_lda_needs_two_classes():
    with pytest.raises(DomainError, match="two classifications"):
        fit_lda(np.ones((4, 1)), ["A"] * 4)
    with pytest.raises(DomainError, match="composites"):
        lda_from_scores(_rows(np.random.default_rng(1)), [], basis="final")


def test_lda_aid_on_a_project(trial):
    pairs = [("S1PR", "B3", 2), ("S1PO", "B2", 2.5), ("S2PR", "A1", 6), ("S2PO", "A2", 5.5), ("S3PR", "B1", 1.5),
             ("S3PO", "A1", 6.5)]
    for code, cls, av in pairs:
        cid = new_coding(trial, code, "Lead", "consensus")
        fill(trial, cid, classification=cls, scale=av)
    rep = lda_aid(trial, basis="consensus")
    assert rep.n == 6 and set(rep.classes) == {"A", "B"}
    with pytest.raises(DomainError, match="basis"):
        lda_aid(trial, basis="nonsense")


PLUGIN = {
    "name": "Example functions", "citation": "Made up for a test; not published coefficients", "version": "t1",
    "kind": "classification", "variables": ["av_reunion_mean", "rs_reunion_mean"],
    "functions": [
        {"name": "A", "constant": 0, "coefficients": {"av_reunion_mean": 1.0}},
        {"name": "B", "constant": 4, "coefficients": {"av_reunion_mean": -1.0, "rs_reunion_mean": -0.1}},
        {"name": "C", "constant": 0, "coefficients": {"rs_reunion_mean": 1.0}},
    ],
}


def test_plugin_classification_functions():
    p = plugin_from_dict(PLUGIN)
    rows = pd.DataFrame({"coding_id": [1, 2, 3, 4], "session_id": [1, 2, 3, 4], "abc_forced": ["A", "B", "C", "B"],
                         "av_reunion_mean": [6.0, 1.0, 1.0, np.nan], "rs_reunion_mean": [1.0, 1.0, 6.5, 1.0]})
    out = apply_plugin(p, rows)
    assert out["df_predicted"].tolist()[:3] == ["A", "B", "C"] and pd.isna(out["df_predicted"].iloc[3])
    assert out["df_A"].tolist()[:3] == [6.0, 1.0, 1.0]
    assert out["df_B"].iloc[1] == pytest.approx(4 - 1 - 0.1)
    assert out["df_agrees"].tolist()[:3] == [1.0, 1.0, 1.0] and np.isnan(out["df_agrees"].iloc[3])
    assert out.attrs["plugin"]["citation"].startswith("Made up")


def test_plugin_canonical_nearest_centroid():
    data = dict(PLUGIN, kind="canonical", functions=[{"name": "F1", "constant": -3,
                                                       "coefficients": {"av_reunion_mean": 1.0}}],
                centroids={"A": [2.0], "B": [-2.0]})
    out = apply_plugin(plugin_from_dict(data), pd.DataFrame({"av_reunion_mean": [6.0, 1.5], "rs_reunion_mean": [1, 1]}))
    assert out["df_predicted"].tolist() == ["A", "B"]


@pytest.mark.parametrize("change, key", [
    ({"citation": ""}, "citation"),
    ({"kind": "magic"}, "kind"),
    ({"variables": []}, "variables"),
    ({"functions": [{"name": "A", "constant": "x", "coefficients": {"av_reunion_mean": 1}}]}, "functions[0].constant"),
    ({"functions": [{"name": "A", "constant": 1, "coefficients": {"ps_e5_m": 1}}]}, "functions[0].coefficients.ps_e5_m"),
    ({"kind": "canonical"}, "centroids"),
])
def test_plugin_errors_name_the_key(change, key):
    with pytest.raises(PluginError, match=re.escape(f"key '{key}'")):
        plugin_from_dict(dict(PLUGIN, **change))


def test_plugin_file_and_missing_columns(tmp_path):
    f = tmp_path / "p.json"
    f.write_text(json.dumps(PLUGIN))
    p = load_plugin(f)
    with pytest.raises(PluginError, match="rs_reunion_mean"):
        apply_plugin(p, pd.DataFrame({"av_reunion_mean": [1.0]}))
    f.write_text("{not json")
    with pytest.raises(PluginError, match="not valid JSON"):
        load_plugin(f)
