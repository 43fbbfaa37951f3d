"""report.handover_sheets and report.visit_log written by io.xlsx and read back: a log without
visits is still a table to write in (checks and the overdue format down to the last row),
已完成 as a manager leaves it, the cover without amounts states no classes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd

from xlcrm.core import issues as issue_list
from xlcrm.core.handover import FollowUpCounts, Handover
from xlcrm.core.quarters import Quarter
from xlcrm.core.visits import STORED_VISIT
from xlcrm.io.xlsx import write_workbook
from xlcrm.report.handover_sheets import HandoverFacts, handover_sheets
from xlcrm.report.visit_log import LOG_COLUMNS, log_rows

CUSTOMERS = pd.DataFrame(
    {"customer_code": ["330781100002"], "route": ["三线"], "batch": ["星期三"], "name": ["乙店"]}
)
FACTS = HandoverFacts("张三", "李四", Quarter(2026, 2), dt.date(2026, 5, 15), FollowUpCounts(0, 0, 0), None)


def visits(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=STORED_VISIT)
    for day in ("visit_date", "follow_up_date"):
        frame[day] = pd.to_datetime(frame[day])
    return frame


def test_done_as_a_manager_leaves_it_and_names_from_the_routes():
    a, b = "330781100002", "330781100009"
    log = visits(
        [
            # a plain visit, an open follow-up, a settled one, a step without a date
            dict(visit_key="a", customer_code=a, visit_date="2026-05-01", done=False, name="旧名"),
            dict(visit_key="b", customer_code=b, visit_date="2026-05-02", follow_up_date="2026-05-09",
                 done=False, name="某店"),
            dict(visit_key="c", customer_code=a, visit_date="2026-05-03", next_step="送", done=True),
            dict(visit_key="d", customer_code=b, visit_date=None, next_step="送样", done=False),
        ]
    )  # fmt: skip
    rows = log_rows(log, {"330781100002": "乙店"})
    assert list(rows.columns) == [c.key for c in LOG_COLUMNS]
    blank = lambda v: None if pd.isna(v) else v  # noqa: E731  (text columns hold NaN for blank)
    assert [blank(v) for v in rows["done"]] == [None, "否", "是", "否"]
    assert [blank(v) for v in rows["name"]] == ["乙店", "某店", "乙店", None]
    assert rows["visit_date"].tolist()[:1] == [dt.date(2026, 5, 1)] and rows["visit_date"].iloc[3] is None


def test_an_empty_log_is_still_a_table_to_write_in(tmp_path):
    handover = Handover(CUSTOMERS, CUSTOMERS[["route", "batch"]].assign(customers=1), issue_list.empty())
    history = pd.DataFrame(
        {
            "customer_code": ["330781100002"],
            "name": ["乙店"],
            "route": ["三线"],
            "quarter": [Quarter(2026, 2).index],
            "grade": [None],
            "change": [""],
            "volume": [np.nan],
            "amount": [np.nan],
        }
    )
    path = tmp_path / "h.xlsx"
    write_workbook(handover_sheets(handover, FACTS, [], history, visits([])), path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["交接说明", "客户资料卡", "历史", "拜访记录"]
    log = book["拜访记录"]
    (table,) = log.tables.values()
    top = next(r for r in range(1, 6) if log.cell(r, 1).value == "日期")
    assert table.ref == f"A{top}:I{top + 1}"  # the header and one blank row to start in
    assert len(log.data_validations.dataValidation) == 4
    assert [str(cf.sqref) for cf in log.conditional_formatting] == [f"H{top + 1}:H1048576"]
    assert [r[4] for r in book["历史"].iter_rows(values_only=True)][-1] == "无等级"
    items = [r[0] for r in book["交接说明"].iter_rows(values_only=True)]
    assert not any(str(i).endswith("类客户（重点维护，户）") for i in items)  # no amounts: no classes
    assert "交接客户（户）" in items and "交出人（签字）" in items
