"""The Python that Excel starts on Windows, placed where xlwings.bas can use it.

xlwings.bas (XLPyLoadDLL) loads xlwings64-<version>.dll — xlwings32 in 32-bit Office — from the
folder of Interpreter_Win or that folder's parent, nowhere else. pip puts the DLL into the data
folder of its install scheme: beside pythonw.exe for a normal install, the root of a virtual
environment (pythonw.exe is in its Scripts folder), but %APPDATA%\\Python when it falls back to
a per-user install because Python is installed for all users and the user has no admin rights;
the cell functions then fail. The paths also go through Windows' ANSI calls (LoadLibraryA, VBA's
GetAttr, Open and Environ, the command line the DLL passes on), so each must be representable in
the system code page: a Chinese user folder is on a Chinese Windows, not on an English one.

When the running Python fails either test, the installer makes a private environment for Excel
in a folder that passes both and installs xlcrm there (PYTHONPATH then stays empty)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from .windows import representable

PRIVATE_FOLDER = "xlcrm"  # under %LOCALAPPDATA%, or %ProgramData%\xlcrm\<user> when that is not ANSI-safe
ENVIRONMENT = "python"


def dll_names(version: str) -> tuple[str, str]:
    return f"xlwings64-{version}.dll", f"xlwings32-{version}.dll"


def _parent_folder(path: str) -> str:
    """xlwings.bas' ParentFolder: Left$(path, InStrRev(path, "\\") - 1), on text ("/" too, for tests)."""
    return path[: max(path.rfind("\\"), path.rfind("/"), 0)]


def _separator(path: str) -> str:
    return "/" if "/" in path and "\\" not in path else "\\"


def dll_folders(interpreter: str) -> list[str]:
    """ParentFolder(Interpreter_Win) then ParentFolder of that: the two places XLPyLoadDLL tries."""
    folder = _parent_folder(interpreter)
    return [folder, _parent_folder(folder)]


def find_dlls(interpreter: str, version: str, exists: Callable[[str], bool]) -> dict[str, str | None]:
    """Each DLL name → the file xlwings.bas would load (LoadLibrary(folder + "\\" + name)), or None."""
    join = _separator(interpreter)
    candidates = {name: [f + join + name for f in dll_folders(interpreter)] for name in dll_names(version)}
    return {name: next((path for path in paths if exists(path)), None) for name, paths in candidates.items()}


def not_representable(paths: dict[str, str], code_page: int) -> list[str]:
    """The labels of the paths the system code page cannot hold."""
    return [label for label, path in paths.items() if path and not representable(path, code_page)]


def user_key(home: Path) -> str:
    """An ASCII folder name for this user (the user name itself may not be)."""
    return "user-" + hashlib.sha256(str(home).lower().encode("utf-8")).hexdigest()[:10]


def private_home(home: Path, program_data: str, code_page: int) -> Path:
    local = Path(home) / "AppData" / "Local" / PRIVATE_FOLDER
    if representable(str(local), code_page):
        return local
    return Path(program_data) / PRIVATE_FOLDER / user_key(home)


def private_interpreter(base: Path) -> Path:
    return base / ENVIRONMENT / "Scripts" / "pythonw.exe"


def private_python_reason(
    config: dict[str, str], version: str, code_page: int, exists: Callable[[str], bool]
) -> str | None:
    """Why Excel cannot use the Interpreter_Win and PYTHONPATH of `config` (in Chinese), or None."""
    interpreter = config["Interpreter_Win"]
    paths = {"Interpreter_Win": interpreter, "PYTHONPATH": config.get("PYTHONPATH", "")}
    bad = not_representable(paths, code_page)
    if bad:
        return (
            f"{bad[0]} {paths[bad[0]]} 含有系统代码页 {code_page} 无法表示的字符，经 Excel 传递后会变成问号"
        )
    missing = [name for name, found in find_dlls(interpreter, version, exists).items() if not found]
    if missing:
        folders = "、".join(str(f) for f in dll_folders(interpreter))
        return f"{folders} 中没有 {'、'.join(missing)}（xlwings 的单元格函数只在这两处找它）"
    return None


def private_python_commands(base_python: str, base: Path, source: str) -> list[list[str]]:
    """A virtual environment for Excel, and xlcrm (with xlwings) installed into it."""
    environment = base / ENVIRONMENT
    python = environment / "Scripts" / "python.exe"
    return [
        [base_python, "-m", "venv", str(environment)],
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", source],
    ]


def temp_dir_setting(temp: str, base: Path, code_page: int) -> str | None:
    """xlwings.conf's TEMP DIR when %TEMP% cannot go through VBA (Environ and Open are ANSI):
    xlwings writes Python's error output there and reads it back for the message box."""
    if not temp or representable(temp, code_page):
        return None
    return str(base / "temp")
