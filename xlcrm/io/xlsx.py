"""Writes sheet descriptions (report.model) to an .xlsx file with XlsxWriter.

Big workbooks use constant_memory: rows go to disk as they are written, so a sheet of 200,000
customers never sits in memory as cell objects; everything is therefore written top to
bottom, once (which small, in-memory workbooks do as well).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import itertools
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import xlsxwriter

from ..core.addresses import column_letter
from ..report.cards import CardSheet
from ..report.look import (
    CHART_GAP_ROWS,
    CHART_HEIGHT_PX,
    DEFAULT_COLUMN_PX,
    DEFAULT_ROW_PX,
    DIGIT_PX,
    FONT,
    LINE_HEIGHT,
    NOTE_HEIGHT,
    OVERDUE_STYLE,
    PADDING_PX,
    TITLE_HEIGHT,
    WRITE_IN_NARROWEST,
    WRITE_IN_WIDTH,
    Styles,
    block_widths,
    chart_colors,
    column_cells,
    column_pixels,
    display_width,
    header_text,
    mark_rules,
    number_format,
    overdue_rule,
    wrapped_heights,
)
from ..report.model import Block, Check, Column, RouteAddition, Sheet
from ..report.pages import (
    READABLE_SCALE,
    fill_width_px,
    folded_to_fit,
    orientation_and_scale,
    sheet_page_setup,
)
from .card_xlsx import write_card_sheet
from .page_setup import apply_page_setup

IN_MEMORY_CELLS = 500_000
LAST_ROW = 1_048_575  # Excel's last row (0-based): checks on a table hold however long it grows
TABLE_STYLE = "Table Style Light 9"
# Excel's day numbers: 1 is 1900-01-01; 60 is the 1900-02-29 Excel counts though it never was
_EXCEL_EPOCH = dt.date(1899, 12, 31).toordinal()
_FALSE_LEAP_DAY = 59


def write_workbook(sheets: list[Sheet | CardSheet], path: Path, additions: list[RouteAddition] = ()) -> None:
    """The sheets, each laid out from row 1; `additions` go on sheets of their own, at the
    cells they will take on the manager's route sheets (the template copies them over)."""
    cells = sum(len(b.rows) * len(b.columns) for s in sheets if isinstance(s, Sheet) for b in s.blocks)
    # a big workbook streams rows to disk; a manager's small one stays in memory (a temp file
    # per sheet costs more than the cells themselves)
    memory = {"in_memory": True} if cells < IN_MEMORY_CELLS else {"constant_memory": True}
    with collector_paused():
        _write_book(sheets, path, memory, additions)


def _write_book(
    sheets: list[Sheet | CardSheet], path: Path, memory: dict, additions: list[RouteAddition]
) -> None:
    """write_workbook's work, in a function of its own: when it returns, nothing refers to the
    closed workbook any more, so the first collection after frees it (XlsxWriter's sheets refer
    back to their workbook) instead of keeping it as a survivor to walk again later."""
    book = new_workbook(path, memory)
    styles = Styles(book.add_format)
    for addition in additions:
        _write_addition(book, styles, addition)
    for sheet in sheets:
        if isinstance(sheet, CardSheet):
            write_card_sheet(book, styles, sheet)
        else:
            _write_sheet(book, styles, sheet)
    book.close()


@contextlib.contextmanager
def collector_paused():
    """Python's cycle collector off while a workbook is written: XlsxWriter keeps every cell
    as a small object until the file is closed, so a collection meanwhile frees nothing and only
    walks them again as they age. What the workbook leaves is collected once, after."""
    if not gc.isenabled():  # the caller's choice stands
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def new_workbook(path, options: dict | None = None) -> xlsxwriter.Workbook:
    """A workbook in the office font (report.look.FONT), text kept as text."""
    return xlsxwriter.Workbook(
        path if not isinstance(path, Path) else str(path),
        {
            **(options or {}),
            "default_format_properties": dict(FONT),
            "default_column_width": DEFAULT_COLUMN_PX,
            "default_row_height": DEFAULT_ROW_PX,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )


def _write_addition(book, styles: Styles, addition: RouteAddition) -> None:
    ws = book.add_worksheet(addition.sheet)
    block, at = addition.block, addition.first_col
    cells = column_cells(block)
    for i, (column, width) in enumerate(zip(block.columns, block_widths(block, cells))):
        ws.set_column(at + i, at + i, width)
        ws.write(addition.header_row - 1, at + i, column.header, styles.get("head"))
    formats = [styles.cell(c.kind, number_format(c.kind, values)) for c, values in zip(block.columns, cells)]
    for excel_row, values in zip(addition.rows, zip(*cells)):
        for i, value in enumerate(values):
            _put(ws, excel_row - 1, at + i, value, formats[i])
    if addition.rows:
        _change_highlights(book, ws, block, addition.rows[0] - 1, addition.rows[-1] - 1, offset=at)
        overdue_dates(
            ws, block.columns, addition.rows[0] - 1, addition.rows[-1] - 1, book.add_format(OVERDUE_STYLE), at
        )


def _write_sheet(book, styles: Styles, sheet: Sheet) -> None:
    ws = book.add_worksheet(sheet.name)
    cells = [column_cells(block) for block in sheet.blocks]
    widths = _sheet_widths(sheet, cells)
    printed = _printed_columns(sheet)
    if sheet.write_in:
        printed = _readable(sheet, widths, printed)
        widths = _filled(sheet, widths, printed)
    if sheet.row_height:
        ws.set_default_row(sheet.row_height)
    _set_columns(ws, sheet, widths, printed)
    ws.set_row(0, TITLE_HEIGHT)
    at = printed.index(True) if True in printed else 0  # above the first printed column
    ws.write(0, at, sheet.title, styles.get("title"))
    row = 1
    if sheet.note:
        ws.set_row(row, NOTE_HEIGHT)
        ws.write(row, at, sheet.note, styles.get("note"))
        row += 1
    header_rows = None
    plan = None
    for i, (block, block_cells) in enumerate(zip(sheet.blocks, cells)):
        if i:
            row += 1  # a blank line between blocks
        if block.caption:
            ws.write(row, 0, block.caption, styles.get("caption"))
            row += 1
        top = row
        # an Excel table's column names are its header cells, written whole
        row = _write_header(ws, styles, block, row, widths, whole=bool(sheet.excel_table))
        header_rows = header_rows or (top, row - 1)
        first = row
        row, plan = _write_rows(ws, styles, block, block_cells, widths, row, sheet.row_height)
        if sheet.excel_table:
            _excel_table(ws, styles, sheet.excel_table, block, first - 1, row - 1)
        # on an Excel table, checks and formats reach the last row: the rows a person adds get them
        reach = LAST_ROW if sheet.excel_table else row - 1
        _conditional_formats(book, ws, sheet, block, first, row - 1, reach)
        _checks(ws, block, first, reach)
        if block.chart:
            chart_width = _chart_width(block, widths)
            ws.insert_chart(
                row + 1,
                0,
                _chart(book, sheet, block, header=first - 1, first=first, last=row - 1),
                {"x_scale": chart_width / 480, "y_scale": CHART_HEIGHT_PX / 288, "object_position": 1},
            )
            row += 1 + CHART_GAP_ROWS
    width_px = sum(column_pixels(w) for w, p in zip(widths, printed) if p)
    rows = {}
    if len(sheet.blocks) == 1:
        ws.freeze_panes(header_rows[1] + 1, sheet.freeze_columns)
        if sheet.filters and not sheet.excel_table:  # a table filters by itself
            ws.autofilter(header_rows[1], 0, max(row - 1, header_rows[1]), len(sheet.table.columns) - 1)
        repeat_from = 1 if sheet.note else header_rows[0]
        ws.repeat_rows(repeat_from, header_rows[1])
        if plan:  # groups kept whole on a page, a page per manager
            heights = _row_heights(ws, 0, header_rows[1] + 1)
            rows = dict(
                top=sum(heights),
                repeated=sum(heights[repeat_from:]),
                heights=plan[0],
                opens=plan[1],
                forced=plan[2],
                first_row=header_rows[1] + 1,
            )
    if any(b.chart for b in sheet.blocks):
        # charts sit outside the used cells; elsewhere no fixed area, so rows a manager adds still print
        ws.print_area(0, 0, row - 1, _last_printed_column(sheet, widths))
    apply_page_setup(ws, sheet_page_setup(sheet, width_px, **rows))


def _printed_columns(sheet: Sheet) -> list[bool]:
    """Per column of the widest block: does it print (the others fold away, kept in the workbook)."""
    columns = max(sheet.blocks, key=lambda b: len(b.columns)).columns
    if sheet.printed is None:
        return [True] * len(columns)
    return [c.key in sheet.printed for c in columns]


def _readable(sheet: Sheet, widths: list[float], printed: list[bool]) -> list[bool]:
    """The columns that print once those of Sheet.fold_first have made room, when needed, for
    the others and the narrowest handwriting column at a readable size."""
    keys = [c.key for c in sheet.table.columns]
    pixels = [column_pixels(WRITE_IN_NARROWEST if k == sheet.write_in else w) for k, w in zip(keys, widths)]
    order = [keys.index(k) for k in sheet.fold_first if k in keys and printed[keys.index(k)]]
    return folded_to_fit(pixels, printed, order)


def _filled(sheet: Sheet, widths: list[float], printed: list[bool]) -> list[float]:
    """The handwriting column takes the rest of the printed page's width."""
    keys = [c.key for c in sheet.table.columns]
    at = keys.index(sheet.write_in)
    others = sum(column_pixels(w) for i, (w, p) in enumerate(zip(widths, printed)) if p and i != at)
    widths = list(widths)
    widths[at] = max(widths[at], WRITE_IN_WIDTH)
    landscape, scale = orientation_and_scale(others + column_pixels(widths[at]))
    if scale < READABLE_SCALE:  # many printed columns: less room to write rather than smaller type
        scale = READABLE_SCALE
        widths[at] = WRITE_IN_NARROWEST
    fill = fill_width_px(others, scale, landscape)
    widths[at] = max(widths[at], round((fill - PADDING_PX) / DIGIT_PX, 2))
    return widths


def _set_columns(ws, sheet: Sheet, widths: list[float], printed: list[bool]) -> None:
    """Widths; columns that do not print are folded into an outline group (the + above them
    shows them again)."""
    for col, (width, shown) in enumerate(zip(widths, printed)):
        if shown:
            ws.set_column(col, col, width)
        else:
            ws.set_column(col, col, width, None, {"level": 1, "hidden": True})
    if not all(printed):
        ws.outline_settings(True, False, False, False)  # the + sits left of each folded run


def _row_heights(ws, first: int, last: int) -> list[float]:
    """Points of the rows first..last-1 as written (set heights, else the sheet's default)."""
    default = ws.default_row_height
    return [(ws.row_sizes.get(r, [default])[0] or default) * 0.75 for r in range(first, last)]


def _sheet_widths(sheet: Sheet, cells: list) -> list[float]:
    """Per column, the widest need of any block (blocks share the sheet's columns)."""
    widths: list[float] = []
    for block, block_cells in zip(sheet.blocks, cells):
        for i, w in enumerate(block_widths(block, block_cells)):
            if i < len(widths):
                widths[i] = max(widths[i], w)
            else:
                widths.append(w)
    return widths


def _chart_width(block: Block, widths: list[float]) -> int:
    """As wide as its table, and room for every category label (within a page's width)."""
    table = sum(column_pixels(w) for w in widths[: len(block.columns)])
    categories = len(block.rows) - (1 if block.total_row else 0)
    return max(480, min(900, max(table, 48 * categories)))


def _last_printed_column(sheet: Sheet, widths: list[float]) -> int:
    """The last column holding a table or a chart (charts are wider than narrow tables)."""
    last = max(len(b.columns) for b in sheet.blocks) - 1
    charted = [b for b in sheet.blocks if b.chart]
    if charted:
        need = max(_chart_width(b, widths) for b in charted)
        edges = list(itertools.accumulate(column_pixels(w) for w in widths + [8.43] * 60))
        last = max(last, next((col for col, edge in enumerate(edges) if edge >= need), len(edges) - 1))
    return last


def _write_header(
    ws, styles: Styles, block: Block, row: int, widths: list[float], whole: bool = False
) -> int:
    head = styles.get("head")
    if block.groups:
        col = 0
        for label, span in block.groups:
            if span > 1:
                ws.merge_range(row, col, row, col + span - 1, label, styles.get("head", left=col > 0))
            else:
                ws.write(row, col, label, head)
            col += span
        row += 1
    starts = _group_starts(block)
    texts = [c.header if whole else header_text(c.header, w) for c, w in zip(block.columns, widths)]
    # a header wider than its column wraps (the values decide the width): room for its lines
    lines = max(
        sum(math.ceil(display_width(part) / max(w - 1, 1)) for part in text.split("\n"))
        for text, w in zip(texts, widths)
    )
    ws.set_row(row, LINE_HEIGHT * max(lines, 1) + 3)
    for col, text in enumerate(texts):
        ws.write(row, col, text, styles.get("head", left=col in starts))
    return row + 1


def _excel_table(ws, styles: Styles, name: str, block: Block, header: int, last: int) -> None:
    """The block as an Excel table (its header row and rows as written; one blank row when it
    has none, as a table needs one)."""
    ws.add_table(
        header,
        0,
        max(last, header + 1),
        len(block.columns) - 1,
        {
            "name": name,
            "style": TABLE_STYLE,
            "autofilter": True,
            "columns": [{"header": c.header, "header_format": styles.get("head")} for c in block.columns],
        },
    )


def _checks(ws, block: Block, first: int, last: int) -> None:
    for col, column in enumerate(block.columns):
        if column.check is not None:
            ws.data_validation(first, col, max(last, first), col, validation(column.header, column.check))


def validation(header: str, check: Check) -> dict:
    """XlsxWriter's data validation for a column's check, titled with its header."""
    titled = {
        "input_title": header,
        "input_message": check.tip,
        "error_title": header,
        "error_message": check.error,
    }
    if check.choices:
        return {"validate": "list", "source": list(check.choices), **titled}
    first, last = check.days
    return {"validate": "date", "criteria": "between", "minimum": first, "maximum": last, **titled}


def _group_starts(block: Block) -> set[int]:
    """Columns that open a header group after the first (a stronger line on their left)."""
    starts, col = set(), 0
    for _, span in block.groups:
        if col:
            starts.add(col)
        col += span
    return starts


def _write_rows(
    ws, styles: Styles, block: Block, cells: list, widths: list[float], row: int, row_height: float | None
) -> tuple[int, tuple | None]:
    """The block's rows from `row`; returns the next row and, for grouped blocks, each row's
    height, whether it opens a group and whether it starts a new page (for page breaks)."""
    wrap, heights = wrapped_heights(block, cells, widths)
    numbers = [number_format(c.kind, values) for c, values in zip(block.columns, cells)]
    plain = not (
        block.groups
        or block.group_by
        or block.total_row
        or block.subtotals
        or any(c.total for c in block.columns)
    )
    if plain:  # the big route sheets: one format per column
        formats = [styles.cell(c.kind, n, wrap=w) for c, n, w in zip(block.columns, numbers, wrap)]
        calls = [_column_calls(ws, values) for values in cells]
        columns = range(len(formats))
        for i, (puts, values) in enumerate(zip(zip(*(p for p, _ in calls)), zip(*(v for _, v in calls)))):
            if i in heights:
                ws.set_row(row, max(heights[i], row_height or 0))  # before its cells: rows go in order
            for col, put, value, fmt in zip(columns, puts, values, formats):
                put(row, col, value, fmt)
            row += 1
        return row, None
    starts = _group_starts(block)
    keys = [c.key for c in block.columns]
    group_col = keys.index(block.group_by) if block.group_by else None
    page_col = keys.index(block.page_per) if block.page_per else None
    previous = object()
    previous_page = object()
    last = len(block.rows) - 1
    subtotals = set(block.subtotals)
    # per column, the format of an ordinary row, of a row opening a group, and of a total row
    formats = [
        {
            state: styles.cell(
                column.kind,
                numbers[col],
                left=col in starts,
                total=column.total or state in ("total", "subtotal"),
                top={"total": "double", "opens": "medium", "subtotal": "medium"}.get(state),
                wrap=wrap[col],
            )
            for state in ("plain", "opens", "total", "subtotal")
        }
        for col, column in enumerate(block.columns)
    ]
    plan: tuple[list, list, list] = ([], [], [])
    for i, values in enumerate(zip(*cells)):
        height = heights.get(i, row_height or LINE_HEIGHT)
        ws.set_row(row, height)  # explicit: pages break where they were planned
        is_total = block.total_row and i == last
        forced = page_col is not None and values[page_col] != previous_page
        if page_col is not None:
            previous_page = values[page_col]
        opens_group = group_col is not None and not is_total and (values[group_col] != previous or forced)
        if group_col is not None and not is_total:
            current = values[group_col]
            if current == previous and not forced:
                values = values[:group_col] + (None,) + values[group_col + 1 :]  # once per run (and page)
            previous = current
        plan[0].append(height)
        plan[1].append(opens_group)
        plan[2].append(forced)
        if is_total:
            state = "total"
        elif i in subtotals:
            state = "subtotal"
        else:
            state = "opens" if opens_group and i > 0 else "plain"
        for col, value in enumerate(values):
            _put(ws, row, col, value, formats[col][state])
        row += 1
    return row, plan


def _column_calls(ws, values) -> tuple[Iterable, list]:
    """A column's cells as _put writes them, the type looked at once per column where it can be:
    per row, the worksheet method to call and the value to give it (a day as its serial number)."""
    values = values.tolist() if isinstance(values, np.ndarray) else list(values)
    kinds = set(map(type, values))
    blanks = type(None) in kinds
    kinds.discard(type(None))
    if not kinds:
        return itertools.repeat(ws.write_blank), values
    if kinds == {str}:  # an empty text is a blank cell, as None is
        if blanks or "" in values:
            return [ws.write_string if v else ws.write_blank for v in values], values
        return itertools.repeat(ws.write_string), values
    if kinds <= {int, float} and all(math.isfinite(v) for v in values if type(v) is float):
        method = ws.write_number
    elif kinds == {dt.date} and not ws.date_1904:
        method, values = ws.write_number, [None if v is None else _serial(v) for v in values]
    else:  # booleans, times, text beside numbers, infinity: each cell on its own
        return itertools.repeat(functools.partial(_put, ws)), values
    if blanks:
        return [ws.write_blank if v is None else method for v in values], values
    return itertools.repeat(method), values


def _serial(day: dt.date) -> int:
    """A day as Excel's serial number: what write_datetime() stores, without its conversion
    through a datetime (most of the time of a sheet's date cells)."""
    serial = day.toordinal() - _EXCEL_EPOCH
    return serial + 1 if serial > _FALSE_LEAP_DAY else serial


def _put(ws, row: int, col: int, value, fmt) -> None:
    """write() without its type sniffing (a measurable share of the time on big sheets)."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            ws.write_blank(row, col, None, fmt)
        else:
            ws.write_number(row, col, value, fmt)
    elif type(value) is dt.date and fmt is not None and not ws.date_1904:
        ws.write_number(row, col, _serial(value), fmt)  # a day is a whole serial number
    else:
        ws.write(row, col, value, fmt)  # times keep Excel's own handling


def _conditional_formats(
    book, ws, sheet: Sheet, block: Block, first: int, last: int, reach: int | None = None
) -> None:
    """`reach`: the last row the dates' formats cover (an Excel table's grow with it)."""
    reach = last if reach is None else reach
    if reach >= first:
        overdue_dates(ws, block.columns, first, reach, book.add_format(OVERDUE_STYLE))
    if last < first:
        return
    if sheet.highlight_changes:
        _change_highlights(book, ws, block, first, last)
    muted = book.add_format({"font_color": "#A6A6A6"})
    for col, column in enumerate(block.columns):
        if column.kind == "count" and sheet.mute_zeros:
            # zeros recede, so the few changes stand out on a page full of counts
            ws.conditional_format(
                first, col, last, col, {"type": "cell", "criteria": "==", "value": 0, "format": muted}
            )


def overdue_dates(ws, columns: list[Column], first: int, last: int, red, offset: int = 0) -> None:
    """Dates already past in `red` (Column.overdue), against TODAY(): live when opened later;
    not where the row is settled (Column.settled_by). Rows `first`..`last`, 0-based."""
    at = {c.key: offset + i for i, c in enumerate(columns)}
    for i, column in enumerate(columns):
        if column.overdue:
            col = offset + i
            settled = column.settled_by
            if settled is not None:
                settled = (column_letter(at[settled[0]]), settled[1])
            ws.conditional_format(
                first,
                col,
                last,
                col,
                {
                    "type": "formula",
                    "criteria": overdue_rule(column_letter(col), first + 1, settled),
                    "format": red,
                },
            )


def _change_highlights(book, ws, block: Block, first: int, last: int, offset: int = 0) -> None:
    """Native conditional formats, so they stay right when someone edits a grade:
    a changed grade in bold italic (as managers mark it by hand); the mark column in the styles of
    report.look.MARK_STYLES (up, down, new, no grade)."""
    at = {c.key: offset + i for i, c in enumerate(block.columns)}
    now, before, mark = (column_letter(at[k]) for k in ("grade", "previous_grade", "mark"))
    top = first + 1  # Excel row of the first data row
    changed = book.add_format({"bold": True, "italic": True})
    ws.conditional_format(
        first,
        at["grade"],
        last,
        at["grade"],
        {
            "type": "formula",
            "criteria": f'=AND(${now}{top}<>"",${before}{top}<>"",${now}{top}<>${before}{top})',
            "format": changed,
        },
    )
    for criteria, style in mark_rules(mark, top):
        ws.conditional_format(
            first,
            at["mark"],
            last,
            at["mark"],
            {"type": "formula", "criteria": criteria, "format": book.add_format(style)},
        )


def _chart(book, sheet: Sheet, block: Block, header: int, first: int, last: int):
    """A native column chart over the block's rows (the total row left out)."""
    chart = book.add_chart({"type": "column", "subtype": "stacked" if block.chart.stacked else "clustered"})
    at = {c.key: i for i, c in enumerate(block.columns)}
    if block.total_row:
        last -= 1
    categories = [sheet.name, first, at[block.chart.categories], last, at[block.chart.categories]]
    for key, color in zip(block.chart.series, chart_colors(block.chart.series)):
        chart.add_series(
            {
                "name": [sheet.name, header, at[key]],
                "categories": categories,
                "values": [sheet.name, first, at[key], last, at[key]],
                "fill": {"color": color},
                "border": {"color": "#404040", "width": 0.5},
                "data_labels": {"value": not block.chart.stacked, "num_format": '0;-0;""'},
            }
        )
    chart.set_title({"name": block.chart.title, "name_font": {"size": 12, "bold": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_y_axis({"num_format": "0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    return chart
