"""How a sheet prints, whatever writes it: orientation, scale, where pages break, and what the
head and foot of every page say. Pure geometry over points (1/72 inch) and Excel pixels.

A printed page is read standing in a shop: text keeps its size (no shrinking to fit a page
wide table onto paper), pages break between groups rather than inside one, and every page says
which sheet, quarter and page it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..core.titles import PRINT_DATE
from .model import Sheet

POINTS_PER_MM = 72 / 25.4
POINTS_PER_PX = 0.75
A4_MM = (210, 297)
MARGINS = {"left": 0.3, "right": 0.3, "top": 0.7, "bottom": 0.6, "header": 0.3, "footer": 0.3}  # inches
# Excel, WPS and LibreOffice measure text a little differently: plan a page 5% smaller
SAFETY = 0.95
# 11-point cells print at 9.4 points or more: the handwriting column narrows before a page shrinks below
READABLE_SCALE = 85
HEAD_SIZE = 10  # points: the running head and foot, the same on paper whatever the sheet's scale
FOOT_LEFT = f"{PRINT_DATE} &D"
FOOT_CENTER = "第 &P 页 共 &N 页"


@dataclass(frozen=True)
class PageSetup:
    landscape: bool
    scale: int | None  # percent of the sheet's size on paper; None: shrunk onto one page (a cover)
    breaks: tuple[int, ...]  # sheet rows (0-based) that begin a new page
    header: str  # Excel header/footer codes
    footer: str


def body_points(landscape: bool) -> tuple[float, float]:
    """Width and height of a page's printable body (inside the margins), in points."""
    width, height = (A4_MM[1], A4_MM[0]) if landscape else A4_MM
    return (
        width * POINTS_PER_MM - (MARGINS["left"] + MARGINS["right"]) * 72,
        height * POINTS_PER_MM - (MARGINS["top"] + MARGINS["bottom"]) * 72,
    )


def orientation_and_scale(width_px: float) -> tuple[bool, int]:
    """Portrait at full size when the printed columns fit; else landscape, shrunk only as
    far as the page width needs."""
    width = width_px * POINTS_PER_PX
    if width <= body_points(False)[0] * SAFETY:
        return False, 100
    across = body_points(True)[0] * SAFETY
    return True, max(10, min(100, int(100 * across / width)))


def fill_width_px(others_px: float, scale: int, landscape: bool = True) -> float:
    """The width left on the page (in pixels at 100%) for one column that takes up the rest."""
    return body_points(landscape)[0] * SAFETY * 100 / scale / POINTS_PER_PX - others_px


def page_breaks(
    top: float,
    repeated: float,
    heights: Sequence[float],
    opens: Sequence[bool],
    forced: Sequence[bool],
    landscape: bool,
    scale: int,
) -> list[int]:
    """Indexes into `heights` (the data rows, in points) before which a page must break.

    `top`: points above the first data row on the first page (title, legend, header);
    `repeated`: points of the rows repeated on every later page; `opens`: the row opens a
    group (a segment: kept whole on a page unless longer than one); `forced`: a new page
    starts here whatever room is left (each manager)."""
    room = body_points(landscape)[1] * SAFETY * 100 / scale
    breaks: list[int] = []
    used, page_start, group_start = top, 0, 0
    for i, height in enumerate(heights):
        if i and forced[i]:
            breaks.append(i)
            used, page_start, group_start = repeated, i, i
        elif opens[i]:
            group_start = i
        if used + height > room and i > page_start:
            at = group_start if group_start > page_start else i  # a group longer than a page splits
            breaks.append(at)
            page_start = at
            used = repeated + sum(heights[at:i])
        used += height
    return breaks


def page_setup(title: str, footer: str, *, landscape: bool, scale: int | None, breaks=()) -> PageSetup:
    """The running head (the title) and the foot: print date, page N of M, quarter and manager."""
    size = f"&{HEAD_SIZE}"
    foot = f"&L{size}{FOOT_LEFT}&C{size}{FOOT_CENTER}"
    if footer:
        foot += f"&R{size} {_escaped(footer)}"  # a space: '&10' then '2026年' would read as size 102026
    return PageSetup(landscape, scale, tuple(breaks), f"&C{size}{_escaped(title)}", foot)


def sheet_page_setup(sheet: Sheet, width_px: float, first_row: int = 0, **rows) -> PageSetup:
    """A sheet's setup: the cover on one page; tables at their own size, one page wide.
    `rows`: page_breaks' row arguments; `first_row`: the sheet row of the first data row."""
    if sheet.one_page:
        return page_setup(sheet.title, sheet.footer, landscape=False, scale=None)
    landscape, scale = orientation_and_scale(width_px)
    breaks = page_breaks(landscape=landscape, scale=scale, **rows) if rows else []
    return page_setup(
        sheet.title, sheet.footer, landscape=landscape, scale=scale, breaks=[first_row + b for b in breaks]
    )


def _escaped(text: str) -> str:
    return text.replace("&", "&&")


def readable_fit(width_px: float) -> bool:
    """Do printed columns this wide (pixels at 100%) fit a landscape page at a readable size."""
    return width_px * POINTS_PER_PX <= body_points(True)[0] * SAFETY * 100 / READABLE_SCALE


def folded_to_fit(widths_px: list[float], printed: list[bool], fold_order: list[int]) -> list[bool]:
    """`printed` with the columns of `fold_order` (indexes, first to go first) left off, one by
    one, until the printed width fits a page at a readable size, or none is left to fold."""
    printed = list(printed)
    for at in fold_order:
        if readable_fit(sum(w for w, p in zip(widths_px, printed) if p)):
            break
        printed[at] = False
    return printed
