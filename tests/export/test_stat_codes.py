"""SPSS/Stata value codes come from the scheme, not the data: two waves' files merge code for code."""

from __future__ import annotations

import pandas as pd
import pyreadstat
import pytest

from ssp_coder.export.api import prepare_from_frames, write_export
from ssp_coder.scoring.catalogue import classification_values, forced_secondary_options
from tests.export.conftest import frames


def _wave(scheme, settings, classifications: list[str | None]) -> object:
    rows = []
    for i, cls in enumerate(classifications):
        abcd = None if cls is None else cls[0]
        rows.append((f"P{i:02d}", ("ABC", "DEF")[i % 2], "pre", abcd, 3.0, "complete" if cls else "draft"))
    sessions, scored = frames(rows)
    scored["classification"] = classifications
    return prepare_from_frames(sessions, scored, scheme, settings, meta={"project": "wave"})


def _codes(path, fmt):
    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    df, meta = read(str(path))
    labels = meta.value_labels[meta.variable_to_label["classification"]]
    return df, {v: int(k) for k, v in labels.items()}, meta


def test_the_code_table_is_enumerated_from_the_scheme(scheme):
    options = forced_secondary_options(scheme)
    # Main groups before their subgroups, so that a D/B (main group only) keeps room in the same table.
    assert options == ["A", "A1", "A2", "B", "B1", "B2", "B3", "B4", "C", "C1", "C2"]
    values = list(classification_values(scheme))
    assert values[:11] == list(scheme.classification_codes)
    assert values[11:] == [f"D/{o}" for o in options]


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_codes_are_the_same_in_every_export(tmp_path, scheme, settings, fmt):
    one = _wave(scheme, settings, ["D/A1", "B2", "D/B2", "D/C1", "A1", None])
    two = _wave(scheme, settings, ["D/C1", "C2", "D/B", "B3"])
    p1 = write_export(one, fmt, tmp_path / f"one.{fmt}", shape="long")[0]
    p2 = write_export(two, fmt, tmp_path / f"two.{fmt}", shape="long")[0]
    df1, codes1, _ = _codes(p1, fmt)
    df2, codes2, _ = _codes(p2, fmt)
    assert codes1 == codes2                                        # the full table, in both files
    table = list(classification_values(scheme))
    assert codes1["Disorganized, forced C1"] == table.index("D/C1") + 1 == 21
    assert df1["classification"].tolist()[3] == df2["classification"].tolist()[0] == 21
    # The codebook prints the same table.
    book = one.codebook.to_frame().set_index(["table", "variable"]).loc[("long", "classification")]
    assert "21 = D/C1" in book["sav_dta_codes"] and "12 = D/A" in book["sav_dta_codes"]


def test_abcd_keeps_its_codes_whichever_categories_are_kept_apart(scheme, settings):
    kept_u = dict(settings, cc_handling="D", unclassifiable_handling="U")
    data = _wave(scheme, kept_u, ["A1", "B2"])
    abcd = next(v for v in data.codebook.variables if v.name == "abcd" and v.table == "long")
    assert dict(abcd.codes) == {"A": 1, "B": 2, "C": 3, "D": 4, "U": 6}


def test_arm_codes_follow_the_order_arms_came_into_the_project(scheme, settings):
    data = _wave(scheme, settings, ["A1", "B2", "B3"])
    data.long.loc[:, "arm"] = ["TAU", "ABC", "TAU"]
    from ssp_coder.export.codebook import design_variables
    arm = design_variables(data.long, ["pre", "post"])["arm"]
    assert dict(arm.codes) == {"TAU": 1, "ABC": 2}


def test_whole_number_codes_have_whole_number_formats(tmp_path, scheme, settings):
    data = _wave(scheme, settings, ["D/A1", "B2", None])
    path = write_export(data, "sav", tmp_path / "w.sav", shape="long")[0]
    _, meta = pyreadstat.read_sav(str(path))
    fmt = meta.original_variable_types
    assert fmt["abcd"] == "F1.0" and fmt["secure"] == "F1.0" and fmt["classification"] == "F2.0"
    assert fmt["coding_status"] == "F1.0" and fmt["arm"] == "F1.0"
    assert fmt["d_rating"] == "F8.2"                               # a rating keeps its decimals
    assert fmt["date_of_visit"].startswith("DATE") or fmt["date_of_visit"].startswith("ADATE")
    dta = write_export(data, "dta", tmp_path / "w.dta", shape="long")[0]
    _, dmeta = pyreadstat.read_dta(str(dta))
    types = dmeta.readstat_variable_types
    assert types["abcd"] in ("int8", "int16", "int32") and types["classification"] in ("int8", "int16", "int32")
    assert types["d_rating"] == "double"
