"""``ssp-coder template codings OUT.xlsx``: a legacy coding sheet to fill in.

Without a project: an empty sheet with one example row. With a project
(``PrefilledRow`` rows from ``assigned_rows``): one row per assigned coding
that is still waiting for its values, keyed as the import expects, and a
``codes`` sheet listing the project's behaviour codes, scale columns and
classifications, so that a lab fills in values instead of typing keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ssp_coder.atomic import atomic_path
from ssp_coder.domain.scheme import Scheme


@dataclass(frozen=True)
class PrefilledRow:
    """An assigned coding as the sheet names it: the session key, the coder, the purpose."""

    participant_id: str
    timepoint: str
    blinded_code: str
    coder: str
    purpose: str


def assigned_rows(project: Any) -> list[PrefilledRow]:
    """Every primary, reliability or training coding that is assigned and still empty (nothing entered):
    the codings an import can fill. Ordered by participant, timepoint, coder."""
    names = {int(c.id): c.name for c in project.coders()}
    sessions = {int(s.id): s for s in project.sessions()}
    pids = {int(p.id): p.external_id for p in project.participants()}
    order = list(project.settings.get("timepoints") or [])
    rows = []
    for c in project.codings():
        if c.purpose == "consensus" or c.is_complete or int(c.revision) > 0:
            continue
        s = sessions[int(c.session_id)]
        rows.append(PrefilledRow(pids[int(s.participant_id)], s.timepoint, s.blinded_code, names[int(c.coder_id)],
                                 c.purpose))
    rank = {t: i for i, t in enumerate(order)}
    return sorted(rows, key=lambda r: (r.participant_id, rank.get(r.timepoint, len(rank)), r.timepoint, r.coder,
                                       r.purpose))

README = [
    "How to fill in this coding sheet (ssp-coder import-codings PROJECT FILE.xlsx)",
    "",
    "Sheet 'codings': one row per coding. A session is named by participant_id + timepoint (as in the roster) or by "
    "its blinded_code instead.",
    "  coder: a coder already in the project (add one with: ssp-coder coder add PROJECT NAME).",
    "  purpose: primary, reliability or consensus.",
    "  classification: A1, A2, B1-B4, C1, C2, D, CC or U; forced_secondary: the best-fitting A1-C2 for D "
    "(or write D/B2 in classification).",
    "  d_rating: 1-9 in steps of 0.5. Scale columns {scale}_e{episode}_{partner}, e.g. ps_e5_m, rs_e3_s; leave a "
    "cell empty if it was not rated.",
    "Sheet 'boundaries' (optional): participant_id, timepoint, coder (+ purpose if the coder has two codings of the "
    "session), episode, onset_s, offset_s, curtailed (empty, 1 = curtailed, or 'extended'), reason.",
    "Sheet 'events' (optional): participant_id, timepoint, coder (+ purpose), code, onset_s, offset_s (empty for "
    "point events). Times are seconds from the start of the video (75.2 or 1:15.2).",
    "",
    "Every problem is reported at once with sheet, row and column; if there is any, nothing is imported.",
    "Importing the same sheet again changes nothing. Delete the example rows before importing.",
]


def write_codings_template(path: str | Path, scheme: Scheme, rows: Sequence[PrefilledRow] | None = None, *,
                           blinded: bool = False) -> Path:
    """Write the template. ``rows``: pre-fill one codings row per assigned coding (from ``assigned_rows``);
    ``blinded`` keys the rows by blinded code only (for a sheet a coder fills in)."""
    import openpyxl
    from openpyxl.styles import Font

    target = Path(path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "codings"
    scale_cols = [sc.column(ep, pa) for sc, ep, pa in scheme.scale_cells()]
    keys = ["blinded_code"] if blinded else ["participant_id", "timepoint"]
    ws.append(keys + ["coder", "purpose", "classification", "forced_secondary", "d_rating"] + scale_cols)
    b = wb.create_sheet("boundaries")
    b.append(keys + ["coder", "purpose", "episode", "onset_s", "offset_s", "curtailed", "reason"])
    e = wb.create_sheet("events")
    e.append(keys + ["coder", "purpose", "code", "onset_s", "offset_s"])
    if rows is None:
        _example(ws, b, e, scheme, scale_cols)
    else:
        for r in rows:
            key = [r.blinded_code] if blinded else [r.participant_id, r.timepoint]
            ws.append(key + [r.coder, r.purpose])
        _codes_sheet(wb.create_sheet("codes"), scheme)
    readme = wb.create_sheet("README")
    lines = README if rows is None else README[:-1] + [
        f"Pre-filled from the project: one row per assigned coding still waiting for its values ({len(rows)}). "
        "Fill in the values; delete the rows of codings you do not import. The sheet 'codes' lists the behaviour "
        "codes, the scale columns and the classifications."]
    for line in lines:
        readme.append([line])
    for sheet in (ws, b, e):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


def _example(ws: Any, b: Any, e: Any, scheme: Scheme, scale_cols: list[str]) -> None:
    example = {sc.column(ep, pa): 3 for sc in scheme.scales for ep, pa in sc.required}
    ws.append(["P001", "pre", "Coder name", "primary", "D", "B2", 6] + [example.get(c) for c in scale_cols])
    t = 5.0
    for ep in scheme.episodes:
        b.append(["P001", "pre", "Coder name", "primary", ep.number, t, t + ep.nominal_s, None, None])
        t += ep.nominal_s
    first_state = next((x.code for x in scheme.behaviours if x.is_state), None)
    first_point = next((x.code for x in scheme.behaviours if not x.is_state), None)
    if first_state:
        e.append(["P001", "pre", "Coder name", "primary", first_state, 420.5, 431.0])
    if first_point:
        e.append(["P001", "pre", "Coder name", "primary", first_point, 590.2, None])


def _codes_sheet(ws: Any, scheme: Scheme) -> None:
    """The project's codes: what may go in the events sheet's 'code' column and in the scale columns."""
    from openpyxl.styles import Font

    ws.append(["what", "code or column", "meaning", "values"])
    for beh in scheme.behaviours:
        ws.append(["behaviour code (events sheet)", beh.code, beh.name,
                   "state: onset_s and offset_s" if beh.is_state else "point: onset_s only"])
    for sc, ep, pa in scheme.scale_cells():
        partner = next((p.name for p in scheme.partners if p.id == pa), pa)
        ws.append(["scale column (codings sheet)", sc.column(ep, pa), f"{sc.name}, episode {ep}, toward {partner}",
                   f"{sc.min:g}-{sc.max:g} in steps of {sc.step:g}"])
    for c in scheme.classifications:
        ws.append(["classification", c.code, c.name, "needs a forced secondary" if c.requires_forced_secondary
                   else ""])
    ws.append(["forced secondary (for D)", ", ".join(scheme.forced_secondary), "best-fitting organized subgroup", ""])
    r = scheme.d_rating
    ws.append(["d_rating", "d_rating", "disorganization rating", f"{r.min:g}-{r.max:g} in steps of {r.step:g}"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
