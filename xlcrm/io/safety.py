"""What a file must be before any parser sees it: not too big, not a zip bomb, the format its
name claims (or a known disguise: a password-protected workbook, an HTML or text "xls").

XML entity bombs are refused by the parsers themselves: calamine does not expand entities,
openpyxl uses defusedxml (a dependency). Limits can be raised for IT through the environment."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from ..core.errors import XlcrmError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"
ZIP_FORMATS = {".xlsx", ".xlsm", ".xlsb", ".ods"}
OTHER_FORMATS = {
    b"%PDF": "PDF 文件",
    b"\x89PNG": "PNG 图片",
    b"\xff\xd8\xff": "JPEG 图片",
    b"GIF8": "GIF 图片",
    b"Rar!": "RAR 压缩包",
    b"7z\xbc\xaf": "7z 压缩包",
    b"{\\rtf": "RTF 文档",
}
BOMB_RATIO = 500  # xlsx XML compresses ~10-50×; a zip bomb ~1000× and more
BOMB_MIN_BYTES = 100 * 2**20  # ratios only matter once a member is big


def limit_mb(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def check_file(path: Path) -> str:
    """The format to read the file as: 'zip', 'ole', 'text' or 'html'; a clear error otherwise."""
    size = path.stat().st_size
    max_file = limit_mb("XLCRM_MAX_FILE_MB", 1024)
    if size > max_file * 2**20:
        raise XlcrmError(
            f"{path.name} 有 {size / 2**20:,.1f} MB，超过 {max_file} MB 的上限；"
            "请只导出需要的列和行，或请 IT 人员调高 XLCRM_MAX_FILE_MB"
        )
    with open(path, "rb") as f:
        head = f.read(4096)
    suffix = path.suffix.lower()
    if head.startswith(ZIP_MAGIC):
        check_zip(path)
        return "zip"
    if head.startswith(OLE_MAGIC):
        if suffix in ZIP_FORMATS:  # an OOXML file inside an OLE container is an encrypted one
            raise XlcrmError(f"{path.name} 设置了打开密码，请在 Excel 中取消密码后另存一份再试")
        return "ole"
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
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise XlcrmError(f"{path.name} 不是表格文件，或文件已损坏（无法识别的格式）；请重新导出")
    return "text"


def check_zip(path: Path) -> None:
    max_total = limit_mb("XLCRM_MAX_UNZIPPED_MB", 8192) * 2**20
    try:
        with zipfile.ZipFile(path) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
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


def reader_failure(path: Path, exc: Exception) -> XlcrmError:
    """A parser's error, told to a person: the first line of it, and what it means."""
    detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
    lowered = str(exc).lower()
    if "password" in lowered or "encrypt" in lowered:
        return XlcrmError(f"{path.name} 设置了打开密码，请在 Excel 中取消密码后另存一份再试")
    if "entity" in lowered or "doctype" in lowered:
        return XlcrmError(f"{path.name} 含有表格文件中不该有的 XML 内容（可能是恶意文件），已拒绝打开")
    return XlcrmError(f"{path.name} 无法作为表格打开，文件可能已损坏或不是 Excel 文件（{detail}）")
