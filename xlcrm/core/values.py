"""Value classes of a manager's route customers: ABC by this quarter's purchase amount, RFM
from the order detail, and the no_order alert (pure: the reviewed quarter and the orders in,
frames out).

ABC: customers sorted by amount, largest first (equal amounts by code); a customer is A while
the share of the amount of everyone before it is under the first share (70 %), B while under
the second (90 %), C after; no amount is C. Compared in whole cents and exact fractions, so a
customer exactly on 70 % is B, never a float's guess. A total of zero (nobody bought) makes
everyone C: there is no business to concentrate on.

RFM: recency = as-of date − last order date in days, frequency = distinct order dates,
monetary = sum of amounts; R high when recency ≤ the median, F high when frequency ≥ the
median, M high when monetary ≥ the median — medians over the route customers with an order
(an even count: the mean of the two middle values, compared exactly as twice the median).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np
import pandas as pd

from . import issues as issue_list
from .errors import XlcrmError
from .history import ALERT_COLUMNS
from .orders import Orders, day_number, iso_days, whole_cents
from .quarter import QuarterResult

ABC_CLASSES = ("A", "B", "C")
CONTACT_PLANS = {"A": "重点维护", "B": "定期回访", "C": "常规服务"}
NO_ORDERS = "无订货"
# (R high, F high, M high) → segment, in the order 汇总 lists them
SEGMENTS = {
    (True, True, True): "重要价值客户",
    (True, False, True): "重要发展客户",
    (False, True, True): "重要保持客户",
    (False, False, True): "重要挽留客户",
    (True, True, False): "一般价值客户",
    (True, False, False): "一般发展客户",
    (False, True, False): "一般保持客户",
    (False, False, False): "一般挽留客户",
}
SEGMENT_ORDER = (*SEGMENTS.values(), NO_ORDERS)
VALUE_COLUMNS = [
    "customer_code",
    "abc_class",
    "amount",
    "last_order_date",
    "recency_days",
    "frequency",
    "monetary",
    "rfm_segment",
]
DEFAULT_SHARES = (Fraction(7, 10), Fraction(9, 10))


@dataclass(frozen=True)
class ValueSettings:
    abc: tuple[Fraction, Fraction] = DEFAULT_SHARES  # A while under the first share, B under the second
    no_order_days: int = 14  # no_order: the last order at least this many days before the as-of date


def parse_abc(text: str) -> tuple[Fraction, Fraction]:
    """'0.7,0.9' or '70%,90%' (commas, 、 or semicolons) → (7/10, 9/10): exact, increasing, in (0, 1)."""
    parts = [p.strip() for p in re.split(r"[,，、;；]", str(text)) if p.strip()]
    shares = []
    for part in parts:
        percent = part.endswith(("%", "％"))
        try:
            share = Fraction(part.rstrip("%％").strip()) / (100 if percent else 1)
        except (ValueError, ZeroDivisionError):
            share = None
        shares.append(share)
    if len(shares) != 2 or None in shares or not 0 < shares[0] < shares[1] < 1:
        raise XlcrmError(
            f"ABC 分类比例“{text}”看不懂：应是两个 0 到 1 之间、从小到大的比例，用逗号分隔，"
            "如 0.7,0.9（购进额累计到 70% 之前为 A 类，到 90% 之前为 B 类，其余为 C 类）"
        )
    return shares[0], shares[1]


def no_order_days(value: object) -> int:
    """--no-order-days: a whole number of days, at least 1."""
    try:
        days = int(str(value).strip())
    except ValueError:
        days = 0
    if days < 1:
        raise XlcrmError(f"未订货提醒天数“{value}”应是不小于 1 的整数天数，如 14（两周）")
    return days


def abc_classes(codes: pd.Series, amounts: pd.Series, shares: tuple[Fraction, Fraction]) -> np.ndarray:
    """'A', 'B' or 'C' per customer (aligned with `codes`); see the module's rules. A negative
    amount counts as none (the purchase table never gives one)."""
    values = amounts.to_numpy(dtype=float, na_value=np.nan)
    cents = whole_cents(values)
    has = np.isfinite(values) & (cents >= 0)
    out = np.full(len(codes), "C", dtype=object)
    total = int(cents[has].sum())
    if total <= 0:
        return out
    at = np.flatnonzero(has)
    text = codes.to_numpy(dtype=object, na_value="")[at].astype(str)
    order = at[np.lexsort((text, -cents[at]))]
    before = np.cumsum(cents[order]) - cents[order]  # the amount of everyone ahead of each
    # before < share × total ⟺ before < ceil(share × total): whole cents compared exactly
    a, b = (-((-share.numerator * total) // share.denominator) for share in shares)
    out[order] = np.where(before < a, "A", np.where(before < b, "B", "C"))
    return out


def _twice_median(values: np.ndarray) -> int:
    """Twice the median (exact in integers): 2 × the middle value, or the two middle values summed."""
    ordered = np.sort(values)
    n = len(ordered)
    return int(2 * ordered[n // 2]) if n % 2 else int(ordered[n // 2 - 1]) + int(ordered[n // 2])


def rfm_segments(
    recency: np.ndarray, frequency: np.ndarray, cents: np.ndarray, has: np.ndarray
) -> np.ndarray:
    """The segment name per customer; 无订货 where `has` is False. Medians over those with orders."""
    out = np.full(len(has), NO_ORDERS, dtype=object)
    if not has.any():
        return out
    r, f, m = (np.asarray(x, dtype=np.int64)[has] for x in (recency, frequency, cents))
    r_high = 2 * r <= _twice_median(r)
    f_high = 2 * f >= _twice_median(f)
    m_high = 2 * m >= _twice_median(m)
    out[has] = _SEGMENT_BY_BITS[r_high * 4 + f_high * 2 + m_high]
    return out


# SEGMENTS by R, F and M as the bits of a number: (R high, F high, M high) → 4 R + 2 F + M
_SEGMENT_BY_BITS = np.empty(8, dtype=object)
for (_r, _f, _m), _name in SEGMENTS.items():
    _SEGMENT_BY_BITS[4 * _r + 2 * _f + _m] = _name


@dataclass(frozen=True)
class CustomerValues:
    """The value classes of one review's route customers (rows aligned with result.customers)."""

    table: pd.DataFrame  # VALUE_COLUMNS + recency/route/batch helpers, one row per route customer
    classes: pd.DataFrame  # abc_class, customers, amount, share (of the amount), plan
    segments: pd.DataFrame | None  # rfm_segment, customers — with orders only
    alerts: pd.DataFrame  # no_order: ALERT_COLUMNS + route, batch
    settings: ValueSettings = field(default_factory=ValueSettings)
    as_of: object = None  # the as-of date the order figures count from (with orders)

    @property
    def with_orders(self) -> bool:
        return self.segments is not None

    def counts(self) -> dict[str, int]:
        """A, B, C → route customers; with orders also no_order → customers alerted."""
        counts = dict(zip(self.classes["abc_class"], self.classes["customers"].astype(int)))
        if self.with_orders:
            counts["no_order"] = len(self.alerts)
        return counts


def customer_values(
    result: QuarterResult, orders: Orders | None = None, settings: ValueSettings = ValueSettings()
) -> CustomerValues:
    customers = result.customers
    codes = customers["customer_code"]
    amounts = customers["amount"]
    abc = abc_classes(codes, amounts, settings.abc)
    n = len(customers)
    columns = {
        "customer_code": codes.to_numpy(dtype=object, na_value=None),
        "abc_class": abc,
        "amount": amounts.to_numpy(dtype=float, na_value=np.nan),
        **dict.fromkeys(("last_order_date", "recency_days", "frequency", "monetary", "rfm_segment")),
        "route": customers["route"].to_numpy(dtype=object),
        "batch": customers["batch"].to_numpy(dtype=object),
    }
    classes = _class_table(abc, amounts)
    if orders is None:
        table = pd.DataFrame(columns | _no_figures(n))
        empty = pd.DataFrame(columns=[*ALERT_COLUMNS, "route", "batch"])
        return CustomerValues(table, classes, None, empty, settings)
    found, has = orders.find(result.customer_keys())
    coded = codes.notna().to_numpy()
    has &= coded
    recency = day_number(orders.as_of) - found["last_day"].to_numpy()
    frequency, cents = found["frequency"].to_numpy(), found["cents"].to_numpy()
    segment = rfm_segments(recency, frequency, cents, has)
    table = pd.DataFrame(
        columns
        | {
            "last_order_date": _iso_days(found["last_day"].to_numpy(), has),
            "recency_days": _where(recency, has),
            "frequency": _where(frequency, has),
            "monetary": np.where(has, cents / 100, np.nan),
            "rfm_segment": segment,
        }
    )
    count = dict(zip(*np.unique(segment.astype(str), return_counts=True)))
    segments = pd.DataFrame(
        {"rfm_segment": list(SEGMENT_ORDER), "customers": [int(count.get(s, 0)) for s in SEGMENT_ORDER]}
    )
    alerts = _no_order(columns, table["last_order_date"], recency, has, coded, orders, settings.no_order_days)
    return CustomerValues(table, classes, segments, alerts, settings, orders.as_of)


def _no_figures(n: int) -> dict:
    """The order columns of a review without the order detail: blank."""
    return {
        "last_order_date": np.full(n, None, dtype=object),
        "recency_days": pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)),
        "frequency": pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)),
        "monetary": np.full(n, np.nan),
        "rfm_segment": np.full(n, None, dtype=object),
    }


def _iso_days(days: np.ndarray, has: np.ndarray) -> list:
    """Day numbers as 'YYYY-MM-DD' text where the customer has orders, None elsewhere."""
    text = iso_days(days).astype(object)
    text[~has] = None
    return text.tolist()


def _where(values: np.ndarray, has: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole numbers where the customer has orders, blank elsewhere."""
    return pd.arrays.IntegerArray(np.asarray(values, dtype=np.int64), ~has)


def _class_table(abc: np.ndarray, amounts: pd.Series) -> pd.DataFrame:
    """Per class: customers, their amount and its share of the route customers' total."""
    values = amounts.to_numpy(dtype=float, na_value=np.nan)
    cents = whole_cents(np.where(values > 0, values, np.nan))
    total = int(cents.sum())
    mine = [abc == cls for cls in ABC_CLASSES]
    amount = [int(cents[m].sum()) for m in mine]
    return pd.DataFrame(
        {
            "abc_class": list(ABC_CLASSES),
            "customers": [int(m.sum()) for m in mine],
            "amount": [a / 100 for a in amount],
            "share": [a / total if total > 0 else np.nan for a in amount],
            "plan": [CONTACT_PLANS[cls] for cls in ABC_CLASSES],
        }
    )


def _no_order(
    columns: dict,
    last: pd.Series,
    recency: np.ndarray,
    has: np.ndarray,
    coded: np.ndarray,
    orders: Orders,
    days: int,
) -> pd.DataFrame:
    """A coded route customer whose last order is at least `days` before the as-of date, or
    who has none at all (on or before it). `columns`: the value table's code, route and batch."""
    late = has & (recency >= days)
    at = np.flatnonzero(coded & (late | ~has))
    as_of = orders.as_of.isoformat()
    last = last.to_numpy(dtype=object)
    details = [
        f"最近一次订货 {last[i]}，距 {as_of} 已 {recency[i]} 天未订货"
        if has[i]
        else f"截至 {as_of}，订单明细中没有订货"
        for i in at
    ]
    return pd.DataFrame(
        {
            "customer_code": columns["customer_code"][at],
            "kind": "no_order",
            "detail": details,
            "route": columns["route"][at],
            "batch": columns["batch"][at],
        },
        columns=[*ALERT_COLUMNS, "route", "batch"],
    )


def values_export(values: CustomerValues) -> pd.DataFrame:
    """values.csv: one row per route customer, as result.customers lists them."""
    return values.table[VALUE_COLUMNS]


def with_issues(result: QuarterResult, *frames: pd.DataFrame) -> QuarterResult:
    """The review with more issues listed (the order detail's), in the issue list's order."""
    return replace(result, issues=issue_list.combine([result.issues, *frames]))
