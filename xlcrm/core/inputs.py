"""Loading the inputs into clean tables: raw cells → header → cleaned columns + issues.

Works on RawSheet objects, so the same rules serve files (xlcrm.io), the sheets of a live
workbook (xlcrm.macros) and tables built in memory (tests).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import issues as issue_list
from .addresses import cell_ref
from .cleaning import STRING, Cleaned, as_text, clean_codes, clean_grades, clean_numbers, map_uniques
from .columns import Header, column_label, find_header, tidy_header
from .dates import clean_dates
from .errors import XlcrmError
from .model import HIDDEN_LABELS, RawSheet, RouteBook, RouteSheet, Table, lines_above
from .route_sheets import (
    BLANK,
    DISTRICT,
    NO_CODE,
    Outputs,
    Verdict,
    added_columns_note,
    hidden_note,
    judge_sheets,
    manager_part,
)
from .skipped_rows import numbering_columns, repeated_heads, row_has_data, total_rows
from .titles import quarter_label

# largest believable quarter for one retailer: 1,000,000 条, 1,000,000,000 元
PLAUSIBLE = {"volume": 1_000_000, "amount": 1_000_000_000}


@dataclass(frozen=True)
class TableSpec:
    """What an input table is called, which columns are read from it and which it must have."""

    label: str  # '本季等级表', in messages
    roles: tuple[str, ...]
    required: tuple[str, ...]
    # role → what this table calls the column, where its usual words are another table's
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


# the district's names are not needed: route sheets carry the manager's own
GRADES = TableSpec("本季等级表", ("code", "grade", "segment"), ("code", "grade"))
PREVIOUS_GRADES = TableSpec("上季等级表", ("code", "grade"), ("code", "grade"))
PURCHASES = TableSpec("购进表", ("code", "volume", "amount"), ("code", "volume", "amount"))
ROUTES = TableSpec(
    "线路表", ("code", "route", "previous_grade", "grade", "name", "owner", "address"), ("code",)
)
# the ordering platform's order detail (订单明细): one row per order line; its 订货量 is not needed
ORDERS = TableSpec(
    "订单明细",
    ("code", "order_date", "amount"),
    ("code", "order_date", "amount"),
    {"amount": ("订货金额", "订单金额", "订购金额")},  # not the purchase table's 购进额
)
# what a route row says about its customer besides the code (kept in the customer store)
ROUTE_FACTS = ("name", "owner", "address")
# the manager's visit log (拜访记录): the follow-up date is looked for before the visit's own
# date, so '下次拜访日期' is never taken for the day of the visit
VISITS = TableSpec(
    "拜访记录",
    ("code", "name", "follow_up_date", "visit_date", "method", "content", "need", "next_step", "done"),
    ("code", "visit_date"),
)


@dataclass(frozen=True)
class TableParts:
    """A table's sheets as found: the parts with its header (sheets of one layout) and those
    set aside, each with why; `headless`: the set-aside sheets without a header."""

    parts: list[tuple[RawSheet, Header]]
    set_aside: list[tuple[RawSheet, str]]
    headless: list[RawSheet]


def load_table(sheets: list[RawSheet], spec: TableSpec, overrides: Mapping[str, str] | None = None) -> Table:
    """The sheets with a customer-code header are the table: the first, and every later one with
    the same header layout (an export split at 65,536 rows, or by district). Every other sheet
    is listed with the reason it was not read."""
    found = table_parts(sheets, spec, overrides)
    rows, issues = clean_body(found.parts, spec.roles)
    return finish_table(found, rows.drop(columns="part"), issues, spec)


def table_parts(
    sheets: list[RawSheet], spec: TableSpec, overrides: Mapping[str, str] | None = None
) -> TableParts:
    """load_table's first half: each sheet's header found, the parts of the table kept."""
    label = spec.label
    if not sheets:
        raise XlcrmError(f"{label}里没有任何工作表")
    parts: list[tuple[RawSheet, Header]] = []
    set_aside: list[tuple[RawSheet, str]] = []
    headless: list[RawSheet] = []
    first_error = None
    for sheet in sheets:
        if sheet.is_blank:
            set_aside.append((sheet, "工作表是空的"))
            continue
        try:
            header = find_header(
                sheet.cells,
                spec.roles,
                where=sheet.where,
                required=spec.required,
                overrides=overrides,
                names=spec.names,
            )
        except XlcrmError as exc:
            first_error = first_error or exc
            set_aside.append((sheet, exc.message))
            headless.append(sheet)
            continue
        if not parts or header_layout(header) == header_layout(parts[0][1]):
            parts.append((sheet, header))
        else:
            set_aside.append((sheet, f"表头与工作表“{parts[0][0].sheet}”的不同，不是同一张表"))
    if not parts:
        if first_error is None:
            raise XlcrmError(f"{label}是空的，没有任何数据（empty table）", where=sheets[0].file.name)
        raise first_error
    return TableParts(parts, set_aside, headless)


def finish_table(found: TableParts, rows: pd.DataFrame, issues: pd.DataFrame, spec: TableSpec) -> Table:
    """load_table's second half: the cleaned rows (clean_body's, without `part`) made a Table,
    with a note for each sheet set aside or hidden; an error when no row is left."""
    first, header = found.parts[0]
    if rows.empty:
        raise empty_table(found, spec)
    quarter = quarter_label(first.file.stem, first.sheet, *lines_above(first.cells, header.row))
    return Table(rows, issue_list.combine([issues, *table_notes(found, spec)]), first.where, header, quarter)


def empty_table(found: TableParts, spec: TableSpec) -> XlcrmError:
    """A table whose header has no data row under it."""
    first, header = found.parts[0]
    return XlcrmError(
        f"{spec.label}在第{header.row}行表头下面没有任何客户数据（empty table）", where=first.where
    )


def table_notes(found: TableParts, spec: TableSpec) -> list[pd.DataFrame]:
    """An issue for each sheet set aside (with why) and each hidden part of the table."""
    label = spec.label
    continued = [
        _continuation_note(sheet, reason, found.parts) if any(sheet is h for h in found.headless) else reason
        for sheet, reason in found.set_aside
    ]
    return [
        issue_list.issue_frame(
            "ignored_sheet",
            pd.NA,
            [sheet.where for sheet, _ in found.set_aside],
            [
                f"{label}未读取此工作表{hidden_note(sheet)}：{reason}"
                for (sheet, _), reason in zip(found.set_aside, continued)
            ],
        ),
        _hidden_parts([sheet for sheet, _ in found.parts], f"其中的{label}数据已照常读取"),
    ]


def no_purchases() -> Table:
    """An empty purchase table: a past quarter recorded from its grade table alone."""
    rows = pd.DataFrame(
        {
            "customer_code": pd.Series(dtype=STRING),
            "excel_row": pd.Series(dtype="int64"),
            "location": pd.Series(dtype="category"),
            "volume": pd.Series(dtype=float),
            "amount": pd.Series(dtype=float),
        }
    )
    return Table(rows, issue_list.empty(), PURCHASES.label, Header(0, [], {}))


def routes_from_sheets(
    sheets: list[RawSheet], overrides: Mapping[str, str] | None = None, outputs: Outputs = Outputs()
) -> RouteBook:
    """Every route sheet of a route workbook (hidden ones too), judged by route_sheets; each
    holds one route, or a 线路 column naming the route of each row. xlcrm's own added columns
    (last quarter's output reused) are not the manager's and are left out."""
    issues = []
    manager_sheets = []
    for sheet in sheets:
        mine, start = manager_part(sheet, outputs.added)
        manager_sheets.append(mine)
        if start is not None:
            issues.append(
                issue_list.issue_frame(
                    "ignored_columns", pd.NA, [sheet.where], [added_columns_note(start, outputs.added)]
                )
            )
    verdicts = judge_sheets(manager_sheets, ROUTES.roles, overrides, outputs)
    route_sheets = [
        RouteSheet(v.sheet.sheet or v.sheet.file.stem, v.sheet, v.header) for v in verdicts if v.is_route
    ]
    if not route_sheets:
        raise _no_routes(verdicts, sheets)
    frames = []
    # a manager's route sheets usually share one layout: cleaned together, not sheet by sheet
    for run in _same_layout_runs(route_sheets):
        rows, run_issues = clean_body([(s.raw, s.header) for s in run], ROUTES.roles, keep_blank_codes=True)
        route_names = np.array([s.route for s in run], dtype=object)[rows["part"].to_numpy()]
        if "route" in rows:
            rows["route"] = rows["route"].where(rows["route"] != "", pd.Series(route_names, index=rows.index))
        else:
            rows["route"] = pd.array(route_names, dtype=STRING)
        if "previous_grade" not in rows and "grade" in rows:
            rows = rows.rename(columns={"grade": "previous_grade"})  # last quarter's grade kept on the route
        frames.append(rows)
        issues.append(run_issues)
    set_aside = [v for v in verdicts if not v.is_route]
    issues.append(
        issue_list.issue_frame(
            "ignored_sheet",
            pd.NA,
            [v.sheet.where for v in set_aside],
            [f"{hidden_note(v.sheet)}{v.reason}" for v in set_aside],
        )
    )
    issues.append(_hidden_parts([s.raw for s in route_sheets], "此线路的客户已照常读取"))
    customers = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    customers["location"] = customers["location"].astype("category")
    for column in ("previous_grade", *ROUTE_FACTS):
        if column not in customers:
            customers[column] = pd.Series(pd.NA, index=customers.index, dtype=STRING)
    customers = customers[["route", "excel_row", "customer_code", "previous_grade", *ROUTE_FACTS, "location"]]
    return RouteBook(route_sheets, customers, issue_list.combine(issues))


def _no_routes(verdicts: list[Verdict], sheets: list[RawSheet]) -> XlcrmError:
    """Why a route workbook has no route at all, said by the sheet that explains it best."""
    where = sheets[0].file.name if sheets else ROUTES.label
    district = next((v for v in verdicts if v.kind == DISTRICT), None)
    if district is not None:
        return XlcrmError(
            f"没有找到线路表：工作表“{district.sheet.sheet or district.sheet.file.name}”"
            f"{district.reason.split('，不是线路表')[0]}。"
            "请检查线路表是否选错了文件（是否把等级表或购进表当成了线路表）；"
            "如果它确实是线路表，请把工作表改名为线路名（如 一线）",
            where=where,
        )
    told = [v for v in verdicts if v.kind not in (BLANK, NO_CODE)]
    if told:
        reasons = "；".join(f"工作表“{v.sheet.sheet}”：{v.reason.split('，未读取')[0]}" for v in told)
        return XlcrmError(f"没有找到线路表：{reasons}", where=where)
    return XlcrmError(
        "线路表中没有任何一张工作表有客户代码列（表头应为 客户代码/客户编码/客户编号），"
        "请检查文件或用 --column code=列名 指定",
        where=where,
    )


def _hidden_parts(sheets: list[RawSheet], what: str) -> pd.DataFrame:
    hidden = [s for s in sheets if s.hidden]
    return issue_list.issue_frame(
        "hidden_sheet",
        pd.NA,
        [s.where for s in hidden],
        [f"这是{HIDDEN_LABELS[s.hidden]}的工作表，{what}" for s in hidden],
    )


def _continuation_note(sheet: RawSheet, reason: str, parts: list[tuple[RawSheet, Header]]) -> str:
    """A sheet without a header whose first row holds a code where the table has its codes
    is most likely the table continued without its header: say how to make it count."""
    first, header = parts[0]
    if header.columns["code"] >= sheet.cells.shape[1]:
        return reason
    top = sheet.cells.iloc[:3, header.columns["code"]]
    if clean_codes(top).values.isna().all():
        return reason
    return (
        f"没有表头，像是工作表“{first.sheet}”的续页；"
        f"要一并读取，请把第{header.row}行表头复制到此表第 1 行之上"
    )


def split_by_manager(raw: RawSheet, manager_column: str) -> dict[str, list[RawSheet]]:
    """One table of a whole department (客户经理 and 线路 columns): each manager's rows become
    their route sheets, in table order, keeping the table's own row numbers for messages."""
    header = find_header(raw.cells, ("code", "route"), where=raw.where, required=("code", "route"))
    wanted = tidy_header(manager_column)
    names = [tidy_header(n) for n in header.names]
    if wanted not in names:
        raise XlcrmError(
            f"第{header.row}行表头中没有“{manager_column}”列；请用 --manager-column 指定客户经理所在的列",
            where=raw.where,
        )
    head = raw.cells.loc[: header.row]
    body = raw.cells.loc[header.row + 1 :]
    managers = as_text(body[names.index(wanted)])
    routes = as_text(body[header.columns["route"]])
    split = {}
    for manager in dict.fromkeys(m for m in managers if m):
        mine = body[managers == manager]
        split[manager] = [
            RawSheet(
                raw.file,
                route or "未分线路",
                pd.concat([head, mine[routes[mine.index] == route]]),
                origin=raw.where,
            )
            for route in dict.fromkeys(routes[mine.index])
        ]
    return split


def kept_rows(rows: Mapping[str, pd.Series], keep: slice | np.ndarray) -> dict[str, object]:
    """Each column's values at the rows kept (kept_column), for a frame made once: pandas
    would copy each column set on a frame, and stack columns of one type into one block."""
    return {name: kept_column(column, keep) for name, column in rows.items()}


def kept_at(keep: np.ndarray) -> slice | np.ndarray:
    """The rows kept: one slice when they follow each other (a table that only its 合计 row
    ends), so that no column is copied; else the mask itself."""
    count = int(keep.sum())
    first = int(keep.argmax()) if count else 0
    return slice(first, first + count) if keep[first : first + count].all() else keep


def kept_column(column: pd.Series, keep: slice | np.ndarray):
    """One column's values at the rows kept (kept_at; an array, placed by position): a slice is
    no copy, and pandas filters Arrow text by a mask with Arrow, chunk by chunk."""
    return column.array[keep]


def header_layout(header: Header) -> tuple:
    """The roles a header names, where, and under which name: equal for sheets of one table."""
    return tuple(
        (role, at, tidy_header(header.names[at]) if at < len(header.names) else "")
        for role, at in sorted(header.columns.items())
    )


def _same_layout_runs(route_sheets: list[RouteSheet]) -> list[list[RouteSheet]]:
    """Consecutive sheets whose headers put the same roles under the same names in the same columns."""
    runs: list[list[RouteSheet]] = []
    for sheet in route_sheets:
        if runs and header_layout(runs[-1][0].header) == header_layout(sheet.header):
            runs[-1].append(sheet)
        else:
            runs.append([sheet])
    return runs


def clean_body(
    parts: list[tuple[RawSheet, Header]], roles: tuple[str, ...], keep_blank_codes: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Data rows under the header of each part (sheets of one layout, cleaned together),
    cleaned by role; rows that cannot be used become issues.

    keep_blank_codes keeps rows that have data but no usable code (a route row is a customer
    even then); fully blank rows are never data. Rows carry `location`, `excel_row` and
    `part` (which of `parts`) so that issues can name the exact cell (issues.sources).
    """
    header = parts[0][1]
    bodies = [sheet.cells.loc[head.row + 1 :] for sheet, head in parts]
    excel_rows = np.concatenate([b.index.to_numpy() for b in bodies])
    part = np.repeat(np.arange(len(parts), dtype=np.int32), [len(b) for b in bodies])
    body = (
        pd.concat(bodies, ignore_index=True)
        if len(bodies) > 1
        else bodies[0].set_axis(pd.RangeIndex(len(excel_rows)))
    )
    cols = header.columns
    value_roles = [role for role in roles if role != "code" and role in cols]
    with _cleaners(len(body)) as cleaners:
        cleaning = {role: cleaners.submit(_clean_value, role, body[cols[role]]) for role in value_roles}
        codes = clean_codes(body[cols["code"]])
        return _clean_rows(parts, body, excel_rows, part, codes, cleaning, keep_blank_codes)


THREADED_ROWS = 100_000  # a table this long has its value columns cleaned on threads


def _cleaners(rows: int) -> ThreadPoolExecutor | _AtOnce:
    """Threads for a long table (Arrow and numpy let go of the GIL as they work); a short one
    is cleaned at once, threads would cost more than they save."""
    return ThreadPoolExecutor(os.cpu_count() or 1) if rows >= THREADED_ROWS else _AtOnce()


class _AtOnce:
    """An executor that runs what it is given at once."""

    def __enter__(self) -> _AtOnce:
        return self

    def __exit__(self, *_) -> None:
        return None

    def submit(self, fn, *args) -> Future:
        done: Future = Future()
        done.set_result(fn(*args))
        return done


def _clean_value(role: str, raw: pd.Series) -> Cleaned | pd.Series:
    """A value column cleaned by its role's rule."""
    if role in ("volume", "amount"):
        return clean_numbers(raw)
    if role == "order_date":
        return clean_dates(raw)
    if role in ("grade", "previous_grade"):
        return clean_grades(raw)
    if role in ("segment", "market_type", "route"):
        return map_uniques(as_text(raw), lambda t: t, STRING)
    return as_text(raw)


def _clean_rows(
    parts: list[tuple[RawSheet, Header]],
    body: pd.DataFrame,
    excel_rows: np.ndarray,
    part: np.ndarray,
    codes: Cleaned,
    cleaning: dict[str, Future],
    keep_blank_codes: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """clean_body's rows: the usable ones, each value column's cleaning (`cleaning`) taken
    when it is done; the skipped rows and odd values as issues."""
    header = parts[0][1]
    cols = header.columns
    code_letter = cell_ref(cols["code"])
    wheres = np.array([sheet.where for sheet, _ in parts], dtype=object)
    unusable = codes.values.isna().to_numpy()
    has_data = row_has_data(body, unusable, part, numbering_columns(parts))
    total = total_rows(body, cols, unusable) & has_data
    repeated, repeat_details = repeated_heads(body, parts, part, unusable & has_data & ~total)
    total_or_repeat = total | repeated

    def at(mask: np.ndarray, ref) -> np.ndarray:
        return issue_list.source(pd.Series(wheres[part[mask]], dtype=STRING), ref).to_numpy()

    def cells(mask, letter=code_letter):
        if not mask.any():  # the usual case: nothing to point at
            return []
        return at(mask, letter + pd.Series(excel_rows[mask]).astype(str).astype(STRING).to_numpy())

    issues = []
    for kind, skipped, why in (
        ("total_row", total, "合计/总计行，不是客户，已跳过"),
        ("repeated_header", repeated, repeat_details),
    ):
        if skipped.any():  # rows that are not data, cited by row
            rows_at = "第" + pd.Series(excel_rows[skipped]).astype(str) + "行"
            issues.append(issue_list.issue_frame(kind, pd.NA, at(skipped, rows_at), why))
    for kind, detail in (
        ("lost_digits", "”已被科学计数法截断，丢失的位数无法恢复；请在原系统中把代码列设为文本后重新导出"),
        ("bad_code", "”不是数字代码，此行无法匹配"),
    ):
        hit = (codes.problem == kind).fillna(False).to_numpy() & ~total_or_repeat
        if hit.any():
            shown = as_text(body[cols["code"]][hit])
            issues.append(
                issue_list.issue_frame(kind, shown.values, cells(hit), "客户代码“" + shown + detail)
            )
    missing = unusable & codes.problem.isna().to_numpy() & has_data & ~total_or_repeat
    issues.append(
        issue_list.issue_frame(
            "missing_code",
            pd.NA,
            cells(missing),
            "线路表中此行没有客户代码，无法匹配等级和购进数据"
            if keep_blank_codes
            else "此行有数据但客户代码为空，已跳过",
        )
    )
    usable = (has_data & ~total_or_repeat) if keep_blank_codes else ~unusable

    # each column kept to the usable rows as it is made: a million-row table is never held twice
    made = {"customer_code": codes.values, "excel_row": excel_rows, "part": part}
    kept = kept_at(usable)
    rows = kept_rows({name: pd.Series(column, copy=False) for name, column in made.items()}, kept)
    locations = [f"{where} › {code_letter}" for where in wheres]
    categories = list(dict.fromkeys(locations))  # parts cut from one table share their location
    position = np.array([categories.index(loc) for loc in locations], dtype="int32")
    rows["location"] = pd.Categorical.from_codes(position[part[kept]], categories=categories)

    def value_issue(kind: str, hit: np.ndarray, role: str, raw: pd.Series, why: str) -> None:
        """Rows `hit` of a value column, each said at its cell: 'label的值“raw”' + why."""
        if hit.any():
            said = f"{column_label(header, role)}的值“" + as_text(raw[hit]) + "”" + why
            issues.append(
                issue_list.issue_frame(kind, codes.values[hit].values, cells(hit, cell_ref(cols[role])), said)
            )

    for role, cleaned in cleaning.items():
        raw = body[cols[role]]
        cleaned = cleaned.result()
        if role in ("volume", "amount"):
            bad = cleaned.problem.notna().to_numpy() & usable
            value_issue("bad_number", bad, role, raw, "不是数字，按空值处理")
            # a negative or absurd figure would set a district minimum nobody can reach (or everyone passes)
            figures = cleaned.values.to_numpy()
            with np.errstate(invalid="ignore"):  # (blank: NaN, never odd)
                odd = ((figures < 0) | (figures > PLAUSIBLE[role])) & usable
            value_issue(
                "odd_number",
                odd,
                role,
                raw,
                f"为负数或大于 {PLAUSIBLE[role]:,.0f}，不像一个客户一个季度的数字，按空值处理；请核对原表",
            )
            rows[role] = kept_column(cleaned.values.mask(odd) if odd.any() else cleaned.values, kept)
        elif role == "order_date":  # an order line without its date cannot count: said at its cell
            bad = cleaned.problem.notna().to_numpy() & usable
            value_issue(
                "bad_date",
                bad,
                role,
                raw,
                "不是日期（应如 2026-06-22、2026/6/22、2026年6月22日），此行未计入",
            )
            rows[role] = kept_column(cleaned.values, kept)
        else:
            rows[role] = kept_column(cleaned, kept)
    frame = pd.DataFrame(rows, index=pd.RangeIndex(int(usable.sum())), copy=False)
    return frame, issue_list.combine(issues)
