"""A smaller tamper matrix on PostgreSQL: each case on a fresh copy of the store (its events,
links and checkpoints copied into a schema of their own), every change detected and the
first bad event named. ``COGOV_PG_TAMPER_CASES`` sets the single-byte changes (default 24)."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from cogov import BreachKind, CoGov, ManualClock
from cogov.audit.offline import verify_database

from . import test_tamper_matrix as matrix
from .support import open_history, run_matter

CASES = int(os.environ.get("COGOV_PG_TAMPER_CASES", "24"))
OTHER = max(3, CASES // 8)
TABLES = ("cogov_events", "audit_chain", "audit_checkpoints")


@dataclass
class PgPristine:
    base: str  # the server URL without a schema
    schema: str  # the original store's schema
    rows: list[matrix.StoredRow]
    trusted: Ed25519PublicKey

    @property
    def conn_url(self) -> str:
        return self.base.replace("postgresql+psycopg", "postgresql")

    def copy(self, run: Any) -> str:
        """A fresh schema holding a copy of the store; ``run(cursor)`` tampers with it."""
        copy = f"{self.schema}_c{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.conn_url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{copy}"')
            for table in TABLES:
                conn.execute(f'CREATE TABLE "{copy}".{table} AS TABLE "{self.schema}".{table}')
            with conn.transaction():
                conn.execute(f'SET LOCAL search_path TO "{copy}"')
                run(conn)
        return copy

    def drop(self, copy: str) -> None:
        with psycopg.connect(self.conn_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{copy}" CASCADE')


@pytest.fixture
def pg(postgres_url: str) -> Iterator[PgPristine]:
    clock = matrix_clock()
    app = CoGov(postgres_url, clock=clock)
    h = open_history(app, clock)
    for n in range(3):
        run_matter(h, title=f"危桥{n}")
    key = Ed25519PrivateKey.generate()
    app.sign_checkpoint(h.auditor, key)
    app.close()
    base, schema = postgres_url.split("?schema=")
    with psycopg.connect(base.replace("postgresql+psycopg", "postgresql")) as conn:
        rows = [
            matrix.StoredRow(p, o.hex, v, t, bytes(s))
            for p, o, v, t, s in conn.execute(
                f'SELECT notification_id, originator_id, originator_version, topic, state FROM "{schema}".cogov_events ORDER BY notification_id'  # noqa: E501
            )
        ]
    return PgPristine(base=base, schema=schema, rows=rows, trusted=key.public_key())


def matrix_clock() -> ManualClock:
    from datetime import UTC, datetime

    return ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))


def byte_change(rng: random.Random, rows: list[matrix.StoredRow]) -> tuple[Any, matrix.Expected]:
    row = rng.choice(rows)
    found_id, found_version = row.originator_id, row.version
    what = rng.random()
    if what < 0.8:
        state = bytearray(row.state)
        i = rng.randrange(len(state))
        state[i] = (state[i] + rng.randrange(1, 256)) % 256
        sql, params = "UPDATE cogov_events SET state=%s WHERE notification_id=%s", (bytes(state),)
    elif what < 0.9:
        i = rng.randrange(32)
        found_id = (
            row.originator_id[:i]
            + rng.choice([c for c in matrix.HEX if c != row.originator_id[i]])
            + row.originator_id[i + 1 :]
        )
        sql, params = (
            "UPDATE cogov_events SET originator_id=%s WHERE notification_id=%s",
            (uuid.UUID(hex=found_id),),
        )
    else:
        found_version = row.version + rng.randrange(1000, 2000)
        sql, params = (
            "UPDATE cogov_events SET originator_version=%s WHERE notification_id=%s",
            (found_version,),
        )

    def run(conn: Any) -> None:
        conn.execute(sql, (*params, row.position))

    expected = matrix.Expected(
        BreachKind.ALTERED, row.position, row.originator_id, row.version, found_id, found_version
    )
    return run, expected


def other_change(
    kind: str, rng: random.Random, rows: list[matrix.StoredRow]
) -> tuple[Any, matrix.Expected]:
    row = rng.choice(rows[1:-1])
    if kind == "deleted":
        statements = [("DELETE FROM cogov_events WHERE notification_id=%s", (row.position,))]
        expected = matrix.Expected(BreachKind.MISSING, row.position, row.originator_id, row.version)
    elif kind == "inserted":
        forged = uuid.uuid4()
        statements = [
            (
                "UPDATE cogov_events SET notification_id = notification_id + 1 "
                "WHERE notification_id >= %s",
                (row.position,),
            ),
            (
                "INSERT INTO cogov_events (originator_id, originator_version, topic, state, "
                "notification_id) VALUES (%s, 1, %s, %s, %s)",
                (forged, row.topic, row.state, row.position),
            ),
        ]
        expected = matrix.Expected(
            BreachKind.ALTERED, row.position, row.originator_id, row.version, forged.hex, 1
        )
    elif kind == "swapped":
        other = rng.choice([r for r in rows if r.position > row.position])
        statements = [
            (
                "UPDATE cogov_events SET notification_id = -1 WHERE notification_id = %s",
                (row.position,),
            ),
            (
                "UPDATE cogov_events SET notification_id = %s WHERE notification_id = %s",
                (row.position, other.position),
            ),
            (
                "UPDATE cogov_events SET notification_id = %s WHERE notification_id = -1",
                (other.position,),
            ),
        ]
        expected = matrix.Expected(
            BreachKind.ALTERED,
            row.position,
            row.originator_id,
            row.version,
            other.originator_id,
            other.version,
        )
    else:  # truncated, links and all: only the checkpoint beyond the end reveals it
        statements = [
            ("DELETE FROM cogov_events WHERE notification_id >= %s", (row.position,)),
            ("DELETE FROM audit_chain WHERE position >= %s", (row.position,)),
        ]
        expected = matrix.Expected(BreachKind.TRUNCATED, row.position, None, None)

    def run(conn: Any) -> None:
        for sql, params in statements:
            conn.execute(sql, params)

    return run, expected


def test_the_postgres_tamper_matrix_detects_every_change(pg: PgPristine) -> None:
    pristine = pg.copy(lambda conn: None)
    try:
        report = verify_database(f"{pg.base}?schema={pristine}", pg.trusted)
        assert report.intact
        assert report.events == len(pg.rows)
        assert report.checkpoints_verified == 1
    finally:
        pg.drop(pristine)
    rng = random.Random(20260302)
    cases = [byte_change(rng, pg.rows) for _ in range(CASES)]
    for kind in ("deleted", "inserted", "swapped", "truncated"):
        cases += [other_change(kind, rng, pg.rows) for _ in range(OTHER)]
    for n, (run, expected) in enumerate(cases):
        copy = pg.copy(run)
        try:
            report = verify_database(f"{pg.base}?schema={copy}", pg.trusted)
        finally:
            pg.drop(copy)
        matrix.check(report, expected, f"postgres case {n}: {expected}")
