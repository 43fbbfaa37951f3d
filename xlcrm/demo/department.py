"""A department's sample data for `xlcrm batch` (demo, tests, benchmarks): one generated quarter
whose route customers are dealt out to many managers, one route workbook each.

Every manager keeps the sheet layout of demo.sample (title, 客户经理 line, header on row 3)
and gets a slice of every route, so the department's totals equal those of the single
combined route workbook, which is kept too: a batch run can be checked against `xlcrm build`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from ..io.read import read_sheets
from .sample import ROUTE_TITLE, SampleFiles, generate

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


@dataclass(frozen=True)
class Department:
    sample: SampleFiles  # the district tables and the combined route workbook
    routes_dir: Path  # one route workbook per manager
    managers: list[str]


def manager_names(count: int) -> list[str]:
    names = [s + g for g in GIVEN for s in SURNAMES]
    return [
        names[i] if i < len(names) else f"{names[i % len(names)]}{i // len(names) + 1}" for i in range(count)
    ]


def department(
    out_dir: Path,
    *,
    managers: int,
    customers_per_manager: int = 500,
    district_factor: int = 2,
    seed: int = 0,
    quirks: bool = True,
) -> Department:
    out_dir = Path(out_dir)
    sample = generate(
        out_dir / "辖区",
        route_customers=managers * customers_per_manager,
        district_factor=district_factor,
        layout="xlsx",
        seed=seed,
        quirks=quirks,
    )
    names = manager_names(managers)
    routes_dir = out_dir / "线路表"
    routes_dir.mkdir(parents=True, exist_ok=True)
    sheets = read_sheets(sample.routes)
    for k, name in enumerate(names):
        book = xlsxwriter.Workbook(
            str(routes_dir / f"{name}.xlsx"), {"constant_memory": True, "strings_to_numbers": False}
        )
        bold = book.add_format({"bold": True})
        for raw in sheets:
            body = raw.cells.loc[4:]  # customers from row 4, under the title, manager line and header
            share = body.iloc[k::managers]  # every managers-th row: each route split evenly
            ws = book.add_worksheet(raw.sheet)
            ws.write(0, 0, ROUTE_TITLE, bold)
            ws.write(1, 0, f"客户经理：{name}    线路：{raw.sheet}")
            ws.write_row(2, 0, list(raw.cells.loc[3]), bold)
            for r, values in enumerate(share.itertuples(index=False), start=3):
                ws.write_row(r, 0, ["" if v is None else v for v in values])
        book.close()
    return Department(sample, routes_dir, names)
