import json

import pytest

from ssp_coder.domain.scheme import builtin_scheme_ids, load_builtin_scheme, load_scheme, scheme_from_dict
from ssp_coder.errors import SchemeError


def raw():
    return json.loads(load_builtin_scheme().to_json())


def test_builtin_scheme_has_the_ssp_structure():
    s = load_builtin_scheme()
    assert "ssp-infant-v1" in builtin_scheme_ids()
    assert s.episode_numbers == (1, 2, 3, 4, 5, 6, 7, 8)
    assert [e.number for e in s.episodes if e.is_reunion] == [5, 8]
    assert s.episode(1).nominal_s == 30 and s.episode(4).nominal_s == 180
    assert {sc.id for sc in s.scales} >= {"ps", "cm", "rs", "av"}
    ps = s.scale("ps")
    assert (5, "m") in ps.required and (8, "m") in ps.required
    assert ps.valid_value(5.5) and not ps.valid_value(5.25) and not ps.valid_value(8)
    assert s.d_groups == ("I", "II", "III", "IV", "V", "VI", "VII")
    assert s.classification("D").requires_forced_secondary
    assert set(s.classification_codes) >= {"A1", "A2", "B1", "B2", "B3", "B4", "C1", "C2", "D", "CC", "U"}
    assert s.settings["d_cutoff"] == 5
    assert s.behaviour("cry").is_state and not s.behaviour("approach").is_state


def test_scale_column_names_follow_the_public_pattern():
    s = load_builtin_scheme()
    assert s.scale("av").column(8, "m") == "av_e8_m"


@pytest.mark.parametrize("mutate, key", [
    (lambda d: d.pop("episodes"), "episodes"),
    (lambda d: d["episodes"][2].update(kind="lunch"), "episodes[2].kind"),
    (lambda d: d["scales"][0]["cells"].append([9, "m"]), "scales[0].cells[7]"),
    (lambda d: d["scales"][0]["cells"].append([2, "x"]), "scales[0].cells[7]"),
    (lambda d: d["scales"][0].update(min=7, max=1), "scales[0].max"),
    (lambda d: d["behaviours"][1].update(key="C"), "behaviours[1].key"),
    (lambda d: d["behaviours"][0].update(kind="blob"), "behaviours[0].kind"),
    (lambda d: d["forced_secondary"].append("Z9"), "forced_secondary[11]"),
    (lambda d: d["forced_secondary"].append("D"), "forced_secondary[11]"),
    (lambda d: d["settings"].update(d_cutoff="five"), "settings.d_cutoff"),
    (lambda d: d["settings"]["composites"]["av_reunion_mean"].update(scale="zz"), "settings.composites.av_reunion_mean.scale"),
    (lambda d: d["episodes"][0].update(nominal_s=True), "episodes[0].nominal_s"),
])
def test_broken_scheme_names_the_key(mutate, key):
    d = raw()
    mutate(d)
    with pytest.raises(SchemeError) as info:
        scheme_from_dict(d, origin="lab.json")
    assert f"'{key}'" in str(info.value)
    assert "lab.json" in str(info.value)


def test_lab_copy_loads_from_a_file(tmp_path):
    d = raw()
    d["id"] = "lab-variant"
    d["settings"]["d_cutoff"] = 6
    path = tmp_path / "lab.json"
    path.write_text(json.dumps(d))
    s = load_scheme(path)
    assert s.id == "lab-variant" and s.settings["d_cutoff"] == 6


def test_not_json_is_reported_with_position(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{\n  \"id\": ,\n}")
    with pytest.raises(SchemeError, match="line 2"):
        load_scheme(path)


def test_unknown_builtin():
    with pytest.raises(SchemeError, match="no built-in coding scheme"):
        load_builtin_scheme("nope")


def test_forced_secondary_offers_main_categories_first_then_subgroups():
    s = load_builtin_scheme()
    assert s.forced_secondary == ("A", "B", "C", "A1", "A2", "B1", "B2", "B3", "B4", "C1", "C2")
    assert [s.forced_group(f) for f in ("B", "B3", "C1", None)] == ["B", "B", "C", None]


def test_an_older_scheme_listing_only_subgroups_still_offers_the_main_categories():
    d = raw()
    d["forced_secondary"] = ["A1", "A2", "B1", "B2", "B3", "B4", "C1", "C2"]
    s = scheme_from_dict(d)
    assert s.forced_secondary[:3] == ("A", "B", "C") and s.forced_secondary[3:] == tuple(d["forced_secondary"])
