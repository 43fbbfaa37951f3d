"""Cell functions (UDFs) for the manager's workbook, registered with xlwings.

The xlwings.conf sheet names this module (UDF Modules = xlcrm.udfs); xlwings then writes a
VBA wrapper per function, so the Excel names are ASCII with one prefix, CRM_, and show up in
Insert Function under the category "xlcrm". Everything the manager reads is Chinese: the
first line of each docstring is the description Excel's function wizard shows, and each
argument's doc= is its help line there.

Each function is thin over the engine (grades, cleaning, changes, batches, tables): the
rules live there, not here. Every grade/code/route argument may be one cell or a range: one
cell gives one value, a range an array of its shape (entered as an array formula with
Ctrl+Shift+Enter over a range of that size; Excel 2016/2019 have no dynamic arrays, so nothing
relies on spilling). Blank cells give blank results; a bad value
or argument gives a short message starting with "#" (see cells.py), never an exception.

Grade scheme (optional argument of the grade functions): 2008 / code2008, 30档 / tiers30,
15档 / tiers15, 自动, or a custom order best first such as "金,银,铜" (or a range holding it).
When omitted it is detected from the grades of the call (options.detect).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from ..core.changes import CHANGE_LABELS, classify, marks
from ..core.cleaning import STRING, clean_codes, clean_grades, clean_numbers, map_uniques, normalize_text
from ..core.district import NO_SEGMENT
from ..core.tables import next_grade_gaps
from ..core.weekdays import batch_of
from . import cells, options

CATEGORY = "xlcrm"  # the Insert Function category the 使用说明 sheet points to

SCHEME_DOC = (
    "可选。等级方案：2008、30档、15档、自动，或自定义顺序如“金,银,铜”（从高到低）；省略时按等级自动判断"
)


def arg(name: str, *, doc: str, **xl_options: Any) -> Callable:
    """xw.arg(name, doc=doc, **xl_options), the doc also kept on the function: off Windows
    xlwings' decorators attach nothing, and docs/templates still want to list the docs."""

    def inner(fn):
        fn.__dict__.setdefault("_argument_docs", {})[name] = doc
        return xw.arg(name, doc=doc, **xl_options)(fn)

    return inner


def udf(fn):
    """xw.func in the category "xlcrm". Excel gets only the docstring's first line as the
    description (the wizard shows one short paragraph, at most 255 characters)."""
    fn = xw.func(category=CATEGORY)(fn)
    docs = fn.__dict__.pop("_argument_docs")
    fn.argument_docs = {name: docs[name] for name in inspect.signature(fn).parameters}  # every one documented
    if hasattr(fn, "__xlfunc__"):  # only where xlwings registers UDFs (Windows)
        fn.__xlfunc__["ret"]["doc"] = summary(fn)
    return fn


def summary(fn: Callable) -> str:
    """The first docstring line: what Excel's function wizard shows."""
    return fn.__doc__.strip().splitlines()[0][:255]


# --- 1. grade mark ----------------------------------------------------------------------


@udf
@arg("grade", ndim=2, doc="本季等级：单元格或区域，如 CS1")
@arg("previous_grade", ndim=2, doc="上季等级：与本季等级同样大小的区域，或一个单元格")
@arg("scheme", ndim=2, doc=SCHEME_DOC)
def CRM_MARK(grade: Any, previous_grade: Any, scheme: Any = None) -> Any:
    """等级变动标记：本季等级后加 ↑（提升）或 ↓（下降），如 CS1↑；未变动只显示等级。

    与 xlcrm 生成的线路表“变动”列相同。本季等级为空时结果为空；等级不属于方案时显示 #等级不属于…。
    """
    return cells.cellwise(_mark, grade, previous_grade, scheme=scheme)


def _graded(grade: pd.Series, previous: pd.Series, scheme: Any):
    """Tidy grades, the scheme, levels and the per-cell problem of both quarters."""
    now, before = clean_grades(grade), clean_grades(previous)
    chosen = options.resolve_scheme(scheme, pd.concat([now, before], ignore_index=True))
    level, previous_level = chosen.levels(now), chosen.levels(before)
    problem = options.outside(now, level, chosen).fillna(options.outside(before, previous_level, chosen))
    return now, level, previous_level, problem


def _mark(grade: pd.Series, previous: pd.Series, scheme: Any) -> pd.Series:
    now, level, previous_level, problem = _graded(grade, previous, scheme)
    mark = marks(now.where(level.notna()), classify(level, previous_level))
    return problem.fillna(mark.astype(object))


# --- 2. grade rank ----------------------------------------------------------------------


@udf
@arg("grade", ndim=2, doc="等级：单元格或区域，如 CS1、15、A1")
@arg("scheme", ndim=2, doc=SCHEME_DOC)
def CRM_RANK(grade: Any, scheme: Any = None) -> Any:
    """等级名次：等级在方案中的级别数，数字越大等级越高；不属于方案的等级返回空。

    2008版编码只比较最后一位（1 大、2 中、3 小），与线路表判断升降的规则相同。
    """
    return cells.cellwise(_rank, grade, scheme=scheme)


def _rank(grade: pd.Series, scheme: Any) -> pd.Series:
    tidy = clean_grades(grade)
    return options.resolve_scheme(scheme, tidy).levels(tidy)


# --- 3. change kind ---------------------------------------------------------------------


@udf
@arg("grade", ndim=2, doc="本季等级：单元格或区域，如 CS1")
@arg("previous_grade", ndim=2, doc="上季等级：与本季等级同样大小的区域，或一个单元格")
@arg("scheme", ndim=2, doc=SCHEME_DOC)
def CRM_CHANGE(grade: Any, previous_grade: Any, scheme: Any = None) -> Any:
    """等级变动类型：返回 提升、保持、下降、新客户（无上季等级）或 无本季等级。

    两季等级都为空时结果为空；等级不属于方案时显示 #等级不属于…。
    """
    return cells.cellwise(_change, grade, previous_grade, scheme=scheme)


def _change(grade: pd.Series, previous: pd.Series, scheme: Any) -> pd.Series:
    now, level, previous_level, problem = _graded(grade, previous, scheme)
    label = classify(level, previous_level).map(CHANGE_LABELS).astype(object)
    both_blank = (now == "") & (clean_grades(previous) == "")
    return problem.fillna(label.where(~both_blank.to_numpy(), cells.BLANK))


# --- 4. gap to the next grade -----------------------------------------------------------


@udf
@arg("grade", ndim=2, doc="本季等级：单元格或区域，如 CS2")
@arg("volume", ndim=2, doc="本季购进量（条）：与等级同样大小的区域，或一个单元格")
@arg("amount", ndim=2, doc="本季购进额（元）：与等级同样大小的区域，或一个单元格")
@arg(
    "standards",
    ndim=2,
    doc="客户季度等级最低标准表区域：业态、等级、最低购进量（条）、最低购进额（元）、客户数，可含表头",
)
@arg("result", doc="可选。返回：条＝还差购进量（默认），元＝还差购进额，档＝上一档等级")
@arg("segment", ndim=2, doc="可选。业态，如 超市；2008版编码（如 CS1）按等级自动取业态，不用填")
@arg("scheme", ndim=2, doc=SCHEME_DOC)
def CRM_GAP(
    grade: Any,
    volume: Any,
    amount: Any,
    standards: Any,
    result: Any = "条",
    segment: Any = None,
    scheme: Any = None,
) -> Any:
    """距上一档：按客户季度等级最低标准表，返回还差的购进量（条）、购进额（元）或上一档等级（档）。

    上一档是同业态中比本档高、且标准表中有人达到的最近一档；已达到时差额为 0；
    已是最高档或没有购进数据时为空。与 xlcrm 线路表的“距上一档”列相同。
    """
    return cells.cellwise(
        _gap, grade, volume, amount, segment, standards=standards, result=result, scheme=scheme
    )


def _gap(
    grade: pd.Series,
    volume: pd.Series,
    amount: pd.Series,
    segment: pd.Series,
    standards: Any,
    result: Any,
    scheme: Any,
) -> pd.Series:
    column = options.gap_result(result)
    table = options.standards_cells(standards)
    now = clean_grades(grade)
    chosen = options.resolve_scheme(scheme, pd.concat([now, table["grade"]], ignore_index=True))
    table = options.standards_for(table, chosen)
    level = chosen.levels(now)
    volumes, amounts = clean_numbers(volume), clean_numbers(amount)
    customers = pd.DataFrame(
        {
            "segment": _customer_segments(now, segment, table, chosen),
            "grade": now.where(level.notna()).astype(STRING),
            "volume": volumes.values,
            "amount": amounts.values,
        }
    )
    value = _ladder_gaps(customers, table, chosen)[column].astype(object)

    graded = level.notna().to_numpy()
    segments = customers["segment"]
    checks = [  # first match wins; blank grades stay blank
        (options.outside(now, level, chosen).notna().to_numpy(), cells.GRADE.format(scheme=chosen.label)),
        (graded & segments.isna().to_numpy(), cells.NO_SEGMENT),
        (graded & ~segments.isin(table["segment"]).to_numpy(), cells.UNKNOWN_SEGMENT),
    ]
    figures = {
        options.GAP_VOLUME: (volumes, cells.BAD_VOLUME),
        options.GAP_AMOUNT: (amounts, cells.BAD_AMOUNT),
    }
    if column in figures:  # only the figure this call returns can spoil it
        cleaned, message = figures[column]
        checks.append((graded & cleaned.problem.notna().to_numpy(), message))
    return _first_problem(checks, value)


def _first_problem(checks: list[tuple[Any, str]], value: pd.Series) -> pd.Series:
    """The message of the first check a cell fails, else its value."""
    result = value.copy()
    decided = np.zeros(len(value), dtype=bool)
    for failed, message in checks:
        hit = failed & ~decided
        result[hit] = message
        decided |= hit
    return result


def _customer_segments(grades: pd.Series, segment: pd.Series, table: pd.DataFrame, scheme) -> pd.Series:
    """The engine's segment: from the grade for the 2008 code, else the segment argument;
    a blank one is the table's only segment, or 未分业态 when the table has it."""
    if scheme.segment_from_grade:
        return scheme.segments(grades)
    given = map_uniques(segment.map(normalize_text).astype(STRING), lambda s: s or None, STRING)
    segments = set(table["segment"])
    default = next(iter(segments)) if len(segments) == 1 else (NO_SEGMENT if NO_SEGMENT in segments else None)
    return given.fillna(default) if default else given


def _ladder_gaps(customers: pd.DataFrame, table: pd.DataFrame, scheme) -> pd.DataFrame:
    """next_grade_gaps, also for a grade the table does not list (a manager's table may
    keep only medium grades and above, as the manual method does): that grade joins its
    segment's ladder without a standard."""
    key = customers["segment"] + "\t" + customers["grade"]
    absent = (
        key.notna()
        & ~key.isin(table["segment"] + "\t" + table["grade"])
        & customers["segment"].isin(table["segment"])
    )
    parts = [next_grade_gaps(customers[~absent], table, scheme)]
    for (segment, grade), rows in customers[absent].groupby(["segment", "grade"], observed=True):
        extra = pd.DataFrame(
            {
                "segment": [segment],
                "grade": [grade],
                "min_volume": [float("nan")],
                "min_amount": [float("nan")],
            }
        ).astype({"segment": STRING, "grade": STRING})
        parts.append(next_grade_gaps(rows, pd.concat([table, extra], ignore_index=True), scheme))
    return pd.concat(parts).reindex(customers.index)


# --- 5. visit batch ---------------------------------------------------------------------


@udf
@arg("route", ndim=2, doc="线路名称：单元格或区域，如 一线、十一线、3号线")
@arg("mapping", ndim=2, doc="可选。线路与访销日对照表（两列：线路、访销日，可含表头），优先于按线路名推算")
def CRM_BATCH(route: Any, mapping: Any = None) -> Any:
    """访销日：线路所属的访销批次，如 一线、六线 → 星期一，二线、七线 → 星期二。

    对照表中有的线路以对照表为准；线路名看不出星期几时显示 #线路名看不出访销日。
    """
    return cells.cellwise(_batch, route, mapping=mapping)


def _batch(route: pd.Series, mapping: Any) -> pd.Series:
    table = options.batch_mapping(mapping)
    names = route.map(normalize_text).astype(STRING)
    return map_uniques(names, lambda r: (batch_of(r, table) or cells.ROUTE) if r else cells.BLANK, STRING)


# --- 6. code cleaner --------------------------------------------------------------------


@udf
@arg("code", ndim=2, doc="客户代码：单元格或区域；数字、文本、带空格或撇号、全角数字都可以")
def CRM_CODE(code: Any) -> Any:
    """客户代码整理：返回文本形式的完整代码（如 330781100123），去掉空格、撇号、全角和科学计数法显示。

    已经按科学计数法保存而丢失位数的代码（如 3.30781E+11）无法恢复，显示 #代码已丢失位数…。
    """
    return cells.cellwise(_code, code)


_CODE_PROBLEMS = {"lost_digits": cells.LOST_DIGITS, "bad_code": cells.BAD_CODE}


def _code(code: pd.Series) -> pd.Series:
    cleaned = clean_codes(code)
    return cleaned.problem.map(_CODE_PROBLEMS).astype(object).fillna(cleaned.values.astype(object))


FUNCTIONS = (CRM_MARK, CRM_RANK, CRM_CHANGE, CRM_GAP, CRM_BATCH, CRM_CODE)

__all__ = ["FUNCTIONS", *(f.__name__ for f in FUNCTIONS)]
