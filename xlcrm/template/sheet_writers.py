"""The template's sheets, laid out from workbook_templates/template.toml with XlsxWriter."""

from __future__ import annotations

from ..core.weekdays import VISIT_WEEKDAYS
from ..io.xlsx import LAST_ROW, apply_page_setup, overdue_dates, validation
from ..report.look import NUMBER_FORMATS, OVERDUE_STYLE, display_width
from ..report.pages import page_setup
from ..report.visit_log import LOG_COLUMNS, LOG_WIDTHS

HELP_WIDTH = 100  # characters: one A4 page wide


def write_sheets(book, spec: dict, config: dict[str, str]) -> list[str]:
    """Every sheet of the spec, in order; returns the VBA code names given to them."""
    formats = _formats(book)
    code_names = []
    for i, sheet in enumerate(spec["sheets"], start=1):
        ws = book.add_worksheet(sheet["name"])
        code_names.append(f"Sheet{i}")
        ws.set_vba_name(code_names[-1])
        WRITERS[sheet["kind"]](ws, sheet, formats, config)
    return code_names


def _formats(book) -> dict:
    return {
        "title": book.add_format({"bold": True, "font_size": 16}),
        "section": book.add_format({"bold": True, "font_size": 12}),
        "text": book.add_format({"valign": "top"}),
        "head": book.add_format({"bold": True, "border": 1, "bg_color": "#D9D9D9", "align": "center"}),
        "label": book.add_format({"border": 1, "bold": True}),
        "input": book.add_format({"border": 1, "bg_color": "#FFF2CC", "locked": False}),
        "filled": book.add_format({"border": 1, "bg_color": "#EDEDED", "font_color": "#595959"}),
        "note": book.add_format({"border": 1, "font_color": "#595959", "text_wrap": True}),
        "code": book.add_format({"num_format": "@"}),
        "date": book.add_format({"num_format": NUMBER_FORMATS["date"], "align": "center"}),
        "filled_name": book.add_format({"bg_color": "#EDEDED", "font_color": "#595959"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "route_title": book.add_format({"bold": True, "font_size": 16, "align": "center"}),
        "overdue": book.add_format(OVERDUE_STYLE),
    }


def _help(ws, sheet: dict, f: dict, _config) -> None:
    ws.set_column(0, 0, HELP_WIDTH)
    ws.hide_gridlines(2)
    row = 0
    for i, line in enumerate(sheet["lines"]):
        if i == 0:
            ws.write(row, 0, line, f["title"])
        elif line and not line[0].isdigit() and not line.startswith(("•", " ")) and len(line) <= 8:
            ws.write(row, 0, line, f["section"])  # 第一次使用 / 每个季度 / 注意
        else:
            # split here rather than wrap: every program shows and prints it the same
            for part in _split(line, HELP_WIDTH - 10):
                ws.write(row, 0, part, f["text"])
                row += 1
            continue
        row += 1
    apply_page_setup(ws, page_setup(sheet["name"], "", landscape=False, scale=100))


def _split(line: str, width: int) -> list[str]:
    """Lines of at most `width` display columns; continuations indented under the text."""
    indent = "   " if line[:1].isdigit() or line.startswith("•") else line[: len(line) - len(line.lstrip())]
    parts, current = [], ""
    for ch in line:
        if display_width(current + ch) > width:
            parts.append(current)
            current = indent
        current += ch
    return parts + [current]


def _settings(ws, sheet: dict, f: dict, _config) -> None:
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 60)
    ws.set_column(3, 3, 16)
    for col, text in enumerate(("项目", "值", "说明", "由谁填写")):
        ws.write(0, col, text, f["head"])
    for row, item in enumerate(sheet["settings"], start=1):
        by_xlcrm = item.get("by") == "xlcrm"
        ws.write(row, 0, item["label"], f["label"])
        ws.write(row, 1, item.get("value", ""), f["filled" if by_xlcrm else "input"])
        ws.write(row, 2, item.get("help", ""), f["note"])
        ws.write(row, 3, "xlcrm 自动填写" if by_xlcrm else "您填写", f["note"])
        if item.get("choices"):
            ws.data_validation(
                row,
                1,
                row,
                1,
                {
                    "validate": "list",
                    "source": item["choices"],
                    "error_title": item["label"],
                    "error_message": "请从列表中选择",
                },
            )
    table = sheet["batch_table"]
    top = len(sheet["settings"]) + 2
    ws.write(top, 0, table["label"], f["section"])
    for col, text in enumerate(table["headers"]):
        ws.write(top + 1, col, text, f["head"])
    for row in range(top + 2, top + 2 + table["rows"]):
        ws.write_blank(row, 0, None, f["input"])
        ws.write_blank(row, 1, None, f["input"])
    ws.data_validation(
        top + 2, 1, top + 1 + table["rows"], 1, {"validate": "list", "source": list(VISIT_WEEKDAYS)}
    )
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    apply_page_setup(ws, page_setup(sheet["name"], "", landscape=True, scale=100))


def _route(ws, sheet: dict, f: dict, _config) -> None:
    headers = sheet["headers"]
    ws.merge_range(0, 0, 0, len(headers) - 1, sheet.get("title", ""), f["route_title"])
    ws.write(1, 0, sheet.get("subtitle", ""))
    _headers(ws, headers, 2, f)
    ws.freeze_panes(3, 0)
    # printed as xlcrm build prints a route sheet: A4 across, the header on every page
    ws.repeat_rows(2)
    title = f"{sheet.get('title', '')}　{sheet['name']}"
    apply_page_setup(ws, page_setup(title, "", landscape=True, scale=100))


def _input(ws, sheet: dict, f: dict, _config) -> None:
    """An input sheet: the exports as imported. It prints nothing (its print area is one empty
    cell), so printing the whole workbook gives the route sheets and tables, not every export."""
    _headers(ws, sheet["headers"], 0, f)
    ws.freeze_panes(1, 0)
    far = 16383  # Excel's last column, never filled
    ws.print_area(0, far, 0, far)


def _headers(ws, headers: list[str], row: int, f: dict) -> None:
    for col, text in enumerate(headers):
        ws.write(row, col, text, f["head"])
        code = "代码" in text
        ws.set_column(
            col, col, max(10, display_width(text) + 4, 16 if code else 0), f["code"] if code else None
        )


def _visit_log(ws, sheet: dict, f: dict, _config) -> None:
    """The visit log as report.visit_log describes it: an Excel table (ListObject) with the header
    on row 1, the dropdowns and date checks of its columns, 客户名称 grey (xlcrm fills it in), a
    follow-up date past while not done in red (against TODAY(), as 跟进提醒 shows it)."""
    formats = {
        "date": f["date"],
        "code": f["code"],
        "name": f["filled_name"],
        **dict.fromkeys(("content", "need", "next_step"), f["wrap"]),
    }
    columns = []
    for at, (column, width) in enumerate(zip(LOG_COLUMNS, LOG_WIDTHS)):
        fmt = formats.get(column.key, formats.get(column.kind))
        columns.append({"header": column.header, **({"format": fmt} if fmt else {})})
        ws.set_column(at, at, width, fmt)
    ws.add_table(
        0,
        0,
        sheet["rows"],
        len(LOG_COLUMNS) - 1,
        {"name": sheet["title"], "columns": columns, "style": "Table Style Light 9", "autofilter": True},
    )
    name_at = next(at for at, c in enumerate(LOG_COLUMNS) if c.key == "name")
    ws.write_comment(0, name_at, "不用填写：点“生成本季报表”时按线路表填写", {"x_scale": 1.6})
    for at, column in enumerate(LOG_COLUMNS):
        if column.check is not None:
            ws.data_validation(1, at, LAST_ROW, at, validation(column.header, column.check))
    overdue_dates(ws, LOG_COLUMNS, 1, LAST_ROW, f["overdue"])
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    apply_page_setup(ws, page_setup(sheet["name"], "", landscape=True, scale=100))


def _xlwings_conf(ws, sheet: dict, _f: dict, config: dict[str, str | bool]) -> None:
    """Key in A, value in B, from A1 down with no header: what xlwings' GetConfigFromSheet reads.
    Keys of `config` the spec does not list (TEMP DIR, when the installer needs it) follow on."""
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 70)
    keys = [key for key, _ in sheet["config"]]
    rows = [(key, config.get(key, value)) for key, value in sheet["config"]]
    rows += [(key, value) for key, value in config.items() if key not in keys]
    for row, (key, value) in enumerate(rows):
        ws.write_string(row, 0, key)
        if isinstance(value, bool):
            ws.write_boolean(row, 1, value)
        elif value:  # an empty value stays an empty cell, as in xlwings' quickstart
            ws.write_string(row, 1, value)
    ws.hide()  # configuration, not for the manager's eyes nor for printing (xlwings reads it hidden)


WRITERS = {
    "help": _help,
    "settings": _settings,
    "route": _route,
    "input": _input,
    "visit_log": _visit_log,
    "xlwings_conf": _xlwings_conf,
}
