"""Issue, without a database: given its events, when a command, then events or a typed error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from cogov import (
    Assignee,
    AssigneeKind,
    Channel,
    DeadlineError,
    DecisionRef,
    IllegalTransitionError,
    Issue,
    IssueStatus,
    MeetingKind,
    PermissionDeniedError,
    Policy,
    Role,
    RuleViolationError,
    Scale,
    TimeLimit,
)
from cogov.domain.base import Context, DomainEvent
from tests.support import T0, UNIT, ctx, given, history_of, later, new_id, refused, when

ISSUE_ID = UUID("00000000-0000-4000-8000-0000000000a1")
OTHER_ID = UUID("00000000-0000-4000-8000-0000000000a2")
RAISER = UUID("00000000-0000-4000-8000-00000000000f")
PARENT = UUID("00000000-0000-4000-8000-000000000002")
MEETING = UUID("00000000-0000-4000-8000-0000000000b1")
DECISION = DecisionRef(meeting_id=MEETING, item_no=1, decided_at=T0)
ZHUJIAN = Assignee(kind=AssigneeKind.DEPARTMENT, id="zhujian", name="县住建局")
S = IssueStatus
Step = Callable[[Issue], object]


def worker(org: str = "zhujian", *, at: datetime = T0) -> Context:
    """A member of staff of a department (the assignee is the department)."""
    return ctx(Role.DEPARTMENT_STAFF, actor_id=f"{org}-staff", organisation=org, at=at)


def resident(name: str, *, policy: Policy | None = None) -> Context:
    return ctx(Role.RESIDENT, actor_id=name, policy=policy)


# -- the steps that bring an issue along its lifecycle ---------------------------------------
def triaged(scale: Scale = Scale.MINOR) -> Step:
    return lambda i: i.triage(ctx(), scale=scale, category="公共设施")


def decided(kind: MeetingKind = MeetingKind.TWO_COMMITTEES) -> Step:
    return lambda i: i.deliberate(ctx(), decision=DECISION, meeting_kind=kind)


def dispatched(i: Issue) -> None:
    i.dispatch(ctx(), assignee=ZHUJIAN, deadline=later(days=7), time_limit=TimeLimit(hours=168))


def resolved(i: Issue) -> None:
    i.resolve(worker(), summary="路灯已修复")


def published(i: Issue) -> None:
    i.publish_result(ctx(), summary="路灯已修复", decision_published=True)


def rated(name: str, score: int) -> Step:
    return lambda i: i.evaluate(resident(name), score=score)


def history(*steps: Step, issue_id: UUID = ISSUE_ID, raised_by: UUID = RAISER) -> list[DomainEvent]:
    def build() -> Issue:
        issue = Issue.collect(
            ctx(Role.GRID_WORKER, actor_id="gw-1"),
            id=issue_id,
            unit_id=UNIT,
            channel=Channel.GRID_WORKER,
            raised_by=raised_by,
            title="村口路灯不亮",
            description="晚上出行不便",
        )
        for step in steps:
            step(issue)
        return issue

    return history_of(build)


def issue(*steps: Step) -> Issue:
    built: Issue = given(history(*steps))
    return built


ON_THE_RESULT = (triaged(), decided(), dispatched, resolved, published)


# -- collect and triage ----------------------------------------------------------------------
def test_collecting_a_concern_starts_an_issue_in_its_unit() -> None:
    events = history()
    assert [type(e).__name__ for e in events] == ["Collected"]
    collected = given(events)
    assert (collected.status, collected.unit_id, collected.raised_by) == (S.COLLECTED, UNIT, RAISER)
    assert (collected.scale, collected.round, collected.version) == (None, 1, 1)
    assert events[0].policy_version == 1
    assert events[0].actor.id == "gw-1"


def test_triage_sets_the_scale_and_may_be_corrected() -> None:
    subject = issue(triaged(Scale.MINOR))
    assert when(subject, lambda i: i.triage(ctx(), scale=Scale.MAJOR, category="交通")) == [
        "Triaged"
    ]
    assert (subject.status, subject.scale, subject.category) == (S.TRIAGED, Scale.MAJOR, "交通")


def test_a_dispatched_issue_cannot_be_triaged_again() -> None:
    subject = issue(triaged(), decided(), dispatched)
    refused(
        subject,
        lambda i: i.triage(ctx(), scale=Scale.MAJOR, category="交通"),
        "issue.transition.triage",
        IllegalTransitionError,
    )


# -- duplicates ------------------------------------------------------------------------------
def test_a_duplicate_is_merged_and_its_raiser_becomes_a_co_raiser() -> None:
    primary = issue(triaged())
    other_raiser = new_id()
    duplicate: Issue = given(history(issue_id=OTHER_ID, raised_by=other_raiser))
    assert when(duplicate, lambda d: d.merge_into(ctx(), primary)) == ["MergedInto"]
    assert [type(e).__name__ for e in primary.collect_events()] == ["DuplicateAbsorbed"]
    assert (duplicate.status, duplicate.merged_into) == (S.MERGED, ISSUE_ID)
    assert (primary.status, primary.duplicates, primary.co_raisers) == (
        S.TRIAGED,
        [OTHER_ID],
        [other_raiser],
    )


def test_a_duplicate_from_the_same_resident_adds_no_co_raiser() -> None:
    primary = issue()
    duplicate: Issue = given(history(issue_id=OTHER_ID))
    duplicate.merge_into(ctx(), primary)
    assert (primary.duplicates, primary.co_raisers) == ([OTHER_ID], [])


def test_an_issue_cannot_be_merged_into_itself() -> None:
    subject = issue()
    twin = issue()
    refused(subject, lambda i: i.merge_into(ctx(), twin), "issue.merge.self", RuleViolationError)
    assert twin.collect_events() == []


def test_nothing_is_merged_into_a_closed_issue() -> None:
    closed = issue(*ON_THE_RESULT, rated("a", 5), rated("b", 5), rated("c", 5))
    assert closed.status is S.CLOSED
    duplicate: Issue = given(history(issue_id=OTHER_ID))
    refused(
        duplicate,
        lambda d: d.merge_into(ctx(), closed),
        "issue.transition.absorb_duplicate",
        IllegalTransitionError,
    )
    assert closed.collect_events() == []


def test_a_dispatched_issue_cannot_be_merged_away() -> None:
    subject = issue(triaged(), decided(), dispatched)
    primary: Issue = given(history(triaged(), issue_id=OTHER_ID))
    refused(
        subject,
        lambda i: i.merge_into(ctx(), primary),
        "issue.transition.merge",
        IllegalTransitionError,
    )


# -- agenda and deliberation -----------------------------------------------------------------
def test_a_triaged_issue_goes_on_an_agenda() -> None:
    subject = issue(triaged())
    put = when(
        subject,
        lambda i: i.put_on_agenda(
            ctx(), meeting_id=MEETING, meeting_kind=MeetingKind.TWO_COMMITTEES, item_no=1
        ),
    )
    assert put == ["PutOnAgenda"]
    assert (subject.status, subject.agenda) == (S.ON_AGENDA, [MEETING])


def test_an_untriaged_issue_goes_on_no_agenda() -> None:
    refused(
        issue(),
        lambda i: i.put_on_agenda(
            ctx(), meeting_id=MEETING, meeting_kind=MeetingKind.TWO_COMMITTEES, item_no=1
        ),
        "issue.transition.put_on_agenda",
        IllegalTransitionError,
    )


@pytest.mark.parametrize(
    ("scale", "kind"),
    [
        (Scale.MAJOR, MeetingKind.REPRESENTATIVES),
        (Scale.MAJOR, MeetingKind.VILLAGERS),
        (Scale.MINOR, MeetingKind.TWO_COMMITTEES),
        (Scale.MINOR, MeetingKind.EVENING_TALK),
        (Scale.URGENT, MeetingKind.PARTY_MEMBERS),
    ],
)
def test_a_meeting_the_scale_allows_decides_the_issue(scale: Scale, kind: MeetingKind) -> None:
    subject = issue(triaged(scale))
    assert when(subject, decided(kind)) == ["Deliberated"]
    assert (subject.status, subject.decision, subject.decided_by) == (S.DELIBERATED, DECISION, kind)


@pytest.mark.parametrize(
    "kind",
    [
        MeetingKind.TWO_COMMITTEES,
        MeetingKind.RESIDENTS_COUNCIL,
        MeetingKind.EVENING_TALK,
        MeetingKind.PARTY_MEMBERS,
    ],
)
def test_a_major_matter_is_not_decided_by_a_small_meeting(kind: MeetingKind) -> None:
    error = refused(issue(triaged(Scale.MAJOR)), decided(kind), "issue.scale_routing")
    assert type(error) is RuleViolationError
    assert error.details == {"scale": "major", "meeting_kind": str(kind)}


def test_a_policy_may_let_the_two_committees_decide_major_matters() -> None:
    policy = Policy()
    bodies = {**policy.decision_bodies, Scale.MAJOR: frozenset(MeetingKind)}
    lenient = policy.model_copy(update={"decision_bodies": bodies, "version": 2})
    subject = issue(triaged(Scale.MAJOR))
    events = when(
        subject,
        lambda i: i.deliberate(
            ctx(policy=lenient), decision=DECISION, meeting_kind=MeetingKind.TWO_COMMITTEES
        ),
    )
    assert events == ["Deliberated"]


def test_an_untriaged_issue_is_not_deliberated() -> None:
    refused(issue(), decided(), "issue.transition.deliberate", IllegalTransitionError)


# -- 急事快议 --------------------------------------------------------------------------------
def test_an_urgent_matter_is_fast_tracked_and_owes_a_report() -> None:
    subject = issue(triaged(Scale.URGENT))
    assert when(subject, lambda i: i.fast_track(ctx(), reason="燃气泄漏")) == ["FastTracked"]
    assert (subject.status, subject.fast_track_pending_report) == (S.FAST_TRACKED, True)


@pytest.mark.parametrize("scale", [Scale.MINOR, Scale.MAJOR])
def test_only_an_urgent_matter_is_fast_tracked(scale: Scale) -> None:
    refused(
        issue(triaged(scale)),
        lambda i: i.fast_track(ctx(), reason="想快点"),
        "issue.fast_track.urgent_only",
        RuleViolationError,
    )


def test_an_untriaged_issue_is_not_fast_tracked() -> None:
    refused(
        issue(),
        lambda i: i.fast_track(ctx(), reason="急"),
        "issue.transition.fast_track",
        IllegalTransitionError,
    )


def test_the_fast_track_report_cites_the_meeting_once() -> None:
    subject = issue(triaged(Scale.URGENT), lambda i: i.fast_track(ctx(), reason="燃气泄漏"))
    assert when(subject, lambda i: i.report_fast_track(ctx(), decision=DECISION)) == [
        "FastTrackReported"
    ]
    assert (subject.fast_track_pending_report, subject.decision) == (False, DECISION)
    refused(
        subject,
        lambda i: i.report_fast_track(ctx(), decision=DECISION),
        "issue.fast_track.report",
        RuleViolationError,
    )


def test_a_matter_not_fast_tracked_has_nothing_to_report() -> None:
    refused(
        issue(triaged()),
        lambda i: i.report_fast_track(ctx(), decision=DECISION),
        "issue.fast_track.report",
        RuleViolationError,
    )


# -- dispatch, return, escalate, chase, resolve ---------------------------------------------
@pytest.mark.parametrize(
    "before",
    [
        (triaged(), decided()),
        (triaged(Scale.URGENT), lambda i: i.fast_track(ctx(), reason="急")),
    ],
    ids=["after a decision", "after a fast track"],
)
def test_a_decided_or_fast_tracked_issue_is_dispatched(before: tuple[Step, ...]) -> None:
    subject = issue(*before)
    assert when(subject, dispatched) == ["Dispatched"]
    assert (subject.status, subject.assignee, subject.deadline) == (
        S.DISPATCHED,
        ZHUJIAN,
        later(days=7),
    )
    assert (subject.dispatch_count, subject.dispatched_at) == (1, T0)


@pytest.mark.parametrize(
    "before", [(), (triaged(),)], ids=["collected", "triaged without a decision"]
)
def test_an_undecided_issue_is_not_dispatched(before: tuple[Step, ...]) -> None:
    refused(issue(*before), dispatched, "issue.transition.dispatch", IllegalTransitionError)


def test_a_deadline_in_the_past_is_refused() -> None:
    refused(
        issue(triaged(), decided()),
        lambda i: i.dispatch(
            ctx(), assignee=ZHUJIAN, deadline=T0, time_limit=TimeLimit(working_days=7)
        ),
        "issue.dispatch.deadline",
        DeadlineError,
    )


def test_the_assignee_returns_an_order_in_time_and_it_is_dispatched_again() -> None:
    subject = issue(triaged(), decided(), dispatched)
    returned = when(
        subject,
        lambda i: i.return_dispatch(worker(), reason="不属本部门", return_by=later(days=2)),
    )
    assert returned == ["Returned"]
    assert (subject.status, subject.assignee, subject.deadline, subject.returns) == (
        S.RETURNED,
        None,
        None,
        1,
    )
    assert when(subject, dispatched) == ["Dispatched"]
    assert subject.dispatch_count == 2


def test_an_order_is_not_returned_after_the_return_limit() -> None:
    refused(
        issue(triaged(), decided(), dispatched),
        lambda i: i.return_dispatch(
            worker(at=later(days=3)),
            reason="不属本部门",
            return_by=later(days=2),
        ),
        "issue.return.deadline",
        DeadlineError,
    )


def test_only_the_assignee_returns_an_order() -> None:
    refused(
        issue(triaged(), decided(), dispatched),
        lambda i: i.return_dispatch(worker("minzheng"), reason="x", return_by=later(days=2)),
        "issue.return.assignee_only",
        PermissionDeniedError,
    )


def test_an_order_not_dispatched_is_not_returned() -> None:
    refused(
        issue(triaged(), decided()),
        lambda i: i.return_dispatch(worker(), reason="x", return_by=later(days=2)),
        "issue.transition.return",
        IllegalTransitionError,
    )


def test_escalation_moves_the_issue_and_its_next_events_to_the_parent_unit() -> None:
    subject = issue(triaged(), decided(), dispatched)
    assert when(subject, lambda i: i.escalate(ctx(), to_unit_id=PARENT, reason="资金不足")) == [
        "Escalated"
    ]
    assert (subject.status, subject.unit_id, subject.assignee, subject.escalations) == (
        S.ESCALATED,
        PARENT,
        None,
        1,
    )
    subject.put_on_agenda(
        ctx(), meeting_id=MEETING, meeting_kind=MeetingKind.REPRESENTATIVES, item_no=1
    )
    (put,) = subject.collect_events()
    assert put.unit_id == PARENT


def test_an_untriaged_issue_is_not_escalated() -> None:
    refused(
        issue(),
        lambda i: i.escalate(ctx(), to_unit_id=PARENT, reason="x"),
        "issue.transition.escalate",
        IllegalTransitionError,
    )


def test_an_overdue_order_is_chased() -> None:
    subject = issue(triaged(), decided(), dispatched)
    assert when(subject, lambda i: i.chase(ctx(at=later(days=7, seconds=1)))) == ["Chased"]
    assert subject.status is S.DISPATCHED
    assert subject.is_overdue(later(days=8)) is True


def test_an_order_is_not_chased_before_its_deadline() -> None:
    subject = issue(triaged(), decided(), dispatched)
    assert subject.is_overdue(later(days=7)) is False
    refused(
        subject,
        lambda i: i.chase(ctx(at=later(days=7))),
        "issue.chase.not_overdue",
        DeadlineError,
    )


def test_an_order_not_dispatched_is_not_chased() -> None:
    refused(
        issue(triaged(), decided()),
        lambda i: i.chase(ctx()),
        "issue.transition.chase",
        IllegalTransitionError,
    )


@pytest.mark.parametrize(
    "who",
    [
        ctx(Role.DEPARTMENT_STAFF, actor_id="zj-7", organisation="zhujian"),
        ctx(Role.COMMITTEE_MEMBER, actor_id="zhujian"),
    ],
    ids=["a member of the assigned department", "the assignee in person"],
)
def test_the_assignee_resolves(who: Context) -> None:
    subject = issue(triaged(), decided(), dispatched)
    assert when(subject, lambda i: i.resolve(who, summary="已修复")) == ["Resolved"]
    assert (subject.status, subject.resolution) == (S.RESOLVED, "已修复")


def test_another_department_does_not_resolve() -> None:
    refused(
        issue(triaged(), decided(), dispatched),
        lambda i: i.resolve(worker("minzheng"), summary="已修复"),
        "issue.resolve.assignee_only",
        PermissionDeniedError,
    )


def test_an_order_not_dispatched_is_not_resolved() -> None:
    refused(
        issue(triaged(), decided()),
        lambda i: i.resolve(worker(), summary="已修复"),
        "issue.transition.resolve",
        IllegalTransitionError,
    )


# -- 四议两公开 -----------------------------------------------------------------------------
def test_a_major_result_is_published_after_its_decision() -> None:
    subject = issue(
        triaged(Scale.MAJOR), decided(MeetingKind.REPRESENTATIVES), dispatched, resolved
    )
    published_ = when(
        subject,
        lambda i: i.publish_result(
            ctx(), summary="新桥通行", households_benefiting=120, decision_published=True
        ),
    )
    assert published_ == ["ResultPublished"]
    assert (subject.status, subject.published) == (S.PUBLISHED, True)


def test_a_major_result_is_not_published_before_its_decision() -> None:
    refused(
        issue(triaged(Scale.MAJOR), decided(MeetingKind.REPRESENTATIVES), dispatched, resolved),
        lambda i: i.publish_result(ctx(), summary="新桥通行", decision_published=False),
        "issue.publication.decision_first",
        RuleViolationError,
    )


def test_a_minor_result_needs_no_published_decision() -> None:
    subject = issue(triaged(), decided(), dispatched, resolved)
    assert when(
        subject, lambda i: i.publish_result(ctx(), summary="已修复", decision_published=False)
    ) == ["ResultPublished"]


def test_an_unresolved_result_is_not_published() -> None:
    refused(
        issue(triaged(), decided(), dispatched),
        published,
        "issue.transition.publish_result",
        IllegalTransitionError,
    )


# -- 群众评判 --------------------------------------------------------------------------------
def test_a_rating_is_recorded_and_two_do_not_settle() -> None:
    subject = issue(*ON_THE_RESULT, rated("a", 5))
    assert when(subject, rated("b", 3)) == ["Evaluated"]
    assert (subject.status, subject.ratings, subject.satisfied_votes) == (
        S.PUBLISHED,
        {"a": 5, "b": 3},
        1,
    )


def test_enough_satisfied_ratings_close_the_issue() -> None:
    subject = issue(*ON_THE_RESULT, rated("a", 5), rated("b", 4))
    assert when(subject, rated("c", 4)) == ["Evaluated", "Closed"]
    assert subject.status is S.CLOSED


def test_dissatisfaction_reopens_the_issue_for_a_new_round() -> None:
    subject = issue(*ON_THE_RESULT, rated("a", 5), rated("b", 2))
    assert when(subject, rated("c", 4)) == ["Evaluated", "Reopened"]
    assert (subject.status, subject.round, subject.ratings, subject.published) == (
        S.REOPENED,
        2,
        {},
        False,
    )
    assert when(subject, dispatched) == ["Dispatched"]
    assert subject.dispatch_count == 2


def test_exactly_the_threshold_share_closes() -> None:
    five = Policy().model_copy(update={"min_ratings_to_settle": 5})
    subject = issue(*ON_THE_RESULT)
    for name, score in [("a", 5), ("b", 5), ("c", 5), ("d", 1)]:
        subject.evaluate(resident(name, policy=five), score=score)
    subject.collect_events()
    assert when(subject, lambda i: i.evaluate(resident("e", policy=five), score=4)) == [
        "Evaluated",
        "Closed",
    ]
    assert subject.pending_events == []


def test_the_verdict_event_carries_the_share() -> None:
    subject = issue(*ON_THE_RESULT, rated("a", 5), rated("b", 4))
    subject.evaluate(resident("c"), score=1)
    verdict = subject.collect_events()[-1]
    assert isinstance(verdict, Issue.Reopened)
    assert (verdict.ratings, verdict.satisfied_share, verdict.round) == (3, Decimal("0.6667"), 2)


def test_a_resident_rates_once_per_round() -> None:
    refused(
        issue(*ON_THE_RESULT, rated("a", 5)),
        rated("a", 1),
        "issue.evaluate.one_per_resident",
        RuleViolationError,
    )


@pytest.mark.parametrize("score", [0, 6])
def test_a_rating_lies_between_one_and_five(score: int) -> None:
    refused(issue(*ON_THE_RESULT), rated("a", score), "issue.evaluate.score_range")


def test_only_residents_rate() -> None:
    refused(
        issue(*ON_THE_RESULT),
        lambda i: i.evaluate(ctx(), score=5),
        "issue.evaluate.residents_only",
        PermissionDeniedError,
    )


def test_an_unpublished_result_is_not_rated() -> None:
    refused(
        issue(triaged(), decided(), dispatched, resolved),
        rated("a", 5),
        "issue.transition.evaluate",
        IllegalTransitionError,
    )


# -- withdraw and reject ---------------------------------------------------------------------
def test_an_open_issue_is_withdrawn_with_its_reason() -> None:
    subject = issue(triaged(), decided(), dispatched)
    assert when(subject, lambda i: i.withdraw(ctx(), reason="已自行解决")) == ["Withdrawn"]
    assert subject.status is S.WITHDRAWN
    assert subject.status.is_open is False


def test_a_resolved_issue_is_not_withdrawn() -> None:
    refused(
        issue(triaged(), decided(), dispatched, resolved),
        lambda i: i.withdraw(ctx(), reason="不用了"),
        "issue.transition.withdraw",
        IllegalTransitionError,
    )


def test_an_issue_out_of_scope_is_rejected_with_its_reason() -> None:
    subject = issue(triaged())
    assert when(subject, lambda i: i.reject(ctx(), reason="属邻村管辖", decision=DECISION)) == [
        "Rejected"
    ]
    assert subject.status is S.REJECTED


def test_a_dispatched_issue_is_not_rejected() -> None:
    refused(
        issue(triaged(), decided(), dispatched),
        lambda i: i.reject(ctx(), reason="x"),
        "issue.transition.reject",
        IllegalTransitionError,
    )


def test_every_event_records_actor_time_unit_and_policy_version() -> None:
    late = ctx(at=T0 + timedelta(hours=3), policy=Policy(version=4))
    subject = issue()
    subject.triage(late, scale=Scale.MINOR, category="公共设施")
    (event,) = subject.collect_events()
    assert (event.actor.id, event.timestamp, event.unit_id, event.policy_version) == (
        "cadre-1",
        T0 + timedelta(hours=3),
        UNIT,
        4,
    )
    assert (event.originator_id, event.originator_version) == (ISSUE_ID, 2)
