"""The map: file codes to behaviours and episode boundaries; sessions and coders; every bad row at once."""

from __future__ import annotations

import pytest

from ssp_coder.domain.scheme import load_builtin_scheme
from ssp_coder.errors import InputFileError
from ssp_coder.interchange.mapping import Target, load_map, parse_target, write_map

SCHEME = load_builtin_scheme()


@pytest.mark.parametrize("text, target", [
    ("cry", Target("behaviour", behaviour="cry")),
    ("Crying", Target("behaviour", behaviour="cry")),             # the behaviour's name
    ("  Looks at door ", Target("behaviour", behaviour="look_door")),
    ("episode 5", Target("episode", episode=5)),
    ("Ep5 start", Target("episode", episode=5, part="start")),
    ("E8 end", Target("episode", episode=8, part="end")),
    ("episode: 3", Target("episode", episode=3)),
    ("ignore", Target("ignore")),
])
def test_what_a_code_can_become(text, target):
    assert parse_target(text, SCHEME) == target


@pytest.mark.parametrize("text", ["episode 9", "crying loudly", "ep", ""])
def test_what_it_cannot(text):
    assert parse_target(text, SCHEME) is None


def test_map_rows_for_codes_sessions_and_coders(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text("Kind,File,Project\ncode,Weinen,cry\nsession,obs 1,K7Q-4M2\ncoder,Subject 1,Ann\n")
    cmap = load_map(path, SCHEME)
    assert cmap.target(("weinen",)) == ("weinen", Target("behaviour", behaviour="cry"))
    assert cmap.session_for("OBS 1") == "K7Q-4M2" and cmap.coder_for("subject 1") == "Ann"
    # names the map does not hold still match the scheme; unknown ones match nothing
    assert cmap.target(("Fussing", "contact")) == ("contact", Target("behaviour", behaviour="contact"))
    assert cmap.target(("Fussing",)) is None


def test_a_map_of_two_plain_columns_holds_codes(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text("in BORIS,in ssp-coder\nWeinen,cry\n")
    assert load_map(path, SCHEME).target(("Weinen",))[1].behaviour == "cry"


def test_every_bad_row_is_reported_at_once(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text("kind,file,project\ncode,Weinen,sobbing\ncode,Weinen,cry\nfoo,x,y\ncode,,cry\ncode,E9,episode 9\n")
    with pytest.raises(InputFileError) as err:
        load_map(path, SCHEME)
    text = str(err.value)
    assert "row 2, column 'project': 'sobbing' is not a behaviour of the scheme" in text
    assert "row 3, column 'file': 'Weinen' is mapped twice (also on row 2)" in text
    assert "row 4, column 'kind': kind 'foo' is not one of code, session, coder." in text
    assert "row 5, column 'file': fill in both" in text
    assert "row 6, column 'project': 'episode 9' is not a behaviour" in text


def test_a_map_without_the_needed_columns_says_so(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text("a,b,c,d\n1,2,3,4\n")
    with pytest.raises(InputFileError, match="the map needs the columns kind, file and project"):
        load_map(path, SCHEME)


def test_a_written_map_reads_back(tmp_path):
    path = write_map(tmp_path / "m.csv", {"Weinen": "cry", "Ep 1": "episode 1"}, {"obs 1": "S1PR"}, {"A": "Ann"})
    cmap = load_map(path, SCHEME)
    assert cmap.target(("Ep 1",))[1] == Target("episode", episode=1)
    assert cmap.session_for("obs 1") == "S1PR" and cmap.coder_for("A") == "Ann"
