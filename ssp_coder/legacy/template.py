"""``ssp-coder template codings OUT.xlsx``: an empty legacy coding sheet with one example row."""

from __future__ import annotations

from pathlib import Path

from ssp_coder.atomic import atomic_path
from ssp_coder.domain.scheme import Scheme

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


def write_codings_template(path: str | Path, scheme: Scheme) -> Path:
    import openpyxl
    from openpyxl.styles import Font

    target = Path(path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "codings"
    scale_cols = [sc.column(ep, pa) for sc, ep, pa in scheme.scale_cells()]
    ws.append(["participant_id", "timepoint", "coder", "purpose", "classification", "forced_secondary", "d_rating"]
              + scale_cols)
    example = {sc.column(ep, pa): 3 for sc in scheme.scales for ep, pa in sc.required}
    ws.append(["P001", "pre", "Coder name", "primary", "D", "B2", 6] + [example.get(c) for c in scale_cols])
    b = wb.create_sheet("boundaries")
    b.append(["participant_id", "timepoint", "coder", "episode", "onset_s", "offset_s", "curtailed", "reason"])
    t = 5.0
    for ep in scheme.episodes:
        b.append(["P001", "pre", "Coder name", ep.number, t, t + ep.nominal_s, None, None])
        t += ep.nominal_s
    e = wb.create_sheet("events")
    e.append(["participant_id", "timepoint", "coder", "code", "onset_s", "offset_s"])
    first_state = next((x.code for x in scheme.behaviours if x.is_state), None)
    first_point = next((x.code for x in scheme.behaviours if not x.is_state), None)
    if first_state:
        e.append(["P001", "pre", "Coder name", first_state, 420.5, 431.0])
    if first_point:
        e.append(["P001", "pre", "Coder name", first_point, 590.2, None])
    r = wb.create_sheet("README")
    for line in README:
        r.append([line])
    for sheet in (ws, b, e):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target
