"""The template's 拜访记录 sheet, read back with openpyxl: an Excel table (ListObject) with the
nine columns, dropdowns for 方式 and 已完成, date checks on both date columns, 客户名称 marked
as filled in by xlcrm; and its header is one xlcrm reads back whole."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from xlcrm.core.columns import find_header
from xlcrm.core.inputs import VISITS
from xlcrm.macros import names
from xlcrm.report.visit_log import LOG_COLUMNS
from xlcrm.template.build import build_template
from xlcrm.template.sources import load_source

HEADERS = ["日期", "客户代码", "客户名称", "方式", "内容", "客户需求", "下一步", "跟进日期", "已完成"]
EXCEL_EPOCH = dt.date(1899, 12, 30)


@pytest.fixture(scope="module")
def sheet(tmp_path_factory):
    path = build_template(tmp_path_factory.mktemp("t") / "客户管理.xlsm")
    return openpyxl.load_workbook(path, keep_vba=True)[names.VISITS]


def test_it_is_an_excel_table_of_the_nine_columns(sheet):
    (table,) = sheet.tables.values()
    assert table.name == "拜访记录" and table.ref.startswith("A1:I")
    assert [c.name for c in table.tableColumns] == HEADERS
    assert [c.value for c in sheet[1]] == HEADERS
    assert table.tableStyleInfo.name and table.autoFilter.ref == table.ref
    assert sheet.freeze_panes == "A2" and sheet.print_title_rows == "$1:$1"


def test_dropdowns_and_date_checks_cover_the_whole_column(sheet):
    rules = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    assert set(rules) == {"A2:A1048576", "D2:D1048576", "H2:H1048576", "I2:I1048576"}
    assert (rules["D2:D1048576"].type, rules["D2:D1048576"].formula1) == ("list", '"走访,电话,微信,其他"')
    assert (rules["I2:I1048576"].type, rules["I2:I1048576"].formula1) == ("list", '"是,否"')
    first, last = ((day - EXCEL_EPOCH).days for day in (dt.date(2000, 1, 1), dt.date(2099, 12, 31)))
    for ref in ("A2:A1048576", "H2:H1048576"):
        rule = rules[ref]
        # "between" is the file format's default operator: written as no attribute at all
        assert (rule.type, rule.operator or "between") == ("date", "between")
        assert (rule.formula1, rule.formula2) == (str(first), str(last))
        assert rule.showErrorMessage and "2026-06-22" in rule.error
    assert all(rule.showInputMessage and rule.prompt for rule in rules.values())


def test_a_follow_up_past_and_not_done_is_red_against_today(sheet):
    rules = [(str(cf.sqref), rule) for cf in sheet.conditional_formatting for rule in cf.rules]
    assert [(ref, rule.type, rule.formula) for ref, rule in rules] == [
        ("H2:H1048576", "expression", ['AND(ISNUMBER($H2),$H2<TODAY(),TRIM($I2)<>"是")'])
    ]
    style = rules[0][1].dxf
    assert style.font.color.rgb.endswith("9C0006") and style.font.b  # red, bold: stands out in grey


def test_column_formats_and_the_name_column_filled_by_xlcrm(sheet):
    dims = sheet.column_dimensions
    assert dims["A"].number_format == dims["H"].number_format == "yyyy-mm-dd"
    assert dims["B"].number_format == "@"  # codes stay text: never 3.3E+11
    assert dims["C"].fill.fgColor.rgb.endswith("EDEDED")  # grey: xlcrm writes it
    assert "生成本季报表" in sheet["C1"].comment.text
    assert dims["E"].width > dims["D"].width  # room for what was said


def test_the_header_is_read_back_role_for_role():
    """The description's headers are found by the rule that reads a log, each as the role its
    column is keyed by (the handover workbook's log is written from the same description)."""
    headers = [c.header for c in LOG_COLUMNS]
    assert headers == HEADERS
    header = find_header(pd.DataFrame([headers]), VISITS.roles, where="t", required=VISITS.required)
    assert set(header.columns) == set(VISITS.roles)
    assert {role: headers[at] for role, at in header.columns.items()} == dict(
        zip(
            (
                "visit_date",
                "code",
                "name",
                "method",
                "content",
                "need",
                "next_step",
                "follow_up_date",
                "done",
            ),
            HEADERS,
        )
    )
    assert {role: LOG_COLUMNS[at].key for role, at in header.columns.items()} == {r: r for r in VISITS.roles}


def test_the_log_is_no_route_and_sits_before_the_input_tables(tmp_path):
    assert names.VISITS in names.NOT_ROUTES
    order = openpyxl.load_workbook(build_template(tmp_path / "t.xlsm"), keep_vba=True).sheetnames
    assert order.index("一线") < order.index(names.VISITS) < order.index(names.GRADES)


def test_help_says_how_to_keep_the_log():
    help_lines = "".join(next(s for s in load_source().spec["sheets"] if s["name"] == names.HELP)["lines"])
    for words in ("拜访记录", "下一步", "跟进日期", "已完成", "客户名称不用填", "跟进提醒", "本次拜访"):
        assert words in help_lines, words
