"""Export dialog (formats, errors, cancelling) and the descriptive trial summary against the engine."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from ssp_coder.export import format_summary, output_paths, prepare_export
from ssp_coder.gui.coordinator import export_dialog
from ssp_coder.gui.coordinator.export_dialog import ExportDialog
from ssp_coder.gui.coordinator.summary_view import SummaryWindow
from tests.gui.coordinator.conftest import COMPUTE_MS


@pytest.fixture
def dialog(qtbot, project):
    d = ExportDialog(project)
    qtbot.addWidget(d)
    d.show()
    return d


def test_xlsx_export_lands_where_the_dialog_says(dialog, project, tmp_path, qtbot):
    out = tmp_path / "trial.xlsx"
    dialog.set_choice("xlsx", "both", out)
    with qtbot.waitSignal(dialog.exported, timeout=COMPUTE_MS) as got:
        dialog.start()
    assert got.args[0] == output_paths("xlsx", out, "both") == [out]
    assert str(out) in dialog.status.text() and dialog.export_button.isEnabled()
    sheets = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert {"data_long", "data_wide", "codebook", "summary", "settings"} <= set(sheets)
    long = pd.read_excel(out, sheet_name="data_long")
    assert len(long) == len(project.sessions())


@pytest.mark.parametrize("fmt", ["sav", "dta", "csv"])
def test_other_formats(dialog, tmp_path, qtbot, fmt):
    out = tmp_path / ("wide" if fmt == "csv" else f"wide.{fmt}")
    dialog.set_choice(fmt, "wide", out)
    with qtbot.waitSignal(dialog.exported, timeout=COMPUTE_MS) as got:
        dialog.start()
    paths = got.args[0]
    assert all(p.exists() for p in paths)
    if fmt in ("sav", "dta"):      # the events table is a file of its own, and the dialog names it
        assert [p.name for p in paths] == [f"wide.{fmt}", f"wide_events.{fmt}", "wide_codebook.csv"]
        assert str(paths[1]) in dialog.status.text()
    if fmt == "sav":
        frame, _meta = pyreadstat.read_sav(str(paths[0]))
        assert "secure_pre" in frame.columns
    if fmt == "csv":
        assert (out / "data_wide.csv").exists() and not (out / "data_long.csv").exists()


def test_format_change_adjusts_the_suffix(dialog, tmp_path):
    dialog.set_choice("xlsx", "both", tmp_path / "trial.xlsx")
    dialog.set_choice("sav")
    assert dialog.path_edit.text() == str(tmp_path / "trial.sav")
    dialog.set_choice("csv")
    assert dialog.path_edit.text() == str(tmp_path / "trial")


def test_an_unwritable_target_is_reported_not_raised(dialog, tmp_path, qtbot):
    blocker = tmp_path / "is_a_file"
    blocker.write_text("x")
    dialog.set_choice("csv", "both", blocker)          # csv needs a folder; a file is in the way
    job = dialog.start()
    qtbot.waitUntil(lambda: job.done.is_set() and dialog.export_button.isEnabled(), timeout=COMPUTE_MS)
    assert "it is a file" in dialog.last_error and "Not exported" in dialog.status.text()
    assert dialog.written == []


def test_cancel_leaves_nothing_behind(dialog, tmp_path, qtbot, monkeypatch):
    real = export_dialog.run_export

    def cancelling(project, fmt, out, shape, progress):
        def first_then_cancel(done, total, detail=""):
            if detail.startswith("Writing"):
                seen.append(detail)
                dialog.job.cancel()      # as if Cancel was pressed once the workbook was half written
            return progress(done, total, detail)
        return real(project, fmt, out, shape, first_then_cancel)

    seen: list[str] = []
    monkeypatch.setattr(export_dialog, "run_export", cancelling)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "never.xlsx"
    dialog.set_choice("xlsx", "both", out)
    job = dialog.start()
    qtbot.waitUntil(lambda: job.done.is_set() and "Cancelled" in dialog.status.text(), timeout=COMPUTE_MS)
    assert seen and not out.exists() and not list(folder.iterdir())
    assert dialog.written == [] and dialog.close_button.isEnabled()


def test_summary_shows_the_engines_tables_and_figures(qtbot, project, qtmodeltester):
    w = SummaryWindow(project)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.summaryReady, timeout=COMPUTE_MS):
        w.refresh()
    engine = prepare_export(project).summary
    assert w.text.toPlainText() == format_summary(engine)
    assert "Descriptive" in w.banner.text() and "descriptive" in w.windowTitle()
    assert w.text.isReadOnly()
    for key, table in engine.tables().items():
        model = w.models[key]
        qtmodeltester.check(model)
        assert model.rowCount() == len(table)
    dist = w.models["distribution"]
    for i, r in enumerate(engine.distribution.to_dict("records")):
        shown = dist.row(i)
        assert (shown["arm"], shown["timepoint"], shown["n"], shown["n_secure"]) == \
               (r["arm"], r["timepoint"], r["n"], r["n_secure"])
        col = list(engine.distribution.columns).index("pct_secure")
        assert dist.index(i, col).data() == f"{r['pct_secure']:.2f}" or dist.index(i, col).data() == \
            f"{int(r['pct_secure'])}"
    for view in w.images.values():
        assert not view.pixmap.isNull()


def test_a_read_only_target_is_refused_and_kept(dialog, tmp_path, qtbot):
    import stat

    target = tmp_path / "kept.xlsx"
    target.write_bytes(b"keep")
    target.chmod(stat.S_IRUSR)
    try:
        dialog.set_choice("xlsx", "long", target)
        job = dialog.start()
        qtbot.waitUntil(lambda: job.done.is_set() and dialog.export_button.isEnabled(), timeout=COMPUTE_MS)
        assert "read-only" in dialog.last_error and "read-only" in dialog.status.text()
        assert target.read_bytes() == b"keep"
    finally:
        target.chmod(stat.S_IRUSR | stat.S_IWUSR)
