"""Governance units and policy: the frame every other command works in."""

from __future__ import annotations

from uuid import UUID

from cogov.app.core import AppCore, command
from cogov.app.records import UnitRecord
from cogov.domain.policy import Policy
from cogov.domain.policybook import WHOLE_DEPLOYMENT, PolicyBook
from cogov.domain.unit import GovernanceUnit
from cogov.domain.values import Actor, LongText, ShortText, UnitLevel
from cogov.errors import PermissionDeniedError
from cogov.security.permissions import Permission as P

__all__ = ["UnitCommands"]


class UnitCommands(AppCore):
    @command
    def establish_unit(
        self,
        actor: Actor,
        *,
        name: ShortText,
        level: UnitLevel,
        parent_id: UUID | None = None,
        households: int = 0,
    ) -> UUID:
        """Establish a governance unit (治理单元) under its parent. Returns its id."""
        parent = self._unit(parent_id) if parent_id is not None else None
        if parent is None:
            self._authorize_deployment(actor, P.ESTABLISH_UNIT)
        else:
            self._authorize(actor, P.ESTABLISH_UNIT, parent.id)
        unit = GovernanceUnit.establish(
            self._ctx(actor),
            id=self.new_id(),
            name=name,
            level=level,
            parent=parent,
            households=households,
        )
        self._save(unit)
        self._units[unit.id] = unit
        return unit.id

    @command
    def adopt_policy(self, actor: Actor, policy: Policy, *, reason: LongText) -> int:
        """Adopt the next policy version; past decisions keep the version they cite."""
        self._authorize_deployment(actor, P.ADOPT_POLICY)
        ctx = self._ctx(actor)
        book = self._book()
        if book is None:
            book = PolicyBook.open(
                ctx, policy=self._initial_policy, reason="初始规则 (initial policy)"
            )
        book.adopt(ctx, policy=policy, reason=reason)
        self._save(book)
        return policy.version

    def unit(self, unit_id: UUID) -> UnitRecord:
        return UnitRecord.model_validate(self._unit(unit_id))

    def _authorize_deployment(self, actor: Actor, permission: P) -> None:
        """Deployment-wide acts need the role at the top unit (or the whole deployment)."""
        self._check_role(actor, permission)
        if actor.unit_id != WHOLE_DEPLOYMENT and self._unit(actor.unit_id).parent_id is not None:
            raise PermissionDeniedError(
                f"{permission} for the whole deployment needs a role at the top unit",
                rule=f"permission.{permission}.scope",
                permission=str(permission),
            )
