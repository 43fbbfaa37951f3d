"""Dates as cells and text: every accepted form gives the date written, anything else is
'bad_date' at its cell, blanks are no problem."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlcrm.core.dates import clean_dates, parse_date

FORMS = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}年{d.month:02d}月{d.day:02d}日",
    lambda d: d.strftime("%Y%m%d"),
    lambda d: d.strftime("%Y-%m-%d 00:00:00"),  # a date cell as the text reader gives it
    lambda d: f"{d.year}-{d.month}-{d.day} 13:05",
    lambda d: d.isoformat().translate(str.maketrans("0123456789-", "０１２３４５６７８９－")),
    lambda d: str((d - dt.date(1899, 12, 30)).days),  # an Excel serial shown as a number
    lambda d: d,  # a date cell
    lambda d: dt.datetime(d.year, d.month, d.day, 9, 30),  # a date-and-time cell
    lambda d: pd.Timestamp(d),
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.dates(dt.date(1960, 1, 1), dt.date(2100, 12, 31)), st.integers(0, len(FORMS) - 1)))
)
def test_every_accepted_form_reads_as_the_date_written(cells):
    raw = pd.Series([FORMS[form](day) for day, form in cells], dtype=object)
    cleaned = clean_dates(raw)
    assert [v.date() for v in cleaned.values] == [day for day, _ in cells]
    assert cleaned.problem.isna().all()


@pytest.mark.parametrize(
    "text", ["2026-02-30", "2026/13/1", "明天", "6月22日", "12345", "2026-06", "22/06/2026", "是"]
)
def test_text_that_is_no_date_is_a_bad_date_and_blanks_are_nothing(text):
    raw = pd.Series(["2026-06-22", text, "", None, "  "], dtype=object)
    cleaned = clean_dates(raw)
    assert cleaned.values.iloc[0] == pd.Timestamp("2026-06-22")
    assert pd.isna(cleaned.values.iloc[1]) and cleaned.problem.iloc[1] == "bad_date"
    assert cleaned.values.iloc[2:].isna().all() and cleaned.problem.iloc[2:].isna().all()


def test_the_cells_keep_their_row_labels():
    raw = pd.Series(["2026/6/22", "x"], index=[7, 9], dtype=object)
    cleaned = clean_dates(raw)
    assert list(cleaned.values.index) == [7, 9] and list(cleaned.problem.index) == [7, 9]


def test_one_date_from_a_person():
    assert parse_date("2026年11月29日") == dt.date(2026, 11, 29)
    assert parse_date(" 2026/11/29 ") == dt.date(2026, 11, 29)
    assert parse_date("昨天") is None
