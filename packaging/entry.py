"""Entry point of the self-contained build (the program a coder double-clicks).

Started without arguments it opens the window (like ``ssp-coder-gui``); with
arguments it is the ``ssp-coder`` command line. ``freeze_support`` must come
first: the demo makes its videos in worker processes, and a frozen program
started as a worker (Windows, macOS) must run the worker, not the program.

``SSP_CODER_SMOKE_MS`` is for the packaging smoke test only (see
``packaging/smoke_hook.py``); without it nothing of that runs.
"""

import multiprocessing
import os
import sys


def _start() -> int:
    from ssp_coder.cli import gui_main, main

    if os.environ.get("SSP_CODER_SMOKE_MS"):
        from smoke_hook import install  # bundled next to this file by the spec

        install(int(os.environ["SSP_CODER_SMOKE_MS"]), os.environ.get("SSP_CODER_SMOKE_VIDEO"))
    return main() if sys.argv[1:] else gui_main()


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(_start())
