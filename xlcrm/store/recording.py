"""Writing to the store: a quarter recorded (its district, and the builds of managers), a past
quarter imported, a quarter forgotten — each one transaction that replaces what it records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from ..core.quarters import Quarter
from . import schema
from .database import Store, insert_rows


@dataclass(frozen=True)
class BuildRecord:
    """One manager's recorded build: their route customers (core.history.route_record)."""

    manager: str  # '' when nobody is named
    routes_file: str
    customers: pd.DataFrame


@dataclass(frozen=True)
class QuarterRecord:
    """What one run records: the district of a quarter, and the builds made with it."""

    quarter: Quarter
    scheme: str  # core.grades.scheme_spec
    grades_file: str
    purchases_file: str | None
    district: pd.DataFrame  # core.history.district_record
    standards: pd.DataFrame  # core.history.standards_record
    builds: list[BuildRecord] = field(default_factory=list)


def record(store: Store, quarter: QuarterRecord, before_commit: Callable[[], None] | None = None) -> None:
    """The quarter's district replaces any recorded before; each build replaces that manager's
    build of the quarter; other managers' builds of the quarter stay. `before_commit` runs
    last inside the transaction: raising there keeps the store as it was."""
    now = dt.datetime.now().replace(microsecond=0)
    qid = quarter.quarter.index
    with store.writing() as conn:
        exists = conn.execute(sa.select(schema.quarters.c.id).where(schema.quarters.c.id == qid)).first()
        values = dict(
            code=quarter.quarter.code,
            scheme=quarter.scheme,
            grades_file=quarter.grades_file,
            purchases_file=quarter.purchases_file,
            district_customers=len(quarter.district),
            recorded_at=now,
        )
        if exists:
            conn.execute(sa.delete(schema.district).where(schema.district.c.quarter_id == qid))
            conn.execute(sa.delete(schema.standards).where(schema.standards.c.quarter_id == qid))
            conn.execute(sa.update(schema.quarters).where(schema.quarters.c.id == qid).values(**values))
        else:
            conn.execute(sa.insert(schema.quarters).values(id=qid, **values))
        insert_rows(conn, schema.district, quarter.district.assign(quarter_id=qid))
        insert_rows(conn, schema.standards, quarter.standards.assign(quarter_id=qid))
        for build in quarter.builds:
            _replace_build(conn, qid, build, now)
        if before_commit is not None:
            before_commit()


def _replace_build(conn: sa.Connection, qid: int, build: BuildRecord, now: dt.datetime) -> None:
    b = schema.builds
    old = conn.execute(
        sa.select(b.c.id).where((b.c.quarter_id == qid) & (b.c.manager == build.manager))
    ).scalars()
    for build_id in list(old):
        conn.execute(sa.delete(schema.route_customers).where(schema.route_customers.c.build_id == build_id))
        conn.execute(sa.delete(b).where(b.c.id == build_id))
    done = conn.execute(
        sa.insert(b).values(
            quarter_id=qid, manager=build.manager, routes_file=build.routes_file, recorded_at=now
        )
    )
    build_id = done.inserted_primary_key[0]
    insert_rows(conn, schema.route_customers, build.customers.assign(build_id=build_id))


def forget(store: Store, quarter: Quarter) -> bool:
    """Everything recorded of the quarter goes; False when it was not recorded."""
    qid = quarter.index
    with store.writing() as conn:
        if not conn.execute(sa.select(schema.quarters.c.id).where(schema.quarters.c.id == qid)).first():
            return False
        builds = sa.select(schema.builds.c.id).where(schema.builds.c.quarter_id == qid)
        conn.execute(sa.delete(schema.route_customers).where(schema.route_customers.c.build_id.in_(builds)))
        conn.execute(sa.delete(schema.builds).where(schema.builds.c.quarter_id == qid))
        conn.execute(sa.delete(schema.district).where(schema.district.c.quarter_id == qid))
        conn.execute(sa.delete(schema.standards).where(schema.standards.c.quarter_id == qid))
        conn.execute(sa.delete(schema.quarters).where(schema.quarters.c.id == qid))
    return True
