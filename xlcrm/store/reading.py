"""Reading the store: what is recorded, one build's customers and their history, a
department's changes over the quarters, and everything as tables for export."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from ..core.errors import XlcrmError
from ..core.grades import GradeScheme, scheme_from_spec
from ..core.quarters import Quarter
from ..core.visits import STORED_VISIT
from . import schema
from .database import Store, insert_rows

CODES_PER_QUERY = 500  # codes named in one IN (…): far below every database's limit


@dataclass(frozen=True)
class RecordedQuarter:
    quarter: Quarter
    scheme: str
    grades_file: str
    purchases_file: str | None
    district_customers: int
    builds: int
    route_customers: int
    recorded_at: object


def recorded_quarters(store: Store) -> list[RecordedQuarter]:
    q, b, r = schema.quarters, schema.builds, schema.route_customers
    per_quarter = (
        sa.select(
            b.c.quarter_id,
            sa.func.count(sa.distinct(b.c.id)).label("builds"),
            sa.func.count(r.c.customer_code).label("customers"),
        )
        .select_from(b.outerjoin(r, r.c.build_id == b.c.id))
        .group_by(b.c.quarter_id)
        .subquery()
    )
    query = (
        sa.select(q, per_quarter.c.builds, per_quarter.c.customers)
        .select_from(q.outerjoin(per_quarter, per_quarter.c.quarter_id == q.c.id))
        .order_by(q.c.id)
    )
    with store.reading() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        RecordedQuarter(
            Quarter.from_index(row["id"]),
            row["scheme"],
            row["grades_file"],
            row["purchases_file"],
            row["district_customers"],
            row["builds"] or 0,
            row["customers"] or 0,
            row["recorded_at"],
        )
        for row in rows
    ]


def schemes(recorded: list[RecordedQuarter]) -> dict[int, GradeScheme]:
    return {r.quarter.index: scheme_from_spec(r.scheme) for r in recorded}


def quarter_schemes(store: Store) -> dict[int, GradeScheme]:
    """Each recorded quarter (Quarter.index) and its grade scheme: what the history needs, without
    counting anything (recorded_quarters counts every route customer)."""
    q = schema.quarters
    with store.reading() as conn:
        rows = conn.execute(sa.select(q.c.id, q.c.scheme).order_by(q.c.id)).all()
    return {quarter: scheme_from_spec(spec) for quarter, spec in rows}


def history_of_build(store: Store, build_id: int, quarters: list[int]) -> pd.DataFrame:
    """Every stored district row, in those quarters, of the customers on one build's routes."""
    d, r = schema.district, schema.route_customers
    query = (
        sa.select(
            d.c.customer_code, d.c.quarter_id.label("quarter"), d.c.grade, d.c.segment, d.c.volume, d.c.amount
        )
        .join_from(r, d, d.c.customer_code == r.c.customer_code)
        .where(r.c.build_id == build_id, d.c.quarter_id.in_(quarters))
    )
    with store.reading() as conn:
        return _frame(conn.execute(query))


def history_of_codes(store: Store, codes: list[str], quarters: list[int]) -> pd.DataFrame:
    """Every stored district row, in those quarters, of these customers. Many customers are
    joined through a temporary table (one query), a few named in the query."""
    d = schema.district
    columns = (
        d.c.customer_code,
        d.c.quarter_id.label("quarter"),
        d.c.grade,
        d.c.segment,
        d.c.volume,
        d.c.amount,
    )
    with store.reading() as conn:
        if len(codes) <= CODES_PER_QUERY:
            query = sa.select(*columns).where(d.c.customer_code.in_(codes), d.c.quarter_id.in_(quarters))
            return _frame(conn.execute(query)) if codes else _empty_history()
        wanted = sa.Table(
            "xlcrm_wanted",
            sa.MetaData(),
            sa.Column("customer_code", sa.String(40), primary_key=True),
            prefixes=["TEMPORARY"],
        )
        wanted.create(conn)
        try:
            insert_rows(
                conn, wanted, pd.DataFrame({"customer_code": pd.unique(pd.Series(codes, dtype=object))})
            )
            query = (
                sa.select(*columns)
                .join_from(wanted, d, d.c.customer_code == wanted.c.customer_code)
                .where(d.c.quarter_id.in_(quarters))
            )
            return _frame(conn.execute(query))
        finally:
            wanted.drop(conn)


FETCH_ROWS = 100_000  # rows taken from the driver at a time: its tuples never pile up


def _frame(result: sa.CursorResult) -> pd.DataFrame:
    """Rows as columns, from the driver's own tuples, a slice at a time (a million rows' tuples
    at once would be ~500 MB): text as Arrow, a fifth of the memory and no conversion later."""
    names = list(result.keys())
    kinds = {"volume": float, "amount": float, "quarter": np.int64}
    parts: dict[str, list] = {name: [] for name in names}
    cursor = result.cursor
    while cursor is not None and (rows := cursor.fetchmany(FETCH_ROWS)):
        table = np.array(rows, dtype=object)  # one step: five times faster than a column at a time
        for i, name in enumerate(names):
            cells = table[:, i]
            kind = kinds.get(name)
            parts[name].append(cells.astype(kind) if kind else pa.array(cells, pa.large_string()))
    result.close()
    if not parts[names[0]]:
        return _empty_history() if "quarter" in names else pd.DataFrame(columns=names)
    return pd.DataFrame(
        {
            name: np.concatenate(parts[name])
            if name in kinds
            else pd.arrays.ArrowStringArray(pa.chunked_array(parts[name]))
            for name in names
        }
    )


def _empty_history() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_code": pd.Series(dtype=object),
            "quarter": pd.Series(dtype="int64"),
            "grade": pd.Series(dtype=object),
            "segment": pd.Series(dtype=object),
            "volume": pd.Series(dtype=float),
            "amount": pd.Series(dtype=float),
        }
    )


@dataclass(frozen=True)
class Build:
    id: int
    quarter: Quarter
    manager: str
    routes_file: str


def builds(store: Store) -> list[Build]:
    b = schema.builds
    with store.reading() as conn:
        rows = conn.execute(sa.select(b).order_by(b.c.quarter_id, b.c.manager)).mappings().all()
    return [
        Build(row["id"], Quarter.from_index(row["quarter_id"]), row["manager"], row["routes_file"])
        for row in rows
    ]


def build_of(store: Store, quarter: Quarter, manager: str) -> Build | None:
    return next((b for b in builds(store) if b.quarter == quarter and b.manager == manager), None)


def latest_build(store: Store, manager: str | None, before: Quarter | None = None) -> Build | None:
    """A manager's most recent recorded build (before a quarter, when given). Without a manager
    the store must hold only one manager's builds."""
    found = builds(store)
    if manager is None:
        managers = sorted({b.manager for b in found})
        if len(managers) > 1:
            names = "、".join(m or "（未署名）" for m in managers)
            raise XlcrmError(
                f"客户档案库 {store.where} 中有多位客户经理（{names}）的线路，请用 --manager 指定一位"
            )
        manager = managers[0] if managers else ""
    mine = [b for b in found if b.manager == manager and (before is None or b.quarter < before)]
    return max(mine, key=lambda b: b.quarter) if mine else None


def route_customers(store: Store, build_id: int) -> pd.DataFrame:
    r = schema.route_customers
    with store.reading() as conn:
        result = conn.execute(sa.select(r).where(r.c.build_id == build_id))
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    return frame.drop(columns="build_id")


def standards_of(store: Store, quarter: Quarter) -> pd.DataFrame:
    s = schema.standards
    with store.reading() as conn:
        result = conn.execute(
            sa.select(s.c.segment, s.c.grade, s.c.min_volume, s.c.min_amount, s.c.customers).where(
                s.c.quarter_id == quarter.index
            )
        )
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    return frame.astype({"min_volume": float, "min_amount": float})


def department_changes(store: Store) -> pd.DataFrame:
    """quarter (index), manager, change: one row per route customer of every recorded build."""
    b, r = schema.builds, schema.route_customers
    query = sa.select(b.c.quarter_id.label("quarter"), b.c.manager, r.c.change).join_from(
        b, r, r.c.build_id == b.c.id
    )
    with store.reading() as conn:
        result = conn.execute(query)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def table_frames(store: Store) -> dict[str, pd.DataFrame]:
    """Every table whole, for `xlcrm history export`; quarter ids written as quarters (2026Q3)."""
    frames = {}
    with store.reading() as conn:
        for table in (
            schema.quarters,
            schema.district,
            schema.standards,
            schema.builds,
            schema.route_customers,
            schema.visits,
        ):
            order = table.primary_key.columns
            if table is schema.visits:  # as a log reads: by customer, then day
                order = (table.c.customer_code, table.c.visit_date, table.c.visit_key)
            result = conn.execute(sa.select(table).order_by(*order))
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
            if table is schema.quarters:
                frame = frame.drop(columns="id").rename(columns={"code": "quarter"})
            elif "quarter_id" in frame:
                quarter = [Quarter.from_index(int(q)).code for q in frame["quarter_id"]]
                frame = frame.drop(columns="quarter_id")
                frame.insert(0 if table is not schema.builds else 1, "quarter", quarter)
            frames[table.name] = frame
    return frames


def district_grades(store: Store, quarter: Quarter) -> pd.DataFrame | None:
    """customer_code, grade of a recorded quarter's district (None when it is not recorded)."""
    d = schema.district
    with store.reading() as conn:
        if not conn.execute(
            sa.select(schema.quarters.c.id).where(schema.quarters.c.id == quarter.index)
        ).first():
            return None
        result = conn.execute(sa.select(d.c.customer_code, d.c.grade).where(d.c.quarter_id == quarter.index))
        return pd.DataFrame(result.fetchall(), columns=["customer_code", "grade"])


def visits_of(store: Store, codes: list[str]) -> pd.DataFrame:
    """Every kept visit of these customers (core.visits.STORED_VISIT columns; dates as
    datetime64, NaT where the log's date could not be read)."""
    v = schema.visits
    columns = [v.c[name] for name in STORED_VISIT]
    frames = []
    with store.reading() as conn:
        for start in range(0, len(codes), CODES_PER_QUERY):
            part = codes[start : start + CODES_PER_QUERY]
            result = conn.execute(
                sa.select(*columns)
                .where(v.c.customer_code.in_(part))
                .order_by(v.c.customer_code, v.c.visit_date, v.c.visit_key)
            )
            frames.append(pd.DataFrame(result.fetchall(), columns=STORED_VISIT))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=STORED_VISIT)
    for day in ("visit_date", "follow_up_date"):
        frame[day] = pd.to_datetime(frame[day])
    return frame.astype({"done": bool})
