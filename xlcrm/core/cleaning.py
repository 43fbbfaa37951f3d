"""Cleaning of values as other systems export them: codes and numbers stored as text.

Pure functions over pandas Series of raw cell values (str, int, float, None). Each cleaner
returns the clean values and, per cell, the kind of problem found (or NA), so that the
caller can report the exact cell; nothing here raises on bad data.

Speed: the common case (plain digits, plain numbers) is handled by Arrow compute kernels
over the whole column; only unusual cells (full-width digits, apostrophes, separators)
take the per-cell Python path.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STRING = pd.StringDtype("pyarrow")

_TOTAL = re.compile(r"^(?:合计|总计|小计|累计)")
# Excel's General format shows a long number as 3.30781E+11: the digits after the 6th are gone
_SCIENTIFIC = re.compile(r"([0-9])(?:\.([0-9]+))?[eE]\+?([0-9]+)")
# a code that went through a float: 330781100123.0 (text, or a number shown with decimals)
_FLOAT_CODE = re.compile(r"([0-9]+)\.0+")
_SIMPLE_NUMBER = r"^[+-]?[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?$"
_NUMBER_NOISE = re.compile(r"[,，\s]|(?:条|元|箱|包|件)$")
_APOSTROPHES = "'`‘’"


@dataclass(frozen=True)
class Cleaned:
    values: pd.Series  # clean values; NA where nothing usable
    problem: pd.Series  # per cell: a problem kind ('bad_code', 'lost_digits', 'bad_number') or NA


def _cell_text(value: object) -> str | None:
    """A non-text cell as the text a person sees: 12.0 → '12'; blank → None."""
    if value is None:
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    return str(value)


def raw_text(raw: pd.Series) -> pa.ChunkedArray:
    """Raw cells as Arrow text, untrimmed; blank → ''. Cleaners look at these first: a column
    of millions is mostly cells that need no trimming."""
    if isinstance(raw.dtype, pd.StringDtype) and raw.dtype.storage == "pyarrow":
        text = pa.chunked_array(pa.array(raw.array))  # already text: no Python objects
    else:
        cells = raw.to_numpy(dtype=object)
        text = pa.chunked_array(
            [pa.array([v if type(v) is str else _cell_text(v) for v in cells], pa.string())]
        )
    return pc.fill_null(text.cast(pa.large_string()), "")


def arrow_text(raw: pd.Series) -> pa.ChunkedArray:
    """Raw cells as Arrow text, trimmed of (Unicode) whitespace; blank → ''."""
    return pc.utf8_trim_whitespace(raw_text(raw))


def _series(array: pa.Array | pa.ChunkedArray, index: pd.Index) -> pd.Series:
    chunked = pa.chunked_array([array]) if isinstance(array, pa.Array) else array
    return pd.Series(pd.arrays.ArrowStringArray(chunked), index=index)


def _replaced(
    array: pa.Array | pa.ChunkedArray, mask: np.ndarray, values: list | pa.Array | pa.ChunkedArray
) -> pa.ChunkedArray:
    """`array` with the masked cells set to `values` (in order). A few cells among millions
    are put between slices of the rest (nothing copied); many, in one Arrow pass."""
    if isinstance(array, pa.Array):
        array = pa.chunked_array([array])
    if isinstance(values, list):
        values = pa.array(values, array.type)
    values = pa.chunked_array([values] if isinstance(values, pa.Array) else values, array.type)
    at = np.flatnonzero(mask)
    if len(at) > _FEW_CELLS:
        return pa.chunked_array(
            [pc.replace_with_mask(array.combine_chunks(), pa.array(mask), values.combine_chunks())]
        )
    pieces, start = [], 0
    for i, position in enumerate(at.tolist()):
        pieces += [array.slice(start, position - start), values.slice(i, 1)]
        start = position + 1
    pieces.append(array.slice(start))
    return pa.chunked_array([chunk for piece in pieces for chunk in piece.chunks], array.type)


_FEW_CELLS = 1000


def problems(index: pd.Index, mask: np.ndarray | None = None, kinds: list | None = None) -> pd.Series:
    """Per cell, the problem kind where `mask` holds (`kinds`, in order; None: no problem), NA
    elsewhere. Categorical: a column of millions has a few problems, if any."""
    codes = np.full(len(index), -1, dtype=np.int8)
    names: list[str] = []
    if mask is not None and mask.any():
        names = sorted({k for k in kinds if k is not None})
        number = {k: i for i, k in enumerate(names)}
        codes[mask] = [-1 if k is None else number[k] for k in kinds]
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(names, dtype=object)), index=index)


def normalize_text(value: object) -> str:
    """One cell as tidy text: full-width folded (NFKC), odd blanks removed, stripped."""
    text = value if isinstance(value, str) else _cell_text(value)
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).replace("\u200b", "").replace("\ufeff", "")
    return text.strip()


def as_text(raw: pd.Series) -> pd.Series:
    """Raw cells as trimmed text (whole numbers without '.0'); '' for blank."""
    return _series(arrow_text(raw), raw.index)


def map_uniques(text: pd.Series, fn: Callable[[str], object], dtype) -> pd.Series:
    """fn over the distinct values only (grades, segments: few distinct, many rows)."""
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    at = np.where(codes < 0, len(uniques), codes)  # NA → the extra slot at the end
    mapped = [fn(u) for u in uniques] + [None]
    if dtype == STRING:
        values = pa.array(mapped, type=pa.large_string()).take(pa.array(at))
        return _series(values, text.index)
    return pd.Series(pd.array(mapped, dtype=dtype)[at], index=text.index)


def _tidy_code(text: str) -> tuple[str | None, str | None]:
    """Slow path for one unusual code cell → (code, problem)."""
    tidy = re.sub(r"\s+", "", normalize_text(text).lstrip(_APOSTROPHES))
    if tidy.isascii() and tidy.isdigit():
        return tidy, None
    whole = _FLOAT_CODE.fullmatch(tidy)
    if whole:
        return whole.group(1), None
    scientific = _SCIENTIFIC.fullmatch(tidy)
    if scientific:
        return _from_scientific(*scientific.groups())
    return None, "bad_code"


def _from_scientific(head: str, decimals: str | None, exponent: str) -> tuple[str | None, str | None]:
    """'3.30781100123E+11' still holds every digit (as many decimals as the exponent): exact.
    With fewer decimals ('3.30781E+11') the last digits are gone and are never guessed."""
    decimals, shift = decimals or "", int(exponent)
    if len(decimals) < shift:
        return None, "lost_digits"
    if decimals[shift:].strip("0"):
        return None, "bad_code"  # not a whole number: no code
    return head + decimals[:shift], None


def clean_codes(raw: pd.Series) -> Cleaned:
    """Customer codes as digit strings, whatever their storage.

    Accepts numbers, text, spaces, a leading apostrophe and full-width digits. A code saved
    through scientific notation ('3.30781E+11') has lost digits and cannot be recovered:
    it is marked 'lost_digits', never guessed. Anything else that is not digits is 'bad_code'.
    Blank cells are NA without a problem.
    """
    text = raw_text(raw)
    plain = pc.ascii_is_decimal(text).to_numpy(zero_copy_only=False)  # ASCII digits only; '' is not
    if plain.all():
        return Cleaned(_series(text, raw.index), problems(raw.index))
    # only the others are trimmed: a code with spaces around it is plain once trimmed
    others = np.flatnonzero(~plain)
    trimmed = pc.utf8_trim_whitespace(text.filter(pa.array(~plain))).combine_chunks()
    fine = pc.ascii_is_decimal(trimmed).to_numpy(zero_copy_only=False)
    odd = ~fine & (pc.binary_length(trimmed).to_numpy(zero_copy_only=False) > 0)
    fixed = [_tidy_code(t) for t in trimmed.filter(pa.array(odd)).to_pylist()]
    mended = pc.if_else(fine, trimmed, pa.scalar(None, pa.large_string()))  # blank once trimmed: NA
    if odd.any():
        mended = _replaced(mended, odd, [code for code, _ in fixed])
    values = _replaced(text, ~plain, mended)
    kinds = [kind for _, kind in fixed]
    return Cleaned(_series(values, raw.index), problems(raw.index, _at(len(text), others[odd]), kinds))


def _at(length: int, positions: np.ndarray) -> np.ndarray:
    mask = np.zeros(length, dtype=bool)
    mask[positions] = True
    return mask


FIGURE_DECIMALS = 2  # volumes (条) and amounts (元) are kept to hundredths: cents, and 0.01 条


def _tidy_number(text: str) -> float | None:
    try:
        value = float(_NUMBER_NOISE.sub("", normalize_text(text)))
    except ValueError:
        return None
    return value if np.isfinite(value) else None  # 'nan', 'inf' are not figures


# rows cast to numbers at a time: a slice with an odd cell is tried again in parts, the others
# are cast at once (the usual export has a few odd cells among millions)
NUMBER_SLICE = 1 << 16
SMALLEST_SLICE = 1 << 10  # a slice that fails is tried again in 16 parts down to this size


def _plain_numbers(text: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per cell: its value where it is a plain number (NaN otherwise: not finite where it is
    none), whether it is blank; and the trimmed text of the cells that are neither, in order."""
    numbers, blanks, odd = [], [], []
    for start in range(0, len(text), NUMBER_SLICE):
        _slice_numbers(text.slice(start, NUMBER_SLICE), numbers, blanks, odd)
    if not numbers:
        return np.zeros(0), np.zeros(0, dtype=bool), odd
    return np.concatenate(numbers), np.concatenate(blanks), odd


def _slice_numbers(part: pa.ChunkedArray, numbers: list, blanks: list, odd: list) -> None:
    """_plain_numbers of one slice, appended: cast at once when every cell is a plain number
    or blank; else in smaller parts, and the smallest by the pattern."""
    null = pa.scalar(None, pa.large_string())
    blank = pc.equal(part, "")
    try:
        values = pc.cast(pc.if_else(blank, null, part) if pc.any(blank).as_py() else part, pa.float64())
    except pa.ArrowInvalid:  # spaces, separators, units, words
        if len(part) > SMALLEST_SLICE:
            step = max(SMALLEST_SLICE, -(-len(part) // 16))
            for start in range(0, len(part), step):
                _slice_numbers(part.slice(start, step), numbers, blanks, odd)
            return
        part = pc.utf8_trim_whitespace(part)  # trimmed, then by the pattern
        blank = pc.equal(part, "")
        values = pc.cast(pc.if_else(pc.match_substring_regex(part, _SIMPLE_NUMBER), part, null), pa.float64())
    values = values.to_numpy(zero_copy_only=False)
    blank = blank.to_numpy(zero_copy_only=False)
    others = ~np.isfinite(values) & ~blank
    if others.any():
        odd.extend(pc.utf8_trim_whitespace(part.filter(pa.array(others))).to_pylist())
    numbers.append(values)
    blanks.append(blank)


def clean_numbers(raw: pd.Series) -> Cleaned:
    """Volumes and amounts as floats: numbers stored as text, thousands separators,
    full-width digits, units, trailing spaces. Blank is NA; unreadable text is 'bad_number'."""
    figures, blank, odd_text = _plain_numbers(raw_text(raw))
    problem = problems(raw.index)
    odd = ~np.isfinite(figures) & ~blank  # (a blank is NaN already; an odd cell is set below)
    if odd.any():
        fixed = [_tidy_number(t) for t in odd_text]
        figures[odd] = [np.nan if v is None else v for v in fixed]
        problem = problems(raw.index, odd, [None if v is not None else "bad_number" for v in fixed])
    # a number cell computed by the exporting system may carry float noise (43794.670000000006);
    # a number too big to carry cents is kept as it is (rounding it would overflow to infinity).
    # Rounded in place: a second array of millions of figures costs more than the rounding.
    big = (figures >= 1e15) | (figures <= -1e15)
    kept = figures[big]
    with np.errstate(over="ignore", invalid="ignore"):
        np.round(figures, FIGURE_DECIMALS, out=figures)
    figures[big] = kept
    return Cleaned(pd.Series(figures, index=raw.index, copy=False), problem)


def tidy_grade(text: str) -> str:
    """'cs1 ' → 'CS1'; '第15档', '15档' → '15'; full-width folded."""
    tidy = re.sub(r"\s+", "", normalize_text(text)).upper()
    m = re.fullmatch(r"第?([0-9]+)档", tidy)
    return m.group(1) if m else tidy


def clean_grades(raw: pd.Series) -> pd.Series:
    """Grade cells as tidy upper-case text ('CS1', '15', 'A1'); '' for blank.

    Whether a grade belongs to the scheme is the scheme's concern (xlcrm.grades).
    """
    return map_uniques(as_text(raw), tidy_grade, STRING)


def is_total_label(text: pd.Series) -> pd.Series:
    """True where a text cell is a closing-total label (合计, 总计, 小计 …)."""
    return text.map(
        lambda t: bool(_TOTAL.match(re.sub(r"\s+", "", str(t)))) if isinstance(t, str) else False
    ).astype(bool)


def looks_truncated(code: str) -> bool:
    """A long code with at most 6 significant digits then zeros, as left by scientific notation
    turned back into a number (3.30781E+11 → 330781000000): a suspect, not a certainty."""
    return len(code) >= 11 and bool(re.fullmatch(r"[0-9]{1,6}0{5,}", code))
