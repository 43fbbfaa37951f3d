"""Builds 客户管理.xlsm from the text sources in workbook_templates/: the sheets
(template.toml), the ribbon (ribbon.xml) and the VBA (xlcrm.bas, plus the standalone xlwings
VBA of the installed xlwings, so the two never drift apart). Reproducible: the same sources
and xlwings give the same bytes, on any machine."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from .. import __version__
from ..core.errors import XlcrmError
from ..io.atomic import atomic_output
from ..io.xlsx import new_workbook
from .sheet_writers import write_sheets
from .sources import TemplateSource, load_source
from .udf_wrappers import registration_module, udf_module
from .vba.project import VbaModule, build_vba_project, module_from_export
from .xlwings_package import xlwings_dir, xlwings_version

UDF_MODULES = "xlcrm.udfs"  # also the UDF Modules value of the xlwings.conf sheet
RIBBON_PART = "customUI/customUI.xml"
RIBBON_REL = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
WORKBOOK_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
TEMPLATE_TYPE = b"application/vnd.ms-excel.template.macroEnabled.main+xml"
VERSION_PROPERTY = "xlwings version"
XLCRM_PROPERTY = "xlcrm version"
FIXED_TIME = datetime(2026, 1, 1)  # document properties; zip entries are fixed by XlsxWriter


def xlwings_modules() -> list[VbaModule]:
    """xlwings' standalone VBA ("xlwings copy vba"): its module and the Dictionary class it needs on a Mac."""
    folder = xlwings_dir()
    return [
        module_from_export("xlwings", (folder / "xlwings.bas").read_text(encoding="utf-8")),
        module_from_export("Dictionary", (folder / "addin" / "Dictionary.cls").read_text(encoding="utf-8")),
    ]


def vba_modules(source: TemplateSource, code_names: list[str]) -> list[VbaModule]:
    from .. import udfs

    documents = [module_from_export("ThisWorkbook.cls", source.workbook_module)]
    documents += [VbaModule(name, "document", "") for name in code_names]
    return (
        documents
        + [VbaModule("xlcrm", "standard", source.module)]
        + xlwings_modules()
        + [
            udf_module(udfs.FUNCTIONS, UDF_MODULES),
            registration_module(udfs.FUNCTIONS, udfs.CATEGORY, udfs.summary),
        ]
    )


def build_template(
    out: Path, *, config: dict[str, str] | None = None, source: TemplateSource | None = None
) -> Path:
    """Writes the template to `out` (.xlsm) atomically; `config` fills xlwings.conf values."""
    out = Path(out)
    if out.suffix.lower() not in (".xlsm", ".xltm"):
        raise XlcrmError(f"模板文件名应以 .xlsm（启用宏的工作簿）或 .xltm（启用宏的模板）结尾：{out.name}")
    source = source or load_source()
    buffer = io.BytesIO()
    book = new_workbook(buffer)  # the office font of every xlcrm workbook
    book.set_properties({"title": source.spec.get("title", ""), "created": FIXED_TIME, "author": "xlcrm"})
    # what `xlcrm doctor` compares with the installed packages, without parsing the VBA
    book.set_custom_property(VERSION_PROPERTY, xlwings_version())
    book.set_custom_property(XLCRM_PROPERTY, __version__)
    book.set_vba_name("ThisWorkbook")
    code_names = write_sheets(book, source.spec, config or {})
    book.add_vba_project(io.BytesIO(build_vba_project(vba_modules(source, code_names))), is_stream=True)
    book.close()
    data = with_ribbon(buffer.getvalue(), source.ribbon, template=out.suffix.lower() == ".xltm")
    with atomic_output(out) as tmp:
        tmp.write_bytes(data)
    return out


def with_ribbon(package: bytes, ribbon: str, *, template: bool = False) -> bytes:
    """Adds the customUI part and its package relationship (XlsxWriter has no ribbon support);
    a template (.xltm) differs from a workbook only in the main part's content type."""
    original = zipfile.ZipFile(io.BytesIO(package))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "_rels/.rels":
                rel = f'<Relationship Id="rIdXlcrmRibbon" Type="{RIBBON_REL}" Target="{RIBBON_PART}"/>'
                data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            if info.filename == "[Content_Types].xml" and template:
                data = data.replace(WORKBOOK_TYPE, TEMPLATE_TYPE)
            target.writestr(_fixed(info.filename), data)
        target.writestr(_fixed(RIBBON_PART), ribbon.encode("utf-8"))
    return result.getvalue()


def _fixed(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m xlcrm.template.build", description="生成 客户管理.xlsm 模板"
    )
    parser.add_argument("--out", type=Path, default=Path("客户管理.xlsm"))
    args = parser.parse_args(argv)
    print(build_template(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
