"""The handover workbook described once (`xlcrm handover`): 交接说明 (the form: from whom to
whom, which routes, the counts, the signatures), the customers' cards, 历史 (every recorded
quarter of each customer), 拜访记录 (their kept visits, a log the new manager goes on writing
in) and 数据问题 when a list named customers not handed over."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..core.cards import Card
from ..core.handover import NOT_HANDED, FollowUpCounts, Handover
from ..core.quarters import Quarter
from ..core.titles import Labels, footer_label, report_title
from ..core.values import CONTACT_PLANS
from ..core.visits import FOLLOW_UP_DAYS
from .cards import CardSheet, card_sheet
from .model import Block, Column, Sheet
from .visit_log import LOG_COLUMNS, LOG_NAME, log_rows
from .visit_workbook import ISSUES_NAME, issues_block

COVER_NAME = "交接说明"
HISTORY_NAME = "历史"
SIGNATURES = ("交出人（签字）", "接收人（签字）", "日期")
HISTORY_COLUMNS = [
    Column("customer_code", "客户代码", "code"),
    Column("name", "客户名称"),
    Column("route", "线路"),
    Column("quarter", "季度"),
    Column("grade", "等级", "grade"),
    Column("change", "变动", "grade"),
    Column("volume", "购进量（条）", "volume"),
    Column("amount", "购进额（元）", "amount"),
]


@dataclass(frozen=True)
class HandoverFacts:
    """What the form states besides the customers themselves."""

    giver: str  # the manager of the recorded build ('' when the routes named nobody)
    taker: str  # --to
    quarter: Quarter  # the build's
    as_of: dt.date  # the day the follow-ups are counted on, the handover's date
    follow_ups: FollowUpCounts
    abc: dict[str, int] | None  # None: the store holds no amounts for the quarter
    listed: str | None = None  # the list's file name (--customers), when only some are handed over


def handover_sheets(
    handover: Handover, facts: HandoverFacts, cards: list[Card], history: pd.DataFrame, visits: pd.DataFrame
) -> list[Sheet | CardSheet]:
    """`history`: core.handover.quarter_history; `visits`: the kept visits in log order."""
    labels = Labels(quarter=facts.quarter.label, manager=facts.taker)
    names = dict(zip(handover.customers["customer_code"], handover.customers["name"]))
    sheets: list[Sheet | CardSheet] = [
        cover_sheet(handover, facts, labels),
        card_sheet(cards, labels),
        history_sheet(history, labels),
        log_sheet(visits, names, labels),
    ]
    if len(handover.issues):
        sheets.append(
            Sheet(
                ISSUES_NAME,
                report_title(ISSUES_NAME, labels),
                [issues_block(handover.issues)],
                filters=True,
                footer=footer_label(labels),
            )
        )
    return sheets


def route_list(routes: pd.DataFrame) -> str:
    """'三线（星期三）、八线（星期三）'."""
    return "、".join(f"{r}（{b}）" for r, b in zip(routes["route"], routes["batch"]))


def cover_sheet(handover: Handover, facts: HandoverFacts, labels: Labels) -> Sheet:
    """交接说明: one page, as a department's handover form reads, signatures at the foot."""
    routes = handover.routes
    whom = f"名单 {facts.listed} 中的客户" if facts.listed else "这些线路的全部客户"
    said = [
        ("交出人（原客户经理）", facts.giver or "（档案库中未署名）"),
        ("接收人（新客户经理）", facts.taker),
        ("交接线路及访销日", route_list(routes)),
        ("交接客户", whom),
        ("依据", f"客户档案库中{facts.giver or '未署名'}{facts.quarter.label}的线路记录"),
        ("交接日期", f"{facts.as_of:%Y-%m-%d}（待跟进按这一天计算）"),
    ]
    counts = [
        ("交接客户（户）", len(handover.customers)),
        ("待跟进（条，未完成的下一步）", facts.follow_ups.open),
        ("　其中逾期", facts.follow_ups.overdue),
        (f"　{FOLLOW_UP_DAYS}天内到期", facts.follow_ups.due),
    ]
    if facts.abc is not None:
        counts += [(f"{k} 类客户（{CONTACT_PLANS[k]}，户）", n) for k, n in facts.abc.items()]
    if facts.listed:
        counts.append((f"名单中未交接的客户代码（见“{ISSUES_NAME}”）", _not_handed(handover)))
    per_route = routes.assign(customers=routes["customers"].astype("int64"))
    total = pd.DataFrame([{"route": "合计", "batch": "", "customers": int(per_route["customers"].sum())}])
    blocks = [
        Block(
            [Column("item", "项目"), Column("value", "内容")],
            pd.DataFrame(said, columns=["item", "value"]),
            caption="交接事项",
        ),
        Block(
            [Column("item", "项目"), Column("count", "数量", "count")],
            pd.DataFrame(counts, columns=["item", "count"]),
            caption="客户与待跟进",
        ),
        Block(
            [
                Column("route", "线路"),
                Column("batch", "访销日"),
                Column("customers", "交接客户（户）", "count"),
            ],
            pd.concat([per_route, total], ignore_index=True),
            caption="各线路",
            total_row=True,
        ),
        Block(
            [Column(f"sign{i}", text) for i, text in enumerate(SIGNATURES)],
            pd.DataFrame([dict.fromkeys((f"sign{i}" for i in range(len(SIGNATURES))), "")]),
            caption="客户资料卡、历史和拜访记录已交接，待跟进事项已说明",
        ),
    ]
    return Sheet(
        COVER_NAME,
        report_title(COVER_NAME, labels),
        blocks,
        one_page=True,
        row_height=30,  # room to sign
        footer=footer_label(labels),
    )


def _not_handed(handover: Handover) -> int:
    return int((handover.issues["kind"] == NOT_HANDED).sum())


def history_sheet(history: pd.DataFrame, labels: Labels) -> Sheet:
    """历史: one row per customer and recorded quarter, an Excel table to filter."""
    rows = history.assign(quarter=[Quarter.from_index(int(q)).label for q in history["quarter"]])
    rows = rows.assign(grade=rows["grade"].astype(object).where(rows["grade"].notna(), "无等级"))
    return Sheet(
        HISTORY_NAME,
        report_title(HISTORY_NAME, labels),
        [Block(HISTORY_COLUMNS, rows[[c.key for c in HISTORY_COLUMNS]].reset_index(drop=True))],
        filters=True,
        freeze_columns=2,
        footer=footer_label(labels),
        excel_table=HISTORY_NAME,
        note="客户档案库中记录的每个季度；变动：与上一季度相比（上一季度未记录时空白）",
    )


def log_sheet(visits: pd.DataFrame, names: dict[str, str], labels: Labels) -> Sheet:
    """拜访记录: every kept visit, in date order, with the template's dropdowns: the new
    manager writes on under it, and it can be given to xlcrm build as --visits."""
    return Sheet(
        LOG_NAME,
        report_title(LOG_NAME, labels),
        [Block(LOG_COLUMNS, log_rows(visits, names))],
        filters=True,
        footer=footer_label(labels),
        excel_table=LOG_NAME,
        note="按日期排列；红色：跟进日期已过、尚未完成（按打开或打印的当天）。新的拜访接着写在表的下面",
    )
