"""Shared test helpers: inputs as exports hold them, in memory (RawSheet) or written to files.

Tests import this module (`import support` / `from support import …`) instead of each other.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from xlcrm.core.inputs import GRADES, PREVIOUS_GRADES, PURCHASES, load_table, routes_from_sheets
from xlcrm.core.model import RawSheet
from xlcrm.core.quarter import ReviewSettings, review_quarter

ROUTE_HEAD = [["零售客户拜访线路表"], ["客户经理：张三"], ["序号", "客户代码", "客户名称", "负责人", "备注"]]

# A hand-checkable quarter: two routes on 星期一 (一线, 六线) and one on 星期二 (二线).
#
# route customer  current  previous  change   volume  amount
# …001 一线       CS1      CS2       up       1200    180000.5
# …002 一线       CZ2      CZ2       same     300     45000
# …003 一线       CZ3      CZ2       down     (none)
# …009 一线       (none)   -         missing  (none)
# …004 六线       XB2      XB2       same     (abc)   100
# …005 二线       CS2      (none)    new      50      7000
# …006 二线       CS1      CS1       same     900     150000
# district only: …007 CS3 (12, 1800), …008 CS1 (800, 120000)
SMALL_QUARTER = {
    "routes": {
        "一线": ROUTE_HEAD
        + [
            [1, "330781100001", "甲店", "王", "老客户"],
            [2, " 330781100002", "乙店", "李", None],
            [3, "'330781100003", "丙店", "赵", None],
            [4, "330781100009", "新店", "钱", None],
        ],
        "六线": ROUTE_HEAD + [[1, 330781100004, "丁店", "孙", None]],
        "二线": ROUTE_HEAD
        + [
            [1, "３３０７８１１００００５", "戊店", "周", None],
            [2, "330781100006", "己店", "吴", "电话 13800001111"],
        ],
    },
    "grades": {
        "Sheet1": [
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
        ]
    },
    "purchases": {
        "Sheet1": [
            ["客户购进量与购进额"],
            [],
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
        ]
    },
    "previous": {
        "Sheet1": [
            ["客户代码", "客户等级"],
            ["330781100001", "CS2"],
            ["330781100002", "CZ2"],
            ["330781100003", "CZ2"],
            ["330781100004", "XB2"],
            ["330781100006", "CS1"],
        ]
    },
}


def write_xlsx(
    path: Path,
    sheets: dict[str, list[list]],
    *,
    hidden: dict[str, str] | None = None,
    merge: dict[str, str] | None = None,
) -> Path:
    """A small workbook as exports write it (openpyxl; text stays text), or as a manager keeps
    it: `hidden` sheet states ('hidden', 'veryHidden') and `merge`d ranges ('A1:E1') by sheet."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # as exports store text; openpyxl would take '=…' for a formula
        if merge and merge.get(name):
            sheet.merge_cells(merge[name])
        sheet.sheet_state = (hidden or {}).get(name, "visible")
    book.save(path)
    return path


def raw_sheets(file_name: str, sheets: dict[str, list[list]]) -> list[RawSheet]:
    """The same sheets in memory, as a reader hands them to the core: cells by position, rows
    numbered as in Excel, blank cells ''."""
    out = []
    for name, rows in sheets.items():
        width = max((len(r) for r in rows), default=0)
        frame = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows], dtype=object)
        frame = frame.where(frame.notna(), "")
        frame.index = pd.RangeIndex(1, len(rows) + 1)
        frame.columns = range(width)
        out.append(RawSheet(Path(file_name), name, frame))
    return out


def tiered_quarter(
    grades_now: list, grades_before: list, segments: list[str]
) -> dict[str, dict[str, list[list]]]:
    """A quarter of one route whose customers hold the given grades now and before, in the
    given 业态 (for the 30- and 15-tier schemes and custom orders); volumes 10, 20 …"""
    codes = [f"33078110{i:04d}" for i in range(len(grades_now))]
    return {
        "routes": {"一线": [["客户代码"]] + [[c] for c in codes]},
        "grades": {
            "S": [["客户代码", "业态", "档位"]] + [[c, s, g] for c, s, g in zip(codes, segments, grades_now)]
        },
        "previous": {"S": [["客户代码", "档位"]] + [[c, g] for c, g in zip(codes, grades_before)]},
        "purchases": {
            "S": [["客户代码", "购进量", "购进额"]]
            + [[c, 10 * (i + 1), 100 * (i + 1)] for i, c in enumerate(codes)]
        },
    }


def small_quarter(quarter: dict | None = None) -> dict[str, list[RawSheet]]:
    """A quarter's inputs in memory (SMALL_QUARTER unless given), named as the files would be."""
    return {role: raw_sheets(f"{role}.xlsx", sheets) for role, sheets in (quarter or SMALL_QUARTER).items()}


def reviewed(
    quarter: dict | None = None, *, previous: bool = True, settings: ReviewSettings = ReviewSettings()
):
    """A quarter (SMALL_QUARTER unless given) loaded and reviewed in memory: (result, route book)."""
    q = small_quarter(quarter)
    routes = routes_from_sheets(q["routes"])
    result = review_quarter(
        routes,
        load_table(q["grades"], GRADES),
        load_table(q["purchases"], PURCHASES),
        load_table(q["previous"], PREVIOUS_GRADES) if previous and "previous" in q else None,
        settings,
    )
    return result, routes


def write_quarter(folder: Path, quarter: dict | None = None) -> dict[str, Path]:
    """A quarter's inputs (SMALL_QUARTER unless given) as .xlsx files: routes.xlsx, grades.xlsx …"""
    return {
        role: write_xlsx(Path(folder) / f"{role}.xlsx", sheets)
        for role, sheets in (quarter or SMALL_QUARTER).items()
    }


def input_args(files, *, previous: bool = True) -> list[str]:
    """`--routes … --grades … --purchases … [--previous-grades …]` for the files of a quarter:
    a dict keyed like small_inputs, or demo.sample's SampleFiles."""
    get = files.__getitem__ if isinstance(files, dict) else lambda key: getattr(files, key)
    argv = [
        "--routes",
        str(get("routes")),
        "--grades",
        str(get("grades")),
        "--purchases",
        str(get("purchases")),
    ]
    if previous:
        argv += ["--previous-grades", str(get("previous" if isinstance(files, dict) else "previous_grades"))]
    return argv


def needs(tool: str) -> str:
    """The path of a command-line tool; a test without it is skipped locally and fails in CI."""
    found = shutil.which(tool) or (shutil.which("libreoffice") if tool == "soffice" else None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is required in CI (scripts/setup.sh installs it)")
        pytest.skip(f"{tool} is not installed")
    return found
