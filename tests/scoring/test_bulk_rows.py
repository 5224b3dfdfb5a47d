"""The id-to-row look-up of the bulk scorer agrees with pandas in every input order."""

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from ssp_coder.scoring.bulk import _rows


@given(st.lists(st.integers(0, 30), min_size=1, max_size=12, unique=True),
       st.lists(st.integers(0, 35), max_size=60), st.booleans())
def test_rows_match_get_indexer(keys, values, sort_values):
    index = pd.Index(sorted(keys))
    if sort_values:
        values = sorted(values)
    got = _rows(index, pd.Series(values, dtype="int64"))
    assert np.array_equal(got, index.get_indexer(np.asarray(values, dtype=np.int64)))
