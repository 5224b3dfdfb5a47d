"""The coordinator windows' computations, as tasks a child process runs on a read-only project.

Each task is ``task(project, progress, **kwargs) -> picklable result``:
plain data (dataclasses, DataFrames, PNG bytes), nothing tied to a
connection or a window. Figures are rendered to PNG here, in the child.
"""

from __future__ import annotations

import io
from typing import Any, Callable

Progress = Callable[..., Any]


def figure_png(fig: Any, dpi: int = 96) -> bytes:
    """A matplotlib Figure as PNG bytes (Agg: no GUI backend involved)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def reliability_window_report(project: Any, progress: Progress) -> dict[str, Any]:
    """The Reliability window's content: the agreement report, the conference worklist, the drift figure."""
    from ssp_coder.reliability.consensus import conference_list
    from ssp_coder.reliability.report import reliability_report

    progress(0, 3, "agreement")
    report = reliability_report(project)
    progress(1, 3, "conference list")
    worklist = conference_list(project)
    progress(2, 3, "drift figure")
    png = figure_png(report.drift_figure())
    progress(3, 3, "done")
    return {"report": report, "conference": worklist, "drift_png": png}


def trial_summary(project: Any, progress: Progress) -> dict[str, Any]:
    """The Trial summary window's content: the descriptive summary, its text and its figures."""
    from ssp_coder.export import format_summary, prepare_export
    from ssp_coder.export.figures import make_figures

    data = prepare_export(project, progress=progress)
    figures = {name: figure_png(fig) for name, fig in make_figures(data.summary, data.long).items()}
    return {"summary": data.summary, "text": format_summary(data.summary), "figures": figures}


def double_coding_plan(project: Any, progress: Progress, *, share: float, seed: int | None) -> Any:
    """The Plan tab's preview (assigning it happens in the window, as the signed-in person)."""
    from ssp_coder.reliability.plan import plan_double_coding

    return plan_double_coding(project, share=share, seed=seed)


def certification(project: Any, progress: Progress, *, trainee: str) -> Any:
    """The Certification tab's report for one trainee."""
    from ssp_coder.reliability.certification import certification_report

    return certification_report(project, trainee)
