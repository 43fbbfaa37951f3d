"""Value classes (ABC, RFM, no_order) on a department, measured side by side in one run:

  1. reading the order detail — 5,000,000 lines, a quarter of weekly orders of 200,000 route
     customers — with xlcrm (header found, codes, dates and amounts cleaned, every problem at
     its cell; then reduced to each customer's figures) against reading the same file bare
     with the same engine (io.read.read_sheets: the CSV reader; fastexcel/calamine for .xlsx),
     for the GBK CSV a platform exports and for the same lines as .xlsx over five sheets;
  2. `xlcrm batch` at 200,000 route customers (400 managers) as it was before value classes
     (the code of --baseline, extracted from git), with ABC alone (no --orders) and with
     --orders (the CSV), so what ABC and RFM add to the batch time shows.

    python benchmarks/bench_values.py                   # ~20 min on 2 cores (data generated once)
    python benchmarks/bench_values.py --repeat 1 --skip-batch

Each measurement runs in a fresh process; the two reads (and the three batches) alternate and
each keeps its fastest of --repeat runs. Peak memory is measured, not bounded: a thread sums
the proportional set size (PSS, /proc/<pid>/smaps_rollup: pages shared by forked workers
counted once) of the process and its workers every 50 ms. Inputs are generated once into
benchmarks/out/ (the department of bench_batch.py, seed 7; orders seed 11).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# a baseline measurement imports the xlcrm its PYTHONPATH names, not this checkout's
sys.path[:0] = [str(HERE)] if os.environ.get("XLCRM_BENCH_BASELINE") else [str(ROOT), str(HERE)]

SIZE = 200_000
LINES = 5_000_000
AS_OF = date(2026, 9, 30)
BASELINE = "1344119"  # issue 16's last commit before value classes


# --- data --------------------------------------------------------------------------------


def department_files() -> dict[str, str]:
    from bench_batch import data  # the department bench_batch.py measures (seed 7)

    return data(SIZE)


def order_files(paths: dict[str, str]) -> dict[str, str]:
    """5,000,000 order lines for the department's route customers (and some of the district's
    others): the GBK CSV with the usual quirks, and the same lines as .xlsx."""
    folder = HERE / "out" / f"orders_{SIZE}"
    index = folder / "files.json"
    if index.exists():
        return json.loads(index.read_text())
    import numpy as np

    from xlcrm.core.inputs import PURCHASES
    from xlcrm.demo.orders import order_lines, write_orders
    from xlcrm.io.input_files import load_input, load_routes

    t = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(11)
    route_codes = []
    for path in sorted(Path(paths["routes_dir"]).glob("*.xlsx")):
        route_codes.append(load_routes(path).customers["customer_code"].dropna().to_numpy(dtype=object))
    on_routes = np.unique(np.concatenate(route_codes))
    bought = load_input(Path(paths["purchases"]), PURCHASES).rows.drop_duplicates("customer_code")
    others = np.setdiff1d(bought["customer_code"].to_numpy(dtype=object), on_routes)
    codes = np.concatenate([on_routes, rng.choice(others, size=len(on_routes) // 20, replace=False)])
    amount = bought.set_index("customer_code")["amount"].reindex(codes).to_numpy(dtype=float)
    weekly = np.where(np.isnan(amount), 2_000.0, amount) / 13
    lines = order_lines(codes, weekly, date(2026, 7, 1), AS_OF, seed=11)
    if len(lines) > LINES:  # exactly the size asked for: lines dropped at random, order kept
        lines = lines.iloc[np.sort(rng.choice(len(lines), size=LINES, replace=False))]
    files = {}
    for suffix in ("csv", "xlsx"):
        out = folder / f"订单明细.{suffix}"
        write_orders(out, lines.reset_index(drop=True), AS_OF, quirks=True, seed=11)
        files[suffix] = str(out)
    files["lines"] = len(lines)
    index.write_text(json.dumps(files, ensure_ascii=False))
    print(f"  generated {len(lines):,} order lines in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return files


# --- peak memory ---------------------------------------------------------------------------------


class PeakMemory:
    """The largest sum of PSS over this process and its descendants, sampled every 50 ms."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._sample()
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self._sample()

    def _sample(self) -> None:
        total = sum(_pss_kb(pid) for pid in _tree(os.getpid()))
        self.peak_kb = max(self.peak_kb, total)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# --- one measurement (in a fresh process) --------------------------------------------------------


def measure_read(path: str, mode: str) -> dict:
    from xlcrm.core.inputs import ORDERS, load_table
    from xlcrm.core.orders import prepare_orders
    from xlcrm.io.read import read_sheets

    with PeakMemory() as memory:
        t = time.perf_counter()
        sheets = read_sheets(Path(path), typed=False)
        read = time.perf_counter() - t
        result = {"read_s": read, "rows": sum(len(s.cells) for s in sheets)}
        if mode == "xlcrm":
            table = load_table(sheets, ORDERS)
            loaded = time.perf_counter() - t
            del sheets
            orders = prepare_orders(table, AS_OF)
            result |= {
                "load_s": loaded,
                "seconds": time.perf_counter() - t,
                "lines": len(table.rows),
                "customers": len(orders.figures),
                "issues": len(orders.issues),
            }
        else:
            result["seconds"] = read
    return result | {"peak_mb": memory.peak_mb}


def measure_batch(paths: dict[str, str], orders: str | None, workers: int) -> dict:
    """xlcrm batch on the department as the command line runs it (no PDF, no store)."""
    import xlcrm
    from xlcrm.commands import cli

    print(f"xlcrm from {Path(xlcrm.__file__).parent}", file=sys.stderr)

    out = Path(tempfile.mkdtemp(prefix="bench_values_"))
    argv = ["batch", "-q", "--grades", paths["grades"], "--purchases", paths["purchases"]]
    argv += ["--previous-grades", paths["previous"], "--routes-dir", paths["routes_dir"]]
    argv += ["--out-dir", str(out), "--workers", str(workers), "--as-of", AS_OF.isoformat()]
    if orders:
        argv += ["--orders", orders]
    with PeakMemory() as memory:
        t = time.perf_counter()
        code = cli.main(argv)
        seconds = time.perf_counter() - t
    return {"seconds": seconds, "exit": code, "peak_mb": memory.peak_mb}


def in_subprocess(args: list[str], pythonpath: str | None = None) -> dict:
    env = dict(os.environ)
    if pythonpath:  # the baseline's own xlcrm first on the path
        env["PYTHONPATH"] = os.pathsep.join([pythonpath, str(HERE)])
        env["XLCRM_BENCH_BASELINE"] = "1"
    done = subprocess.run(
        [sys.executable, __file__, "--measure", *args], capture_output=True, text=True, env=env
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def baseline_tree(commit: str, folder: Path) -> Path:
    """The xlcrm package as it was at `commit`, extracted from git (nothing else changes)."""
    tar = subprocess.run(["git", "archive", commit, "xlcrm"], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=__import__("io").BytesIO(tar.stdout)) as archive:
        archive.extractall(folder, filter="data")
    return folder


def fastest(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["seconds"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of each, alternating; the fastest is kept"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--baseline", default=BASELINE, help="git commit of xlcrm before value classes")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)  # internal: one measurement
    args = parser.parse_args()
    if args.measure:
        kind, *rest = args.measure
        if kind == "read":
            print(json.dumps(measure_read(rest[0], rest[1])))
        else:
            paths = json.loads(rest[0])
            print(json.dumps(measure_batch(paths, rest[1] or None, int(rest[2]))))
        return 0

    paths = department_files()
    orders = order_files(paths)
    ok = True
    print(f"order detail: {orders['lines']:,} lines, {SIZE:,} route customers ({args.workers} processes)")
    print(
        f"{'file':>6} {'bare read':>10} {'xlcrm read':>11} {'+ figures':>10} {'read/bare':>10} "
        f"{'all/bare':>9} {'peak MB':>8} {'bare peak MB':>13}"
    )
    for suffix in ("csv", "xlsx"):
        runs = [
            (
                in_subprocess(["read", orders[suffix], "bare"]),
                in_subprocess(["read", orders[suffix], "xlcrm"]),
            )
            for _ in range(args.repeat)
        ]
        bare, mine = fastest([b for b, _ in runs]), fastest([m for _, m in runs])
        read_ratio, all_ratio = mine["load_s"] / bare["seconds"], mine["seconds"] / bare["seconds"]
        ok &= read_ratio <= 1.5 and mine["peak_mb"] < 2048
        print(
            f"{suffix:>6} {bare['seconds']:>9.2f}s {mine['load_s']:>10.2f}s {mine['seconds']:>9.2f}s "
            f"{read_ratio:>9.2f}× {all_ratio:>8.2f}× {mine['peak_mb']:>8.0f} {bare['peak_mb']:>13.0f}"
        )
        print(
            f"        {mine['lines']:,} lines read, {mine['customers']:,} ordering customers, "
            f"{mine['issues']} issues"
        )
    print("  targets: xlcrm's read ≤ 1.5× the bare read (read/bare), peak < 2048 MB")

    if not args.skip_batch:
        with tempfile.TemporaryDirectory() as work:
            before = str(baseline_tree(args.baseline, Path(work)))
            data = json.dumps(paths)
            variants = {
                "before": (["batch", data, "", str(args.workers)], before),
                "abc": (["batch", data, "", str(args.workers)], None),
                "abc+rfm": (["batch", data, orders["csv"], str(args.workers)], None),
            }
            found: dict[str, list[dict]] = {k: [] for k in variants}
            for _ in range(args.repeat):
                for name, (measure, path) in variants.items():
                    found[name].append(in_subprocess(measure, path))
        best = {name: fastest(runs) for name, runs in found.items()}
        assert all(b["exit"] == 0 for b in best.values()), best
        base = best["before"]["seconds"]
        print(f"\nxlcrm batch, {SIZE:,} route customers (400 managers)")
        print(f"{'':>32} {'seconds':>8} {'vs before':>10} {'peak MB':>8}")
        labels = {
            "before": f"before value classes ({args.baseline})",
            "abc": "ABC (no --orders)",
            "abc+rfm": "ABC + RFM (--orders CSV)",
        }
        for name, label in labels.items():
            b = best[name]
            print(f"{label:>32} {b['seconds']:>7.1f}s {b['seconds'] / base - 1:>+9.0%} {b['peak_mb']:>8.0f}")
        read_csv = fastest([in_subprocess(["read", orders["csv"], "xlcrm"]) for _ in range(args.repeat)])
        added = (best["abc+rfm"]["seconds"] - read_csv["seconds"]) / base - 1
        ok &= added <= 0.20 and best["abc+rfm"]["peak_mb"] < 2048
        print(
            f"  ABC + RFM besides reading the order detail ({read_csv['seconds']:.1f} s): {added:+.0%} "
            "(target ≤ +20 %); peak < 2048 MB"
        )
    print(f"\ntargets: {'all met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
