"""The visit log (拜访记录) and its follow-ups (pure: frames in, frames out).

A manager writes one row per contact with a customer: the day, the way (走访 / 电话 / 微信 /
其他), what was said, what the customer needs, the next step promised and its date, and
whether that next step is done (是 / 否). The log is cleaned into one visit record frame
(VISIT_RECORD); every rule below reads that frame, and everything in the log that cannot be
used is an issue at its cell (file › sheet › cell), never dropped silently.

A follow-up is a row with a next step or a follow-up date; it is open while 已完成 is anything
but 是. Dates are read by core.dates alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import issues as issue_list
from .addresses import cell_ref
from .cleaning import STRING, Cleaned, as_text, normalize_text
from .columns import find_header
from .dates import clean_dates, lacks_year
from .errors import XlcrmError
from .history import places
from .inputs import (
    VISITS,
    TableParts,
    clean_body,
    empty_table,
    header_layout,
    load_table,
    table_notes,
    table_parts,
)
from .keys import codes_among, positions_in
from .model import RawSheet, Table
from .privacy import mask_text_column
from .quarter import QuarterResult
from .quarters import Quarter
from .texts import text_array
from .weekdays import WEEKDAYS, route_sort_key

# the visit record: one row per visit of the log, in log order
VISIT_RECORD = [
    "visit_key",  # the visit's identity (visit_keys): one visit, however often written or recorded
    "customer_code",  # a clean code (never blank: a row without one is an issue, not a visit)
    "visit_date",  # datetime64, midnight; NaT when blank or unreadable (an issue says which)
    "method",  # one of METHODS; NA when blank or unreadable
    "content",  # text as written; NA when blank
    "need",
    "next_step",
    "follow_up_date",  # datetime64; NaT when blank or unreadable
    "done",  # bool: 已完成 is 是
    "name",  # 客户名称 as the log writes it
    "location",  # 'file › sheet › B' (the code column), with excel_row: where the row is
    "excel_row",
]
TEXTS = ("name", "content", "need", "next_step")
METHODS = ("走访", "电话", "微信", "其他")
# how managers write the way they were in touch → the dropdown's word
METHOD_WORDS = {
    **{m: m for m in METHODS},
    **dict.fromkeys(
        ("拜访", "上门", "上门拜访", "实地走访", "走访拜访", "面访", "面谈", "当面", "现场"), "走访"
    ),
    **dict.fromkeys(("打电话", "电话沟通", "电话回访", "电话联系", "通话", "手机"), "电话"),
    **dict.fromkeys(("微信沟通", "微信联系", "企业微信", "企微", "WECHAT", "VX", "WX"), "微信"),
    **dict.fromkeys(("其它", "短信", "邮件", "会议", "座谈", "培训"), "其他"),
}
DONE, NOT_DONE = "是", "否"
FOLLOW_UP_DAYS = 7  # a follow-up is due when its date is at most this many days after the as-of date
OVERDUE, DUE = "overdue", "due"
FOLLOW_UP_STATUS = {OVERDUE: "逾期", DUE: f"{FOLLOW_UP_DAYS}天内到期"}
FOLLOW_UP_EXPORT = ["customer_code", "due_date", "next_step", "status"]  # followups.csv
# a follow-up in the window, with what 跟进提醒 shows of it
FOLLOW_UP_ROWS = [
    "customer_code",
    "name",
    "route",
    "batch",
    "due_date",
    "next_step",
    "status",
    "visit_date",
    "method",
    "location",
    "excel_row",
]
LAST_VISITS = 5  # the customer card shows this many
# a sheet so named in a workbook holds the visit log (the template's, or a manager's own)
LOG_SHEET_WORDS = ("拜访记录", "拜访日志", "拜访登记", "走访记录", "沟通记录")


@dataclass(frozen=True)
class VisitLog:
    """A visit log as read: its visits (VISIT_RECORD) and everything that did not fit."""

    visits: pd.DataFrame
    issues: pd.DataFrame
    where: str  # 'file › sheet' for messages
    letters: Mapping[str, str] = field(default_factory=dict)  # role → its column's letter ('A')

    def cells(self, role: str, visits: pd.DataFrame, at: np.ndarray) -> list[str]:
        return role_cells(self.letters, role, visits, at)


def role_cells(letters: Mapping[str, str], role: str | None, rows: pd.DataFrame, at: np.ndarray) -> list[str]:
    """The cell of a role's column ('拜访.xlsx › 拜访记录 › A7') of the rows at these positions,
    from each row's code cell (location, excel_row), made for those rows only; the code cell
    itself when the log has no such column."""
    code_cells = issue_list.sources_at(rows, at)
    if role not in letters:
        return list(code_cells)
    excel_rows = rows["excel_row"].to_numpy()[at]
    return [f"{cell.rsplit(' › ', 1)[0]} › {letters[role]}{row}" for cell, row in zip(code_cells, excel_rows)]


def no_visits(where: str = VISITS.label) -> VisitLog:
    """An empty log: the template's 拜访记录 before anything is written in it."""
    frame = pd.DataFrame(
        {
            "visit_key": pd.Series(dtype=object),
            "customer_code": pd.Series(dtype=STRING),
            "visit_date": pd.Series(dtype="datetime64[ns]"),
            "method": pd.Series(dtype=STRING),
            **{t: pd.Series(dtype=STRING) for t in ("content", "need", "next_step")},
            "follow_up_date": pd.Series(dtype="datetime64[ns]"),
            "done": pd.Series(dtype=bool),
            "name": pd.Series(dtype=STRING),
            "location": pd.Series(dtype="category"),
            "excel_row": pd.Series(dtype="int64"),
        }
    )
    return VisitLog(frame[VISIT_RECORD], issue_list.empty(), where)


def log_sheets(sheets: list[RawSheet]) -> list[RawSheet]:
    """The sheets of a workbook that hold the log: those named so (拜访记录 …) when there are
    any (the log kept in the route workbook or in 客户管理.xlsm), else every sheet."""
    return _named_logs(sheets) or sheets


def _named_logs(sheets: list[RawSheet]) -> list[RawSheet]:
    return [s for s in sheets if s.sheet and any(w in s.sheet for w in LOG_SHEET_WORDS)]


def kept_log(sheets: list[RawSheet], overrides: Mapping[str, str] | None = None) -> VisitLog | None:
    """The log a manager keeps in their route workbook: its sheets named so (拜访记录 …);
    None when it has none."""
    named = _named_logs(sheets)
    return visit_log(named, overrides) if named else None


def visit_log(sheets: list[RawSheet], overrides: Mapping[str, str] | None = None) -> VisitLog:
    """A visit log's sheets, found and mapped as the other inputs are, cleaned into visits. A
    log with its header and no visit yet is an empty log (a manager starts with one)."""
    sheets = log_sheets(sheets)
    try:
        return clean_log(load_table(sheets, VISITS, overrides))
    except XlcrmError as exc:
        found = _started_or(exc, sheets, overrides)
        if isinstance(found, XlcrmError):
            raise
        return found


def visit_logs(
    logs: Sequence[list[RawSheet]], overrides: Mapping[str, str] | None = None
) -> list[VisitLog | XlcrmError]:
    """Many managers' logs, each as visit_log gives it, or the XlcrmError it raises. The logs of
    one layout are cleaned as one table: cleaning a log costs mostly per call, not per row."""
    logs = [log_sheets(sheets) for sheets in logs]
    out: list[VisitLog | XlcrmError | None] = [None] * len(logs)
    found: dict[int, TableParts] = {}
    by_layout: dict[tuple, list[int]] = {}
    for i, sheets in enumerate(logs):
        try:
            found[i] = table_parts(sheets, VISITS, overrides)
        except XlcrmError as exc:
            out[i] = _started_or(exc, sheets, overrides)
            continue
        by_layout.setdefault(header_layout(found[i].parts[0][1]), []).append(i)
    for members in by_layout.values():
        wheres = [s.where for i in members for s, _ in found[i].parts]
        if len(set(wheres)) < len(wheres):  # issues are told apart by their sheet: one log at a time
            for i in members:
                out[i] = _logged(visit_log, logs[i], overrides)
            continue
        for i, log in zip(members, _together([found[i] for i in members])):
            out[i] = log if isinstance(log, VisitLog) else _started_or(log, logs[i], overrides)
    return out


def _together(found: list[TableParts]) -> list[VisitLog | XlcrmError]:
    """Logs of one layout (their sheets all distinct) cleaned as one table, then told apart."""
    parts = [p for f in found for p in f.parts]
    rows, body_issues = clean_body(parts, VISITS.roles)
    if rows.empty:
        return [empty_table(f, VISITS) for f in found]
    owner_of_part = np.repeat(np.arange(len(found)), [len(f.parts) for f in found])
    row_owner = owner_of_part[rows["part"].to_numpy()]
    header = parts[0][1]
    table = Table(rows.drop(columns="part"), body_issues, parts[0][0].where, header)
    visits, issues, letters, owner = _cleaned(table, row_owner)
    owner_of = {sheet.where: owner_of_part[at] for at, (sheet, _) in enumerate(parts)}
    said = _told_apart(issues, owner_of, len(found))
    counted = np.bincount(row_owner, minlength=len(found))
    start = np.searchsorted(owner, np.arange(len(found) + 1))
    # one location per part, in part order (their sheets are all distinct): each log's are its parts'
    locations = rows["location"].cat.categories
    first_part = np.searchsorted(owner_of_part, np.arange(len(found) + 1))
    out: list[VisitLog | XlcrmError] = []
    for i, f in enumerate(found):
        mine = visits.iloc[start[i] : start[i + 1]].reset_index(drop=True)
        mine["location"] = mine["location"].cat.set_categories(locations[first_part[i] : first_part[i + 1]])
        if not counted[i]:  # as load_table says of this log alone
            out.append(empty_table(f, VISITS))
            continue
        notes = [n for n in table_notes(f, VISITS) if not n.empty]
        own = issue_list.combine([said[i], *notes]) if notes or said[i].empty else said[i]
        out.append(VisitLog(mine, own, f.parts[0][0].where, letters))
    return out


def _told_apart(issues: pd.DataFrame, owner_of: Mapping[str, int], count: int) -> list[pd.DataFrame]:
    """Each log's issues (their sources name its sheets: 'file › sheet', or a cell or row in it)."""
    source = issues["source"].astype(object).to_numpy()
    owner = np.array(
        [owner_of[s] if s in owner_of else owner_of[s.rsplit(" › ", 1)[0]] for s in source], dtype=np.int64
    )
    return [issues[owner == i].reset_index(drop=True) for i in range(count)]


def _logged(read, sheets: list[RawSheet], overrides) -> VisitLog | XlcrmError:
    try:
        return read(sheets, overrides)
    except XlcrmError as exc:
        return exc


def _started_or(problem: XlcrmError, sheets: list[RawSheet], overrides) -> VisitLog | XlcrmError:
    """As visit_log: a log with its header and no visit yet is an empty log, else the problem."""
    started = next((s for s in sheets if _header_only(s, overrides)), None)
    return problem if started is None else no_visits(started.where)


def _header_only(sheet: RawSheet, overrides: Mapping[str, str] | None) -> bool:
    """The log's header and nothing under it."""
    try:
        header = find_header(
            sheet.cells, VISITS.roles, where=sheet.where, required=VISITS.required, overrides=overrides
        )
    except XlcrmError:
        return False
    below = sheet.cells.loc[header.row + 1 :]
    return all((as_text(below[c]) == "").all() for c in below.columns)


def clean_log(table: Table) -> VisitLog:
    visits, issues, letters, _ = _cleaned(table)
    return VisitLog(visits, issues, table.where, letters)


def _cleaned(
    table: Table, owner: np.ndarray | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str], np.ndarray | None]:
    """clean_log's work: the visits (VISIT_RECORD), every issue, each role's column letter; with
    `owner` (which log each row is of, for several logs of one layout cleaned together) a visit
    written twice counts once within its own log, and the owner of each visit kept is returned."""
    rows = table.rows
    columns = table.header.columns
    for role in VISITS.roles[1:]:
        if role not in rows:
            rows = rows.assign(**{role: pd.Series("", index=rows.index, dtype=STRING)})
    letters = {role: cell_ref(at) for role, at in columns.items()}
    visit_dates, follow_dates = _two_dates(rows["visit_date"], rows["follow_up_date"])
    texts = {t: _blank_as_na(rows[t]) for t in TEXTS}
    methods = _methods(rows["method"])
    done_text = _filled(_tidied(rows["done"], normalize_text), "")
    visits = pd.DataFrame(
        {
            "customer_code": rows["customer_code"].astype(STRING),
            "visit_date": visit_dates.values,
            "method": methods,
            **{t: texts[t].astype(STRING) for t in ("content", "need", "next_step")},
            "follow_up_date": follow_dates.values,
            "done": done_text == DONE,
            "name": texts["name"].astype(STRING),
            "location": rows["location"],
            "excel_row": rows["excel_row"].astype("int64"),
        }
    )
    # a visit's identity by what was written: two different unreadable dates are two visits
    visits["visit_key"] = visit_keys(
        visits, date_written=rows["visit_date"], method_written=rows["method"]
    ).to_numpy()
    # the same visit written twice counts once: the later row (a log grows downwards, so it is
    # the update); the earlier one is listed, and only the rows that count are checked
    identity = visits["visit_key"]
    if owner is not None:  # logs cleaned together: the same visit in two logs is two managers' visits
        identity = identity + "\x1f" + pd.Series(owner.astype(str), index=visits.index, dtype=object)
    earlier = identity.duplicated(keep="last").to_numpy(dtype=bool)
    kept = ~earlier
    codes = visits["customer_code"].to_numpy(dtype=object)
    found = [table.issues]

    def cells(role: str | None, at: np.ndarray) -> list[str]:
        return role_cells(letters, role, rows, at)

    def hit(kind: str, role: str, mask: np.ndarray, details) -> None:
        """`details`: one text for all, or a function of the rows hit (their positions) giving
        a text each — made only for those rows."""
        at = np.flatnonzero(mask & kept)
        if len(at):
            said = details if isinstance(details, str) else np.asarray(details(at), object)
            found.append(issue_list.issue_frame(kind, codes[at], cells(role, at), said))

    blank_visit = _blank(rows["visit_date"])
    hit(
        "visit_no_date",
        "visit_date",
        blank_visit,
        "这条拜访没有日期，不计入上次拜访和本季拜访；请填写拜访日期",
    )
    for role, cleaned, label, consequence in (
        ("visit_date", visit_dates, "拜访日期", "不计入上次拜访和本季拜访"),
        ("follow_up_date", follow_dates, "跟进日期", "此跟进不会出现在跟进提醒中"),
    ):
        bad = cleaned.problem.notna().to_numpy(dtype=bool)
        if bad.any():
            written = rows[role].to_numpy(dtype=object)
            no_year = lacks_year(rows[role])
            hit(
                "visit_bad_date",
                role,
                bad,
                lambda at, written=written, no_year=no_year, label=label, consequence=consequence: [
                    f"{label}“{written[i]}”{'没有年份' if no_year[i] else '不是日期'}，{consequence}；"
                    "请写成 2026-06-22 这样的日期"
                    for i in at
                ],
            )

    steps = texts["next_step"].notna().to_numpy(dtype=bool)
    follow_written = ~_blank(rows["follow_up_date"])
    is_open = (steps | follow_written) & ~visits["done"].to_numpy(dtype=bool)
    due, seen = follow_dates.values.to_numpy(), visit_dates.values.to_numpy()
    step_text = texts["next_step"].to_numpy(dtype=object)
    hit(
        "follow_up_no_date",
        "follow_up_date",
        is_open & steps & ~follow_written,
        lambda at: [f"下一步“{step_text[i]}”没有跟进日期，不会出现在跟进提醒中；请填写跟进日期" for i in at],
    )
    hit(
        "follow_up_no_step",
        "next_step",
        is_open & ~steps & ~np.isnat(due),
        lambda at: [f"跟进日期 {_day(due[i])} 没有写下一步（要跟进什么）" for i in at],
    )
    hit(
        "follow_up_before_visit",
        "follow_up_date",
        is_open & ~np.isnat(due) & ~np.isnat(seen) & (due < seen),
        lambda at: [f"跟进日期 {_day(due[i])} 早于拜访日期 {_day(seen[i])}，请核对" for i in at],
    )
    method_text, done_written = (rows[r].to_numpy(dtype=object) for r in ("method", "done"))
    hit(
        "visit_bad_method",
        "method",
        methods.isna().to_numpy(dtype=bool) & ~_blank(rows["method"]),
        lambda at: [f"方式“{method_text[i]}”不是 {'/'.join(METHODS)} 之一，按空白处理" for i in at],
    )
    hit(
        "visit_bad_done",
        "done",
        (done_text != "") & (done_text != DONE) & (done_text != NOT_DONE),
        lambda at: [f"已完成一栏是“{done_written[i]}”，应填 是 或 否；按未完成处理" for i in at],
    )
    if earlier.any():
        last_row = visits["excel_row"].groupby(identity, sort=False).last()
        kept_at = last_row.reindex(identity[earlier]).to_numpy()
        found.append(
            issue_list.issue_frame(
                "visit_duplicate",
                codes[earlier],
                cells(None, np.flatnonzero(earlier)),
                [f"与第{r}行是同一次拜访（客户代码、日期、方式、内容都相同），按第{r}行计" for r in kept_at],
            )
        )
    visits = visits[kept][VISIT_RECORD].reset_index(drop=True)
    return visits, issue_list.combine(found), letters, None if owner is None else owner[kept]


def _two_dates(first: pd.Series, second: pd.Series) -> tuple[Cleaned, Cleaned]:
    """clean_dates of two columns read as one (its cost is mostly per call, not per cell)."""
    both = clean_dates(pd.concat([first, second], ignore_index=True))
    n = len(first)
    return tuple(
        Cleaned(
            pd.Series(both.values.to_numpy()[part], index=column.index),
            pd.Series(both.problem.to_numpy()[part], index=column.index, dtype=both.problem.dtype),
        )
        for part, column in ((slice(None, n), first), (slice(n, None), second))
    )


def _blank(text: pd.Series) -> np.ndarray:
    """Which cells are '' (a loaded table writes blank cells so)."""
    return pc.equal(pa.array(text.array), "").fill_null(False).to_numpy(zero_copy_only=False)


def _blank_as_na(text: pd.Series) -> pd.Series:
    """Blank text as NA, in Arrow (pandas' mask costs more than the rule on a short log)."""
    arrow = pa.array(text.array).cast(pa.large_string())
    blank = pc.if_else(pc.equal(arrow, ""), pa.scalar(None, arrow.type), arrow)
    if isinstance(blank, pa.Array):  # logs cleaned together come in chunks, one per sheet
        blank = pa.chunked_array([blank])
    return pd.Series(pd.arrays.ArrowStringArray(blank), index=text.index)


def _methods(written: pd.Series) -> pd.Series:
    # each distinct way read once, straight to the dropdown's word (NA when none)
    words = _tidied(written, lambda v: METHOD_WORDS.get(_tidy_method(v)))
    return pd.Series(pd.array(words, dtype=STRING), index=written.index)


def _each_distinct(values: pd.Series, tidy) -> pd.Series:
    """`tidy` of each cell (NA stays NA), called once per distinct value: a log repeats a
    handful of ways, answers and days."""
    return pd.Series(_tidied(values, tidy), index=values.index, dtype=object)


def _tidied(values, tidy) -> np.ndarray:
    """_each_distinct's values, as an array."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    tidied = np.array([tidy(v) for v in distinct] + [None], dtype=object)
    return tidied[codes]


def _tidy_method(text: str) -> str:
    return normalize_text(text).replace(" ", "").upper()


def _day(value) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


# --- one visit, however often it is written or recorded --------------------------------------


def visit_keys(
    visits: pd.DataFrame, date_written: pd.Series | None = None, method_written: pd.Series | None = None
) -> pd.Series:
    """A visit's identity: its customer, day, way and what was said, phone and ID numbers in it
    masked (spaces and full-width forms aside). The same visit written twice, or recorded again
    with its follow-up marked done, has the same key; the key never holds a phone number. A day
    or way that cannot be read counts as written."""
    dates = visits["visit_date"].to_numpy(dtype="datetime64[ns]")
    days = np.datetime_as_string(dates, unit="D").astype(object)
    undated = np.isnat(dates)
    days[undated] = None
    if date_written is not None and undated.any():
        days[undated] = "?" + date_written[undated].astype(str).to_numpy(dtype=object)
    ways = visits["method"].to_numpy(dtype=object)
    if method_written is not None:
        unread = pd.isna(ways)
        if unread.any():
            ways = ways.copy()
            ways[unread] = _each_distinct(method_written, _tidy_method).to_numpy(dtype=object)[unread]
    content = mask_text_column(visits["content"].astype(STRING)).to_numpy(dtype=object)
    # each part tidied once per distinct value (codes, days and ways repeat)
    parts = zip(
        *(
            _tidied(_filled(part, blank), _tidy)
            for part, blank in (
                (visits["customer_code"].to_numpy(dtype=object), str(pd.NA)),  # as str() wrote a missing code
                (days, ""),
                (ways, ""),
                (content, ""),
            )
        )
    )
    return pd.Series(
        [hashlib.sha1("\x1f".join(part).encode()).hexdigest() for part in parts],
        index=visits.index,
        dtype=object,
    )


def _filled(values: np.ndarray, blank: str) -> np.ndarray:
    missing = pd.isna(values)
    if not missing.any():
        return values
    values = values.copy()
    values[missing] = blank
    return values


def _tidy(text) -> str:
    """Full-width forms folded and every space dropped: spacing never makes another visit."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


# --- the rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    """What the rules read of a visit frame, as arrays taken once (a short log's rules cost
    less than the pandas calls that would each take them again)."""

    code_at: np.ndarray  # each visit's code as its place among `codes` (code order); -1 blank
    codes: pa.Array  # the distinct codes, sorted
    first_at: np.ndarray  # the first visit of each of `codes`
    seen: np.ndarray  # visit_date, datetime64[ns]
    due: np.ndarray  # follow_up_date, datetime64[ns]
    rows: np.ndarray  # excel_row (zeros when the frame has none)
    open: np.ndarray  # bool: an open follow-up (_open)


def _columns(visits: pd.DataFrame) -> _Columns:
    encoded = pc.dictionary_encode(text_array(visits["customer_code"]))
    # Arrow orders text by its UTF-8 bytes: the order of code points, as Python's sorted()
    order = pc.array_sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order], rank[-1] = np.arange(len(order)), -1
    code_at = rank[encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)]
    present, first_at = np.unique(code_at, return_index=True)  # each code's first visit
    return _Columns(
        code_at,
        encoded.dictionary.take(order),
        first_at[present >= 0],
        visits["visit_date"].to_numpy(dtype="datetime64[ns]"),
        visits["follow_up_date"].to_numpy(dtype="datetime64[ns]"),
        visits["excel_row"].to_numpy() if "excel_row" in visits else np.zeros(len(visits), dtype=np.int64),
        _open(visits),
    )


def _latest(found: _Columns, as_of: dt.date) -> np.ndarray:
    """Per code of `found.codes`: its latest visit dated up to the as-of date; NaT when none."""
    dated = (found.seen <= np.datetime64(pd.Timestamp(as_of).value, "ns")) & (found.code_at >= 0)
    latest = np.full(len(found.codes), np.datetime64("NaT", "ns")).view(np.int64)
    np.maximum.at(latest, found.code_at[dated], found.seen[dated].view(np.int64))  # NaT is the least
    return latest.view("datetime64[ns]")


def latest_visits(visits: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """customer_code, last_visit: each customer's latest visit up to the as-of date (a visit
    dated later is a slip of the pen, listed by review_visits)."""
    found = _columns(visits)
    latest = _latest(found, as_of)
    has = ~np.isnat(latest)
    return pd.DataFrame(
        {
            "customer_code": visits["customer_code"].array.take(found.first_at[has]),
            "last_visit": latest[has].astype(visits["visit_date"].dtype),
        }
    )


def _open(visits: pd.DataFrame) -> np.ndarray:
    """Which visits are open follow-ups: a next step or a follow-up date, 已完成 not 是."""
    step = text_array(visits["next_step"]).is_valid().to_numpy(zero_copy_only=False)
    due = ~np.isnat(visits["follow_up_date"].to_numpy(dtype="datetime64[ns]"))
    return (step | due) & ~visits["done"].to_numpy(dtype=bool)


def open_follow_ups(visits: pd.DataFrame) -> pd.DataFrame:
    """The open follow-ups (a next step or a follow-up date, 已完成 not 是), in log order, with
    due_date = the follow-up date."""
    return visits[_open(visits)].rename(columns={"follow_up_date": "due_date"})


def open_follow_up_count(visits: pd.DataFrame) -> int:
    """How many open follow-ups (len(open_follow_ups(visits)), without taking their rows)."""
    return int(_open(visits).sum())


def _earliest(found: _Columns) -> np.ndarray:
    """Per code of `found.codes`: the position of its earliest open follow-up (by its date; one
    without a date only when the code has no dated one; ties in log order); -1 when none."""
    at = np.flatnonzero(found.open & (found.code_at >= 0))
    due = found.due[at]
    undated = np.isnat(due)
    order = np.lexsort(
        (
            found.rows[at],
            undated,
            np.where(undated, np.datetime64(pd.Timestamp.max.value, "ns"), due),
            found.code_at[at],
        )
    )
    # sorted by code first, so each code's earliest is where the code changes
    code = found.code_at[at[order]]
    first = np.ones(len(order), dtype=bool)
    first[1:] = code[1:] != code[:-1]
    earliest = np.full(len(found.codes), -1, dtype=np.int64)
    earliest[code[first]] = at[order][first]
    return earliest


def earliest_follow_ups(visits: pd.DataFrame) -> pd.DataFrame:
    """customer_code, due_date, next_step: each customer's earliest open follow-up (by its
    date; one without a date only when the customer has no dated one), ties in log order."""
    earliest = _earliest(_columns(visits))
    found = visits[["customer_code", "follow_up_date", "next_step"]].iloc[earliest[earliest >= 0]]
    return found.rename(columns={"follow_up_date": "due_date"}).reset_index(drop=True)


def _window(found: _Columns, as_of: dt.date, days: int) -> tuple[np.ndarray, np.ndarray]:
    """follow_up_window's rows: their positions in the visits, in the window's order, and each
    one's status."""
    at = np.flatnonzero(found.open)
    today = np.datetime64(pd.Timestamp(as_of).value, "ns")
    due = found.due[at]
    overdue = due < today  # NaT compares False: an undated follow-up is never in the window
    soon = (due >= today) & (due <= today + np.timedelta64(days, "D"))
    inside = overdue | soon
    at, due, overdue = at[inside], due[inside], overdue[inside]
    order = np.lexsort((found.rows[at], found.code_at[at], due))
    return at[order], np.where(overdue, OVERDUE, DUE)[order]


def follow_up_window(visits: pd.DataFrame, as_of: dt.date, days: int = FOLLOW_UP_DAYS) -> pd.DataFrame:
    """Every open follow-up due by as-of + `days`: status 'overdue' when its date is before the
    as-of date, 'due' when as-of ≤ date ≤ as-of + days. Sorted by due date, then customer code
    (the same customer and day: log order)."""
    at, status = _window(_columns(visits), as_of, days)
    found = visits.iloc[at].rename(columns={"follow_up_date": "due_date"}).assign(status=status)
    return found.reset_index(drop=True)


def quarter_period(as_of: dt.date, quarter: Quarter | None = None) -> tuple[dt.date, dt.date]:
    """The days whose visits count as this quarter's: the report's quarter (else the as-of
    date's), up to the as-of date."""
    quarter = quarter or Quarter.of_day(as_of)
    return quarter.first_day, min(quarter.last_day, as_of)


def _within(dates: np.ndarray, period: tuple[dt.date, dt.date]) -> np.ndarray:
    """Which visit dates (datetime64[ns]) fall within the period, both ends included."""
    start, end = (np.datetime64(pd.Timestamp(d).value, "ns") for d in period)
    return (dates >= start) & (dates <= end)


def visited_per_route(
    visits: pd.DataFrame,
    customers: pd.DataFrame,
    period: tuple[dt.date, dt.date],
    routes: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Per route (by visit weekday, then route): batch, customers, visited (route customers with at least one
    visit dated within the period), not_visited. `customers`: one row per route customer
    (customer_code, route, batch); `routes`: every route → batch, so a route without customers
    reads 0."""
    inside = _within(visits["visit_date"].to_numpy(dtype="datetime64[ns]"), period)
    return _coverage(
        customers, codes_among(customers["customer_code"], visits["customer_code"][inside]), routes
    )


def _coverage(customers: pd.DataFrame, visited: np.ndarray, routes: Mapping[str, str] | None) -> pd.DataFrame:
    """visited_per_route's table, `visited` saying which route customers were."""
    route = text_array(customers["route"])
    if route.null_count:  # a customer without a route (counted nowhere), as pandas finds it
        written = customers["route"].to_numpy(object)
        at, found = pd.factorize(written)
        batches = dict(zip(written, customers["batch"].to_numpy(object)))
    else:  # in Arrow; each route's batch is its last customer's, as a dict of all of them says
        encoded = pc.dictionary_encode(route)
        at, found = encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary.to_pylist()
        last = np.zeros(len(found), dtype=np.int64)
        np.maximum.at(last, at, np.arange(len(at)))
        batches = dict(zip(found, text_array(customers["batch"]).take(last).to_pylist()))
    # per route: its customers and how many were visited
    on = at >= 0
    size = np.bincount(at[on], minlength=len(found))
    hit = np.bincount(at[on], weights=visited[on], minlength=len(found)).astype(np.int64)
    counts = {r: (int(n), int(v)) for r, n, v in zip(found, size, hit)}
    batches |= dict(routes or {})
    day = {w: i for i, w in enumerate(WEEKDAYS)}
    names = sorted(
        set(batches) | set(counts), key=lambda r: (day.get(batches.get(r), len(day)), route_sort_key(r))
    )
    size, hit = (np.array([counts.get(r, (0, 0))[i] for r in names], dtype="int64") for i in (0, 1))
    return pd.DataFrame(
        {
            "route": names,
            "batch": [batches.get(r, "") for r in names],
            "customers": size,
            "visited": hit,
            "not_visited": size - hit,
        }
    )


def last_visits(visits: pd.DataFrame, count: int = LAST_VISITS) -> pd.DataFrame:
    """Each customer's `count` latest visits, latest first (undated ones last)."""
    order = np.lexsort(
        (
            -visits["excel_row"].to_numpy() if "excel_row" in visits else np.zeros(len(visits)),
            visits["visit_date"].isna().to_numpy(),
            -visits["visit_date"].fillna(pd.Timestamp.min).to_numpy().astype("int64"),
            visits["customer_code"].astype(object).to_numpy(),
        )
    )
    ordered = visits.iloc[order]
    return ordered[ordered.groupby("customer_code", sort=False).cumcount().to_numpy() < count]


# --- a build's visits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitReview:
    """What the visit log adds to one manager's build."""

    as_of: dt.date
    period: tuple[dt.date, dt.date]  # the days counted as this quarter's (quarter_period)
    customers: pd.DataFrame  # customer_code, last_visit, due_date, next_step: every code with any
    follow_ups: pd.DataFrame  # FOLLOW_UP_ROWS: the window, as 跟进提醒 lists it
    coverage: pd.DataFrame  # visited_per_route
    issues: pd.DataFrame  # the log's own and those that need the routes
    visits: pd.DataFrame  # VISIT_RECORD: the log's visits, for the store
    overdue: int  # of `follow_ups`, those dated before the as-of date (counted once, said in many places)

    @property
    def due_soon(self) -> int:
        """Of `follow_ups`, those due within FOLLOW_UP_DAYS of the as-of date (the others)."""
        return len(self.follow_ups) - self.overdue


def review_visits(
    log: VisitLog, result: QuarterResult, as_of: dt.date, quarter: Quarter | None = None
) -> VisitReview:
    visits = log.visits
    found = _columns(visits)
    # each visit's route row (the first coded one of its code; -1 off the routes), by lookup:
    # filtering the whole route table costs more than the rules here
    route_rows = result.route_rows
    # (duplicate rows blanked: each code's first row; a blank code matches nothing)
    route_codes = text_array(route_rows["customer_code"])
    first_rows = pc.if_else(
        pa.array(route_rows["is_duplicate"].to_numpy(dtype=bool)),
        pa.scalar(None, route_codes.type),
        route_codes,
    )
    at_code = positions_in(
        pd.Series(pd.arrays.ArrowStringArray(found.codes)), pd.Series(pd.arrays.ArrowStringArray(first_rows))
    )
    route_at = np.append(at_code, -1)[found.code_at]
    off_route = route_at < 0
    later = found.seen > np.datetime64(pd.Timestamp(as_of).value, "ns")
    codes = visits["customer_code"].to_numpy(dtype=object)
    issues = [log.issues]
    if off_route.any():  # each visit's code cell, made only for the rows hit
        issues.append(
            issue_list.issue_frame(
                "visit_not_on_route",
                codes[off_route],
                issue_list.sources_at(visits, np.flatnonzero(off_route)),
                [
                    f"客户代码 {c} 不在您的线路上（代码写错，或客户已不在线路上）；不计入本季拜访，"
                    "它的跟进仍列在跟进提醒中"
                    for c in codes[off_route]
                ],
            )
        )
    if later.any():
        issues.append(
            issue_list.issue_frame(
                "visit_future_date",
                codes[later],
                log.cells("visit_date", visits, np.flatnonzero(later)),
                [
                    f"拜访日期 {_day(d)} 在今天（{as_of:%Y-%m-%d}）之后，请核对；不计入上次拜访和本季拜访"
                    for d in found.seen[later]
                ],
            )
        )
    period = quarter_period(as_of, quarter)
    counted = ~later & ~off_route & _within(found.seen, period)
    visited_codes = found.codes.filter(np.isin(np.arange(len(found.codes)), found.code_at[counted]))
    visited = codes_among(
        result.customers["customer_code"], pd.Series(pd.arrays.ArrowStringArray(visited_codes))
    )
    coverage = _coverage(result.customers, visited, result.sheet_batches)
    at, status = _window(found, as_of, FOLLOW_UP_DAYS)
    return VisitReview(
        as_of,
        period,
        _per_customer(visits, found, as_of),
        _follow_up_rows(visits, found, route_rows, at, route_at[at], status),
        coverage,
        issue_list.combine(issues),
        visits.reset_index(drop=True),
        int((status == OVERDUE).sum()),
    )


def _per_customer(visits: pd.DataFrame, found: _Columns, as_of: dt.date) -> pd.DataFrame:
    """customer_code, last_visit (latest_visits), due_date, next_step (earliest_follow_ups):
    every code with either, sorted by code."""
    latest, earliest = _latest(found, as_of), _earliest(found)
    kept = ~np.isnat(latest) | (earliest >= 0)
    earliest = earliest[kept]
    # a NaT after the dates: position -1 (no open follow-up) reads it
    due = np.append(found.due, np.datetime64("NaT", "ns"))
    return pd.DataFrame(
        {
            "customer_code": pd.arrays.ArrowStringArray(found.codes.filter(kept)),
            "last_visit": latest[kept],
            "due_date": due[earliest],
            "next_step": visits["next_step"].array.take(earliest, allow_fill=True),
        }
    )


def _follow_up_rows(
    visits: pd.DataFrame,
    found: _Columns,
    route_rows: pd.DataFrame,
    at: np.ndarray,
    route_at: np.ndarray,
    status: np.ndarray,
) -> pd.DataFrame:
    """FOLLOW_UP_ROWS of the window's visits (`at`, each one's route row `route_at`, -1 none), in
    跟进提醒's order; the route's facts by lookup."""
    order = _sheet_order(route_rows, route_at, status, found.due[at], found.code_at[at], found.rows[at])
    at, route_at = at[order], route_at[order]

    def fact(column: str):
        return route_rows[column].array.take(route_at, allow_fill=True)

    # the route's name, else the one the log wrote (missing: NA, as pandas gives it)
    name = pc.coalesce(_arrow_at(route_rows["name"], route_at), _arrow_at(visits["name"], at))
    name = name.to_numpy(zero_copy_only=False)
    name[pd.isna(name)] = pd.NA
    return pd.DataFrame(
        {
            "customer_code": visits["customer_code"].array.take(at),
            "name": pd.Series(name, dtype=object),
            "route": fact("route"),
            "batch": fact("batch"),
            "due_date": visits["follow_up_date"].to_numpy()[at],
            "next_step": visits["next_step"].array.take(at),
            "status": status[order],
            "visit_date": visits["visit_date"].to_numpy()[at],
            "method": visits["method"].array.take(at),
            "location": visits["location"].array.take(at),
            "excel_row": found.rows[at],
        }
    )


def _sheet_order(route_rows, route_at, status, due, code_at, row) -> np.ndarray:
    """跟进提醒's order: overdue first, then by visit weekday (routes not on a weekday last),
    then due date, route, customer code (its place in code order) and log order. `route_at`:
    each follow-up's route row (-1: none); each row's keys made once."""
    day = {w: i for i, w in enumerate(WEEKDAYS)}
    hit, inverse = np.unique(route_at, return_inverse=True)
    route, batch = (_arrow_at(route_rows[c], hit).to_pylist() for c in ("route", "batch"))
    known = {r: route_sort_key(r) for r in set(route) - {None}}
    keys = [known.get(r, (2, 0, "")) for r in route]  # no route (None): last
    weekday = np.array([day.get(b, len(day)) for b in batch], dtype=np.int64)
    return np.lexsort((row, code_at, places(keys)[inverse], due, weekday[inverse], status != OVERDUE))


def _arrow_at(text: pd.Series, at: np.ndarray) -> pa.Array:
    """Text at these positions (-1: missing), in Arrow."""
    return text_array(text).take(pa.array(at, mask=at < 0))


def with_visit_issues(result: QuarterResult, review: VisitReview) -> QuarterResult:
    """The build's issue list with the visit log's in it (数据问题, issues.csv, the counts)."""
    return replace(result, issues=issue_list.combine([result.issues, review.issues]))


def follow_up_export(review: VisitReview) -> pd.DataFrame:
    """followups.csv: customer_code, due_date (YYYY-MM-DD), next_step, status; by due date, then code."""
    window = review.follow_ups
    order = np.lexsort(
        (
            window["excel_row"].to_numpy(),
            window["customer_code"].astype(object).to_numpy(),
            window["due_date"].to_numpy(),
        )
    )
    out = window.iloc[order]
    return pd.DataFrame(
        {
            "customer_code": out["customer_code"].astype(object).to_numpy(),
            "due_date": [_day(d) for d in out["due_date"]],
            "next_step": out["next_step"].astype(object).where(out["next_step"].notna(), "").to_numpy(),
            "status": out["status"].to_numpy(object),
        }
    )


# --- what the store keeps ------------------------------------------------------------------------

STORED_VISIT = [
    "visit_key",
    "customer_code",
    "visit_date",
    "method",
    "content",
    "need",
    "next_step",
    "follow_up_date",
    "done",
    "name",
]


def stored_visits(visits: pd.DataFrame) -> pd.DataFrame:
    """The visits as the store keeps them: phone and ID numbers in their text masked (the store
    never holds them), dates as days, one row per visit key."""
    masked = visits.assign(**{t: mask_text_column(visits[t].astype(STRING)) for t in TEXTS})
    out = pd.DataFrame(
        {
            "visit_key": masked["visit_key"].to_numpy(object),
            "customer_code": masked["customer_code"].astype(object).to_numpy(),
            "visit_date": _days(masked["visit_date"]),
            "method": _objects(masked["method"]),
            **{t: _objects(masked[t]) for t in ("content", "need", "next_step")},
            "follow_up_date": _days(masked["follow_up_date"]),
            "done": masked["done"].to_numpy(dtype=bool),
            "name": _objects(masked["name"]),
        }
    )
    return out.drop_duplicates("visit_key", keep="last").reset_index(drop=True)


def _days(values: pd.Series) -> np.ndarray:
    return np.array([None if pd.isna(v) else v.date() for v in values], dtype=object)


def _objects(values: pd.Series) -> np.ndarray:
    """Text as Python strings, blanks as None (what a database driver binds as NULL)."""
    return np.where(values.notna().to_numpy(dtype=bool), values.astype(object).to_numpy(), None)
