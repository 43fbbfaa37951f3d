"""The quarter's rules on a hand-checked quarter (support.SMALL_QUARTER), built in memory."""

import math

import pandas as pd

from support import raw_sheets, reviewed, small_quarter, tiered_quarter
from xlcrm.core.grades import CODE2008, custom_scheme
from xlcrm.core.inputs import GRADES, PREVIOUS_GRADES, PURCHASES, load_table, routes_from_sheets
from xlcrm.core.quarter import ReviewSettings, prepare_district, review_quarter, review_routes
from xlcrm.core.tables import grade_change_wide


def review(routes, grades, purchases, previous=None, settings=ReviewSettings()):
    """Raw sheets in, the quarter reviewed."""
    return review_quarter(
        routes_from_sheets(routes),
        load_table(grades, GRADES),
        load_table(purchases, PURCHASES),
        load_table(previous, PREVIOUS_GRADES) if previous else None,
        settings,
    )


def run(quarter=None, previous=True, settings=ReviewSettings()):
    return reviewed(quarter, previous=previous, settings=settings)[0]


def by_code(result):
    return result.customers.set_index("customer_code")


def test_every_change_kind():
    result = run()
    assert result.scheme is CODE2008
    assert by_code(result)["change"].to_dict() == {
        "330781100001": "up",
        "330781100002": "same",
        "330781100003": "down",
        "330781100009": "missing",
        "330781100004": "same",
        "330781100005": "new",
        "330781100006": "same",
    }


def test_customers_carry_route_batch_grades_and_figures():
    c = by_code(run())
    assert c.loc["330781100001", ["route", "batch", "segment", "grade", "previous_grade"]].tolist() == [
        "一线",
        "星期一",
        "CS",
        "CS1",
        "CS2",
    ]
    assert c.loc["330781100001", ["volume", "amount"]].tolist() == [1200, 180000.5]
    assert c.loc["330781100004", "batch"] == "星期一" and math.isnan(c.loc["330781100004", "volume"])
    assert c.loc["330781100005", ["route", "batch", "volume"]].tolist() == ["二线", "星期二", 50]
    assert c.loc["330781100006", "grade"] == "CS1"  # 'cs1' tidied
    assert pd.isna(c.loc["330781100009", "grade"])


def test_every_route_customer_once_in_route_order():
    result = run()
    assert result.customers["route"].tolist() == ["一线"] * 4 + ["二线"] * 2 + ["六线"]
    assert result.customers["customer_code"].is_unique


def test_grade_change_table_by_hand():
    result = run()
    long = result.grade_changes
    assert list(long.columns) == ["segment", "grade", "batch", "up", "same", "down"]
    counts = {
        (r.grade, r.batch): (r.up, r.same, r.down)
        for r in long.itertuples()
        if (r.up, r.same, r.down) != (0, 0, 0)
    }
    assert counts == {
        ("CS1", "星期一"): (1, 0, 0),
        ("CS1", "星期二"): (0, 1, 0),
        ("CZ2", "星期一"): (0, 1, 0),
        ("CZ3", "星期一"): (0, 0, 1),
        ("XB2", "星期一"): (0, 1, 0),
    }
    # rows: the grades held on the routes, grouped by segment (CZ before CS in the 2008 order)
    assert long[["segment", "grade"]].drop_duplicates().values.tolist() == [
        ["CZ", "CZ2"],
        ["CZ", "CZ3"],
        ["CS", "CS1"],
        ["CS", "CS2"],
        ["XB", "XB2"],
    ]
    assert set(long["batch"]) == {"星期一", "星期二", "星期三", "星期四", "星期五"}
    wide = grade_change_wide(long, result.batches)
    assert wide.loc[("CS", "CS1"), ("合计", "up")] == 1 and wide.loc[("CS", "CS1"), ("合计", "same")] == 1
    assert wide.loc[("CS", "CS2")].sum() == 0  # the new customer is not up, same or down


def test_standards_table_by_hand():
    standards = run().standards.set_index("grade")
    assert standards.loc["CS1", ["min_volume", "min_amount", "customers"]].tolist() == [800, 120000, 3]
    assert standards.loc["CS3", ["min_volume", "min_amount", "customers"]].tolist() == [12, 1800, 1]
    assert standards.loc["CZ2", ["min_volume", "min_amount", "customers"]].tolist() == [300, 45000, 1]
    assert math.isnan(standards.loc["CZ3", "min_volume"]) and standards.loc["CZ3", "customers"] == 1
    assert list(standards.index) == ["CZ2", "CZ3", "CS1", "CS2", "CS3", "XB2"]


def test_issues_list_names_every_mismatch():
    issues = run().issues
    found = {
        (r.kind, r.customer_code if isinstance(r.customer_code, str) else None) for r in issues.itertuples()
    }
    assert found == {
        ("not_in_grades", "330781100009"),
        ("not_in_purchases", "330781100009"),
        ("not_in_purchases", "330781100003"),
        ("not_in_previous", "330781100005"),
        ("lost_digits", "3.30781E+11"),
        ("bad_number", "330781100004"),
        ("total_row", None),
    }
    lost = issues[issues["kind"] == "lost_digits"].iloc[0]
    assert lost["source"] == "purchases.xlsx › Sheet1 › A11"
    assert set(issues.loc[issues["kind"] == "total_row", "source"]) == {
        "grades.xlsx › Sheet1 › 第10行",
        "purchases.xlsx › Sheet1 › 第12行",
    }


def test_duplicates_bad_grades_and_unknown_routes():
    head = [["客户代码", "客户名称"]]
    routes = raw_sheets(
        "r.xlsx",
        {
            "一线": head + [["330781100001", "a"], ["330781100002", "b"]],
            "城区线": head + [["330781100001", "a again"], [None, "no code"]],
            "说明": [["本表为线路表"]],
        },
    )
    grades = raw_sheets(
        "g.xlsx",
        {
            "S": [
                ["客户代码", "客户等级"],
                ["330781100001", "CS1"],
                ["330781100002", "CZ9"],
                ["330781100001", "CS2"],
            ]
        },
    )
    result = review(routes, grades, small_quarter()["purchases"], settings=ReviewSettings(scheme=CODE2008))
    issues = result.issues
    kinds = issues["kind"].tolist()
    assert kinds.count("duplicate_code") == 2
    grade_dup = issues[(issues["kind"] == "duplicate_code") & issues["source"].str.startswith("g.xlsx")].iloc[
        0
    ]
    assert grade_dup["source"] == "g.xlsx › S › A4"
    assert (
        grade_dup["detail"]
        == "本季等级表中此客户代码重复出现，值不一致（等级 CS1 ≠ CS2）；以 g.xlsx › S › A2 为准"
    )
    assert issues.loc[issues["kind"] == "bad_grade", "detail"].iloc[0].count("CZ9") == 1
    assert "blank_grade" not in kinds  # CZ9 is listed once, as what it is: outside the scheme
    assert issues.loc[issues["kind"] == "unknown_batch", "source"].iloc[0] == "r.xlsx › 城区线 › A2"
    assert issues.loc[issues["kind"] == "missing_code", "source"].iloc[0] == "r.xlsx › 城区线 › A3"
    assert issues.loc[issues["kind"] == "ignored_sheet", "source"].iloc[0] == "r.xlsx › 说明"
    # each route customer once: the duplicate row is flagged, the code-less row is kept
    assert len(result.customers) == 3 and result.route_rows["is_duplicate"].sum() == 1
    assert result.customers["batch"].tolist() == ["星期一", "星期一", "未分批次"]
    assert result.batches[-1] == "未分批次"
    assert result.customers.set_index("customer_code").loc["330781100002", "change"] == "missing"


def test_customer_keys_are_the_reviews_own_in_customer_order():
    """A route customer's key as core.keys makes it (int(code) × 20 + its length), in the order of
    result.customers; the duplicate row is no customer, the code-less one never matches."""
    head = [["客户代码", "客户名称"]]
    routes = raw_sheets(
        "r.xlsx",
        {
            "一线": head + [["330781100002", "b"], ["330781100001", "a"]],
            "二线": head + [["330781100002", "b again"], [None, "no code"], ["0123", "zero first"]],
        },
    )
    q = small_quarter()
    result = review(routes, q["grades"], q["purchases"])
    assert result.customers["customer_code"].tolist()[:2] == ["330781100002", "330781100001"]
    keys = result.customer_keys()
    assert len(keys) == len(result.customers) == 4
    assert keys[:2].tolist() == [330781100002 * 20 + 12, 330781100001 * 20 + 12]
    assert result.customers["customer_code"].isna().tolist() == [False, False, True, False]
    assert keys[2] < 0 and keys[3] == 123 * 20 + 4


def test_previous_grade_from_the_route_sheet_when_no_previous_table():
    routes = raw_sheets(
        "r.xlsx",
        {
            "一线": [
                ["客户代码", "2026年二季度客户分类"],
                ["330781100001", "CS2"],
                ["330781100002", "CZ1"],
                ["330781100008", ""],
            ]
        },
    )
    q = small_quarter()
    result = review(routes, q["grades"], q["purchases"])
    assert result.customers["change"].tolist() == ["up", "down", "new"]


def tiered(grades_now, grades_before, segments):
    return tiered_quarter(grades_now, grades_before, segments)


def test_thirty_tiers_higher_is_better_with_segments_from_the_table():
    paths = tiered(["15", "15档", 20, "3"], ["14", "16", "20", "3"], ["超市", "超市", "便利店", ""])
    result = run(paths)
    assert result.scheme.name == "tiers30"
    assert result.customers["change"].tolist() == ["up", "down", "same", "same"]
    assert result.customers["segment"].tolist() == ["超市", "超市", "便利店", "未分业态"]
    assert result.standards[["segment", "grade", "min_volume", "customers"]].values.tolist() == [
        ["便利店", "20", 30, 1],
        ["超市", "15", 10, 2],
        ["未分业态", "3", 40, 1],
    ]


def test_fifteen_tiers():
    paths = tiered(["A1", "B7", "C2"], ["A2", "B6", "C2"], ["超市"] * 3)
    result = run(paths)
    assert result.scheme.name == "tiers15"
    assert result.customers["change"].tolist() == ["up", "down", "same"]


def test_custom_order():
    paths = tiered(["金", "银", "铜"], ["银", "银", "金"], ["超市"] * 3)
    result = run(paths, settings=ReviewSettings(scheme=custom_scheme(["金", "银", "铜"])))
    assert result.customers["change"].tolist() == ["up", "same", "down"]
    assert result.grade_changes.drop_duplicates("grade")["grade"].tolist() == ["金", "银", "铜"]


def test_batch_mapping_wins():
    result = run(settings=ReviewSettings(batches={"一线": "星期三"}))
    assert set(result.customers.loc[result.customers["route"] == "一线", "batch"]) == {"星期三"}


def test_gap_to_the_next_grade_from_the_standards():
    rows = run().route_rows.set_index("customer_code")
    # 戊店 CS2 (50 条, 7000 元) → CS1, whose lowest holder in the district has 800 条, 120000 元
    assert rows.loc["330781100005", ["next_grade", "gap_volume", "gap_amount"]].tolist() == [
        "CS1",
        750,
        113000,
    ]
    assert pd.isna(rows.loc["330781100001", "next_grade"])  # CS1 is the top of its segment
    assert pd.isna(rows.loc["330781100002", "next_grade"])  # nobody holds CZ1: no standard to reach
    assert rows.loc["330781100003", "next_grade"] == "CZ2" and pd.isna(rows.loc["330781100003", "gap_volume"])


def test_route_sheets_of_one_layout_are_cleaned_together_yet_cite_their_own_cells():
    from xlcrm.report.visit_workbook import route_sheets

    head = [["客户代码", "客户名称"]]
    sheets = raw_sheets(
        "r.xlsx",
        {
            "一线": head + [["330781100001", "甲"], ["3.30781E+11", "丢位"]],
            "二线": [["备注", "客户代码", "客户名称"], [None, "330781100005", "戊"], ["x", "abc", "坏码"]],
            "六线": head + [["330781100004", "丁"], [None, "无码"], ["合计", None]],
        },
    )
    q = small_quarter()
    routes = routes_from_sheets(sheets)
    result = review_quarter(routes, load_table(q["grades"], GRADES), load_table(q["purchases"], PURCHASES))
    mine = result.issues[result.issues["source"].str.startswith("r.xlsx")]
    source = {
        kind: mine.loc[mine["kind"] == kind, "source"].tolist()
        for kind in ("lost_digits", "bad_code", "missing_code", "total_row")
    }
    assert source == {
        "lost_digits": ["r.xlsx › 一线 › A3"],
        "bad_code": ["r.xlsx › 二线 › B3"],
        "missing_code": ["r.xlsx › 六线 › A3"],
        "total_row": ["r.xlsx › 六线 › 第4行"],
    }
    assert result.route_rows[["route", "excel_row"]].values.tolist() == [
        ["一线", 2],
        ["一线", 3],
        ["二线", 2],
        ["二线", 3],
        ["六线", 2],
        ["六线", 3],
    ]
    # each route sheet shows its own cells, then the added columns (上季等级, 本季等级 …)
    shown = {
        s.name: [[None if pd.isna(v) else v for v in row[:4]] for row in s.table.rows.values.tolist()]
        for s in route_sheets(result, routes)
    }
    assert shown == {
        "一线": [["330781100001", "甲", None, "CS1"], ["3.30781E+11", "丢位", None, None]],
        "二线": [["", "330781100005", "戊", None], ["x", "abc", "坏码", None]],
        "六线": [["330781100004", "丁", None, "XB2"], ["", "无码", None, None]],
    }


def test_a_manager_gets_only_the_district_issues_about_their_customers():
    q = small_quarter()
    data = prepare_district(load_table(q["grades"], GRADES), load_table(q["purchases"], PURCHASES))
    routes = routes_from_sheets(q["routes"])
    on_routes = set(routes.customers["customer_code"].dropna())
    about = data.issues[data.issues["customer_code"].isin(on_routes)]
    assert len(about) and len(about) < len(data.issues)  # the fixture has both kinds
    mine = review_routes(routes, data, all_district_issues=False).issues
    everyone = review_routes(routes, data).issues
    district_sources = set(data.issues["source"])
    assert mine[mine["source"].isin(district_sources)].values.tolist() == about.values.tolist()
    assert everyone[everyone["source"].isin(district_sources)].values.tolist() == data.issues.values.tolist()


def test_a_blank_grade_is_said_as_blank():
    grades = raw_sheets(
        "g.xlsx", {"S": [["客户代码", "客户等级"], ["330781100001", "CS1"], ["330781100002", ""]]}
    )
    routes = raw_sheets("r.xlsx", {"一线": [["客户代码"], ["330781100001"], ["330781100002"]]})
    issues = review(routes, grades, small_quarter()["purchases"]).issues
    blank = issues[issues["kind"] == "blank_grade"]
    assert blank[["customer_code", "source"]].values.tolist() == [["330781100002", "r.xlsx › 一线 › A3"]]
    assert blank["detail"].iloc[0] == "本季等级表中有此客户，但等级为空，无本季等级"


def test_a_quarter_where_no_route_customer_holds_a_grade():
    routes = raw_sheets("r.xlsx", {"一线": [["客户代码"], ["330781199991"]], "二线": [["客户代码"]]})
    result = review(routes, small_quarter()["grades"], small_quarter()["purchases"])
    assert result.customers["change"].tolist() == ["missing"]
    assert result.grade_changes.empty
    assert grade_change_wide(result.grade_changes, result.batches).shape == (0, 18)
    # the route without customers yet still has its weekday
    assert result.sheet_batches == {"一线": "星期一", "二线": "星期二"}
