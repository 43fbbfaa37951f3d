"""Dates as managers and other systems write them: date cells, 2026-06-22, 2026/6/22,
2026.6.22, 2026年6月22日 (or 22号), 20260622, an Excel serial number (45830), with or without
a time or a weekday after it (2026-06-22（周一）).

Pure functions, in the style of core.cleaning: each cell's date (NaT where none) and, per
cell, 'bad_date' where the text is no date. Vectorised (a quarter of order lines is millions
of cells); pandas does the calendar (2026-02-30 is no date).
"""

from __future__ import annotations

import datetime as _dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .cleaning import Cleaned, arrow_text, problems, raw_text

# year, month, day with one separator kind, then an optional time ('2026-06-22 13:05:00')
_YMD = (
    r"^(?P<y>[0-9]{4})\s*(?:[-/.]|年)\s*(?P<m>[0-9]{1,2})\s*(?:[-/.]|月)\s*(?P<d>[0-9]{1,2})\s*[日号]?"
    r"(?:[ T(（].*)?$"
)
# a month and day without the year (6月22日, 6/22, 6.22): a date a person meant, but which year?
_NO_YEAR = r"^[0-9]{1,2}\s*(?:[-/.]|月)\s*[0-9]{1,2}\s*[日号]?$"
_COMPACT = r"^(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})$"  # 20260622, as ERP exports write it
_SERIAL = r"^[0-9]{5}(?:\.[0-9]+)?$"  # an Excel date serial shown as a number (45830)
_EXCEL_EPOCH = np.datetime64("1899-12-30")
# serials 20000–80000 are 1954–2119: any other five-digit number is no date
_SERIALS = (20_000, 80_000)


def clean_dates(raw: pd.Series) -> Cleaned:
    """Each cell's date (datetime64, midnight; NaT for blank or unreadable) and 'bad_date'
    where a cell holds something that is no date. Full-width digits are folded first."""
    values = None  # the date cells' dates, NaT elsewhere
    cells = raw.to_numpy(dtype=object) if raw.dtype == object else None
    if cells is not None:  # typed reads carry date cells as dates: taken as they are
        is_date = np.fromiter((isinstance(v, (_dt.date, pd.Timestamp)) for v in cells), bool, len(cells))
        if is_date.any():
            values = np.full(len(raw), np.datetime64("NaT"), dtype="datetime64[ns]")
            days = pd.to_datetime(pd.Series(cells[is_date]), errors="coerce").dt.normalize()
            values[is_date] = days.to_numpy(dtype="datetime64[ns]")
            raw = raw.where(~is_date, None)
    # order lines repeat a few dozen dates: each distinct text is trimmed and read once
    encoded = pc.dictionary_encode(raw_text(raw)).combine_chunks()  # chunks share one dictionary
    distinct = pc.utf8_trim_whitespace(encoded.dictionary)
    at = encoded.indices.to_numpy(zero_copy_only=False)
    read = _read_texts(pc.utf8_normalize(distinct, "NFKC")).to_numpy(dtype="datetime64[ns]")[at]
    known = ~np.isnat(read)
    blank = pc.equal(distinct, "").to_numpy(zero_copy_only=False)[at]
    bad = ~known & ~blank
    if values is not None:
        values = np.where(known, read, values)
        bad &= np.isnat(values)
    else:
        values = read
    return Cleaned(
        pd.Series(values, index=raw.index, copy=False),
        problems(raw.index, bad, ["bad_date"] * int(bad.sum())),
    )


def _read_texts(text: pa.Array) -> pd.Series:
    """Each text's date, NaT where it is none."""
    return _from_parts(text, _YMD).fillna(_from_parts(text, _COMPACT)).fillna(_from_serials(text))


# the days a datetime64[ns] can hold (pandas' Timestamp range)
_FIRST_DAY, _LAST_DAY = np.datetime64("1677-09-22"), np.datetime64("2262-04-11")


def _from_parts(text: pa.ChunkedArray, pattern: str) -> pd.Series:
    """Each text's year, month and day as a date; NaT where the pattern does not match or the
    day is not in the calendar (2026-02-30, 2026-13-01). In numpy: a few dozen distinct texts
    each, but once per table of every manager's run."""
    parts = pc.extract_regex(text, pattern)
    year, month, day = (
        pc.fill_null(pc.cast(pc.struct_field(parts, [i]), pa.int64()), 0).to_numpy(zero_copy_only=False)
        for i in range(3)
    )
    out = np.full(len(year), np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = (year > 0) & (month >= 1) & (month <= 12) & (day >= 1)
    months = (year[ok] - 1970) * 12 + month[ok] - 1  # months since 1970-01, as datetime64[M] counts
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    length = ((months + 1).astype("datetime64[M]").astype("datetime64[D]") - first).astype(np.int64)
    days = first + (day[ok] - 1).astype("timedelta64[D]")
    fits = (day[ok] <= length) & (days >= _FIRST_DAY) & (days <= _LAST_DAY)
    at = np.flatnonzero(ok)[fits]
    out[at] = days[fits].astype("datetime64[ns]")
    return pd.Series(out)


def _from_serials(text: pa.ChunkedArray) -> pd.Series:
    serial = pc.match_substring_regex(text, _SERIAL)
    numbers = pc.cast(pc.if_else(serial, text, pa.scalar(None, pa.large_string())), pa.float64())
    days = np.floor(numbers.to_numpy(zero_copy_only=False))
    usable = (days >= _SERIALS[0]) & (days <= _SERIALS[1])
    out = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[usable] = (_EXCEL_EPOCH + days[usable].astype("timedelta64[D]")).astype("datetime64[ns]")
    return pd.Series(out)


def lacks_year(raw: pd.Series) -> np.ndarray:
    """Per cell: text that is a month and day without a year (6月22日, 6/22): no date, but
    the person can be told exactly what is missing."""
    text = pc.utf8_normalize(arrow_text(raw), "NFKC")
    return pc.match_substring_regex(text, _NO_YEAR).to_numpy(zero_copy_only=False)


_ONE = re.compile(r"\s+")


def parse_date(text: str) -> _dt.date | None:
    """One date written by a person (--as-of, a setting): the same forms as cells."""
    cleaned = clean_dates(pd.Series([_ONE.sub(" ", str(text)).strip()], dtype=object))
    value = cleaned.values.iloc[0]
    return None if pd.isna(value) else value.date()
