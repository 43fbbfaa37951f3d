"""What the customer store adds to the visit workbook and to 部门汇总: the route sheets' trail
columns, 重点关注 (the alerts), 历季趋势 (a department over the recorded quarters)."""

from __future__ import annotations

import pandas as pd

from ..core.changes import CHANGE_LABELS, COMPARABLE
from ..core.history import ALERT_KINDS, Outlook
from ..core.quarters import Quarter
from ..core.titles import Labels, footer_label, report_title
from .code_cells import CodeCells
from .model import Block, Chart, Column, Sheet

FOCUS_NAME = "重点关注"
TREND_NAME = "历季趋势"
TRAIL_COLUMNS = [Column("trail", "近四季等级", "text"), Column("trend", "趋势", "grade")]


def trail_lookup(outlook: Outlook | None) -> CodeCells | None:
    """近四季等级 and 趋势 by customer code (made once per workbook; blank for a code without a
    trail), or None without a store."""
    if outlook is None or outlook.trails is None:
        return None
    trails = outlook.trails
    return CodeCells.first_of(
        trails["customer_code"],
        {c.key: trails[c.key].to_numpy(dtype=object) for c in TRAIL_COLUMNS},
        {c.key: "" for c in TRAIL_COLUMNS},
    )


def focus_sheet(outlook: Outlook, labels: Labels = Labels(), with_store: bool = False) -> Sheet:
    """重点关注: one row per alert, by visit weekday, route and code."""
    columns = [
        Column("batch", "访销日"),
        Column("route", "线路"),
        Column("customer_code", "客户代码", "code"),
        Column("name", "客户名称"),
        Column("kind", "提醒"),
        Column("detail", "说明"),
    ]
    rows = outlook.alerts.assign(kind=outlook.alerts["kind"].map(ALERT_KINDS).fillna(outlook.alerts["kind"]))
    caption = (
        ""
        if with_store
        else "（记录到客户档案库后，还会列出连续降档、购进量大幅下降、保级风险和离开线路的客户）"
    )
    return Sheet(
        FOCUS_NAME,
        report_title(FOCUS_NAME, labels),
        [Block(columns, rows[[c.key for c in columns]], caption=caption)],
        filters=not caption,
        footer=footer_label(labels),
    )


def trend_sheet(trend: pd.DataFrame, labels: Labels = Labels()) -> Sheet:
    """历季趋势: per recorded quarter and manager, up / same / down, then the quarter's total;
    a chart of the totals over the quarters."""
    frames = []
    for quarter, rows in trend.groupby("quarter", sort=True):
        label = Quarter.from_index(int(quarter)).label
        frames.append(rows.assign(quarter=label))
        frames.append(
            pd.DataFrame(
                [{"quarter": label, "manager": "合计", **{c: int(rows[c].sum()) for c in COMPARABLE}}]
            )
        )
    table = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["quarter", "manager", *COMPARABLE])
    )
    columns = [Column("quarter", "季度"), Column("manager", "客户经理")]
    columns += [Column(c, CHANGE_LABELS[c], "count") for c in COMPARABLE]
    totals = table[table["manager"] == "合计"].reset_index(drop=True)
    detail = Block(columns, table, caption="各客户经理每季等级变动（线路客户）", group_by="quarter")
    over_time = Block(
        [Column("quarter", "季度"), *columns[2:]],
        totals[["quarter", *COMPARABLE]],
        caption="全部线路客户每季等级变动",
        chart=Chart("历季等级变动", "quarter", list(COMPARABLE)),
    )
    return Sheet(
        TREND_NAME,
        report_title(TREND_NAME, labels),
        [over_time, detail],
        mute_zeros=True,
        footer=footer_label(labels),
    )
