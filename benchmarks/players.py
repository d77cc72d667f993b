"""Two players of the workload on cogov: through :class:`cogov.CoGov` commands (every
command loads, authorises, decides and saves on its own), and straight on the domain
aggregates (the rules still run; many aggregates are saved per ``store.save``)."""

from __future__ import annotations

import random
import time
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from benchmarks.workload import DEPARTMENTS, EPOCH, Hierarchy, Village
from cogov import AgendaTopic, CoGov, ManualClock
from cogov.calendar import WorkingCalendar
from cogov.domain.base import Aggregate, Context
from cogov.domain.issue import Issue
from cogov.domain.meeting import Meeting
from cogov.domain.policy import Policy
from cogov.domain.policybook import WHOLE_DEPLOYMENT, PolicyBook
from cogov.domain.resident import PERSONAL_FIELDS, Resident
from cogov.domain.unit import GovernanceUnit
from cogov.domain.values import Actor, Assignee, Channel, MeetingKind, Role, Scale, UnitLevel
from cogov.security.crypto import new_key, seal_field
from cogov.security.grants import AccessControl, ActorAccount

__all__ = ["ADMIN", "CommandOps", "DomainOps", "hierarchy_aggregates"]

ADMIN = Actor(id="admin", role=Role.ADMINISTRATOR, unit_id=WHOLE_DEPLOYMENT)
A = TypeVar("A", bound=Aggregate)


class CommandOps:
    """Plays the workload through CoGov's public commands, timing each one."""

    def __init__(self, app: CoGov, clock: ManualClock) -> None:
        self.app = app
        self.clock = clock
        self.latencies: list[float] = []

    def _timed(self, at: datetime, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self.clock.set(at)
        t = time.perf_counter()
        result = fn(*args, **kwargs)
        self.latencies.append(time.perf_counter() - t)
        return result

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
        result: UUID = self._timed(
            at,
            self.app.collect_issue,
            actor,
            unit_id=unit_id,
            channel=channel,
            raised_by=raised_by,
            title=title,
            description=description,
        )
        return result

    def triage(
        self, at: datetime, actor: Actor, issue_id: UUID, *, scale: Scale, category: str
    ) -> None:
        self._timed(at, self.app.triage_issue, actor, issue_id, scale=scale, category=category)

    def withdraw(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None:
        self._timed(at, self.app.withdraw_issue, actor, issue_id, reason=reason)

    def fast_track(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None:
        self._timed(at, self.app.fast_track_issue, actor, issue_id, reason=reason)

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
        result: UUID = self._timed(
            at,
            self.app.schedule_meeting,
            actor,
            unit_id=unit_id,
            kind=kind,
            title=title,
            roster_size=roster_size,
            scheduled_for=scheduled_for,
            chair_id=chair_id,
        )
        return result

    def publish_agenda(
        self, at: datetime, actor: Actor, meeting_id: UUID, *, topics: list[tuple[str, UUID]]
    ) -> None:
        agenda = [AgendaTopic(topic=t, issue_id=i) for t, i in topics]
        self._timed(at, self.app.publish_agenda, actor, meeting_id, topics=agenda)

    def convene(self, at: datetime, actor: Actor, meeting_id: UUID, *, present: int) -> None:
        self._timed(at, self.app.convene_meeting, actor, meeting_id, present=present)

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
        outcome = self._timed(
            at,
            self.app.record_vote,
            actor,
            meeting_id,
            item_no=item_no,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
        )
        return bool(outcome.adopted)

    def deliberate(
        self, at: datetime, actor: Actor, issue_id: UUID, *, meeting_id: UUID, item_no: int
    ) -> None:
        self._timed(
            at, self.app.deliberate_issue, actor, issue_id, meeting_id=meeting_id, item_no=item_no
        )

    def report_fast_track(
        self, at: datetime, actor: Actor, issue_id: UUID, *, meeting_id: UUID, item_no: int
    ) -> None:
        self._timed(
            at, self.app.report_fast_track, actor, issue_id, meeting_id=meeting_id, item_no=item_no
        )

    def reject(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None:
        self._timed(at, self.app.reject_issue, actor, issue_id, reason=reason)

    def publish_minutes(
        self, at: datetime, actor: Actor, meeting_id: UUID, *, summary: str
    ) -> None:
        self._timed(at, self.app.publish_minutes, actor, meeting_id, summary=summary)

    def close_meeting(self, at: datetime, actor: Actor, meeting_id: UUID) -> None:
        self._timed(at, self.app.close_meeting, actor, meeting_id)

    def dispatch(
        self, at: datetime, actor: Actor, issue_id: UUID, *, assignee: Assignee
    ) -> datetime:
        result: datetime = self._timed(
            at, self.app.dispatch_issue, actor, issue_id, assignee=assignee
        )
        return result

    def return_issue(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None:
        self._timed(at, self.app.return_issue, actor, issue_id, reason=reason)

    def chase(self, at: datetime, actor: Actor, issue_id: UUID) -> None:
        self._timed(at, self.app.chase_issue, actor, issue_id)

    def resolve(self, at: datetime, actor: Actor, issue_id: UUID, *, summary: str) -> None:
        self._timed(at, self.app.resolve_issue, actor, issue_id, summary=summary)

    def publish_result(
        self, at: datetime, actor: Actor, issue_id: UUID, *, summary: str, households: int
    ) -> None:
        self._timed(
            at,
            self.app.publish_result,
            actor,
            issue_id,
            summary=summary,
            households_benefiting=households,
        )

    def evaluate(self, at: datetime, actor: Actor, issue_id: UUID, *, score: int) -> None:
        self._timed(at, self.app.evaluate_issue, actor, issue_id, score=score)


class DomainOps:
    """Plays the workload on the aggregates themselves — the rules run exactly as in the
    application — and keeps every touched aggregate for one bulk ``store.save``."""

    def __init__(self, seed: int, policy: Policy | None = None) -> None:
        self.rng = random.Random(f"{seed}-ids")
        self.policy = policy or Policy()
        self.calendar = WorkingCalendar()
        self.touched: dict[UUID, Aggregate] = {}

    def take(self) -> list[Aggregate]:
        """The aggregates with pending events, to save; the player forgets them."""
        out, self.touched = list(self.touched.values()), {}
        return out

    def _ctx(self, at: datetime, actor: Actor) -> Context:
        return Context(actor=actor, now=at, policy=self.policy)

    def _new_id(self) -> UUID:
        return UUID(int=self.rng.getrandbits(128), version=4)

    def _get(self, cls: type[A], aggregate_id: UUID) -> A:
        aggregate = self.touched[aggregate_id]
        assert isinstance(aggregate, cls)
        return aggregate

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
        issue = Issue.collect(
            self._ctx(at, actor),
            id=self._new_id(),
            unit_id=unit_id,
            channel=channel,
            raised_by=raised_by,
            title=title,
            description=description,
        )
        self.touched[issue.id] = issue
        return issue.id

    def triage(
        self, at: datetime, actor: Actor, issue_id: UUID, *, scale: Scale, category: str
    ) -> None:
        self._get(Issue, issue_id).triage(self._ctx(at, actor), scale=scale, category=category)

    def withdraw(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None:
        self._get(Issue, issue_id).withdraw(self._ctx(at, actor), reason=reason)

    def fast_track(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None:
        self._get(Issue, issue_id).fast_track(self._ctx(at, actor), reason=reason)

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
        meeting = Meeting.schedule(
            self._ctx(at, actor),
            id=self._new_id(),
            unit_id=unit_id,
            kind=kind,
            title=title,
            roster_size=roster_size,
            scheduled_for=scheduled_for,
            chair_id=chair_id,
        )
        self.touched[meeting.id] = meeting
        return meeting.id

    def publish_agenda(
        self, at: datetime, actor: Actor, meeting_id: UUID, *, topics: list[tuple[str, UUID]]
    ) -> None:
        from cogov.domain.meeting import AgendaItem

        ctx = self._ctx(at, actor)
        meeting = self._get(Meeting, meeting_id)
        items = [AgendaItem(item_no=n, topic=t, issue_id=i) for n, (t, i) in enumerate(topics, 1)]
        meeting.publish_agenda(ctx, items=items)
        for item in items:
            assert item.issue_id is not None
            issue = self._get(Issue, item.issue_id)
            if issue.fast_track_pending_report:
                continue
            issue.put_on_agenda(
                ctx, meeting_id=meeting.id, meeting_kind=meeting.kind, item_no=item.item_no
            )

    def convene(self, at: datetime, actor: Actor, meeting_id: UUID, *, present: int) -> None:
        self._get(Meeting, meeting_id).convene(self._ctx(at, actor), present=present)

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
        outcome = self._get(Meeting, meeting_id).record_vote(
            self._ctx(at, actor),
            item_no=item_no,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
        )
        return outcome.adopted

    def deliberate(
        self, at: datetime, actor: Actor, issue_id: UUID, *, meeting_id: UUID, item_no: int
    ) -> None:
        meeting = self._get(Meeting, meeting_id)
        self._get(Issue, issue_id).deliberate(
            self._ctx(at, actor), decision=meeting.decision(item_no), meeting_kind=meeting.kind
        )

    def report_fast_track(
        self, at: datetime, actor: Actor, issue_id: UUID, *, meeting_id: UUID, item_no: int
    ) -> None:
        from cogov.domain.values import DecisionRef

        meeting = self._get(Meeting, meeting_id)
        outcome = meeting.outcomes[item_no]
        self._get(Issue, issue_id).report_fast_track(
            self._ctx(at, actor),
            decision=DecisionRef(
                meeting_id=meeting_id, item_no=item_no, decided_at=outcome.decided_at
            ),
        )

    def reject(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None:
        self._get(Issue, issue_id).reject(self._ctx(at, actor), reason=reason)

    def publish_minutes(
        self, at: datetime, actor: Actor, meeting_id: UUID, *, summary: str
    ) -> None:
        self._get(Meeting, meeting_id).publish_minutes(self._ctx(at, actor), summary=summary)

    def close_meeting(self, at: datetime, actor: Actor, meeting_id: UUID) -> None:
        self._get(Meeting, meeting_id).close(self._ctx(at, actor))

    def dispatch(
        self, at: datetime, actor: Actor, issue_id: UUID, *, assignee: Assignee
    ) -> datetime:
        ctx = self._ctx(at, actor)
        issue = self._get(Issue, issue_id)
        assert issue.scale is not None
        limit = self.policy.deadline_for(issue.scale, issue.category)
        deadline = self.calendar.deadline(at, limit)
        issue.dispatch(ctx, assignee=assignee, deadline=deadline, time_limit=limit)
        return deadline

    def return_issue(self, at: datetime, actor: Actor, issue_id: UUID, *, reason: str) -> None:
        issue = self._get(Issue, issue_id)
        started = issue.dispatched_at or at
        issue.return_dispatch(
            self._ctx(at, actor),
            reason=reason,
            return_by=self.calendar.deadline(started, self.policy.return_limit),
        )

    def chase(self, at: datetime, actor: Actor, issue_id: UUID) -> None:
        self._get(Issue, issue_id).chase(self._ctx(at, actor))

    def resolve(self, at: datetime, actor: Actor, issue_id: UUID, *, summary: str) -> None:
        self._get(Issue, issue_id).resolve(self._ctx(at, actor), summary=summary)

    def publish_result(
        self, at: datetime, actor: Actor, issue_id: UUID, *, summary: str, households: int
    ) -> None:
        issue = self._get(Issue, issue_id)
        published = True
        if issue.decision is not None and issue.decision.meeting_id in self.touched:
            published = self._get(Meeting, issue.decision.meeting_id).minutes_published
        issue.publish_result(
            self._ctx(at, actor),
            summary=summary,
            households_benefiting=households,
            decision_published=published,
        )

    def evaluate(self, at: datetime, actor: Actor, issue_id: UUID, *, score: int) -> None:
        self._get(Issue, issue_id).evaluate(self._ctx(at, actor), score=score)


def hierarchy_aggregates(h: Hierarchy, policy: Policy | None = None) -> list[Aggregate]:
    """The frame of the history, as new aggregates for a bulk save: the policy book, the
    access-control root and the officials' grants (grid worker, two-committee cadre and
    council per village; the departments at the county), every governance unit, and every
    resident on the register with personal fields sealed under a key of their own.

    The residents' keys are not put in the key vault: the benchmark never opens personal data,
    and one vault write per resident would measure the vault, not the event store."""
    policy = policy or Policy()
    ctx = Context(actor=ADMIN, now=EPOCH, policy=policy)
    out: list[Aggregate] = [
        PolicyBook.open(ctx, policy=policy, reason="初始规则 (initial policy)"),
        AccessControl.bootstrap(ctx, administrator_id=ADMIN.id),
    ]

    def grant(actor_id: str, role: Role, unit_id: UUID) -> None:
        account = ActorAccount.open(ctx, actor_id=actor_id)
        account.grant(ctx, role=role, unit_id=unit_id, reason="基准测试 (benchmark)")
        out.append(account)

    def unit(
        id: UUID, name: str, level: UnitLevel, parent: GovernanceUnit | None
    ) -> GovernanceUnit:
        u = GovernanceUnit.establish(ctx, id=id, name=name, level=level, parent=parent)
        out.append(u)
        return u

    grant(ADMIN.id, Role.ADMINISTRATOR, WHOLE_DEPLOYMENT)
    county = unit(h.county[0], h.county[1], UnitLevel.COUNTY, None)
    for code, _ in DEPARTMENTS:
        grant(f"{code}-1", Role.DEPARTMENT_STAFF, county.id)
    towns = {t: unit(t, name, UnitLevel.TOWNSHIP, county) for t, name in h.townships}
    key = new_key()
    for v in h.villages:
        village = unit(v.id, v.name, UnitLevel.VILLAGE, towns[v.township_id])
        for actor_id, role in officials(v):
            grant(actor_id, role, v.id)
        for g, group in enumerate(v.groups, 1):
            unit(group, f"{v.name}{g}组", UnitLevel.GROUP, village)
            for n, resident_id in enumerate(v.residents[group], 1):
                key_id = UUID(int=resident_id.int ^ 1, version=4)
                values = {
                    "name": f"居民{n}",
                    "phone": f"1380000{n:04d}",
                    "address": f"{v.name}{g}组{n}号",
                    "household": f"户{n}",
                }
                sealed = {
                    f: seal_field(key, key_id, resident_id, f, values[f]) for f in PERSONAL_FIELDS
                }
                out.append(
                    Resident.register(
                        ctx, id=resident_id, unit_id=group, key_id=key_id, sealed=sealed
                    )
                )
    return out


def officials(v: Village) -> list[tuple[str, Role]]:
    """The officials of a village the workload acts as (ids as :mod:`benchmarks.workload`)."""
    return [
        (f"gw-{v.id.hex[:8]}", Role.GRID_WORKER),
        (f"sec-{v.id.hex[:8]}", Role.COMMITTEE_MEMBER),
        (f"council-{v.id.hex[:6]}", Role.COUNCIL_MEMBER),
    ]
