"""The command line as a person uses it: outputs, exit codes, messages, untouched inputs."""

import csv
import hashlib
import subprocess
import sys

import openpyxl
import pytest

from support import input_args
from xlcrm.commands import cli


def args(paths, *extra):
    return ["build", *input_args(paths), *extra]


def digest(paths):
    return {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in paths.items()}


def test_build_writes_workbook_and_exports_and_leaves_inputs_alone(small_inputs, tmp_path, capsys):
    before = digest(small_inputs)
    out, export = tmp_path / "out" / "报表.xlsx", tmp_path / "csv"
    assert cli.main(args(small_inputs, "--out", str(out), "--export-dir", str(export))) == 0
    assert digest(small_inputs) == before
    err = capsys.readouterr().err
    assert "读取线路表" in err and "提升 1，保持 3，下降 1，新客户 1，无本季等级 1" in err

    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "汇总",
        "重点关注",
        "一线",
        "二线",
        "六线",
        "零售客户季度等级变动统计表",
        "客户季度等级最低标准表",
        "数据问题",
    ]
    route = book["一线"]
    assert route["B2"].value.startswith("变动：")  # the legend, above the header on every page
    assert [c.value.replace("\n", "") for c in route[3]] == [
        "序号",
        "客户代码",
        "客户名称",
        "负责人",
        "备注",
        "上季等级",
        "本季等级",
        "变动",
        "购进量",
        "购进额",
        "上一档",
        "距上一档（条）",
        "距上一档（元）",
        "ABC分类",
        "本次拜访",
    ]
    assert [c.value for c in route[4]] == [
        1,
        330781100001,
        "甲店",
        "王",
        "老客户",
        "CS2",
        "CS1",
        "CS1↑",
        1200,
        180000.5,
        None,
        None,
        None,
        "A",
        None,
    ]
    assert route["B4"].number_format == "0"
    assert [c.value for c in route[6]][7] == "CZ3↓"

    with open(export / "customers.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        "customer_code",
        "route",
        "batch",
        "segment",
        "grade",
        "previous_grade",
        "change",
        "volume",
        "amount",
    ]
    assert rows[0] == {
        "customer_code": "330781100001",
        "route": "一线",
        "batch": "星期一",
        "segment": "CS",
        "grade": "CS1",
        "previous_grade": "CS2",
        "change": "up",
        "volume": "1200",
        "amount": "180000.5",
    }
    for name, header in [
        ("grade_changes.csv", "segment,grade,batch,up,same,down"),
        ("standards.csv", "segment,grade,min_volume,min_amount,customers"),
        ("issues.csv", "kind,customer_code,source,detail"),
    ]:
        assert (export / name).read_text(encoding="utf-8").splitlines()[0] == header


def test_exports_are_byte_for_byte_repeatable(small_inputs, tmp_path):
    for run in ("a", "b"):
        assert (
            cli.main(
                args(
                    small_inputs,
                    "-q",
                    "--out",
                    str(tmp_path / f"{run}.xlsx"),
                    "--export-dir",
                    str(tmp_path / run),
                )
            )
            == 0
        )
    for name in ("customers.csv", "grade_changes.csv", "standards.csv", "issues.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def one_error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) >= 1 and err[-1].startswith("错误：")
    assert "Traceback" not in "\n".join(err)
    return err[-1]


def test_missing_file_is_one_clear_line(small_inputs, tmp_path, capsys):
    paths = dict(small_inputs, grades=tmp_path / "没有这个文件.xlsx")
    assert cli.main(args(paths, "-q", "--out", str(tmp_path / "o.xlsx"))) == 2
    line = one_error_line(capsys)
    assert "没有这个文件.xlsx" in line and "找不到文件" in line


def test_sheet_without_code_column_names_file_sheet_column(small_inputs, tmp_path, capsys):
    from support import write_xlsx

    paths = dict(
        small_inputs, purchases=write_xlsx(tmp_path / "购进.xlsx", {"数据": [["名称", "购进量"], ["a", 1]]})
    )
    assert cli.main(args(paths, "-q", "--out", str(tmp_path / "o.xlsx"))) == 2
    line = one_error_line(capsys)
    assert "购进.xlsx › 数据" in line and "客户代码" in line


def test_unknown_scheme(small_inputs, tmp_path, capsys):
    assert cli.main(args(small_inputs, "-q", "--scheme", "abc", "--out", str(tmp_path / "o.xlsx"))) == 2
    assert "不认识的等级方案“abc”" in one_error_line(capsys)


def test_an_as_of_that_is_no_date_is_said_before_anything_runs(small_inputs, tmp_path, capsys):
    out = tmp_path / "o.xlsx"
    assert cli.main(args(small_inputs, "-q", "--as-of", "2026-13-01", "--out", str(out))) == 2
    assert "--as-of 2026-13-01：不是日期" in one_error_line(capsys)
    assert not out.exists()


def test_debug_shows_the_traceback(small_inputs, tmp_path, capsys):
    assert (
        cli.main(args(small_inputs, "-q", "--debug", "--scheme", "abc", "--out", str(tmp_path / "o.xlsx")))
        == 2
    )
    assert "Traceback" in capsys.readouterr().err


def test_output_over_an_input_is_refused(small_inputs, capsys):
    before = digest(small_inputs)
    assert cli.main(args(small_inputs, "-q", "--out", str(small_inputs["routes"]))) == 2
    assert "从不改写输入文件" in one_error_line(capsys)
    assert digest(small_inputs) == before


def test_a_failed_write_leaves_the_old_output_intact(small_inputs, tmp_path, monkeypatch, capsys):
    out = tmp_path / "o.xlsx"
    out.write_bytes(b"last quarter's workbook")

    def broken(sheets, path):
        path.write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr("xlcrm.commands.quarter_run.write_workbook", broken)
    assert cli.main(args(small_inputs, "-q", "--out", str(out))) == 3
    assert out.read_bytes() == b"last quarter's workbook"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert "输入文件未被改动" in capsys.readouterr().err


def test_an_output_open_elsewhere_gives_a_clear_message(small_inputs, tmp_path, monkeypatch, capsys):
    def locked(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("xlcrm.io.atomic.os.replace", locked)
    assert cli.main(args(small_inputs, "-q", "--out", str(tmp_path / "o.xlsx"))) == 2
    assert "正被其他程序" in one_error_line(capsys)


def test_check_lists_issues(small_inputs, capsys):
    argv = ["check"] + args(small_inputs, "-q")[1:]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 8  # the seven issues of core/test_quarter plus the second total row
    (lost,) = [line for line in lines if line.startswith("客户代码丢失位数")]
    assert lost.split("\t")[:3] == ["客户代码丢失位数", "3.30781E+11", "purchases.xlsx › Sheet1 › A11"]


def test_console_entry_point_runs(small_inputs, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "xlcrm", *args(small_inputs, "--out", str(tmp_path / "o.xlsx"))],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "已写入" in done.stderr


def test_column_batch_and_grade_order_options(tmp_path, capsys):
    from support import write_xlsx

    routes = write_xlsx(
        tmp_path / "r.xlsx", {"城区线": [["编号", "店名"], ["330781100001", "a"], ["330781100002", "b"]]}
    )
    grades = write_xlsx(
        tmp_path / "g.xlsx", {"S": [["编号", "星级"], ["330781100001", "金"], ["330781100002", "铜"]]}
    )
    previous = write_xlsx(
        tmp_path / "p.xlsx", {"S": [["编号", "星级"], ["330781100001", "银"], ["330781100002", "银"]]}
    )
    purchases = write_xlsx(tmp_path / "b.xlsx", {"S": [["编号", "x", "y"], ["330781100001", 5, 600]]})
    export = tmp_path / "csv"
    code = cli.main(
        [
            "build",
            "-q",
            "--routes",
            str(routes),
            "--grades",
            str(grades),
            "--previous-grades",
            str(previous),
            "--purchases",
            str(purchases),
            "--out",
            str(tmp_path / "o.xlsx"),
            "--export-dir",
            str(export),
            "--column",
            "code=编号",
            "--column",
            "grade=星级",
            "--column",
            "购进量=B",
            "--column",
            "amount=C",
            "--grade-order",
            "金,银,铜",
            "--batch",
            "城区线=周三",
        ]
    )
    assert code == 0, capsys.readouterr().err
    rows = list(csv.DictReader(open(export / "customers.csv", encoding="utf-8")))
    assert [(r["batch"], r["grade"], r["change"], r["volume"]) for r in rows] == [
        ("星期三", "金", "up", "5"),
        ("星期三", "铜", "down", ""),
    ]


def test_a_code_that_looks_truncated_is_pointed_out(tmp_path, small_inputs):
    from support import write_xlsx

    routes = write_xlsx(tmp_path / "r.xlsx", {"一线": [["客户代码"], [330781000000], ["330781100001"]]})
    export = tmp_path / "csv"
    paths = dict(small_inputs, routes=routes)
    assert cli.main(args(paths, "-q", "--out", str(tmp_path / "o.xlsx"), "--export-dir", str(export))) == 0
    issues = (export / "issues.csv").read_text(encoding="utf-8")
    assert (
        "330781000000,r.xlsx › 一线 › A2,本季等级表中没有此客户；代码末尾多个0，疑似被科学计数法截断"
        in issues
    )


def test_outputs_get_ordinary_file_permissions(small_inputs, tmp_path):
    import os
    import stat

    out = tmp_path / "o.xlsx"
    assert cli.main(args(small_inputs, "-q", "--out", str(out))) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask  # not mkstemp's owner-only 0600
    out.chmod(0o640)
    assert cli.main(args(small_inputs, "-q", "--out", str(out))) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640  # a rewrite keeps the file's own mode


def test_the_command_line_speaks_chinese(capsys):
    with pytest.raises(SystemExit):
        cli.main(["build", "--help"])
    shown = capsys.readouterr().out
    assert shown.startswith("用法：xlcrm build") and "选项" in shown and "例：" in shown
    assert "--routes 文件" in shown and "ROUTES" not in shown
    assert "usage" not in shown and "options" not in shown and "show this help" not in shown

    def exits(argv):
        with pytest.raises(SystemExit) as stopped:
            cli.main(argv)
        assert stopped.value.code == 2
        return capsys.readouterr().err

    err = exits(["build", "--routes", "x.xlsx"])
    assert "错误：缺少必需的参数：--grades, --purchases, --out" in err and "required" not in err
    assert "无效的选择：'nonsense'" in exits(["macro", "nonsense", "b.xlsm"])
    argv = ["batch", "--grades", "g", "--purchases", "p", "--routes-dir", "r", "--out-dir", "o"]
    assert "'two' 不是有效的整数" in exits([*argv, "--workers", "two"])


def test_every_command_has_a_description_an_example_and_help_for_every_option(capsys):
    top = cli.parser()
    commands = next(a for a in top._actions if a.dest == "command").choices
    for name, command in commands.items():
        if name == "install":
            continue
        assert command.description and "例：" in (command.epilog or ""), name
        for action in command._actions:
            assert action.help, (name, action.dest)
    with pytest.raises(SystemExit):
        cli.main(["install", "--help"])
    shown = capsys.readouterr().out
    assert shown.startswith("用法：xlcrm install") and "install_addin.py" not in shown.splitlines()[0]


def test_demo_department_makes_a_batch_to_try(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "find_office", lambda: None)  # no PDFs: quick
    folder = tmp_path / "部门"
    argv = ["demo", "--department", str(folder), "--managers", "2", "--customers", "60"]
    assert cli.main(argv) == 0
    err = capsys.readouterr().err
    assert "运行：xlcrm batch --grades" in err and "--routes-dir" in err and "--visits-dir" in err
    made = {p.name for p in (folder / "本季报表").iterdir()}
    assert "部门汇总.xlsx" in made and len([n for n in made if n.endswith(".xlsx")]) == 3
