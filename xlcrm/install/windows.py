"""What a Windows machine says about running xlcrm inside Excel: Defender's attack-surface rule
that stops Office from starting programs, which program opens .xlsm files (Excel or WPS),
whether Excel is installed, and the system code page old (ANSI) Windows calls use.

Every reader takes `run`, a function running a command and returning its standard output (None
when it fails), so the parsing is tested here with recorded outputs of reg.exe and PowerShell;
`run_command` is the real one."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

Run = Callable[[list[str]], "str | None"]

# Defender attack surface reduction: "Block all Office applications from creating child processes"
ASR_RULE = "D4F940AB-401B-4EFC-AADC-AD5F3C50688A"
ASR_POLICY_KEY = r"HKLM\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\Rules"
ASR_MODES = {0: "off", 1: "block", 2: "audit", 5: "off", 6: "warn"}  # 5: not configured
MP_PREFERENCE = (
    "[Console]::OutputEncoding = [Text.Encoding]::UTF8; $p = Get-MpPreference; "
    "ConvertTo-Json -Compress @{ids = @($p.AttackSurfaceReductionRules_Ids); "
    "actions = @($p.AttackSurfaceReductionRules_Actions)}"
)

XLSM_CHOICE_KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Explorer\FileExts\.xlsm\UserChoice"
EXCEL_APP_PATH = r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\excel.exe"
WPS_ONLY = (
    "“客户管理”选项卡和 CRM_ 单元格函数需要 Excel（xlwings 不支持 WPS）；"
    "命令行 xlcrm build 生成的报表（.xlsx）和 PDF 在 WPS 中可以打开、打印"
)
WPS_OPEN = (
    "WPS 中“客户管理”选项卡的按钮和 CRM_ 单元格函数不能用（xlwings 不支持 WPS）。"
    "请右键 客户管理.xlsm → 打开方式 → Excel；命令行 xlcrm build 生成的报表在 WPS 中可以打开、打印"
)
WPS_MARKS = ("kingsoft", "wps office", "\\et.exe", "\\wps.exe", "\\ksolaunch.exe", "\\wpsoffice.exe")


def run_command(args: list[str]) -> str | None:
    """Standard output of a command, or None when it is missing or fails. reg.exe writes in the
    console (OEM) code page; PowerShell is told to write UTF-8."""
    encoding = "utf-8" if args[:1] == ["powershell"] else ("oem" if sys.platform == "win32" else "utf-8")
    try:
        done = subprocess.run(args, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode(encoding, errors="replace") if done.returncode == 0 else None


def reg_values(text: str | None) -> dict[str, tuple[str, str]]:
    """`reg query` output as value name → (type, data); "(Default)" / "(默认)" for the default value."""
    values = {}
    for line in (text or "").splitlines():
        match = re.match(r"^\s{2,}(.+?)\s{2,}(REG_\w+)(?:\s{2,}(.*))?$", line.rstrip())
        if match:
            values[match.group(1)] = (match.group(2), (match.group(3) or "").strip())
    return values


def reg_default(text: str | None) -> str | None:
    """The default value of a key, whatever the language of reg.exe's "(Default)"."""
    for name, (_, data) in reg_values(text).items():
        if name.startswith("(") and name.endswith(")"):
            return data or None
    return None


@dataclass(frozen=True)
class Machine:
    """What the installer and the doctor read about this Windows machine; tests pass their own."""

    code_page: int = 65001
    temp: str = ""  # %TEMP%
    program_data: str = r"C:\ProgramData"
    run: Run = run_command  # reg.exe / PowerShell
    exists: Callable[[str], bool] = os.path.exists
    call: Callable[[list[str]], int] = subprocess.call  # runs the private environment's setup

    @classmethod
    def this(cls) -> Machine:
        return cls(
            code_page=ansi_code_page(),
            temp=os.environ.get("TEMP", ""),
            program_data=os.environ.get("ProgramData", r"C:\ProgramData"),
        )


# --- Defender ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AsrRule:
    mode: str | None  # "block" | "warn" | "audit" | "off"; None when it could not be read
    source: str  # where it was read: the group policy key or Get-MpPreference


def asr_from_registry(text: str | None) -> str | None:
    for name, (_, data) in reg_values(text).items():
        if name.upper() == ASR_RULE and data.strip().isdigit():
            return ASR_MODES.get(int(data.strip()), "block")
    return None


def asr_from_mp_preference(text: str | None) -> str | None:
    try:
        found = json.loads(text or "")
    except ValueError:
        return None
    if not isinstance(found, dict):
        return None
    ids = [str(i).upper() for i in (found.get("ids") or []) if i]
    actions = found.get("actions") or []
    if ASR_RULE not in ids:
        return "off" if ids or "ids" in found else None
    index = ids.index(ASR_RULE)
    action = actions[index] if index < len(actions) else None
    return (
        ASR_MODES.get(int(action), "block")
        if isinstance(action, (int, str)) and str(action).isdigit()
        else None
    )


def asr_rule(run: Run) -> AsrRule:
    """The rule's mode: a group policy wins (reg.exe needs no rights to read it); otherwise what
    Defender itself reports (Intune, PowerShell)."""
    policy = asr_from_registry(run(["reg", "query", ASR_POLICY_KEY]))
    if policy is not None:
        return AsrRule(policy, "组策略")
    defender = asr_from_mp_preference(run(["powershell", "-NoProfile", "-Command", MP_PREFERENCE]))
    return AsrRule(defender, "Get-MpPreference")


# --- which program opens .xlsm -------------------------------------------------------------------


@dataclass(frozen=True)
class XlsmHandler:
    prog_id: str | None
    command: str | None
    office: str | None  # "excel" | "wps" | "other"; None when nothing is registered


def office_of(prog_id: str | None, command: str | None) -> str | None:
    text = f"{prog_id or ''} {command or ''}".lower()
    if not text.strip():
        return None
    if "excel.exe" in text or (prog_id or "").lower().startswith("excel."):
        return "excel"
    if any(mark in text for mark in WPS_MARKS) or re.match(r"k?et\.", (prog_id or "").lower()):
        return "wps"
    return "other"


def xlsm_handler(run: Run) -> XlsmHandler:
    """The user's choice (Explorer's "open with", what WPS sets when it makes itself the default),
    else the machine's class for .xlsm, and the command that class opens files with."""
    chosen = reg_values(run(["reg", "query", XLSM_CHOICE_KEY, "/v", "ProgId"])).get("ProgId")
    prog_id = chosen[1] if chosen else reg_default(run(["reg", "query", r"HKCR\.xlsm", "/ve"]))
    command = None
    if prog_id:
        command = reg_default(run(["reg", "query", rf"HKCR\{prog_id}\shell\open\command", "/ve"]))
    return XlsmHandler(prog_id, command, office_of(prog_id, command))


def excel_path(run: Run) -> str | None:
    """EXCEL.EXE as Windows starts it (App Paths; Office setup registers it), or None."""
    return reg_default(run(["reg", "query", EXCEL_APP_PATH, "/ve"]))


# --- code pages ----------------------------------------------------------------------------------


def ansi_code_page() -> int:
    """The system's ANSI code page (936 on Chinese Windows, 1252 on English): what VBA's file
    functions, Environ() and every `Declare … As String` call convert text to."""
    if sys.platform != "win32":
        return 65001
    import ctypes

    return ctypes.windll.kernel32.GetACP()


def representable(text: str, code_page: int) -> bool:
    try:
        text.encode("utf-8" if code_page == 65001 else f"cp{code_page}")
    except UnicodeEncodeError:
        return False
    except LookupError:
        return text.isascii()
    return True
