"""Writes 客户资料卡 (report.cards) with XlsxWriter: each card the same height, a page break
after every two, a native chart of the customer's purchases per card."""

from __future__ import annotations

import math

from ..report.cards import (
    CARD_ROWS,
    CARDS_PER_PAGE,
    HISTORY_COLUMN,
    HISTORY_HEADERS,
    MAX_ALERTS,
    MAX_POINTS,
    TALK_ROWS,
    WIDTHS,
    CardSheet,
    facts,
    said,
)
from ..report.look import NAMED, Styles
from ..report.pages import page_setup
from .page_setup import apply_page_setup

HISTORY_ROWS = 8


def write_card_sheet(book, styles: Styles, sheet: CardSheet) -> None:
    ws = book.add_worksheet(sheet.name)
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    f = _formats(book)
    breaks = []
    for i, card in enumerate(sheet.cards):
        top = i * CARD_ROWS
        if i and i % CARDS_PER_PAGE == 0:
            breaks.append(top)
        _card(book, ws, sheet.name, f, card, top)
    # at their own size, two to a page: each page break falls between two cards
    apply_page_setup(ws, page_setup(sheet.title, sheet.footer, landscape=False, scale=100, breaks=breaks))


def _formats(book) -> dict:
    return {
        "title": book.add_format({"bold": True, "font_size": 13, "bottom": 2}),
        "label": book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "valign": "top"}),
        "value": book.add_format({"border": 1, "valign": "top", "text_wrap": True}),
        "head": book.add_format(dict(NAMED["head"])),
        "cell": book.add_format({"border": 1, "align": "center"}),
        "volume": book.add_format({"border": 1, "num_format": "#,##0"}),
        "amount": book.add_format({"border": 1, "num_format": "#,##0.00"}),
        "caption": book.add_format({"bold": True}),
        "text": book.add_format({"text_wrap": True, "valign": "top", "border": 1}),
    }


def _card(book, ws, sheet_name: str, f: dict, card, top: int) -> None:
    last = len(WIDTHS) - 1
    heading = f"{card.name or '（无名称）'}　{card.customer_code}　{card.route}（{card.weekday}）"
    ws.merge_range(top, 0, top, last, heading, f["title"])
    for k, (label, value) in enumerate(facts(card), start=1):
        ws.write_string(top + k, 0, label, f["label"])
        ws.write_string(top + k, 1, value, f["value"])
    at = HISTORY_COLUMN
    for col, header in enumerate(HISTORY_HEADERS):
        ws.write_string(top + 1, at + col, header, f["head"])
    history = card.history.tail(HISTORY_ROWS).reset_index(drop=True)
    rows = zip(history["quarter"], history["grade"], history["volume"], history["amount"])
    for k, (quarter, grade, volume, amount) in enumerate(rows, start=2):
        ws.write_string(top + k, at, quarter, f["cell"])
        ws.write_string(top + k, at + 1, grade or "—", f["cell"])
        _number(ws, top + k, at + 2, volume, f["volume"])
        _number(ws, top + k, at + 3, amount, f["amount"])
    row = top + 9
    row = _lines(ws, f, row, "谈话要点", said(card.talking_points, MAX_POINTS))
    _lines(ws, f, row, "提醒", said(card.alerts, MAX_ALERTS) or ["无"])
    if len(history):
        ws.insert_chart(
            top + 2 + HISTORY_ROWS, at, _chart(book, sheet_name, top, len(history)), {"object_position": 1}
        )


def _lines(ws, f: dict, row: int, caption: str, lines: list[str]) -> int:
    ws.write_string(row, 0, caption, f["caption"])
    row += 1
    for line in lines:
        ws.merge_range(row, 0, row + TALK_ROWS - 1, 1, line, f["text"])
        row += TALK_ROWS
    return row


def _number(ws, row: int, col: int, value: float, fmt) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_number(row, col, float(value), fmt)


def _chart(book, sheet_name: str, top: int, count: int):
    """购进量 per quarter as columns (one series keeps 500 cards' charts under a second)."""
    first, last = top + 2, top + 1 + count
    at = HISTORY_COLUMN
    chart = book.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "购进量（条）",
            "categories": [sheet_name, first, at, last, at],
            "values": [sheet_name, first, at + 2, last, at + 2],
            "fill": {"color": "#5B9BD5"},
            "data_labels": {"value": True, "num_format": "#,##0", "font": {"size": 7}},
        }
    )
    chart.set_legend({"none": True})
    chart.set_title({"name": "购进量（条）", "name_font": {"size": 9, "bold": False}})
    chart.set_y_axis({"visible": False, "major_gridlines": {"visible": False}})
    chart.set_size({"width": 380, "height": 195})
    return chart
