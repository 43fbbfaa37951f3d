"""`xlcrm handover`: when a route changes hands, one workbook for the new manager with the
customers' cards, their history and their visit log, from the customer store."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from ..core.columns import parse_column_overrides
from ..core.errors import XlcrmError
from ..core.handover import (
    NOT_HANDED,
    abc_counts,
    follow_up_counts,
    hand_over,
    log_order,
    quarter_history,
    route_names,
)
from ..core.inputs import TableSpec
from ..core.quarters import Quarter
from ..core.values import parse_abc
from ..io.atomic import atomic_output, refuse_inputs
from ..io.input_files import load_input
from ..io.pdf import workbook_to_pdf
from ..io.xlsx import write_workbook
from ..report.handover_sheets import HandoverFacts, handover_sheets
from ..report.visit_workbook import ISSUES_NAME
from ..store import reading
from ..store.builds import build_cards
from ..store.database import Store, is_url, open_store
from .history_cli import STORE_HELP, quarter_option
from .progress import Stopwatch
from .quarter_run import check_suffix

# the list of customers handed over: a customer-code column, found and mapped as in every input
CUSTOMER_LIST = TableSpec("交接客户名单", ("code",), ("code",))


def add_handover_parser(sub, common: argparse.ArgumentParser, command: Callable) -> None:
    handover = command(
        sub,
        "handover",
        "线路交接：把交接客户的资料卡、历史和拜访记录做成一个工作簿，交给接手的客户经理",
        "xlcrm handover --store 客户档案库.db --route 三线 --to 李四 --out 三线交接.xlsx --pdf 三线交接.pdf",
        parents=[common],
    )
    handover.add_argument("--store", required=True, metavar="档案库", help=STORE_HELP)
    handover.add_argument(
        "--route",
        action="append",
        required=True,
        metavar="线路",
        help="交接哪条线路，如 三线；可重复，或用逗号分隔：三线,八线",
    )
    handover.add_argument(
        "--customers",
        type=Path,
        metavar="文件",
        help="只交接这份名单中的客户（.xlsx/.xls/CSV，有客户代码一列；列名不同时用 --column code=列名）",
    )
    handover.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="角色=列名",
        help="名单的客户代码列，如 code=客户编号 或 code=B",
    )
    handover.add_argument("--to", required=True, metavar="姓名", help="接手的客户经理")
    handover.add_argument(
        "--out", type=Path, required=True, metavar="文件", help="输出工作簿，如 三线交接.xlsx"
    )
    handover.add_argument("--pdf", type=Path, metavar="文件", help="同时打印成 PDF（需要 LibreOffice）")
    handover.add_argument("--manager", metavar="姓名", help="交出线路的客户经理（档案库中有多位时必须给）")
    handover.add_argument("--quarter", metavar="季度", help="按哪个季度的线路记录交接（默认最近一次）")
    handover.add_argument(
        "--as-of", metavar="日期", help="交接日期：按这一天计算逾期和到期的跟进（默认今天）"
    )
    handover.add_argument(
        "--abc",
        default="0.7,0.9",
        metavar="比例,比例",
        help="ABC 分类的比例，与生成报表时相同（默认 0.7,0.9）",
    )


def cmd_handover(args, watch: Stopwatch) -> int:
    from .cli import as_of_date  # the command line's own reading of --as-of (cli imports this module)

    check_suffix(args.out, ".xlsx", "--out", "xlcrm 写的是 Excel 工作簿")
    if args.pdf is not None:
        check_suffix(args.pdf, ".pdf", "--pdf", "打印的结果是 PDF")
    inputs = [args.customers, None if is_url(args.store) else Path(args.store)]
    refuse_inputs([p for p in (args.out, args.pdf) if p is not None], inputs)
    routes = route_names(args.route)
    as_of = as_of_date(args.as_of)
    try:
        shares = parse_abc(args.abc)
    except XlcrmError as exc:
        raise XlcrmError(f"--abc：{exc}") from None
    quarter = quarter_option(args.quarter) if args.quarter else None
    listed = None
    if args.customers:
        listed = watch.stage(
            f"读取交接名单 {args.customers.name}",
            load_input,
            args.customers,
            CUSTOMER_LIST,
            parse_column_overrides(args.column),
        )
    with open_store(args.store, create=False) as store:
        build = _build(store, args.manager, quarter)
        if args.to == build.manager:
            raise XlcrmError(f"接手的客户经理（--to {args.to}）就是交出线路的客户经理：请写接手人的姓名")
        who = f"{build.manager or '（未署名）'}{build.quarter.label}的线路记录"
        customers = reading.route_customers(store, build.id).rename(columns={"weekday": "batch"})
        handover = hand_over(customers, routes, who, listed)
        if handover.customers.empty:
            raise XlcrmError(
                f"名单 {args.customers.name} 中没有一个客户在{'、'.join(routes)}上（{who}）："
                "请核对名单和 --route"
            )
        codes = handover.customers["customer_code"].tolist()
        _, cards = watch.stage(
            "读取客户资料卡", build_cards, store, manager=build.manager, quarter=build.quarter, codes=codes
        )
        schemes = {q: s for q, s in reading.quarter_schemes(store).items() if q <= build.quarter.index}
        rows = reading.history_of_codes(store, codes, list(schemes))
        amounts = reading.history_of_build(store, build.id, [build.quarter.index])
        visits = log_order(reading.visits_of(store, codes))
    whole = customers[["customer_code"]].merge(
        amounts[["customer_code", "amount"]].drop_duplicates("customer_code"), on="customer_code", how="left"
    )
    facts = HandoverFacts(
        giver=build.manager,
        taker=args.to,
        quarter=build.quarter,
        as_of=as_of,
        follow_ups=follow_up_counts(visits, as_of),
        abc=abc_counts(whole, handover.customers["customer_code"], shares),
        listed=args.customers.name if args.customers else None,
    )
    sheets = handover_sheets(
        handover, facts, cards, quarter_history(rows, handover.customers, schemes), visits
    )
    with atomic_output(args.out, inputs=inputs) as tmp:
        watch.stage(f"写入 {args.out.name}", write_workbook, sheets, tmp)
    left = int((handover.issues["kind"] == NOT_HANDED).sum())
    watch.say(
        f"已写入 {args.out}：{'、'.join(routes)} 交接客户 {len(codes):,} 户"
        f"（{build.manager or '未署名'} → {args.to}），拜访记录 {len(visits):,} 条，"
        f"待跟进 {facts.follow_ups.open} 条（逾期 {facts.follow_ups.overdue} 条）"
        + (f"；名单中 {left} 个客户代码不在交接的线路上，未交接（见“{ISSUES_NAME}”）" if left else "")
    )
    if args.pdf:
        watch.stage(f"打印 PDF {args.pdf.name}", workbook_to_pdf, args.out, args.pdf)
        watch.say(f"已写入 {args.pdf}")
    return 0


def _build(store: Store, manager: str | None, quarter: Quarter | None) -> reading.Build:
    """The outgoing manager's recorded build: their latest, or of --quarter."""
    latest = reading.latest_build(store, manager)  # several managers and none named: said here
    named = manager if manager is not None else (latest.manager if latest else "")
    build = reading.build_of(store, quarter, named) if quarter and latest else latest
    if build is None:
        who = manager or "这位客户经理"
        when = quarter.label if quarter else ""
        raise XlcrmError(
            f"客户档案库 {store.where} 中没有{who}{when}的线路记录：请先用 xlcrm build --store 记录，"
            "或用 --manager、--quarter 指定"
        )
    return build
