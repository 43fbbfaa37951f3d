"""What a file must be before any parser sees it: not too big, not a zip bomb, and what it
really is — by its content, not its name (an .xls saved as .xlsx, a CSV named .xls, a
password-protected workbook, an HTML page or a Word document under a spreadsheet's name).

XML entity bombs are refused by the parsers themselves: calamine does not expand entities,
openpyxl uses defusedxml (a dependency). Limits can be raised for IT through the environment."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import olefile

from ..core.errors import XlcrmError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"
OTHER_FORMATS = {
    b"%PDF": "PDF 文件",
    b"\x89PNG": "PNG 图片",
    b"\xff\xd8\xff": "JPEG 图片",
    b"GIF8": "GIF 图片",
    b"Rar!": "RAR 压缩包",
    b"7z\xbc\xaf": "7z 压缩包",
    b"{\\rtf": "RTF 文档",
}
OLE_DOCUMENTS = {"WordDocument": "Word 文档（.doc）", "PowerPoint Document": "PowerPoint 演示文稿（.ppt）"}
ZIP_DOCUMENTS = {
    "word/document.xml": "Word 文档（.docx）",
    "ppt/presentation.xml": "PowerPoint 演示文稿（.pptx）",
}
BOMB_RATIO = 500  # xlsx XML compresses ~10-50×; a zip bomb ~1000× and more
BOMB_MIN_BYTES = 100 * 2**20  # ratios only matter once a member is big


def limit_mb(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def check_file(path: Path) -> str:
    """What the file really is, whatever its name says: 'xlsx', 'xlsb', 'ods', 'xls' or 'text';
    a clear error for anything else (too big, a bomb, encrypted, a PDF, a Word document …)."""
    size = path.stat().st_size
    max_file = limit_mb("XLCRM_MAX_FILE_MB", 1024)
    if size > max_file * 2**20:
        raise XlcrmError(
            f"{path.name} 有 {size / 2**20:,.1f} MB，超过 {max_file} MB 的上限；"
            "请只导出需要的列和行，或请 IT 人员调高 XLCRM_MAX_FILE_MB"
        )
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(ZIP_MAGIC):
        return check_zip(path)
    if head.startswith(OLE_MAGIC):
        return _ole_format(path)
    for magic, kind in OTHER_FORMATS.items():
        if head.startswith(magic):
            raise XlcrmError(f"{path.name} 是{kind}，不是表格文件；请选择 Excel 或 CSV 文件")
    if (
        head.lstrip(b"\xef\xbb\xbf \r\n\t")
        .lower()
        .startswith((b"<!doctype html", b"<html", b"<table", b"<?xml"))
    ):
        raise XlcrmError(
            f"{path.name} 其实是网页（HTML/XML）格式，不是真正的 Excel 文件："
            "请用 Excel 打开它，再“另存为”Excel 工作簿（.xlsx）后使用"
        )
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")) and not utf16_order(head):
        raise XlcrmError(f"{path.name} 不是表格文件，或文件已损坏（无法识别的格式）；请重新导出")
    return "text"


def utf16_order(data: bytes) -> str | None:
    """'utf-16-le' or '-be' for UTF-16 text without a byte-order mark (some systems' "Unicode"
    export): every zero byte of its ASCII characters falls on the same side of each pair."""
    pairs = data[: len(data) // 2 * 2]
    if len(pairs) < 4:
        return None
    even, odd = pairs[0::2].count(0), pairs[1::2].count(0)
    for zeros, other, order in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros >= len(pairs) // 8 and other == 0:
            try:
                pairs.decode(order)
            except UnicodeDecodeError:
                return None
            return order
    return None


def _ole_format(path: Path) -> str:
    """An OLE compound file: an .xls workbook (whatever its name), an encrypted .xlsx, or a
    Word or PowerPoint document."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir()}
    except Exception as exc:  # olefile's many ways of saying a compound file is broken
        raise XlcrmError(f"{path.name} 已损坏，无法打开（{exc}）；请重新导出或另存一份") from None
    if streams & {"EncryptionInfo", "EncryptedPackage"}:
        raise XlcrmError(f"{path.name} 设置了打开密码，请在 Excel 中取消密码后另存一份再试")
    if streams & {"Workbook", "Book"}:
        return "xls"
    for stream, kind in OLE_DOCUMENTS.items():
        if stream in streams:
            raise XlcrmError(f"{path.name} 是{kind}，不是表格文件；请选择 Excel 或 CSV 文件")
    raise XlcrmError(f"{path.name} 不是表格文件（是其他程序的 OLE 文件）；请选择 Excel 或 CSV 文件")


def check_zip(path: Path) -> str:
    """A zip package is refused when it would inflate like a bomb; else what it holds:
    'xlsx', 'xlsb' or 'ods' — a Word document or a plain archive is named as such."""
    max_total = limit_mb("XLCRM_MAX_UNZIPPED_MB", 8192) * 2**20
    try:
        with zipfile.ZipFile(path) as package:
            members = package.infolist()
            mimetype = package.read("mimetype")[:100] if "mimetype" in package.namelist() else b""
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise XlcrmError(f"{path.name} 已损坏，无法打开（{exc}）；请重新导出或另存一份") from None
    total = sum(m.file_size for m in members)
    bomb = any(
        m.file_size > BOMB_MIN_BYTES and m.file_size > BOMB_RATIO * max(m.compress_size, 1) for m in members
    )
    if total > max_total or bomb:
        raise XlcrmError(
            f"{path.name} 解压后有 {total / 2**20:,.0f} MB，"
            "不像正常的表格（可能是损坏或恶意文件），已拒绝打开"
        )
    names = {m.filename for m in members}
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return "ods"
    for member, kind in ZIP_DOCUMENTS.items():
        if member in names:
            raise XlcrmError(f"{path.name} 是{kind}，不是表格文件；请选择 Excel 或 CSV 文件")
    raise XlcrmError(f"{path.name} 是 ZIP 压缩包，不是表格文件：请先解压，再选择其中的 Excel 或 CSV 文件")


def reader_failure(path: Path, exc: Exception) -> XlcrmError:
    """A parser's error, told to a person: the first line of it, and what it means."""
    detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
    lowered = str(exc).lower()
    if "password" in lowered or "encrypt" in lowered:
        return XlcrmError(f"{path.name} 设置了打开密码，请在 Excel 中取消密码后另存一份再试")
    if "entity" in lowered or "doctype" in lowered:
        return XlcrmError(f"{path.name} 含有表格文件中不该有的 XML 内容（可能是恶意文件），已拒绝打开")
    return XlcrmError(f"{path.name} 无法作为表格打开，文件可能已损坏或不是 Excel 文件（{detail}）")
