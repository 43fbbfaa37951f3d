"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import write_xlsx


ROUTE_HEAD = [["零售客户拜访线路表"], ["客户经理：张三"], ["序号", "客户代码", "客户名称", "负责人", "备注"]]


@pytest.fixture
def small_inputs(tmp_path: Path) -> dict[str, Path]:
    """A hand-checkable quarter: two routes on 星期一 (一线, 六线) and one on 星期二 (二线).

    route customer  current  previous  change   volume  amount
    …001 一线       CS1      CS2       up       1200    180000.5
    …002 一线       CZ2      CZ2       same     300     45000
    …003 一线       CZ3      CZ2       down     (none)
    …009 一线       (none)   -         missing  (none)
    …004 六线       XB2      XB2       same     (abc)   100
    …005 二线       CS2      (none)    new      50      7000
    …006 二线       CS1      CS1       same     900     150000
    district only: …007 CS3 (12, 1800), …008 CS1 (800, 120000)
    """
    routes = write_xlsx(tmp_path / "routes.xlsx", {
        "一线": ROUTE_HEAD + [[1, "330781100001", "甲店", "王", "老客户"],
                              [2, " 330781100002", "乙店", "李", None],
                              [3, "'330781100003", "丙店", "赵", None],
                              [4, "330781100009", "新店", "钱", None]],
        "六线": ROUTE_HEAD + [[1, 330781100004, "丁店", "孙", None]],
        "二线": ROUTE_HEAD + [[1, "３３０７８１１００００５", "戊店", "周", None],
                              [2, "330781100006", "己店", "吴", "电话 13800001111"]],
    })
    grades = write_xlsx(tmp_path / "grades.xlsx", {"Sheet1": [
        ["客户代码", "客户名称", "业态", "市场类型", "客户等级"],
        ["330781100001", "甲店", "超市", "城镇", "CS1"],
        ["330781100002", "乙店", "食杂店", "城镇", "CZ2"],
        ["330781100003", "丙店", "食杂店", "城镇", "CZ3"],
        ["330781100004", "丁店", "便利店", "乡村", "XB2"],
        ["330781100005", "戊店", "超市", "城镇", "CS2"],
        ["330781100006", "己店", "超市", "城镇", "cs1"],
        ["330781100007", "庚店", "超市", "城镇", "CS3"],
        ["330781100008", "辛店", "超市", "城镇", "CS1"],
        ["合计", None, None, None, None],
    ]})
    purchases = write_xlsx(tmp_path / "purchases.xlsx", {"Sheet1": [
        ["客户购进量与购进额"], [],
        ["客户编码", "客户名称", "购进量（条）", "购进额（元）"],
        ["330781100001", "甲店", "1,200", "180,000.50"],
        ["330781100002", "乙店", " 300 ", "45000"],
        ["330781100004", "丁店", "abc", "100"],
        ["330781100005", "戊店", "５０", "7000"],
        ["330781100006", "己店", 900, 150000],
        ["330781100007", "庚店", "12", "1800"],
        ["330781100008", "辛店", "800", "120000"],
        ["3.30781E+11", "某店", "1", "1"],
        ["合计", "", "3262", "503901.5"],
    ]})
    previous = write_xlsx(tmp_path / "previous.xlsx", {"Sheet1": [
        ["客户代码", "客户等级"],
        ["330781100001", "CS2"], ["330781100002", "CZ2"], ["330781100003", "CZ2"],
        ["330781100004", "XB2"], ["330781100006", "CS1"],
    ]})
    return {"routes": routes, "grades": grades, "purchases": purchases, "previous": previous}
