"""Rows under a header that are not data, however a sheet was kept: blank lines and lines that
only carry a row number (a sheet numbered ahead), closing totals (合计), and — in a sheet pasted
page by page — the header, the title lines above it and page numbers again. Pure functions over
the body of one or more sheets of one layout (core.inputs cleans them together)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa

from .cleaning import as_text, is_total_label
from .columns import ROLES, Header, tidy_header
from .model import RawSheet, lines_above

# headers of a column that only numbers the rows (序号 1, 2, 3 …)
SEQUENCE_HEADERS = ("序号", "序", "行号", "no", "no.", "序列号")


def numbering_columns(parts: list[tuple[RawSheet, Header]]) -> dict[int, list[int]]:
    """Column → the parts in which it only numbers the rows (sheets of one layout may differ
    in the columns that are not roles)."""
    width = max(len(head.names) for _, head in parts)
    found = {
        c: [
            p
            for p, (_, head) in enumerate(parts)
            if c < len(head.names) and tidy_header(head.names[c]).casefold() in SEQUENCE_HEADERS
        ]
        for c in range(width)
    }
    return {c: p for c, p in found.items() if p}


def row_has_data(
    body: pd.DataFrame, candidates: np.ndarray, part: np.ndarray, numbering: dict[int, list[int]]
) -> np.ndarray:
    """True where a row has any non-blank cell besides a row number (a sheet numbered ahead, 1 …
    50, holds empty lines, not customers); only rows in `candidates` are examined (speed).
    `numbering`: column → the parts in which it only numbers the rows."""
    result = np.ones(len(body), dtype=bool)
    at = np.flatnonzero(candidates)
    if len(at):
        sub = rows_at(body, candidates)

        def filled(column: pd.Series) -> np.ndarray:
            text = as_text(column)
            filled = (text != "").to_numpy()
            if column.name in numbering:  # a bare row number is no data; '第 2 页' there is
                number = text.str.fullmatch(r"[0-9]+").fillna(False).to_numpy(dtype=bool)
                filled &= ~(number & np.isin(part[at], numbering[column.name]))
            return filled

        result[at] = np.column_stack([filled(sub[c]) for c in sub.columns]).any(axis=1)
    return result


def rows_at(body: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """body's rows where `mask` holds, column by column: Arrow filters a column of many chunks
    as it is, where pandas' take would first join them into one (a copy of millions of cells).
    The mask is made an Arrow mask once for all text columns, not once per column."""
    arrow_mask = pa.array(mask)

    def kept(values):
        if isinstance(values, pd.arrays.ArrowStringArray):
            return pd.arrays.ArrowStringArray(pa.array(values).filter(arrow_mask))
        return values[mask]

    return pd.DataFrame({c: kept(body[c].array) for c in body.columns}, index=np.flatnonzero(mask))


# page numbers left in a sheet pasted page by page: 第 2 页, 第2页 共5页, - 2 -, Page 2 of 5
_PAGE_MARK = re.compile(
    r"(?:第\s*\d+\s*页(?:\s*[,，/、]?\s*共\s*\d+\s*页)?|[-—]\s*\d+\s*[-—]|page\s*\d+(?:\s*of\s*\d+)?)",
    re.IGNORECASE,
)


def repeated_heads(
    body: pd.DataFrame, parts: list[tuple[RawSheet, Header]], part: np.ndarray, candidates: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Rows without a usable code that repeat the header, or a line above it (the title, the
    manager's line), or are page numbers: a sheet pasted page by page holds them, and they
    are not customers. Returns the mask and, for each hit in order, why it was skipped."""
    result = np.zeros(len(body), dtype=bool)
    at = np.flatnonzero(candidates)
    if not len(at):
        return result, []
    sub = rows_at(body, candidates)
    text = pd.DataFrame({c: as_text(sub[c]) for c in sub.columns}).to_numpy(dtype=object)
    names = [[tidy_header(n) for n in head.names] for _, head in parts]
    headings = [set(lines_above(sheet.cells, head.row)) for sheet, head in parts]
    code_names = set(ROLES["code"][1])
    details = []
    for i, position in enumerate(at):
        p = part[position]
        head = parts[p][1]
        row = [t for t in text[i]]
        line = " ".join(t for t in row if t)
        tidy = [tidy_header(t) for t in row]
        named = [(c, n) for c, n in enumerate(names[p]) if n and c < len(tidy)]
        same = sum(1 for c, n in named if tidy[c] == n)
        code_cell = tidy[head.columns["code"]] if head.columns["code"] < len(tidy) else ""
        if named and same >= min(2, len(named)) or code_cell in code_names:
            why = f"与第{head.row}行相同的表头行（分页粘贴时常见），不是客户，已跳过"
        elif line in headings[p]:
            why = f"与表头上方相同的标题行“{line}”，不是客户，已跳过"
        elif _PAGE_MARK.fullmatch(line):
            why = f"页码行“{line}”，不是客户，已跳过"
        else:
            continue
        result[position] = True
        details.append(why)
    return result, details


def total_rows(body: pd.DataFrame, cols: dict[str, int], no_code: np.ndarray) -> np.ndarray:
    """Rows without a usable code whose code, name or first cells say 合计/总计."""
    result = np.zeros(len(body), dtype=bool)
    at = np.flatnonzero(no_code)
    if not len(at):
        return result
    sub = rows_at(body, no_code)
    looked_at = {cols["code"], cols.get("name", cols["code"]), 0, 1}
    hit = np.zeros(len(sub), dtype=bool)
    for c in looked_at:
        if c in sub.columns:
            hit |= is_total_label(as_text(sub[c])).to_numpy()
    result[at] = hit
    return result
