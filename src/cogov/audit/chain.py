"""The chainer: extends the hash chain over every committed event, in commit order.

The embedded default runs :meth:`HashChain.catch_up` right after each save (a hook in the
application's ``_after_save``), so an event is normally covered a few milliseconds after its
commit. Between the commit and that catch-up — or longer, if the process dies in between or
the chain's own write fails — the newest events are *uncovered*: verification reports them as
the uncovered tail instead of failing, and the next catch-up (the next save by any process,
or ``cogov audit checkpoint``) covers them. Catch-ups from several processes are safe: links
are keyed by position and a loser of the race simply re-reads the head.
"""

from __future__ import annotations

import hashlib
import logging
import struct
import threading
import weakref
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import ApplicationRecorder
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from cogov.audit.encoding import GENESIS
from cogov.audit.source import EventSource, Link, Row
from cogov.audit.tables import audit_engine
from cogov.errors import StoreError
from cogov.persistence.store import StoreConfig

__all__ = ["BATCH", "ChainRunner", "HashChain", "chain_rows", "chain_runner"]

log = logging.getLogger("cogov.audit")

#: events read per SELECT when chaining, verifying and exporting
BATCH = 20_000

_PREFIX = struct.Struct(">IqI").pack  # F(position) and the length of the originator id
_VERSION = struct.Struct(">Iq").pack
_U32 = struct.Struct(">I").pack
_sha256 = hashlib.sha256


def chain_rows(
    previous: bytes, rows: Sequence[Row], topics: dict[str | bytes, bytes]
) -> list[bytes]:
    """The hashes h_p of ``rows`` following ``previous`` (the encoding of
    :mod:`cogov.audit.encoding`, unrolled for speed)."""
    out = []
    h = previous
    for position, oid, version, topic, state, _ in rows:
        field = topics.get(topic)
        if field is None:
            raw = topic.encode() if isinstance(topic, str) else topic
            field = topics[topic] = _U32(len(raw)) + raw
        h = _sha256(
            b"".join(
                (
                    h,
                    _PREFIX(8, position, len(oid)),
                    oid,
                    _VERSION(8, version),
                    field,
                    _U32(len(state)),
                    state,
                )
            )
        ).digest()
        out.append(h)
    return out


class HashChain:
    """The chain of one store: its links, its chainer, and the source it reads."""

    def __init__(self, config: StoreConfig, recorder: ApplicationRecorder | None = None) -> None:
        self.config = config
        self.recorder = recorder
        self._engine: Engine | None = None
        self._source: EventSource | None = None
        self._lock = threading.Lock()
        mark = "%s" if config.kind == "postgres" else "?"
        self._insert = (
            "INSERT INTO audit_chain (position, originator_id, originator_version, hash) "
            f"VALUES ({mark}, {mark}, {mark}, {mark})"
        )

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            engine = self._engine = audit_engine(self.config)
            weakref.finalize(self, engine.dispose)
        return self._engine

    @property
    def source(self) -> EventSource:
        if self._source is None:
            self._source = EventSource(self.config, self.engine, self.recorder)
        return self._source

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def head(self) -> Link | None:
        return self.source.head()

    def catch_up(self, *, batch: int = BATCH) -> int:
        """Chain every event after the current head. Returns the new head position."""
        with self._lock:
            for _ in range(5):
                try:
                    return self._extend(batch)
                except IntegrityError:
                    continue  # another process chained the same events first: re-read
                except SQLAlchemyError as e:
                    raise StoreError(
                        f"cannot extend the audit chain: {e}", rule="store.write"
                    ) from e
            raise StoreError(
                "the audit chain lost five races with other chainers; try again",
                rule="audit.chain.race",
            )

    def _extend(self, batch: int) -> int:
        source = self.source
        head = source.head()
        position, previous = (head.position, head.hash) if head else (0, GENESIS)
        topics: dict[str | bytes, bytes] = {}
        while True:
            rows = source.rows(position, batch)
            if not rows:
                return position
            hashes = chain_rows(previous, rows, topics)
            links = [
                (row[0], row[1].decode(errors="replace")[:32], row[2], h)
                for row, h in zip(rows, hashes, strict=True)
            ]
            with self.engine.begin() as conn:
                conn.exec_driver_sql(self._insert, links)
            position, previous = rows[-1][0], hashes[-1]
            if len(rows) < batch:
                return position

    def after_save(self, _recordings: Sequence[Any]) -> None:
        """The ``_after_save`` hook: cover the events just committed.

        A failure here must not turn a committed command into an error: the events stay
        uncovered (and verification reports them) until the next catch-up."""
        try:
            self.catch_up()
        except StoreError as e:
            log.warning("audit chain not extended (the tail stays uncovered): %s", e)


class ChainRunner:
    """The chain as a worker's runner: ``python -m cogov.workers --db URL --runner
    cogov.audit.chain:chain_runner`` keeps the chain current for writers started with
    ``CoGov(..., audit="off")``."""

    def __init__(self, url: str) -> None:
        from cogov.persistence.store import parse_database_url

        self.chain = HashChain(parse_database_url(url))

    def catch_up(self) -> int:
        head = self.chain.head()
        before = head.position if head else 0
        return self.chain.catch_up() - before

    def close(self) -> None:
        self.chain.close()


def chain_runner(url: str) -> ChainRunner:
    return ChainRunner(url)
