"""What an output sheet is made of, whatever writes it: blocks of columns and rows, with
charts, and the layout fields a writer needs (no free-text kinds to switch on)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd


def cell_rows(columns: dict) -> pd.DataFrame:
    """A block's rows from columns of cell values, kept as they are (object columns): pandas
    would otherwise turn each text column into Arrow strings, only for every writer to turn
    them back into Python strings, cell by cell."""
    return pd.DataFrame(columns, dtype=object)


@dataclass(frozen=True)
class Check:
    """What a column's cells accept (Excel data validation), down to the sheet's last row on an
    Excel table, so rows a person adds are checked too: one of `choices` (a dropdown), or a day
    within `days`."""

    tip: str  # shown when a cell of the column is selected
    error: str  # shown when something else is typed
    choices: tuple[str, ...] = ()
    days: tuple[dt.date, dt.date] | None = None


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    # text | code | grade | count | volume | amount | volume_gap | amount_gap | date
    # | share (of a total)
    kind: str = "text"
    total: bool = False  # a column of totals, set apart
    # a date column whose dates before today show red: a native conditional format against
    # TODAY(), so the sheet stays right on whatever day it is opened or printed
    overdue: bool = False
    # (column key, value): a row whose cell in that column holds the value is settled, its date no
    # longer overdue (a follow-up marked 已完成 是); the rule reads the cell, so it follows edits
    settled_by: tuple[str, str] | None = None
    check: Check | None = None  # what a cell accepts (a dropdown, a date range)


@dataclass(frozen=True)
class Chart:
    """A native chart over a block: one category column, one series per value column."""

    title: str
    categories: str  # column key
    series: list[str]  # column keys
    stacked: bool = False


@dataclass(frozen=True)
class Block:
    """One table on a sheet: a header row (and an optional group row above it), then rows."""

    columns: list[Column]
    rows: pd.DataFrame  # one column per Column.key, in order
    caption: str = ""  # a line above the block, on sheets with several blocks
    groups: list[tuple[str, int]] = field(default_factory=list)  # (label, span) over the header
    group_by: str | None = None  # shown once per run of equal values, a line between runs; a run
    # is kept on one page when printed (a page never starts with rows whose name is on the one before)
    total_row: bool = False  # the last row sums the others
    subtotals: tuple[int, ...] = ()  # rows (0-based) that sum the rows of their group, set apart
    page_per: str | None = None  # a new printed page for each value of this column (one per manager)
    chart: Chart | None = None


@dataclass(frozen=True)
class Sheet:
    name: str  # worksheet name (≤ 31 characters)
    title: str
    blocks: list[Block]
    filters: bool = False  # an autofilter on the (single) block
    freeze_columns: int = 0  # columns kept in view when scrolling right (besides the header rows)
    mute_zeros: bool = False  # zero counts greyed, so the few changes stand out
    one_page: bool = False  # printed on one page (a cover); else one page wide, rows running on
    highlight_changes: bool = False  # changed grades bold italic, ↑/↓/新/无等级 marks coloured (route sheets)
    note: str = ""  # one line under the title, printed above the header on every page (a legend)
    footer: str = ""  # the quarter (and manager) at the foot of every printed page
    printed: tuple[str, ...] | None = None  # column keys that print; the others are folded away
    # printed columns left off the print, in this order, while the page would otherwise print
    # below a readable size (report.pages.READABLE_SCALE); they stay in the workbook, folded
    fold_first: tuple[str, ...] = ()
    write_in: str | None = None  # a blank column for handwriting, widened to fill the printed page
    row_height: float | None = None  # points per data row on paper-bound sheets (room for a note)
    # the (single) block as an Excel table (ListObject) of this name: filterable, and it grows
    # with the rows a person types under it (its checks and conditional formats reach the last row)
    excel_table: str | None = None

    @property
    def table(self) -> Block:
        return self.blocks[0]

    @property
    def first_data_row(self) -> int:
        """Excel row (1-based) of a single-block sheet's first data row: under the title, the
        note (if any) and the header (two rows with groups)."""
        return 1 + (1 if self.note else 0) + (2 if self.table.groups else 1) + 1


@dataclass(frozen=True)
class RouteAddition:
    """The added columns written in place on a manager's own route sheet (the template's way):
    next to their columns, header on their header row, each value on its customer's row."""

    sheet: str  # the route sheet's name
    header_row: int  # Excel row (1-based) of the manager's header
    first_col: int  # 0-based column where the added columns start
    rows: list[int]  # Excel row of each row of `block`
    block: Block  # the added route columns

    def bounds(self) -> tuple[int, int, int, int]:
        """(first row, first column, last row, last column), 1-based, header row included."""
        last_row = max([self.header_row, *self.rows])
        first_col = self.first_col + 1
        return self.header_row, first_col, last_row, first_col + len(self.block.columns) - 1
