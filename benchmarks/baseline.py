"""The physical baseline: the same rows, written and read with the bare drivers (sqlite3,
psycopg) and the same durability settings, no library in between.

The rows are the stored events of the benchmark's own store (same sizes, same topics), in
a table shaped exactly like eventsourcing's application recorder table.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import psycopg
from psycopg import sql

__all__ = [
    "RawResult",
    "Row",
    "pg_read_decode",
    "pg_rows",
    "pg_settings",
    "pg_write",
    "sqlite_read_decode",
    "sqlite_rows",
    "sqlite_write",
]

Row = tuple[Any, int, str, bytes]


@dataclass(frozen=True)
class RawResult:
    rows: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# -- SQLite -------------------------------------------------------------------------------
_SQLITE_TABLE = (
    "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, "
    "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
)


def sqlite_rows(db_path: str, limit: int) -> list[Row]:
    """The first ``limit`` stored events of a store, as raw rows."""
    with sqlite3.connect(db_path) as c:
        cur = c.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events "
            "ORDER BY rowid LIMIT ?",
            (limit,),
        )
        return list(cur.fetchall())


def sqlite_write(path: Path, rows: list[Row], *, synchronous: str, per_row: bool) -> RawResult:
    """Insert ``rows`` into a fresh WAL database: one transaction per row, or one for all."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute(f"PRAGMA synchronous={synchronous}")
    c.execute(_SQLITE_TABLE)
    insert = "INSERT INTO stored_events VALUES (?,?,?,?)"
    t = time.perf_counter()
    if per_row:
        for row in rows:
            c.execute("BEGIN")
            c.execute(insert, row)
            c.execute("COMMIT")
    else:
        c.execute("BEGIN")
        c.executemany(insert, rows)
        c.execute("COMMIT")
    seconds = time.perf_counter() - t
    c.close()
    return RawResult(len(rows), seconds)


def sqlite_read_decode(db_path: str) -> RawResult:
    """Scan the whole log in order and decode every state with orjson."""
    c = sqlite3.connect(db_path)
    t = time.perf_counter()
    cur = c.execute(
        "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
        "ORDER BY rowid"
    )
    n = 0
    loads = orjson.loads
    while True:
        page = cur.fetchmany(5000)
        if not page:
            break
        for row in page:
            loads(row[4])
        n += len(page)
    seconds = time.perf_counter() - t
    c.close()
    return RawResult(n, seconds)


# -- PostgreSQL ----------------------------------------------------------------------------
def pg_settings(url: str) -> dict[str, str]:
    with psycopg.connect(url) as c:
        out = {}
        for name in ("synchronous_commit", "fsync", "wal_sync_method", "full_page_writes"):
            row = c.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()
            out[name] = str(row[0]) if row else "?"
        version = c.execute("SHOW server_version").fetchone()
        out["server_version"] = str(version[0]) if version else "?"
        return out


def pg_rows(url: str, schema: str, table: str, limit: int) -> list[Row]:
    with psycopg.connect(url) as c:
        cur = c.execute(
            sql.SQL(
                "SELECT originator_id, originator_version, topic, state FROM {}.{} "
                "ORDER BY notification_id LIMIT %s"
            ).format(sql.Identifier(schema), sql.Identifier(table)),
            (limit,),
        )
        return [(r[0], r[1], r[2], bytes(r[3])) for r in cur.fetchall()]


def pg_write(url: str, schema: str, rows: list[Row], *, per_row: bool) -> RawResult:
    """Insert ``rows`` into a fresh table shaped like eventsourcing's, in its own schema."""
    s = sql.Identifier(schema)
    with psycopg.connect(url, autocommit=True) as c:
        c.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(s))
        c.execute(sql.SQL("CREATE SCHEMA {}").format(s))
        c.execute(
            sql.SQL(
                "CREATE TABLE {}.stored_events (originator_id uuid NOT NULL, "
                "originator_version bigint NOT NULL, topic text, state bytea, "
                "notification_id bigserial, PRIMARY KEY (originator_id, originator_version))"
            ).format(s)
        )
        c.execute(sql.SQL("CREATE UNIQUE INDEX ON {}.stored_events (notification_id)").format(s))
        insert = sql.SQL(
            "INSERT INTO {}.stored_events (originator_id, originator_version, topic, state) "
            "VALUES (%s,%s,%s,%s)"
        ).format(s)
        prepared = [(UUID(str(r[0])), r[1], r[2], r[3]) for r in rows]
        t = time.perf_counter()
        if per_row:
            for row in prepared:
                with c.transaction():
                    c.execute(insert, row)
        else:
            with c.transaction(), c.cursor() as cur:
                cur.executemany(insert, prepared)
        seconds = time.perf_counter() - t
        c.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(s))
    return RawResult(len(rows), seconds)


def pg_read_decode(url: str, schema: str, table: str) -> RawResult:
    with psycopg.connect(url) as c:
        t = time.perf_counter()
        n = 0
        loads = orjson.loads
        with c.cursor(name="scan") as cur:
            cur.itersize = 5000
            cur.execute(
                sql.SQL(
                    "SELECT notification_id, originator_id, originator_version, topic, state "
                    "FROM {}.{} ORDER BY notification_id"
                ).format(sql.Identifier(schema), sql.Identifier(table))
            )
            for row in cur:
                loads(row[4])
                n += 1
        seconds = time.perf_counter() - t
    return RawResult(n, seconds)
