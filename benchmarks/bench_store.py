"""The customer store, measured (ratios and figures from one run; this machine is noisy).

    python benchmarks/bench_store.py                     # everything (~20 min on 2 cores)
    python benchmarks/bench_store.py --skip-engines      # only xlcrm's own figures

1. The engine choice: SQLite (the store's default, through xlcrm's own store code) against
   DuckDB (its native Arrow insert, its best case) on the store's workload: a district of
   1,000,000 customers recorded for eight quarters, one quarter recorded again, 500
   customers' history read, and the file size.
2. `xlcrm build` at 200,000 route customers and a 1,000,000-customer district, with and
   without --store, the store already holding the seven quarters before (targets: with a
   store at most 1.3× without; the store under 1 GB).
3. One manager of a department store (400 managers × 500 route customers, eight quarters):
   their history read (target under 0.2 s) and their cards written (under 1 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from bench_pipeline import ensure_data  # noqa: E402  (the same generated inputs as the pipeline)

SIZE = 200_000
DISTRICT = 1_000_000


def _district(rng, codes: np.ndarray, grades: np.ndarray) -> pd.DataFrame:
    picked = grades[rng.integers(0, len(grades), len(codes))]
    volume = np.round(rng.lognormal(5.3, 0.5, len(codes)))
    return pd.DataFrame(
        {
            "customer_code": codes,
            "grade": picked,
            "segment": [g[:-1] for g in picked],
            "volume": volume,
            "amount": np.round(volume * 150.0, 2),
        }
    )


def engines(workdir: Path) -> None:
    """SQLite through the store's code against DuckDB's Arrow insert, same rows."""
    import duckdb

    from xlcrm.core.quarters import Quarter
    from xlcrm.store import reading
    from xlcrm.store.database import open_store
    from xlcrm.store.recording import QuarterRecord, record

    rng = np.random.default_rng(1)
    codes = np.sort(rng.choice(np.arange(330780000000, 330789999999), DISTRICT, replace=False)).astype(str)
    grades = np.array(["CZ1", "CZ2", "CZ3", "CS1", "CS2", "CS3", "XB1", "XB2", "XB3"])
    standards = pd.DataFrame(
        {"segment": ["CZ"], "grade": ["CZ1"], "min_volume": [1.0], "min_amount": [1.0], "customers": [1]}
    )
    quarters = [Quarter(2025, 1).shifted(i) for i in range(8)]
    pick = list(rng.choice(codes, 500, replace=False))
    rows = {}

    path = workdir / "engine.db"
    times = []
    with open_store(path) as store:
        for q in quarters:
            district = _district(rng, codes, grades)
            t = time.perf_counter()
            record(store, QuarterRecord(q, "code2008", "g.xlsx", "p.xlsx", district, standards))
            times.append(time.perf_counter() - t)
        t = time.perf_counter()
        record(
            store,
            QuarterRecord(
                quarters[4], "code2008", "g.xlsx", "p.xlsx", _district(rng, codes, grades), standards
            ),
        )
        again = time.perf_counter() - t
        t = time.perf_counter()
        got = reading.history_of_codes(store, pick, [q.index for q in quarters])
        history = time.perf_counter() - t
    rows["SQLite (xlcrm's store)"] = (np.mean(times), again, history, len(got), path.stat().st_size)

    duck_path = workdir / "engine.duckdb"
    conn = duckdb.connect(str(duck_path))
    conn.execute(
        "CREATE TABLE district (quarter_id INTEGER, customer_code VARCHAR, grade VARCHAR, segment VARCHAR,"
        " volume DOUBLE, amount DOUBLE, PRIMARY KEY (quarter_id, customer_code))"
    )
    times = []
    for q in quarters:
        incoming = _district(rng, codes, grades).assign(quarter_id=q.index)[
            ["quarter_id", "customer_code", "grade", "segment", "volume", "amount"]
        ]
        t = time.perf_counter()
        conn.execute("BEGIN")
        conn.register("incoming", incoming)
        conn.execute("INSERT INTO district SELECT * FROM incoming")
        conn.unregister("incoming")
        conn.execute("COMMIT")
        times.append(time.perf_counter() - t)
    incoming = _district(rng, codes, grades).assign(quarter_id=quarters[4].index)[
        ["quarter_id", "customer_code", "grade", "segment", "volume", "amount"]
    ]
    t = time.perf_counter()
    conn.execute("BEGIN")
    conn.execute("DELETE FROM district WHERE quarter_id = ?", [quarters[4].index])
    conn.register("incoming", incoming)
    conn.execute("INSERT INTO district SELECT * FROM incoming")
    conn.execute("COMMIT")
    again = time.perf_counter() - t
    t = time.perf_counter()
    got = conn.execute("SELECT * FROM district WHERE customer_code IN (SELECT unnest(?))", [pick]).fetchdf()
    history = time.perf_counter() - t
    conn.close()
    rows["DuckDB (Arrow insert)"] = (np.mean(times), again, history, len(got), duck_path.stat().st_size)

    print("\n1. the engine, on the store's workload (1,000,000 district customers × 8 quarters)")
    print(
        f"{'':24} {'record a quarter':>17} {'record again':>13} {'500 histories':>14} {'rows':>6} {'size':>9}"
    )
    for name, (record_s, again_s, history_s, n, size) in rows.items():
        print(f"{name:24} {record_s:16.2f}s {again_s:12.2f}s {history_s:13.3f}s {n:6d} {size / 2**20:8.0f}M")


def _run(args: list[str]) -> tuple[float, float]:
    """Seconds and peak MB of one xlcrm run (its own process; the recording process it waits for
    counts too: Linux reports the larger of the two)."""
    t = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        command = [sys.executable, "-m", "xlcrm", *args]
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            err.seek(0)
            raise RuntimeError(err.read()[-2000:].decode(errors="replace"))
    return time.perf_counter() - t, usage.ru_maxrss / 1024


def build_ratio(workdir: Path, repeat: int) -> Path:
    """`xlcrm build` with and without a store holding the seven quarters before."""
    from xlcrm.commands.quarter_run import InputFiles, QuarterRequest, review_files, routes_labels
    from xlcrm.core import history
    from xlcrm.core.quarters import Quarter
    from xlcrm.store.database import open_store
    from xlcrm.store.recording import BuildRecord, QuarterRecord, record

    paths = ensure_data(SIZE)
    files = InputFiles(*(Path(paths[k]) for k in ("routes", "grades", "purchases", "previous_grades")))
    quarter = Quarter.find(files.grades.stem)
    prepared = workdir / "seven-with-builds-named.db"  # the district and this manager's build, each quarter
    if not prepared.exists():
        t = time.perf_counter()
        request = QuarterRequest(files)
        inputs, result = review_files(request)
        manager = routes_labels(request, inputs.routes).manager or ""  # as the build will name it
        rng = np.random.default_rng(3)
        district = history.district_record(result)
        build = BuildRecord(manager, files.routes.name, history.route_record(result))
        with open_store(prepared) as store:
            for back in range(7, 0, -1):
                volume = np.round(district["volume"] * rng.uniform(0.8, 1.2, len(district)))
                record(
                    store,
                    QuarterRecord(
                        quarter.shifted(-back),
                        history.scheme_of(result),
                        "g.xlsx",
                        "p.xlsx",
                        district.assign(volume=volume),
                        history.standards_record(result),
                        [build],
                    ),
                )
        print(f"  prepared seven quarters in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    base = [
        "build",
        "-q",
        "--routes",
        str(files.routes),
        "--grades",
        str(files.grades),
        "--purchases",
        str(files.purchases),
        "--previous-grades",
        str(files.previous_grades),
        "--export-dir",
        str(workdir / "csv"),
        "--out",
        str(workdir / "out.xlsx"),
    ]
    plain, stored = [], []
    store = workdir / "eight.db"
    for _ in range(repeat):
        plain.append(_run(base))
        shutil.copyfile(prepared, store)
        stored.append(_run([*base, "--store", str(store)]))
    size = store.stat().st_size
    ratio = min(stored)[0] / min(plain)[0]
    print(f"\n2. xlcrm build, {SIZE:,} route customers, district {DISTRICT:,}, best of {repeat}")
    print(f"  without a store {min(plain)[0]:6.1f} s   peak {max(p for _, p in plain):,.0f} MB")
    print(
        f"  with --store    {min(stored)[0]:6.1f} s   peak {max(p for _, p in stored):,.0f} MB"
        f"   ratio {ratio:.2f}× (target ≤ 1.3×)"
    )
    print("  (the store holding the seven quarters before, each with this manager's build)")
    print(f"  store with eight quarters: {size / 2**20:,.0f} MB (target < 1,024 MB)")
    return store


def one_manager(store_path: Path, workdir: Path) -> None:
    """A department store: the eight quarters' route customers as 400 managers' builds of 500."""
    from xlcrm.core.history import ROUTE_RECORD
    from xlcrm.core.titles import Labels
    from xlcrm.io.xlsx import write_workbook
    from xlcrm.report.cards import card_sheet
    from xlcrm.store import reading
    from xlcrm.store.builds import build_cards, known_history
    from xlcrm.store.database import open_store
    from xlcrm.store.recording import BuildRecord, QuarterRecord, record

    department = workdir / "department.db"
    shutil.copyfile(store_path, department)
    with open_store(department) as store:
        recorded = reading.recorded_quarters(store)
        build = reading.latest_build(store, None)
        customers = reading.route_customers(store, build.id)[ROUTE_RECORD]
        for entry in recorded:
            managers = [
                BuildRecord(f"经理{i:03d}", f"{i}.xlsx", customers.iloc[i * 500 : (i + 1) * 500])
                for i in range(len(customers) // 500)
            ]
            standards = reading.standards_of(store, entry.quarter)
            rows = _district_rows(store, entry.quarter)
            record(
                store,
                QuarterRecord(
                    entry.quarter,
                    entry.scheme,
                    entry.grades_file,
                    entry.purchases_file,
                    rows,
                    standards,
                    managers,
                ),
            )
        quarter = recorded[-1].quarter
        t = time.perf_counter()
        known = known_history(store, quarter, "经理123")
        history_s = time.perf_counter() - t
        t = time.perf_counter()
        found, cards = build_cards(store, manager="经理123")
        write_workbook([card_sheet(cards, Labels(quarter.label, "经理123"))], workdir / "cards.xlsx")
        cards_s = time.perf_counter() - t
    print(
        f"\n3. one manager of {len(customers) // 500} "
        f"(500 route customers, {len(recorded)} quarters recorded)"
    )
    print(f"  history read   {history_s:.3f} s ({len(known.rows):,} rows; target < 0.2 s)")
    print(f"  cards written  {cards_s:.3f} s ({len(cards)} cards with charts, read included; target < 1 s)")


def _district_rows(store, quarter) -> pd.DataFrame:
    import sqlalchemy as sa

    from xlcrm.store import schema

    d = schema.district
    with store.reading() as conn:
        result = conn.execute(
            sa.select(d.c.customer_code, d.c.grade, d.c.segment, d.c.volume, d.c.amount).where(
                d.c.quarter_id == quarter.index
            )
        )
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-engines", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=2, help="builds of each kind, alternating; the fastest is kept"
    )
    parser.add_argument("--workdir", type=Path, default=HERE / "out" / "store")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.workdir) as scratch:
        if not args.skip_engines:
            engines(Path(scratch))
        store = build_ratio(args.workdir, args.repeat)
        one_manager(store, Path(scratch))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
