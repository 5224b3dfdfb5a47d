"""Published discriminant functions as a plug-in (JSON), applied to scored rows.

The project ships no coefficients: the published ones (Ainsworth et al. 1978,
ch. 6; Richters, Waters & Vaughn 1988) were not in our sources, and entering
them from memory would be inventing science. A lab that has the paper writes
the file (format in docs/scoring.md) and cites it inside. Results are an aid,
never the classification.

Format::

    {"name": "...", "citation": "...", "version": "...",
     "kind": "classification" | "canonical",
     "variables": ["av_reunion_mean", ...],          # scored columns
     "functions": [{"name": "A", "constant": -3.1, "coefficients": {"av_reunion_mean": 0.8, ...}}, ...],
     "centroids": {"A": [..], "B": [..], "C": [..]}}  # canonical only: one value per function

"classification": one function per class, the highest score wins.
"canonical": function scores, nearest centroid (Euclidean) wins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ssp_coder.errors import KnownError


class PluginError(KnownError):
    """A discriminant plug-in file that is not valid."""


@dataclass(frozen=True)
class DiscriminantFunction:
    name: str
    constant: float
    coefficients: dict[str, float]


@dataclass(frozen=True)
class DiscriminantPlugin:
    name: str
    citation: str
    version: str
    kind: str
    variables: tuple[str, ...]
    functions: tuple[DiscriminantFunction, ...]
    centroids: dict[str, tuple[float, ...]] | None


def _fail(origin: str, key: str, what: str) -> PluginError:
    return PluginError(f"{origin}: key '{key}' {what}. Fix the plug-in file (format in docs/scoring.md).")


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def plugin_from_dict(data: Any, origin: str = "discriminant plug-in") -> DiscriminantPlugin:
    if not isinstance(data, dict):
        raise PluginError(f"{origin}: the plug-in must be a JSON object.")
    for key in ("name", "citation"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise _fail(origin, key, "is missing or empty (say which paper the coefficients come from)")
    kind = data.get("kind", "classification")
    if kind not in ("classification", "canonical"):
        raise _fail(origin, "kind", "must be 'classification' or 'canonical'")
    variables = data.get("variables")
    if not isinstance(variables, list) or not variables or not all(isinstance(v, str) for v in variables):
        raise _fail(origin, "variables", "must be a non-empty list of scored column names")
    funcs = data.get("functions")
    if not isinstance(funcs, list) or not funcs:
        raise _fail(origin, "functions", "must be a non-empty list")
    out = []
    for i, f in enumerate(funcs):
        path = f"functions[{i}]"
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            raise _fail(origin, f"{path}.name", "is missing")
        if not _number(f.get("constant")):
            raise _fail(origin, f"{path}.constant", "must be a number")
        coefs = f.get("coefficients")
        if not isinstance(coefs, dict) or not coefs:
            raise _fail(origin, f"{path}.coefficients", "must be an object of variable -> number")
        for var, w in coefs.items():
            if var not in variables:
                raise _fail(origin, f"{path}.coefficients.{var}", "names a variable not listed in 'variables'")
            if not _number(w):
                raise _fail(origin, f"{path}.coefficients.{var}", "must be a number")
        out.append(DiscriminantFunction(f["name"], float(f["constant"]), {k: float(v) for k, v in coefs.items()}))
    centroids = None
    if kind == "canonical":
        cen = data.get("centroids")
        if not isinstance(cen, dict) or len(cen) < 2:
            raise _fail(origin, "centroids", "must give, for each class, one value per function")
        for cls, vals in cen.items():
            if not isinstance(vals, list) or len(vals) != len(out) or not all(_number(v) for v in vals):
                raise _fail(origin, f"centroids.{cls}", f"must be a list of {len(out)} numbers")
        centroids = {k: tuple(float(v) for v in vals) for k, vals in cen.items()}
    return DiscriminantPlugin(data["name"], data["citation"], str(data.get("version", "")), kind, tuple(variables),
                              tuple(out), centroids)


def load_plugin(path: str | Path) -> DiscriminantPlugin:
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PluginError(f"Cannot read the discriminant plug-in {p}: {exc.strerror or exc}.") from None
    except json.JSONDecodeError as exc:
        raise PluginError(f"{p}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    return plugin_from_dict(data, str(p))


def apply_plugin(plugin: DiscriminantPlugin, rows: pd.DataFrame) -> pd.DataFrame:
    """Function scores and the plug-in's predicted class for each row (missing if any variable is missing)."""
    absent = [v for v in plugin.variables if v not in rows.columns]
    if absent:
        raise PluginError(f"The plug-in {plugin.name!r} uses {', '.join(absent)}, which the scores do not have. "
                          "Define them as composites in the project settings.")
    x = rows[list(plugin.variables)].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    ok = ~np.isnan(x).any(axis=1)
    scores = np.column_stack([
        f.constant + sum(w * x[:, plugin.variables.index(v)] for v, w in f.coefficients.items())
        for f in plugin.functions])
    if plugin.kind == "classification":
        names = np.array([f.name for f in plugin.functions], dtype=object)
        pred = names[np.argmax(np.nan_to_num(scores, nan=-np.inf), axis=1)]
    else:
        assert plugin.centroids is not None
        names = np.array(list(plugin.centroids), dtype=object)
        cen = np.array([plugin.centroids[n] for n in names])
        dist = ((scores[:, None, :] - cen[None, :, :]) ** 2).sum(axis=2)
        pred = names[np.argmin(np.nan_to_num(dist, nan=np.inf), axis=1)]
    ident = [c for c in ("participant_id", "timepoint", "coding_id", "session_id", "abc_forced") if c in rows.columns]
    out = rows[ident].reset_index(drop=True).copy()
    for j, f in enumerate(plugin.functions):
        out[f"df_{f.name}"] = np.where(ok, scores[:, j], np.nan)
    out["df_predicted"] = np.where(ok, pred, None)
    if "abc_forced" in out.columns:
        out["df_agrees"] = np.where(ok & out["abc_forced"].notna(),
                                    (out["df_predicted"] == out["abc_forced"]).astype(float), np.nan)
    out.attrs["plugin"] = {"name": plugin.name, "citation": plugin.citation, "version": plugin.version}
    return out
