"""Phone and ID numbers masked on what is printed; customer codes and the manager's workbook never."""

import openpyxl
import pytest

from xlcrm import cli
from xlcrm.privacy import mask_text, mask_value


@pytest.mark.parametrize("text, shown", [
    ("13812345678", "138****5678"),
    ("电话 13800001111，周日休息", "电话 138****1111，周日休息"),
    ("0571-88881234", "0571-88****34"),
    ("330781199001011234", "330781********1234"),
    ("身份证33078119900101123x", "身份证330781********123x"),
    ("330781100001", "330781100001"),  # a 12-digit customer code is not a phone
    ("138123456789", "138123456789"),  # nor is a 12-digit number that starts like one
    ("备注", "备注"),
])
def test_mask_text(text, shown):
    assert mask_text(text) == shown


def test_numbers_stored_as_numbers():
    assert mask_value(13812345678) == "138****5678"
    assert mask_value(330781100001) == 330781100001 and mask_value(12.5) == 12.5 and mask_value(None) is None


def build(small_inputs, out, *extra):
    return cli.main(["build", "-q", "--routes", str(small_inputs["routes"]), "--grades", str(small_inputs["grades"]),
                     "--purchases", str(small_inputs["purchases"]), "--out", str(out), *extra])


def test_printed_route_sheets_mask_by_default(small_inputs, tmp_path):
    assert build(small_inputs, tmp_path / "a.xlsx") == 0
    notes = [c.value for c in openpyxl.load_workbook(tmp_path / "a.xlsx")["二线"]["E"]]
    assert "电话 138****1111" in notes and "电话 13800001111" not in notes
    assert build(small_inputs, tmp_path / "b.xlsx", "--no-mask") == 0
    assert "电话 13800001111" in [c.value for c in openpyxl.load_workbook(tmp_path / "b.xlsx")["二线"]["E"]]
