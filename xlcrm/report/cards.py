"""客户资料卡 described once: the cards of a sheet and how a card is laid out on the page
(two cards to an A4 page, never split across pages)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..core.cards import Card
from ..core.titles import Labels, footer_label, report_title
from ..core.visits import LAST_VISITS
from .look import column_pixels, display_width
from .pages import POINTS_PER_PX, SAFETY, body_points

CARDS_NAME = "客户资料卡"
FACTS = ("客户代码", "客户名称", "负责人", "经营地址", "线路", "业态", "本季等级")
HISTORY_HEADERS = ("季度", "等级", "购进量（条）", "购进额（元）")
# columns: A label, B value, C gap, D quarter, E grade, F volume, G amount (characters)
WIDTHS = (10, 36, 2, 16, 7, 12, 14)
HISTORY_COLUMN = 3  # D
CARD_ROWS = 25  # each card the same height, a blank row included: two fill an A4 page
ROW_HEIGHT = 14.25  # points, Excel's own for the font: two cards of 25 rows fit a page at card_scale
CARDS_PER_PAGE = 2
TALK_ROWS = 2  # rows per talking point or alert (merged, wrapped)
MAX_POINTS = 2
MAX_ALERTS = 2
VISITS_ROW = 18  # the card's row of the visit captions; a line per visit and follow-up below
VISITS_CAPTION, FOLLOW_UPS_CAPTION = f"近{LAST_VISITS}次拜访", "待跟进"
LEFT_WIDTH = WIDTHS[0] + WIDTHS[1] - 2  # characters a line of A–B holds
RIGHT_WIDTH = sum(WIDTHS[HISTORY_COLUMN:]) - 2  # … of D–G


@dataclass(frozen=True)
class CardSheet:
    name: str
    title: str
    cards: list[Card]
    footer: str = ""  # the quarter and manager at the foot of every printed page


def card_sheet(cards: list[Card], labels: Labels = Labels()) -> CardSheet:
    return CardSheet(CARDS_NAME, report_title(CARDS_NAME, labels), cards, footer_label(labels))


def card_scale() -> int:
    """The printed size (percent) that puts a card's width across an A4 page upright, two cards
    to a page: 86 %, so 11-point text prints at 9.5 points."""
    width = sum(column_pixels(w) for w in WIDTHS) * POINTS_PER_PX
    return min(100, int(100 * body_points(False)[0] * SAFETY / width))


def facts(card: Card) -> list[tuple[str, str]]:
    """The left column of a card: label and value."""
    grade = (
        f"{card.grade}（{card.change}）"
        if card.grade and card.change
        else (card.grade or card.change or "无")
    )
    values = (
        card.customer_code,
        card.name,
        card.owner,
        card.address,
        f"{card.route}（{card.weekday}）",
        card.segment,
        grade,
    )
    return list(zip(FACTS, values))


def said(lines: list[str], most: int) -> list[str]:
    """At most `most` lines; the last says how many more there are."""
    if len(lines) <= most:
        return lines
    return [*lines[: most - 1], f"{lines[most - 1]}（另有 {len(lines) - most} 条，见重点关注）"]


def _day(value) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def clipped(text: str, width: int) -> str:
    """A line that fits `width` characters (CJK count double), cut with … when longer."""
    if display_width(text) <= width:
        return text
    while display_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def visit_lines(card: Card) -> list[str]:
    """'2026-06-22 走访：推荐新品；需求：要价目表', latest first; '无记录' without visits."""
    lines = []
    for when, method, content, need in card.visits.itertuples(index=False):
        said = "；".join(t for t in (_shown(content), f"需求：{need}" if _shown(need) else "") if t)
        head = " ".join(t for t in (_day(when) or "（日期不明）", _shown(method)) if t)
        lines.append(clipped(f"{head}：{said}" if said else head, LEFT_WIDTH))
    return lines or ["无记录"]


def follow_up_lines(card: Card) -> list[str]:
    """'2026-06-25 送价目表', the earliest first; at most as many lines as visits, the last saying
    how many more there are."""
    lines = [
        clipped(f"{_day(due) or '（未定日期）'} {_shown(step) or '（未写下一步）'}", RIGHT_WIDTH)
        for due, step in card.follow_ups.itertuples(index=False)
    ]
    if len(lines) > LAST_VISITS:
        lines = [*lines[: LAST_VISITS - 1], f"（另有 {len(lines) - LAST_VISITS + 1} 条）"]
    return lines or ["无"]


def _shown(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
