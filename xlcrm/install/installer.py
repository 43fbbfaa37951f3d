"""install_addin.py / `xlcrm install`: the template where Excel offers it for new workbooks, a
ready copy on the desktop, xlwings.conf filled for this computer's Python, RunPython enabled
on macOS. Every file written is recorded (with its hash) so that uninstalling removes exactly
those — and never a workbook the manager has since worked in."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import xlcrm

from ..core.errors import XlcrmError
from ..report.arguments import ChineseArgumentParser
from ..template.xlwings_package import xlwings_dir, xlwings_version
from .excel_python import (
    ENVIRONMENT,
    private_home,
    private_interpreter,
    private_python_commands,
    private_python_reason,
    temp_dir_setting,
)
from .places import LINUX, MACOS, WINDOWS, Places, current_platform, places, source_root, xlwings_config
from .windows import WPS_ONLY, WPS_OPEN, Machine, excel_path, xlsm_handler


@dataclass(frozen=True)
class Step:
    text: str  # what happens, in Chinese: printed as it runs, or instead of running (--dry-run)
    run: Callable[[], None]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(place: Places) -> dict:
    try:
        return json.loads(place.manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"files": {}, "dirs": []}
    except (OSError, ValueError) as exc:
        raise XlcrmError(f"安装记录 {place.manifest} 无法读取（{exc}）；可删除该文件后重新安装") from None


def install_steps(place: Places, python: Path, machine: Machine | None = None) -> list[Step]:
    from ..template.build import build_template

    machine = machine or Machine()
    config = xlwings_config(place.platform, python)
    manifest = read_manifest(place)
    files: dict[str, str] = dict(manifest["files"])
    dirs: list[str] = list(manifest["dirs"])
    trees: list[str] = list(manifest.get("trees", []))
    steps: list[Step] = []
    if place.platform == WINDOWS:
        steps += office_steps(machine)
        private = excel_python_steps(place, python, machine, config, trees)
        base = str(private_home(place.home, machine.program_data, machine.code_page))
        if private and base not in dirs and not Path(base).exists():
            dirs.append(base)  # removed on uninstall once empty
        steps += private

    def made(path: Path) -> None:
        files[str(path)] = digest(path)

    def folder(path: Path) -> None:
        created = [p for p in [path, *path.parents] if not p.exists()]
        dirs.extend(str(p) for p in created if str(p) not in dirs)
        path.mkdir(parents=True, exist_ok=True)

    def template() -> None:
        folder(place.templates)
        made(build_template(place.template, config=config))

    def workbook() -> None:
        folder(place.workbook.parent)
        made(build_template(place.workbook, config=config))

    def applescript() -> None:
        folder(place.scripts)
        shutil.copyfile(xlwings_dir() / place.applescript.name, place.applescript)
        made(place.applescript)

    def record() -> None:
        folder(place.manifest.parent)
        recorded = {"xlcrm": xlcrm.__version__, "files": files, "dirs": dirs, "trees": trees}
        place.manifest.write_text(json.dumps(recorded, ensure_ascii=False, indent=1), encoding="utf-8")

    settings = "；".join(f"{k} = {v}" for k, v in config.items())
    steps.append(
        Step(f"生成模板 {place.template}（Excel“新建 → 个人”中可见；xlwings.conf：{settings}）", template)
    )
    existing = place.workbook.exists() and manifest["files"].get(str(place.workbook)) != digest(
        place.workbook
    )
    if existing:
        steps.append(
            Step(
                f"保留已有的工作簿 {place.workbook}（其中可能有您的数据，不改动）；新工作簿请从模板新建",
                lambda: None,
            )
        )
    else:
        steps.append(
            Step(f"生成工作簿 {place.workbook}（双击打开，启用宏后即可使用“客户管理”选项卡）", workbook)
        )
    if place.platform == MACOS:
        steps.append(
            Step(f"允许 Excel 运行 Python（复制 {place.applescript.name} 到 {place.scripts}）", applescript)
        )
    steps.append(Step(f"记录安装内容 {place.manifest}（卸载时使用）", record))
    return steps


def office_steps(machine: Machine) -> list[Step]:
    """Say so when the template cannot work here: no Excel, or .xlsm files open in WPS."""
    handler = xlsm_handler(machine.run)
    if excel_path(machine.run) is None:
        return [Step("注意：这台电脑没有安装 Microsoft Excel。" + WPS_ONLY, lambda: None)]
    if handler.office == "wps":
        return [Step("注意：这台电脑双击 .xlsm 文件会用 WPS 打开。" + WPS_OPEN, lambda: None)]
    return []


def excel_python_steps(
    place: Places, python: Path, machine: Machine, config: dict[str, str], trees: list[str]
) -> list[Step]:
    """Makes `config` name a Python whose xlwings DLL xlwings.bas finds and whose paths survive
    the system code page: this one, or a private environment made for Excel."""
    base = private_home(place.home, machine.program_data, machine.code_page)
    steps = []
    reason = private_python_reason(config, xlwings_version(), machine.code_page, machine.exists)
    if reason:
        private = private_interpreter(base)
        source = source_root() if (Path(source_root()) / "pyproject.toml").exists() else ""
        commands = private_python_commands(str(python), base, source or f"xlcrm=={xlcrm.__version__}")

        def make_environment() -> None:
            for command in commands:
                if machine.call(command) != 0:
                    raise XlcrmError(
                        f"建立 Excel 专用的 Python 环境失败（{' '.join(command[:4])} …）。"
                        "请检查网络，或请 IT 人员按 README“IT 人员”一节处理"
                    )
            if str(base / ENVIRONMENT) not in trees:
                trees.append(str(base / ENVIRONMENT))

        steps.append(
            Step(
                f"建立 Excel 专用的 Python 环境 {base / ENVIRONMENT}，安装 xlcrm 和 xlwings"
                f"（需要联网，约 1–3 分钟）。原因：{reason}",
                make_environment,
            )
        )
        config["Interpreter_Win"] = str(private)
        config["PYTHONPATH"] = ""
    temp = temp_dir_setting(machine.temp, base, machine.code_page)
    if temp:
        steps.append(
            Step(
                f"建立临时文件夹 {temp}（%TEMP% {machine.temp} 含有系统代码页无法表示的字符，"
                "xlwings 无法在那里写出错误信息）",
                lambda: Path(temp).mkdir(parents=True, exist_ok=True),
            )
        )
        if temp not in trees:
            trees.append(temp)
        config["TEMP DIR"] = temp
    return steps


def uninstall_steps(place: Places) -> list[Step]:
    manifest = read_manifest(place)
    steps = []
    for name in manifest.get("trees", []):
        if Path(name).exists():
            steps.append(
                Step(f"删除 {name}（xlcrm 为 Excel 建立的，别处不用）", lambda p=Path(name): shutil.rmtree(p))
            )
    for name, recorded in manifest["files"].items():
        path = Path(name)
        if not path.exists():
            continue
        if digest(path) == recorded:
            steps.append(Step(f"删除 {path}", path.unlink))
        else:
            steps.append(Step(f"保留 {path}（安装后已被修改，可能有您的数据）", lambda: None))
    if place.manifest.exists():
        steps.append(Step(f"删除安装记录 {place.manifest}", place.manifest.unlink))
    for name in sorted(manifest["dirs"] + [str(place.manifest.parent)], key=len, reverse=True):
        steps.append(Step(f"删除空文件夹 {name}（如果为空）", lambda p=Path(name): _remove_if_empty(p)))
    return steps


def _remove_if_empty(path: Path) -> None:
    if path.is_dir() and not any(path.iterdir()):
        path.rmdir()


def run_steps(steps: list[Step], *, dry_run: bool, say: Callable[[str], None]) -> None:
    for number, step in enumerate(steps, start=1):
        say(f"{'[演练] ' if dry_run else ''}{number}. {step.text}")
        if not dry_run:
            step.run()


def main(
    argv: list[str] | None = None, say: Callable[[str], None] = print, prog: str = "install_addin.py"
) -> int:
    parser = ChineseArgumentParser(
        prog=prog,
        description="把 xlcrm（客户管理）装进 Excel，或卸载",
        epilog=f"例：\n  {'python ' if prog.endswith('.py') else ''}{prog} --dry-run",
    )
    parser.add_argument(
        "--uninstall", action="store_true", help="卸载：只删除安装时写入且之后没有改动过的文件"
    )
    parser.add_argument("--dry-run", action="store_true", help="只列出每一步，不做任何改动")
    parser.add_argument("--target", type=Path, default=Path.home(), help="用户主文件夹（默认当前用户）")
    parser.add_argument(
        "--platform", choices=[WINDOWS, MACOS, LINUX], default=current_platform(), help=argparse.SUPPRESS
    )  # tests and IT staff preparing another machine's folders
    parser.add_argument(
        "--python", type=Path, default=Path(sys.executable), help="Excel 要使用的 Python（默认当前这个）"
    )
    args = parser.parse_args(argv)
    place = places(args.platform, args.target)
    try:
        if args.platform == LINUX and not args.uninstall:
            say("这台电脑没有 Excel（Linux）：只安装命令行。用法：xlcrm build --help；试用：xlcrm demo")
            return 0
        if args.uninstall:
            steps = uninstall_steps(place)
        else:
            steps = install_steps(place, args.python, Machine.this() if args.platform == WINDOWS else None)
        run_steps(steps, dry_run=args.dry_run, say=say)
    except XlcrmError as exc:
        say(f"错误：{exc}")
        return 2
    except OSError as exc:
        say(f"错误：{exc.filename or ''} {exc.strerror or exc}。请关闭 Excel 后重试，或检查文件夹权限")
        return 2
    if args.dry_run:
        say("演练结束，没有做任何改动。")
    elif args.uninstall:
        say("已卸载。如需彻底删除 Python 包：pip uninstall xlcrm")
    else:
        say("安装完成。打开桌面上的“客户管理.xlsm”，点“启用内容”。有问题时运行：xlcrm doctor")
    return 0
