"""The command line's own words in Chinese: argparse writes "usage:", "options:", "the following
arguments are required" … in English; ChineseArgumentParser says them in Chinese, as every
other line a manager reads (argparse fetches its strings through gettext at the moment it
uses them; the parser swaps in this translation only while it works)."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

WORDS = {
    "usage: ": "用法：",
    "options": "选项",
    "optional arguments": "选项",
    "positional arguments": "位置参数",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "必须给出其中一个参数：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有命令 %(parser_name)r（可用：%(choices)s）",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "多余的值 %r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "expected at least one argument": "至少需要一个值",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的%(type)s",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "unexpected option string: %s": "意外的选项：%s",
    "%r is not callable": "%r 不可调用",
}
TYPE_NAMES = {"int": "整数", "float": "数字", "Path": "路径"}


def translate(text: str) -> str:
    return WORDS.get(text, text)


def translate_plural(singular: str, plural: str, n: int) -> str:
    if singular == "expected %s argument":
        return "需要 %s 个值"
    return WORDS.get(singular if n == 1 else plural, singular if n == 1 else plural)


@contextlib.contextmanager
def chinese() -> Iterator[None]:
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = translate, translate_plural
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose own words are Chinese; an example under the help keeps its lines."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        with chinese():
            super().__init__(*args, **kwargs)

    def add_argument(self, *args, **kwargs):
        if kwargs.get("action") == "version":
            kwargs.setdefault("help", WORDS["show program's version number and exit"])
        return super().add_argument(*args, **kwargs)

    def parse_known_args(self, *args, **kwargs):
        with chinese():
            return super().parse_known_args(*args, **kwargs)

    def format_usage(self) -> str:
        with chinese():
            return super().format_usage()

    def format_help(self) -> str:
        with chinese():
            return super().format_help()

    def error(self, message: str):
        with chinese():
            for english, name in TYPE_NAMES.items():
                message = message.replace(f"有效的{english}", f"有效的{name}")
            super().error(message)
