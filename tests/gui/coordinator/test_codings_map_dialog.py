"""The mapping dialog: the file's codes beside the scheme's, a saved MAP.csv, a dry run and the import."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMainWindow

from ssp_coder.gui.coordinator.codings_map_dialog import CodingsMapDialog
from ssp_coder.gui.coordinator.menus import install_coordinator_menus
from ssp_coder.interchange import load_map
from ssp_coder.interchange.mapping import Target
from tests.interchange.conftest import FIXTURES, LAB_MAP, make_trial, snapshot


@pytest.fixture
def trial(tmp_path, qapp):
    p = make_trial(tmp_path / "trial.sspc")
    yield p
    p.close()


def _dialog(qtbot, trial) -> CodingsMapDialog:
    d = CodingsMapDialog(trial)
    qtbot.addWidget(d)
    return d


def test_lists_the_file_codes_prefilled_where_they_match_the_scheme(qtbot, trial):
    d = _dialog(qtbot, trial)
    d.tool.setCurrentIndex(0)
    assert d.load_file(str(FIXTURES / "boris_problems.boris"))
    choices = d.choices()
    assert choices["Crying"] == Target("behaviour", behaviour="cry")        # the scheme's name for 'cry'
    assert choices["E1"] == Target("episode", episode=1)
    assert {"Vocalizes", "Clinging", "End"} <= set(d.unmapped())
    assert d.scheme_list.count() == len(trial.scheme.behaviours) + 3 * len(trial.scheme.episodes) + 1
    assert "not mapped yet" in d.report.toPlainText()


def test_choices_are_saved_as_a_map_the_command_line_reads(qtbot, trial, tmp_path):
    d = _dialog(qtbot, trial)
    assert d.load_map(str(LAB_MAP))
    assert d.load_file(str(FIXTURES / "boris_lab.boris"))
    assert d.unmapped() == []                         # the loaded map fills every row
    d.choose("Reach", Target("ignore"))
    saved = d.save_map_to(str(tmp_path / "MAP.csv"))
    cmap = load_map(saved, trial.scheme)
    assert cmap.target(("Reach",))[1] == Target("ignore")
    assert cmap.target(("End",))[1] == Target("episode", episode=8, part="end")
    assert cmap.session_for("P2 post visit") == "P2 post" and cmap.coder_for("P2 post visit") == "Bob"


def test_check_writes_nothing_and_import_writes_what_check_said(qtbot, trial):
    d = _dialog(qtbot, trial)
    d.load_map(str(LAB_MAP))
    d.load_file(str(FIXTURES / "boris_lab.boris"))
    before = snapshot(trial)
    dry = d.run(dry_run=True)
    assert snapshot(trial) == before and "3 coding(s) to create" in d.report.toPlainText()
    with qtbot.waitSignal(d.imported) as got:
        real = d.run(dry_run=False)
    assert got.args[0] is real and real.count("created") == dry.count("created") == 3
    assert trial.counts()["events"] == 7


def test_problems_are_shown_and_nothing_is_written(qtbot, trial):
    d = _dialog(qtbot, trial)
    d.load_file(str(FIXTURES / "observer_problems.txt"))   # tool picked from the list: set it
    d.tool.setCurrentIndex(3)
    d.load_map(str(LAB_MAP))
    before = snapshot(trial)
    assert d.run(dry_run=False) is None
    assert "unpaired STOP" in d.report.toPlainText() and snapshot(trial) == before


def test_the_trial_menu_opens_it(qtbot, trial):
    win = QMainWindow()
    qtbot.addWidget(win)
    lead = trial.coder("Lead")
    actions = install_coordinator_menus(win, lambda: trial, lambda: lead)
    [act] = [a for a in actions if a.objectName() == "trial_import_codings"]
    act.trigger()
    assert isinstance(win.coordinator_windows.open["CodingsMapDialog"], CodingsMapDialog)
