"""Shared fixtures (helpers live in support/)."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
from pathlib import Path

import pytest

from support import needs, small_quarter, write_quarter
from support.postgres import PostgresServer, server_programs


def pytest_runtest_setup(item):
    """Tests marked libreoffice need soffice: skipped without it locally, a failure in CI."""
    if item.get_closest_marker("libreoffice"):
        needs("soffice")


@pytest.fixture
def small_inputs(tmp_path: Path) -> dict[str, Path]:
    """support.SMALL_QUARTER written as four .xlsx files (routes, grades, purchases, previous)."""
    return write_quarter(tmp_path)


@pytest.fixture(scope="session")
def postgres_server():
    """A private PostgreSQL server for the session (skipped without one locally, a failure in CI)."""
    bindir = server_programs()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL's server programs are required in CI (scripts/setup.sh installs them)")
        pytest.skip("PostgreSQL's server programs (initdb) are not installed")
    server = PostgresServer(bindir).start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server, request):
    """A fresh, empty database on the session's server."""
    name = "t_" + "".join(ch if ch.isalnum() else "_" for ch in request.node.name)[-50:].lower()
    return postgres_server.new_database(name)


@pytest.fixture
def quarter_sheets():
    """support.SMALL_QUARTER in memory, as RawSheets per input."""
    return small_quarter()


@pytest.fixture
def windows_udfs(monkeypatch):
    """xlcrm.udfs as xlwings registers it on Windows: xlwings.udfs (the real decorators and
    the VBA writer) imported over stand-ins for pywin32, and a fresh copy of the module."""
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    sys.modules["pythoncom"].CoInitialize = lambda: None
    sys.modules["win32com.client"].Dispatch = None
    sys.modules["win32com"].client = sys.modules["win32com.client"]
    monkeypatch.delitem(sys.modules, "xlwings.udfs", raising=False)
    import xlwings

    had_udfs = "udfs" in vars(xlwings)
    xlwings_udfs = importlib.import_module("xlwings.udfs")
    monkeypatch.setattr(xlwings, "func", xlwings_udfs.xlfunc)
    monkeypatch.setattr(xlwings, "arg", xlwings_udfs.xlarg)
    monkeypatch.setattr(xlwings, "ret", xlwings_udfs.xlret)
    from xlcrm import udfs

    name = "xlcrm._udfs_as_on_windows"
    package = Path(udfs.__file__).parent
    spec = importlib.util.spec_from_file_location(
        name, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
    yield module, xlwings_udfs
    for loaded in [m for m in sys.modules if m.startswith(name + ".")]:
        del sys.modules[loaded]
    sys.modules.pop("xlwings.udfs", None)
    if not had_udfs:
        vars(xlwings).pop("udfs", None)
