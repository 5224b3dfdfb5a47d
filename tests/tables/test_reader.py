"""The one tabular reader: CSV text as programs write it, xlsx sheets, and the problems it reports."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssp_coder.errors import InputFileError
from ssp_coder.tables import match_columns, read_table, read_workbook
from ssp_coder.tables.csvfile import _split_quoted, decode, parse

HEAD = "participant_id,timepoint,arm,video"


def write(tmp_path: Path, data: bytes | str, name: str = "t.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return p


@pytest.mark.parametrize("data, encoding", [
    (HEAD + "\nP1,pre,A,v.mp4\n", "UTF-8"),
    (b"\xef\xbb\xbf" + (HEAD + "\r\nP1,pre,A,v.mp4\r\n").encode(), "UTF-8"),
    ((HEAD + "\rP1,pre,A,v.mp4\r").encode(), "UTF-8"),
    (b"\xff\xfe" + (HEAD.replace(",", "\t") + "\r\nP1\tpre\tA\tv.mp4\r\n").encode("utf-16-le"), "UTF-16"),
    (b"\xfe\xff" + (HEAD + "\nP1,pre,A,v.mp4\n").encode("utf-16-be"), "UTF-16"),
    ((HEAD + "\nP1,pre,A,v.mp4\n").encode("utf-16-le"), "UTF-16-LE"),
    ((HEAD.replace(",", ";") + "\nP1;pre;A;v.mp4\n").encode("cp1252"), "UTF-8"),
])
def test_every_common_csv_form_reads_the_same_table(tmp_path, data, encoding):
    path = write(tmp_path, data)
    table = read_table(path)
    assert table.columns == HEAD.split(",")
    assert table.rows == [{"participant_id": "P1", "timepoint": "pre", "arm": "A", "video": "v.mp4"}]
    assert table.row_numbers == [2] and not table.problems
    assert decode(path.read_bytes(), path)[1] == encoding


def test_windows_text_is_read_as_windows_text(tmp_path):
    table = read_table(write(tmp_path, (HEAD + ",site\nP1,pre,A,v.mp4,Malmö – Nord\n").encode("cp1252")))
    assert table.rows[0]["site"] == "Malmö – Nord"


def test_quoting_as_excel_writes_it():
    assert _split_quoted('a,"b, c","say ""hi""",5\'2"', ",") == (["a", "b, c", 'say "hi"', "5'2\""], None)
    assert _split_quoted('a, "b",c', ",") == (["a", "b", "c"], None)
    assert _split_quoted('a,"b', ",") == (["a", "b"], 1)
    assert _split_quoted('"x"y,z', ",") == (["xy", "z"], None)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                                 max_size=8), min_size=2, max_size=2), min_size=1, max_size=6))
def test_what_a_csv_writer_quotes_reads_back(rows):
    """Any single-line cells, quoted as Python's csv module (and Excel) writes them, come back as written."""
    import csv

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([["a", "b"]] + rows)
    table = parse(buf.getvalue(), Path("x.csv"), "UTF-8")
    assert table.rows[1:] == rows


def test_blank_lines_keep_the_row_numbers_the_spreadsheet_shows(tmp_path):
    table = read_table(write(tmp_path, HEAD + "\n\nP1,pre,A,v.mp4\n,,,\nP2,pre,A,w.mp4\n"))
    assert table.row_numbers == [3, 5]


def test_stray_quote_is_reported_where_it_opened_and_nothing_is_returned(tmp_path):
    with pytest.raises(InputFileError) as info:
        read_table(write(tmp_path, HEAD + '\nP1,"pre,A,v.mp4\nP2,pre,A,w.mp4\nP3,pre,A,"x.mp4\n'))
    rows = [(p.row, p.column) for p in info.value.problems]
    assert rows == [(2, "timepoint"), (4, "video")]


def test_exact_column_name_wins_over_an_alias_in_any_order():
    found, rest = match_columns(["id", "Participant ID", "time"], {"participant_id": ("participant_id", "id"),
                                                                   "timepoint": ("timepoint", "time")})
    assert found == {"participant_id": "Participant ID", "timepoint": "time"} and rest == ["id"]


def test_xlsx_row_numbers_start_at_row_one_even_below_empty_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A3"], ws["B3"] = "participant_id", "arm"
    ws["A4"], ws["B4"] = "P1", "A"
    wb.save(tmp_path / "t.xlsx")
    table = read_table(tmp_path / "t.xlsx")
    # Row 1 (empty) is the header row, so the data is under blank headers and reported as such.
    assert any("column A has no name in row 1" in p.message for p in table.problems)


def test_merged_cells_and_unused_sheets(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "codings"
    for r in (["participant_id", "site"], ["P1", "Newark"], ["P2", None]):
        ws.append(r)
    ws.merge_cells("B2:B3")
    readme = wb.create_sheet("readme")
    readme.append(["note", "note"])
    wb.save(tmp_path / "t.xlsx")
    sheets = read_workbook(tmp_path / "t.xlsx")
    (problem,) = sheets["codings"].problems
    assert (problem.sheet, problem.row, problem.column) == ("codings", 2, "site") and "B2:B3" in problem.message
    # The readme's duplicate column is reported on the readme only; an import that ignores it is not affected.
    assert "have the same name" in sheets["readme"].problems[0].message


def test_not_a_table(tmp_path):
    with pytest.raises(InputFileError, match="not a text"):
        read_table(write(tmp_path, bytes(range(256)) * 40))
    with pytest.raises(InputFileError, match="old Excel"):
        read_table(write(tmp_path, b"\xd0\xcf\x11\xe0" + b"\x00" * 600))


def test_many_control_characters_are_summarised(tmp_path):
    body = HEAD + "\n" + "".join(f"P\x01{i},pre,A,v{i}.mp4\n" for i in range(30))
    problems = read_table(write(tmp_path, body)).problems
    assert len(problems) == 21 and problems[-1].message == "... and 10 more cell(s) with control characters."
