import datetime as dt
import re
import zipfile

import openpyxl
import pandas as pd

from xlcrm.io.xlsx import write_workbook
from xlcrm.report.model import Block, Column, Sheet

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
