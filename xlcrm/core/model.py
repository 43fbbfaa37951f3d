"""The inputs as the rules see them: raw sheets of cells, cleaned tables and route books.

Whoever reads a file or a live workbook builds these; everything after works on them alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import issues as issue_list
from .cleaning import as_text
from .columns import Header, column_label

HIDDEN, VERY_HIDDEN = "hidden", "very_hidden"
HIDDEN_LABELS = {HIDDEN: "隐藏", VERY_HIDDEN: "深度隐藏（只能在 VBA 中取消隐藏）"}


@dataclass(frozen=True)
class RawSheet:
    """One sheet's cells as read, uninterpreted, so messages can point at exact cells."""

    file: Path
    sheet: str | None  # None for a CSV
    cells: pd.DataFrame  # object cells, columns 0..n-1, index = Excel row numbers (1-based)
    origin: str | None = None  # where the cells really are, when `sheet` is a part cut from another
    hidden: str = ""  # '' for a visible sheet, else HIDDEN or VERY_HIDDEN

    @property
    def is_blank(self) -> bool:
        """No text at all in the top rows (an empty or unused sheet)."""
        for value in self.cells.head(200).to_numpy(dtype=object).ravel():  # usually ends at the first cell
            if value is None or value is pd.NA or (isinstance(value, float) and value != value):
                continue
            if not isinstance(value, str) or value.strip():
                return False
        return True

    @property
    def where(self) -> str:
        if self.origin:
            return self.origin
        return f"{self.file.name} › {self.sheet}" if self.sheet else self.file.name


@dataclass(frozen=True)
class Table:
    """One cleaned input table: one row per usable data row, plus what did not fit."""

    rows: pd.DataFrame  # customer_code, excel_row, location, <role columns>
    issues: pd.DataFrame
    where: str  # 'file › sheet' for messages (the first sheet, when the table runs over several)
    header: Header
    quarter: str | None = None  # the quarter its file name or title names ('2026年第三季度')

    def column_where(self, role: str) -> str:
        """'等级表.xlsx › Sheet1 › E列(客户等级)' for messages."""
        return f"{self.where} › {column_label(self.header, role)}"


def lines_above(cells: pd.DataFrame, row: int) -> list[str]:
    """The non-blank lines above a sheet's header row, each row's cells joined by a space."""
    above = cells.loc[: row - 1]
    columns = [as_text(above[c]).tolist() for c in above.columns]
    lines = (" ".join(t for t in line if t) for line in zip(*columns))
    return [line for line in lines if line]


@dataclass(frozen=True)
class RouteSheet:
    route: str
    raw: RawSheet  # the manager's sheet as read, to carry their columns over untouched
    header: Header

    def heading(self) -> list[str]:
        """The lines above the header (title, manager, date …), each row's cells joined."""
        return lines_above(self.raw.cells, self.header.row)


@dataclass(frozen=True)
class RouteBook:
    sheets: list[RouteSheet]
    customers: pd.DataFrame  # route, excel_row, customer_code, previous_grade, location
    issues: pd.DataFrame = field(default_factory=issue_list.empty)

    def heading(self) -> list[str]:
        """Every route sheet's lines above its header, in sheet order."""
        return [line for sheet in self.sheets for line in sheet.heading()]


@dataclass(frozen=True)
class QuarterInputs:
    """One manager's quarter as loaded: their routes and the district's tables."""

    routes: RouteBook
    grades: Table
    purchases: Table
    previous: Table | None
