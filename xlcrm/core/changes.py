"""The change of each customer's grade between two quarters, and the ↑/↓ mark."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cleaning import STRING, map_uniques

UP, SAME, DOWN, NEW, MISSING = "up", "same", "down", "new", "missing"
CHANGES = (UP, SAME, DOWN, NEW, MISSING)
COMPARABLE = (UP, SAME, DOWN)
CHANGE_LABELS = {UP: "提升", SAME: "保持", DOWN: "下降", NEW: "新客户", MISSING: "无本季等级"}
ARROWS = {UP: "↑", DOWN: "↓"}
NEW_MARK = "新"  # on a route sheet, after the grade of a customer without a previous one: CS1新
NO_GRADE = "无等级"  # on a route sheet, the mark of a customer without a current grade


def classify(level: pd.Series, previous_level: pd.Series) -> pd.Series:
    """up / same / down by level (higher is better); new without a previous grade;
    missing without a current grade."""
    cur = level.to_numpy(dtype=float, na_value=np.nan)
    prev = previous_level.to_numpy(dtype=float, na_value=np.nan)
    change = np.select(
        [np.isnan(cur), np.isnan(prev), cur > prev, cur < prev], [MISSING, NEW, UP, DOWN], default=SAME
    )
    return pd.Series(pd.array(change, dtype=STRING), index=level.index)


def marks(grade: pd.Series, change: pd.Series) -> pd.Series:
    """The mark column of the manual method: the grade with ↑ or ↓ ('CS1↑'); the grade alone otherwise."""
    pairs = grade.astype(STRING) + "\x00" + change.astype(STRING).fillna("")  # NA where no grade
    return map_uniques(pairs, _mark, STRING)  # each (grade, change) met is spelt once


def route_marks(grade: pd.Series, change: pd.Series) -> pd.Series:
    """The 变动 column of a route sheet, where every customer must read differently: the marks,
    and 新 after a new customer's grade ('CS1新'), 无等级 without a current grade."""
    pairs = grade.astype(STRING) + "\x00" + change.astype(STRING).fillna("")
    shown = map_uniques(pairs, lambda pair: _mark(pair, {**ARROWS, NEW: NEW_MARK}), STRING)
    return shown.where(grade.notna().to_numpy(), NO_GRADE)


def _mark(pair: str, endings: dict[str, str] = ARROWS) -> str:
    grade, change = pair.split("\x00")
    return grade + endings.get(change, "")
