"""xlcrm batch: a department in one run, checked against `xlcrm build` on the combined routes."""

from __future__ import annotations

import hashlib
import io

import openpyxl
import pytest

from support import write_xlsx
from xlcrm.commands import cli
from xlcrm.commands.progress import progress_bar
from xlcrm.demo.department import department
from xlcrm.io.read import read_sheets
from xlcrm.report.department_workbook import CHANGES_ALL, FAILED_NAME, STANDARDS_ALL, SUMMARY_NAME
from xlcrm.report.visit_workbook import CHANGE_TABLE_NAME, STANDARDS_NAME


@pytest.fixture(scope="module")
def dept(tmp_path_factory):
    return department(
        tmp_path_factory.mktemp("dept"), managers=8, customers_per_manager=40, seed=11, quirks=False
    )


def district_args(d) -> list[str]:
    s = d.sample
    return [
        "--grades",
        str(s.grades),
        "--purchases",
        str(s.purchases),
        "--previous-grades",
        str(s.previous_grades),
    ]


def values(path, sheet) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(min_row=2, values_only=True))


@pytest.fixture(scope="module")
def combined(dept, tmp_path_factory):
    out = tmp_path_factory.mktemp("combined") / "all.xlsx"
    assert (
        cli.main(
            ["build", "-q", "--routes", str(dept.sample.routes), *district_args(dept), "--out", str(out)]
        )
        == 0
    )
    return out


def test_a_department_adds_up_to_the_combined_routes(dept, combined, tmp_path, capsys):
    files = [
        *dept.routes_dir.iterdir(),
        dept.sample.grades,
        dept.sample.purchases,
        dept.sample.previous_grades,
    ]
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    out = tmp_path / "out"
    assert (
        cli.main(
            [
                "batch",
                "-q",
                *district_args(dept),
                "--routes-dir",
                str(dept.routes_dir),
                "--out-dir",
                str(out),
                "--workers",
                "2",
            ]
        )
        == 0
    )
    assert "已生成 8 位客户经理的拜访表（线路客户 320 户）" in capsys.readouterr().out
    assert {p.name for p in out.iterdir()} == {f"{m}.xlsx" for m in dept.managers} | {"部门汇总.xlsx"}
    summary = out / "部门汇总.xlsx"
    assert values(summary, CHANGES_ALL)[1:] == values(combined, CHANGE_TABLE_NAME)[1:]
    assert values(summary, STANDARDS_ALL)[1:] == values(combined, STANDARDS_NAME)[1:]
    rows = values(summary, SUMMARY_NAME)
    # in pinyin order: chen huang li liu wang yang zhang zhao
    assert [r[0] for r in rows[1:-1]] == ["陈伟", "黄伟", "李伟", "刘伟", "王伟", "杨伟", "张伟", "赵伟"]
    assert sorted(dept.managers) == sorted(r[0] for r in rows[1:-1])
    assert rows[-1][0] == "合计" and rows[-1][3] == 320
    # each manager's workbook is a visit workbook titled with their name
    first = openpyxl.load_workbook(out / f"{dept.managers[0]}.xlsx")
    title = next(c.value for c in first["一线"][1] if c.value)  # above the first printed column
    assert first.sheetnames[0] == "汇总" and f"客户经理：{dept.managers[0]}" in title
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files} == before


def test_a_broken_file_is_reported_and_skipped(dept, tmp_path, capsys):
    import shutil

    routes = tmp_path / "routes"
    shutil.copytree(dept.routes_dir, routes)
    (routes / f"{dept.managers[2]}.xlsx").write_bytes(b"PK\x03\x04 broken")
    out = tmp_path / "out"
    assert (
        cli.main(["batch", "-q", *district_args(dept), "--routes-dir", str(routes), "--out-dir", str(out)])
        == 2
    )
    printed = capsys.readouterr().out
    assert (
        "已生成 7 位客户经理" in printed and f"未完成：{dept.managers[2]}" in printed and "已损坏" in printed
    )
    failed = values(out / "部门汇总.xlsx", FAILED_NAME)
    assert failed[1][:2] == (dept.managers[2], f"{dept.managers[2]}.xlsx") and "已损坏" in failed[1][2]
    assert not (out / f"{dept.managers[2]}.xlsx").exists()


def test_one_table_with_a_manager_column(dept, combined, tmp_path, capsys):
    rows = [["客户经理", "线路", "客户代码", "客户名称"]]
    for manager, path in zip(
        dept.managers, sorted(dept.routes_dir.iterdir(), key=lambda p: dept.managers.index(p.stem))
    ):
        for sheet in read_sheets(path):
            for code, name in sheet.cells.loc[4:, [1, 2]].itertuples(index=False):
                rows.append([manager, sheet.sheet, str(code), name])
    table = write_xlsx(tmp_path / "线路总表.xlsx", {"全部": rows})
    out = tmp_path / "out"
    assert (
        cli.main(["batch", "-q", *district_args(dept), "--routes-table", str(table), "--out-dir", str(out)])
        == 0
    )
    summary = out / "部门汇总.xlsx"
    assert values(summary, CHANGES_ALL)[1:] == values(combined, CHANGE_TABLE_NAME)[1:]
    assert openpyxl.load_workbook(out / f"{dept.managers[0]}.xlsx").sheetnames[1:4] == [
        "重点关注",
        "一线",
        "二线",
    ]


def test_a_table_without_the_manager_column_says_so(dept, tmp_path, capsys):
    table = write_xlsx(tmp_path / "t.xlsx", {"S": [["线路", "客户代码"], ["一线", "330781100001"]]})
    assert (
        cli.main(
            ["batch", "-q", *district_args(dept), "--routes-table", str(table), "--out-dir", str(tmp_path)]
        )
        == 2
    )
    assert "没有“客户经理”列" in capsys.readouterr().err


def test_progress_bar_counts_and_time_left():
    stream = io.StringIO()
    show = progress_bar(stream)
    show(1, 4, 2.0)
    show(4, 4, 8.0)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[██████··················] 1/4 位客户经理 · 已用 2s · 还需约 6s"
    assert lines[-1] == "[████████████████████████] 4/4 位客户经理 · 已用 8s"


@pytest.mark.libreoffice
def test_pdf_per_manager(tmp_path):

    small = department(tmp_path / "d", managers=2, customers_per_manager=30, seed=4, quirks=False)
    out = tmp_path / "out"
    assert (
        cli.main(
            [
                "batch",
                "-q",
                *district_args(small),
                "--routes-dir",
                str(small.routes_dir),
                "--out-dir",
                str(out),
                "--pdf",
                "--workers",
                "2",
            ]
        )
        == 0
    )
    for manager in small.managers:
        assert (out / f"{manager}.pdf").read_bytes().startswith(b"%PDF")


def test_a_department_recorded_in_one_transaction_with_its_trend(dept, tmp_path):
    import sqlite3

    store = tmp_path / "部门档案库.db"
    out = tmp_path / "out"
    args = [
        "batch",
        "-q",
        *district_args(dept),
        "--routes-dir",
        str(dept.routes_dir),
        "--out-dir",
        str(out),
        "--workers",
        "2",
        "--store",
        str(store),
    ]
    assert cli.main(args) == 0
    with sqlite3.connect(store) as conn:
        builds = conn.execute("select manager, count(*) from builds group by manager").fetchall()
        customers = conn.execute("select count(*) from route_customers").fetchone()[0]
        quarters = conn.execute("select code from quarters").fetchall()
    assert sorted(m for m, _ in builds) == sorted(dept.managers) and all(n == 1 for _, n in builds)
    assert customers == 320 and quarters == [("2026Q3",)]
    summary = openpyxl.load_workbook(out / "部门汇总.xlsx")
    assert summary.sheetnames[:2] == ["部门汇总", "历季趋势"]
    rows = [r for r in summary["历季趋势"].iter_rows(values_only=True) if any(v is not None for v in r)]
    by_manager = {r[0]: r[4:7] for r in values(out / "部门汇总.xlsx", "部门汇总")[1:-1]}
    total = tuple(sum(counts[i] for counts in by_manager.values()) for i in range(3))
    assert rows[2][:4] == ("季度", "提升", "保持", "下降") and rows[3][:4] == ("2026年第三季度", *total)
    assert {r[1]: r[2:5] for r in rows[6:-1]} == by_manager and rows[-1][1:5] == ("合计", *total)
    first = openpyxl.load_workbook(out / f"{dept.managers[0]}.xlsx")
    assert "重点关注" in first.sheetnames
    # recording the quarter again replaces it: still one build per manager
    assert cli.main(args) == 0
    with sqlite3.connect(store) as conn:
        assert conn.execute("select count(*) from builds").fetchone()[0] == len(dept.managers)
        assert conn.execute("select count(*) from route_customers").fetchone()[0] == 320


def test_one_process_collects_its_garbage_again_after_the_managers(dept, tmp_path):
    """A worker freezes what it holds for its whole life (the district) so the collector skips
    it; run in this process (--workers 1), the run goes on and must unfreeze."""
    import gc

    out = tmp_path / "out"
    argv = ["batch", "-q", *district_args(dept), "--routes-dir", str(dept.routes_dir), "--out-dir", str(out)]
    assert cli.main([*argv, "--workers", "1"]) == 0
    assert gc.get_freeze_count() == 0
    assert (out / "部门汇总.xlsx").exists()
