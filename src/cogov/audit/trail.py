"""Audit trails: who did what, when, on which decision, under which policy version — read
from the notification log in commit order, streamed in batches, filtered by aggregate, actor,
governance unit (optionally with its subunits) and time range."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, get_args
from uuid import UUID

import orjson
from eventsourcing.persistence import ApplicationRecorder, Notification
from eventsourcing.utils import resolve_topic
from pydantic import AwareDatetime, BaseModel, ConfigDict

from cogov.domain.values import Actor, DecisionRef, Role
from cogov.persistence.mapper import upcast

__all__ = ["ENVELOPE", "TrailEntry", "TrailFilter", "read_trail"]

#: fields every event carries; "what changed" is the rest
ENVELOPE = frozenset(
    {"originator_id", "originator_version", "timestamp", "actor", "unit_id", "policy_version"}
)


class TrailEntry(BaseModel):
    """One fact of the history, as an auditor reads it."""

    model_config = ConfigDict(frozen=True)

    position: int
    aggregate_id: UUID
    aggregate_type: str  # "Issue", "Meeting", "Project" …
    version: int
    event_type: str  # "Issue.Deliberated"
    timestamp: datetime
    actor_id: str
    actor_role: Role
    actor_unit_id: UUID
    actor_organisation: str | None
    unit_id: UUID
    policy_version: int
    changes: dict[str, Any]  # the event's own fields (JSON values), envelope removed
    decision: DecisionRef | None  # the meeting decision the fact rests on, where it cites one


class TrailFilter(BaseModel):
    """Which entries to keep. Every given criterion must hold."""

    model_config = ConfigDict(frozen=True)

    aggregate_id: UUID | None = None
    actor_id: str | None = None
    unit_id: UUID | None = None  # events filed under this governance unit …
    include_subunits: bool = False  # … or under any unit below it
    since: AwareDatetime | None = None  # inclusive
    until: AwareDatetime | None = None  # inclusive


_DECISION_FIELDS: dict[str, tuple[type[Any] | None, tuple[str, ...]]] = {}


def _event_class(topic: str) -> tuple[type[Any] | None, tuple[str, ...]]:
    """The event class of a topic and the names of its fields that hold a DecisionRef."""
    known = _DECISION_FIELDS.get(topic)
    if known is None:
        try:
            cls: type[Any] | None = resolve_topic(topic)
        except (ImportError, AttributeError, ValueError):
            cls = None
        names: tuple[str, ...] = ()
        if cls is not None and issubclass(cls, BaseModel):
            names = tuple(
                name
                for name, info in cls.model_fields.items()
                if info.annotation is DecisionRef or DecisionRef in get_args(info.annotation)
            )
        known = _DECISION_FIELDS[topic] = (cls, names)
    return known


def entry_of(n: Notification) -> TrailEntry:
    cls, decision_fields = _event_class(n.topic)
    state: dict[str, Any] = orjson.loads(n.state)
    if cls is not None:
        state = upcast(cls, state)
    decision = next(
        (DecisionRef.model_validate(state[f]) for f in decision_fields if state.get(f)), None
    )
    actor = Actor.model_validate(state["actor"])
    name = n.topic.split(":", 1)[-1]
    return TrailEntry(
        position=n.id,
        aggregate_id=n.originator_id,
        aggregate_type=name.split(".", 1)[0],
        version=n.originator_version,
        event_type=name,
        timestamp=datetime.fromisoformat(state["timestamp"]),
        actor_id=actor.id,
        actor_role=actor.role,
        actor_unit_id=actor.unit_id,
        actor_organisation=actor.organisation,
        unit_id=UUID(state["unit_id"]),
        policy_version=state["policy_version"],
        changes={k: v for k, v in state.items() if k not in ENVELOPE},
        decision=decision,
    )


def read_trail(
    recorder: ApplicationRecorder,
    criteria: TrailFilter,
    *,
    ancestry: Callable[[UUID], Sequence[UUID]] | None = None,
    visible: Callable[[UUID], bool] | None = None,
    batch: int = 1000,
    start: int = 1,
    stop: int | None = None,
) -> Iterator[TrailEntry]:
    """Stream the entries matching ``criteria`` in log order. ``ancestry(unit)`` (the unit
    and its ancestors) places events in subunits; ``visible(unit_id)`` hides entries outside
    what the reader may see."""
    if criteria.include_subunits and criteria.unit_id is not None and ancestry is None:
        raise ValueError("a subtree filter needs the units' ancestry")
    position = start
    while True:
        notifications: Sequence[Notification] = recorder.select_notifications(
            position, batch, stop=stop
        )
        for n in notifications:
            if criteria.aggregate_id is not None and n.originator_id != criteria.aggregate_id:
                continue
            entry = entry_of(n)
            if criteria.actor_id is not None and entry.actor_id != criteria.actor_id:
                continue
            if criteria.unit_id is not None and entry.unit_id != criteria.unit_id:
                if not criteria.include_subunits or ancestry is None:
                    continue
                if criteria.unit_id not in ancestry(entry.unit_id):
                    continue
            if criteria.since is not None and entry.timestamp < criteria.since:
                continue
            if criteria.until is not None and entry.timestamp > criteria.until:
                continue
            if visible is not None and not visible(entry.unit_id):
                continue
            yield entry
        if len(notifications) < batch:
            return
        position = notifications[-1].id + 1
