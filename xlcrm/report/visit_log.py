"""拜访记录 described once: the visit log's columns, in the order a manager fills them, and what
each cell accepts. The template's sheet (template.sheet_writers) and the handover workbook
(report.handover_sheets) are both written from here, so a log kept in either is read back by
the same rule (core.inputs.VISITS) and offers the same dropdowns."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..core.visits import DONE, METHODS, NOT_DONE
from .model import Check, Column
from .visit_sheets import days

LOG_NAME = "拜访记录"
# what the log's date columns accept: a day from 2000 to 2099 (a typo like 2062 is caught when typed)
LOG_DAYS = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))
_DAY_ERROR = "请输入 2000 年到 2099 年之间的日期，如 2026-06-22"
# keys are the roles of core.inputs.VISITS: each column is found by the rule that reads it back
LOG_COLUMNS = [
    Column(
        "visit_date",
        "日期",
        "date",
        check=Check("拜访或联系客户的日期，如 2026-06-22", _DAY_ERROR, days=LOG_DAYS),
    ),
    Column("code", "客户代码", "code"),
    Column("name", "客户名称"),
    Column(
        "method",
        "方式",
        check=Check("走访、电话、微信或其他", "请从下拉列表中选择：" + "、".join(METHODS), choices=METHODS),
    ),
    Column("content", "内容"),
    Column("need", "客户需求"),
    Column("next_step", "下一步"),
    Column(
        "follow_up_date",
        "跟进日期",
        "date",
        # an open follow-up whose day has passed shows red, as on 跟进提醒; 是 in 已完成 settles it
        overdue=True,
        settled_by=("done", DONE),
        check=Check("答应客户的下一步要在哪天做，如 2026-06-29", _DAY_ERROR, days=LOG_DAYS),
    ),
    Column(
        "done",
        "已完成",
        check=Check(
            "下一步做完后选 是；没做完选 否",
            f"请从下拉列表中选择：{DONE}、{NOT_DONE}",
            choices=(DONE, NOT_DONE),
        ),
    ),
]
LOG_WIDTHS = (12, 16, 16, 8, 40, 24, 24, 12, 8)  # characters, for an empty log (the template's)
TEXTS = ("name", "method", "content", "need", "next_step")


def log_rows(visits: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Kept visits (core.visits.STORED_VISIT) as the log's rows, in their order: dates as date
    cells, 已完成 是 when done, 否 for an open follow-up, blank otherwise (as a manager leaves it);
    客户名称 from `names` (code → the route sheet's name) where given, else as the log wrote it."""
    is_follow_up = (visits["next_step"].notna() | visits["follow_up_date"].notna()).to_numpy(dtype=bool)
    done = visits["done"].to_numpy(dtype=bool)
    codes = visits["customer_code"].astype(object).to_numpy()
    written = _cells(visits["name"])
    known = np.array([(names or {}).get(c) for c in codes], dtype=object)
    return pd.DataFrame(
        {
            "visit_date": days(visits["visit_date"]),
            "code": codes,
            "name": np.where(pd.notna(known) & (known != ""), known, written),
            **{t: _cells(visits[t]) for t in TEXTS if t != "name"},
            "follow_up_date": days(visits["follow_up_date"]),
            "done": np.array(
                [DONE if d else NOT_DONE if f else None for d, f in zip(done, is_follow_up)], dtype=object
            ),
        }
    )[[c.key for c in LOG_COLUMNS]]


def _cells(values: pd.Series) -> np.ndarray:
    return np.array([None if v is None or pd.isna(v) else v for v in values], dtype=object)
