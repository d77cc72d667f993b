"""``cogov demo``: build the demo district, play the seeds' stories and a generated month,
print the views, verify the history and write the HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from cogov.application import CoGov
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
from cogov.cli.views import (
    five_co_table,
    problem_table,
    rates_table,
    responsibility_table,
    task_table,
)
from cogov.demo import DEMO_START, STORIES, DemoFacts, SharedClock, play_demo
from cogov.persistence.store import parse_database_url
from cogov.report.directory import unit_directory
from cogov.report.html import write_report

__all__ = ["demo_command", "verify_demo_history"]

DEFAULT_REPORT = Path("out/cogov-report.html")


def _wipe(db: str, *, as_json: bool) -> None:
    """--fresh: remove a SQLite file (and its WAL files) or drop a PostgreSQL schema."""
    config = parse_database_url(db)
    if config.sqlite_path is not None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(config.sqlite_path + suffix).unlink(missing_ok=True)
        return
    schema = config.options.get("schema")
    if config.kind == "postgres" and schema:
        import psycopg
        from psycopg import sql

        env = config.env
        try:
            with psycopg.connect(
                dbname=env["POSTGRES_DBNAME"],
                host=env["POSTGRES_HOST"],
                port=int(env["POSTGRES_PORT"]),
                user=env["POSTGRES_USER"],
                password=env["POSTGRES_PASSWORD"] or None,
                autocommit=True,
                connect_timeout=5,
            ) as conn:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )
        except psycopg.OperationalError as e:
            fail(
                f"cannot reach {db}: {e}",
                Exit.STORE_UNREACHABLE,
                rule="store.open",
                as_json=as_json,
            )
        return
    if config.kind == "postgres":
        fail(
            "--fresh on PostgreSQL needs a schema of its own in the URL (?schema=cogov_demo); "
            "it drops that schema",
            Exit.BAD_INPUT,
            rule="store.url",
            as_json=as_json,
        )


def _demo_url(db: str) -> str:
    """A demo store is rebuilt, never recovered: unless the URL says otherwise, SQLite writes
    with ``synchronous=NORMAL`` (safe against a crash of the program, not a power cut), which
    halves the demo's time. Other commands open the store with the URL as given."""
    if db.startswith("sqlite:") and "synchronous=" not in db:
        return db + ("&" if "?" in db else "?") + "synchronous=NORMAL"
    return db


def verify_demo_history(app: CoGov, facts: DemoFacts) -> str:
    """Chain every event and verify the chain (the auditor's check)."""
    admin = facts.district.admin
    app.extend_audit_chain(admin)
    report = app.verify_history(admin)
    if not report.intact:
        return f"BROKEN at {report.breach}"
    return f"intact ({report.events:,} events hashed)"


def demo_command(
    db: DbOption = DEFAULT_DB,
    fresh: Annotated[
        bool,
        typer.Option("--fresh", help="Delete the store first (SQLite file / PostgreSQL schema)."),
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generated month.")] = 2026,
    issues: Annotated[
        int, typer.Option("--issues", min=0, max=5000, help="Concerns in the generated month.")
    ] = 300,
    report: Annotated[
        Path, typer.Option("--report", help="Where to write the HTML report.")
    ] = DEFAULT_REPORT,
    no_report: Annotated[bool, typer.Option("--no-report", help="Skip the HTML report.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Build a realistic district and see its co-governance at a glance.

    Plays the seeds' stories through the public API — 渡河村's bridge (council, shared cost
    with 白羊社区, 以奖代补), 国税小区's 5-member 自管委 and 6 residents' meetings, 昙华林's
    noise convention and nightly patrols, 枪杆刘's gas for 96 households, 师庄村's canteen
    built in two weeks, 济源's dispatches (with a 退单 and a 催办), 大塘村's evening talks,
    段墓's road reported monthly — interleaved in time with a generated month of ordinary
    activity; prints the 五共 status and the three rates, verifies the history
    and writes the report.

    Examples:

        cogov demo --db sqlite:///cogov-demo.db --fresh
        cogov demo --db sqlite:///demo.db --fresh --seed 7 --issues 500 --report out/r.html
    """
    if fresh:
        _wipe(db, as_json=as_json)
    clock = SharedClock(DEMO_START)
    url = _demo_url(db)
    with open_store(url, as_json=as_json, must_exist=False, clock=clock, views=False) as app:
        if app.max_position() > 0:
            fail(
                f"{db} already holds a history; the demo builds on an empty store "
                "(add --fresh to start over)",
                Exit.BAD_INPUT,
                rule="demo.empty_store",
                as_json=as_json,
            )
        steps = [*(name for name, _ in STORIES), "month"]
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err_console,
            disable=as_json,
            transient=True,
        ) as progress:
            task = progress.add_task("district", total=len(steps) + 3)
            titles = dict(STORIES)

            def step(name: str) -> None:
                progress.advance(task)
                progress.update(task, description=f"✓ {titles.get(name, name)}")

            facts = play_demo(app, seed=seed, issues=issues, on_step=step)
            app.views.catch_up()
            progress.update(task, description="verifying the history")
            progress.advance(task)
            verified = verify_demo_history(app, facts)
            progress.update(task, description="writing the report")
            progress.advance(task)
            written = None if no_report else write_report(app, report, verified=verified)
        directory = unit_directory(app)
        tops = directory.roots()
        statuses = [(u.name, app.five_co_status(u.id)) for u in tops]
        rates = [app.rates(u.id) for u in tops]
        summary = {
            "db": db,
            "events": app.max_position(),
            "verified": verified,
            "report": str(written) if written else None,
            "bridge_reward": str(facts.bridge.reward),
            "gas_households": facts.gas.households_benefiting,
            "self_management_members": len(facts.guoshui.members),
            "residents_meetings": len(facts.guoshui.residents_meetings),
            "patrols": facts.tanhualin.patrols,
            "jiyuan_returned_by": facts.jiyuan.returned_by,
            "datang_donated": str(facts.datang.donated),
            "duanmu_monthly_reports": len(facts.duanmu.months_reported),
            "month": {
                "collected": facts.month.collected,
                "reopened": facts.month.reopened,
                "returned": facts.month.returned,
                "chased": facts.month.chased,
            },
        }
        if as_json:
            print_json(summary)
            return
        console.print(five_co_table("五共 status of every top unit", statuses))
        console.print(rates_table("三率 three rates", rates))
        problems = [p for u in tops for p in app.problem_list(u.id, limit=8).items]
        tasks = [t for u in tops for t in app.task_list(u.id, overdue_only=True, limit=8).items]
        loads = [  # a department works in every county: name the county too
            r.model_copy(update={"assignee_name": f"{u.name}·{r.assignee_name}"})
            for u in tops
            for r in app.responsibility_list(u.id, limit=50).items
        ]
        console.print(problem_table(sorted(problems, key=lambda p: p.collected_at)[:8]))
        console.print(task_table(sorted(tasks, key=lambda t: t.deadline)[:8], overdue_only=True))
        console.print(responsibility_table(sorted(loads, key=lambda r: (-r.overdue, -r.owned))[:8]))
        open_problems = sum(app.problem_list(u.id, limit=1).total for u in tops)
        overdue = sum(app.task_list(u.id, overdue_only=True, limit=1).total for u in tops)
        console.print(
            f"三张清单: {open_problems} open problems · {overdue} overdue tasks (the first 8 "
            "of each above) — see [bold]cogov lists[/bold]"
        )
        console.print(
            f"[green]✓[/green] {summary['events']:,} events · history {verified}"
            + (f" · report [bold]{written}[/bold]" if written else "")
        )
