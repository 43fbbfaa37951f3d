"""The data-issue list: everything that did not fit, so that nobody vanishes silently.

One row per issue: kind (an English key, stable for tools), customer_code, source (file ›
sheet › cell) and detail (Chinese, for people).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .cleaning import STRING
from .texts import text_array

COLUMNS = ["kind", "customer_code", "source", "detail"]

# kind → Chinese label shown to managers; order = order on the issue sheet
KINDS = {
    "input_mismatch": "输入文件可能选错",
    "not_in_grades": "本季等级表中没有",
    "bad_grade": "等级不在方案内",
    "blank_grade": "本季等级为空",
    "not_in_purchases": "购进表中没有",
    "not_in_previous": "上季等级表中没有（新客户）",
    "duplicate_code": "客户代码重复",
    "lost_digits": "客户代码丢失位数",
    "bad_code": "客户代码无法识别",
    "missing_code": "缺少客户代码",
    "bad_number": "数字无法识别",
    "odd_number": "数字不合理",
    "bad_date": "日期无法识别",
    "orders_not_counted": "订单未计入",
    "unknown_batch": "线路无法对应访销日",
    # the visit log (core.visits)
    "visit_not_on_route": "拜访的客户不在线路上",
    "visit_no_date": "拜访记录没有日期",
    "visit_bad_date": "拜访记录的日期无法识别",
    "visit_future_date": "拜访日期在今天之后",
    "follow_up_no_date": "跟进没有日期",
    "follow_up_no_step": "跟进没写下一步",
    "follow_up_before_visit": "跟进日期早于拜访日期",
    "visit_bad_method": "拜访方式无法识别",
    "visit_bad_done": "已完成一栏填写有误",
    "visit_duplicate": "重复的拜访记录",
    "not_handed_over": "名单中的客户不在交接的线路上",  # xlcrm handover --customers
    "visit_log_no_manager": "拜访记录对不上客户经理",
    "total_row": "合计行（已跳过）",
    "repeated_header": "重复的表头或标题行（已跳过）",
    "hidden_sheet": "隐藏的工作表（已读取）",
    "ignored_sheet": "未使用的工作表",
    "ignored_columns": "未使用的列",
}


def issue_frame(kind: str, codes, sources, details) -> pd.DataFrame:
    """Issues (usually of one kind): each argument is a scalar or a sequence, sequences of equal length."""
    if hasattr(sources, "__len__") and not isinstance(sources, str) and len(sources) == 0:
        return empty()  # most checks find nothing: skip building a frame (a measurable cost per sheet)
    columns = _text_columns((kind, codes, sources, details))
    if columns is not None:  # text already: each column made once, not a frame then cast
        return pd.DataFrame(dict(zip(COLUMNS, columns))) if len(columns[0]) else empty()
    frame = pd.DataFrame({"kind": kind, "customer_code": codes, "source": sources, "detail": details})
    if frame.empty:
        return empty()
    return frame.astype({c: STRING for c in COLUMNS})


def _text_columns(values: tuple) -> list | None:
    """issue_frame's columns as text arrays when every argument is text (or missing) and every
    sequence a list, tuple or array of one length; None otherwise (then pandas aligns and casts)."""
    sequences = {}
    for i, value in enumerate(values):
        if isinstance(value, (list, tuple, np.ndarray, pd.api.extensions.ExtensionArray)):
            sequences[i] = np.asarray(value, dtype=object)
            if sequences[i].ndim != 1 or pd.api.types.infer_dtype(sequences[i]) not in _TEXT:
                return None
        elif not (isinstance(value, str) or value is None or value is pd.NA):
            return None
    if not sequences or len({len(v) for v in sequences.values()}) != 1:
        return None
    n = len(next(iter(sequences.values())))
    return [
        pd.array(sequences[i] if i in sequences else np.full(n, value, dtype=object), dtype=STRING)
        for i, value in enumerate(values)
    ]


_TEXT = ("string", "empty")  # infer_dtype of text with missing values, or of missing values only


_EMPTY = pd.DataFrame({c: pd.Series([], dtype=STRING) for c in COLUMNS})


def empty() -> pd.DataFrame:
    """No issues. Shared (combine() never changes its inputs), so never modify it in place."""
    return _EMPTY


def combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """All issues in one frame, ordered by kind (as KINDS lists them), then source order."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return empty()
    texts = _texts(frames)
    if texts is not None:
        return _combined_text(texts)
    issues = pd.concat(frames, ignore_index=True)
    rank = issues["kind"].map(_RANK).fillna(len(KINDS))
    return (
        issues.assign(_rank=rank)
        .sort_values("_rank", kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


_RANK = {k: i for i, k in enumerate(KINDS)}
_KIND_SET = pa.array(list(KINDS), type=pa.large_string())


def _texts(frames: list[pd.DataFrame]) -> dict[str, list[pa.Array]] | None:
    """Each column of the issue frames in Arrow, when every frame is COLUMNS of text only."""
    texts: dict[str, list[pa.Array]] = {c: [] for c in COLUMNS}
    for frame in frames:
        if frame.columns.tolist() != COLUMNS:
            return None
        for c in COLUMNS:
            column = frame[c]
            if column.dtype != STRING:
                return None
            texts[c].append(text_array(column))
    return texts


def _combined_text(texts: dict[str, list[pa.Array]]) -> pd.DataFrame:
    """combine() of issue frames holding text only, in Arrow: concatenated, then stably ordered by
    kind (a few small frames: pandas' concat and sort cost more than the work)."""
    columns = {c: pa.concat_arrays(parts) if len(parts) > 1 else parts[0] for c, parts in texts.items()}
    rank = (
        pc.index_in(columns["kind"], value_set=_KIND_SET).fill_null(len(KINDS)).to_numpy(zero_copy_only=False)
    )
    if (np.diff(rank) < 0).any():
        order = pa.array(np.argsort(rank, kind="stable"))
        columns = {c: column.take(order) for c, column in columns.items()}
    return pd.DataFrame({c: pd.arrays.ArrowStringArray(column) for c, column in columns.items()})


def source(where: str, cells: pd.Series | str) -> pd.Series | str:
    """'线路表.xlsx › 一线' + 'B12' → '线路表.xlsx › 一线 › B12'."""
    return where + " › " + cells


def sources(rows: pd.DataFrame) -> pd.Series:
    """The code cell of each loaded row ('线路表.xlsx › 一线 › B12'), built only when needed:
    rows carry `location` ('线路表.xlsx › 一线 › B') and `excel_row`."""
    if rows.empty:
        return pd.Series([], index=rows.index, dtype=STRING)
    location, excel_row = rows["location"], rows["excel_row"]
    if isinstance(location.dtype, pd.CategoricalDtype) and excel_row.dtype.kind in "iu":
        at = location.cat.codes.to_numpy()
        if (at >= 0).all():  # each distinct place once, joined to its row number in Arrow
            places = np.array([str(c) for c in location.cat.categories], dtype=object)[at]
            cells = pc.binary_join_element_wise(
                pa.array(places, type=pa.large_string()),
                pa.array(excel_row.to_numpy()).cast(pa.large_string()),
                pa.scalar("", pa.large_string()),
            )
            return pd.Series(pd.arrays.ArrowStringArray(cells), index=rows.index)
    return location.astype(str).astype(STRING) + excel_row.astype(str).astype(STRING)


def sources_at(rows: pd.DataFrame, at: np.ndarray) -> np.ndarray:
    """sources() of the rows at these positions, as Python text, without filtering the frame
    (a few rows of a wide one)."""
    location = rows["location"]
    if isinstance(location.dtype, pd.CategoricalDtype) and rows["excel_row"].dtype.kind in "iu":
        places = location.array.codes[at]
        if (places >= 0).all():
            names = [str(c) for c in location.cat.categories]
            excel_rows = rows["excel_row"].to_numpy()[at]
            return np.array([f"{names[p]}{r}" for p, r in zip(places, excel_rows)], dtype=object)
    return sources(rows.iloc[at]).to_numpy(dtype=object)
