"""Installs xlcrm into this user's Excel (Windows, macOS): python install_addin.py [--dry-run | --uninstall].

Double-clicking it works too. The same as `xlcrm install` once the package is installed; the
steps are in xlcrm/install/installer.py, the manager's and IT's guide in the README."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
NEEDED = (
    "pandas",
    "openpyxl",
    "xlsxwriter",
    "xlwings",
    "python_calamine",
    "fastexcel",
    "olefile",
    "pypinyin",
)
README_SECTION = "Installing for a whole department (IT)"  # its "Offline" step; a test keeps it in step


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
    dry_run = "--dry-run" in sys.argv
    missing = missing_packages()
    if missing:
        print("首次安装：正在安装 xlcrm 需要的 Python 包（" + "、".join(missing) + "）…")
        if dry_run:
            print(f"[演练] pip install -e {ROOT}")
        elif subprocess.call([sys.executable, "-m", "pip", "install", "-e", str(ROOT)]) != 0:
            print(
                f"错误：Python 包安装失败。请检查网络，或请 IT 人员按 README 的“{README_SECTION}”一节离线安装"
            )
            return 2
    sys.path.insert(0, str(ROOT))  # run from a checkout before or after pip install
    try:
        from xlcrm.install.installer import main as install

        return install(sys.argv[1:])
    except ImportError as exc:  # the packages above are not (yet) installed in this Python
        if dry_run:
            print("[演练] 装好上面的 Python 包之后：生成模板、生成桌面上的 客户管理.xlsm、记录安装内容")
            print("演练结束，没有做任何改动。（装好这些包后再运行 --dry-run，可看到每个文件的位置）")
            return 0
        print(
            f"错误：缺少 Python 包 {exc.name or exc}。请重新运行 install_addin.py（需要联网），"
            f"或请 IT 人员按 README 的“{README_SECTION}”一节离线安装"
        )
        return 2


if __name__ == "__main__":
    code = main()
    if double_clicked():
        input("按回车键关闭窗口")
    sys.exit(code)
