"""枝江市国税小区 (built in the 1980s): residents elect a 5-member self-management committee
(自管委) — nominate, vote, choose chair and vice-chair, post the result (公示), take office —
which holds 6 residents' meetings on the renovation plan; the community's representatives
decide it; residents clear the gardens, remove illegal structures and donate; the 自管委
accepts the works and keeps them up.
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
    BodyKind,
    Channel,
    ContributionKind,
    Contributor,
    ContributorKind,
    MeetingKind,
    Role,
    Scale,
)

__all__ = ["GuoshuiFacts", "play"]

VILLAGE = "迎宾社区"
ESTATE = "国税小区"
PLAN_MEETINGS = (
    "征求改造意见：管网、屋面、道路、停车",
    "改造方案初稿",
    "清理楼前菜园，腾出公共空间",
    "拆除违章搭建",
    "居民筹资与分摊办法",
    "改造方案定稿",
)
DONATIONS = Decimal(86_400)
LABOUR_DAYS = Decimal(210)


@dataclass(frozen=True)
class GuoshuiFacts:
    body_id: UUID
    members: tuple[str, ...]
    chair_id: str
    vice_chair_id: str
    residents_meetings: tuple[UUID, ...]
    issue_id: UUID
    project_id: UUID
    donations: Decimal
    labour_days: Decimal


def play(app: CoGov, district: District) -> GuoshuiFacts:
    clock = clock_of(app)
    village = district.village(VILLAGE)
    cadre = village.cadre
    estate = district.group(VILLAGE, ESTATE)

    body = app.form_body(
        cadre,
        unit_id=estate,
        kind=BodyKind.SELF_MANAGEMENT,
        name="国税小区自管委",
        purpose="老旧小区改造：征求意见、组织筹资、监督施工、建后自管",
    )
    names = ["周师傅", "吴老师", "郑会计", "孙大姐", "冯工", "陈老", "褚阿姨"]
    for n, name in enumerate(names):
        app.nominate_candidate(
            district.resident(estate, n), body, candidate_id=f"gs-{n}", name=name
        )
    clock.advance(days=7)
    votes = {"gs-0": 112, "gs-1": 104, "gs-2": 98, "gs-3": 91, "gs-4": 77, "gs-5": 40, "gs-6": 25}
    members = app.tally_election(cadre, body, ballots=126, votes=votes)
    app.choose_officers(cadre, body, chair_id="gs-0", vice_chair_id="gs-1")
    app.post_election_result(
        cadre, body, notice="国税小区自管委选举结果公示：周（主任）、吴（副主任）、郑、孙、冯"
    )
    clock.advance(days=5)
    app.take_office(cadre, body)
    chair = district.grant(app, "gs-0", Role.COUNCIL_MEMBER, estate, organisation=str(body))

    issue = raise_issue(
        app,
        district,
        village,
        estate,
        collector=district.resident(estate, 0),
        channel=Channel.ONLINE_GROUP,
        title="国税小区老旧失修，亟需改造",
        description="上世纪80年代建成，管网老化、屋面漏水、菜园和违建挤占公共空间",
        scale=Scale.MAJOR,
        category="老旧小区改造",
    )
    meetings = []
    for n, topic in enumerate(PLAN_MEETINGS, 1):
        meetings.append(
            hold_meeting(
                app,
                village,
                kind=MeetingKind.RESIDENTS_COUNCIL,
                title=f"国税小区居民会议（第{n}次）",
                topics=[AgendaTopic(topic=topic)],
                present=52 + n,
                roster=80,
                notice=timedelta(days=2),
                unit_id=estate,
                chair=chair,
            )
        )
        clock.advance(days=4)
    decision = hold_meeting(
        app,
        village,
        kind=MeetingKind.REPRESENTATIVES,
        title="迎宾社区党员群众代表会议：国税小区改造",
        topics=[AgendaTopic(topic="国税小区改造方案（六次居民会议定稿）", issue_id=issue)],
        present=27,
        votes=[Vote(26, 0, 1)],
    )
    project = decide_project(
        app,
        cadre,
        unit_id=estate,
        issue_id=issue,
        meeting_id=decision,
        title="国税小区老旧小区改造",
        budget=420_000,
    )
    app.dispatch_issue(cadre, issue, assignee=app.body(body).as_assignee())
    residents = Contributor(kind=ContributorKind.RESIDENT, id="国税小区-居民", name="国税小区居民")
    government = Contributor(kind=ContributorKind.GOVERNMENT, id="枝江市", name="枝江市财政")
    contribute(app, chair, project, residents, ContributionKind.MONEY, DONATIONS)
    contribute(app, chair, project, residents, ContributionKind.LABOUR, LABOUR_DAYS)
    contribute(app, chair, project, government, ContributionKind.MONEY, Decimal(300_000))
    report_month(
        app,
        chair,
        project,
        funds_used=150_000,
        percent_done=35,
        note="菜园清理、违建拆除完成（居民投工投劳）",
    )
    clock.advance(days=31)
    report_month(
        app,
        chair,
        project,
        funds_used=372_000,
        percent_done=100,
        note="管网、屋面、道路改造完工，账目公示",
    )
    app.complete_project(chair, project)
    app.accept_project(chair, project, summary="自管委组织居民验收", body_id=body)
    app.grant_reward(district.department_staff("住建局", village.county), project)
    app.assign_maintainer(
        cadre, project, maintainer=app.body(body).as_assignee(), duties="小区自管：保洁、停车、绿化"
    )
    app.share_benefits(cadre, project, households_benefiting=300, description="国税小区全体住户")
    app.resolve_issue(chair, issue, summary="改造完工，自管委接管", project_id=project)
    app.publish_result(cadre, issue, summary="国税小区改造完成", households_benefiting=300)
    rate_result(app, district, issue, estate, [5, 4, 5])
    record = app.body(body)
    assert record.chair_id is not None
    assert record.vice_chair_id is not None
    return GuoshuiFacts(
        body_id=body,
        members=tuple(members),
        chair_id=record.chair_id,
        vice_chair_id=record.vice_chair_id,
        residents_meetings=tuple(meetings),
        issue_id=issue,
        project_id=project,
        donations=DONATIONS,
        labour_days=LABOUR_DAYS,
    )
