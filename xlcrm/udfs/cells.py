"""Cells in, cells out: the shape handling and error strings every cell function shares.

xlwings hands a UDF a scalar or a 2-D list (with ndim=2); the engine works on flat pandas
Series. `cellwise` broadcasts the range arguments against each other (as Excel does), runs
the vectorised computation once on the flattened values and gives the result the same
shape — one value when that shape is a single cell. Nothing raises into Excel: an argument
that cannot be used becomes a short Chinese message starting with "#" in every cell of the
result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import XlcrmError

log = logging.getLogger(__name__)

BLANK = ""  # xlwings writes None as "" anyway; returning it keeps Python callers honest

# Whole-call problems (every cell of the result shows the message)
SHAPE = "#区域大小不一致"
INTERNAL = "#计算出错，请联系维护人员"
SCHEME = "#等级方案无法识别"
ORDER = "#自定义等级顺序无效"
MAPPING = "#访销日对照表无效"
STANDARDS = "#最低标准表无法识别"
STANDARDS_DUPLICATE = "#最低标准表中等级重复"
RESULT = "#返回项应为 条、元 或 档"
# Per-cell problems
GRADE = "#等级不属于{scheme}"
LOST_DIGITS = "#代码已丢失位数，请取原始代码"
BAD_CODE = "#不是客户代码"
ROUTE = "#线路名看不出访销日"
NO_SEGMENT = "#请填写业态"
UNKNOWN_SEGMENT = "#标准表中没有此业态"
BAD_VOLUME = "#购进量不是数字"
BAD_AMOUNT = "#购进额不是数字"


def as_array(value: Any) -> np.ndarray:
    """A UDF argument as an object array: 0-d for one value, 1-d or 2-d for a range."""
    if isinstance(value, np.ndarray):
        array = value.astype(object)
    elif isinstance(value, (list, tuple)):
        array = np.empty(_list_shape(value), dtype=object)
        if array.ndim == 1:
            array[:] = list(value)
        elif array.size:
            array[:, :] = [list(row) for row in value]
    else:
        array = np.empty((), dtype=object)
        array[()] = value
    if array.ndim > 2:
        raise ValueError("more than two dimensions")
    return array


def _list_shape(value: list | tuple) -> tuple[int, ...]:
    rows = [r for r in value if isinstance(r, (list, tuple))]
    if not rows:
        return (len(value),)
    widths = {len(r) for r in rows}
    if len(rows) != len(value) or len(widths) != 1:
        raise ValueError("ragged range")
    return (len(value), widths.pop())


def shaped(values: list | pd.Series, shape: tuple[int, ...]) -> Any:
    """Flat results back into the caller's shape: one value for one cell (xlwings hands a single
    cell over as [[value]]; Excel 2016/2019 have no dynamic arrays, and a 1×1 array is no cell
    value), nested lists for a range."""
    out = np.empty(len(values), dtype=object)
    out[:] = [cell_value(v) for v in values]
    if out.size == 1:
        return out[0]
    return out.reshape(shape).tolist()


def cell_value(value: Any) -> Any:
    """One result as Excel should get it: blank for missing, plain float for numbers."""
    if value is None or value is pd.NA:
        return BLANK
    if isinstance(value, (float, np.floating)):
        return BLANK if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return float(value)
    return value


def filled(message: str, shape: tuple[int, ...]) -> Any:
    return shaped([message] * int(np.prod(shape, dtype=int)), shape)


def cell_message(error: Exception) -> str:
    if isinstance(error, XlcrmError):
        return error.message if error.message.startswith("#") else "#" + error.message
    log.exception("xlcrm cell function failed")  # a bug, not the manager's doing: keep the traceback
    return INTERNAL


def cellwise(compute: Callable[..., list | pd.Series], *ranges: Any, **options: Any) -> Any:
    """compute(*flat_series, **options) over the broadcast ranges, returned in their shape."""
    try:
        arrays = [as_array(r) for r in ranges]
    except (ValueError, TypeError):
        return SHAPE
    try:
        aligned = np.broadcast_arrays(*arrays)
    except ValueError:
        return filled(SHAPE, arrays[0].shape)
    shape = aligned[0].shape
    flat = [_blank_missing(pd.Series(a.ravel(), dtype=object)) for a in aligned]
    try:
        return shaped(compute(*flat, **options), shape)
    except Exception as error:  # never raise into Excel
        return filled(cell_message(error), shape)


def _blank_missing(values: pd.Series) -> pd.Series:
    """pd.NA / NaT from Python callers as the empty cells Excel would pass (None)."""
    return values.where(values.notna(), None)


def flat_cells(value: Any) -> list:
    """An option argument (one cell or a range) as a flat list of its cells."""
    return [] if value is None else [None if _missing(c) else c for c in as_array(value).ravel()]


def rows_of(value: Any) -> list[list]:
    """A table argument as rows of cells: one cell is one row of one cell; a flat list is one row."""
    if value is None:
        return []
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        value = [[value]]
    elif not (value and all(isinstance(r, (list, tuple)) for r in value)):
        value = [value]
    return [[None if _missing(c) else c for c in row] for row in value]


def _missing(value: Any) -> bool:
    return (
        value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value))
    )
