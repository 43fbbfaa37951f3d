"""The cleaners give the same cells however a column is laid out in memory: Arrow text in one
chunk or many, numbers cast a slice at a time (a slice with an odd cell tried again in parts),
a few odd codes put between slices of the column or many replaced in one pass."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from xlcrm.core import cleaning
from xlcrm.core.cleaning import clean_codes, clean_numbers
from xlcrm.core.dates import clean_dates

# what an exported column of codes, dates or amounts holds as text
cells = st.one_of(
    st.sampled_from(
        ["", " ", "\u3000", "暂无", "合计", "-", "1,234.50", "12元", " 7 ", "inf", "nan", "1e400"]
    ),
    st.from_regex(r"[ ']?[0-9０-９]{1,13}(\.0)?[ ]?", fullmatch=True),
    st.from_regex(r"-?[0-9]{1,7}(\.[0-9]{1,3})?", fullmatch=True),
    st.from_regex(r"20[0-9]{2}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2}日?", fullmatch=True),
    st.sampled_from(["3.30781E+11", "3.30781100123E+11", "330781100123.0", "2026-02-30", "45830"]),
)


def chunked(texts: list[str], cuts: list[int]) -> pd.Series:
    """`texts` as Arrow text cut into chunks at `cuts` (as a CSV read in pieces gives them)."""
    bounds = sorted({0, len(texts), *(c % (len(texts) + 1) for c in cuts)})
    chunks = [pa.array(texts[a:b], pa.large_string()) for a, b in zip(bounds, bounds[1:])]
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(chunks, pa.large_string())))


def same(a: cleaning.Cleaned, b: cleaning.Cleaned) -> None:
    pd.testing.assert_series_equal(a.values, b.values)
    assert a.problem.astype(object).where(a.problem.notna(), None).tolist() == (
        b.problem.astype(object).where(b.problem.notna(), None).tolist()
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(cells, max_size=60), st.lists(st.integers(0, 60), max_size=5))
def test_the_cells_do_not_depend_on_the_columns_layout(texts, cuts):
    whole = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([pa.array(texts, pa.large_string())])))
    pieces = chunked(texts, cuts)
    for clean in (clean_codes, clean_numbers, clean_dates):
        expected = clean(whole)
        same(clean(pieces), expected)
        with mock.patch.multiple(cleaning, NUMBER_SLICE=8, SMALLEST_SLICE=2, _FEW_CELLS=0):
            same(clean(pieces), expected)


def test_an_odd_amount_in_a_long_column_is_found_at_its_cell():
    texts = [f"{i}.25" for i in range(3 * cleaning.NUMBER_SLICE)]
    texts[cleaning.NUMBER_SLICE + 7] = "暂无"
    texts[2 * cleaning.NUMBER_SLICE - 1] = " 1,200.50 "
    cleaned = clean_numbers(chunked(texts, [1000, cleaning.NUMBER_SLICE + 3]))
    problem = cleaned.problem.notna().to_numpy()
    assert np.flatnonzero(problem).tolist() == [cleaning.NUMBER_SLICE + 7]
    assert cleaned.values.iloc[2 * cleaning.NUMBER_SLICE - 1] == 1200.5
    assert cleaned.values.iloc[5] == 5.25 and np.isnan(cleaned.values.iloc[cleaning.NUMBER_SLICE + 7])
