"""Resident commands: register with sealed personal information, read it only for a
recorded purpose, and forget it (PIPL Art. 47) — by request or when the retention ends.

Commands that handle personal information in the clear (``register_resident``,
``resident_contact``) take no idempotency key: a key's record keeps a digest of the
arguments and the result, and neither may be derived from personal information.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, ParamSpec, TypeVar, cast
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError, PersistenceError
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, validate_call

from cogov.app.core import AppCore, _invalid_input, command
from cogov.app.records import Record
from cogov.domain.resident import (
    PERSONAL_FIELDS,
    REDACTED,
    DepartureReason,
    ErasureBasis,
    PersonalDataAccessLog,
    Resident,
    ResidentStatus,
    access_log_id,
)
from cogov.domain.values import Actor, ShortText
from cogov.errors import (
    ConcurrencyError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    StoreError,
)
from cogov.security.crypto import new_key, open_field, seal_field
from cogov.security.permissions import Permission as P

__all__ = [
    "PersonalDataAccess",
    "Phone",
    "ResidentCommands",
    "ResidentContact",
    "ResidentRecord",
]

Ps = ParamSpec("Ps")
R = TypeVar("R")

#: a telephone number: digits, optional leading +, spaces or hyphens (5–20 characters)
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 \-]{3,18}[0-9]$")
]


class ResidentRecord(Record):
    """What anyone may see of a resident: the pseudonymous id and status, no personal data."""

    unit_id: UUID
    status: ResidentStatus
    registered_at: datetime
    departed_at: datetime | None
    forgotten_at: datetime | None


class ResidentContact(BaseModel):
    """A resident's personal information, opened for a recorded purpose."""

    model_config = ConfigDict(frozen=True)
    resident_id: UUID
    unit_id: UUID
    name: str
    phone: str
    address: str
    household: str
    redacted: bool

    def __repr__(self) -> str:  # never echo personal data into logs or tracebacks
        return f"ResidentContact(resident_id={self.resident_id}, redacted={self.redacted})"

    __str__ = __repr__


class PersonalDataAccess(BaseModel):
    """One entry of the access log: who read whose personal data, when and why."""

    model_config = ConfigDict(frozen=True)
    resident_id: UUID
    actor_id: str
    actor_role: str
    actor_unit_id: UUID
    purpose: str
    fields: tuple[str, ...]
    redacted: bool
    at: datetime


def _by_name(func: Callable[Ps, R]) -> Callable[Ps, R]:
    """``func`` validated by pydantic, every argument passed by name (so an error's location
    names the parameter, not its position)."""
    validated = validate_call(config=ConfigDict(arbitrary_types_allowed=True))(func)
    signature = inspect.signature(func)

    def call(*args: Ps.args, **kwargs: Ps.kwargs) -> R:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as e:
            raise InvalidInputError(str(e), rule="input.arguments") from None
        return validated(**bound.arguments)  # type: ignore[call-arg]

    return call


def personal_command(func: Callable[Ps, R]) -> Callable[Ps, R]:
    """Like :func:`cogov.app.core.command` (validated input, typed errors, retried on a lost
    race) but without an idempotency key: for commands whose arguments or result are
    personal information."""
    validated = _by_name(func)

    @functools.wraps(func)
    def run(*args: Ps.args, **kwargs: Ps.kwargs) -> R:
        app = cast(AppCore, args[0])
        for _ in range(app.max_attempts):
            try:
                return validated(*args, **kwargs)
            except ValidationError as e:
                raise _invalid_input(e) from None
            except IntegrityError:
                app._forget_cached()
                continue
            except PersistenceError as e:
                raise StoreError(
                    f"the store refused the command: {type(e).__name__}", rule="store.write"
                ) from None
        raise ConcurrencyError(
            f"{func.__name__} lost {app.max_attempts} races with other writers; try again",
            rule="concurrency.retries",
        )

    run.__cogov_command__ = True  # type: ignore[attr-defined]
    return run


def checked_query(func: Callable[Ps, R]) -> Callable[Ps, R]:
    """A read with validated arguments: malformed input is an :class:`InvalidInputError`."""
    validated = _by_name(func)

    @functools.wraps(func)
    def run(*args: Ps.args, **kwargs: Ps.kwargs) -> R:
        try:
            return validated(*args, **kwargs)
        except ValidationError as e:
            raise _invalid_input(e) from None

    return run


class ResidentCommands(AppCore):
    @personal_command
    def register_resident(
        self,
        actor: Actor,
        *,
        unit_id: UUID,
        name: ShortText,
        phone: Phone,
        address: ShortText,
        household: ShortText,
    ) -> UUID:
        """Register a resident of a unit; returns the pseudonymous id issues refer to.

        Each personal field is sealed under a new key of the resident's own, kept in the key
        vault; the event holds only ciphertext and the key id."""
        self._authorize(actor, P.REGISTER_RESIDENT, unit_id)
        resident_id, key_id, key = uuid4(), uuid4(), new_key()
        values = {"name": name, "phone": phone, "address": address, "household": household}
        sealed = {f: seal_field(key, key_id, resident_id, f, values[f]) for f in PERSONAL_FIELDS}
        resident = Resident.register(
            self._ctx(actor), id=resident_id, unit_id=unit_id, key_id=key_id, sealed=sealed
        )
        self.key_vault.put(key_id, key)
        try:
            self._save(resident)
        except BaseException:
            self.key_vault.destroy(key_id)  # nothing was recorded: leave no orphan key
            raise
        return resident_id

    @command
    def depart_resident(self, actor: Actor, resident_id: UUID, *, reason: DepartureReason) -> None:
        """迁出: the resident left; the retention period of their personal data starts."""
        resident = self._get(Resident, resident_id)
        self._authorize(actor, P.REGISTER_RESIDENT, resident.unit_id)
        resident.depart(self._ctx(actor), reason=reason)
        self._save(resident)

    @personal_command
    def forget_resident(
        self, actor: Actor, resident_id: UUID, *, basis: ErasureBasis = ErasureBasis.REQUEST
    ) -> None:
        """Delete a resident's personal information (PIPL Art. 47) by destroying their key.

        The ``Forgotten`` event is recorded first, then the key destroyed: the history keeps
        replaying, every field reads as ``[已删除 redacted]``, and the stored bytes — hence
        the audit hash chain — never change."""
        resident = self._get(Resident, resident_id)
        self._authorize(actor, P.FORGET_RESIDENT, resident.unit_id)
        resident.forget(self._ctx(actor), basis=basis)
        self._save(resident)
        self.key_vault.destroy(resident.key_id)

    @personal_command
    def resident_contact(
        self, actor: Actor, resident_id: UUID, *, purpose: ShortText
    ) -> ResidentContact:
        """Open a resident's personal information. Needs ``personal.read`` over the
        resident's unit; the read itself is recorded (who, when, why) before anything is
        decrypted."""
        resident = self._get(Resident, resident_id)
        self._authorize(actor, P.READ_PERSONAL_DATA, resident.unit_id)
        key = None if resident.forgotten else self.key_vault.get(resident.key_id)
        ctx = self._ctx(actor)
        redacted = key is None
        try:
            log = self._get(PersonalDataAccessLog, access_log_id(resident_id))
        except NotFoundError:
            log = PersonalDataAccessLog.first_access(
                ctx, resident=resident, purpose=purpose, fields=PERSONAL_FIELDS, redacted=redacted
            )
        else:
            log.record_access(ctx, purpose=purpose, fields=PERSONAL_FIELDS, redacted=redacted)
        self._save(log)
        opened = {f: _open(key, resident, f) for f in PERSONAL_FIELDS}
        return ResidentContact(
            resident_id=resident_id,
            unit_id=resident.unit_id,
            redacted=any(v == REDACTED for v in opened.values()),
            **opened,
        )

    @personal_command
    def shred_expired_personal_data(
        self, actor: Actor, *, older_than: datetime | None = None
    ) -> list[UUID]:
        """Forget every departed resident in the actor's scope whose retention period
        (``Policy.personal_data_retention_days`` after departure) has run out. ``older_than``
        can narrow the sweep to earlier departures, never widen it past the policy. Also
        destroys any key a crash left behind after a recorded ``Forgotten``. Returns the
        residents forgotten now."""
        self._check_role(actor, P.FORGET_RESIDENT)
        ctx = self._ctx(actor)
        cutoff = ctx.now - timedelta(days=ctx.policy.personal_data_retention_days)
        if older_than is not None:
            cutoff = min(cutoff, older_than)
        forgotten: list[UUID] = []
        batch: list[Resident] = []
        for resident_id in self._residents_with(Resident.Departed.TOPIC):
            resident = self._get(Resident, resident_id)
            started = resident.retention_started()
            if resident.forgotten or started is None or started > cutoff:
                continue
            if not self._covers(actor, resident.unit_id):
                continue
            resident.forget(ctx, basis=ErasureBasis.RETENTION_EXPIRED)
            batch.append(resident)
            if len(batch) >= 100:
                forgotten += self._forget_batch(batch)
                batch = []
        forgotten += self._forget_batch(batch)
        for resident_id in self._residents_with(Resident.Forgotten.TOPIC):
            resident = self._get(Resident, resident_id)
            if self._covers(actor, resident.unit_id):
                self.key_vault.destroy(resident.key_id)
        return forgotten

    # -- reads ------------------------------------------------------------------------------
    @checked_query
    def resident(self, resident_id: UUID) -> ResidentRecord:
        """A resident's pseudonymous record (no personal information)."""
        return ResidentRecord.model_validate(self._get(Resident, resident_id))

    @checked_query
    def personal_data_accesses(self, actor: Actor, resident_id: UUID) -> list[PersonalDataAccess]:
        """The access log of one resident's personal data (needs ``audit.read``)."""
        resident = self._get(Resident, resident_id)
        self._authorize(actor, P.READ_AUDIT, resident.unit_id)
        return [
            PersonalDataAccess(
                resident_id=e.resident_id,
                actor_id=e.actor.id,
                actor_role=str(e.actor.role),
                actor_unit_id=e.actor.unit_id,
                purpose=e.purpose,
                fields=e.fields,
                redacted=e.redacted,
                at=e.timestamp,
            )
            for e in self.history(access_log_id(resident_id))
        ]

    # -- helpers ----------------------------------------------------------------------------
    def _forget_batch(self, batch: list[Resident]) -> list[UUID]:
        if not batch:
            return []
        self._save(*batch)
        for resident in batch:
            self.key_vault.destroy(resident.key_id)
        return [r.id for r in batch]

    def _covers(self, actor: Actor, unit_id: UUID) -> bool:
        try:
            self._authorize(actor, P.FORGET_RESIDENT, unit_id)
        except PermissionDeniedError:
            return False
        return True

    def _residents_with(self, topic: str) -> list[UUID]:
        """Ids of residents with an event of ``topic``, in the order of the global log."""
        found: dict[UUID, None] = {}
        start: int | None = None
        while True:
            page = self.store.recorder.select_notifications(start, 1000, topics=[topic])
            if not page:
                return list(found)
            for notification in page:
                found[UUID(str(notification.originator_id))] = None
            start = page[-1].id + 1


def _open(key: bytes | None, resident: Resident, field: str) -> str:
    if key is None:
        return REDACTED
    opened = open_field(key, resident.id, field, resident.sealed[field])
    return REDACTED if opened is None else opened
