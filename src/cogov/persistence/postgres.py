"""PostgreSQL specifics: creating schemas and tables safely when many processes start at once,
and waking followers with LISTEN/NOTIFY.

``CREATE SCHEMA IF NOT EXISTS``, ``CREATE TABLE IF NOT EXISTS`` and ``CREATE TYPE`` are not safe
against each other: two sessions running them at the same moment can both pass the existence
check and one then fails on a unique index of the catalogue (``pg_namespace``, ``pg_type``).
:func:`creation_lock` serialises them with a session-level advisory lock keyed by the schema,
held on a connection of its own while the event store (and the views) create their tables.
The lock is only taken at start-up; commands never touch it.

Every transaction that inserts events also runs ``NOTIFY <events table>`` (eventsourcing's
PostgreSQL recorder does it), so a follower can ``LISTEN`` on :func:`events_channel` to be
woken — the notification carries no position; followers always re-read from their own.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from typing import Any

from cogov.errors import StoreError
from cogov.persistence.store import StoreConfig

__all__ = [
    "check_store_env",
    "connect",
    "creation_lock",
    "events_channel",
    "wait_for_events",
]

#: eventsourcing names the events table ``<application name>_events``; ours is "CoGov"
EVENTS_TABLE = "cogov_events"


def connect(config: StoreConfig, *, autocommit: bool = True) -> Any:
    """A plain psycopg connection to the store's database (schema on the search path)."""
    import psycopg

    env = config.env
    schema = config.options.get("schema")
    return psycopg.connect(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        autocommit=autocommit,
        options=f"-csearch_path={schema}" if schema else None,
        connect_timeout=10,
    )


def check_store_env(env: Mapping[str, str]) -> None:
    """Refuse settings that would break the log's guarantees for followers.

    ``POSTGRES_ENABLE_DB_FUNCTIONS`` makes eventsourcing insert through a stored function that
    does not take the events table lock: ids would be drawn in one order and committed in
    another, and a follower could pass an event that commits later."""
    merged = {**os.environ, **env}
    for key, value in merged.items():
        if key.endswith("POSTGRES_ENABLE_DB_FUNCTIONS") and value.strip().lower() in (
            "y",
            "yes",
            "t",
            "true",
            "on",
            "1",
        ):
            raise StoreError(
                f"{key} inserts events without the table lock, so followers could skip "
                "events; cogov does not support it",
                rule="store.config",
            )


@contextlib.contextmanager
def creation_lock(config: StoreConfig) -> Iterator[None]:
    """Hold the schema's creation lock (PostgreSQL only; elsewhere a no-op).

    Use it around any ``CREATE … IF NOT EXISTS`` done at start-up (the event store's tables, the
    views' tables) so processes starting together do not trip over each other."""
    if config.kind != "postgres":
        yield
        return
    schema = config.options.get("schema") or "public"
    with connect(config) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (f"cogov.create:{schema}",))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (f"cogov.create:{schema}",))


def events_channel() -> str:
    """The channel eventsourcing NOTIFYs on each insert (one per database, not per schema)."""
    return EVENTS_TABLE


def wait_for_events(conn: Any, timeout: float) -> bool:
    """Block on a LISTENing connection until a notification arrives or ``timeout`` passes.

    Returns whether one arrived. Only a hint: callers re-read from their tracked position."""
    for _ in conn.notifies(timeout=timeout, stop_after=1):
        return True
    return False
