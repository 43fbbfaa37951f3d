"""Match keys: customer codes as integers, so joins and duplicate checks run at numpy speed.

Equal codes get equal keys across every table given together; a row without a usable code
gets a unique negative key, so it never matches anything and is never a duplicate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# key = int(code) * 20 + len(code) keeps '0123' and '123' apart and fits int64 up to 17 digits
_MAX_DIGITS = 17


def _arrow(codes: pd.Series) -> pa.Array:
    return pa.array(codes.astype("string[pyarrow]").array).cast(pa.large_string())


def code_keys(*codes: pd.Series) -> list[np.ndarray]:
    joined = pa.chunked_array([_arrow(c) for c in codes], type=pa.large_string())
    null = joined.is_null().to_numpy(zero_copy_only=False)
    lengths = pc.utf8_length(joined).fill_null(0).to_numpy(zero_copy_only=False).astype("int64")
    if len(joined) and lengths.max() > _MAX_DIGITS:
        keys, _ = pd.factorize(pd.Series(joined.to_numpy(zero_copy_only=False)), use_na_sentinel=True)
        keys = keys.astype("int64")
    else:
        numbers = pc.cast(joined.fill_null("0"), pa.int64()).to_numpy(zero_copy_only=False)
        keys = numbers.astype("int64") * 20 + lengths
    keys[null] = -np.arange(1, null.sum() + 1)
    bounds = np.cumsum([0] + [len(c) for c in codes])
    return [keys[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
