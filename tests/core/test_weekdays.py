import pytest

from xlcrm.core.errors import XlcrmError
from xlcrm.core.weekdays import batch_of, chinese_number, parse_batch_mapping, route_number


@pytest.mark.parametrize(
    "route, weekday",
    [
        ("一线", "星期一"),
        ("二线", "星期二"),
        ("五线", "星期五"),
        ("六线", "星期一"),
        ("七线", "星期二"),
        ("十线", "星期五"),
        ("十一线", "星期一"),
        ("11线", "星期一"),
        ("第3线", "星期三"),
        ("线路3", "星期三"),
        ("3号线", "星期三"),
        ("二十线", "星期五"),
        ("１２线", "星期二"),
        ("第十二线路", "星期二"),
    ],
)
def test_batch_from_the_route_name(route, weekday):
    assert batch_of(route) == weekday


@pytest.mark.parametrize(
    "route, weekday, number",
    [
        ("一线（周一）", "星期一", 1),
        ("四线-周四", "星期四", 4),
        ("周三线", "星期三", None),
        ("一线(周三)", "星期三", 1),  # what the manager wrote wins over the number
        ("七线【星期五】", "星期五", 7),
        ("星期二线路", "星期二", None),
        ("二线 礼拜天", "星期日", 2),
    ],
)
def test_a_weekday_written_in_the_route_name(route, weekday, number):
    assert batch_of(route) == weekday
    assert route_number(route) == number


def test_a_surname_is_not_a_weekday():
    assert batch_of("周家线") is None


def test_unnumbered_routes_have_no_batch_unless_mapped():
    assert batch_of("城区线") is None
    assert batch_of("城区线", {"城区线": "星期三"}) == "星期三"
    assert batch_of("一线", {"一线": "星期四"}) == "星期四"  # the mapping wins


def test_chinese_numbers():
    assert [chinese_number(t) for t in ("一", "十", "十一", "二十三", "一百零一", "12", "x")] == [
        1,
        10,
        11,
        23,
        101,
        12,
        None,
    ]
    assert route_number("A线") is None


def test_mapping_from_the_command_line():
    assert parse_batch_mapping(["一线,六线=周一", "城区线=Friday", "七线=星期2"]) == {
        "一线": "星期一",
        "六线": "星期一",
        "城区线": "星期五",
        "七线": "星期二",
    }
    with pytest.raises(XlcrmError, match="线路=星期几"):
        parse_batch_mapping(["一线=明天"])
