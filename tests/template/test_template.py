"""The 客户管理.xlsm template: built from its text sources, read back with independent tools
(zipfile + ElementTree, oletools' olevba, openpyxl, LibreOffice headless)."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from oletools.olevba import VBA_Parser

from xlcrm import macros
from xlcrm.commands import cli
from xlcrm.macros import names
from xlcrm.template.build import RIBBON_PART, RIBBON_REL, build_template
from xlcrm.template.sources import CHECKOUT, load_source
from xlcrm.template.xlwings_package import xlwings_dir

CUSTOMUI = "{http://schemas.microsoft.com/office/2006/01/customui}"
SOURCE = load_source()


def vba_subs(code: str) -> dict[str, str]:
    """Sub name → the Python macro its RunMacro line runs."""
    found = {}
    for name, body in re.findall(r"Public Sub (\w+)\(control As IRibbonControl\)(.*?)End Sub", code, re.S):
        target = re.search(r'RunMacro "(\w+)"', body)
        found[name] = target.group(1) if target else None
    return found


def test_every_ribbon_button_has_a_callback_that_runs_an_existing_macro():
    root = ElementTree.fromstring(SOURCE.ribbon.encode("utf-8"))
    assert root.tag == f"{CUSTOMUI}customUI"
    tab = root.find(f".//{CUSTOMUI}tab")
    assert tab.get("label") == "客户管理"
    buttons = {b.get("label"): b.get("onAction") for b in root.iter(f"{CUSTOMUI}button")}
    assert set(buttons) >= {"导入数据", "检查数据", "生成本季报表", "打印拜访表", "帮助"}
    assert all(b.get("imageMso") for b in root.iter(f"{CUSTOMUI}button"))
    subs = vba_subs(SOURCE.module)
    for label, callback in buttons.items():
        assert callback in subs, label
        assert callable(getattr(macros, subs[callback])), subs[callback]
        assert macros.BUTTONS[callback] is getattr(macros, subs[callback])
    assert 'RunPython "import xlcrm.macros; xlcrm.macros." & name & "()"' in SOURCE.module


def test_vba_source_is_ascii_so_any_system_code_page_shows_it():
    assert SOURCE.module.isascii()


def test_the_sheets_the_macros_use_are_the_templates():
    kinds = {s["name"]: s["kind"] for s in SOURCE.spec["sheets"]}
    assert kinds[names.HELP] == "help" and kinds[names.SETTINGS] == "settings"
    assert kinds[names.XLWINGS_CONF] == "xlwings_conf"
    assert {n for n, k in kinds.items() if k == "input"} == set(names.INPUT_TABLES)
    assert all(k == "route" for n, k in kinds.items() if n not in names.NOT_ROUTES)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_template(
        tmp_path_factory.mktemp("t") / "客户管理.xlsm",
        config={"Interpreter_Win": r"C:\Python\pythonw.exe", "PYTHONPATH": r"C:\xlcrm"},
    )


def test_build_is_reproducible(built, tmp_path):
    again = build_template(
        tmp_path / "客户管理.xlsm",
        config={"Interpreter_Win": r"C:\Python\pythonw.exe", "PYTHONPATH": r"C:\xlcrm"},
    )
    assert again.read_bytes() == built.read_bytes()


def test_ribbon_is_wired_into_the_package(built):
    with zipfile.ZipFile(built) as package:
        assert package.read(RIBBON_PART).decode("utf-8") == SOURCE.ribbon
        rels = ElementTree.fromstring(package.read("_rels/.rels"))
        targets = {r.get("Type"): r.get("Target") for r in rels}
        assert targets[RIBBON_REL] == RIBBON_PART
        types = package.read("[Content_Types].xml").decode()
        assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
        assert "application/vnd.ms-office.vbaProject" in types
        assert "xl/vbaProject.bin" in package.namelist()


def test_vba_read_back_by_olevba_is_our_source_and_xlwings_own(built):
    parser = VBA_Parser(str(built))
    modules = {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    parser.close()

    def body(code: str) -> str:
        lines = code.replace("\r\n", "\n").split("\n")
        return "\n".join(line for line in lines if not line.startswith("Attribute VB_")).strip()

    assert body(modules["xlcrm"]) == SOURCE.module.replace("\r\n", "\n").strip()
    xlwings_source = (xlwings_dir() / "xlwings.bas").read_text(encoding="utf-8")
    assert body(modules["xlwings"]) == body(xlwings_source)
    assert "Dictionary" in modules and "ThisWorkbook" in modules
    version = __import__("xlwings").__version__
    assert f"'Version: {version}" in modules["xlwings"]  # the VBA matches the installed xlwings


def test_sheets_and_xlwings_conf(built):
    book = openpyxl.load_workbook(built, keep_vba=True)
    assert book.sheetnames == [s["name"] for s in SOURCE.spec["sheets"]]
    conf = {row[0]: row[1] for row in book[names.XLWINGS_CONF].iter_rows(values_only=True)}
    assert conf["UDF Modules"] == "xlcrm.udfs"
    assert conf["Interpreter_Win"] == r"C:\Python\pythonw.exe" and conf["PYTHONPATH"] == r"C:\xlcrm"
    settings = book[names.SETTINGS]
    assert settings["A2"].value == "季度" and settings.data_validations.dataValidation
    assert book["一线"]["A3"].value == "序号" and book[names.GRADES]["A1"].value == "客户代码"
    assert book[names.GRADES].column_dimensions["A"].width >= 16


@pytest.mark.libreoffice
def test_libreoffice_opens_the_template_and_keeps_its_macros(built, tmp_path):
    out = tmp_path / "out"
    profile = (tmp_path / "profile").as_uri()
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsm",
            "--outdir",
            str(out),
            str(built),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    converted = out / built.name
    assert done.returncode == 0 and converted.exists(), done.stderr
    parser = VBA_Parser(str(converted))
    code = {stream.split("/")[-1]: text for _, stream, _, text in parser.extract_macros()}
    parser.close()
    assert "xlcrm_BuildReport" in code["xlcrm"]
    assert openpyxl.load_workbook(converted, keep_vba=True).sheetnames[:2] == [names.HELP, names.SETTINGS]


def test_template_command(tmp_path):
    out = tmp_path / "模板.xlsm"
    assert cli.main(["template", "-q", "--out", str(out)]) == 0
    assert zipfile.is_zipfile(out)
    assert cli.main(["template", "-q", "--out", str(tmp_path / "模板.xlsx")]) == 2


def test_sources_live_in_workbook_templates():
    assert {p.name for p in CHECKOUT.iterdir()} >= {"template.toml", "ribbon.xml", "xlcrm.bas"}


def test_help_lines_fit_the_page_and_keep_every_word(built):
    from xlcrm.report.look import display_width
    from xlcrm.template.sheet_writers import HELP_WIDTH

    shown = [
        v
        for (v,) in openpyxl.load_workbook(built, keep_vba=True)[names.HELP].iter_rows(values_only=True)
        if v
    ]
    assert all(display_width(line) <= HELP_WIDTH for line in shown)
    text = "".join(line.strip() for line in shown)
    for line in SOURCE.spec["sheets"][0]["lines"]:
        assert line.strip() in text


def test_cell_function_wrappers_are_the_ones_xlwings_writes(windows_udfs, built):
    import io
    import types

    from xlcrm import udfs
    from xlcrm.template.udf_wrappers import MODULE_NAME, udf_module

    module, xlwings_udfs = windows_udfs
    theirs = io.StringIO()
    xlwings_udfs.generate_vba_wrapper(
        "xlcrm.udfs", module, theirs, types.SimpleNamespace(Name="客户管理.xlsm")
    )
    ours = udf_module(udfs.FUNCTIONS, "xlcrm.udfs", udfs.summary)

    def functions(code: str) -> dict[str, list[str]]:
        found = {}
        for name, body in re.findall(r"^Function (\w+)\(.*?\n(.*?)^End Function", code, re.S | re.M):
            found[name] = [
                line.strip()
                for line in body.splitlines()
                if line.strip() and not line.startswith("Attribute ")
            ]
        return found

    assert functions(ours.code.replace("\r\n", "\n")) == functions(theirs.getvalue())
    for fn in udfs.FUNCTIONS:
        assert f'Attribute {fn.__name__}.VB_Description = "{udfs.summary(fn)}"' in ours.code
    parser = VBA_Parser(str(built))
    modules = {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    parser.close()
    assert all(f"Function {fn.__name__}(" in modules[MODULE_NAME] for fn in udfs.FUNCTIONS)
    assert "等级变动标记" in modules[MODULE_NAME]  # the description, in the project's code page (GBK)


def test_template_variant_for_excels_new_workbook_list(tmp_path):
    xltm = build_template(tmp_path / "客户管理.xltm")
    with zipfile.ZipFile(xltm) as package:
        types = package.read("[Content_Types].xml").decode()
        assert "application/vnd.ms-excel.template.macroEnabled.main+xml" in types
        assert "sheet.macroEnabled.main" not in types
        props = package.read("docProps/custom.xml").decode()
    assert __import__("xlwings").__version__ in props and "xlwings version" in props
