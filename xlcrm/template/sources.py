"""The template's text sources (workbook_templates/ at the top of the repository): installed
with the package as xlcrm.workbook_templates, read from the checkout when run from one."""

from __future__ import annotations

import importlib.resources
import sys
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import XlcrmError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CHECKOUT = Path(__file__).resolve().parents[2] / "workbook_templates"
FILES = ("template.toml", "ribbon.xml", "xlcrm.bas", "ThisWorkbook.cls")


@dataclass(frozen=True)
class TemplateSource:
    spec: dict  # template.toml
    ribbon: str  # ribbon.xml
    module: str  # xlcrm.bas
    workbook_module: str = ""  # ThisWorkbook.cls, the workbook's document module as the VBA editor exports it


def source_folder():
    """The installed copy (a wheel maps workbook_templates/ into the package), else the checkout's."""
    try:
        installed = importlib.resources.files("xlcrm.workbook_templates")
        if all(installed.joinpath(name).is_file() for name in FILES):
            return installed
    except ModuleNotFoundError:
        pass
    return CHECKOUT


def load_source(root=None) -> TemplateSource:
    root = source_folder() if root is None else root
    try:
        spec = tomllib.loads(root.joinpath("template.toml").read_text(encoding="utf-8"))
        return TemplateSource(
            spec,
            root.joinpath("ribbon.xml").read_text(encoding="utf-8"),
            root.joinpath("xlcrm.bas").read_text(encoding="utf-8"),
            root.joinpath("ThisWorkbook.cls").read_text(encoding="utf-8"),
        )
    except FileNotFoundError as exc:
        raise XlcrmError(
            f"找不到模板源文件 {exc.filename}：xlcrm 安装不完整，请重新安装（pip install xlcrm）"
        ) from None
