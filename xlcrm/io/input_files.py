"""The input files read into the core's clean tables: cells from io.read, rules from core.inputs."""

from __future__ import annotations

import filecmp
import os
from collections.abc import Mapping
from pathlib import Path

from ..core.errors import XlcrmError
from ..core.inputs import TableSpec, load_table, routes_from_sheets
from ..core.model import RouteBook, Table
from ..core.visits import VisitLog, kept_log, visit_log, visit_logs
from ..report.visit_workbook import WRITTEN
from .read import read_sheets


def load_input(path: Path, spec: TableSpec, overrides: Mapping[str, str] | None = None) -> Table:
    """An exported table (grades, previous grades, purchases), read as text: big and flat."""
    return load_table(read_sheets(path, typed=False), spec, overrides)


def load_routes(path: Path, overrides: Mapping[str, str] | None = None, typed: bool = True) -> RouteBook:
    """The manager's route workbook, read with cell types: their own columns are carried over
    (`typed=False`: every cell as text, a quick look at the codes). A workbook xlcrm wrote (last
    quarter's, reused) is read as one: its report sheets and added columns are set aside."""
    return routes_from_sheets(read_sheets(path, typed=typed), overrides, WRITTEN)


def load_routes_with_log(
    path: Path, overrides: Mapping[str, str] | None = None
) -> tuple[RouteBook, VisitLog | None]:
    """The route workbook and the visit log kept in it (its 拜访记录 sheet; None without one),
    from one read of the file."""
    sheets = read_sheets(path)
    return routes_from_sheets(sheets, overrides, WRITTEN), kept_log(sheets, overrides)


def load_visits(path: Path, overrides: Mapping[str, str] | None = None) -> VisitLog:
    """The manager's visit log, read with cell types (a date cell is a date): its own file, or
    the 拜访记录 sheet of the route workbook or of 客户管理.xlsm."""
    return visit_log(read_sheets(path), overrides)


def load_visit_logs(paths: list[Path]) -> list[VisitLog | XlcrmError]:
    """Many managers' visit logs, each as load_visits reads it, or why it cannot be read; the
    logs of one layout are cleaned together (core.visits.visit_logs)."""
    read: list[list | XlcrmError] = []
    for path in paths:
        try:
            read.append(read_sheets(path))
        except XlcrmError as exc:
            read.append(exc)
    readable = [sheets for sheets in read if not isinstance(sheets, XlcrmError)]
    cleaned = iter(visit_logs(readable))
    return [sheets if isinstance(sheets, XlcrmError) else next(cleaned) for sheets in read]


def same_file(a: Path, b: Path) -> bool:
    """The same file by any path or link, or a byte-for-byte copy of it."""
    a, b = Path(a), Path(b)
    if not (a.is_file() and b.is_file()):
        return False
    return os.path.samefile(a, b) or filecmp.cmp(a, b, shallow=False)


def check_distinct(files: Mapping[str, Path | None], pairs: list[tuple[str, str]]) -> None:
    """Inputs that must be different files ('--routes 线路表' vs '--grades 本季等级表'): the
    same file twice is a wrong choice, said before anything is read."""
    for first, second in pairs:
        a, b = files.get(first), files.get(second)
        if a is not None and b is not None and same_file(a, b):
            copy = "" if os.path.samefile(a, b) else f"（{Path(b).name} 是它的副本，内容完全相同）"
            raise XlcrmError(
                f"同一个文件 {Path(a).name} 既作{first}又作{second}{copy}：请检查是否选错了文件，"
                "两者应是不同的文件"
            )
