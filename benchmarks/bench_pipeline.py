"""Times the quarterly pipeline stage by stage on generated data, with peak memory.

    python benchmarks/bench_pipeline.py                 # 500, 30,000 and 200,000 route customers
    python benchmarks/bench_pipeline.py --sizes 500 30000

Each size runs in a fresh process (so peak memory is that run's own), on inputs generated
once into benchmarks/out/ (district table 5× the route customers, all .xlsx, with quirks).
Stages: read (raw cells from the files), clean (headers, codes, numbers, grades), merge
(keys, district, routes, changes), tables (both summary tables), export (the four CSVs);
'engine' is clean + merge + tables, everything but file I/O. The workbook write is timed
too, for reference. Ratios are taken within the one run, since this machine is noisy.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SIZES = (500, 30_000, 200_000)
TARGETS = {"io_engine_export_s": 30.0, "engine_s": 3.0, "peak_mb": 2048.0}  # at 200,000


def data_dir(size: int) -> Path:
    return HERE / "out" / f"data_{size}"


def ensure_data(size: int) -> dict[str, str]:
    """Generates the inputs once per size (and remembers where they are)."""
    index = data_dir(size) / "files.json"
    if index.exists():
        return json.loads(index.read_text())
    from xlcrm.demo.sample import generate

    t = time.perf_counter()
    files = generate(data_dir(size), route_customers=size, district_factor=5, layout="xlsx", seed=7)
    paths = {k: str(getattr(files, k)) for k in ("routes", "grades", "previous_grades", "purchases")}
    index.write_text(json.dumps(paths, ensure_ascii=False))
    print(f"  generated {size:,} route customers in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return paths


def measure(paths: dict[str, str]) -> dict[str, float]:
    """One run, in this process: stage times in seconds and peak resident memory."""
    from xlcrm.core.inputs import GRADES, PREVIOUS_GRADES, PURCHASES, load_table, routes_from_sheets
    from xlcrm.core.quarter import review_quarter
    from xlcrm.core.tables import grade_change_table, standards_table
    from xlcrm.io.csv_export import write_exports
    from xlcrm.io.read import read_sheets
    from xlcrm.io.xlsx import write_workbook
    from xlcrm.report.visit_workbook import workbook_sheets

    times: dict[str, float] = {}

    def timed(stage, fn, *args, **kwargs):
        t = time.perf_counter()
        result = fn(*args, **kwargs)
        times[stage] = times.get(stage, 0.0) + time.perf_counter() - t
        return result

    # each file is read and cleaned in turn, in `xlcrm build`'s order, so its raw cells are freed
    loaded = {}
    for key, spec in [
        ("grades", GRADES),
        ("previous_grades", PREVIOUS_GRADES),
        ("purchases", PURCHASES),
        ("routes", None),
    ]:
        raw = timed("read", read_sheets, Path(paths[key]), typed=(key == "routes"))
        loaded[key] = (
            timed("clean", routes_from_sheets, raw)
            if key == "routes"
            else timed("clean", load_table, raw, spec)
        )
        del raw
    routes, grades, previous, purchases = (
        loaded[k] for k in ("routes", "grades", "previous_grades", "purchases")
    )
    result = timed("merge", review_quarter, routes, grades, purchases, previous)
    # review() builds both tables too: time them alone and move that share to 'tables'
    timed("tables", grade_change_table, result.customers, result.scheme, result.batches)
    timed("tables", standards_table, result.district, result.scheme)
    times["merge"] -= times["tables"]
    with tempfile.TemporaryDirectory() as out:
        timed("export", write_exports, result, Path(out))
        sheets = timed("workbook", workbook_sheets, result, routes)
        timed("workbook", write_workbook, sheets, Path(out) / "out.xlsx")
    times["engine"] = times["clean"] + times["merge"] + times["tables"]
    times["io_engine_export"] = times["read"] + times["engine"] + times["export"]
    times["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times["route_customers"] = len(result.customers)
    times["district"] = len(result.district)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: one run in a child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(json.loads(args.measure))))
        return 0

    rows = []
    for size in args.sizes:
        paths = ensure_data(size)
        done = subprocess.run(
            [sys.executable, __file__, "--measure", json.dumps(paths)],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append((size, json.loads(done.stdout.strip().splitlines()[-1])))

    stages = ["read", "clean", "merge", "tables", "export", "engine", "io_engine_export", "workbook"]
    print(
        f"{'route customers':>16} {'district':>10} "
        + " ".join(f"{s:>16}" for s in stages)
        + f" {'peak MB':>8}"
    )
    for _size, t in rows:
        print(
            f"{t['route_customers']:>16,} {t['district']:>10,} "
            + " ".join(f"{t[s]:>15.2f}s" for s in stages)
            + f" {t['peak_mb']:>8.0f}"
        )
    if len(rows) > 1:
        (small, a), (big, b) = rows[-2], rows[-1]
        print(
            f"\nscaling {big:,} / {small:,} customers ({big / small:.1f}×): "
            f"engine {b['engine'] / a['engine']:.1f}×, "
            f"read+engine+export {b['io_engine_export'] / a['io_engine_export']:.1f}×"
        )
    for _size, t in rows:
        print(f"{size:,}: engine share of read+engine+export {t['engine'] / t['io_engine_export']:.0%}")
    largest = max(rows, key=lambda r: r[0])
    if largest[0] >= 200_000:
        t = largest[1]
        checks = [
            ("read+engine+export", t["io_engine_export"], TARGETS["io_engine_export_s"], "s"),
            ("engine", t["engine"], TARGETS["engine_s"], "s"),
            ("peak memory", t["peak_mb"], TARGETS["peak_mb"], "MB"),
        ]
        print(f"\ntargets at {largest[0]:,}:")
        for name, value, target, unit in checks:
            print(
                f"  {name:<20} {value:8.1f} {unit} (target < {target:g} {unit}) "
                f"{'ok' if value < target else 'MISSED'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
