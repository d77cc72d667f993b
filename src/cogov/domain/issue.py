"""Issue: a resident's concern, from collection to the residents' verdict.

The closed loop 民情收集 → 党群合议 → 协同破题 → 落实反馈 → 群众评判::

    collected ─triage─▶ triaged ─agenda─▶ on_agenda ─deliberate─▶ deliberated ─dispatch─▶ dispatched
        │                 │  └──fast_track (急事快议)──────────────▶ fast_tracked ─dispatch─┘   │  ▲
        │                 └─merge_into (duplicate) ▶ merged                     return (退单) ◀┘  │
        │                                                                     returned ─dispatch─┘
    withdraw / reject (a reason is required)          escalate ▶ escalated (at the parent unit)
    dispatched ─resolve (only the assignee)─▶ resolved ─publish_result─▶ published
    published ─evaluate × N─▶ closed (satisfied share ≥ threshold) | reopened ─dispatch─▶ …
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from cogov.domain.base import Aggregate, Context, DomainEvent, Started, applies
from cogov.domain.policy import TimeLimit
from cogov.domain.values import (
    Assignee,
    Channel,
    DecisionRef,
    LongText,
    MeetingKind,
    Name,
    Role,
    Scale,
    ShortText,
)
from cogov.errors import DeadlineError, PermissionDeniedError, RuleViolationError

__all__ = ["Issue", "IssueStatus"]


class IssueStatus(StrEnum):
    COLLECTED = "collected"  # 已收集
    TRIAGED = "triaged"  # 已分级
    ON_AGENDA = "on_agenda"  # 已列入议程
    DELIBERATED = "deliberated"  # 已合议决定
    FAST_TRACKED = "fast_tracked"  # 急事快办
    DISPATCHED = "dispatched"  # 已派单
    RETURNED = "returned"  # 已退单
    ESCALATED = "escalated"  # 已上报上级
    RESOLVED = "resolved"  # 已办结
    PUBLISHED = "published"  # 已公开结果
    CLOSED = "closed"  # 已关闭 (群众满意)
    REOPENED = "reopened"  # 已重办
    MERGED = "merged"  # 已合并
    WITHDRAWN = "withdrawn"  # 已撤回
    REJECTED = "rejected"  # 不予受理

    @property
    def is_open(self) -> bool:
        return self not in _TERMINAL


_TERMINAL = frozenset(
    {IssueStatus.CLOSED, IssueStatus.MERGED, IssueStatus.WITHDRAWN, IssueStatus.REJECTED}
)
S = IssueStatus
_DISPATCHABLE = frozenset({S.DELIBERATED, S.FAST_TRACKED, S.RETURNED, S.ESCALATED, S.REOPENED})


class Issue(Aggregate):
    TOPIC: ClassVar[str] = "cogov:Issue"

    class Event(DomainEvent):
        pass

    class Collected(Started, Event):
        """民情收集: a concern was collected from a resident."""

        TOPIC: ClassVar[str] = "cogov:Issue.Collected"
        channel: Channel
        raised_by: UUID  # the resident (pseudonymous id; personal data lives in the vault)
        title: ShortText
        description: LongText
        category: ShortText | None = None

    class Triaged(Event):
        """分级: the matter was judged 大事, 小事 or 急事."""

        TOPIC: ClassVar[str] = "cogov:Issue.Triaged"
        scale: Scale
        category: ShortText

    class MergedInto(Event):
        """A duplicate was merged into another issue; its history stays."""

        TOPIC: ClassVar[str] = "cogov:Issue.MergedInto"
        primary_id: UUID

    class DuplicateAbsorbed(Event):
        TOPIC: ClassVar[str] = "cogov:Issue.DuplicateAbsorbed"
        duplicate_id: UUID
        raised_by: UUID

    class PutOnAgenda(Event):
        TOPIC: ClassVar[str] = "cogov:Issue.PutOnAgenda"
        meeting_id: UUID
        meeting_kind: MeetingKind
        item_no: int = Field(ge=1)

    class Deliberated(Event):
        """党群合议: a meeting decided on the matter; the decision is cited."""

        TOPIC: ClassVar[str] = "cogov:Issue.Deliberated"
        decision: DecisionRef
        meeting_kind: MeetingKind

    class FastTracked(Event):
        """急事快议: a responsible cadre acted at once; the next meeting hears of it."""

        TOPIC: ClassVar[str] = "cogov:Issue.FastTracked"
        reason: LongText

    class FastTrackReported(Event):
        TOPIC: ClassVar[str] = "cogov:Issue.FastTrackReported"
        decision: DecisionRef

    class Dispatched(Event):
        """派单: the matter was given to an assignee with a deadline from policy."""

        TOPIC: ClassVar[str] = "cogov:Issue.Dispatched"
        assignee: Assignee
        deadline: AwareDatetime
        time_limit: TimeLimit
        dispatch_no: int = Field(ge=1)

    class Returned(Event):
        """退单: the assignee returned a wrongly dispatched order, with a reason."""

        TOPIC: ClassVar[str] = "cogov:Issue.Returned"
        assignee_id: Name
        reason: LongText

    class Escalated(Event):
        """上报: the unit cannot solve it; the parent unit takes it over."""

        TOPIC: ClassVar[str] = "cogov:Issue.Escalated"
        from_unit_id: UUID
        to_unit_id: UUID
        reason: LongText

    class Chased(Event):
        """催办: an overdue order was chased."""

        TOPIC: ClassVar[str] = "cogov:Issue.Chased"
        overdue_since: AwareDatetime

    class Resolved(Event):
        """落实: the assignee reports what was done."""

        TOPIC: ClassVar[str] = "cogov:Issue.Resolved"
        summary: LongText
        project_id: UUID | None = None

    class ResultPublished(Event):
        """反馈/公开: the result was made public."""

        TOPIC: ClassVar[str] = "cogov:Issue.ResultPublished"
        summary: LongText
        households_benefiting: int = Field(default=0, ge=0)

    class Evaluated(Event):
        """群众评判: one resident's rating of the result (one per resident per round)."""

        TOPIC: ClassVar[str] = "cogov:Issue.Evaluated"
        resident_id: Name
        score: int
        satisfied: bool
        round: int = Field(ge=1)
        comment: LongText | None = None

    class Closed(Event):
        """Residents are satisfied: the loop is closed."""

        TOPIC: ClassVar[str] = "cogov:Issue.Closed"
        ratings: int
        satisfied_share: Decimal

    class Reopened(Event):
        """Residents are not satisfied: the matter is handled again (重办)."""

        TOPIC: ClassVar[str] = "cogov:Issue.Reopened"
        ratings: int
        satisfied_share: Decimal
        round: int

    class Withdrawn(Event):
        TOPIC: ClassVar[str] = "cogov:Issue.Withdrawn"
        reason: LongText

    class Rejected(Event):
        TOPIC: ClassVar[str] = "cogov:Issue.Rejected"
        reason: LongText
        decision: DecisionRef | None = None

    # -- state --------------------------------------------------------------------------
    unit_id: UUID
    status: IssueStatus
    channel: Channel
    raised_by: UUID
    title: str
    description: str
    category: str | None
    scale: Scale | None
    collected_at: datetime
    co_raisers: list[UUID]
    duplicates: list[UUID]
    merged_into: UUID | None
    agenda: list[UUID]
    decision: DecisionRef | None
    decided_by: MeetingKind | None
    fast_track_pending_report: bool
    assignee: Assignee | None
    deadline: datetime | None
    dispatched_at: datetime | None
    dispatch_count: int
    returns: int
    escalations: int
    resolution: str | None
    project_id: UUID | None
    published: bool
    round: int
    ratings: dict[str, int]
    satisfied_votes: int

    # -- commands: each checks every rule, then records ----------------------------------
    @classmethod
    def collect(
        cls,
        ctx: Context,
        *,
        id: UUID,
        unit_id: UUID,
        channel: Channel,
        raised_by: UUID,
        title: str,
        description: str,
        category: str | None = None,
    ) -> Issue:
        return cls._start(
            cls.Collected,
            ctx,
            id=id,
            unit_id=unit_id,
            channel=channel,
            raised_by=raised_by,
            title=title,
            description=description,
            category=category,
        )

    def triage(self, ctx: Context, *, scale: Scale, category: str) -> None:
        self._require("triage", {S.COLLECTED, S.TRIAGED})
        self._record(self.Triaged, ctx, scale=scale, category=category)

    def merge_into(self, ctx: Context, primary: Issue) -> None:
        """Merge this duplicate into ``primary``; both keep their history."""
        self._require("merge", {S.COLLECTED, S.TRIAGED})
        if primary.id == self.id:
            raise RuleViolationError(
                "an issue cannot be merged into itself", rule="issue.merge.self"
            )
        if not primary.status.is_open:
            raise primary._refuse("absorb_duplicate", set(S) - _TERMINAL, primary.status)
        self._record(self.MergedInto, ctx, primary_id=primary.id)
        primary._record(
            primary.DuplicateAbsorbed, ctx, duplicate_id=self.id, raised_by=self.raised_by
        )

    def put_on_agenda(
        self, ctx: Context, *, meeting_id: UUID, meeting_kind: MeetingKind, item_no: int
    ) -> None:
        self._require("put_on_agenda", {S.TRIAGED, S.ON_AGENDA, S.ESCALATED, S.REOPENED})
        self._record(
            self.PutOnAgenda, ctx, meeting_id=meeting_id, meeting_kind=meeting_kind, item_no=item_no
        )

    def deliberate(self, ctx: Context, *, decision: DecisionRef, meeting_kind: MeetingKind) -> None:
        """Record the meeting decision the matter now rests on (大事大议、小事小议)."""
        self._require("deliberate", {S.ON_AGENDA, S.TRIAGED, S.ESCALATED, S.REOPENED})
        scale = self._scale_or_refuse("deliberate")
        allowed = ctx.policy.decision_bodies.get(scale, frozenset())
        if meeting_kind not in allowed:
            kinds = "、".join(sorted(k.label_zh for k in allowed))
            raise RuleViolationError(
                f"a {scale.label_zh} must be decided by {kinds}, not {meeting_kind.label_zh}",
                rule="issue.scale_routing",
                scale=str(scale),
                meeting_kind=str(meeting_kind),
            )
        self._record(self.Deliberated, ctx, decision=decision, meeting_kind=meeting_kind)

    def fast_track(self, ctx: Context, *, reason: str) -> None:
        """急事快议: act now, report to the next meeting."""
        self._require("fast_track", {S.TRIAGED, S.ON_AGENDA, S.ESCALATED, S.REOPENED})
        scale = self._scale_or_refuse("fast_track")
        if scale not in ctx.policy.fast_track_scales:
            raise RuleViolationError(
                f"only {'、'.join(s.label_zh for s in ctx.policy.fast_track_scales)} may be "
                f"fast-tracked; this is a {scale.label_zh}",
                rule="issue.fast_track.urgent_only",
            )
        self._record(self.FastTracked, ctx, reason=reason)

    def report_fast_track(self, ctx: Context, *, decision: DecisionRef) -> None:
        if not self.fast_track_pending_report:
            raise RuleViolationError(
                "nothing to report: the issue was not fast-tracked or is already reported",
                rule="issue.fast_track.report",
            )
        self._record(self.FastTrackReported, ctx, decision=decision)

    def dispatch(
        self, ctx: Context, *, assignee: Assignee, deadline: datetime, time_limit: TimeLimit
    ) -> None:
        """派单: only after a decision (or fast-track), with a deadline from policy."""
        self._require("dispatch", _DISPATCHABLE)
        if deadline <= ctx.now:
            raise DeadlineError(
                "the deadline must lie in the future", rule="issue.dispatch.deadline"
            )
        self._record(
            self.Dispatched,
            ctx,
            assignee=assignee,
            deadline=deadline,
            time_limit=time_limit,
            dispatch_no=self.dispatch_count + 1,
        )

    def return_dispatch(self, ctx: Context, *, reason: str, return_by: datetime) -> None:
        """退单: the assignee returns the order with a reason, within the return limit."""
        self._require("return", {S.DISPATCHED})
        self._require_assignee(ctx, "return")
        if ctx.now > return_by:
            raise DeadlineError(
                f"an order may be returned only until {return_by.isoformat()} "
                f"({ctx.policy.return_limit.describe()} after dispatch)",
                rule="issue.return.deadline",
            )
        assert self.assignee is not None
        self._record(self.Returned, ctx, assignee_id=self.assignee.id, reason=reason)

    def escalate(self, ctx: Context, *, to_unit_id: UUID, reason: str) -> None:
        """上报: escalate to the parent unit (the application checks it is the parent)."""
        self._require(
            "escalate",
            {
                S.TRIAGED,
                S.ON_AGENDA,
                S.DELIBERATED,
                S.FAST_TRACKED,
                S.DISPATCHED,
                S.RETURNED,
                S.REOPENED,
                S.ESCALATED,
            },
        )
        self._record(
            self.Escalated,
            ctx,
            unit_id=to_unit_id,
            from_unit_id=self.unit_id,
            to_unit_id=to_unit_id,
            reason=reason,
        )

    def chase(self, ctx: Context) -> None:
        """催办: chase an overdue order."""
        self._require("chase", {S.DISPATCHED})
        assert self.deadline is not None
        if ctx.now <= self.deadline:
            raise DeadlineError("the order is not overdue yet", rule="issue.chase.not_overdue")
        self._record(self.Chased, ctx, overdue_since=self.deadline)

    def resolve(self, ctx: Context, *, summary: str, project_id: UUID | None = None) -> None:
        """落实: only the current assignee resolves."""
        self._require("resolve", {S.DISPATCHED})
        self._require_assignee(ctx, "resolve")
        self._record(self.Resolved, ctx, summary=summary, project_id=project_id)

    def publish_result(
        self,
        ctx: Context,
        *,
        summary: str,
        households_benefiting: int = 0,
        decision_published: bool,
    ) -> None:
        """公开: 四议两公开 — for a major matter the decision must be public first."""
        self._require("publish_result", {S.RESOLVED})
        if (
            self.scale in ctx.policy.publication_required
            and self.decision is not None
            and not decision_published
        ):
            raise RuleViolationError(
                "四议两公开: the meeting decision this matter rests on must be published "
                "before its result",
                rule="issue.publication.decision_first",
            )
        self._record(
            self.ResultPublished, ctx, summary=summary, households_benefiting=households_benefiting
        )

    def evaluate(self, ctx: Context, *, score: int, comment: str | None = None) -> None:
        """群众评判: one rating per resident per round; enough ratings settle the matter."""
        self._require("evaluate", {S.PUBLISHED})
        policy = ctx.policy
        if ctx.actor.role is not Role.RESIDENT:
            raise PermissionDeniedError(
                "only residents rate the result", rule="issue.evaluate.residents_only"
            )
        if not policy.rating_min <= score <= policy.rating_max:
            raise RuleViolationError(
                f"a rating is between {policy.rating_min} and {policy.rating_max}, not {score}",
                rule="issue.evaluate.score_range",
            )
        if ctx.actor.id in self.ratings:
            raise RuleViolationError(
                f"resident {ctx.actor.id} has already rated this result",
                rule="issue.evaluate.one_per_resident",
            )
        satisfied = score >= policy.satisfied_from_score
        self._record(
            self.Evaluated,
            ctx,
            resident_id=ctx.actor.id,
            score=score,
            satisfied=satisfied,
            round=self.round,
            comment=comment,
        )
        count = len(self.ratings)
        if count >= policy.min_ratings_to_settle:
            share = (Decimal(self.satisfied_votes) / Decimal(count)).quantize(Decimal("0.0001"))
            if share >= policy.satisfaction_threshold:
                self._record(self.Closed, ctx, ratings=count, satisfied_share=share)
            else:
                self._record(
                    self.Reopened, ctx, ratings=count, satisfied_share=share, round=self.round + 1
                )

    def withdraw(self, ctx: Context, *, reason: str) -> None:
        self._require(
            "withdraw",
            {
                S.COLLECTED,
                S.TRIAGED,
                S.ON_AGENDA,
                S.DELIBERATED,
                S.FAST_TRACKED,
                S.DISPATCHED,
                S.RETURNED,
                S.ESCALATED,
                S.REOPENED,
            },
        )
        self._record(self.Withdrawn, ctx, reason=reason)

    def reject(self, ctx: Context, *, reason: str, decision: DecisionRef | None = None) -> None:
        self._require("reject", {S.COLLECTED, S.TRIAGED, S.ON_AGENDA, S.ESCALATED})
        self._record(self.Rejected, ctx, reason=reason, decision=decision)

    # -- queries ------------------------------------------------------------------------
    def is_overdue(self, now: datetime) -> bool:
        return self.status is S.DISPATCHED and self.deadline is not None and now > self.deadline

    # -- rule helpers -------------------------------------------------------------------
    def _require(self, command: str, allowed: set[IssueStatus] | frozenset[IssueStatus]) -> None:
        if self.status not in allowed:
            raise self._refuse(command, allowed, self.status)

    def _scale_or_refuse(self, command: str) -> Scale:
        if self.scale is None:
            raise RuleViolationError(
                f"the issue must be triaged (大事/小事/急事) before it can {command}",
                rule="issue.triage_first",
            )
        return self.scale

    def _require_assignee(self, ctx: Context, command: str) -> None:
        assignee = self.assignee
        actor = ctx.actor
        if assignee is None or (actor.id != assignee.id and actor.organisation != assignee.id):
            raise PermissionDeniedError(
                f"only the current assignee ({assignee.name if assignee else 'none'}) "
                f"may {command}",
                rule=f"issue.{command}.assignee_only",
            )

    # -- state changes (never fail: they re-run on every replay) ---------------------------
    @applies(Collected)
    def _collected(self, e: Collected) -> None:
        self.unit_id = e.unit_id
        self.status = S.COLLECTED
        self.channel = e.channel
        self.raised_by = e.raised_by
        self.title = e.title
        self.description = e.description
        self.category = e.category
        self.scale = None
        self.collected_at = e.timestamp
        self.co_raisers = []
        self.duplicates = []
        self.merged_into = None
        self.agenda = []
        self.decision = None
        self.decided_by = None
        self.fast_track_pending_report = False
        self.assignee = None
        self.deadline = None
        self.dispatched_at = None
        self.dispatch_count = 0
        self.returns = 0
        self.escalations = 0
        self.resolution = None
        self.project_id = None
        self.published = False
        self.round = 1
        self.ratings = {}
        self.satisfied_votes = 0

    @applies(Triaged)
    def _triaged(self, e: Triaged) -> None:
        self.scale = e.scale
        self.category = e.category
        self.status = S.TRIAGED

    @applies(MergedInto)
    def _merged(self, e: MergedInto) -> None:
        self.merged_into = e.primary_id
        self.status = S.MERGED

    @applies(DuplicateAbsorbed)
    def _absorbed(self, e: DuplicateAbsorbed) -> None:
        self.duplicates.append(e.duplicate_id)
        if e.raised_by != self.raised_by and e.raised_by not in self.co_raisers:
            self.co_raisers.append(e.raised_by)

    @applies(PutOnAgenda)
    def _on_agenda(self, e: PutOnAgenda) -> None:
        self.agenda.append(e.meeting_id)
        self.status = S.ON_AGENDA

    @applies(Deliberated)
    def _deliberated(self, e: Deliberated) -> None:
        self.decision = e.decision
        self.decided_by = e.meeting_kind
        self.status = S.DELIBERATED

    @applies(FastTracked)
    def _fast_tracked(self, e: FastTracked) -> None:
        self.fast_track_pending_report = True
        self.status = S.FAST_TRACKED

    @applies(FastTrackReported)
    def _fast_track_reported(self, e: FastTrackReported) -> None:
        self.fast_track_pending_report = False
        if self.decision is None:
            self.decision = e.decision

    @applies(Dispatched)
    def _dispatched(self, e: Dispatched) -> None:
        self.assignee = e.assignee
        self.deadline = e.deadline
        self.dispatched_at = e.timestamp
        self.dispatch_count = e.dispatch_no
        self.status = S.DISPATCHED

    @applies(Returned)
    def _returned(self, e: Returned) -> None:
        self.assignee = None
        self.deadline = None
        self.returns += 1
        self.status = S.RETURNED

    @applies(Escalated)
    def _escalated(self, e: Escalated) -> None:
        self.unit_id = e.to_unit_id
        self.assignee = None
        self.deadline = None
        self.escalations += 1
        self.status = S.ESCALATED

    @applies(Resolved)
    def _resolved(self, e: Resolved) -> None:
        self.resolution = e.summary
        self.project_id = e.project_id
        self.status = S.RESOLVED

    @applies(ResultPublished)
    def _published(self, e: ResultPublished) -> None:
        self.published = True
        self.status = S.PUBLISHED

    @applies(Evaluated)
    def _evaluated(self, e: Evaluated) -> None:
        self.ratings[e.resident_id] = e.score
        if e.satisfied:
            self.satisfied_votes += 1

    @applies(Closed)
    def _closed(self, e: Closed) -> None:
        self.status = S.CLOSED

    @applies(Reopened)
    def _reopened(self, e: Reopened) -> None:
        self.round = e.round
        self.ratings = {}
        self.satisfied_votes = 0
        self.published = False
        self.assignee = None
        self.deadline = None
        self.status = S.REOPENED

    @applies(Withdrawn)
    def _withdrawn(self, e: Withdrawn) -> None:
        self.status = S.WITHDRAWN

    @applies(Rejected)
    def _rejected(self, e: Rejected) -> None:
        self.status = S.REJECTED
