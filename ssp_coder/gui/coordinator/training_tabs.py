"""The Reliability window's Plan (which sessions get a second, blind coding) and Certification tabs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ssp_coder.background import tasks
from ssp_coder.errors import KnownError
from ssp_coder.gui.coordinator.frame_model import FrameModel
from ssp_coder.gui.coordinator.widgets import BusyBar, inform, table_view, titled, warn
from ssp_coder.gui.coordinator.workers import ProcessJob


class PlanTab(QWidget):
    """Share and seed -> a preview of ``plan_double_coding``; Assign -> ``apply_plan`` on the UI thread."""

    assigned = Signal(list)
    planReady = Signal(object)

    def __init__(self, window: Any):
        super().__init__()
        from ssp_coder.reliability.settings import effective_settings

        self.window = window
        self.plan: Any = None
        self.job: ProcessJob | None = None
        share = effective_settings(window.project).get("double_coding_share") or 0.25
        self.share = QDoubleSpinBox()
        self.share.setRange(1, 100)
        self.share.setDecimals(0)
        self.share.setSuffix(" %")
        self.share.setValue(round(float(share) * 100))
        self.seed = QSpinBox()
        self.seed.setRange(-1, 2_000_000_000)
        self.seed.setSpecialValueText("random")
        self.seed.setValue(-1)
        self.seed.setToolTip("The same seed on the same project gives the same plan")
        self.preview_button = QPushButton("Preview")
        self.preview_button.clicked.connect(lambda: self.preview())
        self.assign_button = QPushButton("Assign")
        self.assign_button.setEnabled(False)
        self.assign_button.clicked.connect(lambda: self.assign())
        self.busy = BusyBar()
        row = QHBoxLayout()
        for w in (QLabel("Share double-coded:"), self.share, QLabel("Seed:"), self.seed, self.preview_button,
                  self.assign_button, self.busy):
            row.addWidget(w)
        row.addStretch(1)
        self.info = QLabel("The draw is stratified by arm × timepoint; sessions already double-coded count "
                           "toward the share. Each goes to the least-loaded coder who is not its primary coder.")
        self.info.setWordWrap(True)
        self.strata_model = FrameModel(parent=self, headers={"already_double_coded": "already double-coded"})
        self.planned_model = FrameModel(parent=self, columns=["blinded_code", "arm", "timepoint", "primary_coder",
                                                              "reliability_coder"],
                                        headers={"blinded_code": "session"})
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(titled("Strata", table_view(self.strata_model)))
        split.addWidget(titled("Planned reliability codings", table_view(self.planned_model)))
        split.setSizes([500, 800])
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.info)
        lay.addWidget(split, 1)

    def preview(self) -> ProcessJob:
        """Draw the plan in a separate process on the project as it is now (a newer preview replaces a running one)."""
        share, seed = self.share.value() / 100, (None if self.seed.value() < 0 else self.seed.value())
        self.cancel()
        self.busy.busy(True)
        self.assign_button.setEnabled(False)
        self.job = ProcessJob(tasks.double_coding_plan, self.window.project, self, share=share, seed=seed)
        self.job.signals.finished.connect(self._on_plan)
        self.job.signals.failed.connect(self._on_failed)
        return self.job.start()

    def cancel(self) -> None:
        if self.job is not None and self.job.running:
            self.job.cancel()
            self.busy.busy(False)

    def _on_failed(self, message: str) -> None:
        self.busy.busy(False)
        warn(self, "Cannot plan double coding", message)

    def _on_plan(self, plan: Any) -> None:
        self.busy.busy(False)
        self.plan = plan
        self.strata_model.set_frame(plan.strata)
        self.planned_model.set_frame(plan.to_frame())
        load = ", ".join(f"{c} {n}" for c, n in plan.load().items())
        extra = f" Cannot be assigned (no eligible coder): {', '.join(plan.unassignable)}." if plan.unassignable else ""
        self.info.setText(f"{plan.eligible} session(s) with a primary coding; target {plan.target} "
                          f"({plan.share * 100:g} %). Already double-coded: {len(plan.kept)}. New reliability "
                          f"codings: {len(plan.planned)} ({load}).{extra}")
        self.assign_button.setEnabled(bool(plan.planned))
        self.planReady.emit(plan)

    def assign(self) -> list[int]:
        from ssp_coder.reliability.plan import apply_plan

        if self.plan is None or not self.plan.planned:
            return []
        try:
            ids = apply_plan(self.window.project, self.plan, actor=self.window.coder.name)
        except KnownError as exc:
            warn(self, "Nothing was assigned", str(exc))
            return []
        self.plan = None
        self.assign_button.setEnabled(False)
        self.info.setText(f"Assigned {len(ids)} reliability coding(s). Preview again to plan more.")
        self.assigned.emit(ids)
        return ids


class CertificationTab(QWidget):
    """A trainee's training codings against the gold standards: pass or not yet, per criterion.

    A trainer also marks gold standards here: a complete expert coding of a session.
    """

    reportReady = Signal(object)
    goldMarked = Signal(object)

    def __init__(self, window: Any):
        super().__init__()
        self.window = window
        self.report: Any = None
        self.job: ProcessJob | None = None
        self.trainee = QComboBox()
        self.trainee.addItems([c.name for c in window.project.coders()])
        self.compute_button = QPushButton("Compute")
        self.compute_button.clicked.connect(lambda: self.compute())
        self.save_button = QPushButton("Save report…")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(lambda: self.save())
        self.busy = BusyBar()
        row = QHBoxLayout()
        for w in (QLabel("Trainee:"), self.trainee, self.compute_button, self.save_button, self.busy):
            row.addWidget(w)
        row.addStretch(1)
        self.gold_coding = QComboBox()
        self.gold_coding.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.gold_button = QPushButton("Mark as gold standard")
        self.gold_button.setToolTip("Trainers only: this complete coding becomes the session's expert reference")
        self.gold_button.clicked.connect(lambda: self.mark_gold())
        self.gold_button.setEnabled(window.coder.role == "trainer")
        self.gold_model = FrameModel(parent=self, columns=["blinded_code", "coding_id", "marked_by", "marked_at"],
                                     headers={"blinded_code": "session", "coding_id": "gold coding"})
        gold_row = QHBoxLayout()
        for w in (QLabel("Gold standard:"), self.gold_coding, self.gold_button):
            gold_row.addWidget(w)
        gold_row.addStretch(1)
        self.load_gold()
        self.result = QLabel("Pick a trainee and compute. Training codings are compared with the gold standards "
                             "marked by a trainer.")
        self.result.setWordWrap(True)
        self.criteria_model = FrameModel(parent=self, columns=["criterion", "n", "n_agree", "agreement", "ci_low",
                                                               "ci_high", "kappa", "required", "passed"],
                                         headers={"n_agree": "agree", "ci_low": "95 % CI low",
                                                  "ci_high": "95 % CI high", "required": "pass mark"},
                                         highlight=lambda r: not r.get("passed"))
        self.sessions_model = FrameModel(parent=self, headers={"blinded_code": "session"})
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(titled("Criteria", table_view(self.criteria_model)))
        split.addWidget(titled("The trainee's gold sessions", table_view(self.sessions_model)))
        split.addWidget(titled("Gold standards of the project", table_view(self.gold_model)))
        split.setSizes([150, 300, 150])
        lay = QVBoxLayout(self)
        lay.addLayout(gold_row)
        lay.addLayout(row)
        lay.addWidget(self.result)
        lay.addWidget(split, 1)

    def load_gold(self) -> None:
        from ssp_coder.store.reliability_sql import gold_standards

        project = self.window.project
        names = {int(c.id): c.name for c in project.coders()}
        codes = {int(s.id): s.blinded_code for s in project.sessions()}
        self.gold_coding.clear()
        for c in sorted(project.codings(status="complete"), key=lambda c: (codes[int(c.session_id)], int(c.id))):
            if c.purpose == "training":
                continue     # a trainee's attempt is never the reference
            self.gold_coding.addItem(f"{codes[int(c.session_id)]} — {names[int(c.coder_id)]} ({c.purpose})",
                                     (codes[int(c.session_id)], int(c.id)))
        self.gold_model.set_frame(pd.DataFrame([g.__dict__ for g in gold_standards(project)],
                                               columns=["session_id", "blinded_code", "coding_id", "marked_by",
                                                        "marked_at"]))

    def mark_gold(self, session_code: str | None = None, coding_id: int | None = None) -> Any:
        """Mark a complete coding as its session's gold standard, as the signed-in trainer (UI thread)."""
        from ssp_coder.reliability.certification import mark_gold

        if session_code is None or coding_id is None:
            data = self.gold_coding.currentData()
            if data is None:
                return None
            session_code, coding_id = data
        try:
            gold = mark_gold(self.window.project, session_code, int(coding_id), self.window.coder.name)
        except KnownError as exc:
            warn(self, "Cannot mark the gold standard", str(exc))
            return None
        self.load_gold()
        self.goldMarked.emit(gold)
        return gold

    def compute(self, trainee: str | None = None) -> ProcessJob:
        """Compare the trainee's codings with the gold standards, in a separate process."""
        name = trainee or self.trainee.currentText()
        self.trainee.setCurrentText(name)
        self.cancel()
        self.busy.busy(True)
        self.job = ProcessJob(tasks.certification, self.window.project, self, trainee=name)
        self.job.signals.finished.connect(self._on_report)
        self.job.signals.failed.connect(self._on_failed)
        return self.job.start()

    def cancel(self) -> None:
        if self.job is not None and self.job.running:
            self.job.cancel()
            self.busy.busy(False)

    def _on_failed(self, message: str) -> None:
        self.busy.busy(False)
        self.report = None
        self.save_button.setEnabled(False)
        self.criteria_model.set_frame(pd.DataFrame())
        self.sessions_model.set_frame(pd.DataFrame())
        self.result.setText(message)

    def _on_report(self, report: Any) -> None:
        self.busy.busy(False)
        self.report = report
        verdict = "<b style='color:#2e7d32'>PASSED</b>" if report.passed else "<b style='color:#c62828'>NOT YET</b>"
        missing = f" Gold sessions not yet coded: {', '.join(report.not_coded)}." if report.not_coded else ""
        self.result.setText(f"{report.trainee}: {verdict} (pass mark {report.pass_share * 100:g} % agreement on "
                            f"every criterion; a convention of the certifying institutes).{missing}")
        self.criteria_model.set_frame(report.criteria)
        self.sessions_model.set_frame(report.sessions)
        self.save_button.setEnabled(True)
        self.reportReady.emit(report)

    def save(self, path: str | Path | None = None) -> Path | None:
        from ssp_coder.reliability.certification_export import write_certification

        if self.report is None:
            return None
        if path is None:
            path = self.window.ask_save_path("Save the certification report", "PDF (*.pdf);;Excel workbook (*.xlsx)")
            if not path:
                return None
        if Path(path).suffix.lower() not in (".pdf", ".xlsx"):
            path = str(path) + ".pdf"
        try:
            written = write_certification(self.report, path)
        except (KnownError, OSError) as exc:
            warn(self, "Cannot save the certification report", str(exc))
            return None
        inform(self, "Certification report", f"Saved to {written}")
        return written
