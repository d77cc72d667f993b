"""共建、共管、共享 of works projects in the 五共 status: contributions pledged and received,
以奖代补 rewards, maintenance, inspections, conventions, ratings and households benefiting."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from cogov import (
    Actor,
    AgendaTopic,
    Assignee,
    AssigneeKind,
    ContributionKind,
    Contributor,
    ContributorKind,
    MeetingKind,
    Role,
)
from tests.views.support import District, dump


def test_a_built_and_managed_project_shows_in_co_building_managing_and_sharing(
    store_url: str | None,
) -> None:
    d = District.build(store_url)
    app, cadre = d.app, d.cadre
    project = app.propose_project(
        cadre, unit_id=d.group_a, title="渡河村1组便民桥", budget=Decimal("100000")
    )
    meeting = app.schedule_meeting(
        cadre,
        unit_id=d.village_a,
        kind=MeetingKind.REPRESENTATIVES,
        title="代表会议",
        roster_size=30,
        scheduled_for=d.clock.now() + timedelta(days=4),
        chair_id=cadre.id,
    )
    app.publish_agenda(cadre, meeting, topics=[AgendaTopic(topic="修建便民桥并立公约")])
    d.clock.advance(days=4)
    app.convene_meeting(cadre, meeting, present=30)
    app.record_vote(cadre, meeting, item_no=1, votes_for=30, votes_against=0)
    app.approve_project(cadre, project, meeting_id=meeting, item_no=1)
    villager = Contributor(kind=ContributorKind.RESIDENT, id="r-1", name="村民甲")
    firm = Contributor(kind=ContributorKind.FIRM, id="f-1", name="建材公司")
    money = app.pledge_contribution(
        cadre, project, contributor=villager, kind=ContributionKind.MONEY, amount=Decimal("5000")
    )
    labour = app.pledge_contribution(
        cadre, project, contributor=villager, kind=ContributionKind.LABOUR, amount=Decimal("10")
    )
    app.pledge_contribution(
        cadre, project, contributor=firm, kind=ContributionKind.MATERIALS, amount=Decimal("2000")
    )
    app.receive_contribution(cadre, project, pledge_id=money, amount=Decimal("5000"))
    app.receive_contribution(cadre, project, pledge_id=labour, amount=Decimal("7.5"))
    app.report_progress(
        cadre, project, month="2026-03", funds_used=Decimal("4000"), percent_done=100
    )
    app.complete_project(cadre, project)
    app.accept_project(cadre, project, summary="验收合格", meeting_id=meeting, item_no=1)
    county_staff = Actor(id="fin-1", role=Role.DEPARTMENT_STAFF, unit_id=d.county)
    reward = app.grant_reward(county_staff, project)
    council = Assignee(kind=AssigneeKind.COUNCIL, id="bridge-council", name="护桥理事会")
    app.assign_maintainer(cadre, project, maintainer=council, duties="每周巡查")
    app.record_inspection(cadre, project, finding="护栏松动", ok=False)
    app.record_inspection(cadre, project, finding="完好", ok=True)
    app.adopt_convention(
        cadre, project, title="护桥公约", text="禁止超载车辆通行", meeting_id=meeting, item_no=1
    )
    app.share_benefits(cadre, project, households_benefiting=80, description="80户出行便利")
    app.evaluate_project(d.resident(d.group_a), project, score=5)

    status = app.five_co_status(d.county)

    building = status.co_building
    assert building.projects == 1
    assert (building.money_pledged, building.money_received) == (Decimal("5000.00"),) * 2
    assert building.labour_days_pledged == Decimal("10.00")
    assert building.labour_days_received == Decimal("7.50")
    assert (building.materials_pledged, building.materials_received) == (
        Decimal("2000.00"),
        Decimal("0.00"),
    )
    assert building.rewards == reward == Decimal("3062.50")  # 0.5 × (5000 + 7.5 × 150)
    managing = status.co_managing
    assert (managing.under_maintenance, managing.inspections) == (1, 2)
    assert (managing.inspections_failed, managing.conventions) == (1, 1)
    assert (status.co_evaluating.ratings, status.co_evaluating.satisfied) == (1, 1)
    assert status.co_sharing.households_benefiting == 80
    assert app.five_co_status(d.village_b).co_building.projects == 0

    live = dump(app.views)
    app.views.rebuild()
    assert dump(app.views) == live
    d.close()
