"""SIGKILL a writer 50 times at random moments: nothing committed is lost, the file is never damaged."""

import sys

import pytest

from ssp_coder.store import crashcheck


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_fifty_kills_lose_nothing_committed(tmp_path):
    report = crashcheck.run(50, seed=1, folder=tmp_path, max_delay_s=0.15)
    assert report.kills == 50
    assert report.committed_seen > 50, "the writer committed too little for the test to mean anything"
    assert report.problems == []
    assert report.ok
