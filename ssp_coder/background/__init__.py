"""Read-only computations in a separate process (so a window's event loop never waits on them)."""

from ssp_coder.background.process import (
    BackgroundProcess,
    Cancelled,
    Failed,
    Finished,
    Progress,
    run_in_process,
)

__all__ = ["BackgroundProcess", "Cancelled", "Failed", "Finished", "Progress", "run_in_process"]
