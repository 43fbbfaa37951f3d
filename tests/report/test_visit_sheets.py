import datetime as dt

import numpy as np
import pandas as pd

from xlcrm.report.visit_sheets import days


def test_days_drop_the_time_and_leave_blanks_blank():
    stamps = pd.Series(pd.to_datetime(["2026-06-22 17:45", None, "1960-03-01 05:00"]))
    assert days(stamps).tolist() == [dt.date(2026, 6, 22), None, dt.date(1960, 3, 1)]
    assert all(type(d) is dt.date for d in days(stamps) if d is not None)


def test_days_of_cells_and_of_a_column_with_a_time_zone():
    cells = np.array([pd.Timestamp("2026-07-01 23:30"), None, pd.NaT], dtype=object)
    assert days(cells).tolist() == [dt.date(2026, 7, 1), None, None]
    # the day where the time was written, not the day in UTC
    zoned = pd.Series(pd.to_datetime(["2026-07-02 01:00"])).dt.tz_localize("Asia/Shanghai")
    assert days(zoned).tolist() == [dt.date(2026, 7, 2)]
    assert days(pd.Series([], dtype="datetime64[ns]")).tolist() == []
    assert days(np.array([], dtype=object)).tolist() == []
