"""Raw cell reading: every sheet of an .xlsx/.xlsm/.xls/.ods file or a CSV, as positional cells.

No interpretation here, with the Excel row number of each row, so messages can point at exact
cells. Two ways to read, both on calamine:
  typed  cells as Python values (str, float, int, bool, datetime, '' for blank), for the
         manager's route workbook, whose own columns are carried over as they are;
  text   every cell as Arrow text (null for blank), for the large exported tables: no Python
         object per cell, so a district of a million rows reads in seconds (fastexcel).
"""

from __future__ import annotations

import io
from pathlib import Path

import fastexcel
import pandas as pd
import pyarrow as pa
import python_calamine

from ..core.errors import XlcrmError
from ..core.model import HIDDEN, VERY_HIDDEN, RawSheet
from .csv_read import csv_delimiter as csv_delimiter  # where it always was
from .csv_read import read_csv
from .safety import check_file, reader_failure

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
# what each name claims (safety.check_file says what the content is)
SUFFIX_FORMATS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xlsb": "xlsb", ".xls": "xls", ".ods": "ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
# a sheet's visibility as calamine and fastexcel name it
_CALAMINE_HIDDEN = (
    (python_calamine.SheetVisibleEnum.Hidden, HIDDEN),
    (python_calamine.SheetVisibleEnum.VeryHidden, VERY_HIDDEN),
)
_FASTEXCEL_HIDDEN = {"hidden": HIDDEN, "veryhidden": VERY_HIDDEN}


def read_sheets(path: Path, *, typed: bool = True) -> list[RawSheet]:
    """All worksheets of a workbook, hidden ones too (or the one table of a CSV), in workbook
    order. The file is read by what it is, not by what its name claims."""
    path = Path(path)
    if not path.exists():
        raise XlcrmError(f"找不到文件 {path}（file not found），请检查路径和文件名")
    if path.is_dir():
        raise XlcrmError(f"{path} 是一个文件夹，不是表格文件")
    if path.stat().st_size == 0:
        raise XlcrmError(f"文件 {path.name} 是空的（0 字节），请重新导出")
    suffix = path.suffix.lower()
    found = check_file(path)
    if found == "text":
        if suffix not in CSV_SUFFIXES | SPREADSHEET_SUFFIXES:
            raise XlcrmError(
                f"{path.name} 不是支持的表格文件（支持 .xlsx .xlsm .xls .ods .csv），"
                "请在 Excel 中另存为 .xlsx 再试"
            )
        # many systems export text as ".xls"; a CSV renamed .xlsx is still a CSV
        return [RawSheet(path, None, read_csv(path))]
    # an .xls saved as .xlsx (or the other way round) is opened as what it is
    named_right = SUFFIX_FORMATS.get(suffix) == found
    return _read_workbook(path, named_right) if typed else _read_workbook_text(path, named_right)


def _read_workbook(path: Path, named_right: bool = True) -> list[RawSheet]:
    try:
        if named_right:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
        else:
            with open(path, "rb") as f:
                book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(f.read()))
    except python_calamine.PasswordError:
        raise XlcrmError(f"{path.name} 设置了打开密码，请在 Excel 中取消密码后另存一份再试") from None
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise reader_failure(path, exc) from None
    sheets = []
    try:
        for meta in book.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            hidden = next((h for state, h in _CALAMINE_HIDDEN if meta.visible == state), "")
            sheets.append(RawSheet(path, meta.name, _frame(rows), hidden=hidden))
    except python_calamine.CalamineError as exc:
        raise reader_failure(path, exc) from None
    finally:
        book.close()
    return sheets


def _read_workbook_text(path: Path, named_right: bool = True) -> list[RawSheet]:
    try:
        book = fastexcel.read_excel(str(path) if named_right else path.read_bytes())
        sheets = []
        for name in book.sheet_names:
            # skip_rows=0 keeps leading blank rows, so row numbers stay Excel's
            sheet = book.load_sheet(name, header_row=None, dtypes="string", skip_rows=0)
            table = sheet.to_arrow()
            at = [c.absolute_index for c in sheet.available_columns()]
            columns = {
                a: pd.arrays.ArrowStringArray(pa.chunked_array([c]).cast(pa.large_string()))
                for a, c in zip(at, table.columns)
            }
            width = max(at, default=-1) + 1
            blank = pd.arrays.ArrowStringArray(pa.nulls(table.num_rows, pa.large_string()))
            # leading blank columns are kept too, so column letters stay Excel's
            frame = pd.DataFrame({i: columns.get(i, blank) for i in range(width)})
            hidden = _FASTEXCEL_HIDDEN.get(str(sheet.visible).lower(), "")
            sheets.append(RawSheet(path, name, _numbered(frame), hidden=hidden))
        return sheets
    except Exception as exc:  # fastexcel raises its own error types for each failure
        raise reader_failure(path, exc) from None


def _frame(rows: list[list]) -> pd.DataFrame:
    return _numbered(pd.DataFrame(rows, dtype=object))


def _numbered(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows indexed by their Excel row numbers, columns 0..n-1 by position."""
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    frame.columns = range(frame.shape[1])
    return frame
