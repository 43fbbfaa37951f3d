"""The non-range arguments of the cell functions: grade scheme, route → weekday table,
which gap to return, and the minimum standard table — each read into what the engine takes.

Every problem is an XlcrmError whose message is the short "#…" string the cell shows.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from ..core.cleaning import STRING, clean_grades, clean_numbers, normalize_text
from ..core.district import NO_SEGMENT
from ..core.errors import XlcrmError
from ..core.grades import (
    AUTO,
    CODE2008,
    CUSTOM,
    SCHEMES,
    GradeScheme,
    custom_scheme,
    detect_scheme,
    grade_order,
    scheme_named,
)
from ..core.weekdays import parse_batch_mapping, weekday_name
from . import cells

# --- grade scheme ---------------------------------------------------------------------


def resolve_scheme(argument: Any, grades: pd.Series) -> GradeScheme:
    """The scheme a cell function uses: named or a custom order (best first) when given,
    otherwise detected from the tidy grades of this call (see `detect`)."""
    names = [t for t in (normalize_text(c) for c in cells.flat_cells(argument)) if t]
    if not names or (len(names) == 1 and names[0].lower() in AUTO):
        return detect(grades)
    parts = names if len(names) > 1 else grade_order(names[0])
    if len(parts) > 1:
        try:
            return custom_scheme(parts)
        except XlcrmError:
            raise XlcrmError(cells.ORDER) from None
    if parts[0] == CUSTOM:  # the 设置 sheet's word: the order itself must be given here
        raise XlcrmError(cells.ORDER)
    try:
        return scheme_named(parts[0].replace(" ", ""))
    except XlcrmError:
        raise XlcrmError(cells.SCHEME) from None


def detect(grades: pd.Series) -> GradeScheme:
    """The engine's detection over the grades that belong to some known scheme.

    A single call often holds one or two grades (=CRM_MARK(E4, D4)), so one typo must not
    hide the scheme of the other: unknown grades are left out here and reported per cell
    by the caller. With no known grade at all the 2008 code (the most common) is assumed, so
    the cell says which scheme it was checked against. Known grades of two schemes mixed
    (CS1 and 15) are a real ambiguity: #等级方案无法识别.
    """
    uniques = [g for g in pd.unique(grades.dropna()) if g]
    known = [g for g in uniques if any(s.is_valid(g) for s in SCHEMES.values())]
    if not known:
        return CODE2008
    try:
        return detect_scheme(grades[grades.isin(known)])
    except XlcrmError:
        raise XlcrmError(cells.SCHEME) from None


def outside(grades: pd.Series, levels: pd.Series, scheme: GradeScheme) -> pd.Series:
    """The per-cell message where a non-blank grade is not in the scheme, else NA."""
    bad = (grades.fillna("") != "") & levels.isna()
    return pd.Series(cells.GRADE.format(scheme=scheme.label), index=grades.index, dtype=object).where(bad)


# --- visit batches ----------------------------------------------------------------------

_MAPPING_HEADER = re.compile(r"访销|批次|星期几|weekday|day", re.IGNORECASE)


def batch_mapping(argument: Any) -> dict[str, str]:
    """Route → weekday from a two-column range (线路 | 访销日, a header row allowed) or from
    cells written as 一线=星期一; parsed by the engine's parse_batch_mapping."""
    items = []
    rows = [[t for t in (normalize_text(c) for c in row) if t] for row in cells.rows_of(argument)]
    rows = [r for r in rows if r]
    for i, row in enumerate(rows):
        if len(row) == 1 and "=" in row[0]:
            items.append(row[0])
        elif i == 0 and len(row) >= 2 and weekday_name(row[1]) is None and _MAPPING_HEADER.search(row[1]):
            continue  # the header row, such as 线路 | 访销日
        elif len(row) >= 2:
            items.append(f"{row[0]}={row[1]}")
        else:
            raise XlcrmError(cells.MAPPING)
    try:
        return parse_batch_mapping(items)
    except XlcrmError:
        raise XlcrmError(cells.MAPPING) from None


# --- gap to the next grade --------------------------------------------------------------

GAP_VOLUME, GAP_AMOUNT, NEXT_GRADE = "gap_volume", "gap_amount", "next_grade"
_RESULTS = {
    GAP_VOLUME: ("条", "量", "购进量", "volume"),
    GAP_AMOUNT: ("元", "额", "购进额", "amount"),
    NEXT_GRADE: ("档", "等级", "上一档", "grade"),
}


def gap_result(argument: Any) -> str:
    """Which column of next_grade_gaps a call returns; 条 (the volume gap) when omitted."""
    given = [t for t in (normalize_text(c) for c in cells.flat_cells(argument)) if t]
    if not given:
        return GAP_VOLUME
    if len(given) == 1:
        for column, words in _RESULTS.items():
            if given[0].lower() in words:
                return column
    raise XlcrmError(cells.RESULT)


_HEADER_WORDS = {
    "segment": lambda t: "业态" in t,
    "grade": lambda t: "等级" in t and "购进" not in t,
    "min_volume": lambda t: "购进量" in t or "（条）" in t or "(条)" in t,
    "min_amount": lambda t: "购进额" in t or "（元）" in t or "(元)" in t,
}
_POSITIONS = {"segment": 0, "grade": 1, "min_volume": 2, "min_amount": 3}


def standards_cells(argument: Any) -> pd.DataFrame:
    """The 客户季度等级最低标准表 as written in the workbook (业态, 等级, 最低购进量（条）,
    最低购进额（元）, 客户数), with or without its header row (a title above it is fine), as
    raw columns segment, grade, min_volume, min_amount (segment filled down: the sheet
    shows it once per run)."""
    rows = cells.rows_of(argument)
    width = max((len(r) for r in rows), default=0)
    frame = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)
    text = frame.apply(lambda col: col.map(normalize_text))
    header, columns = _header(text)
    if columns is None:
        if width < len(_POSITIONS):
            raise XlcrmError(cells.STANDARDS)
        columns = _POSITIONS
    body = frame.iloc[header + 1 :]
    segment = (
        body[columns["segment"]].map(normalize_text)
        if "segment" in columns
        else pd.Series("", index=body.index)
    )
    return pd.DataFrame(
        {
            "segment": segment.replace("", None).ffill().fillna(NO_SEGMENT).astype(STRING),
            "grade": clean_grades(body[columns["grade"]]),
            "min_volume": clean_numbers(body[columns["min_volume"]]).values,
            "min_amount": clean_numbers(body[columns["min_amount"]]).values,
        }
    ).reset_index(drop=True)


def _header(text: pd.DataFrame) -> tuple[int, dict[str, int] | None]:
    """The first row naming the grade, volume and amount columns, and where each is."""
    for i, row in text.head(5).iterrows():
        found = {}
        for key, matches in _HEADER_WORDS.items():
            hits = [c for c, t in row.items() if t and matches(t)]
            if hits:
                found[key] = hits[0]
        if {"grade", "min_volume", "min_amount"} <= found.keys():
            return int(i), found
    return -1, None


def standards_for(table: pd.DataFrame, scheme: GradeScheme) -> pd.DataFrame:
    """The engine's standards frame: rows of grades in the scheme, segment as the engine
    has it (from the grade for the 2008 code), each (segment, grade) once."""
    levels = scheme.levels(table["grade"])
    table = table[levels.notna().to_numpy()].reset_index(drop=True)
    if table.empty:
        raise XlcrmError(cells.STANDARDS)
    if scheme.segment_from_grade:
        table = table.assign(segment=scheme.segments(table["grade"]))
    if table.duplicated(["segment", "grade"]).any():
        raise XlcrmError(cells.STANDARDS_DUPLICATE)
    return table
