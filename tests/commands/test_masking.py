"""Printed route sheets mask phone and ID numbers by default; --no-mask shows them whole."""

import openpyxl

from support import input_args
from xlcrm.commands import cli


def build(small_inputs, out, *extra):
    return cli.main(["build", "-q", *input_args(small_inputs, previous=False), "--out", str(out), *extra])


def test_printed_route_sheets_mask_by_default(small_inputs, tmp_path):
    assert build(small_inputs, tmp_path / "a.xlsx") == 0
    notes = [c.value for c in openpyxl.load_workbook(tmp_path / "a.xlsx")["二线"]["E"]]
    assert "电话 138****1111" in notes and "电话 13800001111" not in notes
    assert build(small_inputs, tmp_path / "b.xlsx", "--no-mask") == 0
    assert "电话 13800001111" in [c.value for c in openpyxl.load_workbook(tmp_path / "b.xlsx")["二线"]["E"]]
