"""渡河村's bridge, the whole 共建/共管/共评/共享 story through CoGov on every backend.

A dangerous bridge under 2 m wide did not qualify for state bridge funds. Residents of 渡河村1组
elected a five-member bridge council; the representatives' meeting approved the project and a
convention; residents gave money and labour, 白羊社区 shared the cost, a firm gave materials and
the county added money; progress and fund use were reported monthly; residents accepted the
bridge, and the county granted the 以奖代补 reward the rule computes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from cogov import (
    Actor,
    AgendaTopic,
    BodyKind,
    BodyStatus,
    Channel,
    CoGov,
    CogovError,
    ContributionKind,
    Contributor,
    ContributorKind,
    IssueStatus,
    ManualClock,
    MeetingKind,
    PermissionDeniedError,
    ProjectRecord,
    ProjectStatus,
    Role,
    RuleViolationError,
    Scale,
    UnitLevel,
)
from cogov.app.projects import PROJECT_SNAPSHOT_INTERVAL
from cogov.domain.base import project as replay

MONEY, LABOUR, MATERIALS = (
    ContributionKind.MONEY,
    ContributionKind.LABOUR,
    ContributionKind.MATERIALS,
)


@dataclass
class Village:
    app: CoGov
    clock: ManualClock
    admin: Actor
    county: UUID
    village: UUID
    group: UUID
    cadre: Actor
    housing: Actor
    residents: list[Actor]


def open_app(store_url: str | None, clock: ManualClock) -> CoGov:
    return CoGov(store_url, clock=clock)


def dhe_village(app: CoGov, clock: ManualClock) -> Village:
    """The deployment as a host sets it up: the first administrator, the units, officials'
    roles granted, eight residents of 渡河村1组 registered."""
    admin = app.bootstrap_administrator("admin")
    county = app.establish_unit(admin, name="黄梅县", level=UnitLevel.COUNTY)
    town = app.establish_unit(admin, name="某镇", level=UnitLevel.TOWNSHIP, parent_id=county)
    village = app.establish_unit(admin, name="渡河村", level=UnitLevel.VILLAGE, parent_id=town)
    group = app.establish_unit(
        admin, name="渡河村1组", level=UnitLevel.GROUP, parent_id=village, households=120
    )
    grid_worker = app.grant_role(admin, grantee_id="gw-1", role=Role.GRID_WORKER, unit_id=village)
    residents = [
        Actor(
            id=str(
                app.register_resident(
                    grid_worker,
                    unit_id=group,
                    name=f"村民{n}",
                    phone=f"1380000000{n}",
                    address=f"渡河村1组{n}号",
                    household=f"户{n}",
                )
            ),
            role=Role.RESIDENT,
            unit_id=group,
        )
        for n in range(1, 9)
    ]
    return Village(
        app=app,
        clock=clock,
        admin=admin,
        county=county,
        village=village,
        group=group,
        cadre=app.grant_role(
            admin, grantee_id="sec-1", role=Role.COMMITTEE_MEMBER, unit_id=village
        ),
        housing=app.grant_role(
            admin,
            grantee_id="zj-1",
            role=Role.DEPARTMENT_STAFF,
            unit_id=county,
            organisation="zhujian",
        ),
        residents=residents,
    )


def as_contributor(actor: Actor, name: str) -> Contributor:
    return Contributor(kind=ContributorKind.RESIDENT, id=actor.id, name=name)


def test_the_bridge_is_built_managed_rated_and_shared_with_the_reward_the_rule_gives(
    store_url: str | None, clock: ManualClock
) -> None:
    app = open_app(store_url, clock)
    v = dhe_village(app, clock)
    cadre, r = v.cadre, v.residents
    ids = [resident.id for resident in r]

    # 民情收集: the dangerous bridge, a major matter
    issue_id = app.collect_issue(
        cadre,
        unit_id=v.group,
        channel=Channel.EVENING_TALK,
        raised_by=uuid4(),
        title="危桥",
        description="桥宽不足2米，不符合国家桥梁资金条件",
    )
    app.triage_issue(cadre, issue_id, scale=Scale.MAJOR, category="交通")

    # 理事会: residents nominate seven, elect five, choose officers, post, take office
    body_id = app.form_body(
        cadre, unit_id=v.group, kind=BodyKind.COUNCIL, name="渡河村修桥理事会", purpose="修桥"
    )
    stranger = Actor(id=str(uuid4()), role=Role.RESIDENT, unit_id=v.group)
    with pytest.raises(PermissionDeniedError) as unregistered:
        app.nominate_candidate(stranger, body_id, candidate_id=stranger.id, name="外人")
    assert unregistered.value.rule == "permission.grant"
    for n, resident in enumerate(r[:7]):
        app.nominate_candidate(resident, body_id, candidate_id=resident.id, name=f"村民{n + 1}")
    elected = app.tally_election(
        cadre,
        body_id,
        ballots=96,
        votes=dict(zip(ids[:7], (90, 85, 80, 72, 66, 40, 21), strict=True)),
    )
    assert elected == ids[:5]
    app.choose_officers(cadre, body_id, chair_id=ids[0], vice_chair_id=ids[1])
    with pytest.raises(RuleViolationError) as early:
        app.take_office(cadre, body_id)
    assert early.value.rule == "body.office.after_posting"
    app.post_election_result(cadre, body_id, notice="理事会选举结果公示")
    app.take_office(cadre, body_id)
    council = app.body(body_id)
    assert (council.status, council.members) == (BodyStatus.IN_OFFICE, elected)
    chair = app.grant_role(
        v.admin,
        grantee_id=ids[0],
        role=Role.COUNCIL_MEMBER,
        unit_id=v.group,
        organisation=str(body_id),
    )

    # 决策共谋: proposed, put to the representatives' meeting with a convention, approved
    project_id = app.propose_project(
        cadre, unit_id=v.group, title="渡河村1组修桥", budget=Decimal(300000), issue_ids=[issue_id]
    )
    meeting_id = app.schedule_meeting(
        cadre,
        unit_id=v.village,
        kind=MeetingKind.REPRESENTATIVES,
        title="三月党员群众代表会议",
        roster_size=30,
        scheduled_for=clock.now() + timedelta(days=4),
        chair_id=cadre.id,
    )
    app.publish_agenda(
        cadre,
        meeting_id,
        topics=[AgendaTopic(topic="修桥方案", issue_id=issue_id), AgendaTopic(topic="护桥公约")],
    )
    clock.advance(days=4)
    app.convene_meeting(cadre, meeting_id, present=24)
    app.record_vote(cadre, meeting_id, item_no=1, votes_for=22, votes_against=1, abstentions=1)
    app.record_vote(cadre, meeting_id, item_no=2, votes_for=20, votes_against=2, abstentions=2)
    app.deliberate_issue(cadre, issue_id, meeting_id=meeting_id, item_no=1)
    app.approve_project(cadre, project_id, meeting_id=meeting_id, item_no=1)
    app.dispatch_issue(cadre, issue_id, assignee=council.as_assignee())

    # 发展共建: money, labour and materials; 白羊社区 gives 30,000 of the 40,000 it pledged
    gifts = [
        (r[0], MONEY, "2000"),
        (r[1], MONEY, "3000"),
        (r[2], MONEY, "5000"),
        (r[3], LABOUR, "60"),
        (r[4], LABOUR, "90"),
    ]
    for resident, kind, amount in gifts:
        pledge = app.pledge_contribution(
            resident,
            project_id,
            contributor=as_contributor(resident, resident.id),
            kind=kind,
            amount=Decimal(amount),
        )
        app.receive_contribution(chair, project_id, pledge_id=pledge, amount=Decimal(amount))
    partners = [
        (
            Contributor(kind=ContributorKind.COMMUNITY, id="baiyang", name="白羊社区"),
            MONEY,
            "40000",
        ),
        (Contributor(kind=ContributorKind.FIRM, id="jiancai", name="建材公司"), MATERIALS, "8000"),
        (Contributor(kind=ContributorKind.GOVERNMENT, id="county", name="县财政"), MONEY, "100000"),
    ]
    pledges = [
        app.pledge_contribution(cadre, project_id, contributor=c, kind=k, amount=Decimal(a))
        for c, k, a in partners
    ]
    for pledge, amount in zip(pledges, ("30000", "8000", "100000"), strict=True):
        app.receive_contribution(chair, project_id, pledge_id=pledge, amount=Decimal(amount))
    with pytest.raises(RuleViolationError) as too_much:
        app.receive_contribution(
            chair, project_id, pledge_id=pledges[0], amount=Decimal("10000.01")
        )
    assert too_much.value.rule == "project.contribution.within_pledge"

    record = app.project(project_id)
    assert record.received.money == Decimal(140000)  # 10,000 + 30,000 + 100,000
    assert record.received.labour_days == Decimal(150)
    assert record.pledged.money == Decimal(150000)
    assert record.funds_available == Decimal(140000)

    # 每月报告: monthly fund use and progress; funds used never exceed the funds available
    app.report_progress(
        chair, project_id, month="2026-03", funds_used=Decimal(50000), percent_done=30
    )
    clock.advance(days=31)
    app.report_progress(
        chair, project_id, month="2026-04", funds_used=Decimal(120000), percent_done=75
    )
    clock.advance(days=30)
    position = app.max_position()
    with pytest.raises(RuleViolationError) as overspent:
        app.report_progress(
            chair, project_id, month="2026-05", funds_used=Decimal("140000.01"), percent_done=100
        )
    assert overspent.value.rule == "project.progress.funds_available"
    assert app.max_position() == position
    app.report_progress(
        chair, project_id, month="2026-05", funds_used=Decimal(140000), percent_done=100
    )
    app.complete_project(chair, project_id)

    # 验收 by the council in office; then 以奖代补 by the county's housing bureau
    with pytest.raises(RuleViolationError) as not_yet:
        app.grant_reward(v.housing, project_id)
    assert not_yet.value.rule == "project.reward.after_acceptance"
    app.accept_project(chair, project_id, summary="理事会组织村民验收合格", body_id=body_id)
    app.resolve_issue(chair, issue_id, summary="新桥建成通行", project_id=project_id)
    reward = app.grant_reward(v.housing, project_id)
    # 0.5 × (10,000 + 30,000 money + 150 days × ¥150 + 8,000 materials) = 0.5 × 70,500
    assert reward == Decimal("35250.00")
    with pytest.raises(PermissionDeniedError):
        app.grant_reward(cadre, project_id)  # the two committees do not grant rewards

    # 建设共管: the council maintains the bridge, under a convention; patrols are recorded
    app.assign_maintainer(
        cadre, project_id, maintainer=council.as_assignee(), duties="每月巡查桥面与栏杆"
    )
    app.adopt_convention(
        chair,
        project_id,
        title="护桥公约",
        text="禁止超载车辆过桥",
        meeting_id=meeting_id,
        item_no=2,
    )
    app.record_inspection(chair, project_id, finding="桥面完好", ok=True)
    app.record_inspection(chair, project_id, finding="栏杆一处松动", ok=False, inspector=ids[1])

    # 效果共评 and 成果共享
    for resident, score in zip(r[5:8], (5, 5, 3), strict=True):
        app.evaluate_project(resident, project_id, score=score)
    app.share_benefits(
        cadre, project_id, households_benefiting=120, description="全组120户出行更安全"
    )

    final = app.project(project_id)
    assert final.status is ProjectStatus.MANAGED
    assert (final.reward, final.reward_base) == (Decimal("35250.00"), Decimal("70500.00"))
    assert final.funds_available == Decimal("175250.00")
    assert [(rep.month, rep.percent_done) for rep in final.reports] == [
        ("2026-03", 30),
        ("2026-04", 75),
        ("2026-05", 100),
    ]
    assert final.acceptance_body_id == body_id
    assert final.maintainer == council.as_assignee()
    assert [c.title for c in final.conventions] == ["护桥公约"]
    assert [(i.inspector, i.ok) for i in final.inspections] == [(ids[0], True), (ids[1], False)]
    assert final.ratings == {ids[5]: 5, ids[6]: 5, ids[7]: 3}
    assert final.satisfied_share == Decimal("0.6667")
    assert final.households_benefiting == 120
    assert app.issue(issue_id).project_id == project_id
    assert app.issue(issue_id).status is IssueStatus.RESOLVED

    if store_url is not None:  # a new application on the same store replays the same state
        reopened = open_app(store_url, clock)
        assert reopened.project(project_id) == final
        assert reopened.body(body_id) == app.body(body_id)
        reopened.close()
    app.close()


def test_a_long_project_loads_from_its_snapshot_to_the_state_its_history_gives(
    store_url: str | None, clock: ManualClock
) -> None:
    app = open_app(store_url, clock)
    v = dhe_village(app, clock)
    project_id = app.propose_project(
        v.cadre, unit_id=v.group, title="村口广场", budget=Decimal(60000), scale=Scale.MINOR
    )
    households = PROJECT_SNAPSHOT_INTERVAL + 10
    for n in range(households):  # one pledge per household: 61 events in all
        app.pledge_contribution(
            v.cadre,
            project_id,
            contributor=Contributor(kind=ContributorKind.RESIDENT, id=f"h-{n}", name=f"户{n}"),
            kind=MONEY,
            amount=Decimal(500 + n),
        )
    assert app.store.snapshots is not None
    snapshots = list(app.store.snapshots.get(project_id))
    assert [s.originator_version for s in snapshots] == [PROJECT_SNAPSHOT_INTERVAL]

    from_snapshot = app.project(project_id)
    from_history = ProjectRecord.model_validate(replay(None, app.history(project_id)))
    assert from_snapshot == from_history
    assert from_snapshot.version == households + 1
    assert from_snapshot.pledged.money == sum(Decimal(500 + n) for n in range(households))
    if store_url is not None:
        reopened = open_app(store_url, clock)
        assert reopened.project(project_id) == from_history
        reopened.close()
    app.close()


def refused_by_app(app: CoGov, command: Callable[[], object], rule: str) -> None:
    """The application refuses with the named rule and stores nothing."""
    position = app.max_position()
    with pytest.raises(CogovError) as caught:
        command()
    assert caught.value.rule == rule, caught.value
    assert app.max_position() == position


def test_the_application_checks_the_decisions_and_bodies_a_project_cites(
    clock: ManualClock,
) -> None:
    app = open_app(None, clock)
    v = dhe_village(app, clock)
    cadre = v.cadre

    def collect(title: str) -> UUID:
        issue_id = app.collect_issue(
            cadre,
            unit_id=v.group,
            channel=Channel.GRID_WORKER,
            raised_by=uuid4(),
            title=title,
            description=title,
        )
        app.triage_issue(cadre, issue_id, scale=Scale.MAJOR, category="交通")
        return issue_id

    bridge, road = collect("危桥"), collect("断路")
    village_issue = app.collect_issue(
        cadre,
        unit_id=v.village,
        channel=Channel.MEETING,
        raised_by=uuid4(),
        title="村委会办公楼",
        description="村级事项",
    )
    refused_by_app(
        app,
        lambda: app.propose_project(
            cadre, unit_id=v.group, title="修桥", budget=Decimal(1000), issue_ids=[village_issue]
        ),
        "project.issue.unit",
    )
    project_id = app.propose_project(
        cadre, unit_id=v.village, title="修桥", budget=Decimal(1000), issue_ids=[bridge]
    )

    def meeting_at(unit: UUID, *topics: AgendaTopic, votes: tuple[int, ...]) -> UUID:
        meeting_id = app.schedule_meeting(
            cadre,
            unit_id=unit,
            kind=MeetingKind.REPRESENTATIVES,
            title="代表会议",
            roster_size=30,
            scheduled_for=clock.now() + timedelta(days=4),
            chair_id=cadre.id,
        )
        app.publish_agenda(cadre, meeting_id, topics=list(topics))
        clock.advance(days=4)
        app.convene_meeting(cadre, meeting_id, present=30)
        for item_no, votes_for in enumerate(votes, 1):
            app.record_vote(
                cadre,
                meeting_id,
                item_no=item_no,
                votes_for=votes_for,
                votes_against=30 - votes_for,
            )
        return meeting_id

    group_meeting = meeting_at(v.group, AgendaTopic(topic="修桥"), votes=(30,))
    refused_by_app(
        app,
        lambda: app.approve_project(cadre, project_id, meeting_id=group_meeting, item_no=1),
        "project.approval.unit",
    )
    village_meeting = meeting_at(
        v.village,
        AgendaTopic(topic="修桥", issue_id=bridge),
        AgendaTopic(topic="修路", issue_id=road),
        votes=(15, 30),
    )
    refused_by_app(
        app,
        lambda: app.approve_project(cadre, project_id, meeting_id=village_meeting, item_no=1),
        "decision.adopted",  # 15 of 30 is not 过半数
    )
    refused_by_app(
        app,
        lambda: app.approve_project(cadre, project_id, meeting_id=village_meeting, item_no=2),
        "project.approval.concerns_project",
    )

    approval = meeting_at(v.village, AgendaTopic(topic="修桥"), votes=(30,))
    app.approve_project(cadre, project_id, meeting_id=approval, item_no=1)
    pledge = app.pledge_contribution(
        cadre,
        project_id,
        contributor=Contributor(kind=ContributorKind.FIRM, id="f", name="企业"),
        kind=MONEY,
        amount=Decimal(1000),
    )
    app.receive_contribution(cadre, project_id, pledge_id=pledge, amount=Decimal(1000))
    app.report_progress(
        cadre, project_id, month="2026-03", funds_used=Decimal(900), percent_done=100
    )
    app.complete_project(cadre, project_id)

    body_id = app.form_body(
        cadre, unit_id=v.group, kind=BodyKind.COUNCIL, name="修桥理事会", purpose="修桥"
    )
    member = app.grant_role(
        v.admin,
        grantee_id="m-1",
        role=Role.COUNCIL_MEMBER,
        unit_id=v.village,
        organisation=str(body_id),
    )
    refused_by_app(
        app,
        lambda: app.accept_project(member, project_id, summary="验收", body_id=body_id),
        "project.acceptance.body_in_office",
    )
    for n in range(5):
        app.nominate_candidate(cadre, body_id, candidate_id=f"m-{n + 1}", name=f"成员{n + 1}")
    app.tally_election(cadre, body_id, ballots=50, votes={f"m-{n + 1}": 40 - n for n in range(5)})
    app.choose_officers(cadre, body_id, chair_id="m-1", vice_chair_id="m-2")
    council = app.body(body_id).as_assignee()
    refused_by_app(
        app,
        lambda: app.accept_project(member, project_id, summary="验收", meeting_id=approval),
        "project.acceptance.decision_ref",
    )
    app.post_election_result(cadre, body_id, notice="公示")
    app.take_office(cadre, body_id)
    outsider = app.grant_role(
        v.admin, grantee_id="o-1", role=Role.COUNCIL_MEMBER, unit_id=v.village, organisation="other"
    )
    refused_by_app(
        app,
        lambda: app.accept_project(outsider, project_id, summary="验收", body_id=body_id),
        "project.acceptance.body_member",
    )
    app.accept_project(member, project_id, summary="理事会验收", body_id=body_id)
    app.dissolve_body(cadre, body_id, reason="任务完成")
    refused_by_app(
        app,
        lambda: app.assign_maintainer(cadre, project_id, maintainer=council, duties="巡查"),
        "project.maintainer.body_in_office",
    )
    assert app.project(project_id).status is ProjectStatus.ACCEPTED
    app.close()
