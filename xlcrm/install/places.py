"""Where things go on each platform (pure: a platform name and a home folder in, paths out)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import xlcrm

from ..template.xlwings_package import xlwings_version

WINDOWS, MACOS, LINUX = "windows", "macos", "linux"
TEMPLATE_NAME = "客户管理.xltm"
WORKBOOK_NAME = "客户管理.xlsm"
MAC_OFFICE = "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Templates.localized"
MAC_SCRIPTS = "Library/Application Scripts/com.microsoft.Excel"


@dataclass(frozen=True)
class Places:
    platform: str
    home: Path
    templates: Path | None  # where Excel lists personal templates for 新建
    workbook: Path | None  # the ready-to-use copy a manager opens
    scripts: Path | None  # macOS: where Excel may run xlwings' AppleScript (RunPython)
    manifest: Path  # what the installer wrote, for a clean uninstall

    @property
    def template(self) -> Path | None:
        return self.templates / TEMPLATE_NAME if self.templates else None

    @property
    def applescript(self) -> Path | None:
        return self.scripts / f"xlwings-{xlwings_version()}.applescript" if self.scripts else None


def current_platform() -> str:
    return {"win32": WINDOWS, "darwin": MACOS}.get(sys.platform, LINUX)


def places(platform: str, home: Path) -> Places:
    home = Path(home)
    manifest = home / ".xlcrm" / "install.json"
    if platform == WINDOWS:
        return Places(
            platform,
            home,
            _known(home, "Documents") / "Custom Office Templates",
            _known(home, "Desktop") / WORKBOOK_NAME,
            None,
            manifest,
        )
    if platform == MACOS:
        return Places(
            platform, home, home / MAC_OFFICE, home / "Desktop" / WORKBOOK_NAME, home / MAC_SCRIPTS, manifest
        )
    return Places(platform, home, None, None, None, manifest)


def _known(home: Path, folder: str) -> Path:
    """Desktop and Documents move into OneDrive when it backs them up."""
    moved = home / "OneDrive" / folder
    return moved if moved.is_dir() else home / folder


def interpreter(platform: str, python: Path) -> str:
    """The Python Excel should start: pythonw.exe on Windows (no console window flashing up)."""
    python = Path(python)
    if platform == WINDOWS and python.name.lower() == "python.exe":
        return str(python.with_name("pythonw.exe"))
    return str(python)


def source_root() -> str:
    """The folder holding the xlcrm package, for PYTHONPATH."""
    return str(Path(xlcrm.__file__).resolve().parent.parent)


def xlwings_config(platform: str, python: Path) -> dict[str, str]:
    key = "Interpreter_Win" if platform == WINDOWS else "Interpreter_Mac"
    return {key: interpreter(platform, python), "PYTHONPATH": source_root(), "UDF Modules": "xlcrm.udfs"}
