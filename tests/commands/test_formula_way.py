"""The formula way (tests/support/formula_way.py): the quarter done with Excel formulas and
recalculated by LibreOffice gives exactly xlcrm's results on clean inputs."""

from __future__ import annotations

import pandas as pd
import pytest

from support import formula_way as fw

pytestmark = pytest.mark.libreoffice


@pytest.fixture(
    scope="module", params=[("code2008", 150), ("tiers30", 80), ("tiers15", 80)], ids=lambda p: p[0]
)
def quarter(request, tmp_path_factory):
    """One clean quarter per scheme: xlcrm's review and the recalculated formula results."""
    scheme, size = request.param
    root = tmp_path_factory.mktemp(f"formula_way_{scheme}")
    files = fw.clean_sample(size, root / "inputs", scheme=scheme, seed=11)
    inputs, review, _ = fw.load_and_review(files)
    layout = fw.build_formula_workbook(inputs, root / "quarter.xlsx", scheme)
    seconds, recalculated = fw.recalculate(layout.path, root / "recalculated")
    return review, fw.read_results(recalculated), layout


def test_formula_results_equal_xlcrm(quarter):
    review, results, _ = quarter
    assert fw.compare_with_xlcrm(results, review) == []


def test_customers_match_cell_by_cell(quarter):
    review, results, _ = quarter
    ours = results["customers"].set_index("customer_code").sort_index()
    engine = review.customers.set_index("customer_code").sort_index()
    assert list(ours.index) == list(engine.index)
    for column in ("route", "batch", "segment", "grade", "previous_grade", "change"):
        assert ours[column].tolist() == engine[column].astype(object).tolist(), column
    for column in ("volume", "amount"):
        assert ours[column].to_numpy().tolist() == engine[column].to_numpy().tolist(), column
    # the sample moves some grades both ways, so the change formulas are really exercised
    assert {"up", "same", "down"} <= set(ours["change"])
    marked = ours[ours["change"] == "up"]
    assert (marked["mark"] == marked["grade"] + "↑").all()


def test_tables_match_exactly(quarter):
    review, results, _ = quarter
    changes = review.grade_changes.astype({c: object for c in ("segment", "grade", "batch")})
    pd.testing.assert_frame_equal(
        results["grade_changes"],
        changes.astype({c: "int64" for c in ("up", "same", "down")}),
        check_dtype=False,
    )
    standards = review.standards.astype({"segment": object, "grade": object})
    pd.testing.assert_frame_equal(results["standards"], standards, check_dtype=False)


def test_a_difference_is_reported(quarter):
    review, results, _ = quarter
    changed = {k: v.copy() for k, v in results.items()}
    changed["customers"].loc[0, "grade"] = "nope"
    changed["grade_changes"].loc[0, "up"] += 1
    changed["standards"] = changed["standards"].iloc[1:]
    diffs = fw.compare_with_xlcrm(changed, review)
    assert any(d.startswith("customers:") and "grade" in d for d in diffs)
    assert any(d.startswith("grade_changes:") and "up" in d for d in diffs)
    assert any(d.startswith("standards:") and "only in xlcrm" in d for d in diffs)


def test_formulas_are_not_precomputed(quarter, tmp_path):
    """Without LibreOffice's recalculation every formula reads as XlsxWriter's cached 0: the
    check cell says so instead of silently comparing zeros."""
    _, _, layout = quarter
    with pytest.raises(RuntimeError, match="not recalculated"):
        fw.read_results(layout.path)


def test_ranges_are_bounded(quarter):
    """No whole-column references: LibreOffice would scan a million rows per lookup."""
    _, _, layout = quarter
    import zipfile

    with zipfile.ZipFile(layout.path) as book:
        xml = "".join(book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" in xml and "$A:$A" not in xml and "!A:C" not in xml
    assert f"grades!$A$2:$C${layout.district + 1}" in xml
