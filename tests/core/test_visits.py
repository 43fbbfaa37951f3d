"""The visit log and its follow-ups, checked against values computed here, independently, from
generated truth: the follow-up window (its edges to the day), the order, the latest visit, the
earliest open follow-up, the visits per route, and every problem at its cell."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support import raw_sheets, reviewed
from xlcrm.core.errors import XlcrmError
from xlcrm.core.quarters import Quarter
from xlcrm.core.visits import (
    DUE,
    OVERDUE,
    VISIT_RECORD,
    earliest_follow_ups,
    follow_up_export,
    follow_up_window,
    last_visits,
    latest_visits,
    log_sheets,
    quarter_period,
    review_visits,
    stored_visits,
    visit_keys,
    visit_log,
    visited_per_route,
    with_visit_issues,
)

HEAD = ["日期", "客户代码", "客户名称", "方式", "内容", "客户需求", "下一步", "跟进日期", "已完成"]
AS_OF = dt.date(2026, 6, 22)
ON_ROUTES = [f"33078110000{i}" for i in range(1, 7)]  # support.SMALL_QUARTER's coded route customers
OFF_ROUTE = "330781100099"
DATE_FORMS = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}年{d.month}月{d.day}号",
    lambda d: dt.datetime(d.year, d.month, d.day),  # a date cell
    lambda d: d.strftime("%Y%m%d"),
]


def log_of(rows: list[list], sheet: str = "拜访记录", head: list | None = None):
    return visit_log(raw_sheets("拜访.xlsx", {sheet: [head or HEAD, *rows]}))


# --- generated truth ------------------------------------------------------------------------------

entry = st.fixed_dictionaries(
    {
        "code": st.sampled_from([*ON_ROUTES, OFF_ROUTE]),
        "visit": st.one_of(st.none(), st.integers(-100, 3)),  # days from the as-of date
        "follow": st.one_of(st.none(), st.integers(-12, 12)),
        "step": st.booleans(),
        "done": st.sampled_from(["是", "否", "", " 是 ", "是", "√"]),
        "form": st.integers(0, len(DATE_FORMS) - 1),
    }
)


def written(entries: list[dict]) -> list[list]:
    rows = []
    for i, e in enumerate(entries):
        visit = None if e["visit"] is None else DATE_FORMS[e["form"]](AS_OF + dt.timedelta(days=e["visit"]))
        follow = (
            None if e["follow"] is None else DATE_FORMS[e["form"]](AS_OF + dt.timedelta(days=e["follow"]))
        )
        step = f"第{i}件事" if e["step"] else None
        # each row its own content: no two rows are one visit
        rows.append([visit, e["code"], None, "走访", f"内容{i}", None, step, follow, e["done"]])
    return rows


def expected_window(entries: list[dict], as_of: dt.date = AS_OF) -> list[tuple]:
    """followups.csv computed by hand: open (已完成 not 是), dated, overdue or due within 7 days;
    by due date, then code, then log order."""
    found = []
    for row, e in enumerate(entries, start=2):
        is_open = e["done"].strip() != "是"
        if not is_open or e["follow"] is None or not (e["step"] or e["follow"] is not None):
            continue
        due = as_of + dt.timedelta(days=e["follow"])
        if due < as_of:
            status = OVERDUE
        elif due <= as_of + dt.timedelta(days=7):
            status = DUE
        else:
            continue
        found.append((due, e["code"], row, f"第{row - 2}件事" if e["step"] else "", status))
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    return [(code, due.isoformat(), step, status) for due, code, _, step, status in found]


@settings(max_examples=150, deadline=None)
@given(st.lists(entry, max_size=25))
def test_followups_match_the_hand_computed_window(entries):
    result, _ = reviewed()
    review = review_visits(log_of(written(entries)), result, AS_OF)
    got = [tuple(r) for r in follow_up_export(review).itertuples(index=False)]
    assert got == expected_window(entries)
    # a next step without a date is an issue at its 跟进日期 cell, and only then
    no_date = {
        f"拜访.xlsx › 拜访记录 › H{row}"
        for row, e in enumerate(entries, start=2)
        if e["step"] and e["follow"] is None and e["done"].strip() != "是"
    }
    issues = review.issues
    assert set(issues.loc[issues["kind"] == "follow_up_no_date", "source"]) == no_date
    # 已完成 neither 是 nor 否 (nor blank) is said at its cell
    odd = {f"拜访.xlsx › 拜访记录 › I{row}" for row, e in enumerate(entries, start=2) if e["done"] == "√"}
    assert set(issues.loc[issues["kind"] == "visit_bad_done", "source"]) == odd


@settings(max_examples=100, deadline=None)
@given(st.lists(entry, max_size=25))
def test_latest_visit_and_earliest_follow_up_per_customer(entries):
    log = log_of(written(entries))
    latest = latest_visits(log.visits, AS_OF).set_index("customer_code")["last_visit"]
    expected = {}
    for e in entries:
        if e["visit"] is not None and e["visit"] <= 0:  # later than the as-of date does not count
            day = AS_OF + dt.timedelta(days=e["visit"])
            expected[e["code"]] = max(expected.get(e["code"], day), day)
    assert {c: d.date() for c, d in latest.items()} == expected

    earliest = earliest_follow_ups(log.visits).set_index("customer_code")
    by_code: dict[str, tuple] = {}
    for row, e in enumerate(entries, start=2):
        if e["done"].strip() == "是" or not (e["step"] or e["follow"] is not None):
            continue
        due = None if e["follow"] is None else AS_OF + dt.timedelta(days=e["follow"])
        rank = (due is None, due or dt.date.max, row)
        if e["code"] not in by_code or rank < by_code[e["code"]][0]:
            by_code[e["code"]] = (rank, due, f"第{row - 2}件事" if e["step"] else None)
    assert set(earliest.index) == set(by_code)
    for code, (_, due, step) in by_code.items():
        got = earliest.loc[code]
        assert (None if pd.isna(got["due_date"]) else got["due_date"].date()) == due
        assert (None if pd.isna(got["next_step"]) else got["next_step"]) == step


def test_the_window_edges_to_the_day():
    days = {
        "330781100001": -1,  # overdue by one day
        "330781100002": 0,  # due today
        "330781100003": 7,  # exactly seven days ahead: due
        "330781100004": 8,  # eight days: not yet
        "330781100005": -30,  # long overdue
    }
    rows = [
        ["2026-06-01", code, None, "电话", "", None, "回访", (AS_OF + dt.timedelta(d)).isoformat(), "否"]
        for code, d in days.items()
    ]
    rows.append(["2026-06-01", "330781100006", None, "电话", "", None, "回访", "2026-06-21", "是"])  # done
    window = follow_up_window(log_of(rows).visits, AS_OF)
    assert dict(zip(window["customer_code"], window["status"])) == {
        "330781100005": OVERDUE,
        "330781100001": OVERDUE,
        "330781100002": DUE,
        "330781100003": DUE,
    }
    assert list(window["customer_code"]) == ["330781100005", "330781100001", "330781100002", "330781100003"]


def test_ties_by_code_then_log_order():
    rows = [
        ["2026-06-01", "330781100002", None, "走访", "a", None, "第一件", "2026-06-24", "否"],
        ["2026-06-02", "330781100001", None, "走访", "b", None, "第二件", "2026-06-24", "否"],
        ["2026-06-03", "330781100002", None, "走访", "c", None, "第三件", "2026-06-24", "否"],
    ]
    result, _ = reviewed()
    export = follow_up_export(review_visits(log_of(rows), result, AS_OF))
    assert export.values.tolist() == [
        ["330781100001", "2026-06-24", "第二件", "due"],
        ["330781100002", "2026-06-24", "第一件", "due"],
        ["330781100002", "2026-06-24", "第三件", "due"],
    ]


def test_the_sheet_lists_overdue_first_then_by_visit_weekday():
    # SMALL_QUARTER: 一线 and 六线 on 星期一, 二线 on 星期二
    rows = [
        ["2026-06-01", "330781100005", None, "走访", "a", None, "二线的", "2026-06-23", "否"],  # 星期二, due
        ["2026-06-01", "330781100004", None, "走访", "b", None, "六线的", "2026-06-28", "否"],  # 星期一, due
        ["2026-06-01", "330781100006", None, "走访", "c", None, "二线逾期", "2026-06-01", "否"],  # 星期二
        ["2026-06-01", OFF_ROUTE, None, "走访", "d", None, "不在线路", "2026-06-10", "否"],  # no weekday
        ["2026-06-01", "330781100001", None, "走访", "e", None, "一线逾期", "2026-06-20", "否"],  # 星期一
    ]
    result, _ = reviewed()
    window = review_visits(log_of(rows), result, AS_OF).follow_ups
    assert list(window["next_step"]) == ["一线逾期", "二线逾期", "不在线路", "六线的", "二线的"]
    assert list(window["name"])[:2] == ["甲店", "己店"]  # the route sheet's name


def test_every_problem_of_a_hand_kept_log_at_its_cell():
    rows = [
        [
            "2026-06-01",
            "330781100001",
            "甲店",
            "走访",
            "推荐新品",
            None,
            "送价目表",
            None,
            "否",
        ],  # 2: no date
        ["6月3日", "330781100002", "乙店", "电话", None, None, None, None, None],  # 3: no year
        ["明天", "330781100003", "丙店", "飞鸽传书", None, None, None, None, "完成了"],  # 4
        [None, "330781100004", "丁店", "微信", "问货", None, None, None, None],  # 5: no visit date
        ["2026-06-05", OFF_ROUTE, "某店", "走访", None, None, None, "2026-06-25", None],  # 6
        ["2026-06-05", None, "无码店", "走访", "x", None, None, None, None],  # 7: no code
        ["2026-06-10", "330781100005", "戊店", "走访", "y", None, "再谈", "2026-06-01", "否"],  # 8
        ["2026-09-10", "330781100006", "己店", "走访", "z", None, None, "下周", None],  # 9
        [
            "2026-06-10",
            "330781100005",
            "戊店",
            "走访",
            "y",
            None,
            "再谈",
            "2026-06-01",
            "是",
        ],  # 10: row 8 again
    ]
    result, _ = reviewed()
    review = review_visits(log_of(rows), result, AS_OF)
    at = "拜访.xlsx › 拜访记录 › "
    assert set(zip(review.issues["kind"], review.issues["source"])) == {
        ("follow_up_no_date", at + "H2"),
        ("visit_bad_date", at + "A3"),
        ("visit_bad_date", at + "A4"),
        ("visit_bad_method", at + "D4"),
        ("visit_bad_done", at + "I4"),
        ("visit_no_date", at + "A5"),
        ("visit_not_on_route", at + "B6"),
        ("follow_up_no_step", at + "G6"),
        ("missing_code", at + "B7"),
        ("visit_duplicate", at + "B8"),
        ("visit_future_date", at + "A9"),
        ("visit_bad_date", at + "H9"),
    }
    details = dict(zip(review.issues["source"], review.issues["detail"]))
    assert "没有年份" in details[at + "A3"] and "“明天”不是日期" in details[at + "A4"]
    assert "按第10行计" in details[at + "B8"] and "送价目表" in details[at + "H2"]
    # nothing vanished: every coded row is a visit, the repeated one once (its later row)
    assert sorted(review.visits["excel_row"]) == [2, 3, 4, 5, 6, 9, 10]
    assert bool(review.visits.set_index("excel_row").loc[10, "done"])
    # the build's issue list gets them all
    combined = with_visit_issues(result, review).issues
    assert len(combined) == len(result.issues) + len(review.issues)


def test_the_header_found_and_mapped_as_for_the_other_inputs():
    head = [
        "拜访时间",
        "备注",
        "客户编码",
        "沟通方式",
        "拜访内容",
        "需求",
        "跟进事项",
        "下次跟进日期",
        "是否完成",
    ]
    sheets = raw_sheets(
        "张三的拜访.xlsx",
        {
            "说明": [["本表记录拜访"]],
            "Sheet1": [
                ["客户拜访记录表"],
                ["客户经理：张三"],
                head,
                [
                    "2026-06-02",
                    "",
                    "'330781100001",
                    "打电话",
                    "谈陈列",
                    "要海报",
                    "送海报",
                    "2026-06-24",
                    "否",
                ],
                ["合计", "", "", "", "", "", "", "", ""],
            ],
        },
    )
    log = visit_log(sheets)
    (visit,) = log.visits.to_dict("records")
    assert visit["customer_code"] == "330781100001" and visit["method"] == "电话"
    assert (visit["content"], visit["need"], visit["next_step"]) == ("谈陈列", "要海报", "送海报")
    assert visit["follow_up_date"] == pd.Timestamp("2026-06-24") and not visit["done"]
    assert list(log.visits.columns) == VISIT_RECORD
    assert set(log.issues["kind"]) == {"ignored_sheet", "total_row"}


def test_a_log_without_the_date_column_is_refused_in_words():
    with pytest.raises(XlcrmError) as caught:
        log_of([["330781100001", "甲店"]], head=["客户代码", "客户名称"])
    assert "找不到日期列" in str(caught.value) and "拜访.xlsx" in str(caught.value)


def test_a_log_not_started_yet_is_no_visits():
    log = log_of([["", "", "", "", "", "", "", "", ""]])
    assert log.visits.empty and log.issues.empty and list(log.visits.columns) == VISIT_RECORD
    result, _ = reviewed()
    review = review_visits(log, result, AS_OF)
    assert review.follow_ups.empty and review.coverage["visited"].sum() == 0


def test_the_log_sheet_of_a_workbook_that_holds_routes_too():
    sheets = raw_sheets(
        "客户管理.xlsm",
        {
            "一线": [["客户代码", "客户名称"], ["330781100001", "甲店"]],
            "拜访记录": [HEAD, ["2026-06-01", "330781100001", "甲店", "走访", "", "", "", "", ""]],
        },
    )
    assert [s.sheet for s in log_sheets(sheets)] == ["拜访记录"]
    log = visit_log(sheets)
    assert len(log.visits) == 1 and log.issues.empty


def test_visits_per_route_in_the_quarter_up_to_the_as_of_date():
    result, _ = reviewed()
    rows = [
        ["2026-04-01", "330781100001", None, "走访", "a", None, None, None, None],  # first day
        ["2026-03-31", "330781100002", None, "走访", "b", None, None, None, None],  # last quarter
        ["2026-06-22", "330781100005", None, "走访", "c", None, None, None, None],  # the as-of day
        ["2026-06-23", "330781100006", None, "走访", "d", None, None, None, None],  # after it
        ["2026-05-05", "330781100001", None, "电话", "e", None, None, None, None],  # 001 again
    ]
    period = quarter_period(AS_OF)
    assert period == (dt.date(2026, 4, 1), AS_OF)
    coverage = visited_per_route(log_of(rows).visits, result.customers, period, result.sheet_batches)
    assert coverage.values.tolist() == [
        ["一线", "星期一", 4, 1, 3],
        ["六线", "星期一", 1, 0, 1],
        ["二线", "星期二", 2, 1, 1],
    ]
    # the report's quarter wins over the as-of date's
    assert quarter_period(dt.date(2026, 10, 3), Quarter(2026, 3)) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 9, 30),
    )


def test_one_visit_however_it_is_written_and_masked_for_the_store():
    rows = [
        [
            "2026-06-01",
            "330781100001",
            "甲店",
            "走访",
            "推荐 新品，电话13812345678",
            None,
            "送价目表",
            "2026-06-24",
            "否",
        ],
        [
            "2026/6/1",
            "330781100001",
            "甲店",
            "走访",
            "推荐　新品，电话１３８１２３４５６７８",
            None,
            None,
            None,
            "是",
        ],
    ]
    log = log_of(rows)
    assert len(log.visits) == 1 and bool(log.visits["done"].iloc[0])  # the later row is the update
    stored = stored_visits(log.visits)
    assert stored["content"].iloc[0] == "推荐　新品，电话138****5678"  # the later row, as written
    assert "13812345678" not in stored.to_csv()
    # the key of the masked visit is the key it is stored under, whatever is marked done since
    again = log_of([rows[0]]).visits
    assert stored_visits(again)["visit_key"].iloc[0] == stored["visit_key"].iloc[0]
    assert visit_keys(again).iloc[0] == stored["visit_key"].iloc[0]  # keyed by the masked text


def test_the_cards_five_latest_visits_latest_first():
    days = [3, 20, 1, 15, 9, 28, 11]  # June; the five latest: 28, 20, 15, 11, 9
    rows = [
        [f"2026-06-{d:02d}", "330781100001", None, "走访", f"第{d}日", None, None, None, None] for d in days
    ]
    rows += [["2026-06-02", "330781100002", None, "电话", "乙", None, None, None, None]]
    rows += [[None, "330781100002", None, "电话", "无日期", None, None, None, None]]
    shown = last_visits(log_of(rows).visits)
    assert list(shown.loc[shown["customer_code"] == "330781100001", "content"]) == [
        "第28日",
        "第20日",
        "第15日",
        "第11日",
        "第9日",
    ]
    assert list(shown.loc[shown["customer_code"] == "330781100002", "content"]) == ["乙", "无日期"]
