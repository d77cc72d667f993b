"""Project commands: 发展共建 (approve, contribute, report), 建设共管 (maintain, inspect,
conventions), 效果共评 and 成果共享.

Long project streams (a pledge and a receipt per household, a report a month, patrols for
years) are snapshotted every :data:`PROJECT_SNAPSHOT_INTERVAL` events; a load reads the
latest snapshot and the events after it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from cogov.app.core import PROJECT_SNAPSHOT_INTERVAL, AppCore, command
from cogov.app.records import Record, register_record
from cogov.domain.body import ResidentsBody
from cogov.domain.issue import Issue
from cogov.domain.meeting import Meeting
from cogov.domain.project import (
    Amount,
    Convention,
    Inspection,
    Month,
    Percent,
    Pledge,
    ProgressReport,
    Project,
    ProjectStatus,
    Totals,
)
from cogov.domain.values import (
    Actor,
    Assignee,
    AssigneeKind,
    ContributionKind,
    Contributor,
    ContributorKind,
    DecisionRef,
    LongText,
    MeetingKind,
    Money,
    Name,
    Role,
    Scale,
    ShortText,
)
from cogov.errors import PermissionDeniedError, RuleViolationError
from cogov.security.permissions import Permission as P

__all__ = ["PROJECT_SNAPSHOT_INTERVAL", "ProjectCommands", "ProjectRecord", "authorize_in_line"]


class ProjectRecord(Record):
    """A project now: its money, labour and materials, progress, upkeep and verdict."""

    unit_id: UUID
    status: ProjectStatus
    title: str
    description: str | None
    scale: Scale
    issue_ids: list[UUID]
    budget: Decimal
    decision: DecisionRef | None
    approved_by: MeetingKind | None
    pledges: dict[UUID, Pledge]
    pledged: Totals
    received: Totals
    received_by_kind: dict[ContributorKind, Totals]
    reward: Decimal | None
    reward_base: Decimal | None
    funds_available: Decimal
    funds_used: Decimal
    percent_done: int
    reports: list[ProgressReport]
    completed_at: datetime | None
    accepted_at: datetime | None
    acceptance_decision: DecisionRef | None
    acceptance_body_id: UUID | None
    maintainer: Assignee | None
    maintainer_duties: str | None
    conventions: list[Convention]
    inspections: list[Inspection]
    ratings: dict[str, int]
    satisfied_votes: int
    satisfied_share: Decimal | None
    households_benefiting: int
    benefits: list[str]
    cancel_reason: str | None


register_record(Project, ProjectRecord)


def authorize_in_line(app: AppCore, actor: Actor, permission: P, unit_id: UUID) -> None:
    """Residents act in their own line of the tree (the unit they live in, or one above) and,
    with grant enforcement on, must be registered residents of the unit they claim; everyone
    else acts through a granted role on the unit or an ancestor."""
    if actor.role is not Role.RESIDENT:
        app._authorize(actor, permission, unit_id)
        return
    app._check_role(actor, permission)  # the permission, and a registered resident's claim
    if unit_id not in app.ancestry(actor.unit_id):
        raise PermissionDeniedError(
            f"resident {actor.id} of unit {actor.unit_id} is not a resident of unit {unit_id}",
            rule=f"permission.{permission}.scope",
        )


class ProjectCommands(AppCore):
    @command
    def propose_project(
        self,
        actor: Actor,
        *,
        unit_id: UUID,
        title: ShortText,
        budget: Money,
        issue_ids: list[UUID] | None = None,
        description: LongText | None = None,
        scale: Scale = Scale.MAJOR,
    ) -> UUID:
        """Propose a works project for a unit, linked to the issues it solves. Returns its id."""
        self._authorize(actor, P.PROPOSE_PROJECT, unit_id)
        linked = issue_ids or []
        for issue_id in linked:
            issue = self._get(Issue, issue_id)
            if unit_id not in self.ancestry(issue.unit_id):
                raise RuleViolationError(
                    f"issue {issue_id} lies outside unit {unit_id}", rule="project.issue.unit"
                )
        created = Project.propose(
            self._ctx(actor),
            id=self.new_id(),
            unit_id=unit_id,
            title=title,
            budget=budget,
            issue_ids=linked,
            description=description,
            scale=scale,
        )
        self._save(created)
        return created.id

    @command
    def approve_project(
        self, actor: Actor, project_id: UUID, *, meeting_id: UUID, item_no: int
    ) -> None:
        """决策共谋: the project rests on an adopted item of a meeting of its unit (or above)."""
        target = self._project_for(actor, P.APPROVE_PROJECT, project_id)
        meeting = self._meeting_of(target, meeting_id, "approval")
        item = meeting.item(item_no)
        if item.issue_id is not None and item.issue_id not in target.issue_ids:
            raise RuleViolationError(
                f"item {item_no} of meeting {meeting_id} is about issue {item.issue_id}, "
                "which this project does not solve",
                rule="project.approval.concerns_project",
            )
        target.approve(
            self._ctx(actor), decision=meeting.decision(item_no), meeting_kind=meeting.kind
        )
        self._save(target)

    @command
    def pledge_contribution(
        self,
        actor: Actor,
        project_id: UUID,
        *,
        contributor: Contributor,
        kind: ContributionKind,
        amount: Amount,
    ) -> UUID:
        """捐资/投工投劳/物资: record a pledge (yuan, or days of labour). Returns the pledge id."""
        target = self._get(Project, project_id)
        authorize_in_line(self, actor, P.CONTRIBUTE, target.unit_id)
        pledge_id = self.new_id()
        target.pledge(
            self._ctx(actor),
            pledge_id=pledge_id,
            contributor=contributor,
            kind=kind,
            amount=amount,
        )
        self._save(target)
        return pledge_id

    @command
    def receive_contribution(
        self, actor: Actor, project_id: UUID, *, pledge_id: UUID, amount: Amount
    ) -> None:
        """Record what arrived of a pledge (never more than pledged)."""
        target = self._project_for(actor, P.MANAGE_PROJECT, project_id)
        target.receive(self._ctx(actor), pledge_id=pledge_id, amount=amount)
        self._save(target)

    @command
    def grant_reward(self, actor: Actor, project_id: UUID) -> Decimal:
        """以奖代补: grant the reward the rule computes (once, after 验收). Returns it."""
        target = self._project_for(actor, P.GRANT_REWARD, project_id)
        amount = target.grant_reward(self._ctx(actor))
        self._save(target)
        return amount

    @command
    def report_progress(
        self,
        actor: Actor,
        project_id: UUID,
        *,
        month: Month,
        funds_used: Money,
        percent_done: Percent,
        note: LongText | None = None,
    ) -> None:
        """每月报告: the month's cumulative fund use and percent done."""
        target = self._project_for(actor, P.MANAGE_PROJECT, project_id)
        target.report_progress(
            self._ctx(actor),
            month=month,
            funds_used=funds_used,
            percent_done=percent_done,
            note=note,
        )
        self._save(target)

    @command
    def complete_project(self, actor: Actor, project_id: UUID) -> None:
        target = self._project_for(actor, P.MANAGE_PROJECT, project_id)
        target.complete(self._ctx(actor))
        self._save(target)

    @command
    def accept_project(
        self,
        actor: Actor,
        project_id: UUID,
        *,
        summary: LongText,
        meeting_id: UUID | None = None,
        item_no: int | None = None,
        body_id: UUID | None = None,
    ) -> None:
        """验收: residents accept the works — by an adopted meeting item, or by their body
        in office (the actor then acts for that body)."""
        target = self._project_for(actor, P.MANAGE_PROJECT, project_id)
        decision = None
        if meeting_id is not None or item_no is not None:
            if meeting_id is None or item_no is None:
                raise RuleViolationError(
                    "cite a meeting decision by its meeting and item number together",
                    rule="project.acceptance.decision_ref",
                )
            decision = self._meeting_of(target, meeting_id, "acceptance").decision(item_no)
        if body_id is not None:
            body = self._get(ResidentsBody, body_id)
            self._require_related_unit(target, body.unit_id, "acceptance")
            if not body.in_office:
                raise RuleViolationError(
                    f"{body.name} is {body.status.label_zh}, not in office",
                    rule="project.acceptance.body_in_office",
                )
            if not body.is_member(actor.id) and actor.organisation != str(body.id):
                raise PermissionDeniedError(
                    f"{actor.id} does not act for {body.name}",
                    rule="project.acceptance.body_member",
                )
        target.accept(self._ctx(actor), summary=summary, decision=decision, body_id=body_id)
        self._save(target)

    @command
    def assign_maintainer(
        self, actor: Actor, project_id: UUID, *, maintainer: Assignee, duties: LongText
    ) -> None:
        """建设共管: name who keeps the works up. A council given by a body's id must be in
        office."""
        target = self._project_for(actor, P.MANAGE_PROJECT, project_id)
        body = self._body_behind(maintainer)
        if body is not None and not body.in_office:
            raise RuleViolationError(
                f"{body.name} is {body.status.label_zh}, not in office",
                rule="project.maintainer.body_in_office",
            )
        target.assign_maintainer(self._ctx(actor), maintainer=maintainer, duties=duties)
        self._save(target)

    @command
    def adopt_convention(
        self,
        actor: Actor,
        project_id: UUID,
        *,
        title: ShortText,
        text: LongText,
        meeting_id: UUID,
        item_no: int,
    ) -> None:
        """居民公约: a convention residents adopted at a meeting."""
        target = self._project_for(actor, P.MANAGE_PROJECT, project_id)
        decision = self._meeting_of(target, meeting_id, "convention").decision(item_no)
        target.adopt_convention(self._ctx(actor), title=title, text=text, decision=decision)
        self._save(target)

    @command
    def record_inspection(
        self,
        actor: Actor,
        project_id: UUID,
        *,
        finding: LongText,
        ok: bool,
        inspector: Name | None = None,
    ) -> None:
        """共管: an inspection or patrol, by the actor unless another inspector is named."""
        target = self._project_for(actor, P.MANAGE_PROJECT, project_id)
        target.record_inspection(
            self._ctx(actor), inspector=inspector or actor.id, finding=finding, ok=ok
        )
        self._save(target)

    @command
    def evaluate_project(
        self, actor: Actor, project_id: UUID, *, score: int, comment: LongText | None = None
    ) -> ProjectRecord:
        """效果共评: a resident of the unit rates the works (once)."""
        target = self._get(Project, project_id)
        authorize_in_line(self, actor, P.EVALUATE, target.unit_id)
        target.evaluate(self._ctx(actor), score=score, comment=comment)
        self._save(target)
        return ProjectRecord.model_validate(target)

    @command
    def share_benefits(
        self, actor: Actor, project_id: UUID, *, households_benefiting: int, description: LongText
    ) -> None:
        """成果共享: publish how many households benefit."""
        target = self._project_for(actor, P.MANAGE_PROJECT, project_id)
        target.share_benefits(
            self._ctx(actor),
            households_benefiting=households_benefiting,
            description=description,
            unit_households=self._unit(target.unit_id).households,
        )
        self._save(target)

    @command
    def cancel_project(self, actor: Actor, project_id: UUID, *, reason: LongText) -> None:
        target = self._project_for(actor, P.APPROVE_PROJECT, project_id)
        target.cancel(self._ctx(actor), reason=reason)
        self._save(target)

    # -- reads ------------------------------------------------------------------------------
    def project(self, project_id: UUID) -> ProjectRecord:
        """The project now (from its latest snapshot and the events after it)."""
        return ProjectRecord.model_validate(self._get(Project, project_id))

    # -- helpers ----------------------------------------------------------------------------
    def _project_for(self, actor: Actor, permission: P, project_id: UUID) -> Project:
        target = self._get(Project, project_id)
        self._authorize(actor, permission, target.unit_id)
        return target

    def _meeting_of(self, target: Project, meeting_id: UUID, purpose: str) -> Meeting:
        meeting = self._get(Meeting, meeting_id)
        if meeting.unit_id not in self.ancestry(target.unit_id):
            raise RuleViolationError(
                f"meeting {meeting_id} is not a meeting of the project's unit or one above it",
                rule=f"project.{purpose}.unit",
            )
        return meeting

    def _require_related_unit(self, target: Project, unit_id: UUID, purpose: str) -> None:
        if unit_id not in self.ancestry(target.unit_id) and target.unit_id not in self.ancestry(
            unit_id
        ):
            raise RuleViolationError(
                f"unit {unit_id} is neither above nor below the project's unit",
                rule=f"project.{purpose}.unit",
            )

    def _body_behind(self, assignee: Assignee) -> ResidentsBody | None:
        """The residents' body a COUNCIL assignee names by id, if it is one of ours."""
        if assignee.kind is not AssigneeKind.COUNCIL:
            return None
        try:
            body_id = UUID(assignee.id)
        except ValueError:
            return None
        events: list[Any] = list(self.store.events.get(body_id, limit=1))
        if not events or not isinstance(events[0], ResidentsBody.Formed):
            return None
        return self._get(ResidentsBody, body_id)
