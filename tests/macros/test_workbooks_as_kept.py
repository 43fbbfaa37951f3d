"""The ribbon keeps the command line's rules (issue 13), on the file-backed template: hidden
route sheets count and are said, a grade table pasted onto a sheet of the manager's is not a
route, a route workbook's other sheets are not imported, a scheme chosen on 设置 that does not
fit the grades is a message, quarters that do not fit are on 数据问题."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from support import SMALL_QUARTER, write_xlsx
from xlcrm import macros
from xlcrm.core.model import HIDDEN, VERY_HIDDEN
from xlcrm.macros import names
from xlcrm.macros.filebook import FileBook
from xlcrm.macros.livebook import hidden_state
from xlcrm.report.visit_workbook import ISSUES_NAME
from xlcrm.template.build import build_template

ROUTES = SMALL_QUARTER["routes"]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_template(tmp_path_factory.mktemp("template") / "客户管理.xlsm")


@pytest.fixture
def imported(template, small_inputs, tmp_path) -> Path:
    """The template after 导入数据 of the small quarter."""
    book = tmp_path / "客户管理.xlsm"
    shutil.copyfile(template, book)
    files = {k: small_inputs[k] for k in ("routes", "grades", "previous", "purchases")}
    assert macros.import_data(FileBook(book, files=files)).startswith("已导入")
    return book


def issues(book: Path) -> list[tuple]:
    return list(openpyxl.load_workbook(book)[ISSUES_NAME].iter_rows(min_row=3, values_only=True))


def edit(book: Path, change) -> None:
    wb = openpyxl.load_workbook(book, keep_vba=True)
    change(wb)
    wb.save(book)


def test_a_hidden_route_sheet_counts_and_is_said(imported):
    edit(imported, lambda wb: setattr(wb["六线"], "sheet_state", "hidden"))
    message = macros.build_report(FileBook(imported))
    assert "线路客户 7 户" in message, message  # 六线's one customer too
    said = [row for row in issues(imported) if row[0] == "隐藏的工作表（已读取）"]
    assert [row[2] for row in said] == ["客户管理.xlsm › 六线"]


def test_a_grade_table_pasted_onto_a_sheet_of_the_managers_is_no_route(imported):
    def paste(wb):
        sheet = wb.create_sheet("我粘贴的等级", 2)
        for row in SMALL_QUARTER["grades"]["Sheet1"]:
            sheet.append(row)

    edit(imported, paste)
    message = macros.check_data(FileBook(imported))
    assert message is not None
    unused = [row for row in issues(imported) if row[2] == "客户管理.xlsm › 我粘贴的等级"]
    assert [row[0] for row in unused] == ["未使用的工作表"] and "看起来是客户等级表" in unused[0][3]
    # its district customers were not made route customers: 庚店 (…007) is on no route
    assert not any(row[1] == "330781100007" for row in issues(imported))


def test_import_takes_only_the_route_sheets_of_a_route_workbook(template, small_inputs, tmp_path):
    kept = write_xlsx(
        tmp_path / "线路.xlsx",
        {
            "汇总": [["客户代码", "线路"], ["330781100001", "一线"]],
            "一线": ROUTES["一线"],
            "等级": SMALL_QUARTER["grades"]["Sheet1"],
            "设置": [["客户代码"], ["330781100004"]],  # a route named like the workbook's own 设置
            "二线": ROUTES["二线"],
        },
    )
    book = tmp_path / "客户管理.xlsm"
    shutil.copyfile(template, book)
    files = {"routes": kept, "grades": small_inputs["grades"], "purchases": small_inputs["purchases"]}
    message = macros.import_data(FileBook(book, files=files))
    assert "线路表 一线、二线" in message
    assert "设置 与本工作簿自带的工作表同名，未导入" in message
    present = openpyxl.load_workbook(book).sheetnames
    assert "汇总" not in present and "等级" not in present
    assert openpyxl.load_workbook(book)[names.SETTINGS]["A1"].value != "客户代码"  # 设置 untouched


def test_a_scheme_on_settings_that_does_not_fit_is_a_message(imported):
    def thirty_tiers(wb):
        sheet = wb[names.SETTINGS]
        (row,) = [r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "等级方案"]
        sheet.cell(row, 2).value = "tiers30"

    edit(imported, thirty_tiers)
    book = FileBook(imported)
    assert macros.build_report(book) is None
    (said,) = book.messages
    assert said.startswith("生成本季报表未完成：") and "程序内部错误" not in said
    assert "不属于所选的等级方案“30档" in said and "设置" in said


def test_files_of_quarters_that_do_not_fit_are_said(imported):
    def recorded(wb):
        sheet = wb[names.SETTINGS]
        for r in range(1, sheet.max_row + 1):
            if sheet.cell(r, 1).value == "本季等级表文件":
                sheet.cell(r, 2).value = r"D:\导出\2026年三季度客户等级表.xlsx"
            if sheet.cell(r, 1).value == "上季等级表文件":
                sheet.cell(r, 2).value = r"D:\导出\2026年四季度客户等级表.xlsx"

    edit(imported, recorded)
    macros.check_data(FileBook(imported))
    (mismatch,) = [row for row in issues(imported) if row[0] == "输入文件可能选错"]
    assert mismatch[2] == "客户管理.xlsm › 上季等级" and "可能选反了" in mismatch[3]


def test_excel_says_how_hidden_a_sheet_is():
    # Windows: XlSheetVisibility; macOS: a bool
    assert [hidden_state(v) for v in (-1, 0, 2, True, False)] == ["", HIDDEN, VERY_HIDDEN, "", HIDDEN]
