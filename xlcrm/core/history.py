"""A customer over the recorded quarters: what is kept of a quarter, the trail of grades, the
history export and the alerts that need more than one quarter (pure: frames in, frames out).

A history frame has one row per (customer, recorded quarter in whose grade table it is):
customer_code, quarter (Quarter.index), grade, segment, volume, amount. Levels come from each
quarter's own grade scheme; quarters graded by different schemes are never compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .changes import DOWN
from .cleaning import STRING
from .grades import GradeScheme, scheme_spec
from .keys import codes_among, positions_in
from .privacy import mask_text_column
from .quarter import DistrictData, QuarterResult
from .quarters import Quarter
from .texts import text_array
from .weekdays import WEEKDAYS, route_sort_key

HISTORY_COLUMNS = ["customer_code", "quarter", "grade", "segment", "volume", "amount"]
DISTRICT_RECORD = ["customer_code", "grade", "segment", "volume", "amount"]
ROUTE_RECORD = ["customer_code", "route", "weekday", "change", "previous_grade", "name", "owner", "address"]
STANDARDS_RECORD = ["segment", "grade", "min_volume", "min_amount", "customers"]
ALERT_COLUMNS = ["customer_code", "kind", "detail"]
# kind → what 重点关注 calls it; order = the order of a customer's alerts
ALERT_KINDS = {
    "fell": "本季降档",
    "down_twice": "连续两季降档",
    "volume_drop": "购进量大幅下降",
    "no_order": "久未订货",  # with the order detail (core.values)
    "long_holder_at_risk": "多年保持的等级有风险",
    "left_routes": "已不在线路上",
}
HISTORY_KINDS = ("down_twice", "volume_drop", "long_holder_at_risk", "left_routes")
TRAIL_QUARTERS = 4
HISTORY_QUARTERS = 8


@dataclass(frozen=True)
class AlertSettings:
    volume_drop: float = 0.3  # a drop of at least this share of last quarter's volume
    hold_quarters: int = 4  # a long-time holder: the same grade in this many recorded quarters in a row
    risk_margin: float = 0.1  # at risk: volume under (1 + margin) × the lowest holder's of that grade


# --- what is kept of a quarter ---------------------------------------------------------------


def district_record(result: QuarterResult | DistrictData) -> pd.DataFrame:
    """The district's grade table with purchases merged in, one row per customer code."""
    return result.district[DISTRICT_RECORD].reset_index(drop=True)


def _route_customers(
    result: QuarterResult, columns: list[str], among: pd.Series | None = None
) -> pd.DataFrame:
    """Each coded route customer once (the first of duplicate rows): these of its columns (those
    the route table has), only those whose code is `among` the given ones when given."""
    rows = result.route_rows
    kept = ~rows["is_duplicate"].to_numpy(dtype=bool) & rows["customer_code"].notna().to_numpy(dtype=bool)
    if among is not None:
        kept &= codes_among(rows["customer_code"], among)
    # the kept rows taken column by column: selecting columns of the route table, then rows, costs
    # more than the rules here
    at = np.flatnonzero(kept)
    return pd.DataFrame({c: rows[c].array.take(at) for c in columns if c in rows}, index=rows.index[at])


def _masked(rows: pd.DataFrame, column: str) -> pd.Series:
    text = rows[column].astype(STRING) if column in rows else pd.Series(pd.NA, index=rows.index, dtype=STRING)
    return mask_text_column(text)


def route_names(result: QuarterResult, among: pd.Series | None = None) -> pd.DataFrame:
    """customer_code and name (masked) of this build's route customers (only those whose code is
    `among` the given ones, when given: masking text costs more than the rest)."""
    rows = _route_customers(result, ["customer_code", "name"], among)
    return pd.DataFrame({"customer_code": rows["customer_code"], "name": _masked(rows, "name")})


_TEXTS = ("name", "owner", "address")  # what the route sheet says of a customer, masked when kept


def route_record(result: QuarterResult) -> pd.DataFrame:
    """This build's route customers (each coded customer once) with what the route sheet says of
    them; phone and ID numbers in that text are masked: the store never holds them."""
    rows = _route_customers(result, ["customer_code", "route", "batch", "change", "previous_grade", *_TEXTS])
    record = pd.DataFrame(
        {
            "customer_code": rows["customer_code"],
            "route": rows["route"],
            "weekday": rows["batch"],
            "change": rows["change"],
            "previous_grade": rows["previous_grade"],
        }
    )
    for column in _TEXTS:
        record[column] = _masked(rows, column)
    return record.reset_index(drop=True)


def standards_record(result: QuarterResult | DistrictData) -> pd.DataFrame:
    return result.standards[STANDARDS_RECORD].reset_index(drop=True)


def scheme_of(result: QuarterResult) -> str:
    return scheme_spec(result.scheme)


# --- which quarters ----------------------------------------------------------------------------


def recent_quarters(recorded: Iterable[int], upto: int, count: int = HISTORY_QUARTERS) -> list[int]:
    """The `count` most recent recorded quarters up to and including `upto`, oldest first."""
    return sorted(q for q in set(recorded) if q <= upto)[-count:]


@dataclass(frozen=True)
class Grid:
    """This build's customers (rows, in `current`'s order) × recorded quarters (columns): the
    grade, its level under that quarter's scheme, and the volume; NaN / None where the customer
    is in no grade table of that quarter. Built once, read by every rule below."""

    quarters: list[int]  # oldest first
    grade: np.ndarray  # object, n × k
    level: np.ndarray  # float, n × k
    volume: np.ndarray  # float, n × k
    specs: list[str]  # each quarter's scheme spec

    def column(self, quarter: int) -> int | None:
        return self.quarters.index(quarter) if quarter in self.quarters else None


def grid(
    rows: pd.DataFrame, codes: pd.Series, quarters: list[int], schemes: Mapping[int, GradeScheme]
) -> Grid:
    n, k = len(codes), len(quarters)
    grade = np.full((n, k), None, dtype=object)
    level = np.full((n, k), np.nan)
    volume = np.full((n, k), np.nan)
    at_row = positions_in(rows["customer_code"], codes)
    at_col = pd.Index(quarters).get_indexer(rows["quarter"])
    keep = (at_row >= 0) & (at_col >= 0)
    r, c = at_row[keep], at_col[keep]
    grades = rows["grade"].astype(object).to_numpy()[keep]
    grade[r, c] = grades
    volume[r, c] = rows["volume"].to_numpy(dtype=float)[keep]
    for j, quarter in enumerate(quarters):
        mine = c == j
        given = pd.Series(grades[mine])
        by_grade = {g: schemes[quarter].level(g) for g in given.dropna().unique() if isinstance(g, str)}
        level[r[mine], j] = given.map(by_grade).astype(float).to_numpy()  # no level (None) → NaN
    grade[pd.isna(grade)] = None
    return Grid(list(quarters), grade, level, volume, [scheme_spec(schemes[q]) for q in quarters])


def history_export(history: pd.DataFrame, quarters: list[int]) -> pd.DataFrame:
    """history.csv: the history rows (a build's customers') in those quarters, quarter written
    2026Q3, by code then quarter."""
    wanted = history[history["quarter"].isin(quarters).to_numpy()]
    out = wanted.sort_values(["customer_code", "quarter"], kind="stable")
    names = {q: Quarter.from_index(int(q)).code for q in quarters}
    out = out.assign(quarter=out["quarter"].map(names))
    return out[HISTORY_COLUMNS].reset_index(drop=True)


# --- the trail on the route sheets ----------------------------------------------------------------


def grade_trails(found: Grid, codes: pd.Series) -> pd.DataFrame:
    """近四季等级 and 趋势 (aligned with `codes`, the grid's rows): the grades of the last four
    recorded quarters, oldest first ('—' where the customer was not in that quarter's grade
    table), and ↑ / ↓ / → from the first to the last known grade (blank with fewer than two
    known, or when those two quarters were graded by different schemes)."""
    shown = slice(max(len(found.quarters) - TRAIL_QUARTERS, 0), len(found.quarters))
    grades, levels = found.grade[:, shown], found.level[:, shown]
    specs = np.array(found.specs[shown], dtype=object)
    trail = np.full(len(codes), "", dtype=object)
    for j in range(grades.shape[1]):
        column = np.where(pd.isna(grades[:, j]), "—", grades[:, j]).astype(object)
        trail = column if j == 0 else trail + " " + column
    trend = np.full(len(codes), "", dtype=object)
    if grades.shape[1]:
        known = ~np.isnan(levels)
        first = known.argmax(axis=1)
        last = grades.shape[1] - 1 - known[:, ::-1].argmax(axis=1)
        rows = np.arange(len(codes))
        a, b = levels[rows, first], levels[rows, last]
        two = known.any(axis=1) & (first < last) & (specs[first] == specs[last])
        trend[two] = np.where(b[two] > a[two], "↑", np.where(b[two] < a[two], "↓", "→"))
    return pd.DataFrame({"trail": trail, "trend": trend}, index=codes.index)


# --- alerts ---------------------------------------------------------------------------------------


def alerts(
    current: pd.DataFrame,
    quarter: int,
    *,
    history: pd.DataFrame | None = None,
    schemes: Mapping[int, GradeScheme] | None = None,
    previous_routes: pd.DataFrame | None = None,
    previous_quarter: int | None = None,
    standards: pd.DataFrame | None = None,
    settings: AlertSettings = AlertSettings(),
    found: Grid | None = None,
) -> pd.DataFrame:
    """What a manager should look at first, one row per customer and kind: customer_code, kind,
    detail (Chinese), route, batch — sorted by visit weekday, route, code.

    `current`: this quarter's route customers (customer_code, route, batch, change, grade,
    previous_grade, segment, volume). Without `history` only what one quarter shows (fell); with
    it (every recorded quarter's rows for these customers, this one included) the others.
    """
    hits = [_fell(current)]
    if history is not None:
        if found is None:
            recorded = sorted(schemes)
            found = grid(history, current["customer_code"], recent_quarters(recorded, quarter), schemes)
        hits += [
            _down_twice(current, found, quarter),
            _volume_drop(current, found, quarter, settings.volume_drop),
        ]
        if standards is not None:
            hits.append(_long_holder_at_risk(current, found, quarter, standards, settings))
        if previous_routes is not None and previous_quarter is not None:
            hits.append(_left_routes(current, previous_routes, previous_quarter))
    table = (
        pd.concat([h for h in hits if len(h)], ignore_index=True)
        if any(len(h) for h in hits)
        else pd.DataFrame(columns=[*ALERT_COLUMNS, "route", "batch"])
    )
    return sort_alerts(table)


def sort_alerts(table: pd.DataFrame) -> pd.DataFrame:
    """By visit weekday, route, code, then the kinds' order."""
    kind = {k: i for i, k in enumerate(ALERT_KINDS)}
    return visit_sorted(table, [kind.get(k, len(kind)) for k in table["kind"]])[
        [*ALERT_COLUMNS, "route", "batch"]
    ]


def visit_sorted(frame: pd.DataFrame, then: list | None = None) -> pd.DataFrame:
    """Rows in the order the week is visited: weekday (星期一 … then the rest), route, code."""
    day = {w: i for i, w in enumerate(WEEKDAYS)}
    batch, route, code = (frame[c].to_numpy(dtype=object) for c in ("batch", "route", "customer_code"))
    # each distinct weekday, route and code keyed once, then the rows ordered by their keys' places
    weekday = [day.get(b, len(day)) for b in batch]
    route_keys = {r: route_sort_key(str(r)) for r in pd.unique(route)}
    keys = [weekday, places([route_keys[r] for r in route]), places([str(c) for c in code])]
    if then is not None:
        keys.append(list(then))
    order = np.lexsort([np.asarray(k, dtype=np.int64).reshape(len(frame)) for k in reversed(keys)])
    return frame.iloc[order].reset_index(drop=True)


def places(keys: list) -> np.ndarray:
    """Each key's place among the distinct keys sorted (equal keys, equal places): rows ordered
    by numpy on keys that Python compares (route_sort_key's tuples, text)."""
    place = {k: i for i, k in enumerate(sorted(set(keys)))}
    return np.array([place[k] for k in keys], dtype=np.int64)


def _rows(current: pd.DataFrame, mask, kind: str, details) -> pd.DataFrame:
    mask = np.asarray(mask, dtype=bool)
    return pd.DataFrame(
        {
            "customer_code": current["customer_code"].to_numpy(object)[mask],
            "kind": kind,
            "detail": list(details) if not isinstance(details, str) else details,
            "route": current["route"].to_numpy(object)[mask],
            "batch": current["batch"].to_numpy(object)[mask],
        }
    )


def _none(current: pd.DataFrame, kind: str) -> pd.DataFrame:
    return _rows(current, np.zeros(len(current), dtype=bool), kind, [])


def _fell(current: pd.DataFrame) -> pd.DataFrame:
    coded = current["customer_code"].notna().to_numpy()
    change = text_array(current["change"])
    mask = pc.equal(change, DOWN).fill_null(False).to_numpy(zero_copy_only=False) & coded
    grade, previous = (current[c].to_numpy(object)[mask] for c in ("grade", "previous_grade"))
    details = [f"等级由 {p} 降为 {g}" for g, p in zip(grade, previous)]
    return _rows(current, mask, "fell", details)


def _columns(found: Grid, quarters: list[int]) -> list[int] | None:
    """The grid's columns of these calendar quarters, when all are recorded under one scheme."""
    at = [found.column(q) for q in quarters]
    if None in at or len({found.specs[j] for j in at}) != 1:
        return None
    return at


def _down_twice(current, found: Grid, quarter: int) -> pd.DataFrame:
    """Fell from Q−2 to Q−1 and again from Q−1 to Q: three consecutive calendar quarters, all recorded."""
    at = _columns(found, [quarter - 2, quarter - 1, quarter])
    if at is None:
        return _none(current, "down_twice")
    a, b, c = (found.level[:, j] for j in at)
    with np.errstate(invalid="ignore"):
        mask = (b < a) & (c < b)
    before, last = (Quarter.from_index(q).label for q in (quarter - 2, quarter - 1))
    g0, g1, g2 = (found.grade[mask, j] for j in at)
    details = [f"{before} {x} → {last} {y} → 本季 {z}，连续两季降档" for x, y, z in zip(g0, g1, g2)]
    return _rows(current, mask, "down_twice", details)


def _volume_drop(current, found: Grid, quarter: int, share: float) -> pd.DataFrame:
    """This quarter's volume at most (1 − share) of last calendar quarter's, both known, last above 0.
    Compared exactly: 63 of 90 is a drop of 30 %."""
    this_at, last_at = found.column(quarter), found.column(quarter - 1)
    if this_at is None or last_at is None:
        return _none(current, "volume_drop")
    this, last = found.volume[:, this_at], found.volume[:, last_at]
    keep = 1 - Fraction(str(share))
    with np.errstate(invalid="ignore"):
        candidate = ~np.isnan(this) & ~np.isnan(last) & (last > 0) & (this <= float(keep) * last * (1 + 1e-9))
    mask = np.zeros(len(this), dtype=bool)
    for i in np.flatnonzero(candidate):  # the few near the line decided exactly, as decimals
        mask[i] = Fraction(repr(float(this[i]))) <= keep * Fraction(repr(float(last[i])))
    details = [
        f"本季购进 {_amount(t)} 条，上季 {_amount(p)} 条，下降 {(1 - t / p) * 100:.0f}%"
        for t, p in zip(this[mask], last[mask])
    ]
    return _rows(current, mask, "volume_drop", details)


def _long_holder_at_risk(
    current, found: Grid, quarter: int, standards: pd.DataFrame, settings: AlertSettings
) -> pd.DataFrame:
    """The same grade in each of the last `hold_quarters` consecutive calendar quarters (all
    recorded, this one included), and this quarter's volume under (1 + margin) × the lowest
    volume among the district's holders of that grade: the next quarter could take it away."""
    at = [found.column(q) for q in range(quarter - settings.hold_quarters + 1, quarter + 1)]
    if None in at:
        return _none(current, "long_holder_at_risk")
    grades = found.grade[:, at]
    now = grades[:, -1]
    held = ~pd.isna(now) & (grades == now[:, None]).all(axis=1)
    pairs = standards["segment"].astype(str) + "\x00" + standards["grade"].astype(str)
    floor = pd.Series(standards["min_volume"].to_numpy(dtype=float), index=pairs.to_numpy(object))
    keys = (
        current["segment"].astype(object).astype(str) + "\x00" + current["grade"].astype(object).astype(str)
    )
    lowest = floor.reindex(keys.to_numpy(object)).to_numpy(dtype=float)
    volume = current["volume"].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        mask = held & (volume < (1 + settings.risk_margin) * lowest)
    details = [
        f"已连续 {settings.hold_quarters} 季为 {g}，本季购进 {_amount(v)} 条，本档辖区最低 {_amount(f)} 条"
        for g, v, f in zip(current["grade"][mask], volume[mask], lowest[mask])
    ]
    return _rows(current, mask, "long_holder_at_risk", details)


def _left_routes(current, previous_routes: pd.DataFrame, previous_quarter: int) -> pd.DataFrame:
    """On this manager's routes in their previous recorded build, on none of them now."""
    gone = previous_routes[~previous_routes["customer_code"].isin(set(current["customer_code"].dropna()))]
    label = Quarter.from_index(previous_quarter).label
    return pd.DataFrame(
        {
            "customer_code": gone["customer_code"].to_numpy(object),
            "kind": "left_routes",
            "detail": [f"{label}在{r}，本季不在任何线路上" for r in gone["route"]],
            "route": gone["route"].to_numpy(object),
            "batch": gone["weekday"].to_numpy(object),
        }
    )


def _amount(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


# --- a department over the quarters -----------------------------------------------------------------


def quarter_trend(changes: pd.DataFrame) -> pd.DataFrame:
    """历季趋势: per recorded quarter (calendar order) and manager, route customers up / same /
    down; then each quarter's total. `changes`: quarter, manager, change (one row per customer)."""
    counted = changes[changes["change"].isin(["up", "same", "down"])]
    table = counted.pivot_table(
        index=["quarter", "manager"], columns="change", values="change", aggfunc="size", fill_value=0
    ).reindex(columns=["up", "same", "down"], fill_value=0)
    quarters = sorted(set(changes["quarter"]))
    managers = sorted(set(changes["manager"]))
    full = table.reindex(
        pd.MultiIndex.from_product([quarters, managers], names=["quarter", "manager"]), fill_value=0
    )
    rows = full.reset_index()
    present = set(zip(changes["quarter"], changes["manager"]))
    rows = rows[[(q, m) in present for q, m in zip(rows["quarter"], rows["manager"])]]
    return rows.astype({c: "int64" for c in ("up", "same", "down")}).reset_index(drop=True)


# --- what a quarter's outputs get from the history ----------------------------------------------------


@dataclass(frozen=True)
class CustomerHistory:
    """What the store knows around one build: the recorded quarters up to it, every stored row
    of its customers in those quarters, each quarter's scheme, and the manager's previous build."""

    quarter: int  # the build's quarter (Quarter.index)
    quarters: list[int]  # recorded quarters up to and including it, oldest first
    rows: pd.DataFrame  # HISTORY_COLUMNS
    schemes: Mapping[int, GradeScheme]
    previous_routes: pd.DataFrame | None = None  # ROUTE_RECORD rows of the manager's previous build
    previous_quarter: int | None = None


@dataclass(frozen=True)
class Outlook:
    """The history-side outputs of a build: alerts always; trails and history rows with a store."""

    alerts: pd.DataFrame  # ALERT_COLUMNS + route, batch
    trails: pd.DataFrame | None = None  # customer_code, trail, trend
    history: pd.DataFrame | None = None  # history.csv


def with_names(found: pd.DataFrame, *routes: pd.DataFrame | None) -> pd.DataFrame:
    """Each alert's customer name, from this build's routes, else the previous build's."""
    routes = [r for r in routes if r is not None]
    names = pa.concat_arrays([text_array(r["name"]) for r in routes])
    named = names.is_valid()
    codes = pa.concat_arrays([text_array(r["customer_code"]) for r in routes]).filter(named)
    # the first named row of each code, as a lookup (not a merge)
    at = positions_in(found["customer_code"], pd.Series(pd.arrays.ArrowStringArray(codes)))
    name = names.filter(named).take(pa.array(at, mask=at < 0)).to_numpy(zero_copy_only=False)
    return found.assign(name=pd.Series(np.where(at >= 0, name, ""), index=found.index, dtype=object))


def _named(
    result: QuarterResult, hits: pd.DataFrame, more: pd.DataFrame | None, previous: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The alerts with their customers' names (this build's routes, else the previous build's),
    and `more` with theirs (this build's routes) among them: by visit weekday, route, code, kind.
    The route names are looked up once for both."""
    if more is None or more.empty:
        return with_names(hits, route_names(result, hits["customer_code"]), previous)
    names = route_names(result, pd.concat([hits["customer_code"], more["customer_code"]], ignore_index=True))
    table = pd.concat([with_names(hits, names, previous), with_names(more, names)], ignore_index=True)
    kind = {k: i for i, k in enumerate(ALERT_KINDS)}
    return visit_sorted(table, [kind.get(k, len(kind)) for k in table["kind"]])


def outlook(
    result: QuarterResult,
    known: CustomerHistory | None = None,
    settings: AlertSettings = AlertSettings(),
    more: pd.DataFrame | None = None,
) -> Outlook:
    """The build's alerts (and with a store its trails and history rows); `more`: alerts other
    rules found (core.values' no_order: ALERT_COLUMNS + route, batch), listed among them."""
    current = result.customers
    if known is None:
        return Outlook(_named(result, alerts(current, 0, settings=settings), more))
    quarters = recent_quarters(known.quarters, known.quarter)
    found = grid(known.rows, current["customer_code"], quarters, known.schemes)
    hits = alerts(
        current,
        known.quarter,
        history=known.rows,
        schemes=known.schemes,
        previous_routes=known.previous_routes,
        previous_quarter=known.previous_quarter,
        standards=result.standards,
        settings=settings,
        found=found,
    )
    hits = _named(result, hits, more, known.previous_routes)
    coded = current["customer_code"].notna().to_numpy()
    trails = grade_trails(found, current["customer_code"])[coded].assign(
        customer_code=current["customer_code"][coded].to_numpy()
    )
    return Outlook(hits, trails[["customer_code", "trail", "trend"]], history_export(known.rows, quarters))
