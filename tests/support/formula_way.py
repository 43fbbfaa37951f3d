"""The formula way: the manual method's quarter done with Excel formulas, recalculated by
LibreOffice — an independent oracle for the engine's definitions.

A customer manager without xlcrm does the quarter with VLOOKUP, INDEX/MATCH, IF/RIGHT,
COUNTIFS and MINIFS (the README's manual method). This module writes that workbook from the
clean input tables, has LibreOffice headless recalculate every formula, reads the results
back and compares them with xlcrm's. tests/commands/test_formula_way.py asserts they agree;
benchmarks/formula_way.py times the same work.

Public functions: clean_sample, load_and_review, build_formula_workbook, recalculate,
read_results, compare_with_xlcrm. Everything is matched by the text of the code, as a formula
does, so inputs must be clean (demo.sample.generate(..., quirks=False)): the engine's own
cleaning of odd codes and
numbers is what the formula way lacks, and is not what this compares.

What the formula way cannot mirror (and so is only checked on clean data):
- codes stored oddly (number vs text, spaces, full-width digits): MATCH compares exact text;
- a code twice in the grade table: VLOOKUP/MATCH take the first row as the engine does, but
  MINIFS/COUNTIFS on the grades sheet still count the later row (the engine drops it);
- a code twice on the routes: written once here (the engine's customers); on the manager's
  sheets the second row would be counted again by COUNTIFS;
- a grade outside the scheme is a grade to a formula (the engine treats it as none);
- a blank 业态 (tiers schemes): the engine says 未分业态, the formulas a blank;
- which (segment, grade) rows and batches the tables have: typed once by the manager, here
  taken from the input values (the district's grades; 星期一..星期五 plus any other batch).
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import xlsxwriter

from xlcrm.core.changes import CHANGE_LABELS, COMPARABLE
from xlcrm.core.grades import SCHEMES, GradeScheme, segment_key
from xlcrm.core.quarter import batch_order
from xlcrm.core.weekdays import UNKNOWN_BATCH, batch_of, route_sort_key
from xlcrm.demo.sample import TIERS15_BEST_FIRST

# The change labels a manager writes (提升/保持/下降/新客户/无本季等级) and back.
LABEL_OF = dict(CHANGE_LABELS)
CHANGE_OF = {label: change for change, label in CHANGE_LABELS.items()}

# Ranking expression of a grade cell per scheme: smaller is better.
RANK = {
    "code2008": "RIGHT({g},1)",  # the manual method compares only the size digit (CS2 → CZ1 is up)
    "tiers30": "-VALUE({g})",  # 30 is best
    "tiers15": "MATCH({g},{{" + ",".join(f'"{g}"' for g in TIERS15_BEST_FIRST) + "}},0)",  # A1 best
}

ROUTE_HEADERS = (
    "客户代码",
    "线路",
    "访销批次",
    "本季等级",
    "上季等级",
    "购进行号",
    "购进量",
    "购进额",
    "业态",
    "变动",
    "标记",
)
GRADE_HEADERS = ("客户代码", "业态", "客户等级", "购进行号", "购进量", "购进额")
STANDARD_HEADERS = ("业态", "等级", "最低购进量", "最低购进额", "户数")
HOLDERS = "线路户数"
CHECK_LABEL = "公式已重算"  # check!B1 is =1+1: 2 once recalculated, XlsxWriter's cached 0 before
CUSTOMER_RESULT_COLUMNS = [
    "customer_code",
    "route",
    "batch",
    "segment",
    "grade",
    "previous_grade",
    "change",
    "mark",
    "volume",
    "amount",
]


@dataclass(frozen=True)
class FormulaLayout:
    path: Path
    scheme: str
    routes: int  # route customer rows on the routes sheet
    district: int  # rows of the grades sheet
    purchases: int
    previous: int  # 0: previous grades kept on the route sheet as values
    pairs: list[tuple[str, str]]  # (segment, grade) rows of both tables
    batches: list[str]
    formula_cells: int


# --- building ----------------------------------------------------------------------------


class _PlainFormulas(xlsxwriter.worksheet.Worksheet):
    """XlsxWriter tries ~30 regular expressions on every formula to prefix Excel 365 names
    (_xlfn.); these formulas use none (MINIFS is written prefixed), and the regexes were
    two thirds of the build time."""

    def _prepare_formula(self, formula, *args, **kwargs):
        return formula[1:] if formula.startswith("=") else formula


def _scheme_name(scheme: str | GradeScheme) -> str:
    name = scheme.name if isinstance(scheme, GradeScheme) else scheme
    if name not in RANK:
        raise ValueError(f"the formula way knows the schemes {sorted(RANK)}, not {name!r}")
    return name


def _col(frame: pd.DataFrame, name: str) -> list:
    """A column as plain Python values, None for missing (or the column absent)."""
    if name not in frame:
        return [None] * len(frame)
    return [None if pd.isna(v) else v for v in frame[name].astype(object)]


def _route_rows(routes) -> pd.DataFrame:
    """The engine's route customers: first row of each code, routes in order 一线, 二线 …"""
    rows = routes.customers.copy()
    rows = rows[~(rows["customer_code"].notna() & rows["customer_code"].duplicated())]
    order = sorted(
        range(len(rows)), key=lambda i: (route_sort_key(rows["route"].iat[i]), rows["excel_row"].iat[i])
    )
    return rows.iloc[order].reset_index(drop=True)


def _segment_of(grade: str, segment, scheme: str) -> str:
    return grade[:-1] if scheme == "code2008" else (segment or "")


def _pairs(grades: pd.DataFrame, scheme: GradeScheme) -> list[tuple[str, str]]:
    """The (segment, grade) list the manager types once: every grade the district holds,
    by segment, best grade first (the engine's table order)."""
    seen = {
        (_segment_of(g, s, scheme.name), g)
        for g, s in zip(_col(grades, "grade"), _col(grades, "segment"))
        if g
    }
    return sorted(seen, key=lambda p: (segment_key(p[0]), scheme.order(p[1])))


def _rng(sheet: str, col: str, last: int) -> str:
    """A bounded range, so LibreOffice does not scan a million rows."""
    return f"{sheet}!${col}$2:${col}${last}"


def build_formula_workbook(inputs, out_path, scheme: str | GradeScheme = "code2008") -> FormulaLayout:
    """The quarter as formulas. `inputs` is core.model.QuarterInputs (clean tables of the four files).

    Batches come from the route names (一线 → 星期一), as review() does without --batch.
    """
    name = _scheme_name(scheme)
    grade_scheme = SCHEMES[name]
    routes = _route_rows(inputs.routes)
    grades, purchases = inputs.grades.rows, inputs.purchases.rows
    previous = inputs.previous.rows if inputs.previous is not None else None
    batches = batch_order(pd.Series([batch_of(r) or UNKNOWN_BATCH for r in routes["route"]], dtype=object))
    pairs = _pairs(grades, grade_scheme)
    last = {
        "grades": len(grades) + 1,
        "purchases": len(purchases) + 1,
        "previous": (len(previous) + 1) if previous is not None else 1,
        "routes": len(routes) + 1,
    }

    out_path = Path(out_path)
    book = xlsxwriter.Workbook(str(out_path), {"constant_memory": True})
    # sheets in the manager's order; constant_memory only needs each sheet's rows in order
    names = ("routes", "changes", "standards", "grades", "purchases", "previous", "check")
    sheets = {s: book.add_worksheet(s, worksheet_class=_PlainFormulas) for s in names}
    counted = 0
    counted += _write_grades(sheets["grades"], grades, last)
    _write_values(sheets["purchases"], ("客户代码", "购进量", "购进额"), purchases, ("volume", "amount"))
    if previous is not None:
        _write_values(sheets["previous"], ("客户代码", "客户等级"), previous, ("grade",))
    counted += _write_routes(sheets["routes"], routes, name, last, previous is not None)
    counted += _write_changes(sheets["changes"], pairs, batches, last)
    counted += _write_standards(sheets["standards"], pairs, name, last)
    sheets["check"].write_string(0, 0, CHECK_LABEL)
    sheets["check"].write_formula(0, 1, "=1+1")
    book.close()
    return FormulaLayout(
        out_path,
        name,
        len(routes),
        len(grades),
        len(purchases),
        0 if previous is None else len(previous),
        pairs,
        batches,
        counted + 1,
    )


def _write_values(sheet, headers: tuple[str, ...], rows: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """A plain export: code as text, then the given columns (numbers as numbers)."""
    sheet.write_row(0, 0, headers)
    values = [_col(rows, c) for c in columns]
    for r, (code, *rest) in enumerate(zip(_col(rows, "customer_code"), *values), start=1):
        sheet.write_string(r, 0, code or "")
        for c, v in enumerate(rest, start=1):
            if v is None:
                continue
            if isinstance(v, str):
                sheet.write_string(r, c, v)
            else:
                sheet.write_number(r, c, v)


def _write_grades(sheet, grades: pd.DataFrame, last: dict[str, int]) -> int:
    """The district table (step 1): code, 业态, grade as values, purchases merged by formula
    (one MATCH per row in a helper column, then INDEX: half the lookups of two VLOOKUPs)."""
    sheet.write_row(0, 0, GRADE_HEADERS)
    codes = _rng("purchases", "A", last["purchases"])
    volume, amount = _rng("purchases", "B", last["purchases"]), _rng("purchases", "C", last["purchases"])
    for r, (code, segment, grade) in enumerate(
        zip(_col(grades, "customer_code"), _col(grades, "segment"), _col(grades, "grade")), start=1
    ):
        x = r + 1
        sheet.write_string(r, 0, code or "")
        if segment:
            sheet.write_string(r, 1, segment)
        if grade:
            sheet.write_string(r, 2, grade)
        sheet.write_formula(r, 3, f'=IFERROR(MATCH($A{x},{codes},0),"")')
        sheet.write_formula(r, 4, f'=IF($D{x}="","",INDEX({volume},$D{x}))')
        sheet.write_formula(r, 5, f'=IF($D{x}="","",INDEX({amount},$D{x}))')
    return 3 * len(grades)


def _write_routes(sheet, routes: pd.DataFrame, scheme: str, last: dict[str, int], has_previous: bool) -> int:
    """Step 2 and 3 on one sheet: lookups next to each route customer, the change and mark."""
    sheet.write_row(0, 0, ROUTE_HEADERS)
    grade_table = f"grades!$A$2:$C${last['grades']}"
    previous_table = f"previous!$A$2:$B${last['previous']}"
    p_codes = _rng("purchases", "A", last["purchases"])
    p_volume, p_amount = _rng("purchases", "B", last["purchases"]), _rng("purchases", "C", last["purchases"])
    g_codes, g_segments = _rng("grades", "A", last["grades"]), _rng("grades", "B", last["grades"])
    rank = RANK[scheme]
    for r, (code, route, own_previous) in enumerate(
        zip(_col(routes, "customer_code"), _col(routes, "route"), _col(routes, "previous_grade")), start=1
    ):
        x = r + 1
        cur, prev = f"$D{x}", f"$E{x}"
        sheet.write_string(r, 0, code or "")
        sheet.write_string(r, 1, route)
        sheet.write_string(r, 2, batch_of(route) or UNKNOWN_BATCH)
        # &"" turns a blank grade cell into "" (VLOOKUP of a blank cell gives 0)
        sheet.write_formula(r, 3, f'=IFERROR(VLOOKUP($A{x},{grade_table},3,FALSE)&"","")')
        if has_previous:
            sheet.write_formula(r, 4, f'=IFERROR(VLOOKUP($A{x},{previous_table},2,FALSE)&"","")')
        elif own_previous:  # last quarter's grade kept on the route sheet, as in the manual method
            sheet.write_string(r, 4, own_previous)
        sheet.write_formula(r, 5, f'=IFERROR(MATCH($A{x},{p_codes},0),"")')
        sheet.write_formula(r, 6, f'=IF($F{x}="","",INDEX({p_volume},$F{x}))')
        sheet.write_formula(r, 7, f'=IF($F{x}="","",INDEX({p_amount},$F{x}))')
        if scheme == "code2008":  # the segment is the grade without its size digit
            segment = f'=IF({cur}="","",LEFT({cur},LEN({cur})-1))'
        else:  # the 业态 column of the grade table
            segment = f'=IF({cur}="","",INDEX({g_segments},MATCH($A{x},{g_codes},0))&"")'
        sheet.write_formula(r, 8, segment)
        better, worse = (
            rank.format(g=cur) + "<" + rank.format(g=prev),
            rank.format(g=cur) + ">" + rank.format(g=prev),
        )
        sheet.write_formula(
            r,
            9,
            f'=IF({cur}="","{LABEL_OF["missing"]}",IF({prev}="","{LABEL_OF["new"]}",'
            f'IF({better},"{LABEL_OF["up"]}",IF({worse},"{LABEL_OF["down"]}","{LABEL_OF["same"]}"))))',
        )
        sheet.write_formula(
            r,
            10,
            f'=IF({cur}="","",{cur}&IF($J{x}="{LABEL_OF["up"]}","↑",IF($J{x}="{LABEL_OF["down"]}","↓","")))',
        )
    return (7 + has_previous) * len(routes)


def _letter(col: int) -> str:
    return xlsxwriter.utility.xl_col_to_name(col)


def _write_changes(sheet, pairs: list[tuple[str, str]], batches: list[str], last: dict[str, int]) -> int:
    """The change table as managers lay it out: row 1 the batch over its three columns, row 2 提升/保持/下降;
    one row per (segment, grade) from row 3, counted with COUNTIFS over the routes sheet."""
    n = last["routes"]
    seg, grade, batch, change = (_rng("routes", c, n) for c in ("I", "D", "C", "J"))
    # constant_memory: a row is final once the next one is started
    sheet.write_row(0, 0, ("业态", "等级", HOLDERS, *(b for b in batches for _ in COMPARABLE)))
    sheet.write_row(1, 3, [LABEL_OF[c] for _ in batches for c in COMPARABLE])
    for r, (segment, g) in enumerate(pairs, start=2):
        x = r + 1
        sheet.write_string(r, 0, segment)
        sheet.write_string(r, 1, g)
        # how many route customers hold this grade: the engine lists only those rows
        sheet.write_formula(r, 2, f"=COUNTIFS({seg},$A{x},{grade},$B{x})")
        for col in range(3, 3 + 3 * len(batches)):
            L = _letter(col)
            sheet.write_formula(r, col, f"=COUNTIFS({seg},$A{x},{grade},$B{x},{batch},{L}$1,{change},{L}$2)")
    return len(pairs) * (1 + 3 * len(batches))


def _write_standards(sheet, pairs: list[tuple[str, str]], scheme: str, last: dict[str, int]) -> int:
    """Step 5: per (segment, grade) the district's lowest volume and amount (MINIFS) and how
    many hold the grade. Blank when nobody holding it has a figure (MINIFS would say 0)."""
    n = last["grades"]
    grade, volume, amount, segment = (_rng("grades", c, n) for c in ("C", "E", "F", "B"))
    sheet.write_row(0, 0, STANDARD_HEADERS)
    for r, (seg, g) in enumerate(pairs, start=1):
        x = r + 1
        # a 2008 grade names its segment; other schemes take the 业态 column too
        where = f"{grade},$B{x}" if scheme == "code2008" else f"{grade},$B{x},{segment},$A{x}"
        sheet.write_string(r, 0, seg)
        sheet.write_string(r, 1, g)
        for col, values in ((2, volume), (3, amount)):
            sheet.write_formula(
                r, col, f'=IF(COUNTIFS({where},{values},">-1E+300")=0,"",_xlfn.MINIFS({values},{where}))'
            )  # MINIFS is Excel 2019: stored with _xlfn.
        sheet.write_formula(r, 4, f"=COUNTIFS({where})")
    return 3 * len(pairs)


# --- recalculating -----------------------------------------------------------------------

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def prepare_profile(profile: Path) -> Path:
    """A private LibreOffice profile that recalculates .xlsx on load (OOXMLRecalcMode 0 =
    always; the default never does, and XlsxWriter caches 0 as every formula's result).
    LibreOffice keeps the setting when it adds its own to the file on first start."""
    xcu = profile / "user" / "registrymodifications.xcu"
    xcu.parent.mkdir(parents=True, exist_ok=True)
    text = xcu.read_text(encoding="utf-8") if xcu.exists() else ""
    if "OOXMLRecalcMode" not in text:
        xcu.write_text(RECALC_ALWAYS, encoding="utf-8")
    return profile


def recalculate(
    xlsx_path, out_dir, *, profile: Path | None = None, timeout: float = 3600
) -> tuple[float, Path]:
    """LibreOffice headless converts the workbook to .xlsx with every formula recalculated.

    Returns the wall-clock seconds of the soffice run and the recalculated file's path
    (out_dir / same name). `profile`: a profile directory to reuse (its first start costs a
    few seconds); by default a fresh temporary one, which is also HOME of the run.
    """
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    src, out_dir = Path(xlsx_path).resolve(), Path(out_dir).resolve()
    if src.parent == out_dir:
        raise ValueError("out_dir must differ from the workbook's folder (same file name)")
    out_dir.mkdir(parents=True, exist_ok=True)
    temp = None if profile else tempfile.mkdtemp(prefix="formula_way_lo_")
    home = Path(profile or temp).resolve()
    try:
        prepare_profile(home)
        target = out_dir / src.name
        target.unlink(missing_ok=True)
        command = [
            exe,
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={home.as_uri()}",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out_dir),
            str(src),
        ]
        env = os.environ | {"HOME": str(home)}
        t = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
        seconds = time.perf_counter() - t
        if done.returncode != 0 or not target.exists():
            raise RuntimeError(
                f"soffice failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
            )
        return seconds, target
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)


# --- reading back ------------------------------------------------------------------------


def _blank(value):
    return None if value is None or value == "" else value


def _number(value) -> float:
    return math.nan if _blank(value) is None else float(value)


def read_results(recalculated_path) -> dict[str, pd.DataFrame]:
    """The recalculated values: 'customers' (one row per route customer), 'grade_changes'
    (long: segment, grade, batch, up, same, down; grades some route customer holds) and
    'standards' (segment, grade, min_volume, min_amount, customers)."""
    book = openpyxl.load_workbook(recalculated_path, read_only=True, data_only=True)
    try:
        check = next(book["check"].iter_rows(max_row=1, values_only=True))
        if check[1] != 2:
            raise RuntimeError(f"the formulas were not recalculated (check!B1 = {check[1]!r}, expected 2)")
        return {
            "customers": _read_customers(book["routes"]),
            "grade_changes": _read_changes(book["changes"]),
            "standards": _read_standards(book["standards"]),
        }
    finally:
        book.close()


def _read_customers(sheet) -> pd.DataFrame:
    rows = sheet.iter_rows(min_row=2, values_only=True)
    out = []
    for code, route, batch, grade, prev, _, volume, amount, segment, change, mark in rows:
        if code is None and route is None:
            continue
        out.append(
            (
                str(code),
                route,
                batch,
                _blank(segment),
                _blank(grade),
                _blank(prev),
                CHANGE_OF.get(change, change),
                _blank(mark),
                _number(volume),
                _number(amount),
            )
        )
    return pd.DataFrame(out, columns=CUSTOMER_RESULT_COLUMNS)


def _read_changes(sheet) -> pd.DataFrame:
    rows = list(sheet.iter_rows(values_only=True))
    batch_row, change_row = rows[0], rows[1]
    out = []
    for row in rows[2:]:
        if not row or row[0] is None or not row[2]:  # no route customer holds the grade
            continue
        for col in range(3, len(row), 3):
            counts = {CHANGE_OF[change_row[col + k]]: int(row[col + k]) for k in range(3)}
            out.append((row[0], row[1], batch_row[col], *(counts[c] for c in COMPARABLE)))
    return pd.DataFrame(out, columns=["segment", "grade", "batch", *COMPARABLE])


def _read_standards(sheet) -> pd.DataFrame:
    out = [
        (seg, grade, _number(v), _number(a), int(n))
        for seg, grade, v, a, n in sheet.iter_rows(min_row=2, values_only=True)
        if seg is not None
    ]
    return pd.DataFrame(out, columns=["segment", "grade", "min_volume", "min_amount", "customers"])


# --- comparing ---------------------------------------------------------------------------

MAX_SHOWN = 20  # differences listed per table; the rest are counted


def _same(a, b) -> bool:
    a, b = (None if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in (a, b))
    if a is None or b is None:
        return a is b
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    return float(a) == float(b)  # exact: both sides hold the same doubles


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)


def _compare_keyed(
    name: str,
    ours: pd.DataFrame,
    theirs: pd.DataFrame,
    keys: list[str],
    columns: list[str],
    in_order: bool = True,
) -> list[str]:
    """Row by row on the keys: rows only one side has, then cell differences, then order."""
    diffs: list[str] = []
    ours, theirs = _plain(ours.reset_index(drop=True)), _plain(theirs.reset_index(drop=True))
    a = {tuple(r): i for i, r in enumerate(ours[keys].itertuples(index=False, name=None))}
    b = {tuple(r): i for i, r in enumerate(theirs[keys].itertuples(index=False, name=None))}
    for key in [k for k in b if k not in a]:
        diffs.append(f"{name}: {dict(zip(keys, key))} only in xlcrm")
    for key in [k for k in a if k not in b]:
        diffs.append(f"{name}: {dict(zip(keys, key))} only in the formula workbook")
    for key, i in a.items():
        if key not in b:
            continue
        for c in columns:
            x, y = ours.at[i, c], theirs.at[b[key], c]
            if not _same(x, y):
                diffs.append(f"{name}: {dict(zip(keys, key))} {c}: formulas {x!r}, xlcrm {y!r}")
    if in_order and not diffs and list(a) != list(b):
        diffs.append(f"{name}: same rows in another order")
    if len(diffs) > MAX_SHOWN:
        diffs = diffs[:MAX_SHOWN] + [f"{name}: … and {len(diffs) - MAX_SHOWN} more differences"]
    return diffs


def compare_with_xlcrm(results: dict[str, pd.DataFrame], review) -> list[str]:
    """Human-readable differences between the formula results and an xlcrm Review (empty when
    equal): every route customer's values, the change table, the standards table."""
    engine = review.customers.copy()
    routes = review.route_rows[~review.route_rows["is_duplicate"]].reset_index(drop=True)
    engine["mark"] = routes["mark"].to_numpy()  # same rows, same order as customers
    customers = [c for c in CUSTOMER_RESULT_COLUMNS if c != "customer_code"]
    diffs = _compare_keyed(
        "customers", results["customers"], engine, ["customer_code"], customers, in_order=False
    )
    diffs += _compare_keyed(
        "grade_changes",
        results["grade_changes"],
        review.grade_changes,
        ["segment", "grade", "batch"],
        list(COMPARABLE),
    )
    diffs += _compare_keyed(
        "standards",
        results["standards"],
        review.standards,
        ["segment", "grade"],
        ["min_volume", "min_amount", "customers"],
    )
    return diffs


# --- measuring ---------------------------------------------------------------------------


def clean_sample(size: int, folder: Path, scheme: str = "code2008", seed: int = 7):
    """Clean inputs (every route customer in all three tables, no quirks), all .xlsx."""
    from xlcrm.demo.sample import generate

    return generate(
        folder, route_customers=size, district_factor=5, layout="xlsx", quirks=False, scheme=scheme, seed=seed
    )


def load_and_review(files):
    """xlcrm on the files, as `xlcrm build` reads and reviews them: (inputs, result, seconds)."""
    from xlcrm.commands.quarter_run import InputFiles, QuarterRequest, review_files

    t = time.perf_counter()
    inputs, result = review_files(
        QuarterRequest(InputFiles(files.routes, files.grades, files.purchases, files.previous_grades))
    )
    return inputs, result, time.perf_counter() - t
