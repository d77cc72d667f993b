"""崇阳县大塘村's idle plot (played in the demo's 大塘村): villagers debated it at evening talks
(夜谈会) until they agreed on a square for drying grain, parking and sports — the first talk
did not carry, the second did — the representatives decided it, and villagers donated over
¥50,000.
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
    Channel,
    ContributionKind,
    Contributor,
    ContributorKind,
    MeetingKind,
    Scale,
)

__all__ = ["DatangFacts", "play"]

VILLAGE = "大塘村"
GROUP = "大塘2组"
#: what the households of each group gave (捐资), in yuan
DONATIONS = {"大塘1组": Decimal(18_600), "大塘2组": Decimal(21_400), "大塘3组": Decimal(12_800)}


@dataclass(frozen=True)
class DatangFacts:
    issue_id: UUID
    evening_talks: tuple[UUID, ...]
    talks_adopted: tuple[bool, ...]
    decision_meeting: UUID
    project_id: UUID
    donated: Decimal


def play(app: CoGov, district: District) -> DatangFacts:
    clock = clock_of(app)
    village = district.village(VILLAGE)
    cadre = village.cadre
    group = district.group(VILLAGE, GROUP)
    issue = raise_issue(
        app,
        district,
        village,
        group,
        raiser=1,
        channel=Channel.EVENING_TALK,
        title="村中闲置地块如何利用",
        description="村中心一块闲置地长满杂草，有人想种菜，有人想停车，有人想建球场",
        scale=Scale.MAJOR,
        category="公共设施",
    )
    talks, adopted = [], []
    for n, (topic, vote) in enumerate(
        (
            ("闲置地块改作菜地还是停车场", Vote(14, 17, 4)),  # no majority: talk again
            ("建晒谷、停车、运动三用广场", Vote(31, 2, 2)),
        ),
        1,
    ):
        meeting = hold_meeting(
            app,
            village,
            kind=MeetingKind.EVENING_TALK,
            title=f"塆组夜话（第{n}次）：闲置地块",
            topics=[AgendaTopic(topic=topic)],
            present=35,
            roster=40,
            notice=timedelta(hours=8),
            votes=[vote],
        )
        talks.append(meeting)
        adopted.append(app.meeting(meeting).outcomes[1].adopted)
        clock.advance(days=5)
    decision = hold_meeting(
        app,
        village,
        kind=MeetingKind.REPRESENTATIVES,
        title="村民代表会议：多功能广场",
        topics=[AgendaTopic(topic="闲置地块建晒谷、停车、运动三用广场", issue_id=issue)],
        present=19,
        votes=[Vote(19)],
    )
    project = decide_project(
        app,
        cadre,
        unit_id=village.id,
        issue_id=issue,
        meeting_id=decision,
        title="大塘村多功能广场",
        budget=90_000,
    )
    for name, amount in DONATIONS.items():
        donors = Contributor(kind=ContributorKind.RESIDENT, id=f"{name}-村民", name=f"{name}村民")
        contribute(app, cadre, project, donors, ContributionKind.MONEY, amount)
    app.dispatch_issue(cadre, issue, assignee=District.department("住建局"))
    clock.advance(days=20)
    report_month(
        app,
        cadre,
        project,
        funds_used=48_000,
        percent_done=100,
        note="广场硬化、划线、篮球架安装完成",
    )
    app.complete_project(cadre, project)
    app.accept_project(cadre, project, summary="村民代表验收", meeting_id=decision, item_no=1)
    app.grant_reward(district.department_staff("住建局", village.county), project)
    app.share_benefits(
        cadre, project, households_benefiting=village.households, description="全村晒谷、停车、健身"
    )
    app.resolve_issue(
        district.department_staff("住建局", village.county),
        issue,
        summary="闲置地建成多功能广场",
        project_id=project,
    )
    app.publish_result(cadre, issue, summary="多功能广场启用", households_benefiting=350)
    rate_result(app, district, issue, group, [5, 5, 4])
    return DatangFacts(
        issue_id=issue,
        evening_talks=tuple(talks),
        talks_adopted=tuple(adopted),
        decision_meeting=decision,
        project_id=project,
        donated=sum(DONATIONS.values(), Decimal(0)),
    )
