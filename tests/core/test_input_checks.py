"""Whether the district tables are the right ones: their quarters (from file names or titles)
fit together, and last quarter's grades are not this quarter's again."""

from __future__ import annotations

import pytest

from support import raw_sheets
from xlcrm.core.input_checks import input_mismatches
from xlcrm.core.inputs import GRADES, PREVIOUS_GRADES, PURCHASES, load_table

CODES = [f"3307811000{i:02d}" for i in range(12)]


def grades(file: str, title: str | None = None, grade: str = "CS1", spec=GRADES):
    rows = [["客户代码", "客户等级"]] + [[c, grade] for c in CODES]
    return load_table(raw_sheets(file, {"S": ([[title]] if title else []) + rows}), spec)


def purchases(file: str):
    return load_table(
        raw_sheets(file, {"S": [["客户代码", "购进量", "购进额"], [CODES[0], 1, 2]]}), PURCHASES
    )


def said(*tables) -> list[tuple[str, str]]:
    found = input_mismatches(*tables)
    assert set(found["kind"]) <= {"input_mismatch"}
    return list(zip(found["source"], found["detail"]))


def test_tables_of_the_right_quarters_say_nothing():
    assert (
        said(
            grades("2026年三季度客户等级表.xlsx"),
            purchases("2026年三季度购进.csv"),
            grades("2026年二季度客户等级表.xls", grade="CS2", spec=PREVIOUS_GRADES),
        )
        == []
    )
    # the quarter before the first is the fourth of the year before
    assert said(grades("2027Q1等级.xlsx"), purchases("购进.csv"), grades("2026Q4.xlsx", grade="CS2")) == []


def test_files_naming_no_quarter_are_not_compared():
    assert said(grades("等级.xlsx"), purchases("2025年一季度购进.csv"), None) == []


def test_swapped_grade_tables():
    ((where, detail),) = said(
        grades("2026年三季度客户等级表.xlsx"),
        purchases("购进.csv"),
        grades("上季.xlsx", title="2026年第四季度客户等级", grade="CS2", spec=PREVIOUS_GRADES),
    )
    assert where == "上季.xlsx › S"
    assert detail.startswith(
        "上季等级表是2026年第四季度的，不早于本季等级表（2026年第三季度）：两张等级表可能选反了"
    )


@pytest.mark.parametrize("previous, words", [("2026年一季度.xlsx", "不是本季（2026年第三季度）的上一季度")])
def test_a_previous_table_from_further_back(previous, words):
    ((_, detail),) = said(grades("2026年三季度.xlsx"), purchases("购进.csv"), grades(previous, grade="CS2"))
    assert words in detail


def test_purchases_of_another_quarter():
    ((where, detail),) = said(grades("2026年三季度.xlsx"), purchases("2026年二季度购进.csv"), None)
    assert where == "2026年二季度购进.csv › S"
    assert "购进表是2026年第二季度的，本季等级表是2026年第三季度的" in detail


def test_the_same_grades_twice():
    ((where, detail),) = said(
        grades("本季.xlsx"), purchases("购进.csv"), grades("上季.xlsx", spec=PREVIOUS_GRADES)
    )
    assert where == "上季.xlsx › S" and "等级完全相同（12 户）" in detail
    short = load_table(
        raw_sheets("上季.xlsx", {"S": [["客户代码", "客户等级"], [CODES[0], "CS1"]]}), PREVIOUS_GRADES
    )
    assert said(grades("本季.xlsx"), purchases("购进.csv"), short) == []  # a different table
