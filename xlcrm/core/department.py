"""A department's quarter: what each manager's review contributes to the department's tables
(small, so it travels between processes), who could not be reviewed, and whose visit log a
file is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from .changes import CHANGES
from .history import route_record
from .quarter import QuarterResult
from .tables import grade_change_totals, standards_table
from .texts import text_array
from .values import CustomerValues
from .visits import LOG_SHEET_WORDS, VisitReview, open_follow_up_count, stored_visits


@dataclass(frozen=True)
class VisitFigures:
    """A manager's visit coverage and follow-ups, as 部门汇总 shows them."""

    log: str  # where their visit log came from (a file name, or their route workbook's sheet); '' none
    period: tuple[dt.date, dt.date]  # the days counted as this quarter's visits
    customers: int  # route customers
    visited: int  # route customers visited within the period
    open: int  # open follow-ups of the log (已完成 not 是), dated or not
    overdue: int  # open follow-ups dated before the as-of date (跟进提醒's 逾期)


def visit_figures(review: VisitReview, log: str) -> VisitFigures:
    coverage = review.coverage
    return VisitFigures(
        log,
        review.period,
        int(coverage["customers"].sum()),
        int(coverage["visited"].sum()),
        open_follow_up_count(review.visits),
        review.overdue,
    )


# what may stand around a manager's name in a visit log's file name: 张三拜访记录, 拜访记录_张三
_AROUND_NAME = " _-—·.（）()【】[]"


def log_owner(file_stem: str, managers: set[str]) -> str | None:
    """The manager a visit log belongs to by its file name, as a route workbook's name is its
    manager's: the name itself (张三), or with a log word around it (张三拜访记录, 拜访记录-张三,
    张三（拜访记录）). None when the name is no manager's."""
    name = file_stem.strip()
    if name in managers:
        return name
    for word in LOG_SHEET_WORDS:
        name = name.replace(word, " ")
    name = name.strip(_AROUND_NAME)
    return name if name in managers else None


@dataclass(frozen=True)
class ManagerSummary:
    """What one manager's review adds to the department's tables."""

    manager: str
    file: str
    routes: int
    counts: dict[str, int]  # change → customers
    issues: int
    grade_totals: pd.DataFrame  # segment, grade, up, same, down (over all batches)
    standards: pd.DataFrame  # over this manager's route customers
    customers: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)  # segment, grade, change, batch
    # with a customer store: the manager as titles name them, and their route customers to record
    recorded_as: str = ""
    route_record: pd.DataFrame | None = field(repr=False, default=None)
    # value classes: A, B, C → customers (with the order detail also no_order), and the route
    # customers' code keys, so the department can tell which ordering customers are on no route
    classes: dict[str, int] = field(default_factory=dict)
    route_keys: np.ndarray | None = field(repr=False, default=None)
    # with visit logs (batch --visits-dir): coverage and follow-ups, and the visits to record
    visits: VisitFigures | None = None
    stored_visits: pd.DataFrame | None = field(repr=False, default=None)


@dataclass(frozen=True)
class Failure:
    manager: str
    file: str
    reason: str


def summarize(
    manager: str,
    file: str,
    result: QuarterResult,
    recorded_as: str | None = None,
    values: CustomerValues | None = None,
    visits: VisitReview | None = None,
    log: str = "",
) -> ManagerSummary:
    """What one manager adds; with `recorded_as` (a store run) their route customers too (and
    the visits of their log), with `values` their class counts (and, with the order detail,
    their customers' keys), with `visits` their coverage and follow-ups (`log`: where from)."""
    customers = result.customers
    # each change counted in one pass (a comparison per change costs more on 500 customers)
    counted = pc.value_counts(text_array(customers["change"]))
    found = dict(zip(counted.field("values").to_pylist(), counted.field("counts").to_pylist()))
    counts = {c: int(found.get(c, 0)) for c in CHANGES}
    return ManagerSummary(
        manager,
        file,
        int(customers["route"].nunique()),
        counts,
        len(result.issues),
        grade_change_totals(result.grade_changes, result.batches),
        standards_table(customers, result.scheme),
        customers[["segment", "grade", "change", "batch"]],
        recorded_as or "",
        route_record(result) if recorded_as is not None else None,
        values.counts() if values is not None else {},
        result.customer_keys() if values is not None and values.with_orders else None,
        visit_figures(visits, log) if visits is not None else None,
        stored_visits(visits.visits) if visits is not None and log and recorded_as is not None else None,
    )
