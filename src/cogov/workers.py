"""Projection workers: processes of their own that keep the views current, exactly once.

    python -m cogov.workers --db postgresql://cogov@db/cogov?schema=huangmei
    python -m cogov.workers --db sqlite:///cogov.db --poll 1
    python -m cogov.workers --db URL --once          # catch up, then exit (cron, deploys)

A worker runs a runner with ``catch_up() -> int`` (by default the views'
:class:`~cogov.views.runner.ViewRunner`, which commits each batch's rows together with its
tracking position) in a loop:

1. ``LISTEN`` on the events table's channel (PostgreSQL; every inserting transaction NOTIFYs
   it), *before* catching up, so a commit landing during the catch-up still wakes it;
2. catch up from the tracked position;
3. sleep until a notification arrives or ``--poll`` seconds pass (SQLite: the poll alone).

A notification only wakes the worker: the worker always re-reads from its tracked position,
so a lost, merged or spurious notification changes nothing. Killed at any point (SIGKILL,
OOM, power), a worker loses at most its open transaction; the next one resumes from the last
committed position. SIGTERM/SIGINT stop it after the batch in hand. Several workers on one
store are safe (the runner serialises them with a lock): run two for availability.

On start the worker also checks the views' schema fingerprint (:func:`migrate_views`): when
the code's view tables or projections differ from those the stored views were built with, it
rebuilds them from position 0 once, under a lock, before following the log.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cogov.errors import CogovError
from cogov.persistence.postgres import connect, events_channel, wait_for_events
from cogov.persistence.store import StoreConfig, parse_database_url

__all__ = [
    "CatchUp",
    "Waker",
    "WorkerStats",
    "main",
    "migrate_views",
    "run_worker",
    "views_fingerprint",
]

log = logging.getLogger("cogov.workers")


class CatchUp(Protocol):
    """What a worker drives: apply everything not yet applied; return how many were read."""

    def catch_up(self) -> int: ...

    def close(self) -> None: ...


@dataclass
class WorkerStats:
    rounds: int = 0
    events: int = 0
    errors: int = 0
    wakeups: int = 0


class Waker:
    """Waits for new events: LISTEN/NOTIFY on PostgreSQL, a plain timeout elsewhere."""

    def __init__(self, config: StoreConfig) -> None:
        self.config = config
        self._conn: Any = None

    def listen(self) -> None:
        if self.config.kind != "postgres" or self._conn is not None:
            return
        try:
            conn = connect(self.config)
            conn.execute(f'LISTEN "{events_channel()}"')
            self._conn = conn
        except Exception as e:  # noqa: BLE001 - no listener: fall back to polling
            log.warning("cannot LISTEN (polling instead): %s", e)
            self._conn = None

    def wait(self, timeout: float) -> bool:
        """Until woken or ``timeout`` seconds pass. Returns whether a notification came."""
        if self._conn is None:
            time.sleep(timeout)
            return False
        try:
            return wait_for_events(self._conn, timeout)
        except Exception as e:  # noqa: BLE001 - lost the listener: reconnect next round
            log.warning("listener lost (reconnecting): %s", e)
            self.close()
            time.sleep(min(timeout, 1.0))
            return False

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


def run_worker(
    runner: CatchUp,
    waker: Waker,
    *,
    poll: float = 5.0,
    should_stop: Callable[[], bool] = lambda: False,
    max_backoff: float = 30.0,
) -> WorkerStats:
    """Follow the log until ``should_stop()``: listen, catch up, wait, again."""
    stats = WorkerStats()
    backoff = 0.5
    while not should_stop():
        waker.listen()
        try:
            read = runner.catch_up()
        except CogovError as e:  # the database is away or locked: keep trying, slower
            stats.errors += 1
            log.warning("catch-up failed (retrying in %.1fs): %s", backoff, e)
            waker.wait(backoff)
            backoff = min(backoff * 2, max_backoff)
            continue
        backoff = 0.5
        stats.rounds += 1
        stats.events += read
        if read:
            log.info("applied %d events", read)
        if should_stop():
            break
        stats.wakeups += _wait_in_slices(waker, poll, should_stop)
    return stats


def _wait_in_slices(waker: Waker, poll: float, should_stop: Callable[[], bool]) -> bool:
    """Wait up to ``poll`` seconds for a notification, looking at ``should_stop`` every
    second, so SIGTERM ends a worker promptly even with a long poll."""
    deadline = time.monotonic() + poll
    while not should_stop():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        if waker.wait(min(remaining, 1.0)):
            return True
    return False


# -- read-model migrations -------------------------------------------------------------------
def views_fingerprint(runner: Any) -> str:
    """SHA-256 of what the views are built from: each projection's name and ``version``
    attribute (default 1; bump it when a projection's logic changes) and the DDL of its
    tables. Any change means the stored views must be rebuilt."""
    from sqlalchemy.schema import CreateIndex, CreateTable

    dialect = runner.engine.dialect
    parts: list[str] = []
    for projection in runner.projections:
        parts.append(f"{projection.name}:{getattr(projection, 'version', 1)}")
        for table in projection.tables:
            parts.append(str(CreateTable(table).compile(dialect=dialect)))
            parts += sorted(str(CreateIndex(i).compile(dialect=dialect)) for i in table.indexes)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@contextlib.contextmanager
def _migration_lock(runner: Any) -> Iterator[Any]:
    """A connection holding the views' migration lock (PostgreSQL: an advisory lock for the
    session; SQLite: an immediate transaction)."""
    from sqlalchemy import text

    # the runner's write connections begin IMMEDIATE on SQLite (wait for the lock, never fail
    # upgrading a read transaction); on PostgreSQL they are plain connections
    with runner._write() as conn:
        if conn.dialect.name == "postgresql":
            schema = runner.config.options.get("schema", "")
            conn.execute(text("SELECT pg_advisory_lock(hashtext(:k))"), {"k": f"cogov.vm:{schema}"})
            try:
                yield conn
            finally:
                conn.execute(
                    text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": f"cogov.vm:{schema}"}
                )
                conn.commit()
        else:
            yield conn


def migrate_views(runner: Any) -> bool:
    """Rebuild the views once if the code's fingerprint differs from the stored one.

    The fingerprint lives in ``view_schema_version`` (one row). Views never built before (no
    row, nothing tracked) are simply recorded; views built by older code are rebuilt from
    position 0. Returns whether a rebuild ran."""
    from sqlalchemy import Column, MetaData, String, Table, select

    table = Table(
        "view_schema_version",
        MetaData(),
        Column("name", String(40), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
    )
    fingerprint = views_fingerprint(runner)
    with _migration_lock(runner) as conn:
        table.create(conn, checkfirst=True)
        conn.commit()
        stored = conn.execute(
            select(table.c.fingerprint).where(table.c.name == "views")
        ).scalar_one_or_none()
        conn.commit()  # no read transaction left open while the rebuild writes
        if stored == fingerprint:
            return False
        rebuilt = False
        if stored is not None or any(runner.positions().values()):
            log.warning("the view definitions changed: rebuilding the views from position 0")
            runner.rebuild()
            rebuilt = True
        conn.execute(table.delete().where(table.c.name == "views"))
        conn.execute(table.insert().values(name="views", fingerprint=fingerprint))
        conn.commit()
        return rebuilt


# -- the process -----------------------------------------------------------------------------
def _make_runner(spec: str | None, url: str, batch: int) -> CatchUp:
    if spec:
        module, _, name = spec.partition(":")
        factory = getattr(importlib.import_module(module), name)
        made: CatchUp = factory(url)
        return made
    from cogov.views.runner import ViewRunner

    return ViewRunner(url, batch_size=batch)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cogov.workers", description="Keep cogov's views current."
    )
    parser.add_argument("--db", required=True, help="sqlite:///path.db or postgresql://…")
    parser.add_argument("--batch", type=int, default=2000, help="events per transaction")
    parser.add_argument("--poll", type=float, default=5.0, help="seconds between polls")
    parser.add_argument("--once", action="store_true", help="catch up once, then exit")
    parser.add_argument("--no-migrate", action="store_true", help="skip the fingerprint check")
    parser.add_argument("--runner", help="module:factory(url) -> runner (default: the views)")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    config = parse_database_url(args.db)
    if config.kind == "memory":
        print("a projection worker needs a shared store (sqlite:/// or postgresql://)")
        return 2
    runner = _make_runner(args.runner, args.db, args.batch)
    stopping = threading.Event()

    def stop(signum: int, _frame: Any) -> None:
        log.info("signal %d: stopping after the batch in hand", signum)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    waker = Waker(config)
    try:
        while not args.no_migrate and args.runner is None and not stopping.is_set():
            try:
                migrate_views(runner)
                break
            except Exception as e:  # noqa: BLE001 - the database is busy or away: try again
                log.warning("view migration check failed (retrying): %s", e)
                time.sleep(1.0)
        if args.once:
            read = runner.catch_up()
            log.info("caught up: %d events", read)
            return 0
        stats = run_worker(runner, waker, poll=args.poll, should_stop=stopping.is_set)
        log.info(
            "stopped: %d rounds, %d events, %d errors", stats.rounds, stats.events, stats.errors
        )
        return 0
    finally:
        waker.close()
        runner.close()


if __name__ == "__main__":
    sys.exit(main())
