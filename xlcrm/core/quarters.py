"""Calendar quarters as managers write them: 2026年三季度, 2026年第3季度, 2026Q3, 2026-Q3."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_QUARTER = re.compile(
    r"(20\d\d)\s*年?\s*(?:第\s*)?([一二三四1-4])\s*(?:季度|季|Q)|(20\d\d)\s*[-_ ]?\s*Q([1-4])", re.IGNORECASE
)
_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4}
_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 … 4

    @classmethod
    def find(cls, *texts: str | None) -> Quarter | None:
        """The first quarter named in the texts (file names, titles, options), or None."""
        for text in texts:
            if not text:
                continue
            m = _QUARTER.search(unicodedata.normalize("NFKC", str(text)))
            if m:
                year, number = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
                return cls(int(year), _NUMBERS.get(number) or int(number))
        return None

    @property
    def label(self) -> str:
        """'2026年第三季度', as titles show it."""
        return f"{self.year}年第{_NAMES[self.number]}季度"

    @property
    def code(self) -> str:
        """'2026Q3', as exports and the store write it."""
        return f"{self.year}Q{self.number}"

    @property
    def index(self) -> int:
        """Consecutive integers for consecutive quarters (2026Q4 + 1 = 2027Q1)."""
        return self.year * 4 + self.number - 1

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        return cls(index // 4, index % 4 + 1)

    def shifted(self, quarters: int) -> Quarter:
        return Quarter.from_index(self.index + quarters)
