"""The customer card's talking points and history, worked out by hand."""

import numpy as np
import pandas as pd

from xlcrm.core.cards import make_cards
from xlcrm.core.grades import CODE2008
from xlcrm.core.quarters import Quarter

STANDARDS = pd.DataFrame(
    {
        "segment": ["CS", "CS", "CS"],
        "grade": ["CS1", "CS2", "CS3"],
        "min_volume": [800.0, 300.0, 10.0],
        "min_amount": [120000.0, 45000.0, 1500.0],
        "customers": [3, 5, 9],
    }
)
Q3 = Quarter(2026, 3).index


def card(change, grade, previous, volume, amount):
    current = pd.DataFrame(
        {
            "customer_code": ["330781100001"],
            "route": ["一线"],
            "batch": ["星期一"],
            "change": [change],
            "grade": [grade],
            "previous_grade": [previous],
            "segment": ["CS"],
            "volume": [volume],
            "amount": [amount],
            "name": ["甲店"],
            "owner": ["王"],
            "address": [None],
        }
    )
    rows = pd.DataFrame(
        {
            "customer_code": ["330781100001"] * 2,
            "quarter": [Q3 - 1, Q3],
            "grade": [previous, grade],
            "segment": ["CS", "CS"],
            "volume": [900.0, volume],
            "amount": [1.0, amount],
        }
    )
    alerts = pd.DataFrame(
        {"customer_code": ["330781100001"], "kind": ["fell"], "detail": ["等级由 CS1 降为 CS2"]}
    )
    (made,) = make_cards(current, rows, [Q3 - 1, Q3], STANDARDS, CODE2008, alerts)
    return made


def test_a_customer_who_fell_sees_how_far_the_old_grade_is():
    made = card("down", "CS2", "CS1", 500.0, 70000.0)
    assert made.talking_points == [
        "由 CS1 降为 CS2：要回到 CS1，按本季辖区最低标准还差 300 条、50,000.00 元",
        "离上一档 CS1 还差 300 条、50,000.00 元",
    ]
    assert made.alerts == ["本季降档：等级由 CS1 降为 CS2"]
    assert made.history["quarter"].tolist() == ["2026年第二季度", "2026年第三季度"]
    assert (made.grade, made.change, made.address) == ("CS2", "下降", "")


def test_one_who_fell_yet_buys_enough_is_asked_why():
    made = card("down", "CS2", "CS1", 900.0, 130000.0)
    assert (
        made.talking_points[0] == "由 CS1 降为 CS2：购进已不低于 CS1 的辖区最低标准，降档另有原因，需当面了解"
    )
    assert made.talking_points[1] == "购进已达到 CS1 的辖区最低标准：保持下去有望升档"


def test_up_top_and_without_figures():
    made = card("up", "CS1", "CS2", 900.0, 130000.0)
    assert made.talking_points == [
        "本季由 CS2 升为 CS1：祝贺客户，巩固做法",
        "CS1 已是本业态最高档（辖区无人持有更高一档）",
    ]
    made = card("same", "CS3", "CS3", np.nan, np.nan)
    assert made.talking_points == ["离上一档 CS2 还差 ？条（本季无购进数据）、？元（本季无购进数据）"]
