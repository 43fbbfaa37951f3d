"""install_addin.py on a fresh machine's Python, which has none of xlcrm's packages (issue 13):
--dry-run lists the steps without a traceback, a failed package install points to a README
section that exists."""

from __future__ import annotations

import re
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory) -> Path:
    """A Python with nothing installed, not even pip (so nothing can be fetched either)."""
    folder = tmp_path_factory.mktemp("bare")
    venv.EnvBuilder(with_pip=False).create(folder)
    python = folder / "bin" / "python"
    if not python.exists():
        python = folder / "Scripts" / "python.exe"
    assert subprocess.run([str(python), "-c", "import xlwings"], capture_output=True).returncode == 1
    return python


def run(python: Path, *args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(python), str(ROOT / "install_addin.py"), "--platform", "windows", "--target", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_dry_run_without_the_packages_lists_the_steps_and_changes_nothing(bare_python, tmp_path):
    done = run(bare_python, "--dry-run", home=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr and done.stderr == ""
    assert "xlwings" in done.stdout and "[演练] pip install" in done.stdout
    assert "演练结束，没有做任何改动" in done.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_failed_package_install_points_to_a_readme_section_that_exists(bare_python, tmp_path):
    done = run(bare_python, home=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stdout
    (line,) = [s for s in done.stdout.splitlines() if s.startswith("错误：")]
    (section,) = re.findall(r"README 的“(.+?)”一节", line)
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    headings = [h.lstrip("#").strip() for h in lines if h.startswith("#")]
    assert section in headings, section
    assert list(tmp_path.iterdir()) == []
