"""`xlcrm batch`: a whole department in one run. The district tables are read and prepared
once; each manager's routes are reviewed and written in a pool of processes (every core);
a broken file is reported and skipped; a department workbook sums it all up."""

from __future__ import annotations

import os
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from .department import Failure, ManagerSummary, department_sheets, summarize
from .errors import XlcrmError
from .io.atomic import atomic_output
from .io.inputs import load_grades, load_purchases, load_routes, routes_from_sheets
from .io.pdf import workbook_to_pdf
from .io.read import RawSheet, read_sheets
from .io.xlsx import write_workbook
from .review import DistrictData, Settings, prepare_district, review_routes
from .sheets import workbook_sheets
from .titles import Labels, manager_named, quarter_label

ROUTE_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}
DEPARTMENT_BOOK = "部门汇总.xlsx"
ERROR_LOG = "批量运行错误.log"


@dataclass(frozen=True)
class Job:
    """One manager: a route workbook, or their rows of a department-wide route table."""
    manager: str
    file: Path
    sheets: tuple[RawSheet, ...] = ()  # already split from a table; empty: read `file`


@dataclass(frozen=True)
class Options:
    out_dir: Path
    settings: Settings
    quarter: str | None
    pdf: bool
    mask: bool


def jobs_from_folder(folder: Path) -> list[Job]:
    files = sorted(p for p in Path(folder).iterdir()
                   if p.suffix.lower() in ROUTE_SUFFIXES and not p.name.startswith(("~$", ".")))
    if not files:
        raise XlcrmError(f"文件夹 {folder} 中没有线路表（.xlsx .xls .csv 等）")
    return [Job(p.stem, p) for p in files]


def jobs_from_table(path: Path, manager_column: str) -> list[Job]:
    """One table with a manager column (and a route column): each manager's rows become their
    route sheets, keeping the table's own row numbers for messages."""
    from .columns import find_header, tidy_header
    from .cleaning import as_text

    sheets = [s for s in read_sheets(path) if not s.cells.empty]
    if not sheets:
        raise XlcrmError(f"{Path(path).name} 是空的")
    raw = sheets[0]
    header = find_header(raw.cells, ("code", "route"), where=raw.where, required=("code", "route"))
    wanted = tidy_header(manager_column)
    names = [tidy_header(n) for n in header.names]
    if wanted not in names:
        raise XlcrmError(f"第{header.row}行表头中没有“{manager_column}”列；请用 --manager-column 指定客户经理所在的列",
                         where=raw.where)
    head = raw.cells.loc[: header.row]
    body = raw.cells.loc[header.row + 1:]
    managers = as_text(body[names.index(wanted)])
    routes = as_text(body[header.columns["route"]])
    jobs = []
    for manager in dict.fromkeys(m for m in managers if m):
        mine = body[managers == manager]
        split = tuple(RawSheet(raw.file, route or "未分线路", _stacked(head, mine[routes[mine.index] == route]),
                               origin=raw.where)
                      for route in dict.fromkeys(routes[mine.index]))
        jobs.append(Job(manager, Path(path), split))
    return jobs


def _stacked(head: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([head, rows])


# --- in each worker process ----------------------------------------------------------------

_district: DistrictData | None = None
_options: Options | None = None


def _start_worker(district: DistrictData, options: Options) -> None:
    global _district, _options
    _district, _options = district, options


def run_job(job: Job) -> ManagerSummary | Failure:
    """One manager's visit workbook (and PDF); never raises: a failure is a Failure."""
    try:
        routes = routes_from_sheets(list(job.sheets)) if job.sheets else load_routes(job.file)
        result = review_routes(routes, _district, _options.settings, all_district_issues=False)
        heading = [line for sheet in routes.sheets for line in sheet.heading()]
        labels = Labels(quarter=_options.quarter, manager=manager_named(heading) or job.manager)
        out = _options.out_dir / f"{_safe(job.manager)}.xlsx"
        sheets = workbook_sheets(result, routes, labels, mask=_options.mask)
        with atomic_output(out, inputs=(job.file,)) as tmp:
            write_workbook(sheets, tmp)
        if _options.pdf:
            workbook_to_pdf(out, out.with_suffix(".pdf"))
        return summarize(job.manager, job.file.name, result)
    except XlcrmError as exc:
        return Failure(job.manager, job.file.name, str(exc))
    except Exception:  # a bug on one file must not stop the others
        with open(_options.out_dir / ERROR_LOG, "a", encoding="utf-8") as log:
            log.write(f"== {job.file}\n{traceback.format_exc()}\n")
        return Failure(job.manager, job.file.name, f"程序内部错误，详见 {ERROR_LOG}")


def _safe(name: str) -> str:
    return "".join("_" if ch in '\\/:*?"<>|' else ch for ch in name).strip() or "未命名"


# --- the run ---------------------------------------------------------------------------------

def run_batch(jobs: list[Job], district: DistrictData, options: Options, *, workers: int | None = None,
              progress: Callable[[int, int, float], None] = lambda done, total, elapsed: None
              ) -> tuple[list[ManagerSummary], list[Failure]]:
    """Every job, on `workers` processes (default: every core), results in job order."""
    options.out_dir.mkdir(parents=True, exist_ok=True)
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    district.build_indexes()  # once, here: forked workers inherit them
    start = time.perf_counter()
    results: dict[int, ManagerSummary | Failure] = {}
    if workers == 1:  # no pool to start: the small case stays quick and debuggable
        _start_worker(district, options)
        for i, job in enumerate(jobs):
            results[i] = run_job(job)
            progress(i + 1, len(jobs), time.perf_counter() - start)
    else:
        with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(district, options)) as pool:
            pending = {pool.submit(run_job, job): i for i, job in enumerate(jobs)}
            for future in as_completed(pending):
                results[pending[future]] = future.result()
                progress(len(results), len(jobs), time.perf_counter() - start)
    ordered = [results[i] for i in range(len(jobs))]
    return ([r for r in ordered if isinstance(r, ManagerSummary)], [r for r in ordered if isinstance(r, Failure)])


def write_department(summaries: list[ManagerSummary], failures: list[Failure], district: DistrictData,
                     options: Options, inputs: Iterable[Path]) -> Path:
    out = options.out_dir / DEPARTMENT_BOOK
    sheets = department_sheets(summaries, failures, district, Labels(quarter=options.quarter))
    with atomic_output(out, inputs=tuple(inputs)) as tmp:
        write_workbook(sheets, tmp)
    return out


def progress_bar(stream=sys.stderr) -> Callable[[int, int, float], None]:
    """'[██████······] 120/400 位客户经理 · 已用 35s · 还需约 82s' — redrawn in place on a terminal."""
    live = stream.isatty()
    last = [0.0]

    def show(done: int, total: int, elapsed: float) -> None:
        if not live and 1 < done < total and elapsed - last[0] < 5:
            return  # a log file gets a line every few seconds, not one per manager
        last[0] = elapsed
        width = 24
        filled = round(width * done / total)
        left = elapsed / done * (total - done) if done else 0
        line = (f"[{'█' * filled}{'·' * (width - filled)}] {done}/{total} 位客户经理 · 已用 {elapsed:.0f}s"
                + (f" · 还需约 {left:.0f}s" if done < total else ""))
        stream.write(("\r" + line) if live else line + "\n")
        if live and done == total:
            stream.write("\n")
        stream.flush()

    return show


def prepare(grades: Path, purchases: Path, previous: Path | None, settings: Settings,
            overrides=None, say: Callable[[str], None] = lambda _: None) -> DistrictData:
    say(f"读取辖区等级表 {Path(grades).name} 与购进表 {Path(purchases).name} …")
    grade_table = load_grades(grades, overrides)
    purchase_table = load_purchases(purchases, overrides)
    previous_table = load_grades(previous, overrides, label="上季等级表", previous=True) if previous else None
    return prepare_district(grade_table, purchase_table, previous_table, settings, say)


def quarter_for(quarter: str | None, grades: Path) -> str | None:
    return quarter or quarter_label(Path(grades).stem)
