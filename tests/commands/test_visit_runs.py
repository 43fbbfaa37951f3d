"""`xlcrm build --visits` end to end: followups.csv, the route sheets' 上次拜访 / 待跟进 / 下一步,
跟进提醒 and the visits per route on 汇总, all checked against values computed here from a
generated log; visit problems at their cells; the log in the route workbook; check; the store
and the card."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import openpyxl
import pytest

from support import input_args, write_xlsx
from xlcrm.commands import cli
from xlcrm.demo.sample import generate
from xlcrm.report.cards import CARD_ROWS, VISITS_ROW

AS_OF = dt.date(2026, 8, 15)  # the sample is 2026年三季度: its visits count from 2026-07-01
QUARTER_START = dt.date(2026, 7, 1)
HEAD = ["日期", "客户代码", "客户名称", "方式", "内容", "客户需求", "下一步", "跟进日期", "已完成"]
STEPS = ["送价目表", "回访陈列", "带新品样品", "核对订单", "讲解政策"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("sample"), route_customers=120, routes=6, seed=11)


def made_log(sample, seed: int = 3, rows: int = 400) -> list[dict]:
    """A manager's log as truth: route customers and a few codes on no route, days around the
    as-of date (some before the quarter, a few after the as-of date), follow-ups open and done;
    then the window's edges written on purpose (edge_rows)."""
    rng = random.Random(seed)
    codes = sorted(set(sample.truth.route_customers["customer_code"].dropna()))
    strangers = ["330781999001", "330781999002"]
    log = []
    for i in range(rows):
        visit = AS_OF + dt.timedelta(days=rng.randint(-70, 3))
        follow = visit + dt.timedelta(days=rng.randint(-2, 30)) if rng.random() < 0.6 else None
        log.append(
            {
                "code": rng.choice(codes) if rng.random() < 0.97 else rng.choice(strangers),
                "visit": visit,
                "method": rng.choice(["走访", "电话", "微信", "其他"]),
                "content": f"第{i}次沟通",
                "step": rng.choice(STEPS) if follow is not None or rng.random() < 0.1 else None,
                "follow": follow,
                "done": rng.choice(["是", "否", "", "完成"]),
            }
        )
    return log + edge_rows(codes)


# the edges of the window, each its own next step: (step, days from the as-of date, 已完成)
EDGES = [
    ("边界：今天到期", 0, "否"),
    ("边界：第7天到期", 7, ""),
    ("边界：第8天到期", 8, "否"),
    ("边界：逾期一天", -1, "否"),
    ("边界：逾期一天已完成", -1, "是"),
    ("边界：逾期一天写了完成", -1, "完成"),  # not 是: still open
    ("边界：没有跟进日期", None, "否"),
]


def edge_rows(codes: list[str]) -> list[dict]:
    rows = [
        {
            "code": codes[k],
            "visit": AS_OF - dt.timedelta(days=2),
            "method": "走访",
            "content": f"边界{k}",
            "step": step,
            "follow": None if days is None else AS_OF + dt.timedelta(days=days),
            "done": done,
        }
        for k, (step, days, done) in enumerate(EDGES)
    ]
    # a tie on the due date, the higher code written first, and one code twice on one day
    for k, code in enumerate([codes[-1], codes[-2], codes[-2]]):
        rows.append(
            {
                "code": code,
                "visit": AS_OF - dt.timedelta(days=1),
                "method": "电话",
                "content": f"同日{k}",
                "step": f"同日到期{k}",
                "follow": AS_OF + dt.timedelta(days=3),
                "done": "否",
            }
        )
    return rows


# dates as managers write them: date cells and text, one form after another
DATE_FORMS = [
    lambda d: dt.datetime.combine(d, dt.time()),
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
]


def write_log(path: Path, log: list[dict]) -> Path:
    rows = [
        [
            DATE_FORMS[i % len(DATE_FORMS)](e["visit"]),
            e["code"],
            None,
            e["method"],
            e["content"],
            None,
            e["step"],
            None if e["follow"] is None else DATE_FORMS[(i + 1) % len(DATE_FORMS)](e["follow"]),
            e["done"],
        ]
        for i, e in enumerate(log)
    ]
    return write_xlsx(path, {"拜访记录": [HEAD, *rows]})


def is_open(e: dict) -> bool:
    return e["done"] != "是" and (e["step"] is not None or e["follow"] is not None)


@pytest.fixture(scope="module")
def built(sample, tmp_path_factory):
    work = tmp_path_factory.mktemp("built")
    log = made_log(sample)
    visits = write_log(work / "拜访记录.xlsx", log)
    out, exports = work / "报表.xlsx", work / "csv"
    argv = ["build", "-q", *input_args(sample), "--visits", str(visits), "--out", str(out)]
    argv += ["--export-dir", str(exports), "--as-of", AS_OF.isoformat()]
    assert cli.main(argv) == 0
    return {"log": log, "out": out, "exports": exports, "visits": visits}


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_followups_csv_is_the_window_computed_by_hand(built):
    expected = []
    for row, e in enumerate(built["log"], start=2):
        if not is_open(e) or e["follow"] is None:
            continue
        if e["follow"] < AS_OF:
            status = "overdue"
        elif e["follow"] <= AS_OF + dt.timedelta(days=7):
            status = "due"
        else:
            continue
        expected.append((e["follow"], e["code"], row, e["step"] or "", status))
    expected.sort(key=lambda x: x[:3])
    got = read_csv(built["exports"] / "followups.csv")
    assert list(got[0]) == ["customer_code", "due_date", "next_step", "status"]
    assert [(r["customer_code"], r["due_date"], r["next_step"], r["status"]) for r in got] == [
        (code, due.isoformat(), step, status) for due, code, _, step, status in expected
    ]
    assert {"overdue", "due"} == {r["status"] for r in got}  # the sample has both
    # the edges, said once more by hand: as-of and as-of + 7 are due, + 8 is not; one day late is
    # overdue unless 已完成 is 是 (完成 is not 是); a follow-up without a date is never listed
    statuses = {r["next_step"]: r["status"] for r in got if r["next_step"].startswith("边界")}
    assert statuses == {
        "边界：今天到期": "due",
        "边界：第7天到期": "due",
        "边界：逾期一天": "overdue",
        "边界：逾期一天写了完成": "overdue",
    }
    higher, lower = built["log"][-3]["code"], built["log"][-1]["code"]
    assert lower < higher
    tied = [(r["customer_code"], r["next_step"]) for r in got if r["next_step"].startswith("同日到期")]
    assert tied == [(lower, "同日到期1"), (lower, "同日到期2"), (higher, "同日到期0")]


def route_columns(path: Path) -> dict[str, tuple]:
    """Per customer code: (上次拜访, 待跟进, 下一步) as the route sheets show them."""
    book = openpyxl.load_workbook(path)
    found = {}
    for sheet in book.worksheets:
        heads = [str(c.value or "").replace("\n", "") for c in sheet[3]]
        if "上次拜访" not in heads:
            continue
        at = {h: heads.index(h) for h in ("客户代码", "上次拜访", "待跟进", "下一步")}
        for row in sheet.iter_rows(min_row=4, values_only=True):
            if row[at["客户代码"]] is None:
                continue
            days = [row[at[h]].date() if row[at[h]] else None for h in ("上次拜访", "待跟进")]
            found[str(row[at["客户代码"]])] = (*days, row[at["下一步"]])
    return found


def test_route_sheets_show_the_last_visit_and_the_earliest_open_follow_up(built, sample):
    expected = {}
    for row, e in enumerate(built["log"], start=2):
        last, due, step, rank = expected.get(e["code"], (None, None, None, None))
        if e["visit"] <= AS_OF:
            last = max(last or e["visit"], e["visit"])
        if is_open(e):
            mine = (e["follow"] is None, e["follow"] or dt.date.max, row)
            if rank is None or mine < rank:
                due, step, rank = e["follow"], e["step"], mine
        expected[e["code"]] = (last, due, step, rank)
    shown = route_columns(built["out"])
    on_routes = set(sample.truth.route_customers["customer_code"].dropna())
    assert set(shown) == on_routes
    for code in on_routes:
        last, due, step, _ = expected.get(code, (None, None, None, None))
        assert shown[code] == (last, due, step), code
    values = list(shown.values())
    # the log gives every case: never visited, a dated follow-up, only an undated one
    assert any(v == (None, None, None) for v in values)
    assert any(v[1] is not None for v in values) and any(v[1] is None and v[2] for v in values)


def test_overview_counts_the_route_customers_visited_this_quarter(built, sample):
    routes = sample.truth.route_customers.dropna(subset=["customer_code"])
    first = routes.drop_duplicates("customer_code")  # a customer on two routes counts on its first
    visited = {e["code"] for e in built["log"] if QUARTER_START <= e["visit"] <= AS_OF}
    expected = {
        route: (len(part), int(part["customer_code"].isin(visited).sum()))
        for route, part in first.groupby("route")
    }
    sheet = openpyxl.load_workbook(built["out"])["汇总"]
    rows = list(sheet.iter_rows(values_only=True))
    top = next(
        i for i, r in enumerate(rows) if str(r[0] or "").startswith("本季拜访（2026-07-01 至 2026-08-15）")
    )
    shown = {}
    for row in rows[top + 2 :]:
        if row[0] == "合计":
            assert row[2:5] == (
                sum(c for c, _ in expected.values()),
                sum(v for _, v in expected.values()),
                row[4],
            )
            break
        shown[row[1]] = (row[2], row[3])
        assert row[4] == row[2] - row[3]
    assert shown == expected


def test_follow_up_sheet_overdue_first_then_by_weekday(built):
    sheet = openpyxl.load_workbook(built["out"])["跟进提醒"]
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(rows) == len(read_csv(built["exports"] / "followups.csv"))
    weekdays = ["星期一", "星期二", "星期三", "星期四", "星期五", ""]
    keys = [(r[0] != "逾期", weekdays.index(r[2] or ""), r[1]) for r in rows]
    assert keys == sorted(keys)
    assert rows[0][0] == "逾期" and rows[-1][0] == "7天内到期"
    # a follow-up of a customer on no route is there too, said so
    strangers = [r for r in rows if str(r[4]).startswith("330781999")]
    assert all(r[3] == "（不在线路上）" for r in strangers)


def test_the_dates_and_the_live_red_read_back(built):
    book = openpyxl.load_workbook(built["out"])
    for name, header in (("跟进提醒", "跟进日期"), ("一线", "待跟进")):
        sheet = book[name]
        heads = [str(c.value or "").replace("\n", "") for c in sheet[3]]
        letter = openpyxl.utils.get_column_letter(heads.index(header) + 1)
        rules = [
            (str(cf.sqref), rule.formula)
            for cf in sheet.conditional_formatting
            for rule in cf.rules
            if rule.type == "expression" and "TODAY()" in rule.formula[0]
        ]
        assert rules == [
            (f"{letter}4:{letter}{sheet.max_row}", [f"AND(ISNUMBER(${letter}4),${letter}4<TODAY())"])
        ]
        dated = [c for c in sheet[letter][3:] if c.value is not None]
        assert dated and all(c.number_format == "yyyy-mm-dd" and c.is_date for c in dated)


# a hand-kept log under a title, each row with its problems: (kind, issues.csv kind, cell)
PROBLEMS = {
    ("拜访的客户不在线路上", "visit_not_on_route", "B4"),
    ("拜访记录的日期无法识别", "visit_bad_date", "A5"),
    ("跟进没有日期", "follow_up_no_date", "H5"),
    ("缺少客户代码", "missing_code", "B6"),
    ("拜访日期在今天之后", "visit_future_date", "A7"),
    ("拜访记录的日期无法识别", "visit_bad_date", "H7"),
    ("拜访方式无法识别", "visit_bad_method", "D7"),
    ("已完成一栏填写有误", "visit_bad_done", "I7"),
}


def problem_log(sample, folder: Path) -> Path:
    return write_xlsx(
        folder / "张三拜访.xlsx",
        {
            "Sheet1": [
                ["客户拜访记录"],
                ["客户经理：张三"],
                HEAD,
                ["2026-08-01", "330781999001", "某店", "走访", "谈价格", None, None, None, None],
                ["8月3日", first_code(sample), None, "电话", "问货源", None, "回访", None, "否"],
                ["2026-08-05", None, "无码店", "走访", "x", None, None, None, None],
                ["2026-09-30", first_code(sample), None, "捎话", "y", None, None, "下周", "完成"],
            ]
        },
    )


def test_visit_problems_at_their_cells_and_the_check_command(sample, tmp_path, capsys):
    log = problem_log(sample, tmp_path)
    argv = ["check", *input_args(sample), "--visits", str(log), "--as-of", AS_OF.isoformat()]
    assert cli.main(argv) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    mine = {(kind, where) for kind, _, where, _ in lines if where.startswith("张三拜访.xlsx")}
    at = "张三拜访.xlsx › Sheet1 › "
    assert mine == {(kind, at + cell) for kind, _, cell in PROBLEMS}


def test_visit_problems_at_their_cells_in_issues_csv_and_on_the_issue_sheet(sample, tmp_path):
    log = problem_log(sample, tmp_path)
    out, exports = tmp_path / "o.xlsx", tmp_path / "csv"
    argv = ["build", "-q", *input_args(sample), "--visits", str(log), "--out", str(out)]
    assert cli.main([*argv, "--export-dir", str(exports), "--as-of", AS_OF.isoformat()]) == 0
    at = "张三拜访.xlsx › Sheet1 › "
    issues = read_csv(exports / "issues.csv")
    listed = {(r["kind"], r["source"]) for r in issues if r["source"].startswith(at)}
    assert listed == {(kind, at + cell) for _, kind, cell in PROBLEMS}
    sheet = openpyxl.load_workbook(out)["数据问题"]
    shown = {
        (r[0], r[2]) for r in sheet.iter_rows(min_row=4, values_only=True) if str(r[2] or "").startswith(at)
    }
    assert shown == {(kind, at + cell) for kind, _, cell in PROBLEMS}


def first_code(sample) -> str:
    return str(sample.truth.route_customers["customer_code"].dropna().iloc[0])


def test_the_log_kept_in_the_route_workbook_itself(sample, tmp_path):
    book = openpyxl.load_workbook(sample.routes)
    sheet = book.create_sheet("拜访记录")
    sheet.append(HEAD)
    sheet.append(
        ["2026-08-10", first_code(sample), None, "走访", "谈陈列", None, "送海报", "2026-08-12", "否"]
    )
    routes = tmp_path / "线路表和拜访记录.xlsx"
    book.save(routes)
    files = {
        "routes": routes,
        "grades": sample.grades,
        "purchases": sample.purchases,
        "previous": sample.previous_grades,
    }
    exports = tmp_path / "csv"
    argv = ["build", "-q", *input_args(files), "--visits", str(routes), "--out", str(tmp_path / "o.xlsx")]
    assert cli.main([*argv, "--export-dir", str(exports), "--as-of", AS_OF.isoformat()]) == 0
    assert read_csv(exports / "followups.csv") == [
        {
            "customer_code": first_code(sample),
            "due_date": "2026-08-12",
            "next_step": "送海报",
            "status": "overdue",
        }
    ]
    issues = read_csv(exports / "issues.csv")
    set_aside = [r for r in issues if r["source"] == "线路表和拜访记录.xlsx › 拜访记录"]
    assert len(set_aside) == 1 and "是拜访记录，不是线路表" in set_aside[0]["detail"]
    assert not any("拜访记录" in r["source"] and r["kind"] == "missing_code" for r in issues)


def test_no_visit_log_no_visit_outputs(sample, tmp_path):
    out, exports = tmp_path / "o.xlsx", tmp_path / "csv"
    assert (
        cli.main(["build", "-q", *input_args(sample), "--out", str(out), "--export-dir", str(exports)]) == 0
    )
    assert not (exports / "followups.csv").exists()
    book = openpyxl.load_workbook(out)
    assert "跟进提醒" not in book.sheetnames
    assert "上次拜访" not in [str(c.value) for c in book["一线"][3]]


def test_a_visit_log_that_is_a_district_table_is_refused(sample, tmp_path, capsys):
    argv = [
        "build",
        "-q",
        *input_args(sample),
        "--visits",
        str(sample.grades),
        "--out",
        str(tmp_path / "o.xlsx"),
    ]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误：") and "拜访记录（--visits）" in err and len(err.splitlines()) == 1


def test_visits_recorded_with_the_build_and_shown_on_the_card(built, sample, tmp_path):
    store = tmp_path / "客户档案库.db"
    argv = ["build", "-q", *input_args(sample), "--visits", str(built["visits"]), "--store", str(store)]
    argv += ["--out", str(tmp_path / "o.xlsx"), "--as-of", AS_OF.isoformat()]
    assert cli.main(argv) == 0
    assert cli.main(argv) == 0  # recorded twice: each visit still once
    export = tmp_path / "export"
    assert cli.main(["history", "export", "-q", "--store", str(store), "--out", str(export)]) == 0
    kept = read_csv(export / "visits.csv")
    assert len(kept) == len(built["log"]) == len({r["visit_key"] for r in kept})
    # the card of the customer with the most visits: its five latest, latest first
    counts = {}
    for e in built["log"]:
        counts[e["code"]] = counts.get(e["code"], 0) + 1
    code = max((c for c in counts if not c.startswith("330781999")), key=lambda c: (counts[c], c))
    latest = sorted((e for e in built["log"] if e["code"] == code), key=lambda e: e["visit"], reverse=True)[
        :5
    ]
    cards = tmp_path / "卡.xlsx"
    assert cli.main(["cards", "-q", "--store", str(store), "--out", str(cards)]) == 0
    sheet = openpyxl.load_workbook(cards)["客户资料卡"]
    top = next(r for r in range(1, sheet.max_row, CARD_ROWS) if f"　{code}　" in str(sheet.cell(r, 1).value))
    lines = [sheet.cell(top + VISITS_ROW + k, 1).value for k in range(1, 6)]
    assert [line[:10] for line in lines] == [e["visit"].isoformat() for e in latest]  # latest first
    # visits of one day in any order: the same day and way each
    assert sorted(line[:13] for line in lines) == sorted(f"{e['visit']} {e['method']}" for e in latest)
