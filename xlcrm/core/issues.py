"""The data-issue list: everything that did not fit, so that nobody vanishes silently.

One row per issue: kind (an English key, stable for tools), customer_code, source (file ›
sheet › cell) and detail (Chinese, for people).
"""

from __future__ import annotations

import pandas as pd

from .cleaning import STRING

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
    frame = pd.DataFrame({"kind": kind, "customer_code": codes, "source": sources, "detail": details})
    if frame.empty:
        return empty()
    return frame.astype({c: STRING for c in COLUMNS})


_EMPTY = pd.DataFrame({c: pd.Series([], dtype=STRING) for c in COLUMNS})


def empty() -> pd.DataFrame:
    """No issues. Shared (combine() never changes its inputs), so never modify it in place."""
    return _EMPTY


def combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """All issues in one frame, ordered by kind (as KINDS lists them), then source order."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return empty()
    issues = pd.concat(frames, ignore_index=True)
    rank = issues["kind"].map({k: i for i, k in enumerate(KINDS)}).fillna(len(KINDS))
    return (
        issues.assign(_rank=rank)
        .sort_values("_rank", kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


def source(where: str, cells: pd.Series | str) -> pd.Series | str:
    """'线路表.xlsx › 一线' + 'B12' → '线路表.xlsx › 一线 › B12'."""
    return where + " › " + cells


def sources(rows: pd.DataFrame) -> pd.Series:
    """The code cell of each loaded row ('线路表.xlsx › 一线 › B12'), built only when needed:
    rows carry `location` ('线路表.xlsx › 一线 › B') and `excel_row`."""
    if rows.empty:
        return pd.Series([], index=rows.index, dtype=STRING)
    return rows["location"].astype(str).astype(STRING) + rows["excel_row"].astype(str).astype(STRING)
