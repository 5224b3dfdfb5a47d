"""Export a project: build the datasets, codebook and summary once, write any format.

For the window's Export dialog: ``prepare_export`` then ``write_export`` (or
``export_project`` for both), each taking ``progress(done, total, detail)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

import pandas as pd

from ssp_coder import __version__
from ssp_coder.atomic import WriteError
from ssp_coder.domain.scheme import Scheme
from ssp_coder.errors import KnownError
from ssp_coder.export import writers
from ssp_coder.export.codebook import Codebook, abcd_categories, build_codebook, settings_frame
from ssp_coder.export.datasets import assemble_long, build_wide, session_frame
from ssp_coder.export.events import TABLE as EVENTS_TABLE, build_events, event_variables
from ssp_coder.export.fileset import staged_files
from ssp_coder.export.summary import TrialSummary, summarize

if TYPE_CHECKING:  # pragma: no cover
    from ssp_coder.store.project import Project

Progress = Callable[[int, int, str], None]
FORMATS = ("xlsx", "csv", "sav", "dta")
SHAPES = ("long", "wide", "both")


class ExportError(KnownError):
    """An export that cannot be done as asked (no sessions, an unknown arm ...)."""


@dataclass(frozen=True)
class ExportData:
    long: pd.DataFrame
    wide: pd.DataFrame
    codebook: Codebook
    summary: TrialSummary
    settings: Mapping[str, Any]
    meta: Mapping[str, Any] = field(default_factory=dict)
    reliability: pd.DataFrame | None = None
    events: pd.DataFrame | None = None      # one row per event of the final codings (every format)

    def settings_table(self) -> pd.DataFrame:
        return settings_frame(self.settings, self.meta)

    def summary_tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [(f"summary_{k}" if k != "incomplete" else "incomplete", t)
                for k, t in self.summary.tables().items()]


def _noop(done: int, total: int, detail: str = "") -> None:
    return None


def prepare_from_frames(sessions: pd.DataFrame, scored: pd.DataFrame, scheme: Scheme, settings: Mapping[str, Any], *,
                        meta: Mapping[str, Any] | None = None, intervention: str | None = None,
                        control: str | None = None, reliability: pd.DataFrame | None = None,
                        catalogue: Mapping[str, Any] | None = None,
                        events: Callable[[pd.DataFrame], pd.DataFrame] | None = None) -> ExportData:
    """Everything an export needs, from a session frame and a scoring frame (no project needed)."""
    order = list(settings.get("timepoints", []))
    long = assemble_long(sessions, scored, timepoint_order=order)
    if long.empty:
        raise ExportError("The project has no sessions yet, so there is nothing to export. Import a roster first.")
    wide = build_wide(long)
    codebook = build_codebook(long, wide, scheme, settings, catalogue)
    event_table = events(long) if events is not None else None
    if event_table is not None:
        events_book = event_variables(scheme, event_table, codebook.for_table("long"))
        codebook = Codebook(codebook.variables + tuple(events_book), codebook.settings)
    try:
        summary = summarize(long, timepoints=order, intervention=intervention, control=control,
                            abcd_categories=abcd_categories(settings))
    except ValueError as exc:
        raise ExportError(f"Cannot summarize: {exc}.") from None
    return ExportData(long, wide, codebook, summary, dict(settings), dict(meta or {}), reliability, event_table)


def prepare_export(project: "Project", *, scored: pd.DataFrame | None = None, intervention: str | None = None,
                   control: str | None = None, reliability: pd.DataFrame | None = None,
                   progress: Progress | None = None) -> ExportData:
    """Score the project (unless ``scored`` is given) and build datasets, codebook and summary."""
    progress = progress or _noop
    progress(0, 3, "scoring")
    if scored is None:
        from ssp_coder.scoring import score
        scored = score(project)
    progress(1, 3, "datasets")
    if reliability is None:
        reliability = _reliability_sheet(project)
    settings = dict(project.settings)
    settings.update(scored.attrs.get("settings") or {})
    info = project.info()
    meta = {"project": project.name, "project_id": project.project_id, "exported_at": writers.export_stamp(),
            "exported_with": f"ssp-coder {__version__}", "scheme": f"{project.scheme.id} v{project.scheme.version}",
            "created_at": info.get("created_at", ""),
            "note": "Unblinded export for the trial statistician: arm and timepoint are shown."}
    data = prepare_from_frames(session_frame(project), scored, project.scheme, settings, meta=meta,
                               intervention=intervention, control=control, reliability=reliability,
                               events=lambda long: build_events(project, long))
    progress(3, 3, "ready")
    return data


def _reliability_sheet(project: "Project") -> pd.DataFrame | None:
    """The overall agreement table, when the project has completed double codings."""
    from ssp_coder.reliability.report import reliability_report

    report = reliability_report(project, timed=False)
    if report.overall is None or report.overall.empty or not len(report.pairs):
        return None
    return report.overall


def output_paths(fmt: str, out: str | Path, shape: str) -> list[Path]:
    """Where ``write_export`` writes the datasets: xlsx one workbook, csv a folder, sav/dta one file per shape."""
    out = Path(out)
    if fmt in ("xlsx",):
        return [out if out.suffix.lower() == ".xlsx" else out.with_name(out.name + ".xlsx")]
    if fmt == "csv":
        return [out]
    ext = f".{fmt}"
    base = out if out.suffix.lower() == ext else out.with_name(out.name + ext)
    if shape == "both":
        return [base.with_name(f"{base.stem}_long{ext}"), base.with_name(f"{base.stem}_wide{ext}")]
    return [base]


def _stat_base(fmt: str, out: str | Path) -> Path:
    """``-o trial.sav`` and ``-o trial`` both name the set ``trial``: its events and codebook files take that stem."""
    out, ext = Path(out), f".{fmt}"
    return out if out.suffix.lower() == ext else out.with_name(out.name + ext)


def _csv_tables(data: ExportData, shape: str) -> list[str]:
    return [f"data_{s}" for s in _shapes(shape)] + ([EVENTS_TABLE] if data.events is not None else []) + \
        ["codebook"] + [name for name, _ in data.summary_tables()] + \
        (["reliability"] if data.reliability is not None else []) + ["settings"]


def _shapes(shape: str) -> list[str]:
    return ["long", "wide"] if shape == "both" else [shape]


def export_files(data: ExportData, fmt: str, out: str | Path, shape: str = "both") -> list[Path]:
    """Every file ``write_export`` writes, in the order it reports them (csv: the files inside the folder).

    ``--dry-run`` lists these, so it names exactly what the real run writes.
    """
    _check_choice(fmt, shape)
    if fmt == "xlsx":
        return output_paths(fmt, out, shape)
    if fmt == "csv":
        return [Path(out) / f"{name}.csv" for name in _csv_tables(data, shape)]
    base = _stat_base(fmt, out)
    files = output_paths(fmt, out, shape)
    if data.events is not None:
        # One table per file in SPSS/Stata: the events get their own file beside the datasets.
        files.append(base.with_name(f"{base.stem}_{EVENTS_TABLE}.{fmt}"))
    return files + [base.with_name(f"{Path(out).stem}_codebook.csv")]


def check_export(data: ExportData, fmt: str, out: str | Path, shape: str = "both") -> list[Path]:
    """Refuse before anything is written (a read-only file, a folder where a file belongs); the files to write."""
    files = export_files(data, fmt, out, shape)
    if fmt == "csv":
        folder = Path(out)
        if folder.exists() and not folder.is_dir():
            raise WriteError(f"Cannot write CSV files into {folder}: it is a file. For CSV give a folder.")
        if not folder.parent.is_dir():
            raise WriteError(f"Cannot create {folder}: the folder {folder.parent} does not exist.")
    elif not files[0].parent.is_dir():
        raise WriteError(f"Cannot write {files[0]}: the folder {files[0].parent} does not exist.")
    for p in files:
        writers.check_writable(p)
    return files


def _check_choice(fmt: str, shape: str) -> None:
    if fmt not in FORMATS:
        raise ExportError(f"Unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    if shape not in SHAPES:
        raise ExportError(f"Unknown shape {shape!r}; choose long, wide or both.")


def write_export(data: ExportData, fmt: str, out: str | Path, *, shape: str = "both",
                 progress: Progress | None = None) -> list[Path]:
    """Write ``data`` as ``fmt`` at ``out``; returns the files (or the csv folder) written."""
    _check_choice(fmt, shape)
    progress = progress or _noop
    shapes = _shapes(shape)
    data_tables = [(f"data_{s}", data.long if s == "long" else data.wide) for s in shapes]
    codebook = data.codebook.to_frame()
    events = [(EVENTS_TABLE, data.events)] if data.events is not None else []
    codebook = codebook[codebook["table"].isin(shapes + [t for t, _ in events])].reset_index(drop=True)
    extra = [("reliability", data.reliability)] if data.reliability is not None else []
    paths = output_paths(fmt, out, shape)
    title = str(data.meta.get("project", ""))
    try:
        if fmt == "xlsx":
            sheets = data_tables + events + [("codebook", codebook), ("summary", data.summary.to_frame())] + extra + \
                     [("settings", data.settings_table())]
            writers.write_xlsx(paths[0], sheets, title=title, progress=progress)
            return paths
        if fmt == "csv":
            tables = data_tables + events + [("codebook", codebook)] + data.summary_tables() + extra + \
                     [("settings", data.settings_table())]
            writers.write_csv_folder(paths[0], tables, progress=progress)
            return paths
        write = writers.write_sav if fmt == "sav" else writers.write_dta
        # SPSS/Stata hold one table per file: long, wide and events each get theirs, and the codebook travels
        # beside them as csv, because SPSS/Stata keep labels but not sources or settings.
        targets = check_export(data, fmt, out, shape)
        tables = [(name[len("data_"):], frame) for name, frame in data_tables] + events
        with staged_files(targets) as staged:  # the whole old set or the whole new set, never a mix
            for i, ((table, frame), path) in enumerate(zip(tables, staged), start=1):
                write(path, frame, data.codebook.for_table(table), file_label=f"{title} ({table})")
                progress(i, len(targets), path.name)
            writers.write_csv(staged[-1], pd.concat([codebook, data.settings_table().rename(
                columns={"key": "variable", "value": "label"}).assign(table="settings")], ignore_index=True))
        progress(len(targets), len(targets), targets[-1].name)
        return targets
    except PermissionError as exc:
        raise WriteError(f"Cannot write {exc.filename or out}: permission denied (is it open in another program, "
                         "or read-only?). The old file was left as it was.") from None


def export_project(project: "Project", fmt: str, out: str | Path, *, shape: str = "both",
                   intervention: str | None = None, control: str | None = None,
                   progress: Progress | None = None) -> list[Path]:
    data = prepare_export(project, intervention=intervention, control=control)
    return write_export(data, fmt, out, shape=shape, progress=progress)


def export_notes(data: ExportData, fmt: str, shape: str = "both") -> list[str]:
    """What the user should know about a written export: values an SPSS file could not keep whole."""
    if fmt != "sav":
        return []
    notes = []
    tables = [(t, data.long if t == "long" else data.wide) for t in _shapes(shape)]
    if data.events is not None:
        tables.append((EVENTS_TABLE, data.events))
    for table, frame in tables:
        for col, n in writers.sav_cut_values(frame).items():
            notes.append(f"{n} text value(s) of '{col}' in the {table} file are longer than SPSS allows "
                         f"({writers.SPSS_MAX_STRING_BYTES:,} bytes) and were cut to that length in the .sav; the "
                         "xlsx, csv and dta exports keep them whole.")
    return notes
