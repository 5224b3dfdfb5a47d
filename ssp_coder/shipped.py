"""The files ssp-coder ships (coding schemes, icons), wherever the program runs from.

They live in the repository's top-level ``resources/`` folder. An installed
wheel and the self-contained build carry them inside the package
(``ssp_coder/resources/``, put there by the package-data mapping in
``pyproject.toml`` and by ``packaging/spec_config.py``), where
``importlib.resources`` finds them. A source checkout run in place, or an
editable install, has them beside the package instead.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

FOLDER = "resources"


def shipped_folder(*parts: str) -> Traversable:
    """A folder of shipped files, e.g. ``shipped_folder("schemes")``."""
    installed = resources.files("ssp_coder") / FOLDER
    if installed.is_dir():
        return installed.joinpath(*parts)
    checkout = Path(__file__).resolve().parent.parent / FOLDER
    if checkout.is_dir():
        return checkout.joinpath(*parts)
    return installed.joinpath(*parts)  # missing everywhere: the caller's message names the installed place
