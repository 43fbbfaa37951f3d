"""Several consecutive quarters of one district and one manager's routes, with the clean facts
behind them: for the customer store's tests, benchmarks and a demo with history.

Each quarter has its grade table (2008 code), purchase table and the manager's route workbook.
Grades move a step now and then; a few customers are set up for every alert: falling two
quarters running, buying exactly 30 % less, holding a grade for a year close to its floor,
leaving the routes. Some customers miss a quarter's grade or purchase table. Route sheets carry
phone numbers (in their own column and inside the address), which the store must never keep.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from ..core.quarters import Quarter

SEGMENTS = ("CZ", "CB", "CS", "CY", "XZ", "XB", "XS", "XY")
ROUTES = ("一线", "二线", "三线", "四线", "五线")
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五")
QUARTER_NAMES = "一二三四"
ROUTE_HEADERS = ("序号", "客户代码", "客户名称", "负责人", "经营地址", "联系电话")


@dataclass(frozen=True)
class QuarterFiles:
    quarter: Quarter
    grades: Path
    purchases: Path
    routes: Path


@dataclass(frozen=True)
class HistorySample:
    files: list[QuarterFiles]  # oldest first
    # per quarter (Quarter.index): customer_code, grade (None: not in that grade table),
    # segment, volume, amount (NaN: not in that purchase table)
    district: dict[int, pd.DataFrame]
    # per quarter: the route customers: customer_code, route, weekday, name, owner, address, phone
    routes: dict[int, pd.DataFrame]
    # customer codes set up for each alert kind in the last quarter
    planted: dict[str, list[str]]


def generate_quarters(
    out_dir: Path,
    *,
    first: Quarter = Quarter(2025, 3),
    count: int = 5,
    district: int = 400,
    route_customers: int = 120,
    seed: int = 0,
    manager: str = "张三",
) -> HistorySample:
    if count < 4 or route_customers < 40 or district < route_customers * 2:
        raise ValueError("need at least 4 quarters, 40 route customers and a district twice as big")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    codes = np.array([f"3307811{n:05d}" for n in rng.choice(100_000, district, replace=False)], dtype=object)
    segment = rng.choice(SEGMENTS, district)
    size = np.empty((count, district), dtype=np.int64)
    size[0] = rng.integers(1, 4, district)
    for q in range(1, count):
        step = rng.choice([-1, 0, 0, 0, 0, 0, 1], district)
        size[q] = np.clip(size[q - 1] + step, 1, 3)
    base = np.round(rng.lognormal(5.3, 0.5, district))
    volume = np.round(base * rng.uniform(0.8, 1.2, (count, district)))
    in_grades = rng.random((count, district)) > 0.03
    in_purchases = rng.random((count, district)) > 0.05
    on_routes = np.zeros((count, district), dtype=bool)
    members = rng.choice(district, route_customers, replace=False)
    on_routes[:, members] = True
    route_of = rng.integers(0, len(ROUTES), district)

    # planted cases, all among route customers, in the last quarter
    last = count - 1
    plant = {
        kind: list(members[i * 3 : (i + 1) * 3])
        for i, kind in enumerate(
            ("down_twice", "volume_drop", "near_drop", "long_holder_at_risk", "left_routes")
        )
    }
    for i in plant["down_twice"]:
        size[last - 3 :, i] = [1, 1, 2, 3][-(count - (last - 3)) :]
        in_grades[last - 2 :, i] = True
    for i, (before, now) in zip(plant["volume_drop"], [(90, 63), (100, 70), (200, 50)]):
        volume[last - 1, i], volume[last, i] = before, now
        in_purchases[last - 1 :, i] = True
        in_grades[last - 1 :, i] = True
    for i, (before, now) in zip(plant["near_drop"], [(90, 64), (100, 71), (0, 0)]):
        volume[last - 1, i], volume[last, i] = before, now
        in_purchases[last - 1 :, i] = True
        in_grades[last - 1 :, i] = True
    for i in plant["long_holder_at_risk"]:
        size[last - 3 :, i] = size[last, i]
        in_grades[last - 3 :, i] = True
        in_purchases[last, i] = True
    for i in plant["left_routes"]:
        on_routes[last, i] = False
    # the lowest holder of a planted long holder's grade buys just below it: within the 10 % margin
    for i in plant["long_holder_at_risk"]:
        peers = np.flatnonzero(
            (segment == segment[i]) & (size[last] == size[last, i]) & in_grades[last] & in_purchases[last]
        )
        volume[last, i] = max(1.0, float(volume[last, peers].min()))
    price = np.round(rng.uniform(120, 200, district), 2)

    files, truth, routes = [], {}, {}
    for q in range(count):
        quarter = first.shifted(q)
        grade = np.array([f"{s}{d}" for s, d in zip(segment, size[q])], dtype=object)
        frame = pd.DataFrame(
            {
                "customer_code": codes,
                "grade": np.where(in_grades[q], grade, None),
                "segment": segment,
                "volume": np.where(in_purchases[q], volume[q], np.nan),
                "amount": np.where(in_purchases[q], np.round(volume[q] * price, 2), np.nan),
            }
        )
        truth[quarter.index] = frame
        mine = np.flatnonzero(on_routes[q])
        routes[quarter.index] = pd.DataFrame(
            {
                "customer_code": codes[mine],
                "route": [ROUTES[r] for r in route_of[mine]],
                "weekday": [WEEKDAYS[r] for r in route_of[mine]],
                "name": [f"{c[-4:]}号店" for c in codes[mine]],
                "owner": [f"店主{c[-3:]}" for c in codes[mine]],
                "address": [f"城关镇{int(c[-3:])}号 电话13{c[-9:]}" for c in codes[mine]],
                "phone": [f"13{c[-9:]}" for c in codes[mine]],
            }
        )
        stem = f"{quarter.year}年{QUARTER_NAMES[quarter.number - 1]}季度"
        paths = QuarterFiles(
            quarter,
            out / f"{stem}客户等级表.xlsx",
            out / f"{stem}客户购进量与购进额.xlsx",
            out / f"{stem}零售客户拜访线路表.xlsx",
        )
        _grade_table(paths.grades, frame[frame["grade"].notna()])
        _purchase_table(paths.purchases, frame[frame["volume"].notna()])
        _route_workbook(paths.routes, routes[quarter.index], manager)
        files.append(paths)
    planted = {kind: [codes[i] for i in rows] for kind, rows in plant.items()}
    return HistorySample(files, truth, routes, planted)


def _grade_table(path: Path, rows: pd.DataFrame) -> None:
    _flat(
        path,
        ["客户代码", "客户名称", "业态", "客户等级"],
        [
            [c, f"{c[-4:]}号店", s, g]
            for c, s, g in zip(rows["customer_code"], rows["segment"], rows["grade"])
        ],
    )


def _purchase_table(path: Path, rows: pd.DataFrame) -> None:
    _flat(
        path,
        ["客户代码", "购进量", "购进额"],
        [[c, v, a] for c, v, a in zip(rows["customer_code"], rows["volume"], rows["amount"])],
    )


def _flat(path: Path, header: list[str], rows: list[list]) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = book.add_worksheet("Sheet1")
    sheet.write_row(0, 0, header)
    for r, values in enumerate(rows, start=1):
        sheet.write_row(r, 0, values)
    book.close()


def _route_workbook(path: Path, customers: pd.DataFrame, manager: str) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    for route in ROUTES:
        sheet = book.add_worksheet(route)
        sheet.write(0, 0, "零售客户拜访线路表")
        sheet.write(1, 0, f"客户经理：{manager}    线路：{route}")
        sheet.write_row(2, 0, ROUTE_HEADERS)
        mine = customers[customers["route"] == route]
        for r, values in enumerate(
            mine[["customer_code", "name", "owner", "address", "phone"]].itertuples(index=False, name=None),
            start=3,
        ):
            sheet.write_row(r, 0, [r - 2, *values])
    book.close()
