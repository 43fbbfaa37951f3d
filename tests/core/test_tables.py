"""The summary tables of 汇总 by hand, on support.SMALL_QUARTER."""

from support import reviewed
from xlcrm.core.grades import CODE2008, TIERS15, TIERS30
from xlcrm.core.tables import batch_summary, grade_distribution


def test_batch_summary_by_hand():
    result, _ = reviewed()
    table = batch_summary(result.customers, result.batches)
    assert table.columns.tolist() == ["batch", "routes", "customers", "up", "same", "down", "new", "missing"]
    assert table.values.tolist() == [
        ["星期一", "一线、六线", 5, 1, 2, 1, 0, 1],
        ["星期二", "二线", 2, 0, 1, 0, 1, 0],
        ["星期三", "", 0, 0, 0, 0, 0, 0],
        ["星期四", "", 0, 0, 0, 0, 0, 0],
        ["星期五", "", 0, 0, 0, 0, 0, 0],
        ["合计", "", 7, 1, 3, 1, 1, 1],
    ]


def test_grade_distribution_by_hand():
    table = grade_distribution(reviewed()[0].customers, CODE2008)
    assert table.columns.tolist() == ["segment", "大（1）", "中（2）", "小（3）", "合计"]
    assert table.values.tolist() == [
        ["CZ", 0, 1, 1, 2],
        ["CS", 2, 1, 0, 3],
        ["XB", 0, 1, 0, 1],
        ["合计", 2, 3, 1, 6],
    ]


def test_tiers_are_grades_outside_the_2008_code():
    assert [TIERS30.tier(g) for g in ("30", "1")] == ["30", "1"]
    assert TIERS15.tier("A1") == "A1" and CODE2008.tier("XB3") == "小（3）" and CODE2008.tier("??") == "??"
