"""The CSV exports (--export-dir), described once: file names, their fixed English columns,
and text made safe for spreadsheets that open them."""

from __future__ import annotations

import pandas as pd

from ..core.quarter import CUSTOMER_COLUMNS, QuarterResult

EXPORTS = {
    "customers.csv": CUSTOMER_COLUMNS,
    "grade_changes.csv": ["segment", "grade", "batch", "up", "same", "down"],
    "standards.csv": ["segment", "grade", "min_volume", "min_amount", "customers"],
    "issues.csv": ["kind", "customer_code", "source", "detail"],
}
# text a spreadsheet would run as a formula ('=HYPERLINK(…)', '+cmd', '@SUM')
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_frames(result: QuarterResult) -> dict[str, pd.DataFrame]:
    """Each export file's rows, defused, in the order EXPORTS lists them."""
    frames = {
        "customers.csv": result.customers,
        "grade_changes.csv": result.grade_changes,
        "standards.csv": result.standards,
        "issues.csv": result.issues,
    }
    return {name: defused(frames[name][columns]) for name, columns in EXPORTS.items()}


def defused(frame: pd.DataFrame) -> pd.DataFrame:
    """Formula-looking text gets a leading apostrophe, so opening the CSV in Excel or WPS
    shows it as the text it is."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object:
            values = frame[column]
            # a plain bool per cell (an empty text column maps to an empty text column, not bools)
            risky = pd.Series(
                [isinstance(v, str) and v.startswith(FORMULA_STARTS) for v in values.tolist()],
                index=values.index,
                dtype=bool,
            )
            if risky.any():
                frame[column] = values.astype(object).where(~risky, "'" + values.astype(str))
    return frame
