"""Page planning (report.pages), by hand: A4 landscape's body is 297 mm wide less 0.6 in of side
margins = 798.7 pt, 210 mm high less 1.3 in = 501.7 pt; plans keep 5% in reserve."""

import pytest

from xlcrm.report.department_workbook import pinyin_key
from xlcrm.report.pages import body_points, folded_to_fit, orientation_and_scale, page_breaks, page_setup


def test_a_page_body_in_points():
    width, height = body_points(True)
    assert width == pytest.approx(297 / 25.4 * 72 - 0.6 * 72)
    assert height == pytest.approx(210 / 25.4 * 72 - 1.3 * 72)


def test_narrow_tables_print_upright_at_full_size_and_wide_ones_across_shrunk_only_as_needed():
    assert orientation_and_scale(600) == (False, 100)  # 450 pt: fits 552 pt × 0.95
    # 1200 px = 900 pt across 798.7 × 0.95 = 758.8 pt: 84 %
    assert orientation_and_scale(1200) == (True, 84)


def test_groups_stay_whole_and_a_page_starts_for_each_manager():
    # a page holds 501.7 × 0.95 = 476.6 pt at 100 %: 40 pt on top, then 20-pt rows, 20 repeated
    heights = [20.0] * 30
    opens = [i % 5 == 0 for i in range(30)]  # groups of five rows
    none = [False] * 30
    # page 1: 40 + 21 rows × 20 = 460 (22 would be 480): row 21 would open page 2 mid-group,
    # so the break moves back to row 20, where its group begins
    assert page_breaks(40, 20, heights, opens, none, landscape=True, scale=100) == [20]
    forced = [i == 7 for i in range(30)]
    # page 2 from row 7: 20 repeated + 22 rows = 460; row 29 would not fit, its group opens at 25
    assert page_breaks(40, 20, heights, opens, forced, landscape=True, scale=100) == [7, 25]
    # a group longer than a page breaks inside it rather than leave a page empty
    assert page_breaks(40, 20, heights, [i == 0 for i in range(30)], none, landscape=True, scale=100) == [21]


def test_the_foot_names_the_quarter_and_keeps_its_size():
    setup = page_setup("一线（星期一）客户拜访表", "2026年第三季度　张三", landscape=True, scale=90)
    assert setup.footer == "&L&10打印日期 &D&C&10第 &P 页 共 &N 页&R&10 2026年第三季度　张三"
    assert setup.header == "&C&10一线（星期一）客户拜访表"


def test_managers_in_pinyin_order():
    names = ["张三", "王芳", "陈刚", "李明", "刘洋", "赵敏"]
    # zhang wang chen li liu zhao → chen li liu wang zhang zhao
    assert sorted(names, key=pinyin_key) == ["陈刚", "李明", "刘洋", "王芳", "张三", "赵敏"]


def test_a_full_page_folds_columns_in_order_until_its_type_stays_readable():
    # a landscape page's body is 798.7 pt; planned 5 % smaller and at 85 %: 892.7 pt = 1190.2 px
    room = (297 * 72 / 25.4 - 0.6 * 72) * 0.95 * 100 / 85 / 0.75
    assert 1190 < room < 1191
    printed = [True] * 5
    assert folded_to_fit([400, 300, 200, 200, 80], printed, [1, 2]) == printed  # 1180 px fits
    # 1230 px: the first in the order goes, and that is enough
    assert folded_to_fit([400, 300, 250, 200, 80], printed, [2, 1]) == [True, True, False, True, True]
    # still too wide after the first: the next goes too; columns outside the order always print
    assert folded_to_fit([600, 300, 250, 200, 80], printed, [3, 4]) == [True, True, True, False, False]
    assert folded_to_fit([900, 900], [True, True], []) == [True, True]  # nothing to fold: as it is
