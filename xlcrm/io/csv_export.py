"""--export-dir: the CSV exports (report.exports) written as UTF-8 files, atomically."""

from __future__ import annotations

from pathlib import Path

from ..core.history import Outlook
from ..core.quarter import QuarterResult
from ..report.exports import export_frames
from .atomic import atomic_output


def write_exports(result: QuarterResult, directory: Path, outlook: Outlook | None = None) -> list[Path]:
    """Writes the CSV files (UTF-8, '\\n' line ends, same bytes for the same inputs)."""
    written = []
    for name, frame in export_frames(result, outlook).items():
        target = Path(directory) / name
        with atomic_output(target) as tmp:
            # %.15g: whole numbers without '.0', decimals as read, no float noise
            frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n", float_format="%.15g")
        written.append(target)
    return written
