"""The customer store on the command line: `xlcrm history import|list|export|forget` and
`xlcrm cards` (one card per customer from the store)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from ..core import history
from ..core.columns import parse_column_overrides
from ..core.errors import XlcrmError
from ..core.grades import scheme_choice, scheme_spec
from ..core.inputs import GRADES, PURCHASES, no_purchases
from ..core.quarter import ReviewSettings, prepare_district
from ..core.quarters import Quarter
from ..core.titles import Labels
from ..io.atomic import atomic_output
from ..io.input_files import load_input
from ..io.pdf import workbook_to_pdf
from ..io.xlsx import write_workbook
from ..report.cards import card_sheet
from ..store import reading
from ..store.builds import ONLY, build_cards
from ..store.database import open_store
from ..store.recording import QuarterRecord, forget, record
from .progress import Stopwatch

STORE_HELP = "客户档案库：一个文件（如 客户档案库.db，没有时新建），或部门的数据库地址 postgresql://用户:密码@主机/库名"


def add_parsers(sub, common: argparse.ArgumentParser, engine_options: Callable, command: Callable) -> None:
    history = command(
        sub,
        "history",
        "客户档案库：补录往季的等级表、列出记录的季度、导出全部内容、删除一个季度",
        "xlcrm history list --store 客户档案库.db\n"
        "  xlcrm history import --store 客户档案库.db --quarter 2025Q4 --grades 2025年四季度客户等级表.xls",
        parents=[common],
    )
    verbs = history.add_subparsers(dest="verb", required=True, metavar="操作", title="操作", help="要做的事")

    imported = command(
        verbs,
        "import",
        "把往季的等级表（和购进表）补录进客户档案库",
        "xlcrm history import --store 客户档案库.db --quarter 2025Q4 --grades 2025年四季度客户等级表.xls",
        parents=[common],
    )
    _store_option(imported)
    imported.add_argument(
        "--quarter", required=True, metavar="季度", help="这些表是哪个季度的，如 2025Q4 或 2025年第四季度"
    )
    imported.add_argument("--grades", type=Path, required=True, metavar="文件", help="那个季度的客户等级表")
    imported.add_argument(
        "--purchases", type=Path, metavar="文件", help="那个季度的购进表（没有时不记购进量和购进额）"
    )
    engine_options(imported)

    listed = command(
        verbs,
        "list",
        "列出客户档案库中记录的季度",
        "xlcrm history list --store 客户档案库.db",
        parents=[common],
    )
    _store_option(listed)

    exported = command(
        verbs,
        "export",
        "把客户档案库的全部内容导出为 CSV（UTF-8）",
        "xlcrm history export --store 客户档案库.db --out 档案库导出",
        parents=[common],
    )
    _store_option(exported)
    exported.add_argument("--out", type=Path, required=True, metavar="文件夹", help="导出到这个文件夹")

    forgotten = command(
        verbs,
        "forget",
        "从客户档案库删除一个季度的全部记录",
        "xlcrm history forget --store 客户档案库.db --quarter 2025Q4",
        parents=[common],
    )
    _store_option(forgotten)
    forgotten.add_argument("--quarter", required=True, metavar="季度", help="要删除的季度，如 2025Q4")


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", required=True, metavar="档案库", help=STORE_HELP)


def quarter_option(text: str) -> Quarter:
    quarter = Quarter.find(text)
    if quarter is None:
        raise XlcrmError(f"看不懂季度“{text}”：请写成 2026Q3 或 2026年第三季度")
    return quarter


def cmd_history(args, watch: Stopwatch) -> int:
    return {"import": _import, "list": _list, "export": _export, "forget": _forget}[args.verb](args, watch)


def _import(args, watch: Stopwatch) -> int:
    quarter = quarter_option(args.quarter)
    columns = parse_column_overrides(args.column)
    settings = ReviewSettings(scheme=scheme_choice(args.scheme, args.grade_order))
    grades = watch.stage(f"读取等级表 {args.grades.name}", load_input, args.grades, GRADES, columns)
    purchases = no_purchases()
    if args.purchases:
        purchases = watch.stage(
            f"读取购进表 {args.purchases.name}", load_input, args.purchases, PURCHASES, columns
        )
    data = prepare_district(grades, purchases, None, settings, watch.note)
    district = history.district_record(data)
    entry = QuarterRecord(
        quarter,
        scheme_spec(data.scheme),
        args.grades.name,
        args.purchases.name if args.purchases else None,
        district,
        history.standards_record(data),
    )
    with open_store(args.store) as store:
        watch.stage(f"记录 {quarter.label} 到 {store.where}", record, store, entry)
    watch.say(
        f"已记录 {quarter.label}：辖区客户 {len(district):,} 户" + ("" if args.purchases else "（无购进表）")
    )
    return 0


def _list(args, watch: Stopwatch) -> int:
    with open_store(args.store, create=False) as store:
        recorded = reading.recorded_quarters(store)
        where = store.where
    if not recorded:
        print(f"客户档案库 {where} 中还没有记录任何季度")
        return 0
    print("季度\t辖区客户\t线路记录\t线路客户\t等级表\t购进表\t记录时间")
    for r in recorded:
        print(
            f"{r.quarter.code}\t{r.district_customers}\t{r.builds}\t{r.route_customers}\t{r.grades_file}\t"
            f"{r.purchases_file or '—'}\t{r.recorded_at:%Y-%m-%d %H:%M}"
        )
    return 0


def _export(args, watch: Stopwatch) -> int:
    with open_store(args.store, create=False) as store:
        frames = watch.stage("读取客户档案库", reading.table_frames, store)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        with atomic_output(args.out / f"{name}.csv") as tmp:
            frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n", float_format="%.15g")
        watch.say(f"已写入 {args.out / f'{name}.csv'}（{len(frame):,} 行）")
    return 0


def _forget(args, watch: Stopwatch) -> int:
    quarter = quarter_option(args.quarter)
    with open_store(args.store, create=False) as store:
        if not forget(store, quarter):
            raise XlcrmError(f"客户档案库 {store.where} 中没有 {quarter.label} 的记录")
    watch.say(f"已从客户档案库删除 {quarter.label} 的全部记录")
    return 0


def add_cards_parser(sub, common: argparse.ArgumentParser, command: Callable) -> None:
    cards = command(
        sub,
        "cards",
        "从客户档案库生成客户资料卡：每户一张，两张一页，近八季等级与购进、谈话要点和提醒",
        "xlcrm cards --store 客户档案库.db --route 一线 --only alerts --out 客户资料卡.xlsx",
        parents=[common],
    )
    _store_option(cards)
    cards.add_argument(
        "--out", type=Path, required=True, metavar="文件", help="输出工作簿，如 客户资料卡.xlsx"
    )
    cards.add_argument("--manager", metavar="姓名", help="哪位客户经理的客户（档案库中有多位时必须给）")
    cards.add_argument("--quarter", metavar="季度", help="哪个季度的记录（默认最近一次）")
    cards.add_argument("--route", metavar="线路", help="只要这条线路的客户，如 一线")
    cards.add_argument(
        "--only",
        choices=ONLY,
        default="all",
        help="alerts 只要有提醒的客户 | changed 只要等级有升降的 | all 全部（默认）",
    )
    cards.add_argument("--pdf", type=Path, metavar="文件", help="同时打印成 PDF（需要 LibreOffice）")


def cmd_cards(args, watch: Stopwatch) -> int:
    if args.out.suffix.lower() != ".xlsx":
        raise XlcrmError(f"客户资料卡的输出文件应以 .xlsx 结尾：{args.out.name}")
    quarter = quarter_option(args.quarter) if args.quarter else None
    with open_store(args.store, create=False) as store:
        build, cards = watch.stage(
            "读取客户档案库",
            build_cards,
            store,
            manager=args.manager,
            quarter=quarter,
            route=args.route,
            only=args.only,
        )
    labels = Labels(quarter=build.quarter.label, manager=build.manager or None)
    with atomic_output(args.out) as tmp:
        watch.stage(f"写入 {args.out.name}", write_workbook, [card_sheet(cards, labels)], tmp)
    watch.say(
        f"已写入 {args.out}：客户资料卡 {len(cards):,} 张"
        f"（{build.quarter.label}，{build.manager or '未署名'}）"
    )
    if args.pdf:
        watch.stage(f"打印 PDF {args.pdf.name}", workbook_to_pdf, args.out, args.pdf)
        watch.say(f"已写入 {args.pdf}")
    return 0
