"""A workbook on disk behind the Book interface (openpyxl): the macros run headless on it, in
tests and from the command line. Changes are saved in one atomic write, or not at all. A sheet
replaced keeps its code name, which pairs it with its VBA document module (Sheet3 for 一线)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from ..core.addresses import rows_of
from ..core.errors import XlcrmError
from ..core.model import HIDDEN, VERY_HIDDEN, RawSheet
from ..io.atomic import atomic_output
from ..io.pdf import workbook_to_pdf
from ..io.read import read_sheets
from .book import Rendering
from .names import XLWINGS_CONF
from .transplant import clear_region, copy_region, copy_sheet

MACRO_SUFFIXES = {".xlsm", ".xltm", ".xlam"}
SHEET_STATES = {"hidden": HIDDEN, "veryHidden": VERY_HIDDEN}  # openpyxl's sheet_state


class FileBook:
    def __init__(
        self,
        path: Path,
        *,
        files: dict[str, Path] | None = None,
        pdf: Path | None = None,
        selected: tuple[str, list[int]] | None = None,
    ):
        self.path = Path(path)
        self.pdf = pdf  # where print preview writes its PDF
        self.name = self.path.name
        self.messages: list[str] = []  # what a message box would have said
        self.previews: list[Path] = []  # PDFs standing in for print preview
        self._files = files  # the import "dialog"'s answer
        self._selected = selected  # what a manager would have selected before clicking
        self._load()

    def _load(self) -> None:
        try:
            self._wb = openpyxl.load_workbook(self.path, keep_vba=self.path.suffix.lower() in MACRO_SUFFIXES)
        except FileNotFoundError:
            raise XlcrmError(f"找不到工作簿 {self.path}") from None
        except Exception as exc:  # openpyxl's errors for a file it cannot read
            raise XlcrmError(f"无法打开工作簿 {self.path.name}（{exc}）") from None

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheetnames)

    def read(self, sheet: str) -> RawSheet:
        ws = self._wb[sheet]
        rows = [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]
        frame = pd.DataFrame(rows, index=range(1, len(rows) + 1), dtype=object)
        frame.columns = range(frame.shape[1])
        return RawSheet(Path(self.name), sheet, frame, hidden=SHEET_STATES.get(ws.sheet_state, ""))

    def write_table(self, sheet: str, rows: list[list], text_columns: tuple[int, ...] = ()) -> None:
        ws = self._sheet(sheet)
        ws.delete_rows(1, ws.max_row)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values, start=1):
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # openpyxl would take '=…' for a formula
                if c - 1 in text_columns:
                    cell.number_format = "@"
                if r == 1:
                    cell.font = openpyxl.styles.Font(bold=True)

    def write_values(self, sheet: str, cells: dict[str, object]) -> None:
        ws = self._sheet(sheet)
        for address, value in cells.items():
            ws[address] = value
            if isinstance(value, str):
                ws[address].data_type = "s"

    def add_sheet_from(self, path: Path, sheet: str, after: str | None = None) -> None:
        names = self._wb.sheetnames
        code_name = None
        if sheet in names:
            at = names.index(sheet)
            code_name = self._wb[sheet].sheet_properties.codeName
            del self._wb[sheet]
        else:
            at = names.index(after) + 1 if after in names else None
        target = self._wb.create_sheet(sheet, at) if at is not None else self._new_sheet(sheet)
        target.sheet_properties.codeName = code_name
        if Path(path).suffix.lower() in {".xlsx", ".xlsm"}:
            copy_sheet(openpyxl.load_workbook(path)[sheet], target)
            return
        raw = next(s for s in read_sheets(path) if (s.sheet or Path(path).stem) == sheet)
        for (r, c), value in raw.cells.stack().items():
            if value != "":
                cell = target.cell(row=r, column=c + 1, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"

    def apply(self, rendering: Rendering) -> None:
        try:
            rendered = openpyxl.load_workbook(rendering.path)
            for addition in rendering.additions:
                ws = self._wb[addition.sheet]
                first_row, first_col, last_row, last_col = addition.bounds()
                clear_region(ws, (first_row, first_col, max(last_row, ws.max_row), last_col))
                copy_region(rendered[addition.sheet], ws, addition.bounds())
            for name in rendering.sheets:
                code_name = None
                if name in self._wb.sheetnames:
                    code_name = self._wb[name].sheet_properties.codeName
                    del self._wb[name]
                target = self._new_sheet(name)
                copy_sheet(rendered[name], target)
                target.sheet_properties.codeName = code_name
        except Exception:
            self._load()  # nothing half done stays in memory either
            raise

    def save(self) -> None:
        with atomic_output(self.path) as tmp:
            self._wb.save(tmp)

    def alert(self, text: str) -> None:
        self.messages.append(text)

    def choose_files(self) -> dict[str, Path] | None:
        return self._files

    def preview(self, rendered: Path) -> Path | None:
        """Print preview without Excel: a PDF of the rendered pages beside the workbook (or at
        `pdf`, when given)."""
        pdf = (self.pdf or self.path.with_name(f"{self.path.stem}-拜访表.pdf")).resolve()
        self.previews.append(workbook_to_pdf(rendered, pdf))
        return pdf

    def folder(self) -> Path | None:
        return self.path.resolve().parent

    def selection(self) -> tuple[str, list[int]]:
        if self._selected is not None:
            return self._selected
        ws = self._wb.active
        ranges = " ".join(str(s.sqref) for s in ws.sheet_view.selection if s.sqref)
        return ws.title, rows_of(ranges)

    def activate(self, sheet: str) -> None:
        self._wb.active = self._wb.sheetnames.index(sheet)

    def _sheet(self, name: str):
        return self._wb[name] if name in self._wb.sheetnames else self._new_sheet(name)

    def _new_sheet(self, name: str):
        """New sheets go before xlwings.conf, which stays last."""
        names = self._wb.sheetnames
        return self._wb.create_sheet(name, names.index(XLWINGS_CONF) if XLWINGS_CONF in names else None)
