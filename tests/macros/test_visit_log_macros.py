"""The ribbon with a visit log: the 拜访记录 table typed in by the manager is the build's visits
(生成本季报表 fills 客户名称, adds the visit columns, 跟进提醒 and the issues at the log's cells,
records the visits in the store beside the workbook); 打印拜访表 prints 跟进提醒 first."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess

import openpyxl
import pytest

from xlcrm import macros
from xlcrm.demo.sample import generate
from xlcrm.macros import names
from xlcrm.macros.filebook import FileBook
from xlcrm.report.visit_workbook import ISSUES_NAME
from xlcrm.template.build import build_template

TODAY = dt.date.today()  # the ribbon counts from the day it runs


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("sample"), route_customers=60, routes=3, seed=8)


@pytest.fixture(scope="module")
def built(sample, tmp_path_factory):
    work = tmp_path_factory.mktemp("book")
    book = work / "客户管理.xlsm"
    shutil.copyfile(build_template(work / "template.xlsm"), book)
    files = {
        "routes": sample.routes,
        "grades": sample.grades,
        "previous": sample.previous_grades,
        "purchases": sample.purchases,
    }
    assert macros.import_data(FileBook(book, files=files)).startswith("已导入")
    codes = sample.truth.route_customers.dropna(subset=["customer_code"]).drop_duplicates("customer_code")
    first, second = str(codes["customer_code"].iloc[0]), str(codes["customer_code"].iloc[1])
    typed = openpyxl.load_workbook(book, keep_vba=True)
    log = typed[names.VISITS]
    day = dt.datetime.combine(TODAY, dt.time())
    rows = [  # as a manager types them into the table, 客户名称 left blank
        [
            day - dt.timedelta(days=3),
            first,
            None,
            "走访",
            "推荐新品",
            "要价目表",
            "送价目表",
            day - dt.timedelta(days=1),
            "否",
        ],
        [
            day - dt.timedelta(days=2),
            second,
            "写错的名字",
            "电话",
            "问货源",
            None,
            "回电",
            day + dt.timedelta(days=2),
            "否",
        ],
        [day - dt.timedelta(days=1), "330781999999", None, "微信", "陌生客户", None, None, None, None],
        [day, first, None, "走访", "送去价目表", None, "回访", None, "否"],
    ]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            log.cell(r, c, value)
    typed.save(book)
    message = macros.build_report(FileBook(book))
    return {"book": book, "message": message, "first": first, "second": second, "routes": sample.routes}


def route_names(path) -> dict[str, str]:
    """Code → 客户名称 as the manager's route sheets write them."""
    found = {}
    for sheet in openpyxl.load_workbook(path).worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        top = next(i for i, r in enumerate(rows) if "客户代码" in r)
        code, name = rows[top].index("客户代码"), rows[top].index("客户名称")
        found |= {str(r[code]).strip(): r[name] for r in rows[top + 1 :] if r[code] and r[name]}
    return found


def test_build_report_fills_the_names_and_says_the_follow_ups(built):
    assert built["message"].startswith("已生成本季报表")
    assert "拜访记录 4 条：待跟进逾期 1 条，7 天内到期 1 条" in built["message"]
    assert "已填写客户名称 3 处" in built["message"]
    rows = list(
        openpyxl.load_workbook(built["book"], keep_vba=True)[names.VISITS].iter_rows(values_only=True)
    )
    name_of = route_names(built["routes"])
    assert [r[2] for r in rows[1:5]] == [
        name_of[built["first"]],
        name_of[built["second"]],
        None,
        name_of[built["first"]],
    ]
    # the table, its dropdowns and the red of a late follow-up are still there after the build
    sheet = openpyxl.load_workbook(built["book"], keep_vba=True)[names.VISITS]
    assert list(sheet.tables) == ["拜访记录"]
    assert {(str(dv.sqref), dv.type, dv.formula1) for dv in sheet.data_validations.dataValidation} == {
        ("A2:A1048576", "date", "36526"),  # 2000-01-01 to 2099-12-31
        ("H2:H1048576", "date", "36526"),
        ("D2:D1048576", "list", '"走访,电话,微信,其他"'),
        ("I2:I1048576", "list", '"是,否"'),
    }
    assert [(str(cf.sqref), r.formula) for cf in sheet.conditional_formatting for r in cf.rules] == [
        ("H2:H1048576", ['AND(ISNUMBER($H2),$H2<TODAY(),TRIM($I2)<>"是")'])
    ]


def test_the_workbook_gets_the_follow_ups_and_the_visit_columns(built):
    book = openpyxl.load_workbook(built["book"], keep_vba=True)
    follow = [r for r in book["跟进提醒"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert [(r[0], r[1].date(), str(r[4]), r[6]) for r in follow] == [
        ("逾期", TODAY - dt.timedelta(days=1), built["first"], "送价目表"),
        ("7天内到期", TODAY + dt.timedelta(days=2), built["second"], "回电"),
    ]
    follow_ups = book["跟进提醒"]
    rules = [(str(cf.sqref), r.formula) for cf in follow_ups.conditional_formatting for r in cf.rules]
    last = follow_ups.max_row
    # copied into the workbook: live there too (跟进日期 is column B)
    assert [r for r in rules if "TODAY()" in r[1][0]] == [(f"B4:B{last}", ["AND(ISNUMBER($B4),$B4<TODAY())"])]
    for sheet in book.worksheets:
        heads = [c.value for c in sheet[1] if c.value] + [c.value for c in sheet[3] if c.value]
        if "上次拜访" in heads and sheet.title not in names.OUTPUTS:
            header = next(r for r in range(1, 6) if "上次拜访" in [c.value for c in sheet[r]])
            at = {c.value: c.column for c in sheet[header]}
            codes = {
                str(sheet.cell(r, at["客户代码"]).value): r for r in range(header + 1, sheet.max_row + 1)
            }
            if built["first"] in codes:
                r = codes[built["first"]]
                assert sheet.cell(r, at["上次拜访"]).value.date() == TODAY
                assert sheet.cell(r, at["待跟进"]).value.date() == TODAY - dt.timedelta(days=1)
                assert sheet.cell(r, at["下一步"]).value == "送价目表"
                red = [(str(cf.sqref), r.formula) for cf in sheet.conditional_formatting for r in cf.rules]
                letter = openpyxl.utils.get_column_letter(at["待跟进"])
                span = f"{letter}{header + 1}:{letter}{sheet.max_row}"
                at_due = f"${letter}{header + 1}"
                assert [r for r in red if "TODAY()" in r[1][0]] == [
                    (span, [f"AND(ISNUMBER({at_due}),{at_due}<TODAY())"])
                ]
                break
    else:
        pytest.fail("no route sheet holds the first customer")


def test_visit_issues_point_at_the_workbooks_own_cells(built):
    issues = openpyxl.load_workbook(built["book"], keep_vba=True)[ISSUES_NAME]
    found = {(r[0], r[2]) for r in issues.iter_rows(min_row=4, values_only=True) if r[0]}
    assert ("拜访的客户不在线路上", "客户管理.xlsm › 拜访记录 › B4") in found


def test_the_visits_are_in_the_store_beside_the_workbook(built):
    store = built["book"].parent / "客户档案库.db"
    rows = (
        sqlite3.connect(store)
        .execute("select customer_code, method, done from visits order by visit_date")
        .fetchall()
    )
    assert rows == [
        (built["first"], "走访", 0),
        (built["second"], "电话", 0),
        ("330781999999", "微信", 0),
        (built["first"], "走访", 0),
    ]


def test_building_again_changes_no_name_and_keeps_each_visit_once(built, tmp_path):
    again = tmp_path / "客户管理.xlsm"
    shutil.copyfile(built["book"], again)
    shutil.copyfile(built["book"].parent / "客户档案库.db", tmp_path / "客户档案库.db")
    message = macros.build_report(FileBook(again))
    assert "已填写客户名称" not in message
    assert sqlite3.connect(tmp_path / "客户档案库.db").execute("select count(*) from visits").fetchone() == (
        4,
    )


@pytest.mark.libreoffice
def test_print_preview_prints_the_follow_ups_first(built, tmp_path):
    book = tmp_path / "客户管理.xlsm"
    shutil.copyfile(built["book"], book)
    pdf = tmp_path / "拜访表.pdf"
    message = macros.print_preview(FileBook(book, pdf=pdf))
    assert "跟进提醒、" in message
    first_page = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True
    )
    assert "跟进提醒" in first_page.stdout and "送价目表" in first_page.stdout
