"""The ribbon XML against Microsoft's customUI schema of its namespace and Excel's published
control lists (both kept in tests/template/reference/ with their sources)."""

from __future__ import annotations

import csv
from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema

from xlcrm.template.sources import load_source

REFERENCE = Path(__file__).parent / "reference"
NAMESPACE = "http://schemas.microsoft.com/office/2006/01/customui"
RIBBON = load_source().ribbon
MSO_ATTRIBUTES = ("idMso", "imageMso", "insertAfterMso", "insertBeforeMso")
LISTS = ("Office 2013", "Office 2016", "Office 2019", "Microsoft 365/Current Channel")


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    loaded = xmlschema.XMLSchema(str(REFERENCE / "customUI.xsd"))
    assert loaded.target_namespace == NAMESPACE
    return loaded


def test_the_ribbon_uses_the_schemas_namespace():
    assert ElementTree.fromstring(RIBBON.encode("utf-8")).tag == f"{{{NAMESPACE}}}customUI"


def test_the_ribbon_is_valid_against_the_customui_schema(schema):
    schema.validate(RIBBON)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('size="large"', 'size="huge"'),  # not an ST_Size value
        ('onAction="xlcrm_ImportData"', 'onClick="xlcrm_ImportData"'),  # no such attribute
        ("<tabs>", "<tabs><group id='loose' label='x'/>"),  # a group outside a tab
        ('id="xlcrmCheck"', 'id="xlcrmImport"'),  # ids must be unique (xsd:ID)
    ],
)
def test_negative_controls_the_schema_rejects(schema, old, new):
    assert old in RIBBON
    assert not schema.is_valid(RIBBON.replace(old, new, 1))


def excel_controls() -> dict[str, set[str]]:
    lines = (REFERENCE / "excel_controls.tsv").read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader((line for line in lines if not line.startswith("#")), delimiter="\t")
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["Control Name"], set()).add(row["List"])
    return found


def mso_names(xml: str) -> set[str]:
    return {
        element.get(attribute)
        for element in ElementTree.fromstring(xml.encode("utf-8")).iter()
        for attribute in MSO_ATTRIBUTES
        if element.get(attribute)
    }


def test_every_built_in_control_and_icon_is_in_excels_control_lists():
    used, listed = mso_names(RIBBON), excel_controls()
    assert {"TabHome", "GetExternalDataFromText", "PivotTableReport"} <= used
    for name in used:
        assert listed.get(name) == set(LISTS), f"{name} is not in every Excel control list"


def test_access_icons_would_fail():
    listed = excel_controls()
    for access_only in ("ImportExcel", "CreateReport"):  # Access's, shown blank in Excel
        assert access_only not in listed
        assert access_only in mso_names(RIBBON.replace("GetExternalDataFromText", access_only))
