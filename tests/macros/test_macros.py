"""The ribbon's Python macros, run headless on a file-backed copy of the real template:
import → check → build, compared with `xlcrm build` on the same files."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from support import input_args
from xlcrm import macros
from xlcrm.commands import cli
from xlcrm.demo.sample import generate
from xlcrm.macros import names
from xlcrm.macros.filebook import FileBook
from xlcrm.macros.settings import read_settings
from xlcrm.report.visit_sheets import VISIT_COLUMNS
from xlcrm.report.visit_workbook import (
    CHANGE_TABLE_NAME,
    ISSUES_NAME,
    OVERVIEW_NAME,
    ROUTE_ADDED,
    STANDARDS_NAME,
)
from xlcrm.template.build import build_template

ADDED = [c.header for c in ROUTE_ADDED] + ["ABC分类"]  # the grade columns, then the value class
WITH_VISITS = ADDED + [c.header for c in VISIT_COLUMNS]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_template(tmp_path_factory.mktemp("template") / "客户管理.xlsm")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("sample"), route_customers=300, seed=5)


def files_of(sample) -> dict[str, Path]:
    return {
        "routes": sample.routes,
        "grades": sample.grades,
        "previous": sample.previous_grades,
        "purchases": sample.purchases,
    }


def fresh(template: Path, tmp_path: Path) -> Path:
    book = tmp_path / "客户管理.xlsm"
    shutil.copyfile(template, book)
    return book


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def values(path: Path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


@pytest.fixture(scope="module")
def quarter(template, sample, tmp_path_factory):
    """The template after 导入数据 and 生成本季报表, and `xlcrm build` on the same files."""
    work = tmp_path_factory.mktemp("quarter")
    book = fresh(template, work)
    imported = FileBook(book, files=files_of(sample))
    assert macros.import_data(imported).startswith("已导入")
    built = FileBook(book)
    assert macros.build_report(built).startswith("已生成本季报表")
    out = work / "build.xlsx"
    # the workbook's own 拜访记录 (empty here) as the visit log, as the ribbon reads it
    assert cli.main(["build", "-q", *input_args(sample), "--visits", str(book), "--out", str(out)]) == 0
    return {"book": book, "build": out, "imported": imported, "built": built}


def test_build_report_gives_the_same_tables_as_xlcrm_build(quarter):
    for sheet in (CHANGE_TABLE_NAME, STANDARDS_NAME):
        # row 1 is the title: the CLI's names the manager from the route file too, so compare the tables
        assert values(quarter["book"], sheet)[1:] == values(quarter["build"], sheet)[1:], sheet
    ours, theirs = values(quarter["book"], OVERVIEW_NAME), values(quarter["build"], OVERVIEW_NAME)
    issues_row = next(i for i, row in enumerate(theirs) if str(row[0]).startswith("数据问题"))
    assert ours[1:issues_row] + ours[issues_row + 1 :] == theirs[1:issues_row] + theirs[issues_row + 1 :]
    # 导入数据 leaves 合计 rows out of the input sheets (and says so); every other issue is found again
    totals = sum(row[0] == "合计行（已跳过）" for row in values(quarter["build"], ISSUES_NAME))
    assert totals and ours[issues_row][1] == theirs[issues_row][1] - totals
    charts = openpyxl.load_workbook(quarter["book"])[OVERVIEW_NAME]._charts
    assert [c.grouping for c in charts] == ["clustered", "stacked"]


def test_route_sheets_get_the_added_columns_in_place_next_to_the_managers_own(quarter, sample):
    book = openpyxl.load_workbook(quarter["book"])
    built = openpyxl.load_workbook(quarter["build"])
    source = openpyxl.load_workbook(sample.routes)
    for name in source.sheetnames:
        mine, theirs, original = book[name], built[name], source[name]
        width = original.max_column
        # the manager's own cells are exactly as in their route workbook
        for row in original.iter_rows():
            for cell in row:
                assert mine.cell(cell.row, cell.column).value == cell.value, (name, cell.coordinate)
        header_row = next(r for r in range(1, 10) if mine.cell(r, width + 1).value == ADDED[0])
        assert [mine.cell(header_row, width + 1 + i).value for i in range(len(ADDED))] == ADDED
        # the same added values as the build's route sheet, customer by customer
        code_col = [c.value for c in original[header_row]].index("客户代码") + 1
        # the build's route sheet: title, legend, header (row 3), then customers; the columns
        # found by their headers (the workbook records into its store: it has the trail as well);
        # the workbook's 拜访记录 is the visit log of both
        mine_at = {mine.cell(header_row, c).value: c for c in range(width + 1, mine.max_column + 1)}
        theirs_at = {str(c.value).replace("\n", ""): c.column for c in theirs[3]}
        built_rows = {
            str(r[1]): tuple(r[theirs_at[h] - 1] for h in WITH_VISITS)
            for r in theirs.iter_rows(min_row=4, values_only=True)
        }
        for r in range(header_row + 1, mine.max_row + 1):
            code = mine.cell(r, code_col).value
            if code is None or str(code).strip() not in built_rows:
                continue
            added = tuple(mine.cell(r, mine_at[h]).value for h in WITH_VISITS)
            assert added == built_rows[str(code).strip()], (name, r)


def test_running_build_again_gives_the_same_workbook(quarter, tmp_path):
    again = tmp_path / "客户管理.xlsm"
    shutil.copyfile(quarter["book"], again)
    before = openpyxl.load_workbook(again)
    macros.build_report(FileBook(again))
    after = openpyxl.load_workbook(again)
    assert after.sheetnames == before.sheetnames
    for name in after.sheetnames:
        assert list(after[name].iter_rows(values_only=True)) == list(
            before[name].iter_rows(values_only=True)
        ), name
        assert len(after[name].conditional_formatting) == len(before[name].conditional_formatting), name


def test_template_order_after_import(quarter, sample):
    sheets = openpyxl.load_workbook(quarter["book"]).sheetnames
    routes = openpyxl.load_workbook(sample.routes).sheetnames
    assert sheets[:2] == [names.HELP, names.SETTINGS]
    assert sheets[2 : 2 + len(routes)] == routes  # the placeholder 一线 replaced in place, the rest after it
    assert sheets[-1] == names.XLWINGS_CONF
    assert {OVERVIEW_NAME, CHANGE_TABLE_NAME, STANDARDS_NAME, ISSUES_NAME} <= set(sheets)
    settings = read_settings(
        pd.DataFrame(values(quarter["book"], names.SETTINGS)).rename(index=lambda i: i + 1)
    )
    assert settings.values["grades_file"] == str(sample.grades)


def test_import_keeps_codes_as_text_and_problem_cells_as_they_were(quarter, sample):
    book = openpyxl.load_workbook(quarter["book"])
    grades = book[names.GRADES]
    assert [c.value for c in grades[1]] == ["客户代码", "客户等级", "业态"]
    assert all(grades.cell(r, 1).number_format == "@" for r in range(2, grades.max_row + 1))
    purchases = book[names.PURCHASES]
    kept = {purchases.cell(r, 1).value for r in range(2, purchases.max_row + 1)}
    lost = sample.truth.anomalies.query("kind == 'lost_digits'")["detail"].tolist()
    assert lost and set(lost) <= kept  # kept as written, so 检查数据 reports them at their cells here


def test_check_data_lists_every_issue_in_the_workbook(quarter, tmp_path):
    book = tmp_path / "客户管理.xlsm"
    shutil.copyfile(quarter["book"], book)
    checked = FileBook(book)
    message = macros.check_data(checked)
    assert message.startswith("数据问题") and "详见“数据问题”表" in message
    issues = values(book, ISSUES_NAME)
    # the workbook is the input here: one place per issue, no second "本表位置" column
    assert [h.replace("\n", "") for h in issues[1]] == [
        "问题",
        "客户代码",
        "输入位置（文件 › 工作表 › 单元格）",
        "说明",
    ]
    assert any("客户管理.xlsm › 本季等级 ›" in (row[2] or "") for row in issues[2:])


def test_a_managers_route_sheet_with_customers_is_never_overwritten(quarter, sample, tmp_path):
    book = tmp_path / "again.xlsm"
    shutil.copyfile(quarter["book"], book)
    first = openpyxl.load_workbook(sample.routes).sheetnames[0]
    before = values(book, first)
    imported = FileBook(book, files={"routes": sample.routes})
    message = macros.import_data(imported)
    assert "未覆盖" in message and first in message
    assert values(book, first) == before


def test_missing_data_is_a_message_and_the_file_is_untouched(template, tmp_path):
    book = fresh(template, tmp_path)
    before = digest(book)
    empty = FileBook(book)
    assert macros.build_report(empty) is None
    assert empty.messages == [
        "生成本季报表未完成：客户管理.xlsm：“本季等级”表还没有数据：请点“导入数据”，"
        "或把本季等级表粘贴到“本季等级”表（表头放第 1 行）"
    ]
    assert digest(book) == before


def test_a_bug_is_a_message_with_where_the_details_are_and_changes_nothing(quarter, tmp_path, monkeypatch):
    book = tmp_path / "bug.xlsm"
    shutil.copyfile(quarter["book"], book)
    before = digest(book)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("xlcrm.macros.render_report", broken)
    failing = FileBook(book)
    assert macros.build_report(failing) is None
    (message,) = failing.messages
    assert "程序内部错误，工作簿未被改动" in message and str(macros.ERROR_LOG) in message
    assert "Traceback" not in message and "boom" in macros.ERROR_LOG.read_text(encoding="utf-8")
    assert digest(book) == before


def test_help_goes_to_the_instructions(template, tmp_path):
    book = fresh(template, tmp_path)
    helped = FileBook(book)
    assert "导入数据 → 检查数据 → 生成本季报表 → 打印拜访表" in macros.show_help(helped)
    assert openpyxl.load_workbook(book).active.title == names.HELP


def test_print_preview_without_data_says_what_to_do(template, tmp_path):
    previewed = FileBook(fresh(template, tmp_path))
    assert macros.print_preview(previewed) is None
    (message,) = previewed.messages
    assert message.startswith("打印拜访表未完成：") and "请点“导入数据”" in message
    assert not previewed.previews


@pytest.mark.libreoffice
def test_print_preview_headless_is_a_pdf_of_routes_and_both_tables(quarter, tmp_path):

    book = tmp_path / "print.xlsm"
    shutil.copyfile(quarter["book"], book)
    previewed = FileBook(book)
    message = macros.print_preview(previewed)
    (pdf,) = previewed.previews
    # says where the PDF went, and what is in it
    assert message.startswith(f"已打印成 PDF：{pdf.resolve()}") and "10 张线路表和 2 张统计表" in message
    assert pdf.is_absolute() and pdf.exists()
    import subprocess

    text = "".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split()
    )
    assert (
        "零售客户季度等级变动统计表" in text and "客户季度等级最低标准表" in text and "距上一档（条）" in text
    )
    # phones print masked (设置: 打印时隐藏电话和身份证号 = 是); the workbook keeps them whole
    phones = {
        str(v)
        for row in openpyxl.load_workbook(book)["一线"].iter_rows(values_only=True)
        for v in row
        if isinstance(v, str) and len(v) == 11 and v.startswith("1") and v.isdigit()
    }
    assert phones and not any(p in text for p in phones)
    assert any(f"{p[:3]}****{p[-4:]}" in text for p in phones)


def test_settings_sheet_values_reach_the_engine():
    cells = pd.DataFrame(
        [
            ["项目", "值"],
            ["季度", "2026年第三季度"],
            ["客户经理", "张三"],
            ["等级方案", "tiers15"],
            ["", ""],
            ["线路", "访销日"],
            ["城区线", "周三"],
            ["", ""],
        ],
        index=range(1, 9),
    )
    settings = read_settings(cells)
    assert settings.settings.scheme.name == "tiers15" and settings.settings.batches == {"城区线": "星期三"}
    assert (settings.labels.quarter, settings.labels.manager) == ("2026年第三季度", "张三")
    custom = read_settings(
        pd.DataFrame([["等级方案", "自定义"], ["自定义等级顺序", "金，银,铜"]], index=[1, 2])
    )
    assert custom.settings.scheme.level("金") > custom.settings.scheme.level("铜")


def test_a_wrong_setting_names_the_sheet():
    from xlcrm.core.errors import XlcrmError

    with pytest.raises(XlcrmError, match="“设置”表填写有误.*等级方案"):
        read_settings(pd.DataFrame([["等级方案", "abc"]], index=[1]))


def test_macros_run_from_the_command_line(quarter, tmp_path, capsys):
    book = tmp_path / "cli.xlsm"
    shutil.copyfile(quarter["book"], book)
    assert cli.main(["macro", "-q", "build_report", str(book)]) == 0
    assert capsys.readouterr().out.startswith("已生成本季报表")
    empty = tmp_path / "empty.xlsm"
    build_template(empty)
    assert cli.main(["macro", "-q", "check_data", str(empty)]) == 2
    assert "“本季等级”表还没有数据" in capsys.readouterr().out


def test_both_books_offer_what_the_macros_use():
    """LiveBook only runs inside Excel; at least it must keep the interface FileBook is tested on."""
    import inspect

    from xlcrm.macros.book import Book
    from xlcrm.macros.livebook import LiveBook

    wanted = {n: inspect.signature(f) for n, f in vars(Book).items() if callable(f) and not n.startswith("_")}
    for cls in (FileBook, LiveBook):
        for name, signature in wanted.items():
            assert inspect.signature(getattr(cls, name)) == signature, (cls.__name__, name)
        assert callable(cls.save)


def test_choosing_no_file_is_not_a_success(template, tmp_path):
    book = FileBook(fresh(template, tmp_path), files=None)
    assert macros.import_data(book) is None
    (message,) = book.messages
    assert message.startswith("导入数据未完成：没有选择文件，工作簿未改动")


def test_sheets_keep_their_code_names_and_no_document_module_is_orphaned(template, quarter):
    """Excel pairs each sheet with its VBA document module by code name: a sheet the macros
    replace on a file (一线 on import, the tables on a rerun) keeps the one it had."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.olevba import VBA_Parser

    def code_names(path: Path) -> dict[str, str | None]:
        return {ws.title: ws.sheet_properties.codeName for ws in openpyxl.load_workbook(path).worksheets}

    before, after = code_names(template), code_names(quarter["book"])
    assert "一线" in before and before["一线"]
    assert {name: after[name] for name in before} == before
    parser = VBA_Parser(str(quarter["book"]))
    documents = {stream.split("/")[-1] for _, stream, _, code in parser.extract_macros() if "VB_Base" in code}
    parser.close()
    assert documents - {"ThisWorkbook", "Dictionary"} <= set(after.values())  # every module has its sheet
    rerun = FileBook(quarter["book"])
    assert macros.build_report(rerun).startswith("已生成本季报表")
    again = code_names(quarter["book"])
    assert {name: again[name] for name in after} == after  # a rerun replaces the tables, not their names
