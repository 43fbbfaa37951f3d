import math

import pandas as pd
import pytest

from xlcrm.core.cleaning import clean_codes, clean_grades, clean_numbers, is_total_label, looks_truncated


def codes(*values):
    result = clean_codes(pd.Series(list(values), dtype=object))
    return list(result.values.astype(object).where(result.values.notna(), None)), list(
        result.problem.astype(object).where(result.problem.notna(), None)
    )


@pytest.mark.parametrize(
    "raw",
    [
        330781100123,
        330781100123.0,
        "330781100123",
        " 330781100123 ",
        "330781100123\t",
        "'330781100123",
        "３３０７８１１００１２３",
        "\u3000330781100123\u00a0",
        "3307 8110 0123",
    ],
)
def test_a_code_matches_as_a_code_whatever_its_storage(raw):
    assert codes(raw) == (["330781100123"], [None])


def test_a_code_saved_through_scientific_notation_is_reported_never_guessed():
    assert codes("3.30781E+11", "3.30781e11") == ([None, None], ["lost_digits", "lost_digits"])


@pytest.mark.parametrize(
    "raw", ["330781100123.0", "330781100123.00", " 330781100123.0 ", "3.30781100123E+11", "3.307811001230e11"]
)
def test_a_code_that_went_through_a_float_is_the_exact_code(raw):
    assert codes(raw) == (["330781100123"], [None])


def test_a_code_with_a_real_fraction_is_no_code():
    assert codes("330781100123.5", "3.307811001235E+11") == ([None, None], ["bad_code", "bad_code"])


def test_blank_codes_are_no_problem_and_text_is_a_bad_code():
    assert codes(None, "", float("nan"), "合计", "ABC123") == (
        [None] * 5,
        [None, None, None, "bad_code", "bad_code"],
    )


def test_leading_zeros_are_kept():
    assert codes("00123") == (["00123"], [None])


def numbers(*values):
    result = clean_numbers(pd.Series(list(values), dtype=object))
    return [None if math.isnan(v) else v for v in result.values], list(
        result.problem.astype(object).where(result.problem.notna(), None)
    )


def test_numbers_stored_as_text_with_the_usual_quirks():
    values, problems = numbers(12, 3.5, "1,234", " 12 ", "１２３", "1,234.50元", "-5", "1，000", "88条")
    assert values == [12, 3.5, 1234, 12, 123, 1234.5, -5, 1000, 88]
    assert problems == [None] * 9


def test_numbers_are_kept_to_cents_and_huge_ones_as_they_are():
    """Float noise from the exporting system goes (to hundredths); a figure too big to carry
    cents is not rounded, which would overflow it to infinity."""
    huge = 1.7976931348623157e308
    values, problems = numbers(43794.670000000006, "2.345", "0.015", -0.004, 1e16, "-1e16", huge, "1e300")
    assert values == [43794.67, 2.35, 0.02, -0.0, 1e16, -1e16, huge, 1e300]
    assert problems == [None] * 8


def test_blank_numbers_are_empty_and_unreadable_ones_are_reported():
    values, problems = numbers("", None, "  ", "abc", "12..5", "暂无", "nan")
    assert values == [None] * 7
    assert problems == [None, None, None, "bad_number", "bad_number", "bad_number", "bad_number"]


def test_grades_are_tidied():
    assert clean_grades(
        pd.Series(["cs1", " CS2 ", "第15档", "15档", 15.0, None, "Ａ１"], dtype=object)
    ).tolist() == ["CS1", "CS2", "15", "15", "15", "", "A1"]


def test_total_labels():
    assert is_total_label(pd.Series(["合计", "总 计", "小计：", "合计金额", "客户", None])).tolist() == [
        True,
        True,
        True,
        True,
        False,
        False,
    ]


def test_truncated_looking_codes():
    assert looks_truncated("330781000000")
    assert not looks_truncated("330781100123")
