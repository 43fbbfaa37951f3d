"""core.handover on hand-made frames: the routes named, the customers handed over (a list's codes
off the routes listed, the routes in visit order), the change per recorded quarter (gaps and a
scheme change leave it blank), follow-ups counted by core.visits' rules, the value classes."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from xlcrm.core import issues as issue_list
from xlcrm.core.columns import Header
from xlcrm.core.errors import XlcrmError
from xlcrm.core.grades import scheme_named
from xlcrm.core.handover import (
    NOT_HANDED,
    abc_counts,
    follow_up_counts,
    hand_over,
    log_order,
    quarter_history,
    route_names,
)
from xlcrm.core.model import Table
from xlcrm.core.quarters import Quarter

ROUTES = pd.DataFrame(
    {
        "customer_code": ["1001", "1002", "1003", "1004", "1005"],
        "route": ["八线", "三线", "三线", "一线", "八线"],
        "batch": ["星期三", "星期三", "星期三", "星期一", "星期三"],
        "name": ["甲", "乙", "丙", "丁", "戊"],
    }
)


def listed(codes: list[str | None]) -> Table:
    rows = pd.DataFrame(
        {
            "customer_code": pd.array(codes, dtype="string"),
            "excel_row": np.arange(2, len(codes) + 2),
            "location": "名单.xlsx › Sheet1 › A",
        }
    )
    return Table(rows, issue_list.empty(), "名单.xlsx › Sheet1", Header(0, ["客户代码"], {"code": 0}))


def test_route_names_repeated_or_listed_each_once():
    assert route_names(["三线,八线", "三线", "一线、二线；五线", " 六线 "]) == [
        "三线",
        "八线",
        "一线",
        "二线",
        "五线",
        "六线",
    ]


def test_a_whole_route_in_visit_order_and_the_routes_by_weekday():
    found = hand_over(ROUTES, ["八线", "三线"], "张三2026年第二季度的线路记录")
    # 三线 before 八线 on 星期三 (route order), codes ascending within a route
    assert found.customers["customer_code"].tolist() == ["1002", "1003", "1001", "1005"]
    assert found.routes.to_dict("records") == [
        {"route": "三线", "batch": "星期三", "customers": 2},
        {"route": "八线", "batch": "星期三", "customers": 2},
    ]
    assert found.issues.empty


def test_a_route_not_in_the_build_names_those_that_are():
    with pytest.raises(XlcrmError) as caught:
        hand_over(ROUTES, ["三线", "九线"], "张三2026年第二季度的线路记录")
    assert "九线" in caught.value.message and "有：一线、三线、八线" in caught.value.message


def test_a_list_hands_over_its_codes_and_says_which_are_not_on_the_routes():
    found = hand_over(ROUTES, ["三线"], "张三的记录", listed(["1003", "1004", "9999", "1003", None]))
    assert found.customers["customer_code"].tolist() == ["1003"]
    assert found.routes["customers"].tolist() == [1]
    issues = found.issues[found.issues["kind"] == NOT_HANDED]
    assert issues["customer_code"].tolist() == ["1004", "9999"]
    assert issues["source"].tolist() == ["名单.xlsx › Sheet1 › A3", "名单.xlsx › Sheet1 › A4"]
    assert (
        "它在一线上" in issues["detail"].iloc[0] and "不在张三的记录的任何线路上" in issues["detail"].iloc[1]
    )


def test_a_route_the_list_leaves_empty_is_still_listed():
    found = hand_over(ROUTES, ["三线", "八线"], "记录", listed(["1001"]))
    assert found.routes["customers"].tolist() == [0, 1]


def test_change_per_quarter_against_the_calendar_quarter_before_under_one_scheme():
    code2008, tiers30 = scheme_named("code2008"), scheme_named("tiers30")
    q = [Quarter(2025, n).index for n in (1, 2, 4)] + [Quarter(2026, n).index for n in (1, 2)]
    schemes = {q[0]: code2008, q[1]: code2008, q[2]: code2008, q[3]: code2008, q[4]: tiers30}
    rows = pd.DataFrame(
        {
            "customer_code": ["1002"] * 5 + ["1003"] * 2,
            "quarter": [q[0], q[1], q[2], q[3], q[4], q[1], q[3]],
            "grade": ["CZ2", "CZ1", "CZ3", "CZ3", "12", None, "CS1"],
            "segment": ["CZ"] * 5 + [None, "CS"],
            "volume": [1.0, 2.0, 3.0, 4.0, 5.0, np.nan, 7.0],
            "amount": [10.0, 20.0, 30.0, 40.0, 50.0, np.nan, 70.0],
        }
    )
    customers = ROUTES[ROUTES["route"] == "三线"]
    got = quarter_history(rows, customers, schemes)
    shown = [
        [code, quarter, None if pd.isna(grade) else grade, change]
        for code, quarter, grade, change in got[["customer_code", "quarter", "grade", "change"]].values
    ]
    assert shown == [
        ["1002", q[0], "CZ2", ""],  # the first recorded quarter: nothing before it
        ["1002", q[1], "CZ1", "提升"],
        ["1002", q[2], "CZ3", ""],  # 2025Q3 not recorded
        ["1002", q[3], "CZ3", "保持"],
        ["1002", q[4], "12", ""],  # graded by another scheme than the quarter before
        ["1003", q[1], None, "无本季等级"],  # in that grade table without a grade
        ["1003", q[3], "CS1", "新客户"],  # not in 2025Q4's grade table
    ]
    assert got["amount"].tolist()[:2] == [10.0, 20.0] and got["route"].unique().tolist() == ["三线"]


def test_follow_ups_counted_by_the_visit_rules():
    as_of = dt.date(2026, 5, 15)
    visits = pd.DataFrame(
        {
            "visit_key": list("abcdef"),
            "customer_code": ["1002"] * 6,
            "visit_date": pd.to_datetime(["2026-05-01"] * 5 + [None]),
            "method": ["走访"] * 6,
            "content": list("abcdef"),
            "need": [None] * 6,
            "next_step": ["送价目表", "回访", None, "送样品", "核对", "讲政策"],
            # overdue, due on the 7th day, a date without a step, done, after the window, no date
            "follow_up_date": pd.to_datetime(
                ["2026-05-14", "2026-05-22", "2026-05-15", "2026-05-01", "2026-05-23", None]
            ),
            "done": [False, False, False, True, False, False],
            "name": [None] * 6,
        }
    )
    ordered = log_order(visits)
    assert ordered["visit_key"].tolist()[-1] == "f"  # undated last
    counts = follow_up_counts(ordered, as_of)
    assert (counts.open, counts.overdue, counts.due) == (5, 1, 2)


def test_abc_over_the_whole_build_and_none_without_amounts():
    build = pd.DataFrame(
        {"customer_code": ["1", "2", "3", "4"], "amount": [60.0, 25.0, 15.0, np.nan]}
    )  # before: 0 → A, 60 % → A, 85 % → B; no amount → C
    shares = (Fraction(7, 10), Fraction(9, 10))
    assert abc_counts(build, pd.Series(["2", "3", "4"]), shares) == {"A": 1, "B": 1, "C": 1}
    assert abc_counts(build.assign(amount=np.nan), pd.Series(["2"]), shares) is None
