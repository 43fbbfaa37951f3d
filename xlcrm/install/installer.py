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
from ..template.xlwings_package import xlwings_dir
from .places import LINUX, MACOS, WINDOWS, Places, current_platform, places, xlwings_config


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


def install_steps(place: Places, python: Path) -> list[Step]:
    from ..template.build import build_template

    config = xlwings_config(place.platform, python)
    manifest = read_manifest(place)
    files: dict[str, str] = dict(manifest["files"])
    dirs: list[str] = list(manifest["dirs"])

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
        place.manifest.write_text(
            json.dumps(
                {"xlcrm": xlcrm.__version__, "files": files, "dirs": dirs}, ensure_ascii=False, indent=1
            ),
            encoding="utf-8",
        )

    settings = "；".join(f"{k} = {v}" for k, v in config.items())
    steps = [
        Step(f"生成模板 {place.template}（Excel“新建 → 个人”中可见；xlwings.conf：{settings}）", template)
    ]
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


def uninstall_steps(place: Places) -> list[Step]:
    manifest = read_manifest(place)
    steps = []
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
        steps = uninstall_steps(place) if args.uninstall else install_steps(place, args.python)
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
