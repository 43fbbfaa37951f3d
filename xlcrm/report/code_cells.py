"""Cells looked up by customer code: what the value classes, the store and the visit log add
to each route row, made once per workbook and taken for all route rows at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class CodeCells:
    """Per column, the cell of each code in `codes` (the first row of a code kept), and the cell
    of a row whose code is not there (a blank, C, 无订货)."""

    codes: pd.Index
    cells: dict[str, np.ndarray]
    otherwise: dict[str, object]

    @classmethod
    def first_of(cls, codes: pd.Series, cells: dict[str, np.ndarray], otherwise: dict[str, object]):
        """`cells` aligned with `codes`; a code written twice keeps its first row's cells."""
        index = pd.Index(codes)
        if not index.is_unique:
            kept = ~index.duplicated()
            index, cells = index[kept], {key: column[kept] for key, column in cells.items()}
        return cls(index, cells, otherwise)

    def of(self, codes: pd.Series) -> dict[str, np.ndarray]:
        """The columns' cells for rows with these codes."""
        at = self.codes.get_indexer(codes)
        found = at >= 0
        columns = {}
        for key, cells in self.cells.items():
            column = np.full(len(at), self.otherwise[key], dtype=object)
            column[found] = cells[at[found]]
            columns[key] = column
        return columns
