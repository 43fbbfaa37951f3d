"""The printed workbook: print settings read back with openpyxl, and a real PDF from
LibreOffice headless read back with pdftotext (CI installs both through scripts/setup.sh)."""

import os
import shutil
import subprocess

import openpyxl
import pytest

from xlcrm import cli
from xlcrm.io.pdf import find_office

ROUTE_HEADERS = ["序号", "客户代码", "客户名称", "负责人", "备注", "上季等级", "本季等级", "变动", "购进量", "购进额"]


def needs(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing: scripts/setup.sh should have installed it")
        pytest.skip(f"{tool} is not installed")


@pytest.fixture
def built(small_inputs, tmp_path):
    out = tmp_path / "报表.xlsx"
    argv = ["build", "-q", "--routes", str(small_inputs["routes"]), "--grades", str(small_inputs["grades"]),
            "--purchases", str(small_inputs["purchases"]), "--previous-grades", str(small_inputs["previous"]),
            "--out", str(out)]
    assert cli.main(argv) == 0
    return out


def test_every_sheet_prints_on_a4_one_page_wide_with_repeated_headers(built):
    book = openpyxl.load_workbook(built)
    for sheet in book.worksheets:
        assert sheet.page_setup.paperSize == 9, sheet.title
        # fitToWidth is left out when 1, the OOXML default
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and (sheet.page_setup.fitToWidth or 1) == 1
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows, sheet.title
        assert "第 &P 页 共 &N 页" in sheet.oddFooter.center.text and "&D" in sheet.oddFooter.left.text
        assert sheet.title in sheet.oddHeader.center.text or sheet.title[:31] in sheet.oddHeader.center.text
        assert sheet.freeze_panes
    assert book["一线"].print_title_rows == "$2:$2"
    assert book["零售客户季度等级变动统计表"].print_title_rows == "$2:$3"


def test_pdf_from_libreoffice_shows_every_route_column_in_chinese(built, tmp_path):
    needs("soffice")
    needs("pdftotext")
    pdf = tmp_path / "拜访表.pdf"
    assert cli.main(["print", "-q", str(built), "--pdf", str(pdf)]) == 0
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 6  # three routes, two tables, the issue list
    first = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
                           capture_output=True, text=True).stdout
    for header in ROUTE_HEADERS:
        assert header in first, header
    assert "330781100001" in first and "甲店" in first and "CS1↑" in first
    assert f"第1页共{pages}页" in "".join(first.split())  # pdftotext spaces CJK text loosely
    everything = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for title in ("零售客户季度等级变动统计表", "客户季度等级最低标准表", "数据问题", "提升", "保持", "下降"):
        assert title in everything


def test_print_without_libreoffice_says_what_to_do(built, monkeypatch, capsys):
    monkeypatch.setattr("xlcrm.io.pdf.find_office", lambda: None)
    assert cli.main(["print", "-q", str(built)]) == 2
    err = capsys.readouterr().err
    assert "未找到 LibreOffice" in err and "Traceback" not in err
    assert not built.with_suffix(".pdf").exists()


def test_find_office_is_the_installed_one():
    assert find_office() == (shutil.which("soffice") or shutil.which("libreoffice"))


def test_grade_changes_are_native_conditional_formats(built):
    sheet = openpyxl.load_workbook(built)["一线"]
    rules = {str(r.sqref): [(rule.formula[0], rule.dxf) for rule in r.rules] for r in sheet.conditional_formatting}
    # 本季等级 is column G, 变动 column H; data rows 3..6
    (formula, dxf), = rules["G3:G6"]
    assert formula == 'AND($G3<>"",$F3<>"",$G3<>$F3)' and dxf.font.b and dxf.font.i
    marks = dict(rules["H3:H6"])
    assert set(marks) == {'RIGHT($H3,1)="↑"', 'RIGHT($H3,1)="↓"'}
    up, down = marks['RIGHT($H3,1)="↑"'], marks['RIGHT($H3,1)="↓"']
    assert up.fill.bgColor.rgb != down.fill.bgColor.rgb
