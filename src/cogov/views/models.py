"""Typed results of the view queries (pydantic, frozen). Counts are integers; rates carry their
numerator and denominator so a figure can always be checked against its parts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

__all__ = [
    "CoBuilding",
    "CoEvaluating",
    "CoManaging",
    "CoPlanning",
    "CoSharing",
    "FiveCoStatus",
    "ListKind",
    "MeetingEntry",
    "MonthlySchedule",
    "Page",
    "ProblemItem",
    "RankBy",
    "RankingEntry",
    "Rate",
    "RateKind",
    "ResponsibilityItem",
    "TaskItem",
    "ThreeLists",
    "ThreeRates",
]

T = TypeVar("T")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Page(_Model, Generic[T]):
    """One page of a list: ``items`` from ``offset``, at most ``limit``, of ``total``."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @property
    def next_offset(self) -> int | None:
        end = self.offset + len(self.items)
        return end if end < self.total else None


class Rate(_Model):
    """``numerator / denominator`` rounded to 4 places; ``None`` when nothing was counted."""

    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        if self.denominator == 0:
            return None
        return (Decimal(self.numerator) / Decimal(self.denominator)).quantize(Decimal("0.0001"))


class RateKind(StrEnum):
    """三率: the yardstick of resident-facing case handling (接诉即办)."""

    RESPONSE = "response"  # 响应率
    RESOLUTION = "resolution"  # 解决率
    SATISFACTION = "satisfaction"  # 满意率


class RankBy(StrEnum):
    UNIT = "unit"  # the child units of a unit, each with its subtree rolled up
    ASSIGNEE = "assignee"  # departments, committees, councils, cadres (派单对象)


class ListKind(StrEnum):
    """三张清单."""

    PROBLEM = "problem"  # 问题清单
    TASK = "task"  # 任务清单
    RESPONSIBILITY = "responsibility"  # 责任清单


# -- 五共 --------------------------------------------------------------------------------------
class CoPlanning(_Model):
    """决策共谋."""

    collected: int
    awaiting_triage: int
    awaiting_deliberation: int
    deliberated: int
    fast_tracked: int
    meetings_held: int
    attendance_present: int
    attendance_roster: int
    attendance: Rate


class CoBuilding(_Model):
    """发展共建. Money and materials in yuan, labour in days (投工投劳)."""

    dispatched: int
    in_progress: int
    projects: int
    money_pledged: Decimal
    money_received: Decimal
    labour_days_pledged: Decimal
    labour_days_received: Decimal
    materials_pledged: Decimal
    materials_received: Decimal
    rewards: Decimal  # 以奖代补


class CoManaging(_Model):
    """建设共管."""

    under_maintenance: int
    inspections: int
    inspections_failed: int
    conventions: int
    overdue: int  # open tasks past their deadline now


class CoEvaluating(_Model):
    """效果共评: residents' ratings of results (issues and projects)."""

    ratings: int
    satisfied: int
    satisfaction: Rate
    reopened: int


class CoSharing(_Model):
    """成果共享."""

    results_published: int
    households_benefiting: int


class FiveCoStatus(_Model):
    unit_id: UUID
    month: str | None
    as_of: datetime
    co_planning: CoPlanning
    co_building: CoBuilding
    co_managing: CoManaging
    co_evaluating: CoEvaluating
    co_sharing: CoSharing


# -- 三张清单 -----------------------------------------------------------------------------------
class ProblemItem(_Model):
    issue_id: UUID
    unit_id: UUID
    unit_name: str
    title: str
    status: str
    scale: str | None
    category: str | None
    collected_at: datetime
    assignee_name: str | None
    deadline: datetime | None


class TaskItem(_Model):
    """One dispatched task (派单). ``days_left`` counts working days to the deadline; an
    overdue task shows ``days_overdue`` (working days past it) instead."""

    issue_id: UUID
    dispatch_no: int
    unit_id: UUID
    title: str
    assignee_kind: str
    assignee_id: str
    assignee_name: str
    dispatched_at: datetime
    deadline: datetime
    state: str
    ended_at: datetime | None
    chased: int
    overdue: bool
    days_left: int | None
    days_overdue: int | None


class ResponsibilityItem(_Model):
    """One assignee's load (包干): what it owns, has done, and has let run over."""

    assignee_id: str
    assignee_name: str
    assignee_kind: str
    owned: int
    open: int
    done: int
    done_late: int
    returned: int
    overdue: int


class ThreeLists(_Model):
    problems: Page[ProblemItem] | None = None
    tasks: Page[TaskItem] | None = None
    responsibilities: Page[ResponsibilityItem] | None = None


# -- 三率 ----------------------------------------------------------------------------------------
class ThreeRates(_Model):
    key: str  # the unit id, or the assignee id
    name: str
    month: str | None
    response: Rate
    resolution: Rate
    satisfaction: Rate


class RankingEntry(_Model):
    """A place in a ranking. Below the minimum sample an entry is listed but not ranked."""

    rank: int | None
    key: str
    name: str
    rate: Rate
    sample: int
    ranked: bool


# -- meetings and the monthly schedule ----------------------------------------------------------
class MeetingEntry(_Model):
    """One meeting in the register; ``four_two_public`` is 四议两公开's 两公开: the decision
    (minutes) is published and every matter it decided has its outcome published."""

    meeting_id: UUID
    unit_id: UUID
    kind: str
    title: str
    status: str
    scheduled_for: datetime
    month: str
    roster_size: int
    present: int | None
    quorum_met: bool | None
    items: int
    decided: int
    adopted: int
    minutes_published: bool
    matters_decided: int
    outcomes_published: int
    four_two_public: bool


class MonthlySchedule(_Model):
    """每月调度: the flows of a month and the tasks overdue as of the month's end."""

    unit_id: UUID
    month: str
    as_of: datetime  # the end of the month, or now while the month runs
    collected: int
    decided: int
    dispatched: int
    resolved: int
    evaluated: int
    closed: int
    reopened: int
    overdue_at_month_end: int
