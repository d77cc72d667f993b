"""``cogov events`` (the event feed as JSON Lines) and ``cogov import`` (another hotline's
collected concerns, through the API — every record becomes a ``Issue.Collected`` event,
checked like any other command)."""

from __future__ import annotations

import csv
import io
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TextIO
from uuid import UUID, uuid5

import orjson
import typer
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from rich.progress import BarColumn, Progress, TextColumn

from cogov.cli.common import (
    DEFAULT_DB,
    DbOption,
    Exit,
    JsonOption,
    console,
    err_console,
    fail,
    open_store,
    print_json,
)
from cogov.cli.views import load_directory
from cogov.clock import ManualClock
from cogov.domain.values import Actor, Channel, Role

__all__ = ["ImportRecord", "events_command", "import_command", "read_records"]

_IMPORT_NS = UUID("5a1e3c0d-2b4f-4e6a-8c9d-0f1e2d3c4b5a")


# -- export -------------------------------------------------------------------------------------
def events_command(
    db: DbOption = DEFAULT_DB,
    out: Annotated[
        str, typer.Option("--out", "-o", help="A file, or - for standard output.")
    ] = "-",
    since: Annotated[
        int, typer.Option("--since", min=0, help="Only events after this position.")
    ] = 0,
) -> None:
    """The event feed as JSON Lines, readable: one typed event per line.

    Oldest first, each with its position, its stored topic and its fields — for other
    services and for reading (`cogov export` writes the exact stored bytes for verifiers).

    Examples:

        cogov events --db sqlite:///cogov-demo.db -o history.jsonl
        cogov events --since 4000 | jq -r .topic | sort | uniq -c
    """
    with open_store(db) as app:
        last = app.max_position()
        sink: TextIO = sys.stdout if out == "-" else Path(out).open("w", encoding="utf-8")  # noqa: SIM115
        written = 0
        try:
            with Progress(
                TextColumn("exporting"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                console=err_console,
                transient=True,
                disable=out == "-",
            ) as progress:
                task = progress.add_task("export", total=max(last - since, 0))
                position = since
                while True:
                    page = app.events_since(position, 1000)
                    if not page:
                        break
                    for position, event in page:
                        line = {
                            "position": position,
                            "topic": type(event).TOPIC,
                            "event": event.model_dump(mode="json"),
                        }
                        sink.write(orjson.dumps(line).decode() + "\n")
                        written += 1
                    progress.advance(task, len(page))
        finally:
            if sink is not sys.stdout:
                sink.close()
        if out != "-":
            console.print(f"[green]✓[/green] {written:,} events → [bold]{out}[/bold]")


# -- import -------------------------------------------------------------------------------------
class ImportFormat(StrEnum):
    AUTO = "auto"
    JSONL = "jsonl"
    CSV = "csv"


class ImportRecord(BaseModel):
    """One collected concern from another hotline or platform."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=120)  # the source system's record id
    unit: str = Field(min_length=1)  # a unit name, path or id
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    category: str | None = Field(default=None, max_length=200)
    channel: Channel = Channel.HOTLINE
    collected_at: AwareDatetime | None = None


def read_records(text: str, fmt: ImportFormat) -> list[ImportRecord]:
    """Parse every line first; a bad line refuses the whole file (nothing is imported)."""
    rows: list[tuple[int, Any]] = []
    if fmt is ImportFormat.CSV:
        reader = csv.DictReader(io.StringIO(text))
        rows = [
            (n, {k: v for k, v in row.items() if v not in ("", None)})
            for n, row in enumerate(reader, 2)
        ]
    else:
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rows.append((n, orjson.loads(line)))
            except orjson.JSONDecodeError as e:
                raise ValueError(f"line {n}: not JSON ({e})") from None
    records = []
    for n, row in rows:
        try:
            records.append(ImportRecord.model_validate(row))
        except ValidationError as e:
            first = e.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "record"
            raise ValueError(f"line {n}: {where}: {first['msg']}") from None
    return records


def import_command(
    file: Annotated[Path, typer.Argument(help="A JSON Lines or CSV file of collected concerns.")],
    db: DbOption = DEFAULT_DB,
    fmt: Annotated[
        ImportFormat, typer.Option("--format", help="jsonl or csv (auto: by file extension).")
    ] = ImportFormat.AUTO,
    source: Annotated[
        str, typer.Option("--source", help="Name of the system the records come from.")
    ] = "12345",
    admin: Annotated[
        str, typer.Option("--admin", help="An administrator id of the store (grants the importer).")
    ] = "管理员",
    as_json: JsonOption = False,
) -> None:
    """Import another hotline's collected concerns (民情收集) through the API.

    Each record — JSON Lines or CSV with columns id, unit, title and optionally
    description, category, channel, collected_at (ISO 8601 with a zone) — becomes a concern
    collected in its unit at its original time, by the importer "SOURCE-导入" (granted
    grid-worker rights by --admin). Records are checked first: one bad line or unknown unit
    imports nothing. Importing the same file twice records nothing new (idempotency keys).

    Examples:

        cogov import hotline.jsonl --db sqlite:///cogov-demo.db
        cogov import export.csv --source 12345 --format csv --json
    """
    if not file.exists():
        fail(f"no such file: {file}", Exit.BAD_INPUT, rule="input.file", as_json=as_json)
    kind = fmt
    if kind is ImportFormat.AUTO:
        kind = ImportFormat.CSV if file.suffix.lower() == ".csv" else ImportFormat.JSONL
    try:
        records = read_records(file.read_text(encoding="utf-8"), kind)
    except (ValueError, UnicodeDecodeError) as e:
        fail(f"{file}: {e}", Exit.BAD_INPUT, rule="input.record", as_json=as_json)
    if not records:
        fail(f"{file} holds no records", Exit.BAD_INPUT, rule="input.record", as_json=as_json)
    clock = ManualClock(datetime.now().astimezone())
    with open_store(db, as_json=as_json, clock=clock) as app:
        directory = load_directory(app, as_json=as_json)
        units = {r.unit: directory.find(r.unit) for r in records}
        administrator = Actor(id=admin, role=Role.ADMINISTRATOR, unit_id=UUID(int=0))
        importer_id = f"{source}-导入"
        tops = {directory.path(u).split("/")[0] for u in units.values()}
        held = {(g.role, g.unit_id) for g in app.roles_of(importer_id)}
        importers: dict[str, Actor] = {}
        for top in sorted(tops):
            root = directory.find(top)
            if (Role.GRID_WORKER, root.id) not in held:
                app.grant_role(
                    administrator,
                    grantee_id=importer_id,
                    role=Role.GRID_WORKER,
                    unit_id=root.id,
                    reason=f"导入{source}热线记录",
                )
            importers[top] = Actor(id=importer_id, role=Role.GRID_WORKER, unit_id=root.id)
        imported = skipped = 0
        with Progress(
            TextColumn("importing"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            console=err_console,
            transient=True,
            disable=as_json,
        ) as progress:
            task = progress.add_task("import", total=len(records))
            for record in records:
                unit = units[record.unit]
                clock.set(record.collected_at or datetime.now().astimezone())
                before = app.max_position()
                app.collect_issue(
                    importers[directory.path(unit).split("/")[0]],
                    unit_id=unit.id,
                    channel=record.channel,
                    raised_by=uuid5(_IMPORT_NS, f"{source}:{record.id}"),
                    title=record.title,
                    description=record.description or record.title,
                    category=record.category,
                    # the command decorator adds the keyword (see cogov.app.core.command)
                    idempotency_key=f"import:{source}:{record.id}",  # type: ignore[call-arg]
                )
                if app.max_position() > before:
                    imported += 1
                else:
                    skipped += 1
                progress.advance(task)
        result = {
            "file": str(file),
            "records": len(records),
            "imported": imported,
            "already_present": skipped,
        }
        if as_json:
            print_json(result)
            return
        console.print(
            f"[green]✓[/green] {imported} concerns imported from {file}"
            + (f" ({skipped} already present)" if skipped else "")
        )
