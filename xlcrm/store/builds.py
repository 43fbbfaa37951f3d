"""A build and the store: record this quarter (district and the manager's build) in one
transaction, then read back what the outputs need (core.history.CustomerHistory)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import history, issues
from ..core.cleaning import STRING
from ..core.columns import Header
from ..core.errors import XlcrmError
from ..core.grades import GradeScheme
from ..core.keys import codes_among
from ..core.model import Table
from ..core.quarter import DistrictData, QuarterResult
from ..core.quarters import Quarter
from ..core.visits import stored_visits
from . import reading
from .database import Store
from .recording import BuildRecord, QuarterRecord, record


def quarter_of(label: str | None) -> Quarter:
    """The quarter a recording is for: from --quarter or the file names, or a clear error."""
    quarter = Quarter.find(label)
    if quarter is None:
        raise XlcrmError(
            "记录到客户档案库需要知道是哪个季度：请用 --quarter 指定（如 2026Q3 或 2026年第三季度），"
            "或在等级表文件名中写明季度"
        )
    return quarter


def quarter_record(
    quarter: Quarter,
    result: QuarterResult | DistrictData,
    grades: Path,
    purchases: Path | None,
    builds: list[BuildRecord] = (),
) -> QuarterRecord:
    return QuarterRecord(
        quarter,
        history.scheme_of(result),
        Path(grades).name,
        Path(purchases).name if purchases else None,
        history.district_record(result),
        history.standards_record(result),
        list(builds),
    )


def build_record(
    manager: str | None, routes: Path, result: QuarterResult, visits: pd.DataFrame | None = None
) -> BuildRecord:
    """A manager's build; with their visit log (core.visits.VISIT_RECORD), its visits too."""
    stored = None if visits is None else stored_visits(visits)
    return BuildRecord(manager or "", Path(routes).name, history.route_record(result), stored)


def record_build(
    store: Store,
    quarter: Quarter,
    result: QuarterResult,
    manager: str | None,
    grades: Path,
    purchases: Path | None,
    routes: Path,
    visits: pd.DataFrame | None = None,
) -> history.CustomerHistory:
    """Records the quarter with this build (and its visit log's visits, core.visits.VISIT_RECORD:
    one transaction), then reads its customers' history from the quarters recorded before (this
    quarter's rows from `result`, not read back)."""
    build = build_record(manager, routes, result, visits)
    entry = quarter_record(quarter, result, grades, purchases, [build])
    record(store, entry)
    return history_around(store, quarter, manager or "", result)


def known_history(
    store: Store, quarter: Quarter, manager: str, result: QuarterResult | None = None
) -> history.CustomerHistory:
    """The history around a recorded build of this manager in this quarter (its own quarter's
    rows from `result` when the build is at hand, not read back)."""
    schemes = reading.quarter_schemes(store)
    quarters = history.recent_quarters(schemes, quarter.index)
    build = reading.build_of(store, quarter, manager)
    if build is None:
        raise XlcrmError(
            f"客户档案库 {store.where} 中没有{manager or '（未署名）'}在{quarter.label}的线路记录"
        )
    if result is None:
        rows = reading.history_of_build(store, build.id, quarters)
    else:
        stored = reading.history_of_build(store, build.id, [q for q in quarters if q != quarter.index])
        rows = pd.concat([stored, _this_quarter(result, quarter)], ignore_index=True)
    previous = reading.latest_build(store, manager, before=quarter)
    return history.CustomerHistory(
        quarter=quarter.index,
        quarters=quarters,
        rows=rows,
        schemes=schemes,
        previous_routes=reading.route_customers(store, previous.id) if previous else None,
        previous_quarter=previous.quarter.index if previous else None,
    )


ONLY = ("alerts", "changed", "all")


def build_cards(
    store: Store,
    *,
    manager: str | None = None,
    quarter: Quarter | None = None,
    route: str | None = None,
    only: str = "all",
    codes: list[str] | None = None,
    settings: history.AlertSettings = history.AlertSettings(),
) -> tuple[reading.Build, list]:
    """The cards of a manager's recorded build (their latest, or of a quarter): every customer,
    those with alerts, those whose grade changed, or the given codes; on one route if asked."""
    from ..core.cards import make_cards

    build = (
        reading.build_of(store, quarter, manager if manager is not None else _only_manager(store))
        if quarter
        else reading.latest_build(store, manager)
    )
    if build is None:
        who = manager or "这位客户经理"
        raise XlcrmError(
            f"客户档案库 {store.where} 中没有{who}{quarter.label if quarter else ''}的线路记录："
            "请先用 xlcrm build --store 记录"
        )
    known = known_history(store, build.quarter, build.manager)
    customers = reading.route_customers(store, build.id)
    this = known.rows[known.rows["quarter"] == build.quarter.index].drop_duplicates("customer_code")
    current = customers.merge(
        this[["customer_code", "grade", "segment", "volume", "amount"]], on="customer_code", how="left"
    ).rename(columns={"weekday": "batch"})
    standards = reading.standards_of(store, build.quarter)
    alerts = history.alerts(
        current,
        build.quarter.index,
        history=known.rows,
        schemes=known.schemes,
        previous_routes=known.previous_routes,
        previous_quarter=known.previous_quarter,
        standards=standards,
        settings=settings,
    )
    wanted = set(codes) if codes is not None else set(alerts["customer_code"]) if only == "alerts" else set()
    if known.previous_routes is not None and wanted:
        # customers who left the routes have alerts too: their card from the previous build
        gone = known.previous_routes[
            known.previous_routes["customer_code"].isin(wanted - set(current["customer_code"]))
        ]
        gone = (
            gone.merge(
                this[["customer_code", "grade", "segment", "volume", "amount"]],
                on="customer_code",
                how="left",
            )
            .rename(columns={"weekday": "batch"})
            .assign(change="")
        )
        current = pd.concat([current, gone[current.columns]], ignore_index=True)
    chosen = current
    if route:
        chosen = chosen[chosen["route"] == route]
        if chosen.empty:
            names = "、".join(sorted(set(current["route"])))
            raise XlcrmError(f"{build.quarter.label}的记录中没有线路“{route}”（有：{names}）")
    if codes is not None:
        chosen = chosen[chosen["customer_code"].isin(set(codes))]
    if only == "alerts":
        chosen = chosen[chosen["customer_code"].isin(set(alerts["customer_code"]))]
    elif only == "changed":
        chosen = chosen[chosen["change"].isin(["up", "down"])]
    chosen = history.visit_sorted(chosen)
    scheme = known.schemes[build.quarter.index]
    visits = reading.visits_of(store, chosen["customer_code"].dropna().unique().tolist())
    return build, make_cards(
        chosen.reset_index(drop=True), known.rows, known.quarters, standards, scheme, alerts, visits
    )


def _only_manager(store: Store) -> str:
    build = reading.latest_build(store, None)
    return build.manager if build else ""


def _this_quarter(result: QuarterResult, quarter: Quarter) -> pd.DataFrame:
    """The build's own quarter as history rows: its route customers' rows of the district."""
    district = result.district
    mine = codes_among(district["customer_code"], result.customers["customer_code"])
    rows = district.loc[mine, history.DISTRICT_RECORD].reset_index(drop=True)
    return rows.assign(quarter=quarter.index)[history.HISTORY_COLUMNS]


@dataclass(frozen=True)
class StoredHistory:
    """What the store holds before a build's quarter for some customers: its recorded quarters
    and schemes, their district rows, and the manager's previous build. Read ahead of the build
    (commands.read_ahead) for the route codes known early; history_around reads the rest."""

    quarter: Quarter
    manager: str
    schemes: dict[int, GradeScheme]
    codes: pd.Index
    rows: pd.DataFrame
    previous: reading.Build | None
    previous_routes: pd.DataFrame | None


def stored_history(store: Store, quarter: Quarter, manager: str, codes: list[str]) -> StoredHistory:
    schemes = reading.quarter_schemes(store)
    around = history.recent_quarters([*schemes, quarter.index], quarter.index)
    quarters = [q for q in around if q != quarter.index]
    codes = pd.Index(pd.unique(pd.Series(codes, dtype=object).dropna()))
    rows = reading.history_of_codes(store, codes.tolist(), quarters)
    previous = reading.latest_build(store, manager, before=quarter)
    routes = reading.route_customers(store, previous.id) if previous else None
    return StoredHistory(quarter, manager, schemes, codes, rows, previous, routes)


def history_around(
    store: Store, quarter: Quarter, manager: str, result: QuarterResult, ahead: StoredHistory | None = None
) -> history.CustomerHistory:
    """The history around a build not recorded yet (a department records everyone at the end, in
    one transaction): the stored quarters other than this one, and this one from `result`. What
    was read ahead for this quarter and manager is used; only the codes it lacks are read now."""
    codes = result.customers["customer_code"].dropna().drop_duplicates()
    if ahead is None or (ahead.quarter, ahead.manager) != (quarter, manager):
        ahead = stored_history(store, quarter, manager, [])
    schemes = ahead.schemes | {quarter.index: result.scheme}
    quarters = history.recent_quarters([*schemes], quarter.index)
    stored = [q for q in quarters if q != quarter.index]
    read = ahead.rows
    known = read[codes_among(read["customer_code"], codes) & read["quarter"].isin(stored).to_numpy()]
    lacking = codes[~codes_among(codes, pd.Series(ahead.codes, dtype=object))].tolist()
    rows = pd.concat(
        [known, reading.history_of_codes(store, lacking, stored), _this_quarter(result, quarter)],
        ignore_index=True,
    )
    return history.CustomerHistory(
        quarter=quarter.index,
        quarters=quarters,
        rows=rows,
        schemes=schemes,
        previous_routes=ahead.previous_routes,
        previous_quarter=ahead.previous.quarter.index if ahead.previous else None,
    )


def previous_grades(store: Store, quarter: Quarter) -> Table | None:
    """Last calendar quarter's grade table as recorded, for a build given no previous-grade
    table: every change is then measured against the district's own record."""
    before = quarter.shifted(-1)
    rows = reading.district_grades(store, before)
    if rows is None:
        return None
    where = f"{store.where} › {before.code}"
    frame = pd.DataFrame(
        {
            "customer_code": rows["customer_code"].astype(STRING),
            "excel_row": np.arange(1, len(rows) + 1),
            "location": where,
            "grade": rows["grade"].astype(STRING),
        }
    ).astype({"location": "category"})
    return Table(frame, issues.empty(), where, Header(0, ["客户代码", "客户等级"], {"code": 0, "grade": 1}))
