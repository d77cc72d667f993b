"""Typed read results of the application (pydantic models), built from replayed state.

These answer "what is this one thing like, now or as of a moment" — the auditor's and the
command author's question. Lists, counts and rates come from the views (``cogov.views``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from cogov.domain.issue import Issue, IssueStatus
from cogov.domain.meeting import AgendaItem, ItemOutcome, Meeting, MeetingStatus
from cogov.domain.unit import GovernanceUnit
from cogov.domain.values import Assignee, Channel, DecisionRef, MeetingKind, Scale, UnitLevel

__all__ = ["IssueRecord", "MeetingRecord", "Record", "UnitRecord", "record_of"]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: UUID
    version: int
    created_on: datetime
    modified_on: datetime


class IssueRecord(Record):
    unit_id: UUID
    status: IssueStatus
    channel: Channel
    raised_by: UUID
    title: str
    description: str
    category: str | None
    scale: Scale | None
    co_raisers: list[UUID]
    duplicates: list[UUID]
    merged_into: UUID | None
    decision: DecisionRef | None
    decided_by: MeetingKind | None
    fast_track_pending_report: bool
    assignee: Assignee | None
    deadline: datetime | None
    dispatch_count: int
    returns: int
    escalations: int
    resolution: str | None
    project_id: UUID | None
    published: bool
    round: int
    ratings: dict[str, int]
    satisfied_votes: int


class MeetingRecord(Record):
    unit_id: UUID
    status: MeetingStatus
    kind: MeetingKind
    title: str
    roster_size: int
    scheduled_for: datetime
    chair_id: str
    items: list[AgendaItem]
    present: int | None
    quorum_met: bool | None
    outcomes: dict[int, ItemOutcome]
    minutes_published_at: datetime | None


class UnitRecord(Record):
    name: str
    level: UnitLevel
    parent_id: UUID | None
    households: int


_RECORDS: dict[type[Any], type[Record]] = {
    Issue: IssueRecord,
    Meeting: MeetingRecord,
    GovernanceUnit: UnitRecord,
}


def register_record(aggregate_cls: type[Any], record_cls: type[Record]) -> None:
    _RECORDS[aggregate_cls] = record_cls


def record_of(aggregate: Any) -> Record:
    """The typed record of an aggregate's current state."""
    return _RECORDS[type(aggregate)].model_validate(aggregate)
