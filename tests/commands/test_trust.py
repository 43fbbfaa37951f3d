"""What a manager must be able to trust: inputs are never written to, nothing talks to the
network, the same inputs give the same outputs, hostile text stays text."""

from __future__ import annotations

import csv
import hashlib
import socket
from pathlib import Path

import openpyxl
import pytest

from support import input_args, write_xlsx
from xlcrm.commands import cli


def digests(paths) -> dict[str, str]:
    return {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}


def inputs(small_inputs) -> list[str]:
    return [*input_args(small_inputs)]


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to reach the network fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[:2]}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.libreoffice
def test_every_command_leaves_its_inputs_alone_and_stays_offline(small_inputs, tmp_path, offline):

    files = list(small_inputs.values())
    before = digests(files)
    out = tmp_path / "报表.xlsx"
    assert (
        cli.main(
            ["build", "-q", *inputs(small_inputs), "--out", str(out), "--export-dir", str(tmp_path / "csv")]
        )
        == 0
    )
    assert cli.main(["check", "-q", *inputs(small_inputs)]) == 0
    workbook = digests([out])
    assert cli.main(["print", "-q", str(out), "--pdf", str(tmp_path / "拜访表.pdf")]) == 0
    assert digests([out]) == workbook  # print reads the workbook, never writes it
    book = tmp_path / "客户管理.xlsm"
    assert cli.main(["template", "-q", "--out", str(book)]) == 0
    assert cli.main(["macro", "-q", "import_data", str(book), *input_args(small_inputs)]) == 0
    assert cli.main(["macro", "-q", "build_report", str(book)]) == 0
    assert cli.main(["macro", "-q", "print_preview", str(book)]) == 0
    assert digests(files) == before


def test_the_same_inputs_give_the_same_workbook_content(small_inputs, tmp_path):
    for run in ("a", "b"):
        assert cli.main(["build", "-q", *inputs(small_inputs), "--out", str(tmp_path / f"{run}.xlsx")]) == 0
    a, b = (openpyxl.load_workbook(tmp_path / f"{run}.xlsx") for run in ("a", "b"))
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        cells_a = [
            (c.coordinate, c.value, c.number_format, c.font.b, c.fill.fgColor.rgb)
            for row in a[name].iter_rows()
            for c in row
        ]
        cells_b = [
            (c.coordinate, c.value, c.number_format, c.font.b, c.fill.fgColor.rgb)
            for row in b[name].iter_rows()
            for c in row
        ]
        assert cells_a == cells_b, name


HOSTILE = ['=HYPERLINK("http://x.example","点我")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "=1+1"]


def test_hostile_text_stays_text_in_every_output(small_inputs, tmp_path):
    routes = write_xlsx(
        tmp_path / "线路.xlsx",
        {
            "一线": [["客户经理：张三"], ["序号", "客户代码", "客户名称", "备注"]]
            + [[i + 1, f"33078110000{i + 1}", name, name] for i, name in enumerate(HOSTILE[:4])],
            "=二线": [["客户代码", "客户名称"], ["330781100005", HOSTILE[4]]],
        },
    )
    paths = dict(small_inputs, routes=routes)
    out = tmp_path / "报表.xlsx"
    assert (
        cli.main(["build", "-q", *inputs(paths), "--out", str(out), "--export-dir", str(tmp_path / "csv")])
        == 0
    )
    book = openpyxl.load_workbook(out)
    shown = {
        c.value: c.data_type
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str)
    }
    for text in HOSTILE:
        assert shown.get(text) == "s", text  # a string cell, never a formula
    with open(tmp_path / "csv" / "customers.csv", encoding="utf-8") as f:
        routes_in_csv = {row["route"] for row in csv.DictReader(f)}
    assert "'=二线" in routes_in_csv  # a spreadsheet opening the CSV shows the text
    with open(tmp_path / "csv" / "issues.csv", encoding="utf-8") as f:
        assert not any(v.startswith(("=", "+", "-", "@")) for row in csv.reader(f) for v in row)

    # the template's file-backed path (openpyxl) keeps them as text too
    book_path = tmp_path / "客户管理.xlsm"
    assert cli.main(["template", "-q", "--out", str(book_path)]) == 0
    assert (
        cli.main(
            [
                "macro",
                "-q",
                "import_data",
                str(book_path),
                "--routes",
                str(routes),
                "--grades",
                str(paths["grades"]),
                "--purchases",
                str(paths["purchases"]),
            ]
        )
        == 0
    )
    assert cli.main(["macro", "-q", "build_report", str(book_path)]) == 0
    template = openpyxl.load_workbook(book_path, keep_vba=True)
    cells = {
        c.value: c.data_type
        for sheet in template.worksheets
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str)
    }
    for text in HOSTILE:
        assert cells.get(text) == "s", text
