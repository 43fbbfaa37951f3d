"""The district table — the current grade table with purchases merged in.

Pure functions over the cleaned tables of core.inputs (no I/O). Rows are matched by
their integer `key` (core.keys), never by the text of the code.
"""

from __future__ import annotations

import pandas as pd

from . import issues as issue_list
from .cleaning import STRING, map_uniques
from .grades import GradeScheme

NO_SEGMENT = "未分业态"
DISTRICT_COLUMNS = [
    "key",
    "customer_code",
    "grade",
    "level",
    "segment",
    "volume",
    "amount",
    "in_purchases",
    "outside_scheme",  # a grade was given but fits no grade of the scheme (listed as bad_grade)
]


def first_of_duplicates(
    rows: pd.DataFrame, compare: dict[str, str], table: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keeps each code's first row; every later row is an issue saying what conflicts."""
    dup = rows["key"].duplicated(keep="first") & (rows["key"] >= 0)
    if not dup.any():
        return rows, issue_list.empty()
    later = rows[dup]
    first = rows[~dup & rows["key"].isin(later["key"])]
    first = first.assign(_at=issue_list.sources(first)).set_index("key")
    details = []
    for _, row in later.iterrows():
        kept = first.loc[row["key"]]
        diffs = [
            f"{label} {_show(kept[c])} ≠ {_show(row[c])}"
            for c, label in compare.items()
            if c in row and not _same(kept[c], row[c])
        ]
        what = "，值不一致（" + "；".join(diffs) + "）" if diffs else "，值相同"
        details.append(f"{table}中此客户代码重复出现{what}；以 {kept['_at']} 为准")
    issues = issue_list.issue_frame(
        "duplicate_code", later["customer_code"].values, issue_list.sources(later).values, details
    )
    return rows[~dup], issues


def _same(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or a == b


def _show(value) -> str:
    if pd.isna(value) or value == "":
        return "空"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def graded(rows: pd.DataFrame, scheme: GradeScheme, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Adds level and segment; a grade outside the scheme becomes no grade and an issue."""
    grade = rows["grade"].fillna("").astype(STRING)
    level = map_uniques(grade, scheme.level, "Float64")
    bad = ((grade != "") & level.isna()).to_numpy()
    issues = issue_list.issue_frame(
        "bad_grade",
        rows.loc[bad, "customer_code"].values,
        issue_list.sources(rows[bad]).values,
        f"{table}中的等级“" + grade[bad] + f"”不属于等级方案 {scheme.label}，按无等级处理",
    )
    grade = grade.where(level.notna().to_numpy())
    if scheme.segment_from_grade:
        segment = map_uniques(grade, scheme.segment, STRING)
    elif "segment" in rows:
        segment = rows["segment"].astype(STRING).replace("", pd.NA)
    else:
        segment = pd.Series(pd.NA, index=rows.index, dtype=STRING)
    segment = segment.fillna(NO_SEGMENT).where(grade.notna())
    return rows.assign(grade=grade, level=level, segment=segment.astype(STRING), outside_scheme=bad), issues


def build_district(
    grades: pd.DataFrame, purchases: pd.DataFrame, scheme: GradeScheme
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The current grade table, deduplicated and graded, with volume and amount merged in."""
    grades, dup_grades = first_of_duplicates(grades, {"grade": "等级", "segment": "业态"}, "本季等级表")
    grades, bad_grades = graded(grades, scheme, "本季等级表")
    purchases, dup_purchases = first_of_duplicates(
        purchases, {"volume": "购进量", "amount": "购进额"}, "购进表"
    )
    bought = purchases[["key", "volume", "amount"]].assign(in_purchases=True)
    district = grades.merge(bought, on="key", how="left")  # both deduplicated above
    district["in_purchases"] = district["in_purchases"].fillna(False).astype(bool)
    return district[DISTRICT_COLUMNS].reset_index(drop=True), issue_list.combine(
        [dup_grades, bad_grades, dup_purchases]
    )


def previous_grades(previous: pd.DataFrame, scheme: GradeScheme) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Last quarter's table reduced to key → previous grade and level."""
    previous, dups = first_of_duplicates(previous, {"grade": "等级"}, "上季等级表")
    previous, bad = graded(previous, scheme, "上季等级表")
    out = previous[["key", "grade", "level"]].rename(
        columns={"grade": "previous_grade", "level": "previous_level"}
    )
    return out.reset_index(drop=True), issue_list.combine([dups, bad])
