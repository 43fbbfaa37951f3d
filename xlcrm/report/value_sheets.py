"""What the value classes add to the visit workbook, described once for every writer: the
route sheets' ABC (and, with the order detail, 价值分群) column and 汇总's two blocks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.values import ABC_CLASSES, NO_ORDERS, SEGMENT_ORDER, CustomerValues
from .code_cells import CodeCells
from .model import Block, Column

ABC_COLUMN = Column("abc_class", "ABC分类", "grade")
SEGMENT_COLUMN = Column("rfm_segment", "价值分群", "text")
# what a manager does with each group, in a line (the README says it at length)
SEGMENT_ACTIONS = {
    "重要价值客户": "订得近、订得勤、金额大：保持服务，优先保障货源",
    "重要发展客户": "订得近、金额大但次数少：引导每周稳定订货",
    "重要保持客户": "订得勤、金额大但近来没订：尽快回访问原因",
    "重要挽留客户": "金额大，但订得少、近来没订：马上上门挽留",
    "一般价值客户": "订得近、订得勤但金额小：推荐合适品规",
    "一般发展客户": "订得近，次数和金额都少：培养订货习惯",
    "一般保持客户": "订得勤但近来没订、金额小：电话提醒订货",
    "一般挽留客户": "近来没订，次数和金额都少：常规服务，看是否仍在经营",
    NO_ORDERS: "订单明细中没有订货：确认是否停业或未在平台订货",
}


def value_columns(values: CustomerValues | None) -> list[Column]:
    """The columns the value classes add to a route sheet (after xlcrm's grade columns)."""
    if values is None:
        return []
    return [ABC_COLUMN, SEGMENT_COLUMN] if values.with_orders else [ABC_COLUMN]


def value_lookup(values: CustomerValues | None) -> CodeCells | None:
    """ABC class and segment by customer code (made once per workbook): a row without a code,
    or with one not among the route customers, is C (no amount) and, with orders, 无订货 — as
    values.csv says of it."""
    if values is None:
        return None
    table = values.table[values.table["customer_code"].notna()]
    keys = [ABC_COLUMN.key, SEGMENT_COLUMN.key] if values.with_orders else [ABC_COLUMN.key]
    return CodeCells.first_of(
        table["customer_code"],
        {key: table[key].to_numpy(dtype=object) for key in keys},
        {ABC_COLUMN.key: "C", SEGMENT_COLUMN.key: NO_ORDERS},
    )


def abc_block(values: CustomerValues) -> Block:
    """Each class's route customers and its share of their amount, with the contact plan."""
    first, second = (f"{float(s) * 100:g}%" for s in values.settings.abc)
    classes = values.classes
    total = pd.DataFrame(
        [
            {
                "abc_class": "合计",
                "customers": int(classes["customers"].sum()),
                "amount": float(classes["amount"].sum()),
                "share": 1.0 if classes["share"].notna().any() else np.nan,
                "plan": "",
            }
        ]
    )
    rows = pd.concat([classes.assign(abc_class=[f"{c} 类" for c in ABC_CLASSES]), total], ignore_index=True)
    return Block(
        [
            Column("abc_class", "分类", "grade"),
            Column("customers", "客户数", "count"),
            Column("amount", "购进额（元）", "amount"),
            Column("share", "占购进额", "share"),
            Column("plan", "联系计划"),
        ],
        rows,
        caption=f"客户价值 ABC 分类（本季购进额从高到低累计：前 {first} 为 A 类，"
        f"{first}–{second} 为 B 类，其余 C 类）",
        total_row=True,
    )


def segment_block(values: CustomerValues) -> Block | None:
    """The route customers of each RFM group (with the order detail), with what to do."""
    if values.segments is None:
        return None
    rows = values.segments.assign(action=[SEGMENT_ACTIONS[s] for s in SEGMENT_ORDER])
    return Block(
        [
            Column("rfm_segment", "价值分群"),
            Column("customers", "客户数", "count"),
            Column("action", "怎么做"),
        ],
        rows,
        caption=f"客户价值分群（按订单明细，截至 {values.as_of.isoformat()}：最近订货、订货次数、订货金额）",
    )
