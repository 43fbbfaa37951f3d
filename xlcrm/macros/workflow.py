"""The quarter, run on a workbook's own sheets: inputs read through a Book, the same engine
and sheet descriptions as `xlcrm build`, the output rendered once for the Book to take in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from ..core.addresses import column_index
from ..core.cleaning import as_text
from ..core.errors import XlcrmError
from ..core.history import Outlook
from ..core.inputs import GRADES, PREVIOUS_GRADES, PURCHASES, TableSpec, load_table, routes_from_sheets
from ..core.model import QuarterInputs, RawSheet, RouteBook
from ..core.quarter import QuarterResult, review_quarter
from ..core.quarters import Quarter
from ..core.route_sheets import manager_part
from ..core.titles import Labels, labels_for, quarter_label
from ..core.visits import VisitLog, VisitReview, review_visits, visit_log, with_visit_issues
from ..io.xlsx import write_workbook
from ..report.cards import card_sheet
from ..report.history_sheets import FOCUS_NAME
from ..report.visit_sheets import follow_up_sheet
from ..report.visit_workbook import (
    WRITTEN,
    change_table_sheet,
    issues_sheet,
    report_sheets,
    route_additions,
    route_sheets,
    standards_sheet,
)
from . import names
from .book import Book, Rendering
from .customer_store import store_target, with_stored_previous
from .settings import WorkbookSettings, read_settings


def strip_added(sheet: RawSheet) -> RawSheet:
    """The manager's part of a route sheet: the columns this workbook's last 生成本季报表 added
    are its own, to be replaced, so they go silently (core.route_sheets finds them)."""
    return manager_part(sheet, WRITTEN.added)[0]


def has_rows(sheet: RawSheet) -> bool:
    """More than a header: some cell below row 1 holds something."""
    body = sheet.cells.iloc[1:]
    return any((as_text(body[c]) != "").any() for c in body.columns)


def read_book_settings(book: Book) -> WorkbookSettings:
    if names.SETTINGS not in book.sheet_names():
        return read_settings(pd.DataFrame())
    return read_settings(book.read(names.SETTINGS).cells, f"{book.name} › {names.SETTINGS}")


def read_book(book: Book) -> tuple[QuarterInputs, WorkbookSettings]:
    present = book.sheet_names()
    settings = read_book_settings(book)
    route_sheets = [strip_added(book.read(n)) for n in present if n not in names.NOT_ROUTES]
    if not route_sheets:
        raise XlcrmError(
            f"{book.name} 中没有线路表：请用“导入数据”导入线路表，或每条线路建一张工作表（一线 … 十线）"
        )
    routes = routes_from_sheets(route_sheets, outputs=WRITTEN)
    grades = _table(book, present, names.GRADES, GRADES, settings.values.get("grades_file"))
    purchases = _table(book, present, names.PURCHASES, PURCHASES, settings.values.get("purchases_file"))
    previous = None
    if names.PREVIOUS in present and has_rows(book.read(names.PREVIOUS)):
        previous = _table(
            book, present, names.PREVIOUS, PREVIOUS_GRADES, settings.values.get("previous_file")
        )
    return QuarterInputs(routes, grades, purchases, previous), settings


def _table(book: Book, present: list[str], sheet: str, spec: TableSpec, imported_from: str | None):
    """An input sheet as a table; its quarter, when the sheet's own title does not name it, is
    the one the imported file's name (recorded on 设置) names."""
    if sheet not in present or not has_rows(book.read(sheet)):
        raise XlcrmError(
            f"“{sheet}”表还没有数据：请点“导入数据”，或把{spec.label}粘贴到“{sheet}”表（表头放第 1 行）",
            where=book.name,
        )
    table = load_table([book.read(sheet)], spec)
    return replace(table, quarter=table.quarter or quarter_label(Path(imported_from or "").stem))


def read_log(book: Book) -> VisitLog | None:
    """The 拜访记录 sheet as the visits (None in a workbook without one: made before visits)."""
    if names.VISITS not in book.sheet_names():
        return None
    return visit_log([book.read(names.VISITS)])


@dataclass(frozen=True)
class BookRun:
    result: QuarterResult  # with the visit log's issues
    inputs: QuarterInputs
    labels: Labels
    settings: WorkbookSettings
    store: str | None = None  # the customer store this run may record into
    visits: VisitReview | None = None  # the 拜访记录 sheet, reviewed as of today
    log: VisitLog | None = None


def run(book: Book, *, with_store: bool = False, as_of: dt.date | None = None) -> BookRun:
    """The workbook's quarter reviewed, and its visit log as of today; with the store, last
    quarter's grades may come from it."""
    inputs, settings = read_book(book)
    labels = title_labels(settings, inputs.routes)
    target = store_target(book, settings) if with_store else None
    quarter = Quarter.find(labels.quarter)
    if target:
        inputs = with_stored_previous(target, quarter, inputs)
    result = review_quarter(
        inputs.routes, inputs.grades, inputs.purchases, inputs.previous, settings.settings
    )
    log = read_log(book)
    visits = None
    if log is not None:
        visits = review_visits(log, result, as_of or dt.date.today(), quarter)
        result = with_visit_issues(result, visits)
    return BookRun(result, inputs, labels, settings, target, visits, log)


def filled_names(book: Book, log: VisitLog, result: QuarterResult) -> dict[str, str]:
    """The 客户名称 cells of the log to write ('C5' → '甲店'): each row whose code is on a route
    sheet that names the customer, where the cell does not say so already."""
    if "name" not in log.letters or log.visits.empty:
        return {}
    rows = result.route_rows[~result.route_rows["is_duplicate"].to_numpy(dtype=bool)]
    named = rows.dropna(subset=["customer_code", "name"]).drop_duplicates("customer_code")
    by_code = dict(zip(named["customer_code"], named["name"]))
    letter = log.letters["name"]
    cells = book.read(names.VISITS).cells
    at = column_index(letter)
    out = {}
    for code, row in zip(log.visits["customer_code"], log.visits["excel_row"]):
        name = by_code.get(code)
        if name is None:
            continue
        now = cells.at[row, at] if row in cells.index and at in cells.columns else ""
        if str(now or "").strip() != str(name).strip():
            out[f"{letter}{row}"] = str(name)
    return out


def title_labels(settings: WorkbookSettings, routes: RouteBook) -> Labels:
    """设置 wins; else the quarter named by the imported grade file, and the manager a route sheet names."""
    return labels_for(
        quarter=settings.labels.quarter,
        manager=settings.labels.manager,
        names=(Path(settings.values.get("grades_file", "")).stem,),
        heading=routes.heading(),
    )


def render_report(
    result: QuarterResult,
    inputs: QuarterInputs,
    labels: Labels,
    work: Path,
    outlook: Outlook | None = None,
    visits: VisitReview | None = None,
) -> Rendering:
    """Everything 生成本季报表 writes: the added route columns and the report sheets."""
    sheets = report_sheets(result, inputs.routes, labels, outlook=outlook, visits=visits)
    additions = route_additions(result, inputs.routes, outlook, visits=visits)
    path = work / "rendering.xlsx"
    write_workbook(sheets, path, additions)
    return Rendering(path, [s.name for s in sheets], additions)


def render_issues(result: QuarterResult, labels: Labels, work: Path) -> Rendering:
    sheet = issues_sheet(result, labels)
    path = work / "issues.xlsx"
    write_workbook([sheet], path)
    return Rendering(path, [sheet.name], [])


def render_print(
    result: QuarterResult,
    inputs: QuarterInputs,
    labels: Labels,
    settings: WorkbookSettings,
    work: Path,
    visits: VisitReview | None = None,
) -> Rendering:
    """What 打印拜访表 prints: 跟进提醒 (with a visit log), the route sheets and both tables,
    described and written exactly as `xlcrm build` writes them (phone and ID numbers masked
    unless 设置 says 否)."""
    mask = settings.mask_print
    sheets = [follow_up_sheet(visits, labels, mask)] if visits is not None else []
    sheets += route_sheets(result, inputs.routes, labels, mask, settings.print_columns, visits=visits)
    sheets += [change_table_sheet(result, labels), standards_sheet(result, labels)]
    path = work / "拜访表.xlsx"
    write_workbook(sheets, path)
    return Rendering(path, [s.name for s in sheets], [])


def render_cards(cards: list, labels: Labels, work: Path) -> Rendering:
    path = work / "cards.xlsx"
    sheet = card_sheet(cards, labels)
    write_workbook([sheet], path)
    return Rendering(path, [sheet.name], [])


def selected_codes(book: Book, sheet: str, rows: list[int], routes: RouteBook) -> tuple[list[str], str]:
    """The customer codes of the selected rows of a route sheet, or of every row of 重点关注."""
    if sheet == FOCUS_NAME:
        focus = book.read(FOCUS_NAME).cells
        header = next((r for r in focus.index if "客户代码" in as_text(focus.loc[r]).tolist()), None)
        if header is None:
            raise XlcrmError(f"“{FOCUS_NAME}”表是空的：请先生成本季报表")
        at = as_text(focus.loc[header]).tolist().index("客户代码")
        codes = [c for c in as_text(focus.loc[header + 1 :, at]).tolist() if c]
        return codes, f"“{FOCUS_NAME}”上的客户"
    mine = routes.customers[
        routes.customers["location"].astype(str).str.startswith(f"{book.name} › {sheet} ›")
    ]
    if mine.empty:
        raise XlcrmError(
            f"请先在线路表中选中要做资料卡的客户所在的行（现在选中的是“{sheet}”），"
            f"或切换到“{FOCUS_NAME}”表为其中全部客户生成"
        )
    chosen = mine[mine["excel_row"].isin(rows)] if rows else mine
    if chosen.empty:
        raise XlcrmError(f"“{sheet}”中选中的行没有客户：请选中客户所在的行")
    return chosen["customer_code"].dropna().tolist(), f"“{sheet}”中选中的客户"
