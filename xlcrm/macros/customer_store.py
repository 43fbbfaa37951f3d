"""The customer store from the ribbon: 生成本季报表 records the quarter into the store beside
the workbook (设置 › 客户档案库), and 客户资料卡 makes cards for the selected customers."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import XlcrmError
from ..core.history import CustomerHistory
from ..core.model import QuarterInputs
from ..core.quarter import QuarterResult
from ..core.quarters import Quarter
from ..core.titles import Labels
from ..store.builds import build_cards, previous_grades, record_build
from ..store.database import is_url, open_store
from .book import Book
from .settings import WorkbookSettings


def store_target(book: Book, settings: WorkbookSettings) -> str | None:
    """The store this workbook records into: the 设置 value, a file beside the workbook."""
    value = settings.store
    if value is None or is_url(value):
        return value
    folder = book.folder()
    if folder is None:
        raise XlcrmError(
            "本工作簿还没有保存过，不知道把客户档案库放在哪里：请先保存工作簿，"
            "或在“设置”的客户档案库中填“不记录”"
        )
    return str(folder / value)


def with_stored_previous(target: str, quarter: Quarter | None, inputs: QuarterInputs) -> QuarterInputs:
    """Without a 上季等级 sheet, last quarter's grades from the store when it has them."""
    if inputs.previous is not None or quarter is None:
        return inputs
    with open_store(target) as store:
        previous = previous_grades(store, quarter)
    return (
        inputs
        if previous is None
        else QuarterInputs(inputs.routes, inputs.grades, inputs.purchases, previous)
    )


def record_report(
    target: str,
    quarter: Quarter,
    result: QuarterResult,
    labels: Labels,
    settings: WorkbookSettings,
    book_name: str,
) -> CustomerHistory:
    grades = Path(settings.values.get("grades_file") or f"{book_name} › 本季等级")
    purchases = Path(settings.values.get("purchases_file") or f"{book_name} › 购进")
    with open_store(target) as store:
        return record_build(store, quarter, result, labels.manager, grades, purchases, Path(book_name))


def cards_for(target: str, labels: Labels, codes: list[str] | None, only: str = "all"):
    """The cards of this manager's latest recorded build: of `codes`, or everyone (`only`)."""
    with open_store(target, create=False) as store:
        return build_cards(store, manager=labels.manager or "", codes=codes, only=only)
