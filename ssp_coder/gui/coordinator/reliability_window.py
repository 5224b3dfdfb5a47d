"""The Reliability window: agreement report, confusion matrices, timed codes, drift, conference, plan, certification.

The report (and the plan preview and certification) is computed in a separate
process that opens the project read-only, so the window never stutters while
it runs; everything that changes the project (consensus, plan) runs on the UI
thread through the window's ``Project`` as the signed-in coordinator or trainer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pandas as pd
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ssp_coder.domain.model import Coder
from ssp_coder.gui.coordinator.conference_tab import ConferenceTab
from ssp_coder.gui.coordinator.frame_model import FrameModel, format_cell
from ssp_coder.gui.coordinator.training_tabs import CertificationTab, PlanTab
from ssp_coder.gui.coordinator.widgets import (
    BusyBar,
    ImageView,
    table_view,
    titled,
    warn,
)
from ssp_coder.background import tasks
from ssp_coder.gui.coordinator.workers import ProcessJob
from ssp_coder.store.project import Project

OVERVIEW_COLUMNS = ["variable", "kind", "n", "agreement", "agreement_ci", "kappa", "kappa_ci", "weighted_kappa",
                    "icc_a1", "icc_a1_ci", "icc_c1", "mean_abs_diff", "within_1", "band", "note"]
OVERVIEW_HEADERS = {"agreement": "% agreement", "agreement_ci": "95 % CI (Wilson)", "kappa": "Cohen's κ",
                    "kappa_ci": "κ 95 % CI", "weighted_kappa": "weighted κ", "icc_a1": "ICC(2,1)",
                    "icc_a1_ci": "ICC(2,1) CI", "icc_c1": "ICC(3,1)", "mean_abs_diff": "mean |diff|",
                    "within_1": "within 1", "band": "band (Landis–Koch)", "note": "note"}


def _num(x: Any) -> str:
    return format_cell("", float(x)) if x is not None and not pd.isna(x) else "-"


def _ci(lo: Any, hi: Any, pct: bool = False) -> str:
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return "-"
    return f"{lo * 100:.1f}–{hi * 100:.1f} %" if pct else f"{lo:.2f} – {hi:.2f}"


def overview_frame(stats: pd.DataFrame) -> pd.DataFrame:
    """The report's statistics as the window shows them (two decimals; shares in %; CIs as ranges)."""
    rows = []
    for r in stats.to_dict("records"):
        row = {k: r[k] for k in ("pair", "coder_a", "coder_b") if k in r}
        row.update({
            "variable": r["variable"], "kind": r["kind"], "n": int(r["n"]),
            "agreement": "-" if pd.isna(r["percent_agreement"]) else f"{r['percent_agreement'] * 100:.1f} %",
            "agreement_ci": _ci(r["pa_ci_low"], r["pa_ci_high"], pct=True),
            "kappa": _num(r["kappa"]) if pd.isna(r["kappa"]) else f"{r['kappa']:.2f}",
            "kappa_ci": _ci(r["kappa_ci_low"], r["kappa_ci_high"]),
            "weighted_kappa": "-" if pd.isna(r["weighted_kappa"]) else f"{r['weighted_kappa']:.2f}",
            "icc_a1": "-" if pd.isna(r["icc_a1"]) else f"{r['icc_a1']:.2f}",
            "icc_a1_ci": _ci(r["icc_a1_ci_low"], r["icc_a1_ci_high"]),
            "icc_c1": "-" if pd.isna(r["icc_c1"]) else f"{r['icc_c1']:.2f}",
            "mean_abs_diff": "-" if pd.isna(r["mean_abs_diff"]) else f"{r['mean_abs_diff']:.2f}",
            "within_1": "-" if pd.isna(r["within_1"]) else f"{r['within_1'] * 100:.0f} %",
            # For ratings the band labels the weighted kappa, not the ICC beside it.
            "band": (f"{r['band']} (weighted κ)" if r["band"] and r["kind"] != "categorical" else r["band"]) or "-",
            "note": r.get("note") or ""})
        rows.append(row)
    lead = [c for c in ("pair",) if c in stats.columns]
    return pd.DataFrame(rows, columns=lead + OVERVIEW_COLUMNS)


def confusion_frame(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    out.columns = [f"reliability {c}" for c in out.columns]
    out.insert(0, "primary", [str(v) for v in table.index])
    return out.reset_index(drop=True)


class ReliabilityWindow(QMainWindow):
    """Non-modal. ``reportReady`` fires (with the report) whenever a computation finishes."""

    reportReady = Signal(object)
    busyChanged = Signal(bool)

    def __init__(self, project: Project, coder: Coder, parent: QWidget | None = None, *,
                 ask_save_path: Callable[[str, str], str | None] | None = None):
        super().__init__(parent)
        self.project = project
        self.coder = coder
        self.report: Any = None
        self._steps: list[Callable[[], None]] = []   # what is left to show of the newest report
        self.job: ProcessJob | None = None
        self.ask_save_path = ask_save_path or self._ask_save_path
        self.setWindowTitle(f"Reliability — {project.name}")
        self.resize(1366, 768)

        bar = QToolBar("Report")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.refresh_button = QPushButton("Recompute")
        self.refresh_button.clicked.connect(self.refresh)
        self.save_button = QPushButton("Save report…")
        self.save_button.setToolTip("Write every table of the report to an Excel workbook")
        self.save_button.clicked.connect(lambda: self.save_report())
        self.save_button.setEnabled(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop computing; the tables keep the last report")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.save_button)
        self.busy = BusyBar()
        self.state = QLabel("")
        bar.addSeparator()
        bar.addWidget(self.busy)
        bar.addWidget(self.state)

        self.tabs = QTabWidget()
        self.setCentralWidget(self.tabs)
        self._build_overview()
        self._build_confusion()
        self._build_timed()
        self._build_drift()
        self.conference = ConferenceTab(self)
        self.plan = PlanTab(self)
        self.certification = CertificationTab(self)
        self.tabs.addTab(self.conference, "Conference")
        self.tabs.addTab(self.plan, "Plan")
        self.tabs.addTab(self.certification, "Certification")
        self.conference.consensusCreated.connect(lambda _cid: self.refresh())
        self.plan.assigned.connect(lambda _ids: self.refresh())

    # -- tabs -----------------------------------------------------------------------------------
    def _build_overview(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.summary_label = QLabel("Computing…")
        self.summary_label.setWordWrap(True)
        lay.addWidget(self.summary_label)
        self.overall_model = FrameModel(headers=OVERVIEW_HEADERS, parent=self)
        self.by_pair_model = FrameModel(headers=OVERVIEW_HEADERS, parent=self)
        self.pending_model = FrameModel(parent=self)
        split = QSplitter(Qt.Orientation.Vertical)
        self.overall_view = table_view(self.overall_model)
        split.addWidget(titled("All pairs", self.overall_view,
                               "κ for categories, ICC for ratings; bands are a labelling convention, not a test"))
        pair_box = QWidget()
        pl = QVBoxLayout(pair_box)
        pl.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Pair:"))
        self.pair_combo = QComboBox()
        self.pair_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.pair_combo.currentTextChanged.connect(self._show_pair)
        row.addWidget(self.pair_combo)
        row.addStretch(1)
        pl.addLayout(row)
        self.by_pair_view = table_view(self.by_pair_model)
        pl.addWidget(self.by_pair_view)
        split.addWidget(titled("By coder pair", pair_box))
        self.pending_view = table_view(self.pending_model)
        split.addWidget(titled("Pending pairs", self.pending_view, "a coding of the pair is still a draft"))
        split.setSizes([330, 220, 110])
        lay.addWidget(split, 1)
        self.tabs.addTab(page, "Overview")

    def _build_confusion(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        row = QHBoxLayout()
        row.addWidget(QLabel("Variable:"))
        self.confusion_combo = QComboBox()
        self.confusion_combo.currentTextChanged.connect(self._show_confusion)
        row.addWidget(self.confusion_combo)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(QLabel("Rows: the primary coding; columns: the reliability coding. The diagonal is agreement."))
        self.confusion_model = FrameModel(parent=self)
        self.confusion_view = table_view(self.confusion_model, stretch_last=False)
        lay.addWidget(self.confusion_view, 1)
        self.tabs.addTab(page, "Confusion matrices")

    def _build_timed(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        row = QHBoxLayout()
        row.addWidget(QLabel("Pair:"))
        self.timed_combo = QComboBox()
        self.timed_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.timed_combo.currentTextChanged.connect(self._show_timed)
        row.addWidget(self.timed_combo)
        row.addStretch(1)
        lay.addLayout(row)
        self.timed_model = FrameModel(parent=self)
        self.timed_view = table_view(self.timed_model)
        lay.addWidget(self.timed_view, 1)
        self.tabs.addTab(page, "Timed codes")

    def _build_drift(self) -> None:
        split = QSplitter(Qt.Orientation.Horizontal)
        self.drift_image = ImageView()
        self.drift_model = FrameModel(parent=self, columns=["coder", "seq", "blinded_code", "window_n",
                                                            "abcd_agreement", "abcd_kappa", "d_rating_mad"])
        split.addWidget(self.drift_image)
        split.addWidget(titled("Rolling agreement per coder", table_view(self.drift_model)))
        split.setSizes([760, 600])
        self.tabs.addTab(split, "Drift")

    # -- computing ----------------------------------------------------------------------------------
    def refresh(self) -> ProcessJob:
        """Recompute in a separate process; the tabs update when ``reportReady`` fires.

        A computation still running is cancelled first: the newest request wins.
        """
        if self.job is not None:
            self.job.cancel()
        self.refresh_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.busy.busy(True)
        self.busyChanged.emit(True)
        self.state.setText("Computing agreement…")
        job = ProcessJob(tasks.reliability_window_report, self.project, self)
        job.signals.progress.connect(self._on_progress)
        job.signals.finished.connect(self._on_report)
        job.signals.failed.connect(self._on_failed)
        job.signals.cancelled.connect(lambda: self._on_cancelled(job))
        self.job = job
        return job.start()

    def cancel(self) -> None:
        """Stop the computation (its process is ended); the tables keep the last report."""
        if self.job is not None and self.job.running:
            self.job.cancel()
            self.state.setText("Cancelling…")

    def _on_progress(self, done: int, total: int, detail: str) -> None:
        self.busy.progress(done, total)
        self.state.setText(f"Computing: {detail}…" if detail and detail != "done" else "Computing…")

    def _on_cancelled(self, job: ProcessJob) -> None:
        if job is self.job:          # a cancelled earlier run must not touch a newer one
            self._idle()
            self.state.setText("Cancelled." + (" The tables show the last report." if self.report else ""))

    def _idle(self) -> None:
        self.busy.busy(False)
        self.refresh_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.busyChanged.emit(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._finish_showing()
        self.cancel()
        self.plan.cancel()
        self.certification.cancel()
        super().closeEvent(event)

    def _on_failed(self, message: str) -> None:
        self._idle()
        self.state.setText("The report could not be computed.")
        warn(self, "Reliability", message)

    def _on_report(self, result: dict[str, Any]) -> None:
        """Show a new report, one tab per event-loop turn, so the window answers input while the tables fill."""
        self._idle()
        report = result["report"]
        self.report = report
        self.save_button.setEnabled(True)
        self.state.setText(f"Computed {report.generated_at.replace('T', ' ')} UTC")
        # One table per turn: each model reset (and the column sizing it triggers) costs tens of
        # milliseconds on a 2,000-session report, so no turn does two.
        self._steps = [          # a newer report replaces whatever is left of this list
            lambda: self._show_overview(report),
            lambda: self._show_pairs(report),
            lambda: self.pending_model.set_frame(report.pending),
            lambda: self._show_confusions(report),
            lambda: self._show_timed_pairs(report),
            lambda: self.drift_image.set_png(result["drift_png"]),
            lambda: self.drift_model.set_frame(report.drift),
            lambda: self.conference.set_worklist(result["conference"], select=False),
            self.conference.restore_selection,
            lambda: self.reportReady.emit(report),
        ]
        self._next_step()

    def _next_step(self) -> None:
        if self._steps:
            self._steps.pop(0)()
        if self._steps:
            QTimer.singleShot(0, self, self._next_step)     # dropped if the window is gone by then

    def _finish_showing(self) -> None:
        """Fill what is left at once (the window is closing: nothing should run after it)."""
        while self._steps:
            self._steps.pop(0)()

    def _show_overview(self, report: Any) -> None:
        self.summary_label.setText(
            f"<b>{report.n_pairs}</b> complete pair(s) of primary and reliability codings, "
            f"<b>{len(report.pending)}</b> pending. Percent agreement with Wilson intervals; Cohen's κ for "
            "categories, ICC(2,1) absolute agreement for ratings. Landis &amp; Koch (1977) bands describe κ by "
            "convention. Intervals reaching past the possible range [−1, 1] are clipped to it, and rows with "
            f"fewer than {report.settings.get('reliability_min_pairs', 10)} pairs are flagged (see note).")
        self.overall_model.set_frame(overview_frame(report.overall))

    def _show_pairs(self, report: Any) -> None:
        pairs = sorted(report.by_pair["pair"].unique(), key=str.lower) if len(report.by_pair) else []
        self._fill_combo(self.pair_combo, pairs)
        self._show_pair(self.pair_combo.currentText())

    def _show_confusions(self, report: Any) -> None:
        self._fill_combo(self.confusion_combo, list(report.confusion))
        self._show_confusion(self.confusion_combo.currentText())

    def _show_timed_pairs(self, report: Any) -> None:
        timed_pairs = list(dict.fromkeys(report.timed["pair"])) if len(report.timed) else []
        self._fill_combo(self.timed_combo, timed_pairs)
        self._show_timed(self.timed_combo.currentText())

    @staticmethod
    def _fill_combo(combo: QComboBox, items: list[str]) -> None:
        keep = combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        combo.addItems([str(i) for i in items])
        if keep in items:
            combo.setCurrentText(keep)
        combo.blockSignals(False)

    def _show_pair(self, pair: str) -> None:
        if self.report is None:
            return
        sub = self.report.by_pair[self.report.by_pair["pair"] == pair]
        self.by_pair_model.set_frame(overview_frame(sub).drop(columns=["pair"], errors="ignore"))

    def _show_confusion(self, variable: str) -> None:
        if self.report is None or variable not in self.report.confusion:
            self.confusion_model.set_frame(pd.DataFrame())
            return
        self.confusion_model.set_frame(confusion_frame(self.report.confusion[variable]))

    def _show_timed(self, pair: str) -> None:
        if self.report is None:
            return
        t = self.report.timed
        self.timed_model.set_frame(t[t["pair"] == pair].drop(columns=["pair"]) if len(t) else t)

    # -- saving --------------------------------------------------------------------------------------
    def _ask_save_path(self, caption: str, filters: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, caption, str(self.project.path.parent), filters)
        return path or None

    def save_report(self, path: str | Path | None = None) -> Path | None:
        """Write the report as xlsx (asks where unless ``path`` is given). Returns the file or None."""
        from ssp_coder.errors import KnownError
        from ssp_coder.reliability.export import write_report_xlsx

        if self.report is None:
            return None
        if path is None:
            chosen = self.ask_save_path("Save the reliability report", "Excel workbook (*.xlsx)")
            if not chosen:
                return None
            path = chosen if chosen.lower().endswith(".xlsx") else chosen + ".xlsx"
        try:
            written = write_report_xlsx(self.report, path)
        except (KnownError, OSError) as exc:
            warn(self, "Cannot save the report", str(exc))
            return None
        self.state.setText(f"Saved {written}")
        return written
