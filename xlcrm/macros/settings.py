"""The 设置 sheet, read into the engine's settings (pure: cells in, values out)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..core.cleaning import as_text
from ..core.errors import XlcrmError
from ..core.grades import scheme_choice
from ..core.quarter import ReviewSettings
from ..core.titles import Labels, print_column_choice
from ..core.weekdays import parse_batch_mapping

LABELS = {
    "季度": "quarter",
    "客户经理": "manager",
    "等级方案": "scheme",
    "自定义等级顺序": "grade_order",
    "打印时隐藏电话和身份证号": "mask_print",
    "客户档案库": "store_file",
    "打印的列": "print_columns",
    "线路表文件": "routes_file",
    "本季等级表文件": "grades_file",
    "上季等级表文件": "previous_file",
    "购进表文件": "purchases_file",
}
DEFAULT_STORE = "客户档案库.db"
NO_STORE = ("不记录", "否", "no", "No", "NO")
FILE_KEYS = ("routes_file", "grades_file", "previous_file", "purchases_file")


@dataclass(frozen=True)
class WorkbookSettings:
    settings: ReviewSettings
    labels: Labels
    values: dict[str, str] = field(default_factory=dict)  # every labelled value, by key

    @property
    def store(self) -> str | None:
        """The customer store's file name (beside the workbook) or URL; None when switched off."""
        value = self.values.get("store_file", DEFAULT_STORE).strip() or DEFAULT_STORE
        return None if value in NO_STORE else value

    @property
    def mask_print(self) -> bool:
        """On unless the manager chose 否: printed route sheets leave the office."""
        return self.values.get("mask_print", "是") not in ("否", "no", "No", "NO", "0")

    @property
    def print_columns(self) -> tuple[str, ...] | None:
        """The manager's own columns to print, by header ('客户代码,客户名称,电话'); None: the default."""
        return print_column_choice(self.values.get("print_columns"))


def read_settings(cells: pd.DataFrame, where: str = "设置") -> WorkbookSettings:
    """Label in column A, value in column B; the route → weekday table under a 线路 | 访销日 header."""
    if cells.empty:
        return WorkbookSettings(ReviewSettings(), Labels())
    text = pd.DataFrame({c: as_text(cells[c]) for c in cells.columns[:2]}, index=cells.index)
    if text.shape[1] < 2:
        text[1] = ""
    values = {LABELS[label]: value for label, value in zip(text[0], text[1]) if label in LABELS}
    mapping = [f"{route}={weekday}" for route, weekday in _batch_rows(text)]
    try:
        batches = parse_batch_mapping(mapping)
        scheme = scheme_choice(values.get("scheme"), values.get("grade_order"))
    except XlcrmError as exc:
        raise XlcrmError(f"“{where}”表填写有误：{exc}") from None
    labels = Labels(quarter=values.get("quarter") or None, manager=values.get("manager") or None)
    return WorkbookSettings(ReviewSettings(scheme=scheme, batches=batches), labels, values)


def _batch_rows(text: pd.DataFrame) -> list[tuple[str, str]]:
    header = text.index[(text[0] == "线路") & (text[1] == "访销日")]
    if header.empty:
        return []
    rows = []
    for route, weekday in zip(text.loc[header[0] + 1 :, 0], text.loc[header[0] + 1 :, 1]):
        if route and weekday:
            rows.append((route, weekday))
    return rows
