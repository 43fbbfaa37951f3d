"""Loading the inputs into clean tables: raw cells → header → cleaned columns + issues.

Works on RawSheet objects, so the same rules serve files (xlcrm.io), the sheets of a live
workbook (xlcrm.macros) and tables built in memory (tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import issues as issue_list
from .addresses import cell_ref
from .cleaning import STRING, as_text, clean_codes, clean_grades, clean_numbers, is_total_label, map_uniques
from .columns import Header, column_label, find_header, tidy_header
from .errors import XlcrmError
from .model import RawSheet, RouteBook, RouteSheet, Table

# largest believable quarter for one retailer: 1,000,000 条, 1,000,000,000 元
PLAUSIBLE = {"volume": 1_000_000, "amount": 1_000_000_000}


@dataclass(frozen=True)
class TableSpec:
    """What an input table is called, which columns are read from it and which it must have."""

    label: str  # '本季等级表', in messages
    roles: tuple[str, ...]
    required: tuple[str, ...]


# the district's names are not needed: route sheets carry the manager's own
GRADES = TableSpec("本季等级表", ("code", "grade", "segment"), ("code", "grade"))
PREVIOUS_GRADES = TableSpec("上季等级表", ("code", "grade"), ("code", "grade"))
PURCHASES = TableSpec("购进表", ("code", "volume", "amount"), ("code", "volume", "amount"))
ROUTES = TableSpec(
    "线路表", ("code", "route", "previous_grade", "grade", "name", "owner", "address"), ("code",)
)
# what a route row says about its customer besides the code (kept in the customer store)
ROUTE_FACTS = ("name", "owner", "address")


def load_table(sheets: list[RawSheet], spec: TableSpec, overrides: Mapping[str, str] | None = None) -> Table:
    """The first sheet with a customer-code header is the table; other non-empty sheets are listed."""
    label = spec.label
    if not sheets:
        raise XlcrmError(f"{label}里没有任何工作表")
    chosen, header, first_error = None, None, None
    for sheet in sheets:
        if _is_blank(sheet.cells):
            continue
        try:
            header = find_header(
                sheet.cells, spec.roles, where=sheet.where, required=spec.required, overrides=overrides
            )
        except XlcrmError as exc:
            first_error = first_error or exc
            continue
        chosen = sheet
        break
    if chosen is None:
        if first_error is None:
            raise XlcrmError(f"{label}是空的，没有任何数据（empty table）", where=sheets[0].file.name)
        raise first_error
    rows, issues = _clean_body([(chosen, header)], spec.roles)
    rows = rows.drop(columns="part")
    if rows.empty:
        raise XlcrmError(
            f"{label}在第{header.row}行表头下面没有任何客户数据（empty table）", where=chosen.where
        )
    others = [s for s in sheets if s is not chosen and not _is_blank(s.cells)]
    ignored = issue_list.issue_frame(
        "ignored_sheet",
        pd.NA,
        [s.where for s in others],
        [f"{label}只使用工作表“{chosen.sheet}”，此表未读取" for _ in others],
    )
    return Table(rows, issue_list.combine([issues, ignored]), chosen.where, header)


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


def routes_from_sheets(sheets: list[RawSheet], overrides: Mapping[str, str] | None = None) -> RouteBook:
    """Every sheet with a customer-code column is a route (or holds a 线路 column naming it)."""
    route_sheets, skipped = [], []
    for sheet in sheets:
        if _is_blank(sheet.cells):
            continue
        try:
            header = find_header(
                sheet.cells, ROUTES.roles, where=sheet.where, required=ROUTES.required, overrides=overrides
            )
        except XlcrmError:
            skipped.append(sheet)
            continue
        route_sheets.append(RouteSheet(sheet.sheet or sheet.file.stem, sheet, header))
    if not route_sheets:
        where = sheets[0].file.name if sheets else ROUTES.label
        raise XlcrmError(
            "线路表中没有任何一张工作表有客户代码列（表头应为 客户代码/客户编码/客户编号），"
            "请检查文件或用 --column code=列名 指定",
            where=where,
        )
    frames, issues = [], []
    # a manager's route sheets usually share one layout: cleaned together, not sheet by sheet
    for run in _same_layout_runs(route_sheets):
        rows, run_issues = _clean_body([(s.raw, s.header) for s in run], ROUTES.roles, keep_blank_codes=True)
        route_names = np.array([s.route for s in run], dtype=object)[rows["part"].to_numpy()]
        if "route" in rows:
            rows["route"] = rows["route"].where(rows["route"] != "", pd.Series(route_names, index=rows.index))
        else:
            rows["route"] = pd.array(route_names, dtype=STRING)
        if "previous_grade" not in rows and "grade" in rows:
            rows = rows.rename(columns={"grade": "previous_grade"})  # last quarter's grade kept on the route
        frames.append(rows)
        issues.append(run_issues)
    issues.append(
        issue_list.issue_frame(
            "ignored_sheet",
            pd.NA,
            [s.where for s in skipped],
            ["此工作表没有客户代码列，不是线路表，未读取" for _ in skipped],
        )
    )
    customers = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    customers["location"] = customers["location"].astype("category")
    for column in ("previous_grade", *ROUTE_FACTS):
        if column not in customers:
            customers[column] = pd.Series(pd.NA, index=customers.index, dtype=STRING)
    customers = customers[["route", "excel_row", "customer_code", "previous_grade", *ROUTE_FACTS, "location"]]
    return RouteBook(route_sheets, customers, issue_list.combine(issues))


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


def _same_layout_runs(route_sheets: list[RouteSheet]) -> list[list[RouteSheet]]:
    """Consecutive sheets whose headers put the same roles under the same names in the same columns."""

    def layout(s: RouteSheet):
        return tuple(
            (role, at, s.header.names[at] if at < len(s.header.names) else "")
            for role, at in s.header.columns.items()
        )

    runs: list[list[RouteSheet]] = []
    for sheet in route_sheets:
        if runs and layout(runs[-1][0]) == layout(sheet):
            runs[-1].append(sheet)
        else:
            runs.append([sheet])
    return runs


def _is_blank(cells: pd.DataFrame) -> bool:
    """No text at all in the top rows (an empty or unused sheet)."""
    if cells.empty:
        return True
    for value in cells.head(200).to_numpy(dtype=object).ravel():  # usually ends at the first cell
        if value is None or (isinstance(value, float) and value != value):
            continue
        if not isinstance(value, str) or value.strip():
            return False
    return True


def _clean_body(
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
    part = np.repeat(np.arange(len(parts)), [len(b) for b in bodies])
    body = (
        pd.concat(bodies, ignore_index=True)
        if len(bodies) > 1
        else bodies[0].set_axis(pd.RangeIndex(len(excel_rows)))
    )
    wheres = np.array([sheet.where for sheet, _ in parts], dtype=object)
    cols = header.columns
    code_letter = cell_ref(cols["code"])
    codes = clean_codes(body[cols["code"]])
    unusable = codes.values.isna().to_numpy()
    has_data = _row_has_data(body, unusable)
    total = _total_rows(body, cols, unusable) & has_data

    def at(mask: np.ndarray, ref) -> np.ndarray:
        return issue_list.source(pd.Series(wheres[part[mask]], dtype=STRING), ref).to_numpy()

    def cells(mask, letter=code_letter):
        if not mask.any():  # the usual case: nothing to point at
            return []
        return at(mask, letter + pd.Series(excel_rows[mask]).astype(str).astype(STRING).to_numpy())

    issues = []
    if total.any():
        issues.append(
            issue_list.issue_frame(
                "total_row",
                pd.NA,
                at(total, "第" + pd.Series(excel_rows[total]).astype(str) + "行"),
                "合计/总计行，不是客户，已跳过",
            )
        )
    for kind, detail in (
        ("lost_digits", "”已被科学计数法截断，丢失的位数无法恢复；请在原系统中把代码列设为文本后重新导出"),
        ("bad_code", "”不是数字代码，此行无法匹配"),
    ):
        hit = (codes.problem == kind).fillna(False).to_numpy() & ~total
        if hit.any():
            shown = as_text(body.loc[hit, cols["code"]])
            issues.append(
                issue_list.issue_frame(kind, shown.values, cells(hit), "客户代码“" + shown + detail)
            )
    missing = unusable & codes.problem.isna().to_numpy() & has_data & ~total
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
    usable = (has_data & ~total) if keep_blank_codes else ~unusable

    rows = pd.DataFrame({"customer_code": codes.values, "excel_row": excel_rows, "part": part})
    locations = [f"{where} › {code_letter}" for where in wheres]
    categories = list(dict.fromkeys(locations))  # parts cut from one table share their location
    position = np.array([categories.index(loc) for loc in locations], dtype="int32")
    rows["location"] = pd.Categorical.from_codes(position[part], categories=categories)
    for role in roles:
        if role == "code" or role not in cols:
            continue
        raw = body[cols[role]]
        if role in ("volume", "amount"):
            numbers = clean_numbers(raw)
            bad = numbers.problem.notna().to_numpy() & usable
            if bad.any():
                issues.append(
                    issue_list.issue_frame(
                        "bad_number",
                        codes.values[bad].values,
                        cells(bad, cell_ref(cols[role])),
                        f"{column_label(header, role)}的值“" + as_text(raw[bad]) + "”不是数字，按空值处理",
                    )
                )
            # a negative or absurd figure would set a district minimum nobody can reach (or everyone passes)
            odd = ((numbers.values < 0) | (numbers.values > PLAUSIBLE[role])).fillna(
                False
            ).to_numpy() & usable
            if odd.any():
                issues.append(
                    issue_list.issue_frame(
                        "odd_number",
                        codes.values[odd].values,
                        cells(odd, cell_ref(cols[role])),
                        f"{column_label(header, role)}的值“"
                        + as_text(raw[odd])
                        + f"”为负数或大于 {PLAUSIBLE[role]:,.0f}，"
                        "不像一个客户一个季度的数字，按空值处理；请核对原表",
                    )
                )
            rows[role] = numbers.values.mask(odd)
        elif role in ("grade", "previous_grade"):
            rows[role] = clean_grades(raw)
        elif role in ("segment", "market_type", "route"):
            rows[role] = map_uniques(as_text(raw), lambda t: t, STRING)
        else:
            rows[role] = as_text(raw)
    rows = rows[usable].reset_index(drop=True)
    return rows, issue_list.combine(issues)


def _row_has_data(body: pd.DataFrame, candidates: np.ndarray) -> np.ndarray:
    """True where a row has any non-blank cell; only rows in `candidates` are examined (speed)."""
    result = np.ones(len(body), dtype=bool)
    at = np.flatnonzero(candidates)
    if len(at):
        sub = body.iloc[at]
        result[at] = sub.apply(lambda c: as_text(c) != "").any(axis=1).to_numpy()
    return result


def _total_rows(body: pd.DataFrame, cols: dict[str, int], no_code: np.ndarray) -> np.ndarray:
    """Rows without a usable code whose code, name or first cells say 合计/总计."""
    result = np.zeros(len(body), dtype=bool)
    at = np.flatnonzero(no_code)
    if not len(at):
        return result
    sub = body.iloc[at]
    looked_at = {cols["code"], cols.get("name", cols["code"]), 0, 1}
    hit = np.zeros(len(sub), dtype=bool)
    for c in looked_at:
        if c in sub.columns:
            hit |= is_total_label(as_text(sub[c])).to_numpy()
    result[at] = hit
    return result
