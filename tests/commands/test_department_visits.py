"""`xlcrm batch --visits-dir`: each manager's visit log (their file in the folder, else the
拜访记录 sheet of their route workbook) gives their workbook what `build --visits` gives it,
and 部门汇总 the coverage and follow-ups per manager — checked against figures computed here
from the logs the test writes and the route workbooks' own cells."""

from __future__ import annotations

import csv
import datetime as dt
import random
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from support import write_xlsx
from xlcrm.commands import cli
from xlcrm.commands.department_run import (
    DepartmentOptions,
    prepare,
    routes_in_folder,
    run_department,
    visit_logs_in_folder,
)
from xlcrm.core.quarter import ReviewSettings
from xlcrm.demo.department import department
from xlcrm.io.input_files import load_visit_logs

AS_OF = dt.date(2026, 8, 20)  # the department's quarter is 2026年三季度: visits count from 07-01
QUARTER_START = dt.date(2026, 7, 1)
HEAD = ["日期", "客户代码", "客户名称", "方式", "内容", "客户需求", "下一步", "跟进日期", "已完成"]


@pytest.fixture(scope="module")
def dept(tmp_path_factory):
    return department(
        tmp_path_factory.mktemp("dept"), managers=4, customers_per_manager=30, seed=7, quirks=False
    )


def route_codes(path: Path) -> set[str]:
    """A manager's route customers as their workbook holds them: column B from row 4 of each sheet."""
    book = openpyxl.load_workbook(path, read_only=True)
    return {
        str(row[1]).strip()
        for sheet in book.worksheets
        if sheet.title != "拜访记录"
        for row in sheet.iter_rows(min_row=4, values_only=True)
        if len(row) > 1 and row[1]
    }


def made_log(codes: set[str], seed: int, rows: int = 60) -> list[list]:
    """Visits of the manager's customers (and one stranger) from June to after the as-of
    date, follow-ups open and done, as a manager types them."""
    rng = random.Random(seed)
    pool = sorted(codes) + ["330781999999"]
    log = []
    for i in range(rows):
        visit = AS_OF + dt.timedelta(days=rng.randint(-75, 2))
        follow = visit + dt.timedelta(days=rng.randint(0, 20)) if rng.random() < 0.6 else None
        step = "回访" if follow is not None or rng.random() < 0.2 else None
        done = rng.choice(["是", "否", ""])
        log.append([visit.isoformat(), rng.choice(pool), None, "走访", f"第{i}次", None, step, follow, done])
    return log


def figures(log: list[list], codes: set[str]) -> tuple:
    """(route customers, visited this quarter, open follow-ups, overdue), by hand."""
    visited = {
        code
        for day, code, *_ in log
        if code in codes and QUARTER_START <= dt.date.fromisoformat(day) <= AS_OF
    }
    open_ = [r for r in log if (r[6] is not None or r[7] is not None) and r[8] != "是"]
    overdue = [r for r in open_ if r[7] is not None and r[7] < AS_OF]
    return len(codes), len(visited), len(open_), len(overdue)


def as_cells(log: list[list]) -> list[list]:
    return [[*r[:7], None if r[7] is None else r[7].isoformat(), r[8]] for r in log]


@pytest.fixture(scope="module")
def folders(dept, tmp_path_factory):
    """Manager 0: 张三.xlsx-style file; 1: a CSV named 某某拜访记录; 2: the log kept in their route
    workbook; 3: no log at all. One file in the folder is nobody's."""
    work = tmp_path_factory.mktemp("visits")
    routes, visits = work / "线路表", work / "拜访记录"
    shutil.copytree(dept.routes_dir, routes)
    visits.mkdir()
    m = dept.managers
    codes = {name: route_codes(routes / f"{name}.xlsx") for name in m}
    logs = {name: made_log(codes[name], seed=k) for k, name in enumerate(m[:3])}
    write_xlsx(visits / f"{m[0]}.xlsx", {"拜访记录": [HEAD, *as_cells(logs[m[0]])]})
    with open(visits / f"{m[1]}拜访记录.csv", "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([HEAD, *as_cells(logs[m[1]])])
    book = openpyxl.load_workbook(routes / f"{m[2]}.xlsx")
    sheet = book.create_sheet("拜访记录")
    for row in [HEAD, *as_cells(logs[m[2]])]:
        sheet.append(row)
    book.save(routes / f"{m[2]}.xlsx")
    write_xlsx(visits / "周末加班.xlsx", {"拜访记录": [HEAD, *as_cells(logs[m[0]][:3])]})
    return {"routes": routes, "visits": visits, "codes": codes, "logs": logs}


def batch_args(dept, folders, out: Path) -> list[str]:
    s = dept.sample
    return [
        "batch",
        "-q",
        "--grades",
        str(s.grades),
        "--purchases",
        str(s.purchases),
        "--previous-grades",
        str(s.previous_grades),
        "--routes-dir",
        str(folders["routes"]),
        "--visits-dir",
        str(folders["visits"]),
        "--out-dir",
        str(out),
        "--as-of",
        AS_OF.isoformat(),
        "--workers",
        "2",
    ]


@pytest.fixture(scope="module")
def ran(dept, folders, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    capture = pytest.MonkeyPatch()
    lines = []
    capture.setattr("builtins.print", lambda *a, **k: lines.append(" ".join(map(str, a))))
    try:
        code = cli.main(batch_args(dept, folders, out))
    finally:
        capture.undo()
    return {"out": out, "code": code, "said": "\n".join(lines)}


def visit_rows(path: Path) -> list[tuple]:
    """The visits block of 部门汇总: from its header row to its 合计 row."""
    rows = list(openpyxl.load_workbook(path)["部门汇总"].iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if r[1] == "拜访记录")
    end = next(i for i in range(top, len(rows)) if rows[i][0] == "合计")
    return [r[:7] for r in rows[top + 1 : end + 1]]


def test_the_department_shows_each_managers_coverage_and_follow_ups(dept, folders, ran):
    assert ran["code"] == 0
    m, logs, codes = dept.managers, folders["logs"], folders["codes"]
    expected = {
        m[0]: (f"{m[0]}.xlsx", *figures(logs[m[0]], codes[m[0]])),
        m[1]: (f"{m[1]}拜访记录.csv", *figures(logs[m[1]], codes[m[1]])),
        m[2]: (f"{m[2]}.xlsx › 拜访记录", *figures(logs[m[2]], codes[m[2]])),
        m[3]: ("（无拜访记录）", len(codes[m[3]]), 0, 0, 0),
    }
    rows = visit_rows(ran["out"] / "部门汇总.xlsx")
    shown = {r[0]: (r[1], r[2], r[3], r[5], r[6]) for r in rows[:-1]}
    assert shown == expected
    for r in rows[:-1]:
        assert r[4] == pytest.approx(r[3] / r[2])  # coverage: visited ÷ route customers
    assert all(e[2] > 0 and e[3] > 0 and e[4] > 0 for e in list(expected.values())[:3])  # not vacuous
    total = rows[-1]
    sums = [sum(e[i] for e in expected.values()) for i in range(1, 5)]
    assert total[0] == "合计" and total[1] == "3 位有拜访记录，1 位没有"
    assert (total[2], total[3], total[5], total[6]) == tuple(sums)
    assert total[4] == pytest.approx(sums[1] / sums[0])


def test_a_file_that_is_nobodys_log_is_said_and_listed(ran):
    assert "拜访记录 周末加班.xlsx：文件名不是哪位客户经理的姓名" in ran["said"]
    sheet = openpyxl.load_workbook(ran["out"] / "部门汇总.xlsx")["数据问题（辖区表）"]
    found = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] == "拜访记录对不上客户经理"]
    assert [r[2] for r in found] == ["周末加班.xlsx"]


def follow_up_sheet(path: Path) -> list[tuple]:
    return [r for r in openpyxl.load_workbook(path)["跟进提醒"].iter_rows(min_row=3, values_only=True)]


def test_each_managers_workbook_is_what_build_visits_writes(dept, folders, ran, tmp_path):
    """跟进提醒 and the visit columns of a manager's batch workbook are those `xlcrm build
    --visits` writes from the same route workbook and log."""
    m = dept.managers
    s = dept.sample
    for name, log in ((m[0], folders["visits"] / f"{m[0]}.xlsx"), (m[2], folders["routes"] / f"{m[2]}.xlsx")):
        out = tmp_path / f"{name}.xlsx"
        argv = ["build", "-q", "--routes", str(folders["routes"] / f"{name}.xlsx"), "--grades", str(s.grades)]
        argv += ["--purchases", str(s.purchases), "--previous-grades", str(s.previous_grades)]
        argv += ["--visits", str(log), "--as-of", AS_OF.isoformat(), "--out", str(out)]
        assert cli.main(argv) == 0
        batch = ran["out"] / f"{name}.xlsx"
        assert follow_up_sheet(batch) == follow_up_sheet(out) and len(follow_up_sheet(out)) > 2
        first, again = openpyxl.load_workbook(batch)["一线"], openpyxl.load_workbook(out)["一线"]
        heads = [str(c.value or "").replace("\n", "") for c in first[3]]
        at = [heads.index(h) for h in ("客户代码", "上次拜访", "待跟进", "下一步")]
        assert [[r[i] for i in at] for r in first.iter_rows(min_row=4, values_only=True)] == [
            [r[i] for i in at] for r in again.iter_rows(min_row=4, values_only=True)
        ]
        caption = next(
            r[0]
            for r in openpyxl.load_workbook(batch)["汇总"].iter_rows(values_only=True)
            if str(r[0] or "").startswith("本季拜访")
        )
        assert caption.startswith(f"本季拜访（2026-07-01 至 {AS_OF}）")
    # the manager without a log still gets the columns and an empty 跟进提醒
    none = openpyxl.load_workbook(ran["out"] / f"{m[3]}.xlsx")
    assert "跟进提醒" in none.sheetnames and "上次拜访" in [
        str(c.value or "").replace("\n", "") for c in none["一线"][3]
    ]


def test_visits_are_recorded_with_the_department(dept, folders, tmp_path):
    store = tmp_path / "部门档案库.db"
    argv = [*batch_args(dept, folders, tmp_path / "out"), "--store", str(store)]
    assert cli.main(argv) == 0
    assert cli.main(argv) == 0  # recorded again: each visit still once
    logs = folders["logs"]
    with sqlite3.connect(store) as conn:
        kept = conn.execute("select customer_code, count(*) from visits group by customer_code").fetchall()
        managers = dict(conn.execute("select manager, count(*) from visits group by manager").fetchall())
    expected: dict[str, int] = {}
    for log in logs.values():
        for row in log:
            expected[row[1]] = expected.get(row[1], 0) + 1
    assert dict(kept) == expected
    assert managers == {name: len(log) for name, log in logs.items()}


def test_two_logs_for_one_manager_are_said_and_that_manager_is_not_built(dept, folders, tmp_path, capsys):
    visits = tmp_path / "拜访记录"
    shutil.copytree(folders["visits"], visits)
    m = dept.managers
    shutil.copyfile(visits / f"{m[0]}.xlsx", visits / f"{m[0]}拜访记录.xlsx")
    argv = batch_args(dept, {**folders, "visits": visits}, tmp_path / "out")
    assert cli.main(argv) == 2
    said = capsys.readouterr().out
    assert f"未完成：{m[0]}" in said and f"{m[0]}.xlsx、{m[0]}拜访记录.xlsx；请只留一个" in said
    assert not (tmp_path / "out" / f"{m[0]}.xlsx").exists()
    assert (tmp_path / "out" / f"{m[1]}.xlsx").exists()


def test_a_log_that_cannot_be_read_stops_only_its_manager(dept, folders, tmp_path, capsys):
    """Logs are read together, ahead of the managers' runs: one bad file is still its manager's
    failure, said as build --visits says it, and everyone else is built."""
    visits = tmp_path / "拜访记录"
    shutil.copytree(folders["visits"], visits)
    m = dept.managers
    write_xlsx(visits / f"{m[0]}.xlsx", {"拜访记录": [["客户代码", "客户名称"], ["330781100001", "甲店"]]})
    (visits / f"{m[1]}拜访记录.csv").write_bytes(b"")  # an empty file: nothing to read
    argv = batch_args(dept, {**folders, "visits": visits}, tmp_path / "out")
    assert cli.main(argv) == 2
    said = capsys.readouterr().out
    assert f"未完成：{m[0]}（{m[0]}.xlsx）：" in said and "找不到日期列" in said
    assert f"未完成：{m[1]}" in said and "是空的（0 字节）" in said
    for name in m[2:]:
        assert (tmp_path / "out" / f"{name}.xlsx").exists()


def test_an_order_detail_that_cannot_be_read_is_said_as_one_line(dept, folders, tmp_path, capsys):
    """The order detail is read beside the district's tables: its problem is still one line."""
    orders = tmp_path / "订单明细.csv"
    orders.write_text("客户代码,订货金额\n330781100001,120\n", encoding="utf-8")
    argv = batch_args(dept, folders, tmp_path / "out") + ["--orders", str(orders)]
    assert cli.main(argv) == 2
    said = capsys.readouterr()
    assert "订单明细.csv" in said.err + said.out and "Traceback" not in said.err
    assert not list((tmp_path / "out").glob("*.xlsx"))


def test_a_district_that_cannot_be_read_stops_the_reading_beside_it(dept, folders, tmp_path, capsys):
    """The logs and the order detail are read in a process beside the district's tables: when
    the district fails, that process is stopped, not left running."""
    import multiprocessing

    broken = tmp_path / "本季等级表.xlsx"
    broken.write_bytes(b"not a workbook at all")
    argv = batch_args(dept, folders, tmp_path / "out")
    argv[argv.index("--grades") + 1] = str(broken)
    assert cli.main(argv) == 2
    assert "错误：本季等级表.xlsx" in capsys.readouterr().err
    assert not [p for p in multiprocessing.active_children() if p.name == "xlcrm-read-ahead"]


def test_the_pool_works_from_the_logs_read_ahead(dept, folders, tmp_path):
    """The logs read ahead reach the pool's workers (with the district, or with each job): no
    worker reads a log file again — here the files are no longer where the jobs say."""
    s = dept.sample
    jobs, _ = visit_logs_in_folder(folders["visits"], routes_in_folder(folders["routes"]))
    jobs = [job for job in jobs if len(job.visits) == 1]
    read = load_visit_logs([job.visits[0] for job in jobs])
    gone = tmp_path / "gone"
    jobs = [replace(job, log=log, visits=(gone / job.visits[0].name,)) for job, log in zip(jobs, read)]
    district = prepare(s.grades, s.purchases, s.previous_grades, ReviewSettings())
    options = DepartmentOptions(
        tmp_path / "out", ReviewSettings(), None, False, False, as_of=AS_OF, visits=True
    )
    summaries, failures = run_department(jobs, district, options, workers=2)
    assert failures == [] and len(summaries) == 2
    logs, codes = folders["logs"], folders["codes"]
    for summary in summaries:
        v = summary.visits
        assert (v.customers, v.visited, v.open, v.overdue) == figures(
            logs[summary.manager], codes[summary.manager]
        )
