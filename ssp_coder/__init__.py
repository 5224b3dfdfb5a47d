"""ssp-coder: code Strange Situation Procedure videos for attachment-intervention trials."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ssp-coder")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"

__all__ = ["__version__"]
