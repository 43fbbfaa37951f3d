"""Steps 4 and 5 of the seed: the grade change table and the minimum standard table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .batches import route_sort_key
from .changes import CHANGES, COMPARABLE, DOWN, SAME, UP
from .cleaning import STRING
from .grades import FORMATS, GradeScheme

# common 业态 names in the order managers list them; others follow alphabetically
_FORMAT_ORDER = ("食杂店", "便利店", "超市", "商场", "烟酒商店", "娱乐服务类", "其他")


def segment_key(segment: str) -> tuple:
    if len(segment) == 2 and segment[0] in "CX" and segment[1] in FORMATS:
        return (0, "CX".index(segment[0]), "ZCBSNYFQ".index(segment[1]), segment)
    if segment in _FORMAT_ORDER:
        return (1, _FORMAT_ORDER.index(segment), 0, segment)
    return (2, 0, 0, segment)


def _ordered(frame: pd.DataFrame, scheme: GradeScheme) -> pd.DataFrame:
    """Rows sorted by segment, then grade best first."""
    keys = [(segment_key(s), scheme.order(g)) for s, g in zip(frame["segment"], frame["grade"])]
    order = sorted(range(len(frame)), key=keys.__getitem__)
    return frame.iloc[order].reset_index(drop=True)


def grade_change_table(customers: pd.DataFrame, scheme: GradeScheme, batches: list[str]) -> pd.DataFrame:
    """Long form: one row per (segment, grade, batch) with up/same/down counts of route customers.

    Rows are the current grades held on the routes; every batch appears for every grade
    (zeros included), so the wide table and the CSV are complete.
    """
    graded = customers[customers["grade"].notna()]
    pairs = _ordered(graded[["segment", "grade"]].drop_duplicates(), scheme)
    counted = graded[graded["change"].isin(COMPARABLE)]
    counts = (counted.groupby(["segment", "grade", "batch", "change"], observed=True).size()
              .unstack("change").reindex(columns=list(COMPARABLE)).fillna(0).astype("int64"))
    grid = pd.MultiIndex.from_tuples(
        [(s, g, b) for s, g in zip(pairs["segment"], pairs["grade"]) for b in batches],
        names=["segment", "grade", "batch"])
    table = counts.reindex(grid, fill_value=0).reset_index()
    table.columns.name = None
    return table[["segment", "grade", "batch", UP, SAME, DOWN]]


def grade_change_wide(long: pd.DataFrame, batches: list[str]) -> pd.DataFrame:
    """The seed's layout: (segment, grade) rows; (batch, up/same/down) columns; a 合计 block
    per grade across batches; the caller adds the sum row (totals per column).

    `long` is grade_change_table's full grid (every batch for every grade, in order), so the
    wide table is a reshape of it, not a pivot."""
    order = long[["segment", "grade"]].drop_duplicates()
    if list(long["batch"]) != list(batches) * len(order):
        raise ValueError("grade_change_wide needs grade_change_table's grid for the same batches")
    grid = long[list(COMPARABLE)].to_numpy("int64").reshape(len(order), len(batches), len(COMPARABLE))
    blocks = np.concatenate([grid, grid.sum(axis=1, keepdims=True)], axis=1)  # the 合计 block last
    columns = pd.MultiIndex.from_tuples([(b, c) for b in [*batches, "合计"] for c in COMPARABLE])
    return pd.DataFrame(blocks.reshape(len(order), -1), index=pd.MultiIndex.from_frame(order), columns=columns)


def standards_table(district: pd.DataFrame, scheme: GradeScheme) -> pd.DataFrame:
    """Per segment and grade over the district: lowest volume, lowest amount, how many hold it.

    Minimums are over customers with purchase figures; 'customers' counts every holder.
    """
    graded = district[district["grade"].notna()]
    table = (graded.groupby(["segment", "grade"], observed=True)
             .agg(min_volume=("volume", "min"), min_amount=("amount", "min"),
                  customers=("customer_code", "size"))
             .reset_index())
    table["customers"] = table["customers"].astype("int64")
    return _ordered(table, scheme)[["segment", "grade", "min_volume", "min_amount", "customers"]]


def next_grade_gaps(customers: pd.DataFrame, standards: pd.DataFrame, scheme: GradeScheme) -> pd.DataFrame:
    """The talking point for a visit: the next better grade in the customer's segment that
    someone in the district holds, and the volume and amount still missing to reach its
    minimum (0 when already there; empty at the top, or without purchase figures).

    Returns next_grade, gap_volume, gap_amount aligned with `customers`.
    """
    ladder = standards.assign(level=[scheme.level(g) for g in standards["grade"]]).sort_values("level")
    step_up = ladder.groupby("segment")[["grade", "min_volume", "min_amount"]].shift(-1)
    steps = ladder[["segment", "grade"]].join(step_up.set_axis(["next_grade", "next_volume", "next_amount"], axis=1))
    joined = customers[["segment", "grade", "volume", "amount"]].merge(steps, on=["segment", "grade"], how="left")
    gaps = pd.DataFrame({
        "next_grade": joined["next_grade"].astype(STRING),
        "gap_volume": (joined["next_volume"] - joined["volume"]).clip(lower=0),
        "gap_amount": (joined["next_amount"] - joined["amount"]).clip(lower=0),
    })
    gaps.index = customers.index
    return gaps


def batch_summary(customers: pd.DataFrame, batches: list[str]) -> pd.DataFrame:
    """Per visit batch: its routes, how many route customers, and how many of each change.

    One row per batch in table order (weekdays with no route included, so the week reads
    whole), then a 合计 row. Columns: batch, routes, customers, up, same, down, new, missing.
    """
    counts = (customers.groupby(["batch", "change"], observed=True).size().unstack("change")
              .reindex(index=batches, columns=list(CHANGES)).fillna(0).astype("int64"))
    routes = customers.drop_duplicates("route").groupby("batch", observed=True)["route"]
    named = routes.agg(lambda r: "、".join(sorted(r, key=route_sort_key)))
    table = pd.DataFrame({"batch": batches, "routes": named.reindex(batches).fillna("").to_numpy(),
                          "customers": counts.sum(axis=1).to_numpy()})
    for change in CHANGES:
        table[change] = counts[change].to_numpy()
    total = {"batch": "合计", "routes": ""} | {c: int(table[c].sum()) for c in table.columns[2:]}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def grade_distribution(customers: pd.DataFrame, scheme: GradeScheme) -> pd.DataFrame:
    """Route customers per segment (rows) and tier (columns, best first), with totals.

    The tier is the grade within its segment (CS1 → 大（1）), so segments share columns.
    Customers without a current grade are not counted here (they are in batch_summary).
    """
    graded = customers[customers["grade"].notna()]
    tiers = pd.Series([scheme.tier(g) for g in graded["grade"]], index=graded.index)
    best_first = sorted(pd.unique(graded["grade"]), key=lambda g: -(scheme.level(g) or 0))
    columns = list(dict.fromkeys(scheme.tier(g) for g in best_first))
    table = (pd.DataFrame({"segment": graded["segment"].to_numpy(object), "tier": tiers.to_numpy(object)})
             .groupby(["segment", "tier"]).size().unstack("tier", fill_value=0)
             .reindex(columns=columns, fill_value=0).astype("int64"))
    table = table.loc[sorted(table.index, key=segment_key)]
    table["合计"] = table.sum(axis=1)
    table.loc["合计"] = table.sum(axis=0)
    table.index.name = "segment"
    table.columns.name = None
    return table.reset_index()
