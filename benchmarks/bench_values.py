"""Value classes (ABC, RFM, no_order) and follow-ups on a department: every ratio of issue 17's
performance target measured in one run.

  1. reading the order detail — 5,000,000 lines, a quarter of weekly orders of 200,000 route
     customers — as xlcrm reads it (io.input_files.load_input: header found, codes, dates and
     amounts cleaned, every problem at its cell) against reading the same file bare with the
     same engine (the target's ratio: pyarrow's CSV reader told the encoding, fastexcel loading
     every sheet, each with its defaults), and beside them xlcrm's cells before cleaning
     (io.read.read_sheets), for the GBK CSV a platform exports and for the same lines as .xlsx
     over five sheets; the per-customer figures (core.orders.prepare_orders) are shown beside,
     not in the ratio;
  2. `xlcrm batch` at 200,000 route customers (400 managers) as it was before value classes
     (the code of --baseline, extracted from git), with ABC alone (no --orders) and with
     --orders (the CSV);
  3. the same batch with --orders and --visits-dir: 400 visit logs, one CSV per manager, 1,000
     visits each (two per route customer a quarter), read as a manager's file is.

What value classes and follow-ups add to the batch time is
batch with --orders --visits-dir / batch before − 1, target ≤ +20 %: everything they cost,
the order detail's and the logs' reading included (batch reads them on the core the district's
read leaves idle, so no part of the run is set aside).

    python benchmarks/bench_values.py                   # ~30 min on 2 cores (data generated once)
    python benchmarks/bench_values.py --repeat 1

Each measurement runs in a fresh process. The reads alternate and each keeps its fastest of
--read-repeat runs (5: a read of under a second moves by a tenth of a second from run to run
here, as much as the margin the target leaves); the batches likewise, of --repeat runs. Peak
memory twice: the child's own (resource.getrusage): its largest resident set, and for a batch
main + workers × its largest worker (peaks at different moments, and pages the workers share
with the main process, added up: an upper bound); and the largest sum of PSS over the child
and its workers, sampled every 100 ms from this process (what the machine needed at once; the
< 2 GB target is checked on it). CPU seconds are the child's
and its workers' (os.wait4). Inputs are generated once into benchmarks/out/ (the department of
bench_batch.py, seed 7; orders seed 11; visit logs seed 13).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
# issue 17 just before value classes were merged in (visits and issue 16's speed work in, as now)
BASELINE = "98e9bb8"
ENGINES = {"csv": "pyarrow.csv, GBK", "xlsx": "fastexcel, every sheet"}
VISITS = 400_000  # the department's visit logs: two visits per route customer a quarter


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
    import pandas as pd

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
    # np.setdiff1d compares object arrays element by element against each other: hours here
    everyone = bought["customer_code"].dropna().to_numpy(dtype=object)
    others = np.sort(everyone[~pd.Index(everyone).isin(on_routes)])
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


# --- one measurement (in a fresh process) --------------------------------------------------------


def own_peak(workers: int = 0) -> dict:
    """This process's largest resident set and its largest worker's (resource.getrusage, MB);
    peak_mb: main + workers × that worker."""
    main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"main_mb": main, "worker_mb": worker, "peak_mb": main + workers * worker}


def measure_read(path: str, mode: str) -> dict:
    from xlcrm.core.inputs import ORDERS
    from xlcrm.core.orders import prepare_orders
    from xlcrm.io.input_files import load_input
    from xlcrm.io.read import read_sheets

    t = time.perf_counter()
    if mode == "engine":  # the engine xlcrm reads with, called with its defaults: pyarrow, fastexcel
        result = {"seconds": engine_read(path), "rows": None}
    elif mode == "bare":
        sheets = read_sheets(Path(path), typed=False)
        result = {"seconds": time.perf_counter() - t, "rows": sum(len(s.cells) for s in sheets)}
    else:
        table = load_input(Path(path), ORDERS)  # what `--orders` does: read as text, then cleaned
        loaded = time.perf_counter() - t
        orders = prepare_orders(table, AS_OF)
        result = {
            "seconds": loaded,
            "figures_s": time.perf_counter() - t - loaded,
            "lines": len(table.rows),
            "customers": len(orders.figures),
            "issues": len(orders.issues),
        }
    return result | own_peak()


def engine_read(path: str) -> float:
    """Seconds for the engine alone: pyarrow's CSV reader told the platform's encoding (GBK),
    everything else its defaults (types inferred); fastexcel loading every sheet to Arrow."""
    import fastexcel
    import pyarrow.csv as pv

    t = time.perf_counter()
    if path.endswith(".csv"):
        pv.read_csv(path, read_options=pv.ReadOptions(encoding="gb18030"))
    else:
        book = fastexcel.read_excel(path)
        for name in book.sheet_names:
            book.load_sheet(name, header_row=None).to_arrow()
    return time.perf_counter() - t


def measure_batch(paths: dict[str, str], orders: str | None, workers: int, visits_dir: str = "") -> dict:
    """xlcrm batch on the department as the command line runs it (no PDF, no store); with
    `visits_dir`, every manager's visit log from that folder (--visits-dir)."""
    import xlcrm
    from xlcrm.commands import cli

    print(f"xlcrm from {Path(xlcrm.__file__).parent}", file=sys.stderr)
    out = Path(tempfile.mkdtemp(prefix="bench_values_"))
    argv = ["batch", "-q", "--grades", paths["grades"], "--purchases", paths["purchases"]]
    argv += ["--previous-grades", paths["previous"], "--routes-dir", paths["routes_dir"]]
    argv += ["--out-dir", str(out), "--workers", str(workers), "--as-of", AS_OF.isoformat()]
    if orders:
        argv += ["--orders", orders]
    if visits_dir:
        argv += ["--visits-dir", visits_dir]
    t = time.perf_counter()
    code = cli.main(argv)
    return {"seconds": time.perf_counter() - t, "exit": code, "workers": workers} | own_peak(workers)


def visit_sheet(codes, rng, rows: int, where: str):
    """A manager's visit log as read from their file (core.model.RawSheet): a header, then
    `rows` visits in the quarter up to AS_OF, mostly their route customers' (2 % codes on no
    route); a date cell on every other row, text (2026/9/3) on the others; two in five with a
    next step and a follow-up date, a third of those done."""
    import datetime as dt

    import numpy as np
    import pandas as pd

    from xlcrm.core.model import RawSheet

    start = date(AS_OF.year, 7, 1)
    span = (AS_OF - start).days + 1
    visited = rng.integers(0, span, size=rows)
    stranger = rng.random(rows) < 0.02
    code = np.where(stranger, "330781999999", rng.choice(codes, size=rows)).astype(object)
    method = rng.choice(["走访", "电话", "微信", "其他"], size=rows, p=[0.6, 0.25, 0.1, 0.05])
    step = rng.random(rows) < 0.4
    follow = visited + rng.integers(1, 21, size=rows)
    done = rng.random(rows) < 0.33
    head = ["日期", "客户代码", "客户名称", "方式", "内容", "客户需求", "下一步", "跟进日期", "已完成"]
    table = [head]
    for i in range(rows):
        day = start + dt.timedelta(days=int(visited[i]))
        written = dt.datetime(day.year, day.month, day.day) if i % 2 else f"{day.year}/{day.month}/{day.day}"
        due = (start + dt.timedelta(days=int(follow[i]))).isoformat() if step[i] else ""
        table.append(
            [
                written,
                code[i],
                "",
                method[i],
                "了解订货和陈列情况",
                "想要新品" if i % 7 == 0 else "",
                "送价目表" if step[i] else "",
                due,
                ("是" if done[i] else "否") if step[i] else "",
            ]
        )
    cells = pd.DataFrame(table, dtype=object)
    cells.index = pd.RangeIndex(1, len(table) + 1)
    return RawSheet(Path(f"{where}_拜访记录.xlsx"), "拜访记录", cells)


def visit_files(paths: dict[str, str], visits: int) -> str:
    """The department's visit logs as files, one CSV per manager named by the manager (what
    batch --visits-dir reads), made once into benchmarks/out/ from the same generator."""
    import numpy as np

    from xlcrm.commands.department_run import routes_in_folder
    from xlcrm.io.input_files import load_routes

    folder = HERE / "out" / f"visits_{SIZE}_{visits}"
    done = folder / "done"
    if done.exists():
        return str(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(13)
    jobs = routes_in_folder(Path(paths["routes_dir"]))
    for job in jobs:
        codes = load_routes(job.file).customers["customer_code"].dropna().unique()
        sheet = visit_sheet(codes, rng, visits // len(jobs), job.manager)
        sheet.cells.to_csv(folder / f"{job.manager}.csv", header=False, index=False)
    done.touch()
    return str(folder)


def in_subprocess(args: list[str], pythonpath: str | None = None) -> dict:
    """One measurement in a fresh process; its CPU seconds and its workers' from os.wait4."""
    env = dict(os.environ)
    if pythonpath:  # the baseline's own xlcrm first on the path
        env["PYTHONPATH"] = os.pathsep.join([pythonpath, str(HERE)])
        env["XLCRM_BENCH_BASELINE"] = "1"
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(
            [sys.executable, __file__, "--measure", *args], stdout=out, stderr=err, env=env
        )
        with TreeMemory(child.pid) as tree:
            _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode:
            raise RuntimeError(err.read()[-3000:])
        found = json.loads(out.read().strip().splitlines()[-1])
    return found | {"cpu_s": usage.ru_utime + usage.ru_stime, "tree_mb": tree.peak_kb / 1024}


class TreeMemory:
    """The largest sum of PSS (/proc/<pid>/smaps_rollup: pages shared by forked workers counted
    once) over a process and its descendants, sampled every 100 ms from outside it."""

    def __init__(self, root: int) -> None:
        self.root, self.peak_kb = root, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in _tree(self.root)))


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


def baseline_tree(commit: str, folder: Path) -> Path:
    """The xlcrm package as it was at `commit`, extracted from git (nothing else changes)."""
    tar = subprocess.run(["git", "archive", commit, "xlcrm"], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=__import__("io").BytesIO(tar.stdout)) as archive:
        archive.extractall(folder, filter="data")
    return folder


def fastest(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["seconds"])


def row(label: str, m: dict, ratio: str = "", target: str = "") -> str:
    """A table row; CPU seconds (the process and its workers) only for a batch, where the
    process does nothing else. Printed at once too (stderr), so a long run shows its progress."""
    cpu = f"{m['cpu_s']:.1f} s" if m.get("cpu_s") is not None else ""
    peak = f"{m['peak_mb']:,.0f}"
    if m.get("worker_mb"):  # a pool: the bound, and what it is made of
        peak += f" ({m['main_mb']:,.0f} + {m['workers']} × {m['worker_mb']:,.0f})"
    line = f"| {label} | {m['seconds']:.1f} s | {cpu} | {ratio} | {target} | {peak} | {m['tree_mb']:,.0f} |"
    print(line, file=sys.stderr, flush=True)
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of each, alternating; the fastest is kept"
    )
    parser.add_argument(
        "--read-repeat", type=int, default=5, help="runs of each read, alternating; the fastest is kept"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--baseline", default=BASELINE, help="git commit of xlcrm before value classes")
    parser.add_argument("--visits", type=int, default=VISITS, help="visits in the department's logs")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)  # internal: one measurement
    args = parser.parse_args()
    if args.measure:
        kind, *rest = args.measure
        if kind == "read":
            found = measure_read(rest[0], rest[1])
        else:
            found = measure_batch(json.loads(rest[0]), rest[1] or None, int(rest[2]), *rest[3:])
        print(json.dumps(found))
        return 0

    paths = department_files()
    orders = order_files(paths)
    ok = True
    lines = [
        f"{orders['lines']:,} order lines, {SIZE:,} route customers, {args.workers} processes, "
        f"reads fastest of {args.read_repeat}, batches of {args.repeat}",
        "",
        "| measurement | seconds | CPU | ratio | target | peak MB (resource) | peak MB (PSS, sampled) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    read = {}
    for suffix in ("csv", "xlsx"):
        runs = [
            tuple(in_subprocess(["read", orders[suffix], mode]) for mode in ("engine", "bare", "xlcrm"))
            for _ in range(args.read_repeat)
        ]
        engine, bare, mine = (fastest([r[i] for r in runs]) for i in range(3))
        read[suffix] = mine
        ratio = mine["seconds"] / engine["seconds"]
        ok &= ratio <= 1.5 and mine["tree_mb"] < 2048
        lines.append(
            row(f"order detail .{suffix}: the engine alone ({ENGINES[suffix]})", engine | {"cpu_s": None})
        )
        lines.append(
            row(f"order detail .{suffix}: xlcrm's cells, uncleaned (read_sheets)", bare | {"cpu_s": None})
        )
        lines.append(
            row(
                f"order detail .{suffix}: xlcrm's read (--orders)",
                mine | {"cpu_s": None},
                f"{ratio:.2f}×",
                "≤ 1.5×",
            )
        )
        lines.append(
            f"| … then each customer's figures (prepare_orders) | {mine['figures_s']:.1f} s | | | | | |"
        )
    if not args.skip_batch:
        with tempfile.TemporaryDirectory() as work:
            before = str(baseline_tree(args.baseline, Path(work)))
            data = json.dumps(paths)
            logs = visit_files(paths, args.visits)
            variants = {
                "before": (["batch", data, "", str(args.workers)], before),
                "abc": (["batch", data, "", str(args.workers)], None),
                "abc+rfm": (["batch", data, orders["csv"], str(args.workers)], None),
                "abc+rfm+visits": (["batch", data, orders["csv"], str(args.workers), logs], None),
            }
            found: dict[str, list[dict]] = {k: [] for k in variants}
            for _ in range(args.repeat):
                for name, (measure, path) in variants.items():
                    found[name].append(in_subprocess(measure, path))
        best = {name: fastest(runs) for name, runs in found.items()}
        assert all(b["exit"] == 0 for b in best.values()), best
        base = best["before"]["seconds"]
        lines.append(row(f"batch before value classes ({args.baseline})", best["before"]))
        lines.append(
            row("batch with ABC (no --orders)", best["abc"], f"{best['abc']['seconds'] / base - 1:+.1%}")
        )
        rfm = best["abc+rfm"]
        lines.append(
            row("batch with ABC + RFM (--orders .csv)", rfm, f"{rfm['seconds'] / base - 1:+.1%}", "")
        )
        logged = best["abc+rfm+visits"]
        lines.append(
            row(
                "batch with ABC + RFM + follow-ups (--orders .csv --visits-dir)",
                logged,
                f"{logged['seconds'] / base - 1:+.1%}",
            )
        )
    if not args.skip_batch:
        added = logged["seconds"] / base - 1
        ok &= added <= 0.20 and all(b["tree_mb"] < 2048 for b in best.values())
        lines.append(
            "| ABC + RFM + follow-ups: batch with --orders --visits-dir / before − 1 "
            f"| | | {added:+.1%} | ≤ +20 % | | |"
        )
        # what the common path gained since (it is in both) does not hide what these add
        marginal = logged["seconds"] / best["abc"]["seconds"] - 1
        lines.append(
            "| RFM + follow-ups over this code's batch with ABC alone: batch with --orders --visits-dir "
            f"/ batch with ABC − 1 | | | {marginal:+.1%} | | | |"
        )
    lines.append("")
    lines.append(f"targets: {'all met' if ok else 'MISSED'} (peak < 2,048 MB each)")
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
