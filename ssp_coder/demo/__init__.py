"""A complete small trial to try ssp-coder on: synthetic videos, a roster, coders and codings."""

from ssp_coder.demo.build import DemoResult, build_demo, demo_scheme

__all__ = ["DemoResult", "build_demo", "demo_scheme"]
