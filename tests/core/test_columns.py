import pandas as pd
import pytest

from xlcrm.core.columns import find_header, parse_column_overrides, tidy_header
from xlcrm.core.errors import XlcrmError


def cells(rows):
    frame = pd.DataFrame(rows, dtype=object).fillna("")
    frame.index = range(1, len(frame) + 1)
    return frame


def test_header_names_are_tidied():
    assert tidy_header(" 购进量（条） ") == "购进量"
    assert tidy_header("客户 编码:") == "客户编码"


def test_header_found_below_title_rows_with_varying_names():
    table = cells(
        [
            ["零售客户拜访线路表", "", ""],
            ["客户经理：张三", "", ""],
            ["序号", "客户编号", "2010年一季度客户分类"],
            [1, "330781100001", "CS1"],
        ]
    )
    header = find_header(table, ("code", "grade"), where="x.xlsx › 一线")
    assert header.row == 3 and header.columns == {"code": 1, "grade": 2}


@pytest.mark.parametrize("name", ["客户代码", "客户编码", "客户编号", "零售户编码", "客户代码（必填）"])
def test_code_column_names_in_practice(name):
    assert find_header(cells([[name, "客户等级"]]), ("code", "grade"), where="x").columns["code"] == 0


def test_quarter_prefixed_purchase_headers():
    header = find_header(
        cells([["客户代码", "2010年一季度购进量", "2010年一季度购进额"]]),
        ("code", "volume", "amount"),
        where="x",
    )
    assert header.columns == {"code": 0, "volume": 1, "amount": 2}


def test_previous_grade_is_not_taken_for_the_current_one():
    header = find_header(
        cells([["客户代码", "上季度等级", "本季等级"]]), ("code", "grade", "previous_grade"), where="x"
    )
    assert header.columns == {"code": 0, "previous_grade": 1, "grade": 2}


def test_explicit_columns_by_name_or_letter():
    table = cells([["编号", "档", "其他"], ["330781100001", "CS1", ""]])
    header = find_header(table, ("code", "grade"), where="x", overrides={"code": "编号", "grade": "B"})
    assert header.columns == {"code": 0, "grade": 1}
    header = find_header(table, ("code",), where="x", overrides={"code": "A"})
    assert header.row == 1 and header.columns["code"] == 0


def test_a_missing_column_names_file_sheet_and_the_fix():
    with pytest.raises(XlcrmError) as err:
        find_header(cells([["名称", "地址"], ["a", "b"]]), ("code",), where="线路.xlsx › 一线")
    message = str(err.value)
    assert "线路.xlsx › 一线" in message and "客户代码" in message and "--column code=" in message
    with pytest.raises(XlcrmError, match="第1行表头中.*购进额"):
        find_header(
            cells([["客户代码", "购进量"]]),
            ("code", "volume", "amount"),
            where="p.csv",
            required=("code", "volume", "amount"),
        )


def test_column_overrides_from_the_command_line():
    assert parse_column_overrides(["code=客户编号", "购进量=D"]) == {"code": "客户编号", "volume": "D"}
    with pytest.raises(XlcrmError, match="角色"):
        parse_column_overrides(["colour=红"])
