"""Realistic sample inputs for xlcrm, with the clean facts behind them.

generate() writes the three exports a customer manager (客户经理) works from — the visit route
workbook, the current and previous quarterly grade tables of the whole district, and the
purchase table — with the quirks real exports have (listed below). It returns
the file paths and a SampleTruth: what a correct reader must conclude from those files, plus
one row per injected quirk with its exact location, so tests and benchmarks can check readers
independently.

Kinds recorded in SampleTruth.anomalies (only when quirks=True; quirks=False writes clean
files, puts every route customer in all three tables and records nothing):
    code_spaces, code_apostrophe, code_fullwidth, code_number  a code stored oddly (readable)
    number_thousands, number_fullwidth, number_spaces,         a purchase number stored as
    number_blank                                               odd text (blank: no value)
    bad_number        an unreadable purchase number ('12..5', '暂无'): NaN for that field
    header_row        the purchase header is on row 3, below two export metadata rows
    column_alias      the purchase code column is named 客户编码
    total_row         a closing 合计 row (purchases, current grade table)
    lost_digits       a purchase code saved through scientific notation ('3.30781E+11')
    duplicate_code    a code twice in the current grade table (first wins) or on two routes
    bad_grade         a current grade outside the scheme: grade None
    not_in_grades / not_in_previous / not_in_purchases
                      a route customer missing from that table (new customers, who are in
                      no grade table, get both not_in_grades and not_in_previous)
Cell-level kinds give file, sheet (None for the CSV), 1-based excel_row and column (header
text) of the cell; detail holds the raw value as written ('' for a blank), or a short note for
duplicate_code, total_row, header_row and column_alias. Missing customers have no cell:
sheet, excel_row and column are empty and detail names the route row.

District customers on no route may also be missing from the previous table (~2%) and the
purchase table (~3%) in either mode; the truth shows that as None/NaN, not as an anomaly.

Flat exports (grade and purchase tables) are written as their systems write them
(export_files); the route workbook, the manager's own formatted workbook, with XlsxWriter.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from .export_files import XLS_WRITER, write_csv, write_xls, write_xlsx


@dataclass(frozen=True)
class SampleTruth:
    """The clean facts behind the files, for independent checks."""

    # One row per district customer, sorted by code: customer_code (12-digit str), name,
    # segment_format (业态), market_type (城镇/乡村), grade, previous_grade (str, None when the
    # table lacks the customer or the grade is outside the scheme), volume, amount (float, NaN
    # when missing or unreadable). segment_format and market_type come from the current table.
    district: pd.DataFrame
    # One row per route row as written: customer_code (clean str), route (sheet name),
    # excel_row (1-based).
    route_customers: pd.DataFrame
    # One row per injected quirk: kind, customer_code, file, sheet, excel_row, column, detail.
    anomalies: pd.DataFrame


@dataclass(frozen=True)
class SampleFiles:
    routes: Path  # visit route workbook
    grades: Path  # current quarter grade table
    previous_grades: Path  # previous quarter grade table
    purchases: Path  # purchase table
    truth: SampleTruth


SCHEMES = ("code2008", "tiers30", "tiers15")
LAYOUTS = ("mixed", "xlsx")

ROUTE_TITLE = "零售客户拜访线路表"
ROUTE_HEADERS = ("序号", "客户代码", "客户名称", "负责人", "经营地址", "联系电话", "备注")
GRADE_HEADERS = (
    "客户代码",
    "客户名称",
    "许可证号",
    "负责人",
    "业态",
    "市场类型",
    "经营规模",
    "客户等级",
    "所属区域",
    "客户经理",
    "送货线路",
    "订货方式",
    "结算方式",
    "状态",
    "备注",
)
PURCHASE_HEADERS = ("客户代码", "客户名称", "购进量", "购进额")
PURCHASE_CODE_ALIAS = "客户编码"
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五")
XLS_MAX_ROWS = 65536

# Column positions used by quirks.
_G_CODE, _G_NAME, _G_GRADE = 0, 1, 7
_P_CODE, _P_NAME, _P_VOLUME, _P_AMOUNT = 0, 1, 2, 3

# --- the district's make-up -------------------------------------------------------------

SEGMENTS = ("食杂店", "便利店", "超市", "商场", "烟酒商店", "娱乐服务类", "其他")
_SEGMENT_SHARE = (0.48, 0.18, 0.10, 0.02, 0.12, 0.06, 0.04)
# Quarterly cartons of a median customer of each segment; urban shops sell a quarter more.
_BASE_VOLUME = np.array([180, 300, 450, 700, 600, 120, 90], dtype=float)
MARKETS = ("城镇", "乡村")
_MARKET_LETTER = ("C", "X")
# 2008 code format letters and their segment (Z and C are both 食杂店).
FORMAT_LETTERS = "ZCBSNYFQ"
_LETTER_SEGMENT = np.array([0, 0, 1, 2, 3, 4, 5, 6])
_SEGMENT_LETTER = np.array([0, 2, 3, 4, 5, 6, 7])  # main letter of each segment
TIERS15_BEST_FIRST = (
    "A1",
    "A2",
    "A3",
    "A4",
    "A5",
    "A6",
    "B1",
    "B2",
    "B3",
    "B4",
    "B5",
    "B6",
    "B7",
    "C1",
    "C2",
)
_SIZES = ("小", "中", "大")

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严洪武戴莫孔汤"
)
_GIVEN_NAMES = (
    "建国",
    "建华",
    "国庆",
    "国强",
    "志强",
    "志明",
    "海燕",
    "秀英",
    "桂英",
    "玉兰",
    "丽华",
    "春梅",
    "红梅",
    "金华",
    "小平",
    "卫东",
    "伟",
    "芳",
    "敏",
    "静",
    "军",
    "勇",
    "磊",
    "洋",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂兰",
    "建军",
    "建平",
    "文华",
    "爱国",
    "福生",
    "水根",
    "土根",
    "金土",
    "来福",
    "美英",
    "月娥",
    "彩凤",
    "素珍",
    "雪芳",
    "晓燕",
    "丽萍",
    "永强",
    "国平",
    "宏伟",
    "建新",
    "卫国",
    "红英",
    "雪梅",
    "新华",
    "根法",
)
_SHOP_WORDS = (
    "惠民",
    "兴旺",
    "好又多",
    "万家",
    "福满多",
    "鑫源",
    "金鑫",
    "华联",
    "百佳",
    "家乐",
    "顺发",
    "永盛",
    "利民",
    "便民",
    "天天",
    "佳和",
    "红星",
    "新世纪",
    "东方",
    "阳光",
    "富民",
    "如意",
    "吉祥",
    "双喜",
    "平安",
    "和顺",
    "宏达",
    "兴隆",
    "恒丰",
    "聚福",
    "好邻居",
    "快客",
    "金桥",
    "四季",
    "益民",
    "丰收",
    "满意",
    "万福",
    "金源",
    "百家",
    "乐购",
    "新新",
    "隆兴",
    "德和",
    "荣华",
    "友谊",
    "春天",
    "联盛",
    "众旺",
    "祥和",
) + tuple(s + "记" for s in _SURNAMES[:20])
_SHOP_SUFFIXES = (
    ("食杂店", "小卖部", "副食店", "日杂店", "商店", "杂货店"),
    ("便利店", "便利超市", "便利"),
    ("超市", "生活超市", "购物超市", "平价超市"),
    ("商场", "百货商场", "购物广场", "百货"),
    ("烟酒商行", "烟酒店", "名烟名酒", "烟酒批发部"),
    ("KTV", "宾馆", "网吧", "茶楼", "棋牌室", "大酒店", "休闲会所"),
    ("加油站", "药店", "水果店", "五金店", "农资店", "文具店"),
)
_TOWNS = (
    "游埠镇",
    "诸葛镇",
    "马涧镇",
    "香溪镇",
    "黄店镇",
    "梅江镇",
    "横溪镇",
    "赤溪街道",
    "女埠街道",
    "永昌街道",
    "上华街道",
    "兰江街道",
    "云山街道",
    "柏社乡",
    "水亭乡",
)
_VILLAGES = (
    "下王村",
    "石岭村",
    "上徐村",
    "后塘村",
    "西山村",
    "陈家村",
    "里张村",
    "新桥村",
    "前王村",
    "塘下村",
    "大坞村",
    "长乐村",
    "厚仁村",
    "溪口村",
    "芝堰村",
    "杨塘村",
    "双牌村",
    "洪塘村",
)
_ROADS = (
    "人民路",
    "解放路",
    "建设路",
    "中山路",
    "兰江路",
    "丹溪路",
    "振兴路",
    "文化路",
    "商贸街",
    "新华街",
    "育才路",
    "城北路",
)
_PHONE_PREFIXES = (
    "138",
    "139",
    "137",
    "136",
    "135",
    "159",
    "158",
    "188",
    "187",
    "152",
    "150",
    "151",
    "182",
    "183",
    "130",
    "131",
    "132",
    "155",
    "156",
    "186",
    "133",
    "153",
    "180",
    "189",
)
_OTHER_MANAGERS = (
    "李明",
    "王芳",
    "陈刚",
    "刘洋",
    "赵敏",
    "周杰",
    "吴磊",
    "孙丽",
    "郑强",
    "徐静",
    "胡斌",
    "朱琳",
    "林涛",
    "何平",
    "高峰",
)
_ORDER_WAYS = (("网上订货", "电话订货", "手机订货"), (0.6, 0.3, 0.1))
_SETTLEMENTS = (("电子结算", "现金结算"), (0.93, 0.07))
_STATUSES = (("正常", "暂停营业"), (0.985, 0.015))
_GRADE_REMARKS = (
    (None, "连锁店", "重点客户", "学校周边", "社区店", "景区店", "农贸市场"),
    (0.88, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02),
)
_ROUTE_REMARKS = (
    (None, "周日休息", "中午不在店", "老板娘接单", "需提前电话联系", "店面装修中", "重点培育"),
    (0.85, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025),
)
_NEW_CUSTOMER_REMARK = "新办证户"
# County prefixes of customer codes (金华 area); each holds sequences 100000..999999.
_COUNTIES = (330781, 330782, 330783, 330784, 330702, 330703, 330723, 330726, 330727)
_PER_COUNTY = 900_000

# --- quirk rates ------------------------------------------------------------------------

_CODE_QUIRK_RATE = 0.005  # per table row and kind
_NUMBER_QUIRK_RATE = 0.005  # per purchase row and kind
_PER_1000_ROUTE = {  # special route customers per 1000 route customers (at least one each)
    "not_in_grades": 10,
    "not_in_previous": 10,
    "not_in_purchases": 10,
    "lost_digits": 5,
    "bad_number": 2.5,
    "bad_grade": 2.5,
    "duplicate_grade": 2.5,
    "duplicate_route": 2.5,
}
_OFF_ROUTE_NOT_PREVIOUS = 0.02
_OFF_ROUTE_NOT_PURCHASES = 0.03
_FULLWIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")
_CHUNK = 20_000


def generate(
    out_dir,
    *,
    route_customers=400,
    district_factor=5,
    routes=10,
    scheme="code2008",
    seed=0,
    quirks=True,
    layout="mixed",
    manager="张三",
    current_quarter="2026年三季度",
    previous_quarter="2026年二季度",
) -> SampleFiles:
    """Write the four input files into out_dir and return their paths with the truth.

    route_customers distinct customers sit on `routes` route sheets (one of them twice when
    quirks=True); the district holds route_customers × district_factor customers. `scheme` is
    'code2008', 'tiers30' or 'tiers15'. layout='mixed' writes the previous grade table as .xls
    and purchases as a GBK CSV (the demo); layout='xlsx' writes every file as .xlsx (big runs).
    The same arguments give the same files (byte for byte).
    """
    _check_args(route_customers, district_factor, routes, scheme, layout, quirks)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    ctx = _Context(
        scheme=scheme,
        quirks=quirks,
        layout=layout,
        manager=manager,
        current_quarter=current_quarter,
        previous_quarter=previous_quarter,
    )

    district = _make_district(rng, route_customers * district_factor, scheme)
    members = _assign_routes(rng, district, route_customers, routes, manager)
    special = _pick_special(rng, district, members, quirks)
    log = _AnomalyLog()

    route_rows = _route_rows(rng, district, members, special, ctx, log)
    current = _grade_table(rng, district, special, ctx, log, previous=False)
    previous = _grade_table(rng, district, special, ctx, log, previous=True)
    purchases = _purchase_table(rng, district, special, ctx, log)
    _log_missing(district, route_rows, special, log)

    files = _file_names(out, ctx)
    created = _export_time(current_quarter)
    _write_routes(files["routes"], district, route_rows, ctx, created)
    write_xlsx(files["grades"], current)
    if layout == "mixed":
        (write_xls if XLS_WRITER else write_xlsx)(files["previous_grades"], previous)
        write_csv(files["purchases"], purchases)
    else:
        write_xlsx(files["previous_grades"], previous)
        write_xlsx(files["purchases"], purchases)

    truth = SampleTruth(
        district=_district_truth(district, special),
        route_customers=route_rows.truth(district),
        anomalies=log.frame(),
    )
    return SampleFiles(truth=truth, **files)


def _check_args(route_customers, district_factor, routes, scheme, layout, quirks):
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, not {scheme!r}")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, not {layout!r}")
    if not 1 <= routes <= 99:
        raise ValueError(f"routes must be 1..99 (route sheet names 一线..九十九线), not {routes}")
    if district_factor < 1 or int(district_factor) != district_factor:
        raise ValueError(f"district_factor must be a whole number >= 1, not {district_factor}")
    minimum = max(routes, 20 if quirks else 1)
    if route_customers < minimum:
        raise ValueError(f"route_customers must be at least {minimum} here, not {route_customers}")
    district = route_customers * district_factor
    if district > len(_COUNTIES) * _PER_COUNTY // 2:
        raise ValueError(f"a district of {district} customers is more than the code space allows")
    if layout == "mixed" and district + 2 > XLS_MAX_ROWS:
        raise ValueError(
            f"layout='mixed' writes an .xls (at most {XLS_MAX_ROWS} rows); "
            f"a district of {district} customers needs layout='xlsx'"
        )


@dataclass(frozen=True)
class _Context:
    scheme: str
    quirks: bool
    layout: str
    manager: str
    current_quarter: str
    previous_quarter: str


def _file_names(out: Path, ctx: _Context) -> dict[str, Path]:
    old = "xls" if ctx.layout == "mixed" and XLS_WRITER else "xlsx"
    flat = "csv" if ctx.layout == "mixed" else "xlsx"
    return {
        "routes": out / f"{ROUTE_TITLE}.xlsx",
        "grades": out / f"{ctx.current_quarter}客户等级表.xlsx",
        "previous_grades": out / f"{ctx.previous_quarter}客户等级表.{old}",
        "purchases": out / f"{ctx.current_quarter}客户购进量与购进额.{flat}",
    }


def _quarter_span(quarter: str) -> tuple[date, date] | None:
    """'2026年三季度' → (2026-07-01, 2026-09-30); None when the text is not of that form."""
    found = re.search(r"(\d{4})\s*年\s*(?:第)?([一二三四1-4])\s*季度", quarter)
    if not found:
        return None
    q = "一二三四".find(found[2]) + 1 or int(found[2])
    year = int(found[1])
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    return start, end


def _export_time(quarter: str) -> datetime:
    """A fixed document time (a week after the quarter), so that output is reproducible."""
    span = _quarter_span(quarter)
    end = span[1] if span else date(2026, 9, 30)
    return datetime.combine(end + timedelta(days=8), datetime.min.time()).replace(hour=9)


def _route_name(n: int) -> str:
    """1 → 一线, 10 → 十线, 11 → 十一线, 23 → 二十三线 (1..99)."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    text = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return text + (digits[ones] if ones else "") + "线"


# --- the district -----------------------------------------------------------------------


@dataclass
class _District:
    """One entry per district customer, sorted by code (text, or indices into the pools above)."""

    code: np.ndarray  # int64
    code_text: np.ndarray  # '<U12'
    name: np.ndarray
    owner: np.ndarray
    license: np.ndarray
    market: np.ndarray  # index into MARKETS
    segment: np.ndarray  # index into SEGMENTS (current quarter)
    letter: np.ndarray  # index into FORMAT_LETTERS (code2008, current quarter)
    level: np.ndarray  # grade level, 0 = lowest (current quarter)
    previous_segment: np.ndarray
    previous_letter: np.ndarray
    previous_level: np.ndarray
    volume: np.ndarray  # cartons, whole numbers as float
    amount: np.ndarray  # yuan, two decimals
    town: np.ndarray  # index into _TOWNS
    manager: np.ndarray  # object: 客户经理 name
    scheme: str
    extras: dict[str, np.ndarray] = field(default_factory=dict)  # other grade-table columns

    def __len__(self) -> int:
        return len(self.code)


def _levels(scheme: str) -> int:
    return {"code2008": 3, "tiers30": 30, "tiers15": 15}[scheme]


def _pick(rng, choices_and_weights, n) -> np.ndarray:
    choices, weights = choices_and_weights
    return np.array(choices, dtype=object)[rng.choice(len(choices), size=n, p=weights)]


def _join(*parts: np.ndarray) -> np.ndarray:
    """Element-wise concatenation of string arrays."""
    out = parts[0].astype(str)
    for part in parts[1:]:
        out = np.char.add(out, part.astype(str))
    return out


def _make_codes(rng, n: int) -> np.ndarray:
    """n distinct 12-digit codes: county prefix + 6-digit sequence, as few counties as fit."""
    counties = math.ceil(n / (_PER_COUNTY // 2))
    picks = rng.choice(counties * _PER_COUNTY, size=n, replace=False)
    prefix = np.array(_COUNTIES[:counties], dtype=np.int64)[picks // _PER_COUNTY]
    return np.sort(prefix * 1_000_000 + 100_000 + picks % _PER_COUNTY)


def _make_district(rng, n: int, scheme: str) -> _District:
    code = _make_codes(rng, n)
    market = (rng.random(n) < 0.45).astype(np.int8)  # 45% rural
    segment = rng.choice(len(SEGMENTS), size=n, p=_SEGMENT_SHARE).astype(np.int8)
    letter = _SEGMENT_LETTER[segment]
    letter = np.where((segment == 0) & (rng.random(n) < 0.1), 1, letter).astype(np.int8)  # some 'C'

    # One latent percentile drives both the grade and the volume, so they correlate.
    u = np.clip(rng.random(n), 0.002, 0.998)
    levels = _levels(scheme)
    level = np.minimum(levels - 1, np.floor(levels * u**1.5)).astype(np.int16)
    base = _BASE_VOLUME[segment] * np.where(market == 0, 1.25, 1.0)
    spread = 0.3 * np.log(u / (1 - u)) + 0.15 * rng.standard_normal(n)
    volume = np.clip(np.round(base * np.exp(spread)), 1, 8_000)
    amount = np.round(volume * rng.uniform(120, 250, size=n), 2)

    previous_level, previous_letter = _previous_grades(rng, level, letter, scheme)
    previous_segment = _LETTER_SEGMENT[previous_letter] if scheme == "code2008" else segment

    words = np.array(_SHOP_WORDS)[rng.integers(len(_SHOP_WORDS), size=n)]
    suffix_pool = np.array([s for group in _SHOP_SUFFIXES for s in group])
    offsets = np.cumsum([0] + [len(g) for g in _SHOP_SUFFIXES])[:-1]
    counts = np.array([len(g) for g in _SHOP_SUFFIXES])
    suffix = suffix_pool[offsets[segment] + (rng.random(n) * counts[segment]).astype(int)]
    owner = _join(
        np.array(list(_SURNAMES))[rng.integers(len(_SURNAMES), size=n)],
        np.array(_GIVEN_NAMES)[rng.integers(len(_GIVEN_NAMES), size=n)],
    )
    license_no = (code // 1_000_000) * 1_000_000 + rng.integers(100_000, 1_000_000, size=n)

    return _District(
        code=code,
        code_text=code.astype("U12"),
        name=_join(words, suffix),
        owner=owner,
        license=license_no.astype("U12"),
        market=market,
        segment=segment,
        letter=letter,
        level=level,
        previous_segment=previous_segment.astype(np.int8),
        previous_letter=previous_letter,
        previous_level=previous_level,
        volume=volume,
        amount=amount,
        town=rng.integers(len(_TOWNS), size=n),
        manager=np.full(n, None, dtype=object),
        scheme=scheme,
        extras={
            "delivery": np.array([f"配送{k:02d}线" for k in range(1, 37)], dtype=object)[
                rng.integers(36, size=n)
            ],
            "order": _pick(rng, _ORDER_WAYS, n),
            "settlement": _pick(rng, _SETTLEMENTS, n),
            "status": _pick(rng, _STATUSES, n),
            "remark": _pick(rng, _GRADE_REMARKS, n),
        },
    )


def _previous_grades(rng, level, letter, scheme) -> tuple[np.ndarray, np.ndarray]:
    """Last quarter's grade: ~85% the same level, ~8% one step better, ~7% worse
    (tiers30 moves 1–3 tiers); for code2008 ~1% had another format letter (CS2 → CZ1)."""
    n, top = len(level), _levels(scheme) - 1
    move = rng.choice([0, 1, -1], size=n, p=[0.85, 0.08, 0.07])
    if scheme == "tiers30":
        move = move * rng.integers(1, 4, size=n)
    previous = level + move
    outside = (previous < 0) | (previous > top)
    previous = np.where(outside, level - move, previous)  # go the other way at the ends
    previous = np.clip(previous, 0, top).astype(np.int16)

    previous_letter = letter.copy()
    if scheme == "code2008":
        changed = rng.random(n) < 0.01
        shift = rng.integers(1, len(FORMAT_LETTERS), size=n)
        previous_letter = np.where(changed, (letter + shift) % len(FORMAT_LETTERS), letter)
    return previous, previous_letter.astype(np.int8)


def _grade_pool(scheme: str, numeric: bool) -> np.ndarray:
    """Grade cell values by grade id; code2008 id = (market × 8 + letter) × 3 + level."""
    if scheme == "code2008":
        return np.array(
            [m + f + str(3 - lv) for m in _MARKET_LETTER for f in FORMAT_LETTERS for lv in range(3)],
            dtype=object,
        )
    if scheme == "tiers30":
        return np.array([lv + 1 if numeric else str(lv + 1) for lv in range(30)], dtype=object)
    return np.array(TIERS15_BEST_FIRST[::-1], dtype=object)


def _grade_ids(d: _District, scheme: str, previous: bool) -> np.ndarray:
    level = d.previous_level if previous else d.level
    if scheme != "code2008":
        return level.astype(np.int64)
    letter = d.previous_letter if previous else d.letter
    return (d.market.astype(np.int64) * len(FORMAT_LETTERS) + letter) * 3 + level


def _size_text(level: np.ndarray, scheme: str) -> np.ndarray:
    """经营规模 大/中/小 from the grade level (thirds of the scale)."""
    third = np.minimum(2, (level * 3) // _levels(scheme))
    return np.array(_SIZES, dtype=object)[third]


def _area_names() -> np.ndarray:
    return np.array([re.sub("(镇|乡|街道)$", "", t) + "片区" for t in _TOWNS], dtype=object)


# --- routes and special customers -------------------------------------------------------


@dataclass
class _Members:
    route_idx: np.ndarray  # district index of each route customer, in visit order
    route_of: np.ndarray  # route number (1-based) of each route customer
    routes: int
    address: np.ndarray
    phone: np.ndarray
    remark: np.ndarray


def _assign_routes(rng, d: _District, n: int, routes: int, manager: str) -> _Members:
    """A random subset of the district, spread evenly over the routes, served by `manager`
    in three towns; route customers get an address, a phone and the manager's notes."""
    route_idx = rng.choice(len(d), size=n, replace=False)
    route_of = np.repeat(np.arange(1, routes + 1), [len(p) for p in np.array_split(route_idx, routes)])

    towns = rng.choice(len(_TOWNS), size=3, replace=False)
    d.town[route_idx] = towns[rng.integers(3, size=n)]
    others = np.array([m for m in _OTHER_MANAGERS if m != manager], dtype=object)
    d.manager = others[rng.integers(len(others), size=len(d))]
    d.manager[route_idx] = manager

    rural = d.market[route_idx] == 1
    town = np.array(_TOWNS)[d.town[route_idx]]
    place = np.where(
        rural,
        np.array(_VILLAGES)[rng.integers(len(_VILLAGES), size=n)],
        np.array(_ROADS)[rng.integers(len(_ROADS), size=n)],
    )
    number = rng.integers(1, 300, size=n).astype(str)
    phone_tail = np.char.zfill(rng.integers(0, 10**8, size=n).astype(str), 8)
    phone = _join(np.array(_PHONE_PREFIXES)[rng.integers(len(_PHONE_PREFIXES), size=n)], phone_tail)
    return _Members(
        route_idx=route_idx,
        route_of=route_of,
        routes=routes,
        address=np.char.add(_join(town, place, number), "号"),
        phone=phone,
        remark=_pick(rng, _ROUTE_REMARKS, n),
    )


@dataclass
class _Special:
    """Who is where: table membership and the route customers chosen for each quirk."""

    in_current: np.ndarray  # bool per district customer
    in_previous: np.ndarray
    in_purchases: np.ndarray
    picks: dict[str, np.ndarray]  # quirk → district indices (route customers)
    no_value: list[tuple[int, int]] = field(default_factory=list)  # purchase cells (district
    # index, column) left blank or unreadable: NaN in the truth


def _pick_special(rng, d: _District, m: _Members, quirks: bool) -> _Special:
    n = len(d)
    on_route = np.zeros(n, dtype=bool)
    on_route[m.route_idx] = True
    off_route = np.flatnonzero(~on_route)

    in_current = np.ones(n, dtype=bool)
    in_previous = np.ones(n, dtype=bool)
    in_purchases = np.ones(n, dtype=bool)
    for member, share in ((in_previous, _OFF_ROUTE_NOT_PREVIOUS), (in_purchases, _OFF_ROUTE_NOT_PURCHASES)):
        member[rng.choice(off_route, size=round(len(off_route) * share), replace=False)] = False

    picks: dict[str, np.ndarray] = {}
    if quirks:
        counts = {k: max(1, round(len(m.route_idx) * rate / 1000)) for k, rate in _PER_1000_ROUTE.items()}
        chosen = rng.choice(m.route_idx, size=sum(counts.values()), replace=False)
        for kind, part in zip(counts, np.split(chosen, np.cumsum(list(counts.values()))[:-1])):
            picks[kind] = np.sort(part)
        # New customers are in no grade table; they still buy.
        in_current[picks["not_in_grades"]] = False
        in_previous[picks["not_in_grades"]] = False
        in_previous[picks["not_in_previous"]] = False
        in_purchases[picks["not_in_purchases"]] = False
        m.remark[np.isin(m.route_idx, picks["not_in_grades"])] = _NEW_CUSTOMER_REMARK
    return _Special(in_current, in_previous, in_purchases, picks)


# --- anomaly log ------------------------------------------------------------------------

_ANOMALY_COLUMNS = ("kind", "customer_code", "file", "sheet", "excel_row", "column", "detail")


class _AnomalyLog:
    def __init__(self):
        self.rows: list[tuple] = []

    def add(self, kind, code, file, sheet, excel_row, column, detail):
        self.rows.append((kind, code, file, sheet, excel_row, column, detail))

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=list(_ANOMALY_COLUMNS), dtype=object)
        frame["excel_row"] = pd.array(frame["excel_row"].tolist(), dtype="Int64")
        return frame


# --- tables as written ------------------------------------------------------------------


@dataclass
class _Table:
    """A flat sheet: rows above the data, one data row per district index, rows below.
    Quirks are cell overrides on data rows: (data row, column) → raw value."""

    sheet: str
    head: list[list]
    idx: np.ndarray
    build: Callable[[np.ndarray], list[list]]
    tail: list[list] = field(default_factory=list)
    cells: dict[tuple[int, int], object] = field(default_factory=dict)

    @property
    def first_data_row(self) -> int:  # 1-based Excel row of the first data row
        return len(self.head) + 1

    @property
    def n_rows(self) -> int:
        return len(self.head) + len(self.idx) + len(self.tail)

    @property
    def n_cols(self) -> int:  # the header row is always in head
        return max(len(r) for r in self.head + self.tail)

    def blocks(self) -> Iterator[list[list]]:
        """The sheet as blocks of columns (lists of cell values), top to bottom."""
        keys = sorted(self.cells)
        for row in self.head:
            yield [[v] for v in row]
        for start in range(0, len(self.idx), _CHUNK):
            stop = min(start + _CHUNK, len(self.idx))
            columns = self.build(self.idx[start:stop])
            for k in range(bisect_left(keys, (start, -1)), bisect_left(keys, (stop, -1))):
                row, col = keys[k]
                columns[col][row - start] = self.cells[keys[k]]
            yield columns
        for row in self.tail:
            yield [[v] for v in row]


def _spread_rows(rng, candidates: np.ndarray, kinds: tuple[str, ...], rate: float) -> dict[str, np.ndarray]:
    """Disjoint random picks among candidate rows, one set per kind (at least one each)."""
    per_kind = max(1, round(len(candidates) * rate))
    per_kind = min(per_kind, len(candidates) // len(kinds))
    chosen = rng.choice(candidates, size=per_kind * len(kinds), replace=False)
    return {kind: np.sort(chosen[i * per_kind : (i + 1) * per_kind]) for i, kind in enumerate(kinds)}


def _quirky_code(rng, kind: str, code: str):
    if kind == "code_spaces":
        return (" {}", "{} ", " {}  ", "{}  ")[rng.integers(4)].format(code)
    if kind == "code_apostrophe":
        return "'" + code
    if kind == "code_fullwidth":
        return code.translate(_FULLWIDTH)
    return int(code)  # code_number: a numeric cell


def _code_quirks(rng, table: _Table, d: _District, kinds, log, file, column, exclude=()):
    """Store some codes oddly (spaces, apostrophe, full-width, number) and log each cell."""
    rows = np.setdiff1d(np.arange(len(table.idx)), np.asarray(exclude, dtype=np.int64))
    for kind, picked in _spread_rows(rng, rows, kinds, _CODE_QUIRK_RATE).items():
        for row in picked.tolist():
            code = str(d.code_text[table.idx[row]])
            raw = _quirky_code(rng, kind, code)
            table.cells[(row, 0)] = raw
            log.add(kind, code, file, table.sheet, table.first_data_row + row, column, str(raw))


@dataclass
class _RouteRows:
    """Every route row as written: route number, position on the sheet and customer."""

    idx: np.ndarray  # district index per row
    route: np.ndarray  # route number
    excel_row: np.ndarray
    member: np.ndarray  # index into _Members arrays
    code_cell: dict[int, str]  # row → quirky code text
    members: _Members

    def truth(self, d: _District) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "customer_code": pd.Series(d.code_text[self.idx], dtype=object),
                "route": pd.Series([_route_name(r) for r in self.route.tolist()], dtype=object),
                "excel_row": self.excel_row.astype(np.int64),
            }
        )


def _route_rows(rng, d, m: _Members, s: _Special, ctx: _Context, log: _AnomalyLog) -> _RouteRows:
    """Rows of all route sheets; with quirks one customer also appears on a second route."""
    member = np.arange(len(m.route_idx))
    route = m.route_of.copy()
    for dist_index in s.picks.get("duplicate_route", np.array([], dtype=np.int64)).tolist():
        first = int(np.flatnonzero(m.route_idx == dist_index)[0])
        other = m.route_of[first] % m.routes + 1  # the next route (itself when there is one route)
        on_other = np.flatnonzero(route == other)
        at = int(rng.integers(on_other[0], on_other[-1] + 2)) if len(on_other) else len(route)
        member = np.insert(member, at, first)
        route = np.insert(route, at, other)
    starts = np.searchsorted(route, route, side="left")
    excel_row = np.arange(len(route)) - starts + 4
    rows = _RouteRows(
        idx=m.route_idx[member], route=route, excel_row=excel_row, member=member, code_cell={}, members=m
    )

    if ctx.quirks:
        for dist_index in s.picks["duplicate_route"].tolist():
            hits = np.flatnonzero(rows.idx == dist_index)
            first, second = int(hits[0]), int(hits[1])
            log.add(
                "duplicate_code",
                str(d.code_text[dist_index]),
                "routes",
                _route_name(int(route[second])),
                int(excel_row[second]),
                "客户代码",
                f"also on {_route_name(int(route[first]))} row {int(excel_row[first])}",
            )
        kinds = ("code_spaces", "code_apostrophe", "code_fullwidth")
        for kind, picked in _spread_rows(rng, np.arange(len(route)), kinds, _CODE_QUIRK_RATE).items():
            for row in picked.tolist():
                code = str(d.code_text[rows.idx[row]])
                raw = _quirky_code(rng, kind, code)
                rows.code_cell[row] = raw
                log.add(
                    kind, code, "routes", _route_name(int(route[row])), int(excel_row[row]), "客户代码", raw
                )
    return rows


def _grade_table(
    rng, d: _District, s: _Special, ctx: _Context, log: _AnomalyLog, *, previous: bool
) -> _Table:
    """The EM export of the whole district (A..O, header on row 1, codes as text)."""
    scheme = ctx.scheme
    quarter = ctx.previous_quarter if previous else ctx.current_quarter
    file = "previous_grades" if previous else "grades"
    members = s.in_previous if previous else s.in_current
    # tiers30 grades: numbers in the current export, text in the previous one.
    pool = _grade_pool(scheme, numeric=not previous)
    grade_id = _grade_ids(d, scheme, previous)
    segment = d.previous_segment if previous else d.segment
    level = d.previous_level if previous else d.level
    segments, markets = np.array(SEGMENTS, dtype=object), np.array(MARKETS, dtype=object)
    sizes, areas = _size_text(level, scheme), _area_names()

    def build(idx: np.ndarray) -> list[list]:
        return [
            d.code_text[idx].tolist(),
            d.name[idx].tolist(),
            d.license[idx].tolist(),
            d.owner[idx].tolist(),
            segments[segment[idx]].tolist(),
            markets[d.market[idx]].tolist(),
            sizes[idx].tolist(),
            pool[grade_id[idx]].tolist(),
            areas[d.town[idx]].tolist(),
            d.manager[idx].tolist(),
            d.extras["delivery"][idx].tolist(),
            d.extras["order"][idx].tolist(),
            d.extras["settlement"][idx].tolist(),
            d.extras["status"][idx].tolist(),
            d.extras["remark"][idx].tolist(),
        ]

    table = _Table(
        sheet=f"{quarter}客户等级"[:31], head=[list(GRADE_HEADERS)], idx=np.flatnonzero(members), build=build
    )
    if not ctx.quirks:
        return table
    if not previous:
        _duplicate_and_bad_grades(rng, table, d, s, ctx, pool, grade_id, log)
    kinds = ("code_spaces", "code_apostrophe", "code_fullwidth", "code_number")
    _code_quirks(rng, table, d, kinds, log, file, GRADE_HEADERS[_G_CODE])
    if not previous:
        table.tail.append(["合计", f"共{len(table.idx)}户"] + [None] * (len(GRADE_HEADERS) - 2))
        log.add("total_row", None, file, table.sheet, table.n_rows, GRADE_HEADERS[_G_CODE], "合计")
    return table


def _other_grade(rng, d: _District, i: int, scheme: str) -> int:
    """A level different from customer i's current one, for a conflicting duplicate."""
    top = _levels(scheme) - 1
    level = int(d.level[i])
    return level - 1 if level == top or (level > 0 and rng.random() < 0.5) else level + 1


def _duplicate_and_bad_grades(rng, table, d, s, ctx, pool, grade_id, log):
    scheme, file = ctx.scheme, "grades"
    for i in s.picks["duplicate_grade"].tolist():
        first = int(np.flatnonzero(table.idx == i)[0])
        at = int(rng.integers(first + 1, len(table.idx) + 1))
        table.idx = np.insert(table.idx, at, i)
        # Overrides below the insertion point move down one row.
        table.cells = {(r + (r >= at), c): v for (r, c), v in table.cells.items()}
        level = _other_grade(rng, d, i, scheme)
        gid = grade_id[i] - d.level[i] + level if scheme == "code2008" else level
        table.cells[(at, _G_GRADE)] = pool[gid]
        log.add(
            "duplicate_code",
            str(d.code_text[i]),
            file,
            table.sheet,
            table.first_data_row + at,
            GRADE_HEADERS[_G_CODE],
            f"first at row {table.first_data_row + first} with {pool[grade_id[i]]}, here {pool[gid]}",
        )
    for i in s.picks["bad_grade"].tolist():
        row = int(np.flatnonzero(table.idx == i)[0])
        if scheme == "code2008":
            bad = str(pool[grade_id[i]])[:2] + "5"
        else:
            bad = 35 if scheme == "tiers30" else "D1"
        table.cells[(row, _G_GRADE)] = bad
        log.add(
            "bad_grade",
            str(d.code_text[i]),
            file,
            table.sheet,
            table.first_data_row + row,
            GRADE_HEADERS[_G_GRADE],
            str(bad),
        )


def _purchase_table(rng, d: _District, s: _Special, ctx: _Context, log: _AnomalyLog) -> _Table:
    """The platform export: code, name, volume, amount; largest buyers first."""
    as_text = ctx.layout == "mixed"  # CSV: everything is text
    idx = np.flatnonzero(s.in_purchases)
    idx = idx[np.argsort(-d.amount[idx], kind="stable")]

    def build(rows: np.ndarray) -> list[list]:
        volume = d.volume[rows].astype(np.int64).tolist()
        amount = d.amount[rows].tolist()
        if as_text:
            volume = [str(v) for v in volume]
            amount = [f"{a:.2f}" for a in amount]
        return [d.code_text[rows].tolist(), d.name[rows].tolist(), volume, amount]

    headers = list(PURCHASE_HEADERS)
    head = [headers]
    if ctx.quirks:
        headers[_P_CODE] = PURCHASE_CODE_ALIAS
        span = _quarter_span(ctx.current_quarter)
        period = f"{span[0]:%Y-%m-%d}至{span[1]:%Y-%m-%d}" if span else ctx.current_quarter
        head = [
            ["客户购进量与购进额统计", None, None, None],
            [f"统计期间：{period}", None, None, None],
            headers,
        ]
    table = _Table(sheet="购进量与购进额", head=head, idx=idx, build=build)
    if not ctx.quirks:
        return table

    sheet = None if as_text else table.sheet
    log.add(
        "header_row",
        None,
        "purchases",
        sheet,
        3,
        PURCHASE_CODE_ALIAS,
        "header on row 3 below export metadata",
    )
    log.add("column_alias", None, "purchases", sheet, 3, PURCHASE_CODE_ALIAS, "客户编码 instead of 客户代码")
    row_of = np.empty(len(d), dtype=np.int64)  # district index → data row
    row_of[idx] = np.arange(len(idx))

    lost = row_of[s.picks["lost_digits"]].tolist()
    for row in lost:
        code = str(d.code_text[idx[row]])
        raw = f"{int(code):.5E}"  # what Excel's General format leaves of 12 digits
        table.cells[(row, _P_CODE)] = raw
        log.add("lost_digits", code, "purchases", sheet, table.first_data_row + row, PURCHASE_CODE_ALIAS, raw)

    bad_cells = set()
    for i in s.picks["bad_number"].tolist():
        row, col = int(row_of[i]), int(rng.choice([_P_VOLUME, _P_AMOUNT]))
        raw = ("12..5", "暂无", "1.2.3")[rng.integers(3)]
        table.cells[(row, col)] = raw
        bad_cells.add((row, col))
        s.no_value.append((i, col))
        log.add(
            "bad_number",
            str(d.code_text[i]),
            "purchases",
            sheet,
            table.first_data_row + row,
            PURCHASE_HEADERS[col],
            raw,
        )

    _number_quirks(rng, table, d, s, lost, bad_cells, log, sheet)
    kinds = ("code_spaces", "code_apostrophe", "code_fullwidth")
    _code_quirks(rng, table, d, kinds, log, "purchases", PURCHASE_CODE_ALIAS, exclude=lost)

    volume_sum = int(d.volume[idx].sum())
    amount_sum = round(float(d.amount[idx].sum()), 2)
    total = [
        None,
        "合计",
        str(volume_sum) if as_text else volume_sum,
        f"{amount_sum:.2f}" if as_text else amount_sum,
    ]
    table.tail.append(total)
    log.add("total_row", None, "purchases", sheet, table.n_rows, PURCHASE_HEADERS[_P_NAME], "合计")
    return table


def _number_quirks(rng, table: _Table, d: _District, s: _Special, lost, bad_cells, log, sheet):
    """Volumes and amounts stored as odd text: 1,234 / full-width / trailing spaces / blank."""
    n = len(table.idx)
    cells = np.arange(2 * n)  # cell k: row k // 2, volume (even) or amount (odd)
    usable = ~np.isin(cells // 2, np.asarray(lost, dtype=np.int64))
    for row, col in bad_cells:
        usable[row * 2 + (col - _P_VOLUME)] = False
    values = np.where(cells % 2 == 0, d.volume[table.idx[cells // 2]], d.amount[table.idx[cells // 2]])
    big = usable & (values >= 1000)  # only these show a thousands separator
    picks = _spread_rows(rng, cells[big], ("number_thousands",), _NUMBER_QUIRK_RATE)
    usable[picks["number_thousands"]] = False
    picks |= _spread_rows(
        rng, cells[usable], ("number_fullwidth", "number_spaces", "number_blank"), _NUMBER_QUIRK_RATE
    )
    for kind, chosen in picks.items():
        for cell in chosen.tolist():
            row, col = cell // 2, _P_VOLUME + cell % 2
            value = float(values[cell])
            plain = str(int(value)) if col == _P_VOLUME else f"{value:.2f}"
            raw = {
                "number_thousands": f"{int(value):,}" if col == _P_VOLUME else f"{value:,.2f}",
                "number_fullwidth": plain.translate(_FULLWIDTH),
                "number_spaces": plain + "  ",
                "number_blank": None,
            }[kind]
            table.cells[(row, col)] = raw
            if raw is None:
                s.no_value.append((int(table.idx[row]), col))
            log.add(
                kind,
                str(d.code_text[table.idx[row]]),
                "purchases",
                sheet,
                table.first_data_row + row,
                PURCHASE_HEADERS[col],
                "" if raw is None else raw,
            )


def _log_missing(d: _District, rows: _RouteRows, s: _Special, log: _AnomalyLog):
    """Route customers missing from a table; they have no cell, so the route row is named."""
    if not s.picks:
        return
    for kind, file, members in (
        ("not_in_grades", "grades", s.in_current),
        ("not_in_previous", "previous_grades", s.in_previous),
        ("not_in_purchases", "purchases", s.in_purchases),
    ):
        missing = set(np.flatnonzero(~members).tolist())
        seen = set()
        for r, i in enumerate(rows.idx.tolist()):
            if i in missing and i not in seen:
                seen.add(i)
                log.add(
                    kind,
                    str(d.code_text[i]),
                    file,
                    None,
                    None,
                    None,
                    f"route {_route_name(int(rows.route[r]))} row {int(rows.excel_row[r])}",
                )


# --- truth ------------------------------------------------------------------------------


def _district_truth(d: _District, s: _Special) -> pd.DataFrame:
    """What a correct reader concludes: None/NaN where a table lacks the customer or the
    cell is unusable; the first row of a duplicated code wins."""
    pool = np.array([str(g) for g in _grade_pool(d.scheme, numeric=False)], dtype=object)
    grade = np.where(s.in_current, pool[_grade_ids(d, d.scheme, False)], None)
    previous = np.where(s.in_previous, pool[_grade_ids(d, d.scheme, True)], None)
    volume = np.where(s.in_purchases, d.volume, np.nan)
    amount = np.where(s.in_purchases, d.amount, np.nan)
    segment = np.where(s.in_current, np.array(SEGMENTS, dtype=object)[d.segment], None)
    market = np.where(s.in_current, np.array(MARKETS, dtype=object)[d.market], None)
    picks = s.picks
    if picks:
        grade[picks["bad_grade"]] = None
        lost = picks["lost_digits"]
        volume[lost] = np.nan
        amount[lost] = np.nan
    for i, col in s.no_value:
        (volume if col == _P_VOLUME else amount)[i] = np.nan
    return pd.DataFrame(
        {
            "customer_code": pd.Series(d.code_text),  # pandas' string dtype: compact at 1M rows
            "name": pd.Series(d.name),
            "segment_format": pd.Series(segment, dtype=object),
            "market_type": pd.Series(market, dtype=object),
            "grade": pd.Series(grade, dtype=object),
            "previous_grade": pd.Series(previous, dtype=object),
            "volume": volume.astype(float),
            "amount": amount.astype(float),
        }
    )


# --- writers ----------------------------------------------------------------------------


def _write_routes(path: Path, d: _District, rows: _RouteRows, ctx: _Context, created: datetime):
    """The manager's route workbook: one formatted, printable sheet per route."""
    m = rows.members
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    book.set_properties({"title": ROUTE_TITLE, "author": ctx.manager, "created": created})
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    header = book.add_format({"bold": True, "align": "center", "border": 1, "bg_color": "#D9E1F2"})
    cell = book.add_format({"border": 1})
    widths = (6, 16, 22, 10, 30, 14, 18)
    last_col = len(ROUTE_HEADERS) - 1
    for route in range(1, m.routes + 1):
        name = _route_name(route)
        sheet = book.add_worksheet(name)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        sheet.set_row(0, 30)
        sheet.merge_range(0, 0, 0, last_col, ROUTE_TITLE, title)
        sheet.write_string(
            1, 0, f"客户经理：{ctx.manager}    线路：{name}    访销日：{WEEKDAYS[(route - 1) % 5]}"
        )
        sheet.write_row(2, 0, ROUTE_HEADERS, header)
        on_route = np.flatnonzero(rows.route == route)
        idx, member = rows.idx[on_route], rows.member[on_route]
        codes = d.code_text[idx].tolist()
        for k, r in enumerate(on_route.tolist()):
            codes[k] = rows.code_cell.get(r, codes[k])
        columns = (
            range(1, len(on_route) + 1),
            codes,
            d.name[idx].tolist(),
            d.owner[idx].tolist(),
            m.address[member].tolist(),
            m.phone[member].tolist(),
            m.remark[member].tolist(),
        )
        for excel_row, values in enumerate(zip(*columns), 4):
            sheet.write_row(excel_row - 1, 0, values, cell)
        sheet.freeze_panes(3, 0)
        sheet.repeat_rows(0, 2)
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
    book.close()
