"""Copying cells, styles and sheet settings between openpyxl workbooks: how a file-backed
workbook takes in what XlsxWriter rendered (Excel does the same with Sheet.Copy/Range.Copy)."""

from __future__ import annotations

from copy import copy

from openpyxl.cell.cell import MergedCell
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from ..core.addresses import column_letter


def copy_region(src: Worksheet, dst: Worksheet, bounds: tuple[int, int, int, int]) -> None:
    """Values, styles, merges, column widths and conditional formats of a region (1-based,
    inclusive), to the same cells of `dst`."""
    min_row, min_col, max_row, max_col = bounds
    for row in src.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col):
        for cell in row:
            if isinstance(cell, MergedCell) or (cell.value is None and not cell.has_style):
                continue
            target = dst.cell(row=cell.row, column=cell.column, value=cell.value)
            target.data_type = cell.data_type  # text that starts with '=' stays text, not a formula
            if cell.has_style:
                target.font, target.border, target.fill = copy(cell.font), copy(cell.border), copy(cell.fill)
                target.alignment, target.protection = copy(cell.alignment), copy(cell.protection)
                target.number_format = cell.number_format
    region = CellRange(min_row=min_row, min_col=min_col, max_row=max_row, max_col=max_col)
    for merged in src.merged_cells.ranges:
        if merged.issubset(region):
            dst.merge_cells(merged.coord)
    for col in range(min_col, max_col + 1):
        letter = column_letter(col - 1)
        if letter in src.column_dimensions and src.column_dimensions[letter].width:
            dst.column_dimensions[letter].width = src.column_dimensions[letter].width
    for row in range(min_row, max_row + 1):
        if row in src.row_dimensions and src.row_dimensions[row].height:
            dst.row_dimensions[row].height = src.row_dimensions[row].height
    for formatting in src.conditional_formatting:
        if all(r.issubset(region) for r in formatting.sqref.ranges):
            for rule in formatting.rules:
                dst.conditional_formatting.add(str(formatting.sqref), rule)


def clear_region(ws: Worksheet, bounds: tuple[int, int, int, int]) -> None:
    """Values, styles, merges and conditional formats inside a region go."""
    min_row, min_col, max_row, max_col = bounds
    region = CellRange(min_row=min_row, min_col=min_col, max_row=max_row, max_col=max_col)
    for merged in list(ws.merged_cells.ranges):
        if merged.issubset(region):
            ws.unmerge_cells(merged.coord)
    for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col):
        for cell in row:
            cell.value = None
            cell.style = "Normal"
    kept = [
        (f.sqref, f.rules)
        for f in ws.conditional_formatting
        if not all(r.issubset(region) for r in f.sqref.ranges)
    ]
    ws.conditional_formatting = type(ws.conditional_formatting)()
    for sqref, rules in kept:
        for rule in rules:
            ws.conditional_formatting.add(str(sqref), rule)


def copy_sheet(src: Worksheet, dst: Worksheet) -> None:
    """A whole sheet: cells and everything that prints or shows with them."""
    if src.max_row and src.max_column:
        copy_region(src, dst, (1, 1, src.max_row, src.max_column))
    for letter, dim in src.column_dimensions.items():
        if dim.width:
            dst.column_dimensions[letter].width = dim.width
    for chart in src._charts:  # openpyxl keeps charts it read, anchors included
        dst.add_chart(chart)
    dst.freeze_panes = src.freeze_panes
    dst.auto_filter.ref = src.auto_filter.ref
    dst.print_title_rows = src.print_title_rows
    if src.print_area:
        dst.print_area = src.print_area
    dst.page_setup = copy(src.page_setup)
    dst.page_margins = copy(src.page_margins)
    dst.print_options = copy(src.print_options)
    dst.sheet_properties.pageSetUpPr = copy(src.sheet_properties.pageSetUpPr)
    dst.HeaderFooter = copy(src.HeaderFooter)
    dst.sheet_view.showGridLines = src.sheet_view.showGridLines
