import pandas as pd
import pytest

from xlcrm.core.errors import XlcrmError
from xlcrm.core.grades import (
    CODE2008,
    TIERS15,
    TIERS30,
    check_scheme_fits,
    custom_scheme,
    detect_scheme,
    grade_order,
    scheme_choice,
    scheme_named,
    segment_key,
    segment_label,
)


def test_code2008_compares_only_the_size_digit_as_the_seed_does():
    assert CODE2008.level("CS1") > CODE2008.level("CS2") > CODE2008.level("CS3")
    assert CODE2008.level("CZ1") > CODE2008.level("CS2")  # CS2 → CZ1 counts as up
    assert CODE2008.level("CZ1") == CODE2008.level("XS1")
    assert CODE2008.segment("CS1") == "CS" and CODE2008.segment("XB3") == "XB"
    for bad in ("CZ4", "CS", "AS1", "CSS1", "", "15"):
        assert not CODE2008.is_valid(bad)


def test_tiers30_higher_is_better_and_segments_come_from_the_table():
    assert TIERS30.level("30") > TIERS30.level("29") > TIERS30.level("1")
    assert not TIERS30.is_valid("31") and not TIERS30.is_valid("0") and not TIERS30.is_valid("A1")
    assert TIERS30.segment("15") is None


def test_tiers15_a1_is_best():
    assert TIERS15.level("A1") > TIERS15.level("A6") > TIERS15.level("B1") > TIERS15.level("C2")
    assert not TIERS15.is_valid("B8") and not TIERS15.is_valid("D1")


def test_custom_order():
    scheme = custom_scheme(["AAA", "aa", "A"])
    assert scheme.level("AAA") > scheme.level("AA") > scheme.level("A")
    assert not scheme.is_valid("B")
    with pytest.raises(XlcrmError):
        custom_scheme(["A"])
    with pytest.raises(XlcrmError):
        custom_scheme(["A", "A"])


def test_rows_sort_best_first():
    assert sorted(["CS3", "CS1", "CS2"], key=CODE2008.order) == ["CS1", "CS2", "CS3"]
    assert sorted(["1", "30", "15"], key=TIERS30.order) == ["30", "15", "1"]
    assert sorted(["B1", "A2", "C2", "A1"], key=TIERS15.order) == ["A1", "A2", "B1", "C2"]


@pytest.mark.parametrize(
    "grades, scheme",
    [
        (["CS1", "CZ2", "XB3", "CS1"], CODE2008),
        (["1", "15", "30", "7"], TIERS30),
        (["A1", "B7", "C2"], TIERS15),
    ],
)
def test_detection(grades, scheme):
    assert detect_scheme(pd.Series(grades)) is scheme


def test_detection_tolerates_a_few_bad_grades_but_not_a_strange_table():
    assert detect_scheme(pd.Series(["CS1"] * 9 + ["CZ5"])) is CODE2008
    with pytest.raises(XlcrmError, match="不属于任何已知方案"):
        detect_scheme(pd.Series(["优", "良", "中"]))
    with pytest.raises(XlcrmError, match="没有任何等级"):
        detect_scheme(pd.Series(["", None]))


def test_scheme_by_name():
    assert scheme_named("code2008") is CODE2008 and scheme_named("30") is TIERS30
    with pytest.raises(XlcrmError, match="不认识的等级方案"):
        scheme_named("tiers99")


def test_grade_order_takes_every_list_separator():
    assert grade_order("金,银，铜") == ["金", "银", "铜"]
    assert grade_order(" A、B ; C；D ") == ["A", "B", "C", "D"]
    assert grade_order("") == [] and grade_order(None) == []


@pytest.mark.parametrize(
    "name, order, expected",
    [
        (None, None, None),
        ("", "", None),
        ("自动", None, None),
        ("auto", "", None),
        ("code2008", None, "code2008"),
        ("30档", "", "tiers30"),
        ("15", None, "tiers15"),
        ("", "金,银,铜", "custom"),
        ("自动", "金,银", "custom"),
        ("自定义", "金、银", "custom"),
    ],
)
def test_the_scheme_a_person_chose(name, order, expected):
    chosen = scheme_choice(name, order)
    assert (chosen.name if chosen else None) == expected


def test_a_custom_order_is_tidied_like_the_grades_it_orders():
    scheme = scheme_choice("自定义", "ｃｓ１, cs 2,第3档")
    assert [scheme.level(g) for g in ("CS1", "CS2", "3")] == [3.0, 2.0, 1.0]


@pytest.mark.parametrize(
    "name, order, message",
    [
        ("自定义", "", "至少要有两个"),
        ("自定义", "金", "至少要有两个"),
        ("", "金,金", "至少要有两个"),
        ("code2008", "金,银", "只能用一个"),
        ("tiers99", None, "不认识的等级方案"),
    ],
)
def test_what_cannot_be_chosen_is_said(name, order, message):
    with pytest.raises(XlcrmError, match=message):
        scheme_choice(name, order)


def test_segments_in_table_order():
    segments = ["超市", "XB", "CS", "其他店", "CZ", "食杂店", "CC", "XZ"]
    assert sorted(segments, key=segment_key) == ["CZ", "CC", "CS", "XZ", "XB", "食杂店", "超市", "其他店"]


def test_segment_labels():
    assert segment_label("CS") == "CS 城镇超市"
    assert segment_label("XB") == "XB 乡村便利店"
    assert segment_label("超市") == "超市"


def test_a_chosen_scheme_that_does_not_fit_the_grades_is_said():
    grades = pd.Series(["CS1", "CZ2", "XB3", "CS1"])
    with pytest.raises(XlcrmError) as err:
        check_scheme_fits(TIERS30, grades, where="等级.xlsx › S › E列(客户等级)")
    message = str(err.value)
    assert message.startswith(
        "等级.xlsx › S › E列(客户等级)：等级（如 CS1、CZ2、XB3）大多不属于所选的等级方案"
    )
    assert "看起来是“2008版分类编码" in message and "--scheme" in message and "设置" in message
    check_scheme_fits(CODE2008, grades, where="x")  # fits: nothing said
    check_scheme_fits(TIERS30, pd.Series(["1", "2", "CS1"]), where="x")  # most fit: a bad grade each


def test_a_scheme_fitting_nothing_known_says_no_other():
    with pytest.raises(XlcrmError) as err:
        check_scheme_fits(TIERS15, pd.Series(["金", "银"]), where="x")
    assert "看起来是" not in str(err.value)
