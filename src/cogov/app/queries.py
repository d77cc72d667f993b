"""Typed queries on the views (五共, 三张清单, 三率, the meeting register, 每月调度) and the event
feed. Every answer comes from the ``view_*`` tables — never from the write model — and every
time-dependent figure uses the application's clock and working-day calendar at query time.

A unit filter covers the unit and everything under it (组→村→乡→县 rollups); ``month`` is
``YYYY-MM`` in Beijing time. An unknown unit raises :class:`~cogov.errors.NotFoundError`
(rule ``unit.exists``); a bad month, page or sample raises
:class:`~cogov.errors.InvalidInputError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from cogov.app.core import AppCore
from cogov.domain.issue import IssueStatus
from cogov.domain.meeting import MeetingStatus
from cogov.feed import events_since
from cogov.views.models import (
    FiveCoStatus,
    ListKind,
    MeetingEntry,
    MonthlySchedule,
    Page,
    ProblemItem,
    RankBy,
    RankingEntry,
    RateKind,
    ResponsibilityItem,
    TaskItem,
    ThreeLists,
    ThreeRates,
)
from cogov.views.read import DEFAULT_MIN_SAMPLE, ViewReader

__all__ = ["ViewQueries"]


class ViewQueries(AppCore):
    def _reader(self) -> ViewReader:
        reader: ViewReader | None = getattr(self, "_view_reader", None)
        if reader is None:
            reader = self._view_reader = ViewReader(self.views.engine, self.calendar)
        return reader

    # -- 五共 ------------------------------------------------------------------------------
    def five_co_status(self, unit_id: UUID, month: str | None = None) -> FiveCoStatus:
        """决策共谋、发展共建、建设共管、效果共评、成果共享 of a unit and everything under it;
        with ``month``, the flows of that month (and the stock of that month's issues)."""
        return self._reader().five_co_status(unit_id, month, self.clock.now())

    # -- 三张清单 ----------------------------------------------------------------------------
    def problem_list(
        self,
        unit_id: UUID,
        *,
        month: str | None = None,
        statuses: Sequence[IssueStatus] | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[ProblemItem]:
        """问题清单: open problems (or those in ``statuses``), oldest first."""
        return self._reader().problem_list(
            unit_id, month=month, statuses=statuses, limit=limit, offset=offset
        )

    def task_list(
        self,
        unit_id: UUID,
        *,
        assignee_id: str | None = None,
        month: str | None = None,
        include_ended: bool = False,
        overdue_only: bool = False,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[TaskItem]:
        """任务清单: dispatched tasks by deadline, with working days left or overdue now."""
        return self._reader().task_list(
            unit_id,
            now=self.clock.now(),
            assignee_id=assignee_id,
            month=month,
            include_ended=include_ended,
            overdue_only=overdue_only,
            limit=limit,
            offset=offset,
        )

    def responsibility_list(
        self, unit_id: UUID, *, month: str | None = None, limit: int = 50, offset: int = 0
    ) -> Page[ResponsibilityItem]:
        """责任清单: per assignee, tasks owned, done, done late, returned and overdue now."""
        return self._reader().responsibility_list(
            unit_id, now=self.clock.now(), month=month, limit=limit, offset=offset
        )

    def three_lists(
        self,
        unit_id: UUID,
        *,
        kinds: Iterable[ListKind] = tuple(ListKind),
        month: str | None = None,
        limit: int = 50,
    ) -> ThreeLists:
        """三张清单 in one call; ``kinds`` chooses which lists a deployment keeps."""
        wanted = set(kinds)
        found: dict[str, Any] = {}
        if ListKind.PROBLEM in wanted:
            found["problems"] = self.problem_list(unit_id, month=month, limit=limit)
        if ListKind.TASK in wanted:
            found["tasks"] = self.task_list(unit_id, month=month, limit=limit)
        if ListKind.RESPONSIBILITY in wanted:
            found["responsibilities"] = self.responsibility_list(unit_id, month=month, limit=limit)
        return ThreeLists(**found)

    # -- 三率 ------------------------------------------------------------------------------
    def rates(self, unit_id: UUID, month: str | None = None) -> ThreeRates:
        """响应率、解决率、满意率 of a unit and everything under it."""
        return self._reader().unit_rates([unit_id], month)[unit_id]

    def assignee_rates(self, unit_id: UUID, month: str | None = None) -> list[ThreeRates]:
        """The three rates of each assignee (department, committee, council, cadre)."""
        return self._reader().assignee_rates(unit_id, month)

    def ranking(
        self,
        unit_id: UUID,
        *,
        rate: RateKind = RateKind.RESOLUTION,
        by: RankBy = RankBy.UNIT,
        month: str | None = None,
        min_sample: int = DEFAULT_MIN_SAMPLE,
    ) -> list[RankingEntry]:
        """Rank the unit's child units (or its assignees) by one rate; fewer than
        ``min_sample`` cases are listed unranked."""
        return self._reader().ranking(unit_id, rate=rate, by=by, month=month, min_sample=min_sample)

    # -- meetings and the monthly schedule -----------------------------------------------
    def meeting_register(
        self,
        unit_id: UUID,
        *,
        month: str | None = None,
        statuses: Sequence[MeetingStatus] | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[MeetingEntry]:
        """会议台账: meetings with attendance, quorum, decisions and 四议两公开 publication."""
        return self._reader().meeting_register(
            unit_id, month=month, statuses=statuses, limit=limit, offset=offset
        )

    def monthly_schedule(self, unit_id: UUID, month: str) -> MonthlySchedule:
        """每月调度: a month's collected, decided, dispatched, resolved and evaluated, and the
        tasks overdue at the month's end."""
        return self._reader().monthly_schedule(unit_id, month, self.clock.now())

    # -- the event feed ------------------------------------------------------------------
    def events_since(self, position: int = 0, limit: int = 100) -> list[tuple[int, Any]]:
        """Typed events after ``position``, oldest first, as ``(position, event)`` pairs."""
        return events_since(self.store.recorder, self.store.mapper, position, limit)
