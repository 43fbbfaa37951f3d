"""Installs xlcrm into this user's Excel (Windows, macOS): python install_addin.py [--dry-run | --uninstall].

Double-clicking it works too. The same as `xlcrm install` once the package is installed; the
steps are in xlcrm/install/installer.py, the manager's and IT's guide in the README."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
NEEDED = ("pandas", "openpyxl", "xlsxwriter", "xlwings", "python_calamine", "fastexcel")


def missing_packages() -> list[str]:
    missing = []
    for name in NEEDED:
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    return missing


def double_clicked() -> bool:
    """On Windows a double-clicked script owns its console window, which closes at exit."""
    if sys.platform != "win32":
        return False
    import ctypes

    return ctypes.windll.kernel32.GetConsoleProcessList((ctypes.c_uint * 2)(), 2) <= 1


def main() -> int:
    missing = missing_packages()
    if missing:
        print("首次安装：正在安装 xlcrm 需要的 Python 包（" + "、".join(missing) + "）…")
        if "--dry-run" in sys.argv:
            print(f"[演练] pip install -e {ROOT}")
        elif subprocess.call([sys.executable, "-m", "pip", "install", "-e", str(ROOT)]) != 0:
            print("错误：Python 包安装失败。请检查网络，或请 IT 人员按 README“IT 人员”一节离线安装")
            return 2
    sys.path.insert(0, str(ROOT))  # run from a checkout before or after pip install
    from xlcrm.install.installer import main as install

    return install(sys.argv[1:])


if __name__ == "__main__":
    code = main()
    if double_clicked():
        input("按回车键关闭窗口")
    sys.exit(code)
