"""The audit tables, kept in the events' own database (SQLAlchemy Core).

* ``audit_chain`` — one link per event: ``position`` (the notification id), the
  ``originator_id`` (32 hex digits) and ``originator_version`` it covered (informational: they
  let a report name an event that has since been deleted; only ``hash`` is trusted), and
  ``hash`` = h_position (see :mod:`cogov.audit.encoding`).
* ``audit_checkpoints`` — Ed25519-signed statements "the chain head at ``position`` was
  ``head``", with the signing time, key id, the signer's public key and the signature.

For the in-memory store the tables live in an in-memory SQLite database of their own.
"""

from __future__ import annotations

import psycopg
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    event,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from cogov.errors import StoreError
from cogov.persistence.postgres import creation_lock
from cogov.persistence.store import StoreConfig

__all__ = ["CHAIN", "CHECKPOINTS", "METADATA", "audit_engine"]

METADATA = MetaData()
_POSITION = BigInteger().with_variant(Integer(), "sqlite")  # INTEGER PRIMARY KEY = the rowid

CHAIN = Table(
    "audit_chain",
    METADATA,
    Column("position", _POSITION, primary_key=True, autoincrement=False),
    Column("originator_id", String(32), nullable=False),
    Column("originator_version", BigInteger, nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
)

CHECKPOINTS = Table(
    "audit_checkpoints",
    METADATA,
    Column("id", _POSITION, primary_key=True, autoincrement=True),
    Column("position", BigInteger, nullable=False),
    Column("head", LargeBinary(32), nullable=False),
    Column("signed_at", String(40), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("public_key", LargeBinary(32), nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
)


def audit_engine(config: StoreConfig) -> Engine:
    """An engine on the store's database (or a private in-memory SQLite for ``memory://``),
    with the audit tables created."""
    if config.kind == "memory":
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    elif config.kind == "sqlite":
        engine = create_engine(config.sqlalchemy_url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: object, _: object) -> None:
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            # links can always be recomputed from the events: a lost commit only widens the
            # uncovered tail, so the chain's own writes need not wait for fsync
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
    else:
        engine = create_engine(config.sqlalchemy_url, pool_size=1, max_overflow=2)
    try:
        with creation_lock(config):  # processes starting together create the tables once
            METADATA.create_all(engine)
    except (SQLAlchemyError, psycopg.Error) as e:
        engine.dispose()
        raise StoreError(f"cannot open the audit tables: {e}", rule="store.read") from e
    return engine
