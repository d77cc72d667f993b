"""Residents' personal information (PIPL): sealed in events, opened only for a recorded
purpose, forgotten by destroying the key — while history, replay and audit keep working."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest

from cogov import (
    Actor,
    CoGov,
    CogovError,
    DepartureReason,
    ErasureBasis,
    IllegalTransitionError,
    InvalidInputError,
    ManualClock,
    NotFoundError,
    PermissionDeniedError,
    ResidentStatus,
    Role,
    StoreError,
)
from cogov.domain.base import AggregateSnapshot
from cogov.domain.resident import REDACTED, Resident
from cogov.security.crypto import new_key, open_field, seal_field
from cogov.security.vault import MemoryKeyVault, SqlKeyVault
from tests.security.support import PEOPLE, Deployment, deploy

NAME, PHONE, ADDRESS, HOUSEHOLD = PEOPLE[0]


@pytest.fixture
def d(clock: ManualClock) -> Deployment:
    return deploy(CoGov(clock=clock))


def register(d: Deployment, unit: UUID | None = None) -> UUID:
    return UUID(d.resident(unit or d.group).id)


def stored_bytes(app: CoGov) -> bytes:
    rows = app.store.recorder.select_notifications(None, 100_000)
    return b"\n".join(n.topic.encode() + n.state for n in rows)


def test_personal_fields_are_stored_only_as_ciphertext_with_the_key_id(d: Deployment) -> None:
    resident_id = register(d)
    blob = stored_bytes(d.app)
    for value in (NAME, PHONE, ADDRESS, HOUSEHOLD):
        assert value.encode() not in blob
        assert value.encode("unicode_escape") not in blob
    (registered,) = d.app.history(resident_id)
    assert type(registered).__name__ == "Registered"
    assert {registered.name.key_id, registered.phone.key_id} == {registered.key_id}
    assert str(registered.key_id).encode() in blob


def test_a_cadre_reads_a_contact_for_a_stated_purpose_and_the_read_is_recorded(
    d: Deployment, clock: ManualClock
) -> None:
    resident_id = register(d)
    cadre = d.grant("sec-1", Role.COMMITTEE_MEMBER, d.village)
    contact = d.app.resident_contact(cadre, resident_id, purpose="燃气入户回访")
    assert (contact.name, contact.phone, contact.address, contact.household) == (
        NAME,
        PHONE,
        ADDRESS,
        HOUSEHOLD,
    )
    assert not contact.redacted
    auditor = d.grant("audit-1", Role.AUDITOR, d.county)
    (entry,) = d.app.personal_data_accesses(auditor, resident_id)
    assert (entry.actor_id, entry.actor_role, entry.purpose) == (
        "sec-1",
        "committee_member",
        "燃气入户回访",
    )
    assert entry.fields == ("name", "phone", "address", "household")
    assert entry.at == clock.now()
    assert entry.redacted is False


def test_reading_outside_ones_scope_is_denied_and_leaves_no_trace(d: Deployment) -> None:
    resident_id = register(d, d.group)
    outsider = d.grant("gw-other", Role.GRID_WORKER, d.other)
    before = d.app.max_position()
    with pytest.raises(PermissionDeniedError) as caught:
        d.app.resident_contact(outsider, resident_id, purpose="好奇")
    assert caught.value.rule == "permission.personal.read.scope"
    assert d.app.max_position() == before


def test_an_auditor_cannot_read_personal_data_and_a_cadre_cannot_read_the_log(
    d: Deployment,
) -> None:
    resident_id = register(d)
    auditor = d.grant("audit-1", Role.AUDITOR, d.county)
    with pytest.raises(PermissionDeniedError) as caught:
        d.app.resident_contact(auditor, resident_id, purpose="抽查")
    assert caught.value.rule == "permission.personal.read"
    with pytest.raises(PermissionDeniedError) as denied:
        d.app.personal_data_accesses(d.boss, resident_id)
    assert denied.value.rule == "permission.audit.read"


def test_a_forgotten_resident_reads_as_redacted_and_the_history_still_replays(
    d: Deployment,
) -> None:
    resident_id = register(d)
    cadre = d.grant("sec-1", Role.COMMITTEE_MEMBER, d.village)
    d.app.resident_contact(cadre, resident_id, purpose="回访")
    before = stored_bytes(d.app)
    keys_before = d.app.key_vault.count()
    d.app.forget_resident(d.admin, resident_id, basis=ErasureBasis.REQUEST)
    assert d.app.key_vault.count() == keys_before - 1
    after = stored_bytes(d.app)
    assert after.startswith(before)  # the stored bytes never change; one event is appended
    contact = d.app.resident_contact(cadre, resident_id, purpose="回访")
    assert contact.redacted
    assert {contact.name, contact.phone, contact.address, contact.household} == {REDACTED}
    record = d.app.resident(resident_id)
    assert record.status is ResidentStatus.FORGOTTEN
    names = [type(e).__name__ for e in d.app.history(resident_id)]
    assert names == ["Registered", "Forgotten"]
    auditor = d.grant("audit-1", Role.AUDITOR, d.county)
    assert [e.redacted for e in d.app.personal_data_accesses(auditor, resident_id)] == [
        False,
        True,
    ]


def test_forgetting_twice_is_refused_and_records_nothing(d: Deployment) -> None:
    resident_id = register(d)
    d.app.forget_resident(d.admin, resident_id)
    before = d.app.max_position()
    with pytest.raises(IllegalTransitionError) as caught:
        d.app.forget_resident(d.admin, resident_id)
    assert caught.value.rule == "resident.transition.forget"
    assert d.app.max_position() == before


def test_only_an_administrator_forgets(d: Deployment) -> None:
    resident_id = register(d)
    cadre = d.grant("sec-1", Role.COMMITTEE_MEMBER, d.village)
    with pytest.raises(PermissionDeniedError) as caught:
        d.app.forget_resident(cadre, resident_id)
    assert caught.value.rule == "permission.personal.forget"


def test_an_unknown_resident_is_not_found(d: Deployment) -> None:
    with pytest.raises(NotFoundError) as caught:
        d.app.forget_resident(d.admin, UUID(int=7))
    assert caught.value.rule == "resident.exists"


def test_retention_shreds_departed_residents_once_the_policy_period_has_run(
    d: Deployment, clock: ManualClock
) -> None:
    stays = register(d)
    leaves_early, leaves_late = register(d), register(d)
    d.app.depart_resident(d.boss, leaves_early, reason=DepartureReason.MOVED_OUT)
    clock.advance(days=100)
    d.app.depart_resident(d.boss, leaves_late, reason=DepartureReason.DECEASED)
    retention = d.app.policy.personal_data_retention_days
    assert retention == 365
    clock.advance(days=retention - 100 + 1)  # early: 366 days ago; late: 266 days ago
    assert d.app.shred_expired_personal_data(d.admin) == [leaves_early]
    assert d.app.resident(leaves_early).status is ResidentStatus.FORGOTTEN
    assert d.app.resident(leaves_late).status is ResidentStatus.DEPARTED
    assert d.app.resident(stays).status is ResidentStatus.REGISTERED
    (forgotten,) = d.app.history(leaves_early)[-1:]
    assert forgotten.basis is ErasureBasis.RETENTION_EXPIRED
    assert d.app.shred_expired_personal_data(d.admin) == []


def test_older_than_narrows_the_sweep_but_never_widens_it_past_the_policy(
    d: Deployment, clock: ManualClock
) -> None:
    resident_id = register(d)
    d.app.depart_resident(d.boss, resident_id, reason=DepartureReason.MOVED_OUT)
    clock.advance(days=30)
    assert d.app.shred_expired_personal_data(d.admin, older_than=clock.now()) == []
    clock.advance(days=400)
    narrow = clock.now() - timedelta(days=500)
    assert d.app.shred_expired_personal_data(d.admin, older_than=narrow) == []
    assert d.app.shred_expired_personal_data(d.admin, older_than=clock.now()) == [resident_id]


def test_a_village_administrator_shreds_only_in_their_subtree(
    d: Deployment, clock: ManualClock
) -> None:
    mine, theirs = register(d, d.group), register(d, d.other)
    for resident_id in (mine, theirs):
        d.app.depart_resident(d.boss, resident_id, reason=DepartureReason.MOVED_OUT)
    clock.advance(days=400)
    village_admin = d.grant("va", Role.ADMINISTRATOR, d.village)
    assert d.app.shred_expired_personal_data(village_admin) == [mine]
    assert d.app.resident(theirs).status is ResidentStatus.DEPARTED


def test_the_sweep_destroys_a_key_left_behind_after_a_recorded_forgetting(
    d: Deployment,
) -> None:
    resident_id = register(d)
    key_id = d.app.history(resident_id)[0].key_id
    key = d.app.key_vault.get(key_id)
    assert key is not None
    d.app.forget_resident(d.admin, resident_id)
    d.app.key_vault.put(key_id, key)  # as if the process died between event and deletion
    assert d.app.shred_expired_personal_data(d.admin) == []
    assert d.app.key_vault.get(key_id) is None


def test_a_failed_save_leaves_no_orphan_key(d: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = d.app.key_vault.count()

    def broken(*_: object) -> None:
        raise StoreError("disk full", rule="store.write")

    monkeypatch.setattr(d.app, "_save", broken)
    with pytest.raises(StoreError):
        register(d)
    assert d.app.key_vault.count() == keys


def test_a_snapshot_of_a_resident_holds_only_ciphertext(d: Deployment) -> None:
    resident_id = register(d)
    resident = d.app._get(Resident, resident_id)
    snapshot = AggregateSnapshot.take(resident).model_dump_json()
    for value in (NAME, PHONE, ADDRESS, HOUSEHOLD):
        assert value not in snapshot
    restored = AggregateSnapshot.model_validate_json(snapshot).mutate(None)
    assert isinstance(restored, Resident)
    assert restored.sealed == resident.sealed


def test_the_public_record_of_a_resident_carries_no_personal_fields(d: Deployment) -> None:
    resident_id = register(d)
    text = d.app.resident(resident_id).model_dump_json()
    assert set(d.app.resident(resident_id).model_dump()) == {
        "id",
        "version",
        "created_on",
        "modified_on",
        "unit_id",
        "status",
        "registered_at",
        "departed_at",
        "forgotten_at",
    }
    for value in (NAME, PHONE, ADDRESS, HOUSEHOLD):
        assert value not in text


def test_a_contact_never_prints_its_personal_fields(d: Deployment) -> None:
    contact = d.app.resident_contact(d.boss, register(d), purpose="回访")
    assert NAME not in repr(contact)
    assert PHONE not in str(contact)
    assert f"{contact!r}" == f"ResidentContact(resident_id={contact.resident_id}, redacted=False)"


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"phone": f"tel:{PHONE}-{NAME}"}, "input.phone"),
        ({"name": NAME * 101}, "input.name"),
        ({"address": ADDRESS + "x" * 300}, "input.address"),
        ({"household": ""}, "input.household"),
    ],
)
def test_refusals_never_echo_personal_data(
    d: Deployment, fields: dict[str, str], rule: str
) -> None:
    values = {"name": NAME, "phone": PHONE, "address": ADDRESS, "household": HOUSEHOLD, **fields}
    before = d.app.max_position()
    with pytest.raises(InvalidInputError) as caught:
        d.app.register_resident(d.boss, unit_id=d.group, **values)
    assert caught.value.rule == rule
    text = f"{caught.value} {caught.value.errors} {caught.value.details}"
    for value in (NAME, PHONE, ADDRESS):
        assert value not in text
    assert d.app.max_position() == before


def test_a_denied_registration_never_echoes_personal_data(d: Deployment) -> None:
    impostor = Actor(id="gw-x", role=Role.GRID_WORKER, unit_id=d.village)
    with pytest.raises(CogovError) as caught:
        d.app.register_resident(
            impostor, unit_id=d.group, name=NAME, phone=PHONE, address=ADDRESS, household="户1"
        )
    assert caught.value.rule == "permission.grant"
    assert NAME not in str(caught.value)
    assert PHONE not in str(caught.value)


def test_personal_commands_take_no_idempotency_key(d: Deployment) -> None:
    with pytest.raises(InvalidInputError) as caught:
        d.app.register_resident(
            d.boss,
            unit_id=d.group,
            name=NAME,
            phone=PHONE,
            address=ADDRESS,
            household=HOUSEHOLD,
            idempotency_key="k-1",  # type: ignore[call-arg]
        )
    assert caught.value.rule == "input.arguments"
    assert "idempotency_key" in str(caught.value)


def test_a_sealed_field_opens_only_as_the_same_field_of_the_same_resident() -> None:
    key = new_key()
    key_id, resident, other = UUID(int=1), UUID(int=2), UUID(int=3)
    sealed = seal_field(key, key_id, resident, "phone", PHONE)
    assert open_field(key, resident, "phone", sealed) == PHONE
    assert open_field(key, resident, "name", sealed) is None
    assert open_field(key, other, "phone", sealed) is None
    assert open_field(new_key(), resident, "phone", sealed) is None
    assert seal_field(key, key_id, resident, "phone", PHONE).nonce != sealed.nonce


def test_keys_live_in_their_own_table_on_sqlite(sqlite_url: str, clock: ManualClock) -> None:
    app = CoGov(sqlite_url, clock=clock)
    d = deploy(app)
    resident_id = register(d)
    key_id = app.history(resident_id)[0].key_id
    assert isinstance(app.key_vault, SqlKeyVault)
    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        (count,) = db.execute("SELECT count(*) FROM pii_keys WHERE key_id = ?", (str(key_id),))
        assert count == (1,)
    with app.key_vault._engine.connect() as conn:  # deleted keys are overwritten on disk
        assert conn.exec_driver_sql("PRAGMA secure_delete").fetchone() == (1,)
    app.forget_resident(d.admin, resident_id)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM pii_keys").fetchone() == (0,)
    app.close()
    reopened = CoGov(sqlite_url, clock=clock)
    contact = reopened.resident_contact(d.boss, resident_id, purpose="核对")
    assert contact.redacted
    reopened.close()


def test_keys_can_live_in_a_separate_database(tmp_path: Path, clock: ManualClock) -> None:
    events_url = f"sqlite:///{tmp_path / 'events.db'}"
    keys_url = f"sqlite:///{tmp_path / 'keys.db'}"
    app = CoGov(events_url, clock=clock, pii_key_url=keys_url)
    d = deploy(app)
    resident_id = register(d)
    with sqlite3.connect(tmp_path / "events.db") as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "pii_keys" not in tables
    with sqlite3.connect(tmp_path / "keys.db") as db:
        assert db.execute("SELECT count(*) FROM pii_keys").fetchone() == (1,)
    assert app.resident_contact(d.boss, resident_id, purpose="回访").name == NAME
    app.close()


def test_a_host_may_supply_its_own_key_vault(clock: ManualClock) -> None:
    vault = MemoryKeyVault()
    d = deploy(CoGov(clock=clock, key_vault=vault))
    register(d)
    assert vault.count() == 1


def test_register_read_and_forget_on_every_backend(
    store_url: str | None, clock: ManualClock
) -> None:
    app = CoGov(store_url, clock=clock)
    d = deploy(app)
    resident_id = register(d)
    assert app.resident_contact(d.boss, resident_id, purpose="回访").phone == PHONE
    keys = app.key_vault.count()
    app.forget_resident(d.admin, resident_id)
    assert app.key_vault.count() == keys - 1
    assert PHONE.encode() not in stored_bytes(app)
    assert app.resident_contact(d.boss, resident_id, purpose="回访").phone == REDACTED
    departed = register(d)
    app.depart_resident(d.boss, departed, reason=DepartureReason.MOVED_OUT)
    clock.advance(days=366)
    assert app.shred_expired_personal_data(d.admin) == [departed]
    app.close()


def test_reads_refuse_malformed_ids_as_invalid_input(d: Deployment) -> None:
    with pytest.raises(InvalidInputError) as caught:
        d.app.resident("'; DROP TABLE pii_keys; --")  # type: ignore[arg-type]
    assert caught.value.rule == "input.resident_id"
    with pytest.raises(InvalidInputError) as denied:
        d.app.personal_data_accesses(d.admin, 42)  # type: ignore[arg-type]
    assert denied.value.rule == "input.resident_id"
