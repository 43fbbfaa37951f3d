"""Visit batches (访销批次): which weekday a route is visited on.

By default from the route's number: routes 1 and 6 on 星期一, 2 and 7 on 星期二, … 5 and
10 on 星期五, and so on (1 + 5k share a weekday). A mapping given by the user wins.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from .errors import XlcrmError

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
VISIT_WEEKDAYS = WEEKDAYS[:5]
UNKNOWN_BATCH = "未分批次"

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_WEEKDAY_ALIASES = {
    **{w: w for w in WEEKDAYS},
    **{w.replace("星期", "周"): w for w in WEEKDAYS},
    **{w.replace("星期", "礼拜"): w for w in WEEKDAYS},
    "星期天": "星期日",
    "周天": "星期日",
    "礼拜天": "星期日",
    **{f"星期{i}": w for i, w in enumerate(WEEKDAYS, start=1)},
    **{f"周{i}": w for i, w in enumerate(WEEKDAYS, start=1)},
    **{str(i): w for i, w in enumerate(WEEKDAYS, start=1)},
    "MONDAY": "星期一",
    "TUESDAY": "星期二",
    "WEDNESDAY": "星期三",
    "THURSDAY": "星期四",
    "FRIDAY": "星期五",
    "SATURDAY": "星期六",
    "SUNDAY": "星期日",
    "MON": "星期一",
    "TUE": "星期二",
    "WED": "星期三",
    "THU": "星期四",
    "FRI": "星期五",
    "SAT": "星期六",
    "SUN": "星期日",
}


def chinese_number(text: str) -> int | None:
    """'三' → 3, '十' → 10, '十一' → 11, '二十三' → 23, '12' → 12; None if not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _DIGITS and ch not in "十百" for ch in text):
        return None
    if "百" in text:
        head, _, rest = text.partition("百")
        hundreds = _DIGITS.get(head, 1) if head else 1
        tail = chinese_number(rest.lstrip("零〇")) if rest else 0
        return None if tail is None else hundreds * 100 + tail
    if "十" in text:
        head, _, tail = text.partition("十")
        tens = _DIGITS[head] if head else 1
        return tens * 10 + (_DIGITS[tail] if tail else 0) if len(tail) <= 1 else None
    return _DIGITS[text] if len(text) == 1 else None


# a weekday written into a route's name: 一线（周一）, 四线-周四, 周三线, 星期五线路
_WEEKDAY_IN_NAME = re.compile(r"(?:星期|礼拜|周)[一二三四五六日天1-7]")
_LEFT_OVER = "()[]【】<>《》-—_·、,;:/|"


def weekday_in_name(route: str) -> str | None:
    """The weekday a route's name states, if it states one."""
    m = _WEEKDAY_IN_NAME.search(unicodedata.normalize("NFKC", str(route)).replace(" ", ""))
    return weekday_name(m.group(0)) if m else None


def route_number(route: str) -> int | None:
    """The number in a route's name: 一线, 十一线, 11线, 第3线, 线路3, 3号线, 三线路, 一线（周一）…"""
    name = unicodedata.normalize("NFKC", str(route)).strip().replace(" ", "")
    name = _WEEKDAY_IN_NAME.sub("", name).replace("()", "").replace("[]", "").strip(_LEFT_OVER)
    m = re.fullmatch(r"第?([0-9一二两三四五六七八九十百零〇]+)号?线(?:路)?", name) or re.fullmatch(
        r"(?:访销)?线路?([0-9一二两三四五六七八九十百零〇]+)号?", name
    )
    return chinese_number(m.group(1)) if m else None


def weekday_name(text: str) -> str | None:
    key = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "").upper()
    return _WEEKDAY_ALIASES.get(key)


def parse_batch_mapping(items: list[str]) -> dict[str, str]:
    """Command-line pairs such as '一线=星期一' or '一线,六线=周一' → {route: weekday}."""
    mapping: dict[str, str] = {}
    for item in items:
        routes, sep, day = item.partition("=")
        weekday = weekday_name(day) if sep else None
        if weekday is None:
            raise XlcrmError(
                f"访销批次设置“{item}”看不懂：应写成 线路=星期几，例如 一线=星期一 或 一线,六线=周一"
            )
        for route in re.split(r"[,，、;；]", routes):
            if route.strip():
                mapping[route.strip()] = weekday
    return mapping


def batch_of(route: str, mapping: Mapping[str, str] | None = None) -> str | None:
    """The weekday a route is visited on, or None when neither the mapping nor its name says."""
    if mapping and str(route).strip() in mapping:
        return mapping[str(route).strip()]
    stated = weekday_in_name(route)  # the manager wrote it: it wins over the number
    if stated:
        return stated
    n = route_number(route)
    return VISIT_WEEKDAYS[(n - 1) % 5] if n and n > 0 else None


def route_sort_key(route: str) -> tuple:
    n = route_number(route)
    return (0, n, route) if n is not None else (1, 0, route)
