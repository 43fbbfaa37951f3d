"""Tests of the sample-data generator (xlcrm.sample), read back with independent tools:
openpyxl for .xlsx, python-calamine for .xls, the csv module for the GBK CSV."""

from __future__ import annotations

import csv
import math
import re
import tempfile
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from xlcrm.demo.sample import (
    GRADE_HEADERS,
    ROUTE_HEADERS,
    TIERS15_BEST_FIRST,
    WEEKDAYS,
    SampleFiles,
    generate,
)

SMALL = dict(route_customers=60, district_factor=5, routes=10)
ROUTE_NAMES = ["一线", "二线", "三线", "四线", "五线", "六线", "七线", "八线", "九线", "十线"]
CELL_KINDS = {
    "code_spaces",
    "code_apostrophe",
    "code_fullwidth",
    "code_number",
    "number_thousands",
    "number_fullwidth",
    "number_spaces",
    "number_blank",
    "bad_number",
    "lost_digits",
    "bad_grade",
    "duplicate_code",
    "total_row",
    "header_row",
    "column_alias",
}
MISSING_KINDS = {"not_in_grades", "not_in_previous", "not_in_purchases"}


# --- independent reading ----------------------------------------------------------------


@lru_cache(maxsize=64)
def _rows_cached(path: str, sheet: str | None) -> tuple[tuple, ...]:
    file = Path(path)
    if file.suffix == ".csv":
        with open(file, encoding="gbk", newline="") as f:
            rows = [list(r) for r in csv.reader(f)]
    elif file.suffix == ".xls":
        book = CalamineWorkbook.from_path(path)
        rows = (book.get_sheet_by_name(sheet) if sheet else book.get_sheet_by_index(0)).to_python()
    else:
        book = openpyxl.load_workbook(file, read_only=True)
        ws = book[sheet] if sheet else book.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        book.close()
    width = max(len(r) for r in rows)
    return tuple(tuple(None if v == "" else v for v in r) + (None,) * (width - len(r)) for r in rows)


def sheet_rows(path: Path, sheet: str | None = None) -> tuple[tuple, ...]:
    """All rows of a sheet (row 1 first); blank cells are None."""
    return _rows_cached(str(path), sheet)


def clean_code(value) -> str | None:
    """A customer code as 12 digits, or None when the cell holds no usable code."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else None
    text = unicodedata.normalize("NFKC", value).strip().lstrip("'")
    return text if re.fullmatch(r"[0-9]{12}", text) else None


def parse_number(value) -> float:
    if value is None:
        return math.nan
    if isinstance(value, (int, float)):
        return float(value)
    text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
    try:
        return float(text) if text else math.nan
    except ValueError:
        return math.nan


def grade_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return str(int(value))
    return value.strip()


def valid_grades(scheme: str) -> set[str]:
    if scheme == "code2008":
        return {m + f + s for m in "CX" for f in "ZCBSNYFQ" for s in "123"}
    if scheme == "tiers30":
        return {str(t) for t in range(1, 31)}
    return set(TIERS15_BEST_FIRST)


def header_index(rows, names=("客户代码", "客户编码")) -> int:
    """0-based index of the first row that holds one of the code column names."""
    return next(i for i, r in enumerate(rows) if any(v in names for v in r))


def read_grades(path: Path, scheme: str) -> dict[str, tuple]:
    """Code → (grade or None if outside the scheme, 业态, 市场类型); the first row wins."""
    rows = sheet_rows(path)
    head = rows[0]
    col = {name: head.index(name) for name in ("客户代码", "客户等级", "业态", "市场类型")}
    found = {}
    for row in rows[1:]:
        code = clean_code(row[col["客户代码"]])
        if code is None or code in found:
            continue
        grade = grade_text(row[col["客户等级"]])
        found[code] = (
            grade if grade in valid_grades(scheme) else None,
            row[col["业态"]],
            row[col["市场类型"]],
        )
    return found


def read_purchases(path: Path) -> dict[str, tuple[float, float]]:
    rows = sheet_rows(path)
    at = header_index(rows)
    head = rows[at]
    code_col = next(i for i, v in enumerate(head) if v in ("客户代码", "客户编码"))
    volume_col, amount_col = head.index("购进量"), head.index("购进额")
    found = {}
    for row in rows[at + 1 :]:
        code = clean_code(row[code_col])
        if code is not None and code not in found:
            found[code] = (parse_number(row[volume_col]), parse_number(row[amount_col]))
    return found


def read_routes(path: Path) -> list[tuple[str | None, str, int]]:
    """(code, route sheet, Excel row) for every customer row of every route sheet."""
    book = openpyxl.load_workbook(path, read_only=True)
    names = book.sheetnames
    book.close()
    out = []
    for name in names:
        for number, row in enumerate(sheet_rows(path, name)[3:], 4):
            if any(v is not None for v in row):
                out.append((clean_code(row[1]), name, number))
    return out


def assert_truth_matches_files(files: SampleFiles, scheme: str):
    """The truth is what an independent, careful reader concludes from the files."""
    truth = files.truth.district
    codes = truth.customer_code.tolist()
    current = read_grades(files.grades, scheme)
    previous = read_grades(files.previous_grades, scheme)
    bought = read_purchases(files.purchases)

    assert set(current) | set(previous) | set(bought) <= set(codes)
    none = (None, None, None)
    # Lists, not pandas comparisons: a missing grade must be None, not NaN.
    assert truth.grade.tolist() == [current.get(c, none)[0] for c in codes]
    assert truth.segment_format.tolist() == [current.get(c, none)[1] for c in codes]
    assert truth.market_type.tolist() == [current.get(c, none)[2] for c in codes]
    assert truth.previous_grade.tolist() == [previous.get(c, none)[0] for c in codes]
    numbers = np.array([bought.get(c, (math.nan, math.nan)) for c in codes])
    np.testing.assert_allclose(truth[["volume", "amount"]].to_numpy(), numbers, atol=0.001)

    expected = files.truth.route_customers
    written = read_routes(files.routes)
    assert written == list(zip(expected.customer_code, expected.route, expected.excel_row))


def cell_at(files: SampleFiles, anomaly) -> tuple[object, tuple]:
    """The raw value of the cell an anomaly points at, and its whole row."""
    path = getattr(files, anomaly.file)
    sheet = None if path.suffix == ".csv" else anomaly.sheet
    rows = sheet_rows(path, sheet)
    head = rows[header_index(rows)]
    row = rows[anomaly.excel_row - 1]
    return row[head.index(anomaly.column)], row


def assert_anomaly_cells(files: SampleFiles, scheme: str):
    """Every cell-level quirk is in the file exactly where the truth says."""
    anomalies = files.truth.anomalies
    route_codes = set(files.truth.route_customers.customer_code)
    for a in anomalies[anomalies.kind.isin(CELL_KINDS)].itertuples():
        value, row = cell_at(files, a)
        kind, code = a.kind, a.customer_code
        if kind == "code_spaces":
            assert value != value.strip() and value.strip() == code
        elif kind == "code_apostrophe":
            assert value == "'" + code
        elif kind == "code_fullwidth":
            assert value != code and unicodedata.normalize("NFKC", value) == code
        elif kind == "code_number":
            assert isinstance(value, (int, float)) and int(value) == int(code)
        elif kind == "number_thousands":
            assert "," in value and not math.isnan(parse_number(value))
        elif kind == "number_fullwidth":
            assert value.isascii() is False and not math.isnan(parse_number(value))
        elif kind == "number_spaces":
            assert value.endswith(" ") and not math.isnan(parse_number(value))
        elif kind == "number_blank":
            assert value is None
        elif kind == "bad_number":
            assert isinstance(value, str) and math.isnan(parse_number(value)) and value == a.detail
        elif kind == "lost_digits":
            assert re.fullmatch(r"[0-9]\.[0-9]{5}E\+[0-9]{2}", value) and code in route_codes
            assert value == f"{int(code):.5E}"
        elif kind == "bad_grade":
            assert grade_text(value) not in valid_grades(scheme) and code in route_codes
        elif kind == "total_row":
            assert "合计" in row and a.excel_row == len(
                sheet_rows(
                    getattr(files, a.file),
                    None if a.file == "purchases" and files.purchases.suffix == ".csv" else a.sheet,
                )
            )
        elif kind == "duplicate_code":
            assert clean_code(value) == code
            if a.file == "routes":
                assert (files.truth.route_customers.customer_code == code).sum() == 2
            else:
                rows = sheet_rows(files.grades)
                earlier = [r for r in rows[1 : a.excel_row - 1] if clean_code(r[0]) == code]
                assert len(earlier) == 1 and earlier[0][7] != row[7]  # conflicting grade
        elif kind in ("header_row", "column_alias"):
            assert value == "客户编码" and a.excel_row == 3
        if kind in (
            "code_spaces",
            "code_apostrophe",
            "code_fullwidth",
            "number_thousands",
            "number_fullwidth",
            "number_spaces",
        ):
            assert value == a.detail


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> SampleFiles:
    return generate(tmp_path_factory.mktemp("mixed"), **SMALL, seed=7)


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> SampleFiles:
    return generate(tmp_path_factory.mktemp("clean"), **SMALL, seed=7, quirks=False)


@pytest.fixture(scope="module")
def all_xlsx(tmp_path_factory) -> SampleFiles:
    return generate(tmp_path_factory.mktemp("xlsx"), **SMALL, seed=11, layout="xlsx", scheme="tiers30")


@pytest.fixture(scope="module")
def larger(tmp_path_factory) -> SampleFiles:
    return generate(
        tmp_path_factory.mktemp("larger"), route_customers=400, district_factor=5, seed=3, scheme="tiers15"
    )


# --- files and layouts ------------------------------------------------------------------


def test_file_names_and_formats(mixed, all_xlsx):
    assert mixed.routes.name == "零售客户拜访线路表.xlsx"
    assert mixed.grades.name == "2026年三季度客户等级表.xlsx"
    assert mixed.previous_grades.name == "2026年二季度客户等级表.xls"
    assert mixed.purchases.name == "2026年三季度客户购进量与购进额.csv"
    assert mixed.previous_grades.read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")  # OLE2: .xls
    raw = mixed.purchases.read_bytes()
    raw.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really GBK, not UTF-8
    assert raw.count(b"\r\n") == len(sheet_rows(mixed.purchases))
    for path in (all_xlsx.routes, all_xlsx.grades, all_xlsx.previous_grades, all_xlsx.purchases):
        assert path.suffix == ".xlsx" and path.read_bytes()[:2] == b"PK"


def test_sizes(mixed, clean):
    for files, duplicates in ((mixed, 1), (clean, 0)):
        district, routes = files.truth.district, files.truth.route_customers
        assert len(district) == 60 * 5 and district.customer_code.is_unique
        assert district.customer_code.str.fullmatch(r"[0-9]{12}").all()
        assert routes.customer_code.nunique() == 60
        assert len(routes) == 60 + duplicates
        assert set(routes.customer_code) <= set(district.customer_code)
        per_route = routes.drop_duplicates("customer_code").groupby("route").size()
        assert per_route.max() - per_route.min() <= 1  # spread evenly


def test_route_workbook_layout(mixed):
    book = openpyxl.load_workbook(mixed.routes)
    assert book.sheetnames == ROUTE_NAMES
    for n, name in enumerate(book.sheetnames, 1):
        ws = book[name]
        assert [str(r) for r in ws.merged_cells.ranges] == ["A1:G1"]
        assert ws["A1"].value == "零售客户拜访线路表"
        assert ws["A2"].value == f"客户经理：张三    线路：{name}    访销日：{WEEKDAYS[(n - 1) % 5]}"
        assert tuple(c.value for c in ws[3]) == ROUTE_HEADERS
        for row in range(4, ws.max_row + 1):
            assert ws.cell(row, 1).value == row - 3  # 序号
            assert ws.cell(row, 2).data_type == "s"  # codes are text cells
            assert re.fullmatch(r"1[0-9]{10}", ws.cell(row, 6).value)  # a mobile number
            assert ws.cell(row, 3).value and ws.cell(row, 4).value and ws.cell(row, 5).value


def test_more_routes_are_named_on(tmp_path):
    files = generate(tmp_path, route_customers=24, district_factor=2, routes=12, quirks=False)
    book = openpyxl.load_workbook(files.routes, read_only=True)
    assert book.sheetnames[9:] == ["十线", "十一线", "十二线"]
    assert sheet_rows(files.routes, "十一线")[1][0].endswith("访销日：星期一")
    book.close()


def test_grade_table_layout(mixed, all_xlsx):
    for files in (mixed, all_xlsx):
        for path in (files.grades, files.previous_grades):
            rows = sheet_rows(path)
            assert rows[0] == GRADE_HEADERS
            numeric = {
                a.excel_row
                for a in files.truth.anomalies.itertuples()
                if a.kind == "code_number" and getattr(files, a.file) == path
            }
            for number, row in enumerate(rows[1:], 2):
                if row[0] == "合计":
                    assert path == files.grades and number == len(rows)
                    continue
                assert isinstance(row[0], str) or number in numeric
                assert row[5] in ("城镇", "乡村") and row[4] and row[9]
    assert sheet_rows(mixed.grades)[-1][0] == "合计"
    assert "合计" not in {r[0] for r in sheet_rows(mixed.previous_grades)}


def test_purchase_table_header_on_row_3(mixed, all_xlsx):
    for files in (mixed, all_xlsx):
        rows = sheet_rows(files.purchases)
        assert rows[0][0] == "客户购进量与购进额统计"
        assert rows[1][0] == "统计期间：2026-07-01至2026-09-30"
        assert rows[2] == ("客户编码", "客户名称", "购进量", "购进额")
        assert rows[-1][1] == "合计"
        total = parse_number(rows[-1][2])
        assert total >= np.nansum(files.truth.district.volume) > 0


def test_purchases_cover_most_of_the_district(larger):
    district = larger.truth.district
    assert 0.94 < district.volume.notna().mean() < 0.99


# --- quirks -----------------------------------------------------------------------------


def test_every_quirk_kind_is_present(mixed):
    kinds = set(mixed.truth.anomalies.kind)
    assert kinds == CELL_KINDS | MISSING_KINDS
    counts = mixed.truth.anomalies.groupby(["kind", "file"]).size()
    assert counts[("total_row", "grades")] == 1 and counts[("total_row", "purchases")] == 1
    assert counts[("duplicate_code", "grades")] >= 1 and counts[("duplicate_code", "routes")] >= 1


def test_quirk_counts_scale_with_size(mixed, larger):
    small = mixed.truth.anomalies.kind.value_counts()
    big = larger.truth.anomalies.kind.value_counts()
    for kind in ("code_spaces", "number_blank", "not_in_grades", "not_in_purchases"):
        assert big[kind] > small[kind] >= 1


@pytest.mark.parametrize("which", ["mixed", "all_xlsx", "larger"])
def test_quirks_are_where_the_truth_says(which, request):
    files = request.getfixturevalue(which)
    scheme = {"mixed": "code2008", "all_xlsx": "tiers30", "larger": "tiers15"}[which]
    assert_anomaly_cells(files, scheme)


def test_missing_customers_are_listed(mixed):
    truth, anomalies = mixed.truth, mixed.truth.anomalies
    district = truth.district.set_index("customer_code")
    on_route = set(truth.route_customers.customer_code)
    listed = {kind: set(anomalies.customer_code[anomalies.kind == kind]) for kind in anomalies.kind.unique()}
    current = read_grades(mixed.grades, "code2008")
    previous = read_grades(mixed.previous_grades, "code2008")
    bought = read_purchases(mixed.purchases)
    assert listed["not_in_grades"] == on_route - set(current)
    assert listed["not_in_previous"] == on_route - set(previous)
    assert listed["not_in_purchases"] == on_route - set(bought) - listed["lost_digits"]
    # New customers are in no grade table but still buy; every missing grade is explained.
    assert listed["not_in_grades"] <= listed["not_in_previous"]
    assert listed["not_in_grades"] <= set(bought)
    no_grade = {c for c in on_route if district.grade[c] is None}
    assert no_grade == listed["not_in_grades"] | listed["bad_grade"]
    no_volume = {c for c in on_route if math.isnan(district.volume[c])}
    explained = listed["not_in_purchases"] | listed["lost_digits"]
    explained |= {
        a.customer_code
        for a in anomalies.itertuples()
        if a.kind in ("number_blank", "bad_number") and a.column == "购进量"
    }
    assert no_volume <= explained
    assert anomalies.loc[anomalies.kind.isin(MISSING_KINDS), "excel_row"].isna().all()


@pytest.mark.parametrize("which", ["mixed", "clean", "all_xlsx", "larger"])
def test_truth_is_what_a_careful_reader_concludes(which, request):
    files = request.getfixturevalue(which)
    scheme = {"mixed": "code2008", "clean": "code2008", "all_xlsx": "tiers30", "larger": "tiers15"}[which]
    assert_truth_matches_files(files, scheme)


def test_clean_files_have_no_quirks(clean):
    assert clean.truth.anomalies.empty
    assert list(clean.truth.anomalies.columns) == [
        "kind",
        "customer_code",
        "file",
        "sheet",
        "excel_row",
        "column",
        "detail",
    ]
    for path in (clean.grades, clean.previous_grades):
        rows = sheet_rows(path)
        assert rows[0] == GRADE_HEADERS
        assert all(isinstance(r[0], str) and re.fullmatch(r"[0-9]{12}", r[0]) for r in rows[1:])
        assert all(grade_text(r[7]) in valid_grades("code2008") for r in rows[1:])
    rows = sheet_rows(clean.purchases)
    assert rows[0] == ("客户代码", "客户名称", "购进量", "购进额")
    for code, volume, amount in (r[:1] + r[2:] for r in rows[1:]):
        assert re.fullmatch(r"[0-9]{12}", code)
        assert re.fullmatch(r"[0-9]+", volume) and re.fullmatch(r"[0-9]+\.[0-9]{2}", amount)
    for path in (clean.routes,):
        for code, _, _ in read_routes(path):
            assert code is not None
    assert not any("合计" in r for r in rows)
    on_route = clean.truth.district[
        clean.truth.district.customer_code.isin(clean.truth.route_customers.customer_code)
    ]
    assert on_route.grade.notna().all() and on_route.previous_grade.notna().all()
    assert on_route.volume.notna().all() and on_route.amount.notna().all()


def test_clean_xlsx_purchases_are_numbers(tmp_path):
    files = generate(tmp_path, route_customers=30, district_factor=2, layout="xlsx", quirks=False)
    rows = sheet_rows(files.purchases)
    assert rows[0][0] == "客户代码"
    assert all(isinstance(r[2], int) and isinstance(r[3], (int, float)) for r in rows[1:])


# --- grades -----------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["code2008", "tiers30", "tiers15"])
def test_schemes_give_valid_grades_that_follow_volume(scheme, tmp_path):
    files = generate(tmp_path, route_customers=100, district_factor=10, scheme=scheme, quirks=False, seed=5)
    district = files.truth.district
    assert district.grade.isin(valid_grades(scheme)).all()
    assert district.previous_grade.dropna().isin(valid_grades(scheme)).all()
    if scheme == "code2008":
        market = district.grade.str[0].map({"C": "城镇", "X": "乡村"})
        assert (market == district.market_type).all()
        segment = district.grade.str[1].map(
            dict(
                zip(
                    "ZCBSNYFQ",
                    ["食杂店", "食杂店", "便利店", "超市", "商场", "烟酒商店", "娱乐服务类", "其他"],
                )
            )
        )
        assert (segment == district.segment_format).all()
        rank = 3 - district.grade.str[2].astype(int)  # digit 1 is the best
    elif scheme == "tiers30":
        rank = district.grade.astype(int)
        assert isinstance(sheet_rows(files.grades)[1][7], int)  # stored as numbers …
        assert isinstance(sheet_rows(files.previous_grades)[1][7], str)  # … and as text
    else:
        rank = district.grade.map({g: -i for i, g in enumerate(TIERS15_BEST_FIRST)})
    assert district.segment_format.isin(
        ["食杂店", "便利店", "超市", "商场", "烟酒商店", "娱乐服务类", "其他"]
    ).all()
    assert rank.rank().corr(district.volume.rank()) > 0.4  # Spearman: Pearson on ranks, no scipy
    price = (district.amount / district.volume).dropna()
    assert price.between(119.99, 250.01).all()


def test_previous_quarter_mostly_keeps_its_grade(larger):
    district = larger.truth.district.dropna(subset=["grade", "previous_grade"])
    rank = {g: -i for i, g in enumerate(TIERS15_BEST_FIRST)}
    move = district.previous_grade.map(rank) - district.grade.map(rank)
    assert 0.80 < (move == 0).mean() < 0.90
    assert 0.05 < (move > 0).mean() < 0.11  # the previous grade was better
    assert 0.04 < (move < 0).mean() < 0.10
    absent = larger.truth.district.previous_grade.isna() & larger.truth.district.grade.notna()
    assert 0 < absent.sum() < 0.05 * len(larger.truth.district)


def test_code2008_format_changes_are_rare(tmp_path):
    files = generate(tmp_path, route_customers=400, district_factor=5, quirks=False, seed=2)
    district = files.truth.district.dropna(subset=["previous_grade"])
    changed = district.grade.str[:2] != district.previous_grade.str[:2]
    assert 0 < changed.mean() < 0.03


# --- determinism and arguments ----------------------------------------------------------


def test_same_seed_same_files(tmp_path):
    runs = [generate(tmp_path / str(k), route_customers=30, district_factor=3, seed=42) for k in range(2)]
    for field in ("routes", "grades", "previous_grades", "purchases"):
        first, second = getattr(runs[0], field), getattr(runs[1], field)
        assert first.read_bytes() == second.read_bytes(), field
    for name in openpyxl.load_workbook(runs[0].routes, read_only=True).sheetnames:
        assert sheet_rows(runs[0].routes, name) == sheet_rows(runs[1].routes, name)
    assert sheet_rows(runs[0].previous_grades) == sheet_rows(runs[1].previous_grades)
    for field in ("district", "route_customers", "anomalies"):
        pd.testing.assert_frame_equal(getattr(runs[0].truth, field), getattr(runs[1].truth, field))
    other = generate(tmp_path / "other", route_customers=30, district_factor=3, seed=43)
    assert other.purchases.read_bytes() != runs[0].purchases.read_bytes()


def test_xlsx_layout_is_deterministic_too(tmp_path):
    runs = [
        generate(tmp_path / str(k), route_customers=30, district_factor=2, seed=1, layout="xlsx")
        for k in range(2)
    ]
    for field in ("routes", "grades", "previous_grades", "purchases"):
        assert getattr(runs[0], field).read_bytes() == getattr(runs[1], field).read_bytes(), field


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(scheme="tiers99"),
        dict(layout="ods"),
        dict(routes=0),
        dict(routes=100),
        dict(route_customers=5, routes=10),
        dict(route_customers=10, quirks=True),
        dict(district_factor=0),
        dict(route_customers=20_000, district_factor=5, layout="mixed"),  # beyond .xls rows
    ],
)
def test_bad_arguments_are_refused(kwargs, tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, **kwargs)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10**6),
    scheme=st.sampled_from(["code2008", "tiers30", "tiers15"]),
    layout=st.sampled_from(["mixed", "xlsx"]),
    quirks=st.booleans(),
    routes=st.integers(1, 12),
    route_customers=st.integers(20, 45),
    district_factor=st.integers(1, 4),
)
def test_any_arguments_give_consistent_files(
    seed, scheme, layout, quirks, routes, route_customers, district_factor
):
    with tempfile.TemporaryDirectory() as out:
        files = generate(
            out,
            route_customers=route_customers,
            district_factor=district_factor,
            routes=routes,
            scheme=scheme,
            seed=seed,
            quirks=quirks,
            layout=layout,
        )
        assert len(files.truth.district) == route_customers * district_factor
        assert_truth_matches_files(files, scheme)
        assert_anomaly_cells(files, scheme)
        assert files.truth.anomalies.empty != quirks
        _rows_cached.cache_clear()
