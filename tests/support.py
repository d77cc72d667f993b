"""Test helpers: given-events / when-command / then-events-or-error, with no database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

import pytest

from cogov.domain.base import Aggregate, Context, DomainEvent, project
from cogov.domain.policy import Policy
from cogov.domain.values import Actor, Role
from cogov.errors import CogovError

A = TypeVar("A", bound=Aggregate)

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
UNIT = UUID("00000000-0000-4000-8000-000000000001")


def ctx(
    role: Role = Role.COMMITTEE_MEMBER,
    *,
    actor_id: str = "cadre-1",
    at: datetime = T0,
    policy: Policy | None = None,
    organisation: str | None = None,
    unit_id: UUID = UNIT,
) -> Context:
    return Context(
        actor=Actor(id=actor_id, role=role, unit_id=unit_id, organisation=organisation),
        now=at,
        policy=policy or Policy(),
    )


def later(**kwargs: float) -> datetime:
    return T0 + timedelta(**kwargs)


def given(events: Sequence[DomainEvent]) -> Any:
    """The aggregate rebuilt from its history (the events are left untouched)."""
    aggregate = project(None, events)
    assert aggregate is not None
    return aggregate


def history_of(build: Callable[[], A]) -> list[DomainEvent]:
    """Run commands on a fresh aggregate and return every event they recorded."""
    aggregate = build()
    return list(aggregate.collect_events())


def when(aggregate: A, command: Callable[[A], object]) -> list[str]:
    """Run the command; return the names of the events it recorded."""
    aggregate.collect_events()
    command(aggregate)
    return [type(e).__name__ for e in aggregate.collect_events()]


def refused(
    aggregate: A, command: Callable[[A], object], rule: str, error: type[CogovError] = CogovError
) -> CogovError:
    """The command is refused with the named rule and records nothing."""
    aggregate.collect_events()
    version = aggregate.version
    with pytest.raises(error) as caught:
        command(aggregate)
    assert caught.value.rule == rule, caught.value
    assert aggregate.collect_events() == []
    assert aggregate.version == version
    return caught.value


def new_id() -> UUID:
    return uuid4()
