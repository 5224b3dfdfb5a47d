"""Which packages the wheel holds; everything else is in pyproject.toml.

ssp_coder's sub-packages are found automatically, and the top-level
resources/ folder is added as the data package ``ssp_coder.resources``
(mapped in pyproject.toml). pyproject.toml alone can either discover
packages or list them, not discover them and add a mapped folder.
"""

from setuptools import find_namespace_packages, setup

setup(packages=find_namespace_packages(include=["ssp_coder", "ssp_coder.*"], exclude=["*.__pycache__"])
      + ["ssp_coder.resources"])
