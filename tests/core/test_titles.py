"""What a printed page says about itself: quarter, manager, route and weekday."""

import pytest

from xlcrm.core.titles import Labels, labels_for, manager_named, quarter_label, report_title, route_title


@pytest.mark.parametrize(
    "text, label",
    [
        ("2026年三季度客户等级表", "2026年第三季度"),
        ("2026年第3季度", "2026年第三季度"),
        ("２０２６年第四季度购进", "2026年第四季度"),
        ("grades 2025 Q1", "2025年第一季度"),
        ("2025-q2-export", "2025年第二季度"),
        ("客户等级表", None),
        ("2026年度汇总", None),
    ],
)
def test_quarter_from_file_names_and_titles(text, label):
    assert quarter_label(text) == label


def test_first_text_naming_a_quarter_wins():
    assert quarter_label(None, "等级表", "2026年二季度", "2026年三季度") == "2026年第二季度"


@pytest.mark.parametrize(
    "lines, name",
    [
        (["零售客户拜访线路表", "客户经理：张三    线路：一线"], "张三"),
        (["客户经理:李四"], "李四"),
        (["客户经理：王五线路：二线"], "王五"),
        (["零售客户拜访线路表"], None),
    ],
)
def test_manager_from_the_lines_above_a_route_header(lines, name):
    assert manager_named(lines) == name


def test_titles_leave_out_what_is_unknown():
    assert (
        route_title("一线", "星期一", Labels("2026年第三季度", "张三"))
        == "一线（星期一）客户拜访表　2026年第三季度　客户经理：张三"
    )
    assert route_title("城区线", "未分批次", Labels()) == "城区线（未分批次）客户拜访表"
    assert report_title("数据问题", Labels(manager="张三")) == "数据问题　客户经理：张三"


def test_given_labels_win_then_file_names_then_the_route_titles():
    heading = ["零售客户拜访线路表 2026年一季度", "客户经理：张三"]
    assert labels_for(
        quarter="2026年第四季度", manager="李四", names=["2026年三季度等级表"], heading=heading
    ) == Labels("2026年第四季度", "李四")
    assert labels_for(names=["等级表", "2026年三季度线路"], heading=heading) == Labels(
        "2026年第三季度", "张三"
    )
    assert labels_for(names=["等级表"], heading=heading) == Labels("2026年第一季度", "张三")
    assert labels_for(heading=["线路表"], fallback_manager="王五") == Labels(None, "王五")
    assert labels_for() == Labels()
