"""install_addin.py and xlcrm doctor, on fake Windows and macOS home folders."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwings

from xlcrm.commands import cli
from xlcrm.install import doctor
from xlcrm.install.excel_python import dll_names
from xlcrm.install.installer import main as install
from xlcrm.install.places import source_root
from xlcrm.install.windows import Machine

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def python(tmp_path) -> Path:
    """A Windows-style Python folder: python.exe with pythonw.exe beside it, and the xlwings DLLs
    that pip puts there (the data folder of a normal install)."""
    folder = tmp_path / "Python 3.12"  # a space in the path, as under Program Files
    folder.mkdir()
    for name in ("python.exe", "pythonw.exe", *dll_names(xlwings.__version__)):
        (folder / name).write_bytes(b"")
    return folder / "python.exe"


def run(home: Path, python: Path, platform: str = "windows", *extra: str) -> list[str]:
    said: list[str] = []
    assert (
        install(
            ["--platform", platform, "--target", str(home), "--python", str(python), *extra], say=said.append
        )
        == 0
    )
    return said


def tree(home: Path) -> set[str]:
    return {str(p.relative_to(home)) for p in home.rglob("*")}


def conf(path: Path) -> dict[str, str]:
    book = openpyxl.load_workbook(path, keep_vba=True)
    return {k: v for k, v, *_ in book["xlwings.conf"].iter_rows(values_only=True)}


def windows_paths(home: Path) -> tuple[Path, Path]:
    return (
        home / "Documents" / "Custom Office Templates" / "客户管理.xltm",
        home / "Desktop" / "客户管理.xlsm",
    )


def test_windows_install_puts_template_and_workbook_with_this_python(tmp_path, python):
    home = tmp_path / "home"
    said = run(home, python)
    template, workbook = windows_paths(home)
    for path in (template, workbook):
        assert conf(path) == {
            "Interpreter_Win": str(python.with_name("pythonw.exe")),
            "Interpreter_Mac": None,
            "PYTHONPATH": source_root(),
            "Conda Path": None,
            "Conda Env": None,
            "UDF Modules": "xlcrm.udfs",
            "Debug UDFs": False,
            "Use UDF Server": False,
            "Show Console": False,
            "ADD_WORKBOOK_TO_PYTHONPATH": "False",
        }
    with zipfile.ZipFile(template) as package:
        assert "template.macroEnabled" in package.read("[Content_Types].xml").decode()
    manifest = json.loads((home / ".xlcrm" / "install.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {str(template), str(workbook)}
    assert any("客户管理.xltm" in line for line in said) and said[-1].startswith("安装完成")


def test_installing_twice_is_harmless(tmp_path, python):
    home = tmp_path / "home"
    run(home, python)
    before = {p: p.read_bytes() for p in windows_paths(home)}
    run(home, python)
    assert {p: p.read_bytes() for p in windows_paths(home)} == before
    assert tree(home) == {
        ".xlcrm",
        ".xlcrm/install.json",
        "Documents",
        "Documents/Custom Office Templates",
        "Documents/Custom Office Templates/客户管理.xltm",
        "Desktop",
        "Desktop/客户管理.xlsm",
    }


def test_uninstall_leaves_no_trace(tmp_path, python):
    home = tmp_path / "home"
    home.mkdir()
    (home / "我的文件.xlsx").write_bytes(b"mine")
    run(home, python)
    said = run(home, python, "windows", "--uninstall")
    assert tree(home) == {"我的文件.xlsx"} and said[-1].startswith("已卸载")


def test_a_workbook_the_manager_worked_in_is_never_replaced_or_removed(tmp_path, python):
    home = tmp_path / "home"
    run(home, python)
    _, workbook = windows_paths(home)
    book = openpyxl.load_workbook(workbook, keep_vba=True)
    book["一线"]["B4"] = "330781100001"
    book.save(workbook)
    worked = workbook.read_bytes()
    assert any("保留已有的工作簿" in line for line in run(home, python))
    assert workbook.read_bytes() == worked
    said = run(home, python, "windows", "--uninstall")
    assert any("保留" in line and "已被修改" in line for line in said)
    assert workbook.read_bytes() == worked
    assert tree(home) == {"Desktop", "Desktop/客户管理.xlsm"}


def test_dry_run_changes_nothing(tmp_path, python):
    home = tmp_path / "home"
    home.mkdir()
    said = run(home, python, "windows", "--dry-run")
    assert tree(home) == set()
    assert all(line.startswith("[演练]") for line in said[:-1]) and "没有做任何改动" in said[-1]
    run(home, python)
    run(home, python, "windows", "--uninstall", "--dry-run")
    assert "Desktop/客户管理.xlsm" in tree(home)


def test_onedrive_desktop_is_where_the_manager_looks(tmp_path, python):
    home = tmp_path / "home"
    (home / "OneDrive" / "Desktop").mkdir(parents=True)
    run(home, python)
    assert (home / "OneDrive" / "Desktop" / "客户管理.xlsm").exists()


def test_macos_install_enables_runpython(tmp_path):
    home = tmp_path / "home"
    python = Path(sys.executable)
    run(home, python, "macos")
    templates = home / "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Templates.localized"
    assert conf(templates / "客户管理.xltm")["Interpreter_Mac"] == str(python)
    script = (
        home
        / "Library/Application Scripts/com.microsoft.Excel"
        / f"xlwings-{xlwings.__version__}.applescript"
    )
    assert script.read_bytes() == (Path(xlwings.__file__).parent / script.name).read_bytes()
    run(home, python, "macos", "--uninstall")
    assert tree(home) == set()


def test_linux_installs_the_command_line_only(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    said = run(home, Path(sys.executable), "linux")
    assert "没有 Excel" in said[0] and tree(home) == set()


def test_install_addin_script_and_xlcrm_install_are_the_same(tmp_path, python):
    home = tmp_path / "home"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "install_addin.py"),
            "--platform",
            "windows",
            "--target",
            str(home),
            "--python",
            str(python),
            "--dry-run",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "客户管理.xltm" in done.stdout
    assert cli.main(["install", "--platform", "windows", "--target", str(home), "--python", str(python)]) == 0
    assert windows_paths(home)[1].exists()


# --- xlcrm doctor -----------------------------------------------------------------------------


def excel_machine(args: list[str]) -> str | None:
    """reg.exe on a PC with Excel: EXCEL.EXE registered and opening .xlsm (tests/install/test_windows.py
    reads the recorded outputs of other machines)."""
    command = r'"C:\Program Files\Microsoft Office\Root\Office16\EXCEL.EXE" "%1"'
    values = {
        "App Paths": r"C:\Program Files\Microsoft Office\Root\Office16\EXCEL.EXE",
        r"HKCR\.xlsm": "Excel.SheetMacroEnabled.12",
        r"Excel.SheetMacroEnabled.12\shell": command,
    }
    if args[0] == "powershell":  # Get-MpPreference: no attack surface reduction rule set
        return '{"actions":[null],"ids":[null]}'
    for key, value in values.items():
        if args[:2] == ["reg", "query"] and key in args[2]:
            return f"\r\n{args[2]}\r\n    (Default)    REG_SZ    {value}\r\n"
    return None


def diagnose(home: Path, python: Path, platform: str = "windows", **kwargs) -> dict[str, doctor.Check]:
    kwargs.setdefault("office", lambda: "/usr/bin/soffice")
    kwargs.setdefault("chinese_fonts", lambda: ["SimSun"])
    kwargs.setdefault("machine", Machine(code_page=936, temp=str(home / "Temp"), run=excel_machine))
    return {c.name: c for c in doctor.diagnose(platform, home, python, **kwargs)}


def failures(checks: dict[str, doctor.Check]) -> dict[str, doctor.Check]:
    return {name: c for name, c in checks.items() if not c.ok}


def test_doctor_after_a_good_install_finds_nothing_wrong(tmp_path, python):
    home = tmp_path / "home"
    run(home, python)
    assert failures(diagnose(home, python)) == {}


def test_doctor_without_an_install_says_to_install(tmp_path, python):
    checks = failures(diagnose(tmp_path / "home", python))
    assert set(checks) == {"模板"} and "install_addin.py" in checks["模板"].fix


def test_doctor_finds_a_python_that_moved(tmp_path, python):
    home = tmp_path / "home"
    run(home, python)
    python.with_name("pythonw.exe").unlink()
    checks = failures(diagnose(home, python))
    assert "pythonw.exe" in checks["Python"].detail
    assert (
        "该文件不存在" in checks["模板的解释器设置"].detail
        and "install_addin.py" in checks["模板的解释器设置"].fix
    )
    assert "桌面工作簿的解释器设置" in checks


def test_doctor_finds_xlwings_of_another_version(tmp_path, python):
    home = tmp_path / "home"
    run(home, python)
    template, _ = windows_paths(home)
    rewritten = tmp_path / "t.zip"
    with zipfile.ZipFile(template) as old, zipfile.ZipFile(rewritten, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "docProps/custom.xml":
                data = data.replace(xlwings.__version__.encode(), b"0.30.0")
            new.writestr(info, data)
    shutil.move(rewritten, template)
    check = failures(diagnose(home, python))["模板的 xlwings 版本"]
    assert (
        "0.30.0" in check.detail and xlwings.__version__ in check.detail and "install_addin.py" in check.fix
    )


def test_doctor_finds_wrong_config_values(tmp_path, python):
    home = tmp_path / "home"
    run(home, python)
    _, workbook = windows_paths(home)
    book = openpyxl.load_workbook(workbook, keep_vba=True)
    sheet = book["xlwings.conf"]
    for row in sheet.iter_rows():
        if row[0].value == "UDF Modules":
            row[1].value = "udfs"
        if row[0].value == "Interpreter_Win":
            row[1].value = str(python)  # python.exe: a console window on every click
        if row[0].value == "PYTHONPATH":
            row[1].value = str(tmp_path)
    book.save(workbook)
    checks = failures(diagnose(home, python))
    assert "xlcrm.udfs" in checks["桌面工作簿的单元格函数设置"].fix
    assert "pythonw.exe" in checks["桌面工作簿的解释器设置"].fix
    assert "模板的单元格函数设置" not in checks


def test_doctor_on_macos_needs_the_applescript(tmp_path):
    home = tmp_path / "home"
    python = Path(sys.executable)
    run(home, python, "macos")
    next((home / "Library/Application Scripts").rglob("*.applescript")).unlink()
    checks = failures(diagnose(home, python, "macos"))
    assert (
        set(checks) == {"RunPython（macOS）"}
        and "xlwings runpython install" in checks["RunPython（macOS）"].fix
    )


def test_doctor_printing_extras_are_reported_not_failed(tmp_path, python):
    checks = diagnose(tmp_path, Path(sys.executable), "linux", office=lambda: None, chinese_fonts=lambda: [])
    office, fonts = checks["LibreOffice（打印 PDF）"], checks["中文字体（打印）"]
    assert office.optional and not office.ok and "LibreOffice" in office.fix
    assert fonts.optional and "fonts-noto-cjk" in fonts.fix
    assert office.line().startswith("△")


def test_doctor_command_exit_codes(tmp_path, python, capsys):
    home = tmp_path / "home"
    assert cli.main(["doctor", "--platform", "windows", "--target", str(home), "--python", str(python)]) == 1
    out = capsys.readouterr().out
    assert "✘ 模板：找不到" in out and "解决：" in out and "1 项需要处理" in out
    run(home, python)
    assert cli.main(["doctor", "--platform", "windows", "--target", str(home), "--python", str(python)]) == 0
