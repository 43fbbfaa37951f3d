"""The VBA project writer, checked against independent readers: olefile for the compound file,
oletools (olevba) for the [MS-OVBA] streams and compression, an Excel-saved project shipped
with xlwings for the record layout and the CMG/DPB/GC obfuscation, and LibreOffice, which
imports the project with its own parser."""

from __future__ import annotations

import io
import random
import re
import struct
import subprocess
import warnings
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import olefile
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():  # oletools 0.60 still calls pyparsing's deprecated camelCase names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools import olevba

from support import needs
from xlcrm.template.vba.cfb import build_compound_file
from xlcrm.template.vba.project import VbaModule, build_vba_project, compress, decompress, module_from_export
from xlcrm.template.xlwings_package import xlwings_dir

XLWINGS_DIR = xlwings_dir()
WORKBOOK_ATTRIBUTES = (
    'Attribute VB_Name = "ThisWorkbook"\r\n'
    'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"\r\n'
    "Attribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\n"
    "Attribute VB_PredeclaredId = True\r\nAttribute VB_Exposed = True\r\n"
    "Attribute VB_TemplateDerived = False\r\nAttribute VB_Customizable = True\r\n"
)


def sheet_attributes(name: str) -> str:
    return (
        f'Attribute VB_Name = "{name}"\r\n'
        'Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"\r\n'
        "Attribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\n"
        "Attribute VB_PredeclaredId = True\r\nAttribute VB_Exposed = True\r\n"
        "Attribute VB_TemplateDerived = False\r\nAttribute VB_Customizable = True\r\n"
    )


STANDARD_CODE = 'Option Explicit\n\nSub 打招呼()\n    MsgBox "你好，客户经理" & Range("A1").Value\nEnd Sub\n'
CLASS_CODE = (
    "Option Explicit\r\nPrivate mCount As Long\r\n\r\n"
    "Public Property Get Count() As Long\r\n    Count = mCount\r\nEnd Property\r\n"
)
WORKBOOK_CODE = 'Private Sub Workbook_Open()\n    Sheet1.Range("A1").Value = "已打开"\nEnd Sub'
SHEET_CODE = "Private Sub Worksheet_Activate()\nEnd Sub\n"
MODULES = [
    VbaModule("ThisWorkbook", "document", WORKBOOK_CODE),
    VbaModule("Sheet1", "document", SHEET_CODE),
    VbaModule("Sheet2", "document", ""),
    VbaModule("xlcrm", "standard", STANDARD_CODE),
    VbaModule("Counter", "class", CLASS_CODE),
]
EXPECTED_SOURCE = {  # what Excel itself stores in each module stream
    "ThisWorkbook": WORKBOOK_ATTRIBUTES + WORKBOOK_CODE.replace("\n", "\r\n") + "\r\n",
    "Sheet1": sheet_attributes("Sheet1") + SHEET_CODE.replace("\n", "\r\n"),
    "Sheet2": sheet_attributes("Sheet2"),
    "xlcrm": 'Attribute VB_Name = "xlcrm"\r\n' + STANDARD_CODE.replace("\n", "\r\n"),
    "Counter": (
        'Attribute VB_Name = "Counter"\r\n'
        'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"\r\n'
        "Attribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\n"
        "Attribute VB_PredeclaredId = False\r\nAttribute VB_Exposed = False\r\n"
        "Attribute VB_TemplateDerived = False\r\nAttribute VB_Customizable = False\r\n" + CLASS_CODE
    ),
}


def strict_ole(data: bytes) -> olefile.OleFileIO:
    return olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_UNSURE)


def olevba_project(vba_bin: bytes) -> olevba.VBA_Project:
    """olevba's parser of the dir and PROJECT streams, raising on any value off the spec."""
    project = olevba.VBA_Project(strict_ole(vba_bin), "", "PROJECT", "VBA/dir", relaxed=False)
    project.parse_project_stream()
    list(project.parse_modules())
    return project


def xlsm_with(vba_bin: bytes, sheets: tuple[str, ...] = ("Sheet1", "Sheet2")) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    book.set_vba_name("ThisWorkbook")
    for index, code_name in enumerate(sheets):
        sheet = book.add_worksheet(f"线路{index + 1}")
        sheet.set_vba_name(code_name)
        sheet.write(0, 0, "客户代码")
    book.add_vba_project(io.BytesIO(vba_bin), is_stream=True)
    book.close()
    return buffer.getvalue()


def dir_records(dir_stream: bytes) -> list[tuple[int, bytes]]:
    """(Id, payload) of each dir stream record; PROJECTVERSION's Reserved field is not a size."""
    records, position = [], 0
    while position < len(dir_stream):
        record_id, size = struct.unpack_from("<HI", dir_stream, position)
        size = 6 if record_id == 0x0009 else size
        records.append((record_id, dir_stream[position + 6 : position + 6 + size]))
        position += 6 + size
    return records


def decrypt(hex_digits: str) -> tuple[int, int, bytes]:
    """[MS-OVBA] 2.4.3.3 Decryption, written from the spec: (Version, ProjKey, Data)."""
    encrypted = bytes.fromhex(hex_digits)
    seed, version_enc, project_key_enc = encrypted[:3]
    project_key = seed ^ project_key_enc
    unencrypted_1, encrypted_1, encrypted_2 = project_key, project_key_enc, version_enc
    plain = []
    for byte_enc in encrypted[3:]:
        byte = byte_enc ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        plain.append(byte)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
    ignored = (seed & 6) // 2
    (length,) = struct.unpack("<I", bytes(plain[ignored : ignored + 4]))
    data = bytes(plain[ignored + 4 :])
    assert len(data) == length
    return seed ^ version_enc, project_key, data


def project_lines(vba_bin: bytes) -> list[str]:
    return strict_ole(vba_bin).openstream("PROJECT").read().decode("gbk").split("\r\n")


# --- Compression ---------------------------------------------------------------------------------


def assert_round_trip(data: bytes) -> bytes:
    compressed = compress(data)
    assert decompress(compressed) == data
    assert bytes(olevba.decompress_stream(bytearray(compressed))) == data
    return compressed


VBA_TEXT = (XLWINGS_DIR / "xlwings.bas").read_bytes()


@pytest.mark.parametrize("size", [0, 1, 2, 3, 17, 100, 4095, 4096, 4097, 8192, 10_000, len(VBA_TEXT)])
def test_text_round_trips_through_both_decompressors_and_shrinks(size):
    data = VBA_TEXT[:size]
    compressed = assert_round_trip(data)
    if size >= 4096:
        assert len(compressed) < 0.6 * size


@pytest.mark.parametrize("size", [4096, 4097, 3 * 4096 + 3000])
def test_random_bytes_round_trip(size):
    assert_round_trip(random.Random(size).randbytes(size))


@pytest.mark.parametrize("size", [1, 4095, 4096, 4097, 10_001, 40_000])
def test_repetitive_bytes_compress_to_a_few_tokens_per_chunk(size):
    compressed = assert_round_trip(b"a" * size)
    chunks = -(-size // 4096)
    assert len(compressed) <= 1 + chunks * 12
    assert_round_trip((b'Range("A1").Value = 1\r\n' * (size // 20 + 1))[:size])


def test_chunks_hold_4096_decompressed_bytes_and_never_reference_an_earlier_chunk():
    data = b"abc" * 5000  # every chunk repeats the last: only within-chunk copies are allowed
    compressed = assert_round_trip(data)
    # the first chunk's header: compressed (flag 1), signature 0b011, size less 3
    (header,) = struct.unpack_from("<H", compressed, 1)
    assert header >> 12 == 0b1011
    first_chunk_end = 1 + (header & 0x0FFF) + 3
    assert decompress(compressed[:first_chunk_end]) == data[:4096]


def test_an_incompressible_final_chunk_is_a_zero_padded_raw_chunk_as_the_spec_says():
    # [MS-OVBA] 2.4.1.3.10: 4095 random bytes do not fit a compressed chunk (4095 + 512 flag bytes)
    data = random.Random(1).randbytes(4095)
    compressed = compress(data)
    assert struct.unpack_from("<H", compressed, 1)[0] == 0x3FFF and len(compressed) == 1 + 2 + 4096
    assert decompress(compressed) == data + b"\0"
    assert bytes(olevba.decompress_stream(bytearray(compressed))) == data + b"\0"


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3 * 4096 + 200))
def test_any_bytes_round_trip_except_the_spec_padding_of_an_incompressible_tail(data):
    compressed = compress(data)
    for result in (decompress(compressed), bytes(olevba.decompress_stream(bytearray(compressed)))):
        assert result[: len(data)] == data
        padding = result[len(data) :]
        assert padding == b"" or (len(data) % 4096 > 3640 and padding == bytes(4096 - len(data) % 4096))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Dim ", "x", " = ", 'Range("A1")', "\r\n", "End Sub", "客户", " ", "1"]),
        max_size=3000,
    )
)
def test_vba_like_text_round_trips_exactly(words):
    assert_round_trip("".join(words).encode("gbk"))


def test_decompress_rejects_malformed_containers():
    for bad in (b"", b"\x02", b"\x01\x00\x00", b"\x01\xff\x3f" + bytes(100)):
        with pytest.raises(ValueError):
            decompress(bad)


# --- Compound file -------------------------------------------------------------------------------


def cfb_key(name: str) -> tuple[int, str]:
    return len(name), name.upper()  # [MS-CFB] 2.6.4 for ASCII names


def assert_sibling_trees_are_ordered(ole: olefile.OleFileIO) -> None:
    def in_order(sid: int) -> list[str]:
        if sid == olefile.NOSTREAM:
            return []
        entry = ole.direntries[sid]
        assert entry.color == 1  # [MS-CFB] 2.6.1: black
        return in_order(entry.sid_left) + [entry.name] + in_order(entry.sid_right)

    for entry in ole.direntries:
        if entry is not None and entry.entry_type in (olefile.STGTY_STORAGE, olefile.STGTY_ROOT):
            names = in_order(entry.sid_child)
            assert names == sorted(names, key=cfb_key)
            assert len({name.upper() for name in names}) == len(names)


def test_compound_file_reads_back_with_mini_and_regular_streams():
    streams = {
        "PROJECT": b"ID=...\r\n",
        "PROJECTwm": b"",
        "VBA/dir": bytes(range(256)) * 15 + b"xyz",  # 3843 bytes: mini stream
        "VBA/Cutoff": b"c" * 4096,  # exactly the cutoff: regular sectors
        "VBA/Big": random.Random(0).randbytes(70_000),
        "VBA/Odd": b"o" * 4095,
        "Deep/Er/Still": b"nested",
    }
    data = build_compound_file(streams)
    assert len(data) % 512 == 0
    ole = strict_ole(data)
    assert sorted("/".join(path) for path in ole.listdir()) == sorted(streams)
    for path, content in streams.items():
        assert ole.openstream(path).read() == content
        assert ole.get_size(path) == len(content)
    minifat = {"/".join(path): ole.direntries[ole._find(path)].is_minifat for path in ole.listdir()}
    assert minifat["VBA/dir"] and minifat["VBA/Odd"] and minifat["PROJECT"]
    assert not minifat["VBA/Cutoff"] and not minifat["VBA/Big"]
    assert ole.get_type("Deep/Er") == olefile.STGTY_STORAGE
    assert_sibling_trees_are_ordered(ole)


def test_many_entries_span_several_directory_sectors_in_cfb_order():
    rng = random.Random(40)
    names = [("S" * rng.randint(1, 20)) + str(i) if i % 3 else f"s{i:02d}x" for i in range(40)]
    streams = {f"VBA/{name}": rng.randbytes(rng.choice([10, 700, 5000])) for name in names}
    streams["Root"] = b"r"
    data = build_compound_file(streams)
    ole = strict_ole(data)
    assert len(ole.direntries) >= 42 and (42 * 128) > 512 * 8
    for path, content in streams.items():
        assert ole.openstream(path).read() == content
    assert_sibling_trees_are_ordered(ole)


def test_fat_past_109_sectors_uses_difat_sectors():
    big = random.Random(7).randbytes(8 * 1024 * 1024)  # 16384 sectors need 129 FAT sectors
    data = build_compound_file({"Big": big, "small": b"s"})
    (difat_sectors,) = struct.unpack_from("<I", data, 0x48)
    assert difat_sectors == 1
    ole = strict_ole(data)
    assert ole.openstream("Big").read() == big and ole.openstream("small").read() == b"s"


def test_compound_file_is_deterministic_and_independent_of_mapping_order():
    streams = {"b": b"1", "A/x": b"2" * 5000, "A/Y": b"3"}
    first = build_compound_file(streams)
    assert first == build_compound_file(dict(reversed(streams.items())))
    assert b"\0" * 16 == first[8:24]  # header CLSID


@pytest.mark.parametrize(
    "streams",
    [
        {"Dir": b"", "dir": b""},  # names compare case-insensitively
        {"A": b"", "A/b": b""},  # both stream and storage
        {"x" * 32: b""},  # longer than 31 characters
        {"a:b": b""},
        {"a//b": b""},
    ],
)
def test_invalid_compound_file_names_are_refused(streams):
    with pytest.raises(ValueError):
        build_compound_file(streams)


# --- VBA project ---------------------------------------------------------------------------------


def test_project_streams_and_layout():
    vba_bin = build_vba_project(MODULES)
    ole = strict_ole(vba_bin)
    assert sorted(ole.listdir()) == sorted(
        [["PROJECT"], ["PROJECTwm"], ["VBA", "_VBA_PROJECT"], ["VBA", "dir"]]
        + [["VBA", module.name] for module in MODULES]
    )
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000000")
    assert (
        ole.openstream("PROJECTwm").read()
        == b"".join(m.name.encode() + b"\0" + m.name.encode("utf-16-le") + b"\0\0" for m in MODULES) + b"\0\0"
    )
    assert_sibling_trees_are_ordered(ole)


def test_olevba_extracts_every_module_with_exactly_our_source():
    project = olevba_project(build_vba_project(MODULES))
    assert (project.syskind, project.lcid, project.lcidinvoke, project.codepage) == (1, 0x409, 0x409, 936)
    assert [m.name for m in project.modules] == [m.name for m in MODULES]
    for module in project.modules:
        assert module.code == EXPECTED_SOURCE[module.name]
        assert module.code_raw == EXPECTED_SOURCE[module.name].encode("gbk")
        assert module.textoffset == 0
        assert module.type == (0x21 if module.name == "xlcrm" else 0x22)
    assert {m.name: m.filename for m in project.modules} == {
        "ThisWorkbook": "ThisWorkbook.cls",
        "Sheet1": "Sheet1.cls",
        "Sheet2": "Sheet2.cls",
        "xlcrm": "xlcrm.bas",
        "Counter": "Counter.cls",
    }


def test_olevba_finds_the_project_inside_an_xlsxwriter_xlsm():
    parser = olevba.VBA_Parser(filename="x.xlsm", data=xlsm_with(build_vba_project(MODULES)))
    assert parser.detect_vba_macros()
    found = {vba_filename: code for _, _, vba_filename, code in parser.extract_macros()}
    assert found == {
        f"{name}.{'bas' if name == 'xlcrm' else 'cls'}": source for name, source in EXPECTED_SOURCE.items()
    }


def test_project_stream_text():
    lines = project_lines(build_vba_project(MODULES))
    assert re.fullmatch(r'ID="\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}"', lines[0])
    assert lines[1:9] == [
        "Document=ThisWorkbook/&H00000000",
        "Document=Sheet1/&H00000000",
        "Document=Sheet2/&H00000000",
        "Module=xlcrm",
        "Class=Counter",
        'Name="VBAProject"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
    ]
    assert [line.split("=")[0] for line in lines[9:12]] == ["CMG", "DPB", "GC"]
    assert lines[12:] == [
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        "[Workspace]",
        "ThisWorkbook=0, 0, 0, 0, C",
        "Sheet1=0, 0, 0, 0, C",
        "Sheet2=0, 0, 0, 0, C",
        "xlcrm=0, 0, 0, 0, C",
        "Counter=0, 0, 0, 0, C",
        "",
    ]


def test_protection_fields_decrypt_to_an_unprotected_visible_project():
    lines = project_lines(build_vba_project(MODULES, project_name="KeHu"))
    project_key = sum(lines[0][4:-1].encode()) & 0xFF
    values = dict(line.split("=", 1) for line in lines[9:12])
    assert decrypt(values["CMG"].strip('"')) == (2, project_key, bytes(4))
    assert decrypt(values["DPB"].strip('"')) == (2, project_key, b"\0")
    assert decrypt(values["GC"].strip('"')) == (2, project_key, b"\xff")
    assert 'Name="KeHu"' in lines


def excel_project() -> olefile.OleFileIO:
    quickstart = XLWINGS_DIR / "quickstart.xlsm"
    if not quickstart.exists():
        pytest.skip("this xlwings ships no quickstart.xlsm")
    return strict_ole(zipfile.ZipFile(quickstart).read("xl/vbaProject.bin"))


def test_the_test_decryptor_reads_the_values_excel_wrote():
    excel = excel_project()
    lines = excel.openstream("PROJECT").read().decode("latin-1").split("\r\n")
    values = dict(line.split("=", 1) for line in lines if line.startswith(("ID=", "CMG=", "DPB=", "GC=")))
    project_key = sum(values["ID"].strip('"').encode()) & 0xFF
    assert decrypt(values["CMG"].strip('"')) == (2, project_key, bytes(4))
    assert decrypt(values["DPB"].strip('"')) == (2, project_key, b"\0")
    assert decrypt(values["GC"].strip('"')) == (2, project_key, b"\xff")


def quickstart_modules() -> dict[str, bytes]:
    """The module streams (attributes and code) of xlwings' standalone quickstart workbook,
    saved by Excel: what `xlwings quickstart --standalone` copies for a user."""
    quickstart = XLWINGS_DIR / "quickstart_standalone.xlsm"
    if not quickstart.exists():
        pytest.skip("this xlwings ships no quickstart_standalone.xlsm")
    vba_bin = zipfile.ZipFile(quickstart).read("xl/vbaProject.bin")
    return {m.name: bytes(m.code_raw) for m in olevba_project(vba_bin).modules}


def attribute_block(source: bytes) -> list[bytes]:
    lines = source.split(b"\r\n")
    return lines[: next(i for i, line in enumerate(lines) if not line.startswith(b"Attribute VB_"))]


def test_dir_records_follow_the_layout_excel_writes():
    ours = dir_records(decompress(strict_ole(build_vba_project(MODULES)).openstream("VBA/dir").read()))
    excel = dir_records(decompress(excel_project().openstream("VBA/dir").read()))

    def information(records):  # up to the first REFERENCENAME; Excel adds PROJECTCOMPATVERSION
        ids = [record_id for record_id, _ in records]
        return [record_id for record_id in ids[: ids.index(0x0016)] if record_id != 0x004A]

    def module_ids(records, kind):
        ids = [record_id for record_id, _ in records]
        start = ids.index(0x0019)
        return [
            ids[start : start + 11]
            for start in range(start, len(ids) - 1, 11)
            if kind in ids[start : start + 11]
        ]

    assert information(ours) == information(excel)
    for kind in (0x0021, 0x0022):
        assert module_ids(ours, kind)[0] == module_ids(excel, kind)[0]
    assert ours[-1] == (0x0010, b"") and excel[-1] == (0x0010, b"")
    references = [payload for record_id, payload in ours if record_id in (0x0016, 0x000D)]
    assert references[0] == b"stdole" and references[2] == b"Office"
    assert references[1][4:].startswith(rb"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#")
    assert references[3][4:].startswith(rb"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#")


def test_build_is_deterministic():
    assert build_vba_project(MODULES) == build_vba_project(list(MODULES))


def xlwings_exports() -> dict[str, bytes]:
    return {
        "xlwings.bas": (XLWINGS_DIR / "xlwings.bas").read_bytes(),
        "Dictionary.cls": (XLWINGS_DIR / "addin" / "Dictionary.cls").read_bytes(),
    }


def test_xlwings_own_vba_survives_byte_for_byte():
    exports = xlwings_exports()
    modules = [
        module_from_export("xlwings", exports["xlwings.bas"].decode("utf-8")),
        module_from_export("Dictionary.cls", exports["Dictionary.cls"].decode("utf-8")),
    ]
    assert [(m.name, m.kind) for m in modules] == [("xlwings", "standard"), ("Dictionary", "class")]
    project = olevba_project(build_vba_project([VbaModule("ThisWorkbook", "document", "")] + modules))
    stored = {m.name: m.code_raw for m in project.modules}
    without_header = exports["Dictionary.cls"].split(b"\nEND\r\n", 1)[1]  # VERSION 1.0 CLASS / BEGIN ... END
    assert stored["xlwings"].replace(b"\r\n", b"\n") == exports["xlwings.bas"].replace(b"\r\n", b"\n")
    code = without_header.split(b"\r\n''\r\n", 1)[1]  # after the export's attribute lines
    assert stored["Dictionary"].endswith(code)
    # the class module as Excel stores it in xlwings' own standalone quickstart workbook: the same
    # attribute block, the same code up to the case of names (the VBA editor unifies it: Err/err)
    excel = quickstart_modules()["Dictionary"]
    assert attribute_block(stored["Dictionary"]) == attribute_block(excel)
    assert stored["Dictionary"].lower() == excel.lower()


def test_module_from_export_kinds():
    document = (
        'VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1  \'True\nEND\nAttribute VB_Name = "Sheet3"\n'
        'Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"\n'
        "Private Sub Worksheet_Activate()\nEnd Sub\n"
    )
    module = module_from_export("Sheet3.cls", document)
    assert (module.name, module.kind, module.code) == (
        "Sheet3",
        "document",
        "Private Sub Worksheet_Activate()\nEnd Sub\n",
    )
    standard = module_from_export("Tools.bas", 'Attribute VB_Name = "Tools"\r\nSub A()\r\nEnd Sub\r\n')
    assert (standard.kind, standard.attributes, standard.code) == ("standard", (), "Sub A()\nEnd Sub\n")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Form1.frm", "VERSION 5.00\nBegin {C62A69F0-16DC-11CE-9E98-00AA00574A4F} Form1\nEnd\n"),
        ("Other", 'Attribute VB_Name = "Tools"\nSub A()\nEnd Sub\n'),  # not the module named
        ("Tools.cls", 'Attribute VB_Name = "Tools"\nSub A()\nEnd Sub\n'),  # a .cls without its header
        ("Tools.bas", 'VERSION 1.0 CLASS\nBEGIN\nEND\nAttribute VB_Name = "Tools"\n'),
        ("Tools.cls", 'VERSION 1.0 CLASS\nBEGIN\nAttribute VB_Name = "Tools"\n'),  # no END
    ],
)
def test_module_from_export_refuses(name, text):
    with pytest.raises(ValueError):
        module_from_export(name, text)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: VbaModule("模块1", "standard", ""), "ASCII"),
        (lambda: VbaModule("dir", "standard", ""), "collides"),
        (lambda: VbaModule("A", "form", ""), "kind"),
        (
            lambda: build_vba_project([VbaModule("A", "standard", "' 😀\n")]),
            "line 1 cannot be encoded in code page 936",
        ),
        (
            lambda: build_vba_project([VbaModule("A", "standard", "Sub A()\n' 客户\n")], codepage=1252),
            "line 2",
        ),
        (lambda: build_vba_project([VbaModule("A", "standard", ""), VbaModule("a", "class", "")]), "unique"),
        (lambda: build_vba_project([VbaModule("A", "class", "", ('Attribute VB_Name = "B"',))]), "name"),
        (lambda: build_vba_project([VbaModule("A", "class", "", ("Option Explicit",))]), "Attribute"),
        (lambda: build_vba_project([], codepage=99999), "code page"),
    ],
)
def test_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_attributes_override_defaults_in_place_and_extend_them():
    module = VbaModule(
        "Tools", "class", "", ("Attribute VB_PredeclaredId = True", 'Attribute VB_Description = "x"')
    )
    (stored,) = [m.code for m in olevba_project(build_vba_project([module])).modules]
    assert stored == (
        'Attribute VB_Name = "Tools"\r\nAttribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"\r\n'
        "Attribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\n"
        "Attribute VB_PredeclaredId = True\r\nAttribute VB_Exposed = False\r\n"
        "Attribute VB_TemplateDerived = False\r\nAttribute VB_Customizable = False\r\n"
        'Attribute VB_Description = "x"\r\n'
    )


# --- LibreOffice ---------------------------------------------------------------------------------


def soffice() -> str:
    return needs("soffice")


def convert(source: Path, extension: str, tmp_path: Path) -> Path:
    out_dir = tmp_path / extension
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            extension,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    converted = out_dir / f"{source.stem}.{extension}"
    assert converted.exists(), f"LibreOffice did not convert {source.name} to {extension}"
    return converted


@pytest.mark.libreoffice
def test_libreoffice_imports_the_project_and_keeps_it(tmp_path):
    source = tmp_path / "in.xlsm"
    source.write_bytes(xlsm_with(build_vba_project(MODULES)))

    # LibreOffice writes the project back from its own import of it: the code of every module
    # survives (it rewrites the attribute lines of class modules, and ends each with an empty line)
    resaved = convert(source, "xlsm", tmp_path)
    parser = olevba.VBA_Parser(filename=str(resaved))
    found = {
        vba_filename.rsplit(".", 1)[0]: code.replace("\r\n", "\n")
        for _, _, vba_filename, code in parser.extract_macros()
    }
    assert sorted(found) == sorted(module.name for module in MODULES)
    for module in MODULES:
        assert module.code.replace("\r\n", "\n").rstrip("\n") in found[module.name]

    # LibreOffice's own [MS-OVBA] reader turned each module into a Basic module of the same kind
    ods = zipfile.ZipFile(convert(source, "ods", tmp_path))
    ns = "{http://openoffice.org/2000/script}"
    kinds = {"standard": "normal", "class": "class", "document": "document"}
    for module in MODULES:
        element = ET.fromstring(ods.read(f"Basic/VBAProject/{module.name}.xml"))
        assert element.get(f"{ns}moduleType") == kinds[module.kind]
        assert module.code.replace("\r\n", "\n") in element.text
