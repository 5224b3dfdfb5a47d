import sys

import numpy as np
import pytest

from ssp_coder.memory import reuse_heap_for_large_arrays


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc tuning applies to Linux only")
def test_allocator_tuning_applies_and_changes_no_result():
    x = np.arange(3_000_000, dtype=np.int64)
    before = (x * 3 + 1).sum()
    assert reuse_heap_for_large_arrays() is True
    assert reuse_heap_for_large_arrays() is True  # once per process, then a no-op
    assert (x * 3 + 1).sum() == before
