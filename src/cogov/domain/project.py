"""Project: 发展共建、建设共管、成果共享 — a works project residents build, manage and share.

    proposed ─approve (an adopted meeting decision)─▶ approved
        │  pledge (捐资/投工投劳/物资) ─ receive (≤ pledged) ─ report_progress (每月报告)
        │                                   approved ─complete (100%)─▶ completed
    completed ─accept (验收, by residents)─▶ accepted ─assign_maintainer─▶ managed (共管)
    accepted | managed: grant_reward (以奖代补, once) · adopt_convention (居民公约)
                        · record_inspection (managed) · evaluate (共评) · share_benefits (共享)
    proposed | approved ─cancel (a reason)─▶ cancelled

以奖代补: reward = min(reward_ratio × (money + labour_days × labour_day_value + materials)
received from residents, firms and other communities — never from government —, reward_cap),
computed by the rule from the record, granted once, only after residents accepted the works.

Funds available = money received (government's included) + the reward; the cumulative funds
used in a monthly report never exceed it, and the percent done never goes down.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import Field, StringConstraints

from cogov.domain.base import Aggregate, Context, DomainEvent, Started, applies
from cogov.domain.policy import Policy
from cogov.domain.values import (
    Assignee,
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
    Value,
)
from cogov.errors import NotFoundError, PermissionDeniedError, RuleViolationError

__all__ = [
    "Amount",
    "Convention",
    "Inspection",
    "Month",
    "Percent",
    "Pledge",
    "ProgressReport",
    "Project",
    "ProjectStatus",
    "Totals",
    "reward_for",
]

#: A contribution: yuan for money and materials, days for labour (投工投劳), always > 0.
Amount = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
#: A calendar month, "YYYY-MM" (Beijing time), the period of a 每月报告.
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
#: Percent of the works done.
Percent = Annotated[int, Field(ge=0, le=100)]

_BEIJING = ZoneInfo("Asia/Shanghai")
_FEN = Decimal("0.01")


class ProjectStatus(StrEnum):
    PROPOSED = "proposed"  # 已提出
    APPROVED = "approved"  # 已批准 (共建中)
    COMPLETED = "completed"  # 已完工
    ACCEPTED = "accepted"  # 已验收
    MANAGED = "managed"  # 共管中 (maintainer assigned)
    CANCELLED = "cancelled"  # 已撤销


S = ProjectStatus
_AFTER_ACCEPTANCE = frozenset({S.ACCEPTED, S.MANAGED})


class Totals(Value):
    """Money (yuan), labour (days) and materials (yuan) — pledged or received."""

    money: Decimal = Decimal(0)
    labour_days: Decimal = Decimal(0)
    materials: Decimal = Decimal(0)

    def plus(self, kind: ContributionKind, amount: Decimal) -> Totals:
        field = {
            ContributionKind.MONEY: "money",
            ContributionKind.LABOUR: "labour_days",
            ContributionKind.MATERIALS: "materials",
        }[kind]
        return self.model_copy(update={field: getattr(self, field) + amount})

    @classmethod
    def of(cls, amounts: Iterable[tuple[ContributionKind, Decimal]]) -> Totals:
        """Add up (kind, amount) pairs — plain sums, one model at the end."""
        sums = dict.fromkeys(ContributionKind, Decimal(0))
        for kind, amount in amounts:
            sums[kind] += amount
        return cls(
            money=sums[ContributionKind.MONEY],
            labour_days=sums[ContributionKind.LABOUR],
            materials=sums[ContributionKind.MATERIALS],
        )

    def valued(self, labour_day_value: Decimal) -> Decimal:
        """Everything in yuan: labour days at the policy's value of a day's work."""
        return self.money + self.labour_days * labour_day_value + self.materials


class Pledge(Value):
    """One contributor's promise and what of it has arrived."""

    pledge_id: UUID
    contributor: Contributor
    kind: ContributionKind
    pledged: Decimal
    received: Decimal = Decimal(0)

    @property
    def outstanding(self) -> Decimal:
        return self.pledged - self.received


class ProgressReport(Value):
    """每月报告: progress and fund use of one month, made public."""

    month: str
    funds_used: Decimal
    percent_done: int
    note: str | None
    reported_at: datetime


class Convention(Value):
    """居民公约: a rule residents adopted for the works (e.g. volume down after 22:00)."""

    title: str
    text: str
    decision: DecisionRef
    adopted_at: datetime


class Inspection(Value):
    """共管: one inspection or patrol of the works."""

    inspector: str
    finding: str
    ok: bool
    inspected_at: datetime


def reward_for(base: Decimal, policy: Policy) -> Decimal:
    """以奖代补: min(reward_ratio × base, reward_cap), to the fen (分)."""
    return min(policy.reward_ratio * base, policy.reward_cap).quantize(_FEN, ROUND_HALF_UP)


class Project(Aggregate):
    TOPIC: ClassVar[str] = "cogov:Project"

    class Event(DomainEvent):
        pass

    class Proposed(Started, Event):
        """A works project was proposed for a governance unit, linked to the issues it solves."""

        TOPIC: ClassVar[str] = "cogov:Project.Proposed"
        title: ShortText
        description: LongText | None = None
        issue_ids: tuple[UUID, ...] = ()
        budget: Money
        scale: Scale = Scale.MAJOR

    class Approved(Event):
        """决策共谋: an adopted meeting decision approved the project."""

        TOPIC: ClassVar[str] = "cogov:Project.Approved"
        decision: DecisionRef
        meeting_kind: MeetingKind

    class ContributionPledged(Event):
        """捐资 / 投工投劳 / 物资: a contributor promised money, labour days or materials."""

        TOPIC: ClassVar[str] = "cogov:Project.ContributionPledged"
        pledge_id: UUID
        contributor: Contributor
        kind: ContributionKind
        amount: Amount

    class ContributionReceived(Event):
        """Part or all of a pledge arrived (money paid, days worked, materials delivered)."""

        TOPIC: ClassVar[str] = "cogov:Project.ContributionReceived"
        pledge_id: UUID
        amount: Amount

    class RewardGranted(Event):
        """以奖代补: the reward computed by the rule from what residents and partners gave."""

        TOPIC: ClassVar[str] = "cogov:Project.RewardGranted"
        amount: Money
        base: Money
        ratio: Decimal
        cap: Decimal
        labour_day_value: Decimal

    class ProgressReported(Event):
        """每月报告: the month's cumulative fund use and percent done, made public."""

        TOPIC: ClassVar[str] = "cogov:Project.ProgressReported"
        month: Month
        funds_used: Money
        percent_done: Percent
        funds_available: Money
        note: LongText | None = None

    class Completed(Event):
        """完工: the works are finished (the last monthly report said 100%)."""

        TOPIC: ClassVar[str] = "cogov:Project.Completed"

    class Accepted(Event):
        """验收: residents accepted the works — by a meeting decision or their own body."""

        TOPIC: ClassVar[str] = "cogov:Project.Accepted"
        summary: LongText
        decision: DecisionRef | None = None
        body_id: UUID | None = None

    class MaintainerAssigned(Event):
        """建设共管: someone owns the upkeep from now on."""

        TOPIC: ClassVar[str] = "cogov:Project.MaintainerAssigned"
        maintainer: Assignee
        duties: LongText

    class ConventionAdopted(Event):
        """居民公约: residents adopted a convention for the works, on a meeting decision."""

        TOPIC: ClassVar[str] = "cogov:Project.ConventionAdopted"
        title: ShortText
        text: LongText
        decision: DecisionRef

    class InspectionRecorded(Event):
        """共管: an inspection or patrol of the works, by whom, what was found, ok or not."""

        TOPIC: ClassVar[str] = "cogov:Project.InspectionRecorded"
        inspector: Name
        finding: LongText
        ok: bool

    class Evaluated(Event):
        """效果共评: one resident's rating of the works."""

        TOPIC: ClassVar[str] = "cogov:Project.Evaluated"
        resident_id: Name
        score: int
        satisfied: bool
        comment: LongText | None = None

    class BenefitsShared(Event):
        """成果共享: how many households benefit, made public."""

        TOPIC: ClassVar[str] = "cogov:Project.BenefitsShared"
        households_benefiting: int = Field(ge=1)
        description: LongText

    class Cancelled(Event):
        """The project was cancelled before completion, with a reason."""

        TOPIC: ClassVar[str] = "cogov:Project.Cancelled"
        reason: LongText

    # -- state --------------------------------------------------------------------------
    unit_id: UUID
    status: ProjectStatus
    title: str
    description: str | None
    issue_ids: list[UUID]
    budget: Decimal
    scale: Scale
    decision: DecisionRef | None
    approved_by: MeetingKind | None
    pledges: dict[UUID, Pledge]
    reward: Decimal | None
    reward_base: Decimal | None
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
    households_benefiting: int
    benefits: list[str]
    cancel_reason: str | None

    # -- commands -----------------------------------------------------------------------
    @classmethod
    def propose(
        cls,
        ctx: Context,
        *,
        id: UUID,
        unit_id: UUID,
        title: str,
        budget: Decimal,
        issue_ids: Iterable[UUID] = (),
        description: str | None = None,
        scale: Scale = Scale.MAJOR,
    ) -> Project:
        if budget <= 0:
            raise RuleViolationError(
                f"a project needs a budget above ¥0, not ¥{budget}", rule="project.budget.positive"
            )
        linked = tuple(dict.fromkeys(issue_ids))
        return cls._start(
            cls.Proposed,
            ctx,
            id=id,
            unit_id=unit_id,
            title=title,
            description=description,
            issue_ids=linked,
            budget=budget,
            scale=scale,
        )

    def approve(self, ctx: Context, *, decision: DecisionRef, meeting_kind: MeetingKind) -> None:
        """Approval rests on an adopted decision of a meeting fit for the project's scale."""
        self._require("approve", {S.PROPOSED})
        allowed = ctx.policy.decision_bodies.get(self.scale, frozenset())
        if meeting_kind not in allowed:
            kinds = "、".join(sorted(k.label_zh for k in allowed))
            raise RuleViolationError(
                f"a {self.scale.label_zh} project is approved by {kinds}, "
                f"not {meeting_kind.label_zh}",
                rule="project.approval.meeting_kind",
            )
        self._record(self.Approved, ctx, decision=decision, meeting_kind=meeting_kind)

    def pledge(
        self,
        ctx: Context,
        *,
        pledge_id: UUID,
        contributor: Contributor,
        kind: ContributionKind,
        amount: Decimal,
    ) -> None:
        """A promise of money, labour days or materials (before or after approval)."""
        self._require("pledge", {S.PROPOSED, S.APPROVED})
        self._require_positive(amount)
        if pledge_id in self.pledges:
            raise RuleViolationError(
                f"pledge {pledge_id} is already recorded", rule="project.pledge.unique"
            )
        if ctx.actor.role is Role.RESIDENT and (
            contributor.kind is not ContributorKind.RESIDENT or contributor.id != ctx.actor.id
        ):
            raise PermissionDeniedError(
                "a resident pledges only in their own name", rule="project.pledge.own_name"
            )
        self._record(
            self.ContributionPledged,
            ctx,
            pledge_id=pledge_id,
            contributor=contributor,
            kind=kind,
            amount=amount,
        )

    def receive(self, ctx: Context, *, pledge_id: UUID, amount: Decimal) -> None:
        """Record what arrived of a pledge; never more than was pledged."""
        self._require("receive", {S.APPROVED})
        self._require_positive(amount)
        pledge = self.pledge_of(pledge_id)
        if amount > pledge.outstanding:
            raise RuleViolationError(
                f"{amount} received exceeds the {pledge.outstanding} still pledged by "
                f"{pledge.contributor.name} (pledged {pledge.pledged}, received {pledge.received})",
                rule="project.contribution.within_pledge",
            )
        self._record(self.ContributionReceived, ctx, pledge_id=pledge_id, amount=amount)

    def grant_reward(self, ctx: Context) -> Decimal:
        """以奖代补: once, after 验收, computed by the rule. Returns the amount granted."""
        if self.status is S.CANCELLED:
            raise self._refuse("grant_reward", _AFTER_ACCEPTANCE, self.status)
        if self.status not in _AFTER_ACCEPTANCE:
            raise RuleViolationError(
                "以奖代补: the reward is granted only after residents accepted the works (验收)",
                rule="project.reward.after_acceptance",
            )
        if self.reward is not None:
            raise RuleViolationError(
                f"the reward of ¥{self.reward} was already granted", rule="project.reward.once"
            )
        policy = ctx.policy
        base = self.reward_base_under(policy)
        amount = reward_for(base, policy)
        if amount <= 0:
            raise RuleViolationError(
                "以奖代补 rewards what residents and partners gave; nothing was received from them",
                rule="project.reward.nothing_contributed",
            )
        self._record(
            self.RewardGranted,
            ctx,
            amount=amount,
            base=base.quantize(_FEN, ROUND_HALF_UP),
            ratio=policy.reward_ratio,
            cap=policy.reward_cap,
            labour_day_value=policy.labour_day_value,
        )
        return amount

    def report_progress(
        self,
        ctx: Context,
        *,
        month: str,
        funds_used: Decimal,
        percent_done: int,
        note: str | None = None,
    ) -> None:
        """每月报告: one per month, in order; percent never down; funds used within funds."""
        self._require("report_progress", {S.APPROVED})
        current = ctx.now.astimezone(_BEIJING).strftime("%Y-%m")
        if month > current:
            raise RuleViolationError(
                f"month {month} has not begun (it is {current})",
                rule="project.progress.month_not_future",
            )
        last = self.reports[-1] if self.reports else None
        if any(r.month == month for r in self.reports):
            raise RuleViolationError(
                f"progress for {month} is already reported; one report per month",
                rule="project.progress.one_per_month",
            )
        if last is not None and month < last.month:
            raise RuleViolationError(
                f"month {month} comes before the last report ({last.month})",
                rule="project.progress.month_order",
            )
        if last is not None and percent_done < last.percent_done:
            raise RuleViolationError(
                f"percent done never goes down: {percent_done}% after {last.percent_done}%",
                rule="project.progress.percent_monotonic",
            )
        if last is not None and funds_used < last.funds_used:
            raise RuleViolationError(
                f"funds used are cumulative: ¥{funds_used} after ¥{last.funds_used}",
                rule="project.progress.funds_cumulative",
            )
        available = self.funds_available
        if funds_used > available:
            raise RuleViolationError(
                f"funds used ¥{funds_used} exceed the funds available ¥{available}",
                rule="project.progress.funds_available",
            )
        self._record(
            self.ProgressReported,
            ctx,
            month=month,
            funds_used=funds_used,
            percent_done=percent_done,
            funds_available=available,
            note=note,
        )

    def complete(self, ctx: Context) -> None:
        self._require("complete", {S.APPROVED})
        if self.percent_done < 100:
            raise RuleViolationError(
                f"the works are {self.percent_done}% done; completion needs a report of 100%",
                rule="project.complete.fully_done",
            )
        self._record(self.Completed, ctx)

    def accept(
        self,
        ctx: Context,
        *,
        summary: str,
        decision: DecisionRef | None = None,
        body_id: UUID | None = None,
    ) -> None:
        """验收: residents accept the works, citing their decision or their body."""
        self._require("accept", {S.COMPLETED})
        if decision is None and body_id is None:
            raise RuleViolationError(
                "验收 is by residents: cite a meeting decision or a residents' body",
                rule="project.acceptance.by_residents",
            )
        self._record(self.Accepted, ctx, summary=summary, decision=decision, body_id=body_id)

    def assign_maintainer(self, ctx: Context, *, maintainer: Assignee, duties: str) -> None:
        self._require("assign_maintainer", _AFTER_ACCEPTANCE)
        self._record(self.MaintainerAssigned, ctx, maintainer=maintainer, duties=duties)

    def adopt_convention(
        self, ctx: Context, *, title: str, text: str, decision: DecisionRef
    ) -> None:
        self._require("adopt_convention", _AFTER_ACCEPTANCE)
        if any(c.title == title for c in self.conventions):
            raise RuleViolationError(
                f"a convention titled {title!r} is already adopted",
                rule="project.convention.unique_title",
            )
        self._record(self.ConventionAdopted, ctx, title=title, text=text, decision=decision)

    def record_inspection(self, ctx: Context, *, inspector: str, finding: str, ok: bool) -> None:
        """共管: inspections follow the maintainer's appointment."""
        if self.status is S.ACCEPTED:
            raise RuleViolationError(
                "assign a maintainer (共管) before recording inspections",
                rule="project.inspection.maintainer_first",
            )
        self._require("record_inspection", {S.MANAGED})
        self._record(self.InspectionRecorded, ctx, inspector=inspector, finding=finding, ok=ok)

    def evaluate(self, ctx: Context, *, score: int, comment: str | None = None) -> None:
        """效果共评: one rating per resident, after acceptance."""
        self._require("evaluate", _AFTER_ACCEPTANCE)
        policy = ctx.policy
        if ctx.actor.role is not Role.RESIDENT:
            raise PermissionDeniedError(
                "only residents rate the works", rule="project.evaluate.residents_only"
            )
        if not policy.rating_min <= score <= policy.rating_max:
            raise RuleViolationError(
                f"a rating is between {policy.rating_min} and {policy.rating_max}, not {score}",
                rule="project.evaluate.score_range",
            )
        if ctx.actor.id in self.ratings:
            raise RuleViolationError(
                f"resident {ctx.actor.id} has already rated this project",
                rule="project.evaluate.one_per_resident",
            )
        self._record(
            self.Evaluated,
            ctx,
            resident_id=ctx.actor.id,
            score=score,
            satisfied=score >= policy.satisfied_from_score,
            comment=comment,
        )

    def share_benefits(
        self, ctx: Context, *, households_benefiting: int, description: str, unit_households: int
    ) -> None:
        """成果共享: publish who benefits; no more households than the unit has (when known)."""
        self._require("share_benefits", _AFTER_ACCEPTANCE)
        if households_benefiting < 1:
            raise RuleViolationError(
                "成果共享 names at least one household", rule="project.benefits.households"
            )
        if unit_households and households_benefiting > unit_households:
            raise RuleViolationError(
                f"{households_benefiting} households exceed the {unit_households} of the unit",
                rule="project.benefits.within_unit",
            )
        self._record(
            self.BenefitsShared,
            ctx,
            households_benefiting=households_benefiting,
            description=description,
        )

    def cancel(self, ctx: Context, *, reason: str) -> None:
        self._require("cancel", {S.PROPOSED, S.APPROVED})
        self._record(self.Cancelled, ctx, reason=reason)

    # -- queries ------------------------------------------------------------------------
    def pledge_of(self, pledge_id: UUID) -> Pledge:
        pledge = self.pledges.get(pledge_id)
        if pledge is None:
            raise NotFoundError(
                f"project {self.id} has no pledge {pledge_id}", rule="project.pledge.exists"
            )
        return pledge

    @property
    def pledged(self) -> Totals:
        return Totals.of((p.kind, p.pledged) for p in self.pledges.values())

    @property
    def received(self) -> Totals:
        return Totals.of((p.kind, p.received) for p in self.pledges.values())

    @property
    def received_by_kind(self) -> dict[ContributorKind, Totals]:
        """What was received, per kind of contributor (only kinds that gave)."""
        kinds = dict.fromkeys(p.contributor.kind for p in self.pledges.values())
        return {
            kind: Totals.of(
                (p.kind, p.received) for p in self.pledges.values() if p.contributor.kind is kind
            )
            for kind in kinds
        }

    def reward_base_under(self, policy: Policy) -> Decimal:
        """The valued non-government contributions received (yuan) the reward rests on."""
        return sum(
            (
                t.valued(policy.labour_day_value)
                for k, t in self.received_by_kind.items()
                if k is not ContributorKind.GOVERNMENT
            ),
            Decimal(0),
        )

    @property
    def funds_available(self) -> Decimal:
        """Money received from everyone (government's included) plus the reward."""
        money = sum(
            (p.received for p in self.pledges.values() if p.kind is ContributionKind.MONEY),
            Decimal(0),
        )
        return money + (self.reward or Decimal(0))

    @property
    def funds_used(self) -> Decimal:
        return self.reports[-1].funds_used if self.reports else Decimal(0)

    @property
    def percent_done(self) -> int:
        return self.reports[-1].percent_done if self.reports else 0

    @property
    def satisfied_share(self) -> Decimal | None:
        if not self.ratings:
            return None
        return (Decimal(self.satisfied_votes) / Decimal(len(self.ratings))).quantize(
            Decimal("0.0001")
        )

    # -- helpers ------------------------------------------------------------------------
    def _require(
        self, command: str, allowed: set[ProjectStatus] | frozenset[ProjectStatus]
    ) -> None:
        if self.status not in allowed:
            raise self._refuse(command, allowed, self.status)

    @staticmethod
    def _require_positive(amount: Decimal) -> None:
        if amount <= 0:
            raise RuleViolationError(
                f"a contribution is above zero, not {amount}", rule="project.contribution.positive"
            )

    # -- state changes (never fail) -----------------------------------------------------
    @applies(Proposed)
    def _proposed(self, e: Proposed) -> None:
        self.unit_id = e.unit_id
        self.status = S.PROPOSED
        self.title = e.title
        self.description = e.description
        self.issue_ids = list(e.issue_ids)
        self.budget = e.budget
        self.scale = e.scale
        self.decision = None
        self.approved_by = None
        self.pledges = {}
        self.reward = None
        self.reward_base = None
        self.reports = []
        self.completed_at = None
        self.accepted_at = None
        self.acceptance_decision = None
        self.acceptance_body_id = None
        self.maintainer = None
        self.maintainer_duties = None
        self.conventions = []
        self.inspections = []
        self.ratings = {}
        self.satisfied_votes = 0
        self.households_benefiting = 0
        self.benefits = []
        self.cancel_reason = None

    @applies(Approved)
    def _approved(self, e: Approved) -> None:
        self.decision = e.decision
        self.approved_by = e.meeting_kind
        self.status = S.APPROVED

    @applies(ContributionPledged)
    def _pledged(self, e: ContributionPledged) -> None:
        self.pledges[e.pledge_id] = Pledge(
            pledge_id=e.pledge_id, contributor=e.contributor, kind=e.kind, pledged=e.amount
        )

    @applies(ContributionReceived)
    def _received(self, e: ContributionReceived) -> None:
        pledge = self.pledges.get(e.pledge_id)
        if pledge is not None:
            self.pledges[e.pledge_id] = pledge.model_copy(
                update={"received": pledge.received + e.amount}
            )

    @applies(RewardGranted)
    def _rewarded(self, e: RewardGranted) -> None:
        self.reward = e.amount
        self.reward_base = e.base

    @applies(ProgressReported)
    def _progress(self, e: ProgressReported) -> None:
        self.reports.append(
            ProgressReport(
                month=e.month,
                funds_used=e.funds_used,
                percent_done=e.percent_done,
                note=e.note,
                reported_at=e.timestamp,
            )
        )

    @applies(Completed)
    def _completed(self, e: Completed) -> None:
        self.completed_at = e.timestamp
        self.status = S.COMPLETED

    @applies(Accepted)
    def _accepted(self, e: Accepted) -> None:
        self.accepted_at = e.timestamp
        self.acceptance_decision = e.decision
        self.acceptance_body_id = e.body_id
        self.status = S.ACCEPTED

    @applies(MaintainerAssigned)
    def _maintainer(self, e: MaintainerAssigned) -> None:
        self.maintainer = e.maintainer
        self.maintainer_duties = e.duties
        self.status = S.MANAGED

    @applies(ConventionAdopted)
    def _convention(self, e: ConventionAdopted) -> None:
        self.conventions.append(
            Convention(title=e.title, text=e.text, decision=e.decision, adopted_at=e.timestamp)
        )

    @applies(InspectionRecorded)
    def _inspected(self, e: InspectionRecorded) -> None:
        self.inspections.append(
            Inspection(inspector=e.inspector, finding=e.finding, ok=e.ok, inspected_at=e.timestamp)
        )

    @applies(Evaluated)
    def _evaluated(self, e: Evaluated) -> None:
        self.ratings[e.resident_id] = e.score
        if e.satisfied:
            self.satisfied_votes += 1

    @applies(BenefitsShared)
    def _shared(self, e: BenefitsShared) -> None:
        self.households_benefiting = e.households_benefiting
        self.benefits.append(e.description)

    @applies(Cancelled)
    def _cancelled(self, e: Cancelled) -> None:
        self.cancel_reason = e.reason
        self.status = S.CANCELLED
