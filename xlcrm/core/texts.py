"""A text column as one Arrow array: the rules on short frames compare, look up and count text
in Arrow, where a pandas call would cost more than the work."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from .cleaning import STRING


def text_array(values: pd.Series) -> pa.Array:
    """The column's text (missing: null) as one large_string array, however pandas stores it."""
    text = pa.array((values if values.dtype == STRING else values.astype(STRING)).array)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    return text if text.type == pa.large_string() else text.cast(pa.large_string())
