"""The customer card (客户资料卡): who the customer is, their grade and purchases over the
recorded quarters, what to talk about on the next visit, and their alerts (pure)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .changes import CHANGE_LABELS, DOWN, UP
from .grades import GradeScheme
from .history import ALERT_KINDS, HISTORY_QUARTERS
from .quarters import Quarter
from .tables import next_grade_gaps

CARD_HISTORY = ["quarter", "grade", "volume", "amount"]


@dataclass(frozen=True)
class Card:
    customer_code: str
    name: str
    owner: str
    address: str
    route: str
    weekday: str
    segment: str
    grade: str
    change: str  # 提升 / 保持 / 下降 / 新客户 / 无本季等级
    history: pd.DataFrame  # CARD_HISTORY, oldest first, at most eight recorded quarters
    talking_points: list[str]
    alerts: list[str]


def make_cards(
    current: pd.DataFrame,
    rows: pd.DataFrame,
    quarters: list[int],
    standards: pd.DataFrame,
    scheme: GradeScheme,
    alerts: pd.DataFrame,
) -> list[Card]:
    """One card per customer of `current` (customer_code, route, batch, change, grade,
    previous_grade, segment, volume, amount, name, owner, address), in its order."""
    shown = quarters[-HISTORY_QUARTERS:]
    recent = rows[rows["quarter"].isin(shown)].sort_values("quarter", kind="stable")
    by_code = {code: part for code, part in recent.groupby("customer_code", sort=False)}
    gaps = next_grade_gaps(current, standards, scheme)
    floor = standards.set_index(["segment", "grade"])
    said = alerts.groupby("customer_code")
    said = (
        {
            code: [f"{ALERT_KINDS.get(k, k)}：{d}" for k, d in zip(part["kind"], part["detail"])]
            for code, part in said
        }
        if len(alerts)
        else {}
    )
    cards = []
    for i, row in enumerate(current.itertuples(index=False)):
        history = by_code.get(row.customer_code)
        table = (
            pd.DataFrame(columns=CARD_HISTORY)
            if history is None
            else pd.DataFrame(
                {
                    "quarter": [Quarter.from_index(int(q)).label for q in history["quarter"]],
                    "grade": history["grade"].fillna("").to_numpy(object),
                    "volume": history["volume"].to_numpy(float),
                    "amount": history["amount"].to_numpy(float),
                }
            )
        )
        cards.append(
            Card(
                customer_code=row.customer_code,
                name=_text(row.name),
                owner=_text(row.owner),
                address=_text(row.address),
                route=_text(row.route),
                weekday=_text(row.batch),
                segment=_text(row.segment),
                grade=_text(row.grade),
                change=CHANGE_LABELS.get(row.change, ""),
                history=table,
                talking_points=_talking_points(row, gaps.iloc[i], floor),
                alerts=said.get(row.customer_code, []),
            )
        )
    return cards


def _talking_points(row, gap, floor: pd.DataFrame) -> list[str]:
    points = []
    if row.change == UP:
        points.append(f"本季由 {row.previous_grade} 升为 {row.grade}：祝贺客户，巩固做法")
    if row.change == DOWN and isinstance(row.previous_grade, str):
        key = (row.segment, row.previous_grade)
        if key in floor.index:
            volume = _short(floor.at[key, "min_volume"], row.volume)
            amount = _short(floor.at[key, "min_amount"], row.amount)
            if volume == 0 and amount == 0:
                points.append(
                    f"由 {row.previous_grade} 降为 {row.grade}：购进已不低于 {row.previous_grade} 的"
                    "辖区最低标准，降档另有原因，需当面了解"
                )
            else:
                points.append(
                    f"由 {row.previous_grade} 降为 {row.grade}：要回到 {row.previous_grade}，"
                    f"按本季辖区最低标准还差 {_gap_text(volume, '条')}、{_gap_text(amount, '元')}"
                )
        else:
            points.append(f"由 {row.previous_grade} 降为 {row.grade}：本季辖区无人持有 {row.previous_grade}")
    if not isinstance(row.grade, str):
        points.append("本季没有等级：核对客户代码，或了解是否停业")
    elif isinstance(gap["next_grade"], str):
        if gap["gap_volume"] == 0 and gap["gap_amount"] == 0:
            points.append(f"购进已达到 {gap['next_grade']} 的辖区最低标准：保持下去有望升档")
        else:
            points.append(
                f"离上一档 {gap['next_grade']} 还差 {_gap_text(gap['gap_volume'], '条')}、"
                f"{_gap_text(gap['gap_amount'], '元')}"
            )
    else:
        points.append(f"{row.grade} 已是本业态最高档（辖区无人持有更高一档）")
    return points


def _short(needed: float, has: float) -> float:
    """What is still missing to reach `needed` (0 when there; NaN without both figures)."""
    return np.nan if pd.isna(needed) or pd.isna(has) else max(float(needed) - float(has), 0.0)


def _gap_text(gap: float, unit: str) -> str:
    if pd.isna(gap):
        return f"？{unit}（本季无购进数据）"
    return f"{gap:,.0f} {unit}" if unit == "条" else f"{gap:,.2f} {unit}"


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
