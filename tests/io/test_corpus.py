"""Every case of the malformed-input corpus (tests/corpus/cases.toml) gives its message or its
issues, never a traceback, and leaves every input byte-for-byte as it was."""

from __future__ import annotations

import csv
import hashlib
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


def test_every_corpus_file_has_a_case():
    files = {p.name for p in CORPUS.iterdir() if p.suffix not in (".py", ".toml")}
    assert files == {c["file"] for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_case(case, small_inputs, tmp_path, monkeypatch, capsys):
    role = case["file"].split("_")[0]
    paths = dict(small_inputs, **{role: CORPUS / case["file"]})
    before = {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in paths.items()}
    for name, value in case.get("env", {}).items():
        monkeypatch.setenv(name, value)
    code = cli.main(
        [
            "build",
            "-q",
            *input_args(paths),
            "--out",
            str(tmp_path / "out.xlsx"),
            "--export-dir",
            str(tmp_path / "csv"),
        ]
    )
    err = capsys.readouterr().err
    assert code == case["exit"], err
    assert "Traceback" not in err and "程序内部错误" not in err
    assert {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in paths.items()} == before
    if code:
        (line,) = err.strip().splitlines()
        assert line.startswith("错误：") and case["file"] in line
        for part in case["message"]:
            assert part in line, line
        assert not (tmp_path / "out.xlsx").exists()
        return
    with open(tmp_path / "csv" / "issues.csv", encoding="utf-8") as f:
        found = {(row["kind"], row["source"]) for row in csv.DictReader(f)}
    for kind, where in case["issues"]:
        assert (kind, where) in found, sorted(found)
    mine = {(k, s) for k, s in found if case["file"] in s}
    assert mine <= {tuple(i) for i in case["issues"]} | {
        k for k in mine if k[0] in ("not_in_previous", "not_in_purchases", "not_in_grades")
    }
    # every route customer is in the output once
    with open(tmp_path / "csv" / "customers.csv", encoding="utf-8") as f:
        codes = [row["customer_code"] for row in csv.DictReader(f)]
    assert len(codes) == len(set(codes))
