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

from .changes import DOWN
from .cleaning import STRING
from .grades import GradeScheme, scheme_spec
from .privacy import mask_text
from .quarter import DistrictData, QuarterResult
from .quarters import Quarter
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


def route_record(result: QuarterResult) -> pd.DataFrame:
    """This build's route customers (each coded customer once) with what the route sheet says of
    them; phone and ID numbers in that text are masked: the store never holds them."""
    rows = result.route_rows[~result.route_rows["is_duplicate"] & result.route_rows["customer_code"].notna()]
    record = pd.DataFrame(
        {
            "customer_code": rows["customer_code"],
            "route": rows["route"],
            "weekday": rows["batch"],
            "change": rows["change"],
            "previous_grade": rows["previous_grade"],
        }
    )
    for column in ("name", "owner", "address"):
        text = (
            rows[column].astype(STRING)
            if column in rows
            else pd.Series(pd.NA, index=rows.index, dtype=STRING)
        )
        record[column] = text.map(lambda t: mask_text(t) or None, na_action="ignore").astype(STRING)
    return record.reset_index(drop=True)


def standards_record(result: QuarterResult | DistrictData) -> pd.DataFrame:
    return result.standards[STANDARDS_RECORD].reset_index(drop=True)


def scheme_of(result: QuarterResult) -> str:
    return scheme_spec(result.scheme)


# --- which quarters ----------------------------------------------------------------------------


def recent_quarters(recorded: Iterable[int], upto: int, count: int = HISTORY_QUARTERS) -> list[int]:
    """The `count` most recent recorded quarters up to and including `upto`, oldest first."""
    return sorted(q for q in set(recorded) if q <= upto)[-count:]


def with_levels(history: pd.DataFrame, schemes: Mapping[int, GradeScheme]) -> pd.DataFrame:
    """Adds each row's level under its own quarter's scheme (NA without a grade)."""
    level = pd.Series(np.nan, index=history.index, dtype=float)
    for quarter, rows in history.groupby("quarter").groups.items():
        scheme = schemes[quarter]
        level.loc[rows] = scheme.levels(history.loc[rows, "grade"].astype(STRING)).to_numpy(
            dtype=float, na_value=np.nan
        )
    return history.assign(level=level)


def history_export(history: pd.DataFrame, codes: Iterable[str], quarters: list[int]) -> pd.DataFrame:
    """history.csv: each customer's rows in those quarters, quarter written 2026Q3, by code then quarter."""
    wanted = history[history["customer_code"].isin(set(codes)) & history["quarter"].isin(quarters)]
    out = wanted.sort_values(["customer_code", "quarter"], kind="stable")
    out = out.assign(quarter=[Quarter.from_index(int(q)).code for q in out["quarter"]])
    return out[HISTORY_COLUMNS].reset_index(drop=True)


# --- the trail on the route sheets ----------------------------------------------------------------


def grade_trails(
    history: pd.DataFrame, codes: pd.Series, quarters: list[int], schemes: Mapping[int, GradeScheme]
) -> pd.DataFrame:
    """近四季等级 and 趋势 for each code (aligned with `codes`): the grades of the last four
    recorded quarters, oldest first ('—' where the customer was not in that quarter's grade
    table), and ↑ / ↓ / → from the first to the last known grade (blank with fewer than two
    known, or when those two quarters were graded by different schemes)."""
    shown = quarters[-TRAIL_QUARTERS:]
    rows = with_levels(history[history["quarter"].isin(shown)], schemes)
    grades = pd.DataFrame(
        {q: _at(rows, q, "grade").reindex(codes.to_numpy(object)).to_numpy(object) for q in shown},
        index=codes.index,
    )
    levels = (
        np.column_stack(
            [_at(rows, q, "level").reindex(codes.to_numpy(object)).to_numpy(dtype=float) for q in shown]
        )
        if shown
        else np.empty((len(codes), 0))
    )
    trail = [" ".join("—" if pd.isna(g) else str(g) for g in row) for row in grades.itertuples(index=False)]
    known = ~np.isnan(levels)
    trend = np.full(len(codes), "", dtype=object)
    if shown:
        first = known.argmax(axis=1)
        last = len(shown) - 1 - known[:, ::-1].argmax(axis=1)
        picked = np.arange(len(codes))
        a, b = levels[picked, first], levels[picked, last]
        specs = np.array([scheme_spec(schemes[q]) for q in shown], dtype=object)
        two = known.any(axis=1) & (first < last) & (specs[first] == specs[last])
        trend[two] = np.where(b[two] > a[two], "↑", np.where(b[two] < a[two], "↓", "→"))
    return pd.DataFrame({"trail": trail, "trend": trend}, index=codes.index)


def _at(rows: pd.DataFrame, quarter: int, column: str) -> pd.Series:
    """One quarter's `column` by customer code."""
    at = rows[rows["quarter"] == quarter].drop_duplicates("customer_code")
    return pd.Series(
        at[column].to_numpy(object if column == "grade" else float),
        index=at["customer_code"].to_numpy(object),
    )


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
) -> pd.DataFrame:
    """What a manager should look at first, one row per customer and kind: customer_code, kind,
    detail (Chinese), route, batch — sorted by visit weekday, route, code.

    `current`: this quarter's route customers (customer_code, route, batch, change, grade,
    previous_grade, segment, volume). Without `history` only what one quarter shows (fell); with
    it (every recorded quarter's rows for these customers, this one included) the others.
    """
    found = [_fell(current)]
    if history is not None:
        levelled = with_levels(history, schemes)
        found += [
            _down_twice(current, levelled, quarter, schemes),
            _volume_drop(current, levelled, quarter, settings.volume_drop),
        ]
        if standards is not None:
            found.append(_long_holder_at_risk(current, levelled, quarter, standards, settings, schemes))
        if previous_routes is not None and previous_quarter is not None:
            found.append(_left_routes(current, previous_routes, previous_quarter))
    table = (
        pd.concat([f for f in found if len(f)], ignore_index=True)
        if any(len(f) for f in found)
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
    keys = [
        (day.get(b, len(day)), route_sort_key(str(r)), str(c))
        for b, r, c in zip(frame["batch"], frame["route"], frame["customer_code"])
    ]
    if then is not None:
        keys = [(*k, t) for k, t in zip(keys, then)]
    return frame.iloc[sorted(range(len(frame)), key=keys.__getitem__)].reset_index(drop=True)


def _rows(current: pd.DataFrame, mask, kind: str, details) -> pd.DataFrame:
    hit = current[np.asarray(mask, dtype=bool)]
    return pd.DataFrame(
        {
            "customer_code": hit["customer_code"].to_numpy(object),
            "kind": kind,
            "detail": list(details) if not isinstance(details, str) else details,
            "route": hit["route"].to_numpy(object),
            "batch": hit["batch"].to_numpy(object),
        }
    )


def _fell(current: pd.DataFrame) -> pd.DataFrame:
    coded = current["customer_code"].notna().to_numpy()
    mask = (current["change"] == DOWN).fillna(False).to_numpy() & coded
    hit = current[mask]
    details = [f"等级由 {p} 降为 {g}" for g, p in zip(hit["grade"], hit["previous_grade"])]
    return _rows(current, mask, "fell", details)


def _comparable(schemes: Mapping[int, GradeScheme], quarters: list[int]) -> bool:
    return all(q in schemes for q in quarters) and len({scheme_spec(schemes[q]) for q in quarters}) == 1


def _down_twice(current, levelled, quarter: int, schemes) -> pd.DataFrame:
    """Fell from Q−2 to Q−1 and again from Q−1 to Q: three consecutive calendar quarters, all recorded."""
    quarters = [quarter - 2, quarter - 1, quarter]
    if not _comparable(schemes, quarters):
        return _rows(current, np.zeros(len(current), bool), "down_twice", [])
    codes = current["customer_code"].to_numpy(object)
    a, b, c = (_at(levelled, q, "level").reindex(codes).to_numpy(dtype=float) for q in quarters)
    with np.errstate(invalid="ignore"):
        mask = (b < a) & (c < b)
    grades = [_at(levelled, q, "grade").reindex(codes[mask]).to_numpy(object) for q in quarters]
    before, last = (Quarter.from_index(q).label for q in quarters[:2])
    details = [f"{before} {g0} → {last} {g1} → 本季 {g2}，连续两季降档" for g0, g1, g2 in zip(*grades)]
    return _rows(current, mask, "down_twice", details)


def _volume_drop(current, levelled, quarter: int, share: float) -> pd.DataFrame:
    """This quarter's volume at most (1 − share) of last calendar quarter's, both known, last above 0.
    Compared exactly: 63 of 90 is a drop of 30 %."""
    codes = current["customer_code"].to_numpy(object)
    this = _at(levelled, quarter, "volume").reindex(codes).to_numpy(dtype=float)
    last = _at(levelled, quarter - 1, "volume").reindex(codes).to_numpy(dtype=float)
    keep = 1 - Fraction(str(share))
    with np.errstate(invalid="ignore"):
        candidate = ~np.isnan(this) & ~np.isnan(last) & (last > 0) & (this <= float(keep) * last * (1 + 1e-9))
    mask = np.zeros(len(codes), dtype=bool)
    for i in np.flatnonzero(candidate):  # the few near the line decided exactly, as decimals
        mask[i] = Fraction(repr(float(this[i]))) <= keep * Fraction(repr(float(last[i])))
    details = [
        f"本季购进 {_amount(t)} 条，上季 {_amount(p)} 条，下降 {(1 - t / p) * 100:.0f}%"
        for t, p in zip(this[mask], last[mask])
    ]
    return _rows(current, mask, "volume_drop", details)


def _long_holder_at_risk(
    current, levelled, quarter: int, standards: pd.DataFrame, settings: AlertSettings, schemes
) -> pd.DataFrame:
    """The same grade in each of the last `hold_quarters` consecutive recorded quarters (this one
    included), and this quarter's volume under (1 + margin) × the lowest volume among the
    district's holders of that grade: the next quarter could take it away."""
    quarters = list(range(quarter - settings.hold_quarters + 1, quarter + 1))
    codes = current["customer_code"].to_numpy(object)
    if not all(q in schemes for q in quarters):
        return _rows(current, np.zeros(len(codes), bool), "long_holder_at_risk", [])
    grades = pd.DataFrame({q: _at(levelled, q, "grade").reindex(codes).to_numpy(object) for q in quarters})
    held = (grades.notna().all(axis=1) & grades.eq(grades[quarter], axis=0).all(axis=1)).to_numpy()
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
    names = pd.concat([r[["customer_code", "name"]] for r in routes if r is not None], ignore_index=True)
    by_code = (
        names.dropna(subset=["name"]).drop_duplicates("customer_code").set_index("customer_code")["name"]
    )
    return found.assign(
        name=found["customer_code"].map(by_code).astype(object).where(lambda n: n.notna(), "")
    )


def outlook(
    result: QuarterResult, known: CustomerHistory | None = None, settings: AlertSettings = AlertSettings()
) -> Outlook:
    current = result.customers
    if known is None:
        return Outlook(with_names(alerts(current, 0, settings=settings), route_record(result)))
    found = alerts(
        current,
        known.quarter,
        history=known.rows,
        schemes=known.schemes,
        previous_routes=known.previous_routes,
        previous_quarter=known.previous_quarter,
        standards=result.standards,
        settings=settings,
    )
    found = with_names(found, route_record(result), known.previous_routes)
    coded = current["customer_code"].dropna()
    trails = grade_trails(known.rows, coded, known.quarters, known.schemes).assign(
        customer_code=coded.to_numpy()
    )
    recent = recent_quarters(known.quarters, known.quarter, HISTORY_QUARTERS)
    return Outlook(
        found, trails[["customer_code", "trail", "trend"]], history_export(known.rows, coded, recent)
    )
