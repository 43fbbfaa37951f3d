"""The quarter's summary tables: the grade change table (零售客户季度等级变动统计表), the minimum
standard table (客户季度等级最低标准表), the distance to the next grade, and the week and grade
overviews of 汇总."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .changes import CHANGES, COMPARABLE
from .cleaning import FIGURE_DECIMALS, STRING
from .grades import GradeScheme, segment_key
from .weekdays import route_sort_key


def _ordered(frame: pd.DataFrame, scheme: GradeScheme) -> pd.DataFrame:
    """Rows sorted by segment, then grade best first."""
    keys = [(segment_key(s), scheme.order(g)) for s, g in zip(frame["segment"], frame["grade"])]
    order = sorted(range(len(frame)), key=keys.__getitem__)
    return frame.iloc[order].reset_index(drop=True)


def _pair_keys(frame: pd.DataFrame) -> pd.Series:
    """One key per (segment, grade) row, for counting and lookups by codes, not groupby."""
    return frame["segment"].astype(STRING).fillna("") + "\x00" + frame["grade"].astype(STRING)


def _pairs(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's (segment, grade) pair as a code 0 … n-1, and the first row of each pair."""
    pair_at, _ = pd.factorize(_pair_keys(frame))
    return pair_at, np.unique(pair_at, return_index=True)[1]


def _counts(codes: np.ndarray, size: int) -> np.ndarray:
    """How many of each code 0 … size-1 (codes < 0 are not counted)."""
    return np.bincount(codes[codes >= 0], minlength=size)[:size]


def grade_change_table(customers: pd.DataFrame, scheme: GradeScheme, batches: list[str]) -> pd.DataFrame:
    """Long form: one row per (segment, grade, batch) with up/same/down counts of route customers.

    Rows are the current grades held on the routes; every batch appears for every grade
    (zeros included), so the wide table and the CSV are complete.
    """
    graded = customers[customers["grade"].notna().to_numpy()]
    pair_at, first = _pairs(graded)
    pairs = _ordered(graded[["segment", "grade"]].iloc[first].assign(_at=np.arange(len(first))), scheme)
    rank = np.empty(len(pairs), dtype=np.int64)
    rank[pairs["_at"].to_numpy()] = np.arange(len(pairs))  # factorize code → table position
    batch_at = pd.Index(batches).get_indexer(graded["batch"])
    change_at = pd.Index(COMPARABLE).get_indexer(graded["change"])
    counted = (batch_at >= 0) & (change_at >= 0)
    cell = np.where(counted, (rank[pair_at] * len(batches) + batch_at) * len(COMPARABLE) + change_at, -1)
    grid = _counts(cell, len(pairs) * len(batches) * len(COMPARABLE)).reshape(-1, len(COMPARABLE))
    table = {
        column: pd.array(values, dtype=customers[column].dtype)
        for column, values in (
            ("segment", np.repeat(pairs["segment"].to_numpy(object), len(batches))),
            ("grade", np.repeat(pairs["grade"].to_numpy(object), len(batches))),
            ("batch", np.tile(np.array(batches, dtype=object), len(pairs))),
        )
    }
    return pd.DataFrame(table | {change: grid[:, i].astype("int64") for i, change in enumerate(COMPARABLE)})


def _change_grid(long: pd.DataFrame, batches: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """grade_change_table's rows as (segment, grade) pairs × batches × up/same/down counts."""
    pairs = long[["segment", "grade"]].iloc[:: max(len(batches), 1)].reset_index(drop=True)
    if not np.array_equal(
        long["batch"].to_numpy(dtype=object), np.array(list(batches) * len(pairs), dtype=object)
    ):
        raise ValueError("needs grade_change_table's grid for the same batches")
    return pairs, long[list(COMPARABLE)].to_numpy("int64").reshape(len(pairs), len(batches), len(COMPARABLE))


def grade_change_wide(long: pd.DataFrame, batches: list[str]) -> pd.DataFrame:
    """The layout managers keep: (segment, grade) rows; (batch, up/same/down) columns; a 合计 block
    per grade across batches; the caller adds the sum row (totals per column).

    `long` is grade_change_table's full grid (every batch for every grade, in order), so the
    wide table is a reshape of it, not a pivot."""
    pairs, grid = _change_grid(long, batches)
    blocks = np.concatenate([grid, grid.sum(axis=1, keepdims=True)], axis=1)  # the 合计 block last
    columns = pd.MultiIndex.from_tuples([(b, c) for b in [*batches, "合计"] for c in COMPARABLE])
    # explicit width: a quarter where no route customer holds a grade has no rows at all
    return pd.DataFrame(
        blocks.reshape(len(pairs), len(columns)), index=pd.MultiIndex.from_frame(pairs), columns=columns
    )


def grade_change_totals(long: pd.DataFrame, batches: list[str]) -> pd.DataFrame:
    """Per (segment, grade): up/same/down over all batches (the 合计 block as a long table)."""
    pairs, grid = _change_grid(long, batches)
    return pairs.assign(**{c: grid[:, :, i].sum(axis=1) for i, c in enumerate(COMPARABLE)})


def standards_table(district: pd.DataFrame, scheme: GradeScheme) -> pd.DataFrame:
    """Per segment and grade over the district: lowest volume, lowest amount, how many hold it.

    Minimums are over customers with purchase figures; 'customers' counts every holder.
    """
    graded = district[(district["grade"].notna() & district["segment"].notna()).to_numpy()]
    pair_at, first = _pairs(graded)
    table = graded[["segment", "grade"]].iloc[first].reset_index(drop=True)
    for figure in ("volume", "amount"):
        lowest = np.full(len(first), np.inf)
        np.fmin.at(lowest, pair_at, graded[figure].to_numpy(dtype=float, na_value=np.nan))  # fmin skips NaN
        table[f"min_{figure}"] = np.where(np.isinf(lowest), np.nan, lowest)  # nobody with figures: empty
    table["customers"] = _counts(pair_at, len(first)).astype("int64")
    return _ordered(table, scheme)


def grade_steps(standards: pd.DataFrame, scheme: GradeScheme) -> pd.DataFrame:
    """For each (segment, grade) of the standards table, the next better grade in that segment
    and its minimums, indexed by _pair_keys: next_grade, next_volume, next_amount."""
    ladder = standards.assign(level=[scheme.level(g) for g in standards["grade"]]).sort_values("level")
    step_up = ladder.groupby("segment")[["grade", "min_volume", "min_amount"]].shift(-1)
    return pd.DataFrame(
        {
            "next_grade": step_up["grade"].to_numpy(dtype=object, na_value=None),
            "next_volume": step_up["min_volume"].to_numpy(dtype=float, na_value=np.nan),
            "next_amount": step_up["min_amount"].to_numpy(dtype=float, na_value=np.nan),
        },
        index=pd.Index(_pair_keys(ladder)),
    )


def next_grade_gaps(
    customers: pd.DataFrame, standards: pd.DataFrame, scheme: GradeScheme, steps: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The talking point for a visit: the next better grade in the customer's segment that
    someone in the district holds, and the volume and amount still missing to reach its
    minimum (0 when already there; empty at the top, or without purchase figures).

    Returns next_grade, gap_volume, gap_amount aligned with `customers`. `steps`: the
    standards' grade_steps, when already made (a department reuses them for every manager).
    """
    steps = grade_steps(standards, scheme) if steps is None else steps
    at = steps.index.get_indexer(_pair_keys(customers))
    found = at >= 0
    take = np.where(found, at, 0)

    def step(column: str, missing) -> np.ndarray:
        values = steps[column].to_numpy()
        return np.where(found, values[take], missing) if len(values) else np.full(len(at), missing)

    with np.errstate(invalid="ignore"):  # no figures: the gap stays empty (NaN), no warning
        # a difference of two decimals carries float noise (313 − 159.52 = 153.4799999999959):
        # rounded to the figures' own precision, cents and hundredths of a 条
        return pd.DataFrame(
            {
                "next_grade": pd.array(step("next_grade", None), dtype=STRING),
                "gap_volume": np.clip(
                    np.round(
                        step("next_volume", np.nan) - customers["volume"].to_numpy(float, na_value=np.nan),
                        FIGURE_DECIMALS,
                    ),
                    0,
                    None,
                ),
                "gap_amount": np.clip(
                    np.round(
                        step("next_amount", np.nan) - customers["amount"].to_numpy(float, na_value=np.nan),
                        FIGURE_DECIMALS,
                    ),
                    0,
                    None,
                ),
            },
            index=customers.index,
        )


def batch_summary(customers: pd.DataFrame, batches: list[str]) -> pd.DataFrame:
    """Per visit batch: its routes, how many route customers, and how many of each change.

    One row per batch in table order (weekdays with no route included, so the week reads
    whole), then a 合计 row. Columns: batch, routes, customers, up, same, down, new, missing.
    """
    batch_at = pd.Index(batches).get_indexer(customers["batch"])
    change_at = pd.Index(CHANGES).get_indexer(customers["change"])
    cell = np.where((batch_at >= 0) & (change_at >= 0), batch_at * len(CHANGES) + change_at, -1)
    counts = _counts(cell, len(batches) * len(CHANGES)).reshape(len(batches), len(CHANGES))
    routes: dict[str, list[str]] = {}
    for route, batch in dict.fromkeys(zip(customers["route"], customers["batch"])):
        routes.setdefault(batch, []).append(route)
    named = ["、".join(sorted(routes.get(b, []), key=route_sort_key)) for b in batches]
    counts = np.vstack([counts, counts.sum(axis=0, keepdims=True)]).astype("int64")  # the 合计 row last
    table = {"batch": [*batches, "合计"], "routes": [*named, ""], "customers": counts.sum(axis=1)}
    return pd.DataFrame(table | {change: counts[:, i] for i, change in enumerate(CHANGES)})


def grade_distribution(customers: pd.DataFrame, scheme: GradeScheme) -> pd.DataFrame:
    """Route customers per segment (rows) and tier (columns, best first), with totals.

    The tier is the grade within its segment (CS1 → 大（1）), so segments share columns.
    Customers without a current grade are not counted here (they are in batch_summary).
    """
    graded = customers[(customers["grade"].notna() & customers["segment"].notna()).to_numpy()]
    grades = graded["grade"].to_numpy(object)
    best_first = sorted(pd.unique(grades), key=lambda g: -(scheme.level(g) or 0))
    columns = list(dict.fromkeys(scheme.tier(g) for g in best_first))
    tier_at = {g: columns.index(scheme.tier(g)) for g in best_first}
    segment_at, segments = pd.factorize(graded["segment"].to_numpy(object))
    cell = segment_at * len(columns) + np.array([tier_at[g] for g in grades], dtype=np.int64)
    counts = _counts(cell, len(segments) * len(columns)).reshape(len(segments), len(columns))
    order = sorted(range(len(segments)), key=lambda i: segment_key(segments[i]))
    counts = np.vstack([counts[order], counts.sum(axis=0, keepdims=True)])
    table = {"segment": [*(segments[i] for i in order), "合计"]}
    table |= {tier: counts[:, j].astype("int64") for j, tier in enumerate(columns)}
    table["合计"] = counts.sum(axis=1).astype("int64")
    return pd.DataFrame(table)
