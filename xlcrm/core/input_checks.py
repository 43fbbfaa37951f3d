"""Whether the district tables are the right ones: each names its quarter (in its file name or
its title), and last quarter's grades must be from the quarter before this one's, the
purchases from this one. A wrong choice is not fatal — the run goes on — but it is said
plainly, first on the issue list."""

from __future__ import annotations

import pandas as pd

from . import issues as issue_list
from .model import Table
from .quarters import Quarter

# identical grade tables this long are no coincidence: the same table chosen twice
SAME_TABLE_MIN_ROWS = 10


def input_mismatches(grades: Table, purchases: Table, previous: Table | None) -> pd.DataFrame:
    """input_mismatch issues: quarters that do not fit together, or last quarter's grades
    identical to this quarter's."""
    found: list[tuple[str, str]] = []  # (where, detail)
    now = Quarter.find(grades.quarter)
    bought = Quarter.find(purchases.quarter)
    if now and bought and bought != now:
        found.append(
            (
                purchases.where,
                f"购进表是{purchases.quarter}的，本季等级表是{grades.quarter}的：季度不一致，"
                "购进量、购进额和最低标准会对不上；请检查是否选错了文件",
            )
        )
    if previous is not None:
        before = Quarter.find(previous.quarter)
        if now and before and before >= now:
            found.append(
                (
                    previous.where,
                    f"上季等级表是{previous.quarter}的，不早于本季等级表（{grades.quarter}）："
                    "两张等级表可能选反了，提升和下降会颠倒；请检查",
                )
            )
        elif now and before and now.shifted(-1) != before:
            found.append(
                (
                    previous.where,
                    f"上季等级表是{previous.quarter}的，不是本季（{grades.quarter}）的上一季度；"
                    "变动是跟这一季比的，请确认",
                )
            )
        if _same_grades(grades, previous):
            found.append(
                (
                    previous.where,
                    f"上季等级表与本季等级表的等级完全相同（{len(previous.rows):,} 户）："
                    "可能两次选了同一张表，所有客户都会是“保持”；请检查",
                )
            )
    return issue_list.issue_frame(
        "input_mismatch", pd.NA, [where for where, _ in found], [detail for _, detail in found]
    )


def _same_grades(grades: Table, previous: Table) -> bool:
    if len(previous.rows) < SAME_TABLE_MIN_ROWS or len(previous.rows) != len(grades.rows):
        return False
    pairs = [
        set(zip(t.rows["customer_code"].fillna(""), t.rows["grade"].fillna(""))) for t in (grades, previous)
    ]
    return pairs[0] == pairs[1]
