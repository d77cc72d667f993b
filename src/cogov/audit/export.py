"""The export for auditors: JSON Lines, one object per line, in this order::

    {"type": "header", "format": "cogov-audit-export/1", "genesis": "<64 hex zeros>",
     "encoding": "…", "exported_at": "…", "last_position": N}
    {"type": "event", "position": 1, "originator_id": "<32 hex>", "version": 1,
     "topic": "cogov:PolicyBook.Adopted", "state": "<base64 of the exact stored bytes>",
     "hash": "<64 hex: the stored link h_position, or null while uncovered>"}
    … one line per event, in position order …
    {"type": "checkpoint", "position": P, "head": "<64 hex>", "signed_at": "…",
     "key_id": "<16 hex>", "public_key": "<64 hex>", "signature": "<128 hex>"}

The lines are written as the store holds them: the export never repairs or re-chains
anything, so a tampered store exports a tampered file, and an independent verifier (see
``docs/audit.md``) finds the same first bad event.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import BinaryIO

import orjson
from pydantic import BaseModel, ConfigDict

from cogov.audit.chain import BATCH
from cogov.audit.checkpoints import Checkpoint
from cogov.audit.encoding import GENESIS
from cogov.audit.source import EventSource

__all__ = ["EXPORT_FORMAT", "ExportSummary", "write_export"]

EXPORT_FORMAT = "cogov-audit-export/1"
ENCODING = (
    "h_p = SHA-256(h_prev || F(i64be(p)) || F(originator_id hex ASCII) || "
    "F(i64be(version)) || F(topic UTF-8) || F(state)); F(x) = u32be(len(x)) || x; h_0 = 0^32"
)


class ExportSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    events: int
    checkpoints: int
    uncovered: int  # events exported without a link (not yet chained)
    last_position: int


def _text(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode(errors="replace")


def write_export(
    source: EventSource,
    checkpoints: list[Checkpoint],
    out: BinaryIO,
    *,
    exported_at: datetime,
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
) -> ExportSummary:
    end = source.max_position()
    header = {
        "type": "header",
        "format": EXPORT_FORMAT,
        "genesis": GENESIS.hex(),
        "encoding": ENCODING,
        "exported_at": exported_at.isoformat(),
        "last_position": end,
    }
    out.write(orjson.dumps(header) + b"\n")
    b64 = base64.b64encode
    events = uncovered = 0
    position = 0
    while True:
        rows = source.rows(position, batch)
        if not rows:
            break
        lines = []
        for p, oid, version, topic, state, link in rows:
            if link is None:
                uncovered += 1
            lines.append(
                orjson.dumps(
                    {
                        "type": "event",
                        "position": p,
                        "originator_id": oid.decode(errors="replace"),
                        "version": version,
                        "topic": _text(topic),
                        "state": b64(state).decode(),
                        "hash": None if link is None else link.hex(),
                    }
                )
            )
        out.write(b"\n".join(lines) + b"\n")
        events += len(rows)
        position = rows[-1][0]
        if progress is not None:
            progress(position, end)
    for cp in checkpoints:
        out.write(orjson.dumps({"type": "checkpoint", **cp.model_dump()}) + b"\n")
    return ExportSummary(
        events=events, checkpoints=len(checkpoints), uncovered=uncovered, last_position=position
    )
