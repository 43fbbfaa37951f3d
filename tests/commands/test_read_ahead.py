"""The history read ahead of a build (on a thread, while the district's tables are read) gives
exactly the history the build would read itself, whatever the early guess of the route codes
missed or added; when nothing can be read ahead the build reads it all, and says what is wrong."""

from __future__ import annotations

import pandas as pd
import pytest

from xlcrm.commands import cli
from xlcrm.commands.quarter_run import InputFiles, QuarterRequest, review_files, routes_labels
from xlcrm.commands.read_ahead import HistoryAhead
from xlcrm.core.quarters import Quarter
from xlcrm.demo.quarters import generate_quarters
from xlcrm.store.builds import history_around, stored_history
from xlcrm.store.database import open_store


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """Five generated quarters, the first four recorded by builds; the fifth about to be built."""
    folder = tmp_path_factory.mktemp("ahead")
    sample = generate_quarters(folder / "quarters", seed=11)
    store = folder / "客户档案库.db"
    for files in sample.files[:4]:
        done = cli.main(
            ["build", "-q", "--routes", str(files.routes), "--grades", str(files.grades)]
            + ["--purchases", str(files.purchases), "--out", str(folder / f"{files.quarter.code}.xlsx")]
            + ["--store", str(store)]
        )
        assert done == 0
    last = sample.files[4]
    request = QuarterRequest(InputFiles(last.routes, last.grades, last.purchases), store=str(store))
    _, result = review_files(request)
    return request, result, last.quarter


def _sorted(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.astype({"customer_code": object, "grade": object, "segment": object})
    return out.sort_values(["customer_code", "quarter"]).reset_index(drop=True)


def test_whatever_the_guess_the_history_is_the_same(recorded):
    request, result, quarter = recorded
    codes = result.customers["customer_code"].dropna().tolist()
    with open_store(request.store) as store:
        itself = history_around(store, quarter, "张三", result)
        guesses = {
            "every code": codes,
            "half of them and strangers": codes[::2] + ["330780000000", "999"],
            "none": [],
        }
        for name, guess in guesses.items():
            ahead = stored_history(store, quarter, "张三", guess)
            found = history_around(store, quarter, "张三", result, ahead)
            pd.testing.assert_frame_equal(_sorted(found.rows), _sorted(itself.rows), obj=name)
            assert found.quarters == itself.quarters and found.previous_quarter == itself.previous_quarter
            pd.testing.assert_frame_equal(found.previous_routes, itself.previous_routes)
        # read ahead for another quarter or manager: not used
        other = stored_history(store, quarter.shifted(-1), "张三", codes)
        found = history_around(store, quarter, "张三", result, other)
        pd.testing.assert_frame_equal(_sorted(found.rows), _sorted(itself.rows))
    assert len(itself.rows) > len(codes)  # four stored quarters and this one


def test_the_thread_reads_the_route_codes_and_the_previous_build(recorded):
    request, result, quarter = recorded
    found = HistoryAhead(request, routes_labels).result()
    assert found is not None and (found.quarter, found.manager) == (quarter, "张三")
    assert set(result.customers["customer_code"].dropna()) <= set(found.codes)
    assert found.previous is not None and found.previous.quarter == quarter.shifted(-1)
    assert set(found.rows["quarter"]) == {quarter.shifted(-k).index for k in range(1, 5)}


def test_nothing_read_ahead_from_a_missing_or_broken_store(recorded, tmp_path, capsys):
    request, _, _ = recorded
    missing = QuarterRequest(request.files, store=str(tmp_path / "新档案库.db"))
    assert HistoryAhead(missing, routes_labels).result() is None
    assert not (tmp_path / "新档案库.db").exists()  # made by the build, not by the read ahead
    broken = tmp_path / "坏档案库.db"
    broken.write_bytes(b"not a database" * 100)
    assert HistoryAhead(QuarterRequest(request.files, store=str(broken)), routes_labels).result() is None
    files = request.files
    done = cli.main(
        ["build", "-q", "--routes", str(files.routes), "--grades", str(files.grades)]
        + ["--purchases", str(files.purchases), "--out", str(tmp_path / "o.xlsx"), "--store", str(broken)]
    )
    assert done == 2 and "坏档案库.db" in capsys.readouterr().err
    assert broken.read_bytes() == b"not a database" * 100


def test_the_quarter_given_on_the_command_line_decides_what_is_read_ahead(recorded, tmp_path):
    request, _, quarter = recorded
    named = QuarterRequest(request.files, store=request.store, quarter=quarter.code)
    found = HistoryAhead(named, routes_labels).result()
    assert found is not None and found.quarter == quarter
    wrong = QuarterRequest(request.files, store=request.store, quarter=Quarter(2024, 1).code)
    found = HistoryAhead(wrong, routes_labels).result()
    assert found is not None and found.quarter == Quarter(2024, 1) and found.rows.empty
