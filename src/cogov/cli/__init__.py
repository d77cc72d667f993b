"""``cogov``: the command line — the demo, the everyday views, the report, import/export and
the auditor's commands. Built on the public API only (what another service could import).

Run ``cogov --help`` or ``cogov COMMAND --help``; every command takes ``--db URL`` (or env
``COGOV_DB``) and most take ``--json``. Exit codes: 0 ok · 1 verification failed · 2 usage or
bad input · 3 store unreachable or bad URL · 4 not found · 5 refused by a rule.
"""

from __future__ import annotations

import typer

from cogov.cli import views
from cogov.cli.audit import audit_app, export, replay
from cogov.cli.demo import demo_command
from cogov.cli.report import report_command
from cogov.cli.transfer import events_command, import_command

__all__ = ["app", "main"]

app = typer.Typer(
    name="cogov",
    help=(
        "共同缔造 co-governance from the command line.\n\n"
        "Start with:  cogov demo --db sqlite:///cogov-demo.db --fresh\n\n"
        "then:  cogov status 黄梅县 · cogov lists 济源示范区 --kind task --overdue · "
        "cogov rates --by assignee · cogov report -o out/report.html · "
        "cogov audit verify\n\n"
        "Exit codes: 0 ok, 1 verification failed, 2 usage/bad input, "
        "3 store unreachable/bad URL, 4 not found, 5 refused by a rule."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

app.command("demo")(demo_command)
views.register(app)
app.command("report")(report_command)
app.command("events")(events_command)
app.command("import")(import_command)
app.add_typer(audit_app, name="audit")
app.command("replay")(replay)  # the auditor's: state as of a moment
app.command("export")(export)  # the auditor's: the verifiable history for outside checkers


def main() -> None:
    """The console script ``cogov``."""
    app()
