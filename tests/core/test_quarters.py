"""Quarters as managers write them, and calendar arithmetic."""

import pytest

from xlcrm.core.quarters import Quarter


@pytest.mark.parametrize(
    "text, quarter",
    [
        ("2026Q3", Quarter(2026, 3)),
        ("2026q3", Quarter(2026, 3)),
        ("2026-Q4", Quarter(2026, 4)),
        ("2026年第三季度", Quarter(2026, 3)),
        ("2026年三季度客户等级表", Quarter(2026, 3)),
        ("2025年第1季度", Quarter(2025, 1)),
        ("２０２６年第二季度", Quarter(2026, 2)),
        ("客户等级表", None),
        ("2026年度", None),
        ("", None),
        (None, None),
    ],
)
def test_find(text, quarter):
    assert Quarter.find(text) == quarter


def test_labels_codes_and_calendar_order():
    q = Quarter(2026, 4)
    assert (q.label, q.code) == ("2026年第四季度", "2026Q4")
    assert q.shifted(1) == Quarter(2027, 1) and q.shifted(-4) == Quarter(2025, 4)
    assert Quarter.from_index(q.index) == q and q.index - Quarter(2026, 1).index == 3
    assert sorted([Quarter(2027, 1), Quarter(2026, 4), Quarter(2025, 2)]) == [
        Quarter(2025, 2),
        Quarter(2026, 4),
        Quarter(2027, 1),
    ]
