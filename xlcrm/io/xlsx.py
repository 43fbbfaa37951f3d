"""Writes sheet descriptions (report.model) to an .xlsx file with XlsxWriter.

Big workbooks use constant_memory: rows go to disk as they are written, so a sheet of 200,000
customers never sits in memory as cell objects; everything is therefore written top to
bottom, once (which small, in-memory workbooks do as well).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import xlsxwriter

from ..core.addresses import column_letter
from ..report.cards import CardSheet
from ..report.look import (
    A4,
    CHART_GAP_ROWS,
    CHART_HEIGHT_PX,
    LANDSCAPE_FROM_COLUMNS,
    Styles,
    block_widths,
    chart_colors,
    column_cells,
    column_pixels,
    number_format,
    wrapped_heights,
)
from ..report.model import Block, RouteAddition, Sheet
from .card_xlsx import write_card_sheet

IN_MEMORY_CELLS = 500_000


def write_workbook(sheets: list[Sheet | CardSheet], path: Path, additions: list[RouteAddition] = ()) -> None:
    """The sheets, each laid out from row 1; `additions` go on sheets of their own, at the
    cells they will take on the manager's route sheets (the template copies them over)."""
    cells = sum(len(b.rows) * len(b.columns) for s in sheets if isinstance(s, Sheet) for b in s.blocks)
    # a big workbook streams rows to disk; a manager's small one stays in memory (a temp file
    # per sheet costs more than the cells themselves)
    memory = {"in_memory": True} if cells < IN_MEMORY_CELLS else {"constant_memory": True}
    book = xlsxwriter.Workbook(
        str(path),
        {**memory, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    styles = Styles(book.add_format)
    for addition in additions:
        _write_addition(book, styles, addition)
    for sheet in sheets:
        if isinstance(sheet, CardSheet):
            write_card_sheet(book, styles, sheet)
        else:
            _write_sheet(book, styles, sheet)
    book.close()


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


def _write_sheet(book, styles: Styles, sheet: Sheet) -> None:
    ws = book.add_worksheet(sheet.name)
    cells = [column_cells(block) for block in sheet.blocks]
    widths = _sheet_widths(sheet, cells)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.write(0, 0, sheet.title, styles.get("title"))
    row = 1
    header_rows = None
    for i, (block, block_cells) in enumerate(zip(sheet.blocks, cells)):
        if i:
            row += 1  # a blank line between blocks
        if block.caption:
            ws.write(row, 0, block.caption, styles.get("caption"))
            row += 1
        top = row
        row = _write_header(ws, styles, block, row)
        header_rows = header_rows or (top, row - 1)
        first = row
        row = _write_rows(ws, styles, block, block_cells, widths, row)
        _conditional_formats(book, ws, sheet, block, first, row - 1)
        if block.chart:
            chart_width = _chart_width(block, widths)
            ws.insert_chart(
                row + 1,
                0,
                _chart(book, sheet, block, header=first - 1, first=first, last=row - 1),
                {"x_scale": chart_width / 480, "y_scale": CHART_HEIGHT_PX / 288, "object_position": 1},
            )
            row += 1 + CHART_GAP_ROWS
    if len(sheet.blocks) == 1:
        ws.freeze_panes(header_rows[1] + 1, sheet.freeze_columns)
        if sheet.filters:
            ws.autofilter(header_rows[1], 0, max(row - 1, header_rows[1]), len(sheet.table.columns) - 1)
        ws.repeat_rows(*header_rows)
    if any(b.chart for b in sheet.blocks):
        # charts sit outside the used cells; elsewhere no fixed area, so rows a manager adds still print
        ws.print_area(0, 0, row - 1, _last_printed_column(sheet, widths))
    _page_setup(ws, sheet)


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


def _write_header(ws, styles: Styles, block: Block, row: int) -> int:
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
    for col, column in enumerate(block.columns):
        ws.write(row, col, column.header, styles.get("head", left=col in starts))
    return row + 1


def _group_starts(block: Block) -> set[int]:
    """Columns that open a header group after the first (a stronger line on their left)."""
    starts, col = set(), 0
    for _, span in block.groups:
        if col:
            starts.add(col)
        col += span
    return starts


def _write_rows(ws, styles: Styles, block: Block, cells: list, widths: list[float], row: int) -> int:
    wrap, heights = wrapped_heights(block, cells, widths)
    numbers = [number_format(c.kind, values) for c, values in zip(block.columns, cells)]
    plain = not (block.groups or block.group_by or block.total_row or any(c.total for c in block.columns))
    if plain:  # the big route sheets: one format per column
        formats = [styles.cell(c.kind, n, wrap=w) for c, n, w in zip(block.columns, numbers, wrap)]
        for i, values in enumerate(zip(*cells)):
            if i in heights:
                ws.set_row(row, heights[i])  # before its cells: constant_memory writes rows in order
            for col, value in enumerate(values):
                _put(ws, row, col, value, formats[col])
            row += 1
        return row
    starts = _group_starts(block)
    group_col = [c.key for c in block.columns].index(block.group_by) if block.group_by else None
    previous = object()
    last = len(block.rows) - 1
    # per column, the format of an ordinary row, of a row opening a group, and of the total row
    formats = [
        {
            state: styles.cell(
                column.kind,
                numbers[col],
                left=col in starts,
                total=column.total or state == "total",
                top={"total": "double", "opens": "medium"}.get(state),
                wrap=wrap[col],
            )
            for state in ("plain", "opens", "total")
        }
        for col, column in enumerate(block.columns)
    ]
    for i, values in enumerate(zip(*cells)):
        if i in heights:
            ws.set_row(row, heights[i])
        is_total = block.total_row and i == last
        opens_group = group_col is not None and not is_total and values[group_col] != previous and i > 0
        if group_col is not None and not is_total:
            current = values[group_col]
            if current == previous:
                values = values[:group_col] + (None,) + values[group_col + 1 :]  # once per run
            previous = current
        state = "total" if is_total else ("opens" if opens_group else "plain")
        for col, value in enumerate(values):
            _put(ws, row, col, value, formats[col][state])
        row += 1
    return row


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
    else:
        ws.write(row, col, value, fmt)  # dates and times keep Excel's own handling


def _conditional_formats(book, ws, sheet: Sheet, block: Block, first: int, last: int) -> None:
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


def _change_highlights(book, ws, block: Block, first: int, last: int, offset: int = 0) -> None:
    """Native conditional formats, so they stay right when someone edits a grade:
    a changed grade in bold italic (as managers mark it by hand); the mark column up/down in colours
    whose fills still differ in black-and-white print (the arrows carry the meaning too)."""
    at = {c.key: offset + i for i, c in enumerate(block.columns)}
    now, before, mark = (column_letter(at[k]) for k in ("grade", "previous_grade", "mark"))
    top = first + 1  # Excel row of the first data row
    changed = book.add_format({"bold": True, "italic": True})
    up = book.add_format({"bold": True, "font_color": "#006100", "bg_color": "#C6EFCE"})
    down = book.add_format({"bold": True, "italic": True, "font_color": "#9C0006", "bg_color": "#FFA7A7"})
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
    for arrow, fmt in (("↑", up), ("↓", down)):
        ws.conditional_format(
            first,
            at["mark"],
            last,
            at["mark"],
            {"type": "formula", "criteria": f'=RIGHT(${mark}{top},1)="{arrow}"', "format": fmt},
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


def _page_setup(ws, sheet: Sheet) -> None:
    """A4, header rows on every page, one page wide, title on top, page N of M below."""
    ws.set_paper(A4)
    if max(len(b.columns) for b in sheet.blocks) >= LANDSCAPE_FROM_COLUMNS:
        ws.set_landscape()
    # the overview is one page (a cover); tables run on, one page wide, headers repeated
    ws.fit_to_pages(1, 1 if sheet.one_page else 0)
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    ws.set_header(f"&C&9{sheet.title.replace('&', '&&')}")  # a running head; row 1 is the big title
    ws.set_footer("&L打印日期 &D&C第 &P 页 共 &N 页")
    ws.hide_gridlines(2)  # the tables' own borders print; no grid clutter
