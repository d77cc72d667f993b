"""The whole loop on every backend: collect → triage → agenda → vote → deliberate → dispatch
→ resolve → publish → evaluate → closed; the stored history replays to the same state."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from cogov import (
    Actor,
    AgendaTopic,
    Assignee,
    AssigneeKind,
    Channel,
    CoGov,
    IllegalTransitionError,
    InvalidInputError,
    IssueStatus,
    ManualClock,
    MeetingKind,
    Role,
    Scale,
    UnitLevel,
)


def test_a_major_matter_runs_the_whole_loop_and_replays(
    store_url: str | None, clock: ManualClock
) -> None:
    app = CoGov(store_url, clock=clock)
    admin = app.bootstrap_administrator("admin")  # the first grant; every actor below is granted
    county = app.establish_unit(admin, name="黄梅县", level=UnitLevel.COUNTY)
    town = app.establish_unit(admin, name="某镇", level=UnitLevel.TOWNSHIP, parent_id=county)
    village = app.establish_unit(admin, name="渡河村", level=UnitLevel.VILLAGE, parent_id=town)
    group = app.establish_unit(admin, name="渡河村1组", level=UnitLevel.GROUP, parent_id=village)
    grid = app.grant_role(admin, grantee_id="gw-1", role=Role.GRID_WORKER, unit_id=village)
    cadre = app.grant_role(admin, grantee_id="sec-1", role=Role.COMMITTEE_MEMBER, unit_id=village)
    council = app.grant_role(
        admin,
        grantee_id="c-1",
        role=Role.COUNCIL_MEMBER,
        unit_id=village,
        organisation="bridge-council",
    )

    issue_id = app.collect_issue(
        grid,
        unit_id=group,
        channel=Channel.GRID_WORKER,
        raised_by=uuid4(),
        title="危桥",
        description="桥宽不足2米",
    )
    app.triage_issue(cadre, issue_id, scale=Scale.MAJOR, category="交通")
    meeting_id = app.schedule_meeting(
        cadre,
        unit_id=village,
        kind=MeetingKind.REPRESENTATIVES,
        title="三月代表会议",
        roster_size=30,
        scheduled_for=clock.now() + timedelta(days=5),
        chair_id="sec-1",
    )
    app.publish_agenda(cadre, meeting_id, topics=[AgendaTopic(topic="修桥", issue_id=issue_id)])
    clock.advance(days=5)
    app.convene_meeting(cadre, meeting_id, present=20)
    outcome = app.record_vote(
        cadre, meeting_id, item_no=1, votes_for=16, votes_against=2, abstentions=2
    )
    assert outcome.adopted
    app.deliberate_issue(cadre, issue_id, meeting_id=meeting_id, item_no=1)
    app.publish_minutes(cadre, meeting_id, summary="通过修桥方案")
    app.dispatch_issue(
        cadre,
        issue_id,
        assignee=Assignee(kind=AssigneeKind.COUNCIL, id="bridge-council", name="修桥理事会"),
    )
    app.resolve_issue(council, issue_id, summary="新桥建成")
    app.publish_result(cadre, issue_id, summary="新桥通行", households_benefiting=120)
    for n in range(3):
        resident_id = app.register_resident(
            grid,
            unit_id=group,
            name=f"居民{n}",
            phone=f"1380000000{n}",
            address="1组",
            household=f"{n}",
        )
        resident = Actor(id=str(resident_id), role=Role.RESIDENT, unit_id=group)
        record = app.evaluate_issue(resident, issue_id, score=5)
    assert record.status is IssueStatus.CLOSED

    names = [type(e).__name__ for e in app.history(issue_id)]
    assert names == [
        "Collected",
        "Triaged",
        "PutOnAgenda",
        "Deliberated",
        "Dispatched",
        "Resolved",
        "ResultPublished",
        "Evaluated",
        "Evaluated",
        "Evaluated",
        "Closed",
    ]
    positions_before = app.max_position()
    with pytest.raises(IllegalTransitionError) as refused:
        app.evaluate_issue(resident, issue_id, score=1)
    assert refused.value.rule == "issue.transition.evaluate"
    with pytest.raises(InvalidInputError) as bad:
        app.collect_issue(
            grid,
            unit_id=group,
            channel=Channel.HOTLINE,
            raised_by=uuid4(),
            title="",
            description="x",
        )
    assert bad.value.rule == "input.title"
    assert app.max_position() == positions_before

    if store_url is not None:  # a new application on the same store replays the same state
        reopened = CoGov(store_url, clock=clock)
        assert reopened.issue(issue_id) == app.issue(issue_id)
        reopened.close()
    app.close()
