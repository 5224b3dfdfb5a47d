"""Codings in from and out to other coding tools: BORIS, ELAN, Datavyu and The Observer XT.

Qt-free. ``import_coding_file`` brings a file in under the same rules as the
legacy coding sheets; ``export_codings`` writes codings out, blinded for a
coder. See docs/interchange.md.
"""

from ssp_coder.interchange.exporter import EXPORT_TOOLS, InterchangeExport, export_codings
from ssp_coder.interchange.importer import InterchangeReport, file_codes, import_coding_file, read_codings
from ssp_coder.interchange.mapping import CodeMap, load_map, write_map
from ssp_coder.interchange.model import TOOLS

__all__ = ["EXPORT_TOOLS", "TOOLS", "CodeMap", "InterchangeExport", "InterchangeReport", "export_codings",
           "file_codes", "import_coding_file", "load_map", "read_codings", "write_map"]
