"""The order detail (订单明细) reduced to what the value classes need, per customer code: the
day of the last order, on how many days it ordered and for how much — lines dated after the
as-of date left out, lines that cannot count listed at their cells.

Vectorised over the lines (a department's quarter is millions of them): codes as integer keys,
dates as day numbers, amounts as whole cents, one pass of numpy per figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import issues as issue_list
from .addresses import cell_ref
from .keys import code_keys
from .model import Table

_EPOCH = np.datetime64("1970-01-01", "D")
FIGURES = ["key", "last_day", "frequency", "cents", "lines"]


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01: order dates are compared and subtracted as these."""
    return int((np.datetime64(day, "D") - _EPOCH).astype(np.int64))


def day_of(number: int) -> dt.date:
    return (_EPOCH + np.timedelta64(int(number), "D")).astype(dt.date)


def iso_days(numbers: np.ndarray) -> np.ndarray:
    """Day numbers as 'YYYY-MM-DD' text (day_of(n).isoformat() of each), at numpy speed."""
    return np.datetime_as_string(
        _EPOCH + np.asarray(numbers, dtype=np.int64).astype("timedelta64[D]"), unit="D"
    )


def whole_cents(amounts: np.ndarray) -> np.ndarray:
    """Amounts (yuan, already rounded to cents) as int64 cents; NaN → 0. Sums and medians of
    cents are exact, so a boundary is never decided by float noise."""
    return np.rint(np.nan_to_num(amounts, nan=0.0) * 100).astype(np.int64)


@dataclass(frozen=True)
class Orders:
    """Per customer code with at least one counted order line (dated on or before `as_of`):
    key (core.keys), last_day (day_number of the last order), frequency (distinct order days),
    cents (sum of the amounts) and lines; sorted by key."""

    figures: pd.DataFrame
    issues: pd.DataFrame  # the order table's own issues, and what was not counted
    as_of: dt.date
    where: str  # the order table, for messages
    read: int  # order lines with a usable code
    later: int  # of which dated after as_of (not counted)
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    def find(self, keys: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
        """The figures for these keys (rows in their order; zeros where absent) and whether each
        has any counted order."""
        at = self.build_index()["keys"].get_indexer(np.asarray(keys))
        found = at >= 0
        taken = {}
        for column in FIGURES[1:]:
            taken[column] = np.zeros(len(at), dtype=np.int64)
            taken[column][found] = self.figures[column].to_numpy()[at[found]]
        return pd.DataFrame(taken), found

    def build_index(self) -> dict:
        """The key index, built once (before a pool forks, so each worker inherits it)."""
        if "keys" not in self._index:
            self._index["keys"] = pd.Index(self.figures["key"].to_numpy())
        return self._index


def prepare_orders(table: Table, as_of: dt.date) -> Orders:
    """Each coded order line counts on its date when that date is readable and not after
    `as_of`; its amount adds to the customer's monetary value (an unreadable or blank amount
    adds nothing, and is listed). Lines without a usable date are listed at their date cell."""
    rows = table.rows
    days = _days(rows["order_date"])
    dated = days != _NO_DAY
    later = dated & (days > day_number(as_of))
    counted = dated & ~later
    amounts = rows["amount"].to_numpy(dtype=float, na_value=np.nan)
    issues = [table.issues, _undated(table, ~dated), _no_amount(table, counted & np.isnan(amounts))]
    if later.any():
        issues.append(
            issue_list.issue_frame(
                "orders_not_counted",
                pd.NA,
                [table.where],
                f"{int(later.sum()):,} 行订单的订货日期晚于计算日期 {as_of.isoformat()}，未计入",
            )
        )
    # each distinct code once: its key, and every line's place among them (a million lines
    # repeat a few hundred thousand codes)
    codes = pa.array(rows["customer_code"].array)
    encoded = pc.dictionary_encode(codes.combine_chunks() if isinstance(codes, pa.ChunkedArray) else codes)
    keys = code_keys(pd.Series(pd.arrays.ArrowStringArray(encoded.dictionary)))[0]
    at = encoded.indices.to_numpy(zero_copy_only=False)
    figures = _per_customer(keys, at[counted], days[counted], whole_cents(amounts[counted]))
    return Orders(figures, issue_list.combine(issues), as_of, table.where, len(rows), int(later.sum()))


_NO_DAY = np.iinfo(np.int64).min
_SEEN_CELLS = 200_000_000  # customers × days in a matrix of booleans, beyond which pairs are hashed


def _days(dates: pd.Series) -> np.ndarray:
    """datetime64 cells as day numbers; _NO_DAY where there is no date."""
    values = dates.to_numpy(dtype="datetime64[ns]")
    out = values.astype("datetime64[D]").astype(np.int64)
    out[np.isnat(values)] = _NO_DAY
    return out


def _per_customer(keys: np.ndarray, at: np.ndarray, days: np.ndarray, cents: np.ndarray) -> pd.DataFrame:
    """One row per code with a counted line (`at`: each line's code among `keys`): last day,
    distinct days, summed cents, lines — without a Python loop; sorted by key."""
    count = len(keys)
    lines = np.bincount(at, minlength=count)
    # cents summed as float64 are exact below 2**53 (90 trillion yuan); checked, never assumed
    total = np.bincount(at, weights=cents.astype(np.float64), minlength=count)
    if np.abs(total).max(initial=0) >= 2**53:
        total = pd.Series(cents).groupby(at).sum().reindex(range(count), fill_value=0).to_numpy()
    last = np.full(count, _NO_DAY, dtype=np.int64)
    np.maximum.at(last, at, days)
    frequency = np.zeros(count, dtype=np.int64)
    if len(days):
        first_day = days.min()
        span = int(days.max() - first_day) + 1
        if count * span <= _SEEN_CELLS:  # a quarter: customers × 92 days
            seen = np.zeros((count, span), dtype=bool)
            seen[at, days - first_day] = True
            frequency = seen.sum(axis=1)
        else:  # years of lines: each (customer, day) once, by hashing
            pairs = pd.unique(at.astype(np.int64) * span + (days - first_day))
            frequency = np.bincount(pairs // span, minlength=count)
    ordered = lines > 0
    figures = pd.DataFrame(
        {
            "key": np.asarray(keys, dtype=np.int64)[ordered],
            "last_day": last[ordered],
            "frequency": frequency[ordered].astype(np.int64),
            "cents": np.rint(total[ordered]).astype(np.int64),
            "lines": lines[ordered].astype(np.int64),
        }
    )
    return figures.sort_values("key", kind="stable").reset_index(drop=True)


def _cells(table: Table, mask: np.ndarray, role: str) -> np.ndarray:
    """'订单.csv › C12': the cell of `role` on each masked line (rows carry the code cell's
    location, 'file › sheet › A', and their Excel row)."""
    rows = table.rows
    code_letter = cell_ref(table.header.columns["code"])
    letter = cell_ref(table.header.columns[role])
    where = rows["location"][mask].astype(str).str.slice(stop=-len(code_letter))
    excel_rows = rows["excel_row"].to_numpy()[mask].astype(str)
    return (where.to_numpy(dtype=object) + letter + excel_rows.astype(object)).astype(object)


def _flagged(table: Table, kinds: tuple[str, ...]) -> list[str]:
    return table.issues.loc[table.issues["kind"].isin(kinds), "source"].astype(str).tolist()


def _undated(table: Table, mask: np.ndarray) -> pd.DataFrame:
    """Lines with a blank date (unreadable ones are already listed by core.inputs)."""
    if not mask.any():
        return issue_list.empty()
    where = _cells(table, mask, "order_date")
    blank = ~np.isin(where, _flagged(table, ("bad_date",)))
    codes = table.rows["customer_code"][mask].to_numpy(dtype=object)[blank]
    return issue_list.issue_frame("bad_date", codes, where[blank], "此行没有订货日期，未计入")


def _no_amount(table: Table, mask: np.ndarray) -> pd.DataFrame:
    """Counted lines with a blank amount (unreadable or odd ones are already listed): the order
    counts on its day, its amount adds nothing."""
    if not mask.any():
        return issue_list.empty()
    where = _cells(table, mask, "amount")
    blank = ~np.isin(where, _flagged(table, ("bad_number", "odd_number")))
    codes = table.rows["customer_code"][mask].to_numpy(dtype=object)[blank]
    return issue_list.issue_frame(
        "bad_number", codes, where[blank], "此行订货金额为空：按有订货计，金额按 0 元计"
    )


def off_routes(orders: Orders, route_keys: np.ndarray, whose: str) -> pd.DataFrame:
    """One issue saying how many ordering customers (and their lines) are on none of the
    routes (`whose`: '您的', '任何客户经理的'): nobody's value classes count them."""
    figures = orders.figures
    off = ~np.isin(figures["key"].to_numpy(), route_keys)
    if not off.any():
        return issue_list.empty()
    lines = int(figures["lines"].to_numpy()[off].sum())
    return issue_list.issue_frame(
        "orders_not_counted",
        pd.NA,
        [orders.where],
        f"订单明细中有 {int(off.sum()):,} 个客户代码（{lines:,} 行订单）不在{whose}线路上，"
        "未计入任何线路客户的价值分类",
    )
