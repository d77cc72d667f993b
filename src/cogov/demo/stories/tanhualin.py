"""武昌区昙华林: years of commercial noise. A residents' meeting with the shops agrees the
volume goes down after 22:00 (a 居民公约), and volunteers patrol every night (建设共管:
inspections recorded night by night).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
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
    Role,
    Scale,
)

__all__ = ["TanhualinFacts", "play"]

VILLAGE = "昙华林社区"
STREET = "昙华林街区"
CONVENTION_TITLE = "昙华林街区夜间静音公约"
CONVENTION_TEXT = "22:00后商户室外音响关闭、室内音量调低；志愿者每晚22:30巡查，劝导为先"
PATROL_NIGHTS = 14


@dataclass(frozen=True)
class TanhualinFacts:
    issue_id: UUID
    meeting_id: UUID
    project_id: UUID
    convention_title: str
    patrols: int
    patrols_with_findings: int


def play(app: CoGov, district: District) -> TanhualinFacts:
    clock = clock_of(app)
    village = district.village(VILLAGE)
    cadre = village.cadre
    street = district.group(VILLAGE, STREET)
    issue = raise_issue(
        app,
        district,
        village,
        street,
        collector=district.resident(street, 0),
        channel=Channel.HOTLINE,
        title="商铺夜间噪音扰民多年",
        description="酒吧、餐馆室外音响深夜不停，老人孩子无法休息",
        scale=Scale.MINOR,
        category="噪音",
    )
    meeting = hold_meeting(
        app,
        village,
        kind=MeetingKind.RESIDENTS_COUNCIL,
        title="居民与商户议事会：夜间噪音",
        topics=[
            AgendaTopic(topic="22:00后音量调低，志愿者夜间巡查", issue_id=issue),
            AgendaTopic(topic="居民公约：夜间静音"),
        ],
        present=34,
        roster=40,
        notice=timedelta(days=2),
        votes=[Vote(31, 2, 1), Vote(32, 1, 1)],
    )
    project = decide_project(
        app,
        cadre,
        unit_id=street,
        issue_id=issue,
        meeting_id=meeting,
        title="昙华林夜间静音共管",
        budget=6_000,
        scale=Scale.MINOR,
        description="提示牌、分贝仪、巡查马甲",
    )
    patrol_team = Assignee(
        kind=AssigneeKind.COUNCIL, id="昙华林志愿巡查队", name="昙华林志愿巡查队"
    )
    app.dispatch_issue(cadre, issue, assignee=patrol_team)
    shops = Contributor(kind=ContributorKind.FIRM, id="昙华林商户联盟", name="昙华林商户联盟")
    contribute(app, cadre, project, shops, ContributionKind.MONEY, Decimal(6_000))
    report_month(app, cadre, project, funds_used=5_400, percent_done=100, note="提示牌、分贝仪到位")
    app.complete_project(cadre, project)
    app.accept_project(
        cadre, project, summary="议事会确认共管设施到位", meeting_id=meeting, item_no=1
    )
    app.adopt_convention(
        cadre, project, title=CONVENTION_TITLE, text=CONVENTION_TEXT, meeting_id=meeting, item_no=2
    )
    app.assign_maintainer(cadre, project, maintainer=patrol_team, duties="每晚22:30街区巡查")
    volunteer = district.grant(
        app, "昙华林巡查志愿者", Role.COUNCIL_MEMBER, village.id, organisation=patrol_team.id
    )
    findings = 0
    for night in range(PATROL_NIGHTS):
        clock.advance(days=1)
        loud = night == 2
        findings += loud
        app.record_inspection(
            volunteer,
            project,
            finding="一家酒吧22:40仍开室外音响，劝导后关闭" if loud else "街区安静，商户遵守公约",
            ok=not loud,
        )
    app.resolve_issue(volunteer, issue, summary="公约执行两周，夜间噪音投诉清零")
    app.publish_result(cadre, issue, summary="夜间静音公约生效", households_benefiting=420)
    rate_result(app, district, issue, street, [5, 4, 5])
    return TanhualinFacts(
        issue_id=issue,
        meeting_id=meeting,
        project_id=project,
        convention_title=CONVENTION_TITLE,
        patrols=PATROL_NIGHTS,
        patrols_with_findings=findings,
    )
