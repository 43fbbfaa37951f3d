"""Dates as cells and text: every accepted form gives the date written, anything else is
'bad_date' at its cell, blanks are no problem."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlcrm.core.dates import clean_dates, lacks_year, parse_date

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
    "text",
    # the calendar's own edges too: 9999-12-31 and 1677-08-30 are past what a date column holds
    # (once read as 1816-03-29 and 2262-03-20, with a time of day)
    ["2026-02-30", "2026/13/1", "明天", "6月22日", "12345", "2026-06", "22/06/2026", "是"]
    + ["2025-02-29", "2026-04-31", "2026-00-10", "2026-06-00", "9999-12-31", "1677-08-30", "22620412"],
)
def test_text_that_is_no_date_is_a_bad_date_and_blanks_are_nothing(text):
    raw = pd.Series(["2026-06-22", text, "", None, "  "], dtype=object)
    cleaned = clean_dates(raw)
    assert cleaned.values.iloc[0] == pd.Timestamp("2026-06-22")
    assert pd.isna(cleaned.values.iloc[1]) and cleaned.problem.iloc[1] == "bad_date"
    assert cleaned.values.iloc[2:].isna().all() and cleaned.problem.iloc[2:].isna().all()


def test_the_first_and_last_days_a_date_column_holds():
    cleaned = clean_dates(pd.Series(["1677-09-22", "2262年4月11日", "2024-02-29", "20000229"], dtype=object))
    assert [v.date() for v in cleaned.values] == [
        dt.date(1677, 9, 22),
        dt.date(2262, 4, 11),
        dt.date(2024, 2, 29),
        dt.date(2000, 2, 29),
    ]
    assert cleaned.problem.isna().all()


def test_the_cells_keep_their_row_labels():
    raw = pd.Series(["2026/6/22", "x"], index=[7, 9], dtype=object)
    cleaned = clean_dates(raw)
    assert list(cleaned.values.index) == [7, 9] and list(cleaned.problem.index) == [7, 9]


def test_one_date_from_a_person():
    assert parse_date("2026年11月29日") == dt.date(2026, 11, 29)
    assert parse_date(" 2026/11/29 ") == dt.date(2026, 11, 29)
    assert parse_date("昨天") is None


@pytest.mark.parametrize(
    "text", ["2026年6月22号", "2026-06-22（周一）", "2026/6/22(星期一)", "2026-06-22 周一"]
)
def test_a_day_as_people_write_it_in_a_log(text):
    assert parse_date(text) == dt.date(2026, 6, 22)


def test_a_month_and_day_without_a_year_is_no_date_and_said_so():
    raw = pd.Series(["6月22日", "6/22", "6.22", "2026-06-22", "明天", "", None], dtype=object)
    assert clean_dates(raw).problem.tolist()[:3] == ["bad_date"] * 3
    assert lacks_year(raw).tolist() == [True, True, True, False, False, False, False]
