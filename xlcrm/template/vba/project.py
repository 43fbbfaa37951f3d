"""Writes an Excel VBA project (`xl/vbaProject.bin`) from module source text, per [MS-OVBA].

The project holds source only, no compiled p-code or performance caches: `_VBA_PROJECT.Version`
is 0xFFFF ([MS-OVBA] 1.6, 2.3.4.1), which tells Office to ignore every cache and compile the
modules from their source when the workbook is opened. The output is deterministic: the same
modules give the same bytes on any machine.

The project is meant for a workbook written by XlsxWriter::

    book.set_vba_name("ThisWorkbook")
    sheet.set_vba_name("Sheet1")
    book.add_vba_project(io.BytesIO(build_vba_project(modules)), is_stream=True)

Excel pairs each document module with the workbook or worksheet whose code name (XlsxWriter's
`set_vba_name`) equals the module name, so pass one document module per code name: the one
named "ThisWorkbook" gets the Workbook base class, any other the Worksheet base class, unless
its `attributes` give an `Attribute VB_Base = ...` of their own.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from .cfb import build_compound_file

KINDS = ("standard", "class", "document")
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}")  # VBA module names: ASCII, at most 31 characters
MODULE_ATTRIBUTE = re.compile(r"Attribute\s+(VB_\w+)\s*=\s*(.*?)\s*")
NEWLINE = re.compile(r"\r\n|\r|\n")
RESERVED_STREAMS = {"dir", "_vba_project"}  # the module streams share the VBA storage with these

WORKBOOK_BASE = '"0{00020819-0000-0000-C000-000000000046}"'
WORKSHEET_BASE = '"0{00020820-0000-0000-C000-000000000046}"'
CLASS_BASE = '"0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'  # a VBA class module, as Excel stores it
REFERENCES = (
    (
        "stdole",
        r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb#OLE Automation",
    ),
    (
        "Office",
        r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files"
        r"\Microsoft Shared\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library",
    ),
)

CHUNK_SIZE = 4096  # [MS-OVBA] 2.4.1.1.3: DecompressedChunk
MAX_CHUNK_DATA = 4096  # [MS-OVBA] 2.4.1.1.4: a CompressedChunk is at most 4098 bytes with its header
MATCH_CANDIDATES = 256  # how many earlier positions the compressor tries per match; speed only


@dataclass(frozen=True)
class VbaModule:
    """One VBA module: `code` as the VBA editor shows it, without the module's attribute lines."""

    name: str  # ASCII identifier, e.g. "xlcrm", "ThisWorkbook", "Sheet1", "Dictionary"
    kind: str  # "standard" | "class" | "document"
    code: str
    attributes: tuple[str, ...] = ()  # "Attribute VB_... = ..." lines adding to or overriding the defaults

    def __post_init__(self) -> None:
        if not IDENTIFIER.fullmatch(self.name):
            raise ValueError(
                f"VBA module name {self.name!r} must be an ASCII identifier of at most 31 "
                "characters (a letter, then letters, digits or _)"
            )
        if self.name.lower() in RESERVED_STREAMS:
            raise ValueError(
                f"VBA module name {self.name!r} collides with the {self.name!r} stream of the project"
            )
        if self.kind not in KINDS:
            raise ValueError(f"VBA module {self.name!r}: kind {self.kind!r} is not one of {', '.join(KINDS)}")


def build_vba_project(
    modules: Sequence[VbaModule], *, project_name: str = "VBAProject", codepage: int = 936
) -> bytes:
    """The bytes of a vbaProject.bin holding `modules`, with text in the Windows code page `codepage`."""
    if not IDENTIFIER.fullmatch(project_name):
        raise ValueError(
            f"VBA project name {project_name!r} must be an ASCII identifier of at most 31 characters"
        )
    names = [module.name.lower() for module in modules]
    if len(set(names)) != len(names):
        raise ValueError("VBA module names must be unique (VBA ignores case)")
    codec = _codec(codepage)
    project_id = (
        "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:xlcrm:vba-project:{project_name}")).upper() + "}"
    )
    # [MS-OVBA] 2.2.1: PROJECT and PROJECTwm in the root storage, the rest in the VBA storage
    streams = {
        "PROJECT": _project_stream(modules, project_name, project_id, codec),
        "PROJECTwm": _project_wm_stream(modules),
        "VBA/_VBA_PROJECT": _vba_project_stream(),
        "VBA/dir": compress(_dir_stream(modules, project_name, codepage)),
    }
    for module in modules:
        # [MS-OVBA] 2.3.4.3: no PerformanceCache, so the compressed source starts at MODULEOFFSET 0
        streams[f"VBA/{module.name}"] = compress(_module_source(module, codec, codepage))
    return build_compound_file(streams)


def module_from_export(name: str, text: str) -> VbaModule:
    """The module in a file exported by the VBA editor (File > Export File).

    `name` is the module name, or the export's file name ("Dictionary.cls"). The kind follows
    the VBA editor's export conventions: a .bas export (standard module) starts directly with
    its `Attribute VB_Name` line; a .cls export (class or document module) starts with a
    "VERSION 1.0 CLASS" / "BEGIN" ... "END" header, which is dropped, and is a document module
    when its attributes name a base class (`Attribute VB_Base`). The attribute lines right after
    the header become `attributes` (VB_Name must match the name); the rest is the code. A .frm
    export (a UserForm, which needs a designer storage) is rejected."""
    stem, extension = _split_export_name(name)
    lines = NEWLINE.split(text)
    has_header = lines[0].startswith("VERSION ")
    if extension == ".frm" or (has_header and lines[0].split() != ["VERSION", "1.0", "CLASS"]):
        raise ValueError(f"{name}: UserForms and other designer modules are not supported")
    if extension and has_header != (extension == ".cls"):
        raise ValueError(f"{name}: a .cls export starts with 'VERSION 1.0 CLASS', a .bas export does not")
    if has_header:
        lines = lines[_header_end(lines, name) :]
    count = next((i for i, line in enumerate(lines) if not MODULE_ATTRIBUTE.fullmatch(line)), len(lines))
    attributes = dict(MODULE_ATTRIBUTE.fullmatch(line).groups() for line in lines[:count])
    exported_name = attributes.pop("VB_Name", f'"{stem}"')
    if exported_name != f'"{stem}"':
        raise ValueError(f"{name}: the export is of module {exported_name}, not {stem!r}")
    kind = "standard" if not has_header else "document" if "VB_Base" in attributes else "class"
    extra = tuple(f"Attribute {key} = {value}" for key, value in attributes.items())
    return VbaModule(stem, kind, "\n".join(lines[count:]), extra)


def _split_export_name(name: str) -> tuple[str, str]:
    """("Dictionary", ".cls") for "Dictionary.cls"; ("xlwings", "") for a bare module name."""
    stem, dot, extension = name.rpartition(".")
    if dot and extension.lower() in ("bas", "cls", "frm"):
        return stem, "." + extension.lower()
    return name, ""


def _header_end(lines: list[str], name: str) -> int:
    """The index of the line after the BEGIN ... END block of a .cls export."""
    for index, line in enumerate(lines):
        if line.strip() == "END":
            return index + 1
    raise ValueError(f"{name}: the 'VERSION 1.0 CLASS' header has no END line")


# --- Module source -------------------------------------------------------------------------------


def _module_source(module: VbaModule, codec: str, codepage: int) -> bytes:
    """[MS-OVBA] 2.3.4.3: the module's attribute lines then its code, CRLF-terminated lines in
    the code page."""
    code_lines = NEWLINE.split(module.code)
    if code_lines[-1] == "":
        code_lines.pop()  # a final line break ends the last line; it is not an empty line
    attributes = "".join(line + "\r\n" for line in _attribute_lines(module))
    code = "".join(line + "\r\n" for line in code_lines)
    return _encode(attributes, codec, codepage, f"the attributes of VBA module {module.name!r}") + _encode(
        code, codec, codepage, f"VBA module {module.name!r}"
    )


def _attribute_lines(module: VbaModule) -> list[str]:
    """The attribute lines Excel stores for the module kind, updated and extended by `module.attributes`."""
    values = dict(_default_attributes(module))
    for line in module.attributes:
        match = MODULE_ATTRIBUTE.fullmatch(line.strip())
        if not match:
            raise ValueError(f"VBA module {module.name!r}: {line!r} is not an 'Attribute VB_... = ...' line")
        key, value = match.groups()
        if key == "VB_Name" and value != values["VB_Name"]:
            raise ValueError(f"VBA module {module.name!r}: its attributes name it {value}")
        values[key] = value
    return [f"Attribute {key} = {value}" for key, value in values.items()]


def _default_attributes(module: VbaModule) -> list[tuple[str, str]]:
    name = [("VB_Name", f'"{module.name}"')]
    if module.kind == "standard":
        return name
    if module.kind == "class":  # the block Excel stores for a class module (an export leaves out
        # VB_Base, VB_TemplateDerived and VB_Customizable; Excel adds them on import)
        return name + [
            ("VB_Base", CLASS_BASE),
            ("VB_GlobalNameSpace", "False"),
            ("VB_Creatable", "False"),
            ("VB_PredeclaredId", "False"),
            ("VB_Exposed", "False"),
            ("VB_TemplateDerived", "False"),
            ("VB_Customizable", "False"),
        ]
    base = WORKBOOK_BASE if module.name == "ThisWorkbook" else WORKSHEET_BASE
    return name + [
        ("VB_Base", base),
        ("VB_GlobalNameSpace", "False"),
        ("VB_Creatable", "False"),
        ("VB_PredeclaredId", "True"),
        ("VB_Exposed", "True"),
        ("VB_TemplateDerived", "False"),
        ("VB_Customizable", "True"),
    ]


def _codec(codepage: int) -> str:
    try:
        return codecs.lookup(f"cp{codepage}").name
    except LookupError:
        raise ValueError(f"code page {codepage} has no Python codec") from None


def _encode(text: str, codec: str, codepage: int, what: str) -> bytes:
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        raise ValueError(
            f"{what}: {text[exc.start : exc.end]!r} on line {line} cannot be encoded in code page {codepage}"
        ) from None


# --- Streams -------------------------------------------------------------------------------------


def _vba_project_stream() -> bytes:
    # [MS-OVBA] 2.3.4.1: Reserved1 0x61CC; Version 0xFFFF "on write", so that Office ignores the
    # (absent) PerformanceCache and compiles from source; Reserved2 0x00; Reserved3; no cache.
    return struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0000)


def _dir_stream(modules: Sequence[VbaModule], project_name: str, codepage: int) -> bytes:
    """[MS-OVBA] 2.3.4.2: PROJECTINFORMATION, PROJECTREFERENCES, PROJECTMODULES, Terminator (uncompressed)."""
    return b"".join(
        [
            _project_information(project_name, codepage),
            *(_reference(name, libid) for name, libid in REFERENCES),
            _record(0x000F, struct.pack("<H", len(modules))),  # 2.3.4.2.3 PROJECTMODULES: Count
            _record(0x0013, struct.pack("<H", 0xFFFF)),  # 2.3.4.2.3.1 PROJECTCOOKIE
            *(_module_record(module) for module in modules),
            _record(0x0010, b""),  # 2.3.4.2 Terminator, Reserved 0
        ]
    )


def _project_information(project_name: str, codepage: int) -> bytes:
    """[MS-OVBA] 2.3.4.2.1 PROJECTINFORMATION; the optional PROJECTCOMPATVERSION is left out."""
    return b"".join(
        [
            # 2.3.4.2.1.1 PROJECTSYSKIND: 0x01 32-bit Windows (64-bit Office writes 0x03); with no
            # compiled code to reuse, it does not decide what Office can load
            _record(0x0001, struct.pack("<I", 0x01)),
            _record(0x0002, struct.pack("<I", 0x0409)),  # 2.3.4.2.1.3 PROJECTLCID: MUST be 0x409
            _record(0x0014, struct.pack("<I", 0x0409)),  # 2.3.4.2.1.4 PROJECTLCIDINVOKE: MUST be 0x409
            _record(0x0003, struct.pack("<H", codepage)),  # 2.3.4.2.1.5 PROJECTCODEPAGE
            _record(0x0004, project_name.encode("ascii")),  # 2.3.4.2.1.6 PROJECTNAME
            _text_pair(0x0005, 0x0040, ""),  # 2.3.4.2.1.7 PROJECTDOCSTRING (+ unicode)
            _record(0x0006, b"")
            + _record(0x003D, b""),  # 2.3.4.2.1.8 PROJECTHELPFILEPATH: HelpFile1, HelpFile2
            _record(0x0007, struct.pack("<I", 0)),  # 2.3.4.2.1.9 PROJECTHELPCONTEXT
            _record(0x0008, struct.pack("<I", 0)),  # 2.3.4.2.1.10 PROJECTLIBFLAGS: MUST be 0
            # 2.3.4.2.1.11 PROJECTVERSION: Reserved MUST be 4 (not the record size),
            # VersionMajor, VersionMinor
            struct.pack("<HIIH", 0x0009, 4, 1, 0),
            _text_pair(0x000C, 0x003C, ""),  # 2.3.4.2.1.12 PROJECTCONSTANTS (+ unicode)
        ]
    )


def _reference(name: str, libid: str) -> bytes:
    """[MS-OVBA] 2.3.4.2.2.1 REFERENCE: a REFERENCENAME then a REFERENCEREGISTERED record."""
    libid_bytes = libid.encode("ascii")
    registered = (
        struct.pack("<I", len(libid_bytes)) + libid_bytes + struct.pack("<IH", 0, 0)
    )  # Reserved1, Reserved2
    return (
        _text_pair(0x0016, 0x003E, name)  # 2.3.4.2.2.2 REFERENCENAME (+ unicode)
        + _record(0x000D, registered)
    )  # 2.3.4.2.2.5 REFERENCEREGISTERED: Size covers the rest


def _module_record(module: VbaModule) -> bytes:
    """[MS-OVBA] 2.3.4.2.3.2 MODULE: the stream has the module's name; no MODULEREADONLY/MODULEPRIVATE."""
    name = module.name.encode("ascii")
    return b"".join(
        [
            _record(0x0019, name),  # 2.3.4.2.3.2.1 MODULENAME
            _record(0x0047, module.name.encode("utf-16-le")),  # 2.3.4.2.3.2.2 MODULENAMEUNICODE
            _text_pair(0x001A, 0x0032, module.name),  # 2.3.4.2.3.2.3 MODULESTREAMNAME (+ unicode)
            _text_pair(0x001C, 0x0048, ""),  # 2.3.4.2.3.2.4 MODULEDOCSTRING (+ unicode)
            _record(0x0031, struct.pack("<I", 0)),  # 2.3.4.2.3.2.5 MODULEOFFSET: no p-code before the source
            _record(0x001E, struct.pack("<I", 0)),  # 2.3.4.2.3.2.6 MODULEHELPCONTEXT
            _record(0x002C, struct.pack("<H", 0xFFFF)),  # 2.3.4.2.3.2.7 MODULECOOKIE: 0xFFFF on write
            # 2.3.4.2.3.2.8 MODULETYPE: 0x21 procedural; 0x22 document, class or designer; Reserved 0
            _record(0x0021 if module.kind == "standard" else 0x0022, b""),
            _record(0x002B, b""),  # Terminator, Reserved 0
        ]
    )


def _record(record_id: int, payload: bytes) -> bytes:
    """A dir stream record: Id (2 bytes), Size (4 bytes), then Size bytes."""
    return struct.pack("<HI", record_id, len(payload)) + payload


def _text_pair(record_id: int, unicode_id: int, text: str) -> bytes:
    """A record holding ASCII/MBCS text followed by its Reserved-tagged UTF-16 copy."""
    return _record(record_id, text.encode("ascii")) + _record(unicode_id, text.encode("utf-16-le"))


def _project_stream(modules: Sequence[VbaModule], project_name: str, project_id: str, codec: str) -> bytes:
    """[MS-OVBA] 2.3.1 PROJECT stream: ProjectProperties NWLN HostExtenders NWLN ProjectWorkspace."""
    items = {
        "document": "Document={}/&H00000000",
        "standard": "Module={}",
        "class": "Class={}",
    }  # 2.3.1.4-2.3.1.7
    lines = [
        f'ID="{project_id}"',  # 2.3.1.2 ProjectId
        *(items[module.kind].format(module.name) for module in modules),
        f'Name="{project_name}"',  # 2.3.1.11 ProjectName
        'HelpContextID="0"',  # 2.3.1.12 ProjectHelpId
        'VersionCompatible32="393222000"',  # 2.3.1.14 ProjectVersionCompat32
        # 2.3.1.15-2.3.1.17, obfuscated by 2.4.3.2 Data Encryption: not protected (4 zero bytes),
        # no password (one 0x00 byte), visible (0xFF)
        f'CMG="{_encrypt(bytes(4), project_id, "CMG")}"',
        f'DPB="{_encrypt(bytes(1), project_id, "DPB")}"',
        f'GC="{_encrypt(bytes([0xFF]), project_id, "GC")}"',
        "",
        "[Host Extender Info]",  # 2.3.1.18 HostExtenders: the VBE host extender
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        "[Workspace]",  # 2.3.1.21 ProjectWorkspace: every module window closed
        *(f"{module.name}=0, 0, 0, 0, C" for module in modules),
    ]
    return "".join(line + "\r\n" for line in lines).encode(codec)


def _encrypt(data: bytes, project_id: str, field: str) -> str:
    """[MS-OVBA] 2.4.3.2 Data Encryption, as hex digits. The spec's random Seed and ignored
    bytes are replaced by a seed derived from the project id and field name, and zero bytes."""
    seed = hashlib.sha256(f"{project_id} {field}".encode("ascii")).digest()[0]
    version = 2
    project_key = sum(project_id.encode("ascii")) & 0xFF  # ProjKey: byte sum of ProjectId's CLSID text
    encrypted = bytearray([seed, seed ^ version, seed ^ project_key])
    unencrypted_1, encrypted_1, encrypted_2 = project_key, seed ^ project_key, seed ^ version
    ignored = bytes((seed & 6) // 2)  # IgnoredLength = (Seed & 6) / 2
    for byte in ignored + struct.pack("<I", len(data)) + data:
        byte_enc = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        encrypted.append(byte_enc)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
    return encrypted.hex().upper()


def _project_wm_stream(modules: Sequence[VbaModule]) -> bytes:
    """[MS-OVBA] 2.3.3 PROJECTwm: each module name in MBCS and in UTF-16, NUL-terminated; then 0x0000."""
    names = (m.name.encode("ascii") + b"\0" + m.name.encode("utf-16-le") + b"\0\0" for m in modules)
    return b"".join(names) + b"\0\0"


# --- Compression ([MS-OVBA] 2.4.1) ---------------------------------------------------------------


def compress(data: bytes) -> bytes:
    """[MS-OVBA] 2.4.1.3.6: a CompressedContainer, one CompressedChunk per 4096 input bytes.

    A final partial chunk that does not shrink into 4096 bytes (only incompressible data of more
    than 3640 bytes) is stored as a RawChunk, which the spec pads with zeros to 4096 bytes
    (2.4.1.3.10): it then decompresses to the data followed by those zeros."""
    out = bytearray(b"\x01")  # 2.4.1.1.1 SignatureByte
    for start in range(0, len(data), CHUNK_SIZE):
        out += _compress_chunk(data[start : start + CHUNK_SIZE])
    return bytes(out)


def decompress(data: bytes) -> bytes:
    """[MS-OVBA] 2.4.1.3.1: the bytes encoded by a CompressedContainer."""
    if not data or data[0] != 0x01:
        raise ValueError("not a compressed container: the signature byte is not 0x01")
    out = bytearray()
    position = 1
    while position < len(data):
        if position + 2 > len(data):
            raise ValueError("truncated compressed chunk header")
        (header,) = struct.unpack_from("<H", data, position)
        if (header >> 12) & 0b111 != 0b011:  # 2.4.1.1.5 CompressedChunkSignature
            raise ValueError(f"bad compressed chunk signature at byte {position}")
        end = min(position + (header & 0x0FFF) + 3, len(data))  # CompressedChunkSize is the size less 3
        body = data[position + 2 : end]
        if header & 0x8000:  # CompressedChunkFlag
            _decompress_tokens(body, out)
        elif len(body) != CHUNK_SIZE:  # 2.4.1.3.3: a RawChunk holds exactly 4096 bytes
            raise ValueError(f"raw chunk at byte {position} does not hold 4096 bytes")
        else:
            out += body
        position = end
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    """[MS-OVBA] 2.4.1.3.7: a CompressedChunkHeader and its data, compressed if that fits."""
    body = _token_sequences(chunk)
    if len(body) <= MAX_CHUNK_DATA:
        return struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body  # flag 1, signature 0b011
    return struct.pack("<H", 0x3FFF) + chunk.ljust(CHUNK_SIZE, b"\0")  # 2.4.1.3.10 RawChunk, padded


def _token_sequences(chunk: bytes) -> bytes:
    """[MS-OVBA] 2.4.1.3.8: TokenSequences, a FlagByte then up to 8 literal or copy tokens."""
    out = bytearray()
    seen: dict[bytes, list[int]] = {}  # 3-byte prefix -> earlier positions in the chunk
    position = 0
    while position < len(chunk):
        flag_index = len(out)
        out.append(0)
        for bit in range(8):
            if position == len(chunk):
                break
            offset, length = _longest_match(chunk, position, seen)
            if length >= 3:  # 2.4.1.3.9: a CopyToken only pays off from 3 bytes
                out += struct.pack("<H", _pack_copy_token(position, offset, length))
                out[flag_index] |= 1 << bit
            else:
                out.append(chunk[position])  # LiteralToken
                length = 1
            for covered in range(position, position + length):
                seen.setdefault(chunk[covered : covered + 3], []).append(covered)
            position += length
    return bytes(out)


def _longest_match(chunk: bytes, position: int, seen: dict[bytes, list[int]]) -> tuple[int, int]:
    """[MS-OVBA] 2.4.1.3.19.4: the longest earlier match within the chunk, as (offset, length)."""
    _, _, maximum_length = _copy_token_help(position)
    limit = min(maximum_length, len(chunk) - position)
    best_offset = best_length = 0
    for candidate in reversed(seen.get(chunk[position : position + 3], [])[-MATCH_CANDIDATES:]):
        length = 0
        while length < limit and chunk[candidate + length] == chunk[position + length]:
            length += 1  # the match may run into the bytes it encodes
        if length > best_length:
            best_offset, best_length = position - candidate, length
            if length == limit:
                break
    return best_offset, best_length


def _copy_token_help(difference: int) -> tuple[int, int, int]:
    """[MS-OVBA] 2.4.1.3.19.1 CopyToken Help: (LengthMask, BitCount, MaximumLength) at this chunk position."""
    bit_count = max((difference - 1).bit_length(), 4)  # ceil(log2(difference)), at least 4
    length_mask = 0xFFFF >> bit_count
    return length_mask, bit_count, length_mask + 3


def _pack_copy_token(difference: int, offset: int, length: int) -> int:
    """[MS-OVBA] 2.4.1.3.19.3 Pack CopyToken."""
    _, bit_count, _ = _copy_token_help(difference)
    return ((offset - 1) << (16 - bit_count)) | (length - 3)


def _decompress_tokens(body: bytes, out: bytearray) -> None:
    """[MS-OVBA] 2.4.1.3.2, 2.4.1.3.4, 2.4.1.3.5: decodes a compressed chunk's TokenSequences into `out`."""
    chunk_start = len(out)
    index = 0
    while index < len(body):
        flags = body[index]
        index += 1
        for bit in range(8):
            if index >= len(body):
                break
            if not flags & (1 << bit):
                out.append(body[index])
                index += 1
                continue
            if index + 2 > len(body):
                raise ValueError("truncated copy token")
            (token,) = struct.unpack_from("<H", body, index)
            index += 2
            length_mask, bit_count, _ = _copy_token_help(
                len(out) - chunk_start
            )  # 2.4.1.3.19.2 Unpack CopyToken
            length = (token & length_mask) + 3
            offset = (token >> (16 - bit_count)) + 1
            source = len(out) - offset
            if source < chunk_start:
                raise ValueError("copy token points before the start of its chunk")
            for step in range(length):
                out.append(out[source + step])  # byte by byte: the copy may overlap its own output
