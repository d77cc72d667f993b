"""cogov: event-sourced community co-governance (共同缔造).

Residents' concerns are collected, deliberated in meetings, dispatched, co-built, resolved,
evaluated by residents and shared; every fact is an event in an append-only history.
"""

from cogov.app.bodies import BodyRecord
from cogov.app.grants import RoleGrant
from cogov.app.meetings import AgendaTopic
from cogov.app.projects import ProjectRecord
from cogov.app.records import IssueRecord, MeetingRecord, UnitRecord
from cogov.app.residents import PersonalDataAccess, ResidentContact, ResidentRecord
from cogov.application import CoGov
from cogov.audit import (
    AggregateState,
    Breach,
    BreachKind,
    Checkpoint,
    StoreDiff,
    StoreState,
    TrailEntry,
    VerificationReport,
)
from cogov.clock import Clock, ManualClock, SystemClock
from cogov.domain.body import BodyStatus, ResidentsBody
from cogov.domain.issue import Issue, IssueStatus
from cogov.domain.meeting import AgendaItem, ItemOutcome, Meeting, MeetingStatus
from cogov.domain.policy import Policy, Quorum, TimeLimit
from cogov.domain.project import Project, ProjectStatus
from cogov.domain.resident import DepartureReason, ErasureBasis, ResidentStatus
from cogov.domain.unit import GovernanceUnit
from cogov.domain.values import (
    Actor,
    Assignee,
    AssigneeKind,
    BodyKind,
    Channel,
    ContributionKind,
    Contributor,
    ContributorKind,
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
from cogov.feed import event_json_schemas
from cogov.security.permissions import Permission
from cogov.security.vault import KeyVault
from cogov.views.models import (
    FiveCoStatus,
    ListKind,
    MeetingEntry,
    MonthlySchedule,
    Page,
    ProblemItem,
    RankBy,
    RankingEntry,
    Rate,
    RateKind,
    ResponsibilityItem,
    TaskItem,
    ThreeLists,
    ThreeRates,
)
from cogov.views.runner import ViewRunner

__all__ = [
    "Actor",
    "AgendaItem",
    "AgendaTopic",
    "AggregateState",
    "Assignee",
    "AssigneeKind",
    "BodyKind",
    "BodyRecord",
    "BodyStatus",
    "Breach",
    "BreachKind",
    "Channel",
    "Checkpoint",
    "Clock",
    "CoGov",
    "CogovError",
    "ConcurrencyError",
    "ContributionKind",
    "Contributor",
    "ContributorKind",
    "DeadlineError",
    "DecisionRef",
    "DepartureReason",
    "ErasureBasis",
    "FiveCoStatus",
    "GovernanceUnit",
    "IllegalTransitionError",
    "IntegrityViolationError",
    "InvalidInputError",
    "Issue",
    "IssueRecord",
    "IssueStatus",
    "ItemOutcome",
    "KeyVault",
    "ListKind",
    "ManualClock",
    "Meeting",
    "MeetingEntry",
    "MeetingKind",
    "MeetingRecord",
    "MeetingStatus",
    "MonthlySchedule",
    "NotFoundError",
    "Page",
    "Permission",
    "PermissionDeniedError",
    "PersonalDataAccess",
    "Policy",
    "ProblemItem",
    "Project",
    "ProjectRecord",
    "ProjectStatus",
    "Quorum",
    "QuorumNotMetError",
    "RankBy",
    "RankingEntry",
    "Rate",
    "RateKind",
    "ResidentContact",
    "ResidentRecord",
    "ResidentStatus",
    "ResidentsBody",
    "ResponsibilityItem",
    "Role",
    "RoleGrant",
    "RuleViolationError",
    "Scale",
    "StoreDiff",
    "StoreError",
    "StoreState",
    "SystemClock",
    "TaskItem",
    "ThreeLists",
    "ThreeRates",
    "TimeLimit",
    "TrailEntry",
    "UnitLevel",
    "UnitRecord",
    "VerificationReport",
    "ViewRunner",
    "event_json_schemas",
]
