"""From a database URL to eventsourcing's environment settings.

Library users expect ``CoGov(database_url=...)``; eventsourcing is configured by
environment-style keys. Supported URLs:

* ``None`` or ``memory://`` — in memory (events: eventsourcing's POPO recorder; views: an
  in-memory SQLite database);
* ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` — a SQLite file (WAL);
* ``postgresql://user[:password]@host[:port]/dbname[?schema=name]`` (also
  ``postgresql+psycopg://``) — PostgreSQL through psycopg 3.

SQLite durability is explicit: ``synchronous`` is ``FULL`` unless the URL says otherwise
(``sqlite:///x.db?synchronous=NORMAL``): NORMAL survives an application crash but not a
power loss. The choice is recorded in :attr:`StoreConfig.durability`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from cogov.errors import StoreError

__all__ = ["StoreConfig", "ensure_schema", "parse_database_url"]

_SYNC_MODES = {"OFF", "NORMAL", "FULL", "EXTRA"}


@dataclass(frozen=True)
class StoreConfig:
    kind: str  # "memory" | "sqlite" | "postgres"
    env: dict[str, str]
    sqlalchemy_url: str
    durability: str
    url: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def sqlite_path(self) -> str | None:
        return self.env.get("SQLITE_DBNAME") if self.kind == "sqlite" else None


def parse_database_url(url: str | None) -> StoreConfig:
    if url is None or url in ("memory://", "memory:", ""):
        return StoreConfig(
            kind="memory",
            env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
            sqlalchemy_url="sqlite://",
            durability="none (in memory)",
            url="memory://",
        )
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("/") and not path.startswith("//"):
            path = path[1:]  # sqlite:///rel.db → rel.db ; sqlite:////abs.db → /abs.db
        elif path.startswith("//"):
            path = path[1:]
        if not path or path == ":memory:":
            raise StoreError(
                f"give a SQLite file path, e.g. sqlite:///cogov.db (got {url!r}); "
                "for a store in memory use CoGov() with no URL",
                rule="store.url",
            )
        sync = query.get("synchronous", "FULL").upper()
        if sync not in _SYNC_MODES:
            raise StoreError(f"unknown SQLite synchronous mode {sync!r}", rule="store.url")
        return StoreConfig(
            kind="sqlite",
            env={
                "PERSISTENCE_MODULE": "cogov.persistence.sqlite:DurableSQLiteFactory",
                "COGOV_SQLITE_SYNCHRONOUS": sync,
                "SQLITE_DBNAME": path,
                "SQLITE_LOCK_TIMEOUT": query.get("lock_timeout", "10"),
            },
            sqlalchemy_url=f"sqlite:///{path}",
            durability=f"SQLite WAL, synchronous={sync}",
            url=url,
            options={"synchronous": sync},
        )
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        dbname = unquote(parts.path.lstrip("/"))
        if not dbname:
            raise StoreError(f"the PostgreSQL URL names no database: {url!r}", rule="store.url")
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_POOL_SIZE": query.get("pool_size", "5"),
            "POSTGRES_LOCK_TIMEOUT": query.get("lock_timeout", "5"),
        }
        schema = query.get("schema")
        if schema:
            env["POSTGRES_SCHEMA"] = schema
        netloc = parts.netloc
        sa_query = f"?options=-csearch_path%3D{schema}" if schema else ""
        return StoreConfig(
            kind="postgres",
            env=env,
            sqlalchemy_url=f"postgresql+psycopg://{netloc}/{dbname}{sa_query}",
            durability="PostgreSQL (server settings; synchronous_commit as configured)",
            url=url,
            options={"schema": schema} if schema else {},
        )
    raise StoreError(
        f"unsupported database URL {url!r}: use sqlite:///path.db or postgresql://…",
        rule="store.url",
    )


def ensure_schema(config: StoreConfig) -> None:
    """Create the PostgreSQL schema named in the URL if it does not exist (idempotent)."""
    schema = config.options.get("schema")
    if config.kind != "postgres" or not schema:
        return
    import psycopg
    from psycopg import sql

    env = config.env
    with psycopg.connect(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        autocommit=True,
    ) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
