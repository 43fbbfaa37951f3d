"""Where the time RFM and the follow-ups add to each manager's run goes: the cells written.

For the first --managers managers of bench_values.py's department (its data, made there when
missing), each manager's run is done as `xlcrm batch` does it, once with ABC alone and once with
ABC + RFM + follow-ups (--orders, --visits-dir), and the sheets it describes are kept. Each
manager's workbook is then written again and again in this process (the fastest of --repeat):
the cells each workbook holds and the time to write it. Beside them XlsxWriter's own cost of a
cell with nothing of xlcrm's around it (text, numbers and blanks in thirds, each with a format,
in one sheet of as many cells as a workbook with follow-ups): what the added cells cost at the
least, whoever writes them with XlsxWriter.

    python benchmarks/bench_written_cells.py            # ~2 min once bench_values' data exists
"""

from __future__ import annotations

import argparse
import functools
import gc
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from bench_values import AS_OF, SIZE, VISITS, department_files, order_files, visit_files  # noqa: E402

MODES = ("ABC", "ABC + RFM + follow-ups")


def described(managers: int) -> dict[str, list[list]]:
    """Each manager's sheets as their batch run describes them, in both modes."""
    from xlcrm.commands import department_run as run
    from xlcrm.commands.inputs_ahead import read_ahead
    from xlcrm.core.quarter import ReviewSettings

    paths = department_files()
    orders = order_files(paths)["csv"]
    logs = Path(visit_files(paths, VISITS))
    settings = ReviewSettings()
    jobs = run.routes_in_folder(Path(paths["routes_dir"]))[:managers]
    logged, _ = run.visit_logs_in_folder(logs, jobs)
    ahead = read_ahead(Path(orders), {}, AS_OF, {j.manager: j.visits[0] for j in logged})
    logged = [replace(j, log=ahead.logs[j.manager]) for j in logged]
    alone = run.prepare(Path(paths["grades"]), Path(paths["purchases"]), Path(paths["previous"]), settings)
    district = run.with_orders(alone, ahead.orders)
    quarter = run.department_quarter(None, Path(paths["grades"]))  # as batch names it
    kept: dict[str, list[list]] = {}
    describe = run.workbook_sheets
    with tempfile.TemporaryDirectory() as out:
        for mode, found, given, mine, visits in (
            (MODES[0], alone, None, jobs, False),
            (MODES[1], district, ahead.orders, logged, True),
        ):
            sheets: list[list] = []
            run.workbook_sheets = functools.partial(_kept, describe, sheets)
            options = run.DepartmentOptions(
                Path(out), settings, quarter, False, False, as_of=AS_OF, visits=visits
            )
            run._start_worker(found, options, given)  # as a worker of the pool starts
            try:
                for job in mine:
                    done = run.run_manager(job)
                    assert not isinstance(done, run.Failure), done
            finally:
                run.workbook_sheets = describe
                gc.unfreeze()
            kept[mode] = sheets
    return kept


def _kept(describe, sheets: list, *args, **kwargs) -> list:
    sheets.append(describe(*args, **kwargs))
    return sheets[-1]


def cells(sheets: list) -> int:
    """Cells as described (write_workbook's count: every row of every block, blanks included)."""
    return sum(len(b.rows) * len(b.columns) for s in sheets if hasattr(s, "blocks") for b in s.blocks)


def fastest_write(sheets: list, repeat: int) -> float:
    from xlcrm.io.xlsx import write_workbook

    with tempfile.TemporaryDirectory() as out:
        best = float("inf")
        for _ in range(repeat):
            t = time.process_time()
            write_workbook(sheets, Path(out) / "w.xlsx")
            best = min(best, time.process_time() - t)
    return best


def xlsxwriter_per_cell(count: int, repeat: int) -> float:
    """Seconds a cell, XlsxWriter alone: text, a number, a blank in turn, each with a format."""
    import xlsxwriter

    words = ["送价目表", "逾期", "走访", "一线", "周一", *(f"客户{i}" for i in range(500))]
    columns = 9
    rows = count // columns
    best = float("inf")
    with tempfile.TemporaryDirectory() as out:
        for _ in range(repeat):
            t = time.process_time()
            book = xlsxwriter.Workbook(str(Path(out) / "x.xlsx"), {"in_memory": True})
            text = book.add_format({"border": 1})
            day = book.add_format({"border": 1, "num_format": "yyyy-mm-dd"})
            sheet = book.add_worksheet()
            for r in range(rows):
                for c in range(columns):
                    if c % 3 == 0:
                        sheet.write_string(r, c, words[(r * 7 + c) % len(words)], text)
                    elif c % 3 == 1:
                        sheet.write_number(r, c, 46_000 + r, day)
                    else:
                        sheet.write_blank(r, c, None, text)
            book.close()
            best = min(best, time.process_time() - t)
    return best / (rows * columns)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--managers", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    kept = described(args.managers)
    gc.collect()
    gc.freeze()  # as a worker does: the district is not walked again and again
    count = {m: [cells(s) for s in kept[m]] for m in MODES}
    write = {m: [fastest_write(s, args.repeat) for s in kept[m]] for m in MODES}
    mean = {m: (sum(count[m]) / len(count[m]), sum(write[m]) / len(write[m])) for m in MODES}
    per_cell = xlsxwriter_per_cell(round(mean[MODES[1]][0]), args.repeat)
    added_cells = mean[MODES[1]][0] - mean[MODES[0]][0]
    added_write = mean[MODES[1]][1] - mean[MODES[0]][1]
    managers = SIZE // 500  # the department's managers (500 route customers each)
    print(f"{args.managers} managers of the {SIZE:,}-customer department, fastest of {args.repeat} (CPU)\n")
    print(f"| a manager's workbook | {MODES[0]} | {MODES[1]} | added |")
    print("|---|---:|---:|---:|")
    print(f"| cells | {mean[MODES[0]][0]:,.0f} | {mean[MODES[1]][0]:,.0f} | {added_cells:+,.0f} |")
    print(
        f"| written in (io.xlsx.write_workbook) | {mean[MODES[0]][1] * 1000:.1f} ms "
        f"| {mean[MODES[1]][1] * 1000:.1f} ms | {added_write * 1000:+.1f} ms |"
    )
    print(
        f"| XlsxWriter alone, {per_cell * 1e6:.2f} µs a cell | {mean[MODES[0]][0] * per_cell * 1000:.1f} ms "
        f"| {mean[MODES[1]][0] * per_cell * 1000:.1f} ms | {added_cells * per_cell * 1000:+.1f} ms |"
    )
    print(
        f"\nIn a batch of {managers} managers on 2 processes: writing the added cells takes "
        f"{added_write * managers / 2:.1f} s of the run, XlsxWriter alone at least "
        f"{added_cells * per_cell * managers / 2:.1f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
