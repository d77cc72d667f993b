"""Grants: who really holds which role where — recorded facts, not claims.

An :class:`~cogov.domain.values.Actor` is a *claim* a host makes (id, role, unit). With
grant enforcement on (the default), every command checks the claim against the history:

* an official's claim holds when their :class:`ActorAccount` has an unrevoked
  ``RoleGranted`` for that role on the claimed unit or one of its ancestors (a role granted
  on a unit applies to its subtree; a grant on the whole deployment covers everything);
* a resident's claim holds when the actor id is a registered, not forgotten
  :class:`~cogov.domain.resident.Resident` of exactly the claimed unit — the register is the
  grant, so 224,000 households need no separate grant events.

The first administrator is created once, by :class:`AccessControl` (``bootstrap_administrator``
is refused after that); every later grant is made by an administrator whose own grant covers
the unit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar
from uuid import UUID, uuid5

from cogov.domain.base import Aggregate, Context, DomainEvent, Started, applies
from cogov.domain.policybook import WHOLE_DEPLOYMENT
from cogov.domain.resident import Resident, ResidentStatus
from cogov.domain.values import Actor, LongText, Name, Role
from cogov.errors import NotFoundError, PermissionDeniedError, RuleViolationError

__all__ = [
    "ACCESS_CONTROL_ID",
    "AccessControl",
    "ActorAccount",
    "Grant",
    "account_id",
    "require_grant",
]

_ACCOUNT_NS = UUID("3d6f0a52-71c4-4b8e-9f21-6a0c5e8d2b17")
ACCESS_CONTROL_ID = uuid5(_ACCOUNT_NS, "cogov.access-control")

A = TypeVar("A", bound=Aggregate)


def account_id(actor_id: str) -> UUID:
    """The id of the account of a host identity (stable: derived from the actor id)."""
    return uuid5(_ACCOUNT_NS, f"actor:{actor_id}")


Grant = tuple[Role, UUID]


class ActorAccount(Aggregate):
    """The roles one host identity holds, and where."""

    TOPIC: ClassVar[str] = "cogov:ActorAccount"

    class Event(DomainEvent):
        pass

    class Opened(Started, Event):
        TOPIC: ClassVar[str] = "cogov:ActorAccount.Opened"
        actor_id: Name

    class RoleGranted(Event):
        """A role was granted on a unit (and so on its subtree)."""

        TOPIC: ClassVar[str] = "cogov:ActorAccount.RoleGranted"
        role: Role
        granted_unit_id: UUID
        reason: LongText | None = None

    class RoleRevoked(Event):
        TOPIC: ClassVar[str] = "cogov:ActorAccount.RoleRevoked"
        role: Role
        granted_unit_id: UUID
        reason: LongText

    unit_id: UUID
    actor_id: str
    grants: set[Grant]

    @classmethod
    def open(cls, ctx: Context, *, actor_id: str) -> ActorAccount:
        return cls._start(
            cls.Opened, ctx, id=account_id(actor_id), unit_id=WHOLE_DEPLOYMENT, actor_id=actor_id
        )

    def grant(self, ctx: Context, *, role: Role, unit_id: UUID, reason: str | None) -> None:
        if role is Role.SYSTEM:
            raise RuleViolationError(
                "the system role belongs to the software and is never granted",
                rule="grant.role.system",
            )
        if (role, unit_id) in self.grants:
            raise RuleViolationError(
                f"{self.actor_id} already holds {role} in unit {unit_id}",
                rule="grant.already_held",
            )
        self._record(
            self.RoleGranted,
            ctx,
            unit_id=unit_id,
            role=role,
            granted_unit_id=unit_id,
            reason=reason,
        )

    def revoke(self, ctx: Context, *, role: Role, unit_id: UUID, reason: str) -> None:
        if (role, unit_id) not in self.grants:
            raise RuleViolationError(
                f"{self.actor_id} holds no {role} grant in unit {unit_id}",
                rule="grant.revoke.not_held",
            )
        self._record(
            self.RoleRevoked,
            ctx,
            unit_id=unit_id,
            role=role,
            granted_unit_id=unit_id,
            reason=reason,
        )

    def holds(self, role: Role, covering: list[UUID]) -> bool:
        """True when a grant of ``role`` sits on one of the ``covering`` units."""
        return any((role, unit) in self.grants for unit in covering)

    @applies(Opened)
    def _opened(self, e: Opened) -> None:
        self.unit_id = WHOLE_DEPLOYMENT
        self.actor_id = e.actor_id
        self.grants = set()

    @applies(RoleGranted)
    def _granted(self, e: RoleGranted) -> None:
        self.grants.add((e.role, e.granted_unit_id))

    @applies(RoleRevoked)
    def _revoked(self, e: RoleRevoked) -> None:
        self.grants.discard((e.role, e.granted_unit_id))


class AccessControl(Aggregate):
    """The deployment's access-control root: exists once the first administrator is made."""

    TOPIC: ClassVar[str] = "cogov:AccessControl"

    class Event(DomainEvent):
        pass

    class Bootstrapped(Started, Event):
        """The first administrator was created (possible exactly once per deployment)."""

        TOPIC: ClassVar[str] = "cogov:AccessControl.Bootstrapped"
        administrator_id: Name

    unit_id: UUID
    administrator_id: str

    @classmethod
    def bootstrap(cls, ctx: Context, *, administrator_id: str) -> AccessControl:
        return cls._start(
            cls.Bootstrapped,
            ctx,
            id=ACCESS_CONTROL_ID,
            unit_id=WHOLE_DEPLOYMENT,
            administrator_id=administrator_id,
        )

    @applies(Bootstrapped)
    def _bootstrapped(self, e: Bootstrapped) -> None:
        self.unit_id = WHOLE_DEPLOYMENT
        self.administrator_id = e.administrator_id


def _denied(actor: Actor, why: str) -> PermissionDeniedError:
    return PermissionDeniedError(
        f"{actor.id} claims {actor.role} in unit {actor.unit_id}, but {why}",
        rule="permission.grant",
        role=str(actor.role),
    )


def require_grant(
    actor: Actor,
    *,
    load: Callable[[type[Any], UUID], Any],
    ancestry: Callable[[UUID], list[UUID]],
) -> None:
    """Refuse (rule ``permission.grant``) an actor whose claimed role is not a recorded grant."""
    if actor.role is Role.SYSTEM:
        raise _denied(actor, "the system role is never granted to a caller")
    if actor.role is Role.RESIDENT:
        try:
            resident_id = UUID(actor.id)
            resident: Resident = load(Resident, resident_id)
        except (ValueError, NotFoundError):
            raise _denied(actor, "no registered resident has that id") from None
        if resident.status is ResidentStatus.FORGOTTEN:
            raise _denied(actor, "the resident's record was deleted")
        if resident.unit_id != actor.unit_id:
            raise _denied(actor, "the resident is registered in another unit")
        return
    try:
        account: ActorAccount = load(ActorAccount, account_id(actor.id))
    except NotFoundError:
        raise _denied(actor, "no role was ever granted to that id") from None
    if actor.unit_id == WHOLE_DEPLOYMENT:
        covering = [WHOLE_DEPLOYMENT]
    else:
        try:
            covering = [*ancestry(actor.unit_id), WHOLE_DEPLOYMENT]
        except NotFoundError:
            raise _denied(actor, "the claimed unit does not exist") from None
    if not account.holds(actor.role, covering):
        raise _denied(actor, "no such grant is recorded (or it was revoked)")
