"""Resident: a person's pseudonymous identity and their sealed personal information.

Issues, ratings and contributions refer to a resident only by the pseudonymous id (a UUID).
The personal fields — name, phone, address, household — are recorded *sealed*: each is
encrypted (AES-256-GCM) under a key of the resident's own, kept in a key vault apart from
the events; an event carries only the key id, the nonce and the ciphertext. The domain never
sees plaintext: the application seals before deciding and opens only for a recorded read.

    registered ─depart (迁出)─▶ departed
    registered | departed ─forget (PIPL Art. 47: the key is destroyed)─▶ forgotten

:class:`PersonalDataAccessLog` records every read of a resident's personal information
(who, when, why, which fields) — one log per resident, so auditors see whose data was read.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID, uuid5

from pydantic import Field

from cogov.domain.base import Aggregate, Context, DomainEvent, Started, applies
from cogov.domain.values import ShortText, Value
from cogov.errors import RuleViolationError

__all__ = [
    "PERSONAL_FIELDS",
    "REDACTED",
    "DepartureReason",
    "ErasureBasis",
    "PersonalDataAccessLog",
    "Resident",
    "ResidentStatus",
    "Sealed",
    "access_log_id",
]

#: what a forgotten (or unreadable) personal field reads as, everywhere
REDACTED = "[已删除 redacted]"
#: the personal fields of a resident, in the order they are sealed
PERSONAL_FIELDS: tuple[str, ...] = ("name", "phone", "address", "household")

_ACCESS_LOG_NS = UUID("9b0e4d1a-3c57-4f0e-8a61-5d2b7c9e1f40")


def access_log_id(resident_id: UUID) -> UUID:
    """The id of a resident's personal-data access log (one per resident)."""
    return uuid5(_ACCESS_LOG_NS, str(resident_id))


class Sealed(Value):
    """One encrypted field: key id, base64 nonce, base64 ciphertext (AES-256-GCM)."""

    key_id: UUID
    nonce: str = Field(min_length=16, max_length=16)
    ciphertext: str = Field(min_length=24, max_length=8000)


class ResidentStatus(StrEnum):
    REGISTERED = "registered"  # 在册
    DEPARTED = "departed"  # 已迁出
    FORGOTTEN = "forgotten"  # 个人信息已删除


class DepartureReason(StrEnum):
    """Why a resident left the unit's register (an enum: no free text about a person)."""

    MOVED_OUT = "moved_out"  # 迁出
    DECEASED = "deceased"  # 去世
    OTHER = "other"


class ErasureBasis(StrEnum):
    """Why personal information was deleted (个人信息保护法 第四十七条)."""

    REQUEST = "request"  # 本人请求删除
    RETENTION_EXPIRED = "retention_expired"  # 保存期限已届满
    PURPOSE_ACHIEVED = "purpose_achieved"  # 处理目的已实现或不再必要
    CONSENT_WITHDRAWN = "consent_withdrawn"  # 撤回同意


class Resident(Aggregate):
    TOPIC: ClassVar[str] = "cogov:Resident"

    class Event(DomainEvent):
        pass

    class Registered(Started, Event):
        """A resident was registered in a unit; personal fields sealed under their key."""

        TOPIC: ClassVar[str] = "cogov:Resident.Registered"
        key_id: UUID
        name: Sealed
        phone: Sealed
        address: Sealed
        household: Sealed

    class Departed(Event):
        """迁出: the resident left the unit; the retention period starts."""

        TOPIC: ClassVar[str] = "cogov:Resident.Departed"
        reason: DepartureReason

    class Forgotten(Event):
        """The resident's key was destroyed: their personal fields read as redacted."""

        TOPIC: ClassVar[str] = "cogov:Resident.Forgotten"
        key_id: UUID
        basis: ErasureBasis

    unit_id: UUID
    status: ResidentStatus
    key_id: UUID
    sealed: dict[str, Sealed]
    registered_at: datetime
    departed_at: datetime | None
    forgotten_at: datetime | None

    @classmethod
    def register(
        cls, ctx: Context, *, id: UUID, unit_id: UUID, key_id: UUID, sealed: dict[str, Sealed]
    ) -> Resident:
        if set(sealed) != set(PERSONAL_FIELDS):
            raise RuleViolationError(
                f"a resident's record seals exactly {', '.join(PERSONAL_FIELDS)}",
                rule="resident.fields",
            )
        if any(s.key_id != key_id for s in sealed.values()):
            raise RuleViolationError(
                "every personal field is sealed under the resident's own key",
                rule="resident.key.own",
            )
        return cls._start(cls.Registered, ctx, id=id, unit_id=unit_id, key_id=key_id, **sealed)

    def depart(self, ctx: Context, *, reason: DepartureReason) -> None:
        if self.status is not ResidentStatus.REGISTERED:
            raise self._refuse("depart", {ResidentStatus.REGISTERED}, self.status)
        self._record(self.Departed, ctx, reason=reason)

    def forget(self, ctx: Context, *, basis: ErasureBasis) -> None:
        if self.status is ResidentStatus.FORGOTTEN:
            raise self._refuse(
                "forget", {ResidentStatus.REGISTERED, ResidentStatus.DEPARTED}, self.status
            )
        self._record(self.Forgotten, ctx, key_id=self.key_id, basis=basis)

    @property
    def forgotten(self) -> bool:
        return self.status is ResidentStatus.FORGOTTEN

    def retention_started(self) -> datetime | None:
        """When the retention period began: the departure (in-register residents: never)."""
        return self.departed_at

    @applies(Registered)
    def _registered(self, e: Registered) -> None:
        self.unit_id = e.unit_id
        self.status = ResidentStatus.REGISTERED
        self.key_id = e.key_id
        self.sealed = {f: getattr(e, f) for f in PERSONAL_FIELDS}
        self.registered_at = e.timestamp
        self.departed_at = None
        self.forgotten_at = None

    @applies(Departed)
    def _departed(self, e: Departed) -> None:
        self.status = ResidentStatus.DEPARTED
        self.departed_at = e.timestamp

    @applies(Forgotten)
    def _forgotten(self, e: Forgotten) -> None:
        self.status = ResidentStatus.FORGOTTEN
        self.forgotten_at = e.timestamp


class PersonalDataAccessLog(Aggregate):
    """Every read of one resident's personal information: who, when, why, which fields."""

    TOPIC: ClassVar[str] = "cogov:PersonalDataAccessLog"

    class Event(DomainEvent):
        pass

    class Accessed(Started, Event):
        """Someone read a resident's personal information, for a stated purpose."""

        TOPIC: ClassVar[str] = "cogov:PersonalDataAccessLog.Accessed"
        resident_id: UUID
        purpose: ShortText
        fields: tuple[str, ...]
        redacted: bool = False

    unit_id: UUID
    resident_id: UUID
    accesses: int

    @classmethod
    def first_access(
        cls,
        ctx: Context,
        *,
        resident: Resident,
        purpose: str,
        fields: tuple[str, ...],
        redacted: bool,
    ) -> PersonalDataAccessLog:
        return cls._start(
            cls.Accessed,
            ctx,
            id=access_log_id(resident.id),
            unit_id=resident.unit_id,
            resident_id=resident.id,
            purpose=purpose,
            fields=fields,
            redacted=redacted,
        )

    def record_access(
        self, ctx: Context, *, purpose: str, fields: tuple[str, ...], redacted: bool
    ) -> None:
        self._record(
            self.Accessed,
            ctx,
            resident_id=self.resident_id,
            purpose=purpose,
            fields=fields,
            redacted=redacted,
        )

    @applies(Accessed)
    def _accessed(self, e: Accessed) -> None:
        if e.originator_version == 1:
            self.unit_id = e.unit_id
            self.resident_id = e.resident_id
            self.accesses = 0
        self.accesses += 1
