"""One quarterly run on files: read the inputs, review, write the workbook and exports.

A thin shell between the command line (or any other caller) and the pure engine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from .io.export import write_exports
from .io.inputs import RouteBook, Table, load_grades, load_purchases, load_routes
from .io.atomic import atomic_output
from .io.xlsx import write_workbook
from .review import Review, Settings, review
from .sheets import workbook_sheets
from .titles import Labels, manager_named, quarter_label


@dataclass(frozen=True)
class InputFiles:
    routes: Path
    grades: Path
    purchases: Path
    previous_grades: Path | None = None

    def all(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.routes, self.grades, self.purchases, self.previous_grades) if p)


@dataclass(frozen=True)
class Inputs:
    routes: RouteBook
    grades: Table
    purchases: Table
    previous: Table | None


class Stopwatch:
    """Stage timings, and progress lines for the person waiting."""

    def __init__(self, say: Callable[[str], None] = lambda _: None):
        self.say = say
        self.start = time.perf_counter()
        self.stages: dict[str, float] = {}

    def stage(self, name: str, fn, *args, **kwargs):
        self.say(f"[{time.perf_counter() - self.start:6.1f}s] {name} …")
        t = time.perf_counter()
        result = fn(*args, **kwargs)
        self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - t
        return result

    def note(self, text: str) -> None:
        self.say(f"[{time.perf_counter() - self.start:6.1f}s]   {text}")


def read_inputs(files: InputFiles, overrides: Mapping[str, str], watch: Stopwatch) -> Inputs:
    # the big district tables first, the route cells (kept whole for the visit workbook) last:
    # parsing a million-row sheet is the peak of memory, so little else should be held then
    grades = watch.stage(f"读取本季等级表 {files.grades.name}", load_grades, files.grades, overrides)
    previous = None
    if files.previous_grades:
        previous = watch.stage(f"读取上季等级表 {files.previous_grades.name}", load_grades,
                               files.previous_grades, overrides, label="上季等级表", previous=True)
    purchases = watch.stage(f"读取购进表 {files.purchases.name}", load_purchases, files.purchases, overrides)
    routes = watch.stage(f"读取线路表 {files.routes.name}", load_routes, files.routes, overrides)
    return Inputs(routes, grades, purchases, previous)


def run_review(inputs: Inputs, settings: Settings, watch: Stopwatch) -> Review:
    return watch.stage("合并与统计", review, inputs.routes, inputs.grades, inputs.purchases,
                       inputs.previous, settings, watch.note)


def report_labels(files: InputFiles, inputs: Inputs, quarter: str | None = None,
                  manager: str | None = None) -> Labels:
    """What the titles say: given values win; else the quarter named by the grade table's
    (or the route workbook's) file name or title lines, and the manager a route sheet names."""
    heading = [line for sheet in inputs.routes.sheets for line in sheet.heading()]
    return Labels(quarter=quarter or quarter_label(files.grades.stem, files.routes.stem, *heading),
                  manager=manager or manager_named(heading))


def write_outputs(result: Review, inputs: Inputs, files: InputFiles, out: Path | None,
                  export_dir: Path | None, watch: Stopwatch, labels: Labels = Labels(),
                  mask: bool = True) -> list[Path]:
    written = []
    if export_dir:
        written += watch.stage(f"导出 CSV 到 {export_dir}", write_exports, result, export_dir)
    if out:
        sheets = watch.stage("整理输出工作表", workbook_sheets, result, inputs.routes, labels, mask)

        def write() -> None:
            with atomic_output(out, inputs=files.all()) as tmp:
                write_workbook(sheets, tmp)

        watch.stage(f"写入工作簿 {out.name}", write)
        written.append(out)
    return written
