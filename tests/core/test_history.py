"""The rules over recorded quarters, on a few customers worked out by hand."""

import numpy as np
import pandas as pd

from xlcrm.core.grades import CODE2008, TIERS30
from xlcrm.core.history import (
    AlertSettings,
    alerts,
    grade_trails,
    grid,
    history_export,
    quarter_trend,
    recent_quarters,
)
from xlcrm.core.quarters import Quarter

Q = [Quarter(2025, 4).shifted(i).index for i in range(4)]  # 2025Q4 … 2026Q3


def rows(table: dict[str, list]) -> pd.DataFrame:
    """{code: [(grade, volume) per quarter of Q, None where not in that grade table]}"""
    out = []
    for code, cells in table.items():
        for quarter, cell in zip(Q, cells):
            if cell is not None:
                grade, volume = cell
                out.append(
                    (code, quarter, grade, grade[:-1], volume, np.nan if volume is None else volume * 100)
                )
    return pd.DataFrame(out, columns=["customer_code", "quarter", "grade", "segment", "volume", "amount"])


HISTORY = rows(
    {
        "A": [("CS1", 100), ("CS1", 100), ("CS2", 90), ("CS3", 63)],  # down twice; 63 of 90: a 30 % drop
        "B": [None, ("CZ2", 90), ("CZ2", 90), ("CZ2", 64)],  # 64 of 90 is not
        "C": [("XB1", 50), ("XB1", 50), ("XB1", 50), ("XB1", 52)],  # held a year, near the floor of 50
        "D": [("CS1", 0), ("CS1", 0), ("CS1", 0), ("CS1", 10)],  # nothing before: no drop
        "E": [("CS2", 10), ("CS2", 10), ("CS1", None), ("CS2", 40)],  # volume unknown last quarter
    }
)
CURRENT = pd.DataFrame(
    {
        "customer_code": ["A", "B", "C", "D", "E", None],
        "route": ["一线", "二线", "一线", "六线", "二线", "一线"],
        "batch": ["星期一", "星期二", "星期一", "星期一", "星期二", "星期一"],
        "change": ["down", "same", "same", "same", "down", "missing"],
        "grade": ["CS3", "CZ2", "XB1", "CS1", "CS2", None],
        "previous_grade": ["CS2", "CZ2", "XB1", "CS1", "CS1", None],
        "segment": ["CS", "CZ", "XB", "CS", "CS", None],
        "volume": [63.0, 64.0, 52.0, 10.0, 40.0, np.nan],
    }
)
STANDARDS = pd.DataFrame(
    {
        "segment": ["XB", "CS"],
        "grade": ["XB1", "CS1"],
        "min_volume": [50.0, 10.0],
        "min_amount": [1.0, 1.0],
        "customers": [3, 9],
    }
)
SCHEMES = dict.fromkeys(Q, CODE2008)


def found(**settings) -> set[tuple[str, str]]:
    table = alerts(
        CURRENT,
        Q[-1],
        history=HISTORY,
        schemes=SCHEMES,
        standards=STANDARDS,
        settings=AlertSettings(**settings),
    )
    return set(zip(table["customer_code"], table["kind"]))


def test_every_alert_by_hand():
    assert found() == {
        ("A", "fell"),
        ("E", "fell"),
        ("A", "down_twice"),
        ("A", "volume_drop"),
        ("C", "long_holder_at_risk"),
        ("D", "long_holder_at_risk"),
    }
    # a smaller share: 64 of 90 (28.9 % less) is now a drop too
    assert ("B", "volume_drop") in found(volume_drop=0.28)


def test_a_missing_quarter_stops_what_needs_it():
    gap = {q: CODE2008 for q in Q if q != Q[0]}  # 2025Q4 never recorded
    table = alerts(
        CURRENT, Q[-1], history=HISTORY[HISTORY["quarter"] != Q[0]], schemes=gap, standards=STANDARDS
    )
    kinds = set(zip(table["customer_code"], table["kind"]))
    assert ("A", "down_twice") in kinds  # Q−2, Q−1, Q are still recorded
    assert not {k for k in kinds if k[1] == "long_holder_at_risk"}  # a year needs all four


def test_quarters_of_another_scheme_are_not_compared():
    mixed = dict(SCHEMES) | {Q[1]: TIERS30}
    table = alerts(CURRENT, Q[-1], history=HISTORY, schemes=mixed, standards=STANDARDS)
    assert ("A", "down_twice") not in set(zip(table["customer_code"], table["kind"]))


def test_alerts_in_visit_order_with_words():
    table = alerts(CURRENT, Q[-1], history=HISTORY, schemes=SCHEMES, standards=STANDARDS)
    assert table["batch"].tolist() == sorted(table["batch"], key=["星期一", "星期二"].index)
    detail = dict(zip(zip(table["customer_code"], table["kind"]), table["detail"]))
    assert detail[("A", "volume_drop")] == "本季购进 63 条，上季 90 条，下降 30%"
    assert detail[("A", "down_twice")] == "2026年第一季度 CS1 → 2026年第二季度 CS2 → 本季 CS3，连续两季降档"
    assert detail[("A", "fell")] == "等级由 CS2 降为 CS3"


def test_left_routes():
    before = pd.DataFrame(
        {"customer_code": ["A", "Z"], "route": ["一线", "三线"], "weekday": ["星期一", "星期三"]}
    )
    table = alerts(
        CURRENT, Q[-1], history=HISTORY, schemes=SCHEMES, previous_routes=before, previous_quarter=Q[-2]
    )
    left = table[table["kind"] == "left_routes"]
    assert left[["customer_code", "route", "batch", "detail"]].values.tolist() == [
        ["Z", "三线", "星期三", "2026年第二季度在三线，本季不在任何线路上"]
    ]


def test_trails_oldest_first_and_trend():
    codes = CURRENT["customer_code"]
    trails = grade_trails(grid(HISTORY, codes, Q, SCHEMES), codes)
    assert trails["trail"].tolist() == [
        "CS1 CS1 CS2 CS3",
        "— CZ2 CZ2 CZ2",
        "XB1 XB1 XB1 XB1",
        "CS1 CS1 CS1 CS1",
        "CS2 CS2 CS1 CS2",
        "— — — —",
    ]
    assert trails["trend"].tolist() == ["↓", "→", "→", "→", "→", ""]


def test_history_export_and_recent_quarters():
    later = Quarter(2026, 4).index
    assert recent_quarters([*Q, later], Q[-1], count=3) == Q[1:]
    out = history_export(HISTORY, Q[1:])
    assert out.columns.tolist() == ["customer_code", "quarter", "grade", "segment", "volume", "amount"]
    assert out[out["customer_code"] == "B"]["quarter"].tolist() == ["2026Q1", "2026Q2", "2026Q3"]
    assert out["customer_code"].is_monotonic_increasing and not (out["quarter"] == "2025Q4").any()


def test_department_trend():
    changes = pd.DataFrame(
        {
            "quarter": [8, 8, 8, 9, 9],
            "manager": ["张三", "张三", "李四", "张三", "张三"],
            "change": ["up", "down", "new", "same", "same"],
        }
    )
    table = quarter_trend(changes)
    assert table.values.tolist() == [[8, "张三", 1, 0, 1], [8, "李四", 0, 0, 0], [9, "张三", 0, 2, 0]]
