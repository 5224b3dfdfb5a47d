"""Writing reliability reports to xlsx (and figures next to them), atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ssp_coder.atomic import WriteError, atomic_path, check_folder, check_target
from ssp_coder.cleantext import printable_frame
from ssp_coder.export.xlsx import sheet_name as excel_sheet_name
from ssp_coder.reliability.report import ReliabilityReport


def _about(report: ReliabilityReport) -> pd.DataFrame:
    rows = [("project", report.project), ("generated", report.generated_at), ("complete pairs", report.n_pairs),
            ("pending pairs", len(report.pending)),
            ("kappa bands", "Landis & Koch (1977) labels: a convention for describing kappa, not a test"),
            ("icc_a1", "ICC(2,1): two-way random, absolute agreement, single rater"),
            ("icc_c1", "ICC(3,1): two-way mixed, consistency, single rater"),
            ("percent agreement CI", "Wilson score interval"),
            ("intervals", "kappa, weighted kappa and ICC intervals are large-sample intervals, clipped to the "
                          "possible range [-1, 1] where they reach past it (column ci_clipped, note)"),
            ("small n", f"rows with fewer than {report.settings.get('reliability_min_pairs', 10)} pairs are "
                        "flagged (column small_n): too few for a stable estimate")]
    rows += [(f"setting {k}", str(v)) for k, v in report.settings.items()]
    return pd.DataFrame(rows, columns=["item", "value"])


def fit_column_widths(book: Any, widest: int) -> None:
    """Each column of an openpyxl workbook as wide as its longest value, within 10 and ``widest`` characters."""
    for ws in book.worksheets:
        for col in ws.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(max(10, width + 2), widest)


def check_outputs(xlsx: str | Path | None, figures: str | Path | None) -> None:
    """Every output of ``irr`` is checked before any is written: an error then leaves nothing behind."""
    if xlsx is not None:
        if Path(xlsx).suffix.lower() != ".xlsx":
            raise WriteError(f"{xlsx}: the reliability report is written as an Excel file; give a name ending in "
                             ".xlsx. Nothing was written.")
        check_target(xlsx)
    if figures is not None:
        check_folder(figures)


def write_report_xlsx(report: ReliabilityReport, path: str | Path) -> Path:
    """Sheets: about, overall, by_pair, confusion_<variable>, timed, drift, pending, pairs."""
    path = Path(path)
    check_outputs(path, None)
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            printable_frame(_about(report)).to_excel(xl, sheet_name="about", index=False)
            printable_frame(report.overall).to_excel(xl, sheet_name="overall", index=False)
            printable_frame(report.by_pair).to_excel(xl, sheet_name="by_pair", index=False)
            for var, table in report.confusion.items():
                t = table.copy()
                t.index = [f"primary {v}" for v in t.index]
                t.columns = [f"reliability {v}" for v in t.columns]
                printable_frame(t).to_excel(xl, sheet_name=excel_sheet_name(f"confusion_{var}"))
            printable_frame(report.timed).to_excel(xl, sheet_name="timed", index=False)
            printable_frame(report.drift).to_excel(xl, sheet_name="drift", index=False)
            printable_frame(report.pending).to_excel(xl, sheet_name="pending", index=False)
            printable_frame(report.pairs).to_excel(xl, sheet_name="pairs", index=False)
            for ws in xl.book.worksheets:
                ws.freeze_panes = "B2"
            fit_column_widths(xl.book, widest=40)
    return path


def write_figures(report: ReliabilityReport, folder: str | Path, formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    from ssp_coder.reliability.drift import save_figure

    # Created if missing, as 'summary --figures' does.
    folder = check_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fig = report.drift_figure()
    return [save_figure(fig, folder / f"reliability_drift.{fmt}") for fmt in formats]


def summary_lines(report: ReliabilityReport) -> list[str]:
    """A terminal summary of the overall table.

    The agreement column is exact agreement for categorical variables and agreement within one point
    for ratings and composites (exact agreement says little about a continuous score). The band is
    Landis & Koch's label of kappa; for the D rating it labels the weighted kappa, and says so.
    """
    out = [f"Reliability of {report.project}: {report.n_pairs} complete pair(s), {len(report.pending)} pending."]
    if not report.n_pairs:
        return out
    out.append(f"{'variable':<22}{'n':>4}  {'agree':>8}  {'kappa / ICC(2,1)':<38} band (Landis-Koch convention)")

    def f(x: Any, pct: bool = False) -> str:
        if x is None or pd.isna(x):
            return "  -"
        return f"{x * 100:5.1f}%" if pct else f"{x:.2f}"

    notes: list[str] = []
    for _, r in report.overall.iterrows():
        if r["kind"] == "categorical":
            agree = f"{f(r['percent_agreement'], True)}  "
            coef = f"k={f(r['kappa'])} [{f(r['kappa_ci_low'])}, {f(r['kappa_ci_high'])}]"
            band = r["band"]
        else:
            agree = f"{f(r['within_1'], True)}±1"
            coef = f"ICC={f(r['icc_a1'])} [{f(r['icc_a1_ci_low'])}, {f(r['icc_a1_ci_high'])}]"
            band = ""
            if not pd.isna(r["weighted_kappa"]):
                coef += f" wk={f(r['weighted_kappa'])}"
                band = f"{r['band']} (of wk)"
        marks = ("!" if r.get("small_n") else "") + ("*" if r.get("ci_clipped") else "")
        if marks:
            notes.append(f"  {r['variable']}: {r['note']}")
        out.append(f"{r['variable']:<22}{int(r['n']):>4}  {agree:>8}  {coef + marks:<38} {band}")
    out.append("agree: exact agreement; ±1: ratings within one point of each other.")
    if notes:
        out.append("! too few pairs for a stable estimate; * interval clipped to the possible range [-1, 1]:")
        out += notes
    return out
