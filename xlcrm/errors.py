"""The one error type a person sees: a Chinese message that says what is wrong and where."""

from __future__ import annotations


class XlcrmError(Exception):
    """A problem the user can fix (a file, a sheet, a column, a setting).

    The message is complete and in Chinese; the command line prints it as one line,
    the ribbon shows it in a message box.
    """

    def __init__(self, message: str, *, where: str | None = None):
        self.message = message
        self.where = where
        super().__init__(f"{where}：{message}" if where else message)


def cell_ref(column_index: int, excel_row: int | None = None) -> str:
    """0-based column index (and 1-based row) → Excel reference such as 'B' or 'B12'."""
    letters = ""
    n = column_index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters if excel_row is None else f"{letters}{excel_row}"
