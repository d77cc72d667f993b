"""The same workload written the plain way on eventsourcing's defaults: the library's own
``Aggregate`` with ``@event`` methods, its default JSON mapper and transcoder, ``Application``
with one ``save`` per command, and the library's per-event ``Projection`` writing a view row
and its tracking row in one transaction per event.

The rules kept are the ones a plain write-up would keep (status checks, quorum and majority,
the assignee check); permission checks are left out (plain eventsourcing has none), so this
side does strictly less work per command than cogov.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg import sql

from cogov.calendar import WorkingCalendar
from cogov.domain.policy import Policy
from cogov.domain.values import Actor, Assignee, Channel, MeetingKind, Scale

__all__ = ["PlainApp", "PlainOps", "PlainStatusView", "plain_projection_rate"]


def _who(actor: Actor) -> dict[str, Any]:
    return {"id": actor.id, "role": str(actor.role), "unit_id": actor.unit_id}


class PlainIssue(Aggregate):
    @event("Collected")
    def __init__(
        self,
        *,
        actor: dict[str, Any],
        at: datetime,
        unit_id: UUID,
        channel: str,
        raised_by: UUID,
        title: str,
        description: str,
    ) -> None:
        self.unit_id = unit_id
        self.status = "collected"
        self.scale: str | None = None
        self.category: str | None = None
        self.assignee: dict[str, Any] | None = None
        self.deadline: datetime | None = None
        self.dispatched_at: datetime | None = None
        self.dispatch_count = 0
        self.round = 1
        self.ratings: dict[str, int] = {}
        self.satisfied = 0
        self.decision: dict[str, Any] | None = None
        self.fast_track_pending = False

    def require(self, *allowed: str) -> None:
        if self.status not in allowed:
            raise ValueError(f"cannot do that while {self.status}")

    @event("Triaged")
    def triage(self, *, actor: dict[str, Any], at: datetime, scale: str, category: str) -> None:
        self.scale, self.category, self.status = scale, category, "triaged"

    @event("Withdrawn")
    def withdraw(self, *, actor: dict[str, Any], at: datetime, reason: str) -> None:
        self.status = "withdrawn"

    @event("FastTracked")
    def fast_track(self, *, actor: dict[str, Any], at: datetime, reason: str) -> None:
        self.status, self.fast_track_pending = "fast_tracked", True

    @event("FastTrackReported")
    def report_fast_track(
        self, *, actor: dict[str, Any], at: datetime, decision: dict[str, Any]
    ) -> None:
        self.fast_track_pending = False

    @event("PutOnAgenda")
    def put_on_agenda(
        self, *, actor: dict[str, Any], at: datetime, meeting_id: UUID, item_no: int
    ) -> None:
        self.status = "on_agenda"

    @event("Deliberated")
    def deliberate(self, *, actor: dict[str, Any], at: datetime, decision: dict[str, Any]) -> None:
        self.decision, self.status = decision, "deliberated"

    @event("Rejected")
    def reject(self, *, actor: dict[str, Any], at: datetime, reason: str) -> None:
        self.status = "rejected"

    @event("Dispatched")
    def dispatch(
        self,
        *,
        actor: dict[str, Any],
        at: datetime,
        assignee: dict[str, Any],
        deadline: datetime,
        dispatch_no: int,
    ) -> None:
        self.assignee, self.deadline, self.dispatched_at = assignee, deadline, at
        self.dispatch_count, self.status = dispatch_no, "dispatched"

    @event("Returned")
    def return_dispatch(self, *, actor: dict[str, Any], at: datetime, reason: str) -> None:
        self.assignee, self.deadline, self.status = None, None, "returned"

    @event("Chased")
    def chase(self, *, actor: dict[str, Any], at: datetime, overdue_since: datetime) -> None:
        pass

    @event("Resolved")
    def resolve(self, *, actor: dict[str, Any], at: datetime, summary: str) -> None:
        self.status = "resolved"

    @event("ResultPublished")
    def publish_result(
        self, *, actor: dict[str, Any], at: datetime, summary: str, households: int
    ) -> None:
        self.status = "published"

    @event("Evaluated")
    def evaluate(
        self, *, actor: dict[str, Any], at: datetime, resident_id: str, score: int, round: int
    ) -> None:
        self.ratings[resident_id] = score
        self.satisfied += score >= 4

    @event("Closed")
    def close(self, *, actor: dict[str, Any], at: datetime, ratings: int) -> None:
        self.status = "closed"

    @event("Reopened")
    def reopen(self, *, actor: dict[str, Any], at: datetime, ratings: int, round: int) -> None:
        self.round, self.ratings, self.satisfied = round, {}, 0
        self.assignee, self.deadline, self.status = None, None, "reopened"


class PlainMeeting(Aggregate):
    @event("Scheduled")
    def __init__(
        self,
        *,
        actor: dict[str, Any],
        at: datetime,
        unit_id: UUID,
        kind: str,
        title: str,
        roster_size: int,
        scheduled_for: datetime,
        chair_id: str,
    ) -> None:
        self.unit_id, self.kind, self.title = unit_id, kind, title
        self.roster_size, self.scheduled_for, self.chair_id = roster_size, scheduled_for, chair_id
        self.status = "scheduled"
        self.items: list[dict[str, Any]] = []
        self.present = 0
        self.outcomes: dict[int, dict[str, Any]] = {}

    @event("AgendaPublished")
    def publish_agenda(
        self, *, actor: dict[str, Any], at: datetime, items: list[dict[str, Any]]
    ) -> None:
        self.items, self.status = items, "agenda_published"

    @event("Convened")
    def convene(self, *, actor: dict[str, Any], at: datetime, present: int) -> None:
        self.present, self.status = present, "convened"

    @event("Voted")
    def vote(
        self,
        *,
        actor: dict[str, Any],
        at: datetime,
        item_no: int,
        votes_for: int,
        votes_against: int,
        abstentions: int,
    ) -> None:
        pass

    @event("Decided")
    def decide(self, *, actor: dict[str, Any], at: datetime, item_no: int, adopted: bool) -> None:
        self.outcomes[item_no] = {"adopted": adopted, "decided_at": at}

    @event("MinutesPublished")
    def publish_minutes(self, *, actor: dict[str, Any], at: datetime, summary: str) -> None:
        self.status = "minutes_published"

    @event("Closed")
    def close(self, *, actor: dict[str, Any], at: datetime) -> None:
        self.status = "closed"


class PlainApp(Application[UUID]):
    """eventsourcing's Application with nothing changed but the name."""

    name = "Plain"


class PlainOps:
    """Plays the workload on :class:`PlainApp`: load, decide, ``save`` per command — or, with
    ``bulk=True``, keeps every aggregate touched for one ``save`` of many."""

    def __init__(self, app: PlainApp, *, bulk: bool = False) -> None:
        self.app = app
        self.bulk = bulk
        self.policy = Policy()
        self.calendar = WorkingCalendar()
        self.touched: dict[UUID, Aggregate] = {}
        self.latencies: list[float] = []

    def take(self) -> list[Aggregate]:
        out, self.touched = list(self.touched.values()), {}
        return out

    @contextmanager
    def _timed(self) -> Iterator[None]:
        t = time.perf_counter()
        yield
        self.latencies.append(time.perf_counter() - t)

    def _get(self, aggregate_id: UUID) -> Any:
        if self.bulk:
            return self.touched[aggregate_id]
        return self.app.repository.get(aggregate_id)

    def _save(self, *aggregates: Aggregate) -> None:
        if self.bulk:
            for a in aggregates:
                self.touched[a.id] = a
        else:
            self.app.save(*aggregates)

    def _issue_step(self, issue_id: UUID, method: str, allowed: tuple[str, ...], **kw: Any) -> None:
        with self._timed():
            issue = self._get(issue_id)
            issue.require(*allowed)
            getattr(issue, method)(**kw)
            self._save(issue)

    def collect(
        self,
        at: datetime,
        actor: Actor,
        *,
        unit_id: UUID,
        channel: Channel,
        raised_by: UUID,
        title: str,
        description: str,
    ) -> UUID:
        with self._timed():
            issue = PlainIssue(
                actor=_who(actor),
                at=at,
                unit_id=unit_id,
                channel=str(channel),
                raised_by=raised_by,
                title=title,
                description=description,
            )
            self._save(issue)
        return issue.id

    def triage(
        self, at: datetime, actor: Actor, issue_id: UUID, *, scale: Scale, category: str
    ) -> None:
        self._issue_step(
            issue_id,
            "triage",
            ("collected", "triaged"),
            actor=_who(actor),
            at=at,
            scale=str(scale),
            category=category,
        )

    def withdraw(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None:
        self._issue_step(
            issue_id, "withdraw", ("collected", "triaged"), actor=_who(actor), at=at, reason=reason
        )

    def fast_track(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None:
        self._issue_step(
            issue_id, "fast_track", ("triaged",), actor=_who(actor), at=at, reason=reason
        )

    def schedule_meeting(
        self,
        at: datetime,
        actor: Actor,
        *,
        unit_id: UUID,
        kind: MeetingKind,
        title: str,
        roster_size: int,
        scheduled_for: datetime,
        chair_id: str,
    ) -> UUID:
        with self._timed():
            meeting = PlainMeeting(
                actor=_who(actor),
                at=at,
                unit_id=unit_id,
                kind=str(kind),
                title=title,
                roster_size=roster_size,
                scheduled_for=scheduled_for,
                chair_id=chair_id,
            )
            self._save(meeting)
        return meeting.id

    def publish_agenda(
        self, at: datetime, actor: Actor, meeting_id: UUID, *, topics: list[tuple[str, UUID]]
    ) -> None:
        with self._timed():
            meeting = self._get(meeting_id)
            items: list[dict[str, Any]] = [
                {"item_no": n, "topic": t, "issue_id": i} for n, (t, i) in enumerate(topics, 1)
            ]
            meeting.publish_agenda(actor=_who(actor), at=at, items=items)
            issues = []
            for item in items:
                issue = self._get(item["issue_id"])
                if issue.fast_track_pending:
                    continue
                issue.put_on_agenda(
                    actor=_who(actor), at=at, meeting_id=meeting_id, item_no=item["item_no"]
                )
                issues.append(issue)
            self._save(meeting, *issues)

    def convene(self, at: datetime, actor: Actor, meeting_id: UUID, *, present: int) -> None:
        with self._timed():
            meeting = self._get(meeting_id)
            meeting.convene(actor=_who(actor), at=at, present=present)
            self._save(meeting)

    def record_vote(
        self,
        at: datetime,
        actor: Actor,
        meeting_id: UUID,
        *,
        item_no: int,
        votes_for: int,
        votes_against: int,
        abstentions: int,
    ) -> bool:
        with self._timed():
            meeting = self._get(meeting_id)
            quorum = self.policy.quorum_for(MeetingKind(meeting.kind))
            if not quorum.met(meeting.present, meeting.roster_size):
                raise ValueError("quorum not met")
            meeting.vote(
                actor=_who(actor),
                at=at,
                item_no=item_no,
                votes_for=votes_for,
                votes_against=votes_against,
                abstentions=abstentions,
            )
            adopted = self.policy.majority.met(votes_for, meeting.present)
            meeting.decide(actor=_who(actor), at=at, item_no=item_no, adopted=adopted)
            self._save(meeting)
        return adopted

    def _decision(self, meeting_id: UUID, item_no: int) -> dict[str, Any]:
        meeting = self._get(meeting_id)
        return {
            "meeting_id": meeting_id,
            "item_no": item_no,
            "decided_at": meeting.outcomes[item_no]["decided_at"],
        }

    def deliberate(
        self, at: datetime, actor: Actor, issue_id: UUID, *, meeting_id: UUID, item_no: int
    ) -> None:
        with self._timed():
            issue = self._get(issue_id)
            issue.require("on_agenda")
            issue.deliberate(actor=_who(actor), at=at, decision=self._decision(meeting_id, item_no))
            self._save(issue)

    def report_fast_track(
        self, at: datetime, actor: Actor, issue_id: UUID, *, meeting_id: UUID, item_no: int
    ) -> None:
        with self._timed():
            issue = self._get(issue_id)
            issue.report_fast_track(
                actor=_who(actor), at=at, decision=self._decision(meeting_id, item_no)
            )
            self._save(issue)

    def reject(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None:
        self._issue_step(
            issue_id, "reject", ("on_agenda", "triaged"), actor=_who(actor), at=at, reason=reason
        )

    def _meeting_step(self, meeting_id: UUID, method: str, **kw: Any) -> None:
        with self._timed():
            meeting = self._get(meeting_id)
            getattr(meeting, method)(**kw)
            self._save(meeting)

    def publish_minutes(
        self, at: datetime, actor: Actor, meeting_id: UUID, *, summary: str
    ) -> None:
        self._meeting_step(meeting_id, "publish_minutes", actor=_who(actor), at=at, summary=summary)

    def close_meeting(self, at: datetime, actor: Actor, meeting_id: UUID) -> None:
        self._meeting_step(meeting_id, "close", actor=_who(actor), at=at)

    def dispatch(
        self, at: datetime, actor: Actor, issue_id: UUID, *, assignee: Assignee
    ) -> datetime:
        with self._timed():
            issue = self._get(issue_id)
            issue.require("deliberated", "fast_tracked", "returned", "reopened")
            limit = self.policy.deadline_for(Scale(issue.scale), issue.category)
            deadline = self.calendar.deadline(at, limit)
            issue.dispatch(
                actor=_who(actor),
                at=at,
                assignee=assignee.model_dump(mode="json"),
                deadline=deadline,
                dispatch_no=issue.dispatch_count + 1,
            )
            self._save(issue)
        return deadline

    def _assignee_step(
        self, issue_id: UUID, actor: Actor, method: str, at: datetime, **kw: Any
    ) -> None:
        with self._timed():
            issue = self._get(issue_id)
            issue.require("dispatched")
            if issue.assignee is None or issue.assignee["id"] not in (actor.id, actor.organisation):
                raise ValueError("only the assignee")
            getattr(issue, method)(actor=_who(actor), at=at, **kw)
            self._save(issue)

    def return_issue(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None:
        self._assignee_step(issue_id, actor, "return_dispatch", at, reason=reason)

    def chase(self, at: datetime, actor: Actor, issue_id: UUID) -> None:
        with self._timed():
            issue = self._get(issue_id)
            issue.require("dispatched")
            issue.chase(actor=_who(actor), at=at, overdue_since=issue.deadline)
            self._save(issue)

    def resolve(self, at: datetime, actor: Actor, issue_id: UUID, *, summary: str) -> None:
        self._assignee_step(issue_id, actor, "resolve", at, summary=summary)

    def publish_result(
        self, at: datetime, actor: Actor, issue_id: UUID, *, summary: str, households: int
    ) -> None:
        self._issue_step(
            issue_id,
            "publish_result",
            ("resolved",),
            actor=_who(actor),
            at=at,
            summary=summary,
            households=households,
        )

    def evaluate(self, at: datetime, actor: Actor, issue_id: UUID, *, score: int) -> None:
        with self._timed():
            issue = self._get(issue_id)
            issue.require("published")
            if actor.id in issue.ratings:
                raise ValueError("already rated")
            who = _who(actor)
            issue.evaluate(actor=who, at=at, resident_id=actor.id, score=score, round=issue.round)
            n = len(issue.ratings)
            if n >= self.policy.min_ratings_to_settle:
                if issue.satisfied / n >= self.policy.satisfaction_threshold:
                    issue.close(actor=who, at=at, ratings=n)
                else:
                    issue.reopen(actor=who, at=at, ratings=n, round=issue.round + 1)
            self._save(issue)


# -- the library's per-event projection ----------------------------------------------------
class _SQLiteStatusView(SQLiteTrackingRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS plain_issue_status ("
            "issue_id TEXT PRIMARY KEY, unit_id TEXT, status TEXT)",
        ]

    def record(self, issue_id: UUID, unit_id: UUID | None, status: str, t: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            if unit_id is not None:
                c.execute(
                    "INSERT INTO plain_issue_status VALUES (?,?,?)",
                    (issue_id.hex, unit_id.hex, status),
                )
            elif status:
                c.execute(
                    "UPDATE plain_issue_status SET status=? WHERE issue_id=?",
                    (status, issue_id.hex),
                )
            self._insert_tracking(c, t)


class _PostgresStatusView(PostgresTrackingRecorder):
    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.sql_create_statements.append(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {}.plain_issue_status ("
                "issue_id uuid PRIMARY KEY, unit_id uuid, status text)"
            ).format(sql.Identifier(self.datastore.schema))
        )

    def record(self, issue_id: UUID, unit_id: UUID | None, status: str, t: Tracking) -> None:
        schema = sql.Identifier(self.datastore.schema)
        with self.datastore.transaction(commit=True) as c:
            if unit_id is not None:
                c.execute(
                    sql.SQL("INSERT INTO {}.plain_issue_status VALUES (%s,%s,%s)").format(schema),
                    (issue_id, unit_id, status),
                )
            elif status:
                c.execute(
                    sql.SQL("UPDATE {}.plain_issue_status SET status=%s WHERE issue_id=%s").format(
                        schema
                    ),
                    (status, issue_id),
                )
            self._insert_tracking(c, t)


PlainStatusView = _SQLiteStatusView | _PostgresStatusView

_STATUS = {
    "Triaged": "triaged",
    "Withdrawn": "withdrawn",
    "FastTracked": "fast_tracked",
    "PutOnAgenda": "on_agenda",
    "Deliberated": "deliberated",
    "Rejected": "rejected",
    "Dispatched": "dispatched",
    "Returned": "returned",
    "Resolved": "resolved",
    "ResultPublished": "published",
    "Closed": "closed",
    "Reopened": "reopened",
}


class IssueStatusProjection(Projection[Any]):
    """One row per issue with its status, per event, in the event's own transaction."""

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.record(domain_event.originator_id, None, "", tracking)

    @process_event.register
    def _(self, domain_event: PlainIssue.Event, tracking: Tracking) -> None:
        if isinstance(domain_event, Aggregate.Created):
            unit_id = domain_event.unit_id  # type: ignore[attr-defined]
            self.view.record(domain_event.originator_id, unit_id, "collected", tracking)
            return
        status = _STATUS.get(type(domain_event).__name__, "")
        self.view.record(domain_event.originator_id, None, status, tracking)


def plain_projection_rate(app: PlainApp, limit: int) -> tuple[int, float]:
    """Run the per-event projection over the first ``limit`` events of ``app``; returns the
    number of events and the seconds taken."""
    view_class: type[Any] = (
        _PostgresStatusView if "postgres" in type(app.factory).__module__ else _SQLiteStatusView
    )
    view = app.factory.tracking_recorder(view_class)
    projection = IssueStatusProjection(view)
    done = 0
    start = 1
    t = time.perf_counter()
    while done < limit:
        page = app.recorder.select_notifications(start, min(1000, limit - done))
        if not page:
            break
        for n in page:
            projection.process_event(app.mapper.to_domain_event(n), Tracking(app.name, n.id))
        done += len(page)
        start = page[-1].id + 1
    return done, time.perf_counter() - t
