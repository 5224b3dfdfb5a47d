"""The certification report as an Excel workbook or a one- or two-page PDF, written atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ssp_coder.atomic import WriteError, atomic_path
from ssp_coder.cleantext import printable_frame
from ssp_coder.reliability.certification import CertificationReport
from ssp_coder.reliability.export import fit_column_widths


def _pct(x: Any) -> str:
    return "-" if x is None or pd.isna(x) else f"{x * 100:.1f} %"


def _num(x: Any) -> str:
    return "-" if x is None or pd.isna(x) else f"{x:.2f}"


def criteria_rows(report: CertificationReport) -> list[list[str]]:
    out = []
    for _, r in report.criteria.iterrows():
        out.append([r["criterion"], f"{int(r['n_agree'])} / {int(r['n'])}", _pct(r["agreement"]),
                    f"{_pct(r['ci_low'])} - {_pct(r['ci_high'])}", _num(r["kappa"]), _pct(r["required"]),
                    "pass" if r["passed"] else "not yet"])
    return out


def write_certification_xlsx(report: CertificationReport, path: str | Path) -> Path:
    path = Path(path)
    summary = pd.DataFrame([("project", report.project), ("trainee", report.trainee),
                            ("generated", report.generated_at), ("result", "PASS" if report.passed else "NOT PASSED"),
                            ("pass mark", report.pass_share),
                            ("gold sessions not yet coded", ", ".join(report.not_coded) or "none")]
                           + [(f"setting {k}", str(v)) for k, v in report.settings.items()],
                           columns=["item", "value"])
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            printable_frame(summary).to_excel(xl, sheet_name="summary", index=False)
            printable_frame(report.criteria).to_excel(xl, sheet_name="criteria", index=False)
            printable_frame(report.sessions).to_excel(xl, sheet_name="sessions", index=False)
            fit_column_widths(xl.book, widest=50)
    return path


_ROWS_PER_PAGE = 28


def write_certification_pdf(report: CertificationReport, path: str | Path) -> Path:
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    path = Path(path)
    sess = report.sessions
    session_rows = [[r["blinded_code"], str(r["gold_classification"]), str(r["trainee_classification"]),
                     "yes" if r["abcd_agree"] else ("-" if r["abcd_agree"] is None else "no"),
                     "yes" if r["d_agree"] else ("-" if r["d_agree"] is None else "no")] for _, r in sess.iterrows()]
    chunks = [session_rows[i:i + _ROWS_PER_PAGE] for i in range(0, len(session_rows), _ROWS_PER_PAGE)] or [[]]
    with atomic_path(path) as tmp:
        with PdfPages(tmp) as pdf:
            for page, chunk in enumerate(chunks):
                fig = Figure(figsize=(8.27, 11.69))          # A4 portrait
                ax = fig.add_axes((0.08, 0.05, 0.84, 0.9))
                ax.axis("off")
                y = 1.0
                if page == 0:
                    ax.text(0, y, "Strange Situation coding: certification report", fontsize=15, weight="bold",
                            va="top")
                    verdict = "PASSED" if report.passed else "NOT PASSED"
                    lines = [f"Trainee: {report.trainee}", f"Project: {report.project}",
                             f"Date: {report.generated_at[:10]}",
                             f"Pass mark: {report.pass_share * 100:.0f} % agreement on each criterion "
                             "(a convention; agreement exactly at the mark passes)"]
                    for i, line in enumerate(lines):
                        ax.text(0, y - 0.045 - 0.026 * i, line, fontsize=10, va="top")
                    ax.text(0, y - 0.19, f"Result: {verdict}", fontsize=14, weight="bold", va="top",
                            color="#1a7f37" if report.passed else "#b3261e")
                    t = ax.table(cellText=criteria_rows(report) or [["-"] * 7],
                                 colLabels=["Criterion", "Agree", "Agreement", "95 % CI (Wilson)", "Kappa",
                                            "Required", "Result"],
                                 colWidths=[0.24, 0.09, 0.11, 0.2, 0.09, 0.12, 0.15],
                                 bbox=(0, y - 0.36, 1, 0.12), cellLoc="center")
                    t.auto_set_font_size(False)
                    t.set_fontsize(8.5)
                    notes = [f"Gold sessions not yet coded by the trainee: {', '.join(report.not_coded) or 'none'}.",
                             f"ABCD four-way split; CC counted as {report.settings.get('cc_handling')}, "
                             f"U as {report.settings.get('unclassifiable_handling')}. "
                             "Kappa is blank where it is not defined."]
                    for i, line in enumerate(notes):
                        ax.text(0, y - 0.39 - 0.024 * i, line, fontsize=8, va="top", wrap=True)
                    top = y - 0.47
                else:
                    ax.text(0, y, f"Certification report, {report.trainee} (continued)", fontsize=11, va="top")
                    top = y - 0.05
                if chunk:
                    height = 0.025 * (len(chunk) + 1)
                    t2 = ax.table(cellText=chunk, colLabels=["Session", "Gold", "Trainee", "ABCD agrees",
                                                             "D / not D agrees"],
                                  bbox=(0, top - height, 1, height), cellLoc="center")
                    t2.auto_set_font_size(False)
                    t2.set_fontsize(8.5)
                pdf.savefig(fig)
    return path


def write_certification(report: CertificationReport, path: str | Path) -> Path:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return write_certification_pdf(report, path)
    if suffix == ".xlsx":
        return write_certification_xlsx(report, path)
    raise WriteError(f"{path}: the certification report is written as .pdf or .xlsx.")
