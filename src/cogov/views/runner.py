"""The batched view runner: reads the global log, applies each batch to every projection, and
commits the rows together with the tracking positions — exactly once.

Usable on its own (a projection worker, a rebuild script) or inside :class:`cogov.CoGov`::

    runner = ViewRunner("sqlite:///cogov.db")   # or a StoreConfig, or a PostgreSQL URL
    runner.catch_up()                            # apply everything not yet applied
    runner.rebuild()                             # drop the views and replay from position 0
    runner.close()

The exactly-once argument (see docs/views.md):

1. A batch is applied in ONE database transaction that also moves each projection's row in
   ``view_tracking`` from the position it read to the last notification id of the batch.
   The update is a compare-and-set (``WHERE position = <read>``) and the new position must
   be greater than the old: a move that is not forward, or that lost a race, raises
   :class:`~cogov.errors.StoreError` (rule ``views.tracking``) and the transaction rolls back.
   So rows and position commit together or not at all, and an event is never counted twice.
2. Runners serialise on a lock taken first in the transaction (``BEGIN IMMEDIATE`` on
   SQLite, a transaction-level advisory lock on PostgreSQL), so two runners never even try
   the same batch; the compare-and-set is the guard if anything else writes the tracking row.
3. The next batch starts right after the tracked position, so nothing is skipped provided
   notification ids become visible in order. SQLite has one writer at a time, the in-memory
   recorder assigns ids under a lock, and eventsourcing's PostgreSQL recorder takes
   ``LOCK TABLE … IN EXCLUSIVE MODE`` before inserting, so ids are drawn and committed in
   order: when id *n* is visible every smaller id is committed or was rolled back for good
   (a permanent hole, safe to pass). The runner therefore never waits at a gap.
"""

from __future__ import annotations

import gc
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal, TypeVar, cast

import orjson
from eventsourcing.persistence import ApplicationRecorder, Mapper
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import resolve_topic
from sqlalchemy import Connection, Engine, bindparam, create_engine, event, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from cogov.calendar import WorkingCalendar
from cogov.errors import StoreError
from cogov.persistence.mapper import upcast
from cogov.persistence.postgres import creation_lock
from cogov.persistence.store import StoreConfig, ensure_schema, parse_database_url
from cogov.views import tables as t
from cogov.views.events import ViewEvent
from cogov.views.projections import Projection, default_projections

__all__ = ["DEFAULT_BATCH_SIZE", "ViewMode", "ViewRunner", "create_view_engine"]

R = TypeVar("R")
#: one row of the log as the runner reads it: (notification id, originator id in text form,
#: originator version, topic, stored state)
Record = tuple[int, str, int, str, bytes]
#: "sync": the application brings its views up to date after every save; "off": an external
#: worker owns them (``ViewRunner(config).catch_up()`` in a loop, or a scheduler).
ViewMode = Literal["sync", "off"]
DEFAULT_BATCH_SIZE = 20000
_WRITE = "cogov_views_write"


def create_view_engine(config: StoreConfig) -> Engine:
    """A SQLAlchemy engine on the store's own database (the ``view_*`` tables live there)."""
    if config.kind == "postgres":
        schema = config.options.get("schema")
        engine = create_engine(config.sqlalchemy_url, pool_pre_ping=True, pool_size=2)
        if schema:  # search_path is set by the URL; names are also qualified explicitly
            engine = engine.execution_options(schema_translate_map={None: schema})
        return engine
    if config.kind == "memory":
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        synchronous = "OFF"
    else:
        timeout = float(config.env.get("SQLITE_LOCK_TIMEOUT", "10"))
        engine = create_engine(config.sqlalchemy_url, connect_args={"timeout": timeout})
        synchronous = config.options.get("synchronous", "FULL")

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        dbapi_connection.execute(f"PRAGMA synchronous={synchronous}")
        if config.kind == "sqlite":
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# built once: a command in the embedded default runs these for every projection after every save
_TRACKED = select(t.tracking.c.projection, t.tracking.c.position)
_ADVANCE = (
    update(t.tracking)
    .where(
        t.tracking.c.projection == bindparam("name"),
        t.tracking.c.position == bindparam("expected"),
    )
    .values(position=bindparam("new"))
)


class ViewRunner:
    """Keeps the ``view_*`` tables of one store current, exactly once."""

    def __init__(
        self,
        config: StoreConfig | str | None = None,
        *,
        recorder: ApplicationRecorder | None = None,
        mapper: Mapper[Any] | None = None,
        calendar: WorkingCalendar | None = None,
        projections: Sequence[Projection] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self.config = config if isinstance(config, StoreConfig) else parse_database_url(config)
        self._owned: Any = None
        if recorder is None:
            if self.config.kind == "memory":
                raise StoreError(
                    "an in-memory store can only be read through its application: pass "
                    "recorder=app.store.recorder",
                    rule="views.recorder",
                )
            from cogov.app.core import EventStoreApp  # the store's own tables and mapper

            with creation_lock(self.config):  # processes starting together create tables once
                ensure_schema(self.config)
                self._owned = EventStoreApp(env=self.config.env)
            recorder, mapper = self._owned.recorder, self._owned.mapper
        assert recorder is not None
        self.recorder: ApplicationRecorder = recorder
        self._decrypt = _unwrapper(mapper)
        self.batch_size = batch_size
        self.projections: list[Projection] = list(
            projections if projections is not None else default_projections(calendar)
        )
        self._routes: dict[str, list[Projection]] = {}
        for projection in self.projections:
            for topic in projection.topics:
                self._routes.setdefault(topic, []).append(projection)
        self._classes: dict[str, Any] = {}
        self._upcasts: dict[str, bool] = {}
        self._select = _select_sql(self.config, recorder)
        self._hex_ids = self._select is not None and self.config.kind == "sqlite"
        self.engine = create_view_engine(self.config)
        self._lock_key = zlib.crc32(f"cogov.views:{self.config.options.get('schema', '')}".encode())
        self._guard(self.setup)

    # -- lifecycle -----------------------------------------------------------------------
    def setup(self) -> None:
        """Create the ``view_*`` tables that do not exist yet."""
        with self._write() as conn, conn.begin():
            self._lock(conn)
            t.METADATA.create_all(conn, tables=self._tables(), checkfirst=True)

    def close(self) -> None:
        self.engine.dispose()
        if self._owned is not None:
            self._owned.close()
            self._owned = None

    # -- running -------------------------------------------------------------------------
    def positions(self) -> dict[str, int]:
        """Each projection's tracked position (0: nothing applied yet)."""
        with self.engine.connect() as conn:
            found = self._tracked(conn)
        return {p.name: found.get(p.name) or 0 for p in self.projections}

    def run_once(self) -> int:
        """Apply the next batch to every projection in one transaction. Returns the number of
        notifications read (0 when the views are current)."""
        with _collector_paused():
            return self._guard(self._run_once)

    def catch_up(self) -> int:
        """Apply batches until the views are current. Returns the notifications read."""
        total = 0
        while True:
            read = self.run_once()
            total += read
            if read < self.batch_size:
                return total

    def rebuild(self) -> int:
        """Drop and recreate the views, then replay the whole log from position 0."""

        def drop() -> None:
            with self._write() as conn, conn.begin():
                self._lock(conn)
                tables = self._tables()
                t.METADATA.drop_all(conn, tables=[x for x in tables if x is not t.tracking])
                t.METADATA.create_all(conn, tables=tables, checkfirst=True)
                names = [p.name for p in self.projections]
                conn.execute(t.tracking.delete().where(t.tracking.c.projection.in_(names)))

        self._guard(drop)
        return self.catch_up()

    # -- internals -----------------------------------------------------------------------
    def _run_once(self) -> int:
        with self._write() as conn, conn.begin():
            self._lock(conn)
            rows = self._tracked(conn)
            tracked: dict[str, int | None] = {p.name: rows.get(p.name) for p in self.projections}
            start = min((pos or 0) for pos in tracked.values()) + 1
            records = self._read(conn, start)
            if not records:
                return 0
            batches = self._route(records, tracked)
            last = records[-1][0]
            for projection in self.projections:
                position = tracked[projection.name]
                if position is not None and last <= position:
                    continue  # this projection is already past the batch
                mine = batches.get(projection.name)
                if mine:
                    projection.apply(conn, mine)
                self._advance(conn, projection.name, position, last)
            return len(records)

    def _read(self, conn: Connection, start: int) -> list[Record]:
        """The next batch of the log from ``start``: (id, originator id as text, version,
        topic, state). On SQLite and PostgreSQL one plain SELECT on the events table, in this
        batch's transaction and connection (no Notification objects, no UUID per row); on
        the in-memory store through the recorder."""
        if self._select is None:
            return [
                (n.id, str(n.originator_id), n.originator_version, n.topic, n.state)
                for n in self.recorder.select_notifications(start, limit=self.batch_size)
            ]
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(self._select, (start, self.batch_size))
            return cast(list[Record], cursor.fetchall())
        finally:
            cursor.close()

    def _route(
        self, records: Sequence[Record], tracked: dict[str, int | None]
    ) -> dict[str, list[ViewEvent]]:
        """Decode the records some projection handles (others are skipped undecoded) and
        hand each projection those past its tracked position, in log order."""
        batches: dict[str, list[ViewEvent]] = {p.name: [] for p in self.projections}
        targets = {
            topic: [batches[p.name] for p in projections]
            for topic, projections in self._routes.items()
        }
        level = len({pos or 0 for pos in tracked.values()}) == 1
        new = tuple.__new__  # ViewEvent(...) without the namedtuple's Python-level __new__
        loads, unwrap, decode = orjson.loads, self._decrypt, self._decode
        upcasts, hex_ids = self._upcasts, self._hex_ids
        texts: dict[str, str] = {}  # 32 hex digits → canonical text (an id recurs in a batch)
        for position, key, version, topic, state in records:
            lists = targets.get(topic)
            if lists is None:
                continue
            if hex_ids:
                text = texts.get(key)
                if text is None:
                    k = key
                    text = texts[k] = f"{k[:8]}-{k[8:12]}-{k[12:16]}-{k[16:20]}-{k[20:]}"
                key = text
            data = loads(unwrap(state) if unwrap else state)
            needs = upcasts.get(topic)
            if needs is None:
                needs = self._needs_upcast(topic)
            if needs or "class_version" in data:
                data = decode(topic, data)
            view_event = new(ViewEvent, (position, topic, key, version, data))
            if level:  # every projection is at the same place: all take it
                for found in lists:
                    found.append(view_event)
            else:
                for projection in self._routes[topic]:
                    if position > (tracked[projection.name] or 0):
                        batches[projection.name].append(view_event)
        return batches

    @staticmethod
    def _tracked(conn: Connection) -> dict[str, int]:
        return {str(name): int(position) for name, position in conn.execute(_TRACKED).all()}

    def _needs_upcast(self, topic: str) -> bool:
        cls = self._classes[topic] = resolve_topic(topic)
        needs = self._upcasts[topic] = getattr(cls, "class_version", 1) > 1
        return needs

    def _decode(self, topic: str, state: dict[str, Any]) -> dict[str, Any]:
        return upcast(self._classes[topic], state)

    def _advance(self, conn: Connection, name: str, expected: int | None, new: int) -> None:
        if expected is not None and new <= expected:
            raise StoreError(
                f"view {name!r} would move back from {expected} to {new}",
                rule="views.tracking.forward",
            )
        if expected is None:
            conn.execute(t.tracking.insert().values(projection=name, position=new))
            return
        moved = conn.execute(_ADVANCE, {"name": name, "expected": expected, "new": new})
        if moved.rowcount != 1:
            raise StoreError(
                f"view {name!r} was moved from {expected} by another runner",
                rule="views.tracking.forward",
            )

    def _write(self) -> Connection:
        return self.engine.connect().execution_options(**{_WRITE: True})

    def _lock(self, conn: Connection) -> None:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": self._lock_key})

    def _tables(self) -> list[Any]:
        return [t.tracking, *(table for p in self.projections for table in p.tables)]

    @staticmethod
    def _guard(func: Callable[[], R]) -> R:
        try:
            return func()
        except SQLAlchemyError as e:
            raise StoreError(f"the views could not be updated: {e}", rule="views.store") from e


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one batch. A batch allocates a few hundred
    thousand dicts and tuples (decoded states, rows, parameters) that all live until its end,
    so the collector's generation-0 passes keep rescanning them for nothing — about a sixth of
    a rebuild. Reference counting still frees everything; the collector is switched back on
    (if it was on) when the batch ends, and cycles are collected then as usual."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _select_sql(config: StoreConfig, recorder: ApplicationRecorder) -> str | None:
    """The SELECT that reads a batch of the log straight from the store's events table, or
    None when the log is read through the recorder (the in-memory store)."""
    if (
        config.kind == "sqlite"
        and isinstance(recorder, SQLiteApplicationRecorder)
        and recorder.datastore.originator_id_type == "uuid"
    ):
        # eventsourcing stores a UUID originator id as its 32 hex digits (see _route)
        return (
            "SELECT rowid, originator_id, originator_version, topic, state "
            f"FROM {_quoted(recorder.events_table_name)} WHERE rowid >= ? ORDER BY rowid LIMIT ?"
        )
    if config.kind == "postgres" and isinstance(recorder, PostgresApplicationRecorder):
        table = f"{_quoted(recorder.datastore.schema)}.{_quoted(recorder.events_table_name)}"
        return (
            "SELECT notification_id, originator_id::text, originator_version, topic, state "
            f"FROM {table} WHERE notification_id >= %s ORDER BY notification_id LIMIT %s"
        )
    return None


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _unwrapper(mapper: Mapper[Any] | None) -> Callable[[bytes], bytes] | None:
    """Undo the store's cipher and compression, if any (the mapper's own order); None when
    the state is stored as it is."""
    cipher = getattr(mapper, "cipher", None)
    compressor = getattr(mapper, "compressor", None)
    if cipher is None and compressor is None:
        return None

    def unwrap(data: bytes) -> bytes:
        if cipher is not None:
            data = cipher.decrypt(data)
        if compressor is not None:
            data = compressor.decompress(data)
        return data

    return unwrap
