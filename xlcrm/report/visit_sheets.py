"""What the visit log adds to the visit workbook: 上次拜访, 待跟进 and 下一步 on the route
sheets, the 跟进提醒 sheet, and the visits per route on 汇总 (pure descriptions)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..core.privacy import mask_cells
from ..core.titles import Labels, footer_label, report_title
from ..core.visits import FOLLOW_UP_DAYS, FOLLOW_UP_STATUS, VisitReview
from .code_cells import CodeCells
from .model import Block, Column, Sheet, cell_rows

FOLLOW_UPS_NAME = "跟进提醒"
VISIT_COLUMNS = [
    Column("last_visit", "上次拜访", "date"),
    Column("due_date", "待跟进", "date", overdue=True),
    Column("next_step", "下一步"),
]
FOLLOW_UP_COLUMNS = [
    Column("status", "状态"),
    Column("due_date", "跟进日期", "date", overdue=True),
    Column("batch", "访销日"),
    Column("route", "线路"),
    Column("customer_code", "客户代码", "code"),
    Column("name", "客户名称"),
    Column("next_step", "下一步"),
    Column("visit_date", "拜访日期", "date"),
    Column("method", "方式"),
]
NOT_ON_ROUTE = "（不在线路上）"
# route customers and those visited this quarter: 汇总 per route, 部门汇总 per manager
VISITED_COLUMNS = [Column("customers", "线路客户", "count"), Column("visited", "本季已拜访", "count")]


def days(values) -> np.ndarray:
    """Timestamps as dates (what a date cell takes), blanks as None: one conversion per column
    (a time of day is dropped, as Timestamp.date() drops it)."""
    stamps = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if stamps.dtype.kind != "M":  # cells (Timestamps, None), or a column with a time zone
        column = pd.to_datetime(pd.Series(stamps, dtype=object))
        if column.dt.tz is not None:
            column = column.dt.tz_localize(None)  # the day where the time was written
        stamps = column.to_numpy()
    return stamps.astype("datetime64[D]").astype(object)


def _text(values: pd.Series, mask: bool) -> np.ndarray:
    cells = values.to_numpy(dtype=object, na_value=None)
    return mask_cells(cells) if mask else cells


def _filled(values: pd.Series, blank: str) -> np.ndarray:
    return values.to_numpy(dtype=object, na_value=blank)


def visit_lookup(review: VisitReview | None, mask: bool = False) -> CodeCells | None:
    """上次拜访, 待跟进 and 下一步 by customer code (blank for a code the log does not mention);
    下一步 masked as printed text is (phone numbers in a note) when `mask`. None without a log."""
    if review is None:
        return None
    first = review.customers
    return CodeCells.first_of(
        first["customer_code"],
        {
            "last_visit": days(first["last_visit"]),
            "due_date": days(first["due_date"]),
            "next_step": _text(first["next_step"], mask),
        },
        dict.fromkeys(("last_visit", "due_date", "next_step")),
    )


def visit_columns(review: VisitReview | None) -> list[Column]:
    return VISIT_COLUMNS if review is not None else []


def follow_up_sheet(review: VisitReview, labels: Labels = Labels(), mask: bool = False) -> Sheet:
    """跟进提醒: every open follow-up overdue or due within seven days of the as-of date,
    overdue first, then by visit weekday; past dates red on the day it is opened or printed."""
    window = review.follow_ups
    soon = review.as_of + dt.timedelta(days=FOLLOW_UP_DAYS)
    rows = cell_rows(
        {
            "status": [FOLLOW_UP_STATUS[s] for s in window["status"].to_numpy(dtype=object)],
            "due_date": days(window["due_date"]),
            "batch": _filled(window["batch"], ""),
            "route": _filled(window["route"], NOT_ON_ROUTE),
            "customer_code": window["customer_code"].to_numpy(dtype=object),
            "name": _text(window["name"], mask),
            "next_step": _text(window["next_step"], mask),
            "visit_date": days(window["visit_date"]),
            "method": _filled(window["method"], ""),
        }
    )
    caption = "" if len(rows) else f"（没有逾期或 {FOLLOW_UP_DAYS} 天内到期的跟进）"
    note = (
        f"按 {review.as_of:%Y-%m-%d} 计算：逾期 {review.overdue} 条，"
        f"{FOLLOW_UP_DAYS}天内到期（到 {soon:%m-%d}） {review.due_soon} 条"
        "　　红色：跟进日期已过（按打开或打印的当天）"
    )
    return Sheet(
        FOLLOW_UPS_NAME,
        report_title(FOLLOW_UPS_NAME, labels),
        [Block(FOLLOW_UP_COLUMNS, rows, caption=caption)],
        filters=bool(len(rows)),
        note=note,
        footer=footer_label(labels),
    )


def coverage_block(review: VisitReview) -> Block:
    """汇总's visits per route: route customers visited in the quarter, up to the as-of date."""
    coverage = review.coverage
    start, end = review.period
    counts = {c: coverage[c].to_numpy() for c in ("customers", "visited", "not_visited")}
    # the routes, then the 合计 row
    rows = cell_rows(
        {
            "batch": [*coverage["batch"].to_numpy(dtype=object), "合计"],
            "route": [*coverage["route"].to_numpy(dtype=object), ""],
            **{c: [*(int(n) for n in column), int(column.sum())] for c, column in counts.items()},
        }
    )
    return Block(
        [
            Column("batch", "访销日"),
            Column("route", "线路"),
            *VISITED_COLUMNS,
            Column("not_visited", "未拜访", "count"),
        ],
        rows,
        caption=(
            f"本季拜访（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）　待跟进：逾期 {review.overdue} 条，"
            f"{FOLLOW_UP_DAYS}天内到期 {review.due_soon} 条（见“{FOLLOW_UPS_NAME}”）"
        ),
        total_row=True,
        group_by="batch",
    )
