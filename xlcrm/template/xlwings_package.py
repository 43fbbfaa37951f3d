"""The installed xlwings' own files (its standalone VBA, its macOS AppleScript) and version,
found without importing it: only the macros and cell functions import xlwings."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path


def xlwings_dir() -> Path:
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("xlwings is not installed")
    return Path(spec.origin).resolve().parent


def xlwings_version() -> str:
    return importlib.metadata.version("xlwings")
