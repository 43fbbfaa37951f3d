"""The 客户管理 ribbon's Python side: one function per button (ribbon.xml → xlcrm.bas →
RunPython → here). Each takes the workbook — the calling Excel workbook when run from a
button, a FileBook in tests and headless runs — and ends with a message in Chinese."""

from __future__ import annotations

import functools
import tempfile
import traceback
from pathlib import Path

from ..core.errors import XlcrmError
from ..core.history import outlook
from ..core.quarters import Quarter
from ..core.titles import Labels
from ..report.cards import CARDS_NAME
from ..report.messages import customers_line, issue_counts
from ..report.visit_workbook import ISSUES_NAME, OVERVIEW_NAME
from . import names
from .book import Book
from .customer_store import cards_for, record_report, store_target
from .importing import import_files
from .workflow import (
    read_book,
    read_book_settings,
    render_cards,
    render_issues,
    render_print,
    render_report,
    run,
    selected_codes,
    title_labels,
)

TITLE = "客户管理"
ERROR_LOG = Path(tempfile.gettempdir()) / "xlcrm-error.log"


def _calling_book() -> Book:
    from .livebook import LiveBook  # xlwings talks to Excel only when a button runs

    return LiveBook.caller()


def button(label: str):
    """Resolves the workbook, saves on success, and turns every failure into a message:
    what to fix for a data problem, where the details are for a bug — never a traceback."""

    def wrap(fn):
        @functools.wraps(fn)
        def run_button(book: Book | None = None):
            book = book or _calling_book()
            try:
                message = fn(book)
                book.save()
            except XlcrmError as exc:
                book.alert(f"{label}未完成：{exc}")
                return None
            except Exception:  # a bug: the workbook was not changed; keep the details for whoever fixes it
                ERROR_LOG.write_text(traceback.format_exc(), encoding="utf-8")
                book.alert(
                    f"{label}未完成：程序内部错误，工作簿未被改动。"
                    f"详细信息已保存到 {ERROR_LOG}，请发给维护人员"
                )
                return None
            book.alert(message)
            return message

        return run_button

    return wrap


@button("导入数据")
def import_data(book: Book) -> str:
    files = book.choose_files()
    if not files:
        raise XlcrmError("没有选择文件，工作簿未改动。请再点“导入数据”，选择导出的表格文件")
    return import_files(book, files)


@button("检查数据")
def check_data(book: Book) -> str:
    done = run(book)
    with tempfile.TemporaryDirectory(prefix="xlcrm-") as work:
        book.apply(render_issues(done.result, done.labels, Path(work)))
    book.activate(ISSUES_NAME)
    return issue_counts(done.result.issues) + f"。\n详见“{ISSUES_NAME}”表。"


@button("生成本季报表")
def build_report(book: Book) -> str:
    done = run(book, with_store=True)
    result, labels = done.result, done.labels
    known, recorded = None, ""
    if done.store:
        quarter = Quarter.find(labels.quarter)
        if quarter is None:
            recorded = "\n未记录到客户档案库：不知道是哪个季度，请在“设置”中填写季度后再生成一次。"
        else:
            known = record_report(done.store, quarter, result, labels, done.settings, book.name)
            recorded = f"\n已记录到客户档案库（{Path(done.store).name}，{quarter.label}）。"
    look = outlook(result, known)
    with tempfile.TemporaryDirectory(prefix="xlcrm-") as work:
        rendering = render_report(result, done.inputs, labels, Path(work), look)
        book.apply(rendering)
    book.activate(OVERVIEW_NAME)
    routes = "、".join(a.sheet for a in rendering.additions)
    sheets = "".join(f"“{name}”" for name in rendering.sheets)
    return (
        f"已生成本季报表：{customers_line(result, '，')}。\n线路表（{routes}）右侧已更新；"
        f"{sheets}已重新生成。\n" + issue_counts(result.issues) + "。" + recorded
    )


@button("客户资料卡")
def customer_cards(book: Book) -> str:
    """Cards for the customers selected on a route sheet; on 重点关注 (or with nothing selected
    on a route sheet), for everyone on it."""
    settings = read_book_settings(book)
    target = store_target(book, settings)
    if target is None:
        raise XlcrmError(
            "“设置”中的客户档案库填了“不记录”：客户资料卡来自客户档案库，请先填写文件名并生成本季报表"
        )
    sheet, rows = book.selection()
    routes = read_book(book)[0].routes
    labels = title_labels(settings, routes)
    codes, whom = selected_codes(book, sheet, rows, routes)
    build, cards = cards_for(target, labels, codes)
    if not cards:
        raise XlcrmError(f"{whom}在客户档案库（{build.quarter.label}）中没有记录：请先生成本季报表")
    with tempfile.TemporaryDirectory(prefix="xlcrm-") as work:
        book.apply(render_cards(cards, Labels(build.quarter.label, build.manager or None), Path(work)))
    book.activate(CARDS_NAME)
    return (
        f"已生成客户资料卡 {len(cards)} 张（{whom}，{build.quarter.label}），"
        f"见“{CARDS_NAME}”表，两张一页，可直接打印。"
    )


@button("打印拜访表")
def print_preview(book: Book) -> str:
    """The route sheets and both tables printed as `xlcrm build` prints them (one rendering:
    the same descriptions, page setup, legend and page numbers), from the workbook's own data."""
    done = run(book)
    with tempfile.TemporaryDirectory(prefix="xlcrm-print-") as work:
        rendering = render_print(done.result, done.inputs, done.labels, done.settings, Path(work))
        pdf = book.preview(rendering.path)
    routes = len(rendering.sheets) - 2
    hidden = "电话和身份证号已隐藏中间几位，" if done.settings.mask_print else ""
    what = f"{routes} 张线路表和 2 张统计表（{hidden}打印的列见“设置”）"
    if pdf is None:
        return f"已打开打印预览：{what}。"
    return f"已打印成 PDF：{pdf}\n内容：{what}。"


@button("帮助")
def show_help(book: Book) -> str:
    if names.HELP in book.sheet_names():
        book.activate(names.HELP)
    return (
        "每季度：导入数据 → 检查数据 → 生成本季报表 → 打印拜访表。详细步骤见“使用说明”表；"
        "出现问题时在命令行运行 xlcrm doctor。"
    )


BUTTONS = {
    "xlcrm_ImportData": import_data,
    "xlcrm_CheckData": check_data,
    "xlcrm_BuildReport": build_report,
    "xlcrm_PrintPreview": print_preview,
    "xlcrm_CustomerCards": customer_cards,
    "xlcrm_ShowHelp": show_help,
}
