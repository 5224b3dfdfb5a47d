"""Read and check a legacy coding sheet; nothing here writes to the project.

Every problem is collected (sheet, spreadsheet row with the header as row 1,
column, what to do) so the user fixes the sheet once, not once per error.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ssp_coder.domain.model import PURPOSES
from ssp_coder.domain.scheme import Scheme
from ssp_coder.domain.times import MAX_STORABLE_MS, seconds_text, seconds_to_ms
from ssp_coder.errors import Problem
from ssp_coder.tables import Sheet, match_columns, normalise_header

KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "participant_id": ("participant", "participant_id", "id", "child_id", "subject", "pid"),
    "timepoint": ("timepoint", "time_point", "time", "wave", "visit"),
    "blinded_code": ("blinded_code", "session", "session_code", "code_blinded"),
    "coder": ("coder", "coder_name", "rater"),
    "purpose": ("purpose", "role", "coding_purpose"),
}
RESULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "classification": ("classification", "class", "abcd_subgroup", "category"),
    "forced_secondary": ("forced_secondary", "forced", "secondary", "best_fitting", "forced_abc"),
    "d_rating": ("d_rating", "drating", "d_scale", "disorganization_rating"),
}
BOUNDARY_COLUMNS = {"episode": ("episode", "ep"), "onset_s": ("onset_s", "onset", "start", "start_s"),
                    "offset_s": ("offset_s", "offset", "end", "end_s"),
                    "curtailed": ("curtailed", "flag", "curtailed_extended"), "reason": ("reason", "flag_reason")}
EVENT_COLUMNS = {"code": ("code", "behaviour", "behavior"), "onset_s": ("onset_s", "onset", "start", "start_s"),
                 "offset_s": ("offset_s", "offset", "end", "end_s")}
SCALE_COLUMN = re.compile(r"^([a-z][a-z0-9_]*?)_e(\d+)_([a-z0-9]+)$")
IMPORTED_REASON = "as flagged in the imported coding sheet"


@dataclass
class LegacyCoding:
    """One coding as the sheet gives it (times in ms)."""

    row: int
    session_id: int
    session_code: str
    coder_id: int
    coder: str
    purpose: str
    classification: str
    forced_secondary: str | None
    d_rating: float | None
    scales: dict[tuple[str, int, str], float] = field(default_factory=dict)
    boundaries: dict[int, tuple[int | None, int | None, str | None, str | None]] = field(default_factory=dict)
    events: list[tuple[str, int, int | None]] = field(default_factory=list)
    # the codings row has a bad cell: kept only so its boundaries and events are checked on their own
    # merits (one mistake, one message), never imported
    rejected: bool = False
    missing: tuple[str, ...] = ()        # what the completeness check still asks for; empty when complete

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.session_id, self.coder_id, self.purpose)


def parse_number(text: str) -> float | None:
    t = text.strip().replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def parse_seconds(text: str) -> float | None:
    """Seconds as a number (75.2) or a clock time (1:15.2, 0:01:15.2)."""
    t = text.strip().replace(",", ".")
    if ":" not in t:
        return parse_number(t)
    parts = t.split(":")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        return None
    if len(nums) > 3 or any(n < 0 for n in nums):
        return None
    total = 0.0
    for n in nums:
        total = total * 60 + n
    return total if math.isfinite(total) else None


def _seconds(ms: int) -> str:
    """'75.2' for 75200 ms, '1e+308' for a time no video reaches."""
    return f"{ms / 1000:g}" if ms < 10**15 else seconds_text(ms)


def parse_flag(text: str) -> tuple[bool, str | None]:
    """(readable, flag): empty/0/no -> None; 1/yes/true/curtailed -> curtailed; extended -> extended."""
    t = text.strip().lower()
    if t in ("", "0", "no", "n", "false", "none", "-"):
        return True, None
    if t in ("1", "yes", "y", "true", "curtailed", "c"):
        return True, "curtailed"
    if t in ("extended", "e", "ext"):
        return True, "extended"
    return False, None


class Context:
    """What the checks need from the project, read once."""

    def __init__(self, scheme: Scheme, sessions: list, participants: list, coders: list, timepoints: list[str]):
        self.scheme = scheme
        self.by_code = {s.blinded_code.upper(): s for s in sessions}
        ext = {p.id: p.external_id for p in participants}
        self.by_pid_tp = {(ext[s.participant_id].casefold(), s.timepoint): s for s in sessions}
        self.timepoints = sorted({s.timepoint for s in sessions}, key=lambda t: (t not in timepoints, t))
        self.coders = {c.name.casefold(): c for c in coders}
        self.coder_names = ", ".join(sorted(c.name for c in coders)) or "none yet"
        # codings rows whose session or coder could not be found, by what they say: rows of the other
        # sheets that say the same get one line naming that codings row instead of the same message again
        self.unresolved: dict[tuple[str, str], int] = {}


def raw_key(get) -> tuple[str, str]:
    """Which coding a row names, as written (before it is looked up in the project)."""
    code = get("blinded_code")
    who = code.upper() if code else f"{get('participant_id').casefold()}|{get('timepoint').casefold()}"
    return who, get("coder").casefold()


def session_of(ctx: Context, get, problems: list[Problem], sheet: str, row: int, cols: dict[str, str]) -> Any:
    code = get("blinded_code")
    if code:
        s = ctx.by_code.get(code.upper())
        if s is None:
            problems.append(Problem(f"there is no session with the code {code!r} in this project.", sheet=sheet,
                                    row=row, column=cols.get("blinded_code")))
        return s
    pid, tp_raw = get("participant_id"), get("timepoint")
    if not pid or not tp_raw:
        problems.append(Problem("say which session this is: fill in participant_id and timepoint (or blinded_code).",
                                sheet=sheet, row=row, column=cols.get("participant_id") or cols.get("timepoint")))
        return None
    from ssp_coder.roster.labels import resolve_timepoint

    tp = resolve_timepoint(tp_raw, ctx.timepoints) or tp_raw
    s = ctx.by_pid_tp.get((pid.casefold(), tp))
    if s is None:
        problems.append(Problem(f"participant {pid!r} has no session at timepoint {tp_raw!r} in this project "
                                f"(timepoints: {', '.join(ctx.timepoints) or 'none'}). Import the roster first, or "
                                "correct the cell.", sheet=sheet, row=row, column=cols.get("participant_id")))
    return s


def coder_of(ctx: Context, get, problems: list[Problem], sheet: str, row: int, cols: dict[str, str]) -> Any:
    name = get("coder")
    if not name:
        problems.append(Problem("the coder is empty; give the coder's name.", sheet=sheet, row=row,
                                column=cols.get("coder", "coder")))
        return None
    c = ctx.coders.get(name.casefold())
    if c is None:
        problems.append(Problem(f"there is no coder called {name!r} in this project (coders: {ctx.coder_names}). "
                                f"Add the coder with 'ssp-coder coder add PROJECT \"{name}\"' and import again.",
                                sheet=sheet, row=row, column=cols.get("coder")))
    return c


def getter(sheet: Sheet, cols: dict[str, str], i: int):
    return lambda name: sheet.rows[i].get(cols[name], "").strip() if name in cols else ""


def read_codings_sheet(sheet: Sheet, ctx: Context, problems: list[Problem]) -> list[LegacyCoding]:
    name = sheet.name
    cols, rest = match_columns(sheet.columns, {**KEY_COLUMNS, **RESULT_COLUMNS})
    scheme = ctx.scheme
    scale_cols: dict[str, tuple[str, int, str]] = {}
    for col in rest:
        if not col.strip():
            continue
        m = SCALE_COLUMN.match(normalise_header(col))
        if m is None:
            problems.append(Problem("unknown column; columns are participant_id, timepoint (or blinded_code), coder, "
                                    "purpose, classification, forced_secondary, d_rating and scale columns such as "
                                    "ps_e5_m. Rename or delete it.", sheet=name, row=1, column=col))
            continue
        sid, ep, pa = m.group(1), int(m.group(2)), m.group(3)
        try:
            sc = scheme.scale(sid)
        except KeyError:
            problems.append(Problem(f"'{sid}' is not a scale of this project's scheme "
                                    f"({', '.join(s.id for s in scheme.scales)}).", sheet=name, row=1, column=col))
            continue
        if not sc.rates(ep, pa):
            problems.append(Problem(f"{sc.name} is not rated in episode {ep} toward '{pa}' in this scheme; delete the "
                                    "column.", sheet=name, row=1, column=col))
            continue
        scale_cols[col] = (sid, ep, pa)
    for need in ("coder", "purpose", "classification"):
        if need not in cols:
            problems.append(Problem(f"required column '{need}' is missing.", sheet=name, row=1))
    if "blinded_code" not in cols and not {"participant_id", "timepoint"} <= set(cols):
        problems.append(Problem("columns participant_id and timepoint (or blinded_code) are needed to find the "
                                "session.", sheet=name, row=1))
    if any(p.row == 1 and p.sheet == name for p in problems):
        return []
    out: list[LegacyCoding] = []
    seen: dict[tuple, int] = {}
    codes = {c.upper(): c for c in scheme.classification_codes}
    # a subgroup (B3) or only the main category (B, as in "D/B")
    forced_codes = {c.upper(): c for c in scheme.forced_secondary}
    for i, row in enumerate(sheet.row_numbers):
        get = getter(sheet, cols, i)
        before = len(problems)
        session = session_of(ctx, get, problems, name, row, cols)
        coder = coder_of(ctx, get, problems, name, row, cols)
        purpose = get("purpose").lower() or ""
        if purpose not in PURPOSES:
            problems.append(Problem(f"purpose {get('purpose')!r} is not one of {', '.join(PURPOSES)}.", sheet=name,
                                    row=row, column=cols.get("purpose")))
        raw_cls, forced_raw = get("classification"), get("forced_secondary")
        if "/" in raw_cls and not forced_raw:     # "D/B2" in one cell
            raw_cls, forced_raw = (x.strip() for x in raw_cls.split("/", 1))
        cls = codes.get(raw_cls.upper())
        if cls is None:
            problems.append(Problem(f"classification {raw_cls!r} is not one of {', '.join(scheme.classification_codes)}"
                                    + (" (it is empty)" if not raw_cls else "") + ".", sheet=name, row=row,
                                    column=cols.get("classification")))
        forced = forced_codes.get(forced_raw.upper()) if forced_raw else None
        if forced_raw and forced is None:
            problems.append(Problem(f"forced secondary {forced_raw!r} must be one of "
                                    f"{', '.join(scheme.forced_secondary)}.", sheet=name, row=row,
                                    column=cols.get("forced_secondary")))
        elif forced and cls and not scheme.classification(cls).requires_forced_secondary:
            problems.append(Problem(f"a forced secondary goes only with D, not with {cls}; empty the cell.",
                                    sheet=name, row=row, column=cols.get("forced_secondary")))
        d = None
        if get("d_rating"):
            d = parse_number(get("d_rating"))
            if d is None or not scheme.d_rating.valid_value(d):
                r = scheme.d_rating
                problems.append(Problem(f"D rating {get('d_rating')!r} must be a number from {r.min:g} to {r.max:g} "
                                        f"in steps of {r.step:g}.", sheet=name, row=row, column=cols.get("d_rating")))
        scales = {}
        for col, key in scale_cols.items():
            text = sheet.rows[i].get(col, "").strip()
            if not text:
                continue
            v = parse_number(text)
            sc = scheme.scale(key[0])
            if v is None or not sc.valid_value(v):
                problems.append(Problem(f"{text!r} is not a {sc.name} rating ({sc.min:g} to {sc.max:g} in steps of "
                                        f"{sc.step:g}).", sheet=name, row=row, column=col))
                continue
            scales[key] = v
        if session is None or coder is None:
            ctx.unresolved.setdefault(raw_key(get), row)
            continue
        rejected = len(problems) > before or cls is None
        lc = LegacyCoding(row, int(session.id), session.blinded_code, int(coder.id), coder.name, purpose, cls or "",
                          forced, d, scales, rejected=rejected)
        if rejected:
            out.append(lc)
            continue
        if lc.key in seen:
            problems.append(Problem(f"the same coding (session {session.blinded_code}, {coder.name}, {purpose}) is "
                                    f"also in row {seen[lc.key]}; keep one row.", sheet=name, row=row))
            continue
        seen[lc.key] = row
        out.append(lc)
    return out


def attach_rows(sheet: Sheet, kind: str, codings: list[LegacyCoding], ctx: Context, problems: list[Problem],
                duration_of: dict[int, int | None]) -> None:
    """Add the rows of the ``boundaries`` or ``events`` sheet to their codings."""
    name = sheet.name
    spec = BOUNDARY_COLUMNS if kind == "boundaries" else EVENT_COLUMNS
    cols, rest = match_columns(sheet.columns, {**KEY_COLUMNS, **spec})
    needed = ["coder", "onset_s"] + (["episode"] if kind == "boundaries" else ["code"])
    for need in needed:
        if need not in cols:
            problems.append(Problem(f"required column '{need}' is missing.", sheet=name, row=1))
    for col in rest:
        if col.strip():
            problems.append(Problem(f"unknown column; expected participant_id, timepoint (or blinded_code), coder, "
                                    f"purpose, {', '.join(spec)}.", sheet=name, row=1, column=col))
    if any(p.row == 1 and p.sheet == name for p in problems):
        return
    by_sc: dict[tuple[int, int], list[LegacyCoding]] = {}
    for c in codings:
        by_sc.setdefault((c.session_id, c.coder_id), []).append(c)
    scheme = ctx.scheme
    unchecked: dict[int, list[int]] = {}     # codings row -> rows of this sheet that belong to it
    for i, row in enumerate(sheet.row_numbers):
        get = getter(sheet, cols, i)
        source = ctx.unresolved.get(raw_key(get))
        if source is not None:
            unchecked.setdefault(source, []).append(row)
            continue
        before = len(problems)
        session = session_of(ctx, get, problems, name, row, cols)
        coder = coder_of(ctx, get, problems, name, row, cols)
        if session is None or coder is None:
            continue
        every = by_sc.get((int(session.id), int(coder.id)), [])
        purpose = get("purpose").lower()
        options = [c for c in every if c.purpose == purpose] if purpose else every
        if not options:
            # the codings row's own purpose cell is what is wrong: that row already says so
            options = [c for c in every if c.rejected and c.purpose not in PURPOSES]
        if len(options) != 1:
            what = ("no row in the codings sheet" if not options else
                    "several codings in the codings sheet; add a purpose column to say which")
            problems.append(Problem(f"session {session.blinded_code} by {coder.name} has {what}.", sheet=name, row=row,
                                    column=cols.get("coder")))
            continue
        target = options[0]
        duration = duration_of.get(target.session_id)
        on_s = parse_seconds(get("onset_s"))
        off_s = parse_seconds(get("offset_s")) if get("offset_s") else None
        if on_s is None or on_s < 0:
            problems.append(Problem(f"onset {get('onset_s')!r} is not a time in seconds (e.g. 75.2 or 1:15.2).",
                                    sheet=name, row=row, column=cols.get("onset_s")))
        if get("offset_s") and (off_s is None or off_s < 0):
            problems.append(Problem(f"offset {get('offset_s')!r} is not a time in seconds (e.g. 75.2 or 1:15.2).",
                                    sheet=name, row=row, column=cols.get("offset_s")))
        if len(problems) > before:
            continue
        on_ms = seconds_to_ms(on_s)
        off_ms = None if off_s is None else seconds_to_ms(off_s)
        for t, col in ((on_ms, "onset_s"), (off_ms, "offset_s")):
            if t is not None and ((duration is not None and t > duration) or t > MAX_STORABLE_MS):
                end = f" ({duration / 1000:g} s)" if duration is not None else ""
                problems.append(Problem(f"{_seconds(t)} s is after the end of the video{end}.",
                                        sheet=name, row=row, column=cols.get(col)))
        if kind == "boundaries":
            ep = parse_number(get("episode"))
            if ep is None or int(ep) != ep or int(ep) not in scheme.episode_numbers:
                problems.append(Problem(f"episode {get('episode')!r} is not an episode of the scheme (1 to "
                                        f"{scheme.episode_numbers[-1]}).", sheet=name, row=row,
                                        column=cols.get("episode")))
                continue
            ep = int(ep)
            if off_ms is None:
                problems.append(Problem(f"episode {ep} needs an end (offset_s).", sheet=name, row=row,
                                        column=cols.get("offset_s", "offset_s")))
            elif off_ms <= on_ms:
                problems.append(Problem(f"episode {ep} must end after it starts.", sheet=name, row=row,
                                        column=cols.get("offset_s")))
            readable, flag = parse_flag(get("curtailed"))
            if not readable:
                problems.append(Problem(f"{get('curtailed')!r} is not a flag; write 1/yes (curtailed), 'extended' or "
                                        "leave it empty.", sheet=name, row=row, column=cols.get("curtailed")))
            if ep in target.boundaries:
                problems.append(Problem(f"episode {ep} of this coding is given twice.", sheet=name, row=row,
                                        column=cols.get("episode")))
            if len(problems) > before:
                continue
            reason = (get("reason") or IMPORTED_REASON) if flag else None
            target.boundaries[ep] = (on_ms, off_ms, flag, reason)
        else:
            code = get("code")
            try:
                beh = scheme.behaviour(code)
            except KeyError:
                problems.append(Problem(f"{code!r} is not a behaviour code of this scheme "
                                        f"({', '.join(b.code for b in scheme.behaviours)}).", sheet=name, row=row,
                                        column=cols.get("code")))
                continue
            if beh.kind == "point" and off_ms is not None:
                problems.append(Problem(f"'{code}' is a point event and has no offset; empty the cell.", sheet=name,
                                        row=row, column=cols.get("offset_s")))
            elif off_ms is not None and off_ms < on_ms:
                problems.append(Problem(f"'{code}' cannot end before it starts.", sheet=name, row=row,
                                        column=cols.get("offset_s")))
            else:
                target.events.append((code, on_ms, off_ms))
    for source, rows in unchecked.items():
        verb = "belongs" if len(rows) == 1 else "belong"
        problems.append(Problem(f"{_rows_text(rows)} {verb} to the coding in row {source} of the codings sheet, whose "
                                "session or coder is not in the project (see that row); they were not checked. "
                                "Fix that row and import again.", sheet=name, row=rows[0]))


def _rows_text(rows: list[int]) -> str:
    if len(rows) == 1:
        return "this row"
    return f"rows {rows[0]}–{rows[-1]} ({len(rows)} rows)" if rows[-1] - rows[0] + 1 == len(rows) else \
        f"rows {', '.join(map(str, rows))}"
