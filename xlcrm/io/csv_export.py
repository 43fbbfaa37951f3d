"""--export-dir: the CSV exports (report.exports) written as UTF-8 files, atomically."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..core.history import Outlook
from ..core.quarter import QuarterResult
from ..report.exports import export_frames
from .atomic import atomic_output, refuse_inputs


def write_exports(
    result: QuarterResult, directory: Path, inputs: Iterable[Path | None] = (), outlook: Outlook | None = None
) -> list[Path]:
    """Writes the CSV files (UTF-8, '\\n' line ends, same bytes for the same inputs); none
    when any of them would replace an input (customers.csv in the input folder)."""
    frames = export_frames(result, outlook)
    inputs = list(inputs)
    refuse_inputs([Path(directory) / name for name in frames], inputs)
    written = []
    for name, frame in frames.items():
        target = Path(directory) / name
        with atomic_output(target, inputs=inputs) as tmp:
            # %.15g: whole numbers without '.0', decimals as read, no float noise
            frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n", float_format="%.15g")
        written.append(target)
    return written
