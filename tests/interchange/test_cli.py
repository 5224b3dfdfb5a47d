"""The command line: import-codings --from, --map, --dry-run, --draft-map, and export-codings --to."""

from __future__ import annotations

import json

import pytest

from ssp_coder.cli import main
from ssp_coder.store.project import Project
from tests.interchange.conftest import FIXTURES, LAB_MAP, make_trial


@pytest.fixture
def project_path(tmp_path):
    make_trial(tmp_path / "trial.sspc").close()
    return str(tmp_path / "trial.sspc")


def _counts(path: str) -> tuple:
    with Project.open(path, read_only=True, backups=False) as p:
        c = p.counts()
        return c["codings"], c["events"], len(p.audit_log())


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_counts_equal_the_real_run_and_a_second_run_changes_nothing(project_path, capsys):
    args = ["import-codings", project_path, str(FIXTURES / "boris_lab.boris"), "--from", "boris", "--map", str(LAB_MAP),
            "--json"]
    before = _counts(project_path)
    code, out, _ = _run(capsys, *args, "--dry-run")
    assert code == 0 and _counts(project_path) == before
    dry = json.loads(out)
    code, out, _ = _run(capsys, *args)
    real = json.loads(out)
    assert code == 0
    for key in ("created", "filled", "unchanged", "events", "ignored", "mapped"):
        assert dry[key] == real[key]
    assert (real["created"], real["events"]) == (3, 7)
    assert _counts(project_path)[:2] == (3, 7)
    code, out, _ = _run(capsys, *args)
    assert json.loads(out)["unchanged"] == 3 and _counts(project_path)[:2] == (3, 7)


def test_a_file_with_problems_exits_2_lists_them_all_and_changes_nothing(project_path, capsys):
    before = _counts(project_path)
    code, out, err = _run(capsys, "import-codings", project_path, str(FIXTURES / "observer_problems.txt"),
                          "--from", "observer", "--map", str(LAB_MAP))
    assert code == 2 and _counts(project_path) == before
    assert "5 problem(s); nothing was changed." in err
    assert "unpaired STOP" in err and "unpaired START" in err and "Traceback" not in err


def test_the_summary_says_what_was_imported(project_path, capsys):
    code, out, _ = _run(capsys, "import-codings", project_path, str(FIXTURES / "datavyu_lab.opf"), "--from", "datavyu",
                        "--map", str(LAB_MAP), "--coder", "Ann")
    assert code == 0
    assert "1 coding(s) created" in out and "session S1PR  Ann" in out and "3 event(s), 8 episode(s)" in out


def test_map_options_without_from_are_refused_and_sheets_still_import_without_it(project_path, tmp_path, capsys):
    code, _, err = _run(capsys, "import-codings", project_path, str(FIXTURES / "boris_lab.boris"), "--map",
                        str(LAB_MAP))
    assert code == 2 and "--map, --coder and --draft-map go with --from" in err
    code, _, err = _run(capsys, "import-codings", project_path, str(tmp_path / "missing.xlsx"))
    assert code == 2 and "the file does not exist" in err     # the legacy sheet import answered


def test_draft_map_lists_the_file_codes_to_fill_in(project_path, tmp_path, capsys):
    out_map = tmp_path / "draft.csv"
    code, out, _ = _run(capsys, "import-codings", project_path, str(FIXTURES / "boris_problems.boris"), "--from",
                        "boris", "--draft-map", str(out_map))
    assert code == 0 and "still to fill in" in out
    rows = out_map.read_text().splitlines()
    assert rows[0] == "kind,file,project"
    assert "code,E1,episode 1" in rows and "code,Vocalizes," in rows and "code,Crying,cry" in rows
    assert _counts(project_path)[0] == 0
    code, _, err = _run(capsys, "import-codings", project_path, str(FIXTURES / "boris_problems.boris"), "--from",
                        "boris", "--draft-map", str(out_map))
    assert code == 2 and "already exists" in err


def test_export_codings_for_a_coder(project_path, tmp_path, capsys):
    _run(capsys, "import-codings", project_path, str(FIXTURES / "boris_lab.boris"), "--from", "boris", "--map",
         str(LAB_MAP))
    code, out, _ = _run(capsys, "export-codings", project_path, "--to", "elan", "-o", str(tmp_path / "bob"),
                        "--coder", "Bob", "--json")
    result = json.loads(out)
    assert code == 0 and result["codings"] == 2 and result["blinded_for"] == "Bob"
    assert sorted(p.rsplit("/", 1)[-1] for p in result["paths"]) == ["S1PR.eaf", "S2PO.eaf"]
    code, _, err = _run(capsys, "export-codings", project_path, "--to", "boris", "-o", str(tmp_path / "x.boris"),
                        "--coder", "Nobody")
    assert code == 2 and "no coder called 'Nobody'" in err
