"""Wrong choices and shell habits (issue 13): outputs that cannot be written or would replace an
input, `check … | head`, the district tables in the routes folder, route names that are no
sheet names. Each ends in one Chinese line and exit code 2 (or, for a closed pipe, quietly)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
import pytest

from support import ROUTE_HEAD, input_args, write_xlsx
from xlcrm.commands import cli


def digests(paths) -> dict[str, str]:
    return {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}


def batch_args(inputs: dict[str, Path]) -> list[str]:
    return ["batch", "-q", "--grades", str(inputs["grades"]), "--purchases", str(inputs["purchases"])]


def error_line(capsys) -> str:
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("错误：") and "程序内部错误" not in line
    return line


def test_an_output_folder_without_write_permission(small_inputs, tmp_path, monkeypatch, capsys):
    locked = tmp_path / "只读"
    locked.mkdir()
    locked.chmod(0o500)
    if os.access(locked, os.W_OK):  # root may write anywhere: the system says no instead
        real = tempfile.mkstemp

        def refuse(*args, dir=None, **kwargs):
            if Path(dir) == locked:
                raise PermissionError(13, "Permission denied", str(dir))
            return real(*args, dir=dir, **kwargs)

        monkeypatch.setattr("xlcrm.io.atomic.tempfile.mkstemp", refuse)
    try:
        code = cli.main(["build", "-q", *input_args(small_inputs), "--out", str(locked / "报表.xlsx")])
    finally:
        locked.chmod(0o700)
    assert code == 2
    assert f"无法在文件夹 {locked} 中写入（没有写权限）" in error_line(capsys)
    assert list(locked.iterdir()) == []


def test_export_dir_in_the_input_folder_never_replaces_an_input(tmp_path, small_inputs, capsys):
    folder = tmp_path / "exports"
    folder.mkdir()
    purchases = folder / "issues.csv"  # an export of another system, named like one of ours
    shutil.copyfile(small_inputs["purchases"], purchases)
    before = digests([purchases])
    paths = dict(small_inputs, purchases=purchases)
    argv = ["build", "-q", *input_args(paths), "--out", str(tmp_path / "o.xlsx"), "--export-dir", str(folder)]
    assert cli.main(argv) == 2
    assert "输出文件" in error_line(capsys)
    assert digests([purchases]) == before
    assert sorted(p.name for p in folder.iterdir()) == ["issues.csv"]  # nothing written beside it
    assert not (tmp_path / "o.xlsx").exists()
    # a hard link is the same file under another name
    linked = tmp_path / "o.xlsx"
    os.link(small_inputs["routes"], linked)
    assert cli.main(["build", "-q", *input_args(small_inputs), "--out", str(linked)]) == 2
    assert "就是输入文件 routes.xlsx" in error_line(capsys)


def test_check_piped_into_head_ends_quietly(tmp_path, small_inputs):
    rows = ROUTE_HEAD + [[i, f"3307819{i:05d}", "店", "", ""] for i in range(3000)]  # 9000 issue lines
    routes = write_xlsx(tmp_path / "线路.xlsx", {"一线": rows})
    paths = dict(small_inputs, routes=routes)
    command = " ".join(f"'{c}'" for c in [sys.executable, "-m", "xlcrm", "check", "-q", *input_args(paths)])

    def shell(line: str) -> subprocess.CompletedProcess:
        return subprocess.run(line, shell=True, capture_output=True, text=True, executable="/bin/bash")

    done = shell(f"{command} | head -n 2")
    assert len(done.stdout.splitlines()) == 2
    assert done.stderr == "", done.stderr  # no BrokenPipeError, no "Exception ignored"
    status = shell(f"{command} | head -n 1 >/dev/null; echo ${{PIPESTATUS[0]}}")
    assert status.stdout.strip() == str(cli.EXIT_PIPE_CLOSED)


@pytest.mark.parametrize(
    "option, name, words",
    [
        ("--out", "报表.xls", "须以 .xlsx 结尾"),
        ("--out", "报表", "须以 .xlsx 结尾"),
        ("--pdf", "拜访表.xlsx", ".pdf"),
    ],
)
def test_outputs_of_the_wrong_kind(small_inputs, tmp_path, capsys, option, name, words):
    argv = [
        "build",
        "-q",
        *input_args(small_inputs),
        "--out",
        str(tmp_path / "o.xlsx"),
        option,
        str(tmp_path / name),
    ]
    assert cli.main(argv) == 2
    line = error_line(capsys)
    assert f"{option} {name}" in line and words in line
    assert not (tmp_path / "o.xlsx").exists() and not (tmp_path / name).exists()


def test_a_byte_for_byte_copy_as_both_grade_tables(small_inputs, tmp_path, capsys):
    copy = tmp_path / "上季.xlsx"
    shutil.copyfile(small_inputs["grades"], copy)
    argv = ["check", "-q", *input_args(dict(small_inputs, previous=copy))]
    assert cli.main(argv) == 2
    line = error_line(capsys)
    assert "同一个文件 grades.xlsx 既作本季等级表（--grades）又作上季等级表（--previous-grades）" in line
    assert "（上季.xlsx 是它的副本，内容完全相同）" in line


def test_batch_skips_the_district_tables_in_the_routes_folder_and_never_overwrites_a_route_file(
    small_inputs, tmp_path, capsys
):
    folder = tmp_path / "线路表"
    folder.mkdir()
    shutil.copyfile(small_inputs["routes"], folder / "张三.xlsx")
    shutil.copyfile(small_inputs["routes"], folder / "李四.xls")  # an .xlsx under an old name
    grades = shutil.copyfile(small_inputs["grades"], folder / "本季等级.xlsx")
    before = digests(folder.iterdir())
    argv = ["batch", "--grades", str(grades), "--purchases", str(small_inputs["purchases"])]
    argv += ["--routes-dir", str(folder), "--out-dir", str(folder), "--workers", "1", "-q"]
    assert cli.main(argv) == 2  # 张三.xlsx would be its own output: not built, said
    printed = capsys.readouterr().out
    assert "跳过 本季等级.xlsx：它是辖区的等级表或购进表" in printed
    assert "已生成 1 位客户经理" in printed and "未完成：本季等级" not in printed
    assert "未完成：张三（张三.xlsx）" in printed and "就是输入文件" in printed
    assert digests(before) == before
    assert (folder / "李四.xlsx").exists() and (folder / "部门汇总.xlsx").exists()


def test_route_names_that_are_no_sheet_names(small_inputs, tmp_path):
    rows = [["客户经理", "线路", "客户代码"]]
    for i, route in enumerate(["一线/六线", "汇总", "数据问题", "A" * 40, "a" * 40, "History"]):
        rows.append(["张三", route, f"33078110000{i + 1}"])
    table = write_xlsx(tmp_path / "线路总表.xlsx", {"全部": rows})
    out = tmp_path / "out"
    argv = batch_args(small_inputs)
    assert cli.main([*argv, "--routes-table", str(table), "--out-dir", str(out), "--workers", "1"]) == 0
    names = openpyxl.load_workbook(out / "张三.xlsx").sheetnames
    assert names[0] == "汇总" and names[-1] == "数据问题"
    assert len({n.casefold() for n in names}) == len(names) and all(len(n) <= 31 for n in names)
    assert "一线_六线" in names and "汇总（2）" in names and "数据问题（2）" in names


@pytest.mark.parametrize("command", ["batch", "demo"])
def test_other_commands_with_an_output_folder_that_cannot_be_made(small_inputs, tmp_path, capsys, command):
    blocker = tmp_path / "一个文件"
    blocker.write_text("不是文件夹", encoding="utf-8")
    target = blocker / "输出"  # a folder inside a file: no system lets anyone make it
    if command == "batch":
        folder = tmp_path / "线路表"
        folder.mkdir()
        shutil.copyfile(small_inputs["routes"], folder / "张三.xlsx")
        argv = [
            *batch_args(small_inputs),
            "--routes-dir",
            str(folder),
            "--out-dir",
            str(target),
            "--workers",
            "1",
        ]
    else:
        argv = ["demo", "-q", "--dir", str(target), "--customers", "40"]
    assert cli.main(argv) == 2
    assert f"无法在文件夹 {target} 中写入" in error_line(capsys)
