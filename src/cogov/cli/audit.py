"""``cogov audit …``: the auditor's commands — verify the hash chain, read trails, sign
checkpoints, make keys — plus ``replay`` (state as of a moment) and ``export`` (JSON Lines for
outside verifiers), which the main command line mounts at the top level too.

Whoever holds the database URL can read the whole store, so these commands act as a
deployment-wide auditor (``--as`` names them in nothing stored: reads record no events).
Exit codes: 0 intact/ok · 1 verification failed (the first bad event is printed) · 2 bad
input · 3 store unreachable · 4 not found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from cogov.application import CoGov
from cogov.audit.checkpoints import generate_signing_key, load_public_key, load_signing_key
from cogov.audit.offline import export_database, verify_database
from cogov.audit.verify import VerificationReport
from cogov.calendar import BEIJING
from cogov.cli.common import (
    DbOption,
    Exit,
    JsonOption,
    console,
    err_console,
    exit_code_for,
    fail,
    message_of,
    print_json,
)
from cogov.domain.policybook import WHOLE_DEPLOYMENT
from cogov.domain.values import Actor, Role
from cogov.errors import CogovError
from cogov.persistence.store import parse_database_url

__all__ = [
    "audit_app",
    "checkpoint",
    "export",
    "keygen",
    "replay",
    "trail",
    "verify",
]

audit_app = typer.Typer(
    name="audit",
    help="审计: verify the tamper-evident history, read audit trails, sign checkpoints.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

AsOption = Annotated[
    str, typer.Option("--as", help="The auditor's id (shown nowhere stored; reads record nothing).")
]


def _auditor(name: str) -> Actor:
    return Actor(id=name, role=Role.AUDITOR, unit_id=WHOLE_DEPLOYMENT)


def _moment(text: str | None, option: str) -> datetime | None:
    """ISO 8601; a time without a zone is Beijing time."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{option}: not an ISO 8601 time: {text!r}", Exit.BAD_INPUT, rule=f"input.{option}")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=BEIJING)


def _persistent(db: str, as_json: bool) -> None:
    try:
        config = parse_database_url(db)
    except CogovError as e:
        fail(message_of(e), Exit.STORE_UNREACHABLE, rule=e.rule, as_json=as_json)
    if config.kind == "memory":
        fail("give --db sqlite:///path.db or a postgresql:// URL", Exit.BAD_INPUT, rule="store.url")
    if config.sqlite_path is not None and not Path(config.sqlite_path).exists():
        fail(f"no store at {config.sqlite_path}", Exit.STORE_UNREACHABLE, rule="store.open")


@contextmanager
def _opened(db: str, as_json: bool = False) -> Iterator[CoGov]:
    """The application as a trusted caller (the database URL is the credential)."""
    _persistent(db, as_json)
    app: CoGov | None = None
    try:
        app = CoGov(db, views="off", enforce_grants=False)
        yield app
    except CogovError as e:
        fail(message_of(e), exit_code_for(e), rule=e.rule, as_json=as_json)
    finally:
        if app is not None:
            app.close()


@contextmanager
def _progress(label: str, as_json: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr for long runs (silent when not on a terminal)."""
    with Progress(
        TextColumn(label),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=as_json or not err_console.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


# -- verify ---------------------------------------------------------------------------------
@audit_app.command("verify")
def verify(
    db: DbOption,
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="The trusted Ed25519 public key (PEM) checkpoints must be signed with.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Verify the hash chain and the signed checkpoints; name the first bad event.

    Recomputes the chain from the stored events and compares it with the stored links and
    the checkpoints. Exit 0 when intact (an uncovered tail is reported, not failed); exit 1
    naming the first bad event otherwise.

    Example: cogov audit verify --db sqlite:///cogov.db --public-key audit.pem.pub
    """
    _persistent(db, as_json)
    try:
        trusted = load_public_key(public_key) if public_key is not None else None
        with _progress("verifying", as_json) as progress:
            report = verify_database(db, trusted, progress=progress)
    except CogovError as e:
        fail(message_of(e), exit_code_for(e), rule=e.rule, as_json=as_json)
    if as_json:
        print_json(report)
    else:
        _print_report(report)
    if not report.intact:
        raise typer.Exit(int(Exit.VERIFICATION_FAILED))


def _print_report(report: VerificationReport) -> None:
    rate = f"{report.events:,} events in {report.seconds:.2f}s ({report.events_per_second:,.0f}/s)"
    if report.breach is not None:
        b = report.breach
        console.print(f"[bold red]TAMPERED[/bold red] first bad event: {b.describe()}")
        if b.found_originator_id is not None and b.found_originator_id != b.originator_id:
            console.print(
                f"  found there now: {b.found_originator_id} v{b.found_originator_version}"
            )
    for refused in report.refused_checkpoints:
        console.print(f"[bold red]REFUSED CHECKPOINT[/bold red] {refused.describe()}")
    if report.intact:
        console.print(f"[bold green]INTACT[/bold green] {rate}")
    else:
        console.print(rate)
    console.print(
        f"covered through position {report.covered_through:,}; "
        f"checkpoints verified: {report.checkpoints_verified}"
        + (
            f" (trusted key {report.trusted_key_id})"
            if report.trusted_key_id
            else " (no trusted key given)"
        )
    )
    if report.uncovered:
        console.print(
            f"[yellow]uncovered tail[/yellow]: {report.uncovered:,} events from position "
            f"{report.first_uncovered:,} are committed but not yet chained"
        )


# -- trail ----------------------------------------------------------------------------------
@audit_app.command("trail")
def trail(
    db: DbOption,
    issue: Annotated[UUID | None, typer.Option("--issue", help="One issue's trail.")] = None,
    meeting: Annotated[UUID | None, typer.Option("--meeting", help="One meeting's.")] = None,
    project: Annotated[UUID | None, typer.Option("--project", help="One project's.")] = None,
    aggregate: Annotated[UUID | None, typer.Option("--id", help="Any aggregate's.")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Everything one actor did.")] = None,
    unit: Annotated[UUID | None, typer.Option("--unit", help="One governance unit's.")] = None,
    subtree: Annotated[
        bool, typer.Option("--subtree", help="With --unit: include every unit below it.")
    ] = False,
    since: Annotated[str | None, typer.Option("--since", help="ISO time (inclusive).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="ISO time (inclusive).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 1000,
    as_json: JsonOption = False,
    auditor: AsOption = "cli-auditor",
) -> None:
    """Who did what, when, on which decision, under which policy version.

    Examples:
      cogov audit trail --db sqlite:///cogov.db --issue 1d2e…
      cogov audit trail --db sqlite:///cogov.db --unit 5a0f… --subtree --since 2026-03-01
    """
    ids = [i for i in (issue, meeting, project, aggregate) if i is not None]
    if len(ids) > 1:
        fail("give one of --issue, --meeting, --project, --id", Exit.BAD_INPUT, rule="input.id")
    if not ids and actor is None and unit is None:
        fail(
            "give --issue/--meeting/--project/--id, --actor or --unit",
            Exit.BAD_INPUT,
            rule="input.filter",
        )
    with _opened(db, as_json) as app:
        entries = app.audit_trail(
            _auditor(auditor),
            aggregate_id=ids[0] if ids else None,
            actor_id=actor,
            unit_id=unit,
            include_subunits=subtree,
            since=_moment(since, "since"),
            until=_moment(until, "until"),
        )
        rows = [e for _, e in zip(range(limit), entries, strict=False)]
    if as_json:
        print_json(rows)
        return
    console.print(f"[bold]审计轨迹 audit trail[/bold] — {len(rows)} entries")
    for e in rows:
        when = e.timestamp.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        console.print(
            f"[dim]#{e.position}[/dim] {when}  [cyan]{escape(e.actor_id)}[/cyan] "
            f"({e.actor_role})  [bold]{e.event_type}[/bold] v{e.version}  "
            f"policy v{e.policy_version}"
        )
        if e.decision is not None:
            decided = e.decision.decided_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
            console.print(
                f"      依据 decision: meeting {e.decision.meeting_id} item "
                f"{e.decision.item_no} (decided {decided})"
            )
        what = ", ".join(
            f"{k}={v}" for k, v in e.changes.items() if v is not None and k != "decision"
        )
        if what:
            console.print(f"      {escape(what)}", overflow="ellipsis", no_wrap=True)


# -- checkpoints and keys -------------------------------------------------------------------
@audit_app.command("checkpoint")
def checkpoint(
    db: DbOption,
    key: Annotated[
        Path | None,
        typer.Option(
            "--key",
            help="The Ed25519 private key (PEM); default: $COGOV_AUDIT_SIGNING_KEY_FILE or "
            "the PEM in $COGOV_AUDIT_SIGNING_KEY.",
        ),
    ] = None,
    as_json: JsonOption = False,
    auditor: AsOption = "cli-auditor",
) -> None:
    """Sign a checkpoint: chain every committed event, check the chain, sign its head."""
    with _opened(db, as_json) as app:
        signing_key = load_signing_key(key)
        signed = app.sign_checkpoint(_auditor(auditor), signing_key)
    if as_json:
        print_json(signed)
    else:
        console.print(
            f"signed checkpoint at position {signed.position:,}: head {signed.head} "
            f"(key {signed.key_id}, {signed.signed_at})"
        )


@audit_app.command("keygen")
def keygen(
    out: Annotated[Path, typer.Option("--out", "-o", help="The private key file to write.")],
) -> None:
    """Make an Ed25519 signing key pair.

    Writes OUT (the private key, mode 0600) and OUT.pub (give it to auditors)."""
    try:
        private, public = generate_signing_key(out)
    except CogovError as e:
        fail(message_of(e), exit_code_for(e), rule=e.rule)
    console.print(f"private key: {private} (keep it secret)\npublic key:  {public}")


# -- replay and export ----------------------------------------------------------------------
@audit_app.command("replay")
def replay(
    db: DbOption,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="ISO time, e.g. 2026-03-07T09:00+08:00 (default: now)."),
    ] = None,
    aggregate: Annotated[
        UUID | None, typer.Option("--id", help="One aggregate (default: the whole store).")
    ] = None,
    version: Annotated[int | None, typer.Option("--version", min=1)] = None,
    position: Annotated[
        int | None, typer.Option("--position", min=0, help="The whole store as of a position.")
    ] = None,
    as_json: JsonOption = False,
    auditor: AsOption = "cli-auditor",
) -> None:
    """State as it was, at a past moment, version or log position.

    One aggregate (--id) as of a time or version, or the whole store as of a time or a
    log position.

    Example: cogov replay --db sqlite:///cogov.db --as-of 2026-03-07T08:00+08:00 --id 1d2e…
    """
    moment = _moment(as_of, "as_of")
    with _opened(db, as_json) as app:
        reader = _auditor(auditor)
        if aggregate is not None:
            state: Any = app.aggregate_as_of(reader, aggregate, at=moment, version=version)
            if as_json:
                print_json(state)
                return
            console.print(
                f"{state.aggregate_type} {state.id} at version {state.version} "
                f"(last changed {state.modified_on.astimezone(BEIJING):%Y-%m-%d %H:%M})"
            )
            for name, value in state.state.items():
                if not name.startswith("_"):
                    console.print(f"  {name}: {value}")
            return
        store = app.store_as_of(reader, position=position, at=moment)
    if as_json:
        print_json(store)
        return
    counts: dict[str, int] = {}
    for a in store.aggregates.values():
        counts[a.aggregate_type] = counts.get(a.aggregate_type, 0) + 1
    console.print(
        f"the store as of position {store.position:,}" + (f", {moment}" if moment else "")
    )
    for kind, n in sorted(counts.items()):
        console.print(f"  {kind}: {n:,}")


@audit_app.command("export")
def export(
    db: DbOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="The JSON Lines file to write.")],
    as_json: JsonOption = False,
) -> None:
    """Export the history for outside verifiers (JSON Lines).

    One line per event (the exact stored bytes, base64, and its chain hash) and one per
    signed checkpoint; docs/audit.md has a short script that verifies it without cogov."""
    _persistent(db, as_json)
    try:
        with out.open("wb") as sink, _progress("exporting", as_json) as progress:
            summary = export_database(db, sink, progress=progress)
    except CogovError as e:
        fail(message_of(e), exit_code_for(e), rule=e.rule, as_json=as_json)
    except OSError as e:
        fail(f"cannot write {out}: {e}", Exit.BAD_INPUT, rule="input.out", as_json=as_json)
    if as_json:
        print_json(summary)
    else:
        console.print(
            f"exported {summary.events:,} events and {summary.checkpoints} checkpoints to {out}"
            + (f" ({summary.uncovered:,} not yet chained)" if summary.uncovered else "")
        )
