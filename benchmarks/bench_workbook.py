"""The visit workbook: xlcrm's formatted write against a bare XlsxWriter write of the same cells.

    python benchmarks/bench_workbook.py                     # 500, 30,000 and 200,000 route customers
    python benchmarks/bench_workbook.py --sizes 500 --repeat 9

Per size, in one process on the same generated inputs (benchmarks/out/, as bench_pipeline):
  build     read the four files, review, describe the sheets, write the workbook: what
            `xlcrm build` does after start-up (imports excluded)
  sheets    describe the sheets (xlcrm.sheets)
  write     xlcrm's writer: formats, conditional formats, charts, print setup
  bare      XlsxWriter, constant_memory, no formatting, writing the same cell values
The two writes alternate and each keeps its fastest run, so machine noise hits both alike;
the ratio write / bare is the cost of the formatting (target: within 2×).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pipeline import ensure_data  # noqa: E402  (same generated inputs)

TARGET_RATIO = 2.0
TARGET_BUILD_S = 1.0  # the manager's workbook, 500 customers


def bare_write(sheets, path: Path) -> None:
    """The floor: every cell the workbook holds, written plainly."""
    from xlcrm.report.look import shown_cells

    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        ws.write(0, 0, sheet.title)
        row = 1
        for block in sheet.blocks:
            if block.caption:
                ws.write(row, 0, block.caption)
                row += 1
            if block.groups:
                col = 0
                for label, span in block.groups:
                    ws.write(row, col, label)
                    col += span
                row += 1
            for col, column in enumerate(block.columns):
                ws.write(row, col, column.header)
            row += 1
            for values in shown_cells(block):
                for col, value in enumerate(values):
                    ws.write(row, col, value)
                row += 1
            row += 1
    book.close()


def build(paths: dict[str, str], out: Path) -> float:
    """`xlcrm build` without start-up: files in, workbook out."""
    from xlcrm.commands.quarter_run import InputFiles, QuarterRequest, review_files
    from xlcrm.io.xlsx import write_workbook
    from xlcrm.report.visit_workbook import workbook_sheets

    t = time.perf_counter()
    inputs, result = review_files(
        QuarterRequest(
            InputFiles(*(Path(paths[k]) for k in ("routes", "grades", "purchases", "previous_grades")))
        )
    )
    routes = inputs.routes
    write_workbook(workbook_sheets(result, routes), out)
    return time.perf_counter() - t


def measure(size: int, repeat: int) -> dict[str, float]:
    from xlcrm.commands.quarter_run import InputFiles, QuarterRequest, review_files
    from xlcrm.io.xlsx import write_workbook
    from xlcrm.report.visit_workbook import workbook_sheets

    paths = ensure_data(size)
    inputs, result = review_files(
        QuarterRequest(
            InputFiles(*(Path(paths[k]) for k in ("routes", "grades", "purchases", "previous_grades")))
        )
    )
    routes = inputs.routes
    best = {"build": float("inf"), "sheets": float("inf"), "write": float("inf"), "bare": float("inf")}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for i in range(repeat):
            if size <= 50_000:
                best["build"] = min(best["build"], build(paths, out / "build.xlsx"))
            t = time.perf_counter()
            sheets = workbook_sheets(result, routes)
            best["sheets"] = min(best["sheets"], time.perf_counter() - t)
            # alternate which goes first, so neither always gets the warmer cache
            order = [("write", write_workbook), ("bare", bare_write)]
            for name, writer in order if i % 2 == 0 else order[::-1]:
                t = time.perf_counter()
                writer(sheets, out / f"{name}.xlsx")
                best[name] = min(best[name], time.perf_counter() - t)
        cells = sum(len(b.rows) * len(b.columns) for s in sheets for b in s.blocks)
        sizes = {name: (out / f"{name}.xlsx").stat().st_size for name in ("write", "bare")}
    return best | {
        "customers": len(result.customers),
        "cells": cells,
        "sheets_n": len(sheets),
        "write_mb": sizes["write"] / 1e6,
        "bare_mb": sizes["bare"] / 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 30_000, 200_000])
    parser.add_argument(
        "--repeat", type=int, help="runs per size (default: 9 at ≤ 5,000, 3 at ≤ 50,000, else 1)"
    )
    args = parser.parse_args()
    print(
        f"{'customers':>10} {'cells':>11} {'sheets':>6} {'build':>8} {'describe':>9} "
        f"{'write':>8} {'bare':>8} "
        f"{'write/bare':>10} {'file MB':>13}"
    )
    ok = True
    for size in args.sizes:
        repeat = args.repeat or (9 if size <= 5_000 else 3 if size <= 50_000 else 1)
        m = measure(size, repeat)
        ratio = m["write"] / m["bare"]
        build_text = f"{m['build']:7.2f}s" if m["build"] != float("inf") else "      –"
        print(
            f"{m['customers']:>10,} {m['cells']:>11,} {m['sheets_n']:>6} {build_text} {m['sheets']:>8.3f}s "
            f"{m['write']:>7.3f}s {m['bare']:>7.3f}s {ratio:>9.2f}× "
            f"{m['write_mb']:>6.1f}/{m['bare_mb']:<6.1f}"
        )
        ok &= ratio <= TARGET_RATIO
        if size <= 500:
            ok &= m["build"] < TARGET_BUILD_S
            print(
                f"{'':>10} build of the manager's workbook {m['build']:.2f} s (target < {TARGET_BUILD_S:g} s)"
            )
    print(
        f"\nwrite within {TARGET_RATIO:g}× of bare XlsxWriter"
        f"{' and build under 1 s at 500' if 500 in args.sizes else ''}: "
        f"{'ok' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
