"""Property-based: arbitrary codes, numbers and grades never raise anything but XlcrmError, and
the engine's invariants hold on arbitrary quarters (built in memory, no files)."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from support import raw_sheets
from xlcrm.core.changes import COMPARABLE
from xlcrm.core.cleaning import clean_codes, clean_grades, clean_numbers
from xlcrm.core.errors import XlcrmError
from xlcrm.core.grades import CODE2008, TIERS15, TIERS30
from xlcrm.core.inputs import GRADES, PURCHASES, load_table, routes_from_sheets
from xlcrm.core.quarter import ReviewSettings, review_quarter

PROBLEMS = {"bad_code", "lost_digits", "bad_number"}

# what cells of exports hold: text of every kind, numbers of every size, blanks, booleans, dates
cell = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.from_regex(r"[ '＇]?[0-9０-９]{1,18}(\.0)?[ 　]?", fullmatch=True),
    st.from_regex(r"-?[0-9,，]{1,12}(\.[0-9]{1,3})?( ?条| ?元)?", fullmatch=True),
    st.sampled_from(
        ["3.30781E+11", "合计", "总计", "", " ", "NaN", "#N/A", "=1+1", "@SUM(A1)", "CS1", "cs 1"]
    ),
    st.datetimes(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(cell, max_size=40))
def test_cleaners_take_any_cell(values):
    raw = pd.Series(values, dtype=object)
    for cleaned in (clean_codes(raw), clean_numbers(raw)):
        assert len(cleaned.values) == len(raw) and len(cleaned.problem) == len(raw)
        assert set(cleaned.problem.dropna()) <= PROBLEMS
    grades = clean_grades(raw)
    assert len(grades) == len(raw)


codes = st.integers(330781100000, 330781100060).map(str)
valid_grade = st.sampled_from(
    ["CS1", "CS2", "CS3", "CZ1", "CZ2", "XB3", "XY1", "cs2", " CZ3 ", "1", "15", "30", "A1", "B7"]
)
any_grade = st.one_of(
    valid_grade, valid_grade, valid_grade, st.text(max_size=4), st.none()
)  # mostly real grades
number = st.one_of(
    st.integers(-5, 5000).map(str),
    st.floats(0, 10**6, allow_nan=False),
    st.sampled_from(["", "abc", "1,200"]),
)


def raw_sheet(name: str, rows: list[list]):
    return raw_sheets(f"{name}.xlsx", {name: rows})[0]


# the only reasons a generated quarter may stop: a table with no usable customer row, or grades
# that fit no scheme when none was chosen; anything else is a regression
EXPECTED_STOPS = ("没有任何客户数据", "不属于任何已知方案", "没有任何等级")


@st.composite
def quarters(draw):
    route_names = draw(
        st.lists(
            st.sampled_from(["一线", "二线", "三线", "六线", "十一线", "城区线"]),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    routes = [
        raw_sheet(
            r,
            [["客户代码", "上季等级"]]
            + draw(st.lists(st.tuples(st.one_of(codes, codes, cell), any_grade).map(list), max_size=12)),
        )
        for r in route_names
    ]
    grades = raw_sheet(
        "等级",
        [["客户代码", "业态", "客户等级"]]
        + draw(
            st.lists(
                st.tuples(st.one_of(codes, codes, codes, cell), st.sampled_from(["", "超市"]), any_grade).map(
                    list
                ),
                min_size=5,
                max_size=40,
            )
        ),
    )
    purchases = raw_sheet(
        "购进",
        [["客户代码", "购进量", "购进额"]]
        + draw(
            st.lists(
                st.tuples(st.one_of(codes, codes, cell), number, number).map(list), min_size=3, max_size=40
            )
        ),
    )
    return routes, grades, purchases


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(quarters(), st.sampled_from([None, CODE2008, TIERS30, TIERS15]))
def test_engine_invariants_on_any_quarter(quarter, scheme):
    route_sheets, grade_sheet, purchase_sheet = quarter
    coded = {
        name: clean_codes(sheet.cells[0].iloc[1:]).values.notna().any()
        for name, sheet in (("grades", grade_sheet), ("purchases", purchase_sheet))
    }
    try:
        routes = routes_from_sheets(route_sheets)
        grades = load_table([grade_sheet], GRADES)
        purchases = load_table([purchase_sheet], PURCHASES)
        result = review_quarter(routes, grades, purchases, None, ReviewSettings(scheme=scheme))
    except XlcrmError as exc:
        if "不属于所选的等级方案" in exc.message:  # a chosen scheme that most grades do not fit
            given = [g for g in grades.rows["grade"].fillna("") if g]
            assert scheme is not None and sum(map(scheme.is_valid, given)) < len(given) / 2
            event("stopped: scheme does not fit")
            return
        assert any(reason in exc.message for reason in EXPECTED_STOPS), exc.message
        # a table with a usable code always loads; with a scheme chosen, nothing else may stop it
        assert not all(coded.values()) or scheme is None, exc.message
        event("stopped: " + exc.message[:20])
        return
    event("reviewed")
    rows = result.route_rows
    # every route row read is there once, in the output; the first of each code is the customer
    assert len(rows) == len(routes.customers)
    assert sorted(zip(rows["route"], rows["excel_row"])) == sorted(
        zip(routes.customers["route"], routes.customers["excel_row"])
    )
    assert len(result.customers) == int((~rows["is_duplicate"]).sum())
    coded = result.customers["customer_code"].dropna()
    assert coded.is_unique
    # up + same + down per batch = the comparable customers on that batch's routes
    table = result.grade_changes.groupby("batch")[list(COMPARABLE)].sum().sum(axis=1)
    comparable = result.customers[result.customers["change"].isin(COMPARABLE)].groupby("batch").size()
    for batch in set(table.index) | set(comparable.index):
        assert table.get(batch, 0) == comparable.get(batch, 0), batch
    # every district grade holder is counted once in the standards table
    assert result.standards["customers"].sum() == int(result.district["grade"].notna().sum())
    # a route customer without a current grade is always in the issue list
    missing = result.customers.loc[
        result.customers["grade"].isna() & result.customers["customer_code"].notna(), "customer_code"
    ]
    listed = set(result.issues["customer_code"].dropna())
    assert set(missing) <= listed
