"""Reading every supported format, and clear errors for files that cannot be read."""

import pytest
import xlwt

from support import write_xlsx
from xlcrm.core.errors import XlcrmError
from xlcrm.core.inputs import PURCHASES
from xlcrm.core.model import HIDDEN, VERY_HIDDEN
from xlcrm.io.input_files import load_input
from xlcrm.io.read import csv_delimiter, read_sheets
from xlcrm.io.safety import utf16_order
from xlcrm.template.vba.cfb import build_compound_file

ROWS = [
    ["客户购进量与购进额"],
    ["客户编码", "客户名称", "购进量", "购进额"],
    ["330781100001", "甲店", "1,200", "180,000.50"],
    ["330781100002", "乙店", "30", "4500"],
    ["合计", "", "1230", "184500.5"],
]


def check(table):
    assert table.header.row == 2
    assert table.rows["customer_code"].tolist() == ["330781100001", "330781100002"]
    assert table.rows["volume"].tolist() == [1200, 30]
    assert table.rows["amount"].tolist() == [180000.5, 4500]
    assert table.issues["kind"].tolist() == ["total_row"]


def test_xlsx(tmp_path):
    check(load_purchases(write_xlsx(tmp_path / "p.xlsx", {"购进": ROWS})))


def write_xls(path):
    """ROWS as an Excel 97-2003 workbook (xlwt), whatever the name ends with."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("购进")
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(path))
    return path


def test_xls_excel_97_2003(tmp_path):
    check(load_purchases(write_xls(tmp_path / "p.xls")))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    text = "\n".join(",".join(f'"{v}"' if "," in str(v) else str(v) for v in row) for row in ROWS)
    (tmp_path / "p.csv").write_bytes(text.encode(encoding))
    check(load_purchases(tmp_path / "p.csv"))


def test_csv_with_tabs_and_ragged_rows(tmp_path):
    lines = [
        "导出时间\t2026-10-01",
        "客户编码\t客户名称\t购进量\t购进额\t备注\t多余",
        "330781100001\t甲店\t1200\t180000.5",
        "330781100002\t乙店\t30\t4500\t\t\t\t",
    ]
    (tmp_path / "p.txt").write_text("\n".join(lines), encoding="gbk")
    table = load_purchases(tmp_path / "p.txt")
    assert table.rows["volume"].tolist() == [1200, 30]


def test_codes_stored_as_numbers_keep_all_digits(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", {"S": [["客户代码", "购进量", "购进额"], [330781100001, 5, 6]]})
    assert load_purchases(path).rows["customer_code"].tolist() == ["330781100001"]


def test_row_numbers_are_excel_rows(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", {"S": [[], ["客户代码", "购进量", "购进额"], ["1", "x", "2"]]})
    table = load_purchases(path)
    assert table.issues.loc[0, "source"] == "p.xlsx › S › B3"
    assert "B列(购进量)" in table.issues.loc[0, "detail"]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: None, "找不到文件"),
        (lambda p: p.write_bytes(b""), "空的"),
        (lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"), "已损坏，无法打开"),
    ],
)
def test_unreadable_files(tmp_path, make, message):
    path = tmp_path / "p.xlsx"
    make(path)
    with pytest.raises(XlcrmError, match=message):
        read_sheets(path)


def test_not_a_spreadsheet(tmp_path):
    (tmp_path / "p.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(XlcrmError, match="p.pdf 是PDF 文件，不是表格文件"):
        read_sheets(tmp_path / "p.pdf")
    (tmp_path / "p.json").write_text('{"客户代码": 1}', encoding="utf-8")
    with pytest.raises(XlcrmError, match="不是支持的表格文件"):
        read_sheets(tmp_path / "p.json")


def test_an_empty_table_and_a_sheet_without_codes(tmp_path):
    with pytest.raises(XlcrmError, match="没有任何客户数据"):
        load_purchases(write_xlsx(tmp_path / "a.xlsx", {"S": [["客户代码", "购进量", "购进额"]]}))
    with pytest.raises(XlcrmError, match=r"b\.xlsx › S.*客户代码"):
        load_purchases(write_xlsx(tmp_path / "b.xlsx", {"S": [["名称", "购进量", "购进额"], ["a", 1, 2]]}))
    with pytest.raises(XlcrmError, match="空的"):
        load_purchases(write_xlsx(tmp_path / "c.xlsx", {"S": []}))


def test_unknown_csv_encoding(tmp_path):
    (tmp_path / "p.csv").write_bytes(bytes(range(128, 256)) * 4)
    with pytest.raises(XlcrmError, match="编码"):
        read_sheets(tmp_path / "p.csv")


def load_purchases(path):
    return load_input(path, PURCHASES)


def test_hidden_sheets_are_read_with_their_state(tmp_path):
    path = write_xlsx(
        tmp_path / "r.xlsx",
        {"一线": ROWS, "二线": ROWS, "三线": ROWS},
        hidden={"二线": "hidden", "三线": "veryHidden"},
    )
    for typed in (True, False):
        assert [(s.sheet, s.hidden) for s in read_sheets(path, typed=typed)] == [
            ("一线", ""),
            ("二线", HIDDEN),
            ("三线", VERY_HIDDEN),
        ]


def test_a_file_is_read_by_what_it_is_not_by_its_name(tmp_path):
    write_xls(tmp_path / "old.xlsx")  # an .xls saved as .xlsx
    (tmp_path / "new.xls").write_bytes(write_xlsx(tmp_path / "n.xlsx", {"购进": ROWS}).read_bytes())
    (tmp_path / "text.xlsx").write_text("\n".join(",".join(map(str, r)) for r in ROWS[1:]), encoding="utf-8")
    for name in ("old.xlsx", "new.xls"):
        check(load_purchases(tmp_path / name))
        assert [s.sheet for s in read_sheets(tmp_path / name)] == ["购进"]
    text = load_purchases(tmp_path / "text.xlsx")
    assert text.rows["customer_code"].tolist() == ["330781100001", "330781100002"]


@pytest.mark.parametrize(
    "lines, delimiter",
    [
        (["客户代码;购进量;购进额", "330781100001;1,200;5"], ";"),
        (["客户代码\t购进量", "1\t2"], "\t"),
        (["客户代码|购进量", "1|2"], "|"),
        (["客户代码,购进量", "1,2"], ","),
        (["客户代码 购进量", "1 2"], ","),  # none splits: the header check names the real problem
    ],
)
def test_the_delimiter_that_splits_the_lines_evenly(lines, delimiter):
    assert csv_delimiter(lines) == delimiter


def test_utf16_without_a_byte_order_mark(tmp_path):
    text = "\n".join(",".join(f'"{v}"' if "," in str(v) else str(v) for v in row) for row in ROWS)
    for order in ("utf-16-le", "utf-16-be"):
        assert utf16_order(text.encode(order)) == order
        (tmp_path / "p.csv").write_bytes(text.encode(order))
        check(load_purchases(tmp_path / "p.csv"))
    assert utf16_order("客户代码".encode()) is None


@pytest.mark.parametrize(
    "streams, words",
    [
        ({"WordDocument": b"\x00" * 600}, "是Word 文档（.doc）"),
        ({"EncryptionInfo": b"\x00" * 70, "EncryptedPackage": b"\x00" * 600}, "设置了打开密码"),
        ({"Something": b"\x00" * 600}, "其他程序的 OLE 文件"),
    ],
)
def test_an_ole_file_is_named_by_what_it_holds(tmp_path, streams, words):
    (tmp_path / "x.xls").write_bytes(build_compound_file(streams))
    with pytest.raises(XlcrmError, match=words):
        read_sheets(tmp_path / "x.xls")
