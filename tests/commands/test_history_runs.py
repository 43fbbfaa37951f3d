"""The customer store from the command line, over five generated quarters: history.csv and
alerts.csv against values computed here from the generator's truth, recording again and out
of order, past quarters imported, cards, and a department recorded in one transaction."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import openpyxl
import pytest

from xlcrm.commands import cli
from xlcrm.core.quarters import Quarter
from xlcrm.demo.quarters import generate_quarters
from xlcrm.report.cards import CARD_ROWS

SIZE = {"1": 3, "2": 2, "3": 1}  # the 2008 code's size digit: 1 大 is the best


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return generate_quarters(tmp_path_factory.mktemp("quarters"), seed=5)


def build(files, store, out: Path, *extra: str) -> int:
    return cli.main(
        [
            "build",
            "-q",
            "--routes",
            str(files.routes),
            "--grades",
            str(files.grades),
            "--purchases",
            str(files.purchases),
            "--out",
            str(out / "报表.xlsx"),
            "--export-dir",
            str(out / "csv"),
            "--store",
            str(store),
            *extra,
        ]
    )


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def header_row(sheet) -> int:
    return next(r for r in range(1, 10) if "客户代码" in [c.value for c in sheet[r]])


def number(text: str) -> float | None:
    return float(text) if text != "" else None


# --- what the files must say, computed from the truth -------------------------------------------


def expected_history(sample, upto: int) -> list[tuple]:
    quarters = sorted(q for q in sample.district if q <= upto)[-8:]
    codes = set(sample.routes[upto]["customer_code"])
    rows = []
    for q in quarters:
        for r in sample.district[q].itertuples():
            if r.customer_code in codes and isinstance(r.grade, str):
                volume = None if math.isnan(r.volume) else r.volume
                amount = None if math.isnan(r.amount) else r.amount
                rows.append((r.customer_code, Quarter.from_index(q).code, r.grade, r.segment, volume, amount))
    return sorted(rows, key=lambda row: (row[0], row[1]))


def level(grade) -> int | None:
    return SIZE[grade[-1]] if isinstance(grade, str) else None


def expected_alerts(sample, q: int, recorded: set[int]) -> set[tuple[str, str]]:
    d = {k: v.set_index("customer_code") for k, v in sample.district.items()}
    routes = sample.routes[q]
    found = set()
    for code in routes["customer_code"]:
        lv = {k: level(d[k].at[code, "grade"]) for k in (q - 3, q - 2, q - 1, q) if k in recorded}
        if lv.get(q) is not None and lv.get(q - 1) is not None and lv[q] < lv[q - 1]:
            found.add((code, "fell"))
        if all(lv.get(k) is not None for k in (q - 2, q - 1, q)) and lv[q - 2] > lv[q - 1] > lv[q]:
            found.add((code, "down_twice"))
        if (
            q - 1 in recorded
            and isinstance(d[q].at[code, "grade"], str)
            and isinstance(d[q - 1].at[code, "grade"], str)
        ):
            now, before = d[q].at[code, "volume"], d[q - 1].at[code, "volume"]
            if not math.isnan(now) and not math.isnan(before) and before > 0 and now * 10 <= before * 7:
                found.add((code, "volume_drop"))
        grades = [d[k].at[code, "grade"] for k in (q - 3, q - 2, q - 1, q) if k in recorded]
        if len(grades) == 4 and isinstance(grades[0], str) and len(set(grades)) == 1:
            this = d[q]
            holders = this[(this["grade"] == grades[0]) & this["volume"].notna()]
            if d[q].at[code, "volume"] < 1.1 * holders["volume"].min():
                found.add((code, "long_holder_at_risk"))
    if q - 1 in recorded:
        left = set(sample.routes[q - 1]["customer_code"]) - set(routes["customer_code"])
        found |= {(code, "left_routes") for code in left}
    return found


# --- the runs -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def in_order(sample, tmp_path_factory):
    """Every quarter built and recorded in calendar order; each build's outputs kept."""
    root = tmp_path_factory.mktemp("in_order")
    store = root / "客户档案库.db"
    outs = []
    for files in sample.files:
        out = root / files.quarter.code
        assert build(files, store, out) == 0
        outs.append(out)
    return store, outs


def test_history_csv_is_the_recorded_quarters_of_this_builds_customers(sample, in_order):
    _, outs = in_order
    for files, out in zip(sample.files, outs):
        rows = [
            (
                r["customer_code"],
                r["quarter"],
                r["grade"],
                r["segment"],
                number(r["volume"]),
                number(r["amount"]),
            )
            for r in read(out / "csv" / "history.csv")
        ]
        assert rows == expected_history(sample, files.quarter.index), files.quarter


def test_alerts_csv_finds_every_kind_as_defined(sample, in_order):
    _, outs = in_order
    recorded: set[int] = set()
    for files, out in zip(sample.files, outs):
        recorded.add(files.quarter.index)
        found = {(r["customer_code"], r["kind"]) for r in read(out / "csv" / "alerts.csv")}
        assert found == expected_alerts(sample, files.quarter.index, recorded), files.quarter
    last = {(r["customer_code"], r["kind"]) for r in read(outs[-1] / "csv" / "alerts.csv")}
    for kind in ("down_twice", "volume_drop", "long_holder_at_risk", "left_routes"):
        assert {(c, kind) for c in sample.planted[kind]} <= last, kind
    assert (
        not {(c, "volume_drop") for c in sample.planted["near_drop"]} & last
    )  # 64 of 90, 71 of 100, 0 before


def test_recording_a_quarter_again_changes_nothing_and_out_of_order_gives_the_same(
    sample, in_order, tmp_path
):
    store, outs = in_order
    again = tmp_path / "again"
    assert build(sample.files[-1], store, again) == 0
    for name in ("history.csv", "alerts.csv", "customers.csv"):
        assert (again / "csv" / name).read_bytes() == (outs[-1] / "csv" / name).read_bytes(), name
    shuffled = tmp_path / "shuffled.db"
    for files in [sample.files[-1], *sample.files[:-1]]:
        assert build(files, shuffled, tmp_path / "x" / files.quarter.code) == 0
    final = tmp_path / "final"
    assert build(sample.files[-1], shuffled, final) == 0
    for name in ("history.csv", "alerts.csv"):
        assert (final / "csv" / name).read_bytes() == (outs[-1] / "csv" / name).read_bytes(), name


def test_route_sheets_and_focus_sheet_with_a_store(sample, in_order):
    _, outs = in_order
    book = openpyxl.load_workbook(outs[-1] / "报表.xlsx")
    assert book.sheetnames[:2] == ["汇总", "重点关注"]
    route = book["一线"]
    head_row = header_row(route)
    header = [c.value for c in route[head_row]]
    trail, trend = header.index("近四季等级"), header.index("趋势")
    code_at = header.index("客户代码")
    planted = sample.planted["down_twice"]
    seen = 0
    for row in route.iter_rows(min_row=head_row + 1, values_only=True):
        if str(row[code_at]) in planted:
            assert row[trend] == "↓" and len(row[trail].split()) == 4
            seen += 1
    assert seen == sum(
        sample.routes[sample.files[-1].quarter.index].set_index("customer_code").loc[planted, "route"]
        == "一线"
    )
    focus = [r for r in book["重点关注"].iter_rows(min_row=3, values_only=True) if r[0]]
    days = [r[0] for r in focus]
    assert days == sorted(days, key=["星期一", "星期二", "星期三", "星期四", "星期五"].index)


def test_without_a_store_no_history_and_no_store_file(sample, tmp_path):
    files = sample.files[-1]
    assert (
        cli.main(
            [
                "build",
                "-q",
                "--routes",
                str(files.routes),
                "--grades",
                str(files.grades),
                "--purchases",
                str(files.purchases),
                "--out",
                str(tmp_path / "o.xlsx"),
                "--export-dir",
                str(tmp_path / "csv"),
            ]
        )
        == 0
    )
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "alerts.csv",
        "customers.csv",
        "grade_changes.csv",
        "issues.csv",
        "standards.csv",
        "values.csv",
    ]
    assert {r["kind"] for r in read(tmp_path / "csv" / "alerts.csv")} <= {"fell"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv", "o.xlsx"]
    route = openpyxl.load_workbook(tmp_path / "o.xlsx")["一线"]
    assert "近四季等级" not in [c.value for c in route[header_row(route)]]


def test_recording_needs_a_known_quarter(sample, tmp_path, capsys):
    files = sample.files[-1]
    grades, routes = tmp_path / "等级表.xlsx", tmp_path / "线路表.xlsx"
    grades.write_bytes(files.grades.read_bytes())
    routes.write_bytes(files.routes.read_bytes())
    code = cli.main(
        [
            "build",
            "-q",
            "--routes",
            str(routes),
            "--grades",
            str(grades),
            "--purchases",
            str(files.purchases),
            "--out",
            str(tmp_path / "o.xlsx"),
            "--store",
            str(tmp_path / "s.db"),
        ]
    )
    assert code == 2 and "需要知道是哪个季度" in capsys.readouterr().err
    assert (
        cli.main(
            [
                "build",
                "-q",
                "--routes",
                str(routes),
                "--grades",
                str(grades),
                "--purchases",
                str(files.purchases),
                "--out",
                str(tmp_path / "o.xlsx"),
                "--store",
                str(tmp_path / "s.db"),
                "--quarter",
                "2026q3",
            ]
        )
        == 0
    )
    title = [c.value for c in openpyxl.load_workbook(tmp_path / "o.xlsx")["一线"][1] if c.value]
    assert "2026年第三季度" in title[0]


def test_past_quarters_imported_from_old_exports(sample, tmp_path, capsys):
    store = tmp_path / "s.db"
    for files in sample.files[:-1]:
        assert (
            cli.main(
                [
                    "history",
                    "import",
                    "-q",
                    "--store",
                    str(store),
                    "--quarter",
                    files.quarter.code,
                    "--grades",
                    str(files.grades),
                ]
            )
            == 0
        )
    out = tmp_path / "out"
    assert build(sample.files[-1], store, out) == 0
    rows = read(out / "csv" / "history.csv")
    expected = expected_history(sample, sample.files[-1].quarter.index)
    last = sample.files[-1].quarter.code
    assert [(r["customer_code"], r["quarter"], r["grade"]) for r in rows] == [e[:3] for e in expected]
    assert all(r["volume"] == "" for r in rows if r["quarter"] != last)  # imported without purchases
    capsys.readouterr()
    assert cli.main(["history", "list", "--store", str(store)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in listed[1:]] == [f.quarter.code for f in sample.files]
    assert listed[1].split("\t")[2] == "0" and listed[-1].split("\t")[2] == "1"  # builds per quarter


def test_export_and_forget(sample, in_order, tmp_path, capsys):
    store, _ = in_order
    copy = tmp_path / "copy.db"
    copy.write_bytes(store.read_bytes())
    assert cli.main(["history", "export", "-q", "--store", str(copy), "--out", str(tmp_path / "all")]) == 0
    names = sorted(p.name for p in (tmp_path / "all").iterdir())
    assert names == [
        "builds.csv",
        "district.csv",
        "quarters.csv",
        "route_customers.csv",
        "standards.csv",
        "visits.csv",
    ]
    district = read(tmp_path / "all" / "district.csv")
    assert len(district) == sum(int(d["grade"].notna().sum()) for d in sample.district.values())
    assert cli.main(["history", "forget", "-q", "--store", str(copy), "--quarter", "2025年第四季度"]) == 0
    capsys.readouterr()
    assert cli.main(["history", "list", "--store", str(copy)]) == 0
    assert "2025Q4" not in capsys.readouterr().out
    assert cli.main(["history", "forget", "-q", "--store", str(copy), "--quarter", "2025Q4"]) == 2
    assert cli.main(["history", "list", "--store", str(tmp_path / "none.db")]) == 2
    assert not (tmp_path / "none.db").exists()


def test_cards_one_per_customer_in_visit_order(sample, in_order, tmp_path):
    store, outs = in_order
    out = tmp_path / "客户资料卡.xlsx"
    assert cli.main(["cards", "-q", "--store", str(store), "--out", str(out)]) == 0
    sheet = openpyxl.load_workbook(out)["客户资料卡"]
    titles = [sheet.cell(row, 1).value for row in range(1, sheet.max_row + 1, CARD_ROWS)]
    customers = read(outs[-1] / "csv" / "customers.csv")
    assert len([t for t in titles if t]) == len(customers)
    assert len(sheet._charts) == len(customers)
    page = 2 * CARD_ROWS  # two cards to a page
    assert [int(b.id) for b in sheet.row_breaks.brk] == list(range(page, len(customers) * CARD_ROWS, page))
    alerts = {r["customer_code"] for r in read(outs[-1] / "csv" / "alerts.csv")}
    assert (
        cli.main(
            ["cards", "-q", "--store", str(store), "--only", "alerts", "--route", "一线", "--out", str(out)]
        )
        == 0
    )
    sheet = openpyxl.load_workbook(out)["客户资料卡"]
    shown = [sheet.cell(row, 1).value for row in range(1, sheet.max_row + 1, CARD_ROWS)]
    on_first = {r["customer_code"] for r in customers if r["route"] == "一线"}
    before = sample.routes[sample.files[-2].quarter.index].set_index("customer_code")["route"]
    left = {r["customer_code"] for r in read(outs[-1] / "csv" / "alerts.csv") if r["kind"] == "left_routes"}
    left_first = {c for c in left if before[c] == "一线"}  # their card comes from the previous build
    assert left_first and sorted(t.split("　")[1] for t in shown if t) == sorted(
        (alerts & on_first) | left_first
    )


@pytest.mark.libreoffice
def test_a_card_is_never_split_across_pages(sample, in_order, tmp_path):
    import subprocess

    store, _ = in_order
    pdf = tmp_path / "cards.pdf"
    assert (
        cli.main(
            [
                "cards",
                "-q",
                "--store",
                str(store),
                "--route",
                "二线",
                "--out",
                str(tmp_path / "c.xlsx"),
                "--pdf",
                str(pdf),
            ]
        )
        == 0
    )
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True
    ).stdout.split("\f")
    cards = 0
    for page in pages:
        tight = "".join(page.split())
        heads = tight.count("客户代码")
        assert heads <= 2 and tight.count("谈话要点") == heads and tight.count("提醒") >= heads
        cards += heads
    assert cards == sum(1 for r in sample.routes[sample.files[-1].quarter.index]["route"] if r == "二线")
