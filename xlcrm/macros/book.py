"""What the macros need from a workbook, whether it is open in Excel (LiveBook, xlwings) or a
file on disk (FileBook, openpyxl: tests and headless runs). Macros only speak to this."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..core.model import RawSheet
from ..report.model import RouteAddition


@dataclass(frozen=True)
class Rendering:
    """Output rendered by XlsxWriter into a scratch workbook, ready to be copied over: whole
    sheets (replacing any of the same name) and the added columns of each route sheet (at
    the very cells they take there, replacing last run's)."""

    path: Path
    sheets: list[str]
    additions: list[RouteAddition]


class Book(Protocol):
    name: str  # file name, for messages ('客户管理.xlsm')

    def sheet_names(self) -> list[str]: ...

    def read(self, sheet: str) -> RawSheet:
        """Every cell of a sheet as values, rows indexed by Excel row number."""

    def write_table(self, sheet: str, rows: list[list], text_columns: tuple[int, ...] = ()) -> None:
        """Replace an input sheet's cells with rows (header first); text_columns stay text
        (customer codes must not turn into 3.3E+11)."""

    def write_values(self, sheet: str, cells: dict[str, object]) -> None:
        """A few single cells, by address ('B3')."""

    def add_sheet_from(self, path: Path, sheet: str, after: str | None = None) -> None:
        """Copy a sheet of another workbook in (the manager's route sheets on import),
        replacing one of that name in place, else after the sheet `after`."""

    def apply(self, rendering: Rendering) -> None:
        """Copy a rendering in: all of it, or, on failure, nothing."""

    def save(self) -> None:
        """Keep the changes (a file is written atomically; in Excel the manager saves)."""

    def alert(self, text: str) -> None: ...

    def choose_files(self) -> dict[str, Path] | None:
        """Ask for the export files to import (keys: routes, grades, previous, purchases)."""

    def preview(self, rendered: Path) -> Path | None:
        """Show a rendered workbook (the pages to print) in print preview; a book on disk
        prints it to a PDF instead and returns where."""

    def activate(self, sheet: str) -> None: ...

    def folder(self) -> Path | None:
        """The folder the workbook is saved in (None before it is saved)."""

    def selection(self) -> tuple[str, list[int]]:
        """The active sheet's name and the Excel rows of its selected cells."""
