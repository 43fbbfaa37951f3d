"""One manager's quarter on files: read the inputs, review, write the workbook, exports and PDF.

A thin shell between the command line (or any other caller) and the pure core; everything a
run needs arrives in one QuarterRequest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import XlcrmError
from ..core.history import AlertSettings, CustomerHistory, Outlook, outlook
from ..core.inputs import GRADES, ORDERS, PREVIOUS_GRADES, PURCHASES
from ..core.model import QuarterInputs, RouteBook
from ..core.orders import Orders, off_routes, prepare_orders
from ..core.quarter import QuarterResult, ReviewSettings, review_quarter
from ..core.quarters import Quarter
from ..core.titles import Labels, labels_for
from ..core.values import CustomerValues, ValueSettings, customer_values, with_issues
from ..core.visits import VisitReview, review_visits, with_visit_issues
from ..io.atomic import atomic_output, refuse_inputs
from ..io.csv_export import write_exports
from ..io.input_files import check_distinct, load_input, load_routes, load_visits
from ..io.pdf import workbook_to_pdf
from ..io.xlsx import write_workbook
from ..report.exports import EXPORTS
from ..report.messages import customers_line, follow_up_line, issue_counts, values_line
from ..report.visit_workbook import ISSUES_NAME, workbook_sheets
from ..store.background import PendingRecording
from ..store.builds import build_record, history_around, previous_grades, quarter_of, quarter_record
from ..store.database import open_store
from .inputs_ahead import InputsAhead
from .progress import Stopwatch
from .read_ahead import HistoryAhead

# an order detail this big is read in a process of its own beside the district's tables (a
# smaller one is read sooner than the process starts: ~0.5 s)
AHEAD_BYTES = 16 * 2**20


@dataclass(frozen=True)
class InputFiles:
    routes: Path
    grades: Path
    purchases: Path
    previous_grades: Path | None = None
    visits: Path | None = None  # the visit log (may be the route workbook itself)
    orders: Path | None = None  # the order detail (订单明细), for RFM and the no_order alert

    def all(self) -> tuple[Path, ...]:
        files = (self.routes, self.grades, self.purchases, self.previous_grades, self.visits, self.orders)
        return tuple(dict.fromkeys(p for p in files if p))


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
    store: str | None = None  # the customer store (a file or a database URL) this quarter is recorded in
    alerts: AlertSettings = AlertSettings()
    print_columns: tuple[str, ...] | None = None  # the manager's own columns that print; None: default
    as_of: dt.date = field(default_factory=dt.date.today)  # the day date rules count from (--as-of)
    values: ValueSettings = ValueSettings()  # ABC shares (--abc), days before no_order (--no-order-days)


def check_request(request: QuarterRequest) -> None:
    """Wrong choices said before anything is read or written: an input given twice, outputs of
    the wrong kind, an output that would replace an input."""
    files = request.files
    labels = {
        "routes": "线路表（--routes）",
        "grades": "本季等级表（--grades）",
        "purchases": "购进表（--purchases）",
        "previous": "上季等级表（--previous-grades）",
        "visits": "拜访记录（--visits）",
        "orders": "订单明细（--orders）",
    }
    check_distinct(
        {
            labels["routes"]: files.routes,
            labels["grades"]: files.grades,
            labels["purchases"]: files.purchases,
            labels["previous"]: files.previous_grades,
            labels["visits"]: files.visits,
            labels["orders"]: files.orders,
        },
        [
            (labels["routes"], labels["grades"]),
            (labels["routes"], labels["purchases"]),
            (labels["routes"], labels["previous"]),
            (labels["grades"], labels["previous"]),
            # the log may sit in the route workbook, never in a district table
            (labels["visits"], labels["grades"]),
            (labels["visits"], labels["purchases"]),
            (labels["visits"], labels["previous"]),
            *((labels[other], labels["orders"]) for other in ("routes", "grades", "purchases", "previous")),
            (labels["visits"], labels["orders"]),
        ],
    )
    if request.out is not None:
        check_suffix(request.out, ".xlsx", "--out", "xlcrm 写的是 Excel 工作簿")
        refuse_inputs([request.out], files.all())
    if request.pdf is not None:
        check_suffix(request.pdf, ".pdf", "--pdf", "打印的结果是 PDF")
        refuse_inputs([request.pdf], files.all())
    if request.export_dir is not None:  # e.g. the input folder, holding a customers.csv of its own
        refuse_inputs([request.export_dir / name for name in EXPORTS], files.all())


def check_suffix(path: Path, suffix: str, option: str, why: str) -> None:
    if path.suffix.lower() != suffix:
        raise XlcrmError(
            f"{option} {path.name}：{why}，文件名须以 {suffix} 结尾（如 {path.stem or '报表'}{suffix}）"
        )


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
    return routes_labels(request, inputs.routes)


def routes_labels(request: QuarterRequest, routes: RouteBook) -> Labels:
    """The quarter named by the grade table's (or the route workbook's) file name, else the titles."""
    return labels_for(
        quarter=request.quarter,
        manager=request.manager,
        names=(request.files.grades.stem, request.files.routes.stem),
        heading=routes.heading(),
    )


def review_files(
    request: QuarterRequest, watch: Stopwatch | None = None
) -> tuple[QuarterInputs, QuarterResult]:
    """The request's files read and reviewed (nothing written)."""
    inputs, result, _, _ = review_request(request, watch)
    return inputs, result


def read_orders(path: Path, columns: Mapping[str, str], as_of: dt.date, watch: Stopwatch) -> Orders:
    """The order detail, reduced at once to each customer's figures (the lines are not kept)."""
    table = watch.stage(f"读取订单明细 {path.name}", load_input, path, ORDERS, columns)
    orders = watch.stage("统计订单", prepare_orders, table, as_of)
    orders_read(orders, watch)
    return orders


def orders_read(orders: Orders, watch: Stopwatch) -> None:
    """What the order detail held, said once it is read."""
    watch.note(
        f"订单 {orders.read:,} 行，{len(orders.figures):,} 个客户有订货（截至 {orders.as_of.isoformat()}）"
    )


def review_request(
    request: QuarterRequest, watch: Stopwatch | None = None
) -> tuple[QuarterInputs, QuarterResult, CustomerValues, VisitReview | None]:
    """The request's files read and reviewed, with the route customers' value classes and the
    visit log (None without --visits); the order detail's and the visit log's issues are in the
    result's issue list (nothing written)."""
    watch = watch or Stopwatch()
    check_request(request)
    path, orders, ahead = request.files.orders, None, None
    if path and path.is_file() and path.stat().st_size >= AHEAD_BYTES:
        ahead = InputsAhead(path, request.columns, request.as_of, {})
        watch.note(f"同时读取订单明细 {path.name}")
    elif path:  # a small table: read and reduced first, as the district's are
        orders = read_orders(path, request.columns, request.as_of, watch)
    with ahead or contextlib.nullcontext():
        inputs, result = _review(request, watch)
    if ahead is not None:
        orders = watch.stage(f"读取订单明细 {path.name}", ahead.result).orders
        orders_read(orders, watch)
    values = customer_values(result, orders, request.values)
    if orders is not None:
        result = with_issues(result, orders.issues, off_routes(orders, result.customer_keys(), "您的"))
    visits = review_log(request, inputs, result, watch)
    if visits is not None:
        result = with_visit_issues(result, visits)
    return inputs, result, values, visits


def _review(request: QuarterRequest, watch: Stopwatch) -> tuple[QuarterInputs, QuarterResult]:
    inputs = read_inputs(request, watch)
    if request.store and inputs.previous is None:
        inputs = with_stored_previous(request, inputs, watch)
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


def review_log(
    request: QuarterRequest, inputs: QuarterInputs, result: QuarterResult, watch: Stopwatch
) -> VisitReview | None:
    """The visit log (--visits) read and reviewed against this build's routes, as of --as-of."""
    if request.files.visits is None:
        return None
    path = request.files.visits
    log = watch.stage(f"读取拜访记录 {path.name}", load_visits, path, request.columns)
    quarter = Quarter.find(title_labels(request, inputs).quarter)
    review = review_visits(log, result, request.as_of, quarter)
    return review


def with_stored_previous(request: QuarterRequest, inputs: QuarterInputs, watch: Stopwatch) -> QuarterInputs:
    """Without a previous-grade table, last quarter's grades come from the store when it has them."""
    quarter = quarter_of(title_labels(request, inputs).quarter)
    with open_store(request.store) as store:
        previous = previous_grades(store, quarter)
    if previous is None:
        return inputs
    watch.note(f"上季等级取自客户档案库 {previous.where}")
    return QuarterInputs(inputs.routes, inputs.grades, inputs.purchases, previous)


def run_quarter(request: QuarterRequest, watch: Stopwatch) -> QuarterResult:
    ahead = HistoryAhead(request, routes_labels) if request.store else None
    inputs, result, values, visits = review_request(request, watch)
    labels = title_labels(request, inputs)
    known, pending = None, None
    if request.store:
        known, pending = watch.stage(
            f"读取客户档案库 {request.store}", start_recording, request, result, labels, ahead, visits
        )
    try:
        look = outlook(result, known, request.alerts, more=values.alerts)
        written = write_outputs(result, inputs, request, labels, look, watch, values, visits)
        if request.out and request.pdf:
            watch.stage(f"打印 PDF {request.pdf.name}", workbook_to_pdf, request.out, request.pdf)
            written.append(request.pdf)
    except BaseException:
        if pending is not None:
            pending.abandon()  # a failed run leaves the store as it was
        raise
    if pending is not None:
        watch.stage(f"记录到客户档案库 {request.store}", pending.commit)
    watch.say(customers_line(result))
    watch.say(values_line(values))
    if visits is not None:
        watch.say(follow_up_line(visits, ""))
    watch.say(issue_counts(result.issues, see=f"（详见“{ISSUES_NAME}”工作表）"))
    for path in written:
        watch.say(f"已写入 {path}")
    return result


def start_recording(
    request: QuarterRequest,
    result: QuarterResult,
    labels: Labels,
    ahead: HistoryAhead | None = None,
    visits: VisitReview | None = None,
) -> tuple[CustomerHistory, PendingRecording]:
    """This quarter and this build (and its visit log) written into the store by a process of
    its own (committed when the run's outputs are written), while the history of its customers
    is read here (what was read ahead, and the rest)."""
    quarter = quarter_of(labels.quarter)
    files = request.files
    build = build_record(labels.manager, files.routes, result, visits.visits if visits else None)
    entry = quarter_record(quarter, result, files.grades, files.purchases, [build])
    with open_store(request.store) as store:  # made (or migrated) before the recording starts
        pending = PendingRecording(request.store, entry)
        try:
            found = ahead.result() if ahead is not None else None
            return history_around(store, quarter, labels.manager or "", result, found), pending
        except BaseException:
            pending.abandon()
            raise


def write_outputs(
    result: QuarterResult,
    inputs: QuarterInputs,
    request: QuarterRequest,
    labels: Labels,
    look: Outlook,
    watch: Stopwatch,
    values: CustomerValues | None = None,
    visits: VisitReview | None = None,
) -> list[Path]:
    written = []
    if request.export_dir:
        written += watch.stage(
            f"导出 CSV 到 {request.export_dir}",
            write_exports,
            result,
            request.export_dir,
            request.files.all(),
            look,
            values,
            visits,
        )
    if request.out:
        out = request.out
        sheets = watch.stage(
            "整理输出工作表",
            workbook_sheets,
            result,
            inputs.routes,
            labels,
            request.mask,
            request.print_columns,
            look,
            values,
            visits,
        )

        def write() -> None:
            with atomic_output(out, inputs=request.files.all()) as tmp:
                write_workbook(sheets, tmp)

        watch.stage(f"写入工作簿 {out.name}", write)
        written.append(out)
    return written
