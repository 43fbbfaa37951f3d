"""--export-dir: the CSV exports (report.exports) written as UTF-8 files, atomically."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pa_csv

from ..core.history import Outlook
from ..core.quarter import QuarterResult
from ..core.values import CustomerValues
from ..core.visits import VisitReview
from ..report.exports import export_frames
from .atomic import atomic_output, refuse_inputs

QUOTED = re.compile('[,"\r\n]')  # what makes pandas quote a cell


def write_exports(
    result: QuarterResult,
    directory: Path,
    inputs: Iterable[Path | None] = (),
    outlook: Outlook | None = None,
    values: CustomerValues | None = None,
    visits: VisitReview | None = None,
) -> list[Path]:
    """Writes the CSV files (UTF-8, '\\n' line ends, same bytes for the same inputs); none
    when any of them would replace an input (customers.csv in the input folder)."""
    frames = export_frames(result, outlook, values, visits)
    inputs = list(inputs)
    refuse_inputs([Path(directory) / name for name in frames], inputs)
    written = []
    for name, frame in frames.items():
        target = Path(directory) / name
        with atomic_output(target, inputs=inputs) as tmp:
            write_csv(frame, tmp)
        written.append(target)
    return written


def write_csv(frame: pd.DataFrame, target: Path) -> None:
    """pandas' CSV (%.15g: whole numbers without '.0', decimals as read, no float noise). A
    frame of plain text (history.csv: a million rows) goes through Arrow's writer instead, twenty
    times faster and the same bytes: nothing in it needs quoting."""
    table = _plain_text(frame)
    if table is None:
        frame.to_csv(target, index=False, encoding="utf-8", lineterminator="\n", float_format="%.15g")
        return
    with open(target, "wb") as out:
        out.write((",".join(frame.columns) + "\n").encode("utf-8"))
        pa_csv.write_csv(table, out, pa_csv.WriteOptions(include_header=False, quoting_style="none"))


def _plain_text(frame: pd.DataFrame) -> pa.Table | None:
    """The frame as Arrow text columns when it has two columns or more, every cell is text or
    blank and none (nor a header) holds a comma, quote or line break; else None."""
    if len(frame.columns) < 2 or any(QUOTED.search(str(name)) for name in frame.columns):
        return None  # (a lone blank cell on a line is quoted by pandas)
    columns = []
    for name in frame.columns:
        values = frame[name]
        try:
            if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
                array = pa.chunked_array(pa.array(values.array)).cast(pa.large_string())  # as it is
            else:
                array = pa.array(
                    values.to_numpy(dtype=object, na_value=None), type=pa.large_string(), from_pandas=True
                )
        except (TypeError, ValueError, pa.ArrowException):
            return None  # numbers, dates: pandas formats them
        if pc.any(pc.match_substring_regex(array, QUOTED.pattern)).as_py():
            return None
        columns.append(array)
    return pa.Table.from_arrays(columns, names=[str(n) for n in frame.columns])
