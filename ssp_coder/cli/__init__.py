"""The ``ssp-coder`` command line. Each sub-command lives in its own ``cmd_*.py`` module."""

from ssp_coder.cli.app import gui_main, main

__all__ = ["main", "gui_main"]
