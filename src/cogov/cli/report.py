"""``cogov report``: the district at a glance as one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn

from cogov.audit.offline import verify_database
from cogov.cli.common import (
    DEFAULT_DB,
    AsOfOption,
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
from cogov.report.data import collect_report
from cogov.report.html import CHARTS, render_report

__all__ = ["report_command"]


def report_command(
    db: DbOption = DEFAULT_DB,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the HTML file.")] = Path(
        "out/cogov-report.html"
    ),
    title: Annotated[str, typer.Option("--title", help="The report's title.")] = (
        "共同缔造 · 治理一览"
    ),
    as_of: AsOfOption = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Verify the history's hash chain first; the report says "
            "whether it is intact (exit 1, no report, when it is not).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Write the visual report: one HTML file that works offline.

    Inline SVG charts, no script: the 五共 funnel per township, the three rates per township
    and per department by month, overdue tasks, contributions and the monthly schedule, each
    with the table behind it.

    Examples:

        cogov report --db sqlite:///cogov-demo.db
        cogov report --db sqlite:///cogov-demo.db --verify --as-of 2026-03-31T18:00+08:00
        cogov report --db postgresql://cogov@db/cogov --out /srv/www/report.html
    """
    with open_store(db, as_json=as_json, as_of=as_of) as app:
        load_directory(app, as_json=as_json)
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            console=err_console,
            disable=as_json,
            transient=True,
        ) as progress:
            task = progress.add_task("reading the views", total=None)
            data = collect_report(
                app, title=title, on_step=lambda name: progress.update(task, description=name)
            )
            verified = None
            if verify:
                progress.update(task, description="verifying the history")
                check = verify_database(db)
                if not check.intact:
                    fail(
                        f"the history does not verify: {check.breach}",
                        Exit.VERIFICATION_FAILED,
                        rule="audit.integrity",
                        as_json=as_json,
                    )
                verified = f"intact ({check.events:,} events hashed)"
            html = render_report(data, verified=verified)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
        if as_json:
            print_json(
                {
                    "report": str(out),
                    "bytes": len(html.encode()),
                    "charts": list(CHARTS),
                    "events": data.events,
                    "months": data.months,
                    "verified": verified,
                }
            )
            return
        span = f"{data.months[0]}…{data.months[-1]}" if data.months else "–"
        console.print(
            f"[green]✓[/green] wrote [bold]{out}[/bold] ({len(html.encode()) // 1024} KiB, "
            f"{len(CHARTS)} charts, {data.events:,} events, months {span})"
            + (f" · history {verified}" if verified else "")
        )
