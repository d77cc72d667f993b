"""Queries on the ``view_*`` tables: the 五共 status, 三张清单, 三率 and rankings, the meeting
register and the monthly schedule. Reads only view tables (never the events or the write
model). Figures that depend on time — overdue, days left — are computed here, at query time,
from the caller's ``now`` and the working-day calendar.

Rollups: every filter "unit X" means X and everything under it, through the closure table
``view_unit_ancestors`` (one indexed lookup on ``ancestor_id``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    and_,
    case,
    func,
    or_,
    select,
    true,
)

from cogov.calendar import WorkingCalendar
from cogov.domain.issue import IssueStatus
from cogov.domain.meeting import MeetingStatus
from cogov.errors import InvalidInputError, NotFoundError
from cogov.views import tables as t
from cogov.views.events import month_bounds
from cogov.views.models import (
    CoBuilding,
    CoEvaluating,
    CoManaging,
    CoPlanning,
    CoSharing,
    FiveCoStatus,
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
    ThreeRates,
)
from cogov.views.projections import TaskState

__all__ = ["DEFAULT_MIN_SAMPLE", "MAX_PAGE", "ViewReader", "check_month", "check_page"]

DEFAULT_MIN_SAMPLE = 5
MAX_PAGE = 1000
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_OPEN_ISSUE = [s.value for s in IssueStatus if s.is_open]
_AWAITING_DELIBERATION = [
    IssueStatus.TRIAGED.value,
    IssueStatus.ON_AGENDA.value,
    IssueStatus.ESCALATED.value,
]
ISS, K, R, M = t.issues, t.tasks, t.ratings, t.meetings


def check_month(month: str | None) -> str | None:
    if month is not None and not _MONTH.match(month):
        raise InvalidInputError(f"a month is written YYYY-MM, not {month!r}", rule="input.month")
    return month


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"limit is 1 to {MAX_PAGE}, not {limit}", rule="input.limit")
    if offset < 0:
        raise InvalidInputError(f"offset cannot be negative ({offset})", rule="input.offset")


def _subtree(unit_id: UUID) -> Select[Any]:
    a = t.unit_ancestors
    return select(a.c.unit_id).where(a.c.ancestor_id == unit_id)


def _sum(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _hundredths(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


class ViewReader:
    """The query side of the views, on the engine the runner writes with."""

    def __init__(self, engine: Engine, calendar: WorkingCalendar | None = None) -> None:
        self.engine = engine
        self.calendar = calendar or WorkingCalendar()

    # -- units ---------------------------------------------------------------------------
    def unit_name(self, conn: Connection, unit_id: UUID) -> str:
        name = conn.execute(select(t.units.c.name).where(t.units.c.unit_id == unit_id)).scalar()
        if name is None:
            raise NotFoundError(f"no governance unit {unit_id} in the views", rule="unit.exists")
        return str(name)

    # -- 五共 ------------------------------------------------------------------------------
    def five_co_status(self, unit_id: UUID, month: str | None, now: datetime) -> FiveCoStatus:
        check_month(month)
        with self.engine.connect() as conn:
            self.unit_name(conn, unit_id)
            c = self._counters(conn, t.counters, "value", unit_id, month)
            f = self._counters(conn, t.project_facts, "value_x100", unit_id, month)
            cohort: list[Any] = [ISS.c.unit_id.in_(_subtree(unit_id))]
            if month:
                cohort.append(ISS.c.collected_month == month)
            stock = conn.execute(
                select(
                    _sum(ISS.c.status == IssueStatus.COLLECTED.value),
                    _sum(ISS.c.status.in_(_AWAITING_DELIBERATION)),
                    _sum(ISS.c.status == IssueStatus.DISPATCHED.value),
                ).where(*cohort)
            ).one()
            meetings: list[Any] = [M.c.unit_id.in_(_subtree(unit_id)), M.c.convened_at.is_not(None)]
            if month:
                meetings.append(M.c.month == month)
            held, present, roster = conn.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(M.c.present), 0),
                    func.coalesce(func.sum(M.c.roster_size), 0),
                ).where(*meetings)
            ).one()
            projects: list[Any] = [t.projects.c.unit_id.in_(_subtree(unit_id))]
            if month:
                projects.append(t.projects.c.month == month)
            maintained = conn.execute(
                select(_sum(t.projects.c.under_maintenance == true())).where(*projects)
            ).scalar_one()
            overdue = conn.execute(
                select(func.count()).where(*self._overdue_tasks(unit_id, month, now))
            ).scalar_one()

        def n(metric: str) -> int:
            return int(c.get(metric, 0))

        def money(metric: str) -> Decimal:
            return _hundredths(f.get(metric, 0))

        def count(metric: str) -> int:
            return f.get(metric, 0) // 100

        return FiveCoStatus(
            unit_id=unit_id,
            month=month,
            as_of=now,
            co_planning=CoPlanning(
                collected=n("collected"),
                awaiting_triage=int(stock[0]),
                awaiting_deliberation=int(stock[1]),
                deliberated=n("deliberated"),
                fast_tracked=n("fast_tracked"),
                meetings_held=int(held),
                attendance_present=int(present),
                attendance_roster=int(roster),
                attendance=Rate(numerator=int(present), denominator=int(roster)),
            ),
            co_building=CoBuilding(
                dispatched=n("dispatched"),
                in_progress=int(stock[2]),
                projects=count("projects"),
                money_pledged=money("pledged_money"),
                money_received=money("received_money"),
                labour_days_pledged=money("pledged_labour_days"),
                labour_days_received=money("received_labour_days"),
                materials_pledged=money("pledged_materials"),
                materials_received=money("received_materials"),
                rewards=money("rewards"),
            ),
            co_managing=CoManaging(
                under_maintenance=int(maintained),
                inspections=count("inspections"),
                inspections_failed=count("inspections_failed"),
                conventions=count("conventions"),
                overdue=int(overdue),
            ),
            co_evaluating=CoEvaluating(
                ratings=n("ratings") + count("ratings"),
                satisfied=n("satisfied") + count("satisfied"),
                satisfaction=Rate(
                    numerator=n("satisfied") + count("satisfied"),
                    denominator=n("ratings") + count("ratings"),
                ),
                reopened=n("reopened"),
            ),
            co_sharing=CoSharing(
                results_published=n("published"),
                households_benefiting=n("households_benefiting") + count("households_benefiting"),
            ),
        )

    @staticmethod
    def _counters(
        conn: Connection, table: Any, column: str, unit_id: UUID, month: str | None
    ) -> dict[str, int]:
        where: list[Any] = [table.c.unit_id.in_(_subtree(unit_id))]
        if month:
            where.append(table.c.month == month)
        query = (
            select(table.c.metric, func.sum(table.c[column])).where(*where).group_by(table.c.metric)
        )
        return {str(metric): int(value) for metric, value in conn.execute(query).all()}

    @staticmethod
    def _overdue_tasks(unit_id: UUID, month: str | None, now: datetime) -> list[Any]:
        where = [
            K.c.unit_id.in_(_subtree(unit_id)),
            K.c.state == TaskState.OPEN,
            K.c.deadline < now,
        ]
        if month:
            where.append(K.c.dispatched_month == month)
        return where

    # -- 三张清单 ----------------------------------------------------------------------------
    def problem_list(
        self,
        unit_id: UUID,
        *,
        month: str | None,
        statuses: Sequence[IssueStatus] | None,
        limit: int,
        offset: int,
    ) -> Page[ProblemItem]:
        check_month(month)
        check_page(limit, offset)
        wanted = [s.value for s in statuses] if statuses else _OPEN_ISSUE
        where: list[Any] = [ISS.c.unit_id.in_(_subtree(unit_id)), ISS.c.status.in_(wanted)]
        if month:
            where.append(ISS.c.collected_month == month)
        with self.engine.connect() as conn:
            self.unit_name(conn, unit_id)
            total = conn.execute(select(func.count()).select_from(ISS).where(*where)).scalar_one()
            rows = conn.execute(
                select(ISS, t.units.c.name.label("unit_name"))
                .join(t.units, t.units.c.unit_id == ISS.c.unit_id)
                .where(*where)
                .order_by(ISS.c.collected_at, ISS.c.issue_id)
                .limit(limit)
                .offset(offset)
            ).mappings()
            items = [
                ProblemItem(
                    issue_id=r["issue_id"],
                    unit_id=r["unit_id"],
                    unit_name=r["unit_name"],
                    title=r["title"],
                    status=r["status"],
                    scale=r["scale"],
                    category=r["category"],
                    collected_at=r["collected_at"],
                    assignee_name=r["assignee_name"],
                    deadline=r["deadline"],
                )
                for r in rows
            ]
        return Page[ProblemItem](items=items, total=int(total), limit=limit, offset=offset)

    def task_list(
        self,
        unit_id: UUID,
        *,
        now: datetime,
        assignee_id: str | None,
        month: str | None,
        include_ended: bool,
        overdue_only: bool,
        limit: int,
        offset: int,
    ) -> Page[TaskItem]:
        check_month(month)
        check_page(limit, offset)
        where: list[Any] = [K.c.unit_id.in_(_subtree(unit_id))]
        if assignee_id is not None:
            where.append(K.c.assignee_id == assignee_id)
        if month:
            where.append(K.c.dispatched_month == month)
        if overdue_only:
            where += [K.c.state == TaskState.OPEN, K.c.deadline < now]
        elif not include_ended:
            where.append(K.c.state == TaskState.OPEN)
        with self.engine.connect() as conn:
            self.unit_name(conn, unit_id)
            total = conn.execute(select(func.count()).select_from(K).where(*where)).scalar_one()
            rows = conn.execute(
                select(K)
                .where(*where)
                .order_by(K.c.deadline, K.c.issue_id, K.c.dispatch_no)
                .limit(limit)
                .offset(offset)
            ).mappings()
            items = [self._task(dict(r), now) for r in rows]
        return Page[TaskItem](items=items, total=int(total), limit=limit, offset=offset)

    def _task(self, r: dict[str, Any], now: datetime) -> TaskItem:
        deadline: datetime = r["deadline"]
        ended: datetime | None = r["ended_at"]
        finish = ended if ended is not None else now
        overdue = finish > deadline
        days_left = None
        days_overdue = None
        if overdue:
            days_overdue = self.calendar.working_days_between(deadline, finish)
        elif ended is None:
            days_left = self.calendar.working_days_between(now, deadline)
        return TaskItem(
            issue_id=r["issue_id"],
            dispatch_no=r["dispatch_no"],
            unit_id=r["unit_id"],
            title=r["title"],
            assignee_kind=r["assignee_kind"],
            assignee_id=r["assignee_id"],
            assignee_name=r["assignee_name"],
            dispatched_at=r["dispatched_at"],
            deadline=deadline,
            state=r["state"],
            ended_at=ended,
            chased=r["chased"],
            overdue=overdue,
            days_left=days_left,
            days_overdue=days_overdue,
        )

    def responsibility_list(
        self, unit_id: UUID, *, now: datetime, month: str | None, limit: int, offset: int
    ) -> Page[ResponsibilityItem]:
        check_month(month)
        check_page(limit, offset)
        where: list[Any] = [K.c.unit_id.in_(_subtree(unit_id))]
        if month:
            where.append(K.c.dispatched_month == month)
        is_open = K.c.state == TaskState.OPEN
        resolved = K.c.state == TaskState.RESOLVED
        overdue = _sum(and_(is_open, K.c.deadline < now)).label("overdue")
        query = (
            select(
                K.c.assignee_id,
                func.max(K.c.assignee_name),
                func.max(K.c.assignee_kind),
                func.count(),
                _sum(is_open),
                _sum(resolved),
                _sum(and_(resolved, K.c.ended_at > K.c.deadline)),
                _sum(K.c.state == TaskState.RETURNED),
                overdue,
            )
            .where(*where)
            .group_by(K.c.assignee_id)
        )
        with self.engine.connect() as conn:
            self.unit_name(conn, unit_id)
            total = conn.execute(
                select(func.count(func.distinct(K.c.assignee_id))).where(*where)
            ).scalar_one()
            rows = conn.execute(
                query.order_by(overdue.desc(), K.c.assignee_id).limit(limit).offset(offset)
            ).all()
        items = [
            ResponsibilityItem(
                assignee_id=r[0],
                assignee_name=r[1],
                assignee_kind=r[2],
                owned=int(r[3]),
                open=int(r[4]),
                done=int(r[5]),
                done_late=int(r[6]),
                returned=int(r[7]),
                overdue=int(r[8]),
            )
            for r in rows
        ]
        return Page[ResponsibilityItem](items=items, total=int(total), limit=limit, offset=offset)

    # -- 三率 and ranking ------------------------------------------------------------------
    def unit_rates(self, unit_ids: Sequence[UUID], month: str | None) -> dict[UUID, ThreeRates]:
        """The three rates of each unit's subtree (issues collected in ``month``; ratings
        given in ``month``)."""
        check_month(month)
        a = t.unit_ancestors
        keys = list(unit_ids)
        issue_where: list[Any] = [a.c.ancestor_id.in_(keys), ISS.c.status != IssueStatus.MERGED]
        rating_where: list[Any] = [a.c.ancestor_id.in_(keys)]
        if month:
            issue_where.append(ISS.c.collected_month == month)
            rating_where.append(R.c.month == month)
        issue_q = (
            select(
                a.c.ancestor_id,
                func.count(),
                _sum(ISS.c.responded_on_time == true()),
                _sum(ISS.c.resolved_at.is_not(None)),
            )
            .join(a, a.c.unit_id == ISS.c.unit_id)
            .where(*issue_where)
            .group_by(a.c.ancestor_id)
        )
        rating_q = (
            select(a.c.ancestor_id, func.count(), _sum(R.c.satisfied == true()))
            .join(a, a.c.unit_id == R.c.unit_id)
            .where(*rating_where)
            .group_by(a.c.ancestor_id)
        )
        with self.engine.connect() as conn:
            names = {
                k: str(v)
                for k, v in conn.execute(
                    select(t.units.c.unit_id, t.units.c.name).where(t.units.c.unit_id.in_(keys))
                ).all()
            }
            for key in keys:
                if key not in names:
                    raise NotFoundError(
                        f"no governance unit {key} in the views", rule="unit.exists"
                    )
            issue_rows = {r[0]: r for r in conn.execute(issue_q).all()}
            rating_rows = {r[0]: r for r in conn.execute(rating_q).all()}
        result = {}
        for key in keys:
            i = issue_rows.get(key, (key, 0, 0, 0))
            r = rating_rows.get(key, (key, 0, 0))
            result[key] = ThreeRates(
                key=str(key),
                name=names[key],
                month=month,
                response=Rate(numerator=int(i[2]), denominator=int(i[1])),
                resolution=Rate(numerator=int(i[3]), denominator=int(i[1])),
                satisfaction=Rate(numerator=int(r[2]), denominator=int(r[1])),
            )
        return result

    def assignee_rates(self, unit_id: UUID, month: str | None) -> list[ThreeRates]:
        """Per assignee (department …), over the tasks dispatched in ``unit_id``'s subtree:
        响应 = acted on (resolved or returned) by the deadline; 解决 = resolved; 满意 = ratings
        of the results it delivered."""
        check_month(month)
        where: list[Any] = [K.c.unit_id.in_(_subtree(unit_id))]
        rating_where: list[Any] = [R.c.unit_id.in_(_subtree(unit_id)), R.c.assignee_id.is_not(None)]
        if month:
            where.append(K.c.dispatched_month == month)
            rating_where.append(R.c.month == month)
        acted = and_(
            K.c.state.in_([TaskState.RESOLVED, TaskState.RETURNED]),
            K.c.ended_at <= K.c.deadline,
        )
        task_q = (
            select(
                K.c.assignee_id,
                func.max(K.c.assignee_name),
                func.count(),
                _sum(acted),
                _sum(K.c.state == TaskState.RESOLVED),
            )
            .where(*where)
            .group_by(K.c.assignee_id)
        )
        rating_q = (
            select(R.c.assignee_id, func.count(), _sum(R.c.satisfied == true()))
            .where(*rating_where)
            .group_by(R.c.assignee_id)
        )
        with self.engine.connect() as conn:
            self.unit_name(conn, unit_id)
            tasks = {r[0]: r for r in conn.execute(task_q).all()}
            ratings = {r[0]: r for r in conn.execute(rating_q).all()}
        result = []
        for key in sorted(set(tasks) | set(ratings)):
            k = tasks.get(key, (key, key, 0, 0, 0))
            r = ratings.get(key, (key, 0, 0))
            result.append(
                ThreeRates(
                    key=key,
                    name=k[1],
                    month=month,
                    response=Rate(numerator=int(k[3]), denominator=int(k[2])),
                    resolution=Rate(numerator=int(k[4]), denominator=int(k[2])),
                    satisfaction=Rate(numerator=int(r[2]), denominator=int(r[1])),
                )
            )
        return result

    def ranking(
        self,
        unit_id: UUID,
        *,
        rate: RateKind,
        by: RankBy,
        month: str | None,
        min_sample: int,
    ) -> list[RankingEntry]:
        if min_sample < 1:
            raise InvalidInputError(
                f"the minimum sample is at least 1, not {min_sample}", rule="input.min_sample"
            )
        if by is RankBy.UNIT:
            with self.engine.connect() as conn:
                self.unit_name(conn, unit_id)
                children = list(
                    conn.execute(
                        select(t.units.c.unit_id).where(t.units.c.parent_id == unit_id)
                    ).scalars()
                )
            candidates = list(self.unit_rates(children, month).values()) if children else []
        else:
            candidates = self.assignee_rates(unit_id, month)
        return rank([(c.key, c.name, getattr(c, rate.value)) for c in candidates], min_sample)

    # -- meetings ------------------------------------------------------------------------
    def meeting_register(
        self,
        unit_id: UUID,
        *,
        month: str | None,
        statuses: Sequence[MeetingStatus] | None,
        limit: int,
        offset: int,
    ) -> Page[MeetingEntry]:
        check_month(month)
        check_page(limit, offset)
        where: list[Any] = [M.c.unit_id.in_(_subtree(unit_id))]
        if month:
            where.append(M.c.month == month)
        if statuses:
            where.append(M.c.status.in_([s.value for s in statuses]))
        matters = (
            select(
                ISS.c.decision_meeting_id.label("meeting_id"),
                func.count().label("decided"),
                _sum(ISS.c.published_at.is_not(None)).label("published"),
            )
            .where(ISS.c.decision_meeting_id.is_not(None))
            .group_by(ISS.c.decision_meeting_id)
            .subquery()
        )
        with self.engine.connect() as conn:
            self.unit_name(conn, unit_id)
            total = conn.execute(select(func.count()).select_from(M).where(*where)).scalar_one()
            rows = conn.execute(
                select(
                    M,
                    func.coalesce(matters.c.decided, 0).label("matters_decided"),
                    func.coalesce(matters.c.published, 0).label("outcomes_published"),
                )
                .outerjoin(matters, matters.c.meeting_id == M.c.meeting_id)
                .where(*where)
                .order_by(M.c.scheduled_for, M.c.meeting_id)
                .limit(limit)
                .offset(offset)
            ).mappings()
            items = []
            for r in rows:
                minutes = r["minutes_published_at"] is not None
                decided, published = int(r["matters_decided"]), int(r["outcomes_published"])
                items.append(
                    MeetingEntry(
                        meeting_id=r["meeting_id"],
                        unit_id=r["unit_id"],
                        kind=r["kind"],
                        title=r["title"],
                        status=r["status"],
                        scheduled_for=r["scheduled_for"],
                        month=r["month"],
                        roster_size=r["roster_size"],
                        present=r["present"],
                        quorum_met=r["quorum_met"],
                        items=r["items"],
                        decided=r["decided"],
                        adopted=r["adopted"],
                        minutes_published=minutes,
                        matters_decided=decided,
                        outcomes_published=published,
                        four_two_public=minutes and published == decided,
                    )
                )
        return Page[MeetingEntry](items=items, total=int(total), limit=limit, offset=offset)

    # -- 每月调度 ----------------------------------------------------------------------------
    def monthly_schedule(self, unit_id: UUID, month: str, now: datetime) -> MonthlySchedule:
        if check_month(month) is None:
            raise InvalidInputError("a month is required", rule="input.month")
        _, end = month_bounds(month)
        end = min(end, now)  # a month not over yet is seen as of now
        with self.engine.connect() as conn:
            self.unit_name(conn, unit_id)
            c = self._counters(conn, t.counters, "value", unit_id, month)
            overdue = conn.execute(
                select(func.count()).where(
                    K.c.unit_id.in_(_subtree(unit_id)),
                    K.c.dispatched_at < end,
                    K.c.deadline < end,
                    or_(K.c.ended_at.is_(None), K.c.ended_at > end),
                )
            ).scalar_one()

        def n(metric: str) -> int:
            return int(c.get(metric, 0))

        return MonthlySchedule(
            unit_id=unit_id,
            month=month,
            as_of=end,
            collected=n("collected"),
            decided=n("deliberated") + n("fast_tracked"),
            dispatched=n("dispatched"),
            resolved=n("resolved"),
            evaluated=n("ratings"),
            closed=n("closed"),
            reopened=n("reopened"),
            overdue_at_month_end=int(overdue),
        )


def rank(candidates: Sequence[tuple[str, str, Rate]], min_sample: int) -> list[RankingEntry]:
    """Competition ranking (1, 1, 3 …) by rate, highest first; candidates with fewer than
    ``min_sample`` cases (or no rate) are listed after, unranked."""
    ranked = sorted(
        (c for c in candidates if c[2].denominator >= min_sample and c[2].value is not None),
        key=lambda c: (-(c[2].value or Decimal(0)), -c[2].denominator, c[1], c[0]),
    )
    result: list[RankingEntry] = []
    previous: Decimal | None = None
    place = 0
    for index, (key, name, value) in enumerate(ranked, 1):
        if value.value != previous:
            place, previous = index, value.value
        result.append(
            RankingEntry(
                rank=place, key=key, name=name, rate=value, sample=value.denominator, ranked=True
            )
        )
    unranked = sorted(
        (c for c in candidates if c[2].denominator < min_sample or c[2].value is None),
        key=lambda c: (c[1], c[0]),
    )
    result += [
        RankingEntry(rank=None, key=k, name=n, rate=v, sample=v.denominator, ranked=False)
        for k, n, v in unranked
    ]
    return result
