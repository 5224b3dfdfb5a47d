"""Blinded coder packages: export a coder's work to one file, code it elsewhere, merge it back.

See docs/packages.md. The window (File menu) and the command line use only
the functions and classes exported here.
"""

from __future__ import annotations

from pathlib import Path

from ssp_coder.packages.export import PackageInfo, export_package
from ssp_coder.packages.manifest import PACKAGE_SUFFIX, PackageCancelled, PackageError, PackageFile, read_package
from ssp_coder.packages.merge import Conflict, MergedCoding, MergeReport, OlderCoding, import_package
from ssp_coder.packages.opening import OpenedPackage, open_package, returned_path, work_folder


def return_package(opened_or_path: OpenedPackage | str | Path, out_path: str | Path | None = None) -> Path:
    """Write the coder's work of a package into one file to send back; returns its path.

    Accepts an ``OpenedPackage`` (the window's) or the path of a package that
    was opened before (its work folder holds the work).
    """
    if isinstance(opened_or_path, OpenedPackage):
        return opened_or_path.write_return(out_path)
    opened = open_package(opened_or_path)
    try:
        return opened.write_return(out_path)
    finally:
        opened.close(write_return=False)


__all__ = [
    "PACKAGE_SUFFIX", "Conflict", "MergeReport", "MergedCoding", "OlderCoding", "OpenedPackage", "PackageCancelled",
    "PackageError", "PackageFile", "PackageInfo", "export_package", "import_package", "open_package",
    "read_package", "return_package", "returned_path", "work_folder",
]
