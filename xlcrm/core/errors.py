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

    def __reduce__(self):  # whole across processes (a pool's worker, the batch's reader)
        return (_remade, (self.message, self.where))


def _remade(message: str, where: str | None) -> XlcrmError:
    return XlcrmError(message, where=where)
