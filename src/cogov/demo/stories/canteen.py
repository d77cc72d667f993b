"""建安区师庄村: a "幸福大食堂" canteen for the elderly, decided at the representatives'
meeting and built in two weeks with donated materials and volunteer labour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from cogov.app.meetings import AgendaTopic
from cogov.application import CoGov
from cogov.demo.district import District
from cogov.demo.loop import Vote, clock_of, contribute, hold_meeting, rate_result
from cogov.demo.steps import decide_project, raise_issue, report_month
from cogov.domain.values import (
    Assignee,
    AssigneeKind,
    Channel,
    ContributionKind,
    Contributor,
    ContributorKind,
    MeetingKind,
    Scale,
)

__all__ = ["CanteenFacts", "play"]

VILLAGE = "师庄村"
GROUP = "师庄1组"
MATERIALS = Decimal(26_500)
LABOUR_DAYS = Decimal(85)
MONEY = Decimal(12_000)
HOUSEHOLDS = 86


@dataclass(frozen=True)
class CanteenFacts:
    issue_id: UUID
    project_id: UUID
    decided_at: datetime
    completed_at: datetime
    materials: Decimal
    labour_days: Decimal
    households_benefiting: int


def play(app: CoGov, district: District) -> CanteenFacts:
    clock = clock_of(app)
    village = district.village(VILLAGE)
    cadre = village.cadre
    group = district.group(VILLAGE, GROUP)
    issue = raise_issue(
        app,
        district,
        village,
        group,
        channel=Channel.EVENING_TALK,
        title="留守老人吃饭难",
        description="子女外出务工，八十岁以上老人一日三餐没着落（塆组夜话上提出）",
        scale=Scale.MAJOR,
        category="养老服务",
    )
    meeting = hold_meeting(
        app,
        village,
        kind=MeetingKind.REPRESENTATIVES,
        title="党员群众代表会议：幸福大食堂",
        topics=[AgendaTopic(topic="利用闲置村部建幸福大食堂", issue_id=issue)],
        present=20,
        votes=[Vote(20)],
    )
    decided_at = clock.now()
    project = decide_project(
        app,
        cadre,
        unit_id=village.id,
        issue_id=issue,
        meeting_id=meeting,
        title="师庄村幸福大食堂",
        budget=50_000,
    )
    app.dispatch_issue(
        cadre, issue, assignee=Assignee(kind=AssigneeKind.CADRE, id=cadre.id, name="师庄村两委")
    )
    villagers = Contributor(kind=ContributorKind.RESIDENT, id="师庄村-村民", name="师庄村村民")
    firm = Contributor(kind=ContributorKind.FIRM, id="师庄-建材", name="本村建材门市")
    contribute(app, cadre, project, villagers, ContributionKind.MATERIALS, MATERIALS - 8_000)
    contribute(app, cadre, project, firm, ContributionKind.MATERIALS, Decimal(8_000))
    contribute(app, cadre, project, villagers, ContributionKind.MONEY, MONEY)
    clock.advance(days=6)
    contribute(app, cadre, project, villagers, ContributionKind.LABOUR, LABOUR_DAYS)
    clock.set(decided_at + timedelta(days=13, hours=6))
    report_month(
        app,
        cadre,
        project,
        funds_used=9_800,
        percent_done=100,
        note="村民投工投劳改造村部厨房与餐厅，食堂完工，账目公示",
    )
    app.complete_project(cadre, project)
    completed_at = clock.now()
    acceptance = hold_meeting(
        app,
        village,
        kind=MeetingKind.EVENING_TALK,
        title="塆组夜话：食堂验收",
        topics=[AgendaTopic(topic="幸福大食堂验收")],
        present=35,
        roster=40,
        notice=timedelta(hours=6),
    )
    app.accept_project(cadre, project, summary="村民夜话验收通过", meeting_id=acceptance, item_no=1)
    app.grant_reward(district.department_staff("民政局", village.county), project)
    app.assign_maintainer(
        cadre,
        project,
        maintainer=Assignee(kind=AssigneeKind.COUNCIL, id="师庄志愿者", name="师庄村志愿服务队"),
        duties="轮值做饭、卫生、账目公开",
    )
    app.share_benefits(
        cadre, project, households_benefiting=HOUSEHOLDS, description="全村80岁以上老人每日就餐"
    )
    app.resolve_issue(cadre, issue, summary="幸福大食堂开张", project_id=project)
    app.publish_result(
        cadre, issue, summary="老人在家门口吃上热饭", households_benefiting=HOUSEHOLDS
    )
    rate_result(app, district, issue, group, [5, 5, 5])
    return CanteenFacts(
        issue_id=issue,
        project_id=project,
        decided_at=decided_at,
        completed_at=completed_at,
        materials=MATERIALS,
        labour_days=LABOUR_DAYS,
        households_benefiting=HOUSEHOLDS,
    )
