"""A route changing hands (pure): which customers the new manager takes over, what their
record says quarter by quarter, their kept visits in the order they happened, and the counts
a handover form states (customers, open follow-ups, value classes).

The customers are those of the outgoing manager's latest recorded build on the routes handed
over, or only those of a list (a code of the list on none of these routes is an issue, never
dropped silently). Follow-ups are counted by core.visits' rules, the value classes by
core.values', over the whole build as the build classed them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from . import issues as issue_list
from .changes import CHANGE_LABELS, classify
from .errors import XlcrmError
from .grades import GradeScheme
from .history import grid, visit_sorted
from .model import Table
from .values import ABC_CLASSES, abc_classes
from .visits import OVERDUE, follow_up_window, open_follow_ups
from .weekdays import route_sort_key

NOT_HANDED = "not_handed_over"  # issue kind: a listed code on none of the routes handed over
HISTORY_ROWS = ["customer_code", "name", "route", "quarter", "grade", "change", "volume", "amount"]


def route_names(given: Iterable[str]) -> list[str]:
    """--route, repeated or a list ('三线,八线', '三线、八线'): each route once, in order."""
    names: list[str] = []
    for text in given:
        for name in re.split(r"[,，、;；\s]+", str(text)):
            if name and name not in names:
                names.append(name)
    return names


@dataclass(frozen=True)
class Handover:
    customers: pd.DataFrame  # the build's route customers handed over (route, batch, …), in visit order
    routes: pd.DataFrame  # route, batch, customers: per route handed over, in visit order
    issues: pd.DataFrame  # core.issues: the list's codes not handed over, and the list's own


def hand_over(
    route_customers: pd.DataFrame, routes: list[str], recorded: str, listed: Table | None = None
) -> Handover:
    """The customers of `routes` in a recorded build (`route_customers`: customer_code, route,
    batch, …; `recorded` names the build in messages), or only those of `listed`."""
    known = sorted(set(route_customers["route"]), key=route_sort_key)
    missing = [r for r in routes if r not in known]
    if missing:
        raise XlcrmError(
            f"{recorded}中没有线路“{'、'.join(missing)}”（有：{'、'.join(known) or '无'}）：请检查 --route"
        )
    chosen = route_customers[route_customers["route"].isin(routes).to_numpy(dtype=bool)]
    found = []
    if listed is not None:
        found.append(listed.issues)
        rows = listed.rows[listed.rows["customer_code"].notna().to_numpy(dtype=bool)]
        rows = rows.drop_duplicates("customer_code")
        on = set(chosen["customer_code"])
        away = rows[~rows["customer_code"].isin(on).to_numpy(dtype=bool)]
        elsewhere = dict(zip(route_customers["customer_code"], route_customers["route"]))
        said = "、".join(routes)
        found.append(
            issue_list.issue_frame(
                NOT_HANDED,
                away["customer_code"].astype(object).to_numpy(),
                issue_list.sources(away).to_numpy(dtype=object),
                [
                    f"客户代码 {c} 不在交接的线路（{said}）上"
                    + (f"，它在{elsewhere[c]}上" if c in elsewhere else f"，也不在{recorded}的任何线路上")
                    + "；未交接，请核对名单"
                    for c in away["customer_code"]
                ],
            )
        )
        chosen = chosen[chosen["customer_code"].isin(set(rows["customer_code"])).to_numpy(dtype=bool)]
    # every route handed over, by visit weekday: one left without customers by a list too
    batches = dict(zip(route_customers["route"], route_customers["batch"]))
    counts = chosen["route"].value_counts()
    table = visit_sorted(
        pd.DataFrame({"route": routes, "batch": [batches[r] for r in routes], "customer_code": ""})
    )
    table = table.assign(customers=[int(counts.get(r, 0)) for r in table["route"]])
    return Handover(visit_sorted(chosen), table[["route", "batch", "customers"]], issue_list.combine(found))


def quarter_history(
    rows: pd.DataFrame, customers: pd.DataFrame, schemes: Mapping[int, GradeScheme]
) -> pd.DataFrame:
    """One row per customer (in `customers`' order) and recorded quarter in which it is in the
    district's grade table, oldest first: HISTORY_ROWS. `rows`: core.history.HISTORY_COLUMNS;
    `schemes`: the recorded quarters. change: against the previous calendar quarter when that is
    recorded and graded by the same scheme (提升 / 保持 / 下降, 新客户 when the customer was not
    in its grade table, 无本季等级 without a grade now); blank when it cannot be said."""
    quarters = sorted(schemes)
    codes = customers["customer_code"].reset_index(drop=True)
    found = grid(rows, codes, quarters, schemes)
    present = np.zeros(found.grade.shape, dtype=bool)
    at_row = pd.Index(codes).get_indexer(rows["customer_code"])
    at_col = pd.Index(quarters).get_indexer(rows["quarter"])
    keep = (at_row >= 0) & (at_col >= 0)
    present[at_row[keep], at_col[keep]] = True
    amount = np.full(found.grade.shape, np.nan)
    amount[at_row[keep], at_col[keep]] = rows["amount"].to_numpy(dtype=float)[keep]
    change = np.full(found.grade.shape, "", dtype=object)
    for j in range(1, len(quarters)):
        if quarters[j - 1] == quarters[j] - 1 and found.specs[j - 1] == found.specs[j]:
            labels = classify(pd.Series(found.level[:, j]), pd.Series(found.level[:, j - 1])).map(
                CHANGE_LABELS
            )
            change[:, j] = labels.to_numpy(dtype=object)
    i, j = np.nonzero(present)  # row-major: each customer's quarters together, oldest first
    names = customers["name"].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "customer_code": codes.to_numpy(dtype=object)[i],
            "name": names[i],
            "route": customers["route"].to_numpy(dtype=object)[i],
            "quarter": np.asarray(quarters, dtype="int64")[j],
            "grade": found.grade[i, j],
            "change": change[i, j],
            "volume": found.volume[i, j],
            "amount": amount[i, j],
        }
    )


def log_order(visits: pd.DataFrame) -> pd.DataFrame:
    """Kept visits as a log reads: by day (undated ones last), then customer code; each visit's
    place in it as excel_row (what core.visits' rules order ties by)."""
    order = np.lexsort(
        (
            visits["visit_key"].astype(str).to_numpy(),
            visits["customer_code"].astype(str).to_numpy(),
            visits["visit_date"].to_numpy(dtype="datetime64[ns]").astype("int64"),  # NaT: with the undated
            visits["visit_date"].isna().to_numpy(),
        )
    )
    out = visits.iloc[order].reset_index(drop=True)
    return out.assign(excel_row=np.arange(1, len(out) + 1))


@dataclass(frozen=True)
class FollowUpCounts:
    open: int  # every open follow-up of the customers handed over
    overdue: int  # of them, due before the as-of date
    due: int  # due within core.visits.FOLLOW_UP_DAYS of it


def follow_up_counts(visits: pd.DataFrame, as_of: dt.date) -> FollowUpCounts:
    """`visits`: in log order (log_order)."""
    window = follow_up_window(visits, as_of)
    overdue = int((window["status"] == OVERDUE).sum())
    return FollowUpCounts(len(open_follow_ups(visits)), overdue, len(window) - overdue)


def abc_counts(
    build: pd.DataFrame, handed: pd.Series, shares: tuple[Fraction, Fraction]
) -> dict[str, int] | None:
    """How many of the handed codes are A, B and C, classed over the whole build (`build`:
    customer_code, amount of its quarter) as the build classed them; None when the store holds
    no amount for that quarter."""
    if not build["amount"].notna().any():
        return None
    classes = abc_classes(build["customer_code"], build["amount"], shares)
    of = dict(zip(build["customer_code"], classes))
    counted = pd.Series([of.get(c, "C") for c in handed], dtype=object).value_counts()
    return {k: int(counted.get(k, 0)) for k in ABC_CLASSES}
