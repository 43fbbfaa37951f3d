"""The run's summary in words, the same on the command line and in the ribbon's message box."""

from __future__ import annotations

import pandas as pd

from ..core.changes import CHANGE_LABELS, CHANGES
from ..core.issues import KINDS
from ..core.quarter import QuarterResult
from ..core.values import ABC_CLASSES, CustomerValues
from ..core.visits import FOLLOW_UP_DAYS, VisitReview


def change_counts(result: QuarterResult) -> str:
    """'提升 12，保持 300，下降 20，新客户 8，无本季等级 3'."""
    counts = result.customers["change"].value_counts()
    return "，".join(f"{CHANGE_LABELS[c]} {counts.get(c, 0)}" for c in CHANGES)


def customers_line(result: QuarterResult, joiner: str = "：") -> str:
    """'线路客户 500 户：提升 12，保持 300，下降 20，新客户 8，无本季等级 3'."""
    return f"线路客户 {len(result.customers):,} 户{joiner}{change_counts(result)}"


def issue_counts(issues: pd.DataFrame, see: str = "") -> str:
    """'数据问题 12 条：本季等级表中没有 5，购进表中没有 7', or '没有发现数据问题'; `see` goes
    before the colon ('（详见“数据问题”工作表）')."""
    if not len(issues):
        return "没有发现数据问题"
    by_kind = issues["kind"].value_counts()
    return f"数据问题 {len(issues):,} 条{see}：" + "，".join(
        f"{label} {by_kind[k]}" for k, label in KINDS.items() if k in by_kind
    )


def follow_up_line(review: VisitReview, where: str = "（见“跟进提醒”）") -> str:
    """'拜访记录 120 条：待跟进逾期 3 条，7 天内到期 5 条（见“跟进提醒”）'."""
    return (
        f"拜访记录 {len(review.visits):,} 条：待跟进逾期 {review.overdue} 条，"
        f"{FOLLOW_UP_DAYS} 天内到期 {review.due_soon} 条{where}"
    )


def values_line(values: CustomerValues) -> str:
    """'A 类 186 户，B 类 146 户，C 类 168 户；久未订货 52 户（见“重点关注”）'."""
    counts = values.counts()
    line = "，".join(f"{c} 类 {counts.get(c, 0):,} 户" for c in ABC_CLASSES)
    if values.with_orders:
        days = values.settings.no_order_days
        line += f"；{days} 天以上未订货或没有订货 {counts['no_order']:,} 户（见“重点关注”）"
    return line
