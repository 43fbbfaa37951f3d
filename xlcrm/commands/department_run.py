"""`xlcrm batch`: a whole department in one run. The district tables are read and prepared
once; each manager's routes are reviewed and written in a pool of processes (every core);
a broken file is reported and skipped; a department workbook sums it all up."""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import issues as issue_list
from ..core.department import Failure, ManagerSummary, log_owner, summarize
from ..core.errors import XlcrmError
from ..core.history import AlertSettings, outlook, quarter_trend
from ..core.inputs import GRADES, PREVIOUS_GRADES, PURCHASES, routes_from_sheets, split_by_manager
from ..core.model import RawSheet
from ..core.orders import Orders, off_routes
from ..core.quarter import DistrictData, ReviewSettings, prepare_district, review_routes
from ..core.quarters import Quarter
from ..core.titles import Labels, labels_for
from ..core.values import ValueSettings, customer_values
from ..core.visits import VisitLog, no_visits, review_visits, with_visit_issues
from ..io.atomic import atomic_output, output_folder
from ..io.input_files import load_input, load_routes, load_routes_with_log, load_visits
from ..io.pdf import workbook_to_pdf
from ..io.read import read_sheets
from ..io.xlsx import write_workbook
from ..report.department_workbook import department_sheets
from ..report.history_sheets import trend_sheet
from ..report.visit_workbook import workbook_sheets
from ..store import reading
from ..store.builds import history_around, quarter_of, quarter_record
from ..store.database import Store, open_store
from ..store.recording import BuildRecord, record

ROUTE_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}
DEPARTMENT_BOOK = "部门汇总.xlsx"
ERROR_LOG = "批量运行错误.log"


@dataclass(frozen=True)
class ManagerRoutes:
    """One manager: a route workbook, or their rows of a department-wide route table."""

    manager: str
    file: Path
    sheets: tuple[RawSheet, ...] = ()  # already split from a table; empty: read `file`
    visits: tuple[Path, ...] = ()  # their visit log in --visits-dir (more than one: said, not guessed)
    # that log already read (InputsAhead), or why it could not be
    log: VisitLog | XlcrmError | None = None


@dataclass(frozen=True)
class DepartmentOptions:
    """What every manager's run shares: where to write, how to grade, the quarter in titles."""

    out_dir: Path
    settings: ReviewSettings
    quarter: str | None
    pdf: bool
    mask: bool
    inputs: tuple[Path, ...] = ()  # every input file of the run: no output may replace one
    print_columns: tuple[str, ...] | None = None  # the managers' own columns that print; None: default
    store: str | None = None  # the customer store everyone is recorded in, at the end, in one transaction
    alerts: AlertSettings = AlertSettings()
    as_of: dt.date = field(default_factory=dt.date.today)  # the day date rules count from (--as-of)
    values: ValueSettings = ValueSettings()  # ABC shares, days before no_order
    visits: bool = False  # every manager's visit log read (--visits-dir, else their route workbook's)


def routes_in_folder(folder: Path) -> list[ManagerRoutes]:
    files = sorted(
        p
        for p in Path(folder).iterdir()
        if p.suffix.lower() in ROUTE_SUFFIXES and not p.name.startswith(("~$", "."))
    )
    if not files:
        raise XlcrmError(f"文件夹 {folder} 中没有线路表（.xlsx .xls .csv 等）")
    return [ManagerRoutes(p.stem, p) for p in files]


def routes_in_table(path: Path, manager_column: str) -> list[ManagerRoutes]:
    """One table with a manager column (and a route column): each manager's rows become their
    route sheets, keeping the table's own row numbers for messages."""
    sheets = [s for s in read_sheets(path) if not s.cells.empty]
    if not sheets:
        raise XlcrmError(f"{Path(path).name} 是空的")
    return [
        ManagerRoutes(manager, Path(path), tuple(split))
        for manager, split in split_by_manager(sheets[0], manager_column).items()
    ]


def visit_logs_in_folder(folder: Path, jobs: list[ManagerRoutes]) -> tuple[list[ManagerRoutes], list[Path]]:
    """Each manager's visit log in the folder, matched by file name as route workbooks are
    (张三.xlsx, or 张三拜访记录.xlsx); the files that match no manager, to be said."""
    files = sorted(
        p
        for p in Path(folder).iterdir()
        if p.suffix.lower() in ROUTE_SUFFIXES and not p.name.startswith(("~$", "."))
    )
    managers = {job.manager for job in jobs}
    owners = {p: log_owner(p.stem, managers) for p in files}
    paired = [replace(job, visits=tuple(p for p in files if owners[p] == job.manager)) for job in jobs]
    return paired, [p for p in files if owners[p] is None]


def visit_log_of(job: ManagerRoutes, kept: VisitLog | None) -> tuple[VisitLog, str]:
    """A manager's visit log and where it came from: their file in --visits-dir, else the log
    kept in their route workbook, else none ('')."""
    if len(job.visits) > 1:
        names = "、".join(p.name for p in job.visits)
        raise XlcrmError(
            f"拜访记录文件夹中有 {len(job.visits)} 个文件都是 {job.manager} 的：{names}；请只留一个"
        )
    if isinstance(job.log, XlcrmError):
        raise job.log
    if job.visits:
        return (job.log if job.log is not None else load_visits(job.visits[0])), job.visits[0].name
    if kept is not None:
        return kept, f"{job.file.name} › {kept.where.rsplit(' › ', 1)[-1]}"
    return no_visits(), ""


# --- in each worker process ----------------------------------------------------------------

_district: DistrictData | None = None
_options: DepartmentOptions | None = None
_store: Store | None = None
_orders: Orders | None = None
_logs: Mapping[tuple[str, Path], VisitLog | XlcrmError] = {}


def _start_worker(
    district: DistrictData,
    options: DepartmentOptions,
    orders: Orders | None = None,
    logs: Mapping[tuple[str, Path], VisitLog | XlcrmError] | None = None,
) -> None:
    """`logs`: the visit logs read ahead, by (manager, route file): a worker inherits them as it
    does the district, so a manager's job travels to it without its log."""
    global _district, _options, _store, _orders, _logs
    _district, _options, _orders, _logs = district, options, orders, logs or {}
    # each process its own connection: the engine of the parent is never used after a fork
    _store = open_store(options.store) if options.store else None
    # the district lives as long as the worker: the collector need not walk it again and again
    # (each manager's run allocates enough to start many full collections)
    gc.freeze()


def run_manager(job: ManagerRoutes) -> ManagerSummary | Failure:
    """One manager's visit workbook (and PDF); never raises: a failure is a Failure."""
    try:
        if job.log is None and (job.manager, job.file) in _logs:
            job = replace(job, log=_logs[(job.manager, job.file)])
        kept = None
        if job.sheets:
            routes = routes_from_sheets(list(job.sheets))
        elif _options.visits:
            routes, kept = load_routes_with_log(job.file)
        else:
            routes = load_routes(job.file)
        result = review_routes(routes, _district, _options.settings, all_district_issues=False)
        labels = labels_for(quarter=_options.quarter, heading=routes.heading(), fallback_manager=job.manager)
        review, log = None, ""
        if _options.visits:  # as build --visits does
            found, log = visit_log_of(job, kept)
            review = review_visits(found, result, _options.as_of, Quarter.find(labels.quarter))
            result = with_visit_issues(result, review)
        known = None
        if _store is not None:
            known = history_around(_store, quarter_of(labels.quarter), labels.manager or "", result)
        values = customer_values(result, _orders, _options.values)
        look = outlook(result, known, _options.alerts, more=values.alerts)
        out = _options.out_dir / f"{_safe(job.manager)}.xlsx"
        sheets = workbook_sheets(
            result,
            routes,
            labels,
            mask=_options.mask,
            printed=_options.print_columns,
            outlook=look,
            values=values,
            visits=review,
        )
        with atomic_output(out, inputs=(job.file, *job.visits, *_options.inputs)) as tmp:
            write_workbook(sheets, tmp)
        if _options.pdf:
            workbook_to_pdf(out, out.with_suffix(".pdf"))
        recorded_as = labels.manager or "" if _store is not None else None
        return summarize(job.manager, job.file.name, result, recorded_as, values, review, log)
    except XlcrmError as exc:
        return Failure(job.manager, job.file.name, str(exc))
    except Exception:  # a bug on one file must not stop the others
        with open(_options.out_dir / ERROR_LOG, "a", encoding="utf-8") as log:
            log.write(f"== {job.file}\n{traceback.format_exc()}\n")
        return Failure(job.manager, job.file.name, f"程序内部错误，详见 {ERROR_LOG}")


def _safe(name: str) -> str:
    return "".join("_" if ch in '\\/:*?"<>|' else ch for ch in name).strip() or "未命名"


# --- the run ---------------------------------------------------------------------------------


def run_department(
    jobs: list[ManagerRoutes],
    district: DistrictData,
    options: DepartmentOptions,
    *,
    workers: int | None = None,
    progress: Callable[[int, int, float], None] = lambda done, total, elapsed: None,
    orders: Orders | None = None,
) -> tuple[list[ManagerSummary], list[Failure]]:
    """Every manager, on `workers` processes (default: every core), results in the given order;
    `orders`: the department's order detail, read once, each manager's customers looked up in it."""
    output_folder(options.out_dir)
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    district.build_indexes()  # once, here: forked workers inherit them
    if orders is not None:
        orders.build_index()
    start = time.perf_counter()
    results: dict[int, ManagerSummary | Failure] = {}
    if workers == 1:  # no pool to start: the small case stays quick and debuggable
        _start_worker(district, options, orders)
        try:
            for i, job in enumerate(jobs):
                results[i] = run_manager(job)
                progress(i + 1, len(jobs), time.perf_counter() - start)
        finally:
            gc.unfreeze()  # this process goes on (部门汇总): its garbage is collected again
    else:
        # forked workers inherit the logs read ahead, as they do the district: pickling each log
        # with its manager's job cost more than the job (a spawned worker would get all of them)
        forked = multiprocessing.get_start_method() == "fork"
        logs = {(job.manager, job.file): job.log for job in jobs if job.log is not None} if forked else {}
        with ProcessPoolExecutor(
            workers, initializer=_start_worker, initargs=(district, options, orders, logs)
        ) as pool:
            sent = [replace(job, log=None) if (job.manager, job.file) in logs else job for job in jobs]
            pending = {pool.submit(run_manager, job): i for i, job in enumerate(sent)}
            for future in as_completed(pending):
                results[pending[future]] = future.result()
                progress(len(results), len(jobs), time.perf_counter() - start)
    if _store is not None and workers == 1:
        _store.close()
    ordered = [results[i] for i in range(len(jobs))]
    return (
        [r for r in ordered if isinstance(r, ManagerSummary)],
        [r for r in ordered if isinstance(r, Failure)],
    )


def record_department(
    summaries: list[ManagerSummary],
    district: DistrictData,
    options: DepartmentOptions,
    grades: Path,
    purchases: Path,
) -> pd.DataFrame:
    """Everyone built, recorded in one transaction with the district; the department's changes
    over every recorded quarter, read back for 历季趋势."""
    quarter = quarter_of(options.quarter)
    builds = [BuildRecord(s.recorded_as, s.file, s.route_record, s.stored_visits) for s in summaries]
    with open_store(options.store) as store:
        record(store, quarter_record(quarter, district, grades, purchases, builds))
        return reading.department_changes(store)


def write_department(
    summaries: list[ManagerSummary],
    failures: list[Failure],
    district: DistrictData,
    options: DepartmentOptions,
    inputs: Iterable[Path],
    trend: pd.DataFrame | None = None,
) -> Path:
    out = options.out_dir / DEPARTMENT_BOOK
    sheets = department_sheets(summaries, failures, district, Labels(quarter=options.quarter))
    if trend is not None:
        sheets.insert(1, trend_sheet(quarter_trend(trend), Labels(quarter=options.quarter)))
    with atomic_output(out, inputs=tuple(inputs)) as tmp:
        write_workbook(sheets, tmp)
    return out


def prepare(
    grades: Path,
    purchases: Path,
    previous: Path | None,
    settings: ReviewSettings,
    columns: Mapping[str, str] | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> DistrictData:
    say(f"读取辖区等级表 {Path(grades).name} 与购进表 {Path(purchases).name} …")
    grade_table = load_input(grades, GRADES, columns)
    purchase_table = load_input(purchases, PURCHASES, columns)
    previous_table = load_input(previous, PREVIOUS_GRADES, columns) if previous else None
    return prepare_district(grade_table, purchase_table, previous_table, settings, say)


def with_orders(district: DistrictData, orders: Orders) -> DistrictData:
    """The order detail's issues among the district tables' own: 部门汇总 lists them all, each
    manager's workbook those about their customers."""
    return replace(district, issues=issue_list.combine([district.issues, orders.issues]), _indexes={})


def with_unmatched_logs(district: DistrictData, files: list[Path], managers: list[str]) -> DistrictData:
    """The district with one more issue per visit log that is no manager's (部门汇总 lists it)."""
    if not files:
        return district
    names = "、".join(sorted(managers)[:5]) + ("等" if len(managers) > 5 else "")
    found = issue_list.issue_frame(
        "visit_log_no_manager",
        None,
        [p.name for p in files],
        [
            f"文件名 {p.stem} 不是哪位客户经理的姓名（线路表：{names}），其中的拜访未计入；"
            f"请把文件改名为客户经理的姓名，如 {sorted(managers)[0]}{p.suffix}"
            for p in files
        ],
    )
    return replace(district, issues=issue_list.combine([district.issues, found]), _indexes={})


def orders_on_no_route(
    district: DistrictData, orders: Orders, summaries: list[ManagerSummary], failures: list[Failure]
) -> DistrictData:
    """The district with one more issue: how many ordering customers are on nobody's routes."""
    keys = [s.route_keys for s in summaries if s.route_keys is not None]
    whose = "已生成拜访表的客户经理的" if failures else "任何客户经理的"
    off = off_routes(orders, np.concatenate(keys) if keys else np.array([], dtype=np.int64), whose)
    return replace(district, issues=issue_list.combine([district.issues, off]), _indexes={})


def department_quarter(quarter: str | None, grades: Path) -> str | None:
    """The quarter in every title: given, else the one the grade table's file name says."""
    return labels_for(quarter=quarter, names=(Path(grades).stem,)).quarter
