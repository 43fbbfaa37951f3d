"""Writes sheet descriptions (xlcrm.sheets) to an .xlsx file with XlsxWriter."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from ..sheets import Sheet

NUMBER_FORMATS = {"code": "0", "count": "0", "volume": "#,##0.##", "amount": "#,##0.00"}
A4 = 9
LANDSCAPE_FROM_COLUMNS = 9  # wider sheets print across the page


def display_width(value) -> int:
    """Characters as Excel shows them: CJK and full-width count double."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_widths(sheet: Sheet, sample: int = 500) -> list[float]:
    """Widths that fit the header and the (sampled) values, within reason."""
    widths = []
    for column in sheet.columns:
        values = sheet.rows[column.key].head(sample).dropna()
        longest = max((display_width(_shown(v, column.kind)) for v in values), default=0)
        widths.append(min(40, max(6, display_width(column.header) + 2, longest + 2)))
    return widths


def _shown(value, kind: str) -> str:
    if kind in ("volume", "amount") and isinstance(value, (int, float)):
        return f"{value:,.2f}"
    return str(value)


def write_workbook(sheets: list[Sheet], path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1,
                            "text_wrap": True, "bg_color": "#D9D9D9"})
    title = book.add_format({"bold": True, "font_size": 14})
    cell = {kind: book.add_format({"num_format": NUMBER_FORMATS.get(kind, "General"), "border": 1, "valign": "vcenter"})
            for kind in ("text", "grade", *NUMBER_FORMATS)}
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        ws.write(0, 0, sheet.title, title)
        row = 1
        if sheet.groups:
            col = 0
            for label, span in sheet.groups:
                if span > 1:
                    ws.merge_range(row, col, row, col + span - 1, label, head)
                else:
                    ws.write(row, col, label, head)
                col += span
            row += 1
        for col, (column, width) in enumerate(zip(sheet.columns, column_widths(sheet))):
            ws.write(row, col, column.header, head)
            ws.set_column(col, col, width)
        ws.freeze_panes(row + 1, 0)
        ws.autofilter(row, 0, row + len(sheet.rows), len(sheet.columns) - 1)
        _page_setup(ws, sheet, header_rows=(1, row))
        if sheet.kind == "route":
            _change_highlights(book, ws, sheet, first=row + 1, last=row + len(sheet.rows))
        formats = [cell.get(c.kind, cell["text"]) for c in sheet.columns]
        for r, values in enumerate(_cells(sheet), start=row + 1):
            for c, value in enumerate(values):
                ws.write(r, c, value, formats[c])  # None is written as a bordered blank
    book.close()


def _change_highlights(book, ws, sheet: Sheet, first: int, last: int) -> None:
    """Native conditional formats, so they stay right when someone edits a grade:
    a changed grade in bold italic (the seed's step 3); the mark column up/down in colours
    whose fills still differ in black-and-white print (the arrows carry the meaning too)."""
    if last < first:
        return
    at = {c.key: i for i, c in enumerate(sheet.columns)}
    now, before, mark = (xl_col_to_name(at[k]) for k in ("grade", "previous_grade", "mark"))
    top = first + 1  # Excel row of the first data row
    changed = book.add_format({"bold": True, "italic": True})
    up = book.add_format({"bold": True, "font_color": "#006100", "bg_color": "#C6EFCE"})
    down = book.add_format({"bold": True, "italic": True, "font_color": "#9C0006", "bg_color": "#FFA7A7"})
    ws.conditional_format(first, at["grade"], last, at["grade"], {
        "type": "formula", "criteria": f'=AND(${now}{top}<>"",${before}{top}<>"",${now}{top}<>${before}{top})',
        "format": changed})
    for arrow, fmt in (("↑", up), ("↓", down)):
        ws.conditional_format(first, at["mark"], last, at["mark"], {
            "type": "formula", "criteria": f'=RIGHT(${mark}{top},1)="{arrow}"', "format": fmt})


def _page_setup(ws, sheet: Sheet, header_rows: tuple[int, int]) -> None:
    """A4, the header rows on every page, one page wide, title on top, page N of M below."""
    ws.set_paper(A4)
    if len(sheet.columns) >= LANDSCAPE_FROM_COLUMNS:
        ws.set_landscape()
    ws.repeat_rows(*header_rows)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    ws.set_header(f'&C&"-,Bold"&12{sheet.title.replace("&", "&&")}')
    ws.set_footer("&L打印日期 &D&C第 &P 页 共 &N 页")
    ws.hide_gridlines(2)  # the table's own borders print; no grid clutter


def _cells(sheet: Sheet):
    """Row tuples ready for XlsxWriter: NA → blank, codes as whole numbers (format '0')."""
    frame = sheet.rows[[c.key for c in sheet.columns]].astype(object)
    frame = frame.where(pd.notna(frame), None)
    for i, column in enumerate(sheet.columns):
        if column.kind == "code":
            frame.iloc[:, i] = [_code_number(v) for v in frame.iloc[:, i]]
    return frame.itertuples(index=False, name=None)


def _code_number(value):
    """A customer code as a number when it is one (shown with format '0', never 3.3E+11)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 15 and value[0] != "0":
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
