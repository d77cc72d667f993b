"""The export for auditors, checked by the independent script printed in docs/audit.md
(extracted and run as written, with no cogov on its path) — and the doc's other examples run
against a real history."""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from cogov import CoGov, ManualClock
from cogov.calendar import BEIJING

from .support import History, open_history, run_matter

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
SCRIPT = next(b for b in BLOCKS if "import base64" in b)


@pytest.fixture
def exported(
    sqlite_url: str, clock: ManualClock, tmp_path: Path
) -> tuple[History, Path, Path, Path]:
    h = open_history(CoGov(sqlite_url, clock=clock), clock)
    run_matter(h)
    key = Ed25519PrivateKey.generate()
    h.app.sign_checkpoint(h.auditor, key)
    run_matter(h, title="水渠")
    h.app.sign_checkpoint(h.auditor, key)
    public = tmp_path / "audit.pem.pub"
    public.write_bytes(
        key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    script = tmp_path / "verify_export.py"
    script.write_text(SCRIPT, encoding="utf-8")
    out = tmp_path / "history.jsonl"
    with out.open("wb") as f:
        h.app.export_history(h.auditor, f)
    yield h, out, public, script
    h.app.close()


def run_script(script: Path, export: Path, public: Path) -> subprocess.CompletedProcess[str]:
    # -I: isolated mode — no cogov, no current directory on the path
    return subprocess.run(
        [sys.executable, "-I", str(script), str(export), str(public)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_export_holds_every_event_byte_for_byte_and_the_checkpoints(
    exported: tuple[History, Path, Path, Path],
) -> None:
    h, out, _, _ = exported
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    header, events = lines[0], [r for r in lines if r["type"] == "event"]
    checkpoints = [r for r in lines if r["type"] == "checkpoint"]
    assert header["format"] == "cogov-audit-export/1"
    assert header["last_position"] == h.app.max_position()
    stored = h.app.store.recorder.select_notifications(1, 10_000)
    assert [(e["position"], e["originator_id"], e["version"], e["topic"]) for e in events] == [
        (n.id, n.originator_id.hex, n.originator_version, n.topic) for n in stored
    ]
    assert [base64.b64decode(e["state"]) for e in events] == [n.state for n in stored]
    assert events[-1]["hash"] == h.app.audit_chain.head().hash.hex()  # type: ignore[union-attr]
    assert [c["position"] for c in checkpoints] == [
        c.position for c in h.app.audit_checkpoints(h.auditor)
    ]


def test_the_documented_script_verifies_an_untouched_export(
    exported: tuple[History, Path, Path, Path],
) -> None:
    h, out, public, script = exported
    result = run_script(script, out, public)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK: {h.app.max_position()} events, 2 checkpoints")


def test_the_documented_script_names_the_first_changed_event_of_a_tampered_export(
    exported: tuple[History, Path, Path, Path],
) -> None:
    _, out, public, script = exported
    lines = out.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[21])
    state = bytearray(base64.b64decode(record["state"]))
    state[5] ^= 0x01
    record["state"] = base64.b64encode(bytes(state)).decode()
    lines[21] = json.dumps(record)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_script(script, out, public)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"TAMPERED: first bad event at position {record['position']} "
        f"({record['originator_id']} v{record['version']})"
    )


def test_the_documented_script_catches_a_rewrite_with_recomputed_hashes_by_the_checkpoint(
    exported: tuple[History, Path, Path, Path],
) -> None:
    _, out, public, script = exported
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    victim = rows[10]
    victim["state"] = base64.b64encode(base64.b64decode(victim["state"]) + b" ").decode()
    for r in rows:  # the forger recomputes every hash in the file
        r["hash"] = None if r["type"] == "event" else r.get("hash")
    out.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = run_script(script, out, public)
    assert result.returncode == 1
    assert "differs from its checkpoint" in result.stderr


def test_the_documented_script_refuses_a_checkpoint_signed_with_another_key(
    exported: tuple[History, Path, Path, Path], tmp_path: Path
) -> None:
    _, out, _, script = exported
    other = tmp_path / "other.pub"
    other.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    result = run_script(script, out, other)
    assert result.returncode == 1
    assert "is not signed by the trusted key" in result.stderr


def test_an_export_of_a_tampered_store_fails_the_script_where_cogov_says(
    exported: tuple[History, Path, Path, Path], tmp_path: Path
) -> None:
    h, _, public, script = exported
    path = h.app.config.sqlite_path
    assert path is not None
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE stored_events SET state = state || ' ' WHERE rowid = 25")
    conn.close()
    breach = h.app.verify_history(h.auditor).breach
    assert breach is not None
    assert breach.position == 25
    out = tmp_path / "tampered.jsonl"
    with out.open("wb") as f:
        h.app.export_history(h.auditor, f)
    result = run_script(script, out, public)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"TAMPERED: first bad event at position 25 ({breach.originator_id.hex} "  # type: ignore[union-attr]
        f"v{breach.originator_version})"
    )


def test_the_other_examples_in_the_audit_doc_run(history: History) -> None:
    app, moment = history.app, datetime(2026, 3, 7, 8, 0, tzinfo=UTC)
    namespace = {
        "app": app,
        "auditor": history.auditor,
        "issue_id": history.issues[0],
        "village": history.village,
        "datetime": datetime,
        "BEIJING": BEIJING,
        "moment": moment,
        "a": moment - timedelta(days=1),
        "b": moment + timedelta(days=2),
    }
    examples = [b for b in BLOCKS if b is not SCRIPT]
    assert len(examples) == 2
    for number, block in enumerate(examples, 1):
        exec(compile(block, f"docs/audit.md example {number}", "exec"), namespace)
    assert namespace["past"].position == 4_000 or namespace["past"].position == app.max_position()  # type: ignore[attr-defined]
    assert namespace["today"].aggregates == app.store_as_of(history.auditor).aggregates  # type: ignore[attr-defined]


def test_the_documented_script_reports_an_uncovered_tail_without_failing(
    exported: tuple[History, Path, Path, Path], tmp_path: Path
) -> None:
    h, _, public, script = exported
    h.app._after_save.remove(h.app.audit_chain.after_save)  # committed, not yet chained
    run_matter(h, title="路灯")
    out = tmp_path / "with-tail.jsonl"
    with out.open("wb") as f:
        summary = h.app.export_history(h.auditor, f)
    assert summary.uncovered == 12
    first = h.app.max_position() - 11
    result = run_script(script, out, public)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(
        f"; not yet chained from position {first} ({h.issues[-1].hex} v1)"
    )
