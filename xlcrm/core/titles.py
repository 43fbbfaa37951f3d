"""What a printed page says about itself: the quarter, the manager, the route and its weekday.

Pure text rules; the shells decide where the text comes from (options, file names, the
lines above a route sheet's header).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .quarters import Quarter

# '客户经理：张三', '客户经理: 张三 线路：一线', '经理 张三'
_MANAGER = re.compile(r"(?:客户经理|经理|负责人)\s*[:：]?\s*([\u4e00-\u9fffA-Za-z·]{1,12})")


@dataclass(frozen=True)
class Labels:
    """Shown in titles; either may be unknown (then it is left out, never guessed)."""

    quarter: str | None = None  # '2026年第三季度'
    manager: str | None = None


def quarter_label(*texts: str | None) -> str | None:
    """The first quarter named in the texts, as '2026年第三季度' (see Quarter.find)."""
    quarter = Quarter.find(*texts)
    return quarter.label if quarter else None


def manager_named(lines: Iterable[str]) -> str | None:
    """The manager a route sheet names above its header ('客户经理：张三')."""
    for line in lines:
        m = _MANAGER.search(unicodedata.normalize("NFKC", str(line)))
        if m:
            # '客户经理：张三线路：一线' has no space: stop at the next label
            return re.split(r"线路|访销|日期|电话|区域|片区|市场部|营销部", m.group(1))[0] or None
    return None


def route_title(route: str, batch: str, labels: Labels) -> str:
    """'一线（星期一）客户拜访表　2026年第三季度　客户经理：张三'."""
    return _joined(f"{route}（{batch}）客户拜访表", labels)


def report_title(name: str, labels: Labels) -> str:
    return _joined(name, labels)


PRINT_DATE = "打印日期"
ALL_COLUMNS = "全部"


def print_column_choice(text: str | None) -> tuple[str, ...] | None:
    """Which of the manager's own columns print, as written in an option or on 设置: header
    names separated by commas, 、 or semicolons; empty or 默认: xlcrm's choice. '全部' is
    returned as is (the descriptions print every column then)."""
    if text is None or not str(text).strip() or str(text).strip() == "默认":
        return None
    parts = re.split(r"[,，、;；]", str(text))
    return tuple(p.strip() for p in parts if p.strip())


def footer_label(labels: Labels) -> str:
    """What the foot of every printed page says besides the date and page: '2026年第三季度　张三'."""
    return "　".join(p for p in (labels.quarter, labels.manager) if p)


def _joined(head: str, labels: Labels) -> str:
    parts = [head, labels.quarter, f"客户经理：{labels.manager}" if labels.manager else None]
    return "　".join(p for p in parts if p)


def labels_for(
    *,
    quarter: str | None = None,
    manager: str | None = None,
    names: Iterable[str] = (),
    heading: Iterable[str] = (),
    fallback_manager: str | None = None,
) -> Labels:
    """What the titles say. Values given (an option, the 设置 sheet) win; else the quarter named
    by the file names (in the order given) or the route sheets' lines above their headers, and
    the manager those lines name, else `fallback_manager` (a department run's file name)."""
    heading = list(heading)
    return Labels(
        # a quarter given in any accepted form is written one way ('2026Q3' → '2026年第三季度')
        quarter=quarter_label(quarter) or quarter or quarter_label(*names, *heading),
        manager=manager or manager_named(heading) or fallback_manager,
    )
