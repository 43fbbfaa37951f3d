"""The store's tables (SQLAlchemy Core) and the schema version they make.

quarters        one row per recorded quarter: its grade scheme and the files it came from
district        per quarter, the district's grade table with purchases merged in
builds          per quarter and manager, one recorded build (`xlcrm build --store`, batch)
route_customers per build, its route customers: route, weekday, change and what the route
                sheet says of them (name, owner, address; phone and ID numbers masked)
standards       per quarter, the district's minimum standard table (for the cards' talking points)
"""

from __future__ import annotations

import sqlalchemy as sa

SCHEMA_VERSION = 1

metadata = sa.MetaData()

settings = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)

quarters = sa.Table(
    "quarters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),  # Quarter.index: calendar order, consecutive
    sa.Column("code", sa.String(8), nullable=False, unique=True),  # '2026Q3'
    sa.Column("scheme", sa.String(400), nullable=False),  # grades.scheme_spec
    sa.Column("grades_file", sa.String(400), nullable=False),
    sa.Column("purchases_file", sa.String(400)),
    sa.Column("district_customers", sa.Integer, nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)

district = sa.Table(
    "district",
    metadata,
    sa.Column("quarter_id", sa.Integer, sa.ForeignKey("quarters.id"), primary_key=True),
    sa.Column("customer_code", sa.String(40), primary_key=True),
    sa.Column("grade", sa.String(20)),  # NULL: no grade in the scheme
    sa.Column("segment", sa.String(40)),
    sa.Column("volume", sa.Float),  # NULL: not in that quarter's purchases, or no figure
    sa.Column("amount", sa.Float),
    sqlite_with_rowid=False,  # the key is the row: smaller, and a quarter's rows stay together
)
sa.Index("district_by_customer", district.c.customer_code, district.c.quarter_id)

builds = sa.Table(
    "builds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("quarter_id", sa.Integer, sa.ForeignKey("quarters.id"), nullable=False),
    sa.Column("manager", sa.String(60), nullable=False),  # '' when the routes name nobody
    sa.Column("routes_file", sa.String(400), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("quarter_id", "manager"),
)

route_customers = sa.Table(
    "route_customers",
    metadata,
    sa.Column("build_id", sa.Integer, sa.ForeignKey("builds.id"), primary_key=True),
    sa.Column("customer_code", sa.String(40), primary_key=True),
    sa.Column("route", sa.String(60), nullable=False),
    sa.Column("weekday", sa.String(10), nullable=False),
    sa.Column("change", sa.String(10), nullable=False),
    sa.Column("previous_grade", sa.String(20)),
    sa.Column("name", sa.String(200)),
    sa.Column("owner", sa.String(100)),
    sa.Column("address", sa.String(400)),
    sqlite_with_rowid=False,
)
sa.Index("route_customers_by_customer", route_customers.c.customer_code)

standards = sa.Table(
    "standards",
    metadata,
    sa.Column("quarter_id", sa.Integer, sa.ForeignKey("quarters.id"), primary_key=True),
    sa.Column("segment", sa.String(40), primary_key=True),
    sa.Column("grade", sa.String(20), primary_key=True),
    sa.Column("min_volume", sa.Float),
    sa.Column("min_amount", sa.Float),
    sa.Column("customers", sa.Integer, nullable=False),
)
