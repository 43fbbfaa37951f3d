"""Printed route sheets leave the office: phone and ID numbers are shown with their middle
digits hidden (138****5678), wherever they appear in the manager's own columns."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .cleaning import STRING

_DIGITS = re.compile(r"\d{7}")
# an 11-digit mobile number, or a 7–8 digit landline after an area code; never part of a longer number
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}[-－ ]?)(\d{3,4})\d{1,2}(\d{2})(?!\d)")
# an 18-digit resident ID (last digit may be X), or an old 15-digit one
_ID = re.compile(r"(?<![\dXx])(\d{6})\d{8}(\d{3}[\dXx])(?![\dXx])|(?<!\d)(\d{6})\d{6}(\d{3})(?!\d)")


def mask_text(text: str) -> str:
    """'电话 13812345678' → '电话 138****5678'; IDs keep their first 6 and last 4 characters."""
    text = _ID.sub(lambda m: (m[1] or m[3]) + "*" * (8 if m[1] else 6) + (m[2] or m[4]), text)
    text = _MOBILE.sub(r"\1****\2", text)
    return _LANDLINE.sub(lambda m: m[1] + m[2][:2] + "*" * (len(m[0]) - len(m[1]) - 4) + m[3], text)


def mask_value(value):
    """Text is masked; a phone stored as a number (13812345678) becomes masked text too."""
    if isinstance(value, str):
        return mask_text(value)
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and value == value
        and float(value).is_integer()
    ):
        digits = str(int(value))
        masked = mask_text(digits)
        return masked if masked != digits else value
    return value


def mask_cells(values: np.ndarray) -> np.ndarray:
    """One column of cells, masked (the same array when nothing in it needs masking)."""
    # only cells holding a run of 7+ digits can hide a number worth masking (most hold none):
    # one search over the column joined, not one per cell
    if _DIGITS.search("\x00".join(str(v) for v in values if v is not None)):
        return np.array([mask_value(v) for v in values], dtype=object)
    return values


def mask_text_column(text: pd.Series) -> pd.Series:
    """A column of text with phone and ID numbers masked; blank text becomes NA. Only cells
    holding a run of 7+ digits are looked at one by one (most hold none)."""
    text = text.astype(STRING)
    blank = text.fillna("").str.strip() == ""
    candidates = text.str.contains(_DIGITS.pattern, regex=True).fillna(False).to_numpy(dtype=bool)
    out = text.copy()
    if candidates.any():
        out[candidates] = [mask_text(t) for t in text[candidates]]
    return out.mask(blank.to_numpy())
