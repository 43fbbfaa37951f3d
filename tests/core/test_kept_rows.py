"""core.inputs.kept_rows: a loaded table's usable rows, taken column by column."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from xlcrm.core.inputs import kept_at, kept_rows

cell = st.tuples(st.booleans(), st.one_of(st.none(), st.text(max_size=3)), st.floats(allow_nan=True))


@settings(max_examples=80, deadline=None)
@given(st.lists(cell, max_size=30))
def test_kept_rows_are_the_frames_rows_kept(cells):
    """Arrow text (in chunks, NA too) by Arrow, the rest by numpy: the same frame as pandas'."""
    keep = np.array([k for k, _, _ in cells], dtype=bool)
    n = len(cells)
    texts = pd.array([t for _, t, _ in cells], dtype="string[pyarrow]")
    codes = pd.concat([pd.Series(texts[: n // 2]), pd.Series(texts[n // 2 :])], ignore_index=True)
    frame = pd.DataFrame(
        {
            "customer_code": codes.astype("string[pyarrow]"),
            "excel_row": np.arange(n, dtype=np.int64) + 2,
            "location": pd.Categorical((["a.csv › A", "b.csv › A"] * n)[:n]),
            "day": pd.Series(pd.to_datetime(["2026-06-01"] * n)).where(np.arange(n) % 3 == 0),
            "amount": np.array([f for _, _, f in cells], dtype=float),
        }
    )
    expected = frame[keep].reset_index(drop=True)
    for rows in (keep, kept_at(keep)):  # the mask, or a slice where the rows kept follow each other
        kept = pd.DataFrame(kept_rows(frame, rows), index=pd.RangeIndex(int(keep.sum())), copy=False)
        pd.testing.assert_frame_equal(kept, expected)


def test_rows_that_follow_each_other_are_kept_as_a_slice():
    assert kept_at(np.array([False, True, True, True, False])) == slice(1, 4)
    assert kept_at(np.ones(3, dtype=bool)) == slice(0, 3)
    assert kept_at(np.zeros(3, dtype=bool)) == slice(0, 0)
    gap = np.array([True, False, True])
    assert kept_at(gap) is gap
