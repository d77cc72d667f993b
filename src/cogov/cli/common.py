"""What every command shares: the ``--db`` option, opening the store, the exit codes, the
console and ``--json`` output.

Exit codes (docs/cli.md): 0 ok · 1 verification failed · 2 usage or bad input · 3 store
unreachable or bad URL · 4 not found (unknown unit, empty store) · 5 refused by a rule or a
permission.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import IntEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import BaseModel
from rich.console import Console

from cogov.application import CoGov
from cogov.clock import Clock, ManualClock
from cogov.errors import (
    CogovError,
    IntegrityViolationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
    StoreError,
)
from cogov.persistence.store import parse_database_url

__all__ = [
    "DEFAULT_DB",
    "AsOfOption",
    "DbOption",
    "Exit",
    "JsonOption",
    "console",
    "err_console",
    "fail",
    "open_store",
    "print_json",
]

DEFAULT_DB = "sqlite:///cogov-demo.db"

console = Console()
err_console = Console(stderr=True)


class Exit(IntEnum):
    """The process exit codes of ``cogov`` (a contract: scripts test them)."""

    OK = 0
    VERIFICATION_FAILED = 1
    BAD_INPUT = 2
    STORE_UNREACHABLE = 3
    NOT_FOUND = 4
    REFUSED = 5


DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="COGOV_DB",
        help="The store: sqlite:///path.db, sqlite:////abs/path.db or "
        "postgresql://user@host:5432/db[?schema=name] (env COGOV_DB).",
        show_default=True,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON for machines instead of tables.")
]
AsOfOption = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        help="Judge deadlines (overdue, days left) as of this moment, e.g. 2026-10-19T09:00+08:00 "
        "(default: now).",
        formats=["%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"],
    ),
]


def exit_code_for(error: CogovError) -> Exit:
    if isinstance(error, IntegrityViolationError):
        return Exit.VERIFICATION_FAILED
    if isinstance(error, StoreError):
        return Exit.STORE_UNREACHABLE
    if isinstance(error, NotFoundError):
        return Exit.NOT_FOUND
    if isinstance(error, InvalidInputError):
        return Exit.BAD_INPUT
    if isinstance(error, RuleViolationError | PermissionDeniedError):
        return Exit.REFUSED
    return Exit.REFUSED


def message_of(error: CogovError) -> str:
    """The error's message without the ``[rule]`` prefix (the rule is shown apart)."""
    return str(error).removeprefix(f"[{error.rule}] ")


def fail(message: str, code: Exit, *, rule: str | None = None, as_json: bool = False) -> NoReturn:
    """Say what went wrong (on stderr, or as JSON on stdout with ``--json``) and exit."""
    if as_json:
        print_json({"error": message, "rule": rule, "exit_code": int(code)})
    else:
        suffix = f" [dim](rule {rule})[/dim]" if rule else ""
        err_console.print(f"[bold red]error:[/bold red] {_escape(message)}{suffix}")
    raise typer.Exit(int(code))


def _escape(text: str) -> str:
    return text.replace("[", r"\[")


@contextmanager
def open_store(
    db: str,
    *,
    as_json: bool = False,
    must_exist: bool = True,
    clock: Clock | None = None,
    as_of: datetime | None = None,
    views: bool = True,
) -> Iterator[CoGov]:
    """Open the store behind ``--db``; translate every refusal into its exit code.

    A SQLite file that does not exist is "unreachable" for commands that read
    (``must_exist``) — they never create an empty store by accident."""
    try:
        config = parse_database_url(db)
    except StoreError as e:
        fail(message_of(e), Exit.STORE_UNREACHABLE, rule=e.rule, as_json=as_json)
    if config.kind == "memory":
        fail(
            "the command line needs a persistent store: give --db sqlite:///path.db or a "
            "postgresql:// URL",
            Exit.BAD_INPUT,
            rule="store.url",
            as_json=as_json,
        )
    if must_exist and config.sqlite_path is not None and not Path(config.sqlite_path).exists():
        fail(
            f"no store at {config.sqlite_path} (run `cogov demo --db {db}` to build one)",
            Exit.STORE_UNREACHABLE,
            rule="store.open",
            as_json=as_json,
        )
    if as_of is not None:
        moment = as_of if as_of.tzinfo is not None else as_of.astimezone()
        clock = ManualClock(moment)
    app: CoGov | None = None
    try:
        app = CoGov(db, clock=clock, views="sync" if views else "off")
        yield app
    except CogovError as e:
        fail(message_of(e), exit_code_for(e), rule=e.rule, as_json=as_json)
    finally:
        if app is not None:
            app.close()


def print_json(value: Any) -> None:
    """JSON on stdout, one document, UTF-8 (Chinese stays readable)."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    elif isinstance(value, list):
        value = [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")
