"""Which sheets of a route workbook are routes.

A manager's workbook holds more than routes: their own summary, the grade table moved in (the
manual method does exactly that), last quarter's xlcrm output reused with its 汇总, tables and
数据问题, notes, empty sheets. Each sheet is judged as a careful colleague would: a route when
it is one, else set aside with the reason — never read as customers, never dropped silently.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace

from .addresses import cell_ref
from .cleaning import as_text, clean_codes
from .columns import ROLES, Header, find_header
from .errors import XlcrmError
from .model import HIDDEN_LABELS, RawSheet
from .weekdays import route_number, weekday_in_name

# columns that tell a district table (the grade or purchase export) from a route sheet
DISTRICT_ROLES = ("segment", "market_type", "volume", "amount")
# a visit log has its day and at least one of the others (a route may have a 拜访记录 column)
VISIT_LOG_ROLES = ("visit_date", "method", "next_step", "follow_up_date", "done")
# a sheet named so is about the routes, not one of them
NOT_ROUTE_WORDS = ("汇总", "总表", "总览", "统计", "合计", "分析", "标准", "问题", "说明", "目录", "图表")
_RENAME_HINT = "如果它确实是一条线路，请把工作表改名为线路名（如 一线、城区线）"


@dataclass(frozen=True)
class Outputs:
    """What xlcrm itself writes, so that a workbook it wrote can be read back: its report
    sheets (by the title on their first row: a sheet merely named 汇总 may be the manager's)
    and the columns it adds to the right of each route sheet (by their run of headers). The
    report layer fills it in."""

    titles: tuple[str, ...] = ()  # what a report sheet's first row starts with
    added: tuple[str, ...] = ()  # 上季等级 … 距上一档（元）


ROUTE, BLANK, OUTPUT, NO_CODE, SUMMARY, DISTRICT, LISTED, VISIT_LOG = (
    "route",
    "blank",
    "output",
    "no_code",
    "summary",
    "district",
    "listed",
    "visit_log",
)


@dataclass(frozen=True)
class Verdict:
    """One sheet of a route workbook, judged: a route, or set aside (kind) and why (reason)."""

    sheet: RawSheet
    header: Header | None
    kind: str = ROUTE
    reason: str = ""

    @property
    def is_route(self) -> bool:
        return self.kind == ROUTE


def manager_part(sheet: RawSheet, added: tuple[str, ...], scan_rows: int = 30) -> tuple[RawSheet, int | None]:
    """The manager's part of a route sheet: the columns before those xlcrm added last time
    (found by their run of headers, so it survives copied sheets and inserted columns), and
    the column where xlcrm's began (None when there were none)."""
    cells, width = sheet.cells, len(added)
    if not width:
        return sheet, None
    for _, row in cells.head(scan_rows).iterrows():
        text = as_text(row).tolist()
        for start in range(0, len(text) - width + 1):
            if tuple(text[start : start + width]) == added:
                return replace(sheet, cells=cells.iloc[:, :start]), start
    return sheet, None


def names_a_route(name: str) -> bool:
    """一线, 11线, 线路3, 城区线, 一线（周一）, 周三线 … name a route; 线路汇总 or 等级表 do not."""
    tidy = unicodedata.normalize("NFKC", str(name)).replace(" ", "")
    if any(word in tidy for word in NOT_ROUTE_WORDS):
        return False
    return (
        route_number(tidy) is not None
        or weekday_in_name(tidy) is not None
        or tidy.rstrip(")）]】").endswith(("线", "线路"))
    )


def judge_sheets(
    sheets: list[RawSheet],
    roles: tuple[str, ...],
    overrides: Mapping[str, str] | None = None,
    outputs: Outputs = Outputs(),
) -> list[Verdict]:
    """Every sheet with its verdict, in workbook order.

    A sheet is set aside when it is empty, is one of xlcrm's own report sheets, has no
    customer-code column, is named as a summary (汇总, 统计 …), carries a district table's
    columns (业态 and 客户等级, or 购进量 and 购进额) without a route's name or a 线路 column, or
    — not named as a route — lists only customers already on the sheets that are. Sheets cut
    from a department's route table (origin set) are routes by construction.
    """
    verdicts = [_judge(sheet, roles, overrides, outputs) for sheet in sheets]
    named = [v for v in verdicts if v.is_route and names_a_route(_name(v.sheet))]
    unnamed = [
        v for v in verdicts if v.is_route and v.sheet.origin is None and not names_a_route(_name(v.sheet))
    ]
    if named and unnamed:
        on_routes = set().union(*(_codes(v) for v in named))
        judged = {id(v): _listed_elsewhere(v, on_routes, named) for v in unnamed}
        verdicts = [judged.get(id(v), v) for v in verdicts]
    return verdicts


def _judge(
    sheet: RawSheet, roles: tuple[str, ...], overrides: Mapping[str, str] | None, outputs: Outputs
) -> Verdict:
    if sheet.is_blank:
        return Verdict(sheet, None, BLANK, "工作表是空的")
    title = _output_title(sheet, outputs)
    if title:
        return Verdict(
            sheet, None, OUTPUT, f"这是 xlcrm 上次生成的“{title}”，不是线路表，未读取（本次会重新生成）"
        )
    try:
        header = find_header(
            sheet.cells, roles + DISTRICT_ROLES, where=sheet.where, required=("code",), overrides=overrides
        )
    except XlcrmError:
        return Verdict(sheet, None, NO_CODE, "此工作表没有客户代码列，不是线路表，未读取")
    if sheet.origin is not None or names_a_route(_name(sheet)):
        return Verdict(sheet, header)
    log_columns = _visit_log_columns(sheet, overrides)
    if log_columns:
        return Verdict(
            sheet,
            header,
            VISIT_LOG,
            f"有 {log_columns} 列，是拜访记录，不是线路表，未读取；"
            "拜访记录请用 --visits 指定（可以是同一个文件）",
        )
    name = unicodedata.normalize("NFKC", _name(sheet))
    word = next((w for w in NOT_ROUTE_WORDS if w in name), None)
    if word:
        return Verdict(
            sheet,
            header,
            SUMMARY,
            f"工作表名称含“{word}”，看起来是汇总或说明，不是线路表，未读取；{_RENAME_HINT}",
        )
    if "route" in header.columns:  # its rows name their routes: a route table
        return Verdict(sheet, header)
    kind = _district_kind(header)
    if kind:
        return Verdict(sheet, header, DISTRICT, f"{kind}，不是线路表，未读取；{_RENAME_HINT}")
    return Verdict(sheet, header)


def _visit_log_columns(sheet: RawSheet, overrides: Mapping[str, str] | None) -> str:
    """'日期、方式、下一步' when the sheet's header is a visit log's, else ''."""
    try:
        header = find_header(sheet.cells, ("code", *VISIT_LOG_ROLES), where=sheet.where, overrides=overrides)
    except XlcrmError:
        return ""
    found = [r for r in VISIT_LOG_ROLES if r in header.columns]
    if "visit_date" not in found or len(found) < 2:
        return ""
    return "、".join(header.names[header.columns[r]] or ROLES[r][0] for r in found)


def _name(sheet: RawSheet) -> str:
    """A sheet's name; a CSV's is its file's (一线.csv holds the route 一线)."""
    return sheet.sheet or sheet.file.stem


def _district_kind(header: Header) -> str | None:
    """'有 客户等级、业态 列，看起来是客户等级表' when the header is a district export's."""
    has = header.columns
    if "grade" in has and ("segment" in has or "market_type" in has):
        found, what = ("grade", "segment", "market_type"), "客户等级表"
    elif "volume" in has and "amount" in has:
        found, what = ("volume", "amount"), "购进表"
    else:
        return None
    names = "、".join(header.names[has[r]] or ROLES[r][0] for r in found if r in has)
    return f"有 {names} 列，看起来是{what}"


def _listed_elsewhere(verdict: Verdict, on_routes: set[str], named: list[Verdict]) -> Verdict:
    """A sheet not named as a route whose customers are all on the route sheets is a list of
    them (the manager's own summary, a customer roster), not another route."""
    codes = _codes(verdict)
    if not codes or not codes <= on_routes:
        return verdict
    routes = "、".join(_name(v.sheet) for v in named[:5]) + ("…" if len(named) > 5 else "")
    return Verdict(
        verdict.sheet,
        verdict.header,
        LISTED,
        f"此表的 {len(codes)} 户客户都已在线路表（{routes}）中，看起来是汇总或名单，不是线路表，未读取；"
        + _RENAME_HINT,
    )


def _codes(verdict: Verdict) -> set[str]:
    body = verdict.sheet.cells.loc[verdict.header.row + 1 :]
    return set(clean_codes(body[verdict.header.columns["code"]]).values.dropna())


def _output_title(sheet: RawSheet, outputs: Outputs) -> str | None:
    """The xlcrm report a sheet is, by the title xlcrm wrote on its first row."""
    if not outputs.titles or not len(sheet.cells):
        return None
    text = next((t for t in as_text(sheet.cells.iloc[0]).tolist() if t), "")
    return next((t for t in outputs.titles if text.startswith(t)), None)


def hidden_note(sheet: RawSheet) -> str:
    """'（隐藏的工作表）' for a set-aside sheet that was hidden, so nobody wonders where it came from."""
    return f"（{HIDDEN_LABELS[sheet.hidden]}的工作表）" if sheet.hidden else ""


def added_columns_note(start: int, added: tuple[str, ...]) -> str:
    last = cell_ref(start + len(added) - 1)
    return (
        f"{cell_ref(start)}–{last} 列（{added[0]} … {added[-1]}）是 xlcrm 上次生成的列，"
        "不是客户经理自己的列，未读取；本次重新计算"
    )
