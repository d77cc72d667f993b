"""Field-level sealing of personal information: AES-256-GCM, one key per resident.

A :class:`~cogov.domain.resident.Sealed` value holds the key id, a fresh 96-bit nonce and
the ciphertext (with its GCM tag). The associated data binds the ciphertext to the resident
and the field, so a sealed phone number cannot be passed off as another field or another
resident's. Deleting the key (crypto-shredding) makes every copy of the ciphertext — in
events, snapshots, backups and exports — permanently unreadable, while the stored bytes
(and so the audit hash chain) never change.
"""

from __future__ import annotations

import base64
import os
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cogov.domain.resident import Sealed

__all__ = ["ALGORITHM", "new_key", "open_field", "seal_field"]

ALGORITHM = "AES-256-GCM"
_NONCE_BYTES = 12


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return AESGCM.generate_key(bit_length=256)


def _aad(resident_id: UUID, field: str) -> bytes:
    return f"cogov:resident:{resident_id}:{field}".encode()


def seal_field(key: bytes, key_id: UUID, resident_id: UUID, field: str, value: str) -> Sealed:
    """Encrypt one field of one resident."""
    nonce = os.urandom(_NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(nonce, value.encode("utf-8"), _aad(resident_id, field))
    return Sealed(
        key_id=key_id,
        nonce=base64.b64encode(nonce).decode("ascii"),
        ciphertext=base64.b64encode(ciphertext).decode("ascii"),
    )


def open_field(key: bytes, resident_id: UUID, field: str, sealed: Sealed) -> str | None:
    """Decrypt one field; ``None`` when the ciphertext does not verify under this key."""
    try:
        plain = AESGCM(key).decrypt(
            base64.b64decode(sealed.nonce),
            base64.b64decode(sealed.ciphertext),
            _aad(resident_id, field),
        )
    except (InvalidTag, ValueError):
        return None
    return plain.decode("utf-8")
