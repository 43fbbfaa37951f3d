"""Property-based: whole route workbooks as managers keep them, with random structure — sheet
order, hidden and very hidden routes, extra sheets that are not routes (a summary, the grade
table moved in, last quarter's 数据问题, notes, a roster, empty sheets), headers low down under
title rows (merged or not), headers and titles repeated inside a sheet, page numbers, rows
numbered ahead with nobody on them, codes stored every way — written to real .xlsx files and
read as `xlcrm build` reads them, and through the ribbon's file-backed workbook. On each:

- every route customer is in the output exactly once, on its route, with its weekday;
- no customer is invented from a header, a title, a summary or another table;
- every hidden route and every sheet not used is said, and every repeated row is skipped and said;
- the visit workbook is written (no sheet name clash), with each customer once.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from support import raw_sheets, write_xlsx
from xlcrm.core.cleaning import clean_codes
from xlcrm.core.inputs import GRADES, PURCHASES, load_table, routes_from_sheets
from xlcrm.core.quarter import review_quarter
from xlcrm.io.input_files import load_routes
from xlcrm.io.xlsx import write_workbook
from xlcrm.macros.filebook import FileBook
from xlcrm.report.visit_workbook import WRITTEN, workbook_sheets

# route names and the weekday each is visited on, worked out by hand
ROUTE_NAMES = {
    "一线": "星期一",
    "二线": "星期二",
    "六线": "星期一",
    "十一线": "星期一",
    "线路3": "星期三",
    "城区线": "未分批次",
    "一线（周一）": "星期一",
    "四线-周四": "星期四",
    "周三线": "星期三",
    "七线【星期五】": "星期五",
}
CODE_HEADERS = ("客户代码", "客户编码", "客户编号")
OTHER_COLUMNS = ("序号", "客户名称", "负责人", "经营地址", "备注")
TITLES = ("零售客户拜访线路表", "客户经理：张三", "2026年三季度")
STATES = ("visible", "hidden", "veryHidden")
DISTRICT = [f"3307811{i:05d}" for i in range(1, 400)]
GRADE_HEAD = ["客户代码", "客户名称", "业态", "市场类型", "客户等级"]


def stored(code: str, how: int):
    """One code as some export or some manager stored it; every one of these is the code."""
    return [
        code,
        int(code),
        float(code),
        f"{code}.0",
        f"'{code}",
        code.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        f" {code} ",
        f"{code[0]}.{code[1:]}E+{len(code) - 1}",
    ][how]


@dataclass
class Built:
    """A generated route workbook and what it holds, known by construction."""

    sheets: list[tuple[str, list[list], str, str | None]]  # name, rows, state, merged range
    customers: dict[str, str] = field(default_factory=dict)  # code → route
    hidden_routes: set[str] = field(default_factory=set)
    not_routes: set[str] = field(default_factory=set)
    repeated: dict[str, int] = field(default_factory=dict)  # route → rows that repeat a head
    per_route: dict[str, int] = field(default_factory=dict)


@st.composite
def route_sheet(draw, name: str, codes: list[str]):
    """One route: title rows (maybe merged), a blank line or two, the header, customers with
    repeated heads and page numbers pasted in between."""
    titles = draw(st.lists(st.sampled_from(TITLES), max_size=3, unique=True))
    gap = draw(st.integers(0, 2)) if titles else 0
    others = draw(st.lists(st.sampled_from(OTHER_COLUMNS), min_size=1, max_size=4, unique=True))
    header = list(others)
    code_at = draw(st.integers(0, len(header)))
    header.insert(code_at, draw(st.sampled_from(CODE_HEADERS)))
    head_rows = [[t] for t in titles] + [[]] * gap
    rows = [list(r) for r in head_rows] + [header]
    repeated = 0
    for i, code in enumerate(codes):
        if i and draw(st.integers(0, 5)) == 0:  # a page pasted below: page number, titles, header
            extra = [[f"第 {i} 页"]] if draw(st.booleans()) else []
            extra += [[t] for t in titles if draw(st.booleans())] + [list(header)]
            rows += extra
            repeated += len(extra)
        if draw(st.integers(0, 6)) == 0:
            rows.append([])
        row = [f"{name}{i}" if c == "客户名称" else (i + 1 if c == "序号" else "") for c in header]
        row[code_at] = stored(code, draw(st.integers(0, 7)))
        rows.append(row)
    if "序号" in header:  # numbered ahead for customers to come: empty lines, not customers
        for n in range(len(codes), len(codes) + draw(st.integers(0, 3))):
            rows.append([n + 1 if c == "序号" else None for c in header])
    merged = None
    if titles and draw(st.booleans()):
        merged = f"A1:{chr(ord('A') + len(header) - 1)}1" if len(header) > 1 else None
    return rows, repeated, merged


@st.composite
def route_workbooks(draw) -> Built:
    names = draw(st.lists(st.sampled_from(sorted(ROUTE_NAMES)), min_size=1, max_size=4, unique=True))
    pool = draw(st.permutations(DISTRICT[:60]))
    sizes = [draw(st.integers(0, 8)) for _ in names]
    built = Built(sheets=[])
    start = 0
    for name, size in zip(names, sizes):
        codes = list(pool[start : start + size])
        start += size
        rows, repeated, merged = draw(route_sheet(name, codes))
        state = draw(st.sampled_from(STATES))
        built.sheets.append((name, rows, state, merged))
        built.customers |= {c: name for c in codes}
        built.repeated[name] = repeated
        built.per_route[name] = size
        if state != "visible":
            built.hidden_routes.add(name)
    on_routes = sorted(built.customers)
    extras = draw(
        st.lists(
            st.sampled_from(["汇总", "汇总有代码", "全部客户", "等级表", "数据问题", "说明", "Sheet9"]),
            max_size=3,
            unique=True,
        )
    )
    for extra in extras:
        if extra == "全部客户" and not on_routes:
            continue  # a roster of nobody would be a route sheet with no customer: not this test's
        rows = {
            "汇总": [["线路", "客户数"]] + [[n, s] for n, s in zip(names, sizes)],
            "汇总有代码": [["客户代码", "线路"]] + [[c, r] for c, r in built.customers.items()],
            "全部客户": [["客户代码", "客户名称"]]
            + [[c, "店"] for c in on_routes[: draw(st.integers(1, 9))]],
            "等级表": [GRADE_HEAD] + [[c, "店", "超市", "城镇", "CS2"] for c in DISTRICT[200:230]],
            "数据问题": [["数据问题　2026年第三季度　客户经理：张三"], ["问题", "客户代码", "位置", "说明"]]
            + [["购进表中没有", c, "x", "y"] for c in DISTRICT[300:305]],
            "说明": [["本表每季度更新"], ["电话 13800001111"]],
            "Sheet9": [],
        }[extra]
        name = "汇总" if extra == "汇总有代码" else extra
        if name in names or any(s[0] == name for s in built.sheets):
            continue
        state = draw(st.sampled_from(STATES))
        built.sheets.append((name, rows, state, None))
        built.not_routes.add(name)
    order = draw(st.permutations(range(len(built.sheets))))
    built.sheets = [built.sheets[i] for i in order]
    if all(state != "visible" for _, _, state, _ in built.sheets):  # Excel keeps one sheet visible
        name, rows, _, merged = built.sheets[0]
        built.sheets[0] = (name, rows, "visible", merged)
        built.hidden_routes.discard(name)
    return built


def write(built: Built, path: Path) -> Path:
    return write_xlsx(
        path,
        {name: rows for name, rows, _, _ in built.sheets},
        hidden={name: state for name, _, state, _ in built.sheets},
        merge={name: merged for name, _, _, merged in built.sheets if merged},
    )


def district_tables():
    """A grade and a purchase table holding every customer code the workbooks may use."""
    sheets = {
        "grades": {
            "S": [GRADE_HEAD]
            + [[c, "店", "超市", "城镇", ["CS1", "CS2", "CS3"][i % 3]] for i, c in enumerate(DISTRICT)]
        },
        "purchases": {
            "S": [["客户代码", "购进量", "购进额"]] + [[c, i, i * 100] for i, c in enumerate(DISTRICT)]
        },
    }
    grades = load_table(raw_sheets("grades.xlsx", sheets["grades"]), GRADES)
    purchases = load_table(raw_sheets("purchases.xlsx", sheets["purchases"]), PURCHASES)
    return grades, purchases


GRADES_TABLE, PURCHASES_TABLE = district_tables()


def said(issues: pd.DataFrame, kind: str, file: str) -> set[str]:
    """Sheets an issue of this kind names (file › sheet …)."""
    at = issues.loc[issues["kind"] == kind, "source"]
    return {s.split(" › ")[1] for s in at if s.startswith(file)}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(route_workbooks())
def test_any_route_workbook_as_managers_keep_it(built):
    event(f"hidden routes: {len(built.hidden_routes)}; sheets not routes: {len(built.not_routes)}")
    event(f"rows repeating a head: {'some' if any(built.repeated.values()) else 'none'}")
    with tempfile.TemporaryDirectory() as work:
        path = write(built, Path(work) / "线路表.xlsx")
        routes = load_routes(path)
        result = review_quarter(routes, GRADES_TABLE, PURCHASES_TABLE)
        issues = result.issues

        # every route customer exactly once, on its own route, with its weekday; nobody else
        customers = result.customers
        assert sorted(customers["customer_code"].fillna("(无代码)")) == sorted(built.customers)
        assert dict(zip(customers["customer_code"], customers["route"])) == built.customers
        for route, batch in zip(customers["route"], customers["batch"]):
            assert batch == ROUTE_NAMES[route], route
        assert len(result.route_rows) == len(built.customers)

        # what was not a customer or not a route is said, sheet by sheet and row by row
        assert said(issues, "hidden_sheet", path.name) == built.hidden_routes
        assert said(issues, "ignored_sheet", path.name) == built.not_routes
        repeated = issues[issues["kind"] == "repeated_header"]["source"]
        for route, count in built.repeated.items():
            assert sum(s.startswith(f"{path.name} › {route} › ") for s in repeated) == count, route
        assert not {"missing_code", "bad_code", "lost_digits", "duplicate_code"} & set(issues["kind"])

        # the visit workbook: written, each customer on their route's sheet once
        out = Path(work) / "报表.xlsx"
        sheets = workbook_sheets(result, routes)
        write_workbook(sheets, out)
        written = openpyxl.load_workbook(out, read_only=True)
        assert len(written.sheetnames) == len({n.casefold() for n in written.sheetnames})
        for route, size in built.per_route.items():
            (sheet,) = [s for s in sheets if s.title.startswith(f"{route}（{ROUTE_NAMES[route]}）客户拜访表")]
            codes = clean_codes(sheet.table.rows[[c.key for c in sheet.table.columns if c.kind == "code"][0]])
            assert sorted(codes.values) == sorted(c for c, r in built.customers.items() if r == route)
            assert len(sheet.table.rows) == size

        # the ribbon's file-backed workbook reads the same routes by the same rules
        book = FileBook(path)
        again = routes_from_sheets([book.read(n) for n in book.sheet_names()], outputs=WRITTEN)
        assert sorted(zip(again.customers["route"], again.customers["customer_code"])) == sorted(
            zip(routes.customers["route"], routes.customers["customer_code"])
        )
        assert said(again.issues, "hidden_sheet", path.name) == built.hidden_routes
        assert said(again.issues, "ignored_sheet", path.name) == built.not_routes
