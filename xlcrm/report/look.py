"""How sheet descriptions look, whatever writes them: widths, number formats, cell styles,
chart colours and the cell values as shown. XlsxWriter (files) and xlwings (a live
workbook) both lay out from here, so the two never drift apart."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator

from ..core.changes import NEW_MARK, NO_GRADE
from .model import Block

A4 = 9  # Excel's paper size code
CHART_HEIGHT_PX = 300
CHART_GAP_ROWS = 17  # rows a chart takes below its block (default row height 19 px), plus a gap

# The workbook's own font: 等线 11, the default of Excel in Chinese since Office 2016 (WPS opens
# it as it is); its Excel metrics: the default 8.38-character column is 72 px, a row 19 px.
FONT = {"font_name": "等线", "font_size": 11}
DIGIT_PX, PADDING_PX = 8, 5
DEFAULT_COLUMN_PX, DEFAULT_ROW_PX = 72, 19

NUMBER_FORMATS = {
    "code": "0",
    "count": "#,##0",
    "amount": "#,##0.00",
    "volume": "#,##0.00",  # "#,##0" when every value is whole, see number_format()
    # 0 still missing means the customer already buys enough for the next grade
    "volume_gap": '#,##0.00;-#,##0.00;"已达标"',
    "amount_gap": '#,##0.00;-#,##0.00;"已达标"',
    "date": "yyyy-mm-dd",
    "share": "0.0%",
}
WHOLE = {"volume": "#,##0", "volume_gap": '#,##0;-#,##0;"已达标"'}
CENTERED = {"grade", "date"}
MAX_WIDTH = 40  # wider text wraps within its column, so it prints inside the table
LINE_HEIGHT = 15  # points per line of 11-point text, Chinese included
WRITE_IN_WIDTH = 22  # characters at least for notes written by hand (more when the page has room)
WRITE_IN_NARROWEST = 12  # characters: as narrow as it gets to keep a full page of columns readable
TITLE_HEIGHT, NOTE_HEIGHT = 24, 16  # points: the 14-point title row, the legend line under it

BASE = {"border": 1, "valign": "vcenter"}
NAMED = {
    "title": {"bold": True, "font_size": 14},
    "caption": {"bold": True, "font_size": 12},
    "note": {"font_size": 10, "font_color": "#404040"},
    "write_in": {"border": 1},
    "head": {
        "bold": True,
        "align": "center",
        "valign": "vcenter",
        "border": 1,
        "text_wrap": True,
        "bg_color": "#D9D9D9",
    },
}
TOTAL = {"bold": True, "bg_color": "#F2F2F2"}
# the 变动 column's marks, each in its own style: fills that still differ printed in black and
# white, and the text (↑ ↓ 新 无等级) carries the meaning too
MARK_STYLES = {
    "↑": {"bold": True, "font_color": "#006100", "bg_color": "#C6EFCE"},
    "↓": {"bold": True, "italic": True, "font_color": "#9C0006", "bg_color": "#FFA7A7"},
    NEW_MARK: {"bold": True, "font_color": "#1F4E79", "bg_color": "#DDEBF7"},
    NO_GRADE: {"italic": True, "font_color": "#404040", "bg_color": "#D9D9D9"},
}
BORDER_STYLES = {"medium": 2, "double": 6}  # Excel border codes
# a date already past (Column.overdue): red, and bold so it still stands out printed in grey
OVERDUE_STYLE = {"bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE"}


def overdue_rule(letter: str, top: int, settled: tuple[str, str] | None = None) -> str:
    """The conditional-format formula over a date column (its letter, first data row): a date
    before the day the workbook is open. TODAY() keeps it live; a blank or text cell is no date.
    `settled`: (letter, value) of a column whose value there settles the row (已完成 是)."""
    at = f"${letter}{top}"
    if settled is None:
        return f"=AND(ISNUMBER({at}),{at}<TODAY())"
    # TRIM: '是 ' typed with a space is done too, as the log is read
    return f'=AND(ISNUMBER({at}),{at}<TODAY(),TRIM(${settled[0]}{top})<>"{settled[1]}")'


def mark_rules(mark: str, top: int) -> list[tuple[str, dict]]:
    """Conditional-format formulas over the mark column (its letter, first data row) and their
    styles: they follow the cell when someone edits a grade."""
    at = f"${mark}{top}"
    return [
        (f'={at}="{NO_GRADE}"' if ending == NO_GRADE else f'=RIGHT({at},1)="{ending}"', style)
        for ending, style in MARK_STYLES.items()
    ]


def number_format(kind: str, values: Iterable) -> str:
    """A column's number format; volumes lose their decimals when all of them are whole
    ('#,##0.##' would leave a trailing dot in Excel). `values`: the column's cells."""
    if kind in WHOLE and all(
        float(v).is_integer()
        for v in values
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    ):
        return WHOLE[kind]
    return NUMBER_FORMATS.get(kind, "General")


def cell_style(
    kind: str,
    num_format: str,
    *,
    left: bool = False,
    total: bool = False,
    top: str | None = None,
    wrap: bool = False,
) -> dict:
    """Format properties (XlsxWriter's names) of a data cell."""
    style = dict(BASE, num_format=num_format)
    if wrap:
        style["text_wrap"] = True
    if kind in CENTERED:
        style["align"] = "center"
    if left:
        style["left"] = BORDER_STYLES["medium"]  # a stronger line opens each weekday block
    if total:
        style.update(TOTAL)
    if top:
        style["top"] = BORDER_STYLES[top]
    return style


class Styles:
    """Formats made once per distinct style (Excel caps a workbook at 64,000)."""

    def __init__(self, make: Callable[[dict], object]):
        self._make = make
        self._made: dict[tuple, object] = {}

    def get(self, name: str, *, left: bool = False):
        style = dict(NAMED[name])
        if left:
            style["left"] = BORDER_STYLES["medium"]
        return self._cached(style)

    def cell(self, kind: str, num_format: str, **modifiers):
        return self._cached(cell_style(kind, num_format, **modifiers))

    def _cached(self, style: dict):
        key = tuple(sorted(style.items()))
        if key not in self._made:
            self._made[key] = self._make(style)
        return self._made[key]


def display_width(value) -> int:
    """Characters as Excel shows them: CJK and full-width count double. A CJK character is 3
    bytes of UTF-8, so the byte count says it without a per-character lookup (CJK punctuation
    such as “” counts double too, as Chinese fonts draw it)."""
    text = "" if value is None else str(value)
    if text.isascii():
        return len(text)
    return len(text) + (len(text.encode("utf-8")) - len(text)) // 2


def block_widths(block: Block, cells: list | None = None, sample: int = 500) -> list[float]:
    """Widths that fit the header and the (sampled) values, within reason."""
    cells = cells if cells is not None else column_cells(block)
    widths = []
    for column, values in zip(block.columns, cells):
        shown = set(values[:sample])  # each distinct value measured once (grades, routes, counts repeat)
        shown.discard(None)
        if column.kind in NUMBER_KINDS:
            numbers = [v for v in shown if isinstance(v, (int, float)) and math.isfinite(v)]
            # the widest number is the largest or the most negative one
            shown = (shown - set(numbers)) | ({max(numbers), min(numbers)} if numbers else set())
        longest = max((display_width(_shown(v, column.kind)) for v in shown), default=0)
        widths.append(min(MAX_WIDTH, max(6, header_width(column.header), longest + 2)))
    return widths


def header_text(header: str, width: float = 0) -> str:
    """A header wider than its column (`width`, set by the values) on two lines, its unit on
    the second ('距上一档\n（条）'), else split in the middle ('上季\n等级')."""
    if display_width(header) <= max(6, width - 2) or header.isascii():
        return header
    at = header.index("（", 1) if "（" in header[1:] else (len(header) + 1) // 2
    return header[:at] + "\n" + header[at:]


def header_width(header: str) -> int:
    """Room a header needs on its (at most two) lines."""
    return max(display_width(line) for line in header_text(header).split("\n")) + 2


def wrapped_heights(block: Block, cells: list, widths: list[float]) -> tuple[list[bool], dict[int, float]]:
    """Which columns wrap (text wider than MAX_WIDTH), and the height in points of each row
    that needs more than one line: set explicitly, since not every program re-measures rows."""
    wrap = [w >= MAX_WIDTH and c.kind == "text" for w, c in zip(widths, block.columns)]
    heights: dict[int, float] = {}
    for col in (i for i, w in enumerate(wrap) if w):
        per_line = max(widths[col] - 2, 1)
        for i, value in enumerate(cells[col]):
            if value is not None:
                lines = math.ceil(display_width(value) / per_line)
                if lines > 1:
                    heights[i] = max(heights.get(i, 0), lines * LINE_HEIGHT)
    return wrap, heights


def column_pixels(width: float) -> int:
    """Excel's column width (characters of the default font) in pixels."""
    return int(width * DIGIT_PX + 0.5) + PADDING_PX


NUMBER_KINDS = ("volume", "amount", "volume_gap", "amount_gap")


def _shown(value, kind: str) -> str:
    if kind in NUMBER_KINDS and isinstance(value, (int, float)):
        return f"{value:,.2f}"
    return str(value)


def chart_colors(series: list[str]) -> list[str]:
    """Up / same / down in green, grey and red; otherwise a blue ramp, dark (best) to light.
    Both keep distinct greys when printed in black and white."""
    fixed = {"up": "#2E7D32", "same": "#BDBDBD", "down": "#E57373"}
    if set(series) <= set(fixed):
        return [fixed[s] for s in series]
    dark, light = (0x1F, 0x4E, 0x79), (0xDE, 0xEB, 0xF7)
    n = max(len(series) - 1, 1)
    return [
        "#" + "".join(f"{round(lo + (hi - lo) * i / n):02X}" for lo, hi in zip(dark, light))
        for i in range(len(series))
    ]


def column_cells(block: Block) -> list:
    """Per column, the values as cells show them: NA → blank (None), codes as whole numbers
    (format '0'). Rows are zip(*column_cells(block))."""
    keys = [c.key for c in block.columns]
    frame = block.rows if list(block.rows.columns) == keys else block.rows[keys]
    table = frame.to_numpy(dtype=object, na_value=None)  # one conversion, not one per column
    return [
        [_code_number(v) for v in table[:, i]] if column.kind == "code" else table[:, i]
        for i, column in enumerate(block.columns)
    ]


def shown_cells(block: Block) -> Iterator[tuple]:
    return zip(*column_cells(block))


def _code_number(value):
    """A customer code as a number when it is one (shown with format '0', never 3.3E+11)."""
    if (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and len(value) <= 15
        and value[0] != "0"
    ):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
