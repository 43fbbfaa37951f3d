"""Visits in the customer store: recorded with a build, each visit once however often it is
recorded (a later recording updates done / next step / follow-up date), never a phone number,
a real version 1 store migrated to version 2, and PostgreSQL keeping what SQLite keeps."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from support import raw_sheets, reviewed
from xlcrm.core.quarters import Quarter
from xlcrm.core.visits import STORED_VISIT, visit_log
from xlcrm.store import reading, schema
from xlcrm.store.builds import build_record, quarter_record
from xlcrm.store.database import open_store
from xlcrm.store.recording import forget, record

Q3 = Quarter(2026, 3)
HEAD = ["日期", "客户代码", "客户名称", "方式", "内容", "客户需求", "下一步", "跟进日期", "已完成"]
V1_STORE = Path(__file__).parent / "v1" / "schema_v1.db"
FIRST = [
    [
        "2026-07-01",
        "330781100001",
        "甲店",
        "走访",
        "推荐新品，店主电话13812345678",
        "要价目表",
        "送价目表",
        "2026-07-08",
        "否",
    ],
    ["2026-07-02", "330781100002", "乙店", "电话", "问货源", None, None, None, None],
    ["2026-07-03", "330781100005", "戊店", "微信", "发了陈列照片", "想要海报", "送海报", "2026-07-10", "否"],
]


def log(rows: list[list]):
    return visit_log(raw_sheets("拜访.xlsx", {"拜访记录": [HEAD, *rows]})).visits


def record_log(store, rows: list[list], manager: str = "张三") -> None:
    result, _ = reviewed()
    build = build_record(manager, Path("routes.xlsx"), result, log(rows))
    record(store, quarter_record(Q3, result, Path("g.xlsx"), None, [build]))


def kept(store) -> pd.DataFrame:
    codes = [f"33078110000{i}" for i in range(1, 10)]
    return reading.visits_of(store, codes).sort_values(["customer_code", "visit_date"]).reset_index(drop=True)


def check_recording_updates_each_visit_once(store) -> pd.DataFrame:
    """The same checks on any store: returns what it keeps at the end (for comparing stores)."""
    record_log(store, FIRST)
    first = kept(store)
    assert list(first.columns) == STORED_VISIT and len(first) == 3
    one = first.iloc[0]
    assert (one["customer_code"], one["method"], one["need"], one["next_step"]) == (
        "330781100001",
        "走访",
        "要价目表",
        "送价目表",
    )
    assert one["content"] == "推荐新品，店主电话138****5678"  # masked before it is stored
    assert one["visit_date"] == pd.Timestamp("2026-07-01") and not one["done"]
    assert pd.isna(first.iloc[1]["next_step"]) and pd.isna(first.iloc[1]["follow_up_date"])
    # the log again: the first visit's follow-up done, a new visit; the 戊店 visit written again
    # with other spacing and full-width digits in its date is still the same visit
    again = [
        [*FIRST[0][:8], "是"],
        FIRST[1],
        [
            "２０２６-07-03",
            "330781100005",
            "戊店",
            "微信",
            "发了 陈列照片",
            "想要海报",
            "改为下周送",
            "2026-07-15",
            "否",
        ],
        ["2026-07-20", "330781100001", "甲店", "走访", "送去价目表", None, None, None, "否"],
    ]
    record_log(store, again)
    second = kept(store)
    assert len(second) == 4
    assert list(second["done"]) == [True, False, False, False]
    assert list(second["follow_up_date"].dt.strftime("%m-%d").fillna("")) == ["07-08", "", "", "07-15"]
    assert second.iloc[3]["next_step"] == "改为下周送"
    # a new log (next year's workbook) without the old visits loses nothing
    record_log(store, [["2027-01-05", "330781100006", "己店", "电话", "拜年", None, None, None, None]])
    third = kept(store)
    assert len(third) == 5 and set(second["visit_key"]) < set(third["visit_key"])
    # forgetting a quarter forgets its grades, never the visits
    assert forget(store, Q3)
    assert len(kept(store)) == 5
    return third


def test_visits_recorded_once_each_and_updated(tmp_path):
    with open_store(tmp_path / "s.db") as store:
        check_recording_updates_each_visit_once(store)
        frames = reading.table_frames(store)
    visits = frames["visits"]
    assert list(visits.columns) == [c.name for c in schema.visits.columns]
    # first recorded kept, latest recording moved on (both set by the store, never blank)
    assert (
        visits["first_recorded"].notna().all() and (visits["recorded_at"] >= visits["first_recorded"]).all()
    )
    assert list(visits["customer_code"]) == sorted(visits["customer_code"])


def test_the_store_never_holds_a_phone_number_of_the_log(tmp_path):
    path = tmp_path / "s.db"
    rows = [
        [
            "2026-07-01",
            "330781100001",
            "甲店 13912345678",
            "走访",
            "电话13812345678",
            "回电0571-87654321",
            "打给１３７１２３４５６７８",
            "2026-07-08",
            "否",
        ]
    ]
    with open_store(path) as store:
        record_log(store, rows)
    text = "\n".join(sqlite3.connect(path).iterdump())
    for number in ("13912345678", "13812345678", "87654321", "13712345678", "１３７１２３４５６７８"):
        assert number not in text
    assert "138****5678" in text and "137****5678" in text


def test_a_real_version_1_store_is_migrated_and_keeps_everything(tmp_path):
    path = tmp_path / "客户档案库.db"
    shutil.copyfile(V1_STORE, path)
    before = {
        table: sqlite3.connect(V1_STORE).execute(f"select * from {table} order by 1, 2").fetchall()
        for table in ("quarters", "district", "builds", "route_customers", "standards")
    }
    with sqlite3.connect(path) as conn:
        assert conn.execute("select value from settings").fetchone() == ("1",)
    with open_store(path) as store:
        assert [r.quarter.code for r in reading.recorded_quarters(store)] == ["2026Q2", "2026Q3"]
        assert reading.latest_build(store, None).manager == "张三"
        assert kept(store).empty
        record_log(store, FIRST)  # a visit log recorded into the migrated store
        assert len(kept(store)) == 3
    with sqlite3.connect(path) as conn:
        assert conn.execute("select value from settings").fetchone() == ("2",)
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        assert "visits" in tables
        indexes = {r[0] for r in conn.execute("select name from sqlite_master where type='index'")}
        assert "visits_by_customer" in indexes
        for table, rows in before.items():
            if table not in ("builds", "route_customers", "quarters"):  # 2026Q3 was recorded again
                assert conn.execute(f"select * from {table} order by 1, 2").fetchall() == rows, table
        assert conn.execute("select quarter_id, manager from builds").fetchall() == [(Q3.index, "张三")]


def test_a_version_1_store_on_postgresql_is_migrated_too(postgres_url):
    """The v1 file's tables and rows, as they are, put on PostgreSQL; opening it migrates."""
    source = sa.create_engine(f"sqlite:///{V1_STORE}")
    target = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    v1 = sa.MetaData()
    v1.reflect(source)
    for table in v1.tables.values():  # SQLite's names for the types, as PostgreSQL spells them
        for column in table.columns:
            column.type = column.type.as_generic()
    with source.connect() as read, target.begin() as write:
        v1.create_all(write)
        for table in v1.sorted_tables:
            rows = [dict(r._mapping) for r in read.execute(sa.select(table))]
            if rows:
                write.execute(sa.insert(table), rows)
    source.dispose()
    with target.connect() as conn:
        assert conn.execute(sa.text("select value from settings")).scalar() == "1"
    with open_store(postgres_url) as store:
        assert [r.quarter.code for r in reading.recorded_quarters(store)] == ["2026Q2", "2026Q3"]
        record_log(store, FIRST)
        assert len(kept(store)) == 3
    with target.connect() as conn:
        assert conn.execute(sa.text("select value from settings")).scalar() == "2"
        assert conn.execute(sa.text("select count(*) from visits")).scalar() == 3
    target.dispose()


def test_postgresql_keeps_the_visits_sqlite_keeps(tmp_path, postgres_url):
    kept_by = {}
    for name, where in (("file", str(tmp_path / "s.db")), ("postgres", postgres_url)):
        with open_store(where) as store:
            kept_by[name] = check_recording_updates_each_visit_once(store)
            export = reading.table_frames(store)["visits"]
        kept_by[name + " export"] = export.drop(columns=["first_recorded", "recorded_at"])
    pd.testing.assert_frame_equal(kept_by["file"], kept_by["postgres"])
    pd.testing.assert_frame_equal(kept_by["file export"], kept_by["postgres export"])


def check_visits_read_by_customer_then_day(where: str) -> None:
    # written latest first, codes descending, four visits of one customer on one day
    days = [(5, 20), (5, 3), (2, 11), (2, 11), (2, 11), (2, 11), (1, 30), (1, 2)]
    rows = [
        [f"2026-07-{day:02d}", f"33078110000{code}", None, "走访", f"第{k}次", None, None, None, None]
        for k, (code, day) in enumerate(days)
    ]
    with open_store(where) as store:
        record_log(store, rows)
        read = reading.visits_of(store, ["330781100005", "330781100001", "330781100002"])
    assert list(zip(read["customer_code"], read["visit_date"].dt.day)) == [
        (f"33078110000{code}", day) for code, day in sorted(days)
    ]
    # one customer's visits of one day: by their key, the same on every read
    same_day = list(read["visit_key"].iloc[2:6])
    assert same_day == sorted(same_day)


def test_visits_are_read_by_customer_then_day_whatever_order_they_were_written_in(tmp_path):
    check_visits_read_by_customer_then_day(str(tmp_path / "s.db"))


def test_postgresql_reads_the_visits_in_the_same_order(postgres_url):
    check_visits_read_by_customer_then_day(postgres_url)
