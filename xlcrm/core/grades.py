"""Grade schemes: which grades exist, which is better, and the segment (业态) of a grade.

Every scheme answers the same questions, so the engine never asks which scheme it has:
  level(grade)    a number, higher is better, NA outside the scheme; changes compare levels
  segment(grade)  the segment a grade belongs to, or None when the segment comes from
                  the table's 业态 column
  order(grade)    the position for sorting rows, best first
  tier(grade)     the grade within its segment, for distributions ('CS1' → '大（1）')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from .cleaning import tidy_grade
from .errors import XlcrmError

# 2008 code (中烟销网[2008]52号): market type + format + size digit; dict order is table order.
MARKET_TYPES = {"C": "城镇", "X": "乡村"}
FORMATS = {
    "Z": "食杂店",
    "C": "食杂店",
    "B": "便利店",
    "S": "超市",
    "N": "商场",
    "Y": "烟酒商店",
    "F": "娱乐服务类",
    "Q": "其他",
}
SIZES = {"1": "大", "2": "中", "3": "小"}
_CODE2008 = re.compile(f"^([{''.join(MARKET_TYPES)}])([{''.join(FORMATS)}])([{''.join(SIZES)}])$")
# 业态 names (from the 业态 column of 30/15-tier tables) in the order managers list them
FORMAT_ORDER = tuple(dict.fromkeys(FORMATS.values()))
LIST_SEPARATORS = r"[,，、;；]"
AUTO = ("", "自动", "auto")  # detect the scheme from the grade table
CUSTOM = "自定义"  # the scheme is the grade order given

TIERS15 = ("A1", "A2", "A3", "A4", "A5", "A6", "B1", "B2", "B3", "B4", "B5", "B6", "B7", "C1", "C2")


@dataclass(frozen=True)
class GradeScheme:
    name: str  # 'code2008', 'tiers30', 'tiers15', 'custom'
    label: str  # Chinese, for messages and sheets
    _level: Callable[[str], float | None] = field(repr=False)
    _segment: Callable[[str], str | None] = field(repr=False)
    _order: Callable[[str], tuple] = field(repr=False)
    segment_from_grade: bool = False
    _tier: Callable[[str], str] = field(default=lambda g: g, repr=False)
    grades: tuple[str, ...] = ()  # an ordered list's grades, best first

    def level(self, grade: str) -> float | None:
        return self._level(grade) if grade else None

    def segment(self, grade: str) -> str | None:
        return self._segment(grade) if self.segment_from_grade and self.level(grade) is not None else None

    def order(self, grade: str) -> tuple:
        return self._order(grade)

    def tier(self, grade: str) -> str:
        return self._tier(grade) if self.is_valid(grade) else grade

    def is_valid(self, grade: str) -> bool:
        return self.level(grade) is not None

    def levels(self, grades: pd.Series) -> pd.Series:
        """Vectorised level() over tidy grade text (few distinct values, so map uniques)."""
        uniques = {g: self.level(g) for g in pd.unique(grades.dropna())}
        return grades.map(uniques).astype("Float64")

    def segments(self, grades: pd.Series) -> pd.Series:
        uniques = {g: self.segment(g) for g in pd.unique(grades.dropna())}
        return grades.map(uniques).astype(pd.StringDtype("pyarrow"))


def _code2008_level(grade: str) -> float | None:
    m = _CODE2008.match(grade)
    # the manual method compares only the size digit (RIGHT()): a smaller digit is a higher grade
    return 4.0 - int(m.group(3)) if m else None


def _code2008_order(grade: str) -> tuple:
    m = _CODE2008.match(grade)
    if not m:
        return (9, 99, grade)
    market, fmt, size = m.groups()
    return (list(MARKET_TYPES).index(market), list(FORMATS).index(fmt), int(size))


def _tiers30_level(grade: str) -> float | None:
    return float(grade) if grade.isdigit() and 1 <= int(grade) <= 30 else None


def _ordered_list(name: str, label: str, grades: Sequence[str]) -> GradeScheme:
    position = {g: i for i, g in enumerate(grades)}  # best first
    n = len(grades)
    return GradeScheme(
        name=name,
        label=label,
        _level=lambda g: float(n - position[g]) if g in position else None,
        _segment=lambda g: None,
        _order=lambda g: (position.get(g, n), g),
        grades=tuple(grades),
    )


CODE2008 = GradeScheme(
    name="code2008",
    label="2008版分类编码（如 CS1）",
    _level=_code2008_level,
    _segment=lambda g: g[:-1],
    _order=_code2008_order,
    segment_from_grade=True,
    _tier=lambda g: f"{SIZES[g[-1]]}（{g[-1]}）",
)
TIERS30 = GradeScheme(
    name="tiers30",
    label="30档（1–30，数字越大越好）",
    _level=_tiers30_level,
    _segment=lambda g: None,
    _order=lambda g: (-int(g), g) if _tiers30_level(g) is not None else (1, g),
)
TIERS15 = _ordered_list("tiers15", "15档（A1…C2，A1最好）", TIERS15)

SCHEMES = {s.name: s for s in (CODE2008, TIERS30, TIERS15)}


def custom_scheme(grades_best_first: Sequence[str]) -> GradeScheme:
    """A scheme from an ordered list, best first, e.g. ['AAA', 'AA', 'A', 'B']."""
    tidy = [g for g in (tidy_grade(str(g)) for g in grades_best_first) if g]
    if len(tidy) < 2 or len(set(tidy)) != len(tidy):
        raise XlcrmError("自定义等级顺序至少要有两个互不相同的等级，从高到低用逗号分隔，例如 A,B,C")
    return _ordered_list("custom", "自定义（" + ",".join(tidy) + "）", tidy)


def scheme_named(name: str) -> GradeScheme:
    key = name.strip().lower()
    aliases = {
        "2008": "code2008",
        "2008编码": "code2008",
        "2008版编码": "code2008",
        "30": "tiers30",
        "30档": "tiers30",
        "15": "tiers15",
        "15档": "tiers15",
    }
    key = aliases.get(key, key)
    if key not in SCHEMES:
        raise XlcrmError(
            f"不认识的等级方案“{name}”。可选：2008编码（code2008，如 CS1）、"
            "30档（tiers30）、15档（tiers15，A1…C2），或自定义（--grade-order 给出顺序）"
        )
    return SCHEMES[key]


def grade_order(text: str | None) -> list[str]:
    """'金,银，铜' (commas, 、 or semicolons) → ['金', '银', '铜']: a custom order, best first."""
    return [part.strip() for part in re.split(LIST_SEPARATORS, text or "") if part.strip()]


def scheme_choice(name: str | None, order: str | None = None) -> GradeScheme | None:
    """The scheme a person chose: a name (code2008, 30档 …), 自定义 with an order, or nothing
    (自动: None, detected from the grade table). An order alone means 自定义."""
    name = (name or "").strip()
    grades = grade_order(order)
    if name.lower() in AUTO and not grades:
        return None
    if name.lower() in AUTO or name == CUSTOM:
        return custom_scheme(grades)
    if grades:
        raise XlcrmError(
            f"同时给了等级方案“{name}”和自定义等级顺序“{order}”，只能用一个："
            "用自定义顺序时等级方案选“自定义”（命令行不给 --scheme）"
        )
    return scheme_named(name)


def detect_scheme(grades: pd.Series, *, where: str = "等级表") -> GradeScheme:
    """The scheme most of the tidy grades belong to (at least 80 %), else a clear error."""
    values = grades[grades.fillna("") != ""]
    if values.empty:
        raise XlcrmError(
            f"{where}里没有任何等级，无法判断等级方案；请检查等级列或用 --column grade=列名 指定"
        )
    counts = values.value_counts()
    best, best_share = None, 0.0
    for scheme in (CODE2008, TIERS15, TIERS30):
        valid = sum(n for g, n in counts.items() if scheme.is_valid(g))
        share = valid / counts.sum()
        if share > best_share:
            best, best_share = scheme, share
    if best is None or best_share < 0.8:
        sample = "、".join(list(counts.index[:5]))
        raise XlcrmError(
            f"{where}的等级（如 {sample}）不属于任何已知方案，无法自动判断；"
            "请用 --scheme 指定，或用 --grade-order 给出自定义等级顺序（从高到低）"
        )
    return best


def check_scheme_fits(scheme: GradeScheme, grades: pd.Series, *, where: str) -> None:
    """A scheme the person chose must fit the grade table: when most grades fall outside it
    (30档 chosen for CS1, CZ2 …), every customer would lose their grade — say so instead."""
    values = grades[grades.fillna("") != ""]
    if values.empty:
        return
    counts = values.value_counts()
    fitting = sum(n for g, n in counts.items() if scheme.is_valid(g))
    if fitting >= counts.sum() / 2:
        return
    try:
        fits = detect_scheme(values)
    except XlcrmError:
        fits = None
    sample = "、".join(list(counts.index[:3]))
    hint = f"，看起来是“{fits.label}”" if fits is not None and fits.name != scheme.name else ""
    raise XlcrmError(
        f"等级（如 {sample}）大多不属于所选的等级方案“{scheme.label}”{hint}；"
        "请改选等级方案（命令行 --scheme，或“设置”表的“等级方案”），或选“自动”",
        where=where,
    )


def is_code2008_segment(segment: str) -> bool:
    return len(segment) == 2 and segment[0] in MARKET_TYPES and segment[1] in FORMATS


def segment_key(segment: str) -> tuple:
    """Segments in table order: 2008-code segments (CZ, CC, CB …, then rural), then 业态 names
    in the usual order, then any other alphabetically."""
    if is_code2008_segment(segment):
        return (0, list(MARKET_TYPES).index(segment[0]), list(FORMATS).index(segment[1]), segment)
    if segment in FORMAT_ORDER:
        return (1, FORMAT_ORDER.index(segment), 0, segment)
    return (2, 0, 0, segment)


def segment_label(segment: str) -> str:
    """'CS' → 'CS 城镇超市'; other segments are shown as they are."""
    if is_code2008_segment(segment):
        return f"{segment} {MARKET_TYPES[segment[0]]}{FORMATS[segment[1]]}"
    return segment


def scheme_spec(scheme: GradeScheme) -> str:
    """The scheme as text that gives it back (scheme_from_spec): 'code2008', 'custom:金,银,铜'."""
    if scheme.name == "custom":
        return "custom:" + ",".join(scheme.grades)
    return scheme.name


def scheme_from_spec(spec: str) -> GradeScheme:
    name, _, order = spec.partition(":")
    return custom_scheme(order.split(",")) if name == "custom" else scheme_named(name)
