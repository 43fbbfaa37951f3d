"""Many managers' visit logs cleaned together (core.visits.visit_logs, what batch does) give
each manager exactly what their log gives alone (visit_log): visits, issues, where, letters,
or the same refusal."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from support import raw_sheets
from xlcrm.core.errors import XlcrmError
from xlcrm.core.model import HIDDEN, RawSheet
from xlcrm.core.visits import VisitLog, visit_log, visit_logs

HEAD = ["日期", "客户代码", "客户名称", "方式", "内容", "客户需求", "下一步", "跟进日期", "已完成"]
# another layout: other names, other order, a column that is no role
OTHER_HEAD = ["序号", "客户编码", "拜访时间", "沟通方式", "拜访内容", "跟进事项", "下次跟进日期", "是否完成"]
CODES = ["330781100001", "330781100002", "330781100003", "3.30781100004E+11", "", "abc"]
DATES = ["2026-06-01", "2026/6/3", "2026年6月5日", "6月3日", "明天", "", dt.datetime(2026, 6, 7)]
METHODS = ["走访", "电话", "打电话", "飞鸽传书", "", "微信沟通"]
DONE = ["是", "否", "", "完成了", " 是 "]

row = st.fixed_dictionaries(
    {
        "visit": st.sampled_from(DATES),
        "code": st.sampled_from(CODES),
        "method": st.sampled_from(METHODS),
        "content": st.sampled_from(["", "谈陈列", "问货 13812345678"]),
        "step": st.sampled_from(["", "送海报"]),
        "follow": st.sampled_from(DATES),
        "done": st.sampled_from(DONE),
        "special": st.sampled_from([None] * 8 + ["blank", "total", "head", "again"]),
    }
)


def cells(r: dict, layout: int, previous: list | None) -> list:
    if r["special"] == "again" and previous is not None:
        return list(previous)  # the same visit written twice
    if r["special"] == "blank":
        return [""] * (len(HEAD) if layout == 0 else len(OTHER_HEAD))
    if r["special"] == "total":
        return ["合计"] + [""] * (len(HEAD) - 1 if layout == 0 else len(OTHER_HEAD) - 1)
    if r["special"] == "head":
        return list(HEAD if layout == 0 else OTHER_HEAD)
    if layout == 0:
        return [
            r["visit"],
            r["code"],
            "甲店",
            r["method"],
            r["content"],
            "",
            r["step"],
            r["follow"],
            r["done"],
        ]
    return ["1", r["code"], r["visit"], r["method"], r["content"], r["step"], r["follow"], r["done"]]


log_shape = st.fixed_dictionaries(
    {
        "layout": st.sampled_from([0, 0, 0, 1]),
        "rows": st.lists(row, max_size=12),
        "split": st.booleans(),  # over two sheets of one layout, the second hidden
        "title": st.booleans(),  # a title line above the header
        "kind": st.sampled_from(["log"] * 6 + ["header_only", "no_header", "routes_too"]),
        "csv": st.booleans(),
    }
)


def make_log(i: int, shape: dict) -> list[RawSheet]:
    head = HEAD if shape["layout"] == 0 else OTHER_HEAD
    if shape["kind"] == "no_header":
        return raw_sheets(f"经理{i}.xlsx", {"拜访记录": [["客户代码", "客户名称"], ["330781100001", "甲店"]]})
    body, previous = [], None
    for r in shape["rows"] if shape["kind"] != "header_only" else []:
        previous = cells(r, shape["layout"], previous)
        body.append(previous)
    top = ([["客户拜访记录表"]] if shape["title"] else []) + [head]
    if shape["csv"] and not shape["split"] and shape["kind"] == "log":
        (sheet,) = raw_sheets(f"经理{i}.csv", {"x": top + body})
        return [RawSheet(sheet.file, None, sheet.cells)]
    half = len(body) // 2 if shape["split"] else len(body)
    sheets = {"拜访记录": top + body[:half]}
    if shape["split"]:
        sheets["拜访记录2"] = [head] + body[half:]
    if shape["kind"] == "routes_too":
        sheets = {"一线": [["客户代码"], ["330781100001"]], **sheets}
    found = raw_sheets(f"经理{i}.xlsx", sheets)
    if shape["split"]:
        last = found[-1]
        found[-1] = RawSheet(last.file, last.sheet, last.cells, hidden=HIDDEN)
    return found


def alone(sheets: list[RawSheet]) -> VisitLog | XlcrmError:
    try:
        return visit_log(sheets)
    except XlcrmError as exc:
        return exc


def assert_same(together: VisitLog | XlcrmError, by_itself: VisitLog | XlcrmError) -> None:
    if isinstance(by_itself, XlcrmError):
        assert isinstance(together, XlcrmError) and str(together) == str(by_itself)
        return
    assert isinstance(together, VisitLog), together
    pd.testing.assert_frame_equal(together.visits, by_itself.visits)
    pd.testing.assert_frame_equal(together.issues, by_itself.issues)
    assert together.where == by_itself.where and dict(together.letters) == dict(by_itself.letters)


@settings(max_examples=150, deadline=None)
@given(st.lists(log_shape, min_size=1, max_size=6))
def test_logs_cleaned_together_are_each_log_cleaned_alone(shapes):
    logs = [make_log(i, shape) for i, shape in enumerate(shapes)]
    found = visit_logs(logs)
    assert len(found) == len(logs)
    for together, sheets in zip(found, logs):
        assert_same(together, alone(sheets))


def test_the_same_visit_in_two_logs_is_each_managers_visit():
    visit = ["2026-06-01", "330781100001", "甲店", "走访", "谈陈列", "", "", "", ""]
    logs = [raw_sheets(f"经理{i}.xlsx", {"拜访记录": [HEAD, visit, visit]}) for i in range(2)]
    first, second = visit_logs(logs)
    for log in (first, second):
        assert len(log.visits) == 1 and list(log.issues["kind"]) == ["visit_duplicate"]
    assert first.issues["source"][0].startswith("经理0.xlsx") and second.issues["source"][0].startswith(
        "经理1"
    )


def test_logs_whose_sheets_share_a_name_are_cleaned_one_by_one():
    visit = ["2026-06-01", "330781100001", "甲店", "走访", "谈陈列", "", "", "", "否"]
    logs = [raw_sheets("拜访.xlsx", {"拜访记录": [HEAD, visit]}) for _ in range(2)]
    for together, sheets in zip(visit_logs(logs), logs):
        assert_same(together, alone(sheets))
