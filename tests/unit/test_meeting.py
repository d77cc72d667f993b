"""Meeting, without a database: given its events, when a command, then events or a typed error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

import pytest

from cogov import (
    AgendaItem,
    DeadlineError,
    DecisionRef,
    IllegalTransitionError,
    Meeting,
    MeetingKind,
    MeetingStatus,
    NotFoundError,
    PermissionDeniedError,
    Policy,
    QuorumNotMetError,
    Role,
    RuleViolationError,
)
from cogov.domain.base import Context, DomainEvent
from tests.support import T0, UNIT, ctx, given, history_of, later, refused, when

MEETING_ID = UUID("00000000-0000-4000-8000-0000000000b1")
CHAIR = "sec-1"
M = MeetingStatus
Step = Callable[[Meeting], object]


def chair(at: datetime | None = None, policy: Policy | None = None) -> Context:
    return ctx(actor_id=CHAIR, at=at or later(days=5), policy=policy)


def agenda(*topics: str) -> list[AgendaItem]:
    return [AgendaItem(item_no=n, topic=t) for n, t in enumerate(topics, 1)]


def published(*topics: str) -> Step:
    return lambda m: m.publish_agenda(ctx(), items=agenda(*(topics or ("修桥",))))


def convened(present: int) -> Step:
    return lambda m: m.convene(chair(), present=present)


def voted(item_no: int, votes_for: int, against: int = 0, abstain: int = 0) -> Step:
    return lambda m: m.record_vote(
        chair(), item_no=item_no, votes_for=votes_for, votes_against=against, abstentions=abstain
    )


def minutes(m: Meeting) -> None:
    m.publish_minutes(chair(), summary="通过修桥方案")


def history(
    *steps: Step, kind: MeetingKind = MeetingKind.REPRESENTATIVES, roster: int = 30
) -> list[DomainEvent]:
    def build() -> Meeting:
        meeting = Meeting.schedule(
            ctx(),
            id=MEETING_ID,
            unit_id=UNIT,
            kind=kind,
            title="三月代表会议",
            roster_size=roster,
            scheduled_for=later(days=5),
            chair_id=CHAIR,
        )
        for step in steps:
            step(meeting)
        return meeting

    return history_of(build)


def meeting(
    *steps: Step, kind: MeetingKind = MeetingKind.REPRESENTATIVES, roster: int = 30
) -> Meeting:
    built: Meeting = given(history(*steps, kind=kind, roster=roster))
    return built


# -- schedule and agenda ---------------------------------------------------------------------
def test_a_meeting_is_scheduled_with_its_roster_and_chair() -> None:
    events = history()
    assert [type(e).__name__ for e in events] == ["Scheduled"]
    scheduled = given(events)
    assert (scheduled.status, scheduled.roster_size, scheduled.chair_id, scheduled.items) == (
        M.SCHEDULED,
        30,
        CHAIR,
        [],
    )


def test_a_meeting_is_not_scheduled_in_the_past() -> None:
    with pytest.raises(DeadlineError) as error:
        Meeting.schedule(
            ctx(),
            id=MEETING_ID,
            unit_id=UNIT,
            kind=MeetingKind.TWO_COMMITTEES,
            title="周例会",
            roster_size=7,
            scheduled_for=T0,
            chair_id=CHAIR,
        )
    assert error.value.rule == "meeting.schedule.future"


@pytest.mark.parametrize("topics", [("修桥",), ("修桥", "建晒谷场")])
def test_the_monthly_meeting_takes_one_or_two_topics(topics: tuple[str, ...]) -> None:
    subject = meeting()
    assert when(subject, published(*topics)) == ["AgendaPublished"]
    assert (subject.status, [i.topic for i in subject.items]) == (M.AGENDA_PUBLISHED, list(topics))
    assert subject.agenda_published_at == T0


@pytest.mark.parametrize("count", [0, 3])
def test_the_monthly_meeting_refuses_no_topic_or_three(count: int) -> None:
    refused(
        meeting(),
        lambda m: m.publish_agenda(ctx(), items=agenda(*["议题"] * count)),
        "meeting.agenda.topics",
        RuleViolationError,
    )


def test_a_two_committee_meeting_has_no_topic_limit() -> None:
    subject = meeting(kind=MeetingKind.TWO_COMMITTEES, roster=7)
    assert when(subject, published("一", "二", "三", "四")) == ["AgendaPublished"]


def test_agenda_items_are_numbered_in_order() -> None:
    items = [AgendaItem(item_no=2, topic="修桥"), AgendaItem(item_no=1, topic="路灯")]
    refused(
        meeting(),
        lambda m: m.publish_agenda(ctx(), items=items),
        "meeting.agenda.numbering",
        RuleViolationError,
    )


def test_an_issue_is_one_topic_of_an_agenda() -> None:
    issue_id = UUID("00000000-0000-4000-8000-0000000000a1")
    items = [
        AgendaItem(item_no=1, topic="修桥", issue_id=issue_id),
        AgendaItem(item_no=2, topic="再议修桥", issue_id=issue_id),
    ]
    refused(
        meeting(kind=MeetingKind.TWO_COMMITTEES, roster=7),
        lambda m: m.publish_agenda(ctx(), items=items),
        "meeting.agenda.issue_once",
        RuleViolationError,
    )


def test_the_agenda_is_public_exactly_three_days_ahead() -> None:
    subject = meeting()
    assert when(
        subject, lambda m: m.publish_agenda(ctx(at=later(days=2)), items=agenda("修桥"))
    ) == ["AgendaPublished"]


def test_an_agenda_less_than_three_days_ahead_is_refused() -> None:
    refused(
        meeting(),
        lambda m: m.publish_agenda(ctx(at=later(days=2, seconds=1)), items=agenda("修桥")),
        "meeting.agenda.notice",
        DeadlineError,
    )


def test_the_villagers_meeting_needs_ten_days_notice() -> None:
    refused(
        meeting(kind=MeetingKind.VILLAGERS, roster=120),
        published("修路"),
        "meeting.agenda.notice",
        DeadlineError,
    )


def test_an_agenda_is_published_once() -> None:
    refused(
        meeting(published()),
        published(),
        "meeting.transition.publish_agenda",
        IllegalTransitionError,
    )


# -- convene ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("present", "met"), [(30, True), (20, True), (19, False), (0, False)])
def test_convening_records_attendance_and_whether_the_quorum_is_met(
    present: int, met: bool
) -> None:
    subject = meeting(published())
    assert when(subject, convened(present)) == ["Convened"]
    assert (subject.status, subject.present, subject.quorum_met) == (M.CONVENED, present, met)


def test_only_the_chair_convenes() -> None:
    refused(
        meeting(published()),
        lambda m: m.convene(ctx(actor_id="cadre-2"), present=20),
        "meeting.convene.chair_only",
        PermissionDeniedError,
    )


def test_attendance_cannot_exceed_the_roster() -> None:
    refused(meeting(published()), convened(31), "meeting.attendance.range", RuleViolationError)


def test_a_meeting_convenes_on_its_scheduled_day_even_before_the_hour() -> None:
    # scheduled for 09:00 Beijing time on day 5; the chair opens it at 08:00 the same day
    subject = meeting(published())
    assert when(subject, lambda m: m.convene(chair(at=later(days=5, hours=-1)), present=20)) == [
        "Convened"
    ]


def test_a_meeting_does_not_convene_before_its_scheduled_day() -> None:
    # 23:00 Beijing time on the evening before: the agenda notice would mean nothing
    refused(
        meeting(published()),
        lambda m: m.convene(chair(at=later(days=4, hours=14)), present=20),
        "meeting.convene.not_before_scheduled_day",
        DeadlineError,
    )


def test_a_meeting_without_a_public_agenda_does_not_convene() -> None:
    refused(meeting(), convened(20), "meeting.transition.convene", IllegalTransitionError)


# -- votes -----------------------------------------------------------------------------------
def test_two_thirds_present_and_a_majority_for_adopts_the_item() -> None:
    subject = meeting(published(), convened(20))
    assert when(subject, voted(1, 11, 9)) == ["Voted", "Decided"]
    outcome = subject.outcomes[1]
    assert (outcome.adopted, outcome.present, outcome.votes_for, outcome.votes_against) == (
        True,
        20,
        11,
        9,
    )
    assert subject.decision(1) == DecisionRef(
        meeting_id=MEETING_ID, item_no=1, decided_at=later(days=5)
    )


def test_a_tie_vote_rejects_the_item() -> None:
    subject = meeting(published(), convened(20))
    when(subject, voted(1, 10, 10))
    assert subject.outcomes[1].adopted is False
    with pytest.raises(RuleViolationError) as error:
        subject.decision(1)
    assert error.value.rule == "decision.adopted"


def test_abstentions_count_among_those_present() -> None:
    subject = meeting(published(), convened(20))
    when(subject, voted(1, 10, 0, 10))
    assert subject.outcomes[1].adopted is False


def test_the_decided_event_states_the_rules_applied() -> None:
    subject = meeting(published(), convened(20))
    subject.record_vote(chair(), item_no=1, votes_for=15, votes_against=3, abstentions=2)
    voted_, decided = subject.collect_events()
    assert isinstance(voted_, Meeting.Voted)
    assert isinstance(decided, Meeting.Decided)
    assert (decided.present, decided.roster_size, decided.votes_for, decided.adopted) == (
        20,
        30,
        15,
        True,
    )
    assert (decided.quorum_rule, decided.majority_rule, decided.policy_version) == (
        "≥ 2/3",
        "> 1/2",
        1,
    )


def test_fewer_than_two_thirds_present_cannot_decide() -> None:
    error = refused(meeting(published(), convened(19)), voted(1, 19), "meeting.quorum")
    assert type(error) is QuorumNotMetError


def test_the_villagers_meeting_needs_more_than_half_present() -> None:
    at_half = meeting(
        lambda m: m.publish_agenda(ctx(at=later(days=-6)), items=agenda("修路")),
        convened(60),
        kind=MeetingKind.VILLAGERS,
        roster=120,
    )
    refused(at_half, voted(1, 60), "meeting.quorum", QuorumNotMetError)


def test_only_the_chair_records_votes() -> None:
    refused(
        meeting(published(), convened(25)),
        lambda m: m.record_vote(
            ctx(actor_id="cadre-2"), item_no=1, votes_for=20, votes_against=3, abstentions=2
        ),
        "meeting.record_vote.chair_only",
        PermissionDeniedError,
    )


def test_votes_cast_cannot_exceed_those_present() -> None:
    refused(meeting(published(), convened(20)), voted(1, 15, 5, 1), "meeting.vote.tally")


def test_negative_votes_are_refused() -> None:
    refused(meeting(published(), convened(20)), voted(1, 15, -1), "meeting.vote.tally")


def test_an_item_is_voted_once() -> None:
    refused(meeting(published(), convened(20), voted(1, 15)), voted(1, 20), "meeting.vote.once")


def test_an_unknown_item_is_not_voted() -> None:
    refused(meeting(published(), convened(20)), voted(2, 15), "meeting.item.exists", NotFoundError)


def test_a_meeting_not_convened_takes_no_vote() -> None:
    refused(
        meeting(published()), voted(1, 15), "meeting.transition.record_vote", IllegalTransitionError
    )


def test_an_undecided_item_is_no_decision() -> None:
    with pytest.raises(RuleViolationError) as error:
        meeting(published(), convened(20)).decision(1)
    assert error.value.rule == "decision.decided"


# -- minutes, close, cancel ------------------------------------------------------------------
def test_minutes_are_published_once_every_item_is_decided() -> None:
    subject = meeting(published("修桥", "建晒谷场"), convened(20), voted(1, 15), voted(2, 5))
    assert when(subject, minutes) == ["MinutesPublished"]
    assert (subject.status, subject.minutes_published) == (M.MINUTES_PUBLISHED, True)
    assert when(subject, lambda m: m.close(chair())) == ["Closed"]
    assert subject.status is M.CLOSED


def test_minutes_wait_for_every_item() -> None:
    refused(
        meeting(published("修桥", "建晒谷场"), convened(20), voted(1, 15)),
        minutes,
        "meeting.minutes.all_decided",
        RuleViolationError,
    )


def test_a_meeting_closes_only_after_its_minutes() -> None:
    refused(
        meeting(published(), convened(20), voted(1, 15)),
        lambda m: m.close(chair()),
        "meeting.transition.close",
        IllegalTransitionError,
    )


@pytest.mark.parametrize("before", [(), (published(),)], ids=["scheduled", "agenda published"])
def test_a_meeting_not_yet_held_is_cancelled(before: tuple[Step, ...]) -> None:
    subject = meeting(*before)
    assert when(subject, lambda m: m.cancel(ctx(), reason="暴雨")) == ["Cancelled"]
    assert subject.status is M.CANCELLED


def test_a_convened_meeting_is_not_cancelled() -> None:
    refused(
        meeting(published(), convened(20)),
        lambda m: m.cancel(ctx(), reason="暴雨"),
        "meeting.transition.cancel",
        IllegalTransitionError,
    )


def test_a_resident_is_no_chair() -> None:
    refused(
        meeting(published()),
        lambda m: m.convene(ctx(Role.RESIDENT, actor_id="r-1"), present=20),
        "meeting.convene.chair_only",
        PermissionDeniedError,
    )
