"""The formula way timed: the quarter done with Excel formulas (tests/support/formula_way.py,
the oracle the tests use) and recalculated by LibreOffice, against xlcrm on the same data.

    python benchmarks/formula_way.py --customers 500
    python benchmarks/formula_way.py --customers 5000 --scheme tiers30
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests")]  # run as a script from anywhere

from support.formula_way import (
    RANK,
    build_formula_workbook,
    clean_sample,
    compare_with_xlcrm,
    load_and_review,
    prepare_profile,
    read_results,
    recalculate,
    soffice,
)


def _startup(profile: Path, folder: Path) -> float:
    """One conversion of a one-cell workbook: LibreOffice's start (and the profile's first
    start), so that recalc_s is the quarter's own cost plus one warm start."""
    tiny = folder / "startup" / "tiny.xlsx"
    tiny.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(tiny))
    book.add_worksheet().write_formula(0, 0, "=1+1")
    book.close()
    recalculate(tiny, folder / "startup" / "out", profile=profile)
    return recalculate(tiny, folder / "startup" / "out", profile=profile)[0]


def measure(size: int, workdir, scheme: str = "code2008", seed: int = 7) -> dict:
    """One size end to end: clean sample, xlcrm's engine, the formula workbook, LibreOffice.

    Returns customers, district, formula_build_s, recalc_s, equal, differences, plus
    engine_s (read + review), soffice_start_s (a warm start on a one-cell workbook) and
    formula_cells.
    """
    folder = Path(workdir) / f"formula_way_{scheme}_{size}"
    shutil.rmtree(folder, ignore_errors=True)
    files = clean_sample(size, folder / "inputs", scheme, seed)
    inputs, result, engine_s = load_and_review(files)

    (folder / "formulas").mkdir(parents=True)
    t = time.perf_counter()
    layout = build_formula_workbook(inputs, folder / "formulas" / "quarter.xlsx", scheme)
    build_s = time.perf_counter() - t

    profile = prepare_profile(folder / "lo_profile")
    start_s = _startup(profile, folder)
    recalc_s, recalculated = recalculate(layout.path, folder / "recalculated", profile=profile)
    differences = compare_with_xlcrm(read_results(recalculated), result)
    return {
        "customers": len(result.customers),
        "district": len(result.district),
        "formula_build_s": build_s,
        "recalc_s": recalc_s,
        "equal": not differences,
        "differences": differences,
        "engine_s": engine_s,
        "soffice_start_s": start_s,
        "formula_cells": layout.formula_cells,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=500, help="route customers (district 5×)")
    parser.add_argument("--scheme", default="code2008", choices=sorted(RANK))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=HERE / "out", help="where inputs and workbooks go")
    args = parser.parse_args(argv)
    if soffice() is None:
        print("LibreOffice (soffice) is not installed", file=sys.stderr)
        return 2
    m = measure(args.customers, args.workdir, args.scheme, args.seed)
    print(
        f"route customers {m['customers']:,}, district {m['district']:,}, "
        f"formula cells {m['formula_cells']:,}"
    )
    print(f"  xlcrm engine (read + review)    {m['engine_s']:8.2f} s")
    print(f"  build formula workbook          {m['formula_build_s']:8.2f} s")
    print(
        f"  LibreOffice recalc (soffice)    {m['recalc_s']:8.2f} s   "
        f"(a warm start alone: {m['soffice_start_s']:.2f} s)"
    )
    print(
        "  results equal to xlcrm's: "
        + ("yes" if m["equal"] else f"NO ({len(m['differences'])} differences)")
    )
    for line in m["differences"]:
        print("    " + line)
    return 0 if m["equal"] else 1


if __name__ == "__main__":
    sys.exit(main())
