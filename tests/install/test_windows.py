"""What xlcrm reads about a Windows machine, from recorded reg.exe and PowerShell outputs, and
what the installer and `xlcrm doctor` make of it: the xlwings DLL where xlwings.bas looks, paths
in the system code page, WPS, Defender's rule on Office child processes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xlcrm.install import doctor
from xlcrm.install.excel_python import (
    dll_folders,
    dll_names,
    find_dlls,
    private_home,
    private_python_reason,
    temp_dir_setting,
    user_key,
)
from xlcrm.install.installer import install_steps, run_steps, uninstall_steps
from xlcrm.install.places import places
from xlcrm.install.windows import (
    ASR_POLICY_KEY,
    ASR_RULE,
    EXCEL_APP_PATH,
    XLSM_CHOICE_KEY,
    Machine,
    asr_from_mp_preference,
    asr_from_registry,
    asr_rule,
    excel_path,
    office_of,
    reg_values,
    representable,
    xlsm_handler,
)
from xlcrm.template.xlwings_package import xlwings_version

RECORDED = Path(__file__).parent / "recorded"
VERSION = xlwings_version()


def recorded(name: str) -> str:
    return (RECORDED / name).read_text(encoding="utf-8")


def machine_with(outputs: dict[tuple[str, ...], str], **facts) -> Machine:
    """A machine whose commands print the recorded outputs (keyed by the command's first words)."""

    def run(args: list[str]) -> str | None:
        for key, text in outputs.items():
            if tuple(args[: len(key)]) == key:
                return text
        return None

    return Machine(run=run, **facts)


EXCEL_MACHINE = {
    ("reg", "query", EXCEL_APP_PATH): recorded("excel_app_path_zh.txt"),
    ("reg", "query", r"HKCR\.xlsm"): recorded("xlsm_class_excel_en.txt"),
    ("reg", "query", r"HKCR\Excel.SheetMacroEnabled.12\shell\open\command"): recorded("excel_command_en.txt"),
}


# --- reading the recorded outputs ---------------------------------------------------------------


def test_reg_query_output_in_english_and_chinese():
    assert reg_values(recorded("xlsm_class_excel_en.txt")) == {
        "(Default)": ("REG_SZ", "Excel.SheetMacroEnabled.12"),
        "Content Type": ("REG_SZ", "application/vnd.ms-excel.sheet.macroEnabled.12"),
    }
    assert (
        excel_path(machine_with(EXCEL_MACHINE).run)
        == r"C:\Program Files\Microsoft Office\Root\Office16\EXCEL.EXE"
    )
    assert reg_values(None) == {} and excel_path(machine_with({}).run) is None


@pytest.mark.parametrize(
    ("name", "mode"), [("asr_policy_block.txt", "block"), ("asr_policy_audit.txt", "audit")]
)
def test_asr_rule_from_group_policy(name, mode):
    assert asr_from_registry(recorded(name)) == mode
    rule = asr_rule(machine_with({("reg", "query", ASR_POLICY_KEY): recorded(name)}).run)
    assert (rule.mode, rule.source) == (mode, "组策略")


def test_asr_rule_from_defender_when_no_policy_sets_it():
    warn = machine_with({("powershell",): recorded("mp_preference_warn.txt")})
    assert asr_rule(warn.run).mode == "warn" and asr_rule(warn.run).source == "Get-MpPreference"
    assert asr_from_mp_preference(recorded("mp_preference_none.txt")) == "off"
    assert asr_from_mp_preference(json.dumps({"ids": [ASR_RULE.lower()], "actions": ["1"]})) == "block"
    assert asr_from_mp_preference("not json") is None and asr_rule(machine_with({}).run).mode is None


def test_which_program_opens_xlsm():
    wps = machine_with(
        {
            ("reg", "query", XLSM_CHOICE_KEY): recorded("xlsm_choice_wps.txt"),
            ("reg", "query", r"HKCR\KET.xlsm\shell\open\command"): recorded("wps_command_zh.txt"),
        }
    )
    handler = xlsm_handler(wps.run)
    assert (handler.prog_id, handler.office) == ("KET.xlsm", "wps") and "ksolaunch.exe" in handler.command
    excel = xlsm_handler(machine_with(EXCEL_MACHINE).run)
    assert (excel.prog_id, excel.office) == ("Excel.SheetMacroEnabled.12", "excel")
    assert xlsm_handler(machine_with({}).run).office is None
    assert (
        office_of("LibreOffice.Calc.xlsm", r'"C:\Program Files\LibreOffice\program\scalc.exe" "%1"')
        == "other"
    )


# --- the DLL, exactly where xlwings.bas looks --------------------------------------------------------


def test_dll_folders_are_xlwings_bas_parent_folders():
    # XLPyLoadDLL: ParentFolder(PYTHON_WIN), then ParentFolder(ParentFolder(PYTHON_WIN))
    assert dll_folders(r"C:\Python311\pythonw.exe") == ["C:\\Python311", "C:"]
    assert dll_folders(r"C:\venv\Scripts\pythonw.exe") == ["C:\\venv\\Scripts", "C:\\venv"]
    found = find_dlls(
        r"C:\venv\Scripts\pythonw.exe", "0.37.8", {r"C:\venv\xlwings64-0.37.8.dll"}.__contains__
    )
    assert found == {"xlwings64-0.37.8.dll": r"C:\venv\xlwings64-0.37.8.dll", "xlwings32-0.37.8.dll": None}
    assert dll_names("0.37.8") == ("xlwings64-0.37.8.dll", "xlwings32-0.37.8.dll")


def test_a_per_user_install_puts_the_dll_where_xlwings_bas_never_looks(tmp_path):
    program_files = tmp_path / "Program Files" / "Python311"
    program_files.mkdir(parents=True)
    (program_files / "pythonw.exe").write_bytes(b"")
    user_base = tmp_path / "AppData" / "Roaming" / "Python"  # pip's data folder for --user
    user_base.mkdir(parents=True)
    for name in dll_names(VERSION):
        (user_base / name).write_bytes(b"")
    interpreter = str(program_files / "pythonw.exe")
    assert find_dlls(interpreter, VERSION, lambda p: Path(p).exists()) == dict.fromkeys(dll_names(VERSION))
    config = {"Interpreter_Win": interpreter, "PYTHONPATH": ""}
    reason = private_python_reason(config, VERSION, 936, lambda p: Path(p).exists())
    assert reason and f"xlwings64-{VERSION}.dll" in reason and str(program_files) in reason
    venv = tmp_path / "venv"  # a virtual environment: the DLL at its root, pythonw.exe in Scripts
    (venv / "Scripts").mkdir(parents=True)
    for name in dll_names(VERSION):
        (venv / name).write_bytes(b"")
    config = {"Interpreter_Win": str(venv / "Scripts" / "pythonw.exe"), "PYTHONPATH": ""}
    assert private_python_reason(config, VERSION, 936, lambda p: Path(p).exists()) is None


# --- code pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code_page", "fits"),
    [
        (r"C:\Users\张三\Desktop\客户管理.xlsm", 936, True),  # Chinese Windows
        (r"C:\Users\张三\Desktop\客户管理.xlsm", 1252, False),  # English Windows
        (r"C:\Users\Zhang\Desktop", 1252, True),
        (r"C:\Users\José", 1252, True),
        (r"C:\Users\张三", 65001, True),  # "Unicode UTF-8 for worldwide language support"
        ("C:\\Users\\\U0002000b", 936, False),  # outside GBK's reach
    ],
)
def test_representable_in_the_system_code_page(text, code_page, fits):
    assert representable(text, code_page) is fits


def test_ansi_safe_folders_for_a_chinese_user_on_an_english_windows():
    home = Path(r"C:\Users\张三")
    assert private_home(home, r"C:\ProgramData", 936) == home / "AppData" / "Local" / "xlcrm"
    english = private_home(home, r"C:\ProgramData", 1252)
    assert english == Path(r"C:\ProgramData") / "xlcrm" / user_key(home)
    assert representable(str(english), 1252) and user_key(home) != user_key(Path(r"C:\Users\李四"))
    temp = r"C:\Users\张三\AppData\Local\Temp"
    assert temp_dir_setting(temp, english, 936) is None
    assert temp_dir_setting(temp, english, 1252) == str(english / "temp")


# --- the installer on Windows -------------------------------------------------------------------------


def python_folder(root: Path, *, dlls: bool) -> Path:
    folder = root / "Python311"
    folder.mkdir(parents=True)
    for name in ("python.exe", "pythonw.exe") + (dll_names(VERSION) if dlls else ()):
        (folder / name).write_bytes(b"")
    return folder / "python.exe"


def test_installer_keeps_a_python_whose_dll_xlwings_finds(tmp_path):
    python = python_folder(tmp_path, dlls=True)
    place = places("windows", tmp_path / "home")
    steps = install_steps(place, python, machine_with(EXCEL_MACHINE, code_page=936))
    assert not any("专用的 Python 环境" in s.text for s in steps)
    assert not any("注意" in s.text for s in steps)  # Excel opens .xlsm here


def test_installer_makes_a_private_environment_where_xlwings_finds_the_dll(tmp_path):
    python = python_folder(tmp_path, dlls=False)  # xlwings went to the per-user folder
    home = tmp_path / "home"
    calls = []
    machine = machine_with(EXCEL_MACHINE, code_page=936, call=lambda command: calls.append(command) or 0)
    place = places("windows", home)
    steps = install_steps(place, python, machine)
    assert any("专用的 Python 环境" in s.text and "xlwings64" in s.text for s in steps)
    run_steps(steps, dry_run=False, say=lambda _: None)
    environment = home / "AppData" / "Local" / "xlcrm" / "python"
    assert calls[0] == [str(python), "-m", "venv", str(environment)]
    assert calls[1][:4] == [str(environment / "Scripts" / "python.exe"), "-m", "pip", "install"]
    conf = doctor.read_workbook(place.workbook)[1]
    assert (
        conf["Interpreter_Win"] == str(environment / "Scripts" / "pythonw.exe") and conf["PYTHONPATH"] == ""
    )
    environment.mkdir(parents=True)  # what venv would have made
    (environment / "marker").write_text("x")
    run_steps(uninstall_steps(place), dry_run=False, say=lambda _: None)
    assert not (home / "AppData" / "Local" / "xlcrm").exists()


def test_installer_for_a_chinese_user_on_an_english_windows(tmp_path):
    home = tmp_path / "张三"
    python = python_folder(home / "AppData" / "Local" / "Programs", dlls=True)  # per-user Python
    program_data = tmp_path / "ProgramData"
    calls = []
    machine = machine_with(
        EXCEL_MACHINE,
        code_page=1252,
        temp=str(home / "AppData" / "Local" / "Temp"),
        program_data=str(program_data),
        call=lambda command: calls.append(command) or 0,
    )
    place = places("windows", home)
    steps = install_steps(place, python, machine)
    run_steps(steps, dry_run=False, say=lambda _: None)
    conf = doctor.read_workbook(place.workbook)[1]
    base = program_data / "xlcrm" / user_key(home)
    assert conf["Interpreter_Win"] == str(base / "python" / "Scripts" / "pythonw.exe")
    assert conf["TEMP DIR"] == str(base / "temp") and (base / "temp").is_dir()
    assert representable(conf["Interpreter_Win"], 1252) and representable(conf["TEMP DIR"], 1252)


def test_installer_says_what_works_where_wps_opens_xlsm(tmp_path):
    python = python_folder(tmp_path, dlls=True)
    wps = dict(EXCEL_MACHINE)
    wps[("reg", "query", XLSM_CHOICE_KEY)] = recorded("xlsm_choice_wps.txt")
    wps[("reg", "query", r"HKCR\KET.xlsm\shell\open\command")] = recorded("wps_command_zh.txt")
    steps = install_steps(places("windows", tmp_path / "home"), python, machine_with(wps))
    assert "WPS 打开" in steps[0].text and "命令行 xlcrm build" in steps[0].text and "不能用" in steps[0].text
    no_excel = install_steps(places("windows", tmp_path / "home"), python, machine_with({}))
    assert "没有安装 Microsoft Excel" in no_excel[0].text and "WPS" in no_excel[0].text


# --- the doctor on Windows ------------------------------------------------------------------------------


def test_doctor_reports_defender_blocking_excel_from_starting_python(tmp_path):
    outputs = dict(EXCEL_MACHINE)
    outputs[("reg", "query", ASR_POLICY_KEY)] = recorded("asr_policy_block.txt")
    checks = {c.name: c for c in doctor.windows_checks(machine_with(outputs))}
    rule = checks["Defender 规则“阻止所有 Office 应用程序创建子进程”"]
    assert not rule.ok and not rule.optional and "组策略" in rule.detail
    assert "cmd.exe" in rule.fix and "pythonw.exe" in rule.fix and "审核" in rule.fix
    outputs[("reg", "query", ASR_POLICY_KEY)] = recorded("asr_policy_audit.txt")
    assert all(c.ok for c in doctor.windows_checks(machine_with(outputs)))


def test_doctor_on_a_wps_machine_says_what_works(tmp_path):
    outputs = {
        ("reg", "query", XLSM_CHOICE_KEY): recorded("xlsm_choice_wps.txt"),
        ("reg", "query", r"HKCR\KET.xlsm\shell\open\command"): recorded("wps_command_zh.txt"),
    }
    checks = {c.name: c for c in doctor.windows_checks(machine_with(outputs))}
    assert not checks["Microsoft Excel"].ok and checks["Microsoft Excel"].optional
    assert "命令行 xlcrm build" in checks["Microsoft Excel"].detail
    opener = checks[".xlsm 文件的打开方式"]
    assert opener.optional and "WPS" in opener.detail and "不能用" in opener.detail


def test_doctor_finds_paths_the_system_code_page_cannot_hold():
    conf = {
        "Interpreter_Win": r"C:\Users\张三\AppData\Local\Programs\Python\Python311\pythonw.exe",
        "PYTHONPATH": "",
    }
    english = Machine(code_page=1252, temp=r"C:\Users\张三\AppData\Local\Temp")
    (check,) = doctor.code_page_checks("模板", conf, english)
    assert (
        not check.ok
        and "Interpreter_Win" in check.detail
        and "%TEMP%" in check.detail
        and "1252" in check.detail
    )
    (check,) = doctor.code_page_checks("模板", conf, Machine(code_page=936, temp=english.temp))
    assert check.ok


def test_doctor_looks_for_the_dll_exactly_where_xlwings_bas_does(tmp_path):
    python = python_folder(tmp_path, dlls=False)
    check = doctor.dll_check(
        "模板", str(python.with_name("pythonw.exe")), VERSION, lambda p: Path(p).exists()
    )
    assert not check.ok and str(python.parent) in check.detail and str(python.parent.parent) in check.detail
    (python.parent.parent / dll_names(VERSION)[0]).write_bytes(b"")  # the parent folder counts too
    (python.parent.parent / dll_names(VERSION)[1]).write_bytes(b"")
    assert doctor.dll_check(
        "模板", str(python.with_name("pythonw.exe")), VERSION, lambda p: Path(p).exists()
    ).ok
