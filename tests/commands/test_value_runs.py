"""Value classes end to end: `xlcrm build` and `xlcrm batch` with --orders on generated data
whose order history is known (demo.orders), checked against an independent reckoning — ABC by
exact fractions over the amounts each customer is shown with, RFM by statistics.median over the
order lines as written — in values.csv, alerts.csv, issues.csv and the workbooks (read back
with openpyxl)."""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from support import input_args
from xlcrm.commands import cli
from xlcrm.demo.department import department
from xlcrm.demo.orders import sample_orders
from xlcrm.demo.sample import generate

GROUPS = {
    "HHH": "重要价值客户",
    "HLH": "重要发展客户",
    "LHH": "重要保持客户",
    "LLH": "重要挽留客户",
    "HHL": "一般价值客户",
    "HLL": "一般发展客户",
    "LHL": "一般保持客户",
    "LLL": "一般挽留客户",
}


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def abc(amounts: dict[str, str | None]) -> dict[str, str]:
    """code → class: by amount descending, then code; A while the share before is under 70 %."""
    have = {c: Fraction(a) for c, a in amounts.items() if a not in (None, "")}
    total = sum(have.values())
    out, before = {c: "C" for c in amounts}, Fraction(0)
    for code in sorted(have, key=lambda c: (-have[c], c)):
        if total > 0:
            share = before / total
            out[code] = "A" if share < Fraction(7, 10) else "B" if share < Fraction(9, 10) else "C"
        before += have[code]
    return out


def rfm(lines: pd.DataFrame, codes: list[str], as_of: dt.date) -> dict[str, dict]:
    """code → last order date, recency, order days, monetary (Decimal) and group; from the
    clean lines written (NaT: a date that is no date; NaN: an amount that is none)."""
    mine = lines[lines["customer_code"].isin(codes) & lines["order_date"].notna()]
    mine = mine[mine["order_date"] <= pd.Timestamp(as_of)]
    found = {}
    for code, got in mine.groupby("customer_code"):
        last = got["order_date"].max().date()
        money = sum((Decimal(f"{a:.2f}") for a in got["amount"] if a == a), Decimal(0))
        found[code] = {
            "last": last,
            "recency": (as_of - last).days,
            "frequency": got["order_date"].nunique(),
            "monetary": money,
        }
    if found:
        r, f, m = (
            statistics.median(x[k] for x in found.values()) for k in ("recency", "frequency", "monetary")
        )
        for x in found.values():
            key = ("H" if x["recency"] <= r else "L") + ("H" if x["frequency"] >= f else "L")
            x["group"] = GROUPS[key + ("H" if x["monetary"] >= m else "L")]
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("values")
    sample = generate(folder / "inputs", route_customers=300, seed=21)
    orders = sample_orders(folder / "inputs" / "订单明细.csv", sample.truth, seed=21)
    out, exports = folder / "报表.xlsx", folder / "csv"
    argv = ["build", "-q", *input_args(sample), "--orders", str(orders.path)]
    argv += ["--as-of", orders.as_of.isoformat(), "--out", str(out), "--export-dir", str(exports)]
    assert cli.main(argv) == 0
    return sample, orders, out, exports


def test_values_csv_against_the_order_history_as_written(built):
    _, orders, _, exports = built
    customers = read_csv(exports / "customers.csv")
    values = read_csv(exports / "values.csv")
    assert list(values[0]) == [
        "customer_code",
        "abc_class",
        "amount",
        "last_order_date",
        "recency_days",
        "frequency",
        "monetary",
        "rfm_segment",
    ]
    # one row per route customer, in customers.csv's order
    assert [v["customer_code"] for v in values] == [c["customer_code"] for c in customers]
    assert [v["amount"] for v in values] == [c["amount"] for c in customers]
    expected_abc = abc({c["customer_code"]: c["amount"] for c in customers})
    assert {v["customer_code"]: v["abc_class"] for v in values} == expected_abc
    codes = [c["customer_code"] for c in customers if c["customer_code"]]
    truth = rfm(orders.lines, codes, orders.as_of)
    assert 0 < len(truth) < len(codes)  # some route customers never order
    for row in values:
        t = truth.get(row["customer_code"])
        if t is None:
            assert [row[k] for k in ("last_order_date", "recency_days", "frequency", "monetary")] == [""] * 4
            assert row["rfm_segment"] == "无订货"
            continue
        assert row["last_order_date"] == t["last"].isoformat()
        assert int(row["recency_days"]) == t["recency"] and int(row["frequency"]) == t["frequency"]
        assert Decimal(row["monetary"]).quantize(Decimal("0.01")) == t["monetary"]
        assert row["rfm_segment"] == t["group"], row["customer_code"]


def test_the_no_order_alert_against_the_order_history(built):
    _, orders, _, exports = built
    customers = read_csv(exports / "customers.csv")
    codes = [c["customer_code"] for c in customers if c["customer_code"]]
    truth = rfm(orders.lines, codes, orders.as_of)
    expected = {c for c in codes if c not in truth or truth[c]["recency"] >= 14}
    alerts = [a for a in read_csv(exports / "alerts.csv") if a["kind"] == "no_order"]
    assert {a["customer_code"] for a in alerts} == expected  # 14 days exactly: test_value_edges
    assert any(c in truth for c in expected) and any(c not in truth for c in expected)


def test_order_problems_are_listed_at_their_cells(built):
    _, orders, _, exports = built
    issues = {(i["kind"], i["source"]) for i in read_csv(exports / "issues.csv")}
    name = orders.path.name
    column = {"订货日期": "B", "订货金额": "D"}
    expected = {
        "bad_date": "bad_date",
        "blank_date": "bad_date",
        "bad_amount": "bad_number",
        "blank_amount": "bad_number",
    }
    for a in orders.anomalies.itertuples():
        if a.kind in expected:
            assert (expected[a.kind], f"{name} › {column[a.column]}{a.excel_row}") in issues, a
    said = [i["detail"] for i in read_csv(exports / "issues.csv") if i["kind"] == "orders_not_counted"]
    assert any(d.startswith("5 行订单的订货日期晚于计算日期 2026-09-30") for d in said), said
    assert any("不在您的线路上" in d for d in said), said
    # the codes written oddly still count: their lines are in their customers' figures
    odd = orders.anomalies[orders.anomalies["kind"].isin(["code_float", "code_apostrophe"])]
    found = {v["customer_code"]: v for v in read_csv(exports / "values.csv")}
    for code in odd["customer_code"]:
        if code in found:
            assert found[code]["frequency"] != ""


def header_columns(sheet) -> dict[str, int]:
    row = next(r for r in range(1, 6) if sheet.cell(r, 2).value == "客户代码")
    return {str(c.value).replace("\n", ""): c.column for c in sheet[row] if c.value}, row


def test_route_sheets_and_the_cover_show_the_classes(built):
    _, _, out, exports = built
    values = {v["customer_code"]: v for v in read_csv(exports / "values.csv")}
    book = openpyxl.load_workbook(out)
    seen = 0
    for name in book.sheetnames:
        if not name.endswith("线"):
            continue
        sheet = book[name]
        columns, head = header_columns(sheet)
        assert list(columns)[-3:] == ["ABC分类", "价值分群", "本次拜访"]  # the handwriting column
        for r in range(head + 1, sheet.max_row + 1):
            code = sheet.cell(r, columns["客户代码"]).value
            if code is None or str(code) not in values:
                continue
            v = values[str(code)]
            assert sheet.cell(r, columns["ABC分类"]).value == v["abc_class"]
            assert sheet.cell(r, columns["价值分群"]).value == v["rfm_segment"]
            seen += 1
    assert seen >= len(values) - 2  # every coded route customer (a duplicate row shows twice)
    cover = book["汇总"]
    rows = {
        r[0]: r
        for r in cover.iter_rows(values_only=True)
        if r[0] in ("A 类", "B 类", "C 类") or r[0] in GROUPS.values()
    }
    counts = {c: sum(1 for v in values.values() if v["abc_class"] == c) for c in "ABC"}
    assert [rows[f"{c} 类"][1] for c in "ABC"] == [counts[c] for c in "ABC"]
    assert [rows[f"{c} 类"][4] for c in "ABC"] == ["重点维护", "定期回访", "常规服务"]
    total = sum(Decimal(v["amount"]) for v in values.values() if v["amount"])
    a_share = (
        sum(Decimal(v["amount"]) for v in values.values() if v["abc_class"] == "A" and v["amount"]) / total
    )
    assert abs(rows["A 类"][3] - float(a_share)) < 1e-9
    assert cover.cell(1, 1).value.startswith("客户等级季度汇总")
    for group in GROUPS.values():
        assert rows[group][1] == sum(1 for v in values.values() if v["rfm_segment"] == group)
    share_cell = next(c for row in cover.iter_rows() for c in row if c.value == rows["A 类"][3])
    assert share_cell.number_format == "0.0%"


def test_without_orders_only_abc(tmp_path, small_inputs):
    exports = tmp_path / "csv"
    out = tmp_path / "o.xlsx"
    assert (
        cli.main(["build", "-q", *input_args(small_inputs), "--out", str(out), "--export-dir", str(exports)])
        == 0
    )
    values = read_csv(exports / "values.csv")
    assert {v["abc_class"] for v in values} == {"A", "B", "C"}
    assert all(
        v[k] == ""
        for v in values
        for k in ("last_order_date", "recency_days", "frequency", "monetary", "rfm_segment")
    )
    assert not [a for a in read_csv(exports / "alerts.csv") if a["kind"] == "no_order"]
    columns, _ = header_columns(openpyxl.load_workbook(out)["一线"])
    assert "ABC分类" in columns and "价值分群" not in columns


@pytest.mark.parametrize(
    "extra, said",
    [
        (["--abc", "0.9,0.7"], "--abc：ABC 分类比例“0.9,0.7”看不懂"),
        (["--abc", "70,90"], "--abc："),
        (["--no-order-days", "0"], "--no-order-days：未订货提醒天数“0”应是不小于 1 的整数天数"),
    ],
)
def test_wrong_value_options_are_one_chinese_line(small_inputs, tmp_path, capsys, extra, said):
    code = cli.main(["build", "-q", *input_args(small_inputs), "--out", str(tmp_path / "o.xlsx"), *extra])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and said in err, err
    assert not (tmp_path / "o.xlsx").exists()


def test_orders_given_as_another_input_are_a_wrong_choice(small_inputs, tmp_path, capsys):
    argv = ["build", "-q", *input_args(small_inputs), "--orders", str(small_inputs["purchases"])]
    assert cli.main([*argv, "--out", str(tmp_path / "o.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "既作购进表（--purchases）又作订单明细（--orders）" in err


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dept_values")
    made = department(folder, managers=3, customers_per_manager=60, seed=23)
    orders = sample_orders(folder / "订单明细.csv", made.sample.truth, seed=23)
    s = made.sample
    argv = ["batch", "-q", "--grades", str(s.grades), "--purchases", str(s.purchases)]
    argv += ["--previous-grades", str(s.previous_grades), "--routes-dir", str(made.routes_dir)]
    argv += [
        "--orders",
        str(orders.path),
        "--as-of",
        orders.as_of.isoformat(),
        "--out-dir",
        str(folder / "out"),
    ]
    argv += ["--workers", "2"]
    assert cli.main(argv) == 0
    return made, orders, folder / "out"


def route_customers(path: Path) -> dict[str, dict]:
    """code → amount, ABC分类 and 价值分群 as a manager's route sheets show them."""
    found = {}
    book = openpyxl.load_workbook(path)
    for name in book.sheetnames:
        if not name.endswith("线"):
            continue
        sheet = book[name]
        columns, head = header_columns(sheet)
        for r in range(head + 1, sheet.max_row + 1):
            code = sheet.cell(r, columns["客户代码"]).value
            if code is not None and str(code).isdigit():
                amount = sheet.cell(r, columns["购进额"]).value
                found[str(code)] = {
                    "amount": None if amount is None else repr(float(amount)),
                    "abc": sheet.cell(r, columns["ABC分类"]).value,
                    "group": sheet.cell(r, columns["价值分群"]).value,
                }
    return found


def test_batch_classes_each_manager_over_their_own_customers(batch):
    made, orders, out = batch
    summary = openpyxl.load_workbook(out / "部门汇总.xlsx")["部门汇总"]
    header = [str(c.value).replace("\n", "") for c in summary[2]]
    by_manager = {r[0]: dict(zip(header, r)) for r in summary.iter_rows(min_row=3, values_only=True) if r[0]}
    for manager in made.managers:
        shown = route_customers(out / f"{manager}.xlsx")
        assert shown, manager
        assert {c: v["abc"] for c, v in shown.items()} == abc({c: v["amount"] for c, v in shown.items()})
        truth = rfm(orders.lines, list(shown), orders.as_of)  # medians over this manager's customers
        assert {c: v["group"] for c, v in shown.items()} == {
            c: truth[c]["group"] if c in truth else "无订货" for c in shown
        }
        row = by_manager[manager]
        for c in "ABC":
            assert row[f"{c}类客户"] == sum(1 for v in shown.values() if v["abc"] == c)
        late = sum(1 for c in shown if c not in truth or truth[c]["recency"] >= 14)
        assert row["久未订货"] == late
    assert by_manager["合计"]["A类客户"] == sum(by_manager[m]["A类客户"] for m in made.managers)


def test_batch_lists_order_problems_once_and_each_manager_theirs(batch):
    made, orders, out = batch
    issues = list(
        openpyxl.load_workbook(out / "部门汇总.xlsx")["数据问题（辖区表）"].iter_rows(values_only=True)
    )
    sources = {r[2] for r in issues if r[2]}
    for a in orders.anomalies.itertuples():
        if a.kind in ("bad_date", "blank_date", "bad_amount", "blank_amount"):
            letter = "B" if a.column == "订货日期" else "D"
            assert f"{orders.path.name} › {letter}{a.excel_row}" in sources, a
    details = [r[3] for r in issues if r[0] == "订单未计入"]
    assert any("不在任何客户经理的线路上" in d for d in details), details
    # a manager sees the order problems about their own customers only
    for manager in made.managers:
        shown = route_customers(out / f"{manager}.xlsx")
        rows = list(openpyxl.load_workbook(out / f"{manager}.xlsx")["数据问题"].iter_rows(values_only=True))
        mine = [r for r in rows if r[2] and str(r[2]).startswith(orders.path.name)]
        assert all(str(r[1]) in shown for r in mine), manager
