"""Flat exports written as the source systems write them: a plain one-sheet .xlsx streamed
block by block (the EM system's), an Excel 97–2003 .xls (old exports) and a GBK CSV with
Windows line ends (the manager platform's).

A table here is anything with `sheet`, `n_rows`, `n_cols` and `blocks()` (columns of cell
values, top to bottom). At a million rows × 15 columns XlsxWriter costs about a minute per
table (~4 µs per cell), which breaks the benchmarks' time budget: hence the streaming writer.
"""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from ..core.addresses import column_letter

try:  # old .xls exports in the demo; the `demo` extra installs it
    import xlwt
except ImportError:  # pragma: no cover - exercised by the packaging test
    xlwt = None

XLS_WRITER = xlwt is not None

_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _package_parts(sheets: int) -> dict[str, str]:
    """The parts around the worksheets of a workbook of `sheets` sheets."""
    numbers = range(1, sheets + 1)
    return {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
                for i in numbers
            )
            + f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_NS_PKG_REL}"><Relationship Id="rId1" '
            f'Type="{_NS_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_NS_PKG_REL}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{_NS_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in numbers
            )
            + f'<Relationship Id="rId{sheets + 1}" Type="{_NS_REL}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": _STYLES,
    }


_STYLES = (
    f'<styleSheet xmlns="{_NS_MAIN}"><fonts count="1"><font><sz val="11"/><name val="宋体"/>'
    '<family val="2"/><charset val="134"/></font></fonts><fills count="2"><fill><patternFill '
    'patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _inline_string(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        text = xml_escape(text)
    if text[0].isspace() or text[-1].isspace():
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


# Text that needs escaping, xml:space="preserve", or is empty, in values joined by NUL.
_NEEDS_CARE = re.compile(r"[&<>]|(?:^|\x00)(?:\s|\x00|$)|\s(?:\x00|$)")


def _xml_cells(letter: str, first_row: int, values: list) -> list[str]:
    """One column of a block as <c> elements; None, '' and NaN are left out (blank).

    Most columns are all plain text or all numbers: those take a fast path without a call
    per cell; columns holding quirks or blanks go cell by cell.
    """
    rows = range(first_row, first_row + len(values))
    kinds = set(map(type, values))
    if kinds == {str} and not _NEEDS_CARE.search("\x00".join(values)):
        return [f'<c r="{letter}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for r, v in zip(rows, values)]
    if kinds and kinds <= {int, float} and sum(values) == sum(values):  # no NaN
        return [f'<c r="{letter}{r}"><v>{v}</v></c>' for r, v in zip(rows, values)]
    out = []
    append = out.append
    for row, value in enumerate(values, first_row):
        if value is None or value == "" or value != value:
            append("")
        elif value.__class__ is str:
            append(f'<c r="{letter}{row}" t="inlineStr">{_inline_string(value)}</c>')
        else:
            append(f'<c r="{letter}{row}"><v>{value}</v></c>')
    return out


def write_xlsx(path: Path, table) -> None:
    """A plain one-sheet .xlsx streamed block by block (inline strings, no shared table);
    zip entries carry a fixed date so that the same table gives the same bytes."""
    write_xlsx_sheets(path, [table])


def write_xlsx_sheets(path: Path, tables: list) -> None:
    """The same with one sheet per table, in order (an export split over several sheets)."""
    big = sum(t.n_rows * t.n_cols for t in tables) > 30_000_000  # ~50 bytes a cell: near the 2 GiB zip limit
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, xml in _package_parts(len(tables)).items():
            book.writestr(_zip_info(name), _XML_HEAD + xml)
        sheets = "".join(
            f'<sheet name={quoteattr(t.sheet)} sheetId="{i}" r:id="rId{i}"/>' for i, t in enumerate(tables, 1)
        )
        book.writestr(
            _zip_info("xl/workbook.xml"),
            _XML_HEAD
            + f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}"><sheets>{sheets}</sheets></workbook>',
        )
        for i, table in enumerate(tables, 1):
            _write_sheet(book, f"xl/worksheets/sheet{i}.xml", table, big)


def _write_sheet(book: zipfile.ZipFile, name: str, table, big: bool) -> None:
    letters = [column_letter(c) for c in range(table.n_cols)]
    # open() with a name gives the entry ZipInfo's fixed default date and the book's level.
    with book.open(name, "w", force_zip64=big) as sheet:
        sheet.write(
            (
                _XML_HEAD + f'<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">'
                f'<dimension ref="A1:{letters[-1]}{max(table.n_rows, 1)}"/><sheetData>'
            ).encode()
        )
        row = 1
        for block in table.blocks():
            cells = [_xml_cells(letter, row, column) for letter, column in zip(letters, block)]
            text = "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in enumerate(zip(*cells), row))
            sheet.write(text.encode())
            row += len(block[0])
        sheet.write(b"</sheetData></worksheet>")


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_xls(path: Path, table) -> None:
    """An Excel 97-2003 workbook, as old EM exports are."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(table.sheet)
    row = 0
    for block in table.blocks():
        for values in zip(*block):
            for col, value in enumerate(values):
                if value is not None and value != "":
                    sheet.write(row, col, value)
            row += 1
    book.save(str(path))


def write_csv(path: Path, table) -> None:
    """A GBK CSV with Windows line ends, as the platform exports it."""
    with open(path, "w", encoding="gbk", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        for block in table.blocks():
            writer.writerows(zip(*block))
