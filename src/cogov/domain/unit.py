"""GovernanceUnit: the 治理单元 hierarchy, county → township → village → group → building."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from cogov.domain.base import Aggregate, Context, DomainEvent, Started, applies
from cogov.domain.values import ShortText, UnitLevel
from cogov.errors import RuleViolationError

__all__ = ["GovernanceUnit", "UnitStatus"]


class UnitStatus(StrEnum):
    ACTIVE = "active"


class GovernanceUnit(Aggregate):
    TOPIC: ClassVar[str] = "cogov:GovernanceUnit"

    class Event(DomainEvent):
        pass

    class Established(Started, Event):
        """A governance unit was established under its parent (none for the top)."""

        TOPIC: ClassVar[str] = "cogov:GovernanceUnit.Established"
        name: ShortText
        level: UnitLevel
        parent_id: UUID | None
        households: int = 0

    class Renamed(Event):
        TOPIC: ClassVar[str] = "cogov:GovernanceUnit.Renamed"
        name: ShortText

    unit_id: UUID
    status: UnitStatus
    name: str
    level: UnitLevel
    parent_id: UUID | None
    households: int

    @classmethod
    def establish(
        cls,
        ctx: Context,
        *,
        id: UUID,
        name: str,
        level: UnitLevel,
        parent: GovernanceUnit | None,
        households: int = 0,
    ) -> GovernanceUnit:
        """The level sits exactly one below the parent's; only a county stands alone."""
        if parent is None and level is not UnitLevel.COUNTY:
            raise RuleViolationError(
                f"a {level.label_zh} needs a parent unit", rule="unit.hierarchy.parent"
            )
        if parent is not None and level.depth != parent.level.depth + 1:
            raise RuleViolationError(
                f"a {level.label_zh} cannot sit directly under a {parent.level.label_zh}",
                rule="unit.hierarchy.level",
            )
        if households < 0:
            raise RuleViolationError("households cannot be negative", rule="unit.households")
        return cls._start(
            cls.Established,
            ctx,
            id=id,
            unit_id=id,
            name=name,
            level=level,
            parent_id=parent.id if parent else None,
            households=households,
        )

    def rename(self, ctx: Context, *, name: str) -> None:
        self._record(self.Renamed, ctx, name=name)

    @applies(Established)
    def _established(self, e: Established) -> None:
        self.unit_id = e.originator_id
        self.status = UnitStatus.ACTIVE
        self.name = e.name
        self.level = e.level
        self.parent_id = e.parent_id
        self.households = e.households

    @applies(Renamed)
    def _renamed(self, e: Renamed) -> None:
        self.name = e.name
