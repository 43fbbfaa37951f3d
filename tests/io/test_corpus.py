"""Every case of the malformed-input corpus (tests/corpus/cases.toml) gives its message or its
issues, never a traceback, and leaves every input byte-for-byte as it was."""

from __future__ import annotations

import csv
import hashlib
import shutil
import sys
from pathlib import Path

import pytest

from support import input_args
from xlcrm.commands import cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CORPUS = Path(__file__).parents[1] / "corpus"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]
ROLES = ("routes", "grades", "purchases", "previous")


def test_every_corpus_file_has_a_case():
    files = {p.name for p in CORPUS.iterdir() if p.suffix not in (".py", ".toml")}
    assert files == {c["file"] for c in CASES}
    assert len(CASES) >= 60


def case_inputs(case: dict, small_inputs: dict[str, Path], work: Path) -> dict[str, Path]:
    """The good inputs, with the case's file as its role (and as any role in `also`), and any
    other corpus file the case names in `with`. A case whose outputs aim at its inputs'
    folder (`copy`) gets copies in a folder of its own: a regression must not write here."""
    folder = CORPUS
    if case.get("copy"):
        folder = work / "inputs"
        folder.mkdir()
        for name in [case["file"], *case.get("with", {}).values()]:
            shutil.copyfile(CORPUS / name, folder / name)
    role = case.get("role", case["file"].split("_")[0])
    assert role in ROLES, case["file"]
    paths = dict(small_inputs, **{role: folder / case["file"]})
    paths.update({other: folder / case["file"] for other in case.get("also", [])})
    paths.update({other: folder / name for other, name in case.get("with", {}).items()})
    return paths


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_case(case, small_inputs, tmp_path, monkeypatch, capsys):
    paths = case_inputs(case, small_inputs, tmp_path)
    before = {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in paths.items()}
    for name, value in case.get("env", {}).items():
        monkeypatch.setenv(name, value)
    places = {"tmp": str(tmp_path), **{k: str(p) for k, p in paths.items()}}
    places["dir"] = str(paths[case.get("role", case["file"].split("_")[0])].parent)
    extra = [arg.format(**places) for arg in case.get("args", [])]
    out, exports = tmp_path / "out.xlsx", tmp_path / "csv"
    code = cli.main(
        ["build", "-q", *input_args(paths), "--out", str(out), "--export-dir", str(exports), *extra]
    )
    err = capsys.readouterr().err
    assert code == case["exit"], err
    assert "Traceback" not in err and "程序内部错误" not in err
    assert {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in paths.items()} == before
    if code:
        (line,) = err.strip().splitlines()
        assert line.startswith("错误："), line
        if case.get("file_in_message", True):
            assert case["file"] in line, line
        for part in case["message"]:
            assert part in line, line
        assert not out.exists()
        return
    issues = read_csv(exports / "issues.csv")
    found = {(row["kind"], row["source"]) for row in issues}
    for kind, where, *said in case["issues"]:  # [kind, where] or [kind, where, part of the detail]
        assert (kind, where) in found, sorted(found)
        details = [row["detail"] for row in issues if (row["kind"], row["source"]) == (kind, where)]
        assert all(any(part in d for d in details) for part in said), details
    mine = {(k, s) for k, s in found if case["file"] in s}
    assert mine <= {tuple(i[:2]) for i in case["issues"]} | {
        k for k in mine if k[0] in ("not_in_previous", "not_in_purchases", "not_in_grades")
    }
    for kind in case.get("absent", []):
        assert kind not in {k for k, _ in found}, [row for row in issues if row["kind"] == kind]
    # every route customer is in the output once, and only route customers are
    customers = read_csv(exports / "customers.csv")
    codes = [row["customer_code"] for row in customers]
    assert len(codes) == len(set(codes))
    if "customers" in case:
        assert sorted(codes) == sorted(case["customers"])
    by_code = {row["customer_code"]: row for row in customers}
    for code_, values in case.get("expect", {}).items():
        assert {k: by_code[code_][k] for k in values} == values, code_
    for route, batch in case.get("batches", {}).items():
        assert {row["batch"] for row in customers if row["route"] == route} == {batch}, route
