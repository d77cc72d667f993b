"""Key vaults: where the per-resident keys live, apart from the event table.

* :class:`MemoryKeyVault` — a dict, for the in-memory store and tests.
* :class:`SqlKeyVault` — a ``pii_keys`` table through SQLAlchemy: by default in the same
  database as the events (a separate table the event recorder never touches), or in a
  separate database (``CoGov(pii_key_url=...)``) so the keys can live on another server,
  under other credentials and another backup regime.

Destroying a key is forgetting (crypto-shredding). On SQLite the vault turns
``secure_delete`` on, so a deleted key's bytes are overwritten in the database file rather
than left in a free page; :meth:`SqlKeyVault.compact` also checkpoints the write-ahead log.
On PostgreSQL a deleted row's bytes remain in the heap until ``VACUUM`` reclaims them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol, runtime_checkable
from uuid import UUID

from sqlalchemy import (
    Column,
    DateTime,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from cogov.errors import StoreError

__all__ = ["KeyVault", "MemoryKeyVault", "SqlKeyVault", "open_key_vault"]


@runtime_checkable
class KeyVault(Protocol):
    """Stores one secret key per key id. Hosts may supply their own (a KMS, an HSM)."""

    def put(self, key_id: UUID, key: bytes) -> None: ...

    def get(self, key_id: UUID) -> bytes | None: ...

    def destroy(self, key_id: UUID) -> bool:
        """Delete the key for good; True when there was one."""
        ...

    def count(self) -> int: ...

    def close(self) -> None: ...


class MemoryKeyVault:
    """Keys in a dict: for the in-memory store (they vanish with the process)."""

    def __init__(self) -> None:
        self._keys: dict[UUID, bytes] = {}

    def put(self, key_id: UUID, key: bytes) -> None:
        self._keys[key_id] = key

    def get(self, key_id: UUID) -> bytes | None:
        return self._keys.get(key_id)

    def destroy(self, key_id: UUID) -> bool:
        return self._keys.pop(key_id, None) is not None

    def count(self) -> int:
        return len(self._keys)

    def close(self) -> None:
        """Nothing to release."""


_metadata = MetaData()
PII_KEYS = Table(
    "pii_keys",
    _metadata,
    Column("key_id", String(36), primary_key=True),
    Column("key", LargeBinary(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


class SqlKeyVault:
    """Keys in a ``pii_keys`` table (SQLite or PostgreSQL, through SQLAlchemy)."""

    def __init__(self, sqlalchemy_url: str) -> None:
        sqlite = sqlalchemy_url.startswith("sqlite")
        self._engine: Engine = create_engine(
            sqlalchemy_url, connect_args={"timeout": 30} if sqlite else {}
        )
        if sqlite:
            event.listen(self._engine, "connect", _sqlite_secure_delete)
        for attempt in range(3):  # processes starting together may race to create the table
            try:
                _metadata.create_all(self._engine, checkfirst=True)
                break
            except SQLAlchemyError as e:
                if attempt == 2:
                    self._engine.dispose()
                    raise StoreError(
                        f"cannot open the personal-data key vault: {type(e).__name__}",
                        rule="store.key_vault",
                    ) from None

    def put(self, key_id: UUID, key: bytes) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                PII_KEYS.insert().values(key_id=str(key_id), key=key, created_at=datetime.now(UTC))
            )

    def get(self, key_id: UUID) -> bytes | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(PII_KEYS.c.key).where(PII_KEYS.c.key_id == str(key_id))
            ).first()
        return bytes(row[0]) if row is not None else None

    def destroy(self, key_id: UUID) -> bool:
        with self._engine.begin() as conn:
            result = conn.execute(delete(PII_KEYS).where(PII_KEYS.c.key_id == str(key_id)))
        return bool(result.rowcount)

    def count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(PII_KEYS)).scalar_one())

    def compact(self) -> None:
        """Fold the SQLite write-ahead log into the file (old page images vanish with it)."""
        if self._engine.dialect.name == "sqlite":
            with self._engine.connect() as conn:
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))

    def close(self) -> None:
        self._engine.dispose()


def _sqlite_secure_delete(dbapi_connection: object, _: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def open_key_vault(kind: str, sqlalchemy_url: str, pii_key_url: str | None = None) -> KeyVault:
    """The vault for a store: memory for the in-memory store, else the ``pii_keys`` table
    in the store's own database — or in ``pii_key_url`` when one is given."""
    if pii_key_url is not None:
        return SqlKeyVault(pii_key_url)
    if kind == "memory":
        return MemoryKeyVault()
    return SqlKeyVault(sqlalchemy_url)
