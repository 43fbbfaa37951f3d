"""Column letters and positions, both ways."""

import pytest

from xlcrm.core.addresses import cell_ref, column_index, column_letter


@pytest.mark.parametrize(
    "index, letters",
    [
        (0, "A"),
        (1, "B"),
        (25, "Z"),
        (26, "AA"),
        (27, "AB"),
        (51, "AZ"),
        (52, "BA"),
        (701, "ZZ"),
        (702, "AAA"),
        (16383, "XFD"),
    ],
)
def test_letters_and_positions(index, letters):
    assert column_letter(index) == letters
    assert column_index(letters) == index
    assert column_index(letters.lower()) == index


@pytest.mark.parametrize("text", ["客户", "A1", "", "ABCD", "1"])
def test_what_is_not_a_column_letter(text):
    assert column_index(text) is None


def test_cell_references():
    assert cell_ref(1) == "B" and cell_ref(1, 12) == "B12" and cell_ref(26, 3) == "AA3"
