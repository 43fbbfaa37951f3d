"""Printing to PDF through LibreOffice headless (when installed): what a manager carries."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..core.errors import XlcrmError
from ..report.look import FONT
from .atomic import atomic_output

CANDIDATES = ("soffice", "libreoffice")
TIMEOUT_S = 600


def find_office() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


# The private profile LibreOffice starts with: a Chinese (PRC) locale, so dates print in Chinese
# order (2026/11/29) and Chinese text takes the Simplified Chinese forms of the CJK fonts; and
# the workbooks' office font 等线 (report.look.FONT), where it is not installed, drawn with Noto
# Sans CJK SC, whose digits are as wide as 等线's (columns then print as wide as in Excel).
PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">\
<value>zh-CN</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse">\
<value>zh-CN</value></prop></item>
<item oor:path="/org.openoffice.Office.Linguistic/General"><prop oor:name="DefaultLocale_CJK" oor:op="fuse">\
<value>zh-CN</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Font/Substitution"><prop oor:name="Replacement" oor:op="fuse">\
<value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">\
<node oor:name="_0" oor:op="replace">\
<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>\
<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>\
<prop oor:name="ReplaceFont" oor:op="fuse"><value>{font}</value></prop>\
<prop oor:name="SubstituteFont" oor:op="fuse"><value>{substitute}</value></prop></node></item>
</oor:items>
"""
SUBSTITUTE_FONT = "Noto Sans CJK SC"


def _chinese_profile(folder: Path) -> None:
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    text = PROFILE.format(font=FONT["font_name"], substitute=SUBSTITUTE_FONT)
    (user / "registrymodifications.xcu").write_text(text, encoding="utf-8")


def workbook_to_pdf(workbook: Path, pdf: Path) -> Path:
    """Converts every sheet of `workbook` to one PDF with the workbook's own print settings."""
    workbook, pdf = Path(workbook), Path(pdf)
    if not workbook.exists():
        raise XlcrmError(f"找不到工作簿 {workbook}，无法打印")
    office = find_office()
    if office is None:
        raise XlcrmError(
            "未找到 LibreOffice，无法生成 PDF。可在 Excel/WPS 中直接打印该工作簿，或安装 LibreOffice"
            "（Linux：apt-get install libreoffice-calc-nogui fonts-noto-cjk）后重试"
        )
    with tempfile.TemporaryDirectory(prefix="xlcrm-pdf-") as work:
        work_dir = Path(work)
        # a private profile: runs in parallel with (and never disturbs) the user's own LibreOffice
        profile = (work_dir / "profile").as_uri()
        _chinese_profile(work_dir / "profile")
        source = work_dir / ("book" + workbook.suffix)
        shutil.copyfile(workbook, source)  # the input is never opened in place
        command = [
            office,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work_dir),
            str(source),
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
                env={**os.environ, "HOME": str(work_dir)},
            )
        except subprocess.TimeoutExpired:
            raise XlcrmError(
                f"LibreOffice 转换 {workbook.name} 超过 {TIMEOUT_S} 秒仍未完成，已停止"
            ) from None
        produced = work_dir / "book.pdf"
        if done.returncode != 0 or not produced.exists():
            detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["无输出"]
            raise XlcrmError(f"LibreOffice 未能把 {workbook.name} 转成 PDF（{detail[0]}）")
        with atomic_output(pdf, inputs=(workbook,)) as tmp:
            shutil.copyfile(produced, tmp)
    return pdf
