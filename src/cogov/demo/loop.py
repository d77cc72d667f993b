"""Small steps the stories and the generated month share: hold a meeting end to end,
rate a result, move the demo's manual clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

from cogov.app.meetings import AgendaTopic
from cogov.app.records import IssueRecord
from cogov.application import CoGov
from cogov.clock import ManualClock
from cogov.demo.district import District, Village
from cogov.domain.issue import IssueStatus
from cogov.domain.values import Actor, ContributionKind, Contributor, MeetingKind

BEIJING = ZoneInfo("Asia/Shanghai")

__all__ = ["Vote", "clock_of", "contribute", "hold_meeting", "month_of", "rate_result"]


@dataclass(frozen=True)
class Vote:
    """A tally (赞成/反对/弃权) for one agenda item."""

    votes_for: int
    votes_against: int = 0
    abstentions: int = 0


def clock_of(app: CoGov) -> ManualClock:
    """The demo drives time itself: its application runs on a :class:`ManualClock`."""
    if not isinstance(app.clock, ManualClock):
        raise TypeError("the demo stories need CoGov(..., clock=ManualClock(...))")
    return app.clock


def hold_meeting(
    app: CoGov,
    village: Village,
    *,
    kind: MeetingKind,
    title: str,
    topics: Sequence[AgendaTopic],
    present: int,
    roster: int | None = None,
    votes: Sequence[Vote] | None = None,
    notice: timedelta | None = None,
    deliberate: bool = True,
    summary: str | None = None,
    unit_id: UUID | None = None,
    chair: Actor | None = None,
) -> UUID:
    """Schedule, publish the agenda, convene, vote every item, record the decisions on the
    linked issues (or hear fast-track reports), publish the minutes and close.

    ``notice`` defaults to the policy's notice for the kind (3 days for representatives).
    With ``deliberate=False`` the votes are recorded but the issues are not yet decided
    (a two-committee meeting passing a major matter up to the representatives). The village
    cadre schedules; ``chair`` (default: the cadre) convenes, records votes and minutes.
    """
    clock = clock_of(app)
    cadre = village.cadre
    chair = chair or cadre
    days = app.policy.agenda_notice_days.get(kind, 0)
    lead = notice if notice is not None else timedelta(days=days, hours=5)
    when = clock.now() + lead
    meeting_id = app.schedule_meeting(
        cadre,
        unit_id=unit_id or village.id,
        kind=kind,
        title=title,
        roster_size=roster if roster is not None else _roster(village, kind),
        scheduled_for=when,
        chair_id=chair.id,
    )
    reports = {t.issue_id for t in topics if t.issue_id and _pending_report(app, t.issue_id)}
    app.publish_agenda(cadre, meeting_id, topics=list(topics))
    clock.set(max(clock.now(), when))
    app.convene_meeting(chair, meeting_id, present=present)
    tallies = list(votes) if votes is not None else [Vote(votes_for=present)] * len(topics)
    for item_no, (topic, vote) in enumerate(zip(topics, tallies, strict=True), 1):
        outcome = app.record_vote(
            chair,
            meeting_id,
            item_no=item_no,
            votes_for=vote.votes_for,
            votes_against=vote.votes_against,
            abstentions=vote.abstentions,
        )
        if topic.issue_id is None:
            continue
        if topic.issue_id in reports:
            app.report_fast_track(cadre, topic.issue_id, meeting_id=meeting_id, item_no=item_no)
        elif deliberate and outcome.adopted:
            app.deliberate_issue(cadre, topic.issue_id, meeting_id=meeting_id, item_no=item_no)
    clock.advance(hours=2)
    app.publish_minutes(
        chair, meeting_id, summary=summary or f"{title}：" + "；".join(t.topic for t in topics)
    )
    app.close_meeting(chair, meeting_id)
    return meeting_id


def _pending_report(app: CoGov, issue_id: UUID) -> bool:
    return app.issue(issue_id).fast_track_pending_report


def _roster(village: Village, kind: MeetingKind) -> int:
    if kind is MeetingKind.REPRESENTATIVES:
        return village.representatives
    if kind is MeetingKind.TWO_COMMITTEES:
        return village.committee_size
    return 40


def rate_result(
    app: CoGov, district: District, issue_id: UUID, group_id: UUID, scores: Sequence[int]
) -> IssueRecord:
    """Residents of the group rate the published result, one rating each, until enough
    ratings settle the matter (closed, or reopened for 重办). Returns the issue then."""
    record = app.issue(issue_id)
    for n, score in enumerate(scores):
        resident = district.resident(group_id, n)
        record = app.evaluate_issue(resident, issue_id, score=score)
        if record.status is not IssueStatus.PUBLISHED:
            break
    return record


def contribute(
    app: CoGov,
    recorder: Actor,
    project_id: UUID,
    contributor: Contributor,
    kind: ContributionKind,
    amount: Decimal | int,
) -> UUID:
    """A pledge that arrives in full (money paid, days worked, materials delivered)."""
    pledge = app.pledge_contribution(
        recorder, project_id, contributor=contributor, kind=kind, amount=Decimal(amount)
    )
    app.receive_contribution(recorder, project_id, pledge_id=pledge, amount=Decimal(amount))
    return pledge


def month_of(app: CoGov) -> str:
    """The current month on the demo clock, as a 每月报告 names it ("YYYY-MM", Beijing)."""
    return clock_of(app).now().astimezone(BEIJING).strftime("%Y-%m")
