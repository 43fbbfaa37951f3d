"""Writes the malformed-input corpus (one file per case; cases.toml says what each must do).

    python tests/corpus/make_corpus.py        # rewrites the files next to this script

The files are committed, so tests read them as a manager's exports would arrive; this script
only documents how each was made. Codes match support.SMALL_QUARTER (tests/support), whose good
files stand in for the other inputs of each case.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parent)]

from support import write_xlsx  # noqa: E402
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


def xlsx(name: str, sheets: dict[str, list[list]], merge: dict[str, str] | None = None) -> None:
    write_xlsx(HERE / name, sheets)
    if merge:
        book = openpyxl.load_workbook(HERE / name)
        for sheet_name, cells in merge.items():
            book[sheet_name].merge_cells(cells)
        book.save(HERE / name)


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


if __name__ == "__main__":
    main()
