"""The workbook described once: titles, the overview's tables, the report tables' layout
(on the hand-checked quarter of conftest.small_inputs)."""

import pandas as pd
import pytest

from test_review import run
from xlcrm.grades import CODE2008, TIERS15, TIERS30
from xlcrm.io.inputs import load_routes
from xlcrm.io.layout import chart_colors, number_format
from xlcrm.sheets import workbook_sheets
from xlcrm.tables import batch_summary, grade_distribution
from xlcrm.titles import Labels, manager_named, quarter_label, report_title, route_title


@pytest.mark.parametrize("text, label", [
    ("2026年三季度客户等级表", "2026年第三季度"),
    ("2026年第3季度", "2026年第三季度"),
    ("２０２６年第四季度购进", "2026年第四季度"),
    ("grades 2025 Q1", "2025年第一季度"),
    ("2025-q2-export", "2025年第二季度"),
    ("客户等级表", None),
    ("2026年度汇总", None),
])
def test_quarter_from_file_names_and_titles(text, label):
    assert quarter_label(text) == label


def test_first_text_naming_a_quarter_wins():
    assert quarter_label(None, "等级表", "2026年二季度", "2026年三季度") == "2026年第二季度"


@pytest.mark.parametrize("lines, name", [
    (["零售客户拜访线路表", "客户经理：张三    线路：一线"], "张三"),
    (["客户经理:李四"], "李四"),
    (["客户经理：王五线路：二线"], "王五"),
    (["零售客户拜访线路表"], None),
])
def test_manager_from_the_lines_above_a_route_header(lines, name):
    assert manager_named(lines) == name


def test_titles_leave_out_what_is_unknown():
    assert route_title("一线", "星期一", Labels("2026年第三季度", "张三")) == "一线（星期一）客户拜访表　2026年第三季度　客户经理：张三"
    assert route_title("城区线", "未分批次", Labels()) == "城区线（未分批次）客户拜访表"
    assert report_title("数据问题", Labels(manager="张三")) == "数据问题　客户经理：张三"


def test_batch_summary_by_hand(small_inputs):
    result = run(small_inputs)
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


def test_grade_distribution_by_hand(small_inputs):
    table = grade_distribution(run(small_inputs).customers, CODE2008)
    assert table.columns.tolist() == ["segment", "大（1）", "中（2）", "小（3）", "合计"]
    assert table.values.tolist() == [["CZ", 0, 1, 1, 2], ["CS", 2, 1, 0, 3], ["XB", 0, 1, 0, 1], ["合计", 2, 3, 1, 6]]


def test_tiers_are_grades_outside_the_2008_code():
    assert [TIERS30.tier(g) for g in ("30", "1")] == ["30", "1"]
    assert TIERS15.tier("A1") == "A1" and CODE2008.tier("XB3") == "小（3）" and CODE2008.tier("??") == "??"


def test_workbook_sheets_in_order_with_titles(small_inputs):
    result = run(small_inputs)
    sheets = workbook_sheets(result, load_routes(small_inputs["routes"]), Labels("2026年第三季度", "张三"))
    assert [s.name for s in sheets] == ["汇总", "一线", "二线", "六线", "零售客户季度等级变动统计表",
                                        "客户季度等级最低标准表", "数据问题"]
    assert sheets[2].title == "二线（星期二）客户拜访表　2026年第三季度　客户经理：张三"
    overview = sheets[0]
    assert [b.caption for b in overview.blocks] == ["本季概况", "各访销日等级变动（线路客户）", "各业态等级分布（线路客户，本季等级）"]
    facts = dict(overview.blocks[0].rows.values.tolist())
    assert facts["线路（条）"] == 3 and facts["线路客户（户）"] == 7 and facts["　提升"] == 1
    assert facts["辖区客户（本季等级表，户）"] == 8 and facts["数据问题（条，见“数据问题”表）"] == len(result.issues)
    week, spread = overview.blocks[1], overview.blocks[2]
    assert week.chart.series == ["up", "same", "down"] and not week.chart.stacked
    assert spread.chart.stacked and spread.chart.series == ["大（1）", "中（2）", "小（3）"]
    assert spread.rows["segment"].tolist() == ["CZ 城镇食杂店", "CS 城镇超市", "XB 乡村便利店", "合计"]


def test_change_table_groups_weekdays_and_totals(small_inputs):
    changes = workbook_sheets(run(small_inputs), load_routes(small_inputs["routes"]))[4]
    block = changes.table
    assert block.groups == [("", 2)] + [(b, 3) for b in ("星期一", "星期二", "星期三", "星期四", "星期五", "合计")]
    assert block.group_by == "segment" and block.total_row
    assert [c.total for c in block.columns].count(True) == 3
    assert block.rows.iloc[-1][["segment", "合计|up", "合计|same", "合计|down"]].tolist() == ["合计", 1, 3, 1]


def test_whole_volumes_lose_their_decimals():
    assert number_format("volume", pd.Series([1200.0, 30, None])) == "#,##0"
    assert number_format("volume", pd.Series([12.5, 30])) == "#,##0.00"
    assert number_format("volume_gap", pd.Series([0.0, 750.0])) == '#,##0;-#,##0;"已达标"'
    assert number_format("amount", pd.Series([1.0])) == "#,##0.00"


def test_chart_colours_keep_their_order_in_grey():
    def grey(color):
        r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b

    up, same, down = (grey(c) for c in chart_colors(["up", "same", "down"]))
    assert len({round(up / 20), round(same / 20), round(down / 20)}) == 3
    ramp = [grey(c) for c in chart_colors([str(i) for i in range(15)])]
    assert ramp == sorted(ramp) and ramp[-1] - ramp[0] > 100  # best darkest


def test_long_text_wraps_inside_its_column_with_room_for_every_line():
    from xlcrm.io.layout import MAX_WIDTH, block_widths, column_cells, wrapped_heights
    from xlcrm.sheets import Block, Column

    block = Block([Column("kind", "问题"), Column("detail", "说明")],
                  pd.DataFrame({"kind": ["甲", "乙"], "detail": ["短", "很长的说明" * 12]}))
    cells = column_cells(block)
    widths = block_widths(block, cells)
    assert widths[1] == MAX_WIDTH
    wrap, heights = wrapped_heights(block, cells, widths)
    assert wrap == [False, True]
    assert list(heights) == [1] and heights[1] == 15 * 4  # 120 columns of text in 38 per line
