"""The hash chain's canonical encoding — the one definition every verifier must agree on.

For the event at notification id (position) ``p``::

    F(x)      = u32be(len(x)) || x                       (every field length-prefixed)
    record(p) = F(i64be(p))
             || F(originator_id as 32 lowercase hex digits, ASCII)
             || F(i64be(originator_version))
             || F(topic, UTF-8)
             || F(state — the exact stored bytes)
    h_0       = 32 zero bytes
    h_p       = SHA-256(h_prev || record(p))   (h_prev: the hash of the previous event in
                                                notification-id order, or h_0)

``u32be``/``i64be`` are big-endian unsigned 32-bit and two's-complement 64-bit integers. The
originator id is hashed as the text SQLite stores (eventsourcing writes ``uuid.hex``), so
SQLite rows are hashed byte for byte as stored; PostgreSQL's ``uuid`` column and the
in-memory store give the same text, so one history hashes the same on every backend.
"""

from __future__ import annotations

import hashlib
import struct
from uuid import UUID

__all__ = ["GENESIS", "HASH_SIZE", "encode_record", "next_hash", "oid_text"]

HASH_SIZE = 32
#: h_0, the hash before the first event
GENESIS = bytes(HASH_SIZE)

_POSITION = struct.Struct(">Iq")  # F(i64be(position)) without the id field
_U32 = struct.Struct(">I")
_VERSION = struct.Struct(">Iq")
_sha256 = hashlib.sha256


def oid_text(originator_id: UUID | str) -> bytes:
    """The originator id as the chain hashes it: 32 lowercase hex digits (or the stored text)."""
    if isinstance(originator_id, UUID):
        return originator_id.hex.encode()
    return originator_id.encode()


def encode_record(position: int, oid: bytes, version: int, topic: bytes, state: bytes) -> bytes:
    """``record(p)`` of the module docstring, for one event."""
    return b"".join(
        (
            _POSITION.pack(8, position),
            _U32.pack(len(oid)),
            oid,
            _VERSION.pack(8, version),
            _U32.pack(len(topic)),
            topic,
            _U32.pack(len(state)),
            state,
        )
    )


def next_hash(
    previous: bytes, position: int, oid: bytes, version: int, topic: bytes, state: bytes
) -> bytes:
    """``h_p = SHA-256(h_prev || record(p))``."""
    return _sha256(previous + encode_record(position, oid, version, topic, state)).digest()
