"""The hash chain: its encoding, its coverage right after each save, the uncovered tail, and
the breaches that only the links or the checkpoints reveal."""

from __future__ import annotations

import hashlib
import sqlite3
import struct
from pathlib import Path
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.exc import OperationalError

from cogov import BreachKind, CoGov, InvalidInputError, ManualClock
from cogov.audit.chain import HashChain, chain_rows, chain_runner
from cogov.audit.encoding import GENESIS, encode_record, next_hash
from cogov.workers import main as worker_main

from .support import History, open_history, run_matter


def test_the_record_encoding_is_length_prefixed_fields_in_the_documented_order() -> None:
    oid = b"0123456789abcdef0123456789abcdef"
    record = encode_record(7, oid, 3, b"cogov:Issue.Triaged", b'{"scale":"major"}')
    assert record == (
        struct.pack(">I", 8)
        + struct.pack(">q", 7)
        + struct.pack(">I", 32)
        + oid
        + struct.pack(">I", 8)
        + struct.pack(">q", 3)
        + struct.pack(">I", 19)
        + b"cogov:Issue.Triaged"
        + struct.pack(">I", 17)
        + b'{"scale":"major"}'
    )
    assert next_hash(GENESIS, 7, oid, 3, b"cogov:Issue.Triaged", b'{"scale":"major"}') == (
        hashlib.sha256(bytes(32) + record).digest()
    )


def test_the_fast_chainer_computes_the_documented_hashes() -> None:
    rows = [
        (1, b"a" * 32, 1, "cogov:Issue.Collected", b"{}", None),
        (2, b"b" * 32, 1, b"cogov:Meeting.Scheduled", b'{"x":1}', None),
        (5, b"a" * 32, 2, "cogov:Issue.Triaged", b"", None),
    ]
    expected = []
    h = GENESIS
    for p, oid, v, topic, state, _ in rows:
        raw = topic.encode() if isinstance(topic, str) else topic
        h = next_hash(h, p, oid, v, raw, state)
        expected.append(h)
    assert chain_rows(GENESIS, rows, {}) == expected


def test_every_event_is_chained_right_after_its_save(history: History) -> None:
    app = history.app
    head = app.audit_chain.head()
    assert head is not None
    assert head.position == app.max_position()
    h = GENESIS
    for n in app.store.recorder.select_notifications(1, 10_000):
        h = next_hash(
            h, n.id, n.originator_id.hex.encode(), n.originator_version, n.topic.encode(), n.state
        )
    assert head.hash == h
    report = app.verify_history(history.auditor)
    assert report.intact
    assert (report.events, report.covered_through, report.uncovered) == (
        app.max_position(),
        app.max_position(),
        0,
    )


def test_committed_events_not_yet_chained_are_reported_as_the_uncovered_tail(
    history: History,
) -> None:
    app = history.app
    covered = app.max_position()
    app._after_save.remove(app.audit_chain.after_save)  # as if the process died after commit
    run_matter(history, title="水渠")
    report = app.verify_history(history.auditor)
    assert report.intact
    assert report.breach is None
    assert report.covered_through == covered
    assert report.first_uncovered == covered + 1
    assert report.uncovered == app.max_position() - covered
    assert app.extend_audit_chain(history.auditor) == app.max_position()
    assert app.verify_history(history.auditor).uncovered == 0


def test_a_failing_chain_write_does_not_fail_the_committed_command(
    history: History, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = history.app

    def locked(*_: object, **__: object) -> int:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(app.audit_chain, "_extend", locked)
    before = app.max_position()
    run_matter(history, title="路灯")
    assert app.max_position() > before
    assert "audit chain not extended" in caplog.text
    monkeypatch.undo()
    report = app.verify_history(history.auditor)
    assert report.intact
    assert report.uncovered == app.max_position() - before
    app.extend_audit_chain(history.auditor)
    assert app.verify_history(history.auditor).uncovered == 0


@pytest.fixture
def sqlite_history(sqlite_url: str, clock: ManualClock) -> History:
    h = open_history(CoGov(sqlite_url, clock=clock), clock)
    run_matter(h)
    yield h
    h.app.close()


def _db(h: History) -> Path:
    path = h.app.config.sqlite_path
    assert path is not None
    return Path(path)


def _execute(h: History, sql: str, *params: object) -> None:
    conn = sqlite3.connect(_db(h))
    with conn:
        conn.execute(sql, params)
    conn.close()


def test_a_changed_link_is_named_as_link_altered_not_as_a_changed_event(
    sqlite_history: History,
) -> None:
    _execute(sqlite_history, "UPDATE audit_chain SET hash = zeroblob(32) WHERE position = 10")
    breach = sqlite_history.app.verify_history(sqlite_history.auditor).breach
    assert breach is not None
    assert (breach.kind, breach.position) == (BreachKind.LINK_ALTERED, 10)


def test_an_event_whose_link_was_removed_is_named_as_unchained(sqlite_history: History) -> None:
    n = sqlite_history.app.store.recorder.select_notifications(12, 1)[0]
    _execute(sqlite_history, "DELETE FROM audit_chain WHERE position = 12")
    breach = sqlite_history.app.verify_history(sqlite_history.auditor).breach
    assert breach is not None
    assert (breach.kind, breach.position, breach.originator_id, breach.originator_version) == (
        BreachKind.UNCHAINED,
        12,
        n.originator_id,
        n.originator_version,
    )


def test_a_history_rewritten_with_its_links_is_caught_by_the_signed_checkpoint(
    sqlite_history: History,
) -> None:
    h = sqlite_history
    key = Ed25519PrivateKey.generate()
    checkpoint = h.app.sign_checkpoint(h.auditor, key)
    target = h.app.store.recorder.select_notifications(15, 1)[0]
    forged = target.state.replace(b'"', b"'", 1)
    _execute(h, "UPDATE stored_events SET state = ? WHERE rowid = 15", forged)
    _execute(h, "DELETE FROM audit_chain WHERE position >= 15")
    h.app.extend_audit_chain(h.auditor)  # the forger re-chains from the change on
    report = h.app.verify_history(h.auditor, trusted_key=key.public_key())
    assert report.breach is not None
    assert report.breach.kind is BreachKind.CHAIN_REWRITTEN
    assert report.breach.position == checkpoint.position
    assert not report.intact


def test_two_applications_on_one_file_keep_one_chain(sqlite_url: str, clock: ManualClock) -> None:
    first = CoGov(sqlite_url, clock=clock)
    h = open_history(first, clock)
    second = CoGov(sqlite_url, clock=clock)
    h2 = History(**{**h.__dict__, "app": second, "issues": [], "meetings": []})
    for n in range(2):
        run_matter(h, title=f"甲{n}")
        run_matter(h2, title=f"乙{n}")
    report = first.verify_history(h.auditor)
    assert report.intact
    assert report.covered_through == first.max_position() == second.max_position()
    first.close()
    second.close()


def test_a_chain_opened_on_a_url_reads_the_same_links(sqlite_history: History) -> None:
    from cogov.persistence.store import parse_database_url

    chain = HashChain(parse_database_url(f"sqlite:///{_db(sqlite_history)}"))
    head = chain.head()
    chain.close()
    assert head is not None
    assert head == sqlite_history.app.audit_chain.head()
    assert (
        head.originator_id
        == sqlite_history.app.store.recorder.select_notifications(head.position, 1)[0].originator_id
    )
    assert isinstance(head.originator_id, UUID)


def test_an_unreachable_database_is_a_store_error_not_a_driver_error(tmp_path: Path) -> None:
    from cogov import StoreError
    from cogov.audit.offline import verify_database

    with pytest.raises(StoreError) as unreachable:
        verify_database("postgresql://nobody@127.0.0.1:9/none?connect_timeout=1")
    assert unreachable.value.rule == "store.read"
    with pytest.raises(StoreError) as memory:
        verify_database("memory://")
    assert memory.value.rule == "audit.store.memory"


@pytest.mark.parametrize("batch", [1, 2, 7, 20_000])
def test_the_verdict_does_not_depend_on_the_batch_size(sqlite_history: History, batch: int) -> None:
    from cogov.audit.offline import verify_database

    h = sqlite_history
    key = Ed25519PrivateKey.generate()
    h.app.sign_checkpoint(h.auditor, key)
    url = f"sqlite:///{_db(h)}"
    clean = verify_database(url, key.public_key(), batch=batch)
    assert (clean.intact, clean.events, clean.checkpoints_verified) == (True, 31, 1)
    _execute(h, "DELETE FROM stored_events WHERE rowid = 17")
    _execute(h, "UPDATE stored_events SET state = X'7b7d' WHERE rowid = 23")
    report = verify_database(url, key.public_key(), batch=batch)
    assert report.breach is not None
    assert (report.breach.kind, report.breach.position) == (BreachKind.MISSING, 17)


def test_writers_with_audit_off_leave_the_chain_to_the_chain_worker(
    sqlite_url: str, clock: ManualClock
) -> None:
    app = CoGov(sqlite_url, clock=clock, audit="off")
    history = open_history(app, clock)
    run_matter(history)
    assert app.audit_chain.head() is None  # nothing chained by the writer itself
    report = app.verify_history(history.auditor)
    assert report.intact
    assert report.uncovered == app.max_position()

    assert (
        worker_main(["--db", sqlite_url, "--once", "--runner", "cogov.audit.chain:chain_runner"])
        == 0
    )
    report = app.verify_history(history.auditor)
    assert report.intact
    assert (report.covered_through, report.uncovered) == (app.max_position(), 0)
    runner = chain_runner(sqlite_url)
    assert runner.catch_up() == 0  # already current: nothing more to chain
    runner.close()
    app.close()


def test_an_unknown_audit_mode_is_refused(clock: ManualClock) -> None:
    with pytest.raises(InvalidInputError) as refused:
        CoGov(clock=clock, audit="later")  # type: ignore[arg-type]
    assert refused.value.rule == "input.audit"
