"""Every printout read back from its PDF with pdftotext -bbox, as a manager would hold it: the
demo's build, the template's 打印拜访表, and a department's batch (LibreOffice headless)."""

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support import input_args, needs, write_xlsx
from xlcrm import macros
from xlcrm.commands import cli
from xlcrm.demo.sample import generate
from xlcrm.macros.filebook import FileBook

QUARTER = "2026年第三季度"
CODE = re.compile(r"^\d{12}$")
GRADE = re.compile(r"^[CX][ZCBSNYFQ][1-3]$")
SEGMENT = re.compile(r"^[CX][ZCBSNYFQ]$")  # a segment's label starts with its code: 'CZ 城镇食杂店'
NOT_PRINTED = ("本季等级", "上季等级", "购进", "xlwings.conf", "设置", "使用说明")


def pages(pdf: Path) -> list[list[tuple[float, float, float, str]]]:
    """Per page, its words as (y top, y bottom, x left, text)."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    found = []
    for page in xml.split("<page ")[1:]:
        words = re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', page
        )
        found.append([(float(y0), float(y1), float(x0), text) for x0, y0, y1, text in words])
    return found


def lines(words) -> list[list[str]]:
    """Words grouped into printed lines, top to bottom, each left to right."""
    rows: dict[int, list] = {}
    for y0, _, x0, text in words:
        rows.setdefault(round(y0), []).append((x0, text))
    return [[t for _, t in sorted(rows[y])] for y in sorted(rows)]


def check_printout(pdf: Path, manager: str) -> dict[str, int]:
    """The promises every printout keeps; returns how many pages of each kind it has."""
    kinds = {"route": 0, "changes": 0}
    all_pages = pages(pdf)
    total = len(all_pages)
    for number, words in enumerate(all_pages, start=1):
        text = "".join(w[3] for w in words)
        head = "".join(t for line in lines(words)[:1] for t in line)
        # page N of M and the quarter at the foot of every page
        assert f"第{number}页共{total}页" in text, (pdf.name, number)
        assert QUARTER in text and manager in text, (pdf.name, number)
        assert not any(head.startswith(name) for name in NOT_PRINTED), (pdf.name, number, head)
        if "客户拜访表" in head:
            kinds["route"] += 1
            codes = [w for w in words if CODE.match(w[3])]
            assert codes, (pdf.name, number)
            # code glyphs at least 10 pt tall on paper (about 9-point type)
            assert min(y1 - y0 for y0, y1, _, _ in codes) >= 10, (pdf.name, number)
            assert "本次拜访" in text and "变动：" in text  # the column to write in, the legend
        if "零售客户季度等级变动统计表" in head:
            kinds["changes"] += 1
            body = [line for line in lines(words) if any(GRADE.match(t) for t in line)]
            if body:  # the first row of every page names its segment: no group split without its name
                assert SEGMENT.match(body[0][0]), (pdf.name, number, body[0])
    return kinds


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    needs("pdftotext")
    if not shutil.which("soffice") and not shutil.which("libreoffice"):
        pytest.skip("LibreOffice is not installed")
    folder = tmp_path_factory.mktemp("demo")
    assert cli.main(["demo", "-q", "--dir", str(folder)]) == 0
    return folder


@pytest.mark.libreoffice
def test_the_demo_build_prints_legibly_numbered_and_whole(demo):
    kinds = check_printout(demo / "本季客户等级报表.pdf", "张三")
    assert kinds["route"] >= 10 and kinds["changes"] >= 2  # the change table runs over pages


@pytest.mark.libreoffice
def test_the_templates_print_is_the_same_rendering(demo, tmp_path):
    book = tmp_path / "客户管理.xlsm"
    inputs = demo / "inputs"
    assert cli.main(["template", "-q", "--out", str(book)]) == 0
    files = {
        "routes": inputs / "零售客户拜访线路表.xlsx",
        "grades": inputs / "2026年三季度客户等级表.xlsx",
        "purchases": next(inputs.glob("*购进*")),
    }
    assert macros.import_data(FileBook(book, files=files)) is not None
    pdf = tmp_path / "拜访表.pdf"
    previewed = FileBook(book, pdf=pdf)
    assert macros.print_preview(previewed).startswith(f"已打印成 PDF：{pdf}")
    kinds = check_printout(pdf, "张三")
    assert kinds["route"] >= 10 and kinds["changes"] >= 2
    # printing the whole workbook leaves out the input sheets and xlwings.conf
    whole = tmp_path / "whole.pdf"
    assert cli.main(["macro", "-q", "build_report", str(book)]) == 0
    from xlcrm.io.pdf import workbook_to_pdf

    workbook_to_pdf(book, whole)
    for number, words in enumerate(pages(whole), start=1):
        head = "".join(lines(words)[0]) if words else ""
        assert not any(head.startswith(name) for name in ("本季等级", "上季等级", "购进", "xlwings")), number


@pytest.mark.libreoffice
def test_a_department_batch_prints_every_manager_the_same_way(tmp_path):
    needs("pdftotext")
    folder = tmp_path / "部门"
    argv = ["demo", "-q", "--department", str(folder), "--managers", "2", "--customers", "120"]
    assert cli.main(argv) == 0
    pdfs = sorted((folder / "本季报表").glob("*.pdf"))
    assert len(pdfs) == 2
    for pdf in pdfs:
        assert check_printout(pdf, pdf.stem)["route"] >= 10


FOLLOW_UP_HEADS = ["状态", "跟进日期", "访销日", "线路", "客户代码", "客户名称", "下一步", "拜访日期", "方式"]


@pytest.mark.libreoffice
def test_the_follow_up_pages_print_numbered_with_their_headers_at_nine_points(tmp_path):
    """跟进提醒 over more than one page: every page numbered, the column heads repeated, the
    codes at about 9-point type, every follow-up of the window printed once, overdue first."""
    needs("pdftotext")
    sample = generate(tmp_path / "sample", route_customers=120, routes=6, seed=5)
    as_of = dt.date(2026, 8, 15)
    codes = sorted(set(sample.truth.route_customers["customer_code"].dropna()))[:70]
    head = ["日期", "客户代码", "客户名称", "方式", "内容", "客户需求", "下一步", "跟进日期", "已完成"]
    rows, expected = [], {"逾期": 0, "7天内到期": 0}
    for k, code in enumerate(codes):
        due = as_of + dt.timedelta(days=k % 31 - 20)  # 20 days late … 10 days ahead
        rows.append(
            [f"{as_of - dt.timedelta(days=25)}", code, None, "走访", f"第{k}次", None, "回访", str(due), "否"]
        )
        if due < as_of:
            expected["逾期"] += 1
        elif due <= as_of + dt.timedelta(days=7):
            expected["7天内到期"] += 1
    log = write_xlsx(tmp_path / "拜访记录.xlsx", {"拜访记录": [head, *rows]})
    out, pdf = tmp_path / "报表.xlsx", tmp_path / "报表.pdf"
    argv = ["build", "-q", *input_args(sample), "--visits", str(log), "--as-of", str(as_of)]
    assert cli.main([*argv, "--out", str(out), "--pdf", str(pdf)]) == 0
    all_pages = pages(pdf)
    printed = []
    follow_up_pages = 0
    for number, words in enumerate(all_pages, start=1):
        if not "".join(lines(words)[0]).startswith("跟进提醒"):
            continue
        follow_up_pages += 1
        text = "".join(w[3] for w in words)
        assert f"第{number}页共{len(all_pages)}页" in text and QUARTER in text and "张三" in text
        assert any(line == FOLLOW_UP_HEADS for line in lines(words)), number
        printed_codes = [w for w in words if CODE.match(w[3])]
        assert min(y1 - y0 for y0, y1, _, _ in printed_codes) >= 10, number  # about 9-point type
        printed += [line[0] for line in lines(words) if line[0] in expected]
    assert follow_up_pages >= 2
    assert printed == ["逾期"] * expected["逾期"] + ["7天内到期"] * expected["7天内到期"]
