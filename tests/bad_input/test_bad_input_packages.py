"""Bad input from coder packages: returns imported in the wrong order, a manifest that is not what it claims.

One line of ``CASES`` a case (see ``tests/bad_input/cases.py``); the check that needs more than one command
is a separate test below the table.
"""

from __future__ import annotations

from pathlib import Path

from ssp_coder.domain.commands import SetDRating
from ssp_coder.packages import import_package, open_package
from ssp_coder.store.project import Project
from tests.bad_input.cases import Built, Case, issue_package, table_tests, trial
from tests.packages.conftest import edit_manifest


def _with_coding_work(folder: Path) -> Built:
    """A package of Ann's, her first return (D rating 5), her second (D rating 7), the second merged."""
    built = trial(folder)
    issued = issue_package(built["project"], folder / "ann.sspkg")
    opened = open_package(issued)
    coding = next(c for c in opened.project.codings() if c.purpose == "primary")
    opened.project.execute(SetDRating(int(coding.id), 5))
    v1 = opened.write_return(folder / "ann-return-v1.sspkg")
    opened.project.execute(SetDRating(int(coding.id), 7))
    v2 = opened.write_return(folder / "ann-return-v2.sspkg")
    opened.close(write_return=False)
    project = Project.open(built["project"], actor="coordinator", backups=False)
    try:
        assert import_package(project, v2).merged
    finally:
        project.close()
    return {**built, "issued": issued, "v1": v1, "v2": v2}


def _package_with_manifest(folder: Path, **changes: object) -> Built:
    built = trial(folder)
    pkg = issue_package(built["project"], folder / "ann.sspkg")
    return {**built, "pkg": edit_manifest(pkg, folder / "altered.sspkg", lambda manifest: manifest.update(changes))}


def _bad_format_version(folder: Path) -> Built:
    return _package_with_manifest(folder, format_version="two")


KINDS = ("package order", "package manifest")

CASES = [
    # 2. an older package changes nothing and says so
    Case("older-return-after-newer", "package order", _with_coding_work,
         ("package", "import", "{project}", "{v1}"), 0, "older than what the project already holds", "content"),
    Case("issued-package-after-return", "package order", _with_coding_work,
         ("package", "import", "{project}", "{issued}"), 0, "older than what the project already holds", "content"),
    Case("older-return-dry-run", "package order", _with_coding_work,
         ("package", "import", "{project}", "{v1}", "--dry-run"), 0, "1 older than already merged", "content"),
    # 11. a manifest whose format version is not a number
    Case("format-version-two-import", "package manifest", _bad_format_version,
         ("package", "import", "{project}", "{pkg}"), 2, "format_version 'two'", "content"),
    Case("format-version-two-info", "package manifest", _bad_format_version,
         ("package", "info", "{pkg}"), 2, "not a format number"),
    Case("format-version-two-open", "package manifest", _bad_format_version,
         ("package", "return", "{pkg}"), 2, "not a format number"),
]

test_bad_input, test_every_kind_has_cases = table_tests(CASES, KINDS)


# -- cases that need more than one command to check ---------------------------------------------------------

def _d_rating(project_path: Path) -> list:
    with Project.open(project_path, read_only=True, backups=False) as project:
        return [project.coding_state(int(c.id)).result.d_rating for c in project.codings()
                if c.purpose == "primary"]


def test_older_packages_keep_the_coders_newest_work(tmp_path: Path) -> None:
    """Issue 13.2: return v2 (D 7) merged, then v1 (D 5) and the issued package: D stays 7."""
    built = _with_coding_work(tmp_path)
    assert 7 in _d_rating(built["project"])
    for older in (built["v1"], built["issued"]):
        with Project.open(built["project"], actor="coordinator", backups=False) as project:
            report = import_package(project, older)
        assert not report.merged and report.older and "nothing was changed" in report.summary()
        assert 7 in _d_rating(built["project"]) and 5 not in _d_rating(built["project"])
    # the newest return again: still nothing to do, and not called older
    with Project.open(built["project"], actor="coordinator", backups=False) as project:
        report = import_package(project, built["v2"])
    assert not report.merged and not report.older and report.unchanged
