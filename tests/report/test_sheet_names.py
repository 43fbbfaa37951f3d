"""Output sheet names Excel accepts, never clashing with the report sheets or each other."""

from __future__ import annotations

from support import raw_sheets, small_quarter
from xlcrm.core.inputs import GRADES, PURCHASES, load_table, routes_from_sheets, split_by_manager
from xlcrm.core.quarter import review_quarter
from xlcrm.report.visit_workbook import sheet_names, workbook_sheets


def test_names_are_made_valid_and_unique_as_excel_compares_them():
    taken = ["汇总", "数据问题"]
    assert sheet_names(["汇总", "一线", "一线", "ab", "AB", "a/b:c", "'引号'", "", "history"], taken) == [
        "汇总（2）",
        "一线",
        "一线（2）",
        "ab",
        "AB（2）",
        "a_b_c",
        "引号",
        "线路",
        "history（2）",
    ]
    long = ["长" * 40, "长" * 40]
    assert sheet_names(long) == ["长" * 31, "长" * 28 + "（2）"]


def test_routes_named_like_report_sheets_keep_sheets_of_their_own():
    """Routes cut from a department's table are routes whatever their 线路 says."""
    table = [
        ["客户经理", "线路", "客户代码"],
        ["张三", "数据问题", "330781100001"],
        ["张三", "汇总", "330781100002"],
        ["张三", "重点关注", "330781100003"],
    ]
    (sheet,) = raw_sheets("线路总表.xlsx", {"全部": table})
    routes = routes_from_sheets(split_by_manager(sheet, "客户经理")["张三"])
    q = small_quarter()
    result = review_quarter(routes, load_table(q["grades"], GRADES), load_table(q["purchases"], PURCHASES))
    names = [s.name for s in workbook_sheets(result, routes)]
    assert names == [
        "汇总",
        "重点关注",
        "数据问题（2）",
        "汇总（2）",
        "重点关注（2）",
        "零售客户季度等级变动统计表",
        "客户季度等级最低标准表",
        "数据问题",
    ]
