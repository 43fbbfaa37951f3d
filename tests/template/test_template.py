"""The 客户管理.xlsm template: built from its text sources, read back with independent tools
(zipfile + ElementTree, oletools' olevba, openpyxl, LibreOffice headless)."""

from __future__ import annotations

import re
import subprocess
import sys
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
    assert 'RunPython "import xlcrm.macros; xlcrm.macros." & name & "()"' in SOURCE.module  # macOS
    assert 'RunPython ERRORS_IN_ANSI & "import xlcrm.macros; xlcrm.macros." & name & "()"' in SOURCE.module


def windows_command(name: str) -> str:
    """The Python command RunMacro hands RunPython on Windows, with the VBA constant filled in."""
    constant = re.search(r'ERRORS_IN_ANSI As String = _\s*"([^"]*)"', SOURCE.module).group(1)
    return constant + f"import xlcrm.macros; xlcrm.macros.{name}()"


@pytest.mark.parametrize("utf8_mode", ["0", "1"])
def test_python_error_output_reaches_excel_in_the_ansi_code_page(tmp_path, utf8_mode):
    """xlwings shows Python's error output by reading it back with VBA's Line Input, in the
    system code page. Here cp1252 (an English Windows) stands in for 'mbcs', which only Windows
    has; a stand-in xlcrm.macros fails with a Chinese path in its message."""
    command = windows_command("build_report")
    compile(command, "<RunPython>", "exec")
    assert "encoding='mbcs'" in command
    stand_in = tmp_path / "xlcrm" / "macros.py"
    stand_in.parent.mkdir()
    (stand_in.parent / "__init__.py").write_text("")
    stand_in.write_text(
        "def build_report():\n    raise OSError(r'C:\\Users\\张三\\客户管理.xlsm')\n", encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-c", command.replace("'mbcs'", "'cp1252'")],
        cwd=tmp_path,
        capture_output=True,
        env={"PYTHONUTF8": utf8_mode, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
    )
    assert done.returncode == 1
    shown = done.stderr.decode("cp1252")  # what Line Input reads on that Windows
    assert r"\u5f20\u4e09" in shown and "å" not in shown  # 张三, escaped rather than garbled
    # the control: without the switch, UTF-8 mode writes UTF-8, which that Windows shows garbled
    plain = subprocess.run(
        [sys.executable, "-c", "import xlcrm.macros; xlcrm.macros.build_report()"],
        cwd=tmp_path,
        capture_output=True,
        env={"PYTHONUTF8": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
    )
    assert "张三".encode() in plain.stderr  # shown there as å¼ ä¸‰


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


def built_modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    modules = {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    parser.close()
    return modules


def test_cell_function_wrappers_are_the_ones_xlwings_writes(windows_udfs, built):
    import io
    import types

    from xlcrm import udfs
    from xlcrm.template.udf_wrappers import MODULE_NAME

    module, xlwings_udfs = windows_udfs
    theirs = io.StringIO()
    xlwings_udfs.generate_vba_wrapper(
        "xlcrm.udfs", module, theirs, types.SimpleNamespace(Name="客户管理.xlsm")
    )

    def functions(code: str) -> dict[str, list[str]]:
        found = {}
        for signature, body in re.findall(r"^(Function \w+\(.*?\))\n(.*?)^End Function", code, re.S | re.M):
            found[signature] = [line.strip() for line in body.splitlines() if line.strip()]
        return found

    ours = built_modules(built)[MODULE_NAME].replace("\r\n", "\n")
    assert functions(ours) == functions(theirs.getvalue())
    assert sorted(functions(ours)) == sorted(functions(theirs.getvalue()))
    assert len(functions(ours)) == len(udfs.FUNCTIONS)
    assert ours.isascii()  # reads the same in every system code page


def registered_in(code: str) -> dict[str, tuple[str, list[str]]]:
    """What RegisterCellFunctions passes to Application.MacroOptions, read from its VBA text: name
    → (description, argument descriptions), the hex UTF-16 decoded here independently."""
    values: dict[str, str] = {}
    arguments: dict[int, str] = {}
    found = {}
    for line in code.replace("\r\n", "\n").splitlines():
        line = line.strip()
        if match := re.fullmatch(
            r'(description|arguments\((\d+)\)) = (\1 & )?FromHex\("([0-9A-F]*)"\)', line
        ):
            text = bytes.fromhex(match.group(4)).decode("utf-16-be")
            target = int(match.group(2)) if match.group(2) else "description"
            store = arguments if match.group(2) else values
            store[target] = (store.get(target, "") if match.group(3) else "") + text
        elif match := re.fullmatch(r"ReDim arguments\(0 To (\d+)\)", line):
            arguments = {}
        elif match := re.fullmatch(r'Register "(\w+)", description, (arguments|Empty)', line):
            found[match.group(1)] = (values["description"], [arguments[i] for i in sorted(arguments)])
    return found


def test_cell_functions_are_registered_as_xlwings_import_udfs_registers_them(windows_udfs, built):
    """xlwings' own import_udfs, run against a stand-in workbook, records the MacroOptions calls
    it makes; the template's Workbook_Open makes the same ones from VBA."""
    import sys
    import types

    from xlcrm.template.udf_wrappers import REGISTER_SUB, REGISTRATION_MODULE

    module, xlwings_udfs = windows_udfs
    sys.modules["pywintypes"].com_error = type("com_error", (Exception,), {})
    calls = []

    class Components:  # the VBA project's modules: xlwings replaces xlwings_udfs
        def __call__(self, name):
            return name

        def Remove(self, component):  # noqa: N802 (COM names)
            pass

        def Import(self, path):  # noqa: N802
            pass

    workbook = types.SimpleNamespace(
        Name="客户管理.xlsm",
        VBProject=types.SimpleNamespace(VBComponents=Components()),
        Application=types.SimpleNamespace(
            Version="16.0", MacroOptions=lambda macro, **options: calls.append((macro, options))
        ),
    )
    xlwings_udfs.udf_modules["xlcrm.udfs"] = {"module": module, "filetime": None, "filename": ""}
    xlwings_udfs.import_udfs("xlcrm.udfs", workbook)
    expected = {
        macro.split("!")[1]: (options["Description"], options["ArgumentDescriptions"] or [])
        for macro, options in calls
    }
    assert {options["Category"] for _, options in calls} == {"xlcrm"}
    assert all(macro.startswith("'客户管理.xlsm'!") for macro, _ in calls)

    modules = built_modules(built)
    code = modules[REGISTRATION_MODULE]
    assert code.isascii() and registered_in(code) == expected
    assert len(expected) == 6
    assert re.search(r'FUNCTION_CATEGORY As String = "xlcrm"', code)
    assert "Application.MacroOptions Macro:=macro, Description:=description" in code
    # run each time the workbook opens: the template, a workbook made from it, a copy
    assert re.search(
        rf"Private Sub Workbook_Open\(\)\s+{REGISTRATION_MODULE}\.{REGISTER_SUB}\s+End Sub",
        modules["ThisWorkbook"],
    )
    assert modules["ThisWorkbook"].isascii()


CATEGORY_MENTION = re.compile(r"(?:类别|category)\s*[“\"*]*\s*([^\s“”\"*，。、）)]+)", re.I)


def test_the_docs_name_only_the_category_the_template_registers(built):
    """README and the 使用说明 sheet tell managers where to find the functions; a category they
    name that the template does not register would leave them searching."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    help_lines = "\n".join(SOURCE.spec["sheets"][0]["lines"])
    named = {m.group(1) for text in (readme, help_lines) for m in CATEGORY_MENTION.finditer(text)}
    registered = set(
        re.findall(r'FUNCTION_CATEGORY As String = "([^"]+)"', built_modules(built)["xlcrm_functions"])
    )
    assert named and registered == {"xlcrm"}
    assert named <= registered, named - registered
    # the reading finds other names too: docs pointing to 类别“财务” would fail this test
    assert {m.group(1) for m in CATEGORY_MENTION.finditer("公式 → 插入函数 → 类别“财务”")} == {"财务"}


def test_template_variant_for_excels_new_workbook_list(tmp_path):
    xltm = build_template(tmp_path / "客户管理.xltm")
    with zipfile.ZipFile(xltm) as package:
        types = package.read("[Content_Types].xml").decode()
        assert "application/vnd.ms-excel.template.macroEnabled.main+xml" in types
        assert "sheet.macroEnabled.main" not in types
        props = package.read("docProps/custom.xml").decode()
    assert __import__("xlwings").__version__ in props and "xlwings version" in props


# --- independent readers of the built files --------------------------------------------------


def vba_project_bin(path: Path) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read("xl/vbaProject.bin")


def streams_by_compoundfiles(data: bytes) -> dict[str, bytes]:
    import io
    import warnings

    import compoundfiles

    with warnings.catch_warnings():  # it reads a BytesIO through an emulated mmap: slower, same bytes
        warnings.simplefilter("ignore", compoundfiles.CompoundFileEmulationWarning)
        document = compoundfiles.CompoundFileReader(io.BytesIO(data))

    def walk(storage, prefix: str):
        for entry in storage:
            if entry.isdir:
                yield from walk(entry, prefix + entry.name + "/")
            else:
                with document.open(entry) as stream:
                    yield prefix + entry.name, stream.read()

    return dict(walk(document.root, ""))


def streams_by_olefile(data: bytes) -> dict[str, bytes]:
    import olefile

    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_UNSURE)
    return {"/".join(path): ole.openstream(path).read() for path in ole.listdir()}


def test_two_compound_file_readers_read_the_same_streams(built):
    data = vba_project_bin(built)
    by_compoundfiles, by_olefile = streams_by_compoundfiles(data), streams_by_olefile(data)
    assert by_compoundfiles == by_olefile
    assert {"PROJECT", "PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT", "VBA/xlwings", "VBA/ThisWorkbook"} <= set(
        by_olefile
    )


def decrypt(hex_digits: str) -> bytes:
    """[MS-OVBA] 2.4.3.3 Data Decryption, from the spec: the protected data behind CMG/DPB/GC."""
    import struct

    encrypted = bytes.fromhex(hex_digits)
    seed, version_enc, project_key_enc = encrypted[:3]
    assert seed ^ version_enc == 2  # Version
    unencrypted, encrypted_1, encrypted_2 = seed ^ project_key_enc, project_key_enc, version_enc
    plain = bytearray()
    for byte_enc in encrypted[3:]:
        byte = byte_enc ^ ((encrypted_2 + unencrypted) & 0xFF)
        plain.append(byte)
        encrypted_2, encrypted_1, unencrypted = encrypted_1, byte_enc, byte
    ignored = (seed & 6) // 2
    (length,) = struct.unpack_from("<I", plain, ignored)
    assert len(plain) == ignored + 4 + length
    return bytes(plain[ignored + 4 :])


def test_the_built_project_is_not_protected_and_visible(built):
    text = streams_by_olefile(vba_project_bin(built))["PROJECT"].decode("ascii")
    values = dict(line.split("=", 1) for line in text.split("\r\n") if "=" in line)
    assert decrypt(values["CMG"].strip('"')) == bytes(4)  # ProjectProtectionState: none
    assert decrypt(values["DPB"].strip('"')) == b"\0"  # ProjectPassword: none
    assert decrypt(values["GC"].strip('"')) == b"\xff"  # ProjectVisibilityState: visible


def attribute_blocks(path: Path) -> dict[str, list[str]]:
    return {
        name: [line for line in code.split("\r\n") if line.startswith("Attribute VB_")]
        for name, code in built_modules(path).items()
    }


def test_attribute_blocks_are_those_of_xlwings_standalone_quickstart(built):
    quickstart = xlwings_dir() / "quickstart_standalone.xlsm"
    excel = attribute_blocks(quickstart)
    ours = attribute_blocks(built)
    assert ours["ThisWorkbook"] == excel["ThisWorkbook"]
    sheets = [name for name in ours if re.fullmatch(r"Sheet\d+", name)]
    assert len(sheets) == len(SOURCE.spec["sheets"])
    for name in sheets:  # a worksheet's block is the same but for its name
        assert ours[name] == [line.replace('"Sheet1"', f'"{name}"') for line in excel["Sheet1"]]
    assert ours["Dictionary"] == excel["Dictionary"]  # the class module


def test_xlwings_conf_has_every_key_of_xlwings_standalone_quickstart(built):
    """In its order and cell types; a key on the sheet wins over any xlwings.conf file."""
    quickstart = openpyxl.load_workbook(xlwings_dir() / "quickstart_standalone.xlsm")["_xlwings.conf"]
    theirs = []
    for key, value, *_ in quickstart.iter_rows(values_only=True):
        if key is None or key.endswith(":"):  # the instructions below the settings
            break
        theirs.append((key, type(value) if value is not None else None))
    ours = [
        (k, v) for k, v, *_ in openpyxl.load_workbook(built)[names.XLWINGS_CONF].iter_rows(values_only=True)
    ]
    assert [key for key, _ in ours][: len(theirs)] == [key for key, _ in theirs]
    assert len(theirs) == 9 and "Conda Path" in dict(theirs) and "Use UDF Server" in dict(theirs)
    for (key, kind), (_, value) in zip(theirs, ours):
        if kind is bool:
            assert value is False, key  # Debug UDFs, Use UDF Server, Show Console: off
    values = dict(ours)
    assert values["Conda Path"] is None and values["Conda Env"] is None  # empty: no conda activation
    assert values["UDF Modules"] == "xlcrm.udfs"
    assert all(key for key, _ in ours)  # no gap: xlwings reads down to the first empty key


@pytest.mark.parametrize("suffix", [".xlsm", ".xltm"])
def test_openxml_audit_finds_no_error(tmp_path, suffix):
    from openxml_audit import OpenXmlValidator

    path = build_template(tmp_path / f"客户管理{suffix}")
    result = OpenXmlValidator().validate(str(path))
    assert result.is_valid and not result.errors, [str(e) for e in result.errors]
