"""Signed checkpoints: verified against the auditor's trusted key; forged ones and ones
re-signed with another key are refused; the signing key comes from a file or the
environment; only auditors of the whole deployment verify the whole store."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)

from cogov import (
    Actor,
    BreachKind,
    CoGov,
    IntegrityViolationError,
    InvalidInputError,
    ManualClock,
    PermissionDeniedError,
    Role,
)
from cogov.audit.checkpoints import (
    KEY_ENV,
    KEY_FILE_ENV,
    Checkpoint,
    checkpoint_message,
    generate_signing_key,
    key_id,
    load_public_key,
    load_signing_key,
    sign_checkpoint,
    store_checkpoint,
)

from .support import History, open_history, run_matter


@pytest.fixture
def signed(sqlite_url: str, clock: ManualClock) -> tuple[History, Ed25519PrivateKey, Checkpoint]:
    h = open_history(CoGov(sqlite_url, clock=clock), clock)
    run_matter(h)
    key = Ed25519PrivateKey.generate()
    checkpoint = h.app.sign_checkpoint(h.auditor, key)
    yield h, key, checkpoint
    h.app.close()


def test_the_signed_message_is_the_documented_five_lines() -> None:
    assert checkpoint_message(42, "ab" * 32, "2026-03-02T01:00:00+00:00", "0123456789abcdef") == (
        b"cogov-audit-checkpoint/1\n42\n" + b"ab" * 32 + b"\n2026-03-02T01:00:00+00:00\n"
        b"0123456789abcdef\n"
    )


def test_a_checkpoint_names_the_chain_head_and_verifies_with_the_trusted_key(
    signed: tuple[History, Ed25519PrivateKey, Checkpoint],
) -> None:
    h, key, checkpoint = signed
    head = h.app.audit_chain.head()
    assert head is not None
    assert (checkpoint.position, checkpoint.head) == (head.position, head.hash.hex())
    assert checkpoint.signed_at == h.clock.now().isoformat()
    assert checkpoint.key_id == key_id(key.public_key())
    report = h.app.verify_history(h.auditor, trusted_key=key.public_key())
    assert report.intact
    assert report.checkpoints_verified == 1
    assert report.trusted_key_id == checkpoint.key_id
    assert h.app.audit_checkpoints(h.auditor) == [checkpoint]


def _rows(h: History, sql: str, *params: object) -> None:
    path = h.app.config.sqlite_path
    assert path is not None
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(sql, params)
    conn.close()


def test_a_forged_checkpoint_is_refused(
    signed: tuple[History, Ed25519PrivateKey, Checkpoint],
) -> None:
    h, key, checkpoint = signed
    _rows(h, "UPDATE audit_checkpoints SET position = position - 1")
    report = h.app.verify_history(h.auditor, trusted_key=key.public_key())
    assert not report.intact
    assert [(b.kind, b.position) for b in report.refused_checkpoints] == [
        (BreachKind.FORGED_CHECKPOINT, checkpoint.position - 1)
    ]
    assert report.checkpoints_verified == 0


def test_a_checkpoint_re_signed_with_another_key_is_refused(
    signed: tuple[History, Ed25519PrivateKey, Checkpoint],
) -> None:
    h, key, checkpoint = signed
    other = Ed25519PrivateKey.generate()
    store_checkpoint(
        h.app.audit_chain.engine,
        sign_checkpoint(other, checkpoint.position, bytes.fromhex(checkpoint.head), h.clock.now()),
    )
    report = h.app.verify_history(h.auditor, trusted_key=key.public_key())
    assert not report.intact
    assert [b.kind for b in report.refused_checkpoints] == [BreachKind.UNTRUSTED_CHECKPOINT]
    assert report.checkpoints_verified == 1  # the genuine one still holds


def test_another_keys_signature_passed_off_as_the_trusted_keys_is_refused(
    signed: tuple[History, Ed25519PrivateKey, Checkpoint],
) -> None:
    h, key, checkpoint = signed
    other = Ed25519PrivateKey.generate()
    forged = other.sign(checkpoint.message())
    _rows(h, "UPDATE audit_checkpoints SET signature = ?", forged)
    report = h.app.verify_history(h.auditor, trusted_key=key.public_key())
    assert [b.kind for b in report.refused_checkpoints] == [BreachKind.FORGED_CHECKPOINT]
    assert not report.intact


def test_without_a_trusted_key_signatures_are_only_checked_against_their_own_keys(
    signed: tuple[History, Ed25519PrivateKey, Checkpoint],
) -> None:
    h, _, _ = signed
    other = Ed25519PrivateKey.generate()
    head = h.app.audit_chain.head()
    assert head is not None
    store_checkpoint(
        h.app.audit_chain.engine, sign_checkpoint(other, head.position, head.hash, h.clock.now())
    )
    report = h.app.verify_history(h.auditor)
    assert report.intact
    assert report.trusted_key_id is None
    assert report.checkpoints_verified == 2


def test_a_history_that_does_not_verify_is_never_signed(
    signed: tuple[History, Ed25519PrivateKey, Checkpoint],
) -> None:
    h, key, _ = signed
    _rows(h, "UPDATE stored_events SET state = CAST('{}' AS BLOB) WHERE rowid = 5")
    with pytest.raises(IntegrityViolationError) as refused:
        h.app.sign_checkpoint(h.auditor, key)
    assert refused.value.rule == "audit.integrity"
    assert "altered at position 5" in str(refused.value)
    assert len(h.app.audit_checkpoints(h.auditor)) == 1


def test_a_village_auditor_cannot_verify_the_whole_store(
    signed: tuple[History, Ed25519PrivateKey, Checkpoint],
) -> None:
    h, _, _ = signed
    with pytest.raises(PermissionDeniedError) as denied:
        h.app.verify_history(h.village_auditor)
    assert denied.value.rule == "permission.audit.read.scope"
    with pytest.raises(PermissionDeniedError) as no_role:
        h.app.verify_history(h.cadre)
    assert no_role.value.rule == "permission.audit.read"


def test_an_auditor_claim_without_a_grant_is_refused(
    signed: tuple[History, Ed25519PrivateKey, Checkpoint],
) -> None:
    h, _, _ = signed
    impostor = Actor(id="nobody", role=Role.AUDITOR, unit_id=h.auditor.unit_id)
    with pytest.raises(PermissionDeniedError) as denied:
        h.app.verify_history(impostor)
    assert denied.value.rule == "permission.grant"


def test_a_generated_key_pair_is_private_to_its_owner_and_loads_from_file_or_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private, public = generate_signing_key(tmp_path / "audit.pem")
    assert public == tmp_path / "audit.pem.pub"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    trusted = load_public_key(public)
    by_path = load_signing_key(private)
    assert key_id(by_path.public_key()) == key_id(trusted)
    monkeypatch.setenv(KEY_FILE_ENV, str(private))
    assert key_id(load_signing_key().public_key()) == key_id(trusted)
    monkeypatch.delenv(KEY_FILE_ENV)
    monkeypatch.setenv(KEY_ENV, private.read_text())
    assert key_id(load_signing_key().public_key()) == key_id(trusted)
    with pytest.raises(InvalidInputError) as exists:
        generate_signing_key(tmp_path / "audit.pem")
    assert exists.value.rule == "audit.key"


def test_missing_or_wrong_keys_are_refused_with_the_key_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(InvalidInputError) as none:
        load_signing_key()
    assert none.value.rule == "audit.key"
    not_a_key = tmp_path / "x.pem"
    not_a_key.write_text("hello")
    for load in (load_signing_key, load_public_key):
        with pytest.raises(InvalidInputError) as bad:
            load(not_a_key)
        assert bad.value.rule == "audit.key"
    from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

    ec = tmp_path / "ec.pem"
    ec.write_bytes(
        generate_private_key(SECP256R1()).private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
    )
    with pytest.raises(InvalidInputError) as wrong:
        load_signing_key(ec)
    assert wrong.value.rule == "audit.key"
    with pytest.raises(InvalidInputError) as naive:
        sign_checkpoint(Ed25519PrivateKey.generate(), 1, bytes(32), datetime(2026, 3, 2))
    assert naive.value.rule == "input.at"
    assert (
        sign_checkpoint(
            Ed25519PrivateKey.generate(), 1, bytes(32), datetime(2026, 3, 2, tzinfo=UTC)
        ).signed_at
        == "2026-03-02T00:00:00+00:00"
    )
