"""Legacy coding sheets: codings a lab kept in spreadsheets, imported into a project."""

from ssp_coder.legacy.importer import ImportReport, import_codings
from ssp_coder.legacy.template import write_codings_template

__all__ = ["ImportReport", "import_codings", "write_codings_template"]
