"""Which sheets of a route workbook are routes, and what a sheet of customers holds that is not
a customer (issue 13), on sheets built in memory."""

from __future__ import annotations

import pytest

from support import ROUTE_HEAD, SMALL_QUARTER, raw_sheets
from xlcrm.core.errors import XlcrmError
from xlcrm.core.inputs import GRADES, PURCHASES, load_table, routes_from_sheets
from xlcrm.core.model import HIDDEN, VERY_HIDDEN
from xlcrm.core.route_sheets import (
    BLANK,
    DISTRICT,
    LISTED,
    NO_CODE,
    OUTPUT,
    ROUTE,
    SUMMARY,
    VISIT_LOG,
    Outputs,
    judge_sheets,
    manager_part,
    names_a_route,
)

ROUTES = SMALL_QUARTER["routes"]
GRADE_ROWS = SMALL_QUARTER["grades"]["Sheet1"]
ADDED = ("上季等级", "本季等级", "变动")
OUTPUTS = Outputs(titles=("数据问题", "客户等级季度汇总"), added=ADDED)


def sheets(**named):
    return raw_sheets("线路表.xlsx", named)


def kinds(outputs: Outputs = OUTPUTS, **named) -> dict[str, str]:
    verdicts = judge_sheets(sheets(**named), ("code", "route", "previous_grade", "grade"), outputs=outputs)
    return {v.sheet.sheet: v.kind for v in verdicts}


@pytest.mark.parametrize(
    "name, is_route",
    [
        ("一线", True),
        ("11线", True),
        ("线路3", True),
        ("城区线", True),
        ("一线（周一）", True),
        ("周三线", True),
        ("东片线路", True),
        ("线路汇总", False),
        ("等级表", False),
        ("一线等级", False),
        ("Sheet1", False),
        ("数据问题", False),
    ],
)
def test_what_names_a_route(name, is_route):
    assert names_a_route(name) is is_route


def test_each_kind_of_sheet_that_is_not_a_route():
    found = kinds(
        一线=ROUTES["一线"],
        空=[],
        说明=[["本表每季度更新"]],
        汇总=[["客户代码", "线路"], ["330781100001", "一线"]],
        等级表=GRADE_ROWS,
        购进=[["客户代码", "购进量", "购进额"], ["330781100001", 1, 2]],
        旧问题=[
            ["数据问题　2026年第三季度"],
            ["问题", "客户代码", "位置", "说明"],
            ["x", "330781100099", "", ""],
        ],
        名单=[["客户代码"], ["330781100002"]],
        Sheet1=[["客户代码"], ["330781100077"]],
        # the manager's visit log kept in the route workbook, with a customer on no route
        拜访=[["日期", "客户代码", "方式", "下一步"], ["2026-06-01", "330781100088", "走访", "回访"]],
        # a route list with a 拜访记录 column for notes is still a route
        城东=[["客户代码", "拜访日期", "拜访记录"], ["330781100066", "", "老客户"]],
    )
    assert found == {
        "一线": ROUTE,
        "空": BLANK,
        "说明": NO_CODE,
        "汇总": SUMMARY,
        "等级表": DISTRICT,
        "购进": DISTRICT,
        "旧问题": OUTPUT,
        "名单": LISTED,  # its one customer is on 一线
        "Sheet1": ROUTE,  # a customer on no named route: a route of its own
        "拜访": VISIT_LOG,
        "城东": ROUTE,
    }


def test_a_sheet_named_as_a_route_is_one_whatever_else_it_holds():
    # a manager who keeps last quarter's grade and the 业态 on the route sheet
    assert kinds(六线=GRADE_ROWS) == {"六线": ROUTE}
    # rows that name their route: a route table, even with grades beside
    table = [["客户代码", "线路", "业态", "客户等级"], ["330781100001", "一线", "超市", "CS1"]]
    assert kinds(全部=table) == {"全部": ROUTE}


def test_the_report_titles_are_known_only_when_told():
    report = [["数据问题　2026年第三季度"], ["问题", "客户代码"], ["x", "330781100099"]]
    assert kinds(报告=report) == {"报告": OUTPUT}
    assert kinds(报告=report, outputs=Outputs()) == {"报告": ROUTE}


def test_xlcrms_added_columns_are_not_the_managers():
    (sheet,) = sheets(
        一线=[["序号", "客户代码", *ADDED, "备注"], [1, "330781100001", "CS2", "CS1", "CS1↑", "x"]]
    )
    mine, start = manager_part(sheet, ADDED)
    assert start == 2 and mine.cells.shape[1] == 2 and list(mine.cells.loc[1]) == ["序号", "客户代码"]
    assert manager_part(sheet, ("别的",)) == (sheet, None)


def test_hidden_routes_are_read_and_said():
    visible, hidden, very = sheets(一线=ROUTES["一线"], 六线=ROUTES["六线"], 二线=ROUTES["二线"])
    book = routes_from_sheets(
        [visible, type(hidden)(hidden.file, hidden.sheet, hidden.cells, hidden=HIDDEN), very]
        + [type(very)(very.file, "七线", very.cells.iloc[:3], hidden=VERY_HIDDEN)]
    )
    assert sorted(book.customers["route"].unique()) == ["一线", "二线", "六线"]
    said = book.issues[book.issues["kind"] == "hidden_sheet"]
    assert list(said["source"]) == ["线路表.xlsx › 六线", "线路表.xlsx › 七线"]
    assert "深度隐藏" in said["detail"].iloc[1]


def test_no_route_at_all_is_said_by_the_sheet_that_explains_it():
    with pytest.raises(XlcrmError, match="工作表“Sheet1”有 客户等级、业态、市场类型 列，看起来是客户等级表"):
        routes_from_sheets(
            sheets(
                Sheet1=[
                    ["客户代码", "客户名称", "业态", "市场类型", "客户等级"],
                    ["1", "甲", "超市", "城镇", "CS1"],
                ]
            )
        )
    with pytest.raises(XlcrmError, match="工作表“汇总”：工作表名称含“汇总”"):
        routes_from_sheets(sheets(汇总=[["客户代码"], ["330781100001"]]))
    with pytest.raises(XlcrmError, match="没有任何一张工作表有客户代码列"):
        routes_from_sheets(sheets(一线=[["序号", "客户名称"], [1, "甲店"]], 空=[]))


def test_rows_that_repeat_the_header_a_title_or_a_page_number_are_not_customers():
    rows = ROUTE_HEAD + [[1, "330781100001", "甲店", "王", None], ["第 1 页"], *ROUTE_HEAD]
    rows += [[2, "", "无代码新店", "李", None], ["- 2 -"], ["序号", "客户编号", "客户名称"]]
    book = routes_from_sheets(sheets(一线=rows))
    assert book.customers["excel_row"].tolist() == [4, 9]  # the new shop without a code is kept
    skipped = book.issues[book.issues["kind"] == "repeated_header"]
    assert skipped["source"].str.split(" › ").str[-1].tolist() == [
        "第5行",
        "第6行",
        "第7行",
        "第8行",
        "第10行",
        "第11行",
    ]
    assert list(book.issues.loc[book.issues["kind"] == "missing_code", "source"]) == [
        "线路表.xlsx › 一线 › B9"
    ]


def test_a_table_over_sheets_of_one_layout_is_one_table():
    head, *rows = GRADE_ROWS[:-1]
    parts = raw_sheets(
        "等级.xlsx",
        {
            "说明": [["按片区分表"]],
            "城区": [head] + rows[:4],
            "乡村": [head] + rows[4:],
            "变动": [["客户代码", "本季等级"], ["330781100001", "CS1"]],
            "续": rows[:2],
            "空": [],
        },
    )
    table = load_table(parts, GRADES)
    assert table.rows["customer_code"].tolist() == [r[0] for r in rows]
    assert table.where == "等级.xlsx › 城区"
    reasons = dict(zip(table.issues["source"], table.issues["detail"]))
    assert set(reasons) == {f"等级.xlsx › {n}" for n in ("说明", "变动", "续", "空")}
    assert "找不到客户代码列" in reasons["等级.xlsx › 说明"]
    assert "表头与工作表“城区”的不同" in reasons["等级.xlsx › 变动"]
    assert "像是工作表“城区”的续页" in reasons["等级.xlsx › 续"]
    assert "工作表是空的" in reasons["等级.xlsx › 空"]


def test_a_tables_quarter_comes_from_its_file_name_or_its_title():
    rows = [["客户代码", "购进量", "购进额"], ["330781100001", 1, 2]]
    assert load_table(raw_sheets("2026年三季度购进.xlsx", {"S": rows}), PURCHASES).quarter == "2026年第三季度"
    titled = raw_sheets("购进.xlsx", {"S": [["2026 Q2 客户购进量"]] + rows})
    assert load_table(titled, PURCHASES).quarter == "2026年第二季度"
    assert load_table(raw_sheets("购进.xlsx", {"S": rows}), PURCHASES).quarter is None
