"""Grant commands: the first administrator, then roles granted and revoked as recorded facts."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from cogov.app.core import SYSTEM_ACTOR, AppCore, command
from cogov.domain.base import Context
from cogov.domain.policybook import WHOLE_DEPLOYMENT
from cogov.domain.values import Actor, LongText, Name, Role
from cogov.errors import NotFoundError, PermissionDeniedError, RuleViolationError
from cogov.security.grants import ACCESS_CONTROL_ID, AccessControl, ActorAccount, account_id
from cogov.security.permissions import Permission as P

__all__ = ["GrantCommands", "RoleGrant"]


class RoleGrant(BaseModel):
    """A role an actor holds on a unit (and its subtree)."""

    model_config = ConfigDict(frozen=True)
    role: Role
    unit_id: UUID


class GrantCommands(AppCore):
    @command
    def bootstrap_administrator(self, administrator_id: Name) -> Actor:
        """Create the first administrator, on the whole deployment. Allowed exactly once,
        while no grant exists; returns the administrator's :class:`Actor`."""
        try:
            self._get(AccessControl, ACCESS_CONTROL_ID)
        except NotFoundError:
            pass
        else:
            raise RuleViolationError(
                "the deployment already has its first administrator; ask an administrator "
                "for a grant",
                rule="grant.bootstrap.once",
            )
        if self.store.recorder.select_notifications(
            None, 1, topics=[ActorAccount.RoleGranted.TOPIC]
        ):
            raise RuleViolationError(
                "roles were already granted in this store; bootstrapping is for an empty one",
                rule="grant.bootstrap.once",
            )
        ctx = self._ctx(SYSTEM_ACTOR)
        root = AccessControl.bootstrap(ctx, administrator_id=administrator_id)
        account = self._account_or_open(ctx, administrator_id)
        account.grant(
            ctx,
            role=Role.ADMINISTRATOR,
            unit_id=WHOLE_DEPLOYMENT,
            reason="首位管理员 (bootstrap)",
        )
        self._save(root, account)
        return Actor(id=administrator_id, role=Role.ADMINISTRATOR, unit_id=WHOLE_DEPLOYMENT)

    @command
    def grant_role(
        self,
        actor: Actor,
        *,
        grantee_id: Name,
        role: Role,
        unit_id: UUID,
        reason: LongText | None = None,
        organisation: Name | None = None,
    ) -> Actor:
        """Grant ``role`` on ``unit_id`` (and its subtree). Returns the grantee's Actor."""
        self._authorize_grant(actor, unit_id)
        ctx = self._ctx(actor)
        account = self._account_or_open(ctx, grantee_id)
        account.grant(ctx, role=role, unit_id=unit_id, reason=reason)
        self._save(account)
        return Actor(id=grantee_id, role=role, unit_id=unit_id, organisation=organisation)

    @command
    def revoke_role(
        self, actor: Actor, *, grantee_id: Name, role: Role, unit_id: UUID, reason: LongText
    ) -> None:
        """Revoke a grant; the grantee's next command with that role is refused."""
        self._authorize_grant(actor, unit_id)
        if grantee_id == actor.id and role is actor.role:
            raise RuleViolationError(
                "an administrator cannot revoke the grant they act under",
                rule="grant.revoke.self",
            )
        try:
            account = self._get(ActorAccount, account_id(grantee_id))
        except NotFoundError:
            raise RuleViolationError(
                f"{grantee_id} holds no {role} grant in unit {unit_id}",
                rule="grant.revoke.not_held",
            ) from None
        account.revoke(self._ctx(actor), role=role, unit_id=unit_id, reason=reason)
        self._save(account)

    def roles_of(self, actor_id: str) -> list[RoleGrant]:
        """The grants an actor id holds now, sorted by role then unit."""
        try:
            account = self._get(ActorAccount, account_id(actor_id))
        except NotFoundError:
            return []
        return [RoleGrant(role=r, unit_id=u) for r, u in sorted(account.grants, key=str)]

    def _account_or_open(self, ctx: Context, actor_id: str) -> ActorAccount:
        try:
            return self._get(ActorAccount, account_id(actor_id))
        except NotFoundError:
            return ActorAccount.open(ctx, actor_id=actor_id)

    def _authorize_grant(self, actor: Actor, unit_id: UUID) -> None:
        if unit_id != WHOLE_DEPLOYMENT:
            self._authorize(actor, P.GRANT_ROLE, unit_id)
            return
        self._check_role(actor, P.GRANT_ROLE)
        if actor.unit_id != WHOLE_DEPLOYMENT:
            raise PermissionDeniedError(
                "a grant on the whole deployment needs an administrator of the whole deployment",
                rule=f"permission.{P.GRANT_ROLE}.scope",
            )
