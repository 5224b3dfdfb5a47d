"""The Trial menu for coordinators and trainers: one call from the main window installs it.

    install_coordinator_menus(window, lambda: project, lambda: coder)

Coders never get the menu: its windows show other coders' work, arms and
timepoints. Each action checks the role again when triggered, in case the
person at the keyboard changed.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

ROLES = ("coordinator", "trainer")
MENU_OBJECT_NAME = "trial_menu"


def allowed(coder: Any) -> bool:
    return coder is not None and getattr(coder, "role", None) in ROLES


class CoordinatorWindows:
    """Opens (and reuses) the non-modal windows; dialogs are made fresh each time."""

    def __init__(self, window: QMainWindow, project_getter: Callable[[], Any], coder_getter: Callable[[], Any]):
        self.window = window
        self.project = project_getter
        self.coder = coder_getter
        self.open: dict[str, QWidget] = {}

    def _check(self) -> bool:
        if allowed(self.coder()):
            return True
        QMessageBox.warning(self.window, "Trial", "Only coordinators and trainers can open the trial's windows.")
        return False

    def _reuse(self, key: str, make: Callable[[], QWidget]) -> QWidget:
        w = self.open.get(key)
        if w is None or getattr(w, "project", None) is not self.project():
            w = make()
            self.open[key] = w
            if hasattr(w, "refresh"):
                w.refresh()
        w.show()
        w.raise_()
        w.activateWindow()
        return w

    def reliability(self) -> QWidget | None:
        from ssp_coder.gui.coordinator.reliability_window import ReliabilityWindow

        if not self._check():
            return None
        return self._reuse("reliability", lambda: ReliabilityWindow(self.project(), self.coder(), self.window))

    def summary(self) -> QWidget | None:
        from ssp_coder.gui.coordinator.summary_view import SummaryWindow

        if not self._check():
            return None
        return self._reuse("summary", lambda: SummaryWindow(self.project(), self.window))

    def _dialog(self, make: Callable[[], QWidget]) -> QWidget | None:
        if not self._check():
            return None
        dlg = make()
        dlg.show()
        self.open[type(dlg).__name__] = dlg
        return dlg

    def export_data(self) -> QWidget | None:
        from ssp_coder.gui.coordinator.export_dialog import ExportDialog
        return self._dialog(lambda: ExportDialog(self.project(), self.window))

    def export_package(self) -> QWidget | None:
        from ssp_coder.gui.coordinator.package_dialogs import ExportPackageDialog
        return self._dialog(lambda: ExportPackageDialog(self.project(), self.window))

    def import_package(self) -> QWidget | None:
        from ssp_coder.gui.coordinator.package_dialogs import ImportPackageDialog
        return self._dialog(lambda: ImportPackageDialog(self.project(), self.window))

    def import_codings(self) -> QWidget | None:
        from ssp_coder.gui.coordinator.codings_map_dialog import CodingsMapDialog
        return self._dialog(lambda: CodingsMapDialog(self.project(), self.window))

    def package_info(self) -> QWidget | None:
        from ssp_coder.gui.coordinator.package_dialogs import PackageInfoDialog
        return self._dialog(lambda: PackageInfoDialog(self.window))


def install_coordinator_menus(window: QMainWindow, project_getter: Callable[[], Any],
                              coder_getter: Callable[[], Any]) -> list[QAction]:
    """Add the Trial menu to ``window``'s menu bar for coordinators and trainers; returns its actions.

    For the coder role nothing is added and the list is empty.
    """
    if not allowed(coder_getter()):
        return []
    opener = CoordinatorWindows(window, project_getter, coder_getter)
    window.coordinator_windows = opener          # keeps the opened windows alive with the main window
    menu = window.menuBar().addMenu("&Trial")
    menu.setObjectName(MENU_OBJECT_NAME)
    actions = []
    for name, label, slot in (("trial_reliability", "Reliability…", opener.reliability),
                              ("trial_export", "Export data…", opener.export_data),
                              ("trial_summary", "Trial summary…", opener.summary),
                              ("trial_import_codings", "Import codings from BORIS, ELAN, Datavyu, Observer…",
                               opener.import_codings),
                              (None, None, None),
                              ("trial_package_export", "Export coder package…", opener.export_package),
                              ("trial_package_import", "Import returned package…", opener.import_package),
                              ("trial_package_info", "Package info…", opener.package_info)):
        if name is None:
            menu.addSeparator()
            continue
        act = QAction(label, window)
        act.setObjectName(name)
        act.triggered.connect(lambda _checked=False, f=slot: f())
        menu.addAction(act)
        actions.append(act)
    _also_in_file_menu(window, [a for a in actions if a.objectName().startswith("trial_package")])
    return actions


def _also_in_file_menu(window: QMainWindow, actions: list[QAction]) -> None:
    """Packages are files a coordinator sends and receives: offer them in the File menu too."""
    for top in window.menuBar().actions():
        file_menu = top.menu()
        if file_menu is not None and top.text().replace("&", "") == "File":
            separators = [a for a in file_menu.actions() if a.isSeparator()]
            before = separators[-1] if separators else None
            file_menu.insertSeparator(before) if before is not None else file_menu.addSeparator()
            for act in actions:
                file_menu.insertAction(before, act) if before is not None else file_menu.addAction(act)
            return
