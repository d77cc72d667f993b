"""Verification and export straight from a database URL, without opening the application —
for auditors and operators who hold a copy of the database (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.exc import SQLAlchemyError

from cogov.audit.chain import HashChain
from cogov.audit.checkpoints import load_checkpoints
from cogov.audit.export import ExportSummary, write_export
from cogov.audit.verify import Progress, VerificationReport, verify_chain
from cogov.errors import StoreError
from cogov.persistence.store import parse_database_url

__all__ = ["export_database", "open_chain", "verify_database"]


def open_chain(database_url: str) -> HashChain:
    config = parse_database_url(database_url)
    if config.kind == "memory":
        raise StoreError(
            "an in-memory store can only be audited through its application",
            rule="audit.store.memory",
        )
    return HashChain(config)


def verify_database(
    database_url: str,
    trusted_key: Ed25519PublicKey | None = None,
    *,
    progress: Progress | None = None,
    batch: int | None = None,
) -> VerificationReport:
    """Verify the history stored at ``database_url`` (see :func:`verify_chain`)."""
    chain = open_chain(database_url)
    try:
        extra = {"batch": batch} if batch else {}
        return verify_chain(
            chain.source, load_checkpoints(chain.engine), trusted_key, progress=progress, **extra
        )
    except SQLAlchemyError as e:
        raise StoreError(f"cannot read {database_url}: {e}", rule="store.read") from e
    finally:
        chain.close()


def export_database(
    database_url: str, out: BinaryIO, *, progress: Progress | None = None
) -> ExportSummary:
    """Write the JSON Lines export of the history stored at ``database_url``."""
    chain = open_chain(database_url)
    try:
        return write_export(
            chain.source,
            load_checkpoints(chain.engine),
            out,
            exported_at=datetime.now(UTC),
            progress=progress,
        )
    except SQLAlchemyError as e:
        raise StoreError(f"cannot read {database_url}: {e}", rule="store.read") from e
    finally:
        chain.close()
