"""The input files read into the core's clean tables: cells from io.read, rules from core.inputs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..core.inputs import TableSpec, load_table, routes_from_sheets
from ..core.model import RouteBook, Table
from .read import read_sheets


def load_input(path: Path, spec: TableSpec, overrides: Mapping[str, str] | None = None) -> Table:
    """An exported table (grades, previous grades, purchases), read as text: big and flat."""
    return load_table(read_sheets(path, typed=False), spec, overrides)


def load_routes(path: Path, overrides: Mapping[str, str] | None = None) -> RouteBook:
    """The manager's route workbook, read with cell types: their own columns are carried over."""
    return routes_from_sheets(read_sheets(path), overrides)
