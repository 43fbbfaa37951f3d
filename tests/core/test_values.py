"""Value classes (core.values) against an independent reckoning: ABC with exact fractions over
the amounts as written, RFM with statistics.median, the no_order alert by counting days —
ties, exact 70 %/90 % boundaries, customers without an amount or without orders, even and
odd counts for the medians, recency exactly at the alert's line."""

from __future__ import annotations

import datetime as dt
import statistics
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support import raw_sheets, reviewed
from xlcrm.core.errors import XlcrmError
from xlcrm.core.history import outlook
from xlcrm.core.inputs import ORDERS, load_table
from xlcrm.core.orders import prepare_orders
from xlcrm.core.values import (
    ValueSettings,
    abc_classes,
    customer_values,
    no_order_days,
    parse_abc,
    rfm_segments,
)

# (R high, F high, M high) → group, as the issue names them
GROUPS = {
    "HHH": "重要价值客户",
    "HLH": "重要发展客户",
    "LHH": "重要保持客户",
    "LLH": "重要挽留客户",
    "HHL": "一般价值客户",
    "HLL": "一般发展客户",
    "LHL": "一般保持客户",
    "LLL": "一般挽留客户",
}


def abc_oracle(codes: list, amounts: list, shares=(Fraction(7, 10), Fraction(9, 10))) -> list[str]:
    """Sorted by amount descending, then code; A while the share of everyone before is under
    the first share, B under the second; no (or a negative) amount, or a zero total: C."""
    have = [(c, Fraction(repr(a))) for c, a in zip(codes, amounts) if a is not None and a == a and a >= 0]
    total = sum(a for _, a in have)
    found = {}
    before = Fraction(0)
    for code, amount in sorted(have, key=lambda ca: (-ca[1], ca[0])):
        share = before / total if total > 0 else None
        if share is None:
            found[code] = "C"
        else:
            found[code] = "A" if share < shares[0] else "B" if share < shares[1] else "C"
        before += amount
    return [found.get(c, "C") for c in codes]


def classes(codes, amounts, shares=(Fraction(7, 10), Fraction(9, 10))) -> list[str]:
    return list(abc_classes(pd.Series(codes, dtype="string"), pd.Series(amounts, dtype=float), shares))


def test_abc_on_the_boundaries_exactly():
    # 70 of 100 before the second customer: not under 70 % → B; 90 before the third → C
    assert classes(["1", "2", "3"], [70.0, 20.0, 10.0]) == ["A", "B", "C"]
    # a cent less before: still A / B
    assert classes(["1", "2", "3"], [69.99, 20.0, 10.01]) == ["A", "A", "B"]
    assert classes(["1", "2", "3", "4"], [69.99, 20.01, 0.01, 9.99]) == ["A", "A", "C", "C"]
    # amounts whose float sums are not exact (0.1 + 0.2): decided in cents
    assert classes(["1", "2", "3"], [0.7, 0.2, 0.1]) == ["A", "B", "C"]


def test_abc_ties_go_by_code_and_customers_without_an_amount_are_c():
    # 60 then a tie of 20 and 20 across the 70 % line: the smaller code first (A), the other B
    assert classes(["9", "1", "5"], [20.0, 60.0, 20.0]) == ["B", "A", "A"]
    assert classes(["9", "1", "5"], [50.0, 50.0, None]) == ["A", "A", "C"]
    assert classes(["2", "1"], [0.0, 0.0]) == ["C", "C"]  # nobody bought: no business to split
    assert classes(["1", "2", "3"], [-5.0, 10.0, np.nan]) == ["C", "A", "C"]
    assert classes([], []) == []
    # other shares: A under 50 %, B under 80 %
    half = (Fraction(1, 2), Fraction(4, 5))
    assert classes(["1", "2", "3", "4"], [40.0, 30.0, 20.0, 10.0], half) == ["A", "A", "B", "C"]


amounts = st.one_of(st.none(), st.integers(0, 10**8).map(lambda c: c / 100), st.sampled_from([10.0, 25.5]))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), amounts), max_size=30, unique_by=lambda t: t[0]),
    st.sampled_from([(Fraction(7, 10), Fraction(9, 10)), (Fraction(1, 2), Fraction(4, 5))]),
)
def test_abc_equals_an_exact_reckoning(rows, shares):
    codes = [f"33078110{c:04d}" for c, _ in rows]
    values = [a for _, a in rows]
    assert classes(codes, values, shares) == abc_oracle(codes, values, shares)


def test_the_abc_option():
    assert parse_abc("0.7,0.9") == (Fraction(7, 10), Fraction(9, 10))
    assert parse_abc("70%，90%") == (Fraction(7, 10), Fraction(9, 10))
    assert parse_abc(" 0.6、0.85 ") == (Fraction(3, 5), Fraction(17, 20))
    for wrong in ("0.9,0.7", "0,0.9", "0.7,1", "0.7", "a,b", "0.5,0.6,0.7", "70,90"):
        with pytest.raises(XlcrmError, match="应是两个 0 到 1 之间、从小到大的比例"):
            parse_abc(wrong)
    assert no_order_days("21") == 21
    for wrong in ("0", "-3", "两周", "1.5"):
        with pytest.raises(XlcrmError, match="不小于 1 的整数"):
            no_order_days(wrong)


def rfm_oracle(figures: list[tuple[int, int, int] | None]) -> list[str]:
    """(recency days, order days, cents) per customer, None without orders; medians by
    statistics.median (an even count: the mean of the two middle values)."""
    have = [f for f in figures if f is not None]
    if not have:
        return ["无订货"] * len(figures)
    r, f, m = (statistics.median([x[i] for x in have]) for i in range(3))
    return [
        "无订货"
        if x is None
        else GROUPS[("H" if x[0] <= r else "L") + ("H" if x[1] >= f else "L") + ("H" if x[2] >= m else "L")]
        for x in figures
    ]


def segments(figures):
    has = np.array([f is not None for f in figures], dtype=bool)
    r, f, m = (np.array([x[i] if x else 0 for x in figures], dtype=np.int64) for i in range(3))
    return list(rfm_segments(r, f, m, has))


def test_rfm_medians_of_odd_and_even_counts():
    # odd: medians 5 days, 3 order days, 300 cents; the middle customer is high on all three
    odd = [(1, 5, 500), (5, 3, 300), (9, 1, 100)]
    assert segments(odd) == ["重要价值客户", "重要价值客户", "一般挽留客户"]
    # even: recency median (5 + 6) / 2 = 5.5, frequency (2 + 3) / 2 = 2.5, monetary (250 + 251) / 2 = 250.5
    even = [(4, 2, 200), (6, 3, 301), (5, 2, 250), (7, 3, 251), None]
    assert segments(even) == ["一般发展客户", "重要保持客户", "一般发展客户", "重要保持客户", "无订货"]
    assert segments(even) == rfm_oracle(even)
    assert segments([None, None]) == ["无订货", "无订货"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.tuples(st.integers(0, 90), st.integers(1, 13), st.integers(0, 10**7))),
        max_size=25,
    )
)
def test_rfm_equals_the_median_reckoning(figures):
    assert segments(figures) == rfm_oracle(figures)


# SMALL_QUARTER's route customers: …001 …002 …003 …009 (一线), …004 (六线), …005 …006 (二线)
ORDER_ROWS = [
    ["客户代码", "订货日期", "订货金额"],
    ["330781100001", "2026-06-16", "100"],  # 14 days before the as-of date: alerted
    ["330781100001", "2026-06-02", "100"],
    ["330781100002", "2026-06-17", "50"],  # 13 days: not alerted
    ["330781100002", "2026-06-17", "50"],
    ["330781100005", "2026-06-30", "10"],
    ["330781100005", "2026-07-02", "999"],  # after the as-of date: not counted
    ["330781100006", "2026-06-29", "400"],
    ["330781100006", "2026-06-22", "400"],
    ["330781100006", "2026-06-15", "400"],
    ["330781100007", "2026-06-29", "400"],  # a district customer on no route
]


def small_values(rows=ORDER_ROWS, settings: ValueSettings = ValueSettings()):
    result, routes = reviewed()
    table = load_table(raw_sheets("订单.csv", {"S": rows}), ORDERS)
    orders = prepare_orders(table, dt.date(2026, 6, 30))
    return result, customer_values(result, orders, settings)


def test_customer_values_of_a_hand_checked_quarter():
    result, values = small_values()
    table = values.table.set_index("customer_code")
    assert list(values.table["customer_code"]) == list(result.customers["customer_code"])
    # by amount: …001 180,000.50, …006 150,000 (A: 86.4 %), …002 45,000 (B), the rest C
    assert table["abc_class"].to_dict() == {
        "330781100001": "A",
        "330781100002": "B",
        "330781100003": "C",
        "330781100009": "C",
        "330781100004": "C",
        "330781100005": "C",
        "330781100006": "A",
    }
    ordered = table.loc[["330781100001", "330781100002", "330781100005", "330781100006"]]
    assert ordered["last_order_date"].tolist() == ["2026-06-16", "2026-06-17", "2026-06-30", "2026-06-29"]
    assert ordered["recency_days"].tolist() == [14, 13, 0, 1]
    assert ordered["frequency"].tolist() == [2, 1, 1, 3]
    assert ordered["monetary"].tolist() == [200.0, 100.0, 10.0, 1200.0]
    # medians over the four with orders: recency (1 + 13) / 2 = 7, frequency (1 + 2) / 2 = 1.5,
    # monetary (100 + 200) / 2 = 150
    assert ordered["rfm_segment"].tolist() == ["重要保持客户", "一般挽留客户", "一般发展客户", "重要价值客户"]
    without = table.loc[["330781100003", "330781100009", "330781100004"], "rfm_segment"]
    assert without.tolist() == ["无订货"] * 3
    assert table.loc["330781100004", ["last_order_date", "frequency"]].isna().all()
    # 14 days and more, or no order at all
    alerted = dict(zip(values.alerts["customer_code"], values.alerts["detail"]))
    assert sorted(alerted) == ["330781100001", "330781100003", "330781100004", "330781100009"]
    assert alerted["330781100001"] == "最近一次订货 2026-06-16，距 2026-06-30 已 14 天未订货"
    assert alerted["330781100004"] == "截至 2026-06-30，订单明细中没有订货"
    assert values.classes["customers"].tolist() == [2, 1, 4]
    assert values.counts() == {"A": 2, "B": 1, "C": 4, "no_order": 4}
    assert dict(zip(values.segments["rfm_segment"], values.segments["customers"]))["无订货"] == 3


def test_the_alert_s_day_count_is_a_setting():
    _, values = small_values(settings=ValueSettings(no_order_days=13))
    assert "330781100002" in set(values.alerts["customer_code"])
    _, values = small_values(settings=ValueSettings(no_order_days=15))
    assert "330781100001" not in set(values.alerts["customer_code"])


def test_without_orders_only_abc_and_no_alert():
    result, _ = reviewed()
    values = customer_values(result)
    assert not values.with_orders and values.alerts.empty
    assert values.table["last_order_date"].isna().all() and values.table["rfm_segment"].isna().all()
    assert values.counts() == {"A": 2, "B": 1, "C": 4}


def test_no_order_alerts_join_the_others_in_visit_order_with_names():
    result, values = small_values()
    look = outlook(result, more=values.alerts)
    kinds = list(zip(look.alerts["customer_code"], look.alerts["kind"]))
    # 一线 (星期一): …001 no_order, …003 fell then no_order, …009 no_order; 六线 (星期一) …004; 二线 …
    assert kinds == [
        ("330781100001", "no_order"),
        ("330781100003", "fell"),
        ("330781100003", "no_order"),
        ("330781100009", "no_order"),
        ("330781100004", "no_order"),
    ]
    assert dict(zip(look.alerts["customer_code"], look.alerts["name"]))["330781100001"] == "甲店"
