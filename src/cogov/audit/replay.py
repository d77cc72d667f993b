"""Point-in-time: the whole store as of a position or a moment, replayed from the log, and
the difference between two moments.

"As of time t" keeps, for each aggregate, the events up to the last one stamped at or before
``t`` (the application clock never runs backwards within one aggregate, so this is the
prefix of its history with timestamps ≤ t). A :class:`Replayer` can stop at a past moment and
then go forward: the events it held back are applied first, so the result is exactly the
state a fresh replay to the later moment gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper
from pydantic import BaseModel, ConfigDict

from cogov.domain.base import Aggregate, AggregateSnapshot

__all__ = [
    "AggregateChange",
    "AggregateState",
    "FieldChange",
    "Replayer",
    "StoreDiff",
    "StoreState",
    "diff_states",
    "state_of",
]


class AggregateState(BaseModel):
    """One aggregate at one moment: every attribute as JSON values."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    aggregate_type: str
    version: int
    modified_on: datetime
    state: dict[str, Any]


class StoreState(BaseModel):
    """Every aggregate as of a position (and, if asked, a moment)."""

    model_config = ConfigDict(frozen=True)

    position: int  # the last log position read
    as_of: datetime | None
    aggregates: dict[UUID, AggregateState]


class FieldChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    before: Any
    after: Any


class AggregateChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID
    aggregate_type: str
    from_version: int | None  # None: did not exist yet
    to_version: int | None  # None: does not exist any more (diffing backwards)
    fields: dict[str, FieldChange]


class StoreDiff(BaseModel):
    model_config = ConfigDict(frozen=True)

    from_position: int
    to_position: int
    changes: list[AggregateChange]  # ordered by aggregate type, then id


def state_of(aggregate: Aggregate) -> AggregateState:
    snapshot = AggregateSnapshot.take(aggregate)
    return AggregateState(
        id=aggregate.id,
        aggregate_type=type(aggregate).__name__,
        version=aggregate.version,
        modified_on=aggregate.modified_on,
        state=snapshot.state,
    )


class Replayer:
    """Replays the log into aggregates held in memory, forward only."""

    def __init__(self, recorder: ApplicationRecorder, mapper: Mapper[UUID], *, batch: int = 1000):
        self.recorder = recorder
        self.mapper = mapper
        self.batch = batch
        self.position = 0
        self.until: datetime | None = None
        self.aggregates: dict[UUID, Aggregate] = {}
        self._held: dict[UUID, list[Any]] = {}  # events after the time limit, per aggregate

    def advance(self, *, to_position: int | None = None, until: datetime | None = None) -> None:
        """Apply the log up to ``to_position`` (inclusive; None: the end), keeping only
        events stamped at or before ``until`` (None: all)."""
        if until is not None and until.tzinfo is None:
            raise ValueError("until must be timezone-aware")
        self.until = until
        for aggregate_id in list(self._held):
            held = self._held.pop(aggregate_id)
            for i, event in enumerate(held):
                if until is not None and event.timestamp > until:
                    self._held[aggregate_id] = held[i:]
                    break
                self._apply(event)
        for event in self._events(to_position):
            held_back = self._held.get(event.originator_id)
            if held_back is not None:
                held_back.append(event)
            elif until is not None and event.timestamp > until:
                self._held[event.originator_id] = [event]
            else:
                self._apply(event)

    def _events(self, to_position: int | None) -> Iterator[Any]:
        while to_position is None or self.position < to_position:
            notifications = self.recorder.select_notifications(
                self.position + 1, self.batch, stop=to_position
            )
            for n in notifications:
                yield self.mapper.to_domain_event(n)
                self.position = n.id
            if len(notifications) < self.batch:
                return

    def _apply(self, event: Any) -> None:
        aggregate = event.mutate(self.aggregates.get(event.originator_id))
        self.aggregates[event.originator_id] = aggregate

    def state(self) -> StoreState:
        return StoreState(
            position=self.position,
            as_of=self.until,
            aggregates={k: state_of(a) for k, a in self.aggregates.items()},
        )


def diff_states(before: StoreState, after: StoreState) -> StoreDiff:
    """Which aggregates changed between two moments, and which of their fields."""
    changes = []
    for aggregate_id in before.aggregates.keys() | after.aggregates.keys():
        a = before.aggregates.get(aggregate_id)
        b = after.aggregates.get(aggregate_id)
        if a is not None and b is not None and a.version == b.version and a.state == b.state:
            continue
        old = a.state if a is not None else {}
        new = b.state if b is not None else {}
        fields = {
            k: FieldChange(before=old.get(k), after=new.get(k))
            for k in sorted(old.keys() | new.keys())
            if old.get(k) != new.get(k)
        }
        kind = (b or a).aggregate_type  # type: ignore[union-attr]
        changes.append(
            AggregateChange(
                id=aggregate_id,
                aggregate_type=kind,
                from_version=a.version if a is not None else None,
                to_version=b.version if b is not None else None,
                fields=fields,
            )
        )
    changes.sort(key=lambda c: (c.aggregate_type, str(c.id)))
    return StoreDiff(from_position=before.position, to_position=after.position, changes=changes)
