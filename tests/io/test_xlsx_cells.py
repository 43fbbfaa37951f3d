import datetime as dt
import gc
import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from xlsxwriter.exceptions import FileCreateError

from xlcrm.io.xlsx import write_workbook
from xlcrm.report.model import Block, Column, Sheet, cell_rows

# Excel's serial numbers, counted by hand: 1 is 1900-01-01; Excel counts a 1900-02-29 (60) that
# never was, so 1900-03-01 is 61; 2026-01-01 is 46023, and 2026-06-22 is 151 + 21 days later
DAYS = {
    dt.date(1900, 1, 1): 1,
    dt.date(1900, 2, 28): 59,
    dt.date(1900, 3, 1): 61,
    dt.date(2026, 1, 1): 46023,
    dt.date(2026, 6, 22): 46195,
}


def test_date_cells_hold_excels_day_numbers(tmp_path):
    rows = pd.DataFrame({"day": [*DAYS, None]}, dtype=object)
    sheet = Sheet("日期", "日期", [Block([Column("day", "日期", "date")], rows)])
    out = tmp_path / "days.xlsx"
    write_workbook([sheet], out)
    xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert [int(v) for v in re.findall(r"<c r=\"A\d+\" s=\"\d+\"><v>([^<]+)</v>", xml)] == list(DAYS.values())
    cells = [row[0] for row in openpyxl.load_workbook(out).active.iter_rows(min_row=3, values_only=True)]
    assert [c.date() if c is not None else None for c in cells] == [*DAYS, None]


def test_cells_keep_their_type_whatever_else_their_column_holds(tmp_path):
    """Columns the writer takes whole (all text, numbers, days, blanks) and columns it takes cell
    by cell (empty text, NaN, infinity, booleans) give the same cells: each as its own type,
    blanks (None, '', NaN, infinity) as formatted empty cells."""
    columns = {
        "text": ["甲", "乙", None, "丙"],
        "gaps": ["甲", "", None, "=1+1"],  # '=1+1' stays text
        "count": [1, None, 3, 2**40],
        "amount": [1.5, float("nan"), float("inf"), -2.25],
        "flag": [True, False, None, True],
        "day": [dt.date(2026, 6, 22), None, dt.date(1900, 3, 1), None],
        "none": [None] * 4,
    }
    kinds = {"count": "count", "amount": "amount", "day": "date"}
    block = Block([Column(k, k, kinds.get(k, "text")) for k in columns], cell_rows(columns))
    out = tmp_path / "cells.xlsx"
    write_workbook([Sheet("格子", "格子", [block])], out)
    rows = list(openpyxl.load_workbook(out).active.iter_rows(min_row=3, values_only=True))
    assert [list(r) for r in zip(*rows)] == [
        ["甲", "乙", None, "丙"],
        ["甲", None, None, "=1+1"],
        [1, None, 3, 2**40],
        [1.5, None, None, -2.25],
        [True, False, None, True],
        [dt.datetime(2026, 6, 22), None, dt.datetime(1900, 3, 1), None],
        [None] * 4,
    ]
    xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    for row in range(3, 7):  # every cell written, blank ones too, each with its style (borders)
        cells = re.findall(rf'<c r="[A-G]{row}" s="\d+"', xml)
        assert len(cells) == len(columns), row


def test_no_cycle_collection_while_a_workbook_is_written_and_the_collector_is_left_as_found(tmp_path):
    """The cells a workbook holds until it is closed are not walked by the cycle collector again
    and again; it is back on after (also after a failed write), and stays off if it was off."""
    rows = cell_rows({"code": [f"{i:012d}" for i in range(3000)], "amount": [i * 1.5 for i in range(3000)]})
    sheet = Sheet(
        "格子", "格子", [Block([Column("code", "客户代码"), Column("amount", "购进额", "amount")], rows)]
    )
    collections = []

    def seen(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        write_workbook([sheet], tmp_path / "a.xlsx")
    finally:
        gc.callbacks.remove(seen)
    assert len(collections) <= 1  # at most the one after, which frees what the workbook left
    assert gc.isenabled()
    with pytest.raises(FileCreateError):
        write_workbook([sheet], tmp_path / "missing" / "a.xlsx")
    assert gc.isenabled()
    gc.disable()
    try:
        write_workbook([sheet], tmp_path / "b.xlsx")
        assert not gc.isenabled()
    finally:
        gc.enable()
