"""Text as every export format can hold it.

Values already in a project may hold control characters (projects made
before the import refused them). Each writer used to treat them its own way:
the xlsx writer dropped them, so "P0<NUL>02" became "P002" and collided with
the real P002; SPSS and Stata cut the value at the NUL ("P0"); openpyxl
refused the whole file on an ESC. Here every control character that a
spreadsheet cell cannot hold becomes its visible Unicode "control picture"
(NUL -> U+2400, ESC -> U+241B, DEL -> U+2421): the value keeps its length,
stays distinct from every other id, and shows the reader what was there.
Tab and line breaks are kept; every format holds them.
"""

from __future__ import annotations

import re

import pandas as pd

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
SPSS_MAX_STRING_BYTES = 32_767


def _picture(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"  # U+FFFE / U+FFFF are not characters at all


def printable(text: str) -> str:
    return _CONTROL.sub(_picture, text) if _CONTROL.search(text) else text


def printable_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and column names) every writer can hold; numbers untouched."""
    out = frame.copy(deep=False)
    for j in range(out.shape[1]):  # by position: a report may repeat a column name
        s = out.iloc[:, j]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out.isetitem(j, s.map(lambda v: printable(v) if isinstance(v, str) else v))
    out.columns = [printable(c) if isinstance(c, str) else c for c in out.columns]
    return out


def spss_string(text: str) -> tuple[str, bool]:
    """``text`` cut to the 32,767 bytes (UTF-8) an SPSS string holds, at a character boundary; (text, was cut)."""
    raw = text.encode("utf-8")
    if len(raw) <= SPSS_MAX_STRING_BYTES:
        return text, False
    return raw[:SPSS_MAX_STRING_BYTES].decode("utf-8", errors="ignore"), True
