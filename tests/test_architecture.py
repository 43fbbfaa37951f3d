"""The layout is the architecture, checked: the layer contract (import-linter), a pure core
in a fresh interpreter, ruff's lint and format, and every package shipped."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import xlcrm

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FILE_FORMATS_AND_EXCEL = ("openpyxl", "xlsxwriter", "xlwings", "python_calamine", "fastexcel", "xlwt")


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is missing from {BIN}: scripts/setup.sh installs the test extra")
    return str(path)


def test_the_layer_contract_holds():
    done = subprocess.run([tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


@pytest.mark.parametrize("layer", ["core", "report"])
def test_pure_layers_load_no_file_format_and_no_excel(layer):
    """Every module of the layer imported in a fresh interpreter: none of those is loaded."""
    package = Path(xlcrm.__file__).parent / layer
    modules = [f"xlcrm.{layer}.{m.name}" for m in pkgutil.iter_modules([str(package)])]
    assert len(modules) >= (10 if layer == "core" else 4)
    code = (
        f"import importlib, json, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {FILE_FORMATS_AND_EXCEL!r})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_the_check_above_would_see_a_leak():
    code = "import xlcrm.io.read, sys; print('python_calamine' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "True"
    )


def test_ruff_lint_is_clean():
    done = subprocess.run(
        [tool("ruff"), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean():
    done = subprocess.run(
        [tool("ruff"), "format", "--check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_package_ships():
    """pyproject lists packages by hand (workbook_templates/ is mapped in): none may be forgotten."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    )
    found = {".".join(p.relative_to(ROOT).parts[:-1]) for p in (ROOT / "xlcrm").rglob("__init__.py")}
    assert found | {"xlcrm.workbook_templates"} == listed
