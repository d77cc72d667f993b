"""Random command sequences, valid and invalid, against Issue and Meeting through CoGov.

After every step, for every issue and meeting:

* replaying its stored events (``app.history``) rebuilds exactly the state the live
  aggregate had when its last command decided;
* a refused command stored nothing (the log position and every stored version unchanged),
  and a lone writer is never refused for losing a race;
* its stored history never shows an illegal transition — every event is checked against the
  lifecycle table below, written from the rules (DOMAIN.md), not from the code.

Size: ``COGOV_STATEFUL_EXAMPLES`` sequences (default 60) of up to 30 steps.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from cogov import (
    Actor,
    AgendaTopic,
    Assignee,
    AssigneeKind,
    Channel,
    CoGov,
    CogovError,
    ConcurrencyError,
    IssueStatus,
    ManualClock,
    MeetingKind,
    MeetingStatus,
    Quorum,
    Role,
    Scale,
    UnitLevel,
)
from cogov.calendar import BEIJING
from cogov.domain.base import Aggregate, project
from cogov.domain.policybook import WHOLE_DEPLOYMENT

EXAMPLES = int(os.environ.get("COGOV_STATEFUL_EXAMPLES", "60"))
#: a Monday before 中秋 and 国庆 2026, so random waits cross holidays and 调休 days
START = datetime(2026, 9, 21, 9, 0, tzinfo=BEIJING)

IS = IssueStatus
OPEN = frozenset(IS) - {IS.CLOSED, IS.MERGED, IS.WITHDRAWN, IS.REJECTED}
BEFORE_A_DECISION = frozenset({IS.TRIAGED, IS.ON_AGENDA, IS.ESCALATED, IS.REOPENED})
#: Issue lifecycle: event → (statuses it may follow, status it leads to; None = unchanged)
ISSUE_TRANSITIONS: dict[str, tuple[frozenset[IssueStatus], IssueStatus | None]] = {
    "Triaged": (frozenset({IS.COLLECTED, IS.TRIAGED}), IS.TRIAGED),
    "MergedInto": (frozenset({IS.COLLECTED, IS.TRIAGED}), IS.MERGED),
    "DuplicateAbsorbed": (OPEN, None),
    "PutOnAgenda": (BEFORE_A_DECISION, IS.ON_AGENDA),
    "Deliberated": (BEFORE_A_DECISION, IS.DELIBERATED),
    "FastTracked": (BEFORE_A_DECISION, IS.FAST_TRACKED),
    "FastTrackReported": (frozenset(IS) - {IS.COLLECTED, IS.TRIAGED, IS.MERGED}, None),
    "Dispatched": (
        frozenset({IS.DELIBERATED, IS.FAST_TRACKED, IS.RETURNED, IS.ESCALATED, IS.REOPENED}),
        IS.DISPATCHED,
    ),
    "Returned": (frozenset({IS.DISPATCHED}), IS.RETURNED),
    "Escalated": (OPEN - {IS.COLLECTED, IS.RESOLVED, IS.PUBLISHED}, IS.ESCALATED),
    "Chased": (frozenset({IS.DISPATCHED}), None),
    "Resolved": (frozenset({IS.DISPATCHED}), IS.RESOLVED),
    "ResultPublished": (frozenset({IS.RESOLVED}), IS.PUBLISHED),
    "Evaluated": (frozenset({IS.PUBLISHED}), None),
    "Closed": (frozenset({IS.PUBLISHED}), IS.CLOSED),
    "Reopened": (frozenset({IS.PUBLISHED}), IS.REOPENED),
    "Withdrawn": (OPEN - {IS.RESOLVED, IS.PUBLISHED}, IS.WITHDRAWN),
    "Rejected": (frozenset({IS.COLLECTED, IS.TRIAGED, IS.ON_AGENDA, IS.ESCALATED}), IS.REJECTED),
}

M = MeetingStatus
MEETING_TRANSITIONS: dict[str, tuple[frozenset[MeetingStatus], MeetingStatus | None]] = {
    "AgendaPublished": (frozenset({M.SCHEDULED}), M.AGENDA_PUBLISHED),
    "Convened": (frozenset({M.AGENDA_PUBLISHED}), M.CONVENED),
    "Voted": (frozenset({M.CONVENED}), None),
    "Decided": (frozenset({M.CONVENED}), None),
    "MinutesPublished": (frozenset({M.CONVENED}), M.MINUTES_PUBLISHED),
    "Closed": (frozenset({M.MINUTES_PUBLISHED}), M.CLOSED),
    "Cancelled": (frozenset({M.SCHEDULED, M.AGENDA_PUBLISHED}), M.CANCELLED),
}
STARTS = {"Collected": IS.COLLECTED, "Scheduled": M.SCHEDULED}


class Probe(CoGov):
    """CoGov that keeps a copy of every aggregate as it stood when its command decided."""

    live: dict[UUID, Aggregate]

    def _save(self, *aggregates: Aggregate) -> Any:
        recordings = super()._save(*aggregates)
        for aggregate in aggregates:
            self.live[aggregate.id] = copy.deepcopy(aggregate)
        return recordings


def state_of(aggregate: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def check_lifecycle(events: list[Any]) -> None:
    """Every stored event follows a status it may follow and leads where the table says."""
    first = type(events[0]).__name__
    status: Any = STARTS[first]
    table: dict[str, tuple[frozenset[Any], Any]] = (
        ISSUE_TRANSITIONS if first == "Collected" else MEETING_TRANSITIONS
    )
    decided: set[int] = set()
    voted: set[int] = set()
    for stored in events[1:]:
        name = type(stored).__name__
        allowed, after = table[name]
        assert status in allowed, f"{name} stored while {status}"
        status = after or status
        if name == "Voted":
            voted.add(stored.item_no)
        if name == "Decided":
            assert stored.item_no in voted, stored
            assert stored.item_no not in decided, stored
            decided.add(stored.item_no)


reasons = st.sampled_from(["", "理由充分", "  "])
kinds = st.sampled_from(list(MeetingKind))


class IssueAndMeetingMachine(RuleBasedStateMachine):
    issues = Bundle("issues")
    meetings = Bundle("meetings")

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(START)
        self.app = Probe(clock=self.clock, enforce_grants=False, views="off")
        self.app.live = {}
        admin = Actor(id="admin", role=Role.ADMINISTRATOR, unit_id=WHOLE_DEPLOYMENT)
        self.admin = admin
        county = self.app.establish_unit(admin, name="县", level=UnitLevel.COUNTY)
        town = self.app.establish_unit(admin, name="镇", level=UnitLevel.TOWNSHIP, parent_id=county)
        self.village = self.app.establish_unit(
            admin, name="村", level=UnitLevel.VILLAGE, parent_id=town
        )
        self.group = self.app.establish_unit(
            admin, name="组", level=UnitLevel.GROUP, parent_id=self.village
        )
        self.cadres = [
            Actor(id="sec-1", role=Role.COMMITTEE_MEMBER, unit_id=self.village),
            Actor(id="cadre-2", role=Role.COMMITTEE_MEMBER, unit_id=self.village),
            Actor(id="county-1", role=Role.COMMITTEE_MEMBER, unit_id=county),
        ]
        self.workers = [
            (
                Actor(id=f"{org}-1", role=Role.DEPARTMENT_STAFF, unit_id=county, organisation=org),
                Assignee(kind=AssigneeKind.DEPARTMENT, id=org, name=org),
            )
            for org in ("zhujian", "minzheng")
        ]
        self.raisers = [uuid4() for _ in range(3)]
        self.residents = [
            Actor(id=str(r), role=Role.RESIDENT, unit_id=self.group) for r in self.raisers
        ] + [Actor(id=str(uuid4()), role=Role.RESIDENT, unit_id=self.group) for _ in range(3)]
        self.known: list[UUID] = []
        self.refusals = 0

    # -- the one path every command takes ---------------------------------------------------
    def attempt(self, command: Callable[[], Any]) -> Any:
        position = self.app.max_position()
        versions = {i: self.stored_version(i) for i in self.known}
        try:
            return command()
        except ConcurrencyError as lost:
            # one writer never loses a race: this means a command saved two copies of one
            # aggregate (e.g. the same issue twice on one agenda)
            raise AssertionError(f"a lone writer lost a race: {lost}") from lost
        except CogovError:
            self.refusals += 1
            assert self.app.max_position() == position
            assert {i: self.stored_version(i) for i in self.known} == versions
            return None

    def stored_version(self, aggregate_id: UUID) -> int:
        return int(self.app.history(aggregate_id)[-1].originator_version)

    def cadre(self, n: int) -> Actor:
        return self.cadres[n % len(self.cadres)]

    # -- issues -----------------------------------------------------------------------------
    @initialize(target=issues)
    def a_first_concern(self) -> UUID:
        return self.collect(0, Scale.MINOR)

    @rule(target=issues, raiser=st.integers(0, 2), scale=st.none() | st.sampled_from(list(Scale)))
    def collect(self, raiser: int, scale: Scale | None) -> UUID:
        """A concern is collected and, most of the time, triaged at once."""
        issue_id = self.app.collect_issue(
            Actor(id="gw-1", role=Role.GRID_WORKER, unit_id=self.village),
            unit_id=self.group,
            channel=Channel.GRID_WORKER,
            raised_by=self.raisers[raiser],
            title="路灯不亮",
            description="晚上出行不便",
        )
        self.known.append(issue_id)
        if scale is not None:
            self.app.triage_issue(self.cadres[0], issue_id, scale=scale, category="公共设施")
        return issue_id

    @rule(
        issue=issues,
        scale=st.sampled_from(list(Scale)),
        category=st.sampled_from(["交通", "水电气暖"]),
    )
    def triage(self, issue: UUID, scale: Scale, category: str) -> None:
        self.attempt(
            lambda: self.app.triage_issue(self.cadres[0], issue, scale=scale, category=category)
        )

    @rule(duplicate=issues, primary=issues)
    def merge(self, duplicate: UUID, primary: UUID) -> None:
        self.attempt(lambda: self.app.merge_issues(self.cadres[0], duplicate, into=primary))

    @rule(issue=issues, meeting=meetings, item_no=st.integers(1, 3))
    def deliberate(self, issue: UUID, meeting: UUID, item_no: int) -> None:
        self.attempt(
            lambda: self.app.deliberate_issue(
                self.cadres[0], issue, meeting_id=meeting, item_no=item_no
            )
        )

    @rule(issue=issues, reason=reasons)
    def fast_track(self, issue: UUID, reason: str) -> None:
        self.attempt(lambda: self.app.fast_track_issue(self.cadres[0], issue, reason=reason))

    @rule(issue=issues, meeting=meetings, item_no=st.integers(1, 3))
    def report_fast_track(self, issue: UUID, meeting: UUID, item_no: int) -> None:
        self.attempt(
            lambda: self.app.report_fast_track(
                self.cadres[0], issue, meeting_id=meeting, item_no=item_no
            )
        )

    @rule(issue=issues, worker=st.integers(0, 1))
    def dispatch(self, issue: UUID, worker: int) -> None:
        assignee = self.workers[worker][1]
        self.attempt(lambda: self.app.dispatch_issue(self.cadres[0], issue, assignee=assignee))

    @rule(issue=issues, worker=st.integers(0, 1), reason=reasons)
    def return_order(self, issue: UUID, worker: int, reason: str) -> None:
        actor = self.workers[worker][0]
        self.attempt(lambda: self.app.return_issue(actor, issue, reason=reason))

    @rule(issue=issues, cadre=st.integers(0, 2), reason=reasons)
    def escalate(self, issue: UUID, cadre: int, reason: str) -> None:
        self.attempt(lambda: self.app.escalate_issue(self.cadre(cadre), issue, reason=reason))

    @rule(issue=issues)
    def chase(self, issue: UUID) -> None:
        self.attempt(lambda: self.app.chase_issue(self.cadres[0], issue))

    @rule(issue=issues, worker=st.integers(0, 1))
    def resolve(self, issue: UUID, worker: int) -> None:
        actor = self.workers[worker][0]
        self.attempt(lambda: self.app.resolve_issue(actor, issue, summary="已办结"))

    @rule(issue=issues, households=st.integers(-1, 200))
    def publish_result(self, issue: UUID, households: int) -> None:
        self.attempt(
            lambda: self.app.publish_result(
                self.cadres[0], issue, summary="结果公开", households_benefiting=households
            )
        )

    @rule(issue=issues, resident=st.integers(0, 5), score=st.integers(0, 6))
    def evaluate(self, issue: UUID, resident: int, score: int) -> None:
        actor = self.residents[resident]
        self.attempt(lambda: self.app.evaluate_issue(actor, issue, score=score))

    @rule(issue=issues, by_resident=st.integers(0, 3), reason=reasons)
    def withdraw(self, issue: UUID, by_resident: int, reason: str) -> None:
        actor = self.residents[by_resident] if by_resident < 3 else self.cadres[0]
        self.attempt(lambda: self.app.withdraw_issue(actor, issue, reason=reason))

    @rule(issue=issues, reason=reasons)
    def reject(self, issue: UUID, reason: str) -> None:
        self.attempt(lambda: self.app.reject_issue(self.cadres[0], issue, reason=reason))

    @rule(
        issue=issues,
        kind=st.sampled_from(
            [MeetingKind.REPRESENTATIVES, MeetingKind.TWO_COMMITTEES, MeetingKind.EVENING_TALK]
        ),
        present=st.integers(12, 30),
        votes_for=st.integers(6, 30),
        minutes=st.booleans(),
    )
    def take_to_a_meeting(
        self, issue: UUID, kind: MeetingKind, present: int, votes_for: int, minutes: bool
    ) -> None:
        """The usual road, with random numbers: a meeting of 30 puts the issue on its agenda,
        meets on the day, votes, and the issue cites the decision (each step may be refused)."""
        notice = self.app.policy.agenda_notice_days.get(kind, 0)
        meeting = self.schedule_on(kind, 30, self.clock.now() + timedelta(days=notice, hours=1))
        if meeting is None:
            return
        topics = [AgendaTopic(topic="议题", issue_id=issue)]
        self.attempt(lambda: self.app.publish_agenda(self.cadres[0], meeting, topics=topics))
        self.clock.set(self.app.meeting(meeting).scheduled_for)
        self.attempt(lambda: self.app.convene_meeting(self.cadres[0], meeting, present=present))
        self.record_vote(meeting, 1, (min(votes_for, present), 0, 0), chair=True)
        self.deliberate(issue, meeting, 1)
        if minutes:
            self.publish_minutes(meeting)

    @rule(
        issue=issues,
        worker=st.integers(0, 1),
        resolver=st.integers(0, 1),
        ratings=st.lists(st.tuples(st.integers(0, 5), st.integers(1, 5)), max_size=4),
    )
    def work_it_through(
        self, issue: UUID, worker: int, resolver: int, ratings: list[tuple[int, int]]
    ) -> None:
        """The usual road after a decision: dispatch, resolve, publish, residents rate."""
        self.dispatch(issue, worker)
        self.resolve(issue, resolver)
        self.publish_result(issue, 10)
        for resident, score in ratings:
            self.evaluate(issue, resident, score)

    @rule(
        issue=issues,
        present=st.integers(15, 30),
        votes_for=st.integers(10, 30),
        worker=st.integers(0, 1),
        ratings=st.lists(
            st.tuples(st.integers(0, 5), st.integers(1, 5)),
            min_size=2,
            max_size=4,
            unique_by=lambda rating: rating[0],
        ),
    )
    def the_whole_road(
        self, issue: UUID, present: int, votes_for: int, worker: int, ratings: list[tuple[int, int]]
    ) -> None:
        """The meeting the scale calls for, its decision, published minutes, dispatch,
        resolution by the assignee, publication and the residents' ratings, in one go."""
        scale = self.app.issue(issue).scale
        kind = MeetingKind.REPRESENTATIVES if scale is Scale.MAJOR else MeetingKind.TWO_COMMITTEES
        self.take_to_a_meeting(issue, kind, present, votes_for, minutes=True)
        self.work_it_through(issue, worker, worker, ratings)

    # -- meetings ---------------------------------------------------------------------------
    def schedule_on(self, kind: MeetingKind, roster: int, when_: datetime) -> UUID | None:
        meeting_id: UUID | None = self.attempt(
            lambda: self.app.schedule_meeting(
                self.cadres[0],
                unit_id=self.village,
                kind=kind,
                title="会议",
                roster_size=roster,
                scheduled_for=when_,
                chair_id="sec-1",
            )
        )
        if meeting_id is not None:
            self.known.append(meeting_id)
        return meeting_id

    @rule(target=meetings, kind=kinds, roster=st.integers(1, 40), days=st.integers(-1, 12))
    def schedule(self, kind: MeetingKind, roster: int, days: int) -> Any:
        meeting_id = self.schedule_on(
            kind, roster, self.clock.now() + timedelta(days=days, hours=1)
        )
        if meeting_id is None:
            return multiple()  # refused (scheduled in the past): no meeting to draw on
        return meeting_id

    @rule(
        meeting=meetings,
        linked=st.lists(issues, max_size=3),
        plain=st.integers(0, 2),
        twice=st.booleans(),
    )
    def publish_agenda(self, meeting: UUID, linked: list[UUID], plain: int, twice: bool) -> None:
        if twice and linked:  # the same issue twice on one agenda
            linked = [*linked, linked[0]]
        topics = [AgendaTopic(topic="议题", issue_id=i) for i in linked]
        topics += [AgendaTopic(topic=f"议题{n}") for n in range(plain)]
        self.attempt(lambda: self.app.publish_agenda(self.cadres[0], meeting, topics=topics))

    @rule(meeting=meetings, present=st.integers(-1, 41), chair=st.booleans())
    def convene(self, meeting: UUID, present: int, chair: bool) -> None:
        actor = self.cadres[0] if chair else self.cadres[1]
        self.attempt(lambda: self.app.convene_meeting(actor, meeting, present=present))

    @rule(
        meeting=meetings,
        item_no=st.integers(1, 3),
        votes=st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 10)),
        chair=st.booleans(),
    )
    def record_vote(
        self, meeting: UUID, item_no: int, votes: tuple[int, int, int], chair: bool
    ) -> None:
        actor = self.cadres[0] if chair else self.cadres[1]
        votes_for, against, abstain = votes
        self.attempt(
            lambda: self.app.record_vote(
                actor,
                meeting,
                item_no=item_no,
                votes_for=votes_for,
                votes_against=against,
                abstentions=abstain,
            )
        )

    @rule(meeting=meetings)
    def publish_minutes(self, meeting: UUID) -> None:
        self.attempt(lambda: self.app.publish_minutes(self.cadres[0], meeting, summary="纪要"))

    @rule(meeting=meetings)
    def close_meeting(self, meeting: UUID) -> None:
        self.attempt(lambda: self.app.close_meeting(self.cadres[0], meeting))

    @rule(meeting=meetings, reason=reasons)
    def cancel_meeting(self, meeting: UUID, reason: str) -> None:
        self.attempt(lambda: self.app.cancel_meeting(self.cadres[0], meeting, reason=reason))

    # -- time and policy --------------------------------------------------------------------
    @rule(hours=st.integers(0, 24 * 12))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(hours=hours)

    @rule(numerator=st.integers(1, 4), threshold=st.sampled_from(["0.5", "0.8", "1"]))
    def adopt_policy(self, numerator: int, threshold: str) -> None:
        current = self.app.policy
        quorum = Quorum(numerator=numerator, denominator=4, inclusive=True)
        policy = current.model_copy(
            update={
                "version": current.version + 1,
                "quorum": {**current.quorum, MeetingKind.REPRESENTATIVES: quorum},
                "satisfaction_threshold": Decimal(threshold),
            }
        )
        self.attempt(lambda: self.app.adopt_policy(self.admin, policy, reason="修订"))

    # -- invariants -------------------------------------------------------------------------
    @invariant()
    def replay_rebuilds_the_live_state_and_every_transition_is_legal(self) -> None:
        for aggregate_id in self.known:
            events = self.app.history(aggregate_id)
            replayed = project(None, events)
            live = self.app.live[aggregate_id]
            assert replayed is not None
            assert state_of(replayed) == state_of(live), aggregate_id
            assert replayed.version == live.version == len(events)
            check_lifecycle(events)

    @invariant()
    def every_event_cites_a_policy_that_was_in_force(self) -> None:
        versions = {
            self.app.policy_version(v).version for v in range(1, self.app.policy.version + 1)
        }
        for aggregate_id in self.known:
            assert {e.policy_version for e in self.app.history(aggregate_id)} <= versions

    def teardown(self) -> None:
        reached = {self.app.live[i].status for i in self.known}
        for status in sorted(str(s) for s in reached):
            event(f"reached {status}")
        event(f"refused {min(self.refusals // 10 * 10, 50)}+ commands")
        self.app.close()


IssueAndMeetingMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_issue_and_meeting_commands_keep_their_invariants = IssueAndMeetingMachine.TestCase
