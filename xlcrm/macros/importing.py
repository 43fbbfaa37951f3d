"""导入数据: the export files, cleaned, into the workbook's input sheets; route sheets copied
in where the workbook has none of that name yet (a manager's own route sheet is never
overwritten)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..core.cleaning import as_text, is_total_label
from ..core.errors import XlcrmError
from ..core.inputs import GRADES, PREVIOUS_GRADES, PURCHASES, load_table, routes_from_sheets
from ..core.model import RawSheet, Table
from ..io.input_files import check_distinct, load_routes
from ..io.read import read_sheets
from . import names
from .book import Book
from .settings import LABELS
from .workflow import strip_added

# input sheet → (file key, the table it holds)
INPUTS = {
    names.GRADES: ("grades", GRADES),
    names.PREVIOUS: ("previous", PREVIOUS_GRADES),
    names.PURCHASES: ("purchases", PURCHASES),
}
HEADERS = {"code": "客户代码", "grade": "客户等级", "segment": "业态", "volume": "购进量", "amount": "购进额"}
ROLE_COLUMN = {"code": "customer_code"}
# file key → its label on 设置 (routes → 线路表文件), from the one list of labels
FILE_SETTINGS = {
    key: label
    for label, setting in LABELS.items()
    for key in ("routes", "grades", "previous", "purchases")
    if setting == f"{key}_file"
}


def import_files(book: Book, files: dict[str, Path]) -> str:
    """Reads and cleans every chosen file first, then writes: a bad file changes nothing."""
    labels = {"routes": "线路表", "grades": "本季等级表", "previous": "上季等级表", "purchases": "购进表"}
    check_distinct(
        {labels[key]: path for key, path in files.items() if key in labels},
        [(labels["routes"], labels[k]) for k in ("grades", "previous", "purchases")]
        + [(labels["grades"], labels["previous"])],
    )
    tables: dict[str, Table] = {}
    written: dict[str, list[list]] = {}
    for sheet, (key, spec) in INPUTS.items():
        if files.get(key):
            raw = read_sheets(files[key], typed=False)
            tables[sheet] = load_table(raw, spec)
            chosen = next(r for r in raw if r.where == tables[sheet].where)
            written[sheet] = import_rows(chosen, tables[sheet], spec.roles)
    route_book = load_routes(files["routes"]) if files.get("routes") else None
    if not tables and route_book is None:
        raise XlcrmError("没有选择任何文件")

    for sheet, rows in written.items():
        book.write_table(sheet, rows, text_columns=(0,))
    added, kept, clashing = [], [], []
    if route_book is not None:
        present = book.sheet_names()
        routes_here = [n for n in present if n not in names.NOT_ROUTES]
        after = routes_here[-1] if routes_here else names.SETTINGS
        for route_sheet in route_book.sheets:
            name = route_sheet.raw.sheet or route_sheet.route
            if name in names.NOT_ROUTES:  # would replace one of this workbook's own sheets
                clashing.append(name)
            elif name in present and _has_customers(book, name):
                kept.append(name)
            else:
                book.add_sheet_from(files["routes"], name, after=None if name in present else after)
                added.append(name)
                after = name
    _record_files(book, files)

    done = [f"{sheet} {len(table.rows):,} 户" for sheet, table in tables.items()]
    if added:
        done.append(f"线路表 {'、'.join(added)}")
    message = "已导入：" + "，".join(done) + "。"
    if kept:
        message += (
            f"\n线路表 {'、'.join(kept)} 在本工作簿中已有客户，未覆盖（如需重新导入，请先删除这些工作表）。"
        )
    if clashing:
        message += (
            f"\n线路表 {'、'.join(clashing)} 与本工作簿自带的工作表同名，未导入；"
            "请在线路表文件中给它改名（如 一线）后再导入。"
        )
    totals = sum(int((t.issues["kind"] == "total_row").sum()) for t in tables.values())
    if totals:
        message += f"\n已跳过合计行 {totals} 行。"
    problems = (
        sum(len(t.issues) for t in tables.values()) + (len(route_book.issues) if route_book else 0) - totals
    )
    if problems:
        message += f"\n导入时发现数据问题 {problems:,} 条，请点“检查数据”查看。"
    return message


def import_rows(raw: RawSheet, table: Table, roles: tuple[str, ...]) -> list[list]:
    """A header, then every data row under the source's header, role columns only (the
    district's names are not needed): the cleaned value where cleaning
    worked, the original text where it did not (a lost-digit code, 'abc' for a volume, a 合计
    row), so that checking the workbook reports it again, at its cell there."""
    body = raw.cells.loc[table.header.row + 1 :]
    present = [r for r in roles if r in table.header.columns]
    text = pd.DataFrame({r: as_text(body[table.header.columns[r]]) for r in present}, index=body.index)
    clean = table.rows.set_index("excel_row")
    # a 合计 row is not data (its label may sit in a column not imported); the import message counts it
    totals = pd.Series(False, index=body.index)
    for column in body.columns:
        totals |= is_total_label(as_text(body[column])).to_numpy()
    rows = []
    for excel_row, values in text.iterrows():
        if not (values != "").any() or (totals[excel_row] and excel_row not in clean.index):
            continue
        out = []
        for role in present:
            value = clean.at[excel_row, ROLE_COLUMN.get(role, role)] if excel_row in clean.index else None
            out.append(values[role] or None if value is None or pd.isna(value) else _plain(value))
        rows.append(out)
    return [[HEADERS[r] for r in present]] + rows


def _plain(value):
    """numpy scalars to Python ones, whole floats to int (a volume of 12.0 is 12)."""
    value = value.item() if hasattr(value, "item") else value
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _has_customers(book: Book, sheet: str) -> bool:
    try:
        return len(routes_from_sheets([strip_added(book.read(sheet))]).customers) > 0
    except XlcrmError:  # no code column: not a route sheet with customers
        return False


def _record_files(book: Book, files: dict[str, Path]) -> None:
    """The chosen paths, next to their labels on 设置 (for the manager's reference)."""
    if names.SETTINGS not in book.sheet_names():
        return
    cells = book.read(names.SETTINGS).cells
    rows = (
        {str(label): row for row, label in zip(cells.index, cells[0]) if label in LABELS}
        if len(cells.columns)
        else {}
    )
    book.write_values(
        names.SETTINGS,
        {
            f"B{rows[label]}": str(files[key])
            for key, label in FILE_SETTINGS.items()
            if files.get(key) and label in rows
        },
    )
