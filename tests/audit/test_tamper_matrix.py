"""The tamper matrix: thousands of single-byte changes, and deleted, inserted, swapped and
truncated rows, each on a fresh copy of a SQLite store — every one detected, with the first
bad event named; the untouched store always verifies.

``COGOV_TAMPER_CASES`` sets the number of single-byte changes (CI default 2,000; the
documented run uses 10,000). The other kinds run ``max(20, cases // 40)`` times each.
"""

from __future__ import annotations

import os
import random
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from cogov import BreachKind, CoGov, ManualClock, VerificationReport
from cogov.audit.offline import verify_database

from .support import open_history, run_matter

CASES = int(os.environ.get("COGOV_TAMPER_CASES", "2000"))
OTHER_CASES = max(20, CASES // 40)
SEED = int(os.environ.get("COGOV_TAMPER_SEED", "20260302"))


@dataclass(frozen=True)
class StoredRow:
    position: int
    originator_id: str
    version: int
    topic: str
    state: bytes


@dataclass
class Pristine:
    image: bytes  # the database file, checkpointed (no WAL)
    rows: list[StoredRow]
    trusted: Ed25519PublicKey
    workdir: Path

    def copy(self) -> Path:
        """A fresh copy of the database file (the previous copy is removed)."""
        for old in self.workdir.glob("case-*"):
            old.unlink()
        path = self.workdir / f"case-{uuid.uuid4().hex}.db"
        path.write_bytes(self.image)
        return path

    def verify(self, path: Path) -> VerificationReport:
        return verify_database(f"sqlite:///{path}", self.trusted)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pristine]:
    workdir = tmp_path_factory.mktemp("tamper")
    db = workdir / "pristine.db"
    clock = ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    key = Ed25519PrivateKey.generate()
    app = CoGov(f"sqlite:///{db}", clock=clock)
    h = open_history(app, clock)
    for n in range(6):
        run_matter(h, title=f"危桥{n}")
    app.sign_checkpoint(h.auditor, key)
    for n in range(6):
        run_matter(h, title=f"道路{n}")
    app.sign_checkpoint(h.auditor, key)
    app.close()
    image = workdir / "image.db"  # one self-contained file (no WAL) to copy for each case
    source, target = sqlite3.connect(db), sqlite3.connect(image)
    source.backup(target)
    target.execute("PRAGMA journal_mode=DELETE")
    source.close()
    target.close()
    with sqlite3.connect(image) as conn:
        rows = [
            StoredRow(*r)
            for r in conn.execute(
                "SELECT rowid, originator_id, originator_version, topic, state "
                "FROM stored_events ORDER BY rowid"
            )
        ]
    conn.close()
    return Pristine(image=image.read_bytes(), rows=rows, trusted=key.public_key(), workdir=workdir)


def tamper(path: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA synchronous=OFF")  # a scratch copy: no need to wait for the disk
        with conn:
            for sql, params in statements:
                conn.execute(sql, params)
    finally:
        conn.close()


@dataclass(frozen=True)
class Expected:
    kind: BreachKind
    position: int
    originator_id: str | None
    version: int | None
    found_id: str | None = None
    found_version: int | None = None


HEX = "0123456789abcdef"


def byte_change(rng: random.Random, p: Pristine, path: Path) -> Expected:
    """Change one byte of one stored event: mostly its state, sometimes its topic, its
    originator id or its version."""
    row = rng.choice(p.rows)
    what = rng.random()
    found_id, found_version = row.originator_id, row.version
    if what < 0.85:
        state = bytearray(row.state)
        i = rng.randrange(len(state))
        state[i] = (state[i] + rng.randrange(1, 256)) % 256
        tamper(
            path, ("UPDATE stored_events SET state=? WHERE rowid=?", (bytes(state), row.position))
        )
    elif what < 0.90:
        i = rng.randrange(len(row.topic))
        ch = rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz.:" if c != row.topic[i]])
        topic = row.topic[:i] + ch + row.topic[i + 1 :]
        tamper(path, ("UPDATE stored_events SET topic=? WHERE rowid=?", (topic, row.position)))
    elif what < 0.95:
        i = rng.randrange(32)
        ch = rng.choice([c for c in HEX + "ABCDEF" if c != row.originator_id[i]])
        found_id = row.originator_id[:i] + ch + row.originator_id[i + 1 :]
        tamper(
            path,
            ("UPDATE stored_events SET originator_id=? WHERE rowid=?", (found_id, row.position)),
        )
    else:
        found_version = row.version + rng.randrange(1000, 2000)
        tamper(
            path,
            (
                "UPDATE stored_events SET originator_version=? WHERE rowid=?",
                (found_version, row.position),
            ),
        )
    return Expected(
        BreachKind.ALTERED, row.position, row.originator_id, row.version, found_id, found_version
    )


def deleted_row(rng: random.Random, p: Pristine, path: Path) -> Expected:
    row = rng.choice(p.rows[:-1])
    tamper(path, ("DELETE FROM stored_events WHERE rowid=?", (row.position,)))
    return Expected(BreachKind.MISSING, row.position, row.originator_id, row.version)


def inserted_row(rng: random.Random, p: Pristine, path: Path) -> Expected:
    """Insert a forged event in the middle: renumber the rows after it to make room."""
    row = rng.choice(p.rows[1:])
    template = rng.choice(p.rows)
    forged = uuid.uuid4().hex
    tamper(
        path,
        ("UPDATE stored_events SET rowid = -rowid WHERE rowid >= ?", (row.position,)),
        ("UPDATE stored_events SET rowid = 1 - rowid WHERE rowid < 0", ()),
        (
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
            "VALUES (?, ?, 1, ?, ?)",
            (row.position, forged, template.topic, template.state),
        ),
    )
    return Expected(BreachKind.ALTERED, row.position, row.originator_id, row.version, forged, 1)


def swapped_rows(rng: random.Random, p: Pristine, path: Path) -> Expected:
    a, b = sorted(rng.sample(p.rows, 2), key=lambda r: r.position)
    sql = (
        "UPDATE stored_events SET originator_id=?, originator_version=?, topic=?, state=? "
        "WHERE rowid=?"
    )
    tamper(
        path,
        (sql, ("parked", -1, a.topic, a.state, a.position)),
        (sql, (a.originator_id, a.version, a.topic, a.state, b.position)),
        (sql, (b.originator_id, b.version, b.topic, b.state, a.position)),
    )
    return Expected(
        BreachKind.ALTERED, a.position, a.originator_id, a.version, b.originator_id, b.version
    )


def truncated_tail(rng: random.Random, p: Pristine, path: Path) -> Expected:
    """Cut the tail of the log; half the time remove the chain links of the tail too, so
    only the signed checkpoint beyond the end reveals it."""
    keep = rng.randrange(len(p.rows) // 2, len(p.rows) - 1)
    first_gone = p.rows[keep]
    statements: list[tuple[str, tuple[object, ...]]] = [
        ("DELETE FROM stored_events WHERE rowid >= ?", (first_gone.position,))
    ]
    if rng.random() < 0.5:
        statements.append(("DELETE FROM audit_chain WHERE position >= ?", (first_gone.position,)))
        tamper(path, *statements)
        return Expected(BreachKind.TRUNCATED, first_gone.position, None, None)
    tamper(path, *statements)
    return Expected(
        BreachKind.MISSING, first_gone.position, first_gone.originator_id, first_gone.version
    )


def check(report: VerificationReport, expected: Expected, case: str) -> None:
    breach = report.breach
    assert not report.intact, case
    assert breach is not None, case
    got = (
        breach.kind,
        breach.position,
        breach.originator_id.hex if breach.originator_id else None,
        breach.originator_version,
    )
    assert got == (
        expected.kind,
        expected.position,
        expected.originator_id,
        expected.version,
    ), case
    if expected.found_id is not None:
        found = breach.found_originator_id.hex if breach.found_originator_id else None
        assert found == expected.found_id.lower() or (
            found is None and not _is_uuid(expected.found_id)
        ), case
        assert breach.found_originator_version == expected.found_version, case


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(hex=text)
    except ValueError:
        return False
    return True


def test_the_untouched_store_verifies_with_both_checkpoints(pristine: Pristine) -> None:
    report = pristine.verify(pristine.copy())
    assert report.intact
    assert report.breach is None
    assert report.events == len(pristine.rows)
    assert report.covered_through == pristine.rows[-1].position
    assert report.uncovered == 0
    assert report.checkpoints_verified == 2


def run_matrix(
    pristine: Pristine, make: Callable[[random.Random, Pristine, Path], Expected], cases: int
) -> int:
    rng = random.Random(f"{SEED}:{make.__name__}")
    detected = 0
    for n in range(cases):
        path = pristine.copy()
        expected = make(rng, pristine, path)
        check(pristine.verify(path), expected, f"{make.__name__} case {n}: {expected}")
        detected += 1
    return detected


def test_every_single_byte_change_is_detected_and_named(pristine: Pristine) -> None:
    assert run_matrix(pristine, byte_change, CASES) == CASES


@pytest.mark.parametrize(
    "make",
    [deleted_row, inserted_row, swapped_rows, truncated_tail],
    ids=["deleted", "inserted", "swapped", "truncated"],
)
def test_every_deleted_inserted_swapped_or_truncated_row_is_detected(
    pristine: Pristine, make: Callable[[random.Random, Pristine, Path], Expected]
) -> None:
    assert run_matrix(pristine, make, OTHER_CASES) == OTHER_CASES
    assert pristine.verify(pristine.copy()).intact  # and the untouched store still verifies
