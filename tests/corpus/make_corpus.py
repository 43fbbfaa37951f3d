"""Writes the malformed-input corpus (one file per case; cases.toml says what each must do).

    python tests/corpus/make_corpus.py        # rewrites the files next to this script

The files are committed, so tests read them as a manager's exports would arrive; this script
only documents how each was made. Codes match support.SMALL_QUARTER (tests/support), whose good
files stand in for the other inputs of each case.
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import xlwt

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parent)]

from support import SMALL_QUARTER, write_quarter, write_xlsx  # noqa: E402
from xlcrm.commands import cli  # noqa: E402
from xlcrm.template.vba.cfb import build_compound_file  # noqa: E402

GRADE_HEAD = ["客户代码", "客户名称", "业态", "市场类型", "客户等级"]
GRADES = [
    ["330781100001", "甲店", "超市", "城镇", "CS1"],
    ["330781100002", "乙店", "食杂店", "城镇", "CZ2"],
    ["330781100003", "丙店", "食杂店", "城镇", "CZ3"],
    ["330781100004", "丁店", "便利店", "乡村", "XB2"],
    ["330781100005", "戊店", "超市", "城镇", "CS2"],
    ["330781100006", "己店", "超市", "城镇", "CS1"],
    ["330781100009", "新店", "超市", "城镇", "CS3"],
]
PURCHASE_HEAD = ["客户代码", "客户名称", "购进量", "购进额"]
PURCHASES = [
    ["330781100001", "甲店", "1200", "180000.5"],
    ["330781100002", "乙店", "300", "45000"],
    ["330781100004", "丁店", "20", "3000"],
    ["330781100005", "戊店", "50", "7000"],
    ["330781100006", "己店", "900", "150000"],
]
ROUTE_HEAD = [["零售客户拜访线路表"], ["客户经理：张三"], ["序号", "客户代码", "客户名称", "负责人", "备注"]]


def xlsx(
    name: str,
    sheets: dict[str, list[list]],
    merge: dict[str, str] | None = None,
    hidden: dict[str, str] | None = None,
) -> None:
    """A workbook as a manager keeps it: `merge` cells per sheet, `hidden` sheet states
    ('hidden', 'veryHidden') per sheet."""
    write_xlsx(HERE / name, sheets, hidden=hidden, merge=merge)


def xls(name: str, sheets: dict[str, list[list]]) -> None:
    """An Excel 97-2003 workbook (xlwt), whatever `name` ends with."""
    book = xlwt.Workbook()
    for sheet_name, rows in sheets.items():
        sheet = book.add_sheet(sheet_name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    book.save(str(HERE / name))


def zipped(name: str, members: dict[str, str]) -> None:
    with zipfile.ZipFile(HERE / name, "w", zipfile.ZIP_DEFLATED) as package:
        for member, data in members.items():
            package.writestr(member, data)


def last_quarter_output(name: str) -> None:
    """What `xlcrm build` wrote last quarter, reused as this quarter's route workbook."""
    with tempfile.TemporaryDirectory() as work:
        files = write_quarter(Path(work))
        out = Path(work) / "报表.xlsx"
        argv = ["build", "-q", "--routes", str(files["routes"]), "--grades", str(files["grades"])]
        argv += ["--purchases", str(files["purchases"]), "--out", str(out)]
        assert cli.main(argv) == 0
        shutil.copyfile(out, HERE / name)


# route sheets of SMALL_QUARTER (一线, 六线, 二线): title, manager line, header, customers
ROUTES = SMALL_QUARTER["routes"]
GOOD_ROUTES = {"一线": ROUTES["一线"], "二线": ROUTES["二线"]}


def text(name: str, rows: list[list], encoding: str = "utf-8", sep: str = ",") -> None:
    (HERE / name).write_bytes("\r\n".join(sep.join(map(str, r)) for r in rows).encode(encoding))


def main() -> None:
    # --- columns and headers
    xlsx("grades_no_code_column.xlsx", {"等级": [["编码X", "客户等级"], ["330781100001", "CS1"]]})
    xlsx("grades_no_grade_column.xlsx", {"等级": [["客户代码", "客户名称"], ["330781100001", "甲店"]]})
    xlsx(
        "grades_renamed_columns.xlsx",
        {"等级": [["客户编号", "名称", "业态", "档位"]] + [[c, n, f, g] for c, n, f, _, g in GRADES]},
    )
    xlsx("purchases_no_amount_column.xlsx", {"购进": [["客户代码", "购进量"], ["330781100001", "1200"]]})
    xlsx(
        "purchases_header_on_row_5.xlsx",
        {"购进": [["客户购进量与购进额"], ["导出时间：2026-10-08"], [], [], PURCHASE_HEAD] + PURCHASES},
    )
    xlsx(
        "routes_merged_title.xlsx",
        {"一线": ROUTE_HEAD + [[1, "330781100001", "甲店", "王", None]]},
        merge={"一线": "A1:E1"},
    )
    xlsx("routes_no_code_column.xlsx", {"一线": [["序号", "客户名称"], [1, "甲店"]]})
    xlsx(
        "routes_column_orders.xlsx",
        {
            "一线": [["客户代码", "序号", "客户名称"], ["330781100001", 1, "甲店"]],
            "二线": [["客户名称", "备注", "客户编码"], ["戊店", None, "330781100005"]],
        },
    )
    # --- empty and extra sheets
    xlsx("grades_header_only.xlsx", {"等级": [GRADE_HEAD]})
    xlsx("grades_all_sheets_empty.xlsx", {"Sheet1": [], "Sheet2": []})
    xlsx(
        "purchases_extra_sheets.xlsx",
        {"说明": [["本表由系统导出"]], "购进": [PURCHASE_HEAD] + PURCHASES, "汇总": [["合计", 2470]]},
    )
    # --- values
    text(
        "purchases_text_numbers.csv",
        [PURCHASE_HEAD, ["330781100001", "甲店", "一千二", "180000.5"]] + PURCHASES[1:],
    )
    text(
        "purchases_negative_and_absurd.csv",
        [
            PURCHASE_HEAD,
            ["330781100001", "甲店", "-1200", "180000.5"],
            ["330781100002", "乙店", "300", "450000000000"],
        ]
        + PURCHASES[2:],
    )
    text("purchases_lost_digits.csv", [PURCHASE_HEAD] + PURCHASES + [["3.30781E+11", "某店", "1", "1"]])
    xlsx(
        "grades_duplicate_conflict.xlsx",
        {"等级": [GRADE_HEAD] + GRADES + [["330781100001", "甲店", "超市", "城镇", "CS3"]]},
    )
    xlsx(
        "grades_outside_scheme.xlsx",
        {"等级": [GRADE_HEAD] + GRADES[:-1] + [["330781100009", "新店", "超市", "城镇", "CS9"]]},
    )
    xlsx("routes_unknown_weekday.xlsx", {"城区线": ROUTE_HEAD + [[1, "330781100001", "甲店", "王", None]]})
    xlsx(
        "routes_same_customer_twice.xlsx",
        {
            "一线": ROUTE_HEAD + [[1, "330781100001", "甲店", "王", None]],
            "二线": ROUTE_HEAD + [[1, "330781100001", "甲店", "王", "重复"]],
        },
    )
    # --- files that are not what they claim
    (HERE / "purchases_zero_bytes.csv").write_bytes(b"")
    (HERE / "purchases_is_a_pdf.xlsx").write_bytes(
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    )
    (HERE / "grades_web_page.xls").write_bytes(
        "<html><body><table><tr><td>客户代码</td></tr></table></body></html>".encode()
    )
    text("purchases_text_saved_as.xls", [PURCHASE_HEAD] + PURCHASES, sep="\t")
    text("purchases_unicode_text.csv", [PURCHASE_HEAD] + PURCHASES, encoding="utf-16", sep="\t")
    (HERE / "purchases_unknown_encoding.csv").write_bytes(bytes(range(128, 256)) * 4)
    good = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(GRADE_HEAD)
    book.save(good)
    (HERE / "grades_truncated.xlsx").write_bytes(good.getvalue()[: len(good.getvalue()) // 2])
    # an encrypted workbook is an OLE container holding EncryptionInfo + EncryptedPackage
    # ([MS-OFFCRYPTO] 2.3.4)
    (HERE / "grades_password.xlsx").write_bytes(
        build_compound_file(
            {
                "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + b"\x00" * 64,
                "EncryptedPackage": b"\x00" * 5000,
            }
        )
    )
    # entities that would expand to gigabytes (billion laughs) in sharedStrings.xml
    with zipfile.ZipFile(io.BytesIO(good.getvalue())) as source:
        parts = {n: source.read(n) for n in source.namelist()}
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    parts["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY l0 "lol">{laughs}]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        "<si><t>&l9;</t></si></sst>"
    ).encode()
    with zipfile.ZipFile(HERE / "grades_xml_bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as bomb:
        for name, data in parts.items():
            bomb.writestr(name, data)
    # a sheet that inflates to 300 MB from a few hundred KB
    with zipfile.ZipFile(HERE / "grades_zip_bomb.xlsx", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for name, data in parts.items():
            if name != "xl/sharedStrings.xml":
                bomb.writestr(name, data)
        with bomb.open("xl/worksheets/sheet2.xml", "w") as member:
            chunk = b" " * 2**20
            for _ in range(300):
                member.write(chunk)
    text("grades_over_size_limit.csv", [GRADE_HEAD] + GRADES * 5000)  # ~1.4 MB; the case sets a 1 MB limit
    workbooks_as_kept()
    tables_over_sheets()
    codes_and_names()
    files_by_content()
    wrong_choices()


def workbooks_as_kept() -> None:
    """Route workbooks as managers keep them (issue 13): hidden routes, sheets that are not routes."""
    xlsx("routes_hidden_route.xlsx", GOOD_ROUTES | {"六线": ROUTES["六线"]}, hidden={"六线": "hidden"})
    xlsx(
        "routes_very_hidden_route.xlsx", GOOD_ROUTES | {"六线": ROUTES["六线"]}, hidden={"二线": "veryHidden"}
    )
    xlsx("routes_summary_sheet.xlsx", {"汇总": [["线路", "客户数"], ["一线", 4], ["二线", 2]]} | GOOD_ROUTES)
    xlsx(
        "routes_summary_with_codes.xlsx",
        GOOD_ROUTES | {"汇总": [["客户代码", "线路"], ["330781100001", "一线"], ["330781100005", "二线"]]},
    )
    xlsx(
        "routes_customer_roster.xlsx",
        GOOD_ROUTES
        | {"全部客户": [["客户代码", "客户名称"], ["330781100001", "甲店"], [330781100006, "己店"]]},
    )
    xlsx("routes_grade_table_moved_in.xlsx", GOOD_ROUTES | {"2026年三季度客户等级": [GRADE_HEAD] + GRADES})
    xlsx(
        "routes_hidden_grade_table.xlsx",
        GOOD_ROUTES | {"等级": [GRADE_HEAD] + GRADES},
        hidden={"等级": "hidden"},
    )
    xlsx(
        "routes_notes_and_empty_sheets.xlsx",
        GOOD_ROUTES | {"说明": [["本表每季度更新一次"], ["电话 13800001111"]], "Sheet3": []},
    )
    last_quarter_output("routes_last_quarter_output.xlsx")
    xlsx("routes_is_the_grade_table.xlsx", {"Sheet1": [GRADE_HEAD] + GRADES})
    text("routes_is_the_purchase_table.csv", [PURCHASE_HEAD] + PURCHASES)
    xlsx(
        "routes_only_report_sheets.xlsx",
        {
            "数据问题": [
                ["数据问题　2026年第三季度"],
                ["问题", "客户代码", "位置", "说明"],
                ["购进表中没有", "330781100003", "x", "y"],
            ]
        },
    )
    # pasted page by page: title, manager line and header again, page numbers, blank lines
    page = [["零售客户拜访线路表"], ["客户经理：张三"], ["序号", "客户代码", "客户名称", "负责人", "备注"]]
    xlsx(
        "routes_pasted_page_by_page.xlsx",
        {
            "一线": page
            + [[1, "330781100001", "甲店", "王", None], [2, "330781100002", "乙店", "李", None]]
            + [["第 1 页"], [], *page]
            + [[3, "330781100003", "丙店", "赵", None], [4, "330781100009", "新店", "钱", None], ["第 2 页"]],
            "二线": ROUTES["二线"],
        },
        merge={"一线": "A1:E1"},
    )
    xlsx(
        "routes_header_low_after_merged_titles.xlsx",
        {
            "一线": [["零售客户拜访线路表"], [], ["2026年三季度"], [], ["客户经理：张三"], []]
            + [["序号", "客户代码", "客户名称"], [1, "330781100001", "甲店"], [2, "", "无代码新店"]]
        },
        merge={"一线": "A1:C2"},
    )
    xlsx("routes_no_graded_customer.xlsx", {"一线": [["客户代码"], ["330781199991"], ["330781199992"]]})
    # numbered ahead for customers to come: rows 3 … 20 hold only their 序号
    xlsx(
        "routes_numbered_ahead.xlsx",
        {"一线": ROUTE_HEAD + ROUTES["一线"][3:5] + [[n, None, None, None, None] for n in range(3, 21)]},
    )


def tables_over_sheets() -> None:
    """Exports split over sheets (65,536 rows, or by district), and headers repeated inside."""
    xlsx(
        "grades_split_over_sheets.xlsx",
        {"Sheet1": [GRADE_HEAD] + GRADES[:3], "Sheet2": [GRADE_HEAD] + GRADES[3:]},
    )
    xlsx(
        "grades_split_by_district.xlsx",
        {
            "说明": [["2026年三季度客户等级，按片区分表"]],
            "城区": [GRADE_HEAD] + GRADES[:4],
            "乡村": [GRADE_HEAD] + GRADES[4:],
        },
    )
    xlsx(
        "grades_hidden_part.xlsx",
        {"Sheet1": [GRADE_HEAD] + GRADES[:3], "Sheet2": [GRADE_HEAD] + GRADES[3:]},
        hidden={"Sheet2": "hidden"},
    )
    xlsx(
        "grades_sheet_of_another_layout.xlsx",
        {
            "等级": [GRADE_HEAD] + GRADES,
            "变动": [["客户代码", "上季等级", "本季等级"], ["330781100001", "CS2", "CS1"]],
        },
    )
    xlsx(
        "purchases_continued_without_header.xlsx",
        {"Sheet1": [PURCHASE_HEAD] + PURCHASES[:3], "Sheet2": PURCHASES[3:]},
    )
    xlsx("grades_repeated_header.xlsx", {"等级": [GRADE_HEAD] + GRADES[:4] + [GRADE_HEAD] + GRADES[4:]})
    text(
        "purchases_repeated_header.csv",
        [["客户购进量与购进额"], PURCHASE_HEAD]
        + PURCHASES[:2]
        + [["客户购进量与购进额"], PURCHASE_HEAD]
        + PURCHASES[2:],
    )


def codes_and_names() -> None:
    """Codes that went through a float, and route names that carry their weekday."""
    text(
        "purchases_codes_through_a_float.csv",
        [PURCHASE_HEAD] + [[f"{c}.0", n, v, a] for c, n, v, a in PURCHASES],
    )
    xlsx(
        "routes_codes_through_a_float.xlsx",
        {
            "一线": ROUTE_HEAD
            + [[1, 330781100001.0, "甲店", "王", None], [2, "330781100002.0", "乙店", "李", None]]
            + [[3, "3.30781100003E+11", "丙店", "赵", None]]
        },
    )
    xlsx(
        "routes_weekday_in_names.xlsx",
        {
            "一线（周一）": ROUTE_HEAD + [[1, "330781100001", "甲店", "王", None]],
            "四线-周四": ROUTE_HEAD + [[1, "330781100002", "乙店", "李", None]],
            "周三线": ROUTE_HEAD + [[1, "330781100005", "戊店", "周", None]],
            "七线【星期五】": ROUTE_HEAD + [[1, "330781100006", "己店", "吴", None]],
        },
    )
    xlsx(
        "grades_grade_outside_scheme_on_route.xlsx",
        {"等级": [GRADE_HEAD] + [GRADES[0], ["330781100002", "乙店", "食杂店", "城镇", "CZ5"]] + GRADES[2:]},
    )


def files_by_content() -> None:
    """Files whose name says one thing and whose content another; unusual separators."""
    xls("grades_xls_saved_as.xlsx", {"等级": [GRADE_HEAD] + GRADES})
    buffer = io.BytesIO()
    write_xlsx(buffer, {"等级": [GRADE_HEAD] + GRADES})
    (HERE / "grades_xlsx_named.xls").write_bytes(buffer.getvalue())
    text("purchases_csv_named.xlsx", [PURCHASE_HEAD] + PURCHASES)
    # European settings: semicolons between columns, so a thousands separator may stay in a figure
    text(
        "purchases_semicolons.csv",
        [PURCHASE_HEAD] + [[c, n, f"{int(v):,}", a] for c, n, v, a in PURCHASES],
        sep=";",
    )
    text("purchases_pipes.txt", [PURCHASE_HEAD] + PURCHASES, sep="|")
    text("purchases_utf16_without_bom.csv", [PURCHASE_HEAD] + PURCHASES, encoding="utf-16-le", sep="\t")
    text("purchases_gbk_semicolons.csv", [PURCHASE_HEAD] + PURCHASES, encoding="gbk", sep=";")
    text("purchases_columns_not_split.txt", [PURCHASE_HEAD] + PURCHASES, sep="  ")
    zipped(
        "purchases_word_document.xls",
        {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"},
    )
    zipped("grades_zip_archive.xlsx", {"等级.csv": "客户代码,客户等级\n330781100001,CS1\n"})
    (HERE / "purchases_old_word_document.xls").write_bytes(
        build_compound_file({"WordDocument": b"\xec\xa5" + b"\x00" * 600})
    )


def wrong_choices() -> None:
    """Wrong choices on the command line (cases.toml gives their arguments)."""
    xlsx("grades_scheme_does_not_fit.xlsx", {"等级": [GRADE_HEAD] + GRADES})
    xlsx("grades_custom_order_does_not_fit.xlsx", {"等级": [GRADE_HEAD] + GRADES})
    xlsx("routes_also_given_as_grades.xlsx", {"等级": [GRADE_HEAD] + GRADES})
    xlsx("previous_same_file_as_grades.xlsx", {"等级": [GRADE_HEAD] + GRADES})
    # quarters named in file names and titles that do not fit together
    xlsx("grades_2026年三季度客户等级表.xlsx", {"等级": [GRADE_HEAD] + GRADES})
    xlsx(
        "previous_swapped_2026年四季度客户等级表.xlsx",
        {"等级": [[c, g] for c, *_, g in [GRADE_HEAD] + GRADES]},
    )
    xlsx(
        "previous_two_quarters_back.xlsx",
        {"等级": [["2026年第一季度客户等级"]] + [[c, g] for c, *_, g in [GRADE_HEAD] + GRADES]},
    )
    text("purchases_2026年二季度购进.csv", [PURCHASE_HEAD] + PURCHASES)
    for name in ("routes_out_named_xls.xlsx", "routes_out_named_csv.xlsx", "routes_pdf_named_xlsx.xlsx"):
        xlsx(name, GOOD_ROUTES)
    xlsx("routes_output_folder_not_writable.xlsx", GOOD_ROUTES)
    xlsx("routes_out_is_the_routes_file.xlsx", GOOD_ROUTES)
    text("customers.csv", [PURCHASE_HEAD] + PURCHASES)  # purchases, in the folder --export-dir names


if __name__ == "__main__":
    main()
