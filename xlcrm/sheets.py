"""The output workbook, described once: which sheets, which columns, which values.

Pure: builds descriptions from a Review; writers (XlsxWriter file, later a live workbook)
only lay them out. Headers and sheet names are Chinese, as managers read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .batches import route_sort_key
from .errors import cell_ref
from .changes import CHANGE_LABELS, COMPARABLE
from .grades import segment_label
from .io.inputs import RouteBook
from .issues import KINDS
from .review import Review
from .tables import grade_change_wide

CHANGE_TABLE_NAME = "零售客户季度等级变动统计表"
STANDARDS_NAME = "客户季度等级最低标准表"
ISSUES_NAME = "数据问题"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text | code | count | volume | amount | grade


@dataclass(frozen=True)
class Sheet:
    name: str  # worksheet name (≤ 31 characters)
    title: str
    columns: list[Column]
    rows: pd.DataFrame  # one column per Column.key, in order
    groups: list[tuple[str, int]] = field(default_factory=list)  # header row above columns: (label, span)
    kind: str = "table"  # route | changes | standards | issues


# columns xlcrm adds to each route sheet, after the manager's own
ROUTE_ADDED = [
    Column("previous_grade", "上季等级", "grade"),
    Column("grade", "本季等级", "grade"),
    Column("mark", "变动", "grade"),
    Column("volume", "购进量", "volume"),
    Column("amount", "购进额", "amount"),
    Column("next_grade", "上一档", "grade"),
    Column("gap_volume", "距上一档（条）", "volume"),
    Column("gap_amount", "距上一档（元）", "amount"),
]


def route_sheets(result: Review, routes: RouteBook) -> list[Sheet]:
    """Each route sheet: the manager's columns exactly as read, then the added columns."""
    sheets = []
    enriched = result.route_rows.set_index(["route", "excel_row"])
    for route_sheet in sorted(routes.sheets, key=lambda s: route_sort_key(s.route)):
        header = route_sheet.header
        own_names = _own_headers(header.names)
        body = route_sheet.raw.cells.loc[header.row + 1:]
        # route rows of this sheet, in sheet order (blank and total rows are not customers)
        location = f"{route_sheet.raw.where} › {cell_ref(header.columns['code'])}"
        mine = result.route_rows[result.route_rows["location"].astype(str) == location]
        own = body.loc[mine["excel_row"].to_numpy(), : len(own_names) - 1]
        own.columns = [f"own{i}" for i in range(len(own_names))]
        added = mine[[c.key for c in ROUTE_ADDED]].reset_index(drop=True)
        rows = pd.concat([own.reset_index(drop=True), added], axis=1)
        code_at = header.columns["code"]
        # the cleaned code where there is one, so the column shows whole numbers that match
        rows[f"own{code_at}"] = mine["customer_code"].astype(object).where(
            mine["customer_code"].notna(), rows[f"own{code_at}"].to_numpy()).to_numpy()
        columns = [Column(f"own{i}", name, "code" if i == code_at else "text") for i, name in enumerate(own_names)]
        sheets.append(Sheet(route_sheet.route[:31], route_sheet.route, columns + ROUTE_ADDED, rows, kind="route"))
    return sheets


def _own_headers(names: list[str]) -> list[str]:
    """The manager's header, trimmed of trailing empty columns; blanks get a column letter."""
    last = max((i for i, n in enumerate(names) if n), default=0)
    return [n or f"列{i + 1}" for i, n in enumerate(names[: last + 1])]


def change_table_sheet(result: Review) -> Sheet:
    wide = grade_change_wide(result.grade_changes, result.batches)
    blocks = result.batches + ["合计"]
    columns = [Column("segment", "业态"), Column("grade", "等级", "grade")]
    columns += [Column(f"{b}|{c}", CHANGE_LABELS[c], "count") for b in blocks for c in COMPARABLE]
    rows = pd.DataFrame({"segment": [segment_label(s) for s in wide.index.get_level_values(0)],
                         "grade": wide.index.get_level_values(1)})
    for b in blocks:
        for c in COMPARABLE:
            rows[f"{b}|{c}"] = wide[(b, c)].to_numpy()
    total = {"segment": "合计", "grade": ""} | {k: int(rows[k].sum()) for k in rows.columns[2:]}
    rows = pd.concat([rows, pd.DataFrame([total])], ignore_index=True)
    groups = [("", 2)] + [(b, len(COMPARABLE)) for b in blocks]
    return Sheet(CHANGE_TABLE_NAME, CHANGE_TABLE_NAME, columns, rows, groups, kind="changes")


def standards_sheet(result: Review) -> Sheet:
    columns = [Column("segment", "业态"), Column("grade", "等级", "grade"),
               Column("min_volume", "最低购进量（条）", "volume"), Column("min_amount", "最低购进额（元）", "amount"),
               Column("customers", "客户数", "count")]
    rows = result.standards.assign(segment=result.standards["segment"].map(segment_label))
    return Sheet(STANDARDS_NAME, STANDARDS_NAME, columns, rows[[c.key for c in columns]], kind="standards")


def issues_sheet(result: Review) -> Sheet:
    columns = [Column("kind", "问题"), Column("customer_code", "客户代码", "code"),
               Column("source", "位置（文件 › 工作表 › 单元格）"), Column("detail", "说明")]
    rows = result.issues.assign(kind=result.issues["kind"].map(KINDS).fillna(result.issues["kind"]))
    return Sheet(ISSUES_NAME, ISSUES_NAME, columns, rows[[c.key for c in columns]], kind="issues")


def workbook_sheets(result: Review, routes: RouteBook) -> list[Sheet]:
    return [*route_sheets(result, routes), change_table_sheet(result), standards_sheet(result), issues_sheet(result)]
