"""The issue list (core.issues): frames of text in the issue list's order, whichever way they
were made — text columns in Arrow, several chunks, or columns pandas holds otherwise — and each
row's code cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlcrm.core.cleaning import STRING
from xlcrm.core.issues import COLUMNS, combine, empty, issue_frame, sources, sources_at


def frame(rows: list[tuple], dtype=STRING) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS).astype(dtype)


def written(issues: pd.DataFrame) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in issues.itertuples(index=False)]


ROUTES = [("not_in_grades", "1", "a › B4", "甲"), ("missing_code", None, "a › B5", "乙")]
LOG = [
    ("visit_duplicate", "3", "b › B9", "丙"),
    ("visit_not_on_route", "2", "b › B2", "丁"),
    ("some_new_kind", "4", "b › B3", "戊"),
    ("visit_not_on_route", "5", "b › B7", "己"),
]
# by KINDS' order (not_in_grades, missing_code, visit_not_on_route, visit_duplicate), an unknown
# kind last; the same kind in the order found
IN_ORDER = [ROUTES[0], ROUTES[1], LOG[1], LOG[3], LOG[0], LOG[2]]


def test_issues_in_the_kinds_order_then_as_found():
    issues = combine([frame(ROUTES), empty(), frame(LOG)])
    assert written(issues) == IN_ORDER
    assert list(issues.columns) == COLUMNS and (issues.dtypes == STRING).all()
    assert isinstance(issues.index, pd.RangeIndex)


def test_text_in_several_chunks_and_columns_held_otherwise_list_the_same():
    """A frame put together by pandas keeps its text in several chunks; one of object columns
    goes through pandas: the list is the same."""
    chunked = pd.concat([frame(LOG[:2]), frame(LOG[2:])], ignore_index=True)
    issues = combine([frame(ROUTES), chunked])
    assert written(issues) == IN_ORDER and (issues.dtypes == STRING).all()
    assert written(combine([frame(ROUTES, object), frame(LOG)])) == IN_ORDER


def test_nothing_found_is_the_empty_list():
    assert combine([]).empty and combine([empty(), empty()]).empty
    assert issue_frame("bad_code", [], [], []).empty
    assert list(issue_frame("bad_code", np.array([], dtype=object), [], []).columns) == COLUMNS


@pytest.mark.parametrize(
    ("codes", "details"),
    [
        (["1", None], ["甲", "乙"]),  # text and a missing code
        (np.array(["1", pd.NA], dtype=object), "同一句话"),  # one detail for all
        (pd.array(["1", None], dtype=STRING), ("甲", "乙")),
        (pd.NA, ["甲", "乙"]),  # no code for any
    ],
)
def test_an_issue_frame_is_text_whatever_it_was_given(codes, details):
    issues = issue_frame("bad_code", codes, ["f › A2", "f › A3"], details)
    assert (issues.dtypes == STRING).all() and list(issues.columns) == COLUMNS
    first = None if codes is pd.NA else "1"
    said = ["甲", "乙"] if not isinstance(details, str) else [details] * 2
    assert written(issues) == [("bad_code", first, "f › A2", said[0]), ("bad_code", None, "f › A3", said[1])]


def test_sequences_of_different_lengths_are_refused():
    with pytest.raises(ValueError):
        issue_frame("bad_code", ["1", "2"], ["f › A2"], ["甲", "乙"])


def test_each_rows_code_cell():
    places = ["线路表.xlsx › 一线 › B", "线路表.xlsx › 二线 › B", None]
    rows = pd.DataFrame(
        {"location": pd.Categorical(places[:2] + [places[0]]), "excel_row": [4, 12, 7]}, index=[5, 6, 9]
    )
    cells = ["线路表.xlsx › 一线 › B4", "线路表.xlsx › 二线 › B12", "线路表.xlsx › 一线 › B7"]
    assert sources(rows).tolist() == cells and sources(rows).index.tolist() == [5, 6, 9]
    assert sources(rows).dtype == STRING
    assert sources_at(rows, np.array([2, 0])).tolist() == [cells[2], cells[0]]
    as_text = rows.astype({"location": object})
    assert sources(as_text).tolist() == cells and sources_at(as_text, np.array([1])).tolist() == [cells[1]]
