"""Bad input from places that cannot be written: a read-only or unchangeable project, a project in a read-only
folder, outputs into a read-only folder, a file where a folder is expected and the other way round.

One line of ``CASES`` a case (see ``tests/bad_input/cases.py``); the check that needs more than one command
is a separate test below the table.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ssp_coder.domain.commands import AddCoder
from ssp_coder.store.project import Project
from tests.bad_input.cases import Built, Case, chattr, read_only_folder, table_tests, trial, unlock_all


def _read_only_file(folder: Path) -> Built:
    built = trial(folder)
    built["project"].chmod(0o444)
    return built


def _immutable_file(folder: Path) -> Built:
    built = trial(folder)
    if not chattr("+i", built["project"]):
        pytest.skip("chattr +i (an unchangeable file) is not available here")
    return built


def _project_in_read_only_folder(folder: Path) -> Built:
    inner = folder / "share"
    inner.mkdir()
    built = trial(inner)
    read_only_folder(built["folder"])
    return built


def _read_only_output_folder(folder: Path) -> Built:
    built = trial(folder)
    read_only_folder(folder / "out")
    return built


def _file_where_folder_expected(folder: Path) -> Built:
    built = trial(folder)
    (folder / "figures.txt").write_text("not a folder")
    return built


KINDS = ("unwritable project", "unwritable target")

CASES = [
    # 10. what cannot be written says what and where
    Case("read-only-project-file", "unwritable project", _read_only_file,
         ("coder", "add", "{project}", "Bob"), 2, "marked read-only"),
    Case("read-only-project-file-is-read", "unwritable project", _read_only_file,
         ("status", "{project}"), 0, "Project PROJNAMELEAKJJ"),
    Case("immutable-project-file", "unwritable project", _immutable_file,
         ("coder", "add", "{project}", "Bob"), 2, "you may not write to the file"),
    Case("project-in-read-only-folder", "unwritable project", _project_in_read_only_folder,
         ("coder", "add", "{project}", "Bob"), 2, "cannot be written to"),
    Case("project-in-read-only-folder-is-read", "unwritable project", _project_in_read_only_folder,
         ("status", "{project}"), 0, "Project PROJNAMELEAKJJ"),
    Case("score-into-read-only-folder", "unwritable target", _read_only_output_folder,
         ("score", "{project}", "-o", "{folder}/../out/scores.csv"), 2, "cannot be written to"),
    Case("summary-figures-into-read-only-folder", "unwritable target", _read_only_output_folder,
         ("summary", "{project}", "--figures", "{folder}/../out/figs"), 2, "figs"),
    Case("irr-into-read-only-folder", "unwritable target", _read_only_output_folder,
         ("irr", "{project}", "-o", "{folder}/../out/irr.xlsx"), 2, "is not writable"),
    Case("export-into-read-only-folder", "unwritable target", _read_only_output_folder,
         ("export", "{project}", "--format", "sav", "-o", "{folder}/../out/trial"), 2, "out"),
    Case("figures-given-a-file", "unwritable target", _file_where_folder_expected,
         ("summary", "{project}", "--figures", "{folder}/../figures.txt"), 2, "is a file"),
    Case("template-given-a-folder", "unwritable target", trial,
         ("template", "codings", "{folder}"), 2, "it is a folder"),
]

test_bad_input, test_every_kind_has_cases = table_tests(CASES, KINDS)


# -- cases that need more than one command to check ---------------------------------------------------------

def test_a_project_that_can_only_be_read_opens_read_only_with_the_reason(tmp_path: Path) -> None:
    """Issue 13.10: the window's fall-back opens it read-only and says why, instead of 'damaged'."""
    from ssp_coder.errors import StoreError

    built = _read_only_file(tmp_path)
    try:
        with Project.open(built["project"], actor="coordinator", fall_back_to_read_only=True) as project:
            assert project.read_only and "marked read-only" in project.read_only_reason
            with pytest.raises(StoreError, match="read-only because the file trial.sspc is marked read-only"):
                project.execute(AddCoder("Bob"))
        from ssp_coder.gui.app import open_project_file   # the window opens it so, too

        project, _ = open_project_file(built["project"])
        try:
            assert project.read_only and "marked read-only" in project.read_only_reason
        finally:
            project.close()
        folder = read_only_folder(tmp_path / "share")
        shutil.copyfile(built["project"], tmp_path / "copy.sspc")
        unlock_all(folder)
        (tmp_path / "copy.sspc").rename(folder / "copy.sspc")
        read_only_folder(folder)
        with Project.open(folder / "copy.sspc", actor="coordinator", fall_back_to_read_only=True) as project:
            assert project.read_only and "cannot be written to" in project.read_only_reason
            assert project.coders()
    finally:
        unlock_all(tmp_path)
