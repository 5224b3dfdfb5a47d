import numpy as np
import openpyxl
import pandas as pd

from ssp_coder.export.codebook import abcd_categories, build_codebook, describe_scored, scored_catalogue
from ssp_coder.export.datasets import assemble_long, build_wide
from ssp_coder.export.xlsx import column_letter, write_workbook
from tests.export.conftest import bernard_rows, frames


def test_fallback_descriptions_come_from_the_scheme(scheme, settings):
    v = describe_scored("ps_e5_m", scheme, settings)
    assert v.type == "continuous" and "episode 5" in v.label and "scale PS" in v.source
    d = describe_scored("d_high", scheme, {**settings, "d_cutoff": 6})
    assert d.settings_used == "d_cutoff=6" and d.value_labels() == {0.0: "below cut-off", 1.0: "at or above cut-off"}
    assert describe_scored("d_index_V", scheme, settings).label.startswith("D-index marks, group V (Freezing")
    assert describe_scored("curtailed_e4", scheme, settings).type == "binary"


def test_abcd_categories_follow_settings():
    assert abcd_categories({"cc_handling": "D", "unclassifiable_handling": "D"}) == ["A", "B", "C", "D"]
    assert abcd_categories({"cc_handling": "CC", "unclassifiable_handling": "U"}) == ["A", "B", "C", "D", "CC", "U"]


def test_catalogue_entries_keep_abcd_codes_and_numeric_anchor_labels(scheme, settings):
    cat = scored_catalogue(scheme, settings)
    assert dict(cat["abcd"].codes) == {"A": 1, "B": 2, "C": 3, "D": 4}
    assert cat["secure"].value_labels() == {0.0: "insecure", 1.0: "secure"}
    assert 1.0 in cat["d_rating"].value_labels() and not cat["d_rating"].codes
    assert cat["d_high"].settings_used.startswith("d_cutoff=")


def test_codebook_covers_every_column_and_unknown_categories_get_codes(scheme, settings):
    sessions, scored = frames(bernard_rows())
    scored.loc[0, "abcd"] = "CC"  # a value the settings fold away: it must still get a code, not vanish
    long = assemble_long(sessions, scored, timepoint_order=["pre", "post"])
    wide = build_wide(long)
    book = build_codebook(long, wide, scheme, settings, catalogue={})
    frame = book.to_frame()
    assert list(frame.loc[frame["table"] == "long", "variable"]) == list(long.columns)
    assert list(frame.loc[frame["table"] == "wide", "variable"]) == list(wide.columns)
    assert dict(book.for_table("long")["abcd"].codes)["CC"] == 5
    change = book.for_table("wide")["secure_change"]
    assert change.value_labels()[1.0] == "insecure to secure" and "secure_post - secure_pre" in change.source
    assert book.for_table("wide")["d_rating_post"].label.endswith("- post")
    assert book.for_table("long")["arm"].value_labels() == {1.0: "ABC", 2.0: "DEF"}


def test_workbook_writer_escapes_text_and_keeps_types(tmp_path):
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    df = pd.DataFrame({"text": ["a<b & c>", "bad\x01char", None], "n": [1, np.nan, 3],
                       "x": [0.1, 2.5, -1e-7], "flag": [True, False, True]})
    write_workbook(tmp_path / "t.xlsx", [("a/b:c", df)])
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    ws = wb["a_b_c"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert rows[0] == ["a<b & c>", 1, 0.1, 1]
    assert rows[1] == ["bad\u2401char", None, 2.5, 0]  # visible, not dropped (ids must stay distinct)
    assert rows[2] == [None, 3, -1e-7, 1]


def test_forced_secondary_codes_follow_the_fixed_scheme_table(scheme, settings):
    """D/B codings: the codebook says so, and every export numbers the forced secondaries the same way
    (each main category, then its subgroups), whatever the data hold."""
    cat = scored_catalogue(scheme, settings)
    codes = dict(cat["forced_secondary"].codes)
    assert codes == {c: i for i, c in enumerate(["A", "A1", "A2", "B", "B1", "B2", "B3", "B4", "C", "C1", "C2"], 1)}
    assert "main category alone (A, B, C)" in cat["forced_secondary"].label
    assert "D/B" in cat["abc_forced"].label and "never" in cat["abcd_subgroup"].label
