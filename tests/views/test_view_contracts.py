"""The views' contract, the same on every backend (memory, SQLite file, PostgreSQL): each view
shows exactly what the history says, rolled up the unit tree, current when a command returns,
and a rebuild gives the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from cogov import (
    AgendaTopic,
    Assignee,
    AssigneeKind,
    IllegalTransitionError,
    InvalidInputError,
    IssueStatus,
    ListKind,
    MeetingKind,
    MeetingStatus,
    NotFoundError,
    RankBy,
    RateKind,
    Scale,
    ViewRunner,
)
from tests.views.support import MINZHENG, District, dump, tracked


@pytest.fixture
def district(store_url: str | None) -> Iterator[District]:
    built = District.build(store_url)
    yield built
    built.close()


def test_a_closed_loop_shows_in_every_face_of_the_five_co_status(district: District) -> None:
    d = district
    done = d.urgent(d.group_a)
    d.resolve(done)
    d.publish(done, households=96)
    d.rate(done, d.group_a, 5, 5, 4)
    waiting = d.collect(d.group_b, "小区停车难")
    d.app.triage_issue(d.cadre, waiting, scale=Scale.MINOR, category="交通")
    d.collect(d.group_a, "垃圾清运不及时")
    meeting = d.app.schedule_meeting(
        d.cadre,
        unit_id=d.village_a,
        kind=MeetingKind.TWO_COMMITTEES,
        title="两委例会",
        roster_size=7,
        scheduled_for=d.clock.now() + timedelta(days=1),
        chair_id=d.cadre.id,
    )
    d.app.publish_agenda(d.cadre, meeting, topics=[AgendaTopic(topic="环境整治")])
    d.clock.advance(days=1)
    d.app.convene_meeting(d.cadre, meeting, present=6)

    status = d.app.five_co_status(d.county)

    planning = status.co_planning
    assert (planning.collected, planning.awaiting_triage, planning.awaiting_deliberation) == (
        3,
        1,
        1,
    )
    assert (planning.deliberated, planning.fast_tracked, planning.meetings_held) == (0, 1, 1)
    assert (planning.attendance_present, planning.attendance_roster) == (6, 7)
    assert planning.attendance.value == Decimal("0.8571")
    assert (status.co_building.dispatched, status.co_building.in_progress) == (1, 0)
    assert status.co_managing.overdue == 0
    evaluating = status.co_evaluating
    assert (evaluating.ratings, evaluating.satisfied, evaluating.reopened) == (3, 3, 0)
    assert evaluating.satisfaction.value == Decimal("1.0000")
    assert status.co_sharing.results_published == 1
    assert status.co_sharing.households_benefiting == 96

    village_b = d.app.five_co_status(d.village_b)
    assert village_b.co_planning.collected == 1
    assert village_b.co_planning.awaiting_deliberation == 1
    assert village_b.co_planning.meetings_held == 0
    assert village_b.co_sharing.households_benefiting == 0
    assert d.app.five_co_status(d.county, month="2026-04").co_planning.collected == 0


def test_a_rebuild_gives_the_live_views_row_for_row(district: District) -> None:
    d = district
    for n in range(3):
        issue = d.urgent(d.group_a if n % 2 else d.group_b)
        if n:
            d.resolve(issue)
    d.clock.advance(days=3)
    returned = d.urgent(d.group_a, MINZHENG)
    d.app.return_issue(d.staff(MINZHENG), returned, reason="不属本部门职责")
    live = dump(d.app.views)
    positions = tracked(d.app.views)

    read = d.app.views.rebuild()

    assert read == d.app.max_position()
    assert dump(d.app.views) == live
    assert tracked(d.app.views) == positions == dict.fromkeys(positions, d.app.max_position())
    assert set(positions) == {"units", "issues", "meetings", "projects"}


def test_a_refused_command_moves_no_view_row(district: District) -> None:
    d = district
    issue = d.urgent(d.group_a)
    before, position = dump(d.app.views), d.app.max_position()
    with pytest.raises(IllegalTransitionError) as refused:
        d.app.publish_result(d.cadre, issue, summary="未办结就公开")
    assert refused.value.rule == "issue.transition.publish_result"
    assert d.app.max_position() == position
    assert dump(d.app.views) == before


def test_an_overdue_task_shows_on_the_task_list_with_working_days_overdue(
    district: District,
) -> None:
    d = district
    late = d.urgent(d.group_a, title="燃气泄漏")  # Mon 2 March 09:00, due in 24 hours
    d.clock.set(datetime(2026, 3, 6, 2, 0, tzinfo=UTC))  # Fri 6 March 10:00 Beijing
    fresh = d.urgent(d.group_a, MINZHENG, title="电梯困人")  # due Sat 7 March 10:00

    tasks = d.app.task_list(d.county)

    assert [(t.issue_id, t.overdue, t.days_overdue, t.days_left) for t in tasks.items] == [
        (late, True, 3, None),  # Wed, Thu, Fri past Tuesday's deadline
        (fresh, False, None, 0),  # the deadline falls on a Saturday
    ]
    assert tasks.items[0].assignee_name == "县住建局"
    assert tasks.total == 2
    overdue = d.app.task_list(d.village_a, overdue_only=True)
    assert [t.issue_id for t in overdue.items] == [late]
    assert d.app.five_co_status(d.county).co_managing.overdue == 1
    assert d.app.task_list(d.village_b).total == 0
    assert d.app.task_list(d.county, assignee_id="minzheng").items[0].issue_id == fresh


def test_the_responsibility_list_counts_what_each_assignee_owns(district: District) -> None:
    d = district
    first = d.urgent(d.group_a)
    d.urgent(d.group_a)
    d.urgent(d.group_b)
    d.urgent(d.group_b, MINZHENG)
    d.resolve(first)
    d.clock.advance(days=2)

    page = d.app.responsibility_list(d.county)

    rows = [(r.assignee_id, r.owned, r.open, r.done, r.done_late, r.overdue) for r in page.items]
    assert rows == [("zhujian", 3, 2, 1, 0, 2), ("minzheng", 1, 1, 0, 0, 1)]
    only_a = d.app.responsibility_list(d.village_a)
    assert [(r.assignee_id, r.owned) for r in only_a.items] == [("zhujian", 2)]
    second_page = d.app.responsibility_list(d.county, limit=1, offset=1)
    assert [r.assignee_id for r in second_page.items] == ["minzheng"]
    assert (second_page.total, second_page.next_offset) == (2, None)


def test_three_rates_and_a_ranking_that_needs_a_minimum_sample(district: District) -> None:
    d = district
    for n in range(5):
        issue = d.urgent(d.group_a)
        if n < 4:
            d.resolve(issue)
    for _ in range(2):
        d.resolve(d.urgent(d.group_b))

    town = d.app.rates(d.town)
    assert (town.response.numerator, town.response.denominator) == (7, 7)
    assert (town.resolution.numerator, town.resolution.denominator) == (6, 7)
    assert town.resolution.value == Decimal("0.8571")
    assert town.satisfaction.value is None
    assert d.app.rates(d.village_a).resolution.value == Decimal("0.8000")

    ranking = d.app.ranking(d.town, rate=RateKind.RESOLUTION)
    assert [(r.rank, r.name, r.sample, r.ranked) for r in ranking] == [
        (1, "渡河村", 5, True),
        (None, "白羊社区", 2, False),
    ]
    relaxed = d.app.ranking(d.town, rate=RateKind.RESOLUTION, min_sample=2)
    assert [(r.rank, r.name) for r in relaxed] == [(1, "白羊社区"), (2, "渡河村")]
    by_assignee = d.app.ranking(d.county, by=RankBy.ASSIGNEE, rate=RateKind.RESOLUTION)
    assert [(r.rank, r.key, r.rate.numerator, r.rate.denominator) for r in by_assignee] == [
        (1, "zhujian", 6, 7)
    ]
    assert d.app.rates(d.town, month="2026-02").resolution.denominator == 0


def test_the_meeting_register_shows_quorum_decisions_and_publication(
    district: District,
) -> None:
    d = district
    bridge = d.collect(d.group_a, "危桥改造")
    d.app.triage_issue(d.cadre, bridge, scale=Scale.MAJOR, category="交通")
    decided = d.app.schedule_meeting(
        d.cadre,
        unit_id=d.village_a,
        kind=MeetingKind.REPRESENTATIVES,
        title="三月代表会议",
        roster_size=30,
        scheduled_for=d.clock.now() + timedelta(days=5),
        chair_id=d.cadre.id,
    )
    d.app.publish_agenda(d.cadre, decided, topics=[AgendaTopic(topic="修桥", issue_id=bridge)])
    short = d.app.schedule_meeting(
        d.cadre,
        unit_id=d.village_b,
        kind=MeetingKind.TWO_COMMITTEES,
        title="两委例会",
        roster_size=7,
        scheduled_for=d.clock.now() + timedelta(days=6),
        chair_id=d.cadre.id,
    )
    d.app.publish_agenda(d.cadre, short, topics=[AgendaTopic(topic="环境整治")])
    d.clock.advance(days=5)
    d.app.convene_meeting(d.cadre, decided, present=20)
    d.app.record_vote(d.cadre, decided, item_no=1, votes_for=16, votes_against=2, abstentions=2)
    d.app.deliberate_issue(d.cadre, bridge, meeting_id=decided, item_no=1)
    d.app.publish_minutes(d.cadre, decided, summary="通过修桥方案")
    council = Assignee(kind=AssigneeKind.COUNCIL, id="bridge-council", name="修桥理事会")
    d.app.dispatch_issue(d.cadre, bridge, assignee=council)
    register = d.app.meeting_register(d.county)
    assert [m.four_two_public for m in register.items] == [False, False]  # outcome not yet public
    d.resolve(bridge, council)
    d.publish(bridge, households=120)
    d.clock.advance(days=1)
    d.app.convene_meeting(d.cadre, short, present=3)

    register = d.app.meeting_register(d.county, month="2026-03")

    rows = [
        (
            m.meeting_id,
            m.present,
            m.quorum_met,
            m.decided,
            m.adopted,
            m.minutes_published,
            m.matters_decided,
            m.outcomes_published,
            m.four_two_public,
        )
        for m in register.items
    ]
    assert rows == [
        (decided, 20, True, 1, 1, True, 1, 1, True),
        (short, 3, False, 0, 0, False, 0, 0, False),
    ]
    assert d.app.meeting_register(d.village_b).total == 1
    published = d.app.meeting_register(d.county, statuses=[MeetingStatus.MINUTES_PUBLISHED])
    assert [m.meeting_id for m in published.items] == [decided]
    assert d.app.meeting_register(d.county, month="2026-04").total == 0
    assert d.app.five_co_status(d.county).co_planning.deliberated == 1


def test_the_monthly_schedule_counts_a_month_as_of_its_end(district: District) -> None:
    d = district
    late = d.urgent(d.group_a)  # 2 March, due 3 March
    d.collect(d.group_b)
    d.clock.set(datetime(2026, 4, 2, 1, 0, tzinfo=UTC))
    d.resolve(late)
    d.collect(d.group_a)
    d.clock.advance(hours=1)

    march = d.app.monthly_schedule(d.county, "2026-03")
    april = d.app.monthly_schedule(d.county, "2026-04")

    assert (march.collected, march.decided, march.dispatched, march.resolved) == (2, 1, 1, 0)
    assert march.overdue_at_month_end == 1
    assert march.as_of == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)  # 1 April 00:00 Beijing
    assert (april.collected, april.dispatched, april.resolved) == (1, 0, 1)
    assert april.overdue_at_month_end == 0
    assert april.as_of == d.clock.now()
    assert d.app.monthly_schedule(d.village_b, "2026-03").collected == 1


def test_the_problem_list_holds_the_open_problems_of_the_subtree(district: District) -> None:
    d = district
    closed = d.urgent(d.group_a)
    d.resolve(closed)
    d.publish(closed)
    d.rate(closed, d.group_a, 5, 5, 5)
    open_a = d.collect(d.group_a, "路灯不亮")
    d.clock.advance(minutes=5)
    open_b = d.collect(d.group_b, "井盖缺失")
    withdrawn = d.collect(d.group_b, "重复反映")
    d.app.withdraw_issue(d.cadre, withdrawn, reason="已并入其他事项")

    problems = d.app.problem_list(d.county)

    assert [(p.issue_id, p.unit_name, p.status) for p in problems.items] == [
        (open_a, "渡河村1组", "collected"),
        (open_b, "白羊1组", "collected"),
    ]
    assert [p.issue_id for p in d.app.problem_list(d.village_b).items] == [open_b]
    done = d.app.problem_list(d.county, statuses=[IssueStatus.CLOSED, IssueStatus.WITHDRAWN])
    assert {p.issue_id for p in done.items} == {closed, withdrawn}


def test_views_off_leaves_the_views_to_an_external_runner(store_url: str | None) -> None:
    d = District.build(store_url, views="off")
    try:
        d.urgent(d.group_a)
        with pytest.raises(NotFoundError) as missing:
            d.app.five_co_status(d.county)
        assert missing.value.rule == "unit.exists"
        if store_url is None:
            d.app.views.catch_up()
        else:
            worker = ViewRunner(store_url)
            assert worker.catch_up() == d.app.max_position()
            assert worker.positions() == dict.fromkeys(worker.positions(), d.app.max_position())
            worker.close()
        assert d.app.five_co_status(d.county).co_building.dispatched == 1
    finally:
        d.close()


def test_unknown_units_and_malformed_queries_are_refused(district: District) -> None:
    d = district
    nowhere = d.app.new_id()
    queries = [
        lambda: d.app.five_co_status(nowhere),
        lambda: d.app.problem_list(nowhere),
        lambda: d.app.task_list(nowhere),
        lambda: d.app.responsibility_list(nowhere),
        lambda: d.app.rates(nowhere),
        lambda: d.app.ranking(nowhere),
        lambda: d.app.meeting_register(nowhere),
        lambda: d.app.monthly_schedule(nowhere, "2026-03"),
    ]
    for query in queries:
        with pytest.raises(NotFoundError) as missing:
            query()
        assert missing.value.rule == "unit.exists"
    bad = [
        (lambda: d.app.five_co_status(d.county, month="2026-3"), "input.month"),
        (lambda: d.app.monthly_schedule(d.county, "March"), "input.month"),
        (lambda: d.app.task_list(d.county, limit=0), "input.limit"),
        (lambda: d.app.problem_list(d.county, offset=-1), "input.offset"),
        (lambda: d.app.ranking(d.county, min_sample=0), "input.min_sample"),
    ]
    for query, rule in bad:
        with pytest.raises(InvalidInputError) as refused:
            query()
        assert refused.value.rule == rule


def test_the_three_lists_hold_only_the_kinds_a_deployment_keeps(district: District) -> None:
    d = district
    issue = d.urgent(d.group_a)
    d.collect(d.group_b)

    both = d.app.three_lists(d.county, kinds=[ListKind.PROBLEM, ListKind.TASK])
    assert both.responsibilities is None
    assert both.problems is not None
    assert both.tasks is not None
    assert both.problems.total == 2
    assert [t.issue_id for t in both.tasks.items] == [issue]
    every = d.app.three_lists(d.county)
    assert every.responsibilities is not None
    assert [r.assignee_id for r in every.responsibilities.items] == ["zhujian"]
    rates = d.app.assignee_rates(d.county)
    assert [(r.key, r.resolution.numerator, r.resolution.denominator) for r in rates] == [
        ("zhujian", 0, 1)
    ]
