"""Forget N residents in a populated SQLite store, then look for them everywhere.

``COGOV_FORGET_RESIDENTS`` sets N (CI default 200; the documented run uses 1,000). Every
table of the database file, the raw file bytes (database and write-ahead log) and an export
of all events are scanned for the forgotten residents' names, phones and keys: 0 hits. The
stored event bytes are identical before and after (so a hash chain over them still
verifies), every aggregate replays, and every view of a forgotten resident reads redacted.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from pathlib import Path
from uuid import UUID

import orjson

from cogov import Channel, CoGov, ManualClock, ResidentStatus, Role
from cogov.domain.base import project
from cogov.domain.resident import REDACTED
from cogov.security.vault import SqlKeyVault
from tests.security.support import deploy

N = int(os.environ.get("COGOV_FORGET_RESIDENTS", "200"))
KEPT = 20

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def person(i: int) -> tuple[str, str, str, str]:
    given = GIVEN[(i // len(SURNAMES)) % len(GIVEN)]
    name = SURNAMES[i % len(SURNAMES)] + given + GIVEN[i % len(GIVEN)] + f"{i:05d}"
    return name, f"139{i:08d}", f"渡河村1组{i}号", f"户{i:05d}"


def all_cells(path: Path) -> list[bytes]:
    """Every value of every row of every table, as bytes."""
    cells: list[bytes] = []
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert "pii_keys" in tables
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if isinstance(value, bytes):
                        cells.append(value)
                    elif value is not None:
                        cells.append(str(value).encode())
    return cells


def stored_digest(app: CoGov, upto: int) -> str:
    digest = hashlib.sha256()
    for n in app.store.recorder.select_notifications(None, upto + 1, stop=upto):
        digest.update(f"{n.id}|{n.originator_id}|{n.originator_version}|{n.topic}|".encode())
        digest.update(n.state)
    return digest.hexdigest()


def test_forgotten_residents_leave_no_plaintext_anywhere_and_history_still_replays(
    tmp_path: Path, clock: ManualClock
) -> None:
    db_path = tmp_path / "cogov.db"
    url = f"sqlite:///{db_path}?synchronous=NORMAL"
    app = CoGov(url, clock=clock)
    d = deploy(app)
    grid = d.grant("gw-1", Role.GRID_WORKER, d.village)
    started = time.perf_counter()
    residents: list[UUID] = []
    for i in range(N + KEPT):
        name, phone, address, household = person(i)
        resident_id = app.register_resident(
            grid, unit_id=d.group, name=name, phone=phone, address=address, household=household
        )
        residents.append(resident_id)
        app.collect_issue(
            grid,
            unit_id=d.group,
            channel=Channel.GRID_WORKER,
            raised_by=resident_id,
            title="楼道灯不亮",
            description="三楼楼道灯坏了",
        )
        if i % 5 == 0:
            assert app.resident_contact(grid, resident_id, purpose="回访").name == name
    forget, kept = residents[:N], residents[N:]
    vault = app.key_vault
    assert isinstance(vault, SqlKeyVault)
    keys = {r: vault.get(app.history(r)[0].key_id) for r in forget}
    assert all(k is not None for k in keys.values())
    position = app.max_position()
    digest_before = stored_digest(app, position)
    for resident_id in forget:
        app.forget_resident(d.admin, resident_id)
    elapsed = time.perf_counter() - started
    assert app.views.rebuild() == app.max_position()  # every view rebuilds from the history
    vault.compact()

    needles = [n.encode() for i in range(N) for n in person(i)[:2]]
    needles += [k for k in keys.values() if k is not None]
    cells = all_cells(db_path)
    table_blob = b"\x00".join(cells)  # no needle holds a NUL, so none spans two cells
    table_hits = sum(1 for needle in needles if needle in table_blob)
    raw = db_path.read_bytes()
    wal = Path(f"{db_path}-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    raw_hits = sum(1 for needle in needles if needle in raw)
    export = b"\n".join(
        orjson.dumps({"position": n.id, "topic": n.topic, "state": orjson.loads(n.state)})
        for n in app.store.recorder.select_notifications(None, 10**9)
    )
    export_hits = sum(1 for needle in needles if needle in export)
    print(
        f"\nforgot {N} of {N + KEPT} residents in {elapsed:.1f}s; scanned {len(cells)} cells, "
        f"{len(raw):,} raw bytes, {len(export):,} export bytes for {len(needles)} names, phones "
        f"and keys: {table_hits} table hits, {raw_hits} raw hits, {export_hits} export hits"
    )
    assert (table_hits, raw_hits, export_hits) == (0, 0, 0)
    # the scans can see: the kept residents' keys are found in the table and on disk
    kept_keys = [vault.get(app.history(r)[0].key_id) for r in kept]
    assert all(k is not None and k in raw and k in table_blob for k in kept_keys)
    assert vault.count() == KEPT
    assert stored_digest(app, position) == digest_before  # the audited bytes never changed

    ids = list(
        dict.fromkeys(n.originator_id for n in app.store.recorder.select_notifications(None, 10**9))
    )
    for aggregate_id in ids:
        assert project(None, app.history(aggregate_id)) is not None
    app.close()

    reopened = CoGov(url, clock=clock)
    for resident_id in forget[:25]:
        assert reopened.resident(resident_id).status is ResidentStatus.FORGOTTEN
        contact = reopened.resident_contact(d.boss, resident_id, purpose="核对")
        assert {contact.name, contact.phone, contact.address, contact.household} == {REDACTED}
    for i, resident_id in enumerate(kept[:5], N):
        assert reopened.resident_contact(d.boss, resident_id, purpose="核对").name == person(i)[0]
    reopened.close()
