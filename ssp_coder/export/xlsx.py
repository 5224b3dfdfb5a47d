"""A small streaming .xlsx writer for data tables.

Why not openpyxl for writing: it builds one Python object per cell and, on a
10,000-session trial (several million cells over the long and wide sheets),
takes minutes. This writer emits SpreadsheetML directly, one column at a time,
and gives what a statistician opening the file expects: numbers stored as
numbers, dates as dates, text as inline strings, a bold frozen header row and
column widths. openpyxl reads the result back in the tests.
"""

from __future__ import annotations

import datetime as _dt
import re
import zipfile
from pathlib import Path
from typing import Callable, Sequence
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from ssp_coder.cleantext import printable
from ssp_coder.tables.sheet import column_letter

_EPOCH = _dt.date(1899, 12, 30)
STYLE_HEADER, STYLE_DATE, STYLE_WRAP = 1, 2, 3
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
{sheets}
</Types>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""
_CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>{title}</dc:title><dc:creator>ssp-coder</dc:creator>
<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>
</cp:coreProperties>"""
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment wrapText="1" vertical="top"/></xf>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
_NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


def _text(value: object) -> str:
    # Control characters become visible pictures, not dropped: dropping made "P0<NUL>02" the same id as "P002".
    return escape(printable(str(value)))


def _iso_date(value: object) -> float | None:
    if isinstance(value, (_dt.date, pd.Timestamp)):
        d = value.date() if isinstance(value, (pd.Timestamp, _dt.datetime)) else value
        return float((d - _EPOCH).days)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return float((_dt.date.fromisoformat(value) - _EPOCH).days)
        except ValueError:
            return None
    return None


def render_numbers(values: np.ndarray, before: str, after: str, missing: str) -> list[str]:
    """Each number as ``before + text + after`` (whole numbers without ``.0``,
    others as the shortest exact decimal), ``missing`` for NaN/inf.

    Each distinct value is rendered once and spread with numpy indexing:
    scored columns (counts, 0/1, half-point scales) hold few distinct values,
    so this is several times faster than formatting every cell.
    """
    values = np.where(np.isfinite(values), values, np.nan)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    rendered = [before + (str(int(u)) if u == round(u) and abs(u) < 1e15 else repr(u)) + after
                for u in uniques.tolist()]
    table = np.array(rendered + [missing], dtype=object)
    return table[codes].tolist()  # code -1 (missing) picks the last entry


def column_source(series: pd.Series) -> tuple[str, object]:
    """A column once as plain data: ("num", float64 array) or ("obj", list), so
    that chunks are sliced without pandas overhead per chunk."""
    if pd.api.types.is_bool_dtype(series.dtype):
        series = series.astype("float64")
    if pd.api.types.is_numeric_dtype(series.dtype):
        return "num", pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return "obj", series.tolist()


def _cells(source: tuple[str, object], start: int, stop: int, date: bool) -> list[str]:
    """Rows ``start:stop`` of one column rendered as <c> elements.

    Cells carry no ``r`` reference (it is optional in SpreadsheetML and costs a
    third of the writing time); a missing value is an empty ``<c/>`` so that
    positions stay right.
    """
    kind, data = source
    if kind == "num":
        return render_numbers(data[start:stop], "<c><v>", "</v></c>", "<c/>")  # type: ignore[index]
    out = []
    for v in data[start:stop]:  # type: ignore[index]
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT or v == "":
            out.append("<c/>")
            continue
        if date:
            serial = _iso_date(v)
            if serial is not None:
                out.append(f'<c s="{STYLE_DATE}"><v>{int(serial)}</v></c>')
                continue
        if isinstance(v, (bool, np.bool_)):
            out.append(f"<c><v>{int(v)}</v></c>")
        elif isinstance(v, (int, float, np.integer, np.floating)) and np.isfinite(v):
            out.append(f"<c><v>{v!r}</v></c>")
        else:
            out.append(f'<c t="inlineStr"><is><t xml:space="preserve">{_text(v)}</t></is></c>')
    return out


def _width(series: pd.Series, header: str, wrap: bool) -> float:
    sample = series.head(200).dropna().astype(str)
    longest = max([len(header)] + [len(s) for s in sample.tolist()])
    return float(min(60 if wrap else 40, max(8, longest + 2)))


def sheet_name(name: str) -> str:
    return _SHEET_NAME_BAD.sub("_", name)[:31] or "Sheet"


def _write_sheet(zf: zipfile.ZipFile, index: int, frame: pd.DataFrame, *, date_columns: Sequence[str],
                 wrap_columns: Sequence[str], progress: Callable[[int], None] | None) -> None:
    columns = [str(c) for c in frame.columns]
    letters = [column_letter(i) for i in range(len(columns))]
    widths = [_width(frame.iloc[:, j], columns[j], columns[j] in wrap_columns) for j in range(len(columns))]
    with zf.open(f"xl/worksheets/sheet{index}.xml", "w", force_zip64=True) as fh:
        def put(s: str) -> None:
            fh.write(s.encode("utf-8"))
        last = f"{letters[-1]}{len(frame) + 1}" if columns else "A1"
        put(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}>'
            f'<dimension ref="A1:{last}"/>'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>')
        if columns:
            put("<cols>" + "".join(f'<col min="{j + 1}" max="{j + 1}" width="{w:g}" customWidth="1"/>'
                                    for j, w in enumerate(widths)) + "</cols>")
        put("<sheetData>")
        put('<row r="1">' + "".join(
            f'<c r="{L}1" t="inlineStr" s="{STYLE_HEADER}"><is><t>{_text(c)}</t></is></c>'
            for L, c in zip(letters, columns)) + "</row>")
        chunk = 2000
        sources = [column_source(frame.iloc[:, j]) for j in range(len(columns))]
        dates = [c in date_columns for c in columns]
        for start in range(0, len(frame), chunk):
            stop = min(len(frame), start + chunk)
            cols = [_cells(src, start, stop, d) for src, d in zip(sources, dates)]
            if wrap_columns:
                for j, c in enumerate(columns):
                    if c in wrap_columns:
                        cols[j] = [x.replace('t="inlineStr">', f't="inlineStr" s="{STYLE_WRAP}">', 1) for x in cols[j]]
            rows = [f'<row r="{start + k + 2}">' + "".join(cells) + "</row>" for k, cells in enumerate(zip(*cols))]
            put("".join(rows))
            if progress:
                progress(min(len(frame), start + chunk))
        put("</sheetData></worksheet>")


def write_workbook(path: str | Path, sheets: Sequence[tuple[str, pd.DataFrame]], *, title: str = "",
                   date_columns: Sequence[str] = (), wrap_columns: Sequence[str] = (),
                   progress: Callable[[int, int, str], None] | None = None) -> None:
    """Write ``sheets`` (name, frame) as one workbook at ``path`` (not atomic: the caller
    passes a temporary path)."""
    total = sum(len(f) for _, f in sheets) or 1
    done_before = 0
    names = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for i, (name, frame) in enumerate(sheets, start=1):
            names.append(sheet_name(name))
            report = None
            if progress:
                report = (lambda n, base=done_before, nm=name: progress(base + n, total, f"sheet {nm}"))
            _write_sheet(zf, i, frame, date_columns=date_columns, wrap_columns=wrap_columns, progress=report)
            done_before += len(frame)
        overrides = "\n".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1))
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sheets=overrides))
        zf.writestr("_rels/.rels", _ROOT_RELS)
        now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        zf.writestr("docProps/core.xml", _CORE.format(title=_text(title), now=now))
        zf.writestr("xl/styles.xml", _STYLES)
        zf.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS}>'
            '<bookViews><workbookView/></bookViews><sheets>'
            + "".join(f'<sheet name="{_text(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
            + "</sheets></workbook>"))
        zf.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
            + f'<Relationship Id="rId{len(names) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
              'relationships/styles" Target="styles.xml"/></Relationships>'))
