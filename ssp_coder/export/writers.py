"""Writing the export files: xlsx, csv (one file per table), SPSS .sav, Stata .dta.

Every file is written to a temporary file beside the target and moved over it
only when complete (``ssp_coder.atomic``); the files of one export that
belong together are moved in together (``ssp_coder.export.fileset``). A target that is read-only, or held
open by another program, is refused with a message, and the old file stays
as it was.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import stat
from pathlib import Path
from typing import Callable, Mapping, Sequence

import pandas as pd

from ssp_coder.atomic import WriteError, atomic_path
from ssp_coder.cleantext import SPSS_MAX_STRING_BYTES, printable, spss_string
from ssp_coder.export.codebook import Variable
from ssp_coder.export.fileset import staged_files
from ssp_coder.export.xlsx import column_source, render_numbers, write_workbook

Progress = Callable[[int, int, str], None]

# Reserved words of SPSS (syntax keywords) and Stata (may not be variable names).
_RESERVED = {
    "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with",
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n", "_pi", "_pred",
    "_rc", "_se", "_skip", "str", "strl", "using",
}
MAX_NAME = 32          # Stata's limit (SPSS allows 64 bytes); one rule for both keeps names identical
MAX_LABEL = {"sav": 256, "dta": 80}
DATE_COLUMNS = ("date_of_visit",)



# Long names of units, so a label that already says "in seconds" is not given "(s)" as well.
_UNIT_WORDS = {"s": "second", "ms": "millisecond", "min": "minute", "h": "hour"}


def label_with_unit(label: str, unit: str) -> str:
    """A variable label for SPSS/Stata that names its unit once: "Latency to cry (s)"."""
    if not unit:
        return label
    named = re.search(rf"(?<![\w]){re.escape(unit)}(?![\w])", label) or (
        unit in _UNIT_WORDS and re.search(rf"\b{_UNIT_WORDS[unit]}s?\b", label, re.IGNORECASE))
    return label if named else f"{label} ({unit})"

def bare(frame: pd.DataFrame) -> pd.DataFrame:
    """A shallow copy without ``attrs``: pandas deep-copies attrs on every
    column access, which made writing a few hundred columns take seconds."""
    out = frame.copy(deep=False)
    out.attrs = {}
    return out


def check_writable(target: str | Path) -> None:
    """Refuse before any work if ``target`` exists and is read-only (also for
    an administrator, who could otherwise overwrite it)."""
    target = Path(target)
    if target.is_dir():
        raise WriteError(f"Cannot write {target}: it is a folder. Give a file name.")
    if target.exists():
        mode = target.stat().st_mode
        if not mode & stat.S_IWUSR or not os.access(target, os.W_OK):
            raise WriteError(f"Cannot write {target}: the file is read-only. Choose another name or make it "
                             "writable; the old file was left as it was.")


def stat_names(columns: Sequence[str]) -> dict[str, str]:
    """Column -> a valid SPSS and Stata variable name (letter first, letters,
    digits and _, at most 32 characters, not reserved, unique)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        name = re.sub(r"[^0-9A-Za-z_]", "_", str(col))
        if not name or not name[0].isalpha():
            name = "v" + name
        if name.lower() in _RESERVED:
            name += "_v"
        name = name[:MAX_NAME]
        base, k = name, 2
        while name.lower() in used:
            tail = f"_{k}"
            name = base[:MAX_NAME - len(tail)] + tail
            k += 1
        used.add(name.lower())
        out[str(col)] = name
    return out


def _as_date(series: pd.Series) -> pd.Series | None:
    """ISO date strings as dates, when every non-empty value is one."""
    text = series.dropna().astype(str)
    text = text[text != ""]
    if text.empty or not text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all():
        return None
    try:
        parsed = pd.to_datetime(series.where(series.astype(str) != ""), format="%Y-%m-%d", errors="raise")
    except (ValueError, TypeError):
        return None
    return parsed


def stats_frame(frame: pd.DataFrame, variables: Mapping[str, Variable], fmt: str) -> tuple[pd.DataFrame, dict]:
    """The frame as SPSS/Stata want it: text categories as numeric codes,
    nullable integers as doubles (missing -> system-missing), text as str,
    ISO dates as dates; plus the keyword arguments for pyreadstat."""
    frame = bare(frame)
    names = stat_names(list(frame.columns))
    cols: dict[str, pd.Series] = {}
    labels: dict[str, str] = {}
    value_labels: dict[str, dict[float, str]] = {}
    measure: dict[str, str] = {}
    for col in frame.columns:
        v = variables.get(col)
        s = frame[col]
        new = names[col]
        if v is not None and v.codes:
            mapping = {text: float(code) for text, code in v.codes}
            unknown = set(s.dropna().astype(str)) - set(mapping)
            if unknown:
                raise ValueError(f"{col}: values {sorted(unknown)} have no numeric code in the codebook")
            cols[new] = s.map(mapping).astype("float64")
        elif col in DATE_COLUMNS and (parsed := _as_date(s)) is not None:
            cols[new] = parsed
        elif pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
            cols[new] = pd.to_numeric(s, errors="coerce").astype("float64")
        else:
            num = pd.to_numeric(s, errors="coerce")
            if v is not None and v.type in ("binary", "continuous", "count") and num.notna().sum() == s.notna().sum():
                cols[new] = num.astype("float64")
            else:
                cols[new] = pd.Series([("" if x is None or (isinstance(x, float) and x != x) else
                                        _stats_text(str(x), fmt)) for x in s.tolist()], index=s.index, dtype=object)
        if v is not None:
            labels[new] = printable(label_with_unit(v.label, v.unit))[:MAX_LABEL[fmt]]
            vl = {code: printable(text) for code, text in v.value_labels().items()}
            if vl and cols[new].dtype != object:
                value_labels[new] = vl
            measure[new] = ("scale" if v.type in ("continuous", "count") else
                            "nominal" if v.type in ("categorical", "binary", "text", "id", "date") else "unknown")
            if v.type == "date":
                measure[new] = "scale"
    # Whole-number variables (codes, yes/no, counts) get a whole-number format: SPSS shows 1, not 1.00, and
    # Stata stores them as integers.
    formats: dict[str, str] = {}
    for col in frame.columns:
        new = names[col]
        width = _whole_width(cols[new], variables.get(col))
        if width is None:
            continue
        if fmt == "sav":
            formats[new] = f"F{width}.0"
        else:
            cols[new] = pd.to_numeric(cols[new], errors="coerce").round().astype("Int32")
            if new in value_labels:
                value_labels[new] = {int(k): lab for k, lab in value_labels[new].items()}
    out = pd.DataFrame(cols)
    kwargs: dict = {"column_labels": [labels.get(c) for c in out.columns], "variable_value_labels": value_labels}
    if fmt == "sav":
        kwargs["variable_measure"] = {k: m for k, m in measure.items() if m != "unknown"}
        kwargs["variable_format"] = formats
    return out, kwargs


def _stats_text(text: str, fmt: str) -> str:
    """Text SPSS/Stata keep whole: control characters visible (a NUL ended the value there), and for
    SPSS at most 32,767 bytes (a longer value broke the file into hundreds of segment variables)."""
    text = printable(text)
    return spss_string(text)[0] if fmt == "sav" else text


def sav_cut_values(frame: pd.DataFrame) -> dict[str, int]:
    """Column -> how many of its text values are longer than an SPSS string holds (cut in the .sav)."""
    out: dict[str, int] = {}
    for col in frame.columns:
        s = frame[col]
        if not (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)):
            continue
        # A UTF-8 character has at most 4 bytes: shorter values cannot be too long.
        n = sum(1 for v in s.tolist() if isinstance(v, str) and len(v) * 4 > SPSS_MAX_STRING_BYTES
                and spss_string(v)[1])
        if n:
            out[str(col)] = n
    return out


WHOLE_TYPES = ("categorical", "binary", "count", "id")


def _whole_width(column: pd.Series, v: Variable | None) -> int | None:
    """Digits (with a minus sign) for a whole-number format, or None when the column is not whole numbers.

    Coded variables are whole by construction, and their width comes from the codebook's code table, so it
    is the same in every export; counts and ids are whole when every value in the data is.
    """
    if v is None or v.type not in WHOLE_TYPES or column.dtype == object \
            or pd.api.types.is_datetime64_any_dtype(column.dtype):
        return None
    data = pd.to_numeric(column, errors="coerce").dropna()
    if not data.empty and not (data == data.round()).all():
        return None
    if v.type in ("count", "id") and not v.codes and data.empty:
        return None
    known = [float(c) for _, c in v.codes] + [float(x) for x, _ in v.values if isinstance(x, (int, float))]
    numbers = known + [float(x) for x in data]
    if not numbers:
        return 1
    return max(len(str(int(x))) for x in numbers)


def write_sav(path: str | Path, frame: pd.DataFrame, variables: Mapping[str, Variable], *, file_label: str = "") -> None:
    import pyreadstat
    check_writable(path)
    out, kwargs = stats_frame(frame, variables, "sav")
    with atomic_path(path) as tmp:
        pyreadstat.write_sav(out, str(tmp), file_label=file_label[:64], **kwargs)


def write_dta(path: str | Path, frame: pd.DataFrame, variables: Mapping[str, Variable], *, file_label: str = "") -> None:
    import pyreadstat
    check_writable(path)
    out, kwargs = stats_frame(frame, variables, "dta")
    with atomic_path(path) as tmp:
        pyreadstat.write_dta(out, str(tmp), file_label=file_label[:80], version=15, **kwargs)


def _csv_field(text: str) -> str:
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_column(source: tuple[str, object], start: int, stop: int) -> list[str]:
    """Rows ``start:stop`` of one column as CSV fields: whole numbers without
    ``.0``, shortest exact decimals, empty for missing (several times faster
    than ``DataFrame.to_csv`` on the nullable integer columns of scoring)."""
    kind, data = source
    if kind == "num":
        return render_numbers(data[start:stop], "", "", "")  # type: ignore[index]
    return ["" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else _csv_field(printable(str(v)))
            for v in data[start:stop]]  # type: ignore[index]


def write_csv(path: str | Path, frame: pd.DataFrame) -> None:
    """UTF-8 with a byte-order mark, so that Excel opens accents correctly; empty cells for missing."""
    check_writable(path)
    frame = bare(frame)
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(",".join(_csv_field(printable(str(c))) for c in frame.columns) + "\n")
        sources = [column_source(frame.iloc[:, j]) for j in range(frame.shape[1])]
        for start in range(0, len(frame), 5000):
            stop = min(len(frame), start + 5000)
            cols = [_csv_column(src, start, stop) for src in sources]
            fh.write("".join(",".join(row) + "\n" for row in zip(*cols)))


def write_csv_folder(folder: str | Path, tables: Sequence[tuple[str, pd.DataFrame]],
                     progress: Progress | None = None) -> list[Path]:
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise WriteError(f"Cannot write CSV files into {folder}: it is a file. For CSV give a folder.")
    if not folder.parent.is_dir():
        raise WriteError(f"Cannot create {folder}: the folder {folder.parent} does not exist.")
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise WriteError(f"Cannot create the folder {folder} ({exc.strerror}). Choose a folder you can write "
                         "to; nothing was written.") from None
    targets = [folder / f"{name}.csv" for name, _ in tables]
    for t in targets:  # refuse before writing any, so a refusal leaves the set consistent
        check_writable(t)
    # all tables are written first and moved in together: never a new data_long.csv beside an old data_wide.csv
    with staged_files(targets) as staged:
        for i, ((name, frame), target) in enumerate(zip(tables, staged), start=1):
            write_csv(target, frame)
            if progress:
                progress(i, len(tables), f"{target.name}")
    return targets


def write_xlsx(path: str | Path, sheets: Sequence[tuple[str, pd.DataFrame]], *, title: str = "",
               progress: Progress | None = None) -> None:
    check_writable(path)
    with atomic_path(path) as tmp:
        write_workbook(tmp, [(name, bare(f)) for name, f in sheets], title=title, date_columns=DATE_COLUMNS + tuple(
            f"date_of_visit_{s}" for s in _date_suffixes(sheets)),
            wrap_columns=("label", "values", "sav_dta_codes", "source", "value"), progress=progress)


def _date_suffixes(sheets: Sequence[tuple[str, pd.DataFrame]]) -> list[str]:
    return [c[len("date_of_visit_"):] for _, f in sheets for c in f.columns if str(c).startswith("date_of_visit_")]


def export_stamp() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")
