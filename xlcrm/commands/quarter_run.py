"""One manager's quarter on files: read the inputs, review, write the workbook, exports and PDF.

A thin shell between the command line (or any other caller) and the pure core; everything a
run needs arrives in one QuarterRequest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..core.inputs import GRADES, PREVIOUS_GRADES, PURCHASES
from ..core.model import QuarterInputs
from ..core.quarter import QuarterResult, ReviewSettings, review_quarter
from ..core.titles import Labels, labels_for
from ..io.atomic import atomic_output
from ..io.csv_export import write_exports
from ..io.input_files import load_input, load_routes
from ..io.pdf import workbook_to_pdf
from ..io.xlsx import write_workbook
from ..report.messages import customers_line, issue_counts
from ..report.visit_workbook import ISSUES_NAME, workbook_sheets
from .progress import Stopwatch


@dataclass(frozen=True)
class InputFiles:
    routes: Path
    grades: Path
    purchases: Path
    previous_grades: Path | None = None

    def all(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.routes, self.grades, self.purchases, self.previous_grades) if p)


@dataclass(frozen=True)
class QuarterRequest:
    """A quarterly run: its inputs, how to read and grade them, what the titles say, what to write."""

    files: InputFiles
    settings: ReviewSettings = ReviewSettings()
    columns: Mapping[str, str] = field(default_factory=dict)  # role → header name or letter
    quarter: str | None = None  # titles; None: from the file names or the route sheets
    manager: str | None = None
    out: Path | None = None  # the visit workbook; None: review only (check)
    export_dir: Path | None = None
    pdf: Path | None = None
    mask: bool = True  # phone and ID numbers masked on the route sheets (they are printed)
    print_columns: tuple[str, ...] | None = None  # the manager's own columns that print; None: default


def read_inputs(request: QuarterRequest, watch: Stopwatch) -> QuarterInputs:
    files, columns = request.files, request.columns
    # the big district tables first, the route cells (kept whole for the visit workbook) last:
    # parsing a million-row sheet is the peak of memory, so little else should be held then
    grades = watch.stage(f"读取本季等级表 {files.grades.name}", load_input, files.grades, GRADES, columns)
    previous = None
    if files.previous_grades:
        previous = watch.stage(
            f"读取上季等级表 {files.previous_grades.name}",
            load_input,
            files.previous_grades,
            PREVIOUS_GRADES,
            columns,
        )
    purchases = watch.stage(
        f"读取购进表 {files.purchases.name}", load_input, files.purchases, PURCHASES, columns
    )
    routes = watch.stage(f"读取线路表 {files.routes.name}", load_routes, files.routes, columns)
    return QuarterInputs(routes, grades, purchases, previous)


def title_labels(request: QuarterRequest, inputs: QuarterInputs) -> Labels:
    """The quarter named by the grade table's (or the route workbook's) file name, else the titles."""
    return labels_for(
        quarter=request.quarter,
        manager=request.manager,
        names=(request.files.grades.stem, request.files.routes.stem),
        heading=inputs.routes.heading(),
    )


def review_files(
    request: QuarterRequest, watch: Stopwatch | None = None
) -> tuple[QuarterInputs, QuarterResult]:
    """The request's files read and reviewed (nothing written)."""
    watch = watch or Stopwatch()
    inputs = read_inputs(request, watch)
    result = watch.stage(
        "合并与统计",
        review_quarter,
        inputs.routes,
        inputs.grades,
        inputs.purchases,
        inputs.previous,
        request.settings,
        watch.note,
    )
    return inputs, result


def run_quarter(request: QuarterRequest, watch: Stopwatch) -> QuarterResult:
    inputs, result = review_files(request, watch)
    written = write_outputs(result, inputs, request, watch)
    watch.say(customers_line(result))
    watch.say(issue_counts(result.issues, see=f"（详见“{ISSUES_NAME}”工作表）"))
    for path in written:
        watch.say(f"已写入 {path}")
    if request.out and request.pdf:
        watch.stage(f"打印 PDF {request.pdf.name}", workbook_to_pdf, request.out, request.pdf)
        watch.say(f"已写入 {request.pdf}")
    return result


def write_outputs(
    result: QuarterResult, inputs: QuarterInputs, request: QuarterRequest, watch: Stopwatch
) -> list[Path]:
    written = []
    if request.export_dir:
        written += watch.stage(f"导出 CSV 到 {request.export_dir}", write_exports, result, request.export_dir)
    if request.out:
        out = request.out
        sheets = watch.stage(
            "整理输出工作表",
            workbook_sheets,
            result,
            inputs.routes,
            title_labels(request, inputs),
            request.mask,
            request.print_columns,
        )

        def write() -> None:
            with atomic_output(out, inputs=request.files.all()) as tmp:
                write_workbook(sheets, tmp)

        watch.stage(f"写入工作簿 {out.name}", write)
        written.append(out)
    return written
