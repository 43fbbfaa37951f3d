"""Column roles and the header names that occur in practice, and finding the header row.

Exports name the same column in several ways (客户代码 / 客户编码 / 客户编号) and put the
header on row 1, 3 or wherever; the user can always name a column explicitly, by its
header text or by its letter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from .addresses import cell_ref, column_index
from .errors import XlcrmError

# role → (Chinese label, known header names). Order within a role: most specific first.
ROLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "code": (
        "客户代码",
        (
            "客户代码",
            "客户编码",
            "客户编号",
            "零售户代码",
            "零售户编码",
            "零售户编号",
            "客户号",
            "客户ID",
            "客户id",
            "户号",
            "代码",
            "编码",
        ),
    ),
    "name": (
        "客户名称",
        ("客户名称", "零售户名称", "零售客户名称", "商户名称", "店铺名称", "店名", "客户名", "名称"),
    ),
    "grade": (
        "客户等级",
        (
            "客户等级",
            "本季等级",
            "本季度等级",
            "季度等级",
            "客户档位",
            "档位",
            "客户分档",
            "分档",
            "档次",
            "客户分类",
            "等级",
            "分类",
        ),
    ),
    "previous_grade": (
        "上季等级",
        (
            "上季等级",
            "上季度等级",
            "上季度客户等级",
            "上季档位",
            "上季度档位",
            "上季度客户分类",
            "上季客户分类",
        ),
    ),
    "segment": ("业态", ("业态", "经营业态", "零售业态", "业态类型", "业态名称")),
    "market_type": ("市场类型", ("市场类型", "市场类别", "城乡类型", "城乡分类", "地域类型")),
    "volume": (
        "购进量",
        ("购进量", "购进数量", "购进总量", "订购量", "订货量", "购货量", "进货量", "销量", "销售量", "数量"),
    ),
    "amount": (
        "购进额",
        (
            "购进额",
            "购进金额",
            "订购金额",
            "订货金额",
            "购货金额",
            "进货金额",
            "销售额",
            "销售金额",
            "金额",
            "订单金额",
        ),
    ),
    "route": ("访销线路", ("访销线路", "拜访线路", "线路名称", "线路")),
    "order_date": ("订货日期", ("订货日期", "订单日期", "下单日期", "订购日期", "订货时间", "日期")),
    "owner": ("负责人", ("负责人", "经营者", "法定代表人", "法人代表", "法人", "业主", "店主", "联系人")),
    "address": ("经营地址", ("经营地址", "店铺地址", "详细地址", "经营场所", "地址")),
    # the visit log (拜访记录)
    "visit_date": (
        "日期",
        ("拜访日期", "走访日期", "沟通日期", "记录日期", "拜访时间", "走访时间", "日期", "时间"),
    ),
    "method": ("方式", ("拜访方式", "沟通方式", "走访方式", "拜访形式", "方式", "形式")),
    "content": (
        "内容",
        ("拜访内容", "沟通内容", "谈话内容", "交流内容", "走访内容", "拜访情况", "拜访记录", "内容"),
    ),
    "need": ("客户需求", ("客户需求", "客户诉求", "需求", "诉求")),
    "next_step": (
        "下一步",
        ("下一步", "下一步计划", "下一步工作", "下步计划", "跟进事项", "跟进内容", "跟进计划", "后续跟进"),
    ),
    "follow_up_date": (
        "跟进日期",
        ("跟进日期", "下次跟进日期", "计划跟进日期", "预计跟进日期", "下次拜访日期", "跟进时间", "回访日期"),
    ),
    "done": ("已完成", ("已完成", "是否完成", "完成情况", "完成否", "完成")),
}
ROLE_BY_LABEL = {label: role for role, (label, _) in ROLES.items()}
HEADER_SCAN_ROWS = 30
_SEPARATORS = re.compile(r"[\s,，;；|、/]+")
_BRACKETS = re.compile(r"[（(【\[<《].*?[)）】\]>》]")


def tidy_header(value: object) -> str:
    """'购进量（条）', ' 客户 编码 ' → '购进量', '客户编码'."""
    text = unicodedata.normalize("NFKC", "" if _blank(value) else str(value))
    text = _BRACKETS.sub("", text)
    return re.sub(r"[\s:：*]+", "", text)


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def parse_column_overrides(items: list[str]) -> dict[str, str]:
    """'code=客户编号', '客户代码=B' → {'code': '客户编号', ...} (roles in English or Chinese)."""
    overrides = {}
    for item in items:
        role, sep, name = item.partition("=")
        role = role.strip()
        role = ROLE_BY_LABEL.get(role, role)
        if not sep or role not in ROLES or not name.strip():
            known = "、".join(f"{r}（{label}）" for r, (label, _) in ROLES.items())
            raise XlcrmError(
                f"列设置“{item}”看不懂：应写成 角色=列名或列字母，"
                f"例如 code=客户编号 或 code=B；角色可为 {known}"
            )
        overrides[role] = name.strip()
    return overrides


@dataclass(frozen=True)
class Header:
    row: int  # Excel row number of the header
    names: list[str]  # header text per column, as written
    columns: dict[str, int]  # role → 0-based column index


def _match(tidy: list[str], role: str, override: str | None) -> int | None:
    if override:
        idx = column_index(override)
        if idx is not None and tidy_header(override) not in tidy:
            return idx if idx < len(tidy) else None
        wanted = tidy_header(override)
        return tidy.index(wanted) if wanted in tidy else None
    aliases = ROLES[role][1]
    for alias in aliases:  # exact names first
        if alias in tidy:
            return tidy.index(alias)
    for alias in aliases:  # then quarter-prefixed ones: '2010年一季度购进量'
        if len(alias) < 3:
            continue
        for i, name in enumerate(tidy):
            if name.endswith(alias) and (role == "previous_grade" or not name.startswith("上")):
                return i
    return None


def find_header(
    cells: pd.DataFrame,
    roles: tuple[str, ...],
    *,
    where: str,
    required: tuple[str, ...] = ("code",),
    overrides: Mapping[str, str] | None = None,
    names: Mapping[str, tuple[str, ...]] | None = None,
) -> Header:
    """The header row: the first of the top rows that names the code column, with its roles.

    Raises a clear error naming the file and sheet when a required column is missing, in the
    table's own words (`names`: role → what this table calls that column, e.g. the order
    detail's 订货金额) where they differ from the role's usual ones.
    """
    overrides = overrides or {}
    top = cells.head(HEADER_SCAN_ROWS)
    for excel_row, values in top.iterrows():
        tidy = [tidy_header(v) for v in values.tolist()]
        if not any(tidy):
            continue
        code_at = _match(tidy, "code", overrides.get("code"))
        if code_at is None or (column_index(overrides.get("code", "")) is not None and not tidy[code_at]):
            continue
        columns = {}
        for role in roles:
            at = _match(tidy, role, overrides.get(role))
            if at is not None and at not in columns.values():
                columns[role] = at
        missing = [r for r in required if r not in columns]
        if missing:
            raise XlcrmError(_missing_message(missing, overrides, excel_row, names), where=where)
        return Header(int(excel_row), ["" if _blank(v) else str(v).strip() for v in values.tolist()], columns)
    raise XlcrmError(_unsplit_header(top) or _missing_message(["code"], overrides, None), where=where)


def _unsplit_header(top: pd.DataFrame) -> str | None:
    """A header whose names sit together in one cell ('客户代码;购进量;购进额', a text file split
    on a separator it does not use): name that problem, not a missing column."""
    for excel_row, values in top.iterrows():
        for value in values.tolist():
            text = "" if _blank(value) else str(value).strip()
            names = [n for n in (tidy_header(part) for part in _SEPARATORS.split(text)) if n]
            if len(names) > 1 and any(n in ROLES["code"][1] for n in names):
                return (
                    f"第{excel_row}行的“{text[:40]}”是几个列名挤在一个单元格里，列没有分开："
                    "文本文件请用逗号、制表符或分号分隔各列后再试；在 Excel 中可用“数据 → 分列”"
                )
    return None


def _missing_message(
    missing: list[str], overrides: Mapping[str, str], row: int | None, names: Mapping | None = None
) -> str:
    parts = []
    for role in missing:
        label, aliases = ROLES[role]
        if names and role in names:
            label, aliases = names[role][0], names[role]
        if role in overrides:
            parts.append(f"找不到指定的{label}列“{overrides[role]}”")
        else:
            parts.append(f"找不到{label}列（表头应为 {'/'.join(aliases[:3])} 等）")
    place = f"第{row}行表头中" if row else f"前{HEADER_SCAN_ROWS}行中"
    hint = "；可用 --column " + "、".join(f"{r}=列名" for r in missing) + " 指定列名或列字母"
    return place + "，".join(parts) + hint


def column_label(header: Header, role: str) -> str:
    """'B列(客户代码)' for messages."""
    idx = header.columns[role]
    name = header.names[idx] if idx < len(header.names) else ""
    return f"{cell_ref(idx)}列({name or ROLES[role][0]})"
