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
from .excel_python import dll_folders, find_dlls, not_representable
from .places import MACOS, WINDOWS, Places, places, source_root
from .windows import WPS_ONLY, WPS_OPEN, AsrRule, Machine, asr_rule, excel_path, xlsm_handler

REINSTALL = "重新运行 python install_addin.py（或 xlcrm install）"
PACKAGES = ("xlcrm", "pandas", "openpyxl", "XlsxWriter", "xlwings", "python-calamine", "fastexcel")
WINDOWS_CJK_FONTS = ("simsun.ttc", "msyh.ttc", "simhei.ttf", "msyh.ttf")
EXCEL_FIX = "需要“客户管理”选项卡时安装 Microsoft Excel 2010 或更新版本（Windows 版）"
ASR_FIX = (
    "请 IT 允许 Excel 启动 cmd.exe 和 xlwings.conf 中的 pythonw.exe（为该规则添加这两个程序的排除项），"
    "或对这台电脑把该规则设为“审核”；见 README“IT 人员”一节"
)


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
    label: str,
    path: Path | None,
    platform: str,
    exists: Callable[[str], bool],
    machine: Machine | None = None,
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
    if platform == WINDOWS and interpreter:
        checks.append(dll_check(label, interpreter, built_with or xlwings_version(), exists))
        checks += code_page_checks(label, conf, machine or Machine())
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


def dll_check(label: str, interpreter: str, version: str, exists: Callable[[str], bool]) -> Check:
    """The xlwings DLL the cell functions need, looked for exactly where xlwings.bas looks."""
    found = find_dlls(interpreter, version, exists)
    missing = [name for name, where in found.items() if where is None]
    if not missing:
        return Check(f"{label}的 xlwings DLL", True, "、".join(str(w) for w in found.values()))
    folders = "、".join(str(f) for f in dll_folders(interpreter))
    return Check(
        f"{label}的 xlwings DLL",
        False,
        f"xlwings 只在 {folders} 中找 {'、'.join(missing)}，那里没有：单元格函数无法计算",
        REINSTALL
        + "（Python 为所有用户安装、xlwings 装进了用户目录时，安装程序会为 Excel 建立专用的 Python 环境）",
    )


def code_page_checks(label: str, conf: dict[str, str], machine: Machine) -> list[Check]:
    """Paths xlwings passes through Windows' ANSI calls must fit the system code page."""
    paths = {"Interpreter_Win": conf.get("Interpreter_Win", "")}
    paths.update({f"PYTHONPATH {i + 1}": p for i, p in enumerate(conf.get("PYTHONPATH", "").split(";")) if p})
    temp_key = "TEMP DIR" if conf.get("TEMP DIR") else "%TEMP%"
    paths[temp_key] = conf.get("TEMP DIR") or machine.temp
    bad = not_representable(paths, machine.code_page)
    if not bad:
        return [Check(f"{label}的路径与系统代码页", True, f"都能用代码页 {machine.code_page} 表示")]
    return [
        Check(
            f"{label}的路径与系统代码页",
            False,
            "；".join(f"{name} {paths[name]}" for name in bad)
            + f" 含有系统代码页 {machine.code_page} 无法表示的字符（如英文版 Windows 上的中文用户名），"
            "经 Excel 传递后会变成问号",
            REINSTALL + "（会把 Python 和临时文件放到不含这些字符的文件夹）",
        )
    ]


def windows_checks(machine: Machine) -> list[Check]:
    """Excel, the program that opens .xlsm files, and Defender's rule on Office child processes."""
    checks = []
    excel = excel_path(machine.run)
    if excel:
        checks.append(Check("Microsoft Excel", True, excel))
    else:
        checks.append(Check("Microsoft Excel", False, "没有安装。" + WPS_ONLY, EXCEL_FIX, optional=True))
    handler = xlsm_handler(machine.run)
    if handler.office == "excel":
        checks.append(Check(".xlsm 文件的打开方式", True, f"Excel（{handler.prog_id}）"))
    elif handler.office == "wps":
        checks.append(
            Check(
                ".xlsm 文件的打开方式",
                False,
                f"WPS（{handler.command or handler.prog_id}）。" + WPS_OPEN,
                "右键 .xlsm 文件 → 打开方式 → 选择其他应用 → Excel，勾选“始终使用此应用”",
                optional=True,
            )
        )
    elif excel:
        checks.append(
            Check(
                ".xlsm 文件的打开方式",
                False,
                f"{handler.prog_id or '没有默认程序'}",
                "右键 .xlsm 文件 → 打开方式 → Excel",
                optional=True,
            )
        )
    checks.append(asr_check(asr_rule(machine.run)))
    return checks


def asr_check(rule: AsrRule) -> Check:
    name = "Defender 规则“阻止所有 Office 应用程序创建子进程”"
    if rule.mode == "block":
        return Check(
            name,
            False,
            f"已启用“阻止”（{rule.source}）：Excel 无法启动 Python，按钮和单元格函数都不能用",
            ASR_FIX,
        )
    if rule.mode == "warn":
        return Check(
            name,
            False,
            f"“警告”模式（{rule.source}）：每次点按钮都会被拦下，需点“允许”",
            ASR_FIX,
            optional=True,
        )
    if rule.mode in ("audit", "off"):
        return Check(name, True, "仅审核，不阻止" if rule.mode == "audit" else "未启用")
    return Check(
        name,
        False,
        "无法读取（没有 Windows Defender，或没有权限）；其他杀毒软件也可能拦截 Excel 启动 Python",
        "如点按钮后没有反应，请 IT 检查安全软件是否阻止 Excel 启动 cmd.exe 和 pythonw.exe",
        optional=True,
    )


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
    machine: Machine | None = None,
) -> list[Check]:
    place = places(platform, home)
    machine = machine or (Machine.this() if platform == WINDOWS else Machine())
    checks = [python_check(platform, python), packages_check()]
    if place.templates is None:
        checks.append(Check("Excel", True, "这台电脑没有 Excel（Linux）：只检查命令行和打印", optional=True))
    if platform == WINDOWS:
        checks += windows_checks(machine)
    checks += workbook_checks("模板", place.template, platform, exists, machine)
    if place.workbook is not None and place.workbook.exists():
        checks += workbook_checks("桌面工作簿", place.workbook, platform, exists, machine)
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
