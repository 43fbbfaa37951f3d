"""The visit workbook, described once: which sheets, which blocks, which columns, which values.

Pure: builds descriptions from a QuarterResult; writers (an XlsxWriter file, a live workbook) only
lay them out. Headers and sheet names are Chinese, as managers read them.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..core.addresses import cell_ref
from ..core.changes import CHANGE_LABELS, CHANGES, COMPARABLE, NO_GRADE
from ..core.cleaning import as_text
from ..core.grades import segment_label
from ..core.history import Outlook
from ..core.history import outlook as core_outlook
from ..core.issues import KINDS
from ..core.model import RouteBook, RouteSheet
from ..core.privacy import mask_cells
from ..core.quarter import QuarterResult
from ..core.route_sheets import Outputs
from ..core.tables import batch_summary, grade_change_wide, grade_distribution
from ..core.titles import ALL_COLUMNS, Labels, footer_label, report_title, route_title
from ..core.values import CustomerValues, customer_values
from ..core.visits import VisitReview
from ..core.weekdays import route_sort_key
from .history_sheets import FOCUS_NAME, TRAIL_COLUMNS, focus_sheet, trail_lookup
from .model import Block, Chart, Column, RouteAddition, Sheet, cell_rows
from .value_sheets import ABC_COLUMN, abc_block, segment_block, value_columns, value_lookup
from .visit_sheets import FOLLOW_UPS_NAME, coverage_block, follow_up_sheet, visit_columns, visit_lookup

OVERVIEW_NAME = "汇总"
OVERVIEW_TITLE = "客户等级季度汇总"
CHANGE_TABLE_NAME = "零售客户季度等级变动统计表"
STANDARDS_NAME = "客户季度等级最低标准表"
ISSUES_NAME = "数据问题"
REPORT_NAMES = (OVERVIEW_NAME, FOCUS_NAME, FOLLOW_UPS_NAME, CHANGE_TABLE_NAME, STANDARDS_NAME, ISSUES_NAME)


# columns xlcrm adds to each route sheet, after the manager's own
# what a full route page leaves off its print first (a visit log adds three columns): 本季等级
# (变动 shows it, with the arrow), then the purchase figures (the gaps to the next grade say what
# matters on a visit), then the next grade's name
FOLD_FIRST = ("grade", "volume", "amount", "next_grade")
ROUTE_ADDED = [
    Column("previous_grade", "上季等级", "grade"),
    Column("grade", "本季等级", "grade"),
    Column("mark", "变动", "grade"),
    Column("volume", "购进量", "volume"),
    Column("amount", "购进额", "amount"),
    Column("next_grade", "上一档", "grade"),
    Column("gap_volume", "距上一档（条）", "volume_gap"),
    Column("gap_amount", "距上一档（元）", "amount_gap"),
]


# a workbook xlcrm wrote, as a later run recognises it (last quarter's output reused as routes)
WRITTEN = Outputs(
    titles=(OVERVIEW_TITLE, FOCUS_NAME, FOLLOW_UPS_NAME, CHANGE_TABLE_NAME, STANDARDS_NAME, ISSUES_NAME),
    added=tuple(c.header for c in ROUTE_ADDED),
)


# a blank column to write in on the visit; it takes the rest of the printed page's width. Not
# called 拜访记录: that is the log's sheet, where these notes are copied back in the office
WRITE_IN = Column("visit_note", "本次拜访")
ROUTE_ROW_HEIGHT = 24  # points: room to write a short note by hand
ROUTE_LEGEND = (
    f"变动：CS1↑ 提升　CS1↓ 下降　CS1新 新客户（上季无等级）　{NO_GRADE} 本季等级表中没有或等级无效"
    "　　距上一档：到上一档最低标准还差的条数和金额"
)
# the manager's own columns printed unless they choose others: who the customer is and how to reach them
PRINTED_BY_DEFAULT = ("名称", "负责人", "联系人", "店主", "经营者", "电话", "手机", "联系方式")


def printed_own_columns(headers: list[str], code_at: int, chosen: tuple[str, ...] | None) -> list[int]:
    """Which of the manager's own columns print: those named in `chosen` (their header text),
    else the customer code and the columns whose header names the shop, its owner or a phone."""
    if chosen == (ALL_COLUMNS,):
        return list(range(len(headers)))
    if chosen is not None:
        wanted = {c.strip() for c in chosen}
        return [i for i, h in enumerate(headers) if h.strip() in wanted]
    return [i for i, h in enumerate(headers) if i == code_at or any(k in h for k in PRINTED_BY_DEFAULT)]


def added_columns(
    outlook: Outlook | None = None, values: CustomerValues | None = None, visits: VisitReview | None = None
) -> list[Column]:
    """The columns xlcrm adds to a route sheet: the value classes; with a store, the grade
    trail; with a visit log, the last visit and the next follow-up."""
    trail = TRAIL_COLUMNS if outlook is not None and outlook.trails is not None else []
    return ROUTE_ADDED + value_columns(values) + trail + visit_columns(visits)


def _added_by_sheet(
    result: QuarterResult,
    routes: RouteBook,
    outlook: Outlook | None,
    values: CustomerValues,
    visits: VisitReview | None,
    mask: bool = False,
) -> list[tuple[RouteSheet, pd.DataFrame, dict]]:
    """Each route sheet with its rows (see _rows_by_sheet) and the values of the columns xlcrm
    adds: looked up once for all route rows, then taken per sheet."""
    by_location, split = _rows_by_sheet(result, routes)
    codes = by_location["customer_code"]
    added = {c.key: by_location[c.key].array for c in ROUTE_ADDED}
    for lookup in (value_lookup(values), trail_lookup(outlook), visit_lookup(visits, mask)):
        if lookup is not None:
            added |= lookup.of(codes)
    by_sheet = []
    for route_sheet, mine in split:
        at = _positions(mine)
        by_sheet.append((route_sheet, mine, {key: column[at] for key, column in added.items()}))
    return by_sheet


def _positions(mine: pd.DataFrame) -> slice | np.ndarray:
    """Where a sheet's rows sit in the sorted route rows (their index, increasing): a slice when
    they are one run, as they are unless sheets share a table (a slice costs nothing to take)."""
    at = mine.index.to_numpy()
    if len(at) == 0:
        return slice(0, 0)
    return slice(at[0], at[-1] + 1) if at[-1] - at[0] + 1 == len(at) else at


def _or_abc(result: QuarterResult, values: CustomerValues | None) -> CustomerValues:
    """The value classes given, else ABC alone (it needs nothing but the review)."""
    return values if values is not None else customer_values(result)


def route_sheets(
    result: QuarterResult,
    routes: RouteBook,
    labels: Labels = Labels(),
    mask: bool = False,
    printed: tuple[str, ...] | None = None,
    outlook: Outlook | None = None,
    values: CustomerValues | None = None,
    visits: VisitReview | None = None,
) -> list[Sheet]:
    """Each route sheet: the manager's columns exactly as read (phone and ID numbers masked
    when `mask`, as for printing), then the added columns and a blank 本次拜访 column. Of the
    manager's columns, those named in `printed` print (default: see printed_own_columns); the
    others stay in the workbook, folded away. Of xlcrm's, the grade columns, ABC and the visit
    columns print (the visit needs them)."""
    sheets = []
    values = _or_abc(result, values)
    for route_sheet, mine, added in _added_by_sheet(result, routes, outlook, values, visits, mask):
        header = route_sheet.header
        own_names = _own_headers(header.names)
        cells = route_sheet.raw.cells
        # blank and total rows are not customers: only the rows the review kept, in its order
        own = cells.to_numpy(dtype=object)[
            cells.index.get_indexer(mine["excel_row"].to_numpy()), : len(own_names)
        ]
        code_at = header.columns["code"]
        # the cleaned code where there is one, so the column shows whole numbers that match
        code = mine["customer_code"].to_numpy(dtype=object, na_value=None)
        own[:, code_at] = np.where(pd.notna(code), code, own[:, code_at])
        columns = [
            Column(f"own{i}", name, "code" if i == code_at else "text") for i, name in enumerate(own_names)
        ]
        cells = {
            c.key: (mask_cells(own[:, i]) if mask and c.kind != "code" else own[:, i])
            for i, c in enumerate(columns)
        }
        cells |= added
        cells[WRITE_IN.key] = np.full(len(mine), None, dtype=object)
        batch = mine["batch"].iloc[0] if len(mine) else result.sheet_batches.get(route_sheet.route, "")
        title = route_title(route_sheet.route, batch, labels)
        shown = printed_own_columns(own_names, code_at, printed)
        sheets.append(
            Sheet(
                route_sheet.route,
                title,
                [Block(columns + added_columns(outlook, values, visits) + [WRITE_IN], cell_rows(cells))],
                filters=True,
                highlight_changes=True,
                note=ROUTE_LEGEND,
                footer=footer_label(labels),
                printed=tuple(columns[i].key for i in shown)
                + tuple(c.key for c in ROUTE_ADDED + [ABC_COLUMN] + visit_columns(visits) + [WRITE_IN]),
                write_in=WRITE_IN.key,
                fold_first=FOLD_FIRST,
                row_height=ROUTE_ROW_HEIGHT,
            )
        )
    return sheets


def route_additions(
    result: QuarterResult,
    routes: RouteBook,
    outlook: Outlook | None = None,
    values: CustomerValues | None = None,
    visits: VisitReview | None = None,
) -> list[RouteAddition]:
    additions = []
    values = _or_abc(result, values)
    for route_sheet, mine, added in _added_by_sheet(result, routes, outlook, values, visits):
        block = Block(added_columns(outlook, values, visits), pd.DataFrame(added))
        additions.append(
            RouteAddition(
                route_sheet.raw.sheet or route_sheet.route,
                route_sheet.header.row,
                _used_width(route_sheet.raw.cells),
                mine["excel_row"].astype(int).tolist(),
                block,
            )
        )
    return additions


def _rows_by_sheet(
    result: QuarterResult, routes: RouteBook
) -> tuple[pd.DataFrame, list[tuple[RouteSheet, pd.DataFrame]]]:
    """The enriched route rows sorted by the sheet they were read from, and each route sheet (in
    route order) with its rows, in the review's order: one sort of all rows, then a slice per
    sheet (its index says where its rows are in the sorted ones)."""
    rows = result.route_rows
    codes = rows["location"].cat.codes.to_numpy()
    code_of = {name: i for i, name in enumerate(rows["location"].cat.categories)}
    order = np.argsort(codes, kind="stable")
    by_location = rows.iloc[order].reset_index(drop=True)
    bounds = np.searchsorted(codes[order], np.arange(len(code_of) + 1))
    locations = [f"{s.raw.where} › {cell_ref(s.header.columns['code'])}" for s in routes.sheets]
    shared = pd.Series(locations).duplicated(keep=False).to_numpy()
    split = []
    for route_sheet, location, is_shared in zip(routes.sheets, locations, shared):
        at = code_of.get(location)
        mine = by_location.iloc[bounds[at] : bounds[at + 1]] if at is not None else by_location.iloc[:0]
        if is_shared:  # sheets cut from one table share its location: tell them apart by row
            mine = mine[mine["excel_row"].isin(route_sheet.raw.cells.index).to_numpy()]
        split.append((route_sheet, mine))
    return by_location, sorted(split, key=lambda pair: route_sort_key(pair[0].route))


def _used_width(cells: pd.DataFrame) -> int:
    """Columns up to the last one holding anything (the manager's notes may lack a header)."""
    filled = [c for c in cells.columns if (as_text(cells[c]) != "").any()]
    return max(filled) + 1 if filled else 0


def _own_headers(names: list[str]) -> list[str]:
    """The manager's header, trimmed of trailing empty columns; blanks get a column letter."""
    last = max((i for i, n in enumerate(names) if n), default=0)
    return [n or f"列{i + 1}" for i, n in enumerate(names[: last + 1])]


def change_table_block(long: pd.DataFrame, batches: list[str]) -> Block:
    """The change table as managers lay it out: (segment, grade) rows, weekday blocks of
    提升/保持/下降, a 合计 block and a sum row."""
    wide = grade_change_wide(long, batches)
    blocks = batches + ["合计"]
    columns = [Column("segment", "业态"), Column("grade", "等级", "grade")]
    columns += [
        Column(f"{b}|{c}", CHANGE_LABELS[c], "count", total=(b == "合计")) for b in blocks for c in COMPARABLE
    ]
    counts = wide.to_numpy("int64")  # columns in (batch, change) order, the 合计 block last
    counts = np.vstack([counts, counts.sum(axis=0, keepdims=True)])  # and the sum row
    rows = {
        "segment": [*(segment_label(s) for s in wide.index.get_level_values(0)), "合计"],
        "grade": [*wide.index.get_level_values(1), None],
    }
    rows |= {f"{b}|{c}": counts[:, i] for i, (b, c) in enumerate(wide.columns)}
    rows = pd.DataFrame(rows)
    groups = [("", 2)] + [(b, len(COMPARABLE)) for b in blocks]
    return Block(columns, rows, groups=groups, group_by="segment", total_row=True)


def change_table_sheet(result: QuarterResult, labels: Labels = Labels()) -> Sheet:
    return Sheet(
        CHANGE_TABLE_NAME,
        report_title(CHANGE_TABLE_NAME, labels),
        [change_table_block(result.grade_changes, result.batches)],
        freeze_columns=2,
        mute_zeros=True,
        footer=footer_label(labels),
    )


DISTRICT = "辖区"  # the standards count every customer of the district's grade table, not one manager's


def standard_columns(counted: str = "客户数") -> list[Column]:
    return [
        Column("segment", "业态"),
        Column("grade", "等级", "grade"),
        Column("min_volume", "最低购进量（条）", "volume"),
        Column("min_amount", "最低购进额（元）", "amount"),
        Column("customers", counted, "count"),
    ]


def standards_block(standards: pd.DataFrame, counted: str = f"{DISTRICT}客户数") -> Block:
    columns = standard_columns(counted)
    rows = standards.assign(segment=standards["segment"].map(segment_label))
    return Block(columns, rows[[c.key for c in columns]], group_by="segment")


def standards_sheet(result: QuarterResult, labels: Labels = Labels()) -> Sheet:
    return Sheet(
        STANDARDS_NAME,
        report_title(f"{STANDARDS_NAME}（{DISTRICT}）", labels),
        [standards_block(result.standards)],
        footer=footer_label(labels),
    )


def issues_block(issues: pd.DataFrame, output_rows: dict[str, str] | None = None) -> Block:
    """Every issue at its input cell; with `output_rows` (customer code → where the customer
    sits in this workbook) also at the row the manager holds."""
    columns = [
        Column("kind", "问题"),
        Column("customer_code", "客户代码", "code"),
        Column("source", "输入位置（文件 › 工作表 › 单元格）"),
    ]
    rows = issues.assign(kind=issues["kind"].map(KINDS).fillna(issues["kind"]))
    if output_rows is not None:
        columns.append(Column("here", "本表位置（工作表 › 行）"))
        rows = rows.assign(here=rows["customer_code"].map(output_rows))
    columns.append(Column("detail", "说明"))
    return Block(columns, rows[[c.key for c in columns]])


def issues_sheet(
    result: QuarterResult, labels: Labels = Labels(), output_rows: dict[str, str] | None = None
) -> Sheet:
    return Sheet(
        ISSUES_NAME,
        report_title(ISSUES_NAME, labels),
        [issues_block(result.issues, output_rows)],
        filters=True,
        footer=footer_label(labels),
    )


def output_rows(sheets: list[Sheet]) -> dict[str, str]:
    """Customer code → the route sheet rows where this workbook shows the customer ('二线 › 第15行')."""
    found: dict[str, list[str]] = {}
    for sheet in sheets:
        code = next(c.key for c in sheet.table.columns if c.kind == "code")
        for i, value in enumerate(sheet.table.rows[code].to_numpy(dtype=object)):
            if isinstance(value, str) and value:
                found.setdefault(value, []).append(f"{sheet.name} › 第{sheet.first_data_row + i}行")
    return {code: "、".join(places) for code, places in found.items()}


def overview_sheet(
    result: QuarterResult,
    routes: RouteBook,
    labels: Labels = Labels(),
    values: CustomerValues | None = None,
    visits: VisitReview | None = None,
) -> Sheet:
    """Counts at a glance, the value classes, the week's changes and the grade distribution,
    each with a chart; with a visit log, the route customers visited this quarter, per route."""
    customers = result.customers
    counts = customers["change"].value_counts()
    facts = [("线路（条）", len(routes.sheets)), ("线路客户（户）", len(customers))]
    facts += [(f"　{CHANGE_LABELS[c]}", int(counts.get(c, 0))) for c in CHANGES]
    facts += [
        ("辖区客户（本季等级表，户）", len(result.district)),
        ("数据问题（条，见“数据问题”表）", len(result.issues)),
    ]
    summary = Block(
        [Column("item", "项目"), Column("count", "数量", "count")],
        pd.DataFrame(facts, columns=["item", "count"]),
        caption="本季概况",
    )

    by_batch = batch_summary(customers, result.batches)
    batch_columns = [
        Column("batch", "访销日"),
        Column("routes", "线路"),
        Column("customers", "客户数", "count"),
    ]
    batch_columns += [Column(c, CHANGE_LABELS[c], "count") for c in CHANGES]
    week = Block(
        batch_columns,
        by_batch,
        caption="各访销日等级变动（线路客户）",
        total_row=True,
        chart=Chart("各访销日等级变动", "batch", list(COMPARABLE)),
    )

    spread = grade_distribution(customers, result.scheme)
    spread["segment"] = spread["segment"].map(segment_label)
    tiers = [c for c in spread.columns if c not in ("segment", "合计")]
    spread_columns = [Column("segment", "业态")] + [Column(t, str(t), "count") for t in tiers]
    spread_columns.append(Column("合计", "合计", "count", total=True))
    grades = Block(
        spread_columns,
        spread,
        caption="各业态等级分布（线路客户，本季等级）",
        total_row=True,
        # no route customer with a grade: nothing to chart (a chart needs a series)
        chart=Chart("各业态等级分布", "segment", tiers, stacked=True) if tiers else None,
    )
    return Sheet(
        OVERVIEW_NAME,
        report_title(OVERVIEW_TITLE, labels),
        [summary, *value_blocks(_or_abc(result, values)), week, grades]
        + ([coverage_block(visits)] if visits is not None else []),
        mute_zeros=True,
        one_page=True,
        footer=footer_label(labels),
    )


def value_blocks(values: CustomerValues) -> list[Block]:
    """汇总's blocks of the value classes: ABC, and the RFM groups with the order detail."""
    return [b for b in (abc_block(values), segment_block(values)) if b is not None]


def report_sheets(
    result: QuarterResult,
    routes: RouteBook,
    labels: Labels = Labels(),
    output_rows: dict[str, str] | None = None,
    outlook: Outlook | None = None,
    values: CustomerValues | None = None,
    visits: VisitReview | None = None,
    mask: bool = False,
) -> list[Sheet]:
    """The sheets xlcrm owns outright: 汇总, 重点关注, 跟进提醒 (with a visit log), both tables
    and the issue list."""
    outlook = outlook or core_outlook(result)
    follow_ups = [follow_up_sheet(visits, labels, mask)] if visits is not None else []
    return [
        overview_sheet(result, routes, labels, values, visits),
        focus_sheet(outlook, labels, with_store=outlook.trails is not None),
        *follow_ups,
        change_table_sheet(result, labels),
        standards_sheet(result, labels),
        issues_sheet(result, labels, output_rows),
    ]


def workbook_sheets(
    result: QuarterResult,
    routes: RouteBook,
    labels: Labels = Labels(),
    mask: bool = False,
    printed: tuple[str, ...] | None = None,
    outlook: Outlook | None = None,
    values: CustomerValues | None = None,
    visits: VisitReview | None = None,
) -> list[Sheet]:
    """汇总 first (the cover), 重点关注 and 跟进提醒 (with a visit log), then the routes to carry,
    both tables and the issue list (each issue also at the route row of this workbook)."""
    outlook = outlook or core_outlook(result)
    values = _or_abc(result, values)
    route_pages = route_sheets(result, routes, labels, mask, printed, outlook, values, visits)
    names = sheet_names([s.name for s in route_pages], taken=REPORT_NAMES)
    route_pages = [replace(s, name=name) for s, name in zip(route_pages, names)]
    reports = report_sheets(result, routes, labels, output_rows(route_pages), outlook, values, visits, mask)
    ahead = 3 if visits is not None else 2  # 汇总, 重点关注 (and 跟进提醒) before the routes
    return [*reports[:ahead], *route_pages, *reports[ahead:]]


# Excel's rules for a sheet name: at most 31 characters, none of these, not quoted at the ends
SHEET_NAME_MAX = 31
_NOT_IN_SHEET_NAMES = str.maketrans({c: "_" for c in ":\\/?*[]"})


def sheet_names(wanted: list[str], taken: list[str] = ()) -> list[str]:
    """Names Excel accepts, unique among themselves and apart from `taken` (compared as Excel
    does, ignoring case): a route named like a report sheet (汇总, 数据问题), two routes alike
    in their first 31 characters, or a 线路 value with '/' in it never break the workbook."""
    used = {t.casefold() for t in taken}
    names = []
    for name in wanted:
        base = str(name).translate(_NOT_IN_SHEET_NAMES).strip("'").strip() or "线路"
        candidate, n = base[:SHEET_NAME_MAX], 1
        while candidate.casefold() in used or candidate.casefold() == "history":
            n += 1
            suffix = f"（{n}）"
            candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        used.add(candidate.casefold())
        names.append(candidate)
    return names
