"""Project rules without a database: given events, when a command, then events or a refusal."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest

from cogov.domain.base import AggregateSnapshot, Context, project
from cogov.domain.policy import Policy
from cogov.domain.project import Project, ProjectStatus, Totals, reward_for
from cogov.domain.values import (
    Assignee,
    AssigneeKind,
    ContributionKind,
    Contributor,
    ContributorKind,
    DecisionRef,
    MeetingKind,
    Role,
    Scale,
)
from cogov.errors import (
    CogovError,
    IllegalTransitionError,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
)
from tests.support import T0, UNIT, ctx, given, later, new_id, refused, when

DECISION = DecisionRef(meeting_id=UUID(int=7), item_no=1, decided_at=T0)
RESIDENT = Contributor(kind=ContributorKind.RESIDENT, id="r-1", name="村民甲")
BAIYANG = Contributor(kind=ContributorKind.COMMUNITY, id="baiyang", name="白羊社区")
COUNTY = Contributor(kind=ContributorKind.GOVERNMENT, id="county", name="县财政")
FIRM = Contributor(kind=ContributorKind.FIRM, id="firm-1", name="建材公司")
MONEY, LABOUR, MATERIALS = (
    ContributionKind.MONEY,
    ContributionKind.LABOUR,
    ContributionKind.MATERIALS,
)
MAINTAINER = Assignee(kind=AssigneeKind.COUNCIL, id="bridge-council", name="修桥理事会")


def proposed() -> Project:
    return Project.propose(
        ctx(), id=new_id(), unit_id=UNIT, title="渡河村1组修桥", budget=Decimal("300000")
    )


def approved() -> Project:
    p = proposed()
    p.approve(ctx(), decision=DECISION, meeting_kind=MeetingKind.REPRESENTATIVES)
    return p


def pledge(p: Project, who: Contributor, kind: ContributionKind, amount: str) -> UUID:
    pid = new_id()
    p.pledge(ctx(), pledge_id=pid, contributor=who, kind=kind, amount=Decimal(amount))
    return pid


def give(p: Project, who: Contributor, kind: ContributionKind, amount: str) -> UUID:
    """Pledge and receive in full."""
    pid = pledge(p, who, kind, amount)
    p.receive(ctx(), pledge_id=pid, amount=Decimal(amount))
    return pid


def funded(money: str = "100000") -> Project:
    p = approved()
    give(p, RESIDENT, MONEY, money)
    return p


def completed(*gifts: tuple[Contributor, ContributionKind, str]) -> Project:
    p = approved()
    for who, kind, amount in gifts or ((RESIDENT, MONEY, "100000"),):
        give(p, who, kind, amount)
    p.report_progress(ctx(), month="2026-03", funds_used=Decimal(0), percent_done=100)
    p.complete(ctx())
    return p


def accepted(*gifts: tuple[Contributor, ContributionKind, str]) -> Project:
    p = completed(*gifts)
    p.accept(ctx(), summary="验收合格", decision=DECISION)
    return p


def managed() -> Project:
    p = accepted()
    p.assign_maintainer(ctx(), maintainer=MAINTAINER, duties="每月巡查桥面")
    return p


def replayed(p: Project) -> Project:
    """The same project rebuilt from its events (what a store would load)."""
    rebuilt = given(p.collect_events())
    assert isinstance(rebuilt, Project)
    return rebuilt


def resident(actor_id: str = "r-9") -> Context:
    return ctx(Role.RESIDENT, actor_id=actor_id)


# -- proposal and approval -----------------------------------------------------------------
def test_a_project_is_proposed_with_its_budget_and_linked_issues() -> None:
    issue = new_id()
    p = Project.propose(
        ctx(), id=new_id(), unit_id=UNIT, title="修桥", budget=Decimal("5000"), issue_ids=[issue]
    )
    p = replayed(p)
    assert (p.status, p.budget, p.issue_ids) == (ProjectStatus.PROPOSED, Decimal("5000"), [issue])


def test_a_project_without_a_budget_is_refused() -> None:
    with pytest.raises(RuleViolationError) as caught:
        Project.propose(ctx(), id=new_id(), unit_id=UNIT, title="修桥", budget=Decimal(0))
    assert caught.value.rule == "project.budget.positive"


def test_a_representatives_decision_approves_a_major_project() -> None:
    p = replayed(proposed())
    events = when(
        p, lambda a: a.approve(ctx(), decision=DECISION, meeting_kind=MeetingKind.REPRESENTATIVES)
    )
    assert events == ["Approved"]
    assert (p.status, p.decision) == (ProjectStatus.APPROVED, DECISION)


def test_a_two_committee_meeting_cannot_approve_a_major_project() -> None:
    refused(
        replayed(proposed()),
        lambda a: a.approve(ctx(), decision=DECISION, meeting_kind=MeetingKind.TWO_COMMITTEES),
        "project.approval.meeting_kind",
        RuleViolationError,
    )


def test_a_minor_project_may_be_approved_by_the_two_committees() -> None:
    p = Project.propose(
        ctx(), id=new_id(), unit_id=UNIT, title="路灯", budget=Decimal(800), scale=Scale.MINOR
    )
    assert when(
        p, lambda a: a.approve(ctx(), decision=DECISION, meeting_kind=MeetingKind.TWO_COMMITTEES)
    ) == ["Approved"]


def test_an_approved_project_is_not_approved_again() -> None:
    refused(
        approved(),
        lambda a: a.approve(ctx(), decision=DECISION, meeting_kind=MeetingKind.REPRESENTATIVES),
        "project.transition.approve",
        IllegalTransitionError,
    )


# -- contributions -----------------------------------------------------------------------------
def test_pledges_and_receipts_add_up_per_kind_of_contribution() -> None:
    p = approved()
    give(p, RESIDENT, MONEY, "30000")
    part = pledge(p, BAIYANG, MONEY, "50000")
    p.receive(ctx(), pledge_id=part, amount=Decimal("20000"))
    give(p, RESIDENT, LABOUR, "120")
    give(p, FIRM, MATERIALS, "8000.50")
    p = replayed(p)
    assert p.pledged == Totals(
        money=Decimal("80000"), labour_days=Decimal("120"), materials=Decimal("8000.50")
    )
    assert p.received == Totals(
        money=Decimal("50000"), labour_days=Decimal("120"), materials=Decimal("8000.50")
    )
    assert p.pledge_of(part).outstanding == Decimal("30000")


def test_residents_may_pledge_before_the_project_is_approved() -> None:
    p = proposed()
    assert when(p, lambda a: pledge(a, RESIDENT, MONEY, "500")) == ["ContributionPledged"]


def test_a_receipt_within_the_pledge_is_recorded() -> None:
    p = approved()
    pid = pledge(p, BAIYANG, MONEY, "50000")
    assert when(p, lambda a: a.receive(ctx(), pledge_id=pid, amount=Decimal("50000"))) == [
        "ContributionReceived"
    ]


def test_more_received_than_pledged_is_refused() -> None:
    p = approved()
    pid = pledge(p, BAIYANG, MONEY, "50000")
    p.receive(ctx(), pledge_id=pid, amount=Decimal("40000"))
    refused(
        p,
        lambda a: a.receive(ctx(), pledge_id=pid, amount=Decimal("10000.01")),
        "project.contribution.within_pledge",
        RuleViolationError,
    )


def test_a_receipt_for_an_unknown_pledge_is_refused() -> None:
    refused(
        approved(),
        lambda a: a.receive(ctx(), pledge_id=new_id(), amount=Decimal(1)),
        "project.pledge.exists",
        NotFoundError,
    )


def test_contributions_are_received_only_once_the_project_is_approved() -> None:
    p = proposed()
    pid = pledge(p, RESIDENT, MONEY, "100")
    refused(
        p,
        lambda a: a.receive(ctx(), pledge_id=pid, amount=Decimal(100)),
        "project.transition.receive",
        IllegalTransitionError,
    )


def test_a_zero_contribution_is_refused() -> None:
    refused(
        approved(),
        lambda a: pledge(a, RESIDENT, MONEY, "0"),
        "project.contribution.positive",
        RuleViolationError,
    )


def test_a_pledge_id_is_used_once() -> None:
    p = approved()
    pid = pledge(p, RESIDENT, MONEY, "100")
    refused(
        p,
        lambda a: a.pledge(
            ctx(), pledge_id=pid, contributor=RESIDENT, kind=MONEY, amount=Decimal(5)
        ),
        "project.pledge.unique",
        RuleViolationError,
    )


def test_a_resident_pledges_in_their_own_name() -> None:
    p = approved()
    me = Contributor(kind=ContributorKind.RESIDENT, id="r-9", name="村民九")
    assert when(
        p,
        lambda a: a.pledge(
            resident("r-9"), pledge_id=new_id(), contributor=me, kind=LABOUR, amount=Decimal(3)
        ),
    ) == ["ContributionPledged"]
    refused(
        p,
        lambda a: a.pledge(
            resident("r-9"), pledge_id=new_id(), contributor=FIRM, kind=MONEY, amount=Decimal(3)
        ),
        "project.pledge.own_name",
        PermissionDeniedError,
    )


# -- 以奖代补 ----------------------------------------------------------------------------------
def test_the_reward_is_half_of_residents_and_partners_contributions_valued_in_yuan() -> None:
    # money 30,000 + 50,000; labour 120 days × ¥150 = 18,000; materials 2,000 → 100,000
    p = accepted(
        (RESIDENT, MONEY, "30000"),
        (BAIYANG, MONEY, "50000"),
        (RESIDENT, LABOUR, "120"),
        (FIRM, MATERIALS, "2000"),
        (COUNTY, MONEY, "90000"),  # government money is not rewarded
    )
    p.collect_events()
    assert p.grant_reward(ctx()) == Decimal("50000.00")
    [event] = p.collect_events()
    assert isinstance(event, Project.RewardGranted)
    assert (event.amount, event.base, event.ratio, event.cap, event.labour_day_value) == (
        Decimal("50000.00"),
        Decimal("100000.00"),
        Decimal("0.5"),
        Decimal("200000"),
        Decimal("150"),
    )
    assert p.reward == Decimal("50000.00")


def test_the_reward_is_capped() -> None:
    p = accepted((RESIDENT, MONEY, "500000"))
    assert p.grant_reward(ctx()) == Decimal("200000.00")


def test_the_reward_follows_the_policy_in_force() -> None:
    policy = Policy(
        reward_ratio=Decimal("0.3"), reward_cap=Decimal("1000000"), labour_day_value=Decimal(100)
    )
    p = accepted((RESIDENT, MONEY, "10000"), (RESIDENT, LABOUR, "10.5"))
    assert p.grant_reward(ctx(policy=policy)) == Decimal("3315.00")  # 0.3 × 11,050


def test_the_reward_rule_rounds_to_the_fen() -> None:
    policy = Policy(reward_ratio=Decimal("0.333"))
    assert reward_for(Decimal("100.05"), policy) == Decimal("33.32")  # 33.31665 → 33.32


def test_no_reward_before_residents_accept_the_works() -> None:
    refused(
        completed(),
        lambda a: a.grant_reward(ctx()),
        "project.reward.after_acceptance",
        RuleViolationError,
    )


def test_the_reward_is_granted_once() -> None:
    p = accepted()
    p.grant_reward(ctx())
    refused(p, lambda a: a.grant_reward(ctx()), "project.reward.once", RuleViolationError)


def test_government_money_alone_earns_no_reward() -> None:
    refused(
        accepted((COUNTY, MONEY, "90000")),
        lambda a: a.grant_reward(ctx()),
        "project.reward.nothing_contributed",
        RuleViolationError,
    )


def test_a_cancelled_project_earns_no_reward() -> None:
    p = approved()
    p.cancel(ctx(), reason="选址争议")
    refused(p, lambda a: a.grant_reward(ctx()), "project.transition.grant_reward")


def test_the_reward_adds_to_the_funds_available() -> None:
    p = accepted((RESIDENT, MONEY, "1000"), (COUNTY, MONEY, "500"))
    assert p.funds_available == Decimal("1500")
    p.grant_reward(ctx())
    assert replayed(p).funds_available == Decimal("2000.00")


# -- 每月报告 ----------------------------------------------------------------------------------
APRIL = later(days=31)
MAY = later(days=61)


def test_monthly_reports_keep_the_latest_figures() -> None:
    p = funded("100000")
    p.report_progress(ctx(), month="2026-03", funds_used=Decimal("20000"), percent_done=30)
    p.report_progress(ctx(at=APRIL), month="2026-04", funds_used=Decimal("60000"), percent_done=70)
    p = replayed(p)
    assert [r.month for r in p.reports] == ["2026-03", "2026-04"]
    assert (p.funds_used, p.percent_done) == (Decimal("60000"), 70)


def test_percent_done_never_goes_down() -> None:
    p = funded()
    p.report_progress(ctx(), month="2026-03", funds_used=Decimal(0), percent_done=40)
    refused(
        p,
        lambda a: a.report_progress(
            ctx(at=APRIL), month="2026-04", funds_used=Decimal(0), percent_done=39
        ),
        "project.progress.percent_monotonic",
        RuleViolationError,
    )
    assert when(
        p,
        lambda a: a.report_progress(
            ctx(at=APRIL), month="2026-04", funds_used=Decimal(0), percent_done=40
        ),
    ) == ["ProgressReported"]


def test_funds_used_may_reach_but_not_exceed_the_funds_available() -> None:
    p = funded("100000")
    refused(
        p,
        lambda a: a.report_progress(
            ctx(), month="2026-03", funds_used=Decimal("100000.01"), percent_done=10
        ),
        "project.progress.funds_available",
        RuleViolationError,
    )
    assert when(
        p,
        lambda a: a.report_progress(
            ctx(), month="2026-03", funds_used=Decimal("100000"), percent_done=10
        ),
    ) == ["ProgressReported"]


def test_labour_and_materials_are_not_funds() -> None:
    p = approved()
    give(p, RESIDENT, LABOUR, "100")
    give(p, FIRM, MATERIALS, "5000")
    refused(
        p,
        lambda a: a.report_progress(ctx(), month="2026-03", funds_used=Decimal(1), percent_done=5),
        "project.progress.funds_available",
        RuleViolationError,
    )


def test_one_report_per_month() -> None:
    p = funded()
    p.report_progress(ctx(), month="2026-03", funds_used=Decimal(0), percent_done=10)
    refused(
        p,
        lambda a: a.report_progress(ctx(), month="2026-03", funds_used=Decimal(0), percent_done=20),
        "project.progress.one_per_month",
        RuleViolationError,
    )


def test_a_report_for_a_month_not_yet_begun_is_refused() -> None:
    refused(
        funded(),
        lambda a: a.report_progress(ctx(), month="2026-04", funds_used=Decimal(0), percent_done=10),
        "project.progress.month_not_future",
        RuleViolationError,
    )


def test_the_month_is_beijing_time() -> None:
    # 2026-03-31 16:30 UTC is already 1 April in Beijing
    p = funded()
    at = T0.replace(day=31, hour=16, minute=30)
    assert when(
        p,
        lambda a: a.report_progress(
            ctx(at=at), month="2026-04", funds_used=Decimal(0), percent_done=1
        ),
    ) == ["ProgressReported"]


def test_reports_go_forward_in_months() -> None:
    p = funded()
    p.report_progress(ctx(at=APRIL), month="2026-04", funds_used=Decimal(0), percent_done=10)
    refused(
        p,
        lambda a: a.report_progress(
            ctx(at=APRIL), month="2026-03", funds_used=Decimal(0), percent_done=10
        ),
        "project.progress.month_order",
        RuleViolationError,
    )


def test_funds_used_are_cumulative() -> None:
    p = funded()
    p.report_progress(ctx(), month="2026-03", funds_used=Decimal(500), percent_done=10)
    refused(
        p,
        lambda a: a.report_progress(
            ctx(at=APRIL), month="2026-04", funds_used=Decimal(499), percent_done=20
        ),
        "project.progress.funds_cumulative",
        RuleViolationError,
    )


# -- completion and 验收 -------------------------------------------------------------------------
def test_completion_needs_a_report_of_one_hundred_percent() -> None:
    p = funded()
    p.report_progress(ctx(), month="2026-03", funds_used=Decimal(0), percent_done=99)
    refused(p, lambda a: a.complete(ctx()), "project.complete.fully_done", RuleViolationError)
    p.report_progress(ctx(at=APRIL), month="2026-04", funds_used=Decimal(0), percent_done=100)
    assert when(p, lambda a: a.complete(ctx(at=APRIL))) == ["Completed"]
    assert p.completed_at == APRIL


def test_no_progress_after_completion() -> None:
    refused(
        completed(),
        lambda a: a.report_progress(
            ctx(at=MAY), month="2026-05", funds_used=Decimal(0), percent_done=100
        ),
        "project.transition.report_progress",
        IllegalTransitionError,
    )


def test_residents_accept_through_a_decision_or_their_body() -> None:
    by_body = completed()
    body = new_id()
    assert when(by_body, lambda a: a.accept(ctx(), summary="理事会验收", body_id=body)) == [
        "Accepted"
    ]
    assert (by_body.status, by_body.acceptance_body_id) == (ProjectStatus.ACCEPTED, body)
    refused(
        completed(),
        lambda a: a.accept(ctx(), summary="干部验收"),
        "project.acceptance.by_residents",
        RuleViolationError,
    )


def test_works_not_completed_cannot_be_accepted() -> None:
    refused(
        funded(),
        lambda a: a.accept(ctx(), summary="验收", decision=DECISION),
        "project.transition.accept",
        IllegalTransitionError,
    )


# -- 共管 ----------------------------------------------------------------------------------------
def test_a_maintainer_takes_over_after_acceptance() -> None:
    p = accepted()
    assert when(p, lambda a: a.assign_maintainer(ctx(), maintainer=MAINTAINER, duties="巡查")) == [
        "MaintainerAssigned"
    ]
    assert (p.status, p.maintainer) == (ProjectStatus.MANAGED, MAINTAINER)
    refused(
        completed(),
        lambda a: a.assign_maintainer(ctx(), maintainer=MAINTAINER, duties="巡查"),
        "project.transition.assign_maintainer",
        IllegalTransitionError,
    )


def test_inspections_follow_the_maintainer() -> None:
    refused(
        accepted(),
        lambda a: a.record_inspection(ctx(), inspector="c-1", finding="桥面完好", ok=True),
        "project.inspection.maintainer_first",
        RuleViolationError,
    )
    p = managed()
    p.record_inspection(ctx(), inspector="c-1", finding="栏杆松动", ok=False)
    p = replayed(p)
    assert [(i.inspector, i.ok) for i in p.inspections] == [("c-1", False)]


def test_a_convention_is_adopted_once_by_title() -> None:
    p = managed()
    p.adopt_convention(ctx(), title="护桥公约", text="禁止超载车辆过桥", decision=DECISION)
    p = replayed(p)
    assert [c.title for c in p.conventions] == ["护桥公约"]
    refused(
        p,
        lambda a: a.adopt_convention(ctx(), title="护桥公约", text="再议", decision=DECISION),
        "project.convention.unique_title",
        RuleViolationError,
    )


# -- 共评 and 共享 -------------------------------------------------------------------------------
def test_each_resident_rates_the_works_once() -> None:
    p = accepted()
    p.evaluate(resident("r-1"), score=5)
    p.evaluate(resident("r-2"), score=3)
    p = replayed(p)
    assert (p.ratings, p.satisfied_share) == ({"r-1": 5, "r-2": 3}, Decimal("0.5000"))
    refused(
        p,
        lambda a: a.evaluate(resident("r-1"), score=4),
        "project.evaluate.one_per_resident",
        RuleViolationError,
    )


@pytest.mark.parametrize(
    ("context", "score", "rule", "error"),
    [
        (ctx(), 5, "project.evaluate.residents_only", PermissionDeniedError),
        (ctx(Role.RESIDENT), 6, "project.evaluate.score_range", RuleViolationError),
        (ctx(Role.RESIDENT), 0, "project.evaluate.score_range", RuleViolationError),
    ],
)
def test_ratings_come_from_residents_within_the_scale(
    context: Context, score: int, rule: str, error: type[CogovError]
) -> None:
    refused(accepted(), lambda a: a.evaluate(context, score=score), rule, error)


def test_benefits_are_shared_with_households_of_the_unit() -> None:
    p = accepted()
    p.share_benefits(ctx(), households_benefiting=120, description="全组通行", unit_households=120)
    p = replayed(p)
    assert p.households_benefiting == 120
    refused(
        p,
        lambda a: a.share_benefits(
            ctx(), households_benefiting=121, description="全组通行", unit_households=120
        ),
        "project.benefits.within_unit",
        RuleViolationError,
    )


def test_benefits_are_shared_only_after_acceptance() -> None:
    refused(
        completed(),
        lambda a: a.share_benefits(
            ctx(), households_benefiting=1, description="x", unit_households=0
        ),
        "project.transition.share_benefits",
        IllegalTransitionError,
    )


def test_a_project_is_cancelled_with_a_reason_but_not_once_completed() -> None:
    p = approved()
    assert when(p, lambda a: a.cancel(ctx(), reason="选址争议")) == ["Cancelled"]
    assert (p.status, p.cancel_reason) == (ProjectStatus.CANCELLED, "选址争议")
    refused(
        completed(),
        lambda a: a.cancel(ctx(), reason="x"),
        "project.transition.cancel",
        IllegalTransitionError,
    )


# -- snapshots -----------------------------------------------------------------------------------
def test_a_snapshot_restores_the_same_state_as_the_full_history() -> None:
    p = managed()
    p.grant_reward(ctx())
    p.evaluate(resident("r-1"), score=4)
    p.share_benefits(ctx(), households_benefiting=96, description="通行", unit_households=0)
    events = p.collect_events()
    full = given(events)
    middle = given(events[:6])
    snapshot = AggregateSnapshot.model_validate_json(
        AggregateSnapshot.take(middle).model_dump_json()
    )
    restored = project(None, [snapshot, *events[6:]])
    assert isinstance(restored, Project)
    assert vars(restored) == vars(full)
