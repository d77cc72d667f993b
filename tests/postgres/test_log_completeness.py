"""The global log is complete for a follower: while writers race (losing races rolls their
transactions back), one transaction holds the events table for seconds and others insert and
roll back, a follower reading ``select_notifications`` from its own position sees every
committed event exactly once, in order. Sizes: COGOV_WRITERS, COGOV_LOG_COMMANDS_PER_WRITER."""

from __future__ import annotations

import itertools
import multiprocessing
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest

from cogov import CoGov, Scale, StoreError
from cogov.persistence.postgres import connect
from cogov.persistence.store import parse_database_url
from tests.postgres.workload import build_world, env_int, open_app, run_writer

HOLD_SECONDS = 1.5


def _follow(url: str, stop: threading.Event, seen: list[tuple[int, str, int]]) -> None:
    """A follower: from its own position, batches of 50, until told to stop and caught up."""
    app = open_app(url)
    position = 0
    try:
        while True:
            finishing = stop.is_set()
            batch = app.store.recorder.select_notifications(start=position + 1, limit=50)
            seen += [(n.id, str(n.originator_id), n.originator_version) for n in batch]
            if batch:
                position = batch[-1].id
            elif finishing:
                return
            else:
                time.sleep(0.01)
    finally:
        app.close()


def _copy_of_an_event(url: str) -> tuple[str, bytes]:
    app = open_app(url)
    first = app.store.recorder.select_notifications(start=1, limit=1)[0]
    app.close()
    return first.topic, first.state


def _held_transactions_postgres(url: str, commit: bool) -> None:
    """Take the events table's lock, insert an event, hold it open, then commit or roll back."""
    topic, state = _copy_of_an_event(url)
    with connect(parse_database_url(url), autocommit=False) as conn:
        conn.execute("LOCK TABLE cogov_events IN EXCLUSIVE MODE")
        conn.execute(
            "INSERT INTO cogov_events (originator_id, originator_version, topic, state) "
            "VALUES (%s, 1, %s, %s)",
            (uuid4(), topic, state),
        )
        time.sleep(HOLD_SECONDS)
        conn.commit() if commit else conn.rollback()


def _held_transactions_sqlite(url: str, commit: bool) -> None:
    topic, state = _copy_of_an_event(url)
    path = parse_database_url(url).sqlite_path
    assert path is not None
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
            "VALUES (?, 1, ?, ?)",
            (uuid4().hex, topic, state),
        )
        time.sleep(HOLD_SECONDS)
        conn.execute("COMMIT" if commit else "ROLLBACK")
    finally:
        conn.close()


def _all_committed(url: str) -> list[tuple[int, str, int]]:
    app = open_app(url)
    notes = app.store.recorder.select_notifications(start=1, limit=10_000_000)
    app.close()
    return [(n.id, str(n.originator_id), n.originator_version) for n in notes]


def test_a_follower_sees_every_committed_event_once_in_order(shared_store_url: str) -> None:
    url = shared_store_url
    on_postgres = url.startswith("postgresql")
    writers = env_int("COGOV_WRITERS", 4)
    commands = env_int("COGOV_LOG_COMMANDS_PER_WRITER", 50)
    world = build_world(url, issues=5)  # few hot issues: many lost races, many rollbacks
    hold: Callable[[str, bool], None] = (
        _held_transactions_postgres if on_postgres else _held_transactions_sqlite
    )
    stop = threading.Event()
    seen: list[tuple[int, str, int]] = []
    follower = threading.Thread(target=_follow, args=(url, stop, seen))
    follower.start()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(writers) as pool:
        pending: Any = pool.starmap_async(
            run_writer, [(url, world, w, commands, 7 + w) for w in range(writers)]
        )
        time.sleep(0.5)
        hold(url, False)  # an insert held open, then rolled back: a hole in the ids on PG
        hold(url, True)  # an insert held open for seconds, then committed
        hold(url, False)
        reports = pending.get(timeout=600)
    stop.set()
    follower.join(timeout=60)
    committed = _all_committed(url)
    ids = [i for i, _, _ in seen]
    holes = (committed[-1][0] - len(committed)) if committed else 0
    print(
        f"\n[{url.split(':', 1)[0]}] follower read {len(seen)} of {len(committed)} committed "
        f"events; {sum(r.races_lost for r in reports)} writer transactions rolled back after "
        f"lost races, 3 held {HOLD_SECONDS}s (2 rolled back); {holes} holes in the ids; "
        f"duplicates={len(ids) - len(set(ids))} "
        f"out-of-order={sum(a >= b for a, b in itertools.pairwise(ids))}"
    )
    assert seen == committed
    assert ids == sorted(set(ids))
    acknowledged = sum(len(r.recorded) for r in reports)
    assert len(committed) == len(_all_committed(url))
    assert len(committed) >= acknowledged + 1  # every command's event and the held commit
    if on_postgres:
        assert holes >= 2  # the rolled-back inserts consumed ids the follower had to pass


def test_the_postgres_events_table_lock_is_what_keeps_ids_in_commit_order(
    postgres_url: str,
) -> None:
    """Why the follower can pass holes safely: a writer waits for the lock held by an open
    insert, so it cannot commit a higher id while a lower one is still in flight."""
    world = build_world(postgres_url, issues=1)
    config = parse_database_url(postgres_url)
    app = open_app(postgres_url)
    before = app.max_position()
    done: list[float] = []
    with connect(config, autocommit=False) as holder:
        holder.execute("LOCK TABLE cogov_events IN EXCLUSIVE MODE")
        held = holder.execute(
            "SELECT nextval(pg_get_serial_sequence('cogov_events', 'notification_id'))"
        ).fetchone()
        assert held is not None
        started = time.perf_counter()

        def write() -> None:
            app.triage_issue(world.cadre(), world.issues[0], scale=Scale.MINOR, category="x")
            done.append(time.perf_counter() - started)

        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(1.0)
        assert done == []  # the writer is blocked behind the open transaction
        assert app.max_position() == before
        holder.rollback()
    writer.join(timeout=30)
    assert done
    assert done[0] >= 1.0
    assert app.max_position() > held[0]  # the writer's id comes after the one in flight
    app.close()


def test_inserting_without_the_events_table_lock_is_refused(postgres_url: str) -> None:
    with pytest.raises(StoreError) as refused:
        CoGov(postgres_url, env={"POSTGRES_ENABLE_DB_FUNCTIONS": "yes"}, views="off")
    assert refused.value.rule == "store.config"
    assert "POSTGRES_ENABLE_DB_FUNCTIONS" in str(refused.value)
