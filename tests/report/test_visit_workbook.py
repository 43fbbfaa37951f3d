"""The visit workbook described once: sheets, titles, the report tables' layout and look
(on the hand-checked quarter support.SMALL_QUARTER)."""

import pandas as pd

from support import reviewed
from xlcrm.core.titles import Labels
from xlcrm.report.look import chart_colors, number_format
from xlcrm.report.visit_workbook import workbook_sheets


def test_workbook_sheets_in_order_with_titles():
    result, routes = reviewed()
    sheets = workbook_sheets(result, routes, Labels("2026年第三季度", "张三"))
    assert [s.name for s in sheets] == [
        "汇总",
        "重点关注",
        "一线",
        "二线",
        "六线",
        "零售客户季度等级变动统计表",
        "客户季度等级最低标准表",
        "数据问题",
    ]
    assert sheets[3].title == "二线（星期二）客户拜访表　2026年第三季度　客户经理：张三"
    overview = sheets[0]
    assert [b.caption for b in overview.blocks] == [
        "本季概况",
        "客户价值 ABC 分类（本季购进额从高到低累计：前 70% 为 A 类，70%–90% 为 B 类，其余 C 类）",
        "各访销日等级变动（线路客户）",
        "各业态等级分布（线路客户，本季等级）",
    ]
    facts = dict(overview.blocks[0].rows.values.tolist())
    assert facts["线路（条）"] == 3 and facts["线路客户（户）"] == 7 and facts["　提升"] == 1
    assert facts["辖区客户（本季等级表，户）"] == 8 and facts["数据问题（条，见“数据问题”表）"] == len(
        result.issues
    )
    # by amount: …001 180,000.50 and …006 150,000 carry 86 % (A), …002 45,000 (B), the rest C
    classes = overview.blocks[1].rows
    assert classes["customers"].tolist() == [2, 1, 4, 7]
    assert classes["amount"].tolist() == [330000.5, 45000, 7100, 382100.5]
    assert classes["plan"].tolist() == ["重点维护", "定期回访", "常规服务", ""]
    week, spread = overview.blocks[2], overview.blocks[3]
    assert week.chart.series == ["up", "same", "down"] and not week.chart.stacked
    assert spread.chart.stacked and spread.chart.series == ["大（1）", "中（2）", "小（3）"]
    assert spread.rows["segment"].tolist() == ["CZ 城镇食杂店", "CS 城镇超市", "XB 乡村便利店", "合计"]


def test_change_table_groups_weekdays_and_totals():
    changes = workbook_sheets(*reviewed())[5]
    block = changes.table
    assert block.groups == [("", 2)] + [
        (b, 3) for b in ("星期一", "星期二", "星期三", "星期四", "星期五", "合计")
    ]
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
        r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b

    up, same, down = (grey(c) for c in chart_colors(["up", "same", "down"]))
    assert len({round(up / 20), round(same / 20), round(down / 20)}) == 3
    ramp = [grey(c) for c in chart_colors([str(i) for i in range(15)])]
    assert ramp == sorted(ramp) and ramp[-1] - ramp[0] > 100  # best darkest


def test_long_text_wraps_inside_its_column_with_room_for_every_line():
    from xlcrm.report.look import MAX_WIDTH, block_widths, column_cells, wrapped_heights
    from xlcrm.report.model import Block, Column

    block = Block(
        [Column("kind", "问题"), Column("detail", "说明")],
        pd.DataFrame({"kind": ["甲", "乙"], "detail": ["短", "很长的说明" * 12]}),
    )
    cells = column_cells(block)
    widths = block_widths(block, cells)
    assert widths[1] == MAX_WIDTH
    wrap, heights = wrapped_heights(block, cells, widths)
    assert wrap == [False, True]
    assert list(heights) == [1] and heights[1] == 15 * 4  # 120 columns of text in 38 per line


def test_route_marks_tell_new_and_ungraded_customers_apart():
    from xlcrm.core.changes import route_marks

    grade = pd.Series(["CS1", "CZ2", "CZ3", "XB2", None], dtype="string")
    change = pd.Series(["up", "same", "down", "new", "missing"], dtype="string")
    assert route_marks(grade, change).tolist() == ["CS1↑", "CZ2", "CZ3↓", "XB2新", "无等级"]


def test_grade_schemes_by_their_chinese_names():
    from xlcrm.core.grades import CODE2008, TIERS15, TIERS30, scheme_named

    assert scheme_named("2008编码") is CODE2008
    assert scheme_named("30档") is TIERS30 and scheme_named("15档") is TIERS15


def test_issues_point_at_the_input_cell_and_the_row_in_this_workbook():
    result, routes = reviewed()
    sheets = workbook_sheets(result, routes)
    issues = sheets[-1].table
    assert [c.header for c in issues.columns][2:4] == [
        "输入位置（文件 › 工作表 › 单元格）",
        "本表位置（工作表 › 行）",
    ]
    route = next(s for s in sheets if s.name == "一线")
    codes = route.table.rows[next(c.key for c in route.table.columns if c.kind == "code")].tolist()
    # under the title, the legend and the header: the first customer is on row 4
    rows = dict(zip(issues.rows["customer_code"].fillna(""), issues.rows["here"]))
    checked = [code for code in rows if code in codes]
    assert checked  # SMALL_QUARTER's 新店 on 一线 is in no grade table
    for code in checked:
        assert rows[code] == f"一线 › 第{4 + codes.index(code)}行"
