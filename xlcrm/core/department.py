"""A department's quarter: what each manager's review contributes to the department's tables
(small, so it travels between processes), and who could not be reviewed."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .changes import CHANGES
from .history import route_record
from .keys import code_keys
from .quarter import QuarterResult
from .tables import grade_change_totals, standards_table
from .values import CustomerValues


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
) -> ManagerSummary:
    """What one manager adds; with `recorded_as` (a store run) their route customers too, with
    `values` their class counts (and, with the order detail, their customers' keys)."""
    customers = result.customers
    counts = {c: int((customers["change"] == c).sum()) for c in CHANGES}
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
        code_keys(customers["customer_code"])[0] if values is not None and values.with_orders else None,
    )
