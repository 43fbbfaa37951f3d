"""A sample visit log (拜访记录) as a manager keeps it, so `xlcrm demo` shows 上次拜访, 跟进提醒
and the visits per route: about one visit for every two route customers over the quarter up to
the as-of date, a third of them with a next step and its date (a few already done), dates
written as managers write them (date cells, 2026/8/3, 2026年8月3日), and two rows that show
how a problem is listed: a code on no route and a next step without its date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import openpyxl

HEADERS = ["日期", "客户代码", "客户名称", "方式", "内容", "客户需求", "下一步", "跟进日期", "已完成"]
TALKS = [
    ("介绍新品", "想要新品样品", "带新品样品"),
    ("讲解价格政策", "要价目表", "送价目表"),
    ("查看陈列", "想换陈列架", "回访陈列"),
    ("核对上周订单", None, None),
    ("了解经营情况", None, None),
]
METHODS = ["走访", "走访", "走访", "电话", "微信"]
NOT_ON_ROUTE = "330781999999"


@dataclass(frozen=True)
class VisitFile:
    path: Path
    rows: int


def sample_visits(path: Path, codes, first: date, as_of: date, *, seed: int = 0) -> VisitFile:
    """The log of the route customers `codes` between `first` and `as_of`, written to `path` (.xlsx)."""
    rng = np.random.default_rng(seed)
    codes = sorted(set(codes))
    chosen = rng.choice(len(codes), size=max(1, len(codes) // 2), replace=False)
    span = (as_of - first).days
    entries = []  # (day, row without its date): sorted by day before the dates are written
    for at in sorted(chosen):
        day = first + timedelta(days=int(rng.integers(0, span + 1)))
        talk, need, step = TALKS[int(rng.integers(len(TALKS)))]
        follow = day + timedelta(days=int(rng.integers(3, 15))) if step else None
        done = ("是" if follow < as_of - timedelta(days=10) else "否") if follow else None
        method = METHODS[int(rng.integers(len(METHODS)))]
        entries.append((day, [codes[at], None, method, talk, need, step, follow, done]))
    last = as_of - timedelta(days=2)
    entries.append((last, [NOT_ON_ROUTE, "新开的店", "走访", "了解经营情况", None, None, None, None]))
    entries.append((last, [codes[0], None, "电话", "约下次陈列", None, "回访陈列", None, "否"]))
    entries.sort(key=lambda e: e[0])
    rows = [[_written(day, k), *row] for k, (day, row) in enumerate(entries)]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "拜访记录"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in (cells[0], cells[7]):
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
        cells[1].data_type = "s"  # codes stay text
    book.save(path)
    return VisitFile(Path(path), len(rows))


def _written(day: date, k: int):
    """A date cell, 2026/8/3 or 2026年8月3日, one after the other."""
    forms = [datetime(day.year, day.month, day.day), f"{day.year}/{day.month}/{day.day}"]
    return [*forms, f"{day.year}年{day.month}月{day.day}日"][k % 3]


def department_visits(folder: Path, routes_dir: Path, first: date, as_of: date, *, seed: int = 0) -> Path:
    """One log per manager in `folder`, named as their route workbook is (张三.xlsx), for
    `xlcrm batch --visits-dir`."""
    from ..io.input_files import load_routes

    folder.mkdir(parents=True, exist_ok=True)
    for k, routes in enumerate(sorted(routes_dir.glob("*.xlsx"))):
        codes = load_routes(routes, typed=False).customers["customer_code"].dropna()
        sample_visits(folder / routes.name, codes, first, as_of, seed=seed + k)
    return folder
