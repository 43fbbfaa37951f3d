"""客户资料卡 described once: the cards of a sheet and how a card is laid out on the page
(two cards to an A4 page, never split across pages)."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.cards import Card
from ..core.titles import Labels, footer_label, report_title

CARDS_NAME = "客户资料卡"
FACTS = ("客户代码", "客户名称", "负责人", "经营地址", "线路", "业态", "本季等级")
HISTORY_HEADERS = ("季度", "等级", "购进量（条）", "购进额（元）")
# columns: A label, B value, C gap, D quarter, E grade, F volume, G amount (characters)
WIDTHS = (10, 36, 2, 16, 7, 12, 14)
HISTORY_COLUMN = 3  # D
CARD_ROWS = 22  # each card the same height, a blank row included: two fill an A4 page
CARDS_PER_PAGE = 2
TALK_ROWS = 2  # rows per talking point or alert (merged, wrapped)
MAX_POINTS = 2
MAX_ALERTS = 2


@dataclass(frozen=True)
class CardSheet:
    name: str
    title: str
    cards: list[Card]
    footer: str = ""  # the quarter and manager at the foot of every printed page


def card_sheet(cards: list[Card], labels: Labels = Labels()) -> CardSheet:
    return CardSheet(CARDS_NAME, report_title(CARDS_NAME, labels), cards, footer_label(labels))


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
