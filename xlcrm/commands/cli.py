"""The command line: xlcrm build | check | print | batch | history | cards | handover | template | macro |
install | doctor | demo.

Errors a person can fix print as one Chinese line and exit with code 2; --debug shows the
traceback instead.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import traceback
from dataclasses import replace
from pathlib import Path

from .. import __version__
from ..core.columns import parse_column_overrides
from ..core.dates import parse_date
from ..core.errors import XlcrmError
from ..core.grades import scheme_choice
from ..core.history import AlertSettings
from ..core.issues import KINDS
from ..core.quarter import ReviewSettings
from ..core.titles import print_column_choice
from ..core.values import ValueSettings, no_order_days, parse_abc
from ..core.weekdays import parse_batch_mapping
from ..io.atomic import output_folder
from ..io.input_files import check_distinct, same_file
from ..io.pdf import find_office, workbook_to_pdf
from ..report.arguments import ChineseArgumentParser
from . import handover_cli, history_cli
from .history_cli import STORE_HELP
from .progress import Stopwatch
from .quarter_run import InputFiles, QuarterRequest, check_suffix, run_quarter

EXIT_USER_ERROR = 2
EXIT_BUG = 3
EXIT_PIPE_CLOSED = 128 + 13  # as a shell reports a program stopped by SIGPIPE


def _input_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--routes", type=Path, required=True, help="零售客户拜访线路表（每条线路一张工作表）")
    parser.add_argument("--grades", type=Path, required=True, help="本季度客户等级表（EM 导出）")
    parser.add_argument("--purchases", type=Path, required=True, help="客户购进量与购进额表")
    parser.add_argument("--previous-grades", type=Path, help="上季度客户等级表；不给时用线路表中的上季等级列")
    parser.add_argument(
        "--visits",
        type=Path,
        help="拜访记录（.xlsx/.xls/CSV：日期、客户代码、方式、内容、客户需求、下一步、跟进日期、已完成）；"
        "可以是线路表或 客户管理.xlsm 中的“拜访记录”表",
    )
    _engine_options(parser)
    _value_options(parser)


def _value_options(parser: argparse.ArgumentParser, department: bool = False) -> None:
    """The value classes: ABC by purchase amount always; RFM and the no_order alert from the order detail."""
    parser.add_argument(
        "--orders",
        type=Path,
        help=("全部门的" if department else "")
        + "订单明细（订货平台导出：客户代码、订货日期、订货金额，每行一条订单）；"
        "给出时计算价值分群（RFM）并提醒久未订货的客户",
    )
    parser.add_argument(
        "--abc",
        default="0.7,0.9",
        metavar="比例,比例",
        help="ABC 分类：购进额从高到低累计到第一个比例之前为 A 类，到第二个之前为 B 类，"
        "其余 C 类（默认 0.7,0.9）",
    )
    parser.add_argument(
        "--no-order-days",
        default=ValueSettings.no_order_days,
        metavar="天数",
        help="最近一次订货距今达到这么多天（或没有订货）时提醒，需 --orders（默认 14，零售户一般每周订货）",
    )


def _engine_options(parser: argparse.ArgumentParser) -> None:
    """How to read the tables and grade the customers: the same for build, check and batch."""
    parser.add_argument(
        "--scheme", help="等级方案：code2008（2008编码）| tiers30（30档）| tiers15（15档）；不给时自动判断"
    )
    parser.add_argument("--grade-order", help="自定义等级顺序，从高到低用逗号分隔，如 A,B,C")
    parser.add_argument(
        "--batch",
        action="append",
        default=[],
        metavar="线路=星期几",
        help="指定线路的访销日，如 一线=星期一 或 一线,六线=周一；可重复",
    )
    parser.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="角色=列名",
        help="指定列，如 code=客户编号、volume=D；角色：code name grade previous_grade "
        "segment market_type volume amount route order_date，拜访记录的 visit_date method content "
        "need next_step follow_up_date done；可重复",
    )
    parser.add_argument(
        "--as-of",
        metavar="日期",
        help="按哪一天计算跟进到期、多久未订货等（如 2026-06-22）；不给时为今天，给定则结果可重现",
    )


INPUTS_EXAMPLE = (
    "--routes 零售客户拜访线路表.xlsx --grades 2026年三季度客户等级表.xlsx \\\n"
    "      --purchases 客户购进量与购进额.csv --previous-grades 2026年二季度客户等级表.xls"
)


def _command(sub, name: str, summary: str, example: str, **kwargs) -> argparse.ArgumentParser:
    """A subcommand: one line in `xlcrm --help`, a description and one example in its own help."""
    return sub.add_parser(name, help=summary, description=summary, epilog=f"例：\n  {example}", **kwargs)


def _print_columns_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--print-columns",
        metavar="列名,列名",
        help="拜访表打印您自己的哪些列（表头名称，逗号分隔；“全部”打印所有列）。"
        "默认：客户代码、客户名称、负责人、电话。不打印的列仍在工作簿中（折叠在 + 号下）",
    )


def parser() -> argparse.ArgumentParser:
    top = ChineseArgumentParser(
        prog="xlcrm",
        description="客户管理：季度客户等级变动、统计表与最低标准表",
        epilog="例：\n  xlcrm demo          用样例数据试一遍\n  xlcrm build --help  查看某个命令的用法",
    )
    top.add_argument("--version", action="version", version=f"xlcrm {__version__}")
    common = ChineseArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="出错时显示完整的技术信息（traceback）")
    common.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    sub = top.add_subparsers(dest="command", required=True, metavar="命令", title="命令")

    build = _command(
        sub,
        "build",
        "生成本季报表：线路表新增列、两张统计表、数据问题",
        f"xlcrm build {INPUTS_EXAMPLE} \\\n      --out 本季客户等级报表.xlsx --pdf 拜访表.pdf",
        parents=[common],
    )
    _input_options(build)
    build.add_argument("--out", type=Path, required=True, help="输出工作簿 .xlsx")
    build.add_argument("--export-dir", type=Path, help="另存 CSV（UTF-8）到此文件夹，供其他工具使用")
    build.add_argument("--pdf", type=Path, help="同时打印成 PDF（需要 LibreOffice）")
    build.add_argument(
        "--quarter",
        help="本季是哪个季度，如 2026Q3 或 2026年第三季度（标题和客户档案库用）；不给时从等级表文件名判断",
    )
    build.add_argument(
        "--store",
        metavar="档案库",
        help=STORE_HELP + "；本季记录进去，线路表加近四季等级，重点关注列出多季提醒",
    )
    build.add_argument(
        "--volume-drop",
        type=float,
        default=AlertSettings.volume_drop,
        metavar="比例",
        help="购进量比上季下降到这个比例以上时提醒（默认 0.3，即下降 30%%）",
    )
    build.add_argument("--manager", help="标题中的客户经理姓名；不给时从线路表标题行（客户经理：某某）读取")
    build.add_argument(
        "--no-mask",
        dest="mask",
        action="store_false",
        help="线路表显示完整的电话和身份证号（默认隐藏中间几位，如 138****5678，因为拜访表要带出办公室）",
    )
    _print_columns_option(build)

    check = _command(
        sub, "check", "只检查数据，列出所有数据问题", f"xlcrm check {INPUTS_EXAMPLE}", parents=[common]
    )
    _input_options(check)
    check.add_argument("--export-dir", type=Path, help="另存 CSV（含 issues.csv）到此文件夹")

    printing = _command(
        sub,
        "print",
        "把工作簿打印成 PDF（需要 LibreOffice）；客户管理.xlsm 打印拜访表和两张统计表，同“打印拜访表”按钮",
        "xlcrm print 本季客户等级报表.xlsx --pdf 拜访表.pdf",
        parents=[common],
    )
    printing.add_argument("workbook", type=Path, help="xlcrm build 生成的工作簿，或 客户管理.xlsm")
    printing.add_argument("--pdf", type=Path, help="PDF 文件名（默认与工作簿同名）")

    template = _command(
        sub,
        "template",
        "生成 Excel 模板 客户管理.xlsm（功能区“客户管理”选项卡、宏和单元格函数）",
        "xlcrm template --out 客户管理.xlsm",
        parents=[common],
    )
    template.add_argument(
        "--out", type=Path, default=Path("客户管理.xlsm"), help="模板文件（默认 客户管理.xlsm）"
    )

    batch = _command(
        sub,
        "batch",
        "整个营销部一次完成：每位客户经理一份拜访表，外加部门汇总",
        "xlcrm batch --grades 辖区/2026年三季度客户等级表.xlsx \\\n"
        "      --purchases 辖区/2026年三季度客户购进量与购进额.xlsx"
        " \\\n      --routes-dir 线路表/ --out-dir 本季报表/ --pdf"
        "\n  （样例数据：xlcrm demo --department 部门样例 会生成这些文件并运行一次）",
        parents=[common],
    )
    batch.add_argument("--grades", type=Path, required=True, help="辖区本季度客户等级表")
    batch.add_argument("--purchases", type=Path, required=True, help="客户购进量与购进额表")
    batch.add_argument(
        "--previous-grades", type=Path, help="上季度客户等级表；不给时用各线路表中的上季等级列"
    )
    where = batch.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--routes-dir", type=Path, help="每位客户经理一个线路表文件的文件夹（文件名即客户经理）"
    )
    where.add_argument("--routes-table", type=Path, help="一张含客户经理列和线路列的线路总表")
    batch.add_argument(
        "--manager-column", default="客户经理", help="线路总表中客户经理所在列的表头（默认 客户经理）"
    )
    batch.add_argument(
        "--visits-dir",
        type=Path,
        help="每位客户经理一个拜访记录文件的文件夹（文件名即客户经理，如 张三.xlsx 或 张三拜访记录.xlsx）；"
        "没有文件的客户经理用其线路表中的“拜访记录”表",
    )
    batch.add_argument(
        "--out-dir", type=Path, required=True, help="输出文件夹：每人一个 .xlsx，以及 部门汇总.xlsx"
    )
    batch.add_argument("--pdf", action="store_true", help="同时为每人打印 PDF（需要 LibreOffice）")
    batch.add_argument("--workers", type=int, help="同时处理几份（默认：全部 CPU 核心）")
    batch.add_argument("--quarter", help="本季是哪个季度，如 2026Q3；不给时从等级表文件名判断")
    batch.add_argument("--store", metavar="档案库", help=STORE_HELP + "；全部门一次记录（一个事务）")
    batch.add_argument(
        "--volume-drop",
        type=float,
        default=AlertSettings.volume_drop,
        metavar="比例",
        help="购进量比上季下降到这个比例以上时提醒（默认 0.3）",
    )
    batch.add_argument("--no-mask", dest="mask", action="store_false", help="拜访表显示完整的电话和身份证号")
    _print_columns_option(batch)
    _engine_options(batch)
    _value_options(batch, department=True)

    macro = _command(
        sub,
        "macro",
        "不开 Excel，对 客户管理.xlsm 运行功能区按钮（导入/检查/生成/打印）",
        "xlcrm macro build_report 客户管理.xlsm",
        parents=[common],
    )
    macro.add_argument(
        "button",
        choices=["import_data", "check_data", "build_report", "print_preview"],
        help="import_data 导入数据 | check_data 检查数据 | build_report 生成本季报表 | "
        "print_preview 打印成 PDF",
    )
    macro.add_argument("workbook", type=Path, help="客户管理.xlsm（由 xlcrm template 生成）")
    for option, key, text in (
        ("--routes", "routes", "线路表"),
        ("--grades", "grades", "本季等级表"),
        ("--previous-grades", "previous", "上季等级表"),
        ("--purchases", "purchases", "购进表"),
    ):
        macro.add_argument(option, dest=f"file_{key}", type=Path, help=f"import_data 要导入的{text}")

    sub.add_parser(
        "install",
        add_help=False,
        help="把 xlcrm 装进 Excel（与 python install_addin.py 相同；xlcrm install --help 看选项）",
    )

    doctor = _command(
        sub,
        "doctor",
        "检查安装：Python、包版本、模板与 xlwings.conf、打印 PDF 所需的程序和字体",
        "xlcrm doctor",
    )
    doctor.add_argument("--target", type=Path, default=Path.home(), help="用户主文件夹（默认当前用户）")
    doctor.add_argument("--platform", choices=["windows", "macos", "linux"], help=argparse.SUPPRESS)
    doctor.add_argument("--python", type=Path, default=Path(sys.executable), help=argparse.SUPPRESS)

    history_cli.add_parsers(sub, common, _engine_options, _command)
    history_cli.add_cards_parser(sub, common, _command)
    handover_cli.add_handover_parser(sub, common, _command)

    demo = _command(
        sub,
        "demo",
        "用内置样例数据跑一遍完整流程；加 --department 则生成整个营销部的样例并运行 xlcrm batch",
        "xlcrm demo --dir demo_output\n  xlcrm demo --department 部门样例 --managers 5",
        parents=[common],
    )
    demo.add_argument(
        "--dir", type=Path, default=Path("demo_output"), help="样例输入和结果放在这里（默认 demo_output）"
    )
    demo.add_argument(
        "--department",
        type=Path,
        metavar="文件夹",
        help="改为生成营销部样例：辖区等级表和购进表、每位客户经理一个线路表文件，"
        "并用 xlcrm batch 生成各人拜访表",
    )
    demo.add_argument("--managers", type=int, default=5, help="--department 的客户经理人数（默认 5）")
    demo.add_argument(
        "--customers", type=int, default=500, help="线路客户数（默认 500；--department 时为每人的客户数）"
    )
    demo.add_argument(
        "--scheme",
        default="code2008",
        choices=["code2008", "tiers30", "tiers15"],
        help="样例数据的等级方案（默认 code2008）",
    )
    demo.add_argument("--seed", type=int, default=1, help="随机种子：同一种子生成同样的样例（默认 1）")
    _chinese_metavars(top)
    return top


def _chinese_metavars(top: argparse.ArgumentParser) -> None:
    """Option values named in Chinese in the help (文件, 数, 文字) instead of ROUTES, OUT …"""
    commands = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction)).choices
    for command in commands.values():
        for action in command._actions:
            if action.option_strings and action.metavar is None and action.nargs != 0:
                action.metavar = {Path: "文件", int: "数"}.get(action.type, "文字")
            elif not action.option_strings and action.metavar is None and action.type is Path:
                action.metavar = "文件"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["install"]:  # the installer has its own options (python install_addin.py --help)
        from ..install.installer import main as install

        return install(argv[1:], prog="xlcrm install")
    args = parser().parse_args(argv)
    if args.command == "doctor":
        from ..install.doctor import main as doctor
        from ..install.places import current_platform

        return doctor(args.platform or current_platform(), args.target, args.python)
    say = (lambda _: None) if args.quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    try:
        code = COMMANDS[args.command](args, Stopwatch(say))
        sys.stdout.flush()  # a reader that stopped early (xlcrm check … | head) shows here, not at exit
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_PIPE_CLOSED
    except XlcrmError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("已中断，输出文件未改动", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so plainly, and how to report it
        if args.debug:
            traceback.print_exc()
        else:
            print(
                f"程序内部错误（{type(exc).__name__}: {exc}）。输入文件未被改动。"
                "请加 --debug 重新运行，并把输出发给维护人员",
                file=sys.stderr,
            )
        return EXIT_BUG


def _quiet_stdout() -> None:
    """The reader of our output has gone: nothing more to say, and nothing at exit either
    (Python would flush the rest into the closed pipe and print a BrokenPipeError)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor behind stdout (tests capture it)
        pass


def _settings(args) -> ReviewSettings:
    return ReviewSettings(
        scheme=scheme_choice(args.scheme, args.grade_order), batches=parse_batch_mapping(args.batch)
    )


def request_from(args, *, out: Path | None) -> QuarterRequest:
    """The command line's options as one quarterly run."""
    return QuarterRequest(
        files=InputFiles(
            args.routes,
            args.grades,
            args.purchases,
            args.previous_grades,
            visits=args.visits,
            orders=args.orders,
        ),
        settings=_settings(args),
        columns=parse_column_overrides(args.column),
        quarter=getattr(args, "quarter", None),
        manager=getattr(args, "manager", None),
        out=out,
        export_dir=args.export_dir,
        pdf=getattr(args, "pdf", None),
        mask=getattr(args, "mask", True),
        store=getattr(args, "store", None),
        alerts=_alert_settings(args),
        print_columns=print_column_choice(getattr(args, "print_columns", None)),
        as_of=as_of_date(args.as_of),
        values=value_settings(args),
    )


def value_settings(args) -> ValueSettings:
    """--abc and --no-order-days, each said in Chinese when it cannot be read."""
    try:
        shares = parse_abc(args.abc)
    except XlcrmError as exc:
        raise XlcrmError(f"--abc：{exc}") from None
    try:
        return ValueSettings(shares, no_order_days(args.no_order_days))
    except XlcrmError as exc:
        raise XlcrmError(f"--no-order-days：{exc}") from None


def as_of_date(text: str | None) -> dt.date:
    """--as-of: the day every date rule counts from; today when not given."""
    if text is None:
        return dt.date.today()
    day = parse_date(text)
    if day is None:
        raise XlcrmError(f"--as-of {text}：不是日期，请写成 2026-06-22、2026/6/22 或 2026年6月22日")
    return day


def _alert_settings(args) -> AlertSettings:
    share = getattr(args, "volume_drop", AlertSettings.volume_drop)
    if not 0 < share < 1:
        raise XlcrmError(f"--volume-drop 应是 0 到 1 之间的比例，如 0.3（下降 30%），不是 {share}")
    return AlertSettings(volume_drop=share)


def cmd_build(args, watch: Stopwatch) -> int:
    run_quarter(request_from(args, out=args.out), watch)
    return 0


def cmd_print(args, watch: Stopwatch) -> int:
    pdf = args.pdf or args.workbook.with_suffix(".pdf")
    check_suffix(pdf, ".pdf", "--pdf", "打印的结果是 PDF")
    if args.workbook.suffix.lower() in (".xlsm", ".xltm"):  # 客户管理.xlsm: what 打印拜访表 prints
        from .. import macros
        from ..macros.filebook import FileBook

        book = FileBook(args.workbook, pdf=pdf)
        done = watch.stage(f"打印拜访表 {args.workbook.name}", macros.print_preview, book)
        for message in book.messages:
            print(message)
        return 0 if done is not None else EXIT_USER_ERROR
    watch.stage(f"打印 PDF {pdf.name}", workbook_to_pdf, args.workbook, pdf)
    watch.say(f"已写入 {pdf}")
    return 0


def cmd_check(args, watch: Stopwatch) -> int:
    result = run_quarter(request_from(args, out=None), watch)
    for row in result.issues.itertuples(index=False):
        code = row.customer_code if isinstance(row.customer_code, str) else ""
        print(f"{KINDS.get(row.kind, row.kind)}\t{code}\t{row.source}\t{row.detail}")
    return 0


def cmd_demo(args, watch: Stopwatch) -> int:
    from ..core.quarters import Quarter
    from ..demo.orders import sample_orders
    from ..demo.sample import XLS_WRITER, generate
    from ..demo.visits import sample_visits

    output_folder(args.dir)  # a folder that cannot be written is said before anything runs
    if args.department:
        return _demo_department(args, watch)
    if not XLS_WRITER:
        watch.say("未安装 xlwt（pip install 'xlcrm[demo]'）：样例的上季等级表写成 .xlsx，而不是旧版 .xls")
    sample = watch.stage(
        "生成样例数据",
        generate,
        args.dir / "inputs",
        route_customers=args.customers,
        scheme=args.scheme,
        seed=args.seed,
    )
    orders = watch.stage(
        "生成样例订单明细", sample_orders, args.dir / "inputs" / "订单明细.csv", sample.truth, seed=args.seed
    )
    watch.say(f"订单明细截至 {orders.as_of.isoformat()}：按这一天计算多久未订货、跟进到期（--as-of）")
    visits = watch.stage(
        "生成样例拜访记录",
        sample_visits,
        args.dir / "inputs" / "拜访记录.xlsx",
        sample.truth.route_customers["customer_code"].dropna(),
        Quarter.of_day(orders.as_of).first_day,
        orders.as_of,
        seed=args.seed,
    )
    workbook = args.dir / "本季客户等级报表.xlsx"
    run_quarter(
        QuarterRequest(
            files=InputFiles(
                sample.routes,
                sample.grades,
                sample.purchases,
                sample.previous_grades,
                visits=visits.path,
                orders=orders.path,
            ),
            out=workbook,
            export_dir=args.dir / "csv",
            pdf=workbook.with_suffix(".pdf") if find_office() else None,
            as_of=orders.as_of,
        ),
        watch,
    )
    return 0


def _demo_department(args, watch: Stopwatch) -> int:
    """A department's sample files, then `xlcrm batch` on them, as the README's example runs."""
    from ..core.quarters import Quarter
    from ..demo.department import department
    from ..demo.orders import sample_orders
    from ..demo.visits import department_visits

    folder = args.department
    made = watch.stage(
        f"生成营销部样例（{args.managers} 位客户经理）",
        department,
        folder,
        managers=args.managers,
        customers_per_manager=args.customers,
        seed=args.seed,
    )
    sample = made.sample
    orders = watch.stage(
        "生成样例订单明细", sample_orders, folder / "辖区" / "订单明细.csv", sample.truth, seed=args.seed
    )
    argv = ["batch", "--grades", str(sample.grades), "--purchases", str(sample.purchases)]
    argv += ["--previous-grades", str(sample.previous_grades), "--routes-dir", str(made.routes_dir)]
    visits = watch.stage(
        "生成样例拜访记录",
        department_visits,
        folder / "拜访记录",
        made.routes_dir,
        Quarter.of_day(orders.as_of).first_day,
        orders.as_of,
        seed=args.seed,
    )
    argv += ["--orders", str(orders.path), "--as-of", orders.as_of.isoformat(), "--visits-dir", str(visits)]
    argv += ["--out-dir", str(folder / "本季报表")]
    argv += ["--pdf"] if find_office() else []
    watch.say("运行：xlcrm " + " ".join(argv))
    return cmd_batch(parser().parse_args([*argv, *(["-q"] if args.quiet else [])]), watch)


def cmd_template(args, watch: Stopwatch) -> int:
    from ..template.build import build_template

    watch.stage(f"生成模板 {args.out.name}", build_template, args.out)
    watch.say(f"已写入 {args.out}：用 Excel 打开并启用宏，功能区出现“客户管理”选项卡")
    return 0


def cmd_batch(args, watch: Stopwatch) -> int:
    from ..store.builds import quarter_of
    from .department_run import (
        DepartmentOptions,
        department_quarter,
        orders_on_no_route,
        prepare,
        record_department,
        routes_in_folder,
        routes_in_table,
        run_department,
        visit_logs_in_folder,
        with_orders,
        with_unmatched_logs,
        write_department,
    )
    from .inputs_ahead import InputsAhead
    from .progress import progress_bar
    from .quarter_run import orders_read

    settings = _settings(args)
    values = value_settings(args)
    as_of = as_of_date(args.as_of)
    labels = {
        "grades": "本季等级表（--grades）",
        "previous": "上季等级表（--previous-grades）",
        "purchases": "购进表（--purchases）",
        "orders": "订单明细（--orders）",
    }
    check_distinct(
        {labels[k]: getattr(args, k if k != "previous" else "previous_grades") for k in labels},
        [(labels["grades"], labels["previous"])]
        + [(labels[k], labels["orders"]) for k in ("grades", "previous", "purchases")],
    )
    district_files = [p for p in (args.grades, args.purchases, args.previous_grades, args.orders) if p]
    jobs = (
        routes_in_folder(args.routes_dir)
        if args.routes_dir
        else routes_in_table(args.routes_table, args.manager_column)
    )
    for job in [j for j in jobs if any(same_file(j.file, p) for p in district_files)]:
        print(f"跳过 {job.file.name}：它是辖区的等级表或购进表，不是客户经理的线路表")
        jobs.remove(job)
    if not jobs:
        raise XlcrmError("没有客户经理的线路表可处理：请检查 --routes-dir 或 --routes-table")
    unmatched = []
    if args.visits_dir:
        if not args.visits_dir.is_dir():
            raise XlcrmError(f"找不到拜访记录文件夹 {args.visits_dir}（--visits-dir），请检查路径")
        jobs, unmatched = visit_logs_in_folder(args.visits_dir, jobs)
        for path in unmatched:
            print(
                f"拜访记录 {path.name}：文件名不是哪位客户经理的姓名，其中的拜访未计入"
                "（见部门汇总的数据问题）"
            )
    # the order detail and the visit logs are read on the core the district's read leaves idle
    logs = {j.manager: j.visits[0] for j in jobs if len(j.visits) == 1}
    columns = parse_column_overrides(args.column)
    ahead, what = None, ""
    if args.orders or logs:
        ahead = InputsAhead(args.orders, columns, as_of, logs)
        parts = [f"订单明细 {args.orders.name}"] if args.orders else []
        what = " 与 ".join(parts + ([f"{len(logs)} 位客户经理的拜访记录"] if logs else []))
        watch.note(f"同时读取{what}")
    with ahead or contextlib.nullcontext():
        district = watch.stage(
            "准备辖区数据",
            prepare,
            args.grades,
            args.purchases,
            args.previous_grades,
            settings,
            columns,
            watch.note,
        )
    orders = None
    if ahead is not None:
        read = watch.stage(f"读取{what}", ahead.result)
        orders = read.orders
        if orders is not None:
            orders_read(orders, watch)
            district = with_orders(district, orders)
        jobs = [replace(j, log=read.logs.get(j.manager)) for j in jobs]
    inputs = [*district_files, *(j.file for j in jobs)]
    options = DepartmentOptions(
        out_dir=args.out_dir,
        settings=settings,
        quarter=department_quarter(args.quarter, args.grades),
        pdf=args.pdf,
        mask=args.mask,
        store=args.store,
        alerts=_alert_settings(args),
        inputs=tuple(dict.fromkeys(inputs)),
        print_columns=print_column_choice(args.print_columns),
        as_of=as_of,
        values=values,
        visits=args.visits_dir is not None,
    )
    if args.store:
        quarter_of(options.quarter)  # a store needs the quarter: say so before the long run
    watch.say(f"客户经理 {len(jobs)} 位，使用 {args.workers or os.cpu_count()} 个进程")
    summaries, failures = watch.stage(
        "生成各人拜访表",
        run_department,
        jobs,
        district,
        options,
        workers=args.workers,
        progress=(lambda *_: None) if args.quiet else progress_bar(),
        orders=orders,
    )
    if orders is not None:
        district = orders_on_no_route(district, orders, summaries, failures)
    district = with_unmatched_logs(district, unmatched, [j.manager for j in jobs])
    inputs = [p for p in (*district_files, args.routes_table) if p]
    trend = None
    if args.store and summaries:
        trend = watch.stage(
            f"记录到客户档案库 {args.store}",
            record_department,
            summaries,
            district,
            options,
            args.grades,
            args.purchases,
        )
    book = watch.stage(
        "写入部门汇总", write_department, summaries, failures, district, options, inputs, trend
    )
    customers = sum(sum(s.counts.values()) for s in summaries)
    print(f"已生成 {len(summaries)} 位客户经理的拜访表（线路客户 {customers:,} 户），部门汇总：{book}")
    for failure in failures:
        print(f"未完成：{failure.manager}（{failure.file}）：{failure.reason}")
    return EXIT_USER_ERROR if failures else 0


def cmd_macro(args, watch: Stopwatch) -> int:
    from .. import macros
    from ..macros.filebook import FileBook

    files = {k[5:]: v for k, v in vars(args).items() if k.startswith("file_") and v}
    book = FileBook(args.workbook, files=files or None)
    done = watch.stage(f"{args.button} {args.workbook.name}", getattr(macros, args.button), book)
    for message in book.messages:
        print(message)
    for pdf in book.previews:
        watch.say(f"已写入 {pdf}")
    return 0 if done is not None else EXIT_USER_ERROR


COMMANDS = {
    "history": history_cli.cmd_history,
    "cards": history_cli.cmd_cards,
    "handover": handover_cli.cmd_handover,
    "build": cmd_build,
    "batch": cmd_batch,
    "macro": cmd_macro,
    "check": cmd_check,
    "print": cmd_print,
    "template": cmd_template,
    "demo": cmd_demo,
}


if __name__ == "__main__":
    sys.exit(main())
