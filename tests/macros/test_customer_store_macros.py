"""The customer store from the ribbon: each quarter's 生成本季报表 records into the store beside
the workbook — a manager may start a new workbook every quarter and lose nothing — and
客户资料卡 makes cards for the selected customers or everyone on 重点关注."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from xlcrm import macros
from xlcrm.demo.quarters import generate_quarters
from xlcrm.macros.filebook import FileBook
from xlcrm.template.build import build_template


@pytest.fixture(scope="module")
def quarters(tmp_path_factory):
    root = tmp_path_factory.mktemp("quarters")
    sample = generate_quarters(root / "exports", seed=8)
    template = build_template(root / "template.xlsm")
    folder = root / "我的工作簿"
    folder.mkdir()
    books, messages = [], []
    for files in sample.files:
        book = folder / f"客户管理_{files.quarter.code}.xlsm"
        shutil.copyfile(template, book)
        imported = FileBook(
            book, files={"routes": files.routes, "grades": files.grades, "purchases": files.purchases}
        )
        assert macros.import_data(imported).startswith("已导入")
        messages.append(macros.build_report(FileBook(book)))
        books.append(book)
    return sample, folder, books, messages


def codes_on(sheet) -> tuple[int, int, list]:
    header = next(r for r in range(1, 10) if "客户代码" in [c.value for c in sheet[r]])
    at = [c.value for c in sheet[header]].index("客户代码")
    return header, at, [row[at] for row in sheet.iter_rows(min_row=header + 1, values_only=True)]


def test_every_quarter_is_recorded_beside_the_workbooks(quarters):
    sample, folder, books, messages = quarters
    assert (folder / "客户档案库.db").exists()
    for files, message in zip(sample.files, messages):
        assert f"已记录到客户档案库（客户档案库.db，{files.quarter.label}）" in message
    book = openpyxl.load_workbook(books[-1])
    assert "重点关注" in book.sheetnames
    route = book["一线"]
    header, _, _ = codes_on(route)
    assert [c.value for c in route[header]][-2:] == ["近四季等级", "趋势"]
    focus = book["重点关注"]
    _, at, focus_codes = codes_on(focus)
    kinds = {(str(r[at]), r[at + 2]) for r in focus.iter_rows(values_only=True) if r[at]}
    assert {(c, "连续两季降档") for c in sample.planted["down_twice"]} <= kinds
    # last quarter's grades came from the store: the planted falls show on the route sheets as ↓
    assert {(c, "本季降档") for c in sample.planted["down_twice"]} <= kinds


def test_cards_for_the_selected_customers_then_for_everyone_on_the_focus_sheet(quarters, tmp_path):
    sample, folder, books, _ = quarters
    book = books[-1]
    route = openpyxl.load_workbook(book)["二线"]
    header, at, codes = codes_on(route)
    chosen = FileBook(book, selected=("二线", [header + 1, header + 3]))
    message = macros.customer_cards(chosen)
    assert message.startswith("已生成客户资料卡 2 张（“二线”中选中的客户")
    cards = openpyxl.load_workbook(book)["客户资料卡"]
    titles = [cards.cell(r, 1).value for r in range(1, cards.max_row + 1, 22) if cards.cell(r, 1).value]
    assert [t.split("　")[1] for t in titles] == sorted([str(codes[0]), str(codes[2])])  # in visit order
    everyone = FileBook(book, selected=("重点关注", []))
    macros.customer_cards(everyone)
    focus = openpyxl.load_workbook(book)["重点关注"]
    _, _, focus_codes = codes_on(focus)
    cards = openpyxl.load_workbook(book)["客户资料卡"]
    titles = [cards.cell(r, 1).value for r in range(1, cards.max_row + 1, 22) if cards.cell(r, 1).value]
    assert sorted(t.split("　")[1] for t in titles) == sorted({str(c) for c in focus_codes if c})


def test_switched_off_nothing_is_recorded_and_cards_say_why(quarters, tmp_path):
    sample, _, books, _ = quarters
    book = tmp_path / "客户管理.xlsm"
    shutil.copyfile(books[0], book)
    wb = openpyxl.load_workbook(book, keep_vba=True)
    settings = wb["设置"]
    row = next(r for r in range(1, 30) if settings.cell(r, 1).value == "客户档案库")
    settings.cell(row, 2).value = "不记录"
    wb.save(book)
    message = macros.build_report(FileBook(book))
    assert "已记录" not in message and not (tmp_path / "客户档案库.db").exists()
    cards = FileBook(book, selected=("一线", [4]))
    assert macros.customer_cards(cards) is None
    assert "不记录" in cards.messages[-1]
