import numpy as np
import pandas as pd

from xlcrm.report.code_cells import CodeCells


def test_a_code_written_twice_keeps_its_first_row():
    lookup = CodeCells.first_of(
        pd.Series(["A1", "B2", "A1"], dtype="string"),
        {"grade": np.array(["甲", "乙", "丙"], dtype=object)},
        {"grade": "无"},
    )
    assert lookup.of(pd.Series(["A1", "B2"], dtype="string"))["grade"].tolist() == ["甲", "乙"]


def test_rows_without_a_known_code_get_the_columns_otherwise_cell():
    lookup = CodeCells.first_of(
        pd.Series(["A1", "B2"], dtype="string"),
        {"abc": np.array(["A", "B"], dtype=object), "seen": np.array([None, "是"], dtype=object)},
        {"abc": "C", "seen": None},
    )
    cells = lookup.of(pd.Series(["B2", None, "Z9", "A1"], dtype="string"))
    assert cells["abc"].tolist() == ["B", "C", "C", "A"]
    assert cells["seen"].tolist() == ["是", None, None, None]
    assert cells["abc"].dtype == object


def test_no_rows_no_cells():
    nothing = np.array([], dtype=object)
    lookup = CodeCells.first_of(pd.Series([], dtype="string"), {"abc": nothing}, {"abc": "C"})
    assert lookup.of(pd.Series(["A1"], dtype="string"))["abc"].tolist() == ["C"]
    assert lookup.of(pd.Series([], dtype="string"))["abc"].tolist() == []
