"""Test helpers: tiny input workbooks written with openpyxl, as exports would be."""

from __future__ import annotations

from pathlib import Path

import openpyxl


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # as exports store text; openpyxl would take '=…' for a formula
    book.save(path)
    return path
