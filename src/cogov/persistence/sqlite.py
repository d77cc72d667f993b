"""eventsourcing's SQLite factory with the durability setting made explicit.

The library turns on WAL but never sets ``synchronous``; we set it on every connection
from ``COGOV_SQLITE_SYNCHRONOUS`` (FULL by default; NORMAL survives an application crash,
not a power loss).
"""

from __future__ import annotations

from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteFactory
from eventsourcing.utils import Environment, EnvType

__all__ = ["DurableSQLiteFactory"]


class _DurablePool(SQLiteConnectionPool):
    synchronous = "FULL"

    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        connection._sqlite_conn.execute(f"PRAGMA synchronous={self.synchronous}")
        return connection


class DurableSQLiteFactory(SQLiteFactory):
    def __init__(self, env: Environment | EnvType | None):
        super().__init__(env)
        old = self.datastore.pool
        pool = _DurablePool(db_name=old.db_name, lock_timeout=old.lock_timeout)
        pool.synchronous = (self.env.get("COGOV_SQLITE_SYNCHRONOUS") or "FULL").upper()
        old.close()
        self.datastore.pool = pool
