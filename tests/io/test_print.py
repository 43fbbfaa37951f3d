"""The printed workbook: print settings read back with openpyxl, and a real PDF from
LibreOffice headless read back with pdftotext (CI installs both through scripts/setup.sh)."""

import shutil
import subprocess

import openpyxl
import pytest

from support import input_args, needs, tiered_quarter, write_quarter
from xlcrm.commands import cli
from xlcrm.io.pdf import find_office

# printed by default: the manager's code, name and owner columns (not 序号, 备注), then xlcrm's
ROUTE_HEADERS = ["客户代码", "客户名称", "负责人", "上季等级", "本季等级", "变动", "购进量", "购进额"]


@pytest.fixture
def built(small_inputs, tmp_path):
    out = tmp_path / "报表.xlsx"
    argv = ["build", "-q", *input_args(small_inputs), "--out", str(out)]
    assert cli.main(argv) == 0
    return out


def title_of(sheet) -> str:
    """Row 1's title, above the first printed column."""
    return next(c.value for c in sheet[1] if c.value)


def test_every_sheet_prints_on_a4_one_page_wide_with_repeated_headers(built):
    book = openpyxl.load_workbook(built)
    for sheet in book.worksheets:
        assert sheet.page_setup.paperSize == 9, sheet.title
        assert "第 &P 页 共 &N 页" in sheet.oddFooter.center.text and "&D" in sheet.oddFooter.left.text
        assert "张三" in sheet.oddFooter.right.text  # the manager (and quarter, when known) on every page
        assert title_of(sheet) in sheet.oddHeader.center.text  # the title, on every page
        assert sheet.print_options.gridLines is not True
        if sheet.title == "汇总":  # the cover: one page, nothing to repeat
            assert sheet.sheet_properties.pageSetUpPr.fitToPage
            assert (sheet.page_setup.fitToHeight or 1) == 1 and not sheet.print_title_rows
            assert sheet.print_area  # the charts sit outside the used cells
            continue
        # tables print at their own size (never shrunk below legibility), planned one page wide
        assert not (sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage)
        assert 80 <= int(sheet.page_setup.scale or 100) <= 100, sheet.title
        assert not sheet.print_area  # rows a manager adds later still print
        assert sheet.print_title_rows and sheet.freeze_panes, sheet.title
    # route sheets repeat the legend and the header; the header is row 3
    assert book["一线"].print_title_rows == "$2:$3" and book["一线"].freeze_panes == "A4"
    assert book["一线"].page_setup.orientation == "landscape"
    changes = book["零售客户季度等级变动统计表"]
    assert changes.print_title_rows == "$2:$3" and changes.freeze_panes == "C4"
    assert changes.page_setup.orientation == "landscape"


def test_route_sheets_print_the_managers_chosen_columns_and_a_column_to_write_in(small_inputs, tmp_path):
    out = tmp_path / "报表.xlsx"
    argv = ["build", "-q", *input_args(small_inputs), "--out", str(out), "--print-columns", "客户名称,备注"]
    assert cli.main(argv) == 0
    sheet = openpyxl.load_workbook(out)["一线"]
    heads = {c.value.replace("\n", ""): c.column_letter for c in sheet[3] if c.value}
    hidden = {letter for letter, dim in sheet.column_dimensions.items() if dim.hidden}
    # the manager's other columns stay in the workbook, folded away (outline level 1)
    assert {heads["序号"], heads["客户代码"], heads["负责人"]} <= hidden
    assert not {heads["客户名称"], heads["备注"], heads["变动"], heads["拜访记录"]} & hidden
    assert all(sheet.column_dimensions[h].outline_level == 1 for h in hidden)
    # the blank 拜访记录 column takes the rest of the page: wider than any other
    widths = {h: sheet.column_dimensions[letter].width for h, letter in heads.items()}
    assert widths["拜访记录"] > 22 and widths["拜访记录"] == max(widths.values())
    assert all(sheet[f"{heads['拜访记录']}{r}"].value is None for r in range(4, sheet.max_row + 1))
    # rows tall enough to write a short note on paper
    assert sheet.row_dimensions[4].height == 24 and sheet.sheet_format.defaultRowHeight == 24


def test_titles_name_route_weekday_quarter_and_manager(small_inputs, tmp_path):
    out = tmp_path / "报表.xlsx"
    argv = [
        "build",
        "-q",
        *input_args(small_inputs, previous=False),
        "--out",
        str(out),
        "--quarter",
        "2026年第三季度",
    ]
    assert cli.main(argv) == 0
    book = openpyxl.load_workbook(out)
    # the manager comes from the route sheet's own line 客户经理：张三
    assert title_of(book["六线"]) == "六线（星期一）客户拜访表　2026年第三季度　客户经理：张三"
    assert (
        book["零售客户季度等级变动统计表"]["A1"].value
        == "零售客户季度等级变动统计表　2026年第三季度　客户经理：张三"
    )
    assert book["一线"]["B1"].font.b  # over 客户代码, the first printed column
    assert book["六线"].oddFooter.right.text.strip() == "2026年第三季度　张三"


def test_quarter_is_read_from_the_grade_table_name(small_inputs, tmp_path):
    grades = tmp_path / "2026年三季度客户等级表.xlsx"
    grades.write_bytes(small_inputs["grades"].read_bytes())
    out = tmp_path / "报表.xlsx"
    argv = [
        "build",
        "-q",
        "--routes",
        str(small_inputs["routes"]),
        "--grades",
        str(grades),
        "--purchases",
        str(small_inputs["purchases"]),
        "--out",
        str(out),
        "--manager",
        "李四",
    ]
    assert cli.main(argv) == 0
    assert (
        title_of(openpyxl.load_workbook(out)["一线"])
        == "一线（星期一）客户拜访表　2026年第三季度　客户经理：李四"
    )


def test_overview_has_counts_and_two_native_charts(built):
    sheet = openpyxl.load_workbook(built)["汇总"]
    cells = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(1, 15)}
    assert cells["线路客户（户）"] == 7 and cells["　下降"] == 1
    charts = sheet._charts
    assert len(charts) == 2
    week, spread = charts
    assert week.tagname == spread.tagname == "barChart" and week.type == spread.type == "col"
    assert week.grouping == "clustered" and spread.grouping == "stacked"
    refs = [s.val.numRef.f for s in week.series]
    names = [sheet[s.tx.strRef.f.split("!")[1].replace("$", "")].value for s in week.series]
    assert names == ["提升", "保持", "下降"]
    # five weekdays, not the 合计 row
    first, last = refs[0].split("!")[1].replace("$", "").split(":")
    assert int(last[1:]) - int(first[1:]) == 4
    assert [sheet[f"A{r}"].value for r in range(int(first[1:]), int(last[1:]) + 1)] == [
        "星期一",
        "星期二",
        "星期三",
        "星期四",
        "星期五",
    ]
    assert len(spread.series) == 3


def test_change_table_prints_like_the_seed(built):
    sheet = openpyxl.load_workbook(built)["零售客户季度等级变动统计表"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [r[:2] for r in rows] == [
        ("CZ 城镇食杂店", "CZ2"),
        (None, "CZ3"),
        ("CS 城镇超市", "CS1"),
        (None, "CS2"),
        ("XB 乡村便利店", "XB2"),
        ("合计", None),
    ]
    assert sheet["C2"].value == "星期一" and sheet["F2"].value == "星期二" and "C2:E2" in sheet.merged_cells
    assert sheet["F4"].border.left.style == "medium"  # each weekday block set apart
    assert sheet["A6"].border.top.style == "medium"  # a line between segments
    total = sheet["A9"]
    assert total.font.b and total.border.top.style == "double"
    assert sheet["R4"].font.b and sheet["R4"].fill.fgColor.rgb.endswith("F2F2F2")  # the 合计 block
    zero_rules = [r for cf in sheet.conditional_formatting for r in cf.rules if r.operator == "equal"]
    assert zero_rules and zero_rules[0].formula == ["0"]
    assert sheet.auto_filter.ref is None  # a report with a sum row: not for filtering


def test_route_numbers_read_as_the_manager_expects(built):
    sheet = openpyxl.load_workbook(built)["二线"]
    head = [c.value.replace("\n", "") for c in sheet[3]]
    at = {h: i for i, h in enumerate(head)}
    row = [c for c in sheet[4]]  # 戊店: CS2 → CS1 needs 750 条, 113000 元
    assert row[at["购进量"]].number_format == "#,##0"
    assert (
        row[at["距上一档（条）"]].value == 750
        and row[at["距上一档（条）"]].number_format == '#,##0;-#,##0;"已达标"'
    )
    assert row[at["距上一档（元）"]].number_format == '#,##0.00;-#,##0.00;"已达标"'
    assert row[at["本季等级"]].alignment.horizontal == "center"
    assert sheet.auto_filter.ref == f"A3:{openpyxl.utils.get_column_letter(len(head))}5"


@pytest.mark.libreoffice
def test_pdf_from_libreoffice_shows_every_route_column_in_chinese(built, tmp_path):
    needs("pdftotext")
    pdf = tmp_path / "拜访表.pdf"
    assert cli.main(["print", "-q", str(built), "--pdf", str(pdf)]) == 0
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages == 8  # the overview, 重点关注, three routes, two tables, the issue list

    def page(n):
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
        ).stdout
        return text, "".join(text.split())  # pdftotext spaces CJK text loosely

    cover, cover_tight = page(1)
    assert "本季概况" in cover_tight and "各访销日等级变动" in cover_tight and "各业态等级分布" in cover_tight
    focus, focus_tight = page(2)
    assert "重点关注" in focus_tight and "330781100003" in focus and "本季降档" in focus_tight
    for number, title in ((3, "一线（星期一）"), (4, "二线（星期二）"), (5, "六线（星期一）")):
        route, tight = page(number)
        for header in ROUTE_HEADERS + ["上一档", "距上一档（条）", "距上一档（元）", "拜访记录"]:
            # a header wider than its column prints on two lines: before its unit, else halved
            at = header.index("（") if "（" in header else len(header) // 2
            assert header in tight or (header[:at] in tight and header[at:] in tight), (number, header)
        assert "老客户" not in tight  # 备注 is not printed by default
        assert f"{title}客户拜访表" in tight and "客户经理：张三" in tight
        assert f"第{number}页共{pages}页" in tight
    route, _ = page(3)
    assert "330781100001" in route and "甲店" in route and "CS1↑" in route
    everything = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True
    ).stdout
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
    rules = {
        str(r.sqref): [(rule.formula[0], rule.dxf) for rule in r.rules] for r in sheet.conditional_formatting
    }
    # 本季等级 is column G, 变动 column H; data rows 4..7
    ((formula, dxf),) = rules["G4:G7"]
    assert formula == 'AND($G4<>"",$F4<>"",$G4<>$F4)' and dxf.font.b and dxf.font.i
    marks = dict(rules["H4:H7"])
    endings = ('RIGHT($H4,1)="↑"', 'RIGHT($H4,1)="↓"', 'RIGHT($H4,1)="新"', '$H4="无等级"')
    assert set(marks) == set(endings)
    fills = {marks[e].fill.bgColor.rgb for e in endings}
    assert len(fills) == 4  # four kinds, four looks
    # 新 (new: no previous grade) and 无等级 (no current grade) read differently from an unchanged grade
    shown = [c.value for c in sheet["H"][3:7]]
    assert shown == ["CS1↑", "CZ2", "CZ3↓", "无等级"]


def test_workbook_for_a_tier_scheme_has_one_column_per_grade(tmp_path):
    paths = write_quarter(
        tmp_path,
        tiered_quarter(["A1", "B7", "C2", "A3"], ["A2", "B6", "C2", "A3"], ["超市", "超市", "便利店", ""]),
    )
    out = tmp_path / "报表.xlsx"
    assert cli.main(["build", "-q", *input_args(paths), "--out", str(out)]) == 0
    sheet = openpyxl.load_workbook(out)["汇总"]
    header_row = next(r for r in range(1, 80) if sheet.cell(r, 1).value == "业态")
    assert [c.value for c in sheet[header_row] if c.value] == ["业态", "A1", "A3", "B7", "C2", "合计"]
    assert [sheet.cell(header_row + i, 1).value for i in (1, 2, 3, 4)] == [
        "便利店",
        "超市",
        "未分业态",
        "合计",
    ]
    assert len(sheet._charts[1].series) == 4
