"""Opening a store: a file path (SQLite, created on first use) or a database URL
(postgresql://…); its schema version checked and migrated forward; writes serialized.

Two runs writing one store: the second waits for the first (SQLite's write lock, a PostgreSQL
advisory lock) up to XLCRM_STORE_WAIT_S seconds, then gets a clear message. Every write is
one transaction, so a failed or killed run leaves the store as it was.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..core.errors import XlcrmError
from . import schema

SQLITE_MAGIC = b"SQLite format 3\x00"
WAIT_S = 60  # how long a run waits for another run writing the same store
CACHE_KB = 256 * 1024
READ_CACHE_KB = 2 * 1024  # SQLite's default
_LOCK_KEY = 7_263_115  # the advisory lock all xlcrm writers of a PostgreSQL store share


def wait_seconds() -> float:
    try:
        return float(os.environ.get("XLCRM_STORE_WAIT_S", WAIT_S))
    except ValueError:
        return WAIT_S


def is_url(target: str | Path) -> bool:
    return "://" in str(target)


class Store:
    """An open customer store. Use as a context manager, or call close()."""

    def __init__(self, engine: sa.Engine, where: str):
        self.engine = engine
        self.where = where  # the file name or the URL without its password, for messages

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def writing(self) -> Iterator[sa.Connection]:
        """One transaction holding the store's write lock: all of it is kept, or none."""
        try:
            with self.engine.connect().execution_options(xlcrm_write=True) as conn, conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(wait_seconds() * 1000)}ms'")
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
                yield conn
        except sa.exc.OperationalError as exc:
            raise self._failure(exc) from None

    @contextlib.contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            raise self._failure(exc) from None

    def _failure(self, exc: Exception) -> XlcrmError:
        text = str(getattr(exc, "orig", exc)).lower()
        if (
            "locked" in text
            or "lock timeout" in text
            or "lock_timeout" in text
            or "canceling statement" in text
        ):
            return XlcrmError(
                f"客户档案库 {self.where} 正由另一个程序写入，等待 {wait_seconds():.0f} 秒后仍未完成；"
                "请等它结束后再运行（档案库没有改动）"
            )
        if "disk" in text or "readonly" in text or "read-only" in text:
            return XlcrmError(f"无法写入客户档案库 {self.where}（磁盘已满或没有写权限）；档案库没有改动")
        return XlcrmError(
            f"客户档案库 {self.where} 无法访问（{str(getattr(exc, 'orig', exc)).strip()[:120]}）"
        )


def open_store(target: str | Path, *, create: bool = True) -> Store:
    """The store at a file path or a database URL, ready to use (schema created or migrated)."""
    if is_url(target):
        url = sa.engine.make_url(str(target))
        if url.get_backend_name() not in ("postgresql", "sqlite"):
            raise XlcrmError(
                f"客户档案库地址“{url.render_as_string()}”不受支持：请给一个文件名，"
                "或 postgresql://用户:密码@主机/数据库"
            )
        if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        where = url.render_as_string(hide_password=True)
        engine = sa.create_engine(url)
    else:
        path = Path(target)
        _check_file(path, create)
        where = path.name
        engine = sa.create_engine(f"sqlite:///{path.resolve()}")
    if engine.dialect.name == "sqlite":
        _sqlite_transactions(engine)
    store = Store(engine, where)
    try:
        prepare_schema(store)
    except sa.exc.OperationalError as exc:
        store.close()
        raise store._failure(exc) from None
    except BaseException:
        store.close()
        raise
    return store


def _check_file(path: Path, create: bool) -> None:
    if path.is_dir():
        raise XlcrmError(f"{path} 是一个文件夹：客户档案库应是一个文件，如 客户档案库.db")
    if not path.exists():
        if not create:
            raise XlcrmError(
                f"找不到客户档案库 {path}：请检查文件名，或先用 xlcrm build --store 记录一个季度"
            )
        if not path.parent.exists():
            raise XlcrmError(f"客户档案库的文件夹 {path.parent} 不存在，请先建好文件夹")
        return
    with open(path, "rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head and head != SQLITE_MAGIC:
        raise XlcrmError(f"{path.name} 不是客户档案库（不是 SQLite 数据库文件）；请换一个文件名，不要覆盖它")


def _sqlite_transactions(engine: sa.Engine) -> None:
    """pysqlite's own transaction handling off; BEGIN IMMEDIATE for writes so a second writer
    waits (busy_timeout) at the start, never half way."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout = {int(wait_seconds() * 1000)}")
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute("PRAGMA cache_spill = OFF")

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        write = conn.get_execution_options().get("xlcrm_write")
        # a writer keeps its pages in memory until it commits: spilling them into the file
        # mid-transaction would need the file to itself, and a run reading the history while
        # its recording is held open (store.background) would wait on it for ever. A reader
        # keeps SQLite's small default: its pages would only add to the build's peak memory.
        conn.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KB if write else READ_CACHE_KB}")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


# --- schema version ---------------------------------------------------------------------------


def _add_visits(conn: sa.Connection) -> None:
    """Version 2: the visit log (a version 1 store had none: nothing to carry over)."""
    schema.visits.create(conn)


# version → what brings a store of the version before up to it
MIGRATIONS: dict[int, object] = {2: _add_visits}


def prepare_schema(store: Store) -> None:
    """A new store gets every table; an older one is migrated forward in one transaction; a
    newer one (written by a later xlcrm) is refused."""
    with store.reading() as conn:
        found = stored_version(conn)
    if found == schema.SCHEMA_VERSION:
        return
    if found is not None and found > schema.SCHEMA_VERSION:
        raise XlcrmError(
            f"客户档案库 {store.where} 由更新版本的 xlcrm 写入（格式版本 {found}，本程序支持到 "
            f"{schema.SCHEMA_VERSION}）；请先升级 xlcrm"
        )
    with store.writing() as conn:
        found = stored_version(conn)  # another run may have prepared it meanwhile
        if found is None:
            schema.metadata.create_all(conn)
        else:
            for version in range(found + 1, schema.SCHEMA_VERSION + 1):
                MIGRATIONS[version](conn)
        set_version(conn, schema.SCHEMA_VERSION)


def stored_version(conn: sa.Connection) -> int | None:
    if not sa.inspect(conn).has_table(schema.settings.name):
        if sa.inspect(conn).get_table_names():
            raise XlcrmError("这个数据库里已有别的表，不是客户档案库；请换一个文件或数据库")
        return None
    value = conn.execute(
        sa.select(schema.settings.c.value).where(schema.settings.c.key == "schema_version")
    ).scalar()
    return int(value) if value is not None else None


def set_version(conn: sa.Connection, version: int) -> None:
    conn.execute(sa.delete(schema.settings).where(schema.settings.c.key == "schema_version"))
    conn.execute(sa.insert(schema.settings).values(key="schema_version", value=str(version)))


# --- bulk rows ----------------------------------------------------------------------------------


def insert_rows(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, chunk: int = 100_000) -> None:
    """Many rows at driver speed: the INSERT compiled by SQLAlchemy for this database, the rows
    as plain tuples (or dicts, for drivers with named parameters), blanks as NULL."""
    if frame.empty:
        return
    compiled = sa.insert(table).compile(dialect=conn.dialect, column_keys=list(frame.columns))
    names = list(compiled.positiontup) if compiled.positional else list(frame.columns)
    columns = [_plain(frame[name]) for name in names]  # bind names are the column names
    for start in range(0, len(frame), chunk):
        part = [column[start : start + chunk] for column in columns]
        rows = list(zip(*part)) if compiled.positional else [dict(zip(names, row)) for row in zip(*part)]
        conn.exec_driver_sql(compiled.string, rows)


def _plain(column: pd.Series) -> list:
    """A column as Python values the driver binds, NA/NaN as None (PostgreSQL would keep NaN)."""
    values = column.to_numpy(dtype=object, na_value=None)
    if column.dtype.kind == "f":
        values = np.where(np.isnan(column.to_numpy(dtype=float)), None, values)
    elif column.dtype.kind in "iu":
        values = column.to_numpy().tolist()
    return values.tolist() if isinstance(values, np.ndarray) else values
