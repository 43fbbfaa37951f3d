"""The CSV writer: plain-text frames through Arrow give exactly pandas' bytes; anything else is
pandas' own output."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from xlcrm.io.csv_export import _plain_text, write_csv

# text like the exports' (codes, grades, figures as text), and the characters that need quoting
CELLS = st.one_of(
    st.none(), st.text(alphabet=st.sampled_from(list("0123456789ACSY一类档 .'=-,\"\n\r\t")), max_size=8)
)


def _pandas_bytes(frame: pd.DataFrame, tmp_path) -> bytes:
    target = tmp_path / "pandas.csv"
    frame.to_csv(target, index=False, encoding="utf-8", lineterminator="\n", float_format="%.15g")
    return target.read_bytes()


def _written(frame: pd.DataFrame, tmp_path) -> bytes:
    target = tmp_path / "ours.csv"
    write_csv(frame, target)
    return target.read_bytes()


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 4).flatmap(lambda k: st.lists(st.lists(CELLS, min_size=k, max_size=k), max_size=12)))
def test_text_frames_are_written_as_pandas_writes_them(tmp_path_factory, rows):
    tmp_path = tmp_path_factory.mktemp("csv")
    width = len(rows[0]) if rows else 2
    frame = pd.DataFrame(rows, columns=[f"c{i}" for i in range(width)], dtype=object)
    assert _written(frame, tmp_path) == _pandas_bytes(frame, tmp_path)


def test_numbers_dates_and_string_dtypes_match_pandas(tmp_path):
    frame = pd.DataFrame(
        {
            "customer_code": pd.array(["330781100001", None, "'=cmd"], dtype="string"),
            "volume": [235.0, np.nan, 45098.85],
            "when": pd.to_datetime(["2026-09-30", None, "2026-07-01"]),
            "count": [1, 2, 3],
        }
    )
    assert _written(frame, tmp_path) == _pandas_bytes(frame, tmp_path)
    text_only = frame[["customer_code"]].assign(grade=["CS1", "", None])
    assert _written(text_only, tmp_path) == _pandas_bytes(text_only, tmp_path)


def test_history_like_frames_take_arrows_way_and_others_pandas():
    """history.csv (a million rows) must not fall back to pandas, twenty times slower there."""
    history = pd.DataFrame(
        {"customer_code": ["330781100001"], "quarter": ["2026Q3"], "volume": [None], "amount": ["45098.85"]}
    )
    assert _plain_text(history) is not None
    assert _plain_text(history.assign(volume=[235.0])) is None
    assert _plain_text(history.assign(amount=["a,b"])) is None
    assert _plain_text(history[["customer_code"]]) is None
