"""Value classes on a quarter built by hand so that every edge is hit: two customers with equal
amounts on either side of 70 %, a customer whose preceding share is exactly 70 % (B) and one
exactly 90 % (C), customers without an amount; order details as exports write them (title lines
above the header, codes through a float or with an apostrophe, dates as text in three forms,
amounts with commas, a GBK CSV and an .xls) whose figures put a customer at exactly 14 days
(no_order) and one at 13 (not), and whose ordering customers are six (an even count: the
median is the mean of the two middle values) as of 2026-09-30, seven (odd) as of 2026-10-01.

Every expected value below is worked out by hand in the comments; none comes from xlcrm."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import xlwt

from support import ROUTE_HEAD, write_xlsx
from xlcrm.commands import cli

CODE = {n: f"33078120000{n}" for n in range(1, 9)}
STRANGER = "330781299999"  # orders, but on no route

# Purchase amounts (total 10,000.00 元), largest first, equal amounts by code:
#   c1 5,999.50 (before 0)  c2 1,000.50 (before 5,999.50)  c3 1,000.50 (before 7,000.00 = 70 %)
#   c4 999.50 (before 8,000.50)  c5 600.25 (before 9,000.00 = 90 %)  c6 399.75 (before 9,600.25)
#   c7 not in the purchase table, c8 in it with a blank amount.
QUARTER = {
    "routes": {
        "一线": ROUTE_HEAD + [[i, CODE[i], f"店{i}", "王", None] for i in (1, 2, 3, 4)],
        "二线": ROUTE_HEAD + [[i - 4, CODE[i], f"店{i}", "李", None] for i in (5, 6, 7, 8)],
    },
    "grades": {
        "Sheet1": [["客户代码", "客户名称", "业态", "市场类型", "客户等级"]]
        + [[CODE[i], f"店{i}", "超市", "城镇", f"CS{1 + i % 3}"] for i in range(1, 9)]
    },
    "purchases": {
        "Sheet1": [["客户购进量与购进额"], [], ["客户编码", "客户名称", "购进量（条）", "购进额（元）"]]
        + [
            [CODE[1], "店1", "40", "5,999.50"],
            [CODE[3], "店3", "7", "1,000.50"],  # listed before c2: the order in the file decides nothing
            [CODE[2], "店2", "7", "1000.5"],
            [CODE[4], "店4", "6", "999.5"],
            [CODE[5], "店5", "4", "600.25"],
            [CODE[6], "店6", "3", "399.75"],
            [CODE[8], "店8", "1", ""],
        ]
    },
}

# The order lines, in file order: (code cell, date cell, 订货量, 订货金额).
# as of 2026-09-30 (orders on or before it count):
#   c1 09-28 (two lines, one written 2026/9/28), 09-21, 09-14, 09-07: last 09-28, recency 2,
#      4 order days, 600.10 + 100 + 100 + 100 + 100 = 1,000.10
#   c2 09-16, 09-09 (amount 暂无: the day counts, the amount not), 09-02: recency 14, 3 days, 500.00
#   c3 09-17, 09-10 (and a line dated 2026-09-32, no day): recency 13, 2 days, 300.00
#   c4 09-29, 09-15, 08-31 (blank amount): recency 1, 3 days, 700.00
#   c5 07-01 (and a line without a date): recency 91, 1 day, 50.00
#   c6 never; c7 09-30 (on the as-of date; a line of 10-02 is after it): recency 0, 1 day, 200.00
#   c8 10-01 only: after 09-30 — no order as of 09-30; as of 10-01 recency 0, 1 day, 800.00
ORDER_LINES = [
    (f"{CODE[1]}.0", "2026-09-28", "4", "600.10"),
    (CODE[1], "2026/9/28", "1", "100.00"),
    (CODE[1], "2026年9月21日", "1", "100"),
    (CODE[1], "2026-09-14", "1", "100.00"),
    (CODE[1], "2026/9/7", "1", "100.00"),
    (CODE[2], "2026-09-16", "2", "200.00"),
    (f"'{CODE[2]}", "2026-09-09", "1", "暂无"),
    (CODE[2], "2026年9月2日", "2", "300.00"),
    (CODE[3], "2026-09-17", "1", "150.00"),
    (CODE[3], "2026-09-10", "1", "150.00"),
    (CODE[3], "2026-09-32", "6", "999.00"),
    (CODE[4], "2026-09-29", "2", "300.00"),
    (CODE[4], "2026-09-15", "2", "400.00"),
    (CODE[4], "2026-08-31", "1", ""),
    (CODE[5], "2026-07-01", "1", "50.00"),
    (CODE[5], "", "1", "10.00"),
    (CODE[7], "2026-09-30", "1", "200.00"),
    (CODE[7], "2026-10-02", "30", "5,000.00"),
    (CODE[8], "2026年10月1日", "5", "800.00"),
    (STRANGER, "2026-09-20", "1", "100.00"),
]
ORDER_HEAD = [["订单明细"], ["导出时间：2026-10-02 18:00"], ["客户代码", "订货日期", "订货量", "订货金额"]]
FIRST_LINE = len(ORDER_HEAD) + 1  # the Excel row of the first order line
# the lines that cannot count as written, at their cells (file order from FIRST_LINE)
ORDER_PROBLEMS = {
    ("bad_number", CODE[2], f"D{FIRST_LINE + 6}"),  # 暂无
    ("bad_date", CODE[3], f"B{FIRST_LINE + 10}"),  # 2026-09-32
    ("bad_number", CODE[4], f"D{FIRST_LINE + 13}"),  # blank amount
    ("bad_date", CODE[5], f"B{FIRST_LINE + 15}"),  # blank date
}
ORDER_COLUMNS = ("last_order_date", "recency_days", "frequency", "monetary", "rfm_segment")


def write_gbk_csv(path: Path) -> Path:
    rows = [*ORDER_HEAD, *ORDER_LINES, ["合计", "", "68", "9,359.10"]]
    text = "\n".join(",".join(f'"{v}"' if "," in str(v) else str(v) for v in row) for row in rows)
    path.write_bytes(text.encode("gbk"))
    return path


def write_xls(path: Path) -> Path:
    """The same lines in an Excel 97–2003 file as old exports hold them: codes as numbers, the
    ISO dates as date cells (the others stay text), amounts as numbers where they are numbers."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("订单明细")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(ORDER_HEAD):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    for r, (code, day, volume, amount) in enumerate(ORDER_LINES, start=len(ORDER_HEAD)):
        digits = code.lstrip("'").removesuffix(".0")
        sheet.write(r, 0, float(digits) if r % 2 else digits)
        try:
            sheet.write(r, 1, dt.datetime.strptime(day, "%Y-%m-%d"), dates)
        except ValueError:
            sheet.write(r, 1, day)
        sheet.write(r, 2, int(volume))
        try:
            sheet.write(r, 3, float(amount.replace(",", "")))
        except ValueError:
            sheet.write(r, 3, amount)
    book.save(str(path))
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("edges")
    files = {role: write_xlsx(folder / f"{role}.xlsx", sheets) for role, sheets in QUARTER.items()}
    files["csv"] = write_gbk_csv(folder / "订单明细.csv")
    files["xls"] = write_xls(folder / "订单明细.xls")
    return files


def build(inputs, folder: Path, orders: str | None, *extra: str) -> Path:
    argv = ["build", "-q", "--routes", str(inputs["routes"]), "--grades", str(inputs["grades"])]
    argv += ["--purchases", str(inputs["purchases"]), "--out", str(folder / "o.xlsx")]
    argv += ["--export-dir", str(folder / "csv"), *extra]
    if orders:
        argv += ["--orders", str(inputs[orders])]
    assert cli.main(argv) == 0
    return folder / "csv"


def by_code(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["customer_code"]: r for r in rows}


def test_abc_ties_by_code_and_the_edges_exactly(inputs, tmp_path):
    values = by_code(read_csv(build(inputs, tmp_path, None) / "values.csv"))
    assert {c: values[CODE[i]]["abc_class"] for i, c in enumerate("12345678", 1)} == {
        "1": "A",
        "2": "A",  # 1,000.50 like c3; the smaller code goes first
        "3": "B",  # the amount before it is exactly 70 %
        "4": "B",
        "5": "C",  # the amount before it is exactly 90 %
        "6": "C",
        "7": "C",  # not in the purchase table
        "8": "C",  # a blank amount
    }
    assert [values[CODE[i]]["amount"] for i in (1, 2, 7, 8)] == ["5999.5", "1000.5", "", ""]
    assert all(values[CODE[i]][k] == "" for i in range(1, 9) for k in ORDER_COLUMNS)


def test_other_shares_with_abc_option(inputs, tmp_path):
    values = by_code(read_csv(build(inputs, tmp_path, None, "--abc", "0.5,0.8") / "values.csv"))
    # before c2 59.995 % (≥ 50 %: B), before c3 70 % (B), before c4 80.005 % (≥ 80 %: C)
    assert [values[CODE[i]]["abc_class"] for i in range(1, 9)] == list("ABBCCCCC")


def test_values_and_no_order_with_six_ordering_customers(inputs, tmp_path):
    exports = build(inputs, tmp_path, "csv", "--as-of", "2026-09-30")
    values = by_code(read_csv(exports / "values.csv"))
    # recency 2, 14, 13, 1, 91, 0 → sorted 0 1 2 13 14 91, median (2 + 13) / 2 = 7.5: c1 c4 c7 high
    # frequency 4, 3, 2, 3, 1, 1 → 1 1 2 3 3 4, median 2.5: c1 c2 c4 high
    # monetary 1000.10, 500, 300, 700, 50, 200 → median (300 + 500) / 2 = 400: c1 c2 c4 high
    expected = {
        1: ("2026-09-28", "2", "4", "1000.1", "重要价值客户"),  # R F M high
        2: ("2026-09-16", "14", "3", "500", "重要保持客户"),  # R low
        3: ("2026-09-17", "13", "2", "300", "一般挽留客户"),  # all low (lower middles would differ)
        4: ("2026-09-29", "1", "3", "700", "重要价值客户"),
        5: ("2026-07-01", "91", "1", "50", "一般挽留客户"),
        6: ("", "", "", "", "无订货"),
        7: ("2026-09-30", "0", "1", "200", "一般发展客户"),  # R high only; 10-02's line not counted
        8: ("", "", "", "", "无订货"),  # ordered only on 10-01, after the as-of date
    }
    assert {i: tuple(values[CODE[i]][k] for k in ORDER_COLUMNS) for i in expected} == expected
    alerts = [a for a in read_csv(exports / "alerts.csv") if a["kind"] == "no_order"]
    # 14 days is no_order, 13 is not; no order at all is
    assert sorted(a["customer_code"] for a in alerts) == [CODE[2], CODE[5], CODE[6], CODE[8]]
    details = {a["customer_code"]: a["detail"] for a in alerts}
    assert details[CODE[2]] == "最近一次订货 2026-09-16，距 2026-09-30 已 14 天未订货"
    assert details[CODE[6]] == "截至 2026-09-30，订单明细中没有订货"
    # the same customers on 重点关注, by weekday and route, in words
    shown = openpyxl.load_workbook(tmp_path / "o.xlsx")["重点关注"].iter_rows(min_row=4, values_only=True)
    assert [(r[0], r[1], str(r[2]), r[4]) for r in shown] == [
        ("星期一", "一线", CODE[2], "久未订货"),
        *[("星期二", "二线", CODE[i], "久未订货") for i in (5, 6, 8)],
    ]


def order_issues(exports: Path, source: str) -> tuple[set, list[str]]:
    rows = read_csv(exports / "issues.csv")
    cells = {
        (r["kind"], r["customer_code"], r["source"].removeprefix(source))
        for r in rows
        if r["source"].startswith(source) and r["kind"] in ("bad_date", "bad_number")
    }
    said = [r["detail"] for r in rows if r["kind"] == "orders_not_counted"]
    return cells, said


def test_order_problems_at_their_cells(inputs, tmp_path):
    exports = build(inputs, tmp_path, "csv", "--as-of", "2026-09-30")
    cells, said = order_issues(exports, "订单明细.csv › ")
    assert cells == ORDER_PROBLEMS
    # c7's 10-02 and c8's 10-01: two lines after the as-of date; the stranger's code is on no route
    assert "2 行订单的订货日期晚于计算日期 2026-09-30，未计入" in said
    assert any(d.startswith("订单明细中有 1 个客户代码（1 行订单）不在您的线路上") for d in said), said


def test_an_xls_export_an_odd_count_and_the_options(inputs, tmp_path):
    argv = ["--as-of", "2026-10-01", "--abc", "0.5,0.8", "--no-order-days", "15"]
    exports = build(inputs, tmp_path, "xls", *argv)
    values = by_code(read_csv(exports / "values.csv"))
    # seven with orders (c8 now): recency 3, 15, 14, 2, 92, 1, 0 → median 3 (c1 on it: high)
    # frequency 4, 3, 2, 3, 1, 1, 1 → median 2 (c3 on it: high)
    # monetary 1000.10, 500, 300, 700, 50, 200, 800 → median 500 (c2 on it: high)
    expected = {
        1: ("2026-09-28", "3", "4", "1000.1", "重要价值客户"),
        2: ("2026-09-16", "15", "3", "500", "重要保持客户"),
        3: ("2026-09-17", "14", "2", "300", "一般保持客户"),
        4: ("2026-09-29", "2", "3", "700", "重要价值客户"),
        5: ("2026-07-01", "92", "1", "50", "一般挽留客户"),
        6: ("", "", "", "", "无订货"),
        7: ("2026-09-30", "1", "1", "200", "一般发展客户"),
        8: ("2026-10-01", "0", "1", "800", "重要发展客户"),  # R high, F low, M high
    }
    assert {i: tuple(values[CODE[i]][k] for k in ORDER_COLUMNS) for i in expected} == expected
    assert [values[CODE[i]]["abc_class"] for i in range(1, 9)] == list("ABBCCCCC")
    alerts = [a for a in read_csv(exports / "alerts.csv") if a["kind"] == "no_order"]
    assert sorted(a["customer_code"] for a in alerts) == [CODE[2], CODE[5], CODE[6]]  # c3 at 14 < 15
    cells, said = order_issues(exports, "订单明细.xls › 订单明细 › ")
    assert cells == ORDER_PROBLEMS
    assert "1 行订单的订货日期晚于计算日期 2026-10-01，未计入" in said


def test_the_cover_states_each_class_s_plan_once(inputs, tmp_path):
    build(inputs, tmp_path, "csv", "--as-of", "2026-09-30")
    cover = openpyxl.load_workbook(tmp_path / "o.xlsx")["汇总"]
    rows = {r[0]: r[1:5] for r in cover.iter_rows(values_only=True) if r[0]}
    # A: c1 c2 = 7,000.00 of 10,000.00; B: c3 c4 = 2,000.00; C: c5 c6 (c7 c8 no amount) = 1,000.00
    assert rows["A 类"] == (2, 7000.0, pytest.approx(0.7), "重点维护")
    assert rows["B 类"] == (2, 2000.0, pytest.approx(0.2), "定期回访")
    assert rows["C 类"] == (4, 1000.0, pytest.approx(0.1), "常规服务")
    plans = ("重点维护", "定期回访", "常规服务")
    stated = [v for r in cover.iter_rows(values_only=True) for v in r if v in plans]
    assert sorted(stated) == sorted(plans)  # each once
    groups = {"重要价值客户": 2, "重要保持客户": 1, "一般挽留客户": 2, "一般发展客户": 1, "无订货": 2}
    assert {g: rows[g][0] for g in groups} == groups
    assert all(rows[g][0] == 0 for g in ("重要发展客户", "重要挽留客户", "一般价值客户", "一般保持客户"))


def test_orders_and_visits_together(inputs, tmp_path):
    head = ["日期", "客户代码", "客户名称", "方式", "内容", "客户需求", "下一步", "跟进日期", "已完成"]
    log = [
        head,
        ["2026-09-20", CODE[1], None, "走访", "看陈列", None, "送价目表", "2026-10-03", "否"],
        ["2026/9/25", CODE[1], None, "电话", "问订货", None, None, None, "是"],
        ["2026年9月1日", CODE[5], None, "走访", "问原因", None, "回访", "2026-09-10", ""],
    ]
    visits = write_xlsx(tmp_path / "拜访记录.xlsx", {"拜访记录": log})
    exports = build(inputs, tmp_path, "csv", "--as-of", "2026-09-30", "--visits", str(visits))
    sheet = openpyxl.load_workbook(tmp_path / "o.xlsx")["一线"]
    header = [str(c.value).replace("\n", "") for c in sheet[3]]
    assert header == [
        *ROUTE_HEAD[2],
        "上季等级",
        "本季等级",
        "变动",
        "购进量",
        "购进额",
        "上一档",
        "距上一档（条）",
        "距上一档（元）",
        "ABC分类",
        "价值分群",
        "上次拜访",
        "待跟进",
        "下一步",
        "本次拜访",
    ]
    row = [c.value for c in sheet[4]]
    at = {h: header.index(h) for h in header}
    assert row[at["客户代码"]] == int(CODE[1])
    assert row[at["上次拜访"]].date() == dt.date(2026, 9, 25)
    assert row[at["待跟进"]].date() == dt.date(2026, 10, 3)
    assert (row[at["下一步"]], row[at["ABC分类"]], row[at["价值分群"]]) == ("送价目表", "A", "重要价值客户")
    follow = read_csv(exports / "followups.csv")
    assert [(f["customer_code"], f["status"]) for f in follow] == [(CODE[5], "overdue"), (CODE[1], "due")]
    assert len(read_csv(exports / "values.csv")) == 8
