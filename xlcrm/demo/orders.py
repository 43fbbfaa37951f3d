"""A sample order detail (订单明细) as the ordering platform exports it, with the clean facts
behind it: one row per order line (客户代码, 订货日期, 订货量, 订货金额), a quarter of orders
placed on each customer's own weekday.

Customers order weekly (most), every other week, stop ordering some weeks before the as-of
date, or never order; each order has one to four lines. Generated with numpy (a department's
quarter is millions of lines) and written as a GBK CSV or as .xlsx (over several sheets when
it passes Excel's 1,048,576 rows, as exports split it).

With quirks (the demo, tests) the file holds what exports hold, each recorded in `anomalies`
with its cell: two title lines above the header, codes through a float ('330781100001.0') or
with an apostrophe, dates written 2026/7/6 and 2026年7月6日, a date that is no date, an amount
that is no number, a blank amount, lines dated after the as-of date, and a closing 合计 row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from .export_files import write_csv, write_xlsx_sheets

HEADERS = ("客户代码", "订货日期", "订货量", "订货金额")
TITLE = "订单明细"
EXCEL_ROWS = 1_048_576
_CHUNK = 200_000
# ordering habits: weekly, every other week, stopped some weeks before the as-of date, never
HABITS = ("weekly", "fortnightly", "stopped", "never")
_HABIT_SHARE = (0.80, 0.08, 0.08, 0.04)


@dataclass(frozen=True)
class OrderFile:
    path: Path
    # one row per order line as written, in file order: customer_code (clean), order_date
    # (datetime64; NaT where the cell is no date), amount (float; NaN where blank or no
    # number), sheet, excel_row
    lines: pd.DataFrame
    # one row per injected quirk: kind, customer_code, sheet, excel_row, column, detail
    anomalies: pd.DataFrame
    as_of: date


def order_lines(
    codes: np.ndarray,
    weekly_amounts: np.ndarray,
    start: date,
    as_of: date,
    *,
    seed: int = 0,
    habits: np.ndarray | None = None,
) -> pd.DataFrame:
    """The clean order lines of a quarter for `codes` (one weekly amount each, yuan): columns
    customer_code, order_date (datetime64[ns]), volume (条), amount (yuan, cents), sorted by date,
    then code. `habits`: each customer's index into HABITS (random when not given)."""
    rng = np.random.default_rng(seed)
    n = len(codes)
    if habits is None:
        habits = rng.choice(len(HABITS), size=n, p=_HABIT_SHARE)
    first_monday = start - timedelta(days=start.weekday())
    weeks = (as_of - first_monday).days // 7 + 1
    weekday = rng.integers(0, 5, size=n)  # each customer orders on its own weekday
    week = np.arange(weeks)
    orders = np.ones((n, weeks), dtype=bool)
    orders[habits == 1] = (week % 2 == 0)[None, :]
    stop = rng.integers(2, 9, size=n)  # stopped: no order in the last 2–8 weeks
    orders[habits == 2] = week[None, :] < (weeks - stop[habits == 2])[:, None]
    orders[habits == 3] = False
    orders &= rng.random((n, weeks)) > 0.03  # a week skipped now and then
    customer, at_week = np.nonzero(orders)
    day = np.datetime64(first_monday) + (7 * at_week + weekday[customer]).astype("timedelta64[D]")
    inside = (day >= np.datetime64(start)) & (day <= np.datetime64(as_of))
    customer, day = customer[inside], day[inside]
    lines = rng.integers(1, 5, size=len(customer))
    customer, day = np.repeat(customer, lines), np.repeat(day, lines)
    share = rng.uniform(0.5, 1.5, size=len(customer)) / np.repeat(lines, lines)
    amount = np.round(np.asarray(weekly_amounts, dtype=float)[customer] * share, 2)
    volume = np.maximum(1, np.round(amount / 160)).astype(np.int64)  # about 160 元 a carton
    frame = pd.DataFrame(
        {
            "customer_code": np.asarray(codes, dtype=object)[customer],
            "order_date": day.astype("datetime64[ns]"),
            "volume": volume,
            "amount": amount,
        }
    )
    return frame.sort_values(["order_date", "customer_code"], kind="stable").reset_index(drop=True)


def after_as_of(codes: np.ndarray, as_of: date, count: int, seed: int = 0) -> pd.DataFrame:
    """Lines dated in the days after the as-of date (the export ran later): never counted."""
    rng = np.random.default_rng(seed)
    picked = rng.choice(np.asarray(codes, dtype=object), size=count)
    days = np.datetime64(as_of) + rng.integers(1, 6, size=count).astype("timedelta64[D]")
    amount = np.round(rng.uniform(100, 2000, size=count), 2)
    return pd.DataFrame(
        {
            "customer_code": picked,
            "order_date": days.astype("datetime64[ns]"),
            "volume": np.maximum(1, np.round(amount / 160)).astype(np.int64),
            "amount": amount,
        }
    ).sort_values(["order_date", "customer_code"], kind="stable")


def write_orders(
    path: Path, lines: pd.DataFrame, as_of: date, *, quirks: bool = True, seed: int = 0
) -> OrderFile:
    """The lines written as the platform exports them (.csv: GBK; .xlsx: sheets of at most
    1,048,576 rows, each with the header); with `quirks`, the quirks above, recorded."""
    rng = np.random.default_rng(seed)
    path = Path(path)
    head = [[TITLE], [f"导出时间：{as_of.isoformat()} 18:00"], list(HEADERS)] if quirks else [list(HEADERS)]
    codes = lines["customer_code"].to_numpy(dtype=object).copy()
    dates = pd.Series(lines["order_date"]).dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    volumes = np.array(lines["volume"].tolist(), dtype=object)
    amounts = np.array([f"{a:.2f}" for a in lines["amount"].tolist()], dtype=object)
    clean_dates = lines["order_date"].to_numpy(dtype="datetime64[ns]").copy()
    clean_amounts = lines["amount"].to_numpy(dtype=float).copy()
    anomalies = []
    if quirks and len(lines) >= 20:
        at = rng.choice(len(lines), size=10, replace=False)

        def note(kind, i, column, detail):
            anomalies.append((kind, lines["customer_code"].iat[i], i, column, detail))

        codes[at[0]] = f"{codes[at[0]]}.0"
        note("code_float", at[0], HEADERS[0], codes[at[0]])
        codes[at[1]] = "'" + codes[at[1]]
        note("code_apostrophe", at[1], HEADERS[0], codes[at[1]])
        day = pd.Timestamp(clean_dates[at[2]])
        dates[at[2]] = f"{day.year}/{day.month}/{day.day}"
        note("date_slashes", at[2], HEADERS[1], dates[at[2]])
        day = pd.Timestamp(clean_dates[at[3]])
        dates[at[3]] = f"{day.year}年{day.month}月{day.day}日"
        note("date_chinese", at[3], HEADERS[1], dates[at[3]])
        dates[at[4]] = dates[at[4]][:8] + "32"
        clean_dates[at[4]] = np.datetime64("NaT")
        note("bad_date", at[4], HEADERS[1], dates[at[4]])
        dates[at[5]] = ""
        clean_dates[at[5]] = np.datetime64("NaT")
        note("blank_date", at[5], HEADERS[1], "")
        amounts[at[6]] = "暂无"
        clean_amounts[at[6]] = np.nan
        note("bad_amount", at[6], HEADERS[3], "暂无")
        amounts[at[7]] = ""
        clean_amounts[at[7]] = np.nan
        note("blank_amount", at[7], HEADERS[3], "")
        big = np.flatnonzero(clean_amounts >= 1000)  # thousands separators show on a big amount
        if len(big):
            at[8] = next((i for i in rng.permutation(big) if i not in at[:8]), at[8])
        amounts[at[8]] = f"{float(amounts[at[8]]):,.2f}"
        note("amount_thousands", at[8], HEADERS[3], amounts[at[8]])
        volumes[at[9]] = f" {volumes[at[9]]} "
        note("volume_spaces", at[9], HEADERS[2], volumes[at[9]])
    tail = [["合计", "", str(int(lines["volume"].sum())), f"{lines['amount'].sum():.2f}"]] if quirks else []
    columns = [codes, dates, volumes, amounts]
    per_sheet = EXCEL_ROWS - len(head) - len(tail)
    if path.suffix.lower() == ".csv":
        write_csv(path, _Sheet("订单明细", head, columns, 0, len(lines), tail))
        parts = [("", 0, len(lines))]
    else:
        bounds = list(range(0, len(lines), per_sheet)) or [0]
        parts = [
            (f"订单明细{k + 1}" if len(bounds) > 1 else "订单明细", a, min(a + per_sheet, len(lines)))
            for k, a in enumerate(bounds)
        ]
        write_xlsx_sheets(
            path, [_Sheet(name, head, columns, a, b, tail if b == len(lines) else []) for name, a, b in parts]
        )
    sheet = np.empty(len(lines), dtype=object)
    excel_row = np.zeros(len(lines), dtype=np.int64)
    for name, a, b in parts:
        sheet[a:b] = name or None
        excel_row[a:b] = np.arange(b - a) + len(head) + 1
    truth = pd.DataFrame(
        {
            "customer_code": lines["customer_code"].to_numpy(dtype=object),
            "order_date": clean_dates,
            "amount": clean_amounts,
            "sheet": sheet,
            "excel_row": excel_row,
        }
    )
    found = pd.DataFrame(anomalies, columns=["kind", "customer_code", "line", "column", "detail"])
    found["sheet"] = sheet[found["line"].to_numpy(dtype=int)] if len(found) else []
    found["excel_row"] = excel_row[found["line"].to_numpy(dtype=int)] if len(found) else []
    found = found[["kind", "customer_code", "sheet", "excel_row", "column", "detail"]]
    return OrderFile(path, truth, found.sort_values("excel_row").reset_index(drop=True), as_of)


@dataclass
class _Sheet:
    """Rows a..b of the columns as one sheet (head rows above, tail rows below), for the
    flat-export writers of export_files."""

    sheet: str
    head: list[list]
    columns: list[np.ndarray]
    a: int
    b: int
    tail: list[list]

    @property
    def n_rows(self) -> int:
        return len(self.head) + (self.b - self.a) + len(self.tail)

    @property
    def n_cols(self) -> int:
        return len(HEADERS)

    def blocks(self) -> Iterator[list[list]]:
        for row in self.head:
            yield [[v] for v in row] + [[None]] * (len(HEADERS) - len(row))
        for start in range(self.a, self.b, _CHUNK):
            stop = min(start + _CHUNK, self.b)
            yield [list(column[start:stop]) for column in self.columns]
        for row in self.tail:
            yield [[v] for v in row]


QUARTER_DAYS = {1: ((1, 1), (3, 31)), 2: ((4, 1), (6, 30)), 3: ((7, 1), (9, 30)), 4: ((10, 1), (12, 31))}


def sample_orders(
    path: Path, truth, year: int = 2026, quarter: int = 3, *, seed: int = 0, quirks: bool = True
) -> OrderFile:
    """The order detail of a sample quarter (demo.sample's SampleTruth): every route customer
    and one in ten of the district's others, ordering about their quarter's amount; a few lines
    after the quarter's last day, the as-of date."""
    rng = np.random.default_rng(seed)
    (m0, d0), (m1, d1) = QUARTER_DAYS[quarter]
    start, as_of = date(year, m0, d0), date(year, m1, d1)
    district = truth.district.set_index("customer_code")
    on_routes = pd.unique(truth.route_customers["customer_code"])
    others = district.index.difference(on_routes)
    others = others[rng.random(len(others)) < 0.1]
    codes = np.concatenate([on_routes, others.to_numpy(dtype=object)])
    amounts = district["amount"].reindex(codes).to_numpy(dtype=float)
    weekly = np.where(np.isnan(amounts), 2_000.0, amounts) / 13
    lines = order_lines(codes, weekly, start, as_of, seed=seed)
    if quirks:
        lines = pd.concat([lines, after_as_of(on_routes, as_of, 5, seed)], ignore_index=True)
    return write_orders(path, lines, as_of, quirks=quirks, seed=seed)
