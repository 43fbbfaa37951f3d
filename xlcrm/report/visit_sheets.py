"""What the visit log adds to the visit workbook: 上次拜访, 待跟进 and 下一步 on the route
sheets, the 跟进提醒 sheet, and the visits per route on 汇总 (pure descriptions)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..core.privacy import mask_cells
from ..core.titles import Labels, footer_label, report_title
from ..core.visits import FOLLOW_UP_DAYS, FOLLOW_UP_STATUS, OVERDUE, VisitReview
from .model import Block, Column, Sheet

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
    """Timestamps as dates (what a date cell takes), blanks as None."""
    return np.array([None if pd.isna(v) else pd.Timestamp(v).date() for v in values], dtype=object)


def _text(values, mask: bool) -> np.ndarray:
    cells = np.array([None if pd.isna(v) else v for v in values], dtype=object)
    return mask_cells(cells) if mask else cells


def visit_lookup(review: VisitReview | None) -> pd.DataFrame | None:
    """上次拜访, 待跟进 and 下一步 by customer code (made once per workbook), None without a log."""
    if review is None:
        return None
    return review.customers.drop_duplicates("customer_code").set_index("customer_code")


def visit_values(codes: pd.Series, lookup: pd.DataFrame | None, mask: bool = False) -> dict[str, np.ndarray]:
    """The visit columns for route rows (by their codes): blank for a customer the log does not
    mention; 下一步 masked as printed text is (phone numbers in a note)."""
    if lookup is None:
        return {}
    at = lookup.index.get_indexer(codes)
    found = at >= 0

    def column(key: str) -> np.ndarray:
        values = np.full(len(codes), None, dtype=object)
        values[found] = lookup[key].to_numpy(dtype=object)[at[found]]
        return values

    return {
        "last_visit": days(column("last_visit")),
        "due_date": days(column("due_date")),
        "next_step": _text(column("next_step"), mask),
    }


def visit_columns(review: VisitReview | None) -> list[Column]:
    return VISIT_COLUMNS if review is not None else []


def follow_up_sheet(review: VisitReview, labels: Labels = Labels(), mask: bool = False) -> Sheet:
    """跟进提醒: every open follow-up overdue or due within seven days of the as-of date,
    overdue first, then by visit weekday; past dates red on the day it is opened or printed."""
    window = review.follow_ups
    soon = review.as_of + dt.timedelta(days=FOLLOW_UP_DAYS)
    rows = pd.DataFrame(
        {
            "status": [FOLLOW_UP_STATUS[s] for s in window["status"]],
            "due_date": days(window["due_date"]),
            "batch": window["batch"].astype(object).where(window["batch"].notna(), "").to_numpy(),
            "route": window["route"].astype(object).where(window["route"].notna(), NOT_ON_ROUTE).to_numpy(),
            "customer_code": window["customer_code"].astype(object).to_numpy(),
            "name": _text(window["name"], mask),
            "next_step": _text(window["next_step"], mask),
            "visit_date": days(window["visit_date"]),
            "method": window["method"].astype(object).where(window["method"].notna(), "").to_numpy(),
        }
    )
    overdue = int((window["status"] == OVERDUE).sum())
    caption = "" if len(rows) else f"（没有逾期或 {FOLLOW_UP_DAYS} 天内到期的跟进）"
    note = (
        f"按 {review.as_of:%Y-%m-%d} 计算：逾期 {overdue} 条，{FOLLOW_UP_DAYS}天内到期（到 {soon:%m-%d}）"
        f" {len(rows) - overdue} 条　　红色：跟进日期已过（按打开或打印的当天）"
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
    total = pd.DataFrame(
        [
            {
                "batch": "合计",
                "route": "",
                **{c: int(coverage[c].sum()) for c in ("customers", "visited", "not_visited")},
            }
        ]
    )
    rows = pd.concat([coverage[["batch", "route", "customers", "visited", "not_visited"]], total])
    window = review.follow_ups["status"]
    overdue = int((window == OVERDUE).sum())
    return Block(
        [
            Column("batch", "访销日"),
            Column("route", "线路"),
            *VISITED_COLUMNS,
            Column("not_visited", "未拜访", "count"),
        ],
        rows.reset_index(drop=True),
        caption=(
            f"本季拜访（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）　待跟进：逾期 {overdue} 条，"
            f"{FOLLOW_UP_DAYS}天内到期 {len(window) - overdue} 条（见“{FOLLOW_UPS_NAME}”）"
        ),
        total_row=True,
        group_by="batch",
    )
