"""建安区枪杆刘社区: homes without gas, found in collection, put on the two-committee agenda,
decided by the representatives' meeting, gas to 96 households in two months.

The two-committee meeting cannot decide a major matter (大事大议): it votes to pass it to the
representatives' meeting, which decides; works are dispatched to the community committee,
resolved, and the result published with the 96 households it reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from cogov.app.meetings import AgendaTopic
from cogov.application import CoGov
from cogov.demo.district import District
from cogov.demo.loop import Vote, clock_of, hold_meeting, rate_result
from cogov.demo.steps import raise_issue
from cogov.domain.values import Assignee, AssigneeKind, Channel, MeetingKind, Role, Scale

__all__ = ["GasFacts", "play"]

VILLAGE = "枪杆刘社区"
HOUSEHOLDS = 96


@dataclass(frozen=True)
class GasFacts:
    issue_id: UUID
    two_committee_meeting: UUID
    representatives_meeting: UUID
    households_benefiting: int
    collected_at: datetime
    published_at: datetime


def play(app: CoGov, district: District) -> GasFacts:
    clock = clock_of(app)
    village = district.village(VILLAGE)
    cadre = village.cadre
    group = district.group(VILLAGE, "枪杆刘西片")
    collected_at = clock.now()
    issue = raise_issue(
        app,
        district,
        village,
        group,
        channel=Channel.GRID_WORKER,
        title="部分住户至今未通天然气",
        description=f"西片{HOUSEHOLDS}户不通燃气，冬季做饭取暖靠液化气罐，既贵又不安全",
        scale=Scale.MAJOR,
        category="燃气入户",
    )
    clock.advance(days=1)
    two_committees = hold_meeting(
        app,
        village,
        kind=MeetingKind.TWO_COMMITTEES,
        title="两委会议：燃气入户",
        topics=[AgendaTopic(topic="燃气入户方案提交代表会议", issue_id=issue)],
        present=7,
        deliberate=False,  # 大事大议: the representatives decide
    )
    representatives = hold_meeting(
        app,
        village,
        kind=MeetingKind.REPRESENTATIVES,
        title="党员群众代表会议：燃气入户",
        topics=[AgendaTopic(topic="西片96户燃气入户工程", issue_id=issue)],
        present=18,
        votes=[Vote(17, 0, 1)],
    )
    committee = Assignee(kind=AssigneeKind.COMMITTEE, id="枪杆刘两委", name="枪杆刘社区两委")
    app.dispatch_issue(cadre, issue, assignee=committee)
    works = district.grant(
        app, "燃气专班", Role.COMMITTEE_MEMBER, village.id, organisation="枪杆刘两委"
    )
    clock.advance(days=12)
    app.resolve_issue(works, issue, summary="燃气公司铺设管网、入户安装，专班每月公开进度")
    clock.set(collected_at + timedelta(days=58))
    app.publish_result(
        cadre, issue, summary=f"{HOUSEHOLDS}户通气点火", households_benefiting=HOUSEHOLDS
    )
    published_at = clock.now()
    rate_result(app, district, issue, group, [5, 5, 5, 4, 5])
    clock.advance(days=1)
    return GasFacts(
        issue_id=issue,
        two_committee_meeting=two_committees,
        representatives_meeting=representatives,
        households_benefiting=HOUSEHOLDS,
        collected_at=collected_at,
        published_at=published_at,
    )
