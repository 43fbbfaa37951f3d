"""The order detail reduced per customer (core.orders), checked against figures computed
independently from the lines written: last order day, distinct order days, summed amounts,
lines after the as-of date left out, and every line that cannot count listed at its cell."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from support import raw_sheets
from xlcrm.core.inputs import ORDERS, load_table
from xlcrm.core.keys import code_keys
from xlcrm.core.orders import day_of, iso_days, off_routes, prepare_orders

AS_OF = dt.date(2026, 6, 30)
HEAD = [["订单明细"], ["导出时间：2026-07-01"], ["客户代码", "订货日期", "订货量", "订货金额"]]


def oracle(lines: list[tuple[str, dt.date | None, str | None]], as_of: dt.date) -> dict[str, tuple]:
    """code → (last order date, distinct order dates, summed amount as Decimal, lines), from
    the clean lines: dated on or before as_of; a blank amount adds nothing."""
    found: dict[str, list] = {}
    for code, day, amount in lines:
        if day is None or day > as_of:
            continue
        found.setdefault(code, []).append((day, Decimal(amount) if amount else Decimal(0)))
    return {
        code: (max(d for d, _ in got), len({d for d, _ in got}), sum(a for _, a in got), len(got))
        for code, got in found.items()
    }


def figures_by_code(orders, codes: list[str]) -> dict[str, tuple]:
    keys = code_keys(pd.Series(codes, dtype="string"))[0]
    found, has = orders.find(keys)
    return {
        code: (day_of(row.last_day), int(row.frequency), Decimal(int(row.cents)) / 100, None)
        for code, row, h in zip(codes, found.itertuples(), has)
        if h
    }


def test_each_customer_s_figures_and_every_line_that_cannot_count_at_its_cell():
    rows = HEAD + [
        ["330781100001", "2026-06-01", "2", "100.10"],
        ["330781100001", "2026/6/15", "1", "50.5"],
        ["330781100001", "2026年6月15日", "1", "0.40"],  # the same day again: one order day
        [330781100001.0, "2026-06-15 09:30:00", "1", ""],  # a code through a float; no amount
        ["'330781100002", "2026-06-30", "1", "1,200.00"],  # on the as-of date: counts
        ["330781100002", "2026-07-01", "1", "999"],  # after it: not counted
        ["３３０７８１１００００３", "2026-06-02", "1", "暂无"],  # full-width code; unreadable amount
        ["330781100004", "2026-06-31", "1", "5"],  # no such day
        ["330781100004", "", "1", "5"],  # no date at all
        ["abc", "2026-06-03", "1", "5"],  # no code
        ["合计", "", "8", "1356.00"],
    ]
    table = load_table(raw_sheets("订单.xlsx", {"明细": rows}), ORDERS)
    orders = prepare_orders(table, AS_OF)
    assert figures_by_code(orders, ["330781100001", "330781100002", "330781100003", "330781100004"]) == {
        "330781100001": (dt.date(2026, 6, 15), 2, Decimal("151.00"), None),
        "330781100002": (dt.date(2026, 6, 30), 1, Decimal("1200.00"), None),
        "330781100003": (dt.date(2026, 6, 2), 1, Decimal("0.00"), None),
    }
    assert orders.later == 1 and orders.read == 9
    found = {(i.kind, i.source) for i in orders.issues.itertuples()}
    assert found == {
        ("bad_number", "订单.xlsx › 明细 › D7"),  # blank amount: counts as an order of 0 元
        ("bad_number", "订单.xlsx › 明细 › D10"),  # 暂无
        ("bad_date", "订单.xlsx › 明细 › B11"),  # 2026-06-31
        ("bad_date", "订单.xlsx › 明细 › B12"),  # blank
        ("bad_code", "订单.xlsx › 明细 › A13"),
        ("total_row", "订单.xlsx › 明细 › 第14行"),
        ("orders_not_counted", "订单.xlsx › 明细"),  # the line after the as-of date, counted
    }
    details = dict(zip(orders.issues["source"], orders.issues["detail"]))
    assert "2026-06-31" in details["订单.xlsx › 明细 › B11"] and "未计入" in details["订单.xlsx › 明细 › B11"]
    assert details["订单.xlsx › 明细"].startswith("1 行订单的订货日期晚于计算日期 2026-06-30")


def test_the_order_date_s_usual_names_and_a_missing_column():
    rows = [["客户编码", "下单日期", "订单金额"], ["330781100001", "20260601", "10"]]
    table = load_table(raw_sheets("订单.csv", {"S": rows}), ORDERS)
    assert table.rows["order_date"].tolist() == [pd.Timestamp("2026-06-01")]
    import pytest

    from xlcrm.core.errors import XlcrmError

    with pytest.raises(XlcrmError, match="找不到订货日期列"):
        load_table(raw_sheets("订单.csv", {"S": [["客户代码", "订货金额"], ["330781100001", "1"]]}), ORDERS)


def test_ordering_customers_on_no_route_are_counted_once():
    rows = HEAD + [
        ["330781100001", "2026-06-01", "1", "10"],
        ["330781100008", "2026-06-01", "1", "10"],
        ["330781100008", "2026-06-08", "1", "10"],
        ["330781100009", "2026-06-08", "1", "10"],
    ]
    orders = prepare_orders(load_table(raw_sheets("订单.csv", {"S": rows}), ORDERS), AS_OF)
    keys = code_keys(pd.Series(["330781100001", "330781100002"], dtype="string"))[0]
    (issue,) = off_routes(orders, keys, "您的").itertuples()
    assert issue.kind == "orders_not_counted" and issue.source == "订单.csv › S"
    assert issue.detail.startswith("订单明细中有 2 个客户代码（3 行订单）不在您的线路上")
    all_keys = code_keys(pd.Series(["330781100001", "330781100008", "330781100009"], dtype="string"))[0]
    assert off_routes(orders, all_keys, "您的").empty


codes = st.sampled_from([f"3307811000{i:02d}" for i in range(12)])
days = st.dates(dt.date(2026, 3, 20), dt.date(2026, 7, 10))
cents = st.integers(0, 10**9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(codes, st.one_of(st.none(), days), st.one_of(st.none(), cents)), max_size=60))
def test_figures_equal_an_independent_count_of_random_lines(lines):
    as_of = dt.date(2026, 6, 30)
    written = [
        (c, d.isoformat() if d else "", f"{a / 100:.2f}" if a is not None else "") for c, d, a in lines
    ]
    rows = [["客户代码", "订货日期", "订货金额"], *[list(w) for w in written]]
    truth = oracle([(c, d, f"{a / 100:.2f}" if a is not None else None) for c, d, a in lines], as_of)
    if not any(r[0] for r in rows[1:]):
        return  # no line at all: the table would be empty (an error, checked elsewhere)
    orders = prepare_orders(load_table(raw_sheets("o.csv", {"S": rows}), ORDERS), as_of)
    got = figures_by_code(orders, sorted({c for c, _, _ in lines}))
    assert got == {c: (d, f, a, None) for c, (d, f, a, _) in truth.items()}
    assert orders.figures["lines"].sum() == sum(n for *_, n in truth.values())
    assert orders.later == sum(1 for _, d, _ in lines if d and d > as_of)
    assert np.all(np.diff(orders.figures["key"].to_numpy()) > 0)  # sorted by key, once each


@given(st.lists(st.dates(dt.date(1971, 1, 1), dt.date(2199, 12, 31)), max_size=30))
def test_day_numbers_written_as_days(days):
    """iso_days: the day numbers of dates (counted here from 1970-01-01 by ordinal) as the dates' text."""
    numbers = np.array([d.toordinal() - dt.date(1970, 1, 1).toordinal() for d in days], dtype=np.int64)
    assert iso_days(numbers).tolist() == [d.isoformat() for d in days]


def test_a_missing_amount_column_is_named_in_the_order_detail_s_words():
    """The order detail's amount is its 订货金额, not the purchase table's 购进额 (the role is
    shared, the words are not)."""
    import pytest

    from xlcrm.core.errors import XlcrmError
    from xlcrm.core.inputs import PURCHASES

    lines = [["客户代码", "订货日期", "订货量"], ["330781100001", "2026-06-01", "3"]]
    with pytest.raises(XlcrmError) as caught:
        load_table(raw_sheets("订单.csv", {"S": lines}), ORDERS)
    assert "找不到订货金额列（表头应为 订货金额/订单金额/订购金额 等）" in caught.value.message
    assert "购进" not in caught.value.message and "--column amount=列名" in caught.value.message
    with pytest.raises(XlcrmError, match="找不到购进额列"):  # the purchase table keeps its own
        load_table(raw_sheets("购进.csv", {"S": [["客户代码", "购进量"], ["330781100001", "3"]]}), PURCHASES)
