"""`xlcrm build` reads a big order detail in a process of its own while the district's tables
are read (commands.inputs_ahead): the same workbook and exports as reading it first, the same
message for a broken one, and the process gone at once when the build fails before it needs it.
A small file is made "big" here by lowering quarter_run.AHEAD_BYTES."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import openpyxl
import pytest

from support import input_args
from xlcrm.commands import cli, quarter_run
from xlcrm.demo.orders import sample_orders
from xlcrm.demo.sample import generate


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ahead")
    sample = generate(folder / "inputs", route_customers=120, seed=31)
    orders = sample_orders(folder / "inputs" / "订单明细.csv", sample.truth, seed=31)
    return sample, orders


def build(sample, orders: Path, as_of: str, out: Path, monkeypatch, ahead: bool) -> int:
    monkeypatch.setattr(quarter_run, "AHEAD_BYTES", 0 if ahead else 2**62)
    argv = ["build", *input_args(sample), "--orders", str(orders), "--as-of", as_of]
    return cli.main([*argv, "--out", str(out / "报表.xlsx"), "--export-dir", str(out / "csv")])


def cells(path: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def test_read_ahead_or_first_the_build_is_the_same(inputs, tmp_path, monkeypatch, capsys):
    sample, orders = inputs
    as_of = orders.as_of.isoformat()
    assert build(sample, orders.path, as_of, tmp_path / "first", monkeypatch, ahead=False) == 0
    first = capsys.readouterr().err  # progress lines go to stderr
    assert build(sample, orders.path, as_of, tmp_path / "ahead", monkeypatch, ahead=True) == 0
    said = capsys.readouterr().err
    assert "同时读取订单明细 订单明细.csv" in said and "同时读取" not in first
    # the order detail's figures are in both: classes, no_order alerts, its problems at their cells
    for name in ("values.csv", "alerts.csv", "issues.csv", "customers.csv"):
        assert (tmp_path / "ahead" / "csv" / name).read_bytes() == (
            tmp_path / "first" / "csv" / name
        ).read_bytes()
    assert "无订货" in (tmp_path / "ahead" / "csv" / "values.csv").read_text(encoding="utf-8")
    assert cells(tmp_path / "ahead" / "报表.xlsx") == cells(tmp_path / "first" / "报表.xlsx")
    assert multiprocessing.active_children() == []


def test_a_broken_order_detail_read_ahead_is_told_as_when_read_first(inputs, tmp_path, monkeypatch, capsys):
    sample, orders = inputs
    broken = tmp_path / "订单无金额.csv"
    broken.write_text("订单明细\n客户代码,订货日期,订货量\n330781100001,2026-09-01,2\n", encoding="gb18030")
    said = []
    for ahead in (False, True):
        code = build(sample, broken, orders.as_of.isoformat(), tmp_path / str(ahead), monkeypatch, ahead)
        assert code != 0
        said.append(capsys.readouterr().err.strip().splitlines()[-1])  # after the progress lines
    assert said[0] == said[1]
    assert "订单无金额.csv" in said[1] and "找不到订货金额列" in said[1] and "Traceback" not in said[1]


def test_the_process_goes_at_once_when_the_district_cannot_be_read(inputs, tmp_path, monkeypatch, capsys):
    sample, orders = inputs
    grades = tmp_path / "等级表.xlsx"
    grades.write_text("这不是工作簿", encoding="utf-8")
    monkeypatch.setattr(quarter_run, "AHEAD_BYTES", 0)
    argv = [
        "build",
        "-q",
        *input_args(sample),
        "--orders",
        str(orders.path),
        "--out",
        str(tmp_path / "o.xlsx"),
    ]
    argv[argv.index("--grades") + 1] = str(grades)
    assert cli.main(argv) != 0
    assert "等级表.xlsx" in capsys.readouterr().err
    assert multiprocessing.active_children() == []  # stopped, not left to finish its read
