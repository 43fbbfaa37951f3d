"""Step 3 of the seed: the change of each customer's grade, and the ↑/↓ mark."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cleaning import STRING

UP, SAME, DOWN, NEW, MISSING = "up", "same", "down", "new", "missing"
CHANGES = (UP, SAME, DOWN, NEW, MISSING)
COMPARABLE = (UP, SAME, DOWN)
CHANGE_LABELS = {UP: "提升", SAME: "保持", DOWN: "下降", NEW: "新客户", MISSING: "无本季等级"}
ARROWS = {UP: "↑", DOWN: "↓"}


def classify(level: pd.Series, previous_level: pd.Series) -> pd.Series:
    """up / same / down by level (higher is better); new without a previous grade;
    missing without a current grade."""
    cur = level.astype("Float64")
    prev = previous_level.astype("Float64")
    change = np.select(
        [cur.isna().to_numpy(), prev.isna().to_numpy(),
         (cur > prev).fillna(False).to_numpy(), (cur < prev).fillna(False).to_numpy()],
        [MISSING, NEW, UP, DOWN], default=SAME)
    return pd.Series(change, index=level.index, dtype=STRING)


def marks(grade: pd.Series, change: pd.Series) -> pd.Series:
    """The seed's mark column: the grade with ↑ or ↓ ('CS1↑'); the grade alone otherwise."""
    arrow = change.map(ARROWS).fillna("")
    return (grade.fillna("") + arrow).where(grade.notna()).astype(STRING)
