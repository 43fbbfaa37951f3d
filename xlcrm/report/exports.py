"""The CSV exports (--export-dir), described once: file names, their fixed English columns,
and text made safe for spreadsheets that open them."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..core.cleaning import STRING
from ..core.history import ALERT_COLUMNS, HISTORY_COLUMNS, Outlook
from ..core.history import outlook as core_outlook
from ..core.quarter import CUSTOMER_COLUMNS, QuarterResult
from ..core.values import VALUE_COLUMNS, CustomerValues, customer_values, values_export
from ..core.visits import FOLLOW_UP_EXPORT, VisitReview, follow_up_export

EXPORTS = {
    "customers.csv": CUSTOMER_COLUMNS,
    "grade_changes.csv": ["segment", "grade", "batch", "up", "same", "down"],
    "standards.csv": ["segment", "grade", "min_volume", "min_amount", "customers"],
    "issues.csv": ["kind", "customer_code", "source", "detail"],
    "alerts.csv": ALERT_COLUMNS,
    "history.csv": HISTORY_COLUMNS,  # only with a customer store
    "values.csv": VALUE_COLUMNS,
    # only with a visit log: open follow-ups overdue or due within 7 days, by due date then code
    "followups.csv": FOLLOW_UP_EXPORT,
}
# text a spreadsheet would run as a formula ('=HYPERLINK(…)', '+cmd', '@SUM')
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_frames(
    result: QuarterResult,
    outlook: Outlook | None = None,
    values: CustomerValues | None = None,
    visits: VisitReview | None = None,
) -> dict[str, pd.DataFrame]:
    """Each export file's rows, defused, in the order EXPORTS lists them (history.csv only with
    a customer store; values.csv's order columns only with the order detail; followups.csv only
    with a visit log)."""
    outlook = outlook or core_outlook(result)
    values = values if values is not None else customer_values(result)
    frames = {
        "customers.csv": result.customers,
        "grade_changes.csv": result.grade_changes,
        "standards.csv": result.standards,
        "issues.csv": result.issues,
        "alerts.csv": outlook.alerts,
        "history.csv": None
        if outlook.history is None
        else figures_as_text(outlook.history, ("volume", "amount")),
        "values.csv": values_export(values),
        "followups.csv": None if visits is None else follow_up_export(visits),
    }
    return {
        name: defused(frames[name][columns]) for name, columns in EXPORTS.items() if frames[name] is not None
    }


def defused(frame: pd.DataFrame) -> pd.DataFrame:
    """Formula-looking text gets a leading apostrophe, so opening the CSV in Excel or WPS
    shows it as the text it is."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object:
            values = frame[column]
            risky = _text(values).str.startswith(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                frame[column] = values.astype(object).where(~risky, "'" + values.astype(str))
    return frame


def _text(values: pd.Series) -> pd.Series:
    """The column's text cells as text, anything else (a number, a date) as NA."""
    if isinstance(values.dtype, pd.StringDtype):
        return values
    try:  # text and blanks only (the usual case): converted in one step
        array = pa.array(
            values.to_numpy(dtype=object, na_value=None), type=pa.large_string(), from_pandas=True
        )
        return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([array])), index=values.index)
    except (TypeError, ValueError, pa.ArrowException):
        return values.where(
            values.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False)
        ).astype(STRING)


def figures_as_text(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Volumes and amounts written as their shortest decimals ('235', '45098.85'; blank for
    none) in one vectorised step: a million rows in under a second, the same text as '%.15g'
    gives for figures rounded to cents."""
    out = frame.copy()
    for column in columns:
        array = pa.array(frame[column].to_numpy(dtype=float), from_pandas=True)
        text = pc.fill_null(pc.cast(array, pa.large_string()), "")
        out[column] = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([text])), index=frame.index)
    return out
