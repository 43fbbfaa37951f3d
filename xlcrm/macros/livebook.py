"""The workbook open in Excel behind the Book interface, through xlwings. Only runs inside
Excel (Windows or macOS), so it stays a thin shell: the rendering it copies in was made and
tested headless; Excel's own Sheet.Copy / Range.Copy carry every format, rule and chart."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import xlwings as xw

from ..core.addresses import rows_of
from ..core.model import HIDDEN, VERY_HIDDEN, RawSheet
from ..report.exports import FORMULA_STARTS
from .book import Rendering
from .names import XLWINGS_CONF

TITLE = "客户管理"
STAGING = "~xlcrm "  # new sheets wait under this prefix until everything has been copied
FILE_FILTER = "表格文件 (*.xlsx;*.xlsm;*.xls;*.ods;*.csv;*.txt),*.xlsx;*.xlsm;*.xls;*.ods;*.csv;*.txt"
CHOICES = (
    ("routes", "选择 零售客户拜访线路表（可取消）"),
    ("grades", "选择 本季度客户等级表"),
    ("previous", "选择 上季度客户等级表（可取消）"),
    ("purchases", "选择 客户购进量与购进额表"),
)


class LiveBook:
    def __init__(self, book: xw.Book):
        self._book = book
        self.name = book.name

    @classmethod
    def caller(cls) -> LiveBook:
        return cls(xw.Book.caller())

    def sheet_names(self) -> list[str]:
        return [s.name for s in self._book.sheets]

    def read(self, sheet: str) -> RawSheet:
        sht = self._book.sheets[sheet]
        last = sht.used_range.last_cell
        values = sht.range((1, 1), (last.row, last.column)).options(ndim=2).value
        frame = pd.DataFrame(values, index=range(1, len(values) + 1), dtype=object)
        frame.columns = range(frame.shape[1])
        # a hidden route is still a route: read, and said
        return RawSheet(
            Path(self.name), sheet, frame.where(frame.notna(), ""), hidden=hidden_state(sht.visible)
        )

    def write_table(self, sheet: str, rows: list[list], text_columns: tuple[int, ...] = ()) -> None:
        sht = self._sheet(sheet)
        sht.clear()
        # text format before the values: Excel would turn "330781100123" into 3.3E+11,
        # and run "=…" as a formula
        width = max(len(r) for r in rows)
        texts = set(text_columns) | {
            c
            for c in range(width)
            if all(isinstance(r[c], str) for r in rows[1:] if c < len(r) and r[c] is not None)
        }
        for col in texts:
            sht.range((1, col + 1), (max(len(rows), 1), col + 1)).number_format = "@"
        for r, row in enumerate(rows, start=1):  # a formula-looking text in a number column (rare)
            for c, value in enumerate(row):
                if c not in texts and isinstance(value, str) and value.startswith(FORMULA_STARTS):
                    sht.range((r, c + 1)).number_format = "@"
        sht.range("A1").value = rows
        sht.range((1, 1), (1, len(rows[0]))).font.bold = True
        sht.autofit("c")

    def write_values(self, sheet: str, cells: dict[str, object]) -> None:
        sht = self._book.sheets[sheet]
        for address, value in cells.items():
            if isinstance(value, str):
                sht.range(address).number_format = "@"
            sht.range(address).value = value

    def add_sheet_from(self, path: Path, sheet: str, after: str | None = None) -> None:
        app = self._book.app
        source = app.books.open(str(path), update_links=False, read_only=True)
        try:
            present = self.sheet_names()
            if sheet in present:  # in its place: copy before the old one, then drop the old one
                old = self._book.sheets[sheet]
                old.name = f"{sheet[:25]}_old"
                source.sheets[sheet].copy(before=old, name=sheet)
                old.delete()
            elif after in present:
                source.sheets[sheet].copy(after=self._book.sheets[after], name=sheet)
            else:
                self._copy_in(source.sheets[sheet], sheet)
        finally:
            source.close()

    def apply(self, rendering: Rendering) -> None:
        """All or nothing: new sheets come in under temporary names and the old route columns
        are kept aside in the scratch workbook; only when every copy has worked are the old
        sheets dropped — on any failure the staged sheets go and the kept columns come back."""
        app = self._book.app
        app.screen_updating = False
        source = app.books.open(str(rendering.path))
        staged, kept = [], []
        try:
            for name in rendering.sheets:
                self._copy_in(source.sheets[name], STAGING + name[:25])
                staged.append(STAGING + name[:25])
            for index, addition in enumerate(rendering.additions):
                target, rendered = self._book.sheets[addition.sheet], source.sheets[addition.sheet]
                first_row, first_col, last_row, last_col = addition.bounds()
                bottom = max(last_row, target.used_range.last_cell.row)
                old = target.range((first_row, first_col), (bottom, last_col))
                keep = source.sheets.add(f"kept{index}")
                old.copy(keep.range((first_row, first_col)))
                kept.append((old, keep))
                old.clear()
                rendered.range((first_row, first_col), (last_row, last_col)).copy(
                    target.range((first_row, first_col))
                )
                for col in range(first_col, last_col + 1):  # Range.Copy leaves column widths behind
                    target.range((1, col)).column_width = rendered.range((1, col)).column_width
        except Exception:
            for name in staged:
                self._book.sheets[name].delete()
            for old, keep in kept:
                old.clear()
                keep.range(old.address).copy(old)
            source.close()
            app.screen_updating = True
            raise
        for name, temporary in zip(rendering.sheets, staged):  # the point of no return: renames only
            if name in self.sheet_names():
                self._book.sheets[name].delete()
            self._book.sheets[temporary].name = name
        source.close()
        app.screen_updating = True

    def save(self) -> None:
        """The manager saves (or not) in Excel, as with any other change."""

    def alert(self, text: str) -> None:
        self._book.app.alert(text, title=TITLE)

    def choose_files(self) -> dict[str, Path] | None:
        chosen = {}
        for key, title in CHOICES:
            path = _open_dialog(self._book.app, title)
            if path:
                chosen[key] = Path(path)
        return chosen or None

    def preview(self, rendered: Path) -> Path | None:
        """Excel's own print preview of the rendered pages, in a workbook of their own (the
        manager's sheets are not touched; masking was done in the rendering)."""
        shown = self._book.app.books.open(str(rendered))
        try:
            if sys.platform == "win32":
                shown.api.PrintPreview()
            else:  # Excel for Mac has no preview call: its print dialog shows one
                shown.api.print_out()
        finally:
            shown.close()

    def folder(self) -> Path | None:
        full = Path(self._book.fullname)
        return full.parent if full.is_absolute() else None  # a new, unsaved workbook has no folder

    def selection(self) -> tuple[str, list[int]]:
        selected = self._book.app.selection
        return selected.sheet.name, rows_of(selected.address)

    def activate(self, sheet: str) -> None:
        self._book.sheets[sheet].activate()

    def _sheet(self, name: str):
        if name in self.sheet_names():
            return self._book.sheets[name]
        anchor = self._anchor()
        return (
            self._book.sheets.add(name, before=anchor)
            if anchor
            else self._book.sheets.add(name, after=self._book.sheets[-1])
        )

    def _copy_in(self, sheet, name: str) -> None:
        """Excel's own Sheet.Copy (formats, rules, charts, print setup), before xlwings.conf."""
        anchor = self._anchor()
        if anchor:
            sheet.copy(before=anchor, name=name)
        else:
            sheet.copy(after=self._book.sheets[-1], name=name)

    def _anchor(self):
        """xlwings.conf stays the last sheet."""
        return self._book.sheets[XLWINGS_CONF] if XLWINGS_CONF in self.sheet_names() else None


def hidden_state(visible) -> str:
    """Sheet.visible as xlwings gives it: Excel's XlSheetVisibility on Windows (-1 visible,
    0 hidden, 2 very hidden), a bool on macOS."""
    if visible is True or visible == -1:
        return ""
    return VERY_HIDDEN if visible == 2 else HIDDEN


def _open_dialog(app: xw.App, title: str) -> str | None:
    if sys.platform == "win32":
        chosen = app.api.GetOpenFilename(FILE_FILTER, 1, title)
        return chosen if chosen else None
    script = f'POSIX path of (choose file with prompt "{title}")'
    done = subprocess.run(["osascript", "-e", script], capture_output=True, text=True)
    return done.stdout.strip() or None
