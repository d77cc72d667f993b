"""Issue commands: 民情收集 → 党群合议 → 协同破题 → 落实反馈 → 群众评判."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from cogov.app.core import AppCore, command
from cogov.app.records import IssueRecord
from cogov.domain.base import project
from cogov.domain.issue import Issue
from cogov.domain.meeting import Meeting, MeetingStatus
from cogov.domain.values import (
    Actor,
    Assignee,
    Channel,
    DecisionRef,
    LongText,
    Role,
    Scale,
    ShortText,
)
from cogov.errors import NotFoundError, PermissionDeniedError, RuleViolationError
from cogov.security.permissions import Permission as P

__all__ = ["IssueCommands"]


class IssueCommands(AppCore):
    @command
    def collect_issue(
        self,
        actor: Actor,
        *,
        unit_id: UUID,
        channel: Channel,
        raised_by: UUID,
        title: ShortText,
        description: LongText,
        category: ShortText | None = None,
    ) -> UUID:
        """民情收集: record a resident's concern in a governance unit. Returns the issue id."""
        self._authorize_for_unit(actor, P.COLLECT_ISSUE, unit_id)
        issue = Issue.collect(
            self._ctx(actor),
            id=self.new_id(),
            unit_id=unit_id,
            channel=channel,
            raised_by=raised_by,
            title=title,
            description=description,
            category=category,
        )
        self._save(issue)
        return issue.id

    @command
    def triage_issue(
        self, actor: Actor, issue_id: UUID, *, scale: Scale, category: ShortText
    ) -> None:
        """分级: judge the matter 大事, 小事 or 急事 (decides the meeting and the time limit)."""
        issue = self._issue_for(actor, P.TRIAGE_ISSUE, issue_id)
        issue.triage(self._ctx(actor), scale=scale, category=category)
        self._save(issue)

    @command
    def merge_issues(self, actor: Actor, duplicate_id: UUID, *, into: UUID) -> None:
        """Merge a duplicate into the issue that carries on; both histories stay."""
        duplicate = self._issue_for(actor, P.MERGE_ISSUE, duplicate_id)
        primary = self._issue_for(actor, P.MERGE_ISSUE, into)
        duplicate.merge_into(self._ctx(actor), primary)
        self._save(duplicate, primary)

    @command
    def deliberate_issue(
        self, actor: Actor, issue_id: UUID, *, meeting_id: UUID, item_no: int
    ) -> None:
        """党群合议: the issue now rests on an adopted meeting decision (大事大议、小事小议)."""
        issue = self._issue_for(actor, P.RECORD_DECISION, issue_id)
        meeting = self._get(Meeting, meeting_id)
        self._require_item_about(meeting, item_no, issue_id)
        issue.deliberate(
            self._ctx(actor), decision=meeting.decision(item_no), meeting_kind=meeting.kind
        )
        self._save(issue)

    @command
    def fast_track_issue(self, actor: Actor, issue_id: UUID, *, reason: LongText) -> None:
        """急事快议: act at once; the next meeting hears a report."""
        issue = self._issue_for(actor, P.FAST_TRACK_ISSUE, issue_id)
        issue.fast_track(self._ctx(actor), reason=reason)
        self._save(issue)

    @command
    def report_fast_track(
        self, actor: Actor, issue_id: UUID, *, meeting_id: UUID, item_no: int
    ) -> None:
        """Record that a fast-tracked matter was reported to a meeting that has convened."""
        issue = self._issue_for(actor, P.RECORD_DECISION, issue_id)
        meeting = self._get(Meeting, meeting_id)
        self._require_item_about(meeting, item_no, issue_id)
        if meeting.status not in (
            MeetingStatus.CONVENED,
            MeetingStatus.MINUTES_PUBLISHED,
            MeetingStatus.CLOSED,
        ):
            raise RuleViolationError(
                "a fast-tracked matter is reported to a meeting that has convened",
                rule="issue.fast_track.report",
            )
        outcome = meeting.outcomes.get(item_no)
        decided_at = outcome.decided_at if outcome else meeting.modified_on
        issue.report_fast_track(
            self._ctx(actor),
            decision=DecisionRef(meeting_id=meeting_id, item_no=item_no, decided_at=decided_at),
        )
        self._save(issue)

    @command
    def dispatch_issue(self, actor: Actor, issue_id: UUID, *, assignee: Assignee) -> datetime:
        """派单: give the matter to an assignee; the deadline follows from policy. Returns it."""
        issue = self._issue_for(actor, P.DISPATCH_ISSUE, issue_id)
        ctx = self._ctx(actor)
        if issue.scale is None:
            raise RuleViolationError(
                "triage the issue before dispatching it", rule="issue.triage_first"
            )
        limit = ctx.policy.deadline_for(issue.scale, issue.category)
        deadline = self.calendar.deadline(ctx.now, limit)
        issue.dispatch(ctx, assignee=assignee, deadline=deadline, time_limit=limit)
        self._save(issue)
        return deadline

    @command
    def return_issue(self, actor: Actor, issue_id: UUID, *, reason: LongText) -> None:
        """退单: the assignee returns a wrongly dispatched order, with a reason."""
        issue = self._issue_for(actor, P.HANDLE_DISPATCH, issue_id)
        ctx = self._ctx(actor)
        started = issue.dispatched_at or ctx.now
        issue.return_dispatch(
            ctx, reason=reason, return_by=self.calendar.deadline(started, ctx.policy.return_limit)
        )
        self._save(issue)

    @command
    def escalate_issue(self, actor: Actor, issue_id: UUID, *, reason: LongText) -> UUID:
        """上报: hand the matter to the parent unit (组→村→乡→县). Returns the new unit."""
        issue = self._issue_for(actor, P.ESCALATE_ISSUE, issue_id)
        parent = self._unit(issue.unit_id).parent_id
        if parent is None:
            raise RuleViolationError(
                "the issue already sits at the top unit; there is no one to escalate to",
                rule="issue.escalate.top",
            )
        issue.escalate(self._ctx(actor), to_unit_id=parent, reason=reason)
        self._save(issue)
        return parent

    @command
    def chase_issue(self, actor: Actor, issue_id: UUID) -> None:
        """催办: chase an overdue order."""
        issue = self._issue_for(actor, P.CHASE_ISSUE, issue_id)
        issue.chase(self._ctx(actor))
        self._save(issue)

    @command
    def resolve_issue(
        self, actor: Actor, issue_id: UUID, *, summary: LongText, project_id: UUID | None = None
    ) -> None:
        """落实: the current assignee reports what was done (and the project, if any)."""
        issue = self._issue_for(actor, P.HANDLE_DISPATCH, issue_id)
        if project_id is not None:
            self._require_exists(project_id, "project")
        issue.resolve(self._ctx(actor), summary=summary, project_id=project_id)
        self._save(issue)

    @command
    def publish_result(
        self, actor: Actor, issue_id: UUID, *, summary: LongText, households_benefiting: int = 0
    ) -> None:
        """公开: publish the result (for a major matter, after its decision was published)."""
        issue = self._issue_for(actor, P.PUBLISH_RESULT, issue_id)
        decision_published = True
        if issue.decision is not None:
            decision_published = self._get(Meeting, issue.decision.meeting_id).minutes_published
        issue.publish_result(
            self._ctx(actor),
            summary=summary,
            households_benefiting=households_benefiting,
            decision_published=decision_published,
        )
        self._save(issue)

    @command
    def evaluate_issue(
        self, actor: Actor, issue_id: UUID, *, score: int, comment: LongText | None = None
    ) -> IssueRecord:
        """群众评判: a resident of the unit rates the result; enough ratings close or reopen."""
        issue = self._get(Issue, issue_id)
        self._authorize_resident(actor, P.EVALUATE, issue.unit_id)
        issue.evaluate(self._ctx(actor), score=score, comment=comment)
        self._save(issue)
        return IssueRecord.model_validate(issue)

    @command
    def withdraw_issue(self, actor: Actor, issue_id: UUID, *, reason: LongText) -> None:
        """撤回: the resident who raised it (or a cadre) withdraws the matter, with a reason."""
        issue = self._get(Issue, issue_id)
        if actor.role is Role.RESIDENT:
            self._authorize_resident(actor, P.WITHDRAW_ISSUE, issue.unit_id)
            if actor.id != str(issue.raised_by):
                raise PermissionDeniedError(
                    "a resident may withdraw only a matter they raised",
                    rule="issue.withdraw.own_only",
                )
        else:
            self._authorize(actor, P.WITHDRAW_ISSUE, issue.unit_id)
        issue.withdraw(self._ctx(actor), reason=reason)
        self._save(issue)

    @command
    def reject_issue(self, actor: Actor, issue_id: UUID, *, reason: LongText) -> None:
        """不予受理: reject a matter out of scope, with a reason."""
        issue = self._issue_for(actor, P.REJECT_ISSUE, issue_id)
        issue.reject(self._ctx(actor), reason=reason)
        self._save(issue)

    # -- reads ------------------------------------------------------------------------------
    def issue(self, issue_id: UUID, *, as_of: datetime | None = None) -> IssueRecord:
        """The issue now, or as it stood at ``as_of`` (replayed from its events)."""
        if as_of is None:
            return IssueRecord.model_validate(self._get(Issue, issue_id))
        events = [e for e in self.history(issue_id) if e.timestamp <= as_of]
        state = project(None, events)
        if not isinstance(state, Issue):
            raise NotFoundError(
                f"no issue {issue_id} as of {as_of.isoformat()}", rule="issue.exists"
            )
        return IssueRecord.model_validate(state)

    # -- helpers ----------------------------------------------------------------------------
    def _issue_for(self, actor: Actor, permission: P, issue_id: UUID) -> Issue:
        issue = self._get(Issue, issue_id)
        self._authorize(actor, permission, issue.unit_id)
        return issue

    def _authorize_for_unit(self, actor: Actor, permission: P, unit_id: UUID) -> None:
        if actor.role is Role.RESIDENT:
            self._authorize_resident(actor, permission, unit_id)
        else:
            self._authorize(actor, permission, unit_id)

    def _authorize_resident(self, actor: Actor, permission: P, unit_id: UUID) -> None:
        """Residents act in their own line of the tree: the unit they live in, or one above.
        With grant enforcement on, the actor must be a registered resident of its unit."""
        if actor.role is not Role.RESIDENT:
            self._authorize(actor, permission, unit_id)
            return
        self._check_role(actor, permission)
        if unit_id not in self.ancestry(actor.unit_id):
            raise PermissionDeniedError(
                f"resident {actor.id} of unit {actor.unit_id} is not a resident of unit {unit_id}",
                rule=f"permission.{permission}.scope",
            )

    @staticmethod
    def _require_item_about(meeting: Meeting, item_no: int, issue_id: UUID) -> None:
        item = meeting.item(item_no)
        if item.issue_id != issue_id:
            raise RuleViolationError(
                f"item {item_no} of meeting {meeting.id} is not about issue {issue_id}",
                rule="decision.concerns_issue",
            )

    def _require_exists(self, aggregate_id: UUID, what: str) -> None:
        if not list(self.store.events.get(aggregate_id, limit=1)):
            raise NotFoundError(f"no {what} {aggregate_id}", rule=f"{what}.exists")
