"""A quarter reviewed: route customers enriched with grades and purchases, their changes,
both summary tables and the issue list — pure functions over the loaded inputs (no I/O).

The district side (grade, purchase and previous-grade tables) is prepared once
(prepare_district); each manager's routes are then reviewed against it (review_routes);
review_quarter does both for one manager."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api.extensions import take

from . import issues as issue_list
from .changes import classify, route_marks
from .cleaning import STRING, clean_grades, looks_truncated, map_uniques
from .district import build_district, first_of_duplicates, graded, previous_grades
from .grades import GradeScheme, check_scheme_fits, detect_scheme
from .input_checks import input_mismatches
from .keys import code_keys
from .model import RouteBook, Table
from .tables import grade_change_table, grade_steps, next_grade_gaps, standards_table
from .weekdays import UNKNOWN_BATCH, VISIT_WEEKDAYS, WEEKDAYS, batch_of, route_sort_key

CUSTOMER_COLUMNS = [
    "customer_code",
    "route",
    "batch",
    "segment",
    "grade",
    "previous_grade",
    "change",
    "volume",
    "amount",
]


@dataclass(frozen=True)
class ReviewSettings:
    scheme: GradeScheme | None = None  # None: detected from the current grade table
    batches: Mapping[str, str] = field(default_factory=dict)  # route → weekday, wins over the name


@dataclass(frozen=True)
class QuarterResult:
    route_rows: pd.DataFrame  # every route row as read, enriched; duplicates flagged
    customers: pd.DataFrame  # one row per route customer (first occurrence of each code)
    district: pd.DataFrame  # the current grade table with purchases merged in
    grade_changes: pd.DataFrame  # long: segment, grade, batch, up, same, down
    standards: pd.DataFrame  # segment, grade, min_volume, min_amount, customers
    issues: pd.DataFrame  # kind, customer_code, source, detail
    scheme: GradeScheme
    batches: list[str]  # batches in table order
    sheet_batches: dict[str, str] = field(default_factory=dict)  # each route sheet's route → batch

    def customer_keys(self) -> np.ndarray:
        """Each route customer's match key (core.keys) in `customers`' order, as the review made
        it for their route rows (a customer without a code: a negative key that matches nothing)."""
        rows = self.route_rows
        return rows["key"].to_numpy()[~rows["is_duplicate"].to_numpy(dtype=bool)]


Progress = Callable[[str], None]


@dataclass(frozen=True)
class DistrictData:
    """The district side of a quarter, prepared once: a department reviews hundreds of
    managers' routes against the same grade, purchase and previous-grade tables."""

    scheme: GradeScheme
    district: pd.DataFrame  # the current grade table with purchases merged in (build_district)
    purchases: pd.DataFrame  # key, volume, amount: one row per code
    previous: pd.DataFrame | None  # key, previous_grade, previous_level; None: use the route sheets
    standards: pd.DataFrame
    issues: pd.DataFrame  # everything found in the district's own tables
    steps: pd.DataFrame  # the next better grade of each (segment, grade): tables.grade_steps
    _indexes: dict = field(default_factory=dict, repr=False, compare=False)  # table → key index, built once

    def find(self, table: str, keys: pd.Series, columns: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
        """Rows of `table` ('district', 'purchases', 'previous') for `keys` (NA where absent) and
        whether each was found; a manager's lookup costs their rows, not the district's."""
        frame = getattr(self, table)
        at = self._index(table).get_indexer(keys.to_numpy())
        # take() per column, missing → NA of the column's own type (no frame-wide where)
        return pd.DataFrame({c: take(frame[c].values, at, allow_fill=True) for c in columns}), at >= 0

    def issues_about(self, codes: pd.Series) -> pd.DataFrame:
        """The district tables' issues about these customer codes, in the issue list's order."""
        by_code = self._index("issues")
        hits = [by_code[c] for c in pd.unique(codes.dropna()) if c in by_code]
        return self.issues.iloc[np.sort(np.concatenate(hits))] if hits else issue_list.empty()

    def build_indexes(self) -> DistrictData:
        """Every lookup index now (before a pool forks, so each worker inherits them)."""
        for name in ("district", "purchases", "previous", "issues"):
            if getattr(self, name) is not None:
                self._index(name)
        return self

    def _index(self, name: str):
        """A table's key index (issues: positions by customer code), built once and kept."""
        if name not in self._indexes:
            self._indexes[name] = (
                self.issues.groupby("customer_code", observed=True).indices
                if name == "issues"
                else pd.Index(getattr(self, name)["key"])
            )
        return self._indexes[name]


def prepare_district(
    grades: Table,
    purchases: Table,
    previous: Table | None = None,
    settings: ReviewSettings = ReviewSettings(),
    progress: Progress = lambda _: None,
) -> DistrictData:
    if settings.scheme is not None:
        check_scheme_fits(settings.scheme, grades.rows["grade"], where=grades.column_where("grade"))
    scheme = settings.scheme or detect_scheme(grades.rows["grade"], where=grades.where)
    progress(f"等级方案：{scheme.label}")
    grade_rows, purchase_rows = (
        t.rows.assign(key=code_keys(t.rows["customer_code"])[0]) for t in (grades, purchases)
    )
    district, district_issues = build_district(grade_rows, purchase_rows, scheme)
    progress(f"辖区客户 {len(district):,} 户，已合并购进量与购进额")
    bought = purchase_rows.drop_duplicates("key")[["key", "volume", "amount"]].reset_index(drop=True)
    prev, prev_issues = None, issue_list.empty()
    if previous is not None:
        prev, prev_issues = previous_grades(
            previous.rows.assign(key=code_keys(previous.rows["customer_code"])[0]), scheme
        )
    issues = issue_list.combine(
        [
            input_mismatches(grades, purchases, previous),
            grades.issues,
            purchases.issues,
            previous.issues if previous else issue_list.empty(),
            district_issues,
            prev_issues,
        ]
    )
    standards = standards_table(district, scheme)
    return DistrictData(scheme, district, bought, prev, standards, issues, grade_steps(standards, scheme))


def review_quarter(
    routes: RouteBook,
    grades: Table,
    purchases: Table,
    previous: Table | None = None,
    settings: ReviewSettings = ReviewSettings(),
    progress: Progress = lambda _: None,
) -> QuarterResult:
    return review_routes(
        routes, prepare_district(grades, purchases, previous, settings, progress), settings, progress
    )


def review_routes(
    routes: RouteBook,
    data: DistrictData,
    settings: ReviewSettings = ReviewSettings(),
    progress: Progress = lambda _: None,
    all_district_issues: bool = True,
) -> QuarterResult:
    """One manager's routes against the prepared district (no I/O). In a department run the
    district tables' own issues are listed once for everyone; each manager then gets only
    those about their customers (all_district_issues=False)."""
    scheme = data.scheme
    route_customers = routes.customers.assign(key=code_keys(routes.customers["customer_code"])[0])
    route_rows, route_issues = enrich_routes(route_customers, data, settings.batches)
    customers = route_rows.loc[~route_rows["is_duplicate"], CUSTOMER_COLUMNS].reset_index(drop=True)
    batches = batch_order(customers["batch"])
    progress(f"线路客户 {len(customers):,} 户，已标出等级变动")
    changes = grade_change_table(customers, scheme, batches)
    route_rows = route_rows.join(next_grade_gaps(route_rows, data.standards, scheme, data.steps))
    district_issues = data.issues
    if not all_district_issues:
        district_issues = data.issues_about(customers["customer_code"])
    issues = issue_list.combine([routes.issues, district_issues, route_issues])
    # a route sheet without customers yet still has its weekday (its title says it)
    sheet_batches = {s.route: batch_of(s.route, settings.batches) or UNKNOWN_BATCH for s in routes.sheets}
    return QuarterResult(
        route_rows, customers, data.district, changes, data.standards, issues, scheme, batches, sheet_batches
    )


def enrich_routes(
    rows: pd.DataFrame, data: DistrictData, batch_map: Mapping[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every route row with batch, current grade, volume, amount, previous grade and change."""
    scheme = data.scheme
    issues = []
    first, duplicates = first_of_duplicates(rows, {"route": "线路"}, "线路表")
    rows = rows.assign(is_duplicate=~rows.index.isin(first.index))  # kept and flagged, never dropped
    issues.append(duplicates)

    batch_by_route = {r: batch_of(r, batch_map) for r in pd.unique(rows["route"])}
    rows["batch"] = map_uniques(rows["route"], lambda r: batch_by_route[r] or UNKNOWN_BATCH, STRING)
    unknown = [r for r, b in batch_by_route.items() if b is None]
    if unknown:
        first_of_route = rows.drop_duplicates("route").set_index("route")
        issues.append(
            issue_list.issue_frame(
                "unknown_batch",
                pd.NA,
                [issue_list.sources(first_of_route.loc[[r]]).iloc[0] for r in unknown],
                [
                    f"线路“{r}”无法从名称判断访销日，已归入“{UNKNOWN_BATCH}”；请用 --batch {r}=星期几 指定"
                    for r in unknown
                ],
            )
        )

    rows = rows.reset_index(drop=True)
    current, in_grades = data.find(
        "district", rows["key"], ["grade", "level", "segment", "volume", "amount", "outside_scheme"]
    )
    # a grade outside the scheme is already listed (bad_grade, at its cell): not again as blank
    outside = current.pop("outside_scheme").fillna(False).to_numpy(dtype=bool)
    bought, in_purchases = data.find("purchases", rows["key"], ["volume", "amount"])
    # purchases of a route customer missing from the grade table still show on the route
    need = ~in_grades & in_purchases
    if need.any():
        for figure in ("volume", "amount"):
            current[figure] = current[figure].where(~need, bought[figure])
    rows = pd.concat([rows, current], axis=1)

    if data.previous is not None:
        before, _ = data.find("previous", rows["key"], ["previous_grade", "previous_level"])
        rows = pd.concat([rows.drop(columns="previous_grade"), before], axis=1)
        prev_label = "上季等级表"
    else:  # last quarter's grade kept on the route sheet itself, as in the manual method
        own = rows[["key", "customer_code", "location", "excel_row"]].assign(
            grade=clean_grades(rows["previous_grade"].fillna(""))
        )
        own, prev_issues = graded(own, scheme, "线路表（上季等级列）")
        rows["previous_grade"], rows["previous_level"] = own["grade"].to_numpy(), own["level"].to_numpy()
        prev_label = "线路表的上季等级列"
        issues.append(prev_issues)

    rows["change"] = classify(rows["level"], rows["previous_level"])
    rows["mark"] = route_marks(rows["grade"], rows["change"])

    listed = ((rows["key"] >= 0) & ~rows["is_duplicate"]).to_numpy()
    graded_now, had_grade = rows["grade"].notna().to_numpy(), rows["previous_grade"].notna().to_numpy()
    not_graded = listed & ~in_grades
    truncated = np.zeros(len(rows), dtype=bool)
    if not_graded.any():
        truncated[not_graded] = rows["customer_code"][not_graded].map(looks_truncated).astype(bool).to_numpy()
    issues.append(
        _absent(
            rows,
            [
                (
                    not_graded & ~truncated,
                    "not_in_grades",
                    "本季等级表中没有此客户（新客户或代码有误），无本季等级",
                ),
                (
                    truncated,
                    "not_in_grades",
                    "本季等级表中没有此客户；代码末尾多个0，疑似被科学计数法截断，请核对原始代码",
                ),
                (
                    listed & in_grades & ~graded_now & ~outside,
                    "blank_grade",
                    "本季等级表中有此客户，但等级为空，无本季等级",
                ),
                (listed & ~in_purchases, "not_in_purchases", "购进表中没有此客户，购进量和购进额为空"),
                (
                    listed & ~had_grade & graded_now,
                    "not_in_previous",
                    f"{prev_label}中没有此客户的等级，本季按新客户统计",
                ),
            ],
        )
    )
    position = {r: i for i, r in enumerate(sorted(batch_by_route, key=route_sort_key))}
    route_at = map_uniques(rows["route"], position.get, "Int64").to_numpy(dtype=np.int64)
    order = np.lexsort((rows["excel_row"].to_numpy(), route_at))  # by route, then sheet row (stable)
    return rows.take(order).reset_index(drop=True), issue_list.combine(issues)


def _absent(rows: pd.DataFrame, checks: list[tuple[np.ndarray, str, str]]) -> pd.DataFrame:
    """One issue per row hit by each check (mask, kind, detail), citing the row's code cell."""
    hits = [(np.flatnonzero(mask), kind, detail) for mask, kind, detail in checks if mask.any()]
    if not hits:
        return issue_list.empty()
    at = np.concatenate([positions for positions, _, _ in hits])
    cited = rows[["customer_code", "location", "excel_row"]].iloc[at]
    counts = [len(positions) for positions, _, _ in hits]
    return issue_list.issue_frame(
        np.repeat([kind for _, kind, _ in hits], counts),
        cited["customer_code"].values,
        issue_list.sources(cited).values,
        np.repeat([d for _, _, d in hits], counts),
    )


def batch_order(batches: pd.Series) -> list[str]:
    """星期一 … 星期五 always (the change table's layout), then any other batch present."""
    present = set(pd.unique(batches.dropna()))
    extra = [w for w in WEEKDAYS[5:] if w in present] + sorted(present - set(WEEKDAYS))
    return list(VISIT_WEEKDAYS) + extra
