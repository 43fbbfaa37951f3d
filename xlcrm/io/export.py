"""--export-dir: UTF-8 CSV files with fixed English columns, for other tools."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..review import CUSTOMER_COLUMNS, Review
from .atomic import atomic_output

EXPORTS = {
    "customers.csv": CUSTOMER_COLUMNS,
    "grade_changes.csv": ["segment", "grade", "batch", "up", "same", "down"],
    "standards.csv": ["segment", "grade", "min_volume", "min_amount", "customers"],
    "issues.csv": ["kind", "customer_code", "source", "detail"],
}


def export_frames(result: Review) -> dict[str, pd.DataFrame]:
    frames = {
        "customers.csv": result.customers,
        "grade_changes.csv": result.grade_changes,
        "standards.csv": result.standards,
        "issues.csv": result.issues,
    }
    return {name: frames[name][columns] for name, columns in EXPORTS.items()}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defused(frame: pd.DataFrame) -> pd.DataFrame:
    """Text that a spreadsheet would run as a formula ('=HYPERLINK(…)', '+cmd', '@SUM') gets a
    leading apostrophe, so opening the CSV in Excel or WPS shows it as the text it is."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object:
            values = frame[column]
            risky = values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS), na_action="ignore")
            risky = risky.fillna(False).astype(bool)
            if risky.any():
                frame[column] = values.astype(object).where(~risky, "'" + values.astype(str))
    return frame


def write_exports(result: Review, directory: Path) -> list[Path]:
    """Writes the four CSV files (UTF-8, '\\n' line ends, same bytes for the same inputs)."""
    written = []
    for name, frame in export_frames(result).items():
        frame = defused(frame)
        target = Path(directory) / name
        with atomic_output(target) as tmp:
            # %.15g: whole numbers without '.0', decimals as read, no float noise
            frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n", float_format="%.15g")
        written.append(target)
    return written
