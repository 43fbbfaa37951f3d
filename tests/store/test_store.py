"""The customer store itself: one transaction per recording, replacing what it records; calendar
order whatever the recording order; its schema version; two writers; a killed writer; no phone
numbers; a PostgreSQL store giving what the file store gives."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from support import reviewed
from xlcrm.commands import cli
from xlcrm.core import history
from xlcrm.core.errors import XlcrmError
from xlcrm.core.quarters import Quarter
from xlcrm.demo.quarters import generate_quarters
from xlcrm.store import database, reading, schema
from xlcrm.store.builds import build_record, quarter_record
from xlcrm.store.database import open_store
from xlcrm.store.recording import forget, record

Q2, Q3, Q4 = Quarter(2026, 2), Quarter(2026, 3), Quarter(2026, 4)


def recorded(path) -> dict[str, pd.DataFrame]:
    with open_store(path, create=False) as store:
        return reading.table_frames(store)


def same(a: dict, b: dict) -> bool:
    drop = {"quarters": ["recorded_at"], "builds": ["recorded_at", "id"], "route_customers": ["build_id"]}
    return all(a[k].drop(columns=drop.get(k, [])).equals(b[k].drop(columns=drop.get(k, []))) for k in a)


def test_a_quarter_is_kept_whole_and_read_back(tmp_path):
    result, _ = reviewed()
    with open_store(tmp_path / "s.db") as store:
        record(
            store,
            quarter_record(
                Q3,
                result,
                Path("grades.xlsx"),
                Path("purchases.xlsx"),
                [build_record("张三", Path("routes.xlsx"), result)],
            ),
        )
        (entry,) = reading.recorded_quarters(store)
        assert (
            entry.quarter,
            entry.scheme,
            entry.district_customers,
            entry.builds,
            entry.route_customers,
        ) == (Q3, "code2008", 8, 1, 7)
        build = reading.latest_build(store, None)
        rows = reading.history_of_build(store, build.id, [Q3.index]).set_index("customer_code")
    # the route customers in the grade table: 001 … 006 (009 is in no grade table)
    assert sorted(rows.index) == [f"33078110000{i}" for i in range(1, 7)]
    assert rows.loc["330781100001", ["grade", "segment", "volume", "amount"]].tolist() == [
        "CS1",
        "CS",
        1200,
        180000.5,
    ]
    assert pd.isna(rows.loc["330781100003", "volume"]) and rows.loc["330781100004", "amount"] == 100


def test_history_read_a_slice_at_a_time_is_the_history(tmp_path, monkeypatch):
    result, _ = reviewed()
    with open_store(tmp_path / "s.db") as store:
        for quarter in (Q2, Q3):
            record(store, quarter_record(quarter, result, Path("g.xlsx"), Path("p.xlsx")))
        codes = result.customers["customer_code"].dropna().tolist()
        whole = reading.history_of_codes(store, codes, [Q2.index, Q3.index])
        monkeypatch.setattr(reading, "FETCH_ROWS", 3)
        sliced = reading.history_of_codes(store, codes, [Q2.index, Q3.index])
    assert len(whole) == 12 and whole["customer_code"].dtype == sliced["customer_code"].dtype
    pd.testing.assert_frame_equal(sliced, whole)
    expected = {(c, q) for c in [f"33078110000{i}" for i in range(1, 7)] for q in (Q2.index, Q3.index)}
    assert set(zip(whole["customer_code"], whole["quarter"])) == expected


def test_recording_again_replaces_the_quarter_and_that_managers_build_only(tmp_path):
    result, _ = reviewed()
    path = tmp_path / "s.db"
    with open_store(path) as store:
        for manager in ("张三", "李四"):
            record(
                store,
                quarter_record(
                    Q3, result, Path("g.xlsx"), None, [build_record(manager, Path("r.xlsx"), result)]
                ),
            )
        fewer = result.district[result.district["customer_code"] != "330781100008"]
        again = quarter_record(
            Q3, result, Path("g2.xlsx"), None, [build_record("张三", Path("r2.xlsx"), result)]
        )
        record(store, again.__class__(**{**again.__dict__, "district": fewer[list(history.DISTRICT_RECORD)]}))
        (entry,) = reading.recorded_quarters(store)
        assert (entry.grades_file, entry.district_customers, entry.builds) == ("g2.xlsx", 7, 2)
        assert [(b.manager, b.routes_file) for b in reading.builds(store)] == [
            ("张三", "r2.xlsx"),
            ("李四", "r.xlsx"),
        ]


def test_quarters_keep_calendar_order_whatever_the_recording_order(tmp_path):
    result, _ = reviewed()
    with open_store(tmp_path / "s.db") as store:
        for q in (Q4, Q2, Q3):
            record(store, quarter_record(q, result, Path("g.xlsx"), None))
        assert [r.quarter for r in reading.recorded_quarters(store)] == [Q2, Q3, Q4]
        assert history.recent_quarters([Q4.index, Q2.index, Q3.index], Q3.index) == [Q2.index, Q3.index]
        assert forget(store, Q3) and not forget(store, Q3)
        assert [r.quarter for r in reading.recorded_quarters(store)] == [Q2, Q4]


def test_the_schema_version_is_kept_and_a_newer_store_refused(tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    open_store(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("select value from settings where key='schema_version'").fetchone() == ("2",)
    # a later version of xlcrm migrates forward, in one go
    steps = []

    def add_notes(conn):
        steps.append("v3")
        conn.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY)")

    monkeypatch.setattr(schema, "SCHEMA_VERSION", 3)
    monkeypatch.setitem(database.MIGRATIONS, 3, add_notes)
    open_store(path).close()
    open_store(path).close()
    assert steps == ["v3"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("select value from settings where key='schema_version'").fetchone() == ("3",)
        assert conn.execute("select count(*) from notes").fetchone() == (0,)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 2)
    with pytest.raises(XlcrmError, match="由更新版本的 xlcrm 写入.*请先升级 xlcrm"):
        open_store(path)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_text("客户代码,等级\n", encoding="utf-8"), "不是客户档案库"),
        (lambda p: p.mkdir(), "是一个文件夹"),
    ],
)
def test_what_is_not_a_store_is_said(tmp_path, make, message):
    path = tmp_path / "客户档案库.db"
    make(path)
    with pytest.raises(XlcrmError, match=message):
        open_store(path)


def test_a_database_with_other_tables_is_not_taken_over(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table payroll (x)")
    with pytest.raises(XlcrmError, match="已有别的表"):
        open_store(path)


HOLD = textwrap.dedent("""
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO settings VALUES ('held', 'yes')")
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    conn.execute("ROLLBACK")
""")


def test_a_second_writer_waits_then_is_told(tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    open_store(path).close()
    result, _ = reviewed()
    entry = quarter_record(Q3, result, Path("g.xlsx"), None)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), "1.5"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "holding"
    started = time.monotonic()
    with open_store(path) as store:
        record(store, entry)  # waits for the other writer, then records
    assert time.monotonic() - started > 0.5
    holder.wait()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), "5"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    monkeypatch.setenv("XLCRM_STORE_WAIT_S", "0.5")
    try:
        with open_store(path) as store, pytest.raises(XlcrmError, match="正由另一个程序写入.*档案库没有改动"):
            forget(store, Q3)
    finally:
        holder.kill()
        holder.wait()
    assert [r.quarter for r in reading.recorded_quarters(open_store(path))] == [Q3]


def test_a_run_killed_mid_write_leaves_the_store_as_it_was(tmp_path):
    sample = generate_quarters(tmp_path / "in", seed=2, district=60_000, route_customers=200, count=4)
    path = tmp_path / "s.db"
    first = sample.files[0]
    args = [
        "build",
        "-q",
        "--routes",
        str(first.routes),
        "--grades",
        str(first.grades),
        "--purchases",
        str(first.purchases),
        "--out",
        str(tmp_path / "o.xlsx"),
        "--store",
        str(path),
    ]
    assert cli.main(args) == 0
    before = recorded(path)
    second = sample.files[1]
    command = [
        sys.executable,
        "-m",
        "xlcrm",
        "build",
        "-q",
        "--routes",
        str(second.routes),
        "--grades",
        str(second.grades),
        "--purchases",
        str(second.purchases),
        "--out",
        str(tmp_path / "o2.xlsx"),
        "--store",
        str(path),
    ]
    run = subprocess.Popen(command)
    journal = Path(str(path) + "-journal")
    deadline = time.monotonic() + 120
    while not journal.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    assert run.poll() is None, "the run ended before it wrote: make the district bigger"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    # whatever was writing (the run, or the process it started) has let go: the store can be written
    with sqlite3.connect(path, timeout=120, isolation_level=None) as conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    assert same(recorded(path), before)
    assert cli.main(args[:-2] + ["--store", str(path)]) == 0  # and it still takes the next run


MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")


def test_the_store_never_holds_a_phone_or_id_number(tmp_path):
    sample = generate_quarters(tmp_path / "in", seed=4)
    path = tmp_path / "s.db"
    for files in sample.files:
        assert (
            cli.main(
                [
                    "build",
                    "-q",
                    "--routes",
                    str(files.routes),
                    "--grades",
                    str(files.grades),
                    "--purchases",
                    str(files.purchases),
                    "--out",
                    str(tmp_path / "o.xlsx"),
                    "--store",
                    str(path),
                ]
            )
            == 0
        )
    text = "\n".join(sqlite3.connect(path).iterdump())
    assert "电话137****" in text or "电话13" in text  # the address text is kept, its number masked
    assert not MOBILE.search(text) and not ID.search(text)
    phones = set(pd.concat(sample.routes.values())["phone"])
    assert not any(p in text for p in phones)


def test_a_postgresql_store_gives_what_the_file_store_gives(tmp_path, postgres_url):
    sample = generate_quarters(tmp_path / "in", seed=6, count=4)
    outputs = {}
    for name, store in (("file", str(tmp_path / "s.db")), ("postgres", postgres_url)):
        for files in sample.files:
            out = tmp_path / name / files.quarter.code
            assert (
                cli.main(
                    [
                        "build",
                        "-q",
                        "--routes",
                        str(files.routes),
                        "--grades",
                        str(files.grades),
                        "--purchases",
                        str(files.purchases),
                        "--out",
                        str(out / "o.xlsx"),
                        "--export-dir",
                        str(out),
                        "--store",
                        store,
                    ]
                )
                == 0
            )
        outputs[name] = {
            p.name: p.read_bytes() for p in (tmp_path / name / sample.files[-1].quarter.code).glob("*.csv")
        }
    assert outputs["postgres"] == outputs["file"]
    assert {"history.csv", "alerts.csv"} <= set(outputs["file"])
    engine = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from builds")).scalar() == 4
        assert conn.execute(sa.text("select value from settings")).scalar() == str(schema.SCHEMA_VERSION)
    engine.dispose()


def test_a_postgresql_writer_waits_for_another(postgres_url, monkeypatch):
    import psycopg

    result, _ = reviewed()
    open_store(postgres_url).close()
    conninfo = postgres_url.replace("postgresql://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as holder:
        holder.execute(f"SELECT pg_advisory_lock({database._LOCK_KEY})")
        monkeypatch.setenv("XLCRM_STORE_WAIT_S", "0.5")
        with open_store(postgres_url) as store, pytest.raises(XlcrmError, match="正由另一个程序写入"):
            record(store, quarter_record(Q3, result, Path("g.xlsx"), None))
        holder.execute(f"SELECT pg_advisory_unlock({database._LOCK_KEY})")
    with open_store(postgres_url) as store:
        record(store, quarter_record(Q3, result, Path("g.xlsx"), None))
        assert [r.quarter for r in reading.recorded_quarters(store)] == [Q3]
