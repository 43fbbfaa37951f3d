"""Writes sheet descriptions (xlcrm.sheets) to an .xlsx file with XlsxWriter."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter

from ..sheets import Sheet

NUMBER_FORMATS = {"code": "0", "count": "0", "volume": "#,##0.##", "amount": "#,##0.00"}


def write_workbook(sheets: list[Sheet], path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True})
    title = book.add_format({"bold": True, "font_size": 14})
    formats = {kind: book.add_format({"num_format": f}) for kind, f in NUMBER_FORMATS.items()}
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        ws.write(0, 0, sheet.title, title)
        row = 1
        if sheet.groups:
            col = 0
            for label, span in sheet.groups:
                if span > 1:
                    ws.merge_range(row, col, row, col + span - 1, label, bold)
                else:
                    ws.write(row, col, label, bold)
                col += span
            row += 1
        for col, column in enumerate(sheet.columns):
            ws.write(row, col, column.header, bold)
            ws.set_column(col, col, max(8, min(40, 2 * len(column.header) + 2)), formats.get(column.kind))
        ws.freeze_panes(row + 1, 0)
        ws.autofilter(row, 0, row + len(sheet.rows), len(sheet.columns) - 1)
        for r, values in enumerate(_cells(sheet), start=row + 1):
            ws.write_row(r, 0, values)
    book.close()


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
