"""Coder packages through the dialogs (export, coder's edits, dry run, conflicts, import) and the Trial menu."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

import ssp_coder.packages as packages
from ssp_coder.domain.commands import MarkComplete, Reopen, SetCodingNote
from ssp_coder.gui.coordinator.menus import MENU_OBJECT_NAME, install_coordinator_menus
from ssp_coder.gui.coordinator.package_dialogs import (
    ExportPackageDialog, ImportPackageDialog, PackageInfoDialog,
)
from tests.gui.coordinator.conftest import COMPUTE_MS

CODER = "Ana Alvarez"


def _export(qtbot, project, path, *, videos=False):
    d = ExportPackageDialog(project)
    qtbot.addWidget(d)
    d.coder.setCurrentText(CODER)
    d.path_edit.setText(str(path))
    d.videos.setChecked(videos)
    with qtbot.waitSignal(d.exported, timeout=COMPUTE_MS) as got:
        d.start()
    return d, got.args[0]


def _edit(opened, cid, note):
    p = opened.project
    p.execute(Reopen(cid, reason="second look"))
    p.execute(SetCodingNote(cid, note))
    p.execute(MarkComplete(cid))


def test_export_defaults_to_the_coders_assignments(qtbot, project, tmp_path):
    who = project.coder(CODER)
    assigned = sorted({project.session(int(c.session_id)).blinded_code
                       for c in project.codings(coder_id=int(who.id)) if c.purpose != "consensus"})
    d, info = _export(qtbot, project, tmp_path / "ana.sspkg", videos=True)
    assert d.chosen_sessions() == assigned
    assert sorted(info.session_codes) == assigned and info.with_videos and info.path.exists()
    assert "Package written" in d.status.text()
    pkg = packages.read_package(info.path)
    assert pkg.coder == CODER and len(pkg.video_members) == len(assigned)


def test_export_a_subset(qtbot, project, tmp_path):
    d = ExportPackageDialog(project)
    qtbot.addWidget(d)
    d.coder.setCurrentText(CODER)
    for i in range(1, d.sessions.count()):
        d.sessions.item(i).setCheckState(Qt.CheckState.Unchecked)
    d.path_edit.setText(str(tmp_path / "one"))
    with qtbot.waitSignal(d.exported, timeout=COMPUTE_MS) as got:
        d.start()
    assert got.args[0].session_codes == (d.sessions.item(0).text(),)
    assert got.args[0].path.suffix == ".sspkg"


def test_cancel_package_export(qtbot, project, tmp_path, monkeypatch):
    real = packages.export_package
    d = ExportPackageDialog(project)
    qtbot.addWidget(d)
    d.coder.setCurrentText(CODER)
    d.videos.setChecked(True)
    out = tmp_path / "cancelled.sspkg"
    d.path_edit.setText(str(out))

    def cancelling(*args, progress, **kwargs):
        def hook(done, total, detail=""):
            d.job.cancel()
            return progress(done, total, detail)
        return real(*args, progress=hook, **kwargs)

    monkeypatch.setattr(packages, "export_package", cancelling)
    job = d.start()
    qtbot.waitUntil(lambda: job.done.is_set() and "Cancelled" in d.status.text(), timeout=COMPUTE_MS)
    assert not out.exists() and d.info is None


def test_dry_run_conflict_choice_and_import(qtbot, project, tmp_path, qtmodeltester):
    _d, info = _export(qtbot, project, tmp_path / "ana.sspkg")
    with packages.open_package(info.path) as opened:
        done = [c for c in opened.project.codings() if c.is_complete][:2]
        assert len(done) == 2
        codes = [opened.project.session(int(c.session_id)).blinded_code for c in done]
        for c in done:
            _edit(opened, int(c.id), "checked in the package")
    returned = packages.returned_path(packages.read_package(info.path))
    assert returned.exists()
    # the coordinator changed the second coding in the project meanwhile: a conflict
    clash = next(c for c in project.codings(session_id=int(project.session_by_code(codes[1]).id),
                                            coder_id=int(project.coder(CODER).id)))
    project.execute(Reopen(int(clash.id), reason="coordinator's check"))
    project.execute(SetCodingNote(int(clash.id), "coordinator's note"))
    project.execute(MarkComplete(int(clash.id)))

    d = ImportPackageDialog(project)
    qtbot.addWidget(d)
    d.path_edit.setText(str(returned))
    assert not d.import_button.isEnabled()
    with qtbot.waitSignal(d.previewed, timeout=COMPUTE_MS) as got:
        d.preview()
    preview = got.args[0]
    assert preview.dry_run and [m.session_code for m in preview.merged] == [codes[0]]
    assert [c.session_code for c in preview.conflicts] == [codes[1]]
    assert project.coding_state(int(clash.id)).result.note == "coordinator's note"      # dry run changed nothing
    assert d.preview_text.toPlainText() == preview.summary() and d.import_button.isEnabled()
    qtmodeltester.check(d.conflict_model)
    assert d.conflict_model.setData(d.conflict_model.index(0, 4), "package")
    assert not d.conflict_model.setData(d.conflict_model.index(0, 4), "neither")
    with qtbot.waitSignal(d.imported, timeout=COMPUTE_MS) as got:
        d.start_import()
    report = got.args[0]
    assert not report.dry_run and sorted(m.session_code for m in report.merged) == sorted(codes)
    assert not report.conflicts
    assert project.coding_state(int(clash.id)).result.note == "checked in the package"


def test_import_of_a_broken_file_is_a_message(qtbot, project, tmp_path):
    bad = tmp_path / "bad.sspkg"
    bad.write_bytes(b"not a zip")
    d = ImportPackageDialog(project)
    qtbot.addWidget(d)
    d.path_edit.setText(str(bad))
    job = d.preview()
    qtbot.waitUntil(lambda: job.done.is_set() and d.close_button.isEnabled(), timeout=COMPUTE_MS)
    assert d.last_error and "Not done" in d.status.text() and not d.import_button.isEnabled()


def test_package_info(qtbot, project, tmp_path):
    _d, info = _export(qtbot, project, tmp_path / "ana.sspkg")
    d = PackageInfoDialog()
    qtbot.addWidget(d)
    d.path_edit.setText(str(info.path))
    job = d.check()
    qtbot.waitUntil(lambda: job.done.is_set() and bool(d.text.toPlainText()), timeout=COMPUTE_MS)
    assert info.package_id in d.text.toPlainText() and CODER in d.text.toPlainText()


def _menu_titles(win):
    return [a.text() for a in win.menuBar().actions()]


@pytest.mark.parametrize("name,visible", [("Ana Alvarez", False), ("Dana Lead", True), ("Eve Trainer", True)])
def test_trial_menu_only_for_coordinators_and_trainers(qtbot, project, name, visible):
    win = QMainWindow()
    qtbot.addWidget(win)
    coder = project.coder(name)
    actions = install_coordinator_menus(win, lambda: project, lambda: coder)
    assert ("&Trial" in _menu_titles(win)) is visible
    assert (win.menuBar().findChild(type(win.menuBar().addMenu("x")), MENU_OBJECT_NAME) is not None) is visible
    if visible:
        assert [a.text() for a in actions] == ["Reliability…", "Export data…", "Trial summary…",
                                               "Import codings from BORIS, ELAN, Datavyu, Observer…",
                                               "Export coder package…", "Import returned package…",
                                               "Package info…"]
    else:
        assert actions == []


def test_menu_opens_the_reliability_window_once(qtbot, project):
    win = QMainWindow()
    qtbot.addWidget(win)
    coder = project.coder("Dana Lead")
    actions = install_coordinator_menus(win, lambda: project, lambda: coder)
    actions[0].trigger()
    rel = win.coordinator_windows.open["reliability"]
    with qtbot.waitSignal(rel.reportReady, timeout=COMPUTE_MS):
        pass                             # computed in a child process: nothing arrives before the loop runs
    assert rel.report is not None
    actions[0].trigger()
    assert win.coordinator_windows.open["reliability"] is rel and rel.isVisible()
    actions[1].trigger()
    assert win.coordinator_windows.open["ExportDialog"].isVisible()


@pytest.mark.parametrize("name,visible", [("Ana Alvarez", False), ("Dana Lead", True)])
def test_the_coding_window_has_the_trial_menu_by_role(window_factory, project, name, visible):
    win = window_factory(project, name)
    assert ("&Trial" in _menu_titles(win)) is visible
    assert hasattr(win, "coordinator_windows") is visible


def test_closing_a_dialog_while_it_works_cancels_first(qtbot, project, tmp_path, monkeypatch):
    real = packages.export_package
    d = ExportPackageDialog(project)
    qtbot.addWidget(d)
    d.show()
    d.coder.setCurrentText(CODER)
    d.videos.setChecked(True)
    out = tmp_path / "closing.sspkg"
    d.path_edit.setText(str(out))

    def closing(*args, progress, **kwargs):
        def hook(done, total, detail=""):
            go.wait(10)                  # hold the job until the test has asked the dialog to close
            return progress(done, total, detail)
        return real(*args, progress=hook, **kwargs)

    import threading

    go = threading.Event()
    monkeypatch.setattr(packages, "export_package", closing)
    with qtbot.waitSignal(d.rejected, timeout=COMPUTE_MS):
        job = d.start()
        d.reject()                       # asks the job to stop; the dialog stays until it has
        assert d.isVisible() and job.is_cancelled and not job.done.is_set()
        go.set()
    assert job.done.is_set() and not out.exists() and not d.isVisible()


@pytest.mark.parametrize("name,visible", [("Ana Alvarez", False), ("Dana Lead", True)])
def test_package_actions_are_in_the_file_menu_too(window_factory, project, name, visible):
    win = window_factory(project, name)
    file_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&File")
    names = [a.objectName() for a in file_menu.actions()]
    has = {"trial_package_export", "trial_package_import", "trial_package_info"} <= set(names)
    assert has is visible
    assert file_menu.actions()[-1].text() == "Quit"
