"""`xlcrm handover` end to end: a store of two recorded quarters and a visit log made through the
real CLI, then the handover workbook read back with openpyxl and checked against values
computed here from the generator's truth and the log written: the customers (a whole route,
only a list's, a list's code not on the route), 历史, 拜访记录 (complete, in date order, the
template's dropdowns, the overdue format), the cover's counts; the log given back as --visits;
the errors; the printed workbook."""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest

from support import needs, write_xlsx
from xlcrm.commands import cli
from xlcrm.core.quarters import Quarter
from xlcrm.demo.quarters import generate_quarters

AS_OF = dt.date(2026, 5, 15)  # the sample's last quarter is 2026Q2
HEAD = ["日期", "客户代码", "客户名称", "方式", "内容", "客户需求", "下一步", "跟进日期", "已完成"]
SIZE = {"1": 3, "2": 2, "3": 1}  # the 2008 code's size digit: 1 大 is the best
CHANGE = {1: "提升", 0: "保持", -1: "下降"}
LAST_ROW = 1048576


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return generate_quarters(tmp_path_factory.mktemp("quarters"), seed=7, count=4)


def made_log(codes: list[str], seed: int = 4, rows: int = 160) -> list[dict]:
    """Visits over two months before the as-of date (a few dated the same day for one customer),
    follow-ups open, done and without a date."""
    rng = random.Random(seed)
    log = []
    for i in range(rows):
        visit = AS_OF - dt.timedelta(days=rng.randint(0, 60))
        follow = visit + dt.timedelta(days=rng.randint(1, 40)) if rng.random() < 0.6 else None
        step = rng.choice(["送价目表", "回访陈列", "带新品样品"]) if follow or rng.random() < 0.1 else None
        log.append(
            {
                "code": rng.choice(codes),
                "visit": visit,
                "method": rng.choice(["走访", "电话", "微信", "其他"]),
                "content": f"第{i}次沟通",
                "need": "要价目表" if i % 4 == 0 else None,
                "step": step,
                "follow": follow,
                "done": rng.choice(["是", "否", ""]),
            }
        )
    return log


def write_log(path: Path, log: list[dict]) -> Path:
    rows = [
        [e["visit"], e["code"], None, e["method"], e["content"], e["need"], e["step"], e["follow"], e["done"]]
        for e in log
    ]
    return write_xlsx(path, {"拜访记录": [HEAD, *rows]})


@pytest.fixture(scope="module")
def store(sample, tmp_path_factory):
    """The last two quarters built and recorded with the visit log."""
    root = tmp_path_factory.mktemp("store")
    last = sample.files[-1].quarter.index
    codes = sorted(set(sample.routes[last]["customer_code"]))
    log = made_log(codes)
    visits = write_log(root / "拜访记录.xlsx", log)
    path = root / "客户档案库.db"
    for files in sample.files[-2:]:
        argv = ["build", "-q", "--routes", str(files.routes), "--grades", str(files.grades)]
        argv += ["--purchases", str(files.purchases), "--out", str(root / f"{files.quarter.code}.xlsx")]
        argv += ["--store", str(path), "--visits", str(visits), "--as-of", AS_OF.isoformat()]
        assert cli.main(argv) == 0
    return {"path": path, "log": log, "root": root}


def handover(store_path: Path, out: Path, *extra: str) -> int:
    argv = ["handover", "-q", "--store", str(store_path), "--to", "李四", "--out", str(out)]
    return cli.main([*argv, "--as-of", AS_OF.isoformat(), *extra])


@pytest.fixture(scope="module")
def whole_route(store, tmp_path_factory):
    out = tmp_path_factory.mktemp("whole") / "三线交接.xlsx"
    assert handover(store["path"], out, "--route", "三线") == 0
    return openpyxl.load_workbook(out)


# --- what the workbook must say, computed from the truth ----------------------------------------


def on_route(sample, route: str) -> list[str]:
    last = sample.routes[sample.files[-1].quarter.index]
    return sorted(last.loc[last["route"] == route, "customer_code"])


def is_open(e: dict) -> bool:
    return e["done"] != "是" and (e["step"] is not None or e["follow"] is not None)


def expected_history(sample, codes: list[str]) -> set[tuple]:
    """(code, quarter, grade, change, volume, amount) for the two recorded quarters."""
    first, last = (f.quarter.index for f in sample.files[-2:])
    d = {q: sample.district[q].set_index("customer_code") for q in (first, last)}
    rows = set()
    for code in codes:
        for q in (first, last):
            if code not in d[q].index or not isinstance(d[q].at[code, "grade"], str):
                continue
            grade = d[q].at[code, "grade"]
            change = ""
            if q == last:  # the quarter before the first recorded one is not in the store
                before = d[first].at[code, "grade"] if code in d[first].index else None
                if not isinstance(before, str):
                    change = "新客户"
                else:
                    diff = SIZE[grade[-1]] - SIZE[before[-1]]
                    change = CHANGE[(diff > 0) - (diff < 0)]
            volume, amount = (d[q].at[code, k] for k in ("volume", "amount"))
            rows.add(
                (
                    code,
                    Quarter.from_index(q).label,
                    grade,
                    change,
                    None if math.isnan(volume) else volume,
                    None if math.isnan(amount) else round(amount, 2),
                )
            )
    return rows


def expected_abc(sample, codes: list[str]) -> dict[str, int]:
    """The build's classes over all its route customers by this quarter's amount, in whole cents."""
    last = sample.files[-1].quarter.index
    d = sample.district[last].set_index("customer_code")
    everyone = sorted(set(sample.routes[last]["customer_code"]))
    cents = {
        c: round(d.at[c, "amount"] * 100)
        for c in everyone
        if c in d.index and isinstance(d.at[c, "grade"], str) and not math.isnan(d.at[c, "amount"])
    }
    total = sum(cents.values())
    classes, before = {}, 0
    for code in sorted(cents, key=lambda c: (-cents[c], c)):
        share = Fraction(before, total)
        classes[code] = "A" if share < Fraction(7, 10) else "B" if share < Fraction(9, 10) else "C"
        before += cents[code]
    counts = {"A": 0, "B": 0, "C": 0}
    for code in codes:
        counts[classes.get(code, "C")] += 1
    return counts


def header_row(sheet, first: str) -> int:
    return next(r for r in range(1, 40) if sheet.cell(r, 1).value == first)


def table_rows(sheet, first: str) -> list[tuple]:
    """The rows under the header, customer codes as text (xlcrm writes them as whole numbers)."""
    top = header_row(sheet, first)
    heads = [c.value for c in sheet[top]]
    at = heads.index("客户代码") if "客户代码" in heads else None
    return [
        tuple(str(v) if i == at and v is not None else v for i, v in enumerate(r))
        for r in sheet.iter_rows(min_row=top + 1, values_only=True)
        if any(v is not None for v in r)
    ]


def cover(book) -> dict:
    return {
        r[0]: r[1]
        for r in book["交接说明"].iter_rows(values_only=True)
        if isinstance(r[0], str) and len(r) > 1
    }


def card_codes(book) -> list[str]:
    sheet = book["客户资料卡"]
    return [
        sheet.cell(r, 2).value for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "客户代码"
    ]


# --- a whole route -------------------------------------------------------------------------------


def test_sheets_in_order(whole_route):
    assert whole_route.sheetnames == ["交接说明", "客户资料卡", "历史", "拜访记录"]  # no issue: no 数据问题


def test_every_customer_of_the_route_gets_a_card(sample, whole_route):
    assert sorted(card_codes(whole_route)) == on_route(sample, "三线")


def test_history_rows_match_the_store(sample, whole_route):
    rows = table_rows(whole_route["历史"], "客户代码")
    got = {
        (code, quarter, grade, change or "", volume, None if amount is None else round(amount, 2))
        for code, _name, route, quarter, grade, change, volume, amount in rows
    }
    assert len(rows) == len(got)
    assert got == expected_history(sample, on_route(sample, "三线"))
    assert {r[2] for r in rows} == {"三线"}
    sheet = whole_route["历史"]
    (table,) = sheet.tables.values()
    assert table.name == "历史" and table.autoFilter is not None
    top = header_row(sheet, "客户代码")
    assert table.ref == f"A{top}:H{top + len(rows)}"
    assert sheet.print_title_rows == f"$2:${top}"  # the note and the header on every page


def test_the_visit_log_is_complete_and_in_date_order(sample, store, whole_route):
    codes = set(on_route(sample, "三线"))
    mine = [e for e in store["log"] if e["code"] in codes]
    rows = table_rows(whole_route["拜访记录"], "日期")
    days = [r[0] for r in rows]
    assert days == sorted(days)
    expected = sorted(
        (
            e["visit"],
            e["code"],
            e["method"],
            e["content"],
            e["need"],
            e["step"],
            e["follow"],
            "是" if e["done"] == "是" else "否" if is_open(e) else None,
        )
        for e in mine
    )
    got = sorted(
        (r[0].date(), r[1], r[3], r[4], r[5], r[6], r[7].date() if r[7] else None, r[8]) for r in rows
    )
    assert got == expected
    names = {r[1]: r[2] for r in rows}
    last = sample.routes[sample.files[-1].quarter.index].set_index("customer_code")
    assert all(name == last.at[code, "name"] for code, name in names.items())  # from the route sheet


def test_the_log_has_the_templates_dropdowns_and_the_overdue_format(whole_route):
    sheet = whole_route["拜访记录"]
    top = header_row(sheet, "日期")
    assert [c.value for c in sheet[top]] == HEAD
    (table,) = sheet.tables.values()
    assert table.name == "拜访记录" and [c.name for c in table.tableColumns] == HEAD
    rules = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    first = top + 1
    assert set(rules) == {f"{c}{first}:{c}{LAST_ROW}" for c in "ADHI"}  # rows typed later too
    assert rules[f"D{first}:D{LAST_ROW}"].formula1 == '"走访,电话,微信,其他"'
    assert rules[f"I{first}:I{LAST_ROW}"].formula1 == '"是,否"'
    assert rules[f"H{first}:H{LAST_ROW}"].type == "date"
    formats = [
        (str(cf.sqref), rule.formula[0])
        for cf in sheet.conditional_formatting
        for rule in cf.rules
        if rule.type == "expression"
    ]
    assert formats == [
        (f"H{first}:H{LAST_ROW}", f'AND(ISNUMBER($H{first}),$H{first}<TODAY(),TRIM($I{first})<>"是")')
    ]


def test_the_cover_counts(sample, store, whole_route):
    codes = on_route(sample, "三线")
    mine = [e for e in store["log"] if e["code"] in set(codes) and is_open(e)]
    overdue = sum(1 for e in mine if e["follow"] and e["follow"] < AS_OF)
    due = sum(1 for e in mine if e["follow"] and AS_OF <= e["follow"] <= AS_OF + dt.timedelta(days=7))
    said = cover(whole_route)
    assert said["交出人（原客户经理）"] == "张三" and said["接收人（新客户经理）"] == "李四"
    assert said["交接线路及访销日"] == "三线（星期三）"
    assert said["交接日期"].startswith(AS_OF.isoformat())
    assert said["交接客户（户）"] == len(codes)
    assert said["待跟进（条，未完成的下一步）"] == len(mine)
    assert (said["　其中逾期"], said["　7天内到期"]) == (overdue, due)
    assert overdue and due  # the log has both
    abc = expected_abc(sample, codes)
    assert {
        k: said[f"{k} 类客户（{plan}，户）"] for k, plan in zip("ABC", ("重点维护", "定期回访", "常规服务"))
    } == abc
    assert "交出人（签字）" in said and "接收人（签字）" in said.values()


# --- several routes, a list ------------------------------------------------------------------------


def test_routes_repeated_or_in_a_list(sample, store, tmp_path):
    for extra in (["--route", "三线,一线"], ["--route", "一线", "--route", "三线"]):
        out = tmp_path / "两线.xlsx"
        assert handover(store["path"], out, *extra) == 0
        book = openpyxl.load_workbook(out)
        assert sorted(card_codes(book)) == sorted(on_route(sample, "一线") + on_route(sample, "三线"))
        routes = [r for r in table_rows(book["交接说明"], "线路") if r[1] in ("星期一", "星期三")]
        assert [r[:3] for r in routes] == [
            ("一线", "星期一", len(on_route(sample, "一线"))),
            ("三线", "星期三", len(on_route(sample, "三线"))),
        ]


def test_only_the_listed_customers_and_the_unknown_code_reported(sample, store, tmp_path, capsys):
    route = on_route(sample, "三线")
    listed = route[:5]
    elsewhere = on_route(sample, "一线")[0]
    stranger = "330781999999"
    path = tmp_path / "名单.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["序号", "客户编号", "备注"])
        for i, code in enumerate([*listed, elsewhere, stranger, listed[0]], start=1):
            writer.writerow([i, code, ""])
    out = tmp_path / "名单交接.xlsx"
    argv = ["handover", "--store", str(store["path"]), "--route", "三线", "--customers", str(path)]
    assert cli.main([*argv, "--to", "李四", "--out", str(out), "--as-of", AS_OF.isoformat()]) == 0
    assert "名单中 2 个客户代码不在交接的线路上" in capsys.readouterr().err
    book = openpyxl.load_workbook(out)
    assert sorted(card_codes(book)) == listed
    assert {r[0] for r in table_rows(book["历史"], "客户代码")} == set(listed)
    assert {r[1] for r in table_rows(book["拜访记录"], "日期")} <= set(listed)
    issues = table_rows(book["数据问题"], "问题")
    assert sorted((r[1], r[2]) for r in issues) == sorted(
        [(elsewhere, f"{path.name} › B7"), (stranger, f"{path.name} › B8")]  # header on row 1
    )
    assert "一线" in next(r[3] for r in issues if r[1] == elsewhere)
    said = cover(book)
    assert said["交接客户（户）"] == 5 and said["名单中未交接的客户代码（见“数据问题”）"] == 2
    assert path.name in said["交接客户"]


def test_the_log_given_back_as_visits_is_the_same_visits(sample, store, tmp_path):
    """The new manager's workbook read as --visits: every visit is one the store already holds."""
    copy = tmp_path / "copy.db"
    shutil.copy(store["path"], copy)
    out = tmp_path / "交接.xlsx"
    assert handover(copy, out, "--route", "三线") == 0

    def kept() -> list[dict]:
        folder = tmp_path / f"export{len(list(tmp_path.glob('export*')))}"
        assert cli.main(["history", "export", "-q", "--store", str(copy), "--out", str(folder)]) == 0
        with open(folder / "visits.csv", encoding="utf-8") as f:
            return sorted(
                (r["visit_key"], r["follow_up_date"], r["done"], r["next_step"]) for r in csv.DictReader(f)
            )

    before = kept()
    files = sample.files[-1]
    argv = ["build", "-q", "--routes", str(files.routes), "--grades", str(files.grades)]
    argv += ["--purchases", str(files.purchases), "--out", str(tmp_path / "r.xlsx"), "--store", str(copy)]
    assert cli.main([*argv, "--visits", str(out), "--as-of", AS_OF.isoformat()]) == 0
    assert kept() == before


# --- errors ------------------------------------------------------------------------------------------


def test_errors_for_people(sample, store, tmp_path, capsys):
    path = store["path"]

    def fails(*argv: str) -> str:
        capsys.readouterr()
        assert cli.main(["handover", "-q", *argv]) == 2
        err = capsys.readouterr().err
        assert err.startswith("错误：") and "Traceback" not in err and err.count("\n") == 1
        return err

    base = ["--to", "李四", "--out", str(tmp_path / "h.xlsx")]
    assert "找不到客户档案库" in fails("--store", str(tmp_path / "无.db"), "--route", "三线", *base)
    assert "没有王五" in fails("--store", str(path), "--route", "三线", "--manager", "王五", *base)
    err = fails("--store", str(path), "--route", "九线,三线", *base)
    assert "九线" in err and "有：一线、二线、三线、四线、五线" in err
    err = fails("--store", str(path), "--route", "三线", "--to", "李四", "--out", str(tmp_path / "h.xls"))
    assert ".xlsx" in err
    listed = write_xlsx(tmp_path / "名单.xlsx", {"Sheet1": [["客户代码"], [on_route(sample, "三线")[0]]]})
    before = listed.read_bytes()
    err = fails(
        "--store",
        str(path),
        "--route",
        "三线",
        "--customers",
        str(listed),
        "--to",
        "李四",
        "--out",
        str(listed),
    )
    assert "就是输入文件" in err and listed.read_bytes() == before
    nobody = write_xlsx(tmp_path / "空名单.xlsx", {"Sheet1": [["客户代码"], ["330781999999"]]})
    assert "没有一个客户在三线上" in fails(
        "--store", str(path), "--route", "三线", "--customers", str(nobody), *base
    )
    assert "就是交出线路的客户经理" in fails(
        "--store", str(path), "--route", "三线", "--to", "张三", "--out", "x.xlsx"
    )

    two = tmp_path / "两人.db"
    shutil.copy(path, two)
    files = sample.files[-1]
    argv = ["build", "-q", "--routes", str(files.routes), "--grades", str(files.grades), "--manager", "王五"]
    argv += ["--purchases", str(files.purchases), "--out", str(tmp_path / "r.xlsx"), "--store", str(two)]
    assert cli.main(argv) == 0
    err = fails("--store", str(two), "--route", "三线", *base)
    assert "多位客户经理" in err and "--manager" in err
    assert handover(two, tmp_path / "王五.xlsx", "--route", "三线", "--manager", "王五") == 0
    assert not (tmp_path / "h.xlsx").exists()


# --- printed -----------------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_printed_pages_are_numbered_with_the_cover_and_a_card(sample, store, tmp_path):
    needs("pdftotext")
    pdf = tmp_path / "交接.pdf"
    assert handover(store["path"], tmp_path / "交接.xlsx", "--route", "三线", "--pdf", str(pdf)) == 0
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    tight = ["".join(p.split()) for p in pages]
    assert all(f"第{n}页共{len(pages)}页" in t for n, t in enumerate(tight, start=1))
    assert "交接说明" in tight[0] and "交出人（签字）" in tight[0] and "张三" in tight[0]
    code = on_route(sample, "三线")[0]
    assert any("谈话要点" in t and code in t for t in tight[1:])
    assert any("拜访记录" in t and "跟进日期" in t for t in tight)
