"""Where a run stores its data: a fresh SQLite directory, or fresh PostgreSQL schemas that
are dropped afterwards."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

__all__ = ["Backend", "open_backend", "postgres_base_url"]


def postgres_base_url() -> str | None:
    url = os.environ.get("COGOV_BENCH_POSTGRES_URL") or os.environ.get("COGOV_TEST_POSTGRES_URL")
    return url or None


@dataclass
class Backend:
    name: str  # "sqlite" | "postgres"
    workdir: Path
    cogov_url: str  # cogov's default durability (SQLite: synchronous=FULL)
    plain_env: dict[str, str]
    pg_base: str | None = None
    schemas: list[str] = field(default_factory=list)
    keep: bool = False
    size_name: str = "ci"
    seed: int = 0

    @property
    def cogov_schema(self) -> str:
        return self.schemas[0]

    def fresh_schema(self, prefix: str) -> str:
        """A new PostgreSQL schema for this run (dropped by :meth:`close`)."""
        assert self.pg_base is not None
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.pg_base, autocommit=True) as c:
            c.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
        self.schemas.append(name)
        return name

    def url(self, **options: str) -> str:
        if not options:
            return self.cogov_url
        sep = "&" if "?" in self.cogov_url else "?"
        return self.cogov_url + sep + "&".join(f"{k}={v}" for k, v in options.items())

    @property
    def sqlite_path(self) -> str:
        return str(self.workdir / "cogov.db")

    def durability(self) -> dict[str, str]:
        if self.name == "sqlite":
            plain = self.plain_env["SQLITE_DBNAME"]
            with sqlite3.connect(plain) as c:
                row = c.execute("PRAGMA synchronous").fetchone()
            level = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(row[0], str(row[0]))
            return {
                "cogov": "WAL, synchronous=FULL (cogov default; NORMAL via ?synchronous=NORMAL)",
                "plain eventsourcing": f"WAL, synchronous={level} (library default, not set)",
                "raw sqlite3": "WAL, synchronous=FULL and NORMAL, each stated per figure",
            }
        return {
            "cogov": "server settings (see postgres_settings)",
            "plain eventsourcing": "server settings",
            "raw psycopg": "server settings",
        }

    def close(self) -> None:
        if self.pg_base is not None:
            with psycopg.connect(self.pg_base, autocommit=True) as c:
                for s in self.schemas:
                    c.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(s)))
        if not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)


def open_backend(name: str, *, workdir: Path | None = None, keep: bool = False) -> Backend:
    base = postgres_base_url()
    if name == "postgres" and base is None:
        raise SystemExit("no PostgreSQL: set COGOV_BENCH_POSTGRES_URL (or COGOV_TEST_POSTGRES_URL)")
    base_dir = Path(tempfile.mkdtemp(prefix=f"cogov-bench-{name}-", dir=workdir))
    if name == "sqlite":
        path = base_dir / "cogov.db"
        return Backend(
            name="sqlite",
            workdir=base_dir,
            cogov_url=f"sqlite:///{path}",
            plain_env={
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(base_dir / "plain.db"),
            },
            keep=keep,
        )
    base = postgres_base_url()
    if base is None:
        raise SystemExit("no PostgreSQL: set COGOV_BENCH_POSTGRES_URL (or COGOV_TEST_POSTGRES_URL)")
    backend = Backend(
        name="postgres", workdir=base_dir, cogov_url="", plain_env={}, pg_base=base, keep=keep
    )
    cogov_schema = backend.fresh_schema("bench_cogov")
    plain_schema = backend.fresh_schema("bench_plain")
    backend.cogov_url = f"{base}?schema={cogov_schema}"
    parts = urlsplit(base)
    backend.plain_env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": parts.username or "postgres",
        "POSTGRES_PASSWORD": parts.password or "",
        "POSTGRES_SCHEMA": plain_schema,
    }
    return backend
