"""建安区段墓社区: a pit blocking a road. The plan is agreed with the neighbours and the firms
around it; progress and fund use are reported every month (每月报告) until the road opens."""

from __future__ import annotations

from dataclasses import dataclass
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

__all__ = ["DuanmuFacts", "play"]

VILLAGE = "段墓社区"
GROUP = "段墓2组"
#: (funds used so far, percent done) at each monthly report
REPORTS = ((Decimal(22_000), 30), (Decimal(51_000), 75), (Decimal(63_500), 100))


@dataclass(frozen=True)
class DuanmuFacts:
    issue_id: UUID
    project_id: UUID
    months_reported: tuple[str, ...]


def play(app: CoGov, district: District) -> DuanmuFacts:
    clock = clock_of(app)
    village = district.village(VILLAGE)
    cadre = village.cadre
    group = district.group(VILLAGE, GROUP)
    issue = raise_issue(
        app,
        district,
        village,
        group,
        raiser=2,
        channel=Channel.GRID_WORKER,
        title="路中大坑阻断通行",
        description="废弃取土坑横在进村路上，雨天积水，车辆绕行两公里",
        scale=Scale.MAJOR,
        category="道路交通",
    )
    meeting = hold_meeting(
        app,
        village,
        kind=MeetingKind.REPRESENTATIVES,
        title="党员群众代表会议：填坑修路（邻里与企业共商）",
        topics=[AgendaTopic(topic="填坑修路方案：邻里让地、企业出资、每月公开", issue_id=issue)],
        present=17,
        votes=[Vote(16, 0, 1)],
    )
    project = decide_project(
        app,
        cadre,
        unit_id=village.id,
        issue_id=issue,
        meeting_id=meeting,
        title="段墓社区填坑修路",
        budget=70_000,
    )
    app.dispatch_issue(
        cadre, issue, assignee=Assignee(kind=AssigneeKind.CADRE, id=cadre.id, name="段墓社区两委")
    )
    firms = Contributor(kind=ContributorKind.FIRM, id="段墓-企业", name="周边三家企业")
    neighbours = Contributor(kind=ContributorKind.RESIDENT, id="段墓-邻里", name="沿路邻里")
    contribute(app, cadre, project, firms, ContributionKind.MONEY, Decimal(45_000))
    contribute(app, cadre, project, neighbours, ContributionKind.MONEY, Decimal(20_000))
    contribute(app, cadre, project, neighbours, ContributionKind.LABOUR, Decimal(60))
    months = []
    for used, percent in REPORTS:
        clock.advance(days=30)
        months.append(
            report_month(
                app,
                cadre,
                project,
                funds_used=used,
                percent_done=percent,
                note=f"进度{percent}%，累计用款¥{used:,}，明细张榜公布",
            )
        )
    app.complete_project(cadre, project)
    app.accept_project(
        cadre, project, summary="邻里代表验收，道路贯通", meeting_id=meeting, item_no=1
    )
    app.resolve_issue(cadre, issue, summary="大坑填平，道路贯通", project_id=project)
    app.publish_result(cadre, issue, summary="进村路打通", households_benefiting=190)
    rate_result(app, district, issue, group, [5, 5, 5])
    return DuanmuFacts(issue_id=issue, project_id=project, months_reported=tuple(months))
