"""部门汇总, the department's workbook, described once (pure: manager summaries in, sheet
descriptions out)."""

from __future__ import annotations

import pandas as pd
from pypinyin import Style, lazy_pinyin

from ..core.changes import CHANGE_LABELS, CHANGES, COMPARABLE
from ..core.department import Failure, ManagerSummary
from ..core.grades import segment_label
from ..core.quarter import DistrictData, batch_order
from ..core.tables import grade_change_table
from ..core.titles import Labels, footer_label, report_title
from .model import Block, Column, Sheet
from .visit_sheets import VISITED_COLUMNS
from .visit_workbook import DISTRICT, change_table_block, issues_block, standard_columns, standards_block

SUMMARY_NAME = "部门汇总"
CHANGES_ALL = "等级变动统计（全部）"
CHANGES_BY_MANAGER = "等级变动（按客户经理）"
STANDARDS_ALL = "最低标准（辖区）"
STANDARDS_BY_MANAGER = "最低标准（按客户经理）"
FAILED_NAME = "未完成"
DISTRICT_ISSUES = "数据问题（辖区表）"


SUBTOTAL = "小计"
# a manager's value classes in 部门汇总: route customers per ABC class, and (with the order
# detail) those alerted for not ordering
VALUE_COUNTS = {"A": "A类客户", "B": "B类客户", "C": "C类客户", "no_order": "久未订货"}


def pinyin_key(name: str) -> tuple:
    """Chinese names in pinyin order, as a department's lists are read (陈 before 李 before 王);
    tone numbers break ties between syllables spelt alike, the characters themselves the rest."""
    return (lazy_pinyin(name, style=Style.TONE3, errors="default"), name)


def by_pinyin(summaries: list[ManagerSummary]) -> list[ManagerSummary]:
    return sorted(summaries, key=lambda s: pinyin_key(s.manager))


def department_sheets(
    summaries: list[ManagerSummary], failures: list[Failure], data: DistrictData, labels: Labels = Labels()
) -> list[Sheet]:
    summaries = by_pinyin(summaries)
    failures = sorted(failures, key=lambda f: pinyin_key(f.manager))
    return [
        overview(summaries, failures, labels),
        all_changes(summaries, data, labels),
        changes_by_manager(summaries, labels),
        standards_all(data, labels),
        standards_by_manager(summaries, labels),
        district_issues(data, labels),
        failed(failures, labels),
    ]


def district_issues(data: DistrictData, labels: Labels) -> Sheet:
    """The district tables' own issues, once (each manager's workbook lists those about their customers)."""
    return Sheet(
        DISTRICT_ISSUES,
        report_title(DISTRICT_ISSUES, labels),
        [issues_block(data.issues)],
        filters=True,
        footer=footer_label(labels),
    )


def overview(summaries: list[ManagerSummary], failures: list[Failure], labels: Labels) -> Sheet:
    # value classes per manager: A/B/C always, customers not ordering lately with the order detail
    valued = [k for k in VALUE_COUNTS if any(k in s.classes for s in summaries)]
    rows = [
        {
            "manager": s.manager,
            "file": s.file,
            "routes": s.routes,
            "customers": sum(s.counts.values()),
            **s.counts,
            **{k: s.classes.get(k, 0) for k in valued},
            "issues": s.issues,
            "status": "已生成",
        }
        for s in summaries
    ]
    rows += [{"manager": f.manager, "file": f.file, "status": "未完成（见“未完成”表）"} for f in failures]
    frame = pd.DataFrame(
        rows, columns=["manager", "file", "routes", "customers", *CHANGES, *valued, "issues", "status"]
    )
    total = {"manager": "合计", "file": f"{len(summaries)} 份已生成，{len(failures)} 份未完成"}
    total |= {c: int(frame[c].fillna(0).sum()) for c in ["routes", "customers", *CHANGES, *valued, "issues"]}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    columns = [
        Column("manager", "客户经理"),
        Column("file", "线路表文件"),
        Column("routes", "线路", "count"),
        Column("customers", "线路客户", "count"),
    ]
    columns += [Column(c, CHANGE_LABELS[c], "count") for c in CHANGES]
    columns += [Column(k, VALUE_COUNTS[k], "count") for k in valued]
    columns += [Column("issues", "数据问题", "count"), Column("status", "状态")]
    visited = [s for s in summaries if s.visits is not None]
    return Sheet(
        SUMMARY_NAME,
        report_title(SUMMARY_NAME, labels),
        [Block(columns, frame, total_row=True), *([visits_block(visited)] if visited else [])],
        freeze_columns=2,
        mute_zeros=True,
        footer=footer_label(labels),
    )


NO_LOG = "（无拜访记录）"


def visits_block(summaries: list[ManagerSummary]) -> Block:
    """Per manager: route customers, those visited this quarter (count and share: the visit
    coverage), open follow-ups and the overdue among them; a total row over everyone."""
    rows = pd.DataFrame(
        [
            {
                "manager": s.manager,
                "log": s.visits.log or NO_LOG,
                "customers": s.visits.customers,
                "visited": s.visits.visited,
                "open": s.visits.open,
                "overdue": s.visits.overdue,
            }
            for s in summaries
        ],
        columns=["manager", "log", "customers", "visited", "open", "overdue"],
    )
    logs = int((rows["log"] != NO_LOG).sum())
    total = {"manager": "合计", "log": f"{logs} 位有拜访记录，{len(rows) - logs} 位没有"}
    total |= {c: int(rows[c].sum()) for c in ("customers", "visited", "open", "overdue")}
    rows = pd.concat([rows, pd.DataFrame([total])], ignore_index=True)
    rows.insert(4, "coverage", [v / c if c else None for v, c in zip(rows["visited"], rows["customers"])])
    start, end = summaries[0].visits.period
    return Block(
        [
            Column("manager", "客户经理"),
            Column("log", "拜访记录"),
            *VISITED_COLUMNS,
            Column("coverage", "拜访覆盖率", "share"),
            Column("open", "待跟进", "count"),
            Column("overdue", "其中逾期", "count"),
        ],
        rows,
        caption=(
            f"本季拜访（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）：拜访覆盖率 = 本季已拜访的线路客户 ÷ 线路客户；"
            f"待跟进 = 已完成不是“是”的跟进，其中逾期 = 跟进日期早于 {end:%Y-%m-%d}"
        ),
        total_row=True,
    )


def all_changes(summaries: list[ManagerSummary], data: DistrictData, labels: Labels) -> Sheet:
    """The change table over every manager's customers (weekday blocks, 合计, sum row)."""
    customers = (
        pd.concat([s.customers for s in summaries], ignore_index=True)
        if summaries
        else pd.DataFrame({c: pd.Series(dtype=object) for c in ("segment", "grade", "change", "batch")})
    )
    batches = batch_order(customers["batch"])
    block = change_table_block(grade_change_table(customers, data.scheme, batches), batches)
    return Sheet(
        CHANGES_ALL,
        report_title(CHANGES_ALL, labels),
        [block],
        freeze_columns=2,
        mute_zeros=True,
        footer=footer_label(labels),
    )


def changes_by_manager(summaries: list[ManagerSummary], labels: Labels) -> Sheet:
    """Each manager's changes by segment and grade, closed by their 小计 row; a page each.
    The manager is on every row, so filtering by one keeps their rows and their 小计."""
    frames, subtotals, at = [], [], 0
    for s in summaries:
        rows = s.grade_totals.assign(manager=s.manager, segment=s.grade_totals["segment"].map(segment_label))
        total = {"manager": s.manager, "segment": SUBTOTAL, "grade": None}
        total |= {c: int(rows[c].sum()) for c in COMPARABLE}
        frames.append(pd.concat([rows, pd.DataFrame([total])], ignore_index=True))
        at += len(frames[-1])
        subtotals.append(at - 1)
    rows = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["manager", "segment", "grade", *COMPARABLE])
    )
    columns = [Column("manager", "客户经理"), Column("segment", "业态"), Column("grade", "等级", "grade")]
    columns += [Column(c, CHANGE_LABELS[c], "count") for c in COMPARABLE]
    block = Block(
        columns,
        rows[[c.key for c in columns]],
        group_by="segment",
        subtotals=tuple(subtotals),
        page_per="manager",
    )
    return Sheet(
        CHANGES_BY_MANAGER,
        report_title(CHANGES_BY_MANAGER, labels),
        [block],
        filters=True,
        mute_zeros=True,
        footer=footer_label(labels),
    )


def standards_all(data: DistrictData, labels: Labels) -> Sheet:
    return Sheet(
        STANDARDS_ALL,
        report_title(STANDARDS_ALL, labels),
        [standards_block(data.standards, f"{DISTRICT}客户数")],
        footer=footer_label(labels),
    )


def standards_by_manager(summaries: list[ManagerSummary], labels: Labels) -> Sheet:
    columns = [Column("manager", "客户经理"), *standard_columns("该客户经理客户数")]
    frames = [s.standards.assign(manager=s.manager) for s in summaries]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[c.key for c in columns])
    rows["segment"] = rows["segment"].map(segment_label)
    return Sheet(
        STANDARDS_BY_MANAGER,
        report_title(STANDARDS_BY_MANAGER, labels),
        [Block(columns, rows[[c.key for c in columns]])],
        filters=True,
        footer=footer_label(labels),
    )


def failed(failures: list[Failure], labels: Labels) -> Sheet:
    rows = pd.DataFrame([vars(f) for f in failures], columns=["manager", "file", "reason"])
    columns = [Column("manager", "客户经理"), Column("file", "文件"), Column("reason", "原因")]
    return Sheet(
        FAILED_NAME,
        report_title(FAILED_NAME, labels),
        [Block(columns, rows)],
        filters=True,
        footer=footer_label(labels),
    )
