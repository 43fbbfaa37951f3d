"""A normal install (`pip install .`, not editable) into a fresh virtual environment works from
another folder: the template's sources ship inside the package, the demo runs without the
test or demo extras."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("template.toml", "ribbon.xml", "xlcrm.bas", "ThisWorkbook.cls")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The repository's tracked files copied (as a fresh clone has them) and pip-installed."""
    work = tmp_path_factory.mktemp("packaging")
    clone = work / "clone"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(clone)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    shutil.rmtree(clone)  # the installed package must not need the checkout
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    return python, elsewhere


def run(python: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    xlcrm = python.with_name("xlcrm.exe" if sys.platform == "win32" else "xlcrm")
    return subprocess.run([str(xlcrm), *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def test_the_installed_package_carries_the_template_sources(installed):
    python, elsewhere = installed
    code = (
        "import importlib.resources as r, xlcrm; print(xlcrm.__file__); "
        f"[print(r.files('xlcrm.workbook_templates').joinpath(n)) for n in {SOURCES!r}]"
    )
    done = subprocess.run([str(python), "-c", code], cwd=elsewhere, capture_output=True, text=True)
    package, *files = done.stdout.split()
    assert "site-packages" in package and str(ROOT) not in package
    for name, installed_file in zip(SOURCES, files):
        assert Path(installed_file).read_bytes() == (ROOT / "workbook_templates" / name).read_bytes()


def test_xlcrm_template_from_another_folder(installed):
    python, elsewhere = installed
    done = run(python, elsewhere, "template", "--out", "客户管理.xlsm")
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(elsewhere / "客户管理.xlsm") as package:
        names = package.namelist()
    assert "customUI/customUI.xml" in names and "xl/vbaProject.bin" in names


def test_xlcrm_demo_from_another_folder_without_the_extras(installed):
    python, elsewhere = installed
    assert (
        subprocess.run([str(python), "-c", "import xlwt"], capture_output=True).returncode != 0
    )  # no extras
    done = run(python, elsewhere, "demo", "--dir", "样例", "--customers", "60")
    assert done.returncode == 0, done.stderr
    assert "未安装 xlwt" in done.stderr  # the old .xls export is written as .xlsx instead, and said so
    inputs = sorted(p.name for p in (elsewhere / "样例" / "inputs").iterdir())
    assert inputs == [
        "2026年三季度客户等级表.xlsx",
        "2026年三季度客户购进量与购进额.csv",
        "2026年二季度客户等级表.xlsx",
        "拜访记录.xlsx",
        "订单明细.csv",
        "零售客户拜访线路表.xlsx",
    ]
    assert (elsewhere / "样例" / "本季客户等级报表.xlsx").stat().st_size > 0
    exports = sorted(p.name for p in (elsewhere / "样例" / "csv").iterdir())
    assert exports == [
        "alerts.csv",
        "customers.csv",
        "followups.csv",
        "grade_changes.csv",
        "issues.csv",
        "standards.csv",
        "values.csv",
    ]
