"""Trial export: long and wide datasets, codebook, summary and figures (no Qt).

Public API (see docs/export.md):
- ``prepare_export(project, ...) -> ExportData`` and ``write_export(data, fmt, out, shape=...)``;
- ``export_project(project, fmt, out, ...)`` does both;
- ``summarize(long, ...) -> TrialSummary``, ``format_summary(summary) -> str``;
- ``write_figures(summary, long, folder) -> list[Path]``.
"""

from ssp_coder.export.api import (
    FORMATS, SHAPES, ExportData, ExportError, export_project, output_paths, prepare_export, prepare_from_frames,
    write_export,
)
from ssp_coder.export.datasets import assemble_long, build_long, build_wide, session_frame
from ssp_coder.export.summary import IncompleteSession, TrialSummary, format_summary, summarize

__all__ = ["FORMATS", "SHAPES", "ExportData", "ExportError", "export_project", "output_paths", "prepare_export",
           "prepare_from_frames", "write_export", "assemble_long", "build_long", "build_wide", "session_frame",
           "IncompleteSession", "TrialSummary", "format_summary", "summarize"]
