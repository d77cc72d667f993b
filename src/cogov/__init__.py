"""cogov: event-sourced community co-governance (共同缔造).

Residents' concerns are collected, deliberated in meetings, dispatched, co-built, resolved,
evaluated by residents and shared; every fact is an event in an append-only history.
"""

from cogov.app.meetings import AgendaTopic
from cogov.app.records import IssueRecord, MeetingRecord, UnitRecord
from cogov.application import CoGov
from cogov.clock import Clock, ManualClock, SystemClock
from cogov.domain.issue import Issue, IssueStatus
from cogov.domain.meeting import AgendaItem, ItemOutcome, Meeting, MeetingStatus
from cogov.domain.policy import Policy, Quorum, TimeLimit
from cogov.domain.unit import GovernanceUnit
from cogov.domain.values import (
    Actor,
    Assignee,
    AssigneeKind,
    Channel,
    DecisionRef,
    MeetingKind,
    Role,
    Scale,
    UnitLevel,
)
from cogov.errors import (
    CogovError,
    ConcurrencyError,
    DeadlineError,
    IllegalTransitionError,
    IntegrityViolationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    QuorumNotMetError,
    RuleViolationError,
    StoreError,
)

__all__ = [
    "Actor",
    "AgendaItem",
    "AgendaTopic",
    "Assignee",
    "AssigneeKind",
    "Channel",
    "Clock",
    "CoGov",
    "CogovError",
    "ConcurrencyError",
    "DeadlineError",
    "DecisionRef",
    "GovernanceUnit",
    "IllegalTransitionError",
    "IntegrityViolationError",
    "InvalidInputError",
    "Issue",
    "IssueRecord",
    "IssueStatus",
    "ItemOutcome",
    "ManualClock",
    "Meeting",
    "MeetingKind",
    "MeetingRecord",
    "MeetingStatus",
    "NotFoundError",
    "PermissionDeniedError",
    "Policy",
    "Quorum",
    "QuorumNotMetError",
    "Role",
    "RuleViolationError",
    "Scale",
    "StoreError",
    "SystemClock",
    "TimeLimit",
    "UnitLevel",
    "UnitRecord",
]
