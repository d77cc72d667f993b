"""Signed checkpoints: "the chain head at position P was H", signed with Ed25519.

The signed message is ASCII text, five lines, each ending in ``\\n``::

    cogov-audit-checkpoint/1
    <position, decimal>
    <head hash, 64 lowercase hex digits>
    <signing time, ISO 8601 UTC, e.g. 2026-03-02T09:00:00+00:00>
    <key id: the first 16 hex digits of SHA-256(raw 32-byte public key)>

Keys: :func:`generate_signing_key` writes a PKCS#8 PEM private key (mode 0600) and its public
key (``<file>.pub``, SubjectPublicKeyInfo PEM). :func:`load_signing_key` reads the private key
from an explicit file, else from the file named by ``COGOV_AUDIT_SIGNING_KEY_FILE``, else from
the PEM text in ``COGOV_AUDIT_SIGNING_KEY``. Auditors verify against the public key they were
given out of band — never against a key found in the database.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, insert

from cogov.audit.tables import CHECKPOINTS
from cogov.errors import InvalidInputError

__all__ = [
    "KEY_ENV",
    "KEY_FILE_ENV",
    "Checkpoint",
    "checkpoint_message",
    "generate_signing_key",
    "key_id",
    "load_checkpoints",
    "load_public_key",
    "load_signing_key",
    "sign_checkpoint",
    "store_checkpoint",
]

KEY_FILE_ENV = "COGOV_AUDIT_SIGNING_KEY_FILE"
KEY_ENV = "COGOV_AUDIT_SIGNING_KEY"
MESSAGE_HEADER = "cogov-audit-checkpoint/1"


class Checkpoint(BaseModel):
    """One signed checkpoint as stored and exported."""

    model_config = ConfigDict(frozen=True)

    position: int
    head: str  # hex
    signed_at: str  # ISO 8601, exactly as signed
    key_id: str
    public_key: str  # hex of the raw 32-byte Ed25519 public key
    signature: str  # hex of the 64-byte signature

    def message(self) -> bytes:
        return checkpoint_message(self.position, self.head, self.signed_at, self.key_id)

    def signature_valid(self, public_key: Ed25519PublicKey) -> bool:
        try:
            public_key.verify(bytes.fromhex(self.signature), self.message())
        except (InvalidSignature, ValueError):
            return False
        return True


def checkpoint_message(position: int, head_hex: str, signed_at: str, key: str) -> bytes:
    return f"{MESSAGE_HEADER}\n{position}\n{head_hex}\n{signed_at}\n{key}\n".encode("ascii")


def raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public(public_key)).hexdigest()[:16]


def sign_checkpoint(
    signing_key: Ed25519PrivateKey, position: int, head: bytes, at: datetime
) -> Checkpoint:
    if at.tzinfo is None:
        raise InvalidInputError("a checkpoint time must be timezone-aware", rule="input.at")
    public = signing_key.public_key()
    kid = key_id(public)
    signed_at = at.isoformat()
    signature = signing_key.sign(checkpoint_message(position, head.hex(), signed_at, kid))
    return Checkpoint(
        position=position,
        head=head.hex(),
        signed_at=signed_at,
        key_id=kid,
        public_key=raw_public(public).hex(),
        signature=signature.hex(),
    )


def store_checkpoint(engine: Engine, checkpoint: Checkpoint) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(CHECKPOINTS).values(
                position=checkpoint.position,
                head=bytes.fromhex(checkpoint.head),
                signed_at=checkpoint.signed_at,
                key_id=checkpoint.key_id,
                public_key=bytes.fromhex(checkpoint.public_key),
                signature=bytes.fromhex(checkpoint.signature),
            )
        )


def load_checkpoints(engine: Engine) -> list[Checkpoint]:
    """Every stored checkpoint, by position then signing order."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT position, head, signed_at, key_id, public_key, signature "
            "FROM audit_checkpoints ORDER BY position, id"
        ).all()
    return [
        Checkpoint(
            position=int(position),
            head=bytes(head).hex(),
            signed_at=signed_at,
            key_id=kid,
            public_key=bytes(public_key).hex(),
            signature=bytes(signature).hex(),
        )
        for position, head, signed_at, kid, public_key, signature in rows
    ]


def generate_signing_key(path: Path) -> tuple[Path, Path]:
    """Write a new Ed25519 private key (PEM, 0600) and ``<path>.pub``. Refuses to overwrite."""
    public_path = path.with_name(path.name + ".pub")
    for p in (path, public_path):
        if p.exists():
            raise InvalidInputError(f"{p} exists; refusing to overwrite a key", rule="audit.key")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public_path.write_bytes(
        key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    return path, public_path


def load_signing_key(path: Path | str | None = None) -> Ed25519PrivateKey:
    """The signing key: from ``path``, else ``$COGOV_AUDIT_SIGNING_KEY_FILE``, else the PEM
    text in ``$COGOV_AUDIT_SIGNING_KEY``."""
    if path is None:
        path = os.environ.get(KEY_FILE_ENV) or None
    if path is not None:
        try:
            pem = Path(path).read_bytes()
        except OSError as e:
            raise InvalidInputError(
                f"cannot read the signing key {path}: {e}", rule="audit.key"
            ) from e
    elif os.environ.get(KEY_ENV):
        pem = os.environ[KEY_ENV].encode()
    else:
        raise InvalidInputError(
            f"no signing key: give a key file or set {KEY_FILE_ENV} or {KEY_ENV}",
            rule="audit.key",
        )
    try:
        key = load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as e:
        raise InvalidInputError(f"not a PEM private key: {e}", rule="audit.key") from e
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInputError("the signing key must be an Ed25519 key", rule="audit.key")
    return key


def load_public_key(source: Path | str | bytes) -> Ed25519PublicKey:
    """A trusted public key: a PEM file path, or PEM bytes."""
    if isinstance(source, bytes):
        pem = source
    else:
        try:
            pem = Path(source).read_bytes()
        except OSError as e:
            raise InvalidInputError(
                f"cannot read the public key {source}: {e}", rule="audit.key"
            ) from e
    try:
        key = load_pem_public_key(pem)
    except ValueError as e:
        raise InvalidInputError(f"not a PEM public key: {e}", rule="audit.key") from e
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInputError("the trusted key must be an Ed25519 key", rule="audit.key")
    return key
