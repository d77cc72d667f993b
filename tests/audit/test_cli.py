"""The auditor's command line, through typer's CliRunner, mounted the way the main ``cogov``
command mounts it (``cogov audit …`` plus ``cogov replay`` and ``cogov export``)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cogov import CoGov, ManualClock
from cogov.cli.audit import audit_app, export, replay

from .support import History, open_history, run_matter

cli = typer.Typer()
cli.add_typer(audit_app, name="audit")
cli.command("replay")(replay)
cli.command("export")(export)
runner = CliRunner()


@pytest.fixture
def store(sqlite_url: str, clock: ManualClock, tmp_path: Path) -> tuple[History, str, Path]:
    h = open_history(CoGov(sqlite_url, clock=clock), clock)
    run_matter(h)
    h.app.close()
    key = tmp_path / "audit.pem"
    result = runner.invoke(cli, ["audit", "keygen", "--out", str(key)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["audit", "checkpoint", "--db", sqlite_url, "--key", str(key)])
    assert result.exit_code == 0, result.output
    assert "signed checkpoint at position 31" in result.output
    return h, sqlite_url, key


def test_verify_exits_0_on_an_intact_store_and_1_naming_the_first_bad_event(
    store: tuple[History, str, Path],
) -> None:
    _, url, key = store
    public = f"{key}.pub"
    ok = runner.invoke(cli, ["audit", "verify", "--db", url, "--public-key", public])
    assert ok.exit_code == 0, ok.output
    assert "INTACT 31 events" in ok.output
    assert "checkpoints verified: 1" in ok.output
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    with conn:
        conn.execute("UPDATE stored_events SET state = state || X'20' WHERE rowid = 21")
        issue_hex = conn.execute(
            "SELECT originator_id FROM stored_events WHERE rowid = 21"
        ).fetchone()[0]
    conn.close()
    bad = runner.invoke(cli, ["audit", "verify", "--db", url, "--public-key", public])
    assert bad.exit_code == 1
    assert "TAMPERED first bad event: altered at position 21" in bad.output
    assert f"{issue_hex[:8]}" in bad.output
    assert " v2)" in bad.output
    as_json = runner.invoke(cli, ["audit", "verify", "--db", url, "--json"])
    assert as_json.exit_code == 1
    report = json.loads(as_json.output)
    assert (report["breach"]["kind"], report["breach"]["position"]) == ("altered", 21)
    assert report["breach"]["originator_version"] == 2
    assert report["intact"] is False


def test_verify_refuses_a_key_file_that_is_not_a_key_and_a_missing_store(
    store: tuple[History, str, Path], tmp_path: Path
) -> None:
    _, url, key = store
    result = runner.invoke(cli, ["audit", "verify", "--db", url, "--public-key", str(key)])
    assert result.exit_code == 2  # a private key is not a public key
    missing = runner.invoke(cli, ["audit", "verify", "--db", f"sqlite:///{tmp_path}/none.db"])
    assert missing.exit_code == 3


def test_trail_by_issue_actor_and_unit(store: tuple[History, str, Path]) -> None:
    h, url, _ = store
    issue = runner.invoke(
        cli, ["audit", "trail", "--db", url, "--issue", str(h.issues[0]), "--json"]
    )
    assert issue.exit_code == 0, issue.output
    entries = json.loads(issue.output)
    assert [e["event_type"] for e in entries] == [
        "Issue.Collected",
        "Issue.Triaged",
        "Issue.PutOnAgenda",
        "Issue.Deliberated",
        "Issue.Dispatched",
        "Issue.Resolved",
    ]
    assert entries[3]["decision"]["meeting_id"] == str(h.meetings[0])
    actor = runner.invoke(cli, ["audit", "trail", "--db", url, "--actor", "c-1", "--json"])
    assert [e["event_type"] for e in json.loads(actor.output)] == ["Issue.Resolved"]
    unit = runner.invoke(
        cli, ["audit", "trail", "--db", url, "--unit", str(h.village), "--subtree"]
    )
    assert unit.exit_code == 0, unit.output
    assert "Issue.Deliberated" in unit.output
    assert "Meeting.Decided" in unit.output
    none = runner.invoke(cli, ["audit", "trail", "--db", url])
    assert none.exit_code == 2


def test_replay_shows_an_issue_as_it_stood_at_a_past_moment(
    store: tuple[History, str, Path],
) -> None:
    h, url, _ = store
    result = runner.invoke(
        cli,
        ["replay", "--db", url, "--as-of", "2026-03-07T08:59+08:00", "--id", str(h.issues[0])],
    )
    assert result.exit_code == 0, result.output
    assert "Issue" in result.output
    assert "at version 3" in result.output
    assert "status: on_agenda" in result.output
    whole = runner.invoke(cli, ["replay", "--db", url, "--position", "20", "--json"])
    state = json.loads(whole.output)
    assert state["position"] == 20
    assert state["aggregates"][str(h.issues[0])]["state"]["status"] == "collected"
    early = runner.invoke(
        cli, ["replay", "--db", url, "--as-of", "2026-03-01", "--id", str(h.issues[0])]
    )
    assert early.exit_code == 4  # the issue did not exist yet


def test_export_writes_the_json_lines_the_outside_script_reads(
    store: tuple[History, str, Path], tmp_path: Path
) -> None:
    _, url, _ = store
    out = tmp_path / "history.jsonl"
    result = runner.invoke(cli, ["export", "--db", url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "exported 31 events and 1 checkpoints" in result.output
    kinds = [json.loads(line)["type"] for line in out.read_text().splitlines()]
    assert kinds == ["header"] + ["event"] * 31 + ["checkpoint"]


def test_a_second_run_of_the_store_is_chained_by_the_next_checkpoint(
    store: tuple[History, str, Path], clock: ManualClock
) -> None:
    h, url, key = store
    app = CoGov(url, clock=clock)
    app._after_save.clear()  # a writer that never chains: its events stay uncovered
    run_matter(History(**{**h.__dict__, "app": app}), title="水渠")
    app.close()
    pending = runner.invoke(cli, ["audit", "verify", "--db", url])
    assert pending.exit_code == 0
    assert "uncovered tail: 12 events from position 32" in pending.output
    signed = runner.invoke(cli, ["audit", "checkpoint", "--db", url, "--key", str(key)])
    assert "signed checkpoint at position 43" in signed.output
    done = runner.invoke(cli, ["audit", "verify", "--db", url, "--public-key", f"{key}.pub"])
    assert done.exit_code == 0
    assert "uncovered" not in done.output
    assert "checkpoints verified: 2" in done.output
