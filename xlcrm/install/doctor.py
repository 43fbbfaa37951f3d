"""`xlcrm doctor`: one line per check of what xlcrm needs to work in Excel, and for each
failure what to do. Checks read files only; they change nothing."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from ..io.pdf import find_office
from ..template.xlwings_package import xlwings_version
from .places import MACOS, WINDOWS, Places, places, source_root

REINSTALL = "重新运行 python install_addin.py（或 xlcrm install）"
PACKAGES = ("xlcrm", "pandas", "openpyxl", "XlsxWriter", "xlwings", "python-calamine", "fastexcel")
WINDOWS_CJK_FONTS = ("simsun.ttc", "msyh.ttc", "simhei.ttf", "msyh.ttf")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    optional: bool = False  # a missing extra (PDF printing) is reported, not a failure

    def line(self) -> str:
        mark = "✔" if self.ok else ("△" if self.optional else "✘")
        return f"{mark} {self.name}：{self.detail}" + ("" if self.ok else f" —— 解决：{self.fix}")


def python_check(platform: str, python: Path) -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    if platform == WINDOWS and not python.with_name("pythonw.exe").exists():
        return Check(
            "Python",
            False,
            f"{python} 旁边没有 pythonw.exe",
            "使用 python.org 的安装包或完整的 Conda 环境（带 pythonw.exe）后" + REINSTALL,
        )
    return Check("Python", True, f"{python}（{version}）")


def packages_check() -> Check:
    found, missing = [], []
    for name in PACKAGES:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        return Check(
            "Python 包", False, "缺少 " + "、".join(missing), "在 xlcrm 文件夹中运行：pip install -e ."
        )
    return Check("Python 包", True, "，".join(found))


def read_workbook(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(custom document properties, xlwings.conf key → value) of a built workbook."""
    import openpyxl

    props = {}
    with zipfile.ZipFile(path) as package:
        if "docProps/custom.xml" in package.namelist():
            root = ElementTree.fromstring(package.read("docProps/custom.xml"))
            for prop in root:
                props[prop.get("name")] = "".join(prop.itertext())
    book = openpyxl.load_workbook(path, read_only=True, keep_vba=False)
    conf = {}
    if "xlwings.conf" in book.sheetnames:
        conf = {
            str(k): "" if v is None else str(v)
            for k, v, *_ in book["xlwings.conf"].iter_rows(values_only=True)
            if k
        }
    book.close()
    return props, conf


def workbook_checks(
    label: str, path: Path | None, platform: str, exists: Callable[[str], bool]
) -> list[Check]:
    if path is None:
        return []
    if not path.exists():
        return [Check(label, False, f"找不到 {path}", REINSTALL)]
    try:
        props, conf = read_workbook(path)
    except Exception as exc:  # a damaged or foreign file: say so, do not crash the doctor
        return [Check(label, False, f"{path} 无法读取（{exc}）", REINSTALL)]
    checks = [Check(label, True, str(path))]
    built_with = props.get("xlwings version")
    if built_with != xlwings_version():
        checks.append(
            Check(
                f"{label}的 xlwings 版本",
                False,
                f"工作簿内的 xlwings VBA 是 {built_with or '未知'}，"
                f"Python 中的 xlwings 是 {xlwings_version()}",
                REINSTALL + "，让模板带上相同版本的 VBA",
            )
        )
    else:
        checks.append(Check(f"{label}的 xlwings 版本", True, f"{built_with}（与 Python 中一致）"))
    key = "Interpreter_Win" if platform == WINDOWS else "Interpreter_Mac"
    interpreter = conf.get(key, "")
    if not interpreter or not exists(interpreter):
        checks.append(
            Check(
                f"{label}的解释器设置",
                False,
                f"xlwings.conf 中 {key} = “{interpreter}”，该文件不存在",
                REINSTALL + "（会填入这台电脑上的 Python）",
            )
        )
    elif platform == WINDOWS and not interpreter.lower().endswith("pythonw.exe"):
        checks.append(
            Check(
                f"{label}的解释器设置",
                False,
                f"{key} = {interpreter}，运行时会闪出黑色窗口",
                "改为同一文件夹中的 pythonw.exe，或" + REINSTALL,
            )
        )
    else:
        checks.append(Check(f"{label}的解释器设置", True, f"{key} = {interpreter}"))
    if conf.get("UDF Modules") != "xlcrm.udfs":
        checks.append(
            Check(
                f"{label}的单元格函数设置",
                False,
                f"UDF Modules = “{conf.get('UDF Modules', '')}”",
                "在 xlwings.conf 表中把 UDF Modules 设为 xlcrm.udfs，或" + REINSTALL,
            )
        )
    paths = [p for p in conf.get("PYTHONPATH", "").split(";") if p]
    if not any(exists(str(Path(p) / "xlcrm" / "__init__.py")) for p in paths) and not _importable():
        checks.append(
            Check(
                f"{label}的 PYTHONPATH",
                False,
                f"PYTHONPATH = “{conf.get('PYTHONPATH', '')}” 中找不到 xlcrm",
                f"设为 {source_root()}，或" + REINSTALL,
            )
        )
    return checks


def _importable() -> bool:
    try:
        importlib.metadata.version("xlcrm")
        return True
    except importlib.metadata.PackageNotFoundError:
        return False


def applescript_check(place: Places) -> list[Check]:
    if place.platform != MACOS:
        return []
    if place.applescript.exists():
        return [Check("RunPython（macOS）", True, str(place.applescript))]
    return [
        Check(
            "RunPython（macOS）",
            False,
            f"找不到 {place.applescript}，Excel 无法启动 Python",
            REINSTALL + "（或运行 xlwings runpython install）",
        )
    ]


def office_check(office: str | None) -> Check:
    if office:
        return Check("LibreOffice（打印 PDF）", True, office)
    return Check(
        "LibreOffice（打印 PDF）",
        False,
        "未安装；Excel/WPS 中直接打印不受影响",
        "需要 xlcrm print 生成 PDF 时安装 LibreOffice（https://zh-cn.libreoffice.org）",
        optional=True,
    )


def font_check(platform: str, home: Path, chinese_fonts: Callable[[], list[str]]) -> Check:
    fonts = chinese_fonts()
    if fonts:
        return Check("中文字体（打印）", True, "、".join(fonts[:3]))
    fix = (
        "安装中文字体，如 apt-get install fonts-noto-cjk"
        if platform not in (WINDOWS, MACOS)
        else "安装宋体或微软雅黑（系统设置 → 字体）"
    )
    return Check("中文字体（打印）", False, "没有找到中文字体，PDF 中的中文会显示为方框", fix, optional=True)


def system_chinese_fonts(platform: str) -> list[str]:
    if platform == WINDOWS:
        fonts = Path(r"C:\Windows\Fonts")
        return [f for f in WINDOWS_CJK_FONTS if (fonts / f).exists()]
    if shutil.which("fc-list") is None:
        return []
    done = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    families = {line.split(",")[0].strip() for line in done.stdout.splitlines() if line.strip()}
    return sorted(
        families, key=lambda f: (not any(t in f for t in ("SC", "CN", "Song", "Hei")), f)
    )  # Simplified first


def diagnose(
    platform: str,
    home: Path,
    python: Path,
    *,
    office: Callable[[], str | None] = find_office,
    chinese_fonts: Callable[[], list[str]] | None = None,
    exists: Callable[[str], bool] = lambda p: Path(p).exists(),
) -> list[Check]:
    place = places(platform, home)
    checks = [python_check(platform, python), packages_check()]
    if place.templates is None:
        checks.append(Check("Excel", True, "这台电脑没有 Excel（Linux）：只检查命令行和打印", optional=True))
    checks += workbook_checks("模板", place.template, platform, exists)
    if place.workbook is not None and place.workbook.exists():
        checks += workbook_checks("桌面工作簿", place.workbook, platform, exists)
    checks += applescript_check(place)
    checks.append(office_check(office()))
    checks.append(font_check(platform, home, chinese_fonts or (lambda: system_chinese_fonts(platform))))
    return checks


def main(platform: str, home: Path, python: Path, say: Callable[[str], None] = print) -> int:
    checks = diagnose(platform, home, python)
    for check in checks:
        say(check.line())
    failed = [c for c in checks if not c.ok and not c.optional]
    say(f"\n{len(failed)} 项需要处理。" if failed else "\n全部正常。")
    return 1 if failed else 0
