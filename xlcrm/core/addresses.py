"""Excel cell addresses: column letters and positions, the one way every module spells them."""

from __future__ import annotations

import re


def column_letter(index: int) -> str:
    """0-based column index → its letters: 0 → 'A', 25 → 'Z', 26 → 'AA'."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(text: str) -> int | None:
    """'B' → 1, 'AA' → 26; None if the text is not a column letter."""
    text = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{1,3}", text):
        return None
    n = 0
    for ch in text:
        n = n * 26 + ord(ch) - 64
    return n - 1


def cell_ref(column: int, excel_row: int | None = None) -> str:
    """0-based column (and 1-based row) → 'B' or 'B12'."""
    return column_letter(column) if excel_row is None else f"{column_letter(column)}{excel_row}"


def rows_of(address: str) -> list[int]:
    """Excel rows covered by a selection's address: '$A$5:$C$7,$B$12' → [5, 6, 7, 12];
    whole columns ('A:C') cover nothing here (no row is named)."""
    rows: set[int] = set()
    for area in re.split(r"[,\s]+", address.replace("$", "").strip()):
        numbers = [int(n) for n in re.findall(r"[A-Za-z]*(\d+)", area)]
        if numbers:
            rows.update(range(min(numbers), max(numbers) + 1))
    return sorted(rows)
